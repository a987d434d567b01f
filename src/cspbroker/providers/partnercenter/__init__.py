"""Microsoft Partner Center REST client (paths and fields per shared/reference/partner-center-api.md)."""

from cspbroker.providers.partnercenter.client import (
    DEFAULT_BASE_URL,
    DEFAULT_TOKEN_URL,
    SANDBOX_PRICE_SHEET_PATH,
    PartnerCenterClient,
)

__all__ = ["DEFAULT_BASE_URL", "DEFAULT_TOKEN_URL", "SANDBOX_PRICE_SHEET_PATH", "PartnerCenterClient"]
