"""API authentication: a personal token (`Authorization: Bearer cspb_…`) or the browser session."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.security import APIKeyCookie, HttpBearer

from cspbroker.accounts.access import Actor, actor_for
from cspbroker.accounts.services import authenticate_token


class InvalidToken(Exception):
    """A bearer token was given but is malformed, unknown or revoked."""


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Actor:
        found = authenticate_token(token)
        if found is None:
            raise InvalidToken()
        user, api_token = found
        return actor_for(user, via="api", token_id=api_token.pk)


class SessionAuth(APIKeyCookie):
    """The logged-in browser session; unsafe methods need the CSRF token, as on the pages."""

    param_name = "sessionid"

    def authenticate(self, request: HttpRequest, key: str | None) -> Actor | None:
        user: Any = request.user
        if user is not None and user.is_authenticated:
            return actor_for(user, via="api")
        return None


def actor(request: HttpRequest) -> Actor:
    """The authenticated actor of an API request."""
    return request.auth  # type: ignore[attr-defined,no-any-return]
