"""Local, stateful, persistent stand-ins for the provider APIs (Partner Center, distributor, ESD).

The sandbox never imports the rest of the platform: it is Starlette + uvicorn + the standard library.
`common` holds what the three servers share; `serve` runs them together in one process.
"""
