"""The monthly "still waiting?" email, and taking off the list who did not answer in time."""

from django.core.management.base import BaseCommand

from booking.waitlist import checks


class Command(BaseCommand):
    help = (
        "Haalt mensen van de wachtlijst die niet op tijd hebben geantwoord (met een e-mail), en vraagt iedereen "
        "die een maand niets van ons hoorde of hij nog wil wachten. Kan zo vaak draaien als nodig."
    )

    def handle(self, *args, **options):
        removed = checks.remove_unanswered()
        asked = checks.send_waitlist_checks()
        self.stdout.write(f"Van de wachtlijst gehaald: {len(removed)}. 'Wacht u nog?'-mails: {len(asked)}.")
