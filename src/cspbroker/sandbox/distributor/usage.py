"""The distributor's usage feed: records generated deterministically from the seed and the subscriptions.

A record for (subscription, usage product, day) is a pure function of the sandbox seed, those three keys and
the price list, so fetching a period twice returns the same `UsageRecordId`s with the same amounts — the
property the platform relies on to never bill usage twice (BRIEF B5). Usage of a day is published once the
day is over on the sandbox clock (Rhipe publishes usage once it is final; the platform polls twice a day).

The four billing metrics of seed 001 are modelled as:
    UnitRate      the distributor's cost per unit on the usage day (the price list's UnitPrice)
    Units         the quantity consumed that day
    SubTotal      the carrier charge: round_half_up(UnitRate × Units, 2)
    BillableRatio the ratio the reseller applies to the carrier charge when no markup of its own applies
No public PRISM schema names these fields (reference §4.1): the names are our model of seed 001's metrics.

With `unknownTenantRate` / `unknownProductRate` above zero, extra records are mixed in for a tenant the
distributor does not know of and for a product absent from the price list; the platform must quarantine them
(BRIEF B6). Whether a record gets such a sibling is decided by a hash of its id, so it is stable too.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

CENT = Decimal("0.01")
UNKNOWN_PRODUCT_NAME = "Marketplace service not in the price list"
MAX_PERIOD_DAYS = 366


@dataclass(frozen=True)
class UsageConfig:
    unknown_tenant_rate: Decimal = Decimal(0)
    unknown_product_rate: Decimal = Decimal(0)

    def as_wire(self) -> dict[str, Decimal]:
        return {
            "unknownTenantRate": self.unknown_tenant_rate,
            "unknownProductRate": self.unknown_product_rate,
        }

    @classmethod
    def from_wire(cls, body: Mapping[str, Any]) -> UsageConfig:
        return cls(
            unknown_tenant_rate=_rate(body.get("unknownTenantRate", 0), "unknownTenantRate"),
            unknown_product_rate=_rate(body.get("unknownProductRate", 0), "unknownProductRate"),
        )


def _rate(value: Any, name: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | Decimal | str):
        raise ValueError(f"{name} must be a number between 0 and 1")
    try:
        rate = Decimal(value)
    except ArithmeticError as error:
        raise ValueError(f"{name} must be a number between 0 and 1") from error
    if not Decimal(0) <= rate <= Decimal(1):
        raise ValueError(f"{name} must be a number between 0 and 1")
    return rate


def stable_uuid(*parts: object) -> str:
    """A version-4-shaped GUID derived from `parts`: the same parts give the same id on every machine."""
    digest = hashlib.sha256("|".join(str(part) for part in parts).encode("utf-8")).digest()
    return str(uuid.UUID(bytes=digest[:16], version=4))


def stable_fraction(*parts: object) -> Decimal:
    """A number in [0, 1) derived from `parts`."""
    digest = hashlib.sha256("|".join(str(part) for part in parts).encode("utf-8")).digest()
    return Decimal(int.from_bytes(digest[:6], "big")) / Decimal(2**48)


def price_on(product: Mapping[str, Any], day: date) -> Mapping[str, Any]:
    """The product's price entry in force on `day` (the latest `EffectiveFrom` not after it)."""
    prices: list[Mapping[str, Any]] = sorted(product["Prices"], key=lambda price: price["EffectiveFrom"])
    current = prices[0]
    for price in prices:
        if date.fromisoformat(price["EffectiveFrom"]) <= day:
            current = price
    return current


def days(start: date, end: date) -> Iterator[date]:
    day = start
    while day <= end:
        yield day
        day += timedelta(days=1)


def _is_consuming(subscription: Mapping[str, Any], day: date) -> bool:
    if date.fromisoformat(subscription["FirstPurchased"][:10]) > day:
        return False
    cancelled = subscription.get("CancelledDate")
    return not (cancelled and date.fromisoformat(cancelled[:10]) <= day)


def _generated_record(
    *,
    seed: str,
    tenant: Mapping[str, Any],
    subscription: Mapping[str, Any],
    product: Mapping[str, Any],
    day: date,
    currency: str,
) -> dict[str, Any]:
    record_id = stable_uuid(seed, "usage", subscription["SubscriptionId"], product["ProductId"], day)
    shape = product["Usage"]
    low, high = Decimal(shape["MinUnits"]), Decimal(shape["MaxUnits"])
    step = Decimal(1).scaleb(-int(shape["UnitsDecimals"]))
    units = (low + (high - low) * stable_fraction(seed, "units", record_id)).quantize(step, ROUND_HALF_UP)
    unit_rate = Decimal(price_on(product, day)["UnitPrice"])
    return {
        "UsageRecordId": record_id,
        "TenantId": tenant["TenantId"],
        "CustomerName": tenant["CustomerName"],
        "SubscriptionId": subscription["SubscriptionId"],
        "ProductId": product["ProductId"],
        "ProductName": product["ProductName"],
        "ProductSku": product.get("ProductSku"),
        "Unit": product.get("ProductUnit"),
        "UsageDate": day.isoformat(),
        "UnitRate": unit_rate,
        "Units": units,
        "SubTotal": (unit_rate * units).quantize(CENT, ROUND_HALF_UP),
        "BillableRatio": Decimal(shape["BillableRatio"]),
        "Currency": currency,
    }


def _unknown_siblings(seed: str, record: Mapping[str, Any], config: UsageConfig) -> Iterator[dict[str, Any]]:
    record_id = record["UsageRecordId"]
    if stable_fraction(seed, "unknown-tenant", record_id) < config.unknown_tenant_rate:
        yield {
            **record,
            "UsageRecordId": stable_uuid(seed, "unknown-tenant-record", record_id),
            "TenantId": stable_uuid(seed, "unknown-tenant", record["TenantId"]),
            "CustomerName": None,
            "SubscriptionId": stable_uuid(seed, "unknown-subscription", record["SubscriptionId"]),
        }
    if stable_fraction(seed, "unknown-product", record_id) < config.unknown_product_rate:
        yield {
            **record,
            "UsageRecordId": stable_uuid(seed, "unknown-product-record", record_id),
            "ProductId": stable_uuid(seed, "unknown-product", record["ProductId"]),
            "ProductName": f"{UNKNOWN_PRODUCT_NAME} ({record['ProductName']})",
            "ProductSku": None,
        }


def generate_usage(
    *,
    seed: str,
    tenants: Iterable[Mapping[str, Any]],
    products: Mapping[str, Mapping[str, Any]],
    currency: str,
    start: date,
    end: date,
    config: UsageConfig,
) -> list[dict[str, Any]]:
    """Every generated record dated within [start, end], sorted by (UsageDate, UsageRecordId)."""
    records: list[dict[str, Any]] = []
    tenants = list(tenants)
    for day in days(start, end):
        for tenant in tenants:
            for subscription in tenant["Subscriptions"]:
                if not subscription.get("UsageProducts") or not _is_consuming(subscription, day):
                    continue
                for product_id in subscription["UsageProducts"]:
                    record = _generated_record(
                        seed=seed,
                        tenant=tenant,
                        subscription=subscription,
                        product=products[product_id],
                        day=day,
                        currency=currency,
                    )
                    records.append(record)
                    records.extend(_unknown_siblings(seed, record, config))
    records.sort(key=lambda record: (record["UsageDate"], record["UsageRecordId"]))
    return records


def explicit_record(body: Mapping[str, Any], *, record_id: str, currency: str) -> dict[str, Any]:
    """A record added by `POST /_sandbox/usage/records`; missing amounts are derived as for generated ones."""
    try:
        usage_date = date.fromisoformat(str(body["UsageDate"])[:10])
        units = Decimal(body["Units"])
        unit_rate = Decimal(body["UnitRate"])
    except KeyError as error:
        raise ValueError(f"{error.args[0]} is required") from error
    except (ValueError, ArithmeticError, TypeError) as error:
        raise ValueError("UsageDate must be YYYY-MM-DD; Units and UnitRate must be numbers") from error
    subtotal = body.get("SubTotal")
    return {
        "UsageRecordId": str(body.get("UsageRecordId") or record_id),
        "TenantId": str(body.get("TenantId") or stable_uuid("explicit-tenant", record_id)),
        "CustomerName": body.get("CustomerName"),
        "SubscriptionId": str(body.get("SubscriptionId") or stable_uuid("explicit-subscription", record_id)),
        "ProductId": str(body.get("ProductId") or stable_uuid("explicit-product", record_id)),
        "ProductName": str(body.get("ProductName") or "Explicit sandbox usage"),
        "ProductSku": body.get("ProductSku"),
        "Unit": body.get("Unit"),
        "UsageDate": usage_date.isoformat(),
        "UnitRate": unit_rate,
        "Units": units,
        "SubTotal": Decimal(subtotal)
        if subtotal is not None
        else (unit_rate * units).quantize(CENT, ROUND_HALF_UP),
        "BillableRatio": Decimal(body.get("BillableRatio", 1)),
        "Currency": str(body.get("Currency") or currency),
    }
