"""Inzage: everything we hold about a person, from the registry, as JSON and as a readable PDF.

Every registered model contributes the rows that are the person's (see
``people.rows_of``), so a model declared tomorrow is in tomorrow's download.
Fields shown are the entry's ``inzage`` list, or every field except links to
staff accounts and passwords. Values are shown as a person reads them: the
label of a choice, a date on the Dutch clock, the name of a linked course.
"""

import datetime
import json
import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from uuid import UUID

from django.apps import apps
from django.conf import settings
from django.db import models
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from fpdf import FPDF

from . import registry
from .people import rows_of

HIDDEN_FIELDS = frozenset({"password"})
FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
FONT_REGULAR = FONT_DIR / "DejaVuSans.ttf"
FONT_BOLD = FONT_DIR / "DejaVuSans-Bold.ttf"
LABEL_WIDTH = 58


@dataclass
class Section:
    label: str
    model: str
    fields: dict  # name -> label
    rows: list  # [{name: value}]


def _shown_fields(entry):
    """The fields of `entry`'s model shown in a download, in the model's order."""
    model = entry.model
    user_model = apps.get_model(settings.AUTH_USER_MODEL)
    account_paths = {tie.path for tie in entry.ties_of(registry.ACCOUNT)}
    shown = []
    for model_field in [*model._meta.concrete_fields, *model._meta.many_to_many]:
        name = model_field.name
        if entry.inzage is not None:
            if name in entry.inzage:
                shown.append(model_field)
            continue
        if name in HIDDEN_FIELDS:
            continue
        if model_field.is_relation and model_field.related_model is user_model and name not in account_paths:
            continue  # who on the staff did something: not part of the person's own data
        shown.append(model_field)
    return shown


def _plain(value):
    """A value as JSON can hold it."""
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).isoformat() if timezone.is_aware(value) else value.isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, (Decimal, UUID)):
        return str(value)
    if isinstance(value, models.Model):
        return str(value)
    return value


def _holds_people(model):
    """A related model whose rows are about someone (in the registry): shown by number only, never by name.

    Its name could be someone else's: a couple's shared payment links both
    partners' enrollments.
    """
    return registry.entry_for(model) is not None


def _value(row, model_field):
    if model_field.many_to_many:
        if _holds_people(model_field.related_model):
            return sorted(getattr(row, model_field.name).values_list("pk", flat=True))
        return [str(item) for item in getattr(row, model_field.name).all()]
    if model_field.is_relation:
        if _holds_people(model_field.related_model):
            return getattr(row, model_field.attname)
        return str(getattr(row, model_field.name) or "") or None
    if model_field.choices:
        return getattr(row, f"get_{model_field.name}_display")()
    return _plain(getattr(row, model_field.attname))


def collect(person):
    """[Section, ...]: per registered model with rows of `person`, those rows with their shown fields."""
    sections = []
    with translation.override(settings.LANGUAGE_CODE):
        for entry in registry.entries():
            rows = list(rows_of(entry, person).order_by("pk"))
            if not rows:
                continue
            shown = _shown_fields(entry)
            meta = entry.model._meta
            sections.append(
                Section(
                    label=str(capfirst(meta.verbose_name_plural)),
                    model=entry.label,
                    fields={f.name: str(capfirst(f.verbose_name)) for f in shown},
                    rows=[{f.name: _value(row, f) for f in shown} for row in rows],
                )
            )
    return sections


def as_json(person, *, now=None, organisation=""):
    """Everything of `person` as UTF-8 JSON bytes: machine-readable, with a label for every field."""
    now = now or timezone.now()
    sections = collect(person)
    document = {
        "over": _("Alle gegevens die %(organisation)s bewaart bij het e-mailadres %(email)s.")
        % {"organisation": organisation or settings.WAGTAIL_SITE_NAME, "email": person.email},
        "gemaakt_op": timezone.localtime(now).isoformat(),
        "e_mailadres": person.email,
        "onderdelen": [{"soort": s.label, "model": s.model, "velden": s.fields, "regels": s.rows} for s in sections],
    }
    return json.dumps(document, ensure_ascii=False, indent=2).encode()


class _Text:
    """DejaVu when the machine has it (every letter prints); else the core font, accents dropped."""

    def __init__(self, pdf):
        self.pdf = pdf
        self.unicode = FONT_REGULAR.exists() and FONT_BOLD.exists()
        if self.unicode:
            pdf.add_font("DejaVu", "", str(FONT_REGULAR))
            pdf.add_font("DejaVu", "B", str(FONT_BOLD))
            self.family = "DejaVu"
        else:
            self.family = "Helvetica"

    def __call__(self, value):
        text = str(value)
        if self.unicode:
            return text
        plain = unicodedata.normalize("NFKD", text).encode("latin-1", "ignore").decode("latin-1")
        return plain.replace("€", "EUR")

    def font(self, size, bold=False):
        self.pdf.set_font(self.family, "B" if bold else "", size)


def _readable(value):
    if value is None or value == "" or value == [] or value == {}:
        return "–"
    if value is True:
        return _("ja")
    if value is False:
        return _("nee")
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, str) and len(value) >= 19 and value[4] == "-" and value[10] == "T":
        try:
            moment = datetime.datetime.fromisoformat(value)
        except ValueError:
            return value
        return date_format(moment, "j F Y, H:i")
    return str(value)


def as_pdf(person, *, now=None, organisation=""):
    """Everything of `person` as a readable PDF (bytes): one heading per kind of data, label and value per line."""
    now = now or timezone.now()
    organisation = organisation or settings.WAGTAIL_SITE_NAME
    with translation.override(settings.LANGUAGE_CODE):
        sections = collect(person)
        pdf = FPDF(format="A4")
        pdf.set_margins(20, 20, 20)
        pdf.set_auto_page_break(True, margin=20)
        text = _Text(pdf)
        pdf.set_title(text(_("Uw gegevens bij %(organisation)s") % {"organisation": organisation}))
        pdf.set_author(text(organisation))
        pdf.set_lang("nl")
        pdf.add_page()
        width = pdf.epw

        text.font(18, bold=True)
        pdf.multi_cell(width, 9, text(_("Uw gegevens bij %(organisation)s") % {"organisation": organisation}))
        pdf.ln(2)
        text.font(10)
        intro = _(
            "Dit zijn alle gegevens die wij bewaren bij het e-mailadres %(email)s, op %(when)s. "
            "Klopt er iets niet? Neem dan contact met ons op."
        ) % {"email": person.email, "when": date_format(timezone.localtime(now), "j F Y, H:i")}
        pdf.multi_cell(width, 5, text(intro))
        if not sections:
            pdf.ln(4)
            pdf.multi_cell(width, 5, text(_("Wij bewaren geen gegevens bij dit e-mailadres.")))
        for section in sections:
            pdf.ln(6)
            text.font(14, bold=True)
            pdf.multi_cell(width, 7, text(section.label))
            for number, row in enumerate(section.rows, start=1):
                if len(section.rows) > 1:
                    pdf.ln(1)
                    text.font(10, bold=True)
                    pdf.multi_cell(width, 6, text(f"{section.label} {number}"))
                for name, label in section.fields.items():
                    if pdf.will_page_break(10):
                        pdf.add_page()
                    y = pdf.get_y()
                    text.font(9, bold=True)
                    pdf.multi_cell(LABEL_WIDTH, 5, text(label))
                    label_end = pdf.get_y()
                    pdf.set_xy(pdf.l_margin + LABEL_WIDTH, y)
                    text.font(9)
                    pdf.multi_cell(width - LABEL_WIDTH, 5, text(_readable(row[name])))
                    pdf.set_y(max(label_end, pdf.get_y()))
        return bytes(pdf.output())
