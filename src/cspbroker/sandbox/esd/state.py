"""The ESD sandbox's state and rules: synchronised accounts, the perpetual catalog, issued tokens.

Rules modelled on seed 003 and the Microsoft perpetual-software policy (reference §3, §4.3):
- account synchronisation: a reseller has no parent account, the Microsoft contact email and role Reseller;
  an end customer has role User and (as seed 003 says) a blank parent — we also accept the id of a
  synchronised reseller as its parent, because a reseller's customer belongs to that reseller;
- tokens are issued only for synchronised accounts, one per licence, each with a product key, an
  activation link and a download link that expires after 5 days (a new one can be requested);
- a token can be returned within 30 days of issue (the 30-day full refund of perpetual software).
"""

from __future__ import annotations

import hashlib
import json
import re
import uuid
from collections.abc import Mapping
from datetime import datetime, timedelta
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

from cspbroker.sandbox.common.clock import SandboxClock
from cspbroker.sandbox.common.store import Store

ACCOUNTS = "accounts"
TOKENS = "tokens"
PRODUCTS_FILE = Path(__file__).with_name("products.json")

DOWNLOAD_LINK_LIFETIME = timedelta(days=5)
RETURN_WINDOW = timedelta(days=30)
MAX_QUANTITY = 100
ROLES = {"reseller": "Reseller", "user": "User"}
ACCOUNT_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[A-Za-z]{2,}")
# Microsoft product keys use 24 characters: no vowels, no 0/1/5 and no easily confused letters.
KEY_ALPHABET = "BCDFGHJKMPQRTVWXY2346789"


class EsdError(Exception):
    """A refusal the ESD service would send: HTTP status, a stable code, a sentence, details."""

    def __init__(self, status: int, code: str, description: str, data: list[Any] | None = None) -> None:
        super().__init__(description)
        self.status = status
        self.code = code
        self.description = description
        self.data = data or []


def _timestamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _parse(timestamp: str) -> datetime:
    return datetime.fromisoformat(timestamp.replace("Z", "+00:00"))


def _digest(*parts: object) -> bytes:
    return hashlib.sha256("|".join(str(part) for part in parts).encode("utf-8")).digest()


def stable_uuid(*parts: object) -> str:
    return str(uuid.UUID(bytes=_digest(*parts)[:16], version=4))


def product_key(*parts: object) -> str:
    """XXXXX-XXXXX-XXXXX-XXXXX-XXXXX from the key alphabet, derived from `parts`."""
    number = int.from_bytes(_digest("product-key", *parts), "big")
    characters = []
    for _ in range(25):
        number, index = divmod(number, len(KEY_ALPHABET))
        characters.append(KEY_ALPHABET[index])
    return "-".join("".join(characters[group * 5 : group * 5 + 5]) for group in range(5))


@cache
def load_products(path: Path = PRODUCTS_FILE) -> dict[str, dict[str, Any]]:
    raw = json.loads(path.read_text(encoding="utf-8"))
    return {product["productId"]: product for product in raw["products"]}


def product_view(product: Mapping[str, Any]) -> dict[str, Any]:
    return {
        **{key: value for key, value in product.items() if key != "unitPrices"},
        "unitPrices": [
            {"currency": currency, "amount": Decimal(amount)}
            for currency, amount in product["unitPrices"].items()
        ],
    }


def _text(body: Mapping[str, Any], name: str) -> str:
    value = body.get(name)
    return value.strip() if isinstance(value, str) else ""


class EsdState:
    def __init__(self, *, store: Store, clock: SandboxClock, seed: int) -> None:
        self.store = store
        self.clock = clock
        self.seed = str(seed)
        self.products = load_products()

    # -- accounts ------------------------------------------------------------------------------

    def account(self, account_id: str) -> dict[str, Any]:
        account = self.store.get(ACCOUNTS, account_id)
        if account is None:
            raise EsdError(
                404,
                "AccountNotFound",
                f"Account {account_id} has never been synchronised with the ESD service.",
            )
        return account

    def accounts(self) -> list[dict[str, Any]]:
        return self.store.list(ACCOUNTS)

    def _account_errors(self, account_id: str, body: Mapping[str, Any]) -> list[dict[str, str]]:
        errors: list[dict[str, str]] = []

        def refuse(field: str, code: str, message: str) -> None:
            errors.append({"field": field, "code": code, "message": message})

        if not ACCOUNT_ID.fullmatch(account_id):
            refuse(
                "accountId",
                "InvalidAccountId",
                "The account id is 1 to 64 letters, digits, dots, dashes or underscores.",
            )
        if not _text(body, "name"):
            refuse("name", "MissingName", "The account name is required.")
        email = _text(body, "email")
        if not email:
            refuse(
                "email",
                "MissingEmail",
                "The email is required: use the Microsoft contact email of the account.",
            )
        elif not EMAIL.fullmatch(email):
            refuse("email", "InvalidEmail", f"{email!r} is not a valid email address.")
        role = ROLES.get(_text(body, "role").lower())
        parent = body.get("parentAccountId")
        parent_id = parent.strip() if isinstance(parent, str) else parent
        if role is None:
            refuse(
                "role",
                "InvalidRole",
                "The role must be Reseller (for a reseller) or User (for an end customer).",
            )
        elif role == "Reseller" and parent_id:
            refuse(
                "parentAccountId", "ParentNotAllowed", "A reseller account must have a blank parent account."
            )
        elif role == "User" and parent_id:
            parent_account = self.store.get(ACCOUNTS, str(parent_id))
            if parent_account is None or parent_account["role"] != "Reseller" or parent_id == account_id:
                refuse(
                    "parentAccountId",
                    "InvalidParentAccount",
                    "The parent account must be blank or a synchronised reseller account.",
                )
        return errors

    def sync_account(self, account_id: str, body: Mapping[str, Any]) -> tuple[dict[str, Any], bool]:
        """Create or update the account; returns (account, created)."""
        errors = self._account_errors(account_id, body)
        if errors:
            code = errors[0]["code"] if len(errors) == 1 else "ValidationFailed"
            raise EsdError(400, code, " ".join(error["message"] for error in errors), list(errors))
        now = _timestamp(self.clock.now())
        parent = body.get("parentAccountId")
        with self.store.transaction():
            existing = self.store.get(ACCOUNTS, account_id)
            account = {
                "accountId": account_id,
                "name": _text(body, "name"),
                "email": _text(body, "email"),
                "role": ROLES[_text(body, "role").lower()],
                "parentAccountId": parent.strip() if isinstance(parent, str) and parent.strip() else None,
                "status": "Synchronised",
                "synchronisedAt": now,
                "createdAt": existing["createdAt"] if existing else now,
            }
            self.store.put(ACCOUNTS, account_id, account)
        return account, existing is None

    # -- tokens --------------------------------------------------------------------------------

    def issue_tokens(self, account_id: str, body: Mapping[str, Any], base_url: str) -> list[dict[str, Any]]:
        product_id = _text(body, "productId")
        product = self.products.get(product_id)
        if product is None:
            raise EsdError(
                400, "UnknownProduct", f"Product {product_id or '(none)'} is not in the ESD catalog."
            )
        quantity = body.get("quantity")
        if isinstance(quantity, bool) or not isinstance(quantity, int) or not 1 <= quantity <= MAX_QUANTITY:
            raise EsdError(
                400, "InvalidQuantity", f"quantity must be a whole number from 1 to {MAX_QUANTITY}."
            )
        order_reference = _text(body, "orderReference")
        if not order_reference or len(order_reference) > 100:
            raise EsdError(
                400, "InvalidOrderReference", "orderReference is required (at most 100 characters)."
            )
        account = self.store.get(ACCOUNTS, account_id)
        if account is None or account["status"] != "Synchronised":
            raise EsdError(
                409,
                "AccountNotSynchronised",
                f"Account {account_id} is not synchronised with the ESD service: synchronise it "
                f"(PUT /api/v1/accounts/{account_id}) before ordering.",
            )
        now = self.clock.now()
        tokens = []
        with self.store.transaction():
            for _ in range(quantity):
                number = self.store.next_seq("token")
                token_id = stable_uuid(self.seed, "token", number)
                token = {
                    "tokenId": token_id,
                    "accountId": account_id,
                    "productId": product_id,
                    "productName": product["name"],
                    "orderReference": order_reference,
                    "productKey": product_key(self.seed, token_id),
                    "activationLink": f"{base_url}/activate/{token_id}",
                    "downloadLink": f"{base_url}/download/{token_id}?v=1",
                    "issuedAt": _timestamp(now),
                    "downloadLinkExpiresAt": _timestamp(now + DOWNLOAD_LINK_LIFETIME),
                    "returnableUntil": _timestamp(now + RETURN_WINDOW),
                    "status": "Issued",
                    "returnedAt": None,
                }
                self.store.put(TOKENS, token_id, token, parent=account_id)
                tokens.append(token)
        return tokens

    def token(self, token_id: str) -> dict[str, Any]:
        token = self.store.get(TOKENS, token_id)
        if token is None:
            raise EsdError(404, "TokenNotFound", f"Token {token_id} was not found.")
        return token

    def tokens_of(self, account_id: str) -> list[dict[str, Any]]:
        self.account(account_id)
        return self.store.list(TOKENS, parent=account_id)

    def return_token(self, token_id: str) -> dict[str, Any]:
        with self.store.transaction():
            token = self.token(token_id)
            if token["status"] == "Returned":
                raise EsdError(409, "TokenAlreadyReturned", f"Token {token_id} was already returned.")
            now = self.clock.now()
            if now > _parse(token["returnableUntil"]):
                raise EsdError(
                    400,
                    "ReturnWindowExpired",
                    f"Perpetual licences can be returned within 30 days of issue; token {token_id} was "
                    f"issued on {token['issuedAt'][:10]} and could be returned until "
                    f"{token['returnableUntil'][:10]}.",
                )
            token["status"] = "Returned"
            token["returnedAt"] = _timestamp(now)
            self.store.put(TOKENS, token_id, token, parent=token["accountId"])
        return token

    def renew_download_link(self, token_id: str) -> dict[str, Any]:
        with self.store.transaction():
            token = self.token(token_id)
            if token["status"] == "Returned":
                raise EsdError(409, "TokenReturned", f"Token {token_id} was returned: it has no download.")
            now = self.clock.now()
            base, _, version = token["downloadLink"].rpartition("?v=")
            token["downloadLink"] = f"{base}?v={int(version or 1) + 1}"
            token["downloadLinkExpiresAt"] = _timestamp(now + DOWNLOAD_LINK_LIFETIME)
            self.store.put(TOKENS, token_id, token, parent=token["accountId"])
        return token

    def download_expired(self, token: Mapping[str, Any]) -> bool:
        return self.clock.now() > _parse(token["downloadLinkExpiresAt"])
