# The record of erasures on request (issue 8).

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="ErasureRecord",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("at", models.DateTimeField(db_index=True, default=django.utils.timezone.now, verbose_name="moment")),
                (
                    "source",
                    models.CharField(
                        choices=[
                            ("coordinator", "door een coördinator"),
                            ("participant", "door de deelnemer, bevestigd per e-mail"),
                        ],
                        max_length=20,
                        verbose_name="op verzoek van",
                    ),
                ),
                ("reason", models.CharField(max_length=300, verbose_name="reden")),
                ("participant_ids", models.JSONField(default=list, verbose_name="deelnemernummers")),
                ("account_ids", models.JSONField(default=list, verbose_name="accountnummers")),
                ("rows", models.JSONField(default=dict, verbose_name="geanonimiseerde regels per soort gegevens")),
                (
                    "by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="uitgevoerd door",
                    ),
                ),
            ],
            options={
                "verbose_name": "verwijdering op verzoek",
                "verbose_name_plural": "verwijderingen op verzoek",
                "ordering": ["-at", "-pk"],
                "permissions": [("erase_personal_data", "Persoonsgegevens verwijderen op verzoek")],
            },
        ),
    ]
