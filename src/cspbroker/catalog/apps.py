from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "cspbroker.catalog"
    label = "catalog"
