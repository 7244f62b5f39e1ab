"""Send the reminders that are due. Each reminder goes out once, however often this runs."""

from django.core.management.base import BaseCommand

from booking.selfservice.reminders import send_reminders


class Command(BaseCommand):
    help = "Verstuurt de herinneringen voor bijeenkomsten die eraan komen. Elke herinnering gaat één keer weg."

    def handle(self, *args, **options):
        self.stdout.write(f"Herinneringen verstuurd: {send_reminders()}.")
