from django.apps import AppConfig


class ProvisioningConfig(AppConfig):
    name = "cspbroker.provisioning"
    label = "provisioning"
