"""The project's URLs with the notifications pages mounted, until config/urls.py includes them."""

from django.urls import include, path

from cspbroker.config import urls as project

handler404 = project.handler404
handler500 = project.handler500
handler403 = project.handler403
handler400 = project.handler400

_mounted = any(getattr(p, "namespace", None) == "notifications" for p in project.urlpatterns)
urlpatterns = list(project.urlpatterns)
if not _mounted:
    urlpatterns.insert(0, path("backoffice/notifications/", include("cspbroker.notifications.urls")))
