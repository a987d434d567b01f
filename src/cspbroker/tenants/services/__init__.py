"""Writes for tenants, users and licences: one module per use case (see each module's docstring)."""
