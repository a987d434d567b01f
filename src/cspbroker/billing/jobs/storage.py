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


AdaptedRow = tuple[Any, ...] | str


def adapt_rows(rows: Sequence[LineRow]) -> list[AdaptedRow]:
    """The rows as the database takes them (done where the rows are computed, which may be a worker
    process: the storing process then only sends them).

    SQLite: what Django's adapters store, without a call per value — dates as ISO text, decimals as
    their text (stored with NUMERIC affinity, as `format_number`'s text is), the moment naive UTC.
    PostgreSQL: each row as a line of `COPY`'s text format, but for the bill id the store appends.
    """
    if connection.vendor == "postgresql":
        return [_copy_text(row) for row in rows]
    ops = connection.ops
    moments = {moment: ops.adapt_datetimefield_value(moment) for moment in {row[20] for row in rows}}
    adapted: list[AdaptedRow] = []
    for row in rows:
        values: list[Any] = list(row)
        for index in _DATES:
            values[index] = values[index].isoformat()
        for index in _DECIMALS:
            if values[index] is not None:
                values[index] = str(values[index])
        values[20] = moments[values[20]]
        adapted.append(tuple(values))
    return adapted


def insert_lines(
    rows: Sequence[AdaptedRow], *, bill_ids: Sequence[int | None] | None = None, batch: int = 5000
) -> int:
    """Insert adapted charge lines (`adapt_rows`), each attached to its bill in `bill_ids` (same order;
    None: no bill yet). A line whose key is already stored is skipped (the UNIQUE constraint), its bill
    left as it is. Returns how many were inserted."""
    if not rows:
        return 0
    bills: Sequence[int | None] = bill_ids if bill_ids is not None else [None] * len(rows)
    if len(bills) != len(rows):
        raise ValueError("insert_lines: one bill id per row")
    if connection.vendor == "postgresql":
        return _copy_lines(rows, bills)
    table = connection.ops.quote_name(ChargeLine._meta.db_table)
    placeholders = ", ".join(["%s"] * (len(LINE_COLUMNS) + 1))
    sql = (
        f"INSERT INTO {table} ({', '.join(LINE_COLUMNS)}, bill_id) VALUES ({placeholders}) "  # noqa: S608
        f"ON CONFLICT {_LINE_KEY} DO NOTHING"
    )
    inserted = 0
    with connection.cursor() as cursor:
        for start in range(0, len(rows), batch):
            end = start + batch
            cursor.executemany(
                sql, [(*row, bill) for row, bill in zip(rows[start:end], bills[start:end], strict=True)]
            )
            inserted += max(cursor.rowcount, 0)
    return inserted


_NULL = "\\N"
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_text(row: LineRow) -> str:
    """A row in COPY's text format: tab-separated, NULL as \\N, text escaped (dates and moments ISO)."""
    fields = []
    for value in row:
        if value is None:
            fields.append(_NULL)
        elif isinstance(value, str):
            fields.append(value.translate(_COPY_ESCAPES))
        elif isinstance(value, datetime | date):
            fields.append(value.isoformat())
        else:
            fields.append(str(value))
    return "\t".join(fields)


def _copy_lines(rows: Sequence[AdaptedRow], bills: Sequence[int | None]) -> int:
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
            for start in range(0, len(rows), 5000):
                part = zip(rows[start : start + 5000], bills[start : start + 5000], strict=True)
                copy.write("".join(f"{row}\t{_NULL if bill is None else bill}\n" for row, bill in part))
        cursor.execute(
            f"INSERT INTO {table} ({columns}) SELECT {columns} FROM {_STAGE} "  # noqa: S608
            f"ON CONFLICT {_LINE_KEY} DO NOTHING"
        )
        inserted = cursor.rowcount
        cursor.execute(f"DROP TABLE {_STAGE}")
    return int(inserted)


def store_bill_totals(fingerprints: Sequence[tuple[int, str]], *, at: datetime, batch: int = 400) -> None:
    """Each bill's total and line count, summed by the database, and its fingerprint: (bill id,
    fingerprint) pairs. Only bills whose figures changed are written (their `updated_at` with them).

    PostgreSQL sums NUMERIC exactly. SQLite keeps decimals as floating point, so it sums whole
    millionths (the columns' six decimals) rounded from each line: exact for any amount the columns
    hold. Line amounts are rounded to the currency's minor unit, so their sum needs no rounding.
    Each bill's lines are summed by its own correlated subquery, an index lookup by `bill_id` that
    does not depend on the planner's statistics (a first run fills an empty table).
    """
    if not fingerprints:
        return
    bills = connection.ops.quote_name(Bill._meta.db_table)
    lines = connection.ops.quote_name(ChargeLine._meta.db_table)
    moment = connection.ops.adapt_datetimefield_value(at)
    postgres = connection.vendor == "postgresql"
    amount = "amount" if postgres else "ROUND(amount * 1000000)"
    scale = "" if postgres else " / 1000000.0"
    distinct = "IS DISTINCT FROM" if postgres else "IS NOT"
    pair = "(%s::bigint, %s::varchar)" if postgres else "(%s, %s)"
    with connection.cursor() as cursor:
        for start in range(0, len(fingerprints), batch):
            part = fingerprints[start : start + batch]
            values = ", ".join([pair] * len(part))
            of_bill = f"FROM {lines} l WHERE l.bill_id = v.column1"
            figures = (
                f"SELECT v.column1 AS id, v.column2 AS fingerprint, "  # noqa: S608
                f"(SELECT COALESCE(SUM({amount}), 0){scale} {of_bill}) AS total, "
                f"(SELECT COUNT(*) {of_bill}) AS n FROM (VALUES {values}) AS v"
            )
            current = f"({bills}.total, {bills}.line_count, {bills}.fingerprint)"
            cursor.execute(
                f"UPDATE {bills} SET total = x.total, line_count = x.n, fingerprint = x.fingerprint, "  # noqa: S608
                f"updated_at = %s FROM ({figures}) AS x WHERE {bills}.id = x.id "
                f"AND {current} {distinct} (x.total, x.n, x.fingerprint)",
                [moment, *[value for row in part for value in row]],
            )
