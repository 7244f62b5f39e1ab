"""The receipt (betaalbewijs): a one-page PDF that a participant can send to their health insurer.

It says who received the money (the organisation), for whom, for which
training and dates, how much, how and when it was paid, and the reference.
Refunds are on it too, so the receipt never claims more than was kept.

Made with fpdf2, in the PDF core font (Helvetica) whenever all its text fits
in Latin-1, as Dutch names nearly always do: that takes milliseconds. Amounts
then say "EUR". Only a receipt with a letter outside Latin-1 (Łukasiewicz,
Şahin) embeds the DejaVu font, when the machine has it, so the name prints
as written; without it such letters are written without their accent.
Embedding a font takes a few tenths of a second, which is why it is not the
default.
"""

import logging
import unicodedata
from decimal import Decimal
from pathlib import Path

from django.utils import timezone, translation
from django.utils.formats import date_format, number_format
from django.utils.text import slugify
from fpdf import FPDF

from booking.models import Payment, Refund, Session
from booking.payments.gateway import method_label
from booking.payments.lifecycle import payment_for_enrollment
from home.organisation import OrganisationSettings

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
FONT_REGULAR = FONT_DIR / "DejaVuSans.ttf"
FONT_BOLD = FONT_DIR / "DejaVuSans-Bold.ttf"
CORE_FONT = "Helvetica"
LABEL_WIDTH = 48
# Letters outside Latin-1 that have no accent to drop, written the way they are usually spelled without them.
PLAIN_LETTERS = {"Ł": "L", "ł": "l", "Đ": "D", "đ": "d", "ı": "i", "Œ": "OE", "œ": "oe", "Ŀ": "L", "ŀ": "l", "€": "EUR"}
# Embedding a font logs every step of subsetting it; that is noise, not news.
logging.getLogger("fontTools").setLevel(logging.WARNING)


def has_receipt(payment):
    """Only money that came in gets a receipt: a paid payment of more than EUR 0."""
    return payment is not None and payment.status == Payment.Status.PAID and payment.amount > 0


def receipt_filename(payment):
    reference = _references(payment)[0] if _references(payment) else str(payment.pk)
    return f"betaalbewijs-{slugify(payment.group.course.title) or 'training'}-{reference}.pdf"


class ReceiptAttachment:
    """An email attachment (filename, content, mimetype) whose PDF is made only when the email is put together.

    Emails are built once when queued (inside the transaction that confirms
    the place) and again when sent; the PDF is only needed the second time.
    """

    def __init__(self, payment):
        self.payment = payment

    def __iter__(self):
        yield receipt_filename(self.payment)
        yield receipt_pdf(self.payment)
        yield "application/pdf"


def receipt_attachments(enrollment):
    """[(filename, bytes, "application/pdf")] for a confirmation email: the receipt when the place was paid for."""

    payment = payment_for_enrollment(enrollment)
    if not has_receipt(payment):
        return []
    return [ReceiptAttachment(payment)]


def _references(payment):
    return [
        enrollment.reference for enrollment in payment.enrollments.order_by("pk") if enrollment.party == payment.party
    ]


class PdfWriter:
    """Text in the font that is available: Unicode with DejaVu, Latin-1 with the core font (receipts, GP letters)."""

    def __init__(self, pdf, texts):
        self.pdf = pdf
        beyond_latin1 = any(ord(char) > 255 for text in texts for char in str(text or ""))
        self.unicode = beyond_latin1 and FONT_REGULAR.exists() and FONT_BOLD.exists()
        if self.unicode:
            pdf.add_font("DejaVu", "", str(FONT_REGULAR))
            pdf.add_font("DejaVu", "B", str(FONT_BOLD))
            self.family = "DejaVu"
        else:
            self.family = CORE_FONT

    def text(self, value):
        value = str(value or "")
        if self.unicode:
            return value
        out = []
        for char in value:
            try:
                char.encode("latin-1")
                out.append(char)
            except UnicodeEncodeError:
                if char in PLAIN_LETTERS:
                    out.append(PLAIN_LETTERS[char])
                    continue
                plain = "".join(c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c))
                out.append(plain if plain and all(ord(c) < 256 for c in plain) else "?")
        return "".join(out)

    def money(self, amount):
        number = number_format(Decimal(amount).quantize(Decimal("0.01")), 2, use_l10n=True, force_grouping=True)
        return f"€ {number}" if self.unicode else f"EUR {number}"

    def font(self, size, bold=False):
        self.pdf.set_font(self.family, "B" if bold else "", size)


def _local_date(value):
    return date_format(timezone.localtime(value), "j F Y") if value else ""


def _method(payment):

    if payment.provider == Payment.Provider.MOLLIE:
        method = method_label(payment.method) or "online"
        return f"{method} (online, via Mollie)"
    return payment.method or payment.get_provider_display()


def receipt_pdf(payment):
    """The receipt of a paid payment as PDF bytes."""
    with translation.override("nl"):
        organisation = OrganisationSettings.load()
        group = payment.group
        course = group.course
        location = group.location
        enrollments = [
            e for e in payment.enrollments.select_related("participant").order_by("pk") if e.party == payment.party
        ]
        sessions = list(Session.objects.filter(group=group, status=Session.Status.SCHEDULED).order_by("start", "pk"))
        refunds = list(payment.refunds.exclude(status=Refund.Status.FAILED).order_by("created_at", "pk"))

        pdf = FPDF(format="A4")
        pdf.set_margins(20, 20, 20)
        pdf.set_auto_page_break(True, margin=20)
        texts = [organisation.name, organisation.region, organisation.address, organisation.email, organisation.phone]
        texts += [course.title, location.name, location.address, location.town, payment.method]
        texts += [e.participant.full_name for e in enrollments]
        writer = PdfWriter(pdf, texts)
        pdf.set_title(writer.text(f"Betaalbewijs {course.title}"))
        pdf.set_author(writer.text(organisation.name))
        pdf.set_creator("Groepswijzer")
        pdf.set_lang("nl")
        pdf.add_page()
        width = pdf.epw

        writer.font(16, bold=True)
        pdf.multi_cell(width, 8, writer.text(organisation.name), new_x="LMARGIN", new_y="NEXT", align="L")
        writer.font(10)
        for contact in (organisation.region, organisation.address, organisation.email, organisation.phone):
            if contact:
                pdf.cell(width, 5, writer.text(contact), new_x="LMARGIN", new_y="NEXT", align="L")
        pdf.ln(8)

        writer.font(20, bold=True)
        pdf.cell(width, 10, writer.text("Betaalbewijs eigen bijdrage"), new_x="LMARGIN", new_y="NEXT", align="L")
        writer.font(10)
        pdf.multi_cell(
            width,
            5,
            writer.text(
                f"{organisation.name} verklaart dat de eigen bijdrage voor de groepstraining hieronder is betaald."
            ),
            new_x="LMARGIN",
            new_y="NEXT",
            align="L",
        )
        pdf.ln(5)

        def line(text, height, room):
            # A single line is much quicker to lay out than a paragraph; most values fit on one.
            text = writer.text(text)
            if "\n" not in text and pdf.get_string_width(text) < room - 2:
                pdf.cell(room, height, text, new_x="LMARGIN", new_y="NEXT", align="L")
            else:
                pdf.multi_cell(room, height, text, new_x="LMARGIN", new_y="NEXT", align="L")

        def row(label, value, bold=False):
            writer.font(10, bold=True)
            y = pdf.get_y()
            pdf.cell(LABEL_WIDTH, 6, writer.text(label))
            writer.font(10, bold=bold)
            pdf.set_xy(pdf.l_margin + LABEL_WIDTH, y)
            pdf.set_left_margin(pdf.l_margin + LABEL_WIDTH)
            line(value, 6, width - LABEL_WIDTH)
            pdf.set_left_margin(pdf.l_margin - LABEL_WIDTH)
            pdf.ln(1)

        references = ", ".join(e.reference for e in enrollments)
        row("Kenmerk", references, bold=True)
        names = ", ".join(e.participant.full_name for e in enrollments)
        row("Deelnemer" if len(enrollments) == 1 else "Deelnemers", names)
        row("Training", course.title)
        where = (
            location.name
            if location.is_online
            else f"{location.name}, {location.address}, {location.postcode} {location.town}"
        )
        row("Locatie", where)
        if sessions:
            first, last = sessions[0], sessions[-1]
            span = (
                f"{len(sessions)} bijeenkomsten, van {_local_date(first.start)} tot en met {_local_date(last.start)}"
                if len(sessions) > 1
                else f"1 bijeenkomst, op {_local_date(first.start)}"
            )
            dates = ", ".join(date_format(timezone.localtime(s.start), "j-n-Y") for s in sessions)
            row("Data", f"{span}\n{dates}")
        per_place = payment.per_place
        amount_text = writer.money(payment.amount)
        if payment.places > 1:
            amount_text += f" ({payment.places} plaatsen van {writer.money(per_place)})"
        row("Bedrag", amount_text, bold=True)
        row("Betaald met", _method(payment))
        row("Betaald op", _local_date(payment.paid_at))
        if payment.mollie_id:
            row("Betalingsnummer", payment.mollie_id)
        for refund in refunds:
            state = "terugbetaald" if refund.status == Refund.Status.REFUNDED else "wordt terugbetaald"
            when = _local_date(refund.refunded_at or refund.created_at)
            row("Terugbetaling", f"{writer.money(refund.amount)} {state} ({when})")
        if refunds:
            kept = max(payment.amount - sum((r.amount for r in refunds), Decimal("0")), Decimal("0"))
            row("Betaald na terugbetaling", writer.money(kept), bold=True)

        pdf.ln(6)
        writer.font(9)
        pdf.multi_cell(
            width,
            5,
            writer.text(
                "Dit betaalbewijs kunt u naar uw zorgverzekeraar sturen. Of u de eigen bijdrage vergoed krijgt, "
                "hangt af van uw verzekering. Heeft u vragen over dit betaalbewijs? Noem dan het kenmerk."
            ),
            new_x="LMARGIN",
            new_y="NEXT",
            align="L",
        )
        pdf.ln(2)
        pdf.multi_cell(
            width,
            5,
            writer.text(f"Gemaakt op {_local_date(timezone.now())}."),
            new_x="LMARGIN",
            new_y="NEXT",
            align="L",
        )
        return bytes(pdf.output())
