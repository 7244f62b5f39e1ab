"""All periodic work in one command, for cron or a timer every minute (see docs/operations.md)."""

from django.core.management.base import BaseCommand

from booking.periodic import EXTRA_LABELS, run_once

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
    "participants_still_due": "Deelnemers nog te anonimiseren in een volgende run (tot 100 geteld)",
    "kept_data_cleared": "Bewaarde gegevens gewist (termijn voor de boekhouding voorbij)",
    "access_log_removed": "Regels uit het inzagelog verwijderd (ouder dan de bewaartermijn)",
    "export_files_removed": "Grote exports verwijderd (link verlopen)",
    "emails_retried": "Eerder mislukte e-mails nu verstuurd",
    "pages_published": "Pagina's gepubliceerd of offline gehaald (volgens planning)",
}


STEPS = {
    "expire_holds": "reserveringen laten verlopen",
    "expire_offers": "aanbiedingen laten verlopen",
    "offer_free_places": "vrije plaatsen aanbieden",
    "waitlist_checks": "'wacht u nog?'-e-mails",
    "remove_unanswered": "wachtenden zonder antwoord",
    "reminders": "herinneringen",
    "group_statuses": "groepen beginnen en afronden",
    "payments": "betalingen",
    "anonymise": "bewaartermijn deelnemers",
    "kept_data": "bewaartermijn boekhouding",
    "access_log": "inzagelog opschonen",
    "retry_emails": "mislukte e-mails",
    "publish_pages": "geplande pagina's",
}


class Command(BaseCommand):
    help = (
        "Doet al het periodieke werk: reserveringen en aanbiedingen laten verlopen, wachtlijstcontroles, "
        "herinneringen, betalingen en terugbetalingen, bewaartermijnen van persoonsgegevens, en mislukte "
        "e-mails. Veilig om elke minuut te draaien: loopt er al een run (ook op een andere machine), dan "
        "slaat deze over. Per stap: wat hij deed en hoe lang het duurde."
    )

    def handle(self, *args, **options):
        reports = run_once()
        if reports is None:
            self.stdout.write("Er loopt al een periodieke run; deze slaat over.")
            return
        for report in reports:
            for key, number in report.counts.items():
                self.stdout.write(f"{(LABELS | EXTRA_LABELS).get(key, key)}: {number}")
        total = sum(report.seconds for report in reports)
        for report in reports:
            self.stdout.write(f"Tijd, {STEPS.get(report.name, report.name)}: {report.seconds * 1000:.0f} ms")
        self.stdout.write(f"Tijd, totaal: {total * 1000:.0f} ms")
