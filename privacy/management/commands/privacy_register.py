"""Print the processing register from the personal-data registry, as the Markdown table in docs/privacy.md."""

from django.core.management.base import BaseCommand
from django.utils import translation
from django.utils.text import capfirst

from privacy import registry

KINDS = {registry.PARTICIPANT: "deelnemer", registry.ACCOUNT: "account", registry.ADDRESS: "e-mailadres in"}


def _ties(entry):
    parts = []
    for tie in entry.ties:
        where = f" `{tie.path}`" if tie.path else " (zelf)"
        parts.append(f"{KINDS[tie.kind]}{where}")
    return ", ".join(parts)


def _fields(fields):
    return "; ".join(f"`{name}` {anonymiser.description}" for name, anonymiser in fields.items()) or "–"


class Command(BaseCommand):
    help = "Prints every model in the privacy registry: what it holds, how a row belongs to someone, and when it goes."

    def handle(self, *args, **options):
        with translation.override("nl"):
            self.stdout.write("| model | wat en waarom | van wie | wanneer weg | hoe |")
            self.stdout.write("|---|---|---|---|---|")
            for entry in registry.entries():
                model = entry.model
                what = f"{capfirst(model._meta.verbose_name_plural)}: {entry.purpose}"
                how = _fields(entry.fields)
                when = str(entry.clock.describe())
                if entry.kept:
                    how += f"; bewaard: {_fields(entry.kept.fields)} ({entry.kept.why})"
                    when += f"; bewaard: {entry.kept.clock.describe()}"
                self.stdout.write(f"| `{entry.label}` | {what} | {_ties(entry)} | {when} | {how} |")
            self.stdout.write("")
            self.stdout.write("| model | waarom geen persoonsgegevens om op te treden |")
            self.stdout.write("|---|---|")
            for label, why in sorted(registry.REGISTRY.none.items()):
                self.stdout.write(f"| `{label}` | {why} |")
