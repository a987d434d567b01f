"""DB-level billing scenarios: ledgers written, the billing run executed, exact lines and totals by hand."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from cspbroker.billing.models import Bill, ChargeLine


def lines_of(subscription):
    return [
        (line.charge_type, line.quantity, line.amount, line.active_start, line.active_end)
        for line in ChargeLine.objects.filter(subscription=subscription).order_by("effective_on", "id")
    ]


def test_increase_mid_period(bw):
    # Given adventureworks (tailspin, billing day 15) with 3 seats at 10.00 EUR from 1 Oct
    sub = bw.subscription("adventureworks", start=date(2026, 10, 1), quantity=3, price="10.00")
    bw.quantity(sub, date(2026, 10, 14), 5)
    # When the cycle ending 15 Oct is run (16 Sep – 15 Oct)
    summary = bw.run("2026-10")
    # Then a new charge and an addQuantity for 2 seats × 18/31 days
    assert lines_of(sub) == [
        ("new", 3, Decimal("30.000000"), date(2026, 10, 1), date(2026, 11, 1)),
        ("addQuantity", 2, Decimal("11.610000"), date(2026, 10, 14), date(2026, 11, 1)),
    ]
    bill = Bill.objects.get(customer=bw.org("adventureworks"), cycle_label="2026-10")
    assert (bill.total, bill.bill_date, bill.line_count) == (Decimal("41.610000"), date(2026, 10, 16), 2)
    assert summary.lines_created == 2
    line = ChargeLine.objects.get(subscription=sub, charge_type="addQuantity")
    assert line.explanation == "2 × 10.00 EUR × 18/31 days (added 14 Oct, period 1 Oct–31 Oct 2026)"
    assert line.cost_amount == Decimal("9.290000")


def bill_of(bw, customer, cycle):
    return Bill.objects.get(customer=bw.org(customer), cycle_label=cycle)


def test_anchor_day_31_across_february(bw):
    # Given a subscription anchored on 31 Jan under the operator (billing day 15)
    sub = bw.subscription("northwind", start=date(2027, 1, 31), quantity=2, price="10.00")
    bw.run("2027-02")
    bw.run("2027-03")
    # Then periods come from the anchor: 31 Jan–27 Feb, 28 Feb–30 Mar, never chained (a P1M term renews)
    assert lines_of(sub) == [
        ("new", 2, Decimal("20.000000"), date(2027, 1, 31), date(2027, 2, 28)),
        ("renew", 2, Decimal("20.000000"), date(2027, 2, 28), date(2027, 3, 31)),
    ]
    assert bill_of(bw, "northwind", "2027-03").bill_date == date(2027, 3, 16)


def test_refundable_decrease_inside_the_window(bw):
    sub = bw.subscription("adventureworks", start=date(2026, 10, 1), quantity=5, price="10.00")
    bw.quantity(sub, date(2026, 10, 3), 3, refundable=True)
    bw.run("2026-10")
    # 2 seats refunded from the day of the decrease: 3..31 Oct = 29 days: 2 × 10.00 × 29/31 = 18.71
    assert lines_of(sub) == [
        ("new", 5, Decimal("50.000000"), date(2026, 10, 1), date(2026, 11, 1)),
        ("removeQuantity", -2, Decimal("-18.710000"), date(2026, 10, 3), date(2026, 11, 1)),
    ]
    assert bill_of(bw, "adventureworks", "2026-10").total == Decimal("31.290000")


def test_cancel_on_day_three(bw):
    sub = bw.subscription("adventureworks", start=date(2026, 10, 1), quantity=4, price="10.00")
    bw.status(sub, date(2026, 10, 3), "cancelled", refundable=True)
    bw.run("2026-10")
    bw.run("2026-11")
    assert lines_of(sub) == [
        ("new", 4, Decimal("40.000000"), date(2026, 10, 1), date(2026, 11, 1)),
        # 3..31 Oct = 29 days: 4 × 10.00 × 29/31 = 37.419
        ("cancelImmediate", -4, Decimal("-37.420000"), date(2026, 10, 3), date(2026, 11, 1)),
    ]
    assert bill_of(bw, "adventureworks", "2026-10").total == Decimal("2.580000")
    assert not Bill.objects.filter(cycle_label="2026-11").exists()


def test_annual_term_billed_monthly(bw):
    sub = bw.subscription(
        "adventureworks", "annual_monthly", start=date(2025, 10, 1), quantity=2, price="10.00"
    )
    bw.run("2026-09")
    bw.run("2026-10")
    assert lines_of(sub) == [
        ("cycleCharge", 2, Decimal("20.000000"), date(2026, 9, 1), date(2026, 10, 1)),
        ("renew", 2, Decimal("20.000000"), date(2026, 10, 1), date(2026, 11, 1)),
    ]


def test_sale_price_change_mid_period_applies_from_the_next_period(bw):
    sub = bw.subscription("adventureworks", start=date(2026, 10, 1), quantity=2, price="10.00")
    bw.sale_price(sub, date(2026, 10, 10), "12.00")
    bw.run("2026-10")
    bw.run("2026-11")
    assert lines_of(sub) == [
        ("new", 2, Decimal("20.000000"), date(2026, 10, 1), date(2026, 11, 1)),
        ("renew", 2, Decimal("24.000000"), date(2026, 11, 1), date(2026, 12, 1)),
    ]
    line = ChargeLine.objects.get(subscription=sub, charge_type="renew")
    assert (line.price_source_kind, line.price_source_name) == ("subscription_price", "historic sales price")
    assert line.explanation == "2 × 12.00 EUR (renewed 1 Nov, period 1 Nov–30 Nov 2026)"


def test_price_list_price_when_no_sale_price(bw):
    sub = bw.subscription("adventureworks", start=date(2026, 10, 1), quantity=2, price=None)
    bw.run("2026-10")
    line = ChargeLine.objects.get(subscription=sub)
    assert (line.amount, line.price_source_kind, line.price_source_name) == (
        Decimal("25.000000"),
        "reseller_list",
        "Tailspin EUR",
    )
    assert (line.cost_unit_price, line.cost_amount) == (Decimal("8.000000"), Decimal("16.000000"))


def test_a_change_counts_on_microsofts_day_utc_not_the_resellers(bw):
    from datetime import UTC, datetime

    from cspbroker.domain.clock import FrozenClock
    from cspbroker.subscriptions import ledger

    # Tailspin bills in Berlin. Seats added at 00:30 on 14 Oct there are 22:30 UTC on 13 Oct: Microsoft
    # charges them from 13 Oct, so do we.
    sub = bw.subscription("adventureworks", start=date(2026, 10, 1), quantity=3, price="10.00")
    at = datetime(2026, 10, 13, 22, 30, tzinfo=UTC)
    assert bw.org("tailspin").time_zone == "Europe/Berlin"
    ledger.record_quantity(sub, quantity=5, effective_at=at, origin=ledger.SYSTEM, clock=FrozenClock(at))
    bw.run("2026-10")
    assert lines_of(sub)[1] == ("addQuantity", 2, Decimal("12.260000"), date(2026, 10, 13), date(2026, 11, 1))


def test_jpy_has_no_decimals(bw):
    from cspbroker.accounts import services
    from cspbroker.domain.parties import OrganizationKind
    from cspbroker.tenants.models import Tenant

    customer = services.create_organization(
        kind=OrganizationKind.CUSTOMER,
        parent_id=bw.org("tailspin").pk,
        legal_name="Contoso KK",
        country="JP",
        currency="JPY",
        time_zone="Asia/Tokyo",
    )
    bw.tenants["contoso"] = Tenant.objects.create(
        customer=customer, connection=bw.connection, domain="contoso.onmicrosoft.com", status="active"
    )
    sub = bw.subscription("contoso", start=date(2026, 10, 1), quantity=3, price="1250")
    bw.quantity(sub, date(2026, 10, 14), 4)
    bw.run("2026-10")
    # 1 × 1250 × 18/31 = 725.8… → 726 yen
    assert lines_of(sub) == [
        ("new", 3, Decimal("3750"), date(2026, 10, 1), date(2026, 11, 1)),
        ("addQuantity", 1, Decimal("726"), date(2026, 10, 14), date(2026, 11, 1)),
    ]
    bill = Bill.objects.get(customer=customer)
    assert (bill.total, bill.currency) == (Decimal("4476"), "JPY")


def test_customer_under_woodgrove_billing_day_31(bw):
    sub = bw.subscription("wingtip", start=date(2026, 9, 15), quantity=2, price="20.00")
    bw.run("2026-09")
    bw.run("2026-10")
    bw.run("2027-02")
    assert lines_of(sub)[:2] == [
        ("new", 2, Decimal("40.000000"), date(2026, 9, 15), date(2026, 10, 15)),
        ("renew", 2, Decimal("40.000000"), date(2026, 10, 15), date(2026, 11, 15)),
    ]
    october = bill_of(bw, "wingtip", "2026-10")
    assert (october.period_start, october.bill_date, october.currency) == (
        date(2026, 10, 1),
        date(2026, 11, 1),
        "USD",
    )
    february = bill_of(bw, "wingtip", "2027-02")
    assert (february.period_start, february.bill_date, february.total) == (
        date(2027, 2, 1),
        date(2027, 3, 1),
        Decimal("40.000000"),
    )


def test_running_the_same_cycle_twice_adds_nothing(bw):
    for customer in ("adventureworks", "litware", "wingtip", "northwind"):
        sub = bw.subscription(customer, start=date(2026, 9, 20), quantity=3, price="10.00")
        bw.quantity(sub, date(2026, 10, 5), 6)
    first = bw.run("2026-10")
    snapshot = sorted(Bill.objects.values_list("id", "total", "line_count", "updated_at"))
    lines = ChargeLine.objects.count()
    second = bw.run("2026-10", chunk_size=1)
    assert (first.lines_created, second.lines_created) == (lines, 0)
    assert second.customers_skipped == 4 and second.totals == first.totals
    assert ChargeLine.objects.count() == lines
    assert sorted(Bill.objects.values_list("id", "total", "line_count", "updated_at")) == snapshot


def test_a_crashed_run_is_completed_by_the_next(bw, monkeypatch):
    from cspbroker.billing.jobs import run as run_module

    for customer in ("adventureworks", "litware", "northwind"):
        bw.subscription(customer, start=date(2026, 10, 1), quantity=2, price="10.00")
    real = run_module.store_chunk
    calls = {"n": 0}

    def crash_on_second(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("worker killed")
        return real(*args, **kwargs)

    monkeypatch.setattr(run_module, "store_chunk", crash_on_second)
    with pytest.raises(RuntimeError):
        bw.run("2026-10", chunk_size=1)
    assert Bill.objects.count() == 1  # the first chunk committed, the second rolled back whole
    monkeypatch.setattr(run_module, "store_chunk", real)
    summary = bw.run("2026-10", chunk_size=1)
    assert (summary.lines_created, summary.customers_skipped, Bill.objects.count()) == (2, 1, 3)


def test_dry_run_writes_nothing(bw):
    bw.subscription("adventureworks", start=date(2026, 10, 1), quantity=2, price="10.00")
    summary = bw.run("2026-10", dry_run=True)
    assert (summary.lines_computed, summary.bills, summary.totals) == (1, 1, {"EUR": Decimal("20.00")})
    assert not ChargeLine.objects.exists() and not Bill.objects.exists()
