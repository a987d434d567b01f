"""Client for Microsoft's Electronic Software Distribution (ESD) service: perpetual licences as tokens.

No public ESD specification exists (reference §4.3); the API this client speaks is our model of the seed 003
flow, served by the ESD sandbox: account synchronisation (reseller: blank parent, Microsoft contact email,
role Reseller; end customer: role User), a catalog of perpetual products, one token per licence (product
key, activation link, download link valid 5 days), and returns within 30 days of issue.

Token issuance is idempotent on `MS-RequestId`: pass the same `request_id` for the same order item (e.g.
derived from the platform's order id) and a retry — by this client after a timeout, or by a worker after a
crash — returns the tokens already issued instead of issuing new ones.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import quote

from cspbroker.domain.commerce.order_types import ProviderCapabilities
from cspbroker.providers.credentials_client import CredentialsClient
from cspbroker.providers.parsing import as_list, as_mapping, as_str, opt_datetime, opt_decimal, opt_str
from cspbroker.providers.ports import (
    ESD_CAPABILITIES,
    EsdAccount,
    EsdAccountStatus,
    EsdPrice,
    EsdProduct,
    EsdToken,
)

__all__ = [
    "ESD_SCOPE",
    "EsdClient",
    "EsdLicenceToken",
    "EsdPrice",
    "EsdProduct",
    "parse_account",
    "parse_token",
]

ESD_SCOPE = "esd"


def _seg(value: str) -> str:
    if not value:
        raise ValueError("an empty id cannot be part of a path")
    return quote(value, safe="")


def _status(value: Any, default: str) -> str:
    """Statuses in lower case (`synchronised`, `issued`, `returned`); unknown ones kept as sent."""
    text = opt_str(value)
    return text.strip().lower() if text and text.strip() else default


@dataclass(frozen=True)
class EsdLicenceToken(EsdToken):
    """An `EsdToken` with what the licence email and the asset record also need."""

    account_ref: str = ""
    product_name: str | None = None
    order_reference: str | None = None
    download_link: str | None = None
    returnable_until: datetime | None = None
    returned_at: datetime | None = None


def parse_account(data: Mapping[str, Any], account_ref: str) -> EsdAccountStatus:
    return EsdAccountStatus(
        account_ref=as_str(data.get("accountId"), account_ref),
        remote_id=opt_str(data.get("accountId")),
        status=_status(data.get("status"), "unknown"),
        synchronised_at=opt_datetime(data.get("synchronisedAt")),
        message=opt_str(data.get("message")),
    )


def parse_token(data: Mapping[str, Any]) -> EsdLicenceToken:
    return EsdLicenceToken(
        token_id=as_str(data.get("tokenId")),
        token=as_str(data.get("productKey")),
        product_id=as_str(data.get("productId")),
        activation_link=opt_str(data.get("activationLink")),
        issued_at=opt_datetime(data.get("issuedAt")),
        link_expires_at=opt_datetime(data.get("downloadLinkExpiresAt")),
        status=_status(data.get("status"), "issued"),
        account_ref=as_str(data.get("accountId")),
        product_name=opt_str(data.get("productName")),
        order_reference=opt_str(data.get("orderReference")),
        download_link=opt_str(data.get("downloadLink")),
        returnable_until=opt_datetime(data.get("returnableUntil")),
        returned_at=opt_datetime(data.get("returnedAt")),
    )


def _parse_product(data: Mapping[str, Any]) -> EsdProduct:
    prices = []
    for raw in as_list(data.get("unitPrices")):
        price = as_mapping(raw)
        amount = opt_decimal(price.get("amount"))
        currency = opt_str(price.get("currency"))
        if amount is not None and currency:
            prices.append(EsdPrice(currency=currency, amount=amount))
    return EsdProduct(
        product_id=as_str(data.get("productId")),
        name=as_str(data.get("name")),
        sku=opt_str(data.get("sku")),
        family=opt_str(data.get("family")),
        version=opt_str(data.get("version")),
        licence_type=opt_str(data.get("licenceType")),
        unit_prices=tuple(prices),
    )


def _items(body: Any) -> list[Any]:
    return body if isinstance(body, list) else as_list(as_mapping(body).get("items"))


class EsdClient(CredentialsClient):
    """`EsdPort` over HTTP, plus the catalog, token lists, returns and new download links."""

    capabilities: ProviderCapabilities = ESD_CAPABILITIES
    default_scope = ESD_SCOPE

    # -- accounts -------------------------------------------------------------------------------

    def sync_account(self, account: EsdAccount, *, request_id: str | None = None) -> EsdAccountStatus:
        """Create or update the account at ESD ("save and synchronise"); a refusal raises ProviderRejected."""
        body = {
            "name": account.name,
            "email": account.email,
            "role": account.role,
            "parentAccountId": account.parent_account_ref or None,
        }
        path = f"/api/v1/accounts/{_seg(account.account_ref)}"
        data = self._http.put(path, json=body, request_id=request_id).object()
        return parse_account(data, account.account_ref)

    def get_account(self, account_ref: str) -> EsdAccountStatus:
        """The account's synchronisation status; NotFound when it was never synchronised."""
        data = self._http.get(f"/api/v1/accounts/{_seg(account_ref)}").object()
        return parse_account(data, account_ref)

    # -- catalog --------------------------------------------------------------------------------

    def list_products(self) -> list[EsdProduct]:
        return [_parse_product(as_mapping(item)) for item in _items(self._http.get("/api/v1/products").body)]

    # -- tokens ---------------------------------------------------------------------------------

    def issue_tokens(
        self,
        *,
        account_ref: str,
        product_id: str,
        quantity: int,
        order_reference: str | None = None,
        request_id: str | None = None,
    ) -> list[EsdToken]:
        """One token per licence (items are `EsdLicenceToken`). Same `request_id` → the same tokens.

        `order_reference` defaults to the request id, so an order item is traceable at ESD either way.
        """
        stable_id = request_id or str(uuid.uuid4())
        body = {"productId": product_id, "quantity": quantity, "orderReference": order_reference or stable_id}
        path = f"/api/v1/accounts/{_seg(account_ref)}/tokens"
        response = self._http.post(path, json=body, request_id=stable_id)
        return [parse_token(as_mapping(item)) for item in _items(response.body)]

    def get_token(self, token_id: str) -> EsdLicenceToken:
        return parse_token(self._http.get(f"/api/v1/tokens/{_seg(token_id)}").object())

    def list_tokens(self, account_ref: str) -> list[EsdLicenceToken]:
        body = self._http.get(f"/api/v1/accounts/{_seg(account_ref)}/tokens").body
        return [parse_token(as_mapping(item)) for item in _items(body)]

    def return_token(self, token_id: str, *, request_id: str | None = None) -> EsdLicenceToken:
        """Return a licence (full refund) within 30 days of issue; later, ESD refuses (ProviderRejected)."""
        path = f"/api/v1/tokens/{_seg(token_id)}/return"
        return parse_token(self._http.post(path, request_id=request_id).object())

    def renew_download_link(self, token_id: str, *, request_id: str | None = None) -> EsdLicenceToken:
        """A fresh download link (the previous one stops working), valid 5 days."""
        path = f"/api/v1/tokens/{_seg(token_id)}/download-link"
        return parse_token(self._http.post(path, request_id=request_id).object())
