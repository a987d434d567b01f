"""The billing run over 10,000 customers, 100,000 subscriptions and 300,000 quantity changes (× scale).

For each database (a temp SQLite file; a throwaway PostgreSQL database on 127.0.0.1:5432, skipped
with a note when unreachable) one subprocess generates the data with bulk inserts, another runs the
billing run twice (the second must add nothing) and measures the storage floor: the same number of
charge rows inserted in one transaction the cheapest plain way for the database (SQLite: a bare
`executemany`, in-process; PostgreSQL: `COPY … FROM STDIN`, since an `executemany` pays a round trip
per row). Prints a table and one JSON line per database:

    {"bench": "billing_run", "db": "sqlite", "subscriptions": 100000, "seconds": 41.2, ...}

Then the same on a tenth of the data (BENCH_SCALING=0 skips it), and one line per database with the
ratio of the times for ten times the data (target ≤ 11):

    {"bench": "billing_scaling", "db": "sqlite", "data_ratio": 10.0, "time_ratio": 6.2, ...}

Each run also times the next cycle with 1% of subscriptions changed back-dated (`late`, `next s`)
and the adjustment pass within it (`adjust s`).
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

PG_SERVER = "postgresql://postgres@127.0.0.1:5432/"
CYCLE = "2026-10"
NEXT_CYCLE = "2026-11"
SUBSCRIPTIONS_PER_CUSTOMER = 10
OFFERS = 20


def _setup_django(database_url: str, folder: Path) -> None:
    src = Path(__file__).resolve().parents[1] / "src"
    if str(src) not in sys.path:
        sys.path.insert(0, str(src))
    os.environ["DJANGO_SETTINGS_MODULE"] = "cspbroker.config.settings"
    os.environ["DATABASE_URL"] = database_url
    os.environ["CSPB_VAR_DIR"] = str(folder / "var")
    os.environ["EMAIL_URL"] = f"file://{folder / 'mail'}"
    import django

    django.setup()


def generate(customers: int) -> None:
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    from cspbroker.accounts.models import Organization
    from cspbroker.catalog.models import (
        Availability,
        Offer,
        PriceList,
        PriceListEntry,
        Product,
        ProviderPrice,
        Sku,
    )
    from cspbroker.connections.models import Connection
    from cspbroker.subscriptions.models import LedgerEntry, Subscription
    from cspbroker.tenants.models import Tenant

    common = {"country": "DE", "currency": "EUR", "time_zone": "Europe/Berlin"}
    operator = Organization.objects.create(kind="operator", legal_name="Operator", path="/1/", id=1, **common)
    resellers = [
        Organization(
            id=2, kind="reseller", parent=operator, legal_name="R15", path="/1/2/", billing_day=15, **common
        ),
        Organization(
            id=3, kind="reseller", parent=operator, legal_name="R31", path="/1/3/", billing_day=31, **common
        ),
    ]
    Organization.objects.bulk_create(resellers)
    first = 10
    orgs = [
        Organization(
            id=first + i,
            kind="customer",
            parent_id=2 + i % 2,
            legal_name=f"Customer {i}",
            path=f"/1/{2 + i % 2}/{first + i}/",
            **common,
        )
        for i in range(customers)
    ]
    Organization.objects.bulk_create(orgs, batch_size=5000)
    connection = Connection.objects.create(
        organization=operator,
        kind="partner_center",
        name="PC",
        base_url="https://pc.example",
        token_url="https://login.example/t",
        client_id=str(uuid.uuid4()),
        client_secret="secret",
    )
    product = Product.objects.create(connection=connection, provider_product_id="P", title="Product")
    offers = []
    for n in range(OFFERS):
        sku = Sku.objects.create(product=product, provider_sku_id=f"{n:04d}", title=f"Licence {n}")
        availability = Availability.objects.create(
            sku=sku, provider_availability_id="A", catalog_item_id=f"P:{n}:A"
        )
        offers.append(Offer.objects.create(availability=availability, term="P1Y", billing_cycle="monthly"))
    since = datetime(2020, 1, 1, tzinfo=UTC)
    ProviderPrice.objects.bulk_create(
        [
            ProviderPrice(offer=o, currency="EUR", unit_price=Decimal("8.00"), effective_from=since)
            for o in offers
        ]
    )
    for reseller in resellers:
        price_list = PriceList.objects.create(owner=reseller, name="Global", currency="EUR")
        PriceListEntry.objects.bulk_create(
            [
                PriceListEntry(
                    price_list=price_list,
                    offer=o,
                    sale_price=Decimal("12.50"),
                    effective_from=date(2020, 1, 1),
                )
                for o in offers
            ]
        )
    Tenant.objects.bulk_create(
        [
            Tenant(
                id=i + 1,
                customer_id=o.pk,
                connection=connection,
                domain=f"c{i}.onmicrosoft.com",
                status="active",
            )
            for i, o in enumerate(orgs)
        ],
        batch_size=5000,
    )
    # The ledger as the platform writes it (subscriptions.ledger), inserted in bulk: a purchase locking
    # the term's price (the reseller list's 12.50, or for every other subscription its own 11.00 from
    # the start, C4) and our cost 8.00, then +2 seats in October and a refundable -1 two days later.
    subscriptions, entries = [], []
    for i in range(customers * SUBSCRIPTIONS_PER_CUSTOMER):
        sub_id = i + 1
        customer_id = first + i // SUBSCRIPTIONS_PER_CUSTOMER
        start = date(2026, 1 + i % 8, 1 + i % 28)
        own = i % 2 == 1
        price = Decimal("11.00") if own else Decimal("12.50")
        source = "subscription_price::historic sales price" if own else f"reseller_list:{2 + i % 2}:Global"
        subscriptions.append(
            Subscription(
                id=sub_id,
                tenant_id=i // SUBSCRIPTIONS_PER_CUSTOMER + 1,
                offer=offers[i % OFFERS],
                quantity=4,
                status="active",
                term="P1Y",
                billing_cycle="monthly",
                start_date=start,
                commitment_end_date=date(2027, start.month, start.day) - timedelta(days=1),
                term_start=start,
                unit_price=price,
                unit_cost=Decimal("8.00"),
                price_currency="EUR",
                price_source=source,
            )
        )
        bought = datetime.combine(start, datetime.min.time(), UTC) + timedelta(hours=12)
        added = datetime(2026, 10, 2 + i % 10, 12, tzinfo=UTC)
        common_entry = {"subscription_id": sub_id, "customer_id": customer_id, "source": "system"}
        common_entry |= {"actor_ref": "bench", "actor_label": "bench"}
        entries.append(
            LedgerEntry(
                kind="purchase",
                effective_at=bought,
                recorded_at=bought,
                quantity=3,
                status="active",
                auto_renew=True,
                term="P1Y",
                billing_cycle="monthly",
                term_start=start,
                term_end=date(2027, start.month, start.day) - timedelta(days=1),
                unit_price=price,
                unit_cost=Decimal("8.00"),
                currency="EUR",
                price_source=source,
                **common_entry,
            )
        )
        if own:
            entries.append(
                LedgerEntry(
                    kind="price",
                    effective_at=bought,
                    recorded_at=bought,
                    price_from=start,
                    unit_price=price,
                    currency="EUR",
                    price_source=source,
                    **common_entry,
                )
            )
        for at, quantity in ((added, 5), (added + timedelta(days=2), 4)):
            entries.append(
                LedgerEntry(
                    kind="quantity",
                    effective_at=at,
                    recorded_at=at,
                    quantity=quantity,
                    refundable=True,
                    **common_entry,
                )
            )
    Subscription.objects.bulk_create(subscriptions, batch_size=5000)
    LedgerEntry.objects.bulk_create(entries, batch_size=5000)
    if connection_vendor() == "postgresql":
        call_command("sqlsequencereset", "accounts", "tenants", "subscriptions", verbosity=0)


def connection_vendor() -> str:
    from django.db import connection

    return connection.vendor


def floor_method() -> str:
    from django.db import connection

    return "copy" if connection.vendor == "postgresql" else "executemany"


def _floor(rows: int) -> float:
    """Seconds to insert `rows` charge-shaped rows in one transaction (`floor_method()`)."""
    from django.db import connection, transaction

    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_floor")
        if connection.vendor == "postgresql":
            cursor.execute("CREATE TABLE bench_floor (LIKE billing_chargeline INCLUDING ALL)")
        else:
            cursor.execute("CREATE TABLE bench_floor AS SELECT * FROM billing_chargeline WHERE 0")
        cursor.execute("SELECT * FROM billing_chargeline LIMIT 1")
        columns = [c[0] for c in cursor.description if c[0] != "id"]
    placeholders = ", ".join(["%s"] * len(columns))
    sql = f"INSERT INTO bench_floor ({', '.join(columns)}) VALUES ({placeholders})"
    sample = dict(
        subscription_id=1,
        customer_id=10,
        bill_id=None,
        product="Licence",
        charge_type="new",
        sequence=0,
        period_start=date(2026, 10, 1),
        period_end=date(2026, 11, 1),
        active_start=date(2026, 10, 1),
        active_end=date(2026, 11, 1),
        effective_on=date(2026, 10, 1),
        quantity=3,
        unit_price=Decimal("12.5"),
        amount=Decimal("37.5"),
        currency="EUR",
        price_source_kind="reseller_list",
        price_source_id="1",
        price_source_name="Global",
        cost_unit_price=Decimal("8"),
        cost_amount=Decimal("24"),
        explanation="3 × 12.50 EUR (new 1 Oct, period 1 Oct–31 Oct 2026)",
        created_at=datetime.now(UTC),
        revision=0,
        kind="charge",
        reverses_id=None,
        corrects_entry_id=None,
    )
    data = [tuple(n if c == "sequence" else sample[c] for c in columns) for n in range(rows)]
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        if floor_method() == "copy":
            with cursor.copy(f"COPY bench_floor ({', '.join(columns)}) FROM STDIN") as copy:
                for row in data:
                    copy.write_row(row)
        else:
            cursor.executemany(sql, data)
    return time.perf_counter() - started


def run(db: str) -> dict[str, object]:
    from cspbroker.billing.jobs.run import run_billing

    first = run_billing(cycle=CYCLE)
    second = run_billing(cycle=CYCLE)
    assert second.lines_created == 0 and second.totals == first.totals, (first.as_dict(), second.as_dict())
    late = _back_date_changes()
    following = run_billing(cycle=NEXT_CYCLE)
    assert following.subscriptions_settled == late and following.adjustments >= late, following.as_dict()
    again = run_billing(cycle=NEXT_CYCLE)
    assert again.lines_created == 0 and again.adjustments == 0, again.as_dict()
    floor = _floor(first.lines_created)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    # The worker processes that prepare chunks (billing/jobs/parallel.py) each have their own peak.
    worker_peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {
        "bench": "billing_run",
        "db": db,
        "customers": first.customers,
        "subscriptions": first.subscriptions,
        "lines": first.lines_created,
        "bills": first.bills,
        "seconds": round(first.seconds, 2),
        "subscriptions_per_s": round(first.subscriptions / first.seconds),
        "lines_per_s": round(first.lines_created / first.seconds),
        "bills_per_s": round(first.bills / first.seconds),
        "floor_seconds": round(floor, 2),
        "floor_method": floor_method(),
        "floor_ratio": round(first.seconds / floor, 1) if floor else None,
        "rerun_seconds": round(second.seconds, 2),
        "rerun_ratio": round(second.seconds / first.seconds, 3),
        "late_subscriptions": late,
        "next_cycle_seconds": round(following.seconds, 2),
        "adjustment_pass_seconds": round(following.settle_seconds, 2),
        "adjustments": following.adjustments,
        "peak_mib": round(peak),
        "worker_peak_mib": round(worker_peak),
        "errors": len(first.errors),
    }


def _back_date_changes() -> int:
    """1% of subscriptions get a change dated in the cycle just billed, recorded now (a provider-side
    change seen late): +2 seats from 5 October."""
    from cspbroker.subscriptions.models import LedgerEntry, Subscription

    now = datetime.now(UTC)
    rows = Subscription.objects.filter(id__in=range(1, Subscription.objects.count() + 1, 100))
    entries = [
        LedgerEntry(
            subscription_id=sub_id,
            customer_id=customer_id,
            kind="quantity",
            source="provider",
            actor_ref="provider",
            actor_label="Partner Center",
            quantity=7,
            refundable=True,
            effective_at=datetime(2026, 10, 5, 12, tzinfo=UTC),
            recorded_at=now,
        )
        for sub_id, customer_id in rows.values_list("id", "tenant__customer_id")
    ]
    LedgerEntry.objects.bulk_create(entries, batch_size=5000)
    return len(entries)


def _worker(argv: list[str]) -> int:
    mode, db, url, folder = argv[:4]
    _setup_django(url, Path(folder))
    if mode == "generate":
        started = time.perf_counter()
        generate(int(argv[4]))
        from django.db import connection

        # A production database has planner statistics (autovacuum keeps them); freshly bulk-loaded
        # tables have none, which would make the run measure the planner's guesses instead.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        print(json.dumps({"generated_seconds": round(time.perf_counter() - started, 1)}))
    else:
        print(json.dumps(run(db)))
    return 0


def _pg_available() -> bool:
    try:
        import psycopg

        with psycopg.connect(PG_SERVER + "postgres", connect_timeout=3):
            return True
    except Exception:
        return False


def _pg_admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(PG_SERVER + "postgres", autocommit=True) as conn:
        conn.execute(sql)


def _bench(db: str, url: str, folder: Path, customers: int) -> dict[str, object]:
    def call(*args: str) -> dict[str, object]:
        out = subprocess.run([sys.executable, __file__, *args], capture_output=True, text=True, cwd=folder)
        if out.returncode:
            raise RuntimeError(f"bench worker {args[0]} failed:\n{out.stderr[-4000:]}")
        result: dict[str, object] = json.loads(out.stdout.strip().splitlines()[-1])
        return result

    generated = call("generate", db, url, str(folder), str(customers))
    result = call("run", db, url, str(folder))
    result["generate_seconds"] = generated["generated_seconds"]
    return result


def main(scale: float) -> None:
    results = _results(max(int(10_000 * scale), 1))
    _print(results)
    if os.environ.get("BENCH_SCALING", "1") != "0" and scale >= 0.1:
        # The target "10× the data ≤ 11× the time": the same bench on a tenth of the data.
        smaller = {r["db"]: r for r in _results(max(int(1_000 * scale), 1))}
        _print(list(smaller.values()))
        for r in results:
            small = smaller.get(str(r["db"]))
            if small:
                size, small_size = float(str(r["subscriptions"])), float(str(small["subscriptions"]))
                scaling = {
                    "bench": "billing_scaling",
                    "db": r["db"],
                    "subscriptions": [small["subscriptions"], r["subscriptions"]],
                    "seconds": [small["seconds"], r["seconds"]],
                    "data_ratio": round(size / small_size, 1),
                    "time_ratio": round(float(str(r["seconds"])) / float(str(small["seconds"])), 2),
                }
                print(json.dumps(scaling))


def _results(customers: int) -> list[dict[str, object]]:
    results = []
    with tempfile.TemporaryDirectory(prefix="bench-billing-") as tmp:
        folder = Path(tmp)
        databases = os.environ.get("BENCH_DATABASES", "sqlite,postgresql").split(",")
        if "sqlite" in databases:
            results.append(_bench("sqlite", f"sqlite:///{folder / 'bench.sqlite3'}", folder, customers))
        if "postgresql" not in databases:
            pass
        elif _pg_available():
            name = f"cspb_bench_{uuid.uuid4().hex[:8]}"
            _pg_admin(f"CREATE DATABASE {name}")
            try:
                results.append(_bench("postgresql", PG_SERVER + name, folder, customers))
            finally:
                _pg_admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        else:
            print("bench_billing: PostgreSQL on 127.0.0.1:5432 unreachable; skipped")
    return results


def _print(results: list[dict[str, object]]) -> None:
    header = f"{'db':<11}{'subs':>8}{'lines':>9}{'bills':>7}{'run s':>8}{'subs/s':>8}{'lines/s':>9}"
    header += f"{'bills/s':>8}{'floor s':>8}{'floor by':>12}{'×floor':>7}{'rerun s':>8}{'peak MiB':>9}"
    header += f"{'late':>6}{'next s':>8}{'adjust s':>9}"
    print(header)
    for r in results:
        print(
            f"{r['db']:<11}{r['subscriptions']:>8}{r['lines']:>9}{r['bills']:>7}{r['seconds']:>8}"
            f"{r['subscriptions_per_s']:>8}{r['lines_per_s']:>9}{r['bills_per_s']:>8}{r['floor_seconds']:>8}"
            f"{r['floor_method']:>12}{r['floor_ratio']:>7}{r['rerun_seconds']:>8}{r['peak_mib']:>9}"
            f"{r['late_subscriptions']:>6}{r['next_cycle_seconds']:>8}{r['adjustment_pass_seconds']:>9}"
        )
    for r in results:
        print(json.dumps(r))


if __name__ == "__main__":
    if len(sys.argv) > 1:
        sys.exit(_worker(sys.argv[1:]))
    main(float(os.environ.get("BENCH_SCALE", "1.0")))
