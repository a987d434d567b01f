"""Price resolution: customer list → reseller list → markup rule → refuse (C2, C3, C4)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal, localcontext

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cspbroker.domain.errors import DomainError
from cspbroker.domain.money import Money, minor_digits
from cspbroker.domain.pricing import (
    MarkupFilter,
    MarkupRule,
    PriceEntry,
    PriceKey,
    PriceSource,
    PriceSourceKind,
    ResolvedPrice,
    margin_percent_of,
    monthly_cost,
    monthly_equivalent,
    quote,
    resolve_sale_price,
    subscription_price_on,
)

from .strategies import billing_currencies

KEY = PriceKey("CFQ7TTC0K5RQ", "P1Y", "annual")
OTHER_KEY = PriceKey("CFQ7TTC0K5RQ", "P1Y", "monthly")
ON = date(2025, 6, 15)
CUSTOMER_LIST = PriceSource(PriceSourceKind.CUSTOMER_LIST, "cl-1", "Contoso prices")
RESELLER_LIST = PriceSource(PriceSourceKind.RESELLER_LIST, "rl-1", "Global 2025")
DEFAULT_RULE = PriceSource(PriceSourceKind.MARKUP_RULE, "mr-1", "Default 20 %")
M365_RULE = PriceSource(PriceSourceKind.MARKUP_RULE, "mr-2", "Microsoft 365 15 %")


def eur(amount: str) -> Money:
    return Money.of(amount, "EUR")


def entry(
    price: str, source: PriceSource, effective_from: date = date(2025, 1, 1), key: PriceKey = KEY
) -> PriceEntry:
    return PriceEntry(key, eur(price), None, effective_from, source)


def markup_entry(percent: str, source: PriceSource, effective_from: date = date(2025, 1, 1)) -> PriceEntry:
    return PriceEntry(KEY, None, Decimal(percent), effective_from, source)


def rule(
    percent: str,
    source: PriceSource = DEFAULT_RULE,
    effective_from: date = date(2024, 1, 1),
    applies_to: MarkupFilter | None = None,
) -> MarkupRule:
    return MarkupRule(Decimal(percent), effective_from, source, applies_to or MarkupFilter())


def resolve(
    *,
    customer: list[PriceEntry] | None = None,
    reseller: list[PriceEntry] | None = None,
    rules: list[MarkupRule] | None = None,
    cost: Money | None = None,
    on: date = ON,
    currency: str = "EUR",
    category: str | None = None,
    history: list[tuple[date, Money]] | None = None,
) -> ResolvedPrice:
    return resolve_sale_price(
        KEY,
        on=on,
        cost=cost,
        customer_entries=customer or [],
        reseller_entries=reseller or [],
        markup_rules=rules or [],
        currency=currency,
        category=category,
        subscription_history=history or [],
        subscription_id="sub-9",
    )


def error_of(**kwargs: object) -> DomainError:
    with pytest.raises(DomainError) as raised:
        resolve(**kwargs)  # type: ignore[arg-type]
    return raised.value


class TestOrder:
    def test_the_customer_list_wins(self) -> None:
        resolved = resolve(
            customer=[entry("11.00", CUSTOMER_LIST)],
            reseller=[entry("12.00", RESELLER_LIST)],
            rules=[rule("20")],
        )
        assert (resolved.unit_price, resolved.source) == (eur("11.00"), CUSTOMER_LIST)

    def test_the_reseller_list_when_the_customer_list_has_no_entry_for_the_key(self) -> None:
        resolved = resolve(
            customer=[entry("11.00", CUSTOMER_LIST, key=OTHER_KEY)], reseller=[entry("12.00", RESELLER_LIST)]
        )
        assert (resolved.unit_price, resolved.source) == (eur("12.00"), RESELLER_LIST)

    def test_an_entry_from_a_later_date_does_not_apply_yet(self) -> None:
        resolved = resolve(
            customer=[entry("11.00", CUSTOMER_LIST, date(2025, 6, 16))],
            reseller=[entry("12.00", RESELLER_LIST)],
        )
        assert resolved.source == RESELLER_LIST

    def test_an_entry_applies_from_its_first_day(self) -> None:
        assert resolve(customer=[entry("11.00", CUSTOMER_LIST, ON)]).source == CUSTOMER_LIST

    def test_the_markup_rule_when_no_list_has_the_key(self) -> None:
        resolved = resolve(rules=[rule("20")], cost=eur("10.00"))
        assert (resolved.unit_price, resolved.source) == (eur("12.00"), DEFAULT_RULE)

    def test_nothing_applies_so_the_price_is_refused(self) -> None:
        error = error_of(cost=eur("10.00"))
        assert (error.code, error.field) == ("no_price", "price")
        assert error.message == (
            "No price for CFQ7TTC0K5RQ (P1Y, billed annual) on 2025-06-15: "
            "no customer or reseller price list entry and no markup rule."
        )

    def test_a_markup_rule_without_a_cost_cannot_price(self) -> None:
        error = error_of(rules=[rule("20")])
        assert error.code == "no_price"
        assert error.message.endswith(
            "no customer or reseller price list entry and "
            "the markup rule “Default 20 %” needs the cost, which is unknown."
        )


class TestLists:
    def test_the_latest_effective_entry_wins(self) -> None:
        entries = [
            entry("9.00", CUSTOMER_LIST, date(2024, 1, 1)),
            entry("11.00", CUSTOMER_LIST, date(2025, 3, 1)),
            entry("10.00", CUSTOMER_LIST, date(2024, 6, 1)),
            entry("13.00", CUSTOMER_LIST, date(2025, 7, 1)),
        ]
        resolved = resolve(customer=entries)
        assert (resolved.unit_price, resolved.effective_from) == (eur("11.00"), date(2025, 3, 1))

    def test_two_different_entries_from_the_same_day_are_refused(self) -> None:
        error = error_of(customer=[entry("11.00", CUSTOMER_LIST), entry("12.00", CUSTOMER_LIST)])
        assert error.code == "ambiguous_price"
        assert error.message == (
            "The customer price list “Contoso prices” has 2 different entries for "
            "CFQ7TTC0K5RQ (P1Y, billed annual) from 2025-01-01; keep one."
        )

    def test_the_same_entry_twice_is_not_ambiguous(self) -> None:
        assert resolve(customer=[entry("11.00", CUSTOMER_LIST)] * 2).unit_price == eur("11.00")

    def test_a_markup_entry_is_applied_to_the_cost(self) -> None:
        resolved = resolve(reseller=[markup_entry("15", RESELLER_LIST)], cost=eur("10.00"))
        assert resolved.unit_price == eur("11.50")
        assert resolved.explanation == (
            "Reseller price list “Global 2025” from 2025-01-01: cost 10.00 EUR + 15 % = 11.50 EUR; "
            "margin 1.50 EUR (13.04 %)"
        )

    @pytest.mark.parametrize(
        ("cost", "percent", "price"),
        [
            ("0.10", "12.5", "0.11"),
            ("1.00", "0.5", "1.01"),
            ("0.1234", "0", "0.12"),
            ("19.99", "-10", "17.99"),
        ],
    )
    def test_a_markup_is_rounded_once_half_up(self, cost: str, percent: str, price: str) -> None:
        resolved = resolve(customer=[markup_entry(percent, CUSTOMER_LIST)], cost=eur(cost))
        assert resolved.unit_price == eur(price)

    def test_a_markup_entry_without_a_cost_is_refused_not_skipped(self) -> None:
        error = error_of(
            customer=[markup_entry("15", CUSTOMER_LIST)], reseller=[entry("12.00", RESELLER_LIST)]
        )
        assert (error.code, error.field) == ("cost_unknown", "cost")
        assert error.message == (
            "The customer price list “Contoso prices” prices CFQ7TTC0K5RQ (P1Y, billed annual) at a markup "
            "of 15 % over cost from 2025-01-01, but the cost on 2025-06-15 is unknown."
        )

    def test_a_list_in_another_currency_is_refused(self) -> None:
        usd = PriceEntry(KEY, Money.of("12.00", "USD"), None, date(2025, 1, 1), CUSTOMER_LIST)
        error = error_of(customer=[usd], reseller=[entry("12.00", RESELLER_LIST)])
        assert (error.code, error.field) == ("price_currency_mismatch", "currency")
        assert error.message == (
            "The customer price list “Contoso prices” prices CFQ7TTC0K5RQ (P1Y, billed annual) in USD, "
            "but the customer is billed in EUR."
        )

    def test_a_cost_in_another_currency_is_refused(self) -> None:
        error = error_of(customer=[entry("11.00", CUSTOMER_LIST)], cost=Money.of("9.00", "USD"))
        assert (error.code, error.field) == ("price_currency_mismatch", "cost")


class TestMarkupRules:
    CATEGORY_RULE = rule("15", M365_RULE, date(2023, 1, 1), MarkupFilter(category="Microsoft 365"))

    def test_a_rule_for_the_category_beats_a_general_one(self) -> None:
        resolved = resolve(
            rules=[rule("20"), self.CATEGORY_RULE], cost=eur("10.00"), category="microsoft 365"
        )
        assert (resolved.unit_price, resolved.source) == (eur("11.50"), M365_RULE)
        assert resolved.explanation == (
            "Markup rule “Microsoft 365 15 %” (category Microsoft 365) from 2023-01-01: "
            "cost 10.00 EUR + 15 % = 11.50 EUR; margin 1.50 EUR (13.04 %)"
        )

    def test_a_rule_for_another_category_does_not_apply(self) -> None:
        resolved = resolve(rules=[rule("20"), self.CATEGORY_RULE], cost=eur("10.00"), category="Dynamics 365")
        assert resolved.source == DEFAULT_RULE

    def test_a_category_rule_needs_a_category(self) -> None:
        assert resolve(rules=[rule("20"), self.CATEGORY_RULE], cost=eur("10.00")).source == DEFAULT_RULE

    def test_the_latest_of_equally_specific_rules_wins(self) -> None:
        newer = rule("25", M365_RULE, date(2025, 1, 1))
        assert resolve(rules=[rule("20"), newer], cost=eur("10.00")).unit_price == eur("12.50")

    def test_a_rule_from_a_later_date_does_not_apply(self) -> None:
        error = error_of(rules=[rule("20", effective_from=date(2025, 7, 1))], cost=eur("10.00"))
        assert error.code == "no_price"

    def test_billing_cycle_and_term_filters(self) -> None:
        monthly_only = rule("30", M365_RULE, applies_to=MarkupFilter(billing_cycle="Monthly"))
        annual_p1y = rule("40", M365_RULE, applies_to=MarkupFilter(billing_cycle="annual", term="p1y"))
        assert resolve(rules=[rule("20"), monthly_only, annual_p1y], cost=eur("10.00")).unit_price == eur(
            "14.00"
        )

    def test_two_equal_rules_are_refused(self) -> None:
        error = error_of(rules=[rule("20"), rule("25", M365_RULE)], cost=eur("10.00"))
        assert (error.code, error.field) == ("ambiguous_price", "markup_rules")
        assert error.message == (
            "The markup rules “Default 20 %” and “Microsoft 365 15 %” cover "
            "CFQ7TTC0K5RQ (P1Y, billed annual) from 2024-01-01 equally; "
            "narrow one of them or change its date."
        )


class TestMargin:
    def test_staff_see_cost_margin_and_margin_percent(self) -> None:
        resolved = resolve(customer=[entry("12.50", CUSTOMER_LIST)], cost=eur("10.00"))
        assert (resolved.cost, resolved.margin, resolved.margin_percent) == (
            eur("10.00"),
            eur("2.50"),
            Decimal("20.00"),
        )
        assert resolved.explanation == (
            "Customer price list “Contoso prices” from 2025-01-01: 12.50 EUR; margin 2.50 EUR (20.00 %)"
        )

    def test_customers_see_the_sale_price_only(self) -> None:
        resolved = resolve(reseller=[markup_entry("15", RESELLER_LIST)], cost=eur("10.00")).for_customer()
        assert (resolved.unit_price, resolved.cost, resolved.margin, resolved.margin_percent) == (
            eur("11.50"),
            None,
            None,
            None,
        )
        assert resolved.explanation == "11.50 EUR per unit, price effective 2025-01-01"
        assert "10.00" not in resolved.explanation

    def test_no_cost_means_no_margin(self) -> None:
        resolved = resolve(customer=[entry("12.50", CUSTOMER_LIST)])
        assert (resolved.margin, resolved.margin_percent) == (None, None)
        assert resolved.explanation == "Customer price list “Contoso prices” from 2025-01-01: 12.50 EUR"

    @pytest.mark.parametrize(
        ("sale", "margin", "percent"),
        [
            ("3.00", "1.00", "33.33"),
            ("3.00", "2.00", "66.67"),
            ("8.00", "-1.00", "-12.50"),
            ("0.08", "-0.001", "-1.25"),
        ],
    )
    def test_margin_percent_is_rounded_half_up_to_two_decimals(
        self, sale: str, margin: str, percent: str
    ) -> None:
        assert margin_percent_of(eur(sale), eur(margin)) == Decimal(percent)

    def test_a_free_sale_has_no_margin_percent(self) -> None:
        resolved = resolve(customer=[entry("0.00", CUSTOMER_LIST)], cost=eur("1.00"))
        assert (resolved.margin, resolved.margin_percent) == (eur("-1.00"), None)
        assert resolved.explanation.endswith("margin -1.00 EUR (n/a)")


class TestSubscriptionPrice:
    HISTORY = [
        (date(2025, 3, 1), eur("10.00")),
        (date(2025, 6, 15), eur("9.50")),
        (date(2025, 5, 1), eur("9.75")),
    ]

    def test_the_price_on_a_day_is_the_latest_set_on_or_before_it(self) -> None:
        assert [
            subscription_price_on(self.HISTORY, day) for day in (date(2025, 2, 28), date(2025, 5, 31), ON)
        ] == [
            None,
            eur("9.75"),
            eur("9.50"),
        ]

    def test_of_two_prices_set_for_the_same_day_the_later_one_wins(self) -> None:
        history = [(date(2025, 3, 1), eur("10.00")), (date(2025, 3, 1), eur("11.00"))]
        assert subscription_price_on(history, ON) == eur("11.00")

    def test_it_wins_over_the_lists_from_its_date(self) -> None:
        resolved = resolve(customer=[entry("12.00", CUSTOMER_LIST)], history=self.HISTORY, cost=eur("8.00"))
        assert resolved.unit_price == eur("9.50")
        assert resolved.source == PriceSource(
            PriceSourceKind.SUBSCRIPTION_PRICE, "sub-9", "historic sales price"
        )
        assert resolved.explanation == (
            "Subscription's own price “historic sales price” from 2025-06-15: 9.50 EUR; "
            "margin 1.50 EUR (15.79 %)"
        )

    def test_before_its_date_the_lists_apply(self) -> None:
        resolved = resolve(
            customer=[entry("12.00", CUSTOMER_LIST)], history=self.HISTORY, on=date(2025, 2, 1)
        )
        assert resolved.source == CUSTOMER_LIST

    def test_a_subscription_price_in_another_currency_is_refused(self) -> None:
        error = error_of(history=[(date(2025, 1, 1), Money.of("9.00", "USD"))])
        assert error.code == "price_currency_mismatch"


class TestQuotes:
    def test_a_quote_is_the_unit_price_times_the_quantity(self) -> None:
        resolved = resolve(customer=[PriceEntry(KEY, eur("12.345"), None, date(2025, 1, 1), CUSTOMER_LIST)])
        assert quote(resolved, 3) == eur("37.04")

    def test_an_annual_price_costs_a_twelfth_a_month(self) -> None:
        resolved = resolve(customer=[entry("150.00", CUSTOMER_LIST)])
        assert monthly_equivalent(resolved, 7) == eur("87.50")

    @pytest.mark.parametrize(
        ("billing_cycle", "monthly"), [("monthly", "100.00"), ("Annual", "8.33"), ("triennial", "2.78")]
    )
    def test_monthly_cost_by_billing_cycle(self, billing_cycle: str, monthly: str) -> None:
        assert monthly_cost(eur("100.00"), 1, billing_cycle) == eur(monthly)

    def test_monthly_cost_is_rounded_once_not_per_seat(self) -> None:
        assert monthly_cost(eur("100.00"), 3, "annual") == eur("25.00")

    @pytest.mark.parametrize("quantity", [-1, True, 1.5])
    def test_a_quantity_must_be_a_whole_number_of_zero_or_more(self, quantity: object) -> None:
        with pytest.raises(DomainError) as raised:
            monthly_cost(eur("1.00"), quantity, "monthly")  # type: ignore[arg-type]
        assert (raised.value.code, raised.value.field) == ("invalid_quantity", "quantity")

    def test_a_one_time_price_has_no_monthly_cost(self) -> None:
        with pytest.raises(DomainError) as raised:
            monthly_cost(eur("1.00"), 1, "one_time")
        assert raised.value.code == "invalid_frequency"


class TestValues:
    def test_a_key_is_normalised(self) -> None:
        assert PriceKey(" CFQ7TTC0K5RQ ", "p1y", " Annual") == KEY

    def test_a_key_needs_every_part(self) -> None:
        with pytest.raises(DomainError) as raised:
            PriceKey("CFQ7TTC0K5RQ", " ", "annual")
        assert (raised.value.code, raised.value.field) == ("invalid_price_entry", "term")

    @pytest.mark.parametrize(("sale", "markup"), [(eur("1.00"), Decimal("5")), (None, None)])
    def test_an_entry_has_a_sale_price_or_a_markup(self, sale: Money | None, markup: Decimal | None) -> None:
        with pytest.raises(DomainError) as raised:
            PriceEntry(KEY, sale, markup, date(2025, 1, 1), CUSTOMER_LIST)
        assert raised.value.code == "invalid_price_entry"
        assert "needs either a sale price or a markup %" in raised.value.message

    @pytest.mark.parametrize(
        ("sale", "markup", "effective_from", "field"),
        [
            (eur("-1.00"), None, date(2025, 1, 1), "sale_price"),
            (None, 5.0, date(2025, 1, 1), "markup_percent"),
            (None, Decimal("-100.01"), date(2025, 1, 1), "markup_percent"),
            (None, Decimal("NaN"), date(2025, 1, 1), "markup_percent"),
            (eur("1.00"), None, datetime(2025, 1, 1), "effective_from"),
        ],
    )
    def test_invalid_entries_are_refused(
        self, sale: Money | None, markup: object, effective_from: date, field: str
    ) -> None:
        with pytest.raises(DomainError) as raised:
            PriceEntry(KEY, sale, markup, effective_from, CUSTOMER_LIST)  # type: ignore[arg-type]
        assert (raised.value.code, raised.value.field) == ("invalid_price_entry", field)

    def test_a_source_kind_comes_from_its_stored_value(self) -> None:
        assert PriceSource("reseller_list", "rl-1", "Global 2025") == RESELLER_LIST  # type: ignore[arg-type]

    def test_an_unknown_source_kind_is_refused(self) -> None:
        with pytest.raises(DomainError) as raised:
            PriceSource("supplier_list", "x", "y")  # type: ignore[arg-type]
        assert raised.value.code == "invalid_price_entry"


# --- properties -------------------------------------------------------------------------------------

offsets = st.lists(
    st.tuples(st.integers(-400, 400), st.integers(0, 10**6)), max_size=4, unique_by=lambda t: t[0]
)
costs = st.one_of(st.none(), st.integers(0, 10**7))
markups = st.builds(lambda hundredths: Decimal(hundredths).scaleb(-2), st.integers(0, 100_000))


def _entries(drawn: list[tuple[int, int]], source: PriceSource, currency: str) -> list[PriceEntry]:
    return [
        PriceEntry(KEY, Money.from_minor_units(units, currency), None, ON + timedelta(days=offset), source)
        for offset, units in drawn
    ]


def _expected(drawn: list[tuple[int, int]]) -> tuple[int, int] | None:
    applicable = [(offset, units) for offset, units in drawn if offset <= 0]
    return max(applicable) if applicable else None


@given(billing_currencies, offsets, offsets, st.lists(st.integers(-400, 400), max_size=3, unique=True), costs)
def test_resolution_follows_the_order_and_the_latest_entry_wins(
    currency: str,
    customer: list[tuple[int, int]],
    reseller: list[tuple[int, int]],
    rule_offsets: list[int],
    cost_units: int | None,
) -> None:
    cost = None if cost_units is None else Money.from_minor_units(cost_units, currency)
    rules = [rule("10", effective_from=ON + timedelta(days=offset)) for offset in rule_offsets]
    applicable_rules = sorted(offset for offset in rule_offsets if offset <= 0)

    def run() -> ResolvedPrice:
        return resolve_sale_price(
            KEY,
            on=ON,
            cost=cost,
            customer_entries=_entries(customer, CUSTOMER_LIST, currency),
            reseller_entries=_entries(reseller, RESELLER_LIST, currency),
            markup_rules=rules,
            currency=currency,
        )

    expected_customer, expected_reseller = _expected(customer), _expected(reseller)
    expected: tuple[PriceSource, int, int | None]
    if expected_customer is not None:
        expected = (CUSTOMER_LIST, *expected_customer)
    elif expected_reseller is not None:
        expected = (RESELLER_LIST, *expected_reseller)
    elif applicable_rules and cost is not None:
        expected = (DEFAULT_RULE, applicable_rules[-1], None)
    else:
        with pytest.raises(DomainError) as raised:
            run()
        assert raised.value.code == "no_price"
        return
    source, offset, units = expected
    resolved = run()
    assert resolved.source == source
    assert resolved.effective_from == ON + timedelta(days=offset)
    if units is not None:
        assert resolved.unit_price == Money.from_minor_units(units, currency)


@given(billing_currencies, st.integers(0, 10**9), markups, st.booleans())
def test_a_markup_price_is_at_least_the_cost_and_rounded_once_half_up(
    currency: str, cost_units: int, markup: Decimal, in_list: bool
) -> None:
    cost = Money.from_minor_units(cost_units, currency)
    if in_list:
        resolved = resolve_sale_price(
            KEY,
            on=ON,
            cost=cost,
            customer_entries=[PriceEntry(KEY, None, markup, ON, CUSTOMER_LIST)],
            reseller_entries=[],
            markup_rules=[],
            currency=currency,
        )
    else:
        resolved = resolve_sale_price(
            KEY,
            on=ON,
            cost=cost,
            customer_entries=[],
            reseller_entries=[],
            markup_rules=[MarkupRule(markup, ON, DEFAULT_RULE)],
            currency=currency,
        )
    with localcontext(prec=60):
        exact = cost.amount * (1 + markup / 100)
    assert resolved.unit_price >= cost
    assert resolved.unit_price.amount == exact.quantize(
        Decimal(1).scaleb(-minor_digits(currency)), ROUND_HALF_UP
    )


@given(billing_currencies, st.integers(0, 10**9), st.integers(0, 10**9))
def test_margin_plus_cost_is_the_sale_price_exactly(currency: str, sale_units: int, cost_units: int) -> None:
    sale, cost = Money.from_minor_units(sale_units, currency), Money.from_minor_units(cost_units, currency)
    resolved = resolve_sale_price(
        KEY,
        on=ON,
        cost=cost,
        customer_entries=[PriceEntry(KEY, sale, None, ON, CUSTOMER_LIST)],
        reseller_entries=[],
        markup_rules=[],
        currency=currency,
    )
    assert resolved.margin is not None
    assert resolved.margin + cost == resolved.unit_price
    if sale.is_zero:
        assert resolved.margin_percent is None
    else:
        with localcontext(prec=60):
            expected = (resolved.margin.amount / sale.amount * 100).quantize(Decimal("0.01"), ROUND_HALF_UP)
        assert resolved.margin_percent == expected


@given(
    billing_currencies,
    st.integers(0, 10**9),
    st.integers(0, 10_000),
    st.sampled_from(["monthly", "annual", "triennial"]),
)
def test_monthly_cost_times_months_is_within_half_a_unit_per_month_of_the_period_price(
    currency: str, units: int, quantity: int, billing_cycle: str
) -> None:
    price = Money.from_minor_units(units, currency)
    months = {"monthly": 1, "annual": 12, "triennial": 36}[billing_cycle]
    monthly = monthly_cost(price, quantity, billing_cycle)
    period = price * quantity
    assert abs((monthly * months - period).minor_units) * 2 <= months
