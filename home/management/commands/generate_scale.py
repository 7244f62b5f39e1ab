"""manage.py generate_scale --factor 1: a national-scale data set on top of the demo, for benchmarks."""

import time

from django.core.management.base import BaseCommand, CommandError

from booking.services import page_state
from home.demo import refuse_unless_demo_allowed
from home.demo.scale import MAX_FACTOR, foreign_data, generate, generated_data_exists, volumes


def factor_type(value):
    try:
        factor = float(value)
    except ValueError:
        raise CommandError(f"--factor {value!r}: give a number, such as 1, 0.1 or 0.01.")
    if not 0 < factor <= MAX_FACTOR:
        raise CommandError(f"--factor {value!r}: give a number above 0 and at most {MAX_FACTOR}.")
    return factor


class Command(BaseCommand):
    help = (
        "Maakt een landelijke gegevensset voor metingen: bij factor 1 2.000 locaties, 20.000 groepen, "
        "160.000 bijeenkomsten en 1.000.000 aanmeldingen (factor 0,1 en 0,01 maken minder). Laadt de demo "
        "eerst als die er nog niet is. Alleen met DEBUG of GROEPSWIJZER_ALLOW_DEMO."
    )

    def add_arguments(self, parser):
        parser.add_argument("--factor", type=factor_type, default=1.0, help="1 = landelijk / national (default 1)")
        parser.add_argument("--seed", type=int, default=1, help="zelfde seed, zelfde gegevens / same seed, same data")
        parser.add_argument(
            "--force",
            action="store_true",
            help="ook als de database al andere of gegenereerde gegevens heeft / also when other data is present",
        )

    def handle(self, *args, factor, seed, force, **options):
        refuse_unless_demo_allowed()
        if not force:
            if generated_data_exists():
                raise CommandError(
                    "Deze database heeft al gegenereerde gegevens. Gebruik een nieuwe database, of --force om er "
                    "nog een set bij te maken.\n"
                    "This database already holds generated data. Use a new database, or --force to add another set."
                )
            found = foreign_data()
            if found:
                raise CommandError(
                    f"Deze database heeft gegevens die niet van de demo of de generator komen: {found}. "
                    "Gebruik een lege database (of --force).\n"
                    "This database holds data that neither the demo nor the generator made. Use an empty database "
                    "(or --force)."
                )
        wanted = volumes(factor)
        self.stdout.write(
            f"Factor {factor:g}, seed {seed}: {wanted['locations']:,} locaties, {wanted['groups']:,} groepen, "
            f"{wanted['enrollments']:,} aanmeldingen …"
        )
        started = time.monotonic()
        made = generate(factor=factor, seed=seed, say=self.stdout.write)
        page_state.changed_everything()  # written in bulk, without signals: every stored page is stale
        seconds = time.monotonic() - started
        self.stdout.write(
            self.style.SUCCESS(f"Gegenereerd / generated in {seconds:.1f} s (factor {factor:g}, seed {seed}):")
        )
        for what, number in sorted(made.items()):
            self.stdout.write(f"  {what}: {number:,}")
