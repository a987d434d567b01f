from __future__ import annotations

from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from cspbroker.accounts import selectors
from cspbroker.domain.parties import OrganizationKind
from cspbroker.web.context import current_actor
from cspbroker.web.views.access import staff_required


@staff_required
def dashboard(request: HttpRequest) -> HttpResponse:
    actor = current_actor(request)
    assert actor is not None
    counts = selectors.organizations_for(actor).aggregate(
        resellers=Count("pk", filter=Q(kind=OrganizationKind.RESELLER.value)),
        customers=Count("pk", filter=Q(kind=OrganizationKind.CUSTOMER.value)),
    )
    return render(request, "backoffice/dashboard.html", {"counts": counts, "area": "backoffice"})


@staff_required
def organizations(request: HttpRequest) -> HttpResponse:
    actor = current_actor(request)
    assert actor is not None
    kind = request.GET.get("kind") or None
    if kind not in {None, "reseller", "customer", "operator"}:
        kind = None
    search = request.GET.get("q", "").strip()
    rows = selectors.organizations_for(actor, kind=kind)
    if search:
        rows = rows.filter(Q(legal_name__icontains=search) | Q(contact_email__icontains=search))
    template = "backoffice/_organization_rows.html" if request.htmx else "backoffice/organizations.html"  # type: ignore[attr-defined]
    return render(request, template, {"organizations": rows, "kind": kind, "q": search, "area": "backoffice"})


@staff_required
def organization(request: HttpRequest, organization_id: int) -> HttpResponse:
    actor = current_actor(request)
    assert actor is not None
    org = selectors.organization_for(actor, organization_id)
    children = selectors.organizations_for(actor).filter(parent_id=org.pk)
    return render(
        request,
        "backoffice/organization.html",
        {"organization": org, "children": children, "area": "backoffice"},
    )
