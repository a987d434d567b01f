"""Users of a tenant in the worker (U1): create, delete, reset the password at the provider.

Each job returns an outcome rather than raising, so a refusal reaches the waiting page with the
provider's words (`common.run_in_worker`). A password arrives encrypted and leaves the worker only
in the credentials email.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from cspbroker.common import crypto
from cspbroker.providers.errors import NotFound, ProviderError
from cspbroker.providers.partnercenter.users import NewUser
from cspbroker.tenants import common, emails
from cspbroker.tenants.models import LicenceAssignment, Tenant, TenantUser


def perform_create_user(payload: dict[str, Any]) -> common.Outcome:
    tenant = Tenant.objects.select_related("connection", "customer__parent").get(pk=payload["tenant_id"])
    password = crypto.decrypt(payload["password"])
    new_user = NewUser(
        user_principal_name=payload["user_principal_name"],
        first_name=payload["first_name"],
        last_name=payload["last_name"],
        display_name=payload["display_name"],
        usage_location=payload["usage_location"],
        password=password,
    )
    try:
        with common.provider(tenant.connection) as client:
            remote = client.create_user(tenant.provider_tenant_id, new_user, request_id=payload["request_id"])
    except ProviderError as error:
        return common.failure(common.as_domain_error(error, doing=f"create {new_user.user_principal_name}"))
    with transaction.atomic():
        user = store_user(
            tenant,
            remote.user_principal_name or new_user.user_principal_name,
            provider_user_id=remote.id,
            first_name=new_user.first_name,
            last_name=new_user.last_name,
            display_name=new_user.display_name,
            usage_location=new_user.usage_location,
        )
        if payload.get("email_to"):
            emails.user_credentials(
                tenant,
                to=payload["email_to"],
                user_name=user.user_principal_name,
                display_name=user.display_name,
                password=password,
                is_reset=False,
                key=f"user-credentials:{tenant.pk}:{payload['request_id']}",
            )
    return {"ok": True, "user_id": user.pk}


def store_user(tenant: Tenant, upn: str, **fields: Any) -> TenantUser:
    user = TenantUser.objects.filter(tenant=tenant, user_principal_name__iexact=upn).first()
    if user is None:
        return TenantUser.objects.create(tenant=tenant, user_principal_name=upn, is_active=True, **fields)
    for name, value in fields.items():
        setattr(user, name, value)
    user.is_active = True
    user.save()
    return user


def record_admin(tenant: Tenant, upn: str, first_name: str, last_name: str) -> TenantUser:
    """The administrator Partner Center created with the tenant; its user id arrives with the first sync."""
    display = " ".join(part for part in (first_name, last_name) if part) or upn
    country = str(tenant.creation_request.get("country") or "")
    return store_user(
        tenant, upn, first_name=first_name, last_name=last_name, display_name=display, usage_location=country
    )


def perform_delete_user(tenant_id: int, user_id: int) -> common.Outcome:
    tenant = Tenant.objects.select_related("connection").get(pk=tenant_id)
    user = TenantUser.objects.get(pk=user_id, tenant=tenant)
    try:
        with common.provider(tenant.connection) as client:
            client.delete_user(tenant.provider_tenant_id, user.provider_user_id)
    except NotFound:
        pass  # deleted at the provider already: mirror it
    except ProviderError as error:
        return common.failure(common.as_domain_error(error, doing=f"delete {user.user_principal_name}"))
    with transaction.atomic():
        TenantUser.objects.filter(pk=user.pk).update(is_active=False)
        LicenceAssignment.objects.filter(user=user).delete()  # a deleted user frees its seats
    return {"ok": True, "user_id": user.pk}


def perform_reset_password(payload: dict[str, Any]) -> common.Outcome:
    tenant = Tenant.objects.select_related("connection", "customer__parent").get(pk=payload["tenant_id"])
    user = TenantUser.objects.get(pk=payload["user_id"], tenant=tenant)
    password = crypto.decrypt(payload["password"])
    try:
        with common.provider(tenant.connection) as client:
            client.reset_password(tenant.provider_tenant_id, user.provider_user_id, password)
    except ProviderError as error:
        return common.failure(
            common.as_domain_error(error, doing=f"reset the password of {user.user_principal_name}")
        )
    if payload.get("email_to"):
        with transaction.atomic():
            emails.user_credentials(
                tenant,
                to=payload["email_to"],
                user_name=user.user_principal_name,
                display_name=user.display_name,
                password=password,
                is_reset=True,
                key=f"user-reset:{user.pk}:{payload['request_id']}",
            )
    return {"ok": True, "user_id": user.pk}
