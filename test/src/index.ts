// Public entry of @clvlens/test.
