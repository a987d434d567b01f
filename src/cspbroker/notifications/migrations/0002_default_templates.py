"""Seed the default email templates (from templates_catalog); existing rows are left as staff edited them."""

from django.db import migrations


def seed(apps, schema_editor):
    from cspbroker.notifications.templates_catalog import DEFAULT_TEMPLATES

    EmailTemplate = apps.get_model("notifications", "EmailTemplate")
    for default in DEFAULT_TEMPLATES:
        EmailTemplate.objects.get_or_create(
            key=default.key,
            defaults={"name": default.name, "subject": default.subject, "body": default.body},
        )


def unseed(apps, schema_editor):
    from cspbroker.notifications.templates_catalog import DEFAULT_TEMPLATES

    EmailTemplate = apps.get_model("notifications", "EmailTemplate")
    EmailTemplate.objects.filter(key__in=[d.key for d in DEFAULT_TEMPLATES], updated_by__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("notifications", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
