"""Mark holds that ran out as expired and tell the people concerned. Safe to run as often as a scheduler likes."""

from django.core.management.base import BaseCommand

from booking.services.places import expire_holds_and_notify


class Command(BaseCommand):
    help = (
        "Zet reserveringen waarvan de tijd om is op 'verlopen' en mailt de mensen die het betreft. "
        "De vrije plaatsen gaan naar de wachtlijst. Kan zo vaak draaien als nodig."
    )

    def handle(self, *args, **options):
        expired, emails = expire_holds_and_notify()
        self.stdout.write(f"Verlopen reserveringen: {len(expired)}. E-mails: {emails}.")
