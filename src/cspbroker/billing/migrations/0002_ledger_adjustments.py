"""Adjustments for late changes, Microsoft's current charge type names, and frozen bills in the database.

A charge line may now be an adjustment or a reversal posted on a later bill (`kind`, `revision` in
the line's key, `reverses`); `LedgerMark` records how far billing has read each customer's ledger.
A bill whose invoice is issued never changes: triggers refuse inserting or updating its lines and
updating the bill itself, on SQLite and PostgreSQL, and on PostgreSQL deleting them too (SQLite's
test flush empties tables in no fixed order; there the code alone guards deletes). PostgreSQL checks
once per statement over its transition tables, so a bulk insert pays one lookup, not one per line.
Note for later migrations: SQLite rebuilds a table it alters, which drops its triggers; run
`add_triggers` again after any such change (a test checks that they hold).
"""


import cspbroker.clock
import django.db.models.deletion
from django.db import migrations, models


FROZEN = "a bill with an issued invoice never changes: post a correction on the next bill"
# A frozen bill is marked on the bill itself (`is_frozen`, set when its invoice is issued): the
# triggers read a flag on a row they reach by its primary key, whatever the planner's statistics.
_FROZEN_BILL = "SELECT 1 FROM billing_bill b WHERE b.id = {bill} AND b.is_frozen"
_INVOICE_FROZEN_COLUMNS = (
    "number", "year", "sequence", "issued_on", "total", "currency", "bill_id", "customer_id", "issuer_id",
    "customer_snapshot", "issuer_snapshot", "lines_snapshot", "issued_by",
)

SQLITE = [
    f"CREATE TRIGGER billing_line_frozen_insert BEFORE INSERT ON billing_chargeline "
    f"WHEN NEW.bill_id IS NOT NULL AND EXISTS ({_FROZEN_BILL.format(bill='NEW.bill_id')}) "
    f"BEGIN SELECT RAISE(ABORT, '{FROZEN}'); END",
    f"CREATE TRIGGER billing_line_frozen_update BEFORE UPDATE ON billing_chargeline "
    f"WHEN EXISTS ({_FROZEN_BILL.format(bill='OLD.bill_id')}) OR EXISTS ({_FROZEN_BILL.format(bill='NEW.bill_id')}) "
    f"BEGIN SELECT RAISE(ABORT, '{FROZEN}'); END",
    f"CREATE TRIGGER billing_bill_frozen_update BEFORE UPDATE ON billing_bill "
    f"WHEN OLD.is_frozen BEGIN SELECT RAISE(ABORT, '{FROZEN}'); END",
    "CREATE TRIGGER billing_invoice_frozen_update BEFORE UPDATE ON billing_invoice "
    "WHEN OLD.status <> 'draft' AND ("
    + " OR ".join(f"NEW.{column} IS NOT OLD.{column}" for column in _INVOICE_FROZEN_COLUMNS)
    + f") BEGIN SELECT RAISE(ABORT, '{FROZEN}'); END",
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS billing_line_frozen_insert",
    "DROP TRIGGER IF EXISTS billing_line_frozen_update",
    "DROP TRIGGER IF EXISTS billing_bill_frozen_update",
    "DROP TRIGGER IF EXISTS billing_invoice_frozen_update",
]

_PG_RAISE = f"RAISE EXCEPTION '{FROZEN}' USING ERRCODE = 'integrity_constraint_violation'"
POSTGRESQL = [
    # Lines: one check per statement over the rows it touched.
    f"""CREATE OR REPLACE FUNCTION billing_refuse_frozen_lines() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      -- Nested: a transition table a trigger does not have must not even be planned.
      IF TG_OP IN ('INSERT', 'UPDATE') THEN
        IF EXISTS (
          SELECT 1 FROM new_lines n JOIN billing_bill b ON b.id = n.bill_id WHERE b.is_frozen
        ) THEN {_PG_RAISE}; END IF;
      END IF;
      IF TG_OP IN ('UPDATE', 'DELETE') THEN
        IF EXISTS (
          SELECT 1 FROM old_lines o JOIN billing_bill b ON b.id = o.bill_id WHERE b.is_frozen
        ) THEN {_PG_RAISE}; END IF;
      END IF;
      RETURN NULL;
    END $$""",
    "CREATE TRIGGER billing_line_frozen_insert AFTER INSERT ON billing_chargeline "
    "REFERENCING NEW TABLE AS new_lines FOR EACH STATEMENT EXECUTE FUNCTION billing_refuse_frozen_lines()",
    "CREATE TRIGGER billing_line_frozen_update AFTER UPDATE ON billing_chargeline "
    "REFERENCING OLD TABLE AS old_lines NEW TABLE AS new_lines FOR EACH STATEMENT "
    "EXECUTE FUNCTION billing_refuse_frozen_lines()",
    "CREATE TRIGGER billing_line_frozen_delete AFTER DELETE ON billing_chargeline "
    "REFERENCING OLD TABLE AS old_lines FOR EACH STATEMENT EXECUTE FUNCTION billing_refuse_frozen_lines()",
    # Bills: nothing of a frozen one changes (freezing it is the last change).
    f"""CREATE OR REPLACE FUNCTION billing_refuse_frozen_bill() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF OLD.is_frozen THEN {_PG_RAISE}; END IF;
      IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
      RETURN NEW;
    END $$""",
    "CREATE TRIGGER billing_bill_frozen BEFORE UPDATE OR DELETE ON billing_bill "
    "FOR EACH ROW EXECUTE FUNCTION billing_refuse_frozen_bill()",
    f"""CREATE OR REPLACE FUNCTION billing_refuse_frozen_invoice() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF OLD.status <> 'draft' AND (TG_OP = 'DELETE' OR """
    + " OR ".join(f"NEW.{column} IS DISTINCT FROM OLD.{column}" for column in _INVOICE_FROZEN_COLUMNS)
    + f""") THEN {_PG_RAISE}; END IF;
      IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
      RETURN NEW;
    END $$""",
    "CREATE TRIGGER billing_invoice_frozen BEFORE UPDATE OR DELETE ON billing_invoice "
    "FOR EACH ROW EXECUTE FUNCTION billing_refuse_frozen_invoice()",
]
POSTGRESQL_DROP = [
    "DROP TRIGGER IF EXISTS billing_line_frozen_insert ON billing_chargeline",
    "DROP TRIGGER IF EXISTS billing_line_frozen_update ON billing_chargeline",
    "DROP TRIGGER IF EXISTS billing_line_frozen_delete ON billing_chargeline",
    "DROP TRIGGER IF EXISTS billing_bill_frozen ON billing_bill",
    "DROP TRIGGER IF EXISTS billing_invoice_frozen ON billing_invoice",
    "DROP FUNCTION IF EXISTS billing_refuse_frozen_lines()",
    "DROP FUNCTION IF EXISTS billing_refuse_frozen_bill()",
    "DROP FUNCTION IF EXISTS billing_refuse_frozen_invoice()",
]
STATEMENTS = {"sqlite": (SQLITE, SQLITE_DROP), "postgresql": (POSTGRESQL, POSTGRESQL_DROP)}


def freeze_issued(apps, schema_editor):
    Bill = apps.get_model("billing", "Bill")
    Bill.objects.filter(invoice__isnull=False).exclude(invoice__status="draft").update(is_frozen=True)


def add_triggers(apps, schema_editor):
    create, _ = STATEMENTS.get(schema_editor.connection.vendor, ([], []))
    with schema_editor.connection.cursor() as cursor:
        for statement in create:
            cursor.execute(statement)


def drop_triggers(apps, schema_editor):
    _, drop = STATEMENTS.get(schema_editor.connection.vendor, ([], []))
    with schema_editor.connection.cursor() as cursor:
        for statement in drop:
            cursor.execute(statement)


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0002_platform_clock'),
        ('billing', '0001_initial'),
        ('subscriptions', '0003_one_ledger'),
    ]

    operations = [
        migrations.CreateModel(
            name='LedgerMark',
            fields=[
                ('customer', models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, primary_key=True, related_name='+', serialize=False, to='accounts.organization')),
                ('entry_id', models.BigIntegerField(default=0)),
                ('cycle_label', models.CharField(max_length=7)),
                ('first_cycle_label', models.CharField(max_length=7)),
            ],
        ),
        migrations.RemoveConstraint(
            model_name='chargeline',
            name='charge_line_unique_key',
        ),
        migrations.RemoveIndex(
            model_name='chargeline',
            name='billing_cha_bill_id_855e22_idx',
        ),
        migrations.AddField(
            model_name='chargeline',
            name='corrects_entry_id',
            field=models.BigIntegerField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='chargeline',
            name='kind',
            field=models.CharField(choices=[('charge', 'Charge'), ('adjustment', 'Adjustment for a late change'), ('reversal', 'Withdrawn charge')], default='charge', max_length=10),
        ),
        migrations.AddField(
            model_name='chargeline',
            name='reverses_id',
            field=models.BigIntegerField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='chargeline',
            name='revision',
            field=models.PositiveIntegerField(default=0),
        ),
        migrations.AlterField(
            model_name='bill',
            name='created_at',
            field=models.DateTimeField(default=cspbroker.clock.now, editable=False),
        ),
        migrations.AlterField(
            model_name='bill',
            name='total',
            field=models.DecimalField(decimal_places=6, default=0, max_digits=24),
        ),
        migrations.AlterField(
            model_name='bill',
            name='updated_at',
            field=models.DateTimeField(default=cspbroker.clock.now),
        ),
        migrations.AlterField(
            model_name='billingrun',
            name='created_at',
            field=models.DateTimeField(default=cspbroker.clock.now, editable=False),
        ),
        migrations.AlterField(
            model_name='chargeline',
            name='amount',
            field=models.DecimalField(decimal_places=6, max_digits=24),
        ),
        migrations.AlterField(
            model_name='chargeline',
            name='charge_type',
            field=models.CharField(choices=[('new', 'New'), ('renew', 'Renewal'), ('cycleCharge', 'Cycle charge'), ('addQuantity', 'Added quantity'), ('removeQuantity', 'Removed quantity'), ('moveQuantity', 'Moved quantity'), ('cancelImmediate', 'Cancellation'), ('convert', 'Conversion'), ('changeBillingPlan', 'Billing plan change'), ('customerCredit', 'Credit'), ('extendTerm', 'Trial extension'), ('usage', 'Usage'), ('cancel', 'Cancellation'), ('oneTime', 'One-time')], max_length=20),
        ),
        migrations.AlterField(
            model_name='chargeline',
            name='cost_amount',
            field=models.DecimalField(blank=True, decimal_places=6, max_digits=24, null=True),
        ),
        migrations.AlterField(
            model_name='chargeline',
            name='created_at',
            field=models.DateTimeField(default=cspbroker.clock.now, editable=False),
        ),
        migrations.AlterField(
            model_name='chargeline',
            name='customer',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='charge_lines', to='accounts.organization'),
        ),
        migrations.AlterField(
            model_name='chargeline',
            name='subscription',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='charge_lines', to='subscriptions.subscription'),
        ),
        migrations.AlterField(
            model_name='creditnote',
            name='amount',
            field=models.DecimalField(decimal_places=6, max_digits=24),
        ),
        migrations.AlterField(
            model_name='creditnote',
            name='created_at',
            field=models.DateTimeField(default=cspbroker.clock.now, editable=False),
        ),
        migrations.AlterField(
            model_name='invoice',
            name='created_at',
            field=models.DateTimeField(default=cspbroker.clock.now, editable=False),
        ),
        migrations.AlterField(
            model_name='invoice',
            name='total',
            field=models.DecimalField(blank=True, decimal_places=6, max_digits=24, null=True),
        ),
        migrations.AddConstraint(
            model_name='chargeline',
            constraint=models.UniqueConstraint(fields=('subscription', 'charge_type', 'period_start', 'period_end', 'sequence', 'revision'), name='charge_line_unique_key'),
        ),
        migrations.AddField(
            model_name='bill',
            name='is_frozen',
            field=models.BooleanField(default=False),
        ),
        migrations.RunPython(freeze_issued, migrations.RunPython.noop),
        migrations.RunPython(add_triggers, drop_triggers),
    ]
