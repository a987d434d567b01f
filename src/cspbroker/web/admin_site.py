"""The Django admin is for the operator's admins only."""

from __future__ import annotations

from django.contrib.admin import AdminSite
from django.http import HttpRequest

from cspbroker.accounts.models import Membership
from cspbroker.domain.parties import Role


def restrict_admin_to_operators(site: AdminSite) -> None:
    def has_permission(request: HttpRequest) -> bool:
        user = request.user
        return bool(
            user.is_active
            and user.is_authenticated
            and Membership.objects.filter(user_id=user.pk, role=Role.OPERATOR_ADMIN.value).exists()
        )

    site.has_permission = has_permission  # type: ignore[method-assign]
    site.site_header = "cspbroker operator admin"
    site.site_title = "cspbroker admin"
