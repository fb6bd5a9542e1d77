// Public entry of @clvlens/extension.
