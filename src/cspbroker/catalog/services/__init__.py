"""Writes of the catalog app: import requests (C1), price lists and markup rules (C2)."""

from cspbroker.catalog.services.imports import request_import
from cspbroker.catalog.services.price_lists import (
    create_markup_rule,
    create_price_list,
    delete_markup_rule,
    delete_price_entry,
    may_manage,
    set_price_entry,
    update_price_list,
)

__all__ = [
    "create_markup_rule",
    "create_price_list",
    "delete_markup_rule",
    "delete_price_entry",
    "may_manage",
    "request_import",
    "set_price_entry",
    "update_price_list",
]
