from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "cspbroker.notifications"
    label = "notifications"
