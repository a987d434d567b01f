"""Trials (no cancel/suspend, conversion or expiry at the end) and software entitlements."""

from __future__ import annotations

from typing import Any

from .conftest import BASIC_MONTHLY, BASIC_TRIAL, OFFICE_LTSC, PC, SQL_SUBSCRIPTION


def trial(pc: PC, customer: dict[str, Any]) -> dict[str, Any]:
    return pc.buy(customer["id"], BASIC_TRIAL, quantity=25, term="P1M", cycle="none")


def test_trial_cannot_be_cancelled_or_suspended(pc: PC, customer: dict[str, Any]) -> None:
    sub = trial(pc, customer)
    path = f"/customers/{customer['id']}/subscriptions/{sub['id']}"

    cancel = pc.patch(path, json={"status": "deleted"})
    suspend = pc.patch(path, json={"status": "suspended"})
    resize = pc.patch(path, json={"quantity": 30})

    assert (
        sub["isTrial"] is True
        and sub["billingCycle"] == "none"
        and sub["cancellationAllowedUntilDate"] is None
    )
    assert cancel.status_code == 400 and suspend.status_code == 400
    assert resize.json()["code"] == 2002
    assert pc.subscription(customer["id"], sub["id"])["status"] == "active"


def test_trial_converts_to_paid_when_auto_renew_is_on(pc: PC, customer: dict[str, Any]) -> None:
    sub = trial(pc, customer)
    pc.advance("P31D")

    converted = pc.subscription(customer["id"], sub["id"])

    assert converted["id"] == sub["id"]
    assert converted["isTrial"] is False
    assert converted["offerId"] == BASIC_MONTHLY
    assert (converted["termDuration"], converted["billingCycle"]) == ("P1Y", "monthly")
    assert converted["refundableQuantity"]["totalQuantity"] == 25
    records = pc.audit(CustomerId=customer["id"])
    assert "convert_trial_subscription" in [r["operationType"] for r in records]
    lines = [
        line for line in pc.lines("current") + pc.lines("previous") if line["subscriptionId"] == sub["id"]
    ]
    assert sorted(line["chargeType"] for line in lines) == ["convert", "new"]


def test_trial_expires_when_auto_renew_is_off(pc: PC, customer: dict[str, Any]) -> None:
    sub = trial(pc, customer)
    pc.patch(f"/customers/{customer['id']}/subscriptions/{sub['id']}", json={"autoRenewEnabled": False})
    pc.advance("P31D")

    assert pc.subscription(customer["id"], sub["id"])["status"] == "expired"


def test_perpetual_software_key_appears_after_the_delay(pc: PC, customer: dict[str, Any]) -> None:
    result = pc.buy(customer["id"], OFFICE_LTSC, quantity=2, term="", cycle="one_time")
    order = result["order"]
    entitlements = f"/customers/{customer['id']}/entitlements"

    before = pc.get(entitlements, params={"entitlementType": "software"}).json()["items"]
    pending = pc.get(f"/customers/{customer['id']}/orders/{order['id']}").json()["status"]
    pc.advance("PT11M")
    after = pc.get(entitlements, params={"entitlementType": "software"}).json()["items"]
    completed = pc.get(f"/customers/{customer['id']}/orders/{order['id']}").json()["status"]

    assert order["status"] == "pending" and pending == "pending" and completed == "completed"
    assert before[0]["entitledArtifacts"] == [] and before[0]["productId"] == "DG7GMGF0D7FV"
    artifact = after[0]["entitledArtifacts"][0]
    assert artifact["artifactType"] == "software" and artifact["softwareId"] and artifact["productKey"]
    assert after[0]["referenceOrder"]["id"] == order["id"]
    assert pc.get(entitlements, params={"entitlementType": "reservedInstance"}).json()["items"] == []


def test_software_subscription_expiry_only_with_show_expiry(pc: PC, customer: dict[str, Any]) -> None:
    sub = pc.buy(customer["id"], SQL_SUBSCRIPTION, quantity=1, term="P1Y", cycle="annual")
    entitlements = f"/customers/{customer['id']}/entitlements"

    plain = pc.get(entitlements).json()["items"][0]
    with_expiry = pc.get(entitlements, params={"showExpiry": "true"}).json()["items"][0]

    assert sub["productType"]["id"] == "Software"
    assert "expiryDate" not in plain
    assert with_expiry["expiryDate"] == sub["commitmentEndDate"]
    assert with_expiry["entitledArtifacts"] == []
