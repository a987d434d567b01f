"""NCE upgrades ("transitions") of a subscription to another product, mid-term (reference §2.6)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from cspbroker.providers.paging import items_of
from cspbroker.providers.parsing import as_bool, as_int, as_list, as_mapping, as_str, opt_int, opt_str
from cspbroker.providers.partnercenter.common import ApiBase, seg

__all__ = ["Eligibility", "Transition", "TransitionEligibility", "TransitionRequest", "TransitionsApi"]


@dataclass(frozen=True)
class Eligibility:
    is_eligible: bool
    transition_type: str
    errors: tuple[tuple[str, str], ...]

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Eligibility:
        return cls(
            is_eligible=as_bool(data.get("isEligible")),
            transition_type=as_str(data.get("transitionType")),
            errors=tuple(
                (as_str(as_mapping(e).get("code")), as_str(as_mapping(e).get("description")))
                for e in as_list(data.get("errors"))
            ),
        )


@dataclass(frozen=True)
class TransitionEligibility:
    """A product the subscription may move to, and how."""

    catalog_item_id: str
    title: str | None
    description: str | None
    quantity: int | None
    eligibilities: tuple[Eligibility, ...]

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> TransitionEligibility:
        return cls(
            catalog_item_id=as_str(data.get("catalogItemId")),
            title=opt_str(data.get("title")),
            description=opt_str(data.get("description")),
            quantity=opt_int(data.get("quantity")),
            eligibilities=tuple(
                Eligibility.from_json(as_mapping(e)) for e in as_list(data.get("eligibilities"))
            ),
        )


@dataclass(frozen=True)
class TransitionRequest:
    """`transition_only` moves seats; `transition_with_license_transfer` also moves assignments.

    A quantity below the source's is a partial upgrade (the new subscription inherits the
    parent's cancellation window).
    """

    from_catalog_item_id: str
    to_catalog_item_id: str
    quantity: int
    term_duration: str
    billing_cycle: str
    transition_type: str = "transition_only"
    to_subscription_id: str | None = None
    promotion_id: str | None = None

    def to_json(self, from_subscription_id: str) -> dict[str, Any]:
        body: dict[str, Any] = {
            "fromCatalogItemId": self.from_catalog_item_id,
            "fromSubscriptionId": from_subscription_id,
            "toCatalogItemId": self.to_catalog_item_id,
            "quantity": self.quantity,
            "termDuration": self.term_duration,
            "billingCycle": self.billing_cycle,
            "transitionType": self.transition_type,
        }
        if self.to_subscription_id is not None:
            body["toSubscriptionId"] = self.to_subscription_id
        if self.promotion_id is not None:
            body["promotionId"] = self.promotion_id
        return body


@dataclass(frozen=True)
class Transition:
    operation_id: str | None
    status: str
    from_subscription_id: str | None
    to_subscription_id: str | None
    to_catalog_item_id: str | None
    quantity: int
    transition_type: str | None

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Transition:
        return cls(
            operation_id=opt_str(data.get("operationId")),
            status=as_str(data.get("status")),
            from_subscription_id=opt_str(data.get("fromSubscriptionId")),
            to_subscription_id=opt_str(data.get("toSubscriptionId")),
            to_catalog_item_id=opt_str(data.get("toCatalogItemId")),
            quantity=as_int(data.get("quantity")),
            transition_type=opt_str(data.get("transitionType")),
        )


class TransitionsApi(ApiBase):
    def _transitions_root(self, customer_id: str, subscription_id: str) -> str:
        return f"/v1/customers/{seg(customer_id)}/subscriptions/{seg(subscription_id)}"

    def list_transition_eligibilities(
        self, customer_id: str, subscription_id: str, *, eligibility_type: str = "immediate"
    ) -> list[TransitionEligibility]:
        """`eligibility_type` is `immediate` (now) or `scheduled` (at renewal)."""
        path = f"{self._transitions_root(customer_id, subscription_id)}/transitionEligibilities"
        body = self._http.get(path, params={"eligibilityType": eligibility_type}).body
        return [TransitionEligibility.from_json(as_mapping(item)) for item in items_of(body)]

    def create_transition(
        self,
        customer_id: str,
        subscription_id: str,
        transition: TransitionRequest,
        *,
        request_id: str | None = None,
    ) -> Transition:
        path = f"{self._transitions_root(customer_id, subscription_id)}/transitions"
        body = transition.to_json(subscription_id)
        return Transition.from_json(self._http.post(path, json=body, request_id=request_id).object())

    def list_transitions(
        self, customer_id: str, subscription_id: str, *, operation_id: str | None = None
    ) -> list[Transition]:
        path = f"{self._transitions_root(customer_id, subscription_id)}/transitions"
        body = self._http.get(path, params={"operationId": operation_id}).body
        return [Transition.from_json(as_mapping(item)) for item in items_of(body)]
