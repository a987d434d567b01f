"""Paging over provider collections, as generators of parsed items.

Partner Center has two styles (reference §1.6):

- seek paging: the response's `links.next` carries a `uri` (with `seekOperation=Next`) and the
  headers to send with it, notably `MS-ContinuationToken`; used by customers, users, audit records
  and invoice line items;
- offset paging: `size` and `offset` query parameters; used by invoices.

Each page is its own logical call (its own request id), retried like any other.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any, TypeVar
from urllib.parse import urlsplit

from cspbroker.providers.errors import ProviderError
from cspbroker.providers.http import ProviderHttpClient, QueryParams
from cspbroker.providers.parsing import as_list, as_mapping, opt_str

__all__ = ["MAX_PAGES", "NextLink", "items_of", "iterate_offset", "iterate_seek", "next_link"]

T = TypeVar("T")

# A guard against a provider that keeps sending the same next link forever.
MAX_PAGES = 100_000


class NextLink:
    """Where the next page is, and the headers (the continuation token) to send with it."""

    def __init__(self, uri: str, headers: Mapping[str, str]) -> None:
        self.uri = uri
        self.headers = dict(headers)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, NextLink) and (self.uri, self.headers) == (other.uri, other.headers)

    def __hash__(self) -> int:
        return hash((self.uri, tuple(sorted(self.headers.items()))))

    def __repr__(self) -> str:
        return f"NextLink(uri={self.uri!r}, headers={sorted(self.headers)!r})"


def items_of(body: Any) -> list[Any]:
    """The items of a collection envelope `{totalCount, items, links}`; a bare list is accepted."""
    if isinstance(body, list):
        return body
    return as_list(as_mapping(body).get("items"))


def next_link(body: Any) -> NextLink | None:
    """The `links.next` of a collection, with its headers given as `[{key, value}]` or a map."""
    link = as_mapping(as_mapping(as_mapping(body).get("links")).get("next"))
    uri = opt_str(link.get("uri"))
    if not uri:
        return None
    headers: dict[str, str] = {}
    raw_headers = link.get("headers")
    if isinstance(raw_headers, list):
        for header in raw_headers:
            key = opt_str(as_mapping(header).get("key"))
            value = opt_str(as_mapping(header).get("value"))
            if key and value is not None:
                headers[key] = value
    elif isinstance(raw_headers, Mapping):
        headers = {str(k): str(v) for k, v in raw_headers.items() if v is not None}
    return NextLink(uri, headers)


def resolve_link(uri: str, root: str) -> str:
    """Turn a `links.next.uri` into a path for the HTTP client.

    Partner Center writes these links relative to the versioned root (`/customers?…` meaning
    `/v1/customers?…`); absolute URLs and paths that already start with the root are kept.
    """
    if urlsplit(uri).scheme in ("http", "https"):
        return uri
    root = "/" + root.strip("/") if root.strip("/") else ""
    path = uri if uri.startswith("/") else "/" + uri
    if not root or path == root or path.startswith(root + "/") or path.startswith(root + "?"):
        return path
    return root + path


def iterate_seek(
    http: ProviderHttpClient,
    path: str,
    parse: Callable[[Mapping[str, Any]], T],
    *,
    params: QueryParams | None = None,
    headers: Mapping[str, str] | None = None,
    root: str = "/v1",
) -> Iterator[T]:
    """Yield every item over all pages, following `links.next` and its continuation headers."""
    response = http.get(path, params=params, headers=headers)
    seen: set[NextLink] = set()
    for _ in range(MAX_PAGES):
        for item in items_of(response.body):
            yield parse(as_mapping(item))
        link = next_link(response.body)
        if link is None or not items_of(response.body):
            return
        if link in seen:
            raise ProviderError(f"paging of {path} loops: the provider repeated a next link")
        seen.add(link)
        response = http.get(resolve_link(link.uri, root), headers={**(headers or {}), **link.headers})
    raise ProviderError(f"paging of {path} exceeded {MAX_PAGES} pages")


def iterate_offset(
    http: ProviderHttpClient,
    path: str,
    parse: Callable[[Mapping[str, Any]], T],
    *,
    size: int,
    params: QueryParams | None = None,
    size_param: str = "size",
    offset_param: str = "offset",
) -> Iterator[T]:
    """Yield every item, asking for `size` items at increasing offsets until a short page."""
    if size < 1:
        raise ValueError("page size must be positive")
    offset = 0
    for _ in range(MAX_PAGES):
        response = http.get(path, params={**(params or {}), size_param: size, offset_param: offset})
        items = items_of(response.body)
        for item in items:
            yield parse(as_mapping(item))
        offset += len(items)
        # Stop on a short page only: Partner Center's `totalCount` counts the items of the page,
        # not of the collection, so it cannot tell whether more pages follow.
        if len(items) < size:
            return
    raise ProviderError(f"paging of {path} exceeded {MAX_PAGES} pages")
