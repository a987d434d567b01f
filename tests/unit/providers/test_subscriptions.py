"""Subscriptions: tolerant parsing, NCE windows, PATCH with If-Match, add-ons, upgrades."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cspbroker.providers.errors import PreconditionFailed
from cspbroker.providers.partnercenter.models import (
    BillingCycle,
    ProductTerm,
    ScheduledNextTermInstructions,
    Subscription,
    SubscriptionChanges,
    SubscriptionStatus,
    TransitionRequest,
)

from .support import FakeProvider, collection, fixture, fixture_bytes, make_client, respond

CID = "0c39d6d5-c70d-4c55-bc02-f620844f3fd1"
SID = "a4c1340d-6911-4758-bba3-0c4c6007d161"
PATH = f"/v1/customers/{CID}/subscriptions/{SID}"
ETAG = "eyJpZCI6ImE0YzEzNDBkIiwidmVyc2lvbiI6M30="


def test_reference_software_subscription_parses() -> None:
    sub = Subscription.from_json(fixture("software_subscription.json"))

    assert sub.offer_id == "DG7GMGF0DVSV:000P:DG7GMGF0F3Q9"
    assert sub.status is SubscriptionStatus.ACTIVE
    assert sub.billing_cycle is BillingCycle.TRIENNIAL
    assert sub.term_duration == "P3Y"
    assert sub.commitment_end_date == date(2024, 9, 13)
    assert sub.cancellation_allowed_until == datetime(2021, 10, 14, 23, 59, tzinfo=UTC)
    assert sub.effective_start_date == datetime(2021, 9, 14, 16, 44, 3, tzinfo=UTC)
    assert sub.order_id == "123456789101"
    assert sub.auto_renew_enabled is True
    scheduled = sub.scheduled_next_term_instructions
    assert scheduled is not None
    assert scheduled.product.catalog_item_id == "DG7GMGF0DVSV:000P:DG7GMGF0F3Q9"
    assert scheduled.product.billing_cycle == "Annual"
    assert scheduled.quantity == 1


def test_nce_subscription_carries_refundable_lots_and_etag() -> None:
    sub = Subscription.from_json(fixture("subscription_nce.json"))

    assert sub.etag == ETAG
    assert sub.quantity == 12
    assert sub.is_trial is False
    assert sub.parent_subscription_id is None
    assert sub.creation_date == datetime(2024, 5, 1, 8, 0, 0, 123456, tzinfo=UTC)
    assert sub.refundable_quantity is not None
    assert sub.refundable_quantity.total_quantity == 12
    assert [(lot.quantity, lot.allowed_until) for lot in sub.refundable_quantity.lots] == [
        (10, datetime(2024, 5, 8, 8, 0, tzinfo=UTC)),
        (2, datetime(2024, 5, 10, 9, 30, tzinfo=UTC)),
    ]
    assert [option.type for option in sub.refund_options] == ["Full", "Partial"]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("disabled", SubscriptionStatus.DISABLED),
        ("expired", SubscriptionStatus.EXPIRED),
        ("Disabled", SubscriptionStatus.DISABLED),
        ("Expired", SubscriptionStatus.EXPIRED),
        ("suspended", SubscriptionStatus.SUSPENDED),
        ("deleted", SubscriptionStatus.DELETED),
        ("frozen_by_fraud_team", SubscriptionStatus.UNKNOWN),
    ],
)
def test_statuses_parse_tolerantly_and_keep_the_raw_value(raw: str, expected: SubscriptionStatus) -> None:
    sub = Subscription.from_json({**fixture("subscription_nce.json"), "status": raw})

    assert sub.status is expected
    assert sub.status_raw == raw


@given(status=st.text(max_size=30), cycle=st.text(max_size=30))
def test_no_status_or_billing_cycle_breaks_parsing(status: str, cycle: str) -> None:
    sub = Subscription.from_json(
        {**fixture("subscription_nce.json"), "status": status, "billingCycle": cycle}
    )

    assert sub.status_raw == status
    assert isinstance(sub.status, SubscriptionStatus)
    assert isinstance(sub.billing_cycle, BillingCycle)


def test_missing_and_malformed_fields_do_not_break_parsing() -> None:
    sub = Subscription.from_json(
        {"id": SID, "quantity": "x", "creationDate": "yesterday", "refundableQuantity": None}
    )

    assert (sub.id, sub.quantity, sub.creation_date, sub.refundable_quantity) == (SID, 0, None, None)
    assert sub.status is SubscriptionStatus.UNKNOWN


def test_list_and_add_ons() -> None:
    addon = {**fixture("subscription_nce.json"), "id": "addon-1", "parentSubscriptionId": SID}
    fake = FakeProvider(
        respond(200, collection([fixture("subscription_nce.json")])), respond(200, collection([addon]))
    )
    client = make_client(fake)

    (sub,) = client.list_subscriptions(CID, order_id="d5b8a9f0c1e2")
    (child,) = client.list_addons(CID, SID)

    assert str(fake.requests[0].url).endswith(f"/v1/customers/{CID}/subscriptions?order_id=d5b8a9f0c1e2")
    assert fake.requests[1].url.path == f"{PATH}/addons"
    assert (sub.id, child.parent_subscription_id) == (SID, SID)


def test_patch_sends_the_whole_subscription_with_the_change_and_if_match() -> None:
    current = Subscription.from_json(fixture("subscription_nce.json"))
    fake = FakeProvider(respond(200, {**fixture("subscription_nce.json"), "quantity": 15}))

    updated = make_client(fake).patch_subscription(
        CID, SID, SubscriptionChanges(quantity=15), current=current, request_id="qty-op"
    )

    request = fake.requests[0]
    assert (request.method, request.url.path) == ("PATCH", PATH)
    assert request.headers["If-Match"] == ETAG
    assert request.headers["MS-RequestId"] == "qty-op"
    sent = fake.body()
    assert sent == {**fixture("subscription_nce.json"), "quantity": 15}
    assert sent["futureField"] == "kept when patching"
    assert updated.quantity == 15


def test_patch_without_current_reads_first_and_uses_that_etag() -> None:
    fake = FakeProvider(
        respond(200, fixture_bytes("subscription_nce.json")),
        respond(200, fixture_bytes("subscription_nce.json")),
    )

    make_client(fake).patch_subscription(CID, SID, SubscriptionChanges(status=SubscriptionStatus.SUSPENDED))

    assert [r.method for r in fake.requests] == ["GET", "PATCH"]
    assert fake.requests[1].headers["If-Match"] == ETAG
    assert fake.body()["status"] == "suspended"


def test_an_explicit_if_match_wins() -> None:
    fake = FakeProvider(respond(200, fixture_bytes("subscription_nce.json")))
    current = Subscription.from_json(fixture("subscription_nce.json"))

    make_client(fake).patch_subscription(
        CID, SID, SubscriptionChanges(friendly_name="HQ"), current=current, if_match="older"
    )

    assert fake.requests[0].headers["If-Match"] == "older"
    assert fake.body()["friendlyName"] == "HQ"


def test_a_stale_etag_raises_precondition_failed_without_retry() -> None:
    fake = FakeProvider(respond(412, {"code": 2055, "description": "Etag is no longer valid"}))
    current = Subscription.from_json(fixture("subscription_nce.json"))
    sleeps: list[float] = []

    with pytest.raises(PreconditionFailed) as caught:
        make_client(fake, sleeps=sleeps).patch_subscription(
            CID, SID, SubscriptionChanges(quantity=3), current=current
        )

    assert caught.value.code == "2055"
    assert (len(fake.requests), sleeps) == (1, [])


def test_scheduled_change_and_auto_renew_are_sent_camel_case() -> None:
    fake = FakeProvider(respond(200, fixture_bytes("subscription_nce.json")))
    current = Subscription.from_json(fixture("subscription_nce.json"))
    instructions = ScheduledNextTermInstructions(
        product=ProductTerm("CFQ7TTC0LH18", "0001", "CFQ7TTC0K59S", "annual", "P1Y"), quantity=10
    )

    make_client(fake).patch_subscription(
        CID,
        SID,
        SubscriptionChanges(auto_renew_enabled=True, scheduled_next_term_instructions=instructions),
        current=current,
    )

    sent = fake.body()
    assert sent["autoRenewEnabled"] is True
    assert sent["scheduledNextTermInstructions"] == {
        "product": {
            "productId": "CFQ7TTC0LH18",
            "skuId": "0001",
            "availabilityId": "CFQ7TTC0K59S",
            "billingCycle": "annual",
            "termDuration": "P1Y",
        },
        "quantity": 10,
    }


def test_clearing_a_scheduled_change_sends_null() -> None:
    body = {
        **fixture("subscription_nce.json"),
        "scheduledNextTermInstructions": {"product": {}, "quantity": 1},
    }
    fake = FakeProvider(respond(200, fixture_bytes("subscription_nce.json")))

    make_client(fake).patch_subscription(
        CID,
        SID,
        SubscriptionChanges(clear_scheduled_next_term_instructions=True),
        current=Subscription.from_json(body),
    )

    assert fake.body()["scheduledNextTermInstructions"] is None


def test_an_empty_change_is_refused_before_any_call() -> None:
    with pytest.raises(ValueError, match="no change"):
        make_client(FakeProvider()).patch_subscription(CID, SID, SubscriptionChanges())


def test_upgrade_eligibility_and_transition() -> None:
    eligibility = {
        "catalogItemId": "CFQ7TTC0LDPB:0001:CFQ7TTC0K5DJ",
        "title": "M365 BS",
        "quantity": 12,
        "eligibilities": [
            {"isEligible": True, "transitionType": "transition_with_license_transfer", "errors": []}
        ],
    }
    result = {
        "operationId": "op-9",
        "status": "Started",
        "fromSubscriptionId": SID,
        "quantity": 4,
        "toCatalogItemId": "CFQ7TTC0LDPB:0001:CFQ7TTC0K5DJ",
        "transitionType": "transition_with_license_transfer",
    }
    fake = FakeProvider(respond(200, collection([eligibility])), respond(200, result))
    client = make_client(fake)

    (option,) = client.list_transition_eligibilities(CID, SID)
    transition = client.create_transition(
        CID,
        SID,
        TransitionRequest(
            from_catalog_item_id="CFQ7TTC0LH18:0001:CFQ7TTC0K59S",
            to_catalog_item_id=option.catalog_item_id,
            quantity=4,
            term_duration="P1Y",
            billing_cycle="monthly",
            transition_type=option.eligibilities[0].transition_type,
        ),
    )

    assert str(fake.requests[0].url).endswith(f"{PATH}/transitionEligibilities?eligibilityType=immediate")
    assert (fake.requests[1].method, fake.requests[1].url.path) == ("POST", f"{PATH}/transitions")
    assert fake.body() == {
        "fromCatalogItemId": "CFQ7TTC0LH18:0001:CFQ7TTC0K59S",
        "fromSubscriptionId": SID,
        "toCatalogItemId": "CFQ7TTC0LDPB:0001:CFQ7TTC0K5DJ",
        "quantity": 4,
        "termDuration": "P1Y",
        "billingCycle": "monthly",
        "transitionType": "transition_with_license_transfer",
    }
    assert (transition.operation_id, transition.status) == ("op-9", "Started")


def test_subscription_provisioning_status() -> None:
    fake = FakeProvider(respond(200, {"skuId": "0001", "status": "pending", "quantity": 12}))

    status = make_client(fake).get_subscription_provisioning_status(CID, SID)

    assert fake.requests[0].url.path == f"{PATH}/provisioningstatus"
    assert (status.status, status.quantity) == ("pending", 12)
