"""Seek paging (links.next + MS-ContinuationToken) and offset paging."""

from __future__ import annotations

from typing import Any

import pytest

from cspbroker.providers.auth import StaticBearerToken
from cspbroker.providers.errors import ProviderError
from cspbroker.providers.http import ProviderHttpClient
from cspbroker.providers.paging import iterate_offset, iterate_seek, resolve_link

from .support import BASE_URL, FakeProvider, collection, make_client, respond


def http(fake: FakeProvider) -> ProviderHttpClient:
    return ProviderHttpClient(
        BASE_URL, StaticBearerToken("tok"), transport=fake.transport, sleep=lambda _: None
    )


def customer(n: int) -> dict[str, Any]:
    return {"id": f"c{n}", "companyProfile": {"domain": f"c{n}.onmicrosoft.com"}}


def test_customers_are_read_over_three_seek_pages() -> None:
    fake = FakeProvider(
        respond(
            200, collection([customer(1), customer(2)], "/customers?size=2&seekOperation=Next", "AQAAAA==")
        ),
        respond(
            200, collection([customer(3), customer(4)], "/customers?size=2&seekOperation=Next", "AQAAAB==")
        ),
        respond(200, collection([customer(5)])),
    )

    customers = list(make_client(fake).list_customers(page_size=2))

    assert [c.id for c in customers] == ["c1", "c2", "c3", "c4", "c5"]
    first, second, third = fake.requests
    assert str(first.url) == f"{BASE_URL}/v1/customers?size=2"
    assert "MS-ContinuationToken" not in first.headers
    assert str(second.url) == f"{BASE_URL}/v1/customers?size=2&seekOperation=Next"
    assert second.headers["MS-ContinuationToken"] == "AQAAAA=="
    assert third.headers["MS-ContinuationToken"] == "AQAAAB=="
    assert len({r.headers["MS-RequestId"] for r in fake.requests}) == 3


def test_paging_is_lazy_and_stops_when_the_caller_stops() -> None:
    fake = FakeProvider(respond(200, collection([customer(1)], "/customers?seekOperation=Next", "T")))

    pages = make_client(fake).list_customers()
    assert fake.requests == []
    assert next(pages).id == "c1"
    assert len(fake.requests) == 1


def test_an_empty_page_ends_paging_even_with_a_next_link() -> None:
    fake = FakeProvider(respond(200, collection([], "/customers?seekOperation=Next", "T")))

    assert list(make_client(fake).list_customers()) == []


def test_a_repeated_next_link_is_an_error_not_an_endless_loop() -> None:
    page = collection([customer(1)], "/customers?seekOperation=Next", "SAME")
    fake = FakeProvider(respond(200, page), respond(200, page), respond(200, page))

    with pytest.raises(ProviderError, match="loops"):
        list(make_client(fake).list_customers())


def test_next_headers_may_also_come_as_a_map() -> None:
    page: dict[str, Any] = {
        "items": [{"id": "x"}],
        "links": {"next": {"uri": "/v1/things?p=2", "headers": {"MS-ContinuationToken": "Z"}}},
    }
    fake = FakeProvider(respond(200, page), respond(200, {"items": [{"id": "y"}]}))

    ids = [item["id"] for item in iterate_seek(http(fake), "/v1/things", dict)]

    assert ids == ["x", "y"]
    assert str(fake.requests[1].url) == f"{BASE_URL}/v1/things?p=2"
    assert fake.requests[1].headers["MS-ContinuationToken"] == "Z"


@pytest.mark.parametrize(
    ("uri", "expected"),
    [
        ("/customers?size=2&seekOperation=Next", "/v1/customers?size=2&seekOperation=Next"),
        ("customers?seekOperation=Next", "/v1/customers?seekOperation=Next"),
        ("/v1/customers?seekOperation=Next", "/v1/customers?seekOperation=Next"),
        (
            "https://other.example.test/v1/x?seekOperation=Next",
            "https://other.example.test/v1/x?seekOperation=Next",
        ),
    ],
)
def test_next_links_resolve_against_the_versioned_root(uri: str, expected: str) -> None:
    assert resolve_link(uri, "/v1") == expected


def test_offset_paging_asks_for_size_and_offset_until_a_short_page() -> None:
    fake = FakeProvider(
        respond(200, {"totalCount": 2, "items": [{"id": "i1"}, {"id": "i2"}]}),
        respond(200, {"totalCount": 2, "items": [{"id": "i3"}, {"id": "i4"}]}),
        respond(200, {"totalCount": 1, "items": [{"id": "i5"}]}),
    )

    ids = [item["id"] for item in iterate_offset(http(fake), "/v1/invoices", dict, size=2)]

    assert ids == ["i1", "i2", "i3", "i4", "i5"]
    assert [r.url.params["offset"] for r in fake.requests] == ["0", "2", "4"]
    assert {r.url.params["size"] for r in fake.requests} == {"2"}
