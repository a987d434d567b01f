"""One book of record: the quantity, status and sale-price ledgers become one append-only ledger.

Each subscription gets a purchase entry (its first term as the row holds it, price not locked: the
billing history resolves it on the term's first day, as before), then one entry per old row, in
the order they were written. The database then refuses any UPDATE of a ledger row, and on
PostgreSQL any DELETE (SQLite's test flush deletes tables in no fixed order, so there the code is
the only guard against deletes).
"""

from collections import defaultdict
from datetime import UTC, datetime, time

import cspbroker.clock
import django.db.models.deletion
from django.db import migrations, models


def copy_ledgers(apps, schema_editor):
    Subscription = apps.get_model("subscriptions", "Subscription")
    LedgerEntry = apps.get_model("subscriptions", "LedgerEntry")
    QuantityChange = apps.get_model("subscriptions", "QuantityChange")
    StatusChange = apps.get_model("subscriptions", "StatusChange")
    SalePrice = apps.get_model("subscriptions", "SalePrice")
    quantities, statuses, prices = defaultdict(list), defaultdict(list), defaultdict(list)
    for row in QuantityChange.objects.order_by("effective_at", "id"):
        quantities[row.subscription_id].append(row)
    for row in StatusChange.objects.order_by("effective_at", "id"):
        statuses[row.subscription_id].append(row)
    for row in SalePrice.objects.order_by("effective_from", "id"):
        prices[row.subscription_id].append(row)
    migrated = {"actor_ref": "system", "actor_label": "Ledger migration"}
    entries = []
    for sub in Subscription.objects.select_related("tenant").order_by("id"):
        own = quantities.get(sub.pk, [])
        opening = own[0] if own else None
        at = opening.effective_at if opening else sub.created_at
        entries.append(LedgerEntry(
            subscription_id=sub.pk, customer_id=sub.tenant.customer_id, kind="purchase", effective_at=at,
            recorded_at=opening.recorded_at if opening else sub.created_at,
            source=opening.channel if opening else "system", order_id=opening.order_id if opening else None,
            quantity=opening.quantity if opening else sub.quantity, status="active", auto_renew=sub.auto_renew,
            term=sub.term, billing_cycle=sub.billing_cycle, is_trial=sub.is_trial,
            term_start=sub.start_date or at.date(), term_end=sub.commitment_end_date, **migrated,
        ))
        for row in own[1:]:
            entries.append(LedgerEntry(
                subscription_id=sub.pk, customer_id=sub.tenant.customer_id, kind="quantity",
                effective_at=row.effective_at, recorded_at=row.recorded_at, source=row.channel,
                order_id=row.order_id, quantity=row.quantity, refundable=row.refundable, **migrated,
            ))
        for index, row in enumerate(statuses.get(sub.pk, [])):
            if index == 0 and row.status == "active":
                continue  # the purchase entry says it
            entries.append(LedgerEntry(
                subscription_id=sub.pk, customer_id=sub.tenant.customer_id, kind="status",
                effective_at=row.effective_at, recorded_at=row.recorded_at, source=row.channel,
                order_id=row.order_id, status=row.status, refundable=row.refundable, **migrated,
            ))
        for row in prices.get(sub.pk, []):
            at = datetime.combine(row.effective_from, time(), tzinfo=UTC)
            entries.append(LedgerEntry(
                subscription_id=sub.pk, customer_id=sub.tenant.customer_id, kind="price",
                effective_at=min(at, row.recorded_at), recorded_at=row.recorded_at, source="backoffice",
                price_from=row.effective_from, unit_price=row.unit_price, currency=row.currency,
                price_source="subscription_price::historic sales price",
                actor_ref=row.set_by[:100], actor_label=row.set_by[:255],
            ))
    LedgerEntry.objects.bulk_create(entries, batch_size=2000)


def add_triggers(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        for statement in APPEND_ONLY[schema_editor.connection.vendor]:
            cursor.execute(statement)


def drop_triggers(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        for statement in DROP[schema_editor.connection.vendor]:
            cursor.execute(statement)


APPEND_ONLY = {
    "sqlite": [
        "CREATE TRIGGER subscriptions_ledger_append_only BEFORE UPDATE ON subscriptions_ledgerentry "
        "BEGIN SELECT RAISE(ABORT, 'ledger entries are append-only: record a new entry'); END",
    ],
    "postgresql": [
        "CREATE OR REPLACE FUNCTION subscriptions_ledger_refuse() RETURNS trigger LANGUAGE plpgsql AS $$ "
        "BEGIN RAISE EXCEPTION 'ledger entries are append-only: record a new entry' "
        "USING ERRCODE = 'integrity_constraint_violation'; END $$",
        "CREATE TRIGGER subscriptions_ledger_append_only BEFORE UPDATE OR DELETE ON subscriptions_ledgerentry "
        "FOR EACH ROW EXECUTE FUNCTION subscriptions_ledger_refuse()",
    ],
}
DROP = {
    "sqlite": ["DROP TRIGGER IF EXISTS subscriptions_ledger_append_only"],
    "postgresql": [
        "DROP TRIGGER IF EXISTS subscriptions_ledger_append_only ON subscriptions_ledgerentry",
        "DROP FUNCTION IF EXISTS subscriptions_ledger_refuse()",
    ],
}


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0002_platform_clock'),
        ('subscriptions', '0002_initial'),
    ]

    operations = [
        migrations.AddField(
            model_name='subscription',
            name='price_currency',
            field=models.CharField(blank=True, max_length=3),
        ),
        migrations.AddField(
            model_name='subscription',
            name='price_source',
            field=models.CharField(blank=True, max_length=300),
        ),
        migrations.AddField(
            model_name='subscription',
            name='term_start',
            field=models.DateField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='subscription',
            name='unit_cost',
            field=models.DecimalField(blank=True, decimal_places=6, max_digits=18, null=True),
        ),
        migrations.AddField(
            model_name='subscription',
            name='unit_price',
            field=models.DecimalField(blank=True, decimal_places=6, max_digits=18, null=True),
        ),
        migrations.AlterField(
            model_name='subscription',
            name='created_at',
            field=models.DateTimeField(default=cspbroker.clock.now, editable=False),
        ),
        migrations.AlterField(
            model_name='subscriptionevent',
            name='at',
            field=models.DateTimeField(default=cspbroker.clock.now),
        ),
        migrations.AlterField(
            model_name='subscriptionevent',
            name='channel',
            field=models.CharField(choices=[('backoffice', 'Back office'), ('storefront', 'Storefront'), ('api', 'API'), ('provider', 'Provider side'), ('import', 'Import'), ('renewal', 'Renewal'), ('system', 'System')], max_length=12),
        ),
        migrations.CreateModel(
            name='LedgerEntry',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('purchase', 'Purchase'), ('quantity', 'Quantity'), ('status', 'Status'), ('price', 'Historic sales price'), ('renewal', 'Renewal'), ('conversion', 'Trial conversion'), ('auto_renew', 'Auto-renew'), ('term', 'Term or billing cycle')], max_length=12)),
                ('effective_at', models.DateTimeField()),
                ('recorded_at', models.DateTimeField()),
                ('source', models.CharField(choices=[('backoffice', 'Back office'), ('storefront', 'Storefront'), ('api', 'API'), ('provider', 'Provider side'), ('import', 'Import'), ('renewal', 'Renewal'), ('system', 'System')], max_length=12)),
                ('actor_ref', models.CharField(max_length=100)),
                ('actor_label', models.CharField(max_length=255)),
                ('order_id', models.BigIntegerField(blank=True, null=True)),
                ('provider_reference', models.CharField(blank=True, max_length=100)),
                ('quantity', models.PositiveIntegerField(blank=True, null=True)),
                ('status', models.CharField(blank=True, max_length=20)),
                ('refundable', models.BooleanField(default=False)),
                ('auto_renew', models.BooleanField(blank=True, null=True)),
                ('term', models.CharField(blank=True, max_length=8)),
                ('billing_cycle', models.CharField(blank=True, max_length=12)),
                ('is_trial', models.BooleanField(default=False)),
                ('term_start', models.DateField(blank=True, null=True)),
                ('term_end', models.DateField(blank=True, null=True)),
                ('price_from', models.DateField(blank=True, null=True)),
                ('unit_price', models.DecimalField(blank=True, decimal_places=6, max_digits=18, null=True)),
                ('unit_cost', models.DecimalField(blank=True, decimal_places=6, max_digits=18, null=True)),
                ('currency', models.CharField(blank=True, max_length=3)),
                ('price_source', models.CharField(blank=True, max_length=300)),
                ('note', models.CharField(blank=True, max_length=300)),
                ('customer', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='ledger_entries', to='accounts.organization')),
                ('subscription', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='ledger', to='subscriptions.subscription')),
            ],
            options={
                'ordering': ['subscription', 'effective_at', 'id'],
            },
        ),
        migrations.AddIndex(
            model_name='ledgerentry',
            index=models.Index(fields=['subscription', 'effective_at'], name='ledger_subscription_at'),
        ),
        migrations.AddIndex(
            model_name='ledgerentry',
            index=models.Index(fields=['customer', 'id'], name='ledger_customer_id'),
        ),
        migrations.AddConstraint(
            model_name='ledgerentry',
            constraint=models.UniqueConstraint(condition=models.Q(('kind__in', ['purchase', 'renewal', 'conversion'])), fields=('subscription', 'term_start'), name='ledger_one_term_per_start'),
        ),
        migrations.AddConstraint(
            model_name='ledgerentry',
            constraint=models.CheckConstraint(condition=models.Q(('quantity__isnull', True), ('quantity__lte', 1000000), _connector='OR'), name='ledger_quantity_bounded'),
        ),
        migrations.AddConstraint(
            model_name='ledgerentry',
            constraint=models.CheckConstraint(condition=models.Q(('unit_price__isnull', True), models.Q(('unit_price__gte', 0), ('unit_price__lt', 1000000000)), _connector='OR'), name='ledger_price_bounded'),
        ),
        migrations.AddConstraint(
            model_name='ledgerentry',
            constraint=models.CheckConstraint(condition=models.Q(('unit_cost__isnull', True), models.Q(('unit_cost__gte', 0), ('unit_cost__lt', 1000000000)), _connector='OR'), name='ledger_cost_bounded'),
        ),
        migrations.RunPython(copy_ledgers, migrations.RunPython.noop),
        migrations.DeleteModel(
            name='QuantityChange',
        ),
        migrations.DeleteModel(
            name='SalePrice',
        ),
        migrations.DeleteModel(
            name='StatusChange',
        ),
        migrations.RunPython(add_triggers, drop_triggers),
    ]
