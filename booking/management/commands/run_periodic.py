"""All periodic work in one command, for cron or a timer every minute (see docs/operations.md)."""

from django.core.management.base import BaseCommand

from booking.periodic import EXTRA_LABELS, run_periodic

LABELS = {
    "expired_holds": "Verlopen reserveringen",
    "hold_expired_emails": "E-mails over verlopen reserveringen",
    "expired_offers": "Verlopen aanbiedingen",
    "free_places_offered": "Vrije plaatsen aangeboden aan de wachtlijst",
    "waitlist_checks": "'Wacht u nog?'-e-mails",
    "removed_from_waitlist": "Van de wachtlijst gehaald (geen antwoord)",
    "reminders": "Herinneringen",
    "groups_started": "Groepen die zijn begonnen",
    "groups_completed": "Groepen die zijn afgerond",
    "payments_checked": "Betalingen nagevraagd bij de betaaldienst",
    "refunds_sent": "Terugbetalingen verstuurd",
    "no_place_refunded": "Terugbetaald omdat er geen plaats was",
    "participants_anonymised": "Deelnemers geanonimiseerd (bewaartermijn voorbij)",
    "kept_data_cleared": "Bewaarde gegevens gewist (termijn voor de boekhouding voorbij)",
    "access_log_removed": "Regels uit het inzagelog verwijderd (ouder dan de bewaartermijn)",
    "emails_retried": "Eerder mislukte e-mails nu verstuurd",
}


class Command(BaseCommand):
    help = (
        "Doet al het periodieke werk: reserveringen en aanbiedingen laten verlopen, wachtlijstcontroles, "
        "herinneringen, betalingen en terugbetalingen, bewaartermijnen van persoonsgegevens, en mislukte "
        "e-mails. Veilig om elke minuut te draaien, ook als twee runs overlappen."
    )

    def handle(self, *args, **options):
        counts = run_periodic()
        for key, number in counts.items():
            self.stdout.write(f"{(LABELS | EXTRA_LABELS).get(key, key)}: {number}")
