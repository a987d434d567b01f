"""Orders provisioned per minute against the Partner Center sandbox answering with 50 ms of latency.

A fresh SQLite platform database and a sandbox in this process; N new-subscription orders are queued
through the operation log, then W worker threads run the executor on them (each order is a cart, a
checkout and a read of the new subscription: three provider calls, plus the token once per client).
Prints a table and one JSON line:

    {"bench": "provisioning", "orders": n, "seconds": s, "orders_per_minute": x, "latency_ms": 50, ...}

`main(scale)`: scale 1.0 is 120 orders with 8 workers; 0.1 is 12 orders.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import tempfile
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

LATENCY_MS = 50
WORKERS = 8


def _setup_django(folder: Path) -> None:
    src = Path(__file__).resolve().parents[1] / "src"
    if str(src) not in sys.path:
        sys.path.insert(0, str(src))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cspbroker.config.settings")
    os.environ["DATABASE_URL"] = f"sqlite:///{folder / 'bench.sqlite3'}"
    os.environ["CSPB_VAR_DIR"] = str(folder / "var")
    os.environ["EMAIL_URL"] = f"file://{folder / 'mail'}"
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0, interactive=False)


def _serve(app):  # type: ignore[no-untyped-def]
    import socket

    import uvicorn

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    config = uvicorn.Config(
        app, host="127.0.0.1", port=port, log_level="warning", access_log=False, lifespan="off"
    )
    server = uvicorn.Server(config)
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.01)
    return server, f"http://127.0.0.1:{port}"


def _world(url: str, config):  # type: ignore[no-untyped-def]
    from cspbroker.accounts import demo
    from cspbroker.accounts.access import SYSTEM
    from cspbroker.accounts.models import Organization
    from cspbroker.catalog.models import Availability, Offer, Product, Sku
    from cspbroker.connections import services as connections
    from cspbroker.connections.clients import partner_center_client
    from cspbroker.providers.partnercenter.customers import Address, NewCustomer
    from cspbroker.tenants.models import Tenant, TenantStatus

    demo.load()
    operator = Organization.objects.get(kind="operator")
    customer = Organization.objects.get(legal_name="Adventure Works Cycles GmbH")
    connection = connections.create_connection(
        actor=SYSTEM,
        organization_id=operator.pk,
        kind="partner_center",
        name="PC bench",
        base_url=url,
        token_url=f"{url}/{{tenant}}/oauth2/token",
        tenant_id=config.partner_tenant_id,
        client_id=config.client_id,
        client_secret=config.client_secret,
    )
    client = partner_center_client(connection)
    address = Address(
        first_name="Anna",
        last_name="Berg",
        address_line1="Radweg 1",
        city="Berlin",
        state="BE",
        postal_code="10115",
        country="DE",
    )
    remote = client.create_customer(
        NewCustomer(
            domain="benchadventure.onmicrosoft.com",
            company_name=customer.legal_name,
            email="it@adventureworks.example",
            address=address,
        )
    )
    client.close()
    tenant = Tenant.objects.create(
        customer=customer,
        connection=connection,
        provider_tenant_id=remote.id,
        domain=remote.domain,
        status=TenantStatus.ACTIVE,
    )
    product = Product.objects.create(
        connection=connection, provider_product_id="CFQ7TTC0LDPB", title="Microsoft 365 Business Standard"
    )
    sku = Sku.objects.create(product=product, provider_sku_id="0001", title=product.title)
    availability = Availability.objects.create(
        sku=sku, provider_availability_id="CFQ7TTC0K5BF", catalog_item_id="CFQ7TTC0LDPB:0001:CFQ7TTC0K5BF"
    )
    offer = Offer.objects.create(availability=availability, term="P1Y", billing_cycle="monthly")
    return tenant, offer


def _queue(tenant, offer, count: int) -> list[int]:  # type: ignore[no-untyped-def]
    from cspbroker.provisioning.models import Order, OrderKind, OrderState, ProviderOperation

    operations = []
    for n in range(count):
        order = Order.objects.create(
            customer=tenant.customer,
            tenant=tenant,
            kind=OrderKind.NEW,
            state=OrderState.APPROVED,
            offer=offer,
            payload={"quantity": n % 9 + 1},
            requested_by="system:bench",
            requested_by_label="bench",
            channel="system",
        )
        operations.append(ProviderOperation.objects.create(order=order).pk)
    return operations


def _run(operation_ids: list[int], workers: int) -> tuple[float, list[float], dict[str, int]]:
    from django.db import connection

    from cspbroker.provisioning import executor

    durations: list[float] = []
    outcomes: dict[str, int] = {}
    lock = threading.Lock()

    def one(operation_id: int) -> None:
        started = time.perf_counter()
        try:
            outcome, _ = executor.execute(operation_id)
        finally:
            connection.close()
        with lock:
            durations.append(time.perf_counter() - started)
            outcomes[str(outcome)] = outcomes.get(str(outcome), 0) + 1

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=workers) as pool:
        list(pool.map(one, operation_ids))
    return time.perf_counter() - started, durations, outcomes


def main(scale: float = 1.0) -> dict[str, object]:
    count = max(5, round(120 * scale))
    with tempfile.TemporaryDirectory(prefix="cspb-bench-") as folder:
        _setup_django(Path(folder))
        import httpx

        from cspbroker.sandbox.common.config import SandboxConfig
        from cspbroker.sandbox.partnercenter.app import create_app

        config = SandboxConfig(
            state_dir=Path(folder) / "pc",
            client_id=str(uuid.uuid4()),
            client_secret="bench-" + uuid.uuid4().hex,
            partner_tenant_id=str(uuid.uuid4()),
        )
        config.state_dir.mkdir()
        server, url = _serve(create_app(config))
        try:
            tenant, offer = _world(url, config)
            httpx.post(
                f"{url}/_sandbox/faults", json={"kind": "latency", "latency_ms": LATENCY_MS}
            ).raise_for_status()
            operations = _queue(tenant, offer, count)
            seconds, durations, outcomes = _run(operations, WORKERS)
            remote = httpx.get(f"{url}/_sandbox/faults").json()["items"][0]["fired"]
        finally:
            server.should_exit = True
    per_minute = count / seconds * 60
    durations.sort()
    p95 = durations[max(0, int(len(durations) * 0.95) - 1)]
    header = ("orders", "workers", "latency", "seconds")
    print(" ".join(f"{name:>8}" for name in header) + f" {'orders/min':>11} {'p50 s':>7} {'p95 s':>7}")
    print(
        f"{count:>8} {WORKERS:>8} {LATENCY_MS:>6}ms {seconds:>8.2f} {per_minute:>11.0f} "
        f"{statistics.median(durations):>7.3f} {p95:>7.3f}"
    )
    print(f"outcomes {outcomes}; {remote} provider calls delayed by {LATENCY_MS} ms")
    result: dict[str, object] = {
        "bench": "provisioning",
        "orders": count,
        "seconds": round(seconds, 3),
        "orders_per_minute": round(per_minute, 1),
        "latency_ms": LATENCY_MS,
        "workers": WORKERS,
        "succeeded": outcomes.get("succeeded", 0),
    }
    print(json.dumps(result), flush=True)
    return result


if __name__ == "__main__":
    main(float(os.environ.get("BENCH_SCALE", "1.0")))
