"""How imports run: set-based (no N+1), in the worker after commit, from the API, a page and the CLI,
and from a distributor."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection as db
from django.db import transaction
from django.test.utils import CaptureQueriesContext

from cspbroker.accounts import services as accounts
from cspbroker.accounts.access import SYSTEM
from cspbroker.accounts.models import User
from cspbroker.catalog.importer import apply_snapshot
from cspbroker.catalog.models import CatalogImport, Offer, Product, ProviderPrice
from cspbroker.catalog.snapshot import (
    AvailabilityData,
    CatalogSnapshot,
    OfferData,
    PriceData,
    ProductData,
    SkuData,
)
from cspbroker.connections import services as connections
from tests.integration.catalog.conftest import import_catalog


def bearer(email: str) -> dict[str, str]:
    user = User.objects.get(email=email)
    return {"HTTP_AUTHORIZATION": f"Bearer {accounts.create_api_token(user_id=user.pk, name='t').secret}"}


def test_the_import_takes_a_fixed_number_of_queries(pc_connection, django_assert_max_num_queries):
    from cspbroker.catalog import services
    from cspbroker.catalog.jobs import imports
    from cspbroker.catalog.snapshot import no_progress
    from cspbroker.clock import platform_clock

    def run():
        queued = services.request_import(
            actor=SYSTEM, connection_id=pc_connection.pk, clock=platform_clock, enqueue=False
        )
        # Progress writes are throttled by time (one every 0.5 s), so they are left out of the count.
        return imports.run_import(import_id=queued.pk, clock=platform_clock, progress=no_progress)

    # 24 products, 26 SKUs, 74 offers and 148 prices; the bookkeeping of the run included.
    with django_assert_max_num_queries(23):
        first = run()
    with django_assert_max_num_queries(23):
        second = run()
    assert first.summary["created"] == 150 and second.summary["created"] == 0


def _snapshot(products: int, price: str = "10.00") -> CatalogSnapshot:
    snapshot = CatalogSnapshot()
    for number in range(products):
        item = f"P{number:04d}:0001:A{number:04d}"
        offers = (OfferData("P1M", "monthly"), OfferData("P1Y", "annual"))
        availability = AvailabilityData(f"A{number:04d}", item, offers=offers)
        sku = SkuData("0001", f"Product {number}", availabilities=(availability,))
        snapshot.products.append(ProductData(f"P{number:04d}", f"Product {number}", skus=(sku,)))
        snapshot.prices += [PriceData(item, o.term, o.billing_cycle, "EUR", Decimal(price)) for o in offers]
    return snapshot


def _queries(connection, snapshot: CatalogSnapshot) -> int:
    with CaptureQueriesContext(db) as captured, transaction.atomic():
        apply_snapshot(connection, snapshot, now=datetime.now(UTC))
    return len(captured.captured_queries)


def test_the_number_of_queries_does_not_grow_with_the_catalog(demo, pc_connection):
    other = connections.create_connection(
        actor=SYSTEM,
        organization_id=demo.organizations["tailspin"].pk,
        kind="partner_center",
        name="Second",
        base_url="http://127.0.0.1:9",
        token_url="http://127.0.0.1:9/{tenant}/t",
        tenant_id=str(uuid.uuid4()),
        client_id=str(uuid.uuid4()),
        client_secret="x",
    )
    assert _queries(pc_connection, _snapshot(5)) == _queries(other, _snapshot(50))  # creating
    assert _queries(pc_connection, _snapshot(5, "11.00")) == _queries(
        other, _snapshot(50, "11.00")
    )  # re-pricing
    assert ProviderPrice.objects.filter(offer__availability__sku__product__connection=other).count() == 200
    assert _queries(pc_connection, _snapshot(0)) == _queries(other, _snapshot(0))  # all withdrawn
    assert not Offer.objects.filter(is_available=True).exists()


@pytest.fixture
def inline_after_commit(huey_inline, django_capture_on_commit_callbacks):
    """Run what services enqueue after commit, at once (the worker, inline)."""

    def run(call):
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            result = call()
        assert callbacks, "the task is enqueued after commit"
        return result

    return run


def test_staff_enqueue_an_import_through_the_api_and_follow_it(demo, pc_connection, inline_after_commit):
    headers = bearer("admin@alpine-cloud.example")
    response = inline_after_commit(
        lambda: demo.client_for("admin@alpine-cloud.example").post(
            "/api/v1/catalog/imports",
            {"connection_id": pc_connection.pk},
            content_type="application/json",
            **headers,
        )
    )
    assert response.status_code == 202, response.content
    status = demo.client_for("admin@alpine-cloud.example").get(
        f"/api/v1/catalog/imports/{response.json()['id']}"
    )
    body = status.json()
    assert body["status"] == "succeeded" and body["summary"]["levels"]["products"]["created"] == 24
    assert body["steps_done"] == body["steps_total"] > 0


def test_only_those_who_administer_the_connection_may_import(demo, pc_connection):
    url, body = "/api/v1/catalog/imports", {"connection_id": pc_connection.pk}
    reseller = demo.client_for("admin@tailspin.example").post(url, body, content_type="application/json")
    customer = demo.client_for("admin@adventureworks.example").post(
        url, body, content_type="application/json"
    )
    assert (
        reseller.status_code == 404 and customer.status_code == 404
    )  # the operator's connection is not theirs
    assert not CatalogImport.objects.exists()


def test_the_import_button_enqueues_and_the_page_shows_progress_then_the_summary(
    demo, pc_connection, inline_after_commit
):
    client = demo.client_for("admin@alpine-cloud.example")
    page = client.get("/backoffice/catalog/")
    assert "Import catalog" in page.content.decode() and "Never imported" in page.content.decode()
    fragment = inline_after_commit(
        lambda: client.post(
            "/backoffice/catalog/imports/", {"connection": pc_connection.pk}, HTTP_HX_REQUEST="true"
        )
    )
    assert fragment.status_code == 200
    assert 'hx-trigger="every 1s"' in fragment.content.decode()  # queued: the fragment polls itself
    run = CatalogImport.objects.get()
    assert run.requested_by.startswith("user:")
    text = client.get(f"/backoffice/catalog/imports/{run.pk}/").content.decode()  # the worker has run it
    assert "150 created" in text and "provider prices 148 new" in text and "every 1s" not in text
    # While an import runs, its fragment polls itself.
    CatalogImport.objects.filter(pk=run.pk).update(status="running", steps_done=13, steps_total=30)
    polling = client.get(f"/backoffice/catalog/imports/{run.pk}/").content.decode()
    assert 'hx-trigger="every 1s"' in polling and 'value="43"' in polling


def test_an_import_already_queued_is_not_queued_twice(demo, pc_connection):
    from cspbroker.catalog import services
    from cspbroker.clock import platform_clock

    first = services.request_import(
        actor=SYSTEM, connection_id=pc_connection.pk, clock=platform_clock, enqueue=False
    )
    again = services.request_import(
        actor=SYSTEM, connection_id=pc_connection.pk, clock=platform_clock, enqueue=False
    )
    assert first.pk == again.pk and CatalogImport.objects.count() == 1


def test_the_cli_imports_with_a_summary(pc_connection):
    out = StringIO()
    call_command("catalog_import", "--connection", str(pc_connection.pk), stdout=out)
    text = out.getvalue()
    assert "products" in text and "24" in text and "Provider prices: 148 new, 0 changed" in text
    again = StringIO()
    call_command("catalog_import", stdout=again)
    assert "Provider prices: 0 new, 0 changed" in again.getvalue()
    assert CatalogImport.objects.filter(status="succeeded").count() == 2


def test_the_cli_names_an_unknown_connection(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="No Partner Center or distributor connection with id 999"):
        call_command("catalog_import", "--connection", "999", stdout=StringIO())


@pytest.fixture
def distributor(tmp_path):
    from cspbroker.sandbox.common.config import SandboxConfig
    from cspbroker.sandbox.distributor.app import create_app
    from tests.sandbox_servers import running_app

    client_id = str(uuid.uuid4())
    config = SandboxConfig(
        state_dir=tmp_path,
        client_id=client_id,
        client_secret="dist-secret",
        partner_tenant_id=str(uuid.uuid4()),
    )
    with running_app(create_app(config)) as url:
        yield url, client_id


def test_a_distributor_price_list_is_imported_by_the_distributors_product_guid(demo, distributor):
    url, client_id = distributor
    connection = connections.create_connection(
        actor=SYSTEM,
        organization_id=demo.organizations["tailspin"].pk,
        kind="distributor",
        name="Distributor",
        base_url=url,
        token_url=f"{url}/core/connect/token",
        client_id=client_id,
        client_secret="dist-secret",
    )
    run = import_catalog(connection)
    assert run.status == "succeeded", run.message
    basic = Product.objects.get(
        connection=connection, provider_product_id="5f93532b-1b18-4087-9f0d-a72e5171c491"
    )
    assert (basic.title, basic.category) == ("Microsoft 365 Business Basic", "Microsoft 365")
    prices = {
        o.billing_cycle: o.provider_prices.get().unit_price
        for o in Offer.objects.filter(availability__sku__product=basic)
    }
    monthly = prices["monthly"]
    assert prices["annual"] == monthly * 12  # PRISM prices per month; an annual offer costs twelve of them
    assert (
        ProviderPrice.objects.filter(offer__availability__sku__product=basic).values_list(
            "currency", flat=True
        )[0]
        == "AUD"
    )
    meter = Product.objects.get(connection=connection, product_group="Usage", title__startswith="Storage")
    assert not meter.skus.get().availabilities.get().is_purchasable  # metered usage is rated, never sold
    assert import_catalog(connection).summary["created"] == 0
