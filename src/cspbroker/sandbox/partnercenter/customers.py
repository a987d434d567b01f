"""Customers: domain check, create (with the admin user), list (seek paging), get, profiles, delete."""

from __future__ import annotations

import json
import uuid
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ..common.errors import ApiError
from . import audit
from .http import invalid_input, link, read_json, respond, seek_page
from .lookups import api_actor, customer_or_404, generate_password
from .profiles import is_domain_taken, validate_billing_profile, validate_company_profile
from .state import Actor, PCState, new_etag
from .timeutil import exact
from .users import create_user

_OWNED = ("users", "subscriptions", "orders", "carts", "entitlements")


def render_customer(customer: dict[str, Any], *, detailed: bool = True) -> dict[str, Any]:
    body = {
        "id": customer["id"],
        "commerceId": customer["commerceId"],
        "companyProfile": customer["companyProfile"],
        "billingProfile": customer["billingProfile"],
        "relationshipToPartner": customer["relationshipToPartner"],
        "customDomains": customer.get("customDomains", []),
        "links": {"self": link(f"/customers/{customer['id']}")},
        "attributes": {"objectType": "Customer"},
    }
    if detailed:
        body["allowDelegatedAccess"] = customer.get("allowDelegatedAccess", True)
    return body


def _billing(profile: dict[str, Any], profile_id: str) -> dict[str, Any]:
    address = profile["defaultAddress"]
    return {
        "id": profile_id,
        "firstName": address["firstName"],
        "lastName": address["lastName"],
        "email": profile["email"],
        "culture": profile["culture"],
        "language": profile["language"],
        "companyName": profile["companyName"],
        "defaultAddress": address,
        "links": {},
        "attributes": {"etag": new_etag(), "objectType": "CustomerBillingProfile"},
    }


def create_customer(
    state: PCState, data: dict[str, Any], actor: Actor, *, relationship: str = "reseller"
) -> tuple[dict[str, Any], str]:
    """A new tenant with its global admin `admin@domain`; returns (customer, admin password)."""
    billing = validate_billing_profile(data.get("billingProfile"))
    country = billing["defaultAddress"]["country"]
    company = validate_company_profile(data.get("companyProfile"), country, state.store.list("customers"))
    tenant_id = str(uuid.uuid4())
    customer = {
        "id": tenant_id,
        "commerceId": str(uuid.uuid4()),
        "companyProfile": {
            "tenantId": tenant_id,
            "domain": company["domain"],
            "companyName": billing["companyName"],
            "organizationRegistrationNumber": company["organizationRegistrationNumber"],
            "address": billing["defaultAddress"],
            "email": billing["email"],
            "attributes": {"objectType": "CustomerCompanyProfile"},
        },
        "billingProfile": _billing(billing, str(uuid.uuid4())),
        "relationshipToPartner": relationship,
        "allowDelegatedAccess": True,
        "customDomains": [],
        "_createdAt": exact(state.now()),
    }
    state.store.put("customers", tenant_id, customer)
    audit.record(
        state,
        actor=actor,
        customer=customer,
        resource_type="customer",
        operation_type="add_customer",
        new=render_customer(customer),
        data={"Domain": company["domain"]},
    )
    password = generate_password()
    address = billing["defaultAddress"]
    admin = {
        "userPrincipalName": f"admin@{company['domain']}",
        "firstName": address["firstName"],
        "lastName": address["lastName"],
        "displayName": f"{address['firstName']} {address['lastName']}",
        "usageLocation": country,
        "passwordProfile": {"password": password, "forceChangePassword": True},
        "_roles": ["Global Administrator"],
    }
    create_user(state, customer, admin, actor)
    return customer, password


def delete_customer(state: PCState, customer: dict[str, Any], actor: Actor) -> None:
    for collection_name in _OWNED:
        for doc in state.store.list(collection_name, parent=customer["id"]):
            state.store.delete(collection_name, doc["id"])
    state.store.delete("customers", customer["id"])
    audit.record(
        state,
        actor=actor,
        customer=customer,
        resource_type="customer",
        operation_type="delete_customer",
        old=render_customer(customer),
    )


def _customer_filter(raw: str | None) -> Any:
    if not raw:
        return None
    try:
        spec = {key.lower(): value for key, value in json.loads(raw).items()}
        field, value = str(spec["field"]).lower(), str(spec["value"]).lower()
    except (ValueError, KeyError, AttributeError) as error:
        raise invalid_input(
            'Invalid request input: filter must be {"Field", "Value", "Operator"} JSON.'
        ) from error
    paths = {"domain": ("companyProfile", "domain"), "companyname": ("companyProfile", "companyName")}
    if field not in paths:
        raise invalid_input("Invalid request input: filter Field must be Domain or CompanyName.")
    outer, inner = paths[field]
    return lambda c: str(c[outer][inner]).lower().startswith(value)


def routes(state: PCState) -> list[Route]:
    async def domain_exists(request: Request) -> Response:
        taken = is_domain_taken(request.path_params["domain"], state.store.list("customers"))
        return Response(status_code=200 if taken else 404)

    async def create(request: Request) -> Response:
        data = await read_json(request)
        with state.store.transaction():
            customer, password = create_customer(state, data, api_actor(request))
        body = {**render_customer(customer), "userCredentials": {"userName": "admin", "password": password}}
        return respond(body, 201)

    async def list_customers(request: Request) -> Response:
        raw_filter = request.query_params.get("filter")
        docs = state.store.list("customers", where=_customer_filter(raw_filter))
        items = [render_customer(c, detailed=False) for c in docs]
        params = {"filter": raw_filter} if raw_filter else {}
        return respond(
            seek_page(request, items, "/customers", default_size=200, max_size=500, extra_params=params)
        )

    async def get_customer(request: Request) -> Response:
        return respond(render_customer(customer_or_404(state, request.path_params["customer_id"])))

    async def delete(request: Request) -> Response:
        customer = customer_or_404(state, request.path_params["customer_id"])
        with state.store.transaction():
            delete_customer(state, customer, api_actor(request))
        return Response(status_code=204)

    async def get_billing(request: Request) -> Response:
        customer = customer_or_404(state, request.path_params["customer_id"])
        return respond(customer["billingProfile"])

    async def put_billing(request: Request) -> Response:
        customer = customer_or_404(state, request.path_params["customer_id"])
        data = await read_json(request)
        current = customer["billingProfile"]["attributes"]["etag"]
        sent = request.headers.get("if-match") or (data.get("attributes") or {}).get("etag")
        if not sent:
            raise invalid_input("Invalid request input: attributes.etag (or If-Match) is required.")
        if str(sent).strip('"') != current:
            raise ApiError(412, 2055, "Etag is no longer valid")
        address = dict(data.get("defaultAddress") or {})
        address.setdefault("firstName", data.get("firstName"))
        address.setdefault("lastName", data.get("lastName"))
        billing = validate_billing_profile({**data, "defaultAddress": address})
        old = customer["billingProfile"]
        customer["billingProfile"] = _billing(billing, old["id"])
        customer["companyProfile"]["companyName"] = billing["companyName"]
        with state.store.transaction():
            state.store.put("customers", customer["id"], customer)
            audit.record(
                state,
                actor=api_actor(request),
                customer=customer,
                resource_type="customer",
                operation_type="update_customer_billing_profile",
                old=old,
                new=customer["billingProfile"],
            )
        return respond(customer["billingProfile"])

    async def get_company(request: Request) -> Response:
        customer = customer_or_404(state, request.path_params["customer_id"])
        return respond(customer["companyProfile"])

    idem = state.idempotency.wrap
    base = "/v1/customers/{customer_id}"
    return [
        Route("/v1/domains/{domain}", domain_exists, methods=["HEAD"]),
        Route("/v1/customers", idem(create), methods=["POST"]),
        Route("/v1/customers", list_customers, methods=["GET"]),
        Route(base, get_customer, methods=["GET"]),
        Route(base, idem(delete), methods=["DELETE"]),
        Route(base + "/profiles/billing", get_billing, methods=["GET"]),
        Route(base + "/profiles/billing", idem(put_billing), methods=["PUT"]),
        Route(base + "/profiles/company", get_company, methods=["GET"]),
    ]
