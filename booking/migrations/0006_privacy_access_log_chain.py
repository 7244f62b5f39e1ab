# Privacy (issue 8): the access log becomes append-only and chained, participants can be anonymised,
# and bookkeeping fields get the indexes their retention step reads through.

import datetime
import json

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models
from django.utils.crypto import salted_hmac

CHAIN_SALT = "groepswijzer.access-log.chain.v1"


def chain_existing_rows(apps, schema_editor):
    """Give the rows written before the chain their chain values, oldest first (version 1 of the chain)."""
    AccessLogEntry = apps.get_model("booking", "AccessLogEntry")
    key = getattr(settings, "GROEPSWIJZER_ACCESS_LOG_KEY", "") or settings.SECRET_KEY
    previous = ""
    rows = AccessLogEntry.objects.order_by("pk").values_list("pk", "user_id", "at", "participant_id", "action", "where")
    for pk, user_id, at, participant_id, action, where in rows.iterator(chunk_size=2000):
        moment = at.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        message = json.dumps([previous, user_id, moment, participant_id, action, where], ensure_ascii=False)
        previous = salted_hmac(CHAIN_SALT, message, secret=key, algorithm="sha256").hexdigest()
        AccessLogEntry.objects.filter(pk=pk).update(chain=previous)


# PostgreSQL refuses to change access log rows, and to delete any younger than five years (less a day of
# clock difference with the application). SQLite relies on the application (and a test database there is
# emptied with DELETE, which a trigger would refuse).
APPEND_ONLY = [
    """
CREATE OR REPLACE FUNCTION booking_accesslog_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'UPDATE' THEN
        RAISE EXCEPTION 'The access log is append-only: its rows are never changed.';
    END IF;
    IF OLD."at" > now() - interval '5 years' + interval '1 day' THEN
        RAISE EXCEPTION 'The access log keeps its rows for five years.';
    END IF;
    RETURN OLD;
END;
$$ LANGUAGE plpgsql
""",
    """
CREATE TRIGGER booking_accesslog_append_only
    BEFORE UPDATE OR DELETE ON booking_accesslogentry
    FOR EACH ROW EXECUTE FUNCTION booking_accesslog_append_only()
""",
]
NOT_APPEND_ONLY = [
    "DROP TRIGGER IF EXISTS booking_accesslog_append_only ON booking_accesslogentry",
    "DROP FUNCTION IF EXISTS booking_accesslog_append_only()",
]


def add_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in APPEND_ONLY:
            schema_editor.execute(statement)


def remove_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in NOT_APPEND_ONLY:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("booking", "0005_town_and_placement"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="AccessLogPurge",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("at", models.DateTimeField(default=django.utils.timezone.now, verbose_name="moment")),
                ("before", models.DateTimeField(verbose_name="regels van voor")),
                ("removed", models.PositiveIntegerField(verbose_name="aantal verwijderd")),
                ("up_to_id", models.BigIntegerField(verbose_name="tot en met regel")),
                (
                    "last_chain",
                    models.CharField(max_length=64, verbose_name="controlewaarde laatste verwijderde regel"),
                ),
            ],
            options={
                "verbose_name": "opschoning inzagelog",
                "verbose_name_plural": "opschoningen inzagelog",
                "ordering": ["-up_to_id"],
            },
        ),
        migrations.AddField(
            model_name="accesslogentry",
            name="chain",
            field=models.CharField(
                blank=True,
                editable=False,
                help_text="HMAC over deze regel en de controlewaarde van de regel ervoor.",
                max_length=64,
                verbose_name="controlewaarde",
            ),
        ),
        migrations.AddField(
            model_name="participant",
            name="anonymised_at",
            field=models.DateTimeField(
                blank=True,
                editable=False,
                help_text="Na de bewaartermijn of op verzoek: naam, e-mailadres, telefoon en volledige postcode zijn weg.",
                null=True,
                verbose_name="geanonimiseerd op",
            ),
        ),
        migrations.AlterField(
            model_name="accesslogentry",
            name="action",
            field=models.CharField(
                choices=[
                    ("view_list", "deelnemerslijst bekeken"),
                    ("view", "gegevens bekeken"),
                    ("edit", "gegevens gewijzigd"),
                    ("export", "geëxporteerd"),
                    ("print", "lijst afgedrukt"),
                    ("attendance", "aanwezigheid geregistreerd"),
                    ("view_log", "inzagelog bekeken"),
                    ("erase", "gegevens verwijderd op verzoek"),
                ],
                max_length=20,
                verbose_name="handeling",
            ),
        ),
        migrations.AlterField(
            model_name="accesslogentry",
            name="at",
            field=models.DateTimeField(
                db_index=True, default=django.utils.timezone.now, editable=False, verbose_name="moment"
            ),
        ),
        migrations.AlterField(
            model_name="accesslogentry",
            name="participant",
            field=models.ForeignKey(
                help_text="Deelnemers worden nooit verwijderd, alleen geanonimiseerd.",
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="access_log",
                to="booking.participant",
                verbose_name="deelnemer",
            ),
        ),
        migrations.AddIndex(
            model_name="participant",
            index=models.Index(
                condition=models.Q(("anonymised_at__isnull", True)),
                fields=["created_at"],
                name="booking_participant_retention",
            ),
        ),
        migrations.AddIndex(
            model_name="payment",
            index=models.Index(
                condition=models.Q(("mollie_id", ""), _negated=True),
                fields=["created_at"],
                name="booking_payment_bookkeeping",
            ),
        ),
        migrations.AddIndex(
            model_name="refund",
            index=models.Index(
                condition=models.Q(("mollie_refund_id", ""), _negated=True),
                fields=["created_at"],
                name="booking_refund_bookkeeping",
            ),
        ),
        migrations.RunPython(chain_existing_rows, migrations.RunPython.noop),
        migrations.RunPython(add_trigger, remove_trigger),
    ]
