"""The catalog: products → SKUs → availabilities (with terms), and the sandbox price sheet.

`Catalog` indexes `catalog_data.PRODUCTS` and renders Partner Center's Product / Sku / Availability
shapes. Prices are not part of those shapes in the real API (they live in the price sheet), so the
sandbox adds `GET /v1/sandbox/pricesheet?market=US|DE&currency=USD|EUR` (sandbox-specific, see
`price_sheet`) and puts `pricing` on order line items when `include_price=true`.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ..common.errors import ApiError
from .catalog_data import EURO_COUNTRIES, PRODUCTS
from .http import collection, link, respond

VIEWS = ("OnlineServices", "Software", "SoftwarePerpetual", "SoftwareSubscriptions")
CURRENCY_SYMBOLS = {"USD": "$", "EUR": "€"}
TERM_CYCLE_WIRE = {
    "monthly": "Monthly",
    "annual": "Annual",
    "triennial": "Triennial",
    "none": "None",
    "one_time": "OneTime",
}
_TERM_TEXT = {
    ("P1M", "none"): "One-Month commitment for trial",
    ("P1M", "monthly"): "One-Month commitment for monthly billing",
    ("P1Y", "monthly"): "One-Year commitment for monthly/yearly billing",
    ("P1Y", "annual"): "One-Year commitment for monthly/yearly billing",
    ("P3Y", "monthly"): "Three-Year commitment for monthly/yearly/triennial billing",
    ("P3Y", "annual"): "Three-Year commitment for monthly/yearly/triennial billing",
    ("P3Y", "triennial"): "Three-Year commitment for monthly/yearly/triennial billing",
    ("", "one_time"): "Perpetual licence, billed once",
}


def currency_for(country: str) -> str:
    return "EUR" if country.upper() in EURO_COUNTRIES else "USD"


def term_text(term_duration: str, billing_cycle: str) -> str:
    return _TERM_TEXT.get((term_duration, billing_cycle), f"{term_duration} {billing_cycle}")


@dataclass(frozen=True)
class Term:
    duration: str
    billing_cycle: str
    prices: dict[str, Decimal]


@dataclass(frozen=True)
class CatalogItem:
    product: dict[str, Any]
    sku: dict[str, Any]
    terms: tuple[Term, ...]

    @property
    def product_id(self) -> str:
        return str(self.product["id"])

    @property
    def sku_id(self) -> str:
        return str(self.sku["id"])

    @property
    def availability_id(self) -> str:
        return str(self.sku["availabilityId"])

    @property
    def catalog_item_id(self) -> str:
        return f"{self.product_id}:{self.sku_id}:{self.availability_id}"

    @property
    def is_software(self) -> bool:
        return bool(self.product["type"] == "Software")

    @property
    def is_perpetual(self) -> bool:
        return self.is_software and all(term.billing_cycle == "one_time" for term in self.terms)

    @property
    def is_trial(self) -> bool:
        return bool(self.sku.get("isTrial"))

    @property
    def is_addon(self) -> bool:
        return bool(self.sku.get("isAddon"))

    @property
    def title(self) -> str:
        return str(self.sku["title"])

    def term(self, duration: str | None, billing_cycle: str | None) -> Term | None:
        for term in self.terms:
            if term.duration == (duration or "") and term.billing_cycle == (billing_cycle or "").lower():
                return term
        return None

    def price(self, duration: str, billing_cycle: str, currency: str) -> Decimal:
        term = self.term(duration, billing_cycle)
        if term is None:
            raise KeyError((duration, billing_cycle))
        return term.prices[currency]


def _term_id(catalog_item_id: str, term: Term) -> str:
    digest = hashlib.sha256(f"{catalog_item_id}|{term.duration}|{term.billing_cycle}".encode()).digest()
    return base64.b32encode(digest).decode().lower()[:12]


class Catalog:
    def __init__(self, products: list[dict[str, Any]] = PRODUCTS) -> None:
        self.products = {product["id"]: product for product in products}
        self.items: dict[str, CatalogItem] = {}
        self.by_sku: dict[tuple[str, str], CatalogItem] = {}
        for product in products:
            for sku in product["skus"]:
                terms = tuple(
                    Term(duration, cycle, {"USD": Decimal(usd), "EUR": Decimal(eur)})
                    for duration, cycle, usd, eur in sku["terms"]
                )
                item = CatalogItem(product, sku, terms)
                self.items[item.catalog_item_id] = item
                self.by_sku[(product["id"], sku["id"])] = item

    def item(self, catalog_item_id: str) -> CatalogItem | None:
        return self.items.get(catalog_item_id.strip().upper())

    def by_aad_sku(self, aad_sku_id: str) -> CatalogItem | None:
        return next((i for i in self.items.values() if i.sku.get("aadSkuId") == aad_sku_id), None)

    # --- rendering
    def render_product(self, product: dict[str, Any], country: str) -> dict[str, Any]:
        return {
            "id": product["id"],
            "title": product["title"],
            "description": product["description"],
            "productType": {
                "id": product["type"],
                "displayName": product["type"],
                "subType": {"id": product["subType"], "displayName": product["subType"]},
            },
            "isMicrosoftProduct": True,
            "publisherName": "Microsoft Corporation",
            "links": {
                "skus": link(f"/products/{product['id']}/skus?country={country}"),
                "self": link(f"/products/{product['id']}?country={country}"),
            },
            "attributes": {"objectType": "Product"},
        }

    def render_sku(self, item: CatalogItem, country: str) -> dict[str, Any]:
        cycles = sorted({term.billing_cycle for term in item.terms})
        return {
            "id": item.sku_id,
            "productId": item.product_id,
            "title": item.title,
            "description": item.product["description"],
            "minimumQuantity": item.sku["min"],
            "maximumQuantity": item.sku["max"],
            "isTrial": item.is_trial,
            "supportedBillingCycles": cycles,
            "purchasePrerequisites": [],
            "inventoryVariables": [],
            "provisioningVariables": [],
            "actions": [],
            "dynamicAttributes": {
                "isAddon": item.is_addon,
                "prerequisiteSkus": list(item.sku.get("prerequisiteSkus", [])),
                "upgradeTargetOffers": [],
                "hasConstraints": False,
                "isTrial": item.is_trial,
            },
            "consumptionType": "None" if item.is_software else "Licenses",
            "links": {
                "availabilities": link(
                    f"/products/{item.product_id}/skus/{item.sku_id}/availabilities?country={country}"
                ),
                "self": link(f"/products/{item.product_id}/skus/{item.sku_id}?country={country}"),
            },
            "attributes": {"objectType": "Sku"},
        }

    def render_term(self, item: CatalogItem, term: Term) -> dict[str, Any]:
        if term.billing_cycle == "one_time":
            refunds = [{"sequenceId": 0, "type": "Full", "expiresAfter": "P30D"}]
        elif item.is_trial:
            refunds = []
        else:
            refunds = [
                {"sequenceId": 0, "type": "Full", "expiresAfter": "P1D"},
                {"sequenceId": 1, "type": "Partial", "expiresAfter": "P7D"},
            ]
        return {
            "id": _term_id(item.catalog_item_id, term),
            "duration": term.duration,
            "description": term_text(term.duration, term.billing_cycle),
            "billingCycle": TERM_CYCLE_WIRE[term.billing_cycle],
            "renewalOptions": [
                {"termDuration": term.duration, "description": term_text(term.duration, term.billing_cycle)}
            ]
            if term.duration and not item.is_trial
            else [],
            "cancellationPolicies": [{"refundOptions": refunds}],
        }

    def render_availability(self, item: CatalogItem, country: str) -> dict[str, Any]:
        currency = currency_for(country)
        renewable = not item.is_perpetual
        term_ids = [_term_id(item.catalog_item_id, term) for term in item.terms]
        return {
            "id": item.availability_id,
            "productId": item.product_id,
            "skuId": item.sku_id,
            "catalogItemId": item.catalog_item_id,
            "defaultCurrency": {"code": currency, "symbol": CURRENCY_SYMBOLS[currency]},
            "segment": "commercial",
            "country": country,
            "isPurchasable": True,
            "isRenewable": renewable,
            "renewalInstructions": [
                {
                    "applicableTermIds": [term_id],
                    "renewalOptions": [{"renewToId": term_id, "isAutoRenewable": True}],
                }
                for term_id in term_ids
            ]
            if renewable and not item.is_trial
            else [],
            "terms": [self.render_term(item, term) for term in item.terms],
            "includedQuantityOptions": [],
            "product": self.render_product(item.product, country),
            "sku": self.render_sku(item, country),
            "links": {
                "self": link(
                    f"/products/{item.product_id}/skus/{item.sku_id}/availabilities/{item.availability_id}?country={country}"
                )
            },
            "attributes": {"objectType": "Availability"},
        }

    def price_sheet(self, market: str, currency: str) -> list[dict[str, Any]]:
        """Sandbox-specific price sheet rows (the real one is a CSV on api.partner.microsoft.com)."""
        rows = []
        for item in self.items.values():
            tags = ["Trial"] if item.is_trial else ["AddOn"] if item.is_addon else []
            for term in item.terms:
                rows.append(
                    {
                        "market": market,
                        "currency": currency,
                        "productId": item.product_id,
                        "skuId": item.sku_id,
                        "availabilityId": item.availability_id,
                        "catalogItemId": item.catalog_item_id,
                        "productTitle": item.product["title"],
                        "skuTitle": item.title,
                        "publisher": "Microsoft Corporation",
                        "termDuration": term.duration,
                        "billingPlan": term.billing_cycle,
                        "billingCycle": term.billing_cycle,
                        "unitPrice": term.prices[currency],
                        "unitOfMeasure": "1 License",
                        "segment": "Commercial",
                        "tags": tags,
                        "attributes": {"objectType": "PriceSheetItem"},
                    }
                )
        return rows


def _country(request: Request) -> str:
    country = (request.query_params.get("country") or "US").upper()
    if len(country) != 2 or not country.isalpha():
        raise ApiError(400, 800002, "Invalid request input: country must be an ISO 3166 two-letter code.")
    return country


def routes(state: Any) -> list[Route]:
    catalog: Catalog = state.catalog

    def product_or_404(product_id: str) -> dict[str, Any]:
        product = catalog.products.get(product_id.upper())
        if product is None:
            raise ApiError(404, 404, f"Product with id {product_id} was not found.")
        return product

    def item_or_404(product_id: str, sku_id: str) -> CatalogItem:
        product_or_404(product_id)
        item = catalog.by_sku.get((product_id.upper(), sku_id))
        if item is None:
            raise ApiError(404, 404, f"Sku with id {sku_id} was not found for product {product_id}.")
        return item

    async def list_products(request: Request) -> Response:
        country = _country(request)
        view = request.query_params.get("targetView")
        if not view:
            raise ApiError(400, 800002, "Invalid request input: targetView is required.")
        match = next((known for known in VIEWS if known.lower() == view.lower()), None)
        products = [p for p in catalog.products.values() if match in p["views"]] if match else []
        items = [catalog.render_product(p, country) for p in products]
        return respond(collection(items, f"/products?country={country}&targetView={view}"))

    async def get_product(request: Request) -> Response:
        product = product_or_404(request.path_params["product_id"])
        return respond(catalog.render_product(product, _country(request)))

    async def list_skus(request: Request) -> Response:
        product = product_or_404(request.path_params["product_id"])
        country = _country(request)
        items = [
            catalog.render_sku(catalog.by_sku[(product["id"], sku["id"])], country) for sku in product["skus"]
        ]
        return respond(collection(items, f"/products/{product['id']}/skus?country={country}"))

    async def get_sku(request: Request) -> Response:
        item = item_or_404(request.path_params["product_id"], request.path_params["sku_id"])
        return respond(catalog.render_sku(item, _country(request)))

    async def list_availabilities(request: Request) -> Response:
        item = item_or_404(request.path_params["product_id"], request.path_params["sku_id"])
        country = _country(request)
        uri = f"/products/{item.product_id}/skus/{item.sku_id}/availabilities?country={country}"
        return respond(collection([catalog.render_availability(item, country)], uri))

    async def get_availability(request: Request) -> Response:
        item = item_or_404(request.path_params["product_id"], request.path_params["sku_id"])
        if request.path_params["availability_id"].upper() != item.availability_id:
            raise ApiError(
                404, 404, f"Availability with id {request.path_params['availability_id']} was not found."
            )
        return respond(catalog.render_availability(item, _country(request)))

    async def price_sheet(request: Request) -> Response:
        market = (request.query_params.get("market") or "US").upper()
        currency = (request.query_params.get("currency") or currency_for(market)).upper()
        if currency not in CURRENCY_SYMBOLS:
            raise ApiError(400, 800002, "Invalid request input: currency must be USD or EUR.")
        rows = catalog.price_sheet(market, currency)
        return respond(collection(rows, f"/sandbox/pricesheet?market={market}&currency={currency}"))

    base = "/v1/products"
    pairs = [
        ("", list_products),
        ("/{product_id}", get_product),
        ("/{product_id}/skus", list_skus),
        ("/{product_id}/skus/{sku_id}", get_sku),
        ("/{product_id}/skus/{sku_id}/availabilities", list_availabilities),
        ("/{product_id}/skus/{sku_id}/availabilities/{availability_id}", get_availability),
    ]
    found = [Route(base + suffix, endpoint, methods=["GET"]) for suffix, endpoint in pairs]
    scoped = [
        Route("/v1/customers/{customer_id}/products" + suffix, endpoint, methods=["GET"])
        for suffix, endpoint in pairs
    ]
    return [*found, *scoped, Route("/v1/sandbox/pricesheet", price_sheet, methods=["GET"])]
