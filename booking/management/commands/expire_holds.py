"""Mark holds that ran out as expired. Safe to run as often as a scheduler or cron likes."""

from django.core.management.base import BaseCommand

from booking.services import expire_holds


class Command(BaseCommand):
    help = "Zet reserveringen waarvan de tijd om is op 'verlopen'. Kan zo vaak draaien als nodig."

    def handle(self, *args, **options):
        expired = expire_holds()
        self.stdout.write(f"Verlopen reserveringen: {len(expired)}.")
