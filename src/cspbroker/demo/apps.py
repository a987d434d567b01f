from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "cspbroker.demo"
    label = "demo"
    verbose_name = "Demo data"
