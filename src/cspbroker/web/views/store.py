from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from cspbroker.accounts import selectors
from cspbroker.domain.parties import OrganizationKind
from cspbroker.web.context import current_actor
from cspbroker.web.views.access import customer_required


@customer_required
def dashboard(request: HttpRequest) -> HttpResponse:
    actor = current_actor(request)
    assert actor is not None
    customers = selectors.organizations_for(actor, kind=OrganizationKind.CUSTOMER.value)
    return render(request, "store/dashboard.html", {"customers": customers, "area": "store"})
