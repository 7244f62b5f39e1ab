"""Expire waiting-list offers nobody answered in time; their places pass to the next person."""

from django.core.management.base import BaseCommand

from booking.waitlist import offers as waitlist_offers


class Command(BaseCommand):
    help = (
        "Zet aanbiedingen van de wachtlijst waarvan de tijd om is op 'verlopen' en biedt de plaats aan de volgende "
        "persoon aan. Biedt ook vrije plaatsen aan die nog niet waren aangeboden. Kan zo vaak draaien als nodig."
    )

    def handle(self, *args, **options):
        expired = waitlist_offers.expire_offers()
        offered = waitlist_offers.offer_all_free_places()
        self.stdout.write(f"Verlopen aanbiedingen: {len(expired)}. Nieuwe aanbiedingen: {len(offered)}.")
