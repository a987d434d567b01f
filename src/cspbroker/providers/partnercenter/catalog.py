"""Catalog: products, SKUs, availabilities (reference §2.4), and the price sheet.

The real NCE price sheet lives on another host
(`https://api.partner.microsoft.com/v1.0/sales/pricesheets(Market='US',PricesheetView='…')/$value`),
returns CSV, and accepts App+User tokens only, so an app-only connection cannot read it. The
client therefore reads prices from a configurable URL, by default the sandbox's JSON
`GET /v1/sandbox/pricesheet?market=&currency=`; a deployment with App+User access can point it
elsewhere (an adapter that serves the same rows).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from cspbroker.providers.paging import items_of, iterate_seek
from cspbroker.providers.parsing import (
    as_bool,
    as_int,
    as_list,
    as_mapping,
    as_str,
    opt_datetime,
    opt_decimal,
    opt_int,
    opt_str,
    str_tuple,
)
from cspbroker.providers.partnercenter.common import ApiBase, BillingCycle, seg

__all__ = [
    "Availability",
    "AvailabilityTerm",
    "CatalogApi",
    "PriceSheetRow",
    "Product",
    "RefundPolicy",
    "Sku",
    "catalog_item_id",
]


def catalog_item_id(product_id: str, sku_id: str, availability_id: str) -> str:
    """NCE catalog item id: `{productId}:{skuId}:{availabilityId}`."""
    return f"{product_id}:{sku_id}:{availability_id}"


@dataclass(frozen=True)
class Product:
    id: str
    title: str
    description: str | None
    product_type_id: str | None
    product_type_name: str | None
    product_sub_type_id: str | None
    is_microsoft_product: bool | None
    publisher_name: str | None

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Product:
        product_type = as_mapping(data.get("productType"))
        microsoft = data.get("isMicrosoftProduct")
        return cls(
            id=as_str(data.get("id")),
            title=as_str(data.get("title")),
            description=opt_str(data.get("description")),
            product_type_id=opt_str(product_type.get("id")),
            product_type_name=opt_str(product_type.get("displayName")),
            product_sub_type_id=opt_str(as_mapping(product_type.get("subType")).get("id")),
            is_microsoft_product=as_bool(microsoft) if microsoft is not None else None,
            publisher_name=opt_str(data.get("publisherName")),
        )


@dataclass(frozen=True)
class Sku:
    id: str
    product_id: str
    title: str
    description: str | None
    minimum_quantity: int | None
    maximum_quantity: int | None
    is_trial: bool
    supported_billing_cycles: tuple[BillingCycle, ...]
    purchase_prerequisites: tuple[str, ...]
    provisioning_variables: tuple[str, ...]
    is_addon: bool
    prerequisite_skus: tuple[Any, ...]
    upgrade_target_offers: tuple[Any, ...]
    enforce_attestation: bool
    consumption_type: str | None

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Sku:
        dynamic = as_mapping(data.get("dynamicAttributes"))
        attestation = as_mapping(data.get("attestationProperties"))
        return cls(
            id=as_str(data.get("id")),
            product_id=as_str(data.get("productId")),
            title=as_str(data.get("title")),
            description=opt_str(data.get("description")),
            minimum_quantity=opt_int(data.get("minimumQuantity")),
            maximum_quantity=opt_int(data.get("maximumQuantity")),
            is_trial=as_bool(data.get("isTrial")),
            supported_billing_cycles=tuple(
                BillingCycle.parse(cycle) for cycle in as_list(data.get("supportedBillingCycles"))
            ),
            purchase_prerequisites=str_tuple(data.get("purchasePrerequisites")),
            provisioning_variables=str_tuple(data.get("provisioningVariables")),
            is_addon=as_bool(dynamic.get("isAddon")),
            prerequisite_skus=tuple(as_list(dynamic.get("prerequisiteSkus"))),
            upgrade_target_offers=tuple(as_list(dynamic.get("upgradeTargetOffers"))),
            enforce_attestation=as_bool(attestation.get("enforceAttestation")),
            consumption_type=opt_str(data.get("consumptionType")),
        )


@dataclass(frozen=True)
class RefundPolicy:
    """One refund option of a term's cancellation policy, e.g. Full within `P1D`."""

    sequence_id: int
    type: str
    expires_after: str | None

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> RefundPolicy:
        return cls(
            sequence_id=as_int(data.get("sequenceId")),
            type=as_str(data.get("type")),
            expires_after=opt_str(data.get("expiresAfter")),
        )


@dataclass(frozen=True)
class AvailabilityTerm:
    id: str
    duration: str
    description: str | None
    billing_cycle: BillingCycle
    billing_cycle_raw: str
    renewal_term_durations: tuple[str, ...]
    refund_policies: tuple[RefundPolicy, ...]

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> AvailabilityTerm:
        cycle = as_str(data.get("billingCycle"))
        refunds = [
            RefundPolicy.from_json(as_mapping(option))
            for policy in as_list(data.get("cancellationPolicies"))
            for option in as_list(as_mapping(policy).get("refundOptions"))
        ]
        return cls(
            id=as_str(data.get("id")),
            duration=as_str(data.get("duration")),
            description=opt_str(data.get("description")),
            billing_cycle=BillingCycle.parse(cycle),
            billing_cycle_raw=cycle,
            renewal_term_durations=tuple(
                as_str(as_mapping(option).get("termDuration"))
                for option in as_list(data.get("renewalOptions"))
            ),
            refund_policies=tuple(refunds),
        )


@dataclass(frozen=True)
class Availability:
    id: str
    product_id: str
    sku_id: str
    catalog_item_id: str
    default_currency: str | None
    segment: str | None
    country: str | None
    is_purchasable: bool
    is_renewable: bool
    terms: tuple[AvailabilityTerm, ...]

    @property
    def billing_cycles(self) -> tuple[BillingCycle, ...]:
        return tuple(dict.fromkeys(term.billing_cycle for term in self.terms))

    @property
    def term_durations(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(term.duration for term in self.terms))

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Availability:
        availability_id = as_str(data.get("id"))
        product_id = as_str(data.get("productId"))
        sku_id = as_str(data.get("skuId"))
        currency = data.get("defaultCurrency")
        if isinstance(currency, Mapping):  # some samples give {code, symbol}
            currency = currency.get("code")
        return cls(
            id=availability_id,
            product_id=product_id,
            sku_id=sku_id,
            catalog_item_id=as_str(data.get("catalogItemId"))
            or catalog_item_id(product_id, sku_id, availability_id),
            default_currency=opt_str(currency),
            segment=opt_str(data.get("segment")),
            country=opt_str(data.get("country")),
            is_purchasable=as_bool(data.get("isPurchasable"), True),
            is_renewable=as_bool(data.get("isRenewable"), True),
            terms=tuple(AvailabilityTerm.from_json(as_mapping(t)) for t in as_list(data.get("terms"))),
        )


@dataclass(frozen=True)
class PriceSheetRow:
    """One price: what a partner pays for an availability, per term and billing cycle."""

    catalog_item_id: str
    product_id: str
    sku_id: str
    availability_id: str
    term_duration: str
    billing_cycle: BillingCycle
    billing_cycle_raw: str
    currency: str
    unit_price: Decimal
    market: str | None = None
    erp_price: Decimal | None = None
    effective_start_date: datetime | None = None

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> PriceSheetRow:
        def pick(*names: str) -> Any:
            return next((data[name] for name in names if data.get(name) is not None), None)

        item_id = as_str(pick("catalogItemId", "CatalogItemId"))
        parts = item_id.split(":") if item_id.count(":") == 2 else ["", "", ""]
        product_id = as_str(pick("productId", "ProductId")) or parts[0]
        sku_id = as_str(pick("skuId", "SkuId")) or parts[1]
        availability_id = as_str(pick("availabilityId", "AvailabilityId")) or parts[2]
        cycle = as_str(pick("billingCycle", "BillingPlan", "billingPlan"))
        price = opt_decimal(pick("unitPrice", "UnitPrice"))
        if price is None:
            raise ValueError(f"price sheet row for {item_id or product_id} has no unit price")
        return cls(
            catalog_item_id=item_id or catalog_item_id(product_id, sku_id, availability_id),
            product_id=product_id,
            sku_id=sku_id,
            availability_id=availability_id,
            term_duration=as_str(pick("termDuration", "TermDuration")),
            billing_cycle=BillingCycle.parse(cycle),
            billing_cycle_raw=cycle,
            currency=as_str(pick("currency", "Currency", "currencyCode")),
            unit_price=price,
            market=opt_str(pick("market", "Market")),
            erp_price=opt_decimal(pick("erpPrice", "ERP Price")),
            effective_start_date=opt_datetime(pick("effectiveStartDate", "EffectiveStartDate")),
        )


class CatalogApi(ApiBase):
    _price_sheet_url: str

    def list_products(
        self, *, country: str, target_view: str, target_segment: str | None = None
    ) -> list[Product]:
        params = {"country": country, "targetView": target_view, "targetSegment": target_segment}
        return list(iterate_seek(self._http, "/v1/products", Product.from_json, params=params))

    def get_product(self, product_id: str, *, country: str) -> Product:
        path = f"/v1/products/{seg(product_id)}"
        return Product.from_json(self._http.get(path, params={"country": country}).object())

    def list_skus(self, product_id: str, *, country: str, target_segment: str | None = None) -> list[Sku]:
        path = f"/v1/products/{seg(product_id)}/skus"
        body = self._http.get(path, params={"country": country, "targetSegment": target_segment}).body
        return [Sku.from_json(as_mapping(item)) for item in items_of(body)]

    def list_availabilities(
        self, product_id: str, sku_id: str, *, country: str, target_segment: str | None = None
    ) -> list[Availability]:
        path = f"/v1/products/{seg(product_id)}/skus/{seg(sku_id)}/availabilities"
        body = self._http.get(path, params={"country": country, "targetSegment": target_segment}).body
        return [Availability.from_json(as_mapping(item)) for item in items_of(body)]

    def get_availability(
        self, product_id: str, sku_id: str, availability_id: str, *, country: str
    ) -> Availability:
        path = f"/v1/products/{seg(product_id)}/skus/{seg(sku_id)}/availabilities/{seg(availability_id)}"
        return Availability.from_json(self._http.get(path, params={"country": country}).object())

    def get_price_sheet(self, *, market: str, currency: str) -> list[PriceSheetRow]:
        """Prices by catalog item, term and billing cycle, from the configured price-sheet URL."""
        params = {"market": market, "currency": currency}
        return list(iterate_seek(self._http, self._price_sheet_url, PriceSheetRow.from_json, params=params))
