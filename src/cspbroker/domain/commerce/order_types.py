"""Order types, and which of them each provider supports (feature S3, seed 000).

An unsupported order type is not an error the provider returns later: pages disable its button and
show the provider's reason, and services refuse it with `order_type_unsupported`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType

from cspbroker.domain.commerce.errors import OrderTypeUnsupported


class OrderType(StrEnum):
    NEW = "new"
    ADD_QUANTITY = "add_quantity"
    REMOVE_QUANTITY = "remove_quantity"
    SUSPEND = "suspend"
    REACTIVATE = "reactivate"
    CANCEL = "cancel"
    BILLING_ONLY_CANCEL = "billing_only_cancel"
    ADD_ON = "add_on"
    UPGRADE = "upgrade"
    TERM_CHANGE = "term_change"
    SCHEDULED_CHANGE = "scheduled_change"
    AUTO_RENEW = "auto_renew"
    FRIENDLY_NAME = "friendly_name"
    MID_CYCLE_PACKAGE_MIGRATION = "mid_cycle_package_migration"

    @property
    def label(self) -> str:
        return _LABELS[self]


_LABELS = {
    OrderType.NEW: "a new subscription",
    OrderType.ADD_QUANTITY: "adding seats",
    OrderType.REMOVE_QUANTITY: "removing seats",
    OrderType.SUSPEND: "suspending",
    OrderType.REACTIVATE: "reactivating",
    OrderType.CANCEL: "cancelling",
    OrderType.BILLING_ONLY_CANCEL: "cancelling the billing only",
    OrderType.ADD_ON: "adding an add-on",
    OrderType.UPGRADE: "upgrading",
    OrderType.TERM_CHANGE: "changing the term",
    OrderType.SCHEDULED_CHANGE: "scheduling a change for the renewal",
    OrderType.AUTO_RENEW: "turning auto-renew on or off",
    OrderType.FRIENDLY_NAME: "renaming",
    OrderType.MID_CYCLE_PACKAGE_MIGRATION: "a mid-cycle package migration",
}


@dataclass(frozen=True, slots=True)
class ProviderCapabilities:
    """The order types a provider supports, and for each one it does not, the reason people see."""

    supported: frozenset[OrderType]
    reasons: Mapping[OrderType, str] = field(default_factory=dict, hash=False)
    provider: str = "The provider"

    def __post_init__(self) -> None:
        object.__setattr__(self, "supported", frozenset(self.supported))
        misplaced = sorted(set(self.reasons) & self.supported)
        if misplaced:
            raise ValueError(f"Reasons given for supported order types: {', '.join(misplaced)}.")
        object.__setattr__(self, "reasons", MappingProxyType(dict(self.reasons)))

    @classmethod
    def all_but(cls, provider: str, unsupported: Mapping[OrderType, str]) -> ProviderCapabilities:
        """Every order type except those in `unsupported`, each with its reason."""
        return cls(frozenset(OrderType) - set(unsupported), unsupported, provider)

    def supports(self, order_type: OrderType) -> bool:
        return order_type in self.supported

    def reason(self, order_type: OrderType) -> str | None:
        """Why `order_type` is not possible with this provider; None when it is supported."""
        if order_type in self.supported:
            return None
        return self.reasons.get(order_type) or f"{self.provider} does not support {order_type.label}."

    @property
    def cancellation_is_billing_only(self) -> bool:
        """Cancelling here stops our billing but leaves the service at the provider (seed 000)."""
        return OrderType.BILLING_ONLY_CANCEL in self.supported and OrderType.CANCEL not in self.supported


def check_supported(capabilities: ProviderCapabilities, order_type: OrderType) -> None:
    reason = capabilities.reason(order_type)
    if reason is not None:
        raise OrderTypeUnsupported(reason, field="order_type")


# Partner Center moves seats to another product with an upgrade (a "transition", reference §2.6) or
# at the renewal with scheduled next-term instructions; it has nothing called a package migration.
PARTNER_CENTER_CAPABILITIES = ProviderCapabilities.all_but(
    "Partner Center",
    {
        OrderType.MID_CYCLE_PACKAGE_MIGRATION: "Partner Center has no package migration: upgrade the "
        "subscription to move its seats to another product, or schedule the product for the renewal.",
    },
)

# The distributor (Rhipe, seed 000): its API changes quantities and statuses only (reference §4.1),
# and a cancellation here stops our billing without cancelling the service there.
_IN_THE_DISTRIBUTORS_PORTAL = (
    "make the change in the distributor's portal, and it shows up here at the next synchronisation."
)
DISTRIBUTOR_CAPABILITIES = ProviderCapabilities.all_but(
    "The distributor",
    {
        OrderType.MID_CYCLE_PACKAGE_MIGRATION: "Mid-cycle package migrations are not supported by the "
        "Rhipe platform.",
        OrderType.CANCEL: "The cancellation only cancels the billing; the service stays at the "
        "distributor. Cancel the billing only, and cancel the service in the distributor's portal.",
        OrderType.UPGRADE: "The distributor's API cannot upgrade a subscription: "
        f"{_IN_THE_DISTRIBUTORS_PORTAL}",
        OrderType.TERM_CHANGE: f"The distributor's API cannot change a term: {_IN_THE_DISTRIBUTORS_PORTAL}",
        OrderType.SCHEDULED_CHANGE: "The distributor's API cannot schedule a change for the renewal: "
        f"{_IN_THE_DISTRIBUTORS_PORTAL}",
        OrderType.AUTO_RENEW: "The distributor's API cannot turn auto-renew on or off: "
        f"{_IN_THE_DISTRIBUTORS_PORTAL}",
        OrderType.FRIENDLY_NAME: "The distributor's API cannot rename a subscription: "
        f"{_IN_THE_DISTRIBUTORS_PORTAL}",
    },
)
