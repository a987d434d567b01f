"""Entitlements: what a customer owns from software and reservation orders (reference §2.9).

`expiryDate` (the expiration date of a software subscription) comes back only with
`showExpiry=true`, and may stay empty for some minutes after purchase: read it again later.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from cspbroker.providers.paging import items_of
from cspbroker.providers.parsing import as_int, as_list, as_mapping, as_str, opt_datetime, opt_str
from cspbroker.providers.partnercenter.common import ApiBase, seg

__all__ = ["EntitledArtifact", "Entitlement", "EntitlementsApi"]


@dataclass(frozen=True)
class EntitledArtifact:
    artifact_type: str
    link_uri: str | None

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> EntitledArtifact:
        return cls(
            artifact_type=as_str(data.get("artifactType")),
            link_uri=opt_str(as_mapping(data.get("link")).get("uri")),
        )


@dataclass(frozen=True)
class Entitlement:
    product_id: str
    sku_id: str
    quantity: int
    entitlement_type: str
    reference_order_id: str | None
    reference_line_item_id: str | None
    reference_alternate_id: str | None
    quantity_details: tuple[tuple[int, str], ...]
    expiry_date: datetime | None
    entitled_artifacts: tuple[EntitledArtifact, ...]
    included_entitlements: tuple[Entitlement, ...]

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Entitlement:
        order = as_mapping(data.get("referenceOrder"))
        return cls(
            product_id=as_str(data.get("productId")),
            sku_id=as_str(data.get("skuId")),
            quantity=as_int(data.get("quantity")),
            entitlement_type=as_str(data.get("entitlementType")),
            reference_order_id=opt_str(order.get("id")),
            reference_line_item_id=opt_str(order.get("lineItemId")),
            reference_alternate_id=opt_str(order.get("alternateId")),
            quantity_details=tuple(
                (as_int(as_mapping(d).get("quantity")), as_str(as_mapping(d).get("status")))
                for d in as_list(data.get("quantityDetails"))
            ),
            expiry_date=opt_datetime(data.get("expiryDate")),
            entitled_artifacts=tuple(
                EntitledArtifact.from_json(as_mapping(a)) for a in as_list(data.get("entitledArtifacts"))
            ),
            included_entitlements=tuple(
                Entitlement.from_json(as_mapping(e)) for e in as_list(data.get("includedEntitlements"))
            ),
        )


class EntitlementsApi(ApiBase):
    def list_entitlements(
        self,
        customer_id: str,
        *,
        entitlement_type: str | None = None,
        show_expiry: bool = True,
    ) -> list[Entitlement]:
        """`entitlement_type` is `software` or `reservedInstance`; None lists all."""
        params = {"entitlementType": entitlement_type, "showExpiry": True if show_expiry else None}
        body = self._http.get(f"/v1/customers/{seg(customer_id)}/entitlements", params=params).body
        return [Entitlement.from_json(as_mapping(item)) for item in items_of(body)]
