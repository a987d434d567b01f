from django.apps import AppConfig


class ConnectionsConfig(AppConfig):
    name = "cspbroker.connections"
    label = "connections"
