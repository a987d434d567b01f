from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "cspbroker.accounts"
    label = "accounts"
    verbose_name = "Parties and roles"
