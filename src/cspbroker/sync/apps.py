from django.apps import AppConfig


class SyncConfig(AppConfig):
    name = "cspbroker.sync"
    label = "sync"
