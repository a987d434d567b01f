"""The sync's work in the worker: link an existing tenant, read and write a tenant's directory."""
