from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "cspbroker.web"
    label = "web"
    verbose_name = "Back office and storefront"
