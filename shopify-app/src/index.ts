// Public entry of @clvlens/shopify-app.
