from django.db import migrations, models


def cancelled_sessions_were_changed_once(apps, schema_editor):
    # A session cancelled before this migration was changed once: its calendar entry says so from now on.
    Session = apps.get_model("booking", "Session")
    Session.objects.filter(status="cancelled").update(revision=1)


class Migration(migrations.Migration):
    dependencies = [
        ("booking", "0006_privacy_access_log_chain"),
    ]

    operations = [
        migrations.AddField(
            model_name="session",
            name="revision",
            field=models.PositiveIntegerField(
                default=0,
                editable=False,
                help_text="Gaat omhoog bij elke verplaatsing of annulering, zodat agenda's de wijziging overnemen.",
                verbose_name="versie",
            ),
        ),
        migrations.RunPython(cancelled_sessions_were_changed_once, migrations.RunPython.noop),
    ]
