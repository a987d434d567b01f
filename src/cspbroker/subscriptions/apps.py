from django.apps import AppConfig


class SubscriptionsConfig(AppConfig):
    name = "cspbroker.subscriptions"
    label = "subscriptions"
