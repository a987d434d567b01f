"""Contract of the Partner Center client against the sandbox, over real HTTP on loopback: software
entitlements (whose software id arrives minutes later), audit records of every change (ours and those
made in Microsoft's portals), and reconciliation lines and invoices with exact Decimal amounts."""

from __future__ import annotations

import dataclasses
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from cspbroker.providers.partnercenter import PartnerCenterClient
from cspbroker.providers.partnercenter.models import (
    AuditFilter,
    AuditRecord,
    Customer,
    OneTimeInvoiceLineItem,
    OrderStatus,
    ProvisioningState,
    SubscriptionChanges,
)
from cspbroker.providers.ports import AuditPort, EntitlementsPort, ReconciliationPort
from cspbroker.sandbox.partnercenter.lookups import PORTAL_APPLICATION_ID
from tests.integration.providers._pc_fixtures import (
    BASIC,
    BASIC_AAD,
    CLIENT_ID,
    OFFICE_LTSC,
    SQL_SUBSCRIPTION,
    PcSandbox,
    a_line,
    a_new_customer,
    a_new_user,
    buy,
    pc_fixtures,
)

sandbox, wire, client = pc_fixtures()

MARCH_10 = date(2031, 3, 10)


@pytest.fixture
def customer(sandbox: PcSandbox, client: PartnerCenterClient) -> Customer:
    # The 10th of a 31-day month at 09:00 UTC: prorations have exact, known day counts.
    sandbox.set_clock("2031-03-10T09:00:00Z")
    return client.create_customer(a_new_customer())


def test_the_client_implements_the_entitlement_audit_and_reconciliation_ports(
    client: PartnerCenterClient,
) -> None:
    entitlements: EntitlementsPort = client
    audit: AuditPort = client
    reconciliation: ReconciliationPort = client

    assert entitlements is audit is reconciliation


# -- entitlements -------------------------------------------------------------------------------


def test_a_perpetual_licence_is_pending_until_its_software_id_arrives(
    sandbox: PcSandbox, client: PartnerCenterClient, customer: Customer
) -> None:
    cart = client.create_cart(customer.id, [a_line(OFFICE_LTSC, 3, term=None, cycle="one_time")])
    (order,) = client.checkout_cart(customer.id, cart.id).orders

    (pending,) = client.list_entitlements(customer.id, entitlement_type="software")
    assert (order.status, order.line_items[0].subscription_id) == (OrderStatus.PENDING, None)
    assert (
        client.get_order_provisioning_status(customer.id, order.id)[0].status
        is ProvisioningState.PREFULFILLMENT_PENDING
    )
    assert (pending.product_id, pending.sku_id, pending.quantity, pending.entitlement_type) == (
        "DG7GMGF0D7FV",
        "0002",
        3,
        "software",
    )
    assert (pending.reference_order_id, pending.reference_line_item_id) == (order.id, "0")
    assert pending.quantity_details == ((3, "Pending"),)
    assert (pending.entitled_artifacts, pending.expiry_date) == ((), None)

    sandbox.advance_clock("PT11M")  # the sandbox's software-id delay is 10 minutes

    (fulfilled,) = client.list_entitlements(customer.id, entitlement_type="software")
    assert fulfilled.quantity_details == ((3, "Fulfilled"),)
    assert [artifact.artifact_type for artifact in fulfilled.entitled_artifacts] == ["software"]
    assert client.get_order(customer.id, order.id).status is OrderStatus.COMPLETED
    assert (
        client.get_order_provisioning_status(customer.id, order.id)[0].status is ProvisioningState.FULFILLED
    )


def test_a_software_subscription_has_an_expiry_date_only_with_show_expiry(
    sandbox: PcSandbox, client: PartnerCenterClient, customer: Customer
) -> None:
    (subscription,) = buy(client, customer.id, a_line(SQL_SUBSCRIPTION, 2, cycle="annual"))
    sandbox.advance_clock("PT11M")

    (with_expiry,) = client.list_entitlements(customer.id)
    (without,) = client.list_entitlements(customer.id, show_expiry=False)

    assert subscription.product_type_id == "Software" and subscription.commitment_end_date == date(2032, 3, 9)
    assert with_expiry.expiry_date is not None and with_expiry.expiry_date.date() == date(2032, 3, 9)
    assert without.expiry_date is None
    assert client.list_entitlements(customer.id, entitlement_type="reservedInstance") == []


# -- audit --------------------------------------------------------------------------------------


def operations(records: list[AuditRecord]) -> list[tuple[str, str, str]]:
    return [(r.resource_type, r.operation_type, r.customized_data["Source"]) for r in records]


def audited(client: PartnerCenterClient, customer: Customer, **kwargs: Any) -> list[AuditRecord]:
    by_customer = AuditFilter("CustomerId", customer.id)
    return list(client.list_audit_records(start_date=MARCH_10, filter=by_customer, **kwargs))


def test_every_mutation_through_the_api_leaves_an_audit_record(
    client: PartnerCenterClient, customer: Customer
) -> None:
    user = client.create_user(customer.id, a_new_user(customer.domain, "audited"))
    (sub,) = buy(client, customer.id, a_line(BASIC, 2))
    client.patch_subscription(customer.id, sub.id, SubscriptionChanges(quantity=3))
    client.update_user_licenses(customer.id, user.id, assign=[BASIC_AAD])
    client.reset_password(customer.id, user.id, "Nw8$rTq2#pLz")
    client.delete_user(customer.id, user.id)

    records = audited(client, customer)

    api = "PartnerCenterApi"
    assert operations(records) == [
        ("customer", "add_customer", api),
        ("customer_user", "create_customer_user", api),  # the tenant's admin
        ("customer_user", "create_customer_user", api),
        ("order", "create_order", api),
        ("subscription", "update_subscription", api),
        ("license", "update_customer_user_licenses", api),
        ("customer_user", "reset_customer_user_password", api),
        ("customer_user", "delete_customer_user", api),
    ]
    assert {(r.customer_id, r.customer_name, r.application_id, r.operation_status) for r in records} == {
        (customer.id, customer.company_profile.company_name, CLIENT_ID, "succeeded")
    }
    patched = records[4]
    assert (patched.old_value()["quantity"], patched.new_value()["quantity"]) == (2, 3)
    assert patched.customized_data["SubscriptionId"] == sub.id
    assert records[0].old_value() is None and records[0].new_value()["id"] == customer.id
    assert all(r.operation_date is not None and r.operation_date.date() == MARCH_10 for r in records)


def test_changes_made_in_microsofts_portals_are_audited_with_their_source(
    sandbox: PcSandbox, client: PartnerCenterClient, customer: Customer
) -> None:
    (sub,) = buy(client, customer.id, a_line(BASIC, 5))
    base = f"/_sandbox/customers/{customer.id}"
    sandbox.advance_clock("P8D")  # outside the window: only a portal may still reduce seats

    sandbox.admin("PATCH", f"{base}/subscriptions/{sub.id}", {"quantity": 4})
    user_id = sandbox.admin(
        "POST",
        f"{base}/users",
        {"userPrincipalName": f"portal@{customer.domain}", "displayName": "Portal", "usageLocation": "US"},
    ).json()["user"]["id"]
    sandbox.admin("POST", f"{base}/users/{user_id}/licenses", {"assign": [BASIC]})
    sandbox.admin(
        "POST",
        f"{base}/subscriptions",
        {"catalogItemId": BASIC, "quantity": 1, "termDuration": "P1M", "billingCycle": "monthly"},
    )

    records = [r for r in audited(client, customer) if r.customized_data["Source"] != "PartnerCenterApi"]

    assert operations(records) == [
        ("subscription", "update_subscription", "M365AdminCenter"),
        ("customer_user", "create_customer_user", "M365AdminCenter"),
        ("license", "update_customer_user_licenses", "M365AdminCenter"),
        ("order", "create_order", "PartnerCenterPortal"),
    ]
    assert {(r.user_principal_name, r.application_id) for r in records} == {
        (f"admin@{customer.domain}", PORTAL_APPLICATION_ID)
    }
    assert (records[0].old_value()["quantity"], records[0].new_value()["quantity"]) == (5, 4)
    assert client.get_subscription(customer.id, sub.id).quantity == 4
    assert [lic.product_sku.id for lic in client.list_user_licenses(customer.id, user_id)] == [BASIC_AAD]
    assert len(client.list_subscriptions(customer.id)) == 2


def test_renewals_are_audited_as_microsofts_own_changes(
    sandbox: PcSandbox, client: PartnerCenterClient, customer: Customer
) -> None:
    (sub,) = buy(client, customer.id, a_line(BASIC, 5, term="P1M"))
    sandbox.advance_clock("P32D")

    renewals = [
        r
        for r in audited(client, customer, end_date=date(2031, 4, 30))
        if r.customized_data["Source"] == "Microsoft"
    ]

    assert [
        (r.operation_type, r.customized_data["Reason"], r.customized_data["SubscriptionId"]) for r in renewals
    ] == [("update_subscription", "renew", sub.id)]
    # Clock-driven events happen when the sandbox next sees a request: the date is in the record's data.
    assert renewals[0].customized_data["TermEnd"] == "2031-04-10"


def test_audit_records_are_seek_paged_and_bounded_by_dates(
    sandbox: PcSandbox, client: PartnerCenterClient, customer: Customer
) -> None:
    for n in range(4):
        client.create_user(customer.id, a_new_user(customer.domain, f"paged{n}"))

    small_pages = audited(client, customer, page_size=2)
    users_only = list(
        client.list_audit_records(
            start_date=MARCH_10, filter=AuditFilter("ResourceType", "customer_user"), page_size=3
        )
    )

    assert [r.id for r in small_pages] == [r.id for r in audited(client, customer)]
    assert len(small_pages) == 6
    assert len([r for r in users_only if r.customer_id == customer.id]) == 5
    assert list(client.list_audit_records(start_date=date(2031, 3, 11))) == []
    assert list(client.list_audit_records(start_date=date(2031, 3, 1), end_date=date(2031, 3, 9))) == []


# -- reconciliation -----------------------------------------------------------------------------


def unbilled_of(client: PartnerCenterClient, subscription_id: str) -> list[OneTimeInvoiceLineItem]:
    lines = client.list_unbilled_line_items(currency="USD", period="current")
    return [line for line in lines if line.subscription_id == subscription_id]


def test_a_purchase_is_a_new_line_with_decimal_amounts(
    client: PartnerCenterClient, customer: Customer
) -> None:
    (sub,) = buy(client, customer.id, a_line(BASIC, 5))

    (line,) = unbilled_of(client, sub.id)

    assert (line.charge_type, line.invoice_number, line.billing_provider) == ("new", "", "one_time")
    assert (line.customer_id, line.order_id, line.catalog_item_id) == (customer.id, sub.order_id, BASIC)
    assert (line.unit_price, line.effective_unit_price, line.quantity, line.billable_quantity) == (
        Decimal("6.00"),
        Decimal("6.00"),
        Decimal("5"),
        Decimal("5.000000"),
    )
    assert (line.subtotal, line.tax_total, line.total_for_customer) == (
        Decimal("30.00"),
        Decimal("0"),
        Decimal("30.00"),
    )
    assert (line.charge_start_date, line.charge_end_date) is not None
    assert line.charge_start_date is not None and line.charge_start_date.date() == date(2031, 3, 10)
    assert line.charge_end_date is not None and line.charge_end_date.date() == date(2031, 4, 9)
    assert (line.billing_frequency, line.term_and_billing_cycle) == (
        "Monthly",
        "One-Year commitment for monthly/yearly billing",
    )
    assert (line.currency, line.pc_to_bc_exchange_rate, line.unit_type) == ("USD", Decimal("1"), "1 License")
    amounts = [v for f in dataclasses.fields(line) if isinstance(v := getattr(line, f.name), Decimal | float)]
    assert amounts and all(isinstance(amount, Decimal) for amount in amounts)


def test_seats_added_mid_cycle_are_prorated_by_day(
    sandbox: PcSandbox, client: PartnerCenterClient, customer: Customer
) -> None:
    (sub,) = buy(client, customer.id, a_line(BASIC, 5))
    sandbox.advance_clock("P3D")  # 13 March: 28 of the cycle's 31 days remain

    added = client.patch_subscription(customer.id, sub.id, SubscriptionChanges(quantity=8))
    client.patch_subscription(customer.id, sub.id, SubscriptionChanges(quantity=6), current=added)

    new, add, remove = unbilled_of(client, sub.id)
    assert (new.charge_type, add.charge_type, remove.charge_type) == ("new", "addQuantity", "removeQuantity")
    assert (add.quantity, add.billable_quantity, add.subtotal) == (
        Decimal("3"),
        Decimal("2.709677"),
        Decimal("16.26"),
    )
    assert (remove.quantity, remove.billable_quantity, remove.subtotal) == (
        Decimal("-2"),
        Decimal("-1.806452"),
        Decimal("-10.84"),
    )
    assert add.charge_start_date is not None and add.charge_start_date.date() == date(2031, 3, 13)
    assert add.charge_end_date is not None and add.charge_end_date.date() == date(2031, 4, 9)
    # 6.00 × 3 seats × 28/31 days, rounded half up once.
    assert add.subtotal == (Decimal("6.00") * 3 * 28 / 31).quantize(Decimal("0.01"))


def test_a_perpetual_licence_is_one_line_billed_once(client: PartnerCenterClient, customer: Customer) -> None:
    cart = client.create_cart(customer.id, [a_line(OFFICE_LTSC, 2, term=None, cycle="one_time")])
    (order,) = client.checkout_cart(customer.id, cart.id).orders

    (line,) = [line for line in client.list_unbilled_line_items(currency="USD") if line.order_id == order.id]

    assert (line.charge_type, line.quantity, line.subtotal, line.billing_frequency) == (
        "new",
        Decimal("2"),
        Decimal("838.00"),
        "OneTime",
    )
    assert not line.subscription_id  # "" on the wire: no subscription behind a perpetual licence


def test_closing_the_period_bills_the_lines_into_an_invoice(
    sandbox: PcSandbox, client: PartnerCenterClient, customer: Customer
) -> None:
    (sub,) = buy(client, customer.id, a_line(BASIC, 5))
    unbilled = list(client.list_unbilled_line_items(currency="USD"))

    (closed,) = sandbox.admin("POST", "/_sandbox/invoices/close").json()["invoices"]

    (invoice,) = list(client.list_invoices())
    assert invoice == client.get_invoice(closed["id"])
    assert (invoice.id, invoice.currency_code, invoice.billing_providers) == (
        closed["id"],
        "USD",
        ("one_time",),
    )
    assert invoice.total_charges == sum((line.subtotal or Decimal(0) for line in unbilled), Decimal(0))
    assert isinstance(invoice.total_charges, Decimal) and invoice.paid_amount == Decimal("0")
    billed = list(client.list_billed_line_items(invoice.id, page_size=50))
    assert len(billed) == len(unbilled) and {line.invoice_number for line in billed} == {invoice.id}
    assert [line.subtotal for line in billed if line.subscription_id == sub.id] == [Decimal("30.00")]
    assert unbilled_of(client, sub.id) == []


def test_usage_line_items_are_empty_in_the_sandbox(
    sandbox: PcSandbox, client: PartnerCenterClient, customer: Customer
) -> None:
    buy(client, customer.id)
    (closed,) = sandbox.admin("POST", "/_sandbox/invoices/close").json()["invoices"]

    assert list(client.list_unbilled_usage_line_items(currency="USD")) == []
    assert list(client.list_billed_usage_line_items(closed["id"], currency="USD")) == []
