"""The tenants app's work in the worker: every Partner Center call about new tenants and users."""
