"""Bank statements: reading the money that came in, and matching it to open transfers by their reference.

Two formats are read:

* CSV, one line per booking, with a header row; separated by ``;`` or ``,``;
  UTF-8 or Windows-1252. The columns are found by their names (upper or
  lower case, in any order; other columns are left alone):

  ==============  ===========================================================
  ``datum``       the booking date: 2027-01-15, 15-01-2027 or 20270115
  ``bedrag``      the amount in euro: 35,00 or 35.00; below zero is money
                  going out, and skipped
  ``omschrijving`` what the payer wrote (also read: ``mededelingen``)
  ``naam``        optional: the payer's name, shown in the preview only
  ``af bij``      optional: "Af" makes the amount money going out
  ==============  ===========================================================

* CAMT.053 (XML), the ISO 20022 account statement that Dutch banks export:
  every booked credit entry, per transaction its amount, booking date,
  remittance information (free text or a structured reference) and the
  debtor's name.

Reading changes nothing. `match_statement` tells per line what would
happen; `apply_matches` then marks the matched payments paid, each through
``coordinator.mark_offline_paid`` under the payment's lock, so marking paid
from a statement follows every rule (and sends the same email) as marking
paid by hand. Applying the same statement twice changes nothing the second
time: a paid payment is not paid again.
"""

import csv
import datetime
import io
import re
from dataclasses import dataclass
from decimal import Decimal

from defusedxml import ElementTree
from defusedxml.common import DefusedXmlException
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from booking.models import PAY_LATER, Enrollment, Payment
from booking.models.enrollments import REFERENCE_LENGTH
from booking.payments.coordinator import mark_offline_paid
from booking.services.errors import PaymentRefused
from booking.services.money import euro, parse_amount

MAX_BYTES = 5 * 1024 * 1024
METHOD = "bankoverschrijving"

COLUMNS = {
    "datum": "date",
    "boekdatum": "date",
    "date": "date",
    "bedrag": "amount",
    "bedrag (eur)": "amount",
    "amount": "amount",
    "omschrijving": "description",
    "mededelingen": "description",
    "description": "description",
    "naam": "name",
    "naam / omschrijving": "name",
    "naam tegenpartij": "name",
    "name": "name",
    "af bij": "direction",
    "af/bij": "direction",
}
DATE_FORMATS = ("%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y", "%Y%m%d", "%d.%m.%Y")


@dataclass(frozen=True)
class StatementLine:
    """Money that came in: one booking of the statement."""

    number: int  # the line of the CSV file, or the entry of the XML, for the messages
    booked_on: datetime.date
    amount: Decimal
    description: str
    name: str = ""
    bank_reference: str = ""


@dataclass(frozen=True)
class Statement:
    lines: list
    problems: list  # Dutch, one for each line that could not be read
    outgoing: int  # lines with money going out, left alone


# --- reading -------------------------------------------------------------------------------------


def read_statement(data, filename=""):
    """The incoming money in a CSV or CAMT.053 file; ValidationError (Dutch) when the file cannot be read at all."""
    if len(data) > MAX_BYTES:
        raise ValidationError(_("Dit bestand is te groot. Een bankafschrift is hoogstens 5 MB."), code="too_big")
    if not data.strip():
        raise ValidationError(_("Dit bestand is leeg."), code="empty")
    if data.lstrip()[:1] == b"<" or filename.lower().endswith(".xml"):
        return _read_camt(data)
    return _read_csv(data)


def _text(data):
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ValidationError(_("Dit bestand kunnen we niet lezen. Bewaar het als CSV (UTF-8) en probeer opnieuw."))


def _parse_date(value):
    value = (value or "").strip()
    for pattern in DATE_FORMATS:
        try:
            return datetime.datetime.strptime(value, pattern).date()
        except ValueError:
            continue
    return None


def _read_csv(data):
    text = _text(data)
    first_line = text.splitlines()[0] if text.splitlines() else ""
    delimiter = ";" if first_line.count(";") >= first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    header = [COLUMNS.get(name.strip().strip('"').lower(), "") for name in next(reader, [])]
    required = {"date": "datum", "amount": "bedrag", "description": "omschrijving"}
    missing = [dutch for key, dutch in required.items() if key not in header]
    if missing:
        raise ValidationError(
            _("In de eerste regel missen de kolommen: %(names)s. Zie de uitleg hieronder voor de kolommen.")
            % {"names": ", ".join(missing)},
            code="columns",
        )
    lines, problems, outgoing = [], [], 0
    for number, row in enumerate(reader, start=2):
        if not any(cell.strip() for cell in row):
            continue
        values = {key: (row[index].strip() if index < len(row) else "") for index, key in enumerate(header) if key}
        booked_on = _parse_date(values.get("date"))
        if booked_on is None:
            problems.append(
                _("Regel %(number)s: de datum klopt niet (%(value)s).")
                % {"number": number, "value": values.get("date") or _("leeg")}
            )
            continue
        try:
            amount = parse_amount(values.get("amount"))
        except ValidationError:
            problems.append(
                _("Regel %(number)s: het bedrag klopt niet (%(value)s).")
                % {"number": number, "value": values.get("amount") or _("leeg")}
            )
            continue
        if values.get("direction", "").strip().lower() == "af":
            amount = -amount
        if amount <= 0:
            outgoing += 1
            continue
        lines.append(
            StatementLine(
                number=number,
                booked_on=booked_on,
                amount=amount,
                description=values.get("description", ""),
                name=values.get("name", ""),
            )
        )
    return Statement(lines=lines, problems=problems, outgoing=outgoing)


def _local(tag):
    return tag.rsplit("}", 1)[-1]


def _child(element, *path):
    """The first element down `path` (local names, namespaces ignored), or None."""
    for name in path:
        if element is None:
            return None
        element = next((child for child in element if _local(child.tag) == name), None)
    return element


def _children(element, name):
    return [child for child in element if _local(child.tag) == name] if element is not None else []


def _value(element, *path):
    found = _child(element, *path)
    return (found.text or "").strip() if found is not None and found.text else ""


def _read_camt(data):
    try:
        root = ElementTree.fromstring(data)
    except (ElementTree.ParseError, DefusedXmlException):
        raise ValidationError(_("Dit XML-bestand kunnen we niet lezen. Is het een CAMT.053-bankafschrift?"))
    statements = [
        statement
        for report in root.iter()
        if _local(report.tag) == "BkToCstmrStmt"
        for statement in _children(report, "Stmt")
    ]
    if not statements:
        raise ValidationError(_("Dit is geen CAMT.053-bankafschrift: er staat geen afschrift (Stmt) in."))
    lines, problems, outgoing, number = [], [], 0, 0
    for statement in statements:
        for entry in _children(statement, "Ntry"):
            number += 1
            status = _value(entry, "Sts") or _value(entry, "Sts", "Cd") or "BOOK"
            if status != "BOOK":
                continue  # pending or for information only: not (yet) on the account
            if _value(entry, "CdtDbtInd") != "CRDT":
                outgoing += 1
                continue
            booked_on = _parse_date(_value(entry, "BookgDt", "Dt") or _value(entry, "BookgDt", "DtTm")[:10])
            if booked_on is None:
                problems.append(_("Boeking %(number)s: de boekdatum ontbreekt.") % {"number": number})
                continue
            transactions = [tx for details in _children(entry, "NtryDtls") for tx in _children(details, "TxDtls")]
            for transaction_data in transactions or [None]:
                line = _camt_line(entry, transaction_data, number, booked_on, single=len(transactions) <= 1)
                if isinstance(line, str):
                    problems.append(line)
                elif line is not None:
                    lines.append(line)
    return Statement(lines=lines, problems=problems, outgoing=outgoing)


def _camt_line(entry, tx, number, booked_on, *, single):
    amount_element = None
    if tx is not None:
        # (An element without children is falsy: compare with None, never `or`.)
        amount_element = _child(tx, "Amt")
        if amount_element is None:
            amount_element = _child(tx, "AmtDtls", "TxAmt", "Amt")
    if amount_element is None and single:
        amount_element = _child(entry, "Amt")
    if amount_element is None:
        return _("Boeking %(number)s: een bedrag ontbreekt.") % {"number": number}
    if amount_element.get("Ccy", "EUR") != "EUR":
        return _("Boeking %(number)s: alleen bedragen in euro kunnen we verwerken.") % {"number": number}
    try:
        amount = Decimal((amount_element.text or "").strip())
    except ArithmeticError:
        return _("Boeking %(number)s: het bedrag klopt niet.") % {"number": number}
    parts = []
    name = ""
    reference = _value(entry, "AcctSvcrRef") or _value(entry, "NtryRef")
    if tx is not None:
        remittance = _child(tx, "RmtInf")
        parts += [(item.text or "").strip() for item in _children(remittance, "Ustrd")]
        for structured in _children(remittance, "Strd"):
            parts.append(_value(structured, "CdtrRefInf", "Ref"))
        name = _value(tx, "RltdPties", "Dbtr", "Nm") or _value(tx, "RltdPties", "Dbtr", "Pty", "Nm")
        reference = _value(tx, "Refs", "AcctSvcrRef") or _value(tx, "Refs", "EndToEndId") or reference
    if not any(parts):
        parts.append(_value(entry, "AddtlNtryInf"))
    return StatementLine(
        number=number,
        booked_on=booked_on,
        amount=amount,
        description=" ".join(part for part in parts if part),
        name=name,
        bank_reference="" if reference == "NOTPROVIDED" else reference,
    )


# --- matching ------------------------------------------------------------------------------------


class Verdict(models.TextChoices):
    PAY = "pay", gettext_lazy("klopt: wordt op betaald gezet")
    PAY_MORE = "pay_more", gettext_lazy("te veel betaald: wordt op betaald gezet")
    TOO_LITTLE = "too_little", gettext_lazy("te weinig betaald")
    ALREADY_PAID = "already_paid", gettext_lazy("al betaald")
    NOT_OPEN = "not_open", gettext_lazy("staat niet meer open")
    TWICE = "twice", gettext_lazy("kenmerk staat ook op een eerdere regel")
    SEVERAL = "several", gettext_lazy("meer dan één kenmerk")
    UNKNOWN = "unknown", gettext_lazy("geen kenmerk gevonden")


APPLIES = (Verdict.PAY, Verdict.PAY_MORE)


@dataclass(frozen=True)
class Match:
    line: StatementLine
    verdict: str
    payment: Payment | None = None
    reference: str = ""
    note: str = ""

    @property
    def applies(self):
        return self.verdict in APPLIES

    @property
    def verdict_label(self):
        return Verdict(self.verdict).label

    def plain(self):
        """What `apply_matches` needs, in plain values (for a signed form field between preview and applying)."""
        return {
            "payment": self.payment.pk,
            "amount": str(self.line.amount),
            "booked_on": self.line.booked_on.isoformat(),
            "reference": self.reference,
            "bank_reference": self.line.bank_reference,
        }


def _normalised(text):
    return re.sub(r"[^A-Z0-9]", "", (text or "").upper())


def _candidates(description):
    """Every stretch of REFERENCE_LENGTH letters and digits in the description: a reference may hide in any."""
    text = _normalised(description)
    return {text[start : start + REFERENCE_LENGTH] for start in range(max(len(text) - REFERENCE_LENGTH + 1, 0))}


def _payments_by_reference(references):
    """{reference: payment} for payments paid later (first session, transfer), the open one first."""
    found = {}
    payments = (
        Payment.objects.filter(enrollments__reference__in=references, provider__in=PAY_LATER)
        .prefetch_related("enrollments__participant")
        .select_related("group__course", "group__location")
        .distinct()
        .order_by("pk")
    )
    for payment in payments:
        for enrollment in payment.enrollments.all():
            if enrollment.reference not in references:
                continue
            known = found.get(enrollment.reference)
            if known is None or (known.status != Payment.Status.OPEN and payment.status == Payment.Status.OPEN):
                found[enrollment.reference] = payment
    return found


LIVE = (Enrollment.Status.CONFIRMED, Enrollment.Status.COMPLETED)


def match_statement(statement):
    """For each line with money coming in: which open payment its reference points to, and what would happen.

    A line pays a payment when its description holds the kenmerk of one of
    the sign-up's enrollments (spaces, dashes and small letters do not
    matter), the payment (at the first session or by transfer) is still
    open with a place that still counts, and at least the amount came in.
    Less than the amount, a payment already paid, a second line for the same
    payment, or more than one kenmerk in a line: shown, never applied.
    """
    all_candidates = set()
    for line in statement.lines:
        all_candidates |= _candidates(line.description)
    payments = _payments_by_reference(all_candidates) if all_candidates else {}
    seen = set()
    matches = []
    for line in statement.lines:
        found = {reference: payments[reference] for reference in _candidates(line.description) if reference in payments}
        distinct = {payment.pk: (reference, payment) for reference, payment in found.items()}
        if not distinct:
            note = _("Zet zelf op betaald als u weet van wie dit is.")
            matches.append(Match(line=line, verdict=Verdict.UNKNOWN, note=note))
            continue
        if len(distinct) > 1:
            note = _("Verdeel het geld zelf over de betalingen.")
            matches.append(Match(line=line, verdict=Verdict.SEVERAL, reference=", ".join(sorted(found)), note=note))
            continue
        ((reference, payment),) = distinct.values()
        matches.append(_judge(line, reference, payment, seen))
    return matches


def _judge(line, reference, payment, seen):
    def match(verdict, note=""):
        return Match(line=line, verdict=verdict, payment=payment, reference=reference, note=note)

    if payment.pk in seen:
        return match(Verdict.TWICE, _("Misschien dubbel betaald: kijk dit zelf na."))
    seen.add(payment.pk)
    if payment.status == Payment.Status.PAID:
        return match(Verdict.ALREADY_PAID, _("Misschien dubbel betaald: kijk dit zelf na."))
    live = [enrollment for enrollment in payment.enrollments.all() if enrollment.status in LIVE]
    if payment.status != Payment.Status.OPEN or not live:
        return match(Verdict.NOT_OPEN, _("De aanmelding is geannuleerd. Betaal het geld zelf terug."))
    if line.amount < payment.amount:
        return match(
            Verdict.TOO_LITTLE,
            _("Ontvangen %(paid)s van %(due)s. Zet zelf op betaald als dat goed is.")
            % {"paid": euro(line.amount), "due": euro(payment.amount)},
        )
    if line.amount > payment.amount:
        return match(
            Verdict.PAY_MORE,
            _("%(more)s te veel ontvangen. Betaal het verschil zelf terug.")
            % {"more": euro(line.amount - payment.amount)},
        )
    return match(Verdict.PAY)


# --- applying ------------------------------------------------------------------------------------


def apply_matches(items, *, by):
    """Mark paid what a matched statement says came in. Returns (payments marked paid, Dutch notes on the rest).

    `items` are `Match.plain()` values. Each is checked again under the
    payment's lock: still open, and at least its amount. A payment already
    paid (the same statement applied twice, or marked by hand meanwhile) is
    left as it is.
    """
    paid, notes = [], []
    for item in items:
        payment = Payment.objects.filter(pk=item["payment"]).first()
        if payment is None:
            continue
        amount = Decimal(item["amount"])
        if payment.status == Payment.Status.PAID:
            notes.append(_("%(reference)s was al betaald.") % {"reference": item["reference"]})
            continue
        if amount < payment.amount:
            notes.append(_("%(reference)s: te weinig ontvangen.") % {"reference": item["reference"]})
            continue
        bank = f", {item['bank_reference']}" if item.get("bank_reference") else ""
        try:
            marked = mark_offline_paid(
                payment,
                by=by,
                method=METHOD,
                paid_on=datetime.date.fromisoformat(item["booked_on"]),
                note=_("Bankafschrift: %(amount)s ontvangen met kenmerk %(reference)s%(bank)s")
                % {"amount": euro(amount), "reference": item["reference"], "bank": bank},
            )
        except PaymentRefused as refusal:
            notes.append(f"{item['reference']}: {refusal.message}")
            continue
        paid.append(marked)
    return paid, notes


def mark_paid_by_reference(reference, *, by, paid_on):
    """A coordinator saw a transfer come in with this kenmerk: mark its payment paid. Returns the payment.

    The kenmerk may be typed with spaces, dashes or small letters. It finds
    the payment (at the first session or by transfer) of the sign-up the
    kenmerk belongs to; each refusal is a Dutch message at the kenmerk field.
    Marking it again changes nothing.
    """
    typed = _normalised(reference)
    if len(typed) != REFERENCE_LENGTH:
        raise ValidationError(
            {"reference": _("Een kenmerk heeft %(length)s letters en cijfers.") % {"length": REFERENCE_LENGTH}}
        )
    payment = _payments_by_reference({typed}).get(typed)
    if payment is None:
        raise ValidationError(
            {
                "reference": _("Bij kenmerk %(reference)s staat geen betaling open die per overboeking kan.")
                % {"reference": typed}
            }
        )
    if payment.status == Payment.Status.PAID:
        raise ValidationError(
            {
                "reference": _("De betaling met kenmerk %(reference)s is al betaald op %(date)s.")
                % {"reference": typed, "date": date_format(timezone.localtime(payment.paid_at), "j F Y")}
            }
        )
    try:
        return mark_offline_paid(
            payment,
            by=by,
            method=METHOD,
            paid_on=paid_on,
            note=_("Overboeking met kenmerk %(reference)s ontvangen") % {"reference": typed},
        )
    except PaymentRefused as refusal:
        raise ValidationError({"reference": refusal.message})
