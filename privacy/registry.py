"""The personal-data registry: every model that holds personal data, declared in one place.

Each app declares its own models in a ``personal_data.py`` that its
``AppConfig.ready`` imports. A declaration says, per model:

* which fields hold personal data and how each is anonymised (``fields``);
* how a row is tied to a person: to a participant, to a user account, or by
  holding an email address (``ties``);
* when its retention clock starts (``clock``): together with the participant
  it belongs to, after a period counted from one of its own dates, or only
  on request;
* optionally, what must be kept longer for a legal duty, such as
  bookkeeping, with its own clock (``kept``).

Retention, erasure on request and inzage are all built from these
declarations, so a new model is covered as soon as it is declared. A model
that only looks personal (an author foreign key, the organisation's own
address) is declared with ``holds_none`` and a reason. The test suite and
``manage.py check`` name every model that is neither (see
``undeclared_models``).

Records are never deleted; personal data is. Anonymising keeps every row and
every count, date, course, location, PC4 area and amount.

This module imports nothing of the project: apps hand their models in.
"""

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import models
from django.db.models import CharField, F, Q, Value
from django.db.models.functions import Cast, Concat
from django.utils.translation import gettext_lazy as _

PLACEHOLDER_NAME = "Geanonimiseerd"
# RFC 2606 reserves .invalid: mail to it can never be delivered.
PLACEHOLDER_DOMAIN = "geanonimiseerd.invalid"

# --- how a field is anonymised ------------------------------------------------------------------

_NO_CONSTANT = object()


@dataclass(frozen=True)
class Anonymiser:
    """How one field loses its personal data: ``apply(value, row) -> new value``.

    `constant`: the value every row gets. `expression`: ``expression(model,
    field name)`` gives the same as `apply` as an SQL expression, so many
    rows are anonymised in one UPDATE without reading them.
    """

    key: str
    description: Any  # for the processing register in docs/privacy.md
    apply: Any
    constant: Any = _NO_CONSTANT
    expression: Any = None

    def __call__(self, value, row):
        return self.apply(value, row)

    def in_sql(self, model, name):
        """The new value as an SQL expression (or a plain value for all rows); None when only Python can make it."""
        if self.constant is not _NO_CONSTANT:
            return self.constant
        if self.expression is not None:
            return self.expression(model, name)
        return None


def placeholder_email(row):
    """A unique address that can never receive mail: ``participant-12@geanonimiseerd.invalid``."""
    return f"{row._meta.model_name}-{row.pk}@{PLACEHOLDER_DOMAIN}"


def placeholder_email_sql(model, name):
    """`placeholder_email` in SQL, for every row of an UPDATE at once."""
    return Concat(
        Value(f"{model._meta.model_name}-"),
        Cast("pk", output_field=CharField()),
        Value(f"@{PLACEHOLDER_DOMAIN}"),
        output_field=CharField(),
    )


def is_placeholder_email(address):
    return (address or "").lower().endswith("@" + PLACEHOLDER_DOMAIN)


def pc4(postcode):
    """The four digits of a Dutch postcode (the PC4 area), or "" when there are none."""
    digits = "".join(ch for ch in (postcode or "") if ch.isdigit())[:4]
    return digits if len(digits) == 4 else ""


def birth_year_band(year):
    """The first year of the five-year band a year of birth falls in: 1983 becomes 1980.

    Age groups in the figures (18-27, 65+) stay right to within a few years,
    while a year of birth together with a PC4 area and a small group no
    longer points to one person.
    """
    return year - year % 5 if year else year


NAME = Anonymiser("name", _("wordt „Geanonimiseerd”"), lambda value, row: PLACEHOLDER_NAME, PLACEHOLDER_NAME)
EMAIL = Anonymiser(
    "email",
    _("wordt een uniek adres dat nooit post ontvangt"),
    lambda value, row: placeholder_email(row),
    expression=placeholder_email_sql,
)
CLEAR = Anonymiser("clear", _("wordt leeggemaakt"), lambda value, row: "", "")
NULL = Anonymiser("null", _("koppeling vervalt"), lambda value, row: None, None)
EMPTY_JSON = Anonymiser(
    "empty_json",
    _("wordt leeggemaakt"),
    lambda value, row: {},
    expression=lambda model, name: Value({}, models.JSONField()),
)
POSTCODE = Anonymiser("postcode", _("alleen de 4 cijfers blijven (PC4-gebied)"), lambda value, row: pc4(value))
BIRTH_YEAR = Anonymiser(
    "birth_year",
    _("wordt het eerste jaar van een blok van 5 jaar"),
    lambda value, row: birth_year_band(value),
    expression=lambda model, name: F(name) - F(name) % 5,
)
FALSE = Anonymiser("false", _("wordt uitgezet"), lambda value, row: False, False)
UNUSABLE_PASSWORD = Anonymiser(
    "unusable_password", _("wordt onbruikbaar gemaakt"), lambda value, row: make_password(None)
)

# --- how a row is tied to a person --------------------------------------------------------------

PARTICIPANT = "participant"
ACCOUNT = "account"
ADDRESS = "address"


@dataclass(frozen=True)
class Tie:
    """How a row belongs to someone.

    `kind` PARTICIPANT or ACCOUNT: `path` is the lookup from the row to the
    participant or user account ("" for the row itself), e.g.
    ``"entry__participant"``. `kind` ADDRESS: `path` is the field that holds
    an email address; a row is someone's when it holds their address.
    """

    kind: str
    path: str = ""

    def lookup(self):
        return "pk" if not self.path else self.path


def participant(path=""):
    return Tie(PARTICIPANT, path)


def account(path=""):
    return Tie(ACCOUNT, path)


def address(field_name):
    return Tie(ADDRESS, field_name)


# --- when the retention clock starts ------------------------------------------------------------

WITH_PERSON = "with_person"
AFTER = "after"
ON_REQUEST = "on_request"


@dataclass(frozen=True)
class Clock:
    """When a row's personal data goes.

    WITH_PERSON: when the participant it is tied to is anonymised (their
    retention period ran out, ``GROEPSWIJZER_RETENTION_MONTHS`` after their
    group ended or they left the waiting list). AFTER: `months` (or the
    setting `setting`, in months) after the row's own date `field`; `pending`
    selects the rows that still hold data, so a run never looks at a row
    twice. ON_REQUEST: only on erasure (user accounts are kept while used).
    """

    kind: str
    field: str = ""
    setting: str = ""
    months: int = 0
    pending: Q | None = None
    in_years: bool = False
    marker: str = ""

    def period_months(self):
        """The period in months: from the setting when it is set (in years when `in_years`), else `months`."""
        if not self.setting or not hasattr(settings, self.setting):
            return self.months
        value = int(getattr(settings, self.setting))
        return value * 12 if self.in_years else value

    def describe(self):
        if self.kind == WITH_PERSON:
            return _("met de deelnemer: %(months)s maanden na de groep of de wachtlijst") % {
                "months": retention_months()
            }
        if self.kind == ON_REQUEST:
            return _("alleen op verzoek")
        months = self.period_months()
        if months == 0:  # the row's own date is the moment itself
            return _("op de datum in %(field)s") % {"field": self.field}
        if months % 12 == 0:
            return _("%(years)s jaar na %(field)s") % {"years": months // 12, "field": self.field}
        return _("%(months)s maanden na %(field)s") % {"months": months, "field": self.field}


def with_person():
    return Clock(WITH_PERSON)


def on_request():
    return Clock(ON_REQUEST)


def after(field_name, *, months=0, years=0, setting="", pending=None, marker=""):
    """A clock of the row's own: `months` (or `years`) after `field_name`; a `setting` overrides, in the same unit.

    The run must know which rows still hold data, so it never reads a row
    twice: give `marker`, a date field set when the row is anonymised (rows
    where it is empty are pending), or `pending`, a filter that stops
    matching once the fields are cleared.
    """
    if marker:
        pending = Q(**{f"{marker}__isnull": True}) if pending is None else pending
    if pending is None:
        raise ValueError("A clock that counts from a date needs `pending` or `marker`: which rows still hold data.")
    return Clock(
        AFTER,
        field=field_name,
        setting=setting,
        months=months or years * 12,
        pending=pending,
        in_years=bool(years),
        marker=marker,
    )


@dataclass(frozen=True)
class Kept:
    """Fields kept longer than the rest for a legal duty (bookkeeping), with their own clock.

    Erasure on request leaves them (the law asks us to keep them); their
    clock removes them.
    """

    fields: dict
    clock: Clock
    why: Any = ""


@dataclass(frozen=True)
class Anchor:
    """The model a person's retention clock is kept on (the participant).

    `since`: the date before which the clock cannot have run out (creation);
    `marker`: a date field set when the row is anonymised, so a run only
    looks at rows not done yet. Both should be in one partial index.
    """

    since: str
    marker: str


@dataclass
class Entry:
    label: str
    fields: dict
    ties: tuple
    clock: Clock
    purpose: Any = ""
    kept: Kept | None = None
    anchor: Anchor | None = None
    identifies: bool = False
    inzage: tuple | None = None

    @property
    def model(self):
        return apps.get_model(self.label)

    def ties_of(self, *kinds):
        return [tie for tie in self.ties if tie.kind in kinds]

    def address_fields(self):
        """Fields that hold an email address: anonymised as EMAIL, or named by an ADDRESS tie."""
        found = [name for name, anonymiser in self.fields.items() if anonymiser is EMAIL]
        found += [tie.path for tie in self.ties_of(ADDRESS) if tie.path not in found]
        return found


@dataclass
class Registry:
    entries: dict = field(default_factory=dict)
    none: dict = field(default_factory=dict)
    keepers: list = field(default_factory=list)
    blockers: list = field(default_factory=list)


REGISTRY = Registry()


def _label(model):
    if isinstance(model, str):
        return model.lower()
    return model._meta.label_lower


def register(
    model,
    *,
    ties,
    fields=None,
    clock=None,
    purpose="",
    kept=None,
    anchor=None,
    identifies=False,
    inzage=None,
):
    """Declare a model that holds personal data (see the module docstring). Returns the entry.

    `fields` maps field names to an Anonymiser; a model without fields of its
    own (an enrollment: dates and a course, about one participant) is still
    declared, with its ties, so inzage includes it. `identifies`: a row that
    holds someone's address is theirs, and so is whatever it ties to (the
    participant, the user account, allauth's addresses). `inzage`: the field
    names shown in the download; by default every field except links to
    staff accounts.
    """
    label = _label(model)
    model_class = apps.get_model(label)
    fields = dict(fields or {})
    names = {f.name for f in model_class._meta.get_fields()}
    unknown = [name for name in [*fields, *(kept.fields if kept else {})] if name not in names]
    if unknown:
        raise ValueError(f"{label}: no such fields {unknown}")
    if not ties:
        raise ValueError(f"{label}: say how a row is tied to a person (ties=...).")
    if anchor and not [tie for tie in ties if tie.kind == PARTICIPANT and not tie.path]:
        raise ValueError(f"{label}: only the participant model itself can be the anchor.")
    entry = Entry(
        label=label,
        fields=fields,
        ties=tuple(ties),
        clock=clock or with_person(),
        purpose=purpose,
        kept=kept,
        anchor=anchor,
        identifies=identifies,
        inzage=tuple(inzage) if inzage is not None else None,
    )
    REGISTRY.entries[label] = entry
    REGISTRY.none.pop(label, None)
    return entry


def holds_none(model, *, why):
    """Declare a model that looks personal but holds nothing retention or erasure must act on, and why."""
    if not why:
        raise ValueError("Say why the model holds no personal data to act on.")
    label = _label(model)
    apps.get_model(label)
    REGISTRY.none[label] = why


def keeps_person(condition):
    """Register `condition(cutoff)`: an expression on the participant model, true while they are still involved.

    A participant is anonymised once their retention period has run out:
    none of the registered conditions holds for the cutoff (the moment
    ``GROEPSWIJZER_RETENTION_MONTHS`` ago). Each app that keeps a
    participant involved (a place, a waiting list, open money) adds one.
    """
    REGISTRY.keepers.append(condition)
    return condition


def blocks_erasure(check):
    """Register `check(person) -> [Dutch message, ...]`: reasons erasure must wait (open payments, say)."""
    REGISTRY.blockers.append(check)
    return check


def entries():
    return list(REGISTRY.entries.values())


def entry_for(model):
    return REGISTRY.entries.get(_label(model))


def anchor_entry():
    """The participant model's entry: where a person's retention clock is kept."""
    for entry in REGISTRY.entries.values():
        if entry.anchor is not None:
            return entry
    raise LookupError("No participant model has been registered with an anchor.")


def person_models():
    """The models a person is: the participant and the user account (what ties point at)."""
    found = {
        entry.model
        for entry in REGISTRY.entries.values()
        if [tie for tie in entry.ties if tie.kind in (PARTICIPANT, ACCOUNT) and not tie.path]
    }
    found.add(apps.get_model(settings.AUTH_USER_MODEL))
    return found


# --- what looks personal ------------------------------------------------------------------------

# A field looks personal when its name is one of these, or has one of the words (split on "_").
PERSONAL_NAMES = frozenset(
    {
        "first_name",
        "last_name",
        "full_name",
        "given_name",
        "family_name",
        "address",
        "street",
        "postal_code",
        "zip_code",
        "date_of_birth",
        "birth_year",
        "ip_address",
        "remote_addr",
    }
)
PERSONAL_WORDS = frozenset(
    {
        "email",
        "mail",
        "phone",
        "telephone",
        "mobile",
        "postcode",
        "zipcode",
        "surname",
        "birth",
        "birthday",
        "ip",
        "note",
        "notes",
        "remark",
        "remarks",
        "comment",
        "comments",
        "reason",
        "message",
        "explanation",
        "bsn",
    }
)
PERSONAL_TYPES = (models.EmailField, models.GenericIPAddressField)


def personal_looking_fields(model, people=None):
    """The model's own fields that look personal, each with why: a name, a type, or a link to a person.

    Only fields declared on the model itself count (a page's owner belongs to
    Wagtail's Page, declared once).
    """
    people = person_models() if people is None else people
    found = []
    for model_field in [*model._meta.local_fields, *model._meta.local_many_to_many]:
        name = model_field.name.lower()
        if model_field.is_relation and model_field.related_model in people:
            found.append(f"{model_field.name} (-> {model_field.related_model._meta.label})")
        elif isinstance(model_field, PERSONAL_TYPES):
            found.append(f"{model_field.name} ({type(model_field).__name__})")
        elif name in PERSONAL_NAMES or PERSONAL_WORDS.intersection(name.split("_")):
            found.append(model_field.name)
    return found


def undeclared_models():
    """Every installed model that looks personal but is neither registered nor declared to hold none.

    [(label, [fields]), ...]; empty when the registry is complete.
    """
    people = person_models()
    missing = []
    for model in apps.get_models():
        meta = model._meta
        if meta.proxy or meta.auto_created or not meta.managed:
            continue
        if meta.label_lower in REGISTRY.entries or meta.label_lower in REGISTRY.none:
            continue
        fields = personal_looking_fields(model, people)
        if fields:
            missing.append((meta.label, fields))
    return missing


# --- periods ------------------------------------------------------------------------------------


def months_before(moment, months):
    """The same moment `months` calendar months earlier (the 31st becomes the last day of a shorter month)."""
    month_index = moment.year * 12 + moment.month - 1 - months
    year, month = divmod(month_index, 12)
    month += 1
    following = datetime.date(year + (month == 12), month % 12 + 1, 1)
    last_day = (following - datetime.timedelta(days=1)).day
    return moment.replace(year=year, month=month, day=min(moment.day, last_day))


def retention_months():
    """How long a participant's data stays after their group ended or they left the waiting list."""
    return int(getattr(settings, "GROEPSWIJZER_RETENTION_MONTHS", 24))
