from django.apps import AppConfig


class LicencesConfig(AppConfig):
    name = "cspbroker.provisioning.licences"
    label = "licences"
