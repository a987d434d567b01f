from django.apps import AppConfig


class BillingConfig(AppConfig):
    name = "cspbroker.billing"
    label = "billing"
    verbose_name = "Billing"
