"""The subscription list as CSV (S5): the same rows as the page, cost and margin only for staff."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

from cspbroker.domain.money import Money
from cspbroker.subscriptions.selectors import SubscriptionRow

COLUMNS = [
    "subscription_id",
    "customer",
    "tenant",
    "offer_id",
    "product",
    "friendly_name",
    "billing_cycle",
    "term",
    "currency",
    "sale_price",
    "monthly",
    "quantity",
    "assigned",
    "status",
    "auto_renew",
    "renewal_date",
    "window",
]
STAFF_COLUMNS = ["cost", "margin", "margin_percent"]


def _amount(money: Money | None) -> str:
    return "" if money is None else f"{money.amount:f}"


def _neutralised(value: str) -> str:
    # A cell starting with = + - @ is a formula in spreadsheets: prefix it so it stays text.
    return f"'{value}" if value[:1] in ("=", "+", "-", "@") else value


def subscriptions_csv(rows: Iterable[SubscriptionRow], *, show_cost: bool) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS + (STAFF_COLUMNS if show_cost else []))
    for row in rows:
        sub = row.subscription
        price = row.price
        values = [
            str(sub.pk),
            sub.tenant.customer.legal_name,
            sub.tenant.domain,
            row.offer_id,
            row.product,
            sub.friendly_name,
            sub.billing_cycle,
            sub.term,
            sub.tenant.customer.currency,
            _amount(price.unit_price),
            _amount(price.monthly),
            str(sub.quantity),
            "" if row.assigned is None else str(row.assigned),
            sub.status,
            "yes" if sub.auto_renew else "no",
            row.renewal.isoformat(),
            row.window_text,
        ]
        if show_cost:
            percent = "" if price.margin_percent is None else str(price.margin_percent)
            values += [_amount(price.cost), _amount(price.margin), percent]
        writer.writerow([_neutralised(value) for value in values])
    return out.getvalue()
