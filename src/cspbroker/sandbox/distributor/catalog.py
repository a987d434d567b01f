"""The distributor's price list and demo data, read from `seed.json` (data, not code)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

from .usage import price_on

SEED_FILE = Path(__file__).with_name("seed.json")


@dataclass(frozen=True)
class Catalog:
    partner: Mapping[str, Any]
    groups: tuple[Mapping[str, Any], ...]
    products: Mapping[str, Mapping[str, Any]]
    tenants: tuple[Mapping[str, Any], ...]
    taken_prefixes: frozenset[str]

    @property
    def currency(self) -> str:
        return str(self.partner["Currency"])

    def contract_ids(self) -> set[int]:
        return {int(contract["ContractAgreementId"]) for contract in self.partner["ContractAgreements"]}

    def default_contract_id(self) -> int:
        return int(self.partner["ContractAgreements"][0]["ContractAgreementId"])

    def usage_product_ids(self) -> list[str]:
        return [pid for pid, product in self.products.items() if product["ProductType"] == "Usage"]

    def price_list(self, contract_id: int, on: date) -> dict[str, Any]:
        """The PRISM price list shape: `ProductGroups[].Products[]`, prices in force on `on`."""
        return {
            "ContractAgreementId": contract_id,
            "PriceListDate": on.isoformat(),
            "Currency": self.currency,
            "ProductGroups": [
                {
                    "ProductGroupId": group["ProductGroupId"],
                    "ProductGroupName": group["ProductGroupName"],
                    "Products": [
                        _price_list_product(group, product, on)
                        for product in group["Products"]
                        if date.fromisoformat(min(p["EffectiveFrom"] for p in product["Prices"])) <= on
                    ],
                }
                for group in self.groups
            ],
        }


def _price_list_product(group: Mapping[str, Any], product: Mapping[str, Any], on: date) -> dict[str, Any]:
    price = price_on(product, on)
    unit_price = Decimal(price["UnitPrice"])
    retail_unit_price = Decimal(price["RetailUnitPrice"])
    usage = product.get("Usage")
    return {
        "ProductId": product["ProductId"],
        "ProductName": product["ProductName"],
        "ProductGroup": group["ProductGroupName"],
        "ProductGroupId": group["ProductGroupId"],
        "ProductSku": product["ProductSku"],
        "ProductType": product["ProductType"],
        "ProductDescription": product["ProductDescription"],
        "ProductUnit": product["ProductUnit"],
        "ProductFrequencies": list(product["BillingCycleOptions"]),
        "BillingCycleOptions": list(product["BillingCycleOptions"]),
        "BillingCycleDuration": product["BillingCycleDuration"],
        "MinQty": product["MinQty"],
        "MaxQty": product["MaxQty"],
        "Qty": 1,
        "Price": unit_price,
        "UnitPrice": unit_price,
        "RetailPrice": retail_unit_price,
        "RetailUnitPrice": retail_unit_price,
        "PriceEffectiveFrom": price["EffectiveFrom"],
        "BillableRatio": Decimal(usage["BillableRatio"]) if usage else None,
        "CommitmentValue": None,
        "CommitmentValueUnitPrice": None,
        "TieredProductSku": None,
        "IsTrialProduct": product["IsTrialProduct"],
    }


@cache
def load_catalog(path: Path = SEED_FILE) -> Catalog:
    raw = json.loads(path.read_text(encoding="utf-8"))
    groups = tuple(raw["ProductGroups"])
    products = {product["ProductId"]: product for group in groups for product in group["Products"]}
    return Catalog(
        partner=raw["Partner"],
        groups=groups,
        products=products,
        tenants=tuple(raw["Tenants"]),
        taken_prefixes=frozenset(prefix.lower() for prefix in raw["TakenDomainPrefixes"]),
    )
