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

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import psycopg
from django.db import connection, transaction
from psycopg.errors import UniqueViolation

from cspbroker.billing.models import Bill, ChargeLine, Invoice, InvoiceStatus, LedgerMark
from cspbroker.domain.periods import BillingCycle

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


@contextmanager
def bulk_cursor() -> Iterator[Any]:
    """A cursor for the run's set-based statements, in the caller's transaction.

    PostgreSQL: psycopg's server-side binding cursor on Django's connection. Django's cursors bind
    client-side: they quote every parameter into the SQL text in Python, which for statements with
    thousands of parameters (a chunk's bills, marks, ids) costs several times the statement itself.
    """
    if connection.vendor != "postgresql":
        with connection.cursor() as cursor:
            yield cursor
        return
    connection.ensure_connection()
    with psycopg.Cursor(connection.connection) as cursor:
        yield cursor


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
    """A row in COPY's text format: tab-separated, NULL as \\N, free text escaped.

    Written out per column (the row's shape is fixed): the run formats every line it stores, and a
    loop testing each value's type cost a third of preparing a chunk. `str` of a date is its ISO
    form, of a moment ISO with a space, of a Decimal its exact digits (an exponent PostgreSQL reads).
    """
    (subscription, customer, product, charge_type, sequence, period_start, period_end, active_start,
     active_end, effective_on, quantity, unit_price, amount, currency, source_kind, source_id,
     source_name, unit_cost, cost, explanation, created_at, revision, kind, reverses,
     corrects) = row  # fmt: skip
    escape = _COPY_ESCAPES
    return (
        f"{subscription}\t{customer}\t{product.translate(escape)}\t{charge_type}\t{sequence}\t"
        f"{period_start}\t{period_end}\t{active_start}\t{active_end}\t{effective_on}\t{quantity}\t"
        f"{unit_price}\t{amount}\t{currency}\t{source_kind.translate(escape)}\t"
        f"{source_id.translate(escape)}\t{source_name.translate(escape)}\t"
        f"{_NULL if unit_cost is None else unit_cost}\t{_NULL if cost is None else cost}\t"
        f"{explanation.translate(escape)}\t{created_at}\t{revision}\t{kind}\t"
        f"{_NULL if reverses is None else reverses}\t{_NULL if corrects is None else corrects}"
    )


def _copy_lines(rows: Sequence[AdaptedRow], bills: Sequence[int | None]) -> int:
    """PostgreSQL: COPY straight into the lines; if a key is already stored (a re-run of a customer
    whose ledger changed), the savepoint is rolled back and the rows go through a temporary table
    and one `INSERT … SELECT … ON CONFLICT DO NOTHING` instead.

    The first run of a cycle conflicts with nothing, so it pays only the COPY. Rows are inserted in
    the order given either way (a fresh heap is scanned in insertion order), as with `executemany`; a
    duplicate key within `rows` is skipped like one already stored.
    """
    table = connection.ops.quote_name(ChargeLine._meta.db_table)
    columns = ", ".join((*LINE_COLUMNS, "bill_id"))
    # The outer block without a savepoint: inside the caller's transaction a failure rolls the whole
    # chunk back (the temporary table with it); outside one, this is its own transaction.
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        try:
            with transaction.atomic():
                _copy(cursor, table, columns, rows, bills)
            return len(rows)
        except UniqueViolation:
            pass  # the savepoint is rolled back: nothing of this COPY is stored
        cursor.execute(
            f"CREATE TEMPORARY TABLE {_STAGE} ON COMMIT DROP AS "  # noqa: S608
            f"SELECT {columns} FROM {table} WITH NO DATA"
        )
        _copy(cursor, _STAGE, columns, rows, bills)
        cursor.execute(
            f"INSERT INTO {table} ({columns}) SELECT {columns} FROM {_STAGE} "  # noqa: S608
            f"ON CONFLICT {_LINE_KEY} DO NOTHING"
        )
        inserted = cursor.rowcount
        cursor.execute(f"DROP TABLE {_STAGE}")
    return int(inserted)


def _copy(
    cursor: Any, table: str, columns: str, rows: Sequence[AdaptedRow], bills: Sequence[int | None]
) -> None:
    with cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
        for start in range(0, len(rows), 5000):
            part = zip(rows[start : start + 5000], bills[start : start + 5000], strict=True)
            copy.write("".join(f"{row}\t{_NULL if bill is None else bill}\n" for row, bill in part))


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
    with bulk_cursor() as cursor:
        for start in range(0, len(fingerprints), batch):
            part = fingerprints[start : start + batch]
            values = ", ".join([pair] * len(part))
            of_bill = f"FROM {lines} l WHERE l.bill_id = v.column1"
            if postgres:  # one pass over each bill's lines for both figures
                figures = (
                    f"SELECT v.column1 AS id, v.column2 AS fingerprint, s.total, s.n "  # noqa: S608
                    f"FROM (VALUES {values}) AS v CROSS JOIN LATERAL "
                    f"(SELECT COALESCE(SUM(amount), 0) AS total, COUNT(*) AS n {of_bill}) AS s"
                )
            else:  # SQLite has no LATERAL
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


_BILL_COLUMNS = (
    "customer_id",
    "issuer_id",
    "cycle_label",
    "currency",
    "period_start",
    "period_end",
    "bill_date",
    "total",
    "is_frozen",
    "line_count",
    "fingerprint",
    "created_at",
    "updated_at",
)


def insert_bills(
    bills: Sequence[tuple[int, int, str]], cycle: BillingCycle, *, at: datetime, batch: int = 400
) -> set[int]:
    """Empty bills of `cycle`, (customer, issuer, currency) each; a bill already there is left as it
    is (its UNIQUE customer, cycle and currency). Returns the ids of the bills made. One multi-row
    INSERT per batch, no model instances: the columns and defaults are the model's (tests compare
    with bills made through the ORM)."""
    made: set[int] = set()
    if not bills:
        return made
    ops = connection.ops
    table = ops.quote_name(Bill._meta.db_table)
    moment = ops.adapt_datetimefield_value(at)
    zero = ops.adapt_decimalfield_value(Decimal(0), 24, 6)
    fixed = (
        cycle.label,
        ops.adapt_datefield_value(cycle.period.start),
        ops.adapt_datefield_value(cycle.period.end),
        ops.adapt_datefield_value(cycle.bill_date),
    )
    row = "(" + ", ".join(["%s"] * len(_BILL_COLUMNS)) + ")"
    with bulk_cursor() as cursor:
        for start in range(0, len(bills), batch):
            part = bills[start : start + batch]
            values: list[Any] = []
            for customer_id, issuer_id, currency in part:
                label, period_start, period_end, bill_date = fixed
                values += (customer_id, issuer_id, label, currency, period_start, period_end, bill_date)
                values += (zero, False, 0, "", moment, moment)
            cursor.execute(
                f"INSERT INTO {table} ({', '.join(_BILL_COLUMNS)}) VALUES {', '.join([row] * len(part))} "  # noqa: S608
                "ON CONFLICT (customer_id, cycle_label, currency) DO NOTHING RETURNING id",
                values,
            )
            made.update(pk for (pk,) in cursor.fetchall())
    return made


def store_bill_figures(
    figures: Sequence[tuple[int, Decimal, int, str]], *, at: datetime, batch: int = 400
) -> None:
    """Known totals, line counts and fingerprints of bills: (bill id, total, lines, fingerprint).

    For a bill made in the storing transaction whose lines all went in, the figures are those of the
    rows just inserted; reading them back from the lines would cost a pass over every line.
    """
    if not figures:
        return
    ops = connection.ops
    bills = ops.quote_name(Bill._meta.db_table)
    postgres = connection.vendor == "postgresql"
    row = "(%s::bigint, %s::numeric, %s::integer, %s::varchar)" if postgres else "(%s, %s, %s, %s)"
    with bulk_cursor() as cursor:
        for start in range(0, len(figures), batch):
            part = figures[start : start + batch]
            values: list[Any] = []
            for pk, total, lines, fingerprint in part:
                values += (pk, ops.adapt_decimalfield_value(total, 24, 6), lines, fingerprint)
            cursor.execute(
                f"UPDATE {bills} SET total = v.column2, line_count = v.column3, "  # noqa: S608
                f"fingerprint = v.column4, updated_at = %s "
                f"FROM (VALUES {', '.join([row] * len(part))}) AS v WHERE {bills}.id = v.column1",
                [ops.adapt_datetimefield_value(at), *values],
            )


def create_draft_invoices(customer_ids: Sequence[int], cycle_label: str, *, at: datetime) -> None:
    """A draft invoice for each of the customers' bills of the cycle that has none, in one
    INSERT … SELECT. The constants are the model's defaults for a draft (no number, empty snapshots)."""
    if not customer_ids:
        return
    ops = connection.ops
    invoices = ops.quote_name(Invoice._meta.db_table)
    bills = ops.quote_name(Bill._meta.db_table)
    marks = ", ".join(["%s"] * len(customer_ids))
    with bulk_cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {invoices} (bill_id, customer_id, issuer_id, currency, status, number, "  # noqa: S608
            "customer_snapshot, issuer_snapshot, lines_snapshot, issued_by, void_reason, created_at) "
            f"SELECT b.id, b.customer_id, b.issuer_id, b.currency, %s, '', '{{}}', '{{}}', '[]', '', '', %s "
            f"FROM {bills} b WHERE b.cycle_label = %s AND b.customer_id IN ({marks}) "
            f"AND NOT EXISTS (SELECT 1 FROM {invoices} i WHERE i.bill_id = b.id) "
            "ON CONFLICT DO NOTHING",
            [InvoiceStatus.DRAFT.value, ops.adapt_datetimefield_value(at), cycle_label, *customer_ids],
        )


def store_marks(marks: dict[int, tuple[int, str, str]], *, batch: int = 500) -> None:
    """Each customer's ledger mark (entry id, cycle, first cycle), inserted or moved in one upsert per
    batch; the first cycle ever billed only moves back."""
    if not marks:
        return
    table = connection.ops.quote_name(LedgerMark._meta.db_table)
    earliest = "LEAST" if connection.vendor == "postgresql" else "MIN"
    items = list(marks.items())
    with bulk_cursor() as cursor:
        for start in range(0, len(items), batch):
            part = items[start : start + batch]
            cursor.execute(
                f"INSERT INTO {table} (customer_id, entry_id, cycle_label, first_cycle_label) "  # noqa: S608
                f"VALUES {', '.join(['(%s, %s, %s, %s)'] * len(part))} "
                "ON CONFLICT (customer_id) DO UPDATE SET entry_id = excluded.entry_id, "
                "cycle_label = excluded.cycle_label, "
                f"first_cycle_label = {earliest}({table}.first_cycle_label, excluded.first_cycle_label)",
                [
                    value
                    for customer_id, (entry, label, first) in part
                    for value in (customer_id, entry, label, first)
                ],
            )
