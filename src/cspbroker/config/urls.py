from django.contrib import admin
from django.urls import include, path

from cspbroker.api.app import api
from cspbroker.web.admin_site import restrict_admin_to_operators

restrict_admin_to_operators(admin.site)

handler404 = "cspbroker.web.views.errors.not_found"
handler500 = "cspbroker.web.views.errors.server_error"
handler403 = "cspbroker.web.views.errors.forbidden"
handler400 = "cspbroker.web.views.errors.bad_request"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("", include("cspbroker.web.urls")),
]
