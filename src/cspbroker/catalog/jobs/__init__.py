"""The catalog's work in the worker (or the CLI): the import of a provider's catalog."""
