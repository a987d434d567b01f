"""The Microsoft Partner Center sandbox: `app.create_app(config)`."""
