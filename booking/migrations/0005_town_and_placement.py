"""Clearer names, same columns: Location.place is the town, Payment.place what became of the places.

State only: the database columns keep their names (db_column="place"), so
nothing in the database changes.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("booking", "0004_payments"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="location",
            options={"ordering": ["town", "name"], "verbose_name": "locatie", "verbose_name_plural": "locaties"},
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RenameField("location", "place", "town"),
                migrations.AlterField(
                    model_name="location",
                    name="town",
                    field=models.CharField(blank=True, db_column="place", max_length=100, verbose_name="plaats"),
                ),
                migrations.RenameField("payment", "place", "placement"),
                migrations.AlterField(
                    model_name="payment",
                    name="placement",
                    field=models.CharField(
                        blank=True,
                        choices=[
                            ("", "plaats bevestigd of nog niet aan de orde"),
                            ("lost", "betaald, maar de plaats was weg: deelnemer kiest"),
                            ("moved", "verplaatst naar een andere groep"),
                            ("waitlist", "op de wachtlijst gezet, geld terug"),
                            ("refund", "geld terug gevraagd"),
                        ],
                        db_column="place",
                        default="",
                        max_length=10,
                        verbose_name="plaats",
                    ),
                ),
            ],
            database_operations=[],
        ),
    ]
