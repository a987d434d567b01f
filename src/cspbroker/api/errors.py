"""How every error leaves the API: RFC 9457 problem+json with a stable `code`.

One table (`HANDLERS`) maps an exception class to its response. The API registers it (`app.py`)
and the idempotency decorator asks it directly (`problem_for`), so an answer stored for replay is
exactly the one the API would have given, without the decorator importing the API it serves.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.http import Http404, HttpRequest, HttpResponse
from ninja.errors import AuthenticationError, HttpError, ValidationError

from cspbroker.accounts.services import PermissionDenied
from cspbroker.api.auth import InvalidToken
from cspbroker.api.problems import problem
from cspbroker.domain.errors import DomainError

log = logging.getLogger("cspbroker.api")


def invalid_token(request: HttpRequest, exc: InvalidToken) -> HttpResponse:
    return problem(
        401,
        "invalid_token",
        "Invalid API token",
        "The API token is malformed, unknown or revoked.",
        request=request,
    )


def unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return problem(
        401,
        "not_authenticated",
        "Authentication required",
        "Send `Authorization: Bearer <token>` or log in.",
        request=request,
    )


def invalid_request(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors = [
        {"field": ".".join(str(p) for p in e.get("loc", [])[1:]) or None, "message": e.get("msg", "")}
        for e in exc.errors
    ]
    return problem(
        422,
        "invalid_request",
        "The request is not valid",
        "See `errors` for each field.",
        request=request,
        errors=errors,
    )


def permission_denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return problem(403, exc.code, "Not allowed", exc.message, request=request, field=exc.field)


def domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    return problem(422, exc.code, "The request breaks a rule", exc.message, request=request, field=exc.field)


def not_found(request: HttpRequest, exc: Exception) -> HttpResponse:
    return problem(
        404, "not_found", "Not found", "There is no such object, or it is not yours to see.", request=request
    )


def object_not_found(request: HttpRequest, exc: Exception) -> HttpResponse:
    return not_found(request, exc)


def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return problem(exc.status_code, "http_error", str(exc), request=request)


def unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
    log.exception("Unhandled API error on %s", request.path)
    return problem(
        500,
        "internal_error",
        "Something went wrong on our side",
        "The error was logged; try again or contact the operator.",
        request=request,
    )


Handler = Callable[[HttpRequest, Any], HttpResponse]

HANDLERS: tuple[tuple[type[Exception], Handler], ...] = (
    (InvalidToken, invalid_token),
    (AuthenticationError, unauthenticated),
    (ValidationError, invalid_request),
    (PermissionDenied, permission_denied),
    (DomainError, domain_error),
    (Http404, not_found),
    (ObjectDoesNotExist, object_not_found),
    (HttpError, http_error),
    (Exception, unexpected),
)
_BY_CLASS = dict(HANDLERS)


def problem_for(request: HttpRequest, error: Exception) -> HttpResponse:
    """The response for `error`: the handler of its nearest class, as ninja looks it up."""
    handler = next(_BY_CLASS[cls] for cls in type(error).__mro__ if cls in _BY_CLASS)
    return handler(request, error)
