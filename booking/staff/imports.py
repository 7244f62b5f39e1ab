"""Moving a region here: groups, participants and waiting lists from a CSV or XLSX file (django-import-export).

django-import-export reads the file (``formats``) and runs the rows in a
transaction that a dry run rolls back (``Resource.import_data``). Each row
is not written into a model directly: it is read by the same fields as the
site's forms (Dutch messages, 06-12345678, 5611ab) and saved by the same
services as the site and the office (`planning.plan_sessions`,
`places.place_directly`, `waitlist.import_waitlist_entry`), so an imported
row meets every rule a new one does. A refused row says why, per column, in
Dutch. A row that is already here (the same group, the same person in the
group or on the list) is left alone, so importing a file twice changes
nothing. An import is all or nothing: when one row is refused, none is
saved. The columns: docs/import.md.
"""

import base64
import datetime
import re
import unicodedata
from dataclasses import dataclass

from django import forms
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView
from import_export import resources
from import_export.formats.base_formats import CSV, XLSX
from import_export.instance_loaders import BaseInstanceLoader
from import_export.results import RowResult
from wagtail.admin import messages
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from booking.clock import LOCAL_TZ
from booking.forms import ParticipantsForm
from booking.models import Enrollment, Frequency, Location, PartOfDay, TrainingGroup, WaitlistEntry
from booking.models.enrollments import takes_a_place
from booking.services import planning
from booking.services.access_log import Action, log_access
from booking.services.errors import AlreadyOnWaitlist, BookingError
from booking.services.money import parse_amount
from booking.services.places import place_directly
from booking.waitlist import entries as waitlist
from courses.models import CoursePage, Trainer
from home.languages import originals

PERMISSION = "booking.add_traininggroup"
MAX_FILE_BYTES = 1_000_000
SIGNING_SALT = "groepswijzer.import.v1"
# The file travels with the confirmation, signed; an hour is enough to look at the dry run.
CONFIRM_SECONDS = 60 * 60
IMPORTED_CONSENT_VERSION = "overgenomen"

FREQUENCIES = {
    "week": Frequency.WEEKLY,
    "elke week": Frequency.WEEKLY,
    "wekelijks": Frequency.WEEKLY,
    "2 weken": Frequency.BIWEEKLY,
    "om de week": Frequency.BIWEEKLY,
    "3 weken": Frequency.THREE_WEEKS,
    "4 weken": Frequency.FOUR_WEEKS,
    **{value: value for value in Frequency.values},
}
PARTS_OF_DAY = {
    "": PartOfDay.ANY,
    "maakt niet uit": PartOfDay.ANY,
    "ochtend": PartOfDay.MORNING,
    "middag": PartOfDay.AFTERNOON,
    "avond": PartOfDay.EVENING,
    **{value: value for value in PartOfDay.values},
}
STATUSES = {
    "": TrainingGroup.Status.OPEN,
    "open": TrainingGroup.Status.OPEN,
    "gepland": TrainingGroup.Status.PLANNED,
    "gesloten": TrainingGroup.Status.CLOSED,
}
YES = {"ja", "j", "yes", "1", "true", "waar", "x"}
NO = {"", "nee", "n", "no", "0", "false", "onwaar"}


def import_url():
    return reverse("kantoor_importeren")


def header_key(text):
    """A column name as written by anyone: "E-mailadres ", "e_mailadres" and "e-mailadres" are the same."""
    text = unicodedata.normalize("NFKD", str(text or "")).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "", text)


@dataclass(frozen=True)
class Column:
    name: str
    required: bool
    help: str


class Refused(Exception):
    """A row that cannot be imported: messages per column."""

    def __init__(self, messages):
        self.messages = messages
        super().__init__("; ".join(messages))


def _text(value):
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def parse_date(value):
    """A date as spreadsheets give it, or as typed: 2027-03-04, 4-3-2027, 04/03/2027."""
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = _text(value)
    for pattern in ("%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y", "%d.%m.%Y"):
        try:
            return datetime.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise ValidationError(_("Vul een datum in zoals 4-3-2027 of 2027-03-04."))


def parse_time(value):
    if isinstance(value, datetime.datetime):
        return value.time().replace(second=0, microsecond=0)
    if isinstance(value, datetime.time):
        return value.replace(second=0, microsecond=0)
    text = _text(value).replace(".", ":")
    try:
        return datetime.datetime.strptime(text, "%H:%M").time()
    except ValueError:
        raise ValidationError(_("Vul een tijd in zoals 19:00.")) from None


def parse_number(value, *, low=1, high=999):
    text = _text(value)
    if not re.fullmatch(r"[0-9]+", text):
        raise ValidationError(_("Vul een heel getal in."))
    number = int(text)
    if not low <= number <= high:
        raise ValidationError(_("Vul een getal in van %(low)s tot en met %(high)s.") % {"low": low, "high": high})
    return number


def parse_choice(value, choices, wanted):
    key = _text(value).lower()
    if key not in choices:
        raise ValidationError(_("Kies uit: %(wanted)s.") % {"wanted": wanted})
    return choices[key]


def parse_yes_no(value):
    key = _text(value).lower()
    if key in YES:
        return True
    if key in NO:
        return False
    raise ValidationError(_("Vul ja of nee in."))


class OfficeResource(resources.Resource):
    """Rows that go through the site's forms and services. Subclasses set `columns` and `import_one`."""

    columns = ()
    title = ""

    class Meta:
        instance_loader_class = BaseInstanceLoader
        skip_diff = True
        use_transactions = True

    def __init__(self, *, user, now=None):
        super().__init__()
        self.user = user
        self.now = now or timezone.now()
        self.created_participants = []

    # --- reading a row -------------------------------------------------------------------------

    def missing_columns(self, headers):
        present = {header_key(header) for header in headers or ()}
        return [column.name for column in self.columns if column.required and header_key(column.name) not in present]

    def before_import(self, dataset, **kwargs):
        missing = self.missing_columns(dataset.headers)
        if missing:
            raise ValidationError(
                _("Deze kolommen ontbreken in het bestand: %(columns)s.") % {"columns": ", ".join(missing)}
            )

    @staticmethod
    def values(row):
        return {header_key(key): value for key, value in row.items()}

    def cell(self, values, name):
        return values.get(header_key(name))

    def parsed(self, values, parsers, problems):
        """{column: parsed value} for the columns in `parsers` that are filled in; problems per column collected."""
        found = {}
        for name, parse in parsers.items():
            raw = self.cell(values, name)
            if _text(raw) == "" and not isinstance(raw, datetime.date | datetime.time):
                continue
            try:
                found[name] = parse(raw)
            except ValidationError as error:
                problems.extend(f"{name}: {message}" for message in error.messages)
        return found

    def required(self, values, problems):
        for column in self.columns:
            if column.required and _text(self.cell(values, column.name)) == "":
                problems.append(_("%(column)s: deze kolom is leeg.") % {"column": column.name})

    @staticmethod
    def from_error(error, names):
        """Messages of a ValidationError from a form or a service, each with the column it belongs to."""
        if hasattr(error, "error_dict"):
            return [
                f"{names.get(field, field)}: {message}" if field != "__all__" else str(message)
                for field, errors in error.error_dict.items()
                for failure in errors
                for message in failure.messages
            ]
        return list(error.messages)

    def find_course(self, values, problems):
        title = _text(self.cell(values, "training"))
        course = originals(CoursePage.objects.filter(title__iexact=title)).first() if title else None
        if title and course is None:
            problems.append(_("training: er is geen training met de naam '%(title)s'.") % {"title": title})
        return course

    def find_location(self, name, problems, column="locatie"):
        location = Location.objects.filter(name__iexact=name).first() if name else None
        if name and location is None:
            problems.append(
                _("%(column)s: er is geen locatie met de naam '%(name)s'.") % {"column": column, "name": name}
            )
        return location

    def person(self, values, course, problems, *, letter=True):
        """The participant as the site's form reads them: {model field: value}, or None with the problems noted."""
        data = {
            "first_name": _text(self.cell(values, "voornaam")),
            "last_name": _text(self.cell(values, "achternaam")),
            "email": _text(self.cell(values, "e-mailadres")),
            "phone": _text(self.cell(values, "telefoon")),
            "birth_year": _text(self.cell(values, "geboortejaar")),
            "postcode": _text(self.cell(values, "postcode")),
            "gp_practice": _text(self.cell(values, "huisartsenpraktijk")),
        }
        if letter:
            try:
                if parse_yes_no(self.cell(values, "brief aan huisarts")):
                    data["gp_letter_consent"] = "on"
            except ValidationError as error:
                problems.extend(f"brief aan huisarts: {message}" for message in error.messages)
        if course is None:
            return None
        form = ParticipantsForm(data, course=course, now=self.now)
        if not form.is_valid():
            problems.extend(
                f"{PERSON_COLUMNS.get(field, field)}: {message}" if field != "__all__" else message
                for field, messages in form.errors.items()
                for message in messages
            )
            return None
        row = form.participants()[0]
        if not letter:
            row.pop("gp_letter_consent", None)
        return row

    def consent(self, values, problems):
        version = _text(self.cell(values, "toestemming versie")) or IMPORTED_CONSENT_VERSION
        found = self.parsed(values, {"toestemming datum": parse_date}, problems)
        given = found.get("toestemming datum")
        at = datetime.datetime.combine(given, datetime.time(12, 0), tzinfo=LOCAL_TZ) if given else None
        return version[:40], at

    # --- import-export's hook ------------------------------------------------------------------

    def import_row(self, row, instance_loader, **kwargs):
        result = RowResult()
        result.row_values = dict(row)
        values = self.values(row)
        if not any(_text(value) for value in values.values()):
            result.import_type = RowResult.IMPORT_TYPE_SKIP
            result.object_repr = _("lege regel")
            return result
        try:
            result.import_type, result.object_repr = self.import_one(values)
        except Refused as refused:
            result.import_type = RowResult.IMPORT_TYPE_INVALID
            result.validation_error = ValidationError(refused.messages)
        except BookingError as refusal:
            result.import_type = RowResult.IMPORT_TYPE_INVALID
            result.validation_error = ValidationError([str(refusal.message)])
        return result

    def import_one(self, values):
        raise NotImplementedError


PERSON_COLUMNS = {
    "first_name": "voornaam",
    "last_name": "achternaam",
    "email": "e-mailadres",
    "phone": "telefoon",
    "birth_year": "geboortejaar",
    "postcode": "postcode",
    "gp_practice": "huisartsenpraktijk",
    "gp_letter_consent": "brief aan huisarts",
}
PERSON_COLUMN_LIST = (
    Column("voornaam", True, gettext_lazy("Voornaam.")),
    Column("achternaam", True, gettext_lazy("Achternaam, met tussenvoegsel: van der Berg.")),
    Column("e-mailadres", True, gettext_lazy("Eén e-mailadres per persoon.")),
    Column("telefoon", False, gettext_lazy("Bijvoorbeeld 06-12345678.")),
    Column("geboortejaar", True, gettext_lazy("Vier cijfers, bijvoorbeeld 1980.")),
    Column("postcode", True, gettext_lazy("Bijvoorbeeld 5611 AB.")),
)
# The consent given in the earlier system, for every import of people.
CONSENT_COLUMN_LIST = (
    Column("toestemming versie", False, gettext_lazy("De versie van de toestemmingstekst in het vorige systeem.")),
    Column("toestemming datum", False, gettext_lazy("Wanneer de toestemming is gegeven.")),
)
GROUP_FIELDS = {
    "capacity": "plaatsen",
    "min_participants": "minimum",
    "contribution": "eigen bijdrage",
    "count": "aantal bijeenkomsten",
    "duration": "duur in minuten",
    "trainers": "trainers",
    "location": "locatie",
}


def _find_group(course, location, day, problems):
    """The group of the course at the location whose first session is on `day`, or None with a problem noted."""
    if course is None or location is None or day is None:
        return None
    starts = datetime.datetime.combine(day, datetime.time(0, 0), tzinfo=LOCAL_TZ)
    groups = list(
        TrainingGroup.objects.filter(course=course, location=location)
        .exclude(status=TrainingGroup.Status.CANCELLED)
        .with_first_start()
        .filter(first_start__gte=starts, first_start__lt=starts + datetime.timedelta(days=1))
    )
    if not groups:
        problems.append(
            _(
                "startdatum: er is geen groep van deze training op deze locatie die dan begint. "
                "Importeer eerst de groepen."
            )
        )
        return None
    if len(groups) > 1:
        problems.append(_("startdatum: er beginnen die dag meer groepen van deze training op deze locatie."))
        return None
    return groups[0]


class GroupResource(OfficeResource):
    title = gettext_lazy("Groepen")
    columns = (
        Column("training", True, gettext_lazy("De naam van de training, zoals op de site.")),
        Column("locatie", True, gettext_lazy("De naam van de locatie, zoals in het beheer.")),
        Column("eerste bijeenkomst", True, gettext_lazy("Datum, bijvoorbeeld 4-3-2027.")),
        Column("begintijd", True, gettext_lazy("Bijvoorbeeld 19:00.")),
        Column("aantal bijeenkomsten", False, gettext_lazy("Leeg: zoals bij de training.")),
        Column("hoe vaak", False, gettext_lazy("week, 2 weken, 3 weken of 4 weken. Leeg: zoals bij de training.")),
        Column("duur in minuten", False, gettext_lazy("Leeg: zoals bij de training.")),
        Column("plaatsen", False, gettext_lazy("Leeg: de grootste groep van de training.")),
        Column("minimum", False, gettext_lazy("Leeg: de kleinste groep van de training.")),
        Column("eigen bijdrage", False, gettext_lazy("Bijvoorbeeld 35,00. Leeg: zoals bij de training.")),
        Column("trainers", False, gettext_lazy("Namen, gescheiden door ;")),
        Column("status", False, gettext_lazy("open, gepland of gesloten. Leeg: open.")),
    )

    def import_one(self, values):
        problems = []
        self.required(values, problems)
        course = self.find_course(values, problems)
        location = self.find_location(_text(self.cell(values, "locatie")), problems)
        found = self.parsed(
            values,
            {
                "eerste bijeenkomst": parse_date,
                "begintijd": parse_time,
                "aantal bijeenkomsten": lambda v: parse_number(v, high=planning.MAX_SESSIONS),
                "hoe vaak": lambda v: parse_choice(v, FREQUENCIES, "week, 2 weken, 3 weken, 4 weken"),
                "duur in minuten": lambda v: parse_number(v, low=15, high=12 * 60),
                "plaatsen": lambda v: parse_number(v, high=100),
                "minimum": lambda v: parse_number(v, high=100),
                "eigen bijdrage": parse_amount,
                "status": lambda v: parse_choice(v, STATUSES, "open, gepland, gesloten"),
            },
            problems,
        )
        trainers = []
        for name in filter(None, (part.strip() for part in _text(self.cell(values, "trainers")).split(";"))):
            trainer = Trainer.objects.filter(name__iexact=name).first()
            if trainer is None:
                problems.append(_("trainers: er is geen trainer met de naam '%(name)s'.") % {"name": name})
            trainers.append(trainer)
        if problems:
            raise Refused(problems)
        first_start = datetime.datetime.combine(found["eerste bijeenkomst"], found["begintijd"], tzinfo=LOCAL_TZ)
        when = date_format(first_start, "j F Y H:i")
        existing = (
            TrainingGroup.objects.filter(course=course, location=location)
            .exclude(status=TrainingGroup.Status.CANCELLED)
            .with_first_start()
            .filter(first_start=first_start)
            .first()
        )
        if existing is not None:
            return RowResult.IMPORT_TYPE_SKIP, _("Bestaat al: %(group)s") % {"group": existing}
        if first_start <= self.now:
            raise Refused(
                [_("eerste bijeenkomst: deze datum is al voorbij. Importeer alleen groepen die nog beginnen.")]
            )
        group = TrainingGroup(
            course=course,
            location=location,
            capacity=found.get("plaatsen"),
            min_participants=found.get("minimum"),
            contribution=found.get("eigen bijdrage"),
        )
        try:
            group.full_clean()
            group.save()
            planning.set_trainers(group, trainers)
            sessions = planning.plan_sessions(
                group,
                first_start=first_start,
                count=found.get("aantal bijeenkomsten"),
                frequency=found.get("hoe vaak"),
                duration=datetime.timedelta(minutes=found["duur in minuten"]) if "duur in minuten" in found else None,
            )
            status = found.get("status", TrainingGroup.Status.OPEN)
            if status == TrainingGroup.Status.OPEN:
                planning.open_group(group, by=self.user)
            elif status == TrainingGroup.Status.CLOSED:
                planning.close_group(group, by=self.user)
        except ValidationError as error:
            raise Refused(self.from_error(error, GROUP_FIELDS)) from None
        return RowResult.IMPORT_TYPE_NEW, _(
            "Nieuwe groep: %(course)s, %(location)s, vanaf %(when)s, %(count)s bijeenkomsten, %(capacity)s plaatsen"
        ) % {
            "course": course.title,
            "location": location,
            "when": when,
            "count": len(sessions),
            "capacity": group.capacity,
        }


class ParticipantResource(OfficeResource):
    title = gettext_lazy("Deelnemers")
    columns = (
        *PERSON_COLUMN_LIST,
        Column("huisartsenpraktijk", False, gettext_lazy("Naam en plaats van de praktijk.")),
        Column("brief aan huisarts", False, gettext_lazy("ja of nee: toestemming voor een brief aan de huisarts.")),
        Column("training", True, gettext_lazy("De naam van de training.")),
        Column("locatie", True, gettext_lazy("De naam van de locatie van de groep.")),
        Column("startdatum", True, gettext_lazy("De datum van de eerste bijeenkomst van de groep.")),
        *CONSENT_COLUMN_LIST,
    )

    def import_one(self, values):
        problems = []
        self.required(values, problems)
        course = self.find_course(values, problems)
        location = self.find_location(_text(self.cell(values, "locatie")), problems)
        day = self.parsed(values, {"startdatum": parse_date}, problems).get("startdatum")
        group = _find_group(course, location, day, problems)
        person = self.person(values, course, problems)
        version, consent_at = self.consent(values, problems)
        if problems:
            raise Refused(problems)
        name = f"{person['first_name']} {person['last_name']}"
        has_place = Enrollment.objects.filter(group=group, participant__email=person["email"]).filter(
            takes_a_place(self.now)
        )
        if has_place.exists():
            return RowResult.IMPORT_TYPE_SKIP, _("Heeft al een plaats: %(name)s in %(group)s") % {
                "name": name,
                "group": group,
            }
        try:
            enrollment = place_directly(
                group, person, consent_text_version=version, consent_at=consent_at, taken_by=self.user, now=self.now
            )
        except ValidationError as error:
            raise Refused(self.from_error(error, PERSON_COLUMNS)) from None
        self.created_participants.append(enrollment.participant_id)
        return RowResult.IMPORT_TYPE_NEW, _("Nieuwe aanmelding: %(name)s in %(group)s") % {"name": name, "group": group}


class WaitlistResource(OfficeResource):
    title = gettext_lazy("Wachtlijst")
    columns = (
        *PERSON_COLUMN_LIST,
        Column("training", True, gettext_lazy("De naam van de training.")),
        Column("voorkeurslocaties", False, gettext_lazy("Namen van locaties, gescheiden door ; Leeg: elke locatie.")),
        Column("dagdeel", False, gettext_lazy("ochtend, middag, avond of maakt niet uit.")),
        Column("op de wachtlijst sinds", True, gettext_lazy("Datum: bepaalt de volgorde op de lijst.")),
        *CONSENT_COLUMN_LIST,
    )

    def import_one(self, values):
        problems = []
        self.required(values, problems)
        course = self.find_course(values, problems)
        locations = [
            self.find_location(name, problems, column="voorkeurslocaties")
            for name in filter(None, (p.strip() for p in _text(self.cell(values, "voorkeurslocaties")).split(";")))
        ]
        found = self.parsed(
            values,
            {
                "dagdeel": lambda v: parse_choice(v, PARTS_OF_DAY, "ochtend, middag, avond, maakt niet uit"),
                "op de wachtlijst sinds": parse_date,
            },
            problems,
        )
        person = self.person(values, course, problems, letter=False)
        version, consent_at = self.consent(values, problems)
        if problems:
            raise Refused(problems)
        name = f"{person['first_name']} {person['last_name']}"
        if WaitlistEntry.objects.filter(
            course=course, participant__email=person["email"], status__in=WaitlistEntry.ACTIVE
        ).exists():
            return RowResult.IMPORT_TYPE_SKIP, _("Staat al op de wachtlijst: %(name)s, %(course)s") % {
                "name": name,
                "course": course.title,
            }
        joined = datetime.datetime.combine(found["op de wachtlijst sinds"], datetime.time(12, 0), tzinfo=LOCAL_TZ)
        try:
            entry = waitlist.import_waitlist_entry(
                course,
                person,
                preferred_locations=locations,
                part_of_day=found.get("dagdeel", PartOfDay.ANY),
                joined_at=min(joined, self.now),
                consent_text_version=version,
                consent_at=consent_at,
                taken_by=self.user,
                now=self.now,
            )
        except ValidationError as error:
            raise Refused(
                self.from_error(
                    error,
                    {
                        **PERSON_COLUMNS,
                        "preferred_locations": "voorkeurslocaties",
                        "joined_at": "op de wachtlijst sinds",
                    },
                )
            ) from None
        except AlreadyOnWaitlist as refusal:
            raise Refused([str(refusal.message)]) from None
        self.created_participants.append(entry.participant_id)
        return RowResult.IMPORT_TYPE_NEW, _("Op de wachtlijst: %(name)s, %(course)s") % {
            "name": name,
            "course": course.title,
        }


KINDS = {"groepen": GroupResource, "deelnemers": ParticipantResource, "wachtlijst": WaitlistResource}


# --- reading the file ------------------------------------------------------------------------------


def read_dataset(name, content):
    """A tablib Dataset from an uploaded CSV (UTF-8, comma or semicolon) or XLSX; ValidationError in Dutch."""
    lower = name.lower()
    try:
        if lower.endswith(".xlsx"):
            return XLSX().create_dataset(content)
        if lower.endswith(".csv"):
            text = content.decode("utf-8-sig")
            first = text.split("\n", 1)[0]
            # Dutch spreadsheet programs separate with semicolons.
            delimiter = ";" if first.count(";") > first.count(",") else ","
            return CSV(encoding="utf-8").create_dataset(text, delimiter=delimiter)
    except UnicodeDecodeError:
        raise ValidationError(_("Dit CSV-bestand is niet in UTF-8 opgeslagen. Sla het op als 'CSV UTF-8'.")) from None
    except Exception:
        raise ValidationError(_("Dit bestand kan niet gelezen worden. Gebruik CSV (UTF-8) of Excel (.xlsx).")) from None
    raise ValidationError(_("Kies een bestand dat eindigt op .csv of .xlsx."))


@dataclass
class RowOutcome:
    line: int
    kind: str  # "new", "skip", "refused"
    text: str
    reasons: list


@dataclass
class Outcome:
    rows: list
    file_error: str = ""

    @property
    def refused(self):
        return [row for row in self.rows if row.kind == "refused"]

    @property
    def new(self):
        return [row for row in self.rows if row.kind == "new"]

    @property
    def skipped(self):
        return [row for row in self.rows if row.kind == "skip"]

    @property
    def ok(self):
        return not self.file_error and not self.refused


def run_import(kind, name, content, *, user, dry_run, now=None):
    """Read the file and import it (or only try, with `dry_run`); returns an Outcome with a line per row.

    All or nothing: a refused row (or an error in the file) rolls back
    every row. After a real import, every participant it created is written
    to the access log as imported by `user`.
    """
    try:
        dataset = read_dataset(name, content)
    except ValidationError as error:
        return Outcome(rows=[], file_error=" ".join(error.messages))
    resource = KINDS[kind](user=user, now=now)
    result = resource.import_data(
        dataset, dry_run=dry_run, use_transactions=True, rollback_on_validation_errors=True, raise_errors=False
    )
    if result.base_errors:
        error = result.base_errors[0].error
        text = (
            " ".join(error.messages)
            if isinstance(error, ValidationError)
            else _("Dit bestand kan niet gelezen worden.")
        )
        return Outcome(rows=[], file_error=text)
    rows = []
    for number, row in enumerate(result.rows, start=2):  # line 1 holds the column names
        if row.import_type == RowResult.IMPORT_TYPE_INVALID:
            rows.append(RowOutcome(number, "refused", "", list(row.validation_error.messages)))
        elif row.import_type == RowResult.IMPORT_TYPE_ERROR:
            rows.append(RowOutcome(number, "refused", "", [_("Deze regel kon niet worden verwerkt.")]))
        else:
            rows.append(RowOutcome(number, row.import_type, str(row.object_repr or ""), []))
    outcome = Outcome(rows=rows)
    if not dry_run and outcome.ok and resource.created_participants:
        log_access(user, resource.created_participants, Action.IMPORT, f"import: {kind}")
    return outcome


# --- the admin screen -------------------------------------------------------------------------------


class UploadForm(forms.Form):
    kind = forms.ChoiceField(
        label=gettext_lazy("Wat importeert u?"),
        choices=[(key, resource.title) for key, resource in KINDS.items()],
        widget=forms.RadioSelect,
        help_text=gettext_lazy("Eerst de groepen, dan de deelnemers, dan de wachtlijst."),
        error_messages={"required": gettext_lazy("Kies wat u importeert.")},
    )
    file = forms.FileField(
        label=gettext_lazy("Bestand (CSV of Excel)"),
        help_text=gettext_lazy("De eerste regel bevat de namen van de kolommen. Hoogstens 1 MB."),
        error_messages={"required": gettext_lazy("Kies een bestand.")},
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_FILE_BYTES:
            raise ValidationError(_("Dit bestand is groter dan 1 MB. Verdeel het over een paar kleinere bestanden."))
        if not upload.name.lower().endswith((".csv", ".xlsx")):
            raise ValidationError(_("Kies een bestand dat eindigt op .csv of .xlsx."))
        return upload


def sign_file(kind, name, content):
    return signing.dumps(
        {"kind": kind, "name": name, "data": base64.b64encode(content).decode()}, salt=SIGNING_SALT, compress=True
    )


def unsign_file(token):
    data = signing.loads(token, salt=SIGNING_SALT, max_age=CONFIRM_SECONDS)
    return data["kind"], data["name"], base64.b64decode(data["data"])


class ImportView(WagtailAdminTemplateMixin, TemplateView):
    """Upload, see what would change (a dry run, row by row), then import for real."""

    template_name = "booking/admin/import.html"
    header_icon = "upload"
    page_title = gettext_lazy("Importeren")

    def dispatch(self, request, *args, **kwargs):
        if not all(
            request.user.has_perm(perm) for perm in (PERMISSION, "booking.add_enrollment", "booking.add_waitlistentry")
        ):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_page_title(self):
        return self.page_title

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [{"url": "", "label": self.get_page_title()}]

    def render_page(self, form, outcome=None, token="", kind="", status=200):
        context = self.get_context_data(
            form=form,
            outcome=outcome,
            token=token,
            kind_title=KINDS[kind].title if kind else "",
            kinds=[(key, resource.title, resource.columns) for key, resource in KINDS.items()],
        )
        return self.render_to_response(context, status=status)

    def get(self, request, *args, **kwargs):
        return self.render_page(UploadForm())

    def post(self, request, *args, **kwargs):
        if "token" in request.POST:
            return self.confirm(request)
        form = UploadForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.render_page(form, status=400)
        kind, upload = form.cleaned_data["kind"], form.cleaned_data["file"]
        content = upload.read()
        outcome = run_import(kind, upload.name, content, user=request.user, dry_run=True)
        token = sign_file(kind, upload.name, content) if outcome.ok and outcome.new else ""
        return self.render_page(UploadForm(initial={"kind": kind}), outcome, token=token, kind=kind)

    def confirm(self, request):
        try:
            kind, name, content = unsign_file(request.POST["token"])
        except (signing.BadSignature, KeyError, ValueError):
            messages.error(request, _("Deze controle is te oud of niet compleet. Kies het bestand opnieuw."))
            return redirect(import_url())
        outcome = run_import(kind, name, content, user=request.user, dry_run=False)
        if outcome.ok:
            messages.success(
                request,
                _("Geïmporteerd: %(new)s nieuw, %(skipped)s waren er al.")
                % {"new": len(outcome.new), "skipped": len(outcome.skipped)},
            )
            return redirect(import_url())
        messages.error(request, _("Er is niets geïmporteerd: intussen is een regel niet meer goed. Bekijk de regels."))
        return self.render_page(UploadForm(initial={"kind": kind}), outcome, kind=kind, status=409)


def admin_urls():
    return [path("kantoor/importeren/", ImportView.as_view(), name="kantoor_importeren")]
