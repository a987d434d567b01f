"""Bare `executemany` writes for the billing run's hot path.

Building a Django model instance per charge line and letting the ORM compile a multi-row INSERT costs
several times the insert itself; these statements are the same on SQLite and PostgreSQL
(`ON CONFLICT DO NOTHING` is what `bulk_create(ignore_conflicts=True)` emits), and values are
adapted with the backend's own `ops`, so they store exactly what the ORM would.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db import connection

from cspbroker.billing.models import Bill, ChargeLine

LINE_COLUMNS = (
    "subscription_id",
    "customer_id",
    "product",
    "charge_type",
    "sequence",
    "period_start",
    "period_end",
    "active_start",
    "active_end",
    "effective_on",
    "quantity",
    "unit_price",
    "amount",
    "currency",
    "price_source_kind",
    "price_source_id",
    "price_source_name",
    "cost_unit_price",
    "cost_amount",
    "explanation",
    "created_at",
)
LineRow = tuple[
    int, int, str, str, int, date, date, date, date, date, int, Decimal, Decimal, str, str, str, str,
    Decimal | None, Decimal | None, str, datetime,
]  # fmt: skip
_DATES = (5, 6, 7, 8, 9)
_DECIMALS = (11, 12, 17, 18)


def insert_lines(rows: Sequence[LineRow], batch: int = 5000) -> None:
    """Insert charge lines; a line whose key is already stored is skipped (the UNIQUE constraint)."""
    if not rows:
        return
    ops = connection.ops
    table = connection.ops.quote_name(ChargeLine._meta.db_table)
    placeholders = ", ".join(["%s"] * len(LINE_COLUMNS))
    sql = (
        f"INSERT INTO {table} ({', '.join(LINE_COLUMNS)}) VALUES ({placeholders}) "  # noqa: S608
        "ON CONFLICT (subscription_id, charge_type, period_start, period_end, sequence) DO NOTHING"
    )
    adapted: list[tuple[Any, ...]] = []
    for row in rows:
        values: list[Any] = list(row)
        for index in _DATES:
            values[index] = ops.adapt_datefield_value(values[index])
        for index in _DECIMALS:
            if values[index] is not None:
                values[index] = ops.adapt_decimalfield_value(values[index], 18, 6)
        values[20] = ops.adapt_datetimefield_value(values[20])
        adapted.append(tuple(values))
    with connection.cursor() as cursor:
        for start in range(0, len(adapted), batch):
            cursor.executemany(sql, adapted[start : start + batch])


def update_bill_totals(changes: Sequence[tuple[Decimal, int, str, datetime, int]]) -> None:
    """(total, line count, fingerprint, updated at, bill id) per bill, one statement for all."""
    if not changes:
        return
    ops = connection.ops
    table = ops.quote_name(Bill._meta.db_table)
    sql = f"UPDATE {table} SET total = %s, line_count = %s, fingerprint = %s, updated_at = %s WHERE id = %s"  # noqa: S608
    adapted = [
        (ops.adapt_decimalfield_value(total, 18, 6), count, mark, ops.adapt_datetimefield_value(at), pk)
        for total, count, mark, at, pk in changes
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, adapted)
