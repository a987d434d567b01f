from django.apps import AppConfig


class TenantsConfig(AppConfig):
    name = "cspbroker.tenants"
    label = "tenants"
