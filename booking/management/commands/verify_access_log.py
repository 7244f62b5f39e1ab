"""Check that nobody changed, removed or inserted rows in the access log: ``manage.py verify_access_log``."""

from django.core.management.base import BaseCommand, CommandError

from booking.services.access_log import verify


class Command(BaseCommand):
    help = "Recompute the access log's chain; fails at the first row that does not match."

    def handle(self, *args, **options):
        result = verify()
        if not result.ok:
            raise CommandError(
                f"Het inzagelog klopt niet vanaf regel {result.broken_at}: die regel, of een regel vlak ervoor, "
                f"is gewijzigd, verwijderd of tussengevoegd. {result.checked} regels ervoor kloppen."
            )
        self.stdout.write(f"Het inzagelog klopt: {result.checked} regels gecontroleerd.")
        self.stdout.write(f"Laatste controlewaarde: {result.head or '(leeg log)'}")
