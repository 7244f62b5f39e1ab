"""manage.py load_demo: fill an empty development site with the demo region Zuidoost-Brabant."""

import time

from django.core.management.base import BaseCommand

from home.demo import refuse_unless_demo_allowed
from home.demo.builder import build_demo, demo_counts
from home.demo.users import DEMO_ACCOUNTS, DEMO_PASSWORD, DEMO_TOTP_SECRET

SITE_URL = "http://127.0.0.1:8000"


class Command(BaseCommand):
    help = (
        "Laadt demo-inhoud: regio Zuidoost-Brabant met trainingen, locaties, documenten en demo-accounts. "
        "Nog een keer draaien verandert niets. Alleen met DEBUG of GROEPSWIJZER_ALLOW_DEMO."
    )

    def handle(self, *args, **options):
        refuse_unless_demo_allowed()
        started = time.monotonic()
        tally = build_demo()
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
            f"  Nu / now: {counts['pages']} pagina's (waarvan {counts['courses']} trainingen), "
            f"{counts['locations']} locaties, {counts['documents']} documenten."
        )
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
