"""The distributor's API routes (PRISM paths, PascalCase JSON). Handlers only translate HTTP to `state`."""

from __future__ import annotations

import base64
import binascii
import json
from datetime import date
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from cspbroker.sandbox.common.auth import TokenIssuer
from cspbroker.sandbox.common.idempotency import Idempotency

from .http import json_body, require_bearer
from .state import PACKAGE_MIGRATION_MESSAGE, DistributorError, DistributorState
from .wire import DecimalJSONResponse, loads

DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 1000
MIGRATION_ACTIONS = frozenset(
    {"migrate", "migration", "migrations", "packagemigration", "upgrade", "upgrades", "changeproduct"}
)


def _date_param(request: Request, name: str) -> date:
    value = request.query_params.get(name)
    if not value:
        raise DistributorError(
            400, "MissingParameter", f"The query parameter {name} (YYYY-MM-DD) is required."
        )
    try:
        return date.fromisoformat(value[:10])
    except ValueError as error:
        raise DistributorError(
            400, "InvalidParameter", f"{name} must be a date written YYYY-MM-DD."
        ) from error


def _page_size(request: Request) -> int:
    raw = request.query_params.get("pageSize")
    if raw is None:
        return DEFAULT_PAGE_SIZE
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_PAGE_SIZE:
        raise DistributorError(400, "InvalidParameter", f"pageSize must be between 1 and {MAX_PAGE_SIZE}.")
    return int(raw)


def _encode_token(query: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(query, separators=(",", ":")).encode()).decode().rstrip("=")


def _offset_from_token(token: str | None, query: dict[str, Any]) -> int:
    """The continuation token is the offset bound to the query, so it can't be replayed on another one."""
    if not token:
        return 0
    try:
        decoded = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
        offset = int(decoded.pop("Offset"))
    except (ValueError, KeyError, TypeError, binascii.Error) as error:
        raise DistributorError(
            400, "InvalidContinuationToken", "The continuation token is not ours."
        ) from error
    if decoded != query or offset < 0:
        raise DistributorError(
            400, "InvalidContinuationToken", "The continuation token belongs to another query."
        )
    return offset


def api_routes(state: DistributorState, issuer: TokenIssuer, idempotency: Idempotency) -> list[BaseRoute]:
    guard = require_bearer(issuer)

    async def me(request: Request) -> Response:
        return DecimalJSONResponse(dict(state.catalog.partner))

    async def my_customers(request: Request) -> Response:
        partner = state.catalog.partner
        contracts = {c["ContractAgreementId"]: c for c in partner["ContractAgreements"]}
        customers = [
            {
                "CustomerId": tenant["CustomerId"],
                "CustomerName": tenant["CustomerName"],
                "CustomerProgramAgreements": [
                    {
                        "Id": tenant["TenantId"],
                        "ContractAgreementId": tenant["ContractAgreementId"],
                        "ProgramName": contracts[tenant["ContractAgreementId"]]["ProgramName"],
                        "BillingPeriod": contracts[tenant["ContractAgreementId"]]["BillingPeriod"],
                        "AgreementStartDate": contracts[tenant["ContractAgreementId"]]["AgreementStartDate"],
                        "AgreementEndDate": None,
                    }
                ],
            }
            for tenant in state.tenants()
        ]
        return DecimalJSONResponse(customers)

    async def list_tenants(request: Request) -> Response:
        return DecimalJSONResponse(state.tenants())

    async def get_tenant(request: Request) -> Response:
        return DecimalJSONResponse(state.tenant(request.path_params["tenant_id"]))

    async def create_tenant(request: Request) -> Response:
        return DecimalJSONResponse(state.create_tenant(await json_body(request)), status_code=201)

    async def domain(request: Request) -> Response:
        return DecimalJSONResponse(state.domain_availability(request.path_params["prefix"]))

    async def get_subscription(request: Request) -> Response:
        return DecimalJSONResponse(state.subscription(request.path_params["subscription_id"]))

    async def add_subscription(request: Request) -> Response:
        body = await json_body(request)
        created = state.add_subscription(request.path_params["tenant_id"], body)
        return DecimalJSONResponse(created, status_code=201)

    async def update_subscription(request: Request) -> Response:
        body = await json_body(request)
        return DecimalJSONResponse(state.update_subscription(request.path_params["subscription_id"], body))

    async def subscription_action(request: Request) -> Response:
        action = request.path_params["action"].lower()
        if action not in MIGRATION_ACTIONS:
            raise DistributorError(404, "NotFound", f"No such subscription resource: {action}.")
        state.subscription(request.path_params["subscription_id"])  # 404 first for an unknown id
        # RFC 9110 wants an Allow header on 405: no method is allowed on this resource.
        raise DistributorError(
            405, "PackageMigrationNotSupported", PACKAGE_MIGRATION_MESSAGE, headers={"Allow": ""}
        )

    async def price_list(request: Request) -> Response:
        params = request.path_params
        try:
            contract_id = int(params["contract_id"])
            on = date(int(params["year"]), int(params["month"]), int(params["day"]))
        except ValueError as error:
            raise DistributorError(
                400, "InvalidParameter", "Use /pricelist/{yyyy}/{m}/{d} with a real date."
            ) from error
        if contract_id not in state.catalog.contract_ids():
            raise DistributorError(
                404, "ContractAgreementNotFound", f"Contract agreement {contract_id} not found."
            )
        return DecimalJSONResponse(state.catalog.price_list(contract_id, on))

    async def usage(request: Request) -> Response:
        start, end = _date_param(request, "startDate"), _date_param(request, "endDate")
        size = _page_size(request)
        tenant_id = request.query_params.get("tenantId") or None
        query = {"StartDate": start.isoformat(), "EndDate": end.isoformat(), "TenantId": tenant_id}
        offset = _offset_from_token(request.query_params.get("continuationToken"), query)
        records = state.usage(start, end, tenant_id)
        page = records[offset : offset + size]
        following = offset + len(page)
        token = _encode_token({**query, "Offset": following}) if following < len(records) else None
        return DecimalJSONResponse({"Items": page, "ContinuationToken": token, "TotalCount": len(records)})

    def route(path: str, endpoint: Any, method: str, *, idempotent: bool = False) -> Route:
        handler = idempotency.wrap(endpoint) if idempotent else endpoint
        return Route(path, guard(handler), methods=[method])

    csp = "/api/v2/microsoftcsp"
    every_method = ["GET", "POST", "PUT", "PATCH", "DELETE"]
    return [
        route("/api/v1/me", me, "GET"),
        route("/api/v1/me/customers", my_customers, "GET"),
        route(f"{csp}/tenants", list_tenants, "GET"),
        route(f"{csp}/tenants", create_tenant, "POST", idempotent=True),
        route(f"{csp}/tenants/{{tenant_id}}", get_tenant, "GET"),
        route(f"{csp}/tenants/{{tenant_id}}/subscriptions", add_subscription, "POST", idempotent=True),
        route(f"{csp}/domains/{{prefix}}", domain, "GET"),
        route(f"{csp}/subscriptions/{{subscription_id}}", get_subscription, "GET"),
        route(f"{csp}/subscriptions/{{subscription_id}}", update_subscription, "PATCH", idempotent=True),
        Route(
            f"{csp}/subscriptions/{{subscription_id}}/{{action}}",
            guard(subscription_action),
            methods=every_method,
        ),
        route(f"{csp}/usage", usage, "GET"),
        route("/api/v2/me/pricing/{contract_id}/pricelist/{year}/{month}/{day}", price_list, "GET"),
        route("/api/v2/me/pricing/{contract_id}/pricelist/{year}/{month}/{day}/", price_list, "GET"),
    ]


def usage_admin_routes(state: DistributorState) -> list[BaseRoute]:
    """`/_sandbox/usage/...`: no token, like the other admin routes (they stand for the test harness)."""

    async def get_config(request: Request) -> Response:
        return DecimalJSONResponse(state.usage_config().as_wire())

    async def set_config(request: Request) -> Response:
        body = await json_body(request)
        try:
            config = state.set_usage_config(body)
        except ValueError as error:
            raise DistributorError(400, "InvalidUsageConfig", str(error)) from error
        return DecimalJSONResponse(config.as_wire())

    async def add_records(request: Request) -> Response:
        raw = await request.body()
        try:
            body = loads(raw) if raw.strip() else None
        except ValueError as error:
            raise DistributorError(400, "InvalidJson", f"The body is not valid JSON: {error}") from error
        items = body.get("Records", body.get("records", [body])) if isinstance(body, dict) else body
        if not isinstance(items, list) or not items or not all(isinstance(item, dict) for item in items):
            raise DistributorError(
                400, "InvalidUsageRecords", "Send a record, a list of records or {Records: [...]}."
            )
        try:
            records = state.add_usage_records(items)
        except ValueError as error:
            raise DistributorError(400, "InvalidUsageRecords", str(error)) from error
        return DecimalJSONResponse({"Items": records}, status_code=201)

    return [
        Route("/_sandbox/usage/config", get_config, methods=["GET"]),
        Route("/_sandbox/usage/config", set_config, methods=["POST"]),
        Route("/_sandbox/usage/records", add_records, methods=["POST"]),
    ]
