"""Audit records: one per mutation, queried through `GET /v1/auditrecords` (seek paging)."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from .http import invalid_input, respond, seek_page
from .state import Actor, PCState
from .timeutil import exact, iso, parse

_FILTER_FIELDS = {"customerid": "customerId", "companyname": "customerName", "resourcetype": "resourceType"}


def record(
    state: PCState,
    *,
    actor: Actor,
    customer: dict[str, Any] | None,
    resource_type: str,
    operation_type: str,
    old: Any = None,
    new: Any = None,
    data: dict[str, Any] | None = None,
    status: str = "succeeded",
) -> dict[str, Any]:
    now = state.now()
    customized = {"Source": actor.source, **(data or {})}
    doc: dict[str, Any] = {
        "id": str(uuid.uuid4()),
        "partnerId": state.config.partner_tenant_id,
        "customerId": customer["id"] if customer else "",
        "customerName": customer["companyProfile"]["companyName"] if customer else "",
        "userPrincipalName": actor.user_principal_name,
        "applicationId": actor.application_id,
        "resourceType": resource_type,
        "resourceOldValue": json.dumps(old, default=str) if old is not None else None,
        "resourceNewValue": json.dumps(new, default=str) if new is not None else None,
        "operationType": operation_type,
        "operationDate": iso(now),
        "operationStatus": status,
        "customizedData": [{"key": key, "value": str(value)} for key, value in customized.items()],
        "attributes": {"objectType": "AuditRecord"},
        "_at": exact(now),
    }
    state.store.put("audit", doc["id"], doc, parent=doc["customerId"] or None)
    return doc


def _public(doc: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in doc.items() if not key.startswith("_")}


def _day(request: Request, name: str) -> date | None:
    raw = request.query_params.get(name)
    if not raw:
        return None
    try:
        return date.fromisoformat(raw[:10])
    except ValueError as error:
        raise invalid_input(f"Invalid request input: '{name}' must be a date (YYYY-MM-DD).") from error


def _filter(raw: str | None) -> tuple[str, str, str] | None:
    if not raw:
        return None
    try:
        spec = {key.lower(): value for key, value in json.loads(raw).items()}
        field = _FILTER_FIELDS[str(spec["field"]).lower()]
        operator = str(spec.get("operator", "equals")).lower()
        value = str(spec["value"])
    except (ValueError, KeyError, AttributeError) as error:
        raise invalid_input(
            'Invalid request input: filter must be {"Field": "CustomerId"|"CompanyName"|"ResourceType", '
            '"Value": "...", "Operator": "equals"|"substring"}.'
        ) from error
    if operator not in ("equals", "substring"):
        raise invalid_input("Invalid request input: filter Operator must be 'equals' or 'substring'.")
    return field, operator, value


def routes(state: PCState) -> list[Route]:
    async def list_audit_records(request: Request) -> Response:
        end_day = _day(request, "endDate")
        start_day = _day(request, "startDate")
        now = state.now()
        end = datetime.combine(end_day, time(0), tzinfo=UTC) + timedelta(days=1) if end_day else now
        start = datetime.combine(start_day, time(0), tzinfo=UTC) if start_day else end - timedelta(days=30)
        matcher = _filter(request.query_params.get("filter"))

        def wanted(doc: dict[str, Any]) -> bool:
            if not start <= parse(doc["_at"]) < end:
                return False
            if matcher is None:
                return True
            field, operator, value = matcher
            actual = str(doc.get(field) or "")
            return (
                actual.lower() == value.lower() if operator == "equals" else value.lower() in actual.lower()
            )

        docs = [_public(doc) for doc in state.store.list("audit", where=wanted)]
        params = {
            key: value
            for key, value in request.query_params.items()
            if key in ("startDate", "endDate", "filter")
        }
        return respond(
            seek_page(request, docs, "/auditrecords", default_size=500, max_size=500, extra_params=params)
        )

    return [Route("/v1/auditrecords", list_audit_records, methods=["GET"])]
