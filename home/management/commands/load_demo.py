"""manage.py load_demo: fill an empty development site with the demo region Zuidoost-Brabant."""

import time

from django.core.management.base import BaseCommand

from booking.services import page_state
from events.demo import training_days_summary
from home.demo import refuse_unless_demo_allowed
from home.demo.builder import build_demo, demo_counts
from home.demo.history import build_history, history_period
from home.demo.users import DEMO_ACCOUNTS, DEMO_PASSWORD, DEMO_TOTP_SECRET

SITE_URL = "http://127.0.0.1:8000"


class Command(BaseCommand):
    help = (
        "Laadt demo-inhoud: regio Zuidoost-Brabant met trainingen, locaties, documenten en demo-accounts. "
        "Nog een keer draaien verandert niets. Alleen met DEBUG of GROEPSWIJZER_ALLOW_DEMO."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--history",
            action="store_true",
            help=(
                "ook een afgelopen jaar: 74 gestarte groepen, ongeveer 640 deelnemers, ruim 900 verwijzingen, "
                "wachttijden, betalingen, vragenlijsten en evaluaties (voor de cijfers) / also a past year for the "
                "figures"
            ),
        )
        parser.add_argument("--seed", type=int, default=1, help="zelfde seed, zelfde jaar / same seed, same year")

    def handle(self, *args, history=False, seed=1, **options):
        refuse_unless_demo_allowed()
        started = time.monotonic()
        tally = build_demo()
        if history:
            self.write_history(seed)
        page_state.changed_everything()  # pages a web process stored before are stale now
        seconds = time.monotonic() - started

        out = self.stdout
        if tally.changed:
            made = ", ".join(f"{number} {what}" for what, number in sorted(tally.counts.items()))
            out.write(self.style.SUCCESS(f"Demo-inhoud geladen / demo content loaded ({seconds:.1f} s)."))
            out.write(f"  Nieuw / created: {made}")
        else:
            out.write(
                self.style.SUCCESS(
                    "De demo-inhoud stond er al; er is niets veranderd. / The demo content was already there; nothing "
                    "changed."
                )
            )
        counts = demo_counts()
        out.write(
            f"  Nu / now: {counts['pages']} pagina's (waarvan {counts['courses']} trainingen en "
            f"{counts['news']} nieuwsberichten), "
            f"{counts['locations']} locaties, {counts['documents']} documenten."
        )
        summary = training_days_summary()
        if summary:
            out.write(f"  {summary}")
            out.write(f"  Mijn scholing / my training days (professional): {SITE_URL}/scholing/mijn-aanmeldingen/")
        out.write("")
        out.write(f"Site: {SITE_URL}    Beheer / admin: {SITE_URL}/admin/")
        out.write("")
        out.write("Demo-accounts (alleen voor ontwikkeling / development only):")
        width = max(len(account.email) for account in DEMO_ACCOUNTS)
        for account in DEMO_ACCOUNTS:
            mfa = "  + tweestapsinlog / two-step login" if account.totp else ""
            out.write(f"  {account.email:<{width}}  {DEMO_PASSWORD}  {account.role}{mfa}")
        out.write("")
        out.write("Code voor de tweestapsinlog / two-step login code:")
        out.write("  .venv/bin/python manage.py demo_totp EMAIL    (of / or: make totp EMAIL=...)")
        out.write(f"  Of zet deze sleutel in een authenticator-app / or add this key to an app: {DEMO_TOTP_SECRET}")

    def write_history(self, seed):
        expected = build_history(seed=seed)
        if expected is None:
            self.stdout.write("Het afgelopen jaar stond er al / the past year was already there.")
            return
        start, end = history_period(None)
        started = sum(expected.outcomes[key] for key in ("completed", "stopped", "running"))
        self.stdout.write(
            self.style.SUCCESS(
                f"Afgelopen jaar ({start:%d-%m-%Y} tot en met {end:%d-%m-%Y}): {expected.groups_started} groepen "
                f"gestart, {started} deelnemers gestart, {sum(expected.outcomes.values())} aanmeldingen, "
                f"{sum(expected.care.referred.values())} verwijzingen. Zie Beheer → Cijfers."
            )
        )
