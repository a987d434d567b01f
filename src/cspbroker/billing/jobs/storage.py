"""Bulk writes for the billing run's hot path, without a Django model instance per charge line.

Building a model instance per charge line and letting the ORM compile a multi-row INSERT costs
several times the insert itself. Both backends store exactly what the ORM would, and skip a line
whose key is already stored (`ON CONFLICT DO NOTHING`, what `bulk_create(ignore_conflicts=True)`
emits), so a re-run inserts nothing:

- SQLite: a bare `executemany` (in-process, no round trips), values adapted with the backend's `ops`;
- PostgreSQL: the rows are streamed with `COPY … FROM STDIN` into a temporary table, then moved with
  one `INSERT … SELECT … ON CONFLICT DO NOTHING` (an `executemany` costs a round trip per row). The
  backend's `ops` adapters are the identity there: psycopg receives the same Python values.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db import connection, transaction

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
    "revision",
    "kind",
    "reverses_id",
    "corrects_entry_id",
)
LineRow = tuple[
    int,
    int,
    str,
    str,
    int,
    date,
    date,
    date,
    date,
    date,
    int,
    Decimal,
    Decimal,
    str,
    str,
    str,
    str,
    Decimal | None,
    Decimal | None,
    str,
    datetime,
    int,
    str,
    int | None,
    int | None,
]
_DATES = (5, 6, 7, 8, 9)
_DECIMALS = (11, 12, 17, 18)
_LINE_KEY = "(subscription_id, charge_type, period_start, period_end, sequence, revision)"
_STAGE = "billing_chargeline_stage"  # a temporary table: private to the connection, dropped at the end


def insert_lines(
    rows: Sequence[LineRow], *, bill_ids: Sequence[int | None] | None = None, batch: int = 5000
) -> None:
    """Insert charge lines, each attached to its bill in `bill_ids` (same order; None: no bill yet).

    A line whose key is already stored is skipped (the UNIQUE constraint), its bill left as it is.
    """
    if not rows:
        return
    bills: Sequence[int | None] = bill_ids if bill_ids is not None else [None] * len(rows)
    if len(bills) != len(rows):
        raise ValueError("insert_lines: one bill id per row")
    if connection.vendor == "postgresql":
        _copy_lines(rows, bills)
        return
    ops = connection.ops
    table = ops.quote_name(ChargeLine._meta.db_table)
    placeholders = ", ".join(["%s"] * (len(LINE_COLUMNS) + 1))
    sql = (
        f"INSERT INTO {table} ({', '.join(LINE_COLUMNS)}, bill_id) VALUES ({placeholders}) "  # noqa: S608
        f"ON CONFLICT {_LINE_KEY} DO NOTHING"
    )
    adapted: list[tuple[Any, ...]] = []
    # What Django's SQLite adapters store, without a call per value: dates as ISO text, decimals as
    # their text (stored with NUMERIC affinity, as `format_number` text is), the moment naive UTC.
    created = {row[20] for row in rows}
    moments = {moment: ops.adapt_datetimefield_value(moment) for moment in created}
    for row, bill_id in zip(rows, bills, strict=True):
        values: list[Any] = [*row, bill_id]
        for index in _DATES:
            values[index] = values[index].isoformat()
        for index in _DECIMALS:
            if values[index] is not None:
                values[index] = str(values[index])
        values[20] = moments[values[20]]
        adapted.append(tuple(values))
    with connection.cursor() as cursor:
        for start in range(0, len(adapted), batch):
            cursor.executemany(sql, adapted[start : start + batch])


def _copy_lines(rows: Sequence[LineRow], bills: Sequence[int | None]) -> None:
    """PostgreSQL: COPY into a temporary table shaped like the lines, then one INSERT … SELECT.

    Rows are inserted in the order given (a fresh heap is scanned in insertion order), as with
    `executemany`; a duplicate key within `rows` is skipped like one already stored.
    """
    table = connection.ops.quote_name(ChargeLine._meta.db_table)
    columns = ", ".join((*LINE_COLUMNS, "bill_id"))
    # Without a savepoint: inside the caller's transaction a failure rolls the whole chunk back
    # (the temporary table with it); outside one, this is its own transaction.
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMPORARY TABLE {_STAGE} ON COMMIT DROP AS "  # noqa: S608
            f"SELECT {columns} FROM {table} WITH NO DATA"
        )
        with cursor.copy(f"COPY {_STAGE} ({columns}) FROM STDIN") as copy:
            for row, bill_id in zip(rows, bills, strict=True):
                copy.write_row((*row, bill_id))
        cursor.execute(
            f"INSERT INTO {table} ({columns}) SELECT {columns} FROM {_STAGE} "  # noqa: S608
            f"ON CONFLICT {_LINE_KEY} DO NOTHING"
        )
        cursor.execute(f"DROP TABLE {_STAGE}")


def bill_sums(bill_ids: Sequence[int], batch: int = 900) -> dict[int, tuple[Decimal, int]]:
    """The exact sum and count of each bill's lines, summed by the database.

    PostgreSQL sums NUMERIC exactly. SQLite keeps decimals as floating point, so it sums whole
    millionths (the columns' six decimals) rounded from each line: exact for any amount the columns
    can hold, with no line's value fetched into Python.
    """
    table = connection.ops.quote_name(ChargeLine._meta.db_table)
    total = "SUM(amount)" if connection.vendor == "postgresql" else "SUM(ROUND(amount * 1000000))"
    sums: dict[int, tuple[Decimal, int]] = {}
    with connection.cursor() as cursor:
        for start in range(0, len(bill_ids), batch):
            part = list(bill_ids[start : start + batch])
            marks = ", ".join(["%s"] * len(part))
            cursor.execute(
                f"SELECT bill_id, {total}, COUNT(*) FROM {table} "  # noqa: S608
                f"WHERE bill_id IN ({marks}) GROUP BY bill_id",
                part,
            )
            for bill_id, amount, count in cursor.fetchall():
                value = (
                    Decimal(amount) if connection.vendor == "postgresql" else Decimal(int(amount)).scaleb(-6)
                )
                sums[bill_id] = (value, count)
    return sums


def update_bill_totals(changes: Sequence[tuple[Decimal, int, str, datetime, int]], batch: int = 1000) -> None:
    """(total, line count, fingerprint, updated at, bill id) per bill."""
    if not changes:
        return
    ops = connection.ops
    table = ops.quote_name(Bill._meta.db_table)
    adapted = [
        (ops.adapt_decimalfield_value(total, 18, 6), count, mark, ops.adapt_datetimefield_value(at), pk)
        for total, count, mark, at, pk in changes
    ]
    with connection.cursor() as cursor:
        if connection.vendor != "postgresql":
            sql = (
                f"UPDATE {table} SET total = %s, line_count = %s, fingerprint = %s, "  # noqa: S608
                "updated_at = %s WHERE id = %s"
            )
            cursor.executemany(sql, adapted)
            return
        # PostgreSQL: one statement per `batch` bills instead of a round trip per bill.
        for start in range(0, len(adapted), batch):
            part = adapted[start : start + batch]
            values = ", ".join(
                ["(%s::numeric, %s::integer, %s::varchar, %s::timestamptz, %s::bigint)"] * len(part)
            )
            cursor.execute(
                f"UPDATE {table} AS b SET total = v.total, line_count = v.line_count, "  # noqa: S608
                f"fingerprint = v.fingerprint, updated_at = v.updated_at "
                f"FROM (VALUES {values}) AS v (total, line_count, fingerprint, updated_at, id) "
                "WHERE b.id = v.id",
                [value for change in part for value in change],
            )
