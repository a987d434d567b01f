"""Azure-AD-shaped tokens for the sandboxes.

`TokenIssuer.issue(client_id, client_secret)` returns the v1 token response (numbers as strings, like
Azure AD v1: `"expires_in": "3600"`). Access tokens are HS256 JWTs signed with a key derived from the
configured secret, so they survive restarts and need no table. Expiry uses real time, not the sandbox
clock, so moving the clock forward never invalidates a client's token.

`token_routes(issuer, paths)` gives Starlette routes for form-encoded token requests
(`grant_type=client_credentials`, also `authorization_code` and `refresh_token` for app+user flows);
client credentials may come in the form or as HTTP Basic.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import uuid
from typing import Any
from urllib.parse import parse_qs

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from .config import SandboxConfig
from .store import Store

TOKEN_LIFETIME_SECONDS = 3600
DEFAULT_RESOURCE = "https://api.partnercenter.microsoft.com"


class TokenError(Exception):
    def __init__(self, status: int, error: str, aadsts: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.error = error
        self.aadsts = aadsts
        self.message = message

    def body(self) -> dict[str, Any]:
        trace = str(uuid.uuid4())
        correlation = str(uuid.uuid4())
        stamp = time.strftime("%Y-%m-%d %H:%M:%SZ", time.gmtime())
        return {
            "error": self.error,
            "error_description": f"AADSTS{self.aadsts}: {self.message}\r\nTrace ID: {trace}\r\n"
            f"Correlation ID: {correlation}\r\nTimestamp: {stamp}",
            "error_codes": [self.aadsts],
            "timestamp": stamp,
            "trace_id": trace,
            "correlation_id": correlation,
        }


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class TokenIssuer:
    def __init__(self, config: SandboxConfig, store: Store | None = None) -> None:
        self.config = config
        self.store = store
        self._key = hashlib.sha256(
            f"cspbroker-sandbox|{config.partner_tenant_id}|{config.client_secret}".encode()
        ).digest()

    def _sign(self, claims: dict[str, Any]) -> str:
        header = _b64(json.dumps({"typ": "JWT", "alg": "HS256"}).encode())
        payload = _b64(json.dumps(claims, separators=(",", ":")).encode())
        signature = hmac.new(self._key, f"{header}.{payload}".encode(), hashlib.sha256).digest()
        return f"{header}.{payload}.{_b64(signature)}"

    def decode(self, token: str) -> dict[str, Any] | None:
        """The claims of a valid, unexpired token of ours, else None."""
        parts = token.split(".")
        if len(parts) != 3:
            return None
        expected = hmac.new(self._key, f"{parts[0]}.{parts[1]}".encode(), hashlib.sha256).digest()
        try:
            if not hmac.compare_digest(expected, _unb64(parts[2])):
                return None
            claims: dict[str, Any] = json.loads(_unb64(parts[1]))
        except ValueError:
            return None
        if int(claims.get("exp", 0)) < time.time():
            return None
        return claims

    def check_client(self, client_id: str | None, client_secret: str | None) -> None:
        if not client_id:
            raise TokenError(
                400,
                "invalid_request",
                900144,
                "The request body must contain the following parameter: 'client_id'.",
            )
        if client_id != self.config.client_id:
            raise TokenError(
                401,
                "invalid_client",
                700016,
                f"Application with identifier '{client_id}' was not found in the directory "
                f"'{self.config.partner_tenant_id}'.",
            )
        if not client_secret or not hmac.compare_digest(client_secret, self.config.client_secret):
            raise TokenError(
                401,
                "invalid_client",
                7000215,
                "Invalid client secret provided. Ensure the secret being sent in the request is the "
                f"client secret value, not the client secret ID, for a secret added to app '{client_id}'.",
            )

    def issue(
        self,
        client_id: str | None,
        client_secret: str | None,
        resource: str | None = None,
        *,
        with_refresh_token: bool = False,
    ) -> dict[str, Any]:
        """The token response for valid credentials; raises `TokenError` otherwise."""
        self.check_client(client_id, client_secret)
        now = int(time.time())
        expires = now + TOKEN_LIFETIME_SECONDS
        claims = {
            "aud": resource or DEFAULT_RESOURCE,
            "iss": f"https://sts.windows.net/{self.config.partner_tenant_id}/",
            "iat": now,
            "nbf": now,
            "exp": expires,
            "appid": client_id,
            "tid": self.config.partner_tenant_id,
            "oid": str(uuid.uuid5(uuid.NAMESPACE_URL, f"sandbox:{client_id}")),
            "jti": str(uuid.uuid4()),
        }
        response = {
            "token_type": "Bearer",
            "expires_in": str(TOKEN_LIFETIME_SECONDS),
            "ext_expires_in": str(TOKEN_LIFETIME_SECONDS),
            "expires_on": str(expires),
            "not_before": str(now),
            "resource": resource or DEFAULT_RESOURCE,
            "access_token": self._sign(claims),
        }
        if with_refresh_token:
            response["refresh_token"] = self._sign({**claims, "typ": "refresh", "exp": now + 90 * 86400})
        return response

    def refresh(
        self, client_id: str | None, client_secret: str | None, refresh_token: str, resource: str | None
    ) -> dict[str, Any]:
        self.check_client(client_id, client_secret)
        claims = self.decode(refresh_token)
        if claims is None or claims.get("typ") != "refresh":
            raise TokenError(400, "invalid_grant", 700082, "The refresh token has expired or is invalid.")
        return self.issue(client_id, client_secret, resource, with_refresh_token=True)

    def claims_for(self, authorization_header: str | None) -> dict[str, Any] | None:
        if not authorization_header:
            return None
        scheme, _, token = authorization_header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return None
        claims = self.decode(token.strip())
        if claims is None or claims.get("typ") == "refresh":
            return None
        return claims

    def verify(self, authorization_header: str | None) -> bool:
        return self.claims_for(authorization_header) is not None


def _credentials(request: Request, form: dict[str, str]) -> tuple[str | None, str | None]:
    client_id, client_secret = form.get("client_id"), form.get("client_secret")
    scheme, _, encoded = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "basic" and encoded:
        try:
            basic_id, _, basic_secret = base64.b64decode(encoded).decode().partition(":")
        except ValueError:
            basic_id, basic_secret = "", ""
        client_id = client_id or basic_id
        client_secret = client_secret or basic_secret
    return client_id, client_secret


def token_routes(issuer: TokenIssuer, paths: list[str]) -> list[Route]:
    """POST routes answering form-encoded token requests at each of `paths` (may hold `{tenant}`)."""

    async def token(request: Request) -> Response:
        raw = (await request.body()).decode("utf-8", errors="replace")
        form = {key: values[0] for key, values in parse_qs(raw).items()}
        grant = form.get("grant_type")
        client_id, client_secret = _credentials(request, form)
        resource = form.get("resource") or form.get("scope")
        try:
            if grant == "client_credentials":
                body = issuer.issue(client_id, client_secret, resource)
            elif grant == "authorization_code":
                if not form.get("code"):
                    raise TokenError(
                        400,
                        "invalid_grant",
                        900144,
                        "The request body must contain the following parameter: 'code'.",
                    )
                body = issuer.issue(client_id, client_secret, resource, with_refresh_token=True)
            elif grant == "refresh_token":
                body = issuer.refresh(client_id, client_secret, form.get("refresh_token", ""), resource)
            elif not grant:
                raise TokenError(
                    400,
                    "invalid_request",
                    900144,
                    "The request body must contain the following parameter: 'grant_type'.",
                )
            else:
                raise TokenError(
                    400,
                    "unsupported_grant_type",
                    70003,
                    f"The app requested an unsupported grant type '{grant}'.",
                )
        except TokenError as error:
            return JSONResponse(error.body(), status_code=error.status)
        return JSONResponse(body, headers={"cache-control": "no-store, no-cache", "pragma": "no-cache"})

    return [Route(path, token, methods=["POST"]) for path in paths]
