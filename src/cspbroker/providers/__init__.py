"""Clients for the providers the platform sells through (Partner Center, distributor, ESD).

The platform depends on the Protocols in `ports`; the generic pieces (`http`, `auth`, `errors`,
`paging`, `parsing`) are shared by every client. Nothing here imports Django or the platform.
"""

from cspbroker.providers.errors import (
    NotFound,
    PreconditionFailed,
    ProviderAuthError,
    ProviderError,
    ProviderRejected,
    ProviderUnavailable,
)

__all__ = [
    "NotFound",
    "PreconditionFailed",
    "ProviderAuthError",
    "ProviderError",
    "ProviderRejected",
    "ProviderUnavailable",
]
