"""The notifications pages, under /backoffice/notifications/ (namespace "notifications")."""

from django.urls import path

from cspbroker.web.views import notifications as views

app_name = "notifications"

urlpatterns = [
    path("", views.template_list, name="templates"),
    path("templates/<slug:key>/", views.template_edit, name="template-edit"),
    path("templates/<slug:key>/preview/", views.template_preview, name="template-preview"),
    path("outbox/", views.outbox, name="outbox"),
    path("outbox/<int:email_id>/retry/", views.outbox_retry, name="outbox-retry"),
]
