"""Pieces shared by the Partner Center capability modules: enums, path building, the mixin base."""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Any
from urllib.parse import quote

from cspbroker.providers.http import ProviderHttpClient
from cspbroker.providers.parsing import TolerantEnum, as_mapping, opt_str

__all__ = [
    "ApiBase",
    "BillingCycle",
    "OrderStatus",
    "ProvisioningState",
    "SubscriptionStatus",
    "TargetView",
    "UserState",
    "etag_of",
    "seg",
]


class SubscriptionStatus(TolerantEnum):
    """SDK `SubscriptionStatus`. Unknown values (Microsoft adds them) read as UNKNOWN."""

    NONE = "none"
    ACTIVE = "active"
    SUSPENDED = "suspended"
    DELETED = "deleted"
    EXPIRED = "expired"
    PENDING = "pending"
    DISABLED = "disabled"
    UNKNOWN = "unknown"


class BillingCycle(TolerantEnum):
    """`BillingCycleType`; on the wire lowercase snake (`one_time`), in some samples `Annual`."""

    MONTHLY = "monthly"
    ANNUAL = "annual"
    TRIENNIAL = "triennial"
    ONE_TIME = "one_time"
    NONE = "none"
    UNKNOWN = "unknown"


class OrderStatus(TolerantEnum):
    PENDING = "pending"
    COMPLETED = "completed"
    CANCELLED = "cancelled"
    UNKNOWN = "unknown"


class UserState(TolerantEnum):
    ACTIVE = "active"
    INACTIVE = "inactive"
    UNKNOWN = "unknown"


class ProvisioningState(TolerantEnum):
    """Order line provisioning status (`Fulfilled`, `Unfulfilled`, `PrefulfillmentPending`)."""

    FULFILLED = "fulfilled"
    UNFULFILLED = "unfulfilled"
    PREFULFILLMENT_PENDING = "prefulfillment_pending"
    UNKNOWN = "unknown"


class TargetView(StrEnum):
    """Catalog `targetView` values (reference §2.4), exactly as the query expects them."""

    AZURE = "Azure"
    AZURE_RESERVATIONS = "AzureReservations"
    MICROSOFT_AZURE = "MicrosoftAzure"
    ONLINE_SERVICES = "OnlineServices"
    SOFTWARE = "Software"
    SOFTWARE_SUSE_LINUX = "SoftwareSUSELinux"
    SOFTWARE_PERPETUAL = "SoftwarePerpetual"
    SOFTWARE_SUBSCRIPTIONS = "SoftwareSubscriptions"


def seg(value: str) -> str:
    """One path segment, percent-encoded so that an id can never change the path."""
    if not value:
        raise ValueError("an empty id cannot be part of a path")
    return quote(value, safe="")


def etag_of(data: Mapping[str, Any]) -> str | None:
    """Partner Center keeps a resource's etag in `attributes.etag`."""
    return opt_str(as_mapping(data.get("attributes")).get("etag"))


class ApiBase:
    """What every capability mixin of PartnerCenterClient relies on."""

    _http: ProviderHttpClient
