from django.contrib.auth import views as auth_views
from django.urls import include, path, reverse_lazy

from cspbroker.web.forms import EmailAuthenticationForm, EmailPasswordResetForm
from cspbroker.web.views import account, backoffice, connections, home, store

urlpatterns = [
    path("", home.home, name="home"),
    path("healthz", home.health, name="health"),
    path(
        "login/",
        auth_views.LoginView.as_view(
            authentication_form=EmailAuthenticationForm, redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "password-reset/",
        auth_views.PasswordResetView.as_view(
            form_class=EmailPasswordResetForm,
            email_template_name="registration/password_reset_email.txt",
            subject_template_name="registration/password_reset_subject.txt",
        ),
        name="password_reset",
    ),
    path("password-reset/sent/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "password-reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(success_url=reverse_lazy("password_reset_complete")),
        name="password_reset_confirm",
    ),
    path(
        "password-reset/done/", auth_views.PasswordResetCompleteView.as_view(), name="password_reset_complete"
    ),
    path("account/", account.account, name="account"),
    path("account/tokens/", account.create_token, name="account-token-create"),
    path("account/tokens/<int:token_id>/revoke/", account.revoke_token, name="account-token-revoke"),
    path("backoffice/", backoffice.dashboard, name="backoffice-dashboard"),
    path("backoffice/organizations/", backoffice.organizations, name="backoffice-organizations"),
    path(
        "backoffice/organizations/<int:organization_id>/",
        backoffice.organization,
        name="backoffice-organization",
    ),
    path("backoffice/connections/", connections.connection_list, name="backoffice-connections"),
    path("backoffice/connections/new/", connections.connection_new, name="backoffice-connection-new"),
    path(
        "backoffice/connections/<int:connection_id>/",
        connections.connection_detail,
        name="backoffice-connection",
    ),
    path(
        "backoffice/connections/<int:connection_id>/test/",
        connections.connection_test,
        name="backoffice-connection-test",
    ),
    path("backoffice/notifications/", include("cspbroker.web.urls_notifications")),
    path("store/", store.dashboard, name="store-dashboard"),
    path("", include("cspbroker.web.urls_catalog")),
    path("", include("cspbroker.web.urls_tenants")),
    path("", include("cspbroker.web.urls_subscriptions")),
    path("", include("cspbroker.web.urls_billing")),
]
