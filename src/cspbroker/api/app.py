"""The REST API at /api/v1/: one NinjaAPI, its error handlers and its routers."""

from __future__ import annotations

from django.core.exceptions import ObjectDoesNotExist
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from cspbroker.accounts.services import PermissionDenied
from cspbroker.api.auth import InvalidToken, SessionAuth, TokenAuth
from cspbroker.api.problems import problem
from cspbroker.api.routers import (
    approvals,
    billing,
    catalog,
    connections,
    me,
    orders,
    organizations,
    price_lists,
    subscriptions,
    tenants,
)
from cspbroker.domain.errors import DomainError

api = NinjaAPI(
    title="cspbroker API",
    version="1",
    description=(
        "Sell, provision and bill Microsoft CSP licences. Authenticate with a personal API token "
        "(`Authorization: Bearer cspb_…`, created on your account page or with `cspbroker token create`) "
        "or a browser session. Errors are RFC 9457 problem+json with a stable `code`."
    ),
    auth=[TokenAuth(), SessionAuth()],
    urls_namespace="api",
    docs_url="/docs",
    openapi_url="/openapi.json",
)

api.add_router("/me", me.router)
api.add_router("/organizations", organizations.router)
api.add_router("/connections", connections.router)
api.add_router("/catalog", catalog.router)
api.add_router("/price-lists", price_lists.router)
# /customers/{id}/tenants, /tenants/{id}, /tenants/{id}/users, /tenants/{id}/licence-assignments
api.add_router("", tenants.router)
api.add_router("/subscriptions", subscriptions.router)
api.add_router("/orders", orders.router)
api.add_router("/approvals", approvals.router)
api.add_router("/invoices", billing.invoices)
api.add_router("/billing", billing.router)


@api.exception_handler(InvalidToken)
def invalid_token(request: HttpRequest, exc: InvalidToken) -> HttpResponse:
    return problem(
        401,
        "invalid_token",
        "Invalid API token",
        "The API token is malformed, unknown or revoked.",
        request=request,
    )


@api.exception_handler(AuthenticationError)
def unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return problem(
        401,
        "not_authenticated",
        "Authentication required",
        "Send `Authorization: Bearer <token>` or log in.",
        request=request,
    )


@api.exception_handler(ValidationError)
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


@api.exception_handler(PermissionDenied)
def permission_denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return problem(403, exc.code, "Not allowed", exc.message, request=request, field=exc.field)


@api.exception_handler(DomainError)
def domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    return problem(422, exc.code, "The request breaks a rule", exc.message, request=request, field=exc.field)


@api.exception_handler(Http404)
def not_found(request: HttpRequest, exc: Exception) -> HttpResponse:
    return problem(
        404, "not_found", "Not found", "There is no such object, or it is not yours to see.", request=request
    )


@api.exception_handler(ObjectDoesNotExist)
def object_not_found(request: HttpRequest, exc: Exception) -> HttpResponse:
    return not_found(request, exc)


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return problem(exc.status_code, "http_error", str(exc), request=request)


@api.exception_handler(Exception)
def unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
    import logging

    logging.getLogger("cspbroker.api").exception("Unhandled API error on %s", request.path)
    return problem(
        500,
        "internal_error",
        "Something went wrong on our side",
        "The error was logged; try again or contact the operator.",
        request=request,
    )
