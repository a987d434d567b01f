"""Add the default templates introduced since 0002 (the seed keeps staff edits)."""

from django.db import migrations


def seed(apps, schema_editor):
    from cspbroker.notifications.templates_catalog import DEFAULT_TEMPLATES

    EmailTemplate = apps.get_model("notifications", "EmailTemplate")
    for default in DEFAULT_TEMPLATES:
        EmailTemplate.objects.get_or_create(
            key=default.key,
            defaults={"name": default.name, "subject": default.subject, "body": default.body},
        )


class Migration(migrations.Migration):
    dependencies = [("notifications", "0002_default_templates")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
