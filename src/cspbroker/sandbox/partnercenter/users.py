"""Customer users: create, list (seek paging), get, update / reset password / restore, soft delete."""

from __future__ import annotations

import json
import re
import uuid
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ..common.errors import ApiError
from . import audit
from .http import invalid_input, link, read_json, respond, seek_page
from .lookups import api_actor, customer_or_404, password_problem, user_or_404
from .state import Actor, PCState
from .timeutil import exact, iso, parse

_COUNTRY = re.compile(r"^[A-Z]{2}$")
SOFT_DELETE_DAYS = 30


def render_user(user: dict[str, Any]) -> dict[str, Any]:
    body = {
        "id": user["id"],
        "userPrincipalName": user["userPrincipalName"],
        "firstName": user["firstName"],
        "lastName": user["lastName"],
        "displayName": user["displayName"],
        "usageLocation": user.get("usageLocation"),
        "immutableId": user.get("immutableId"),
        "phoneNumber": user.get("phoneNumber"),
        "lastDirectorySyncTime": None,
        "userDomainType": "managed",
        "state": user["state"],
        "links": {"self": link(f"/customers/{user['customerId']}/users/{user['id']}")},
        "attributes": {"objectType": "CustomerUser"},
    }
    if user.get("softDeletionTime"):
        body["softDeletionTime"] = iso(parse(user["softDeletionTime"]))
    return body


def _usage_location(value: Any) -> str | None:
    if value in (None, ""):
        return None
    text = str(value).upper()
    if not _COUNTRY.match(text):
        raise invalid_input(
            "Invalid request input: usageLocation must be an ISO 3166 two-letter country code."
        )
    return text


def _customer_domains(customer: dict[str, Any]) -> list[str]:
    return [
        customer["companyProfile"]["domain"].lower(),
        *(d.lower() for d in customer.get("customDomains", [])),
    ]


def _check_principal_name(
    state: PCState, customer: dict[str, Any], upn: str, exclude: str | None = None
) -> str:
    upn = upn.strip().lower()
    alias, _, domain = upn.partition("@")
    if not alias or not re.match(r"^[a-z0-9._\-']{1,64}$", alias):
        raise invalid_input("Invalid request input: userPrincipalName must be alias@domain.")
    if domain not in _customer_domains(customer):
        raise invalid_input(
            f"Invalid request input: the domain {domain} is not a verified domain of this customer."
        )
    for other in state.store.find("users", "userPrincipalName", upn, parent=customer["id"]):
        if other["id"] != exclude:
            raise ApiError(
                400,
                800002,
                "Another object with the same value for property userPrincipalName already exists.",
            )
    return upn


def create_user(
    state: PCState, customer: dict[str, Any], data: dict[str, Any], actor: Actor
) -> dict[str, Any]:
    upn = _check_principal_name(state, customer, str(data.get("userPrincipalName") or ""))
    display = str(data.get("displayName") or "").strip()
    if not display:
        raise invalid_input("Invalid request input: displayName is required.")
    first, last = str(data.get("firstName") or "").strip(), str(data.get("lastName") or "").strip()
    profile = data.get("passwordProfile") or {}
    password = str(profile.get("password") or "") if isinstance(profile, dict) else ""
    if not password:
        raise invalid_input("Invalid request input: passwordProfile.password is required.")
    problem = password_problem(password, upn, [first, last, display])
    if problem:
        raise ApiError(400, 800002, f"Invalid request input: {problem}", ["passwordProfile.password"])
    user = {
        "id": str(uuid.uuid4()),
        "customerId": customer["id"],
        "userPrincipalName": upn,
        "firstName": first,
        "lastName": last,
        "displayName": display,
        "usageLocation": _usage_location(data.get("usageLocation")),
        "immutableId": data.get("immutableId"),
        "phoneNumber": data.get("phoneNumber"),
        "state": "active",
        "softDeletionTime": None,
        "licenses": [],
        "roles": list(data.get("_roles", [])),
        "_createdAt": exact(state.now()),
    }
    state.store.put("users", user["id"], user, parent=customer["id"])
    audit.record(
        state,
        actor=actor,
        customer=customer,
        resource_type="customer_user",
        operation_type="create_customer_user",
        new=render_user(user),
        data={"UserId": user["id"]},
    )
    return user


def delete_user(state: PCState, customer: dict[str, Any], user: dict[str, Any], actor: Actor) -> None:
    if user["state"] != "active":
        raise ApiError(404, 60002, f"User object ID {user['id']} not found.")
    old = render_user(user)
    user["state"] = "inactive"
    user["softDeletionTime"] = exact(state.now())
    state.store.put("users", user["id"], user, parent=customer["id"])
    audit.record(
        state,
        actor=actor,
        customer=customer,
        resource_type="customer_user",
        operation_type="delete_customer_user",
        old=old,
        new=render_user(user),
        data={"UserId": user["id"]},
    )


def update_user(
    state: PCState, customer: dict[str, Any], user: dict[str, Any], data: dict[str, Any], actor: Actor
) -> dict[str, Any]:
    old = render_user(user)
    operations: list[str] = []
    if user["state"] == "inactive":
        if data.get("state") != "active":
            raise invalid_input(
                "Invalid request input: the user is deleted; restore it with state 'active' first."
            )
        user["state"], user["softDeletionTime"] = "active", None
        operations.append("restore_customer_user")
    elif data.get("state") == "inactive":
        raise invalid_input("Invalid request input: delete a user with DELETE, not by setting its state.")
    if "userPrincipalName" in data and str(data["userPrincipalName"]).lower() != user["userPrincipalName"]:
        user["userPrincipalName"] = _check_principal_name(
            state, customer, str(data["userPrincipalName"]), user["id"]
        )
        operations.append("update_customer_user_principal_name")
    changed = False
    for key in ("firstName", "lastName", "displayName", "phoneNumber", "immutableId"):
        if key in data and data[key] != user.get(key):
            user[key], changed = data[key], True
    if "usageLocation" in data and _usage_location(data["usageLocation"]) != user.get("usageLocation"):
        user["usageLocation"], changed = _usage_location(data["usageLocation"]), True
    if not user["displayName"]:
        raise invalid_input("Invalid request input: displayName is required.")
    profile = data.get("passwordProfile")
    if isinstance(profile, dict) and profile.get("password"):
        names = [user["firstName"], user["lastName"], user["displayName"]]
        problem = password_problem(str(profile["password"]), user["userPrincipalName"], names)
        if problem:
            raise ApiError(400, 800002, f"Invalid request input: {problem}", ["passwordProfile.password"])
        operations.append("reset_customer_user_password")
    if changed:
        operations.append("update_customer_user")
    state.store.put("users", user["id"], user, parent=customer["id"])
    for operation in operations:
        audit.record(
            state,
            actor=actor,
            customer=customer,
            resource_type="customer_user",
            operation_type=operation,
            old=old,
            new=render_user(user),
            data={"UserId": user["id"]},
        )
    return user


def _user_filter(raw: str | None) -> tuple[str, str, str]:
    if not raw:
        return ("state", "equals", "active")
    try:
        spec = {key.lower(): value for key, value in json.loads(raw).items()}
        field, value = str(spec["field"]).lower(), str(spec["value"])
        operator = str(spec.get("operator", "equals")).lower()
    except (ValueError, KeyError, AttributeError) as error:
        raise invalid_input(
            'Invalid request input: filter must be {"Field", "Value", "Operator"} JSON.'
        ) from error
    fields = {"userstate": "state", "displayname": "displayName", "email": "userPrincipalName"}
    if field not in fields:
        raise invalid_input("Invalid request input: filter Field must be UserState, DisplayName or Email.")
    return fields[field], operator, value.lower()


def routes(state: PCState) -> list[Route]:
    async def create(request: Request) -> Response:
        customer = customer_or_404(state, request.path_params["customer_id"])
        data = await read_json(request)
        with state.store.transaction():
            user = create_user(state, customer, data, api_actor(request))
        return respond(render_user(user), 201)

    async def list_users(request: Request) -> Response:
        customer = customer_or_404(state, request.path_params["customer_id"])
        field, operator, value = _user_filter(request.query_params.get("filter"))

        def wanted(user: dict[str, Any]) -> bool:
            actual = str(user.get(field) or "").lower()
            return actual.startswith(value) if operator == "starts_with" else actual == value

        users = [render_user(u) for u in state.store.list("users", parent=customer["id"], where=wanted)]
        params = {"filter": request.query_params["filter"]} if request.query_params.get("filter") else {}
        uri = f"/customers/{customer['id']}/users"
        return respond(seek_page(request, users, uri, default_size=100, max_size=500, extra_params=params))

    async def get_user(request: Request) -> Response:
        customer_or_404(state, request.path_params["customer_id"])
        user = user_or_404(state, request.path_params["customer_id"], request.path_params["user_id"])
        return respond(render_user(user))

    async def patch_user(request: Request) -> Response:
        customer = customer_or_404(state, request.path_params["customer_id"])
        user = user_or_404(state, customer["id"], request.path_params["user_id"])
        data = await read_json(request)
        with state.store.transaction():
            user = update_user(state, customer, user, data, api_actor(request))
        return respond(render_user(user))

    async def delete(request: Request) -> Response:
        customer = customer_or_404(state, request.path_params["customer_id"])
        user = user_or_404(state, customer["id"], request.path_params["user_id"])
        with state.store.transaction():
            delete_user(state, customer, user, api_actor(request))
        return Response(status_code=204)

    idem = state.idempotency.wrap
    base = "/v1/customers/{customer_id}/users"
    return [
        Route(base, idem(create), methods=["POST"]),
        Route(base, list_users, methods=["GET"]),
        Route(base + "/{user_id}", get_user, methods=["GET"]),
        Route(base + "/{user_id}", idem(patch_user), methods=["PATCH"]),
        Route(base + "/{user_id}", idem(delete), methods=["DELETE"]),
    ]
