"""What a professional takes home from a training day: the calendar file and the certificate of attendance.

The calendar file is made by booking's calendar code
(``booking.services.calendars.appointment_calendar``), with a UID per booking,
so a cancellation removes exactly the date it published. The certificate is
a one-page PDF (fpdf2, in the font booking's receipts use:
``booking.payments.receipts.PdfWriter``) with the professional's name, the
day, its date, the accreditation points and a verification code that the
office (and anyone the professional shows it to) checks at
``/scholing/certificaat-controleren/``.
"""

from django.urls import reverse
from django.utils import formats, translation
from django.utils.text import slugify
from fpdf import FPDF

from booking.clock import local_time
from booking.payments.receipts import PdfWriter
from booking.services import calendars, links
from home.organisation import OrganisationSettings

from .models import TrainingDayBooking
from .services import format_code


def my_bookings_url():
    return links.absolute(reverse("events:mine"))


def booking_url(booking):
    return links.absolute(reverse("events:booking", kwargs={"pk": booking.pk}))


def person_name(user):
    return user.get_full_name() or user.email


def booking_calendar(booking):
    """The day in the professional's agenda (PUBLISH), or its cancellation (CANCEL) once the place is gone."""
    event = booking.event
    cancelled = booking.status == TrainingDayBooking.Status.CANCELLED
    lines = [event.get_kind_display()]
    if event.online_link and not cancelled:
        lines.append(f"Online meedoen: {event.online_link}")
    lines.append(f"Uw aanmelding bekijken of afmelden: {booking_url(booking)}")
    return calendars.appointment_calendar(
        name=event.title,
        uid_stem=f"scholing-{booking.pk}",
        summary=event.title,
        start=event.start,
        end=event.end,
        location=event.location,
        description="\n".join(lines),
        url=booking_url(booking),
        cancelled=cancelled,
        attendee=(booking.user.email, person_name(booking.user)),
    )


def calendar_filename(booking):
    return f"{slugify(booking.event.title) or 'scholing'}.ics"


def certificate_filename(booking):
    return f"certificaat-{slugify(booking.event.title) or 'scholing'}.pdf"


def _day(event):
    return formats.date_format(event.date, "j F Y")


def _times(event):
    return f"{event.start_time:%H:%M} - {event.end_time:%H:%M}"


def certificate_pdf(booking):
    """The certificate of attendance as PDF bytes. Only for a booking marked present (`has_certificate`)."""
    if not booking.has_certificate:
        raise ValueError("A certificate is only made for someone marked present.")
    with translation.override("nl"):
        organisation = OrganisationSettings.load()
        event = booking.event
        name = person_name(booking.user)
        place = "Online" if event.location is None else str(event.location)
        speakers = ", ".join(speaker.name for speaker in event.speakers.all())
        texts = [organisation.name, organisation.region, name, event.title, place, speakers, event.accreditation]
        pdf = FPDF(format="A4")
        pdf.set_margins(25, 30, 25)
        pdf.set_auto_page_break(True, margin=25)
        writer = PdfWriter(pdf, texts)
        pdf.set_title(writer.text(f"Certificaat van deelname: {event.title}"))
        pdf.set_author(writer.text(organisation.name))
        pdf.set_creator("Groepswijzer")
        pdf.set_lang("nl")
        pdf.add_page()
        width = pdf.epw

        def paragraph(text, size=11, bold=False, height=6, align="L"):
            writer.font(size, bold=bold)
            pdf.multi_cell(width, height, writer.text(text), new_x="LMARGIN", new_y="NEXT", align=align)

        paragraph(organisation.name, size=13, bold=True, height=7)
        if organisation.region and organisation.region not in organisation.name:
            paragraph(organisation.region, size=10)
        pdf.ln(18)
        paragraph("Certificaat van deelname", size=24, bold=True, height=12, align="C")
        pdf.ln(10)
        paragraph("Hierbij verklaren wij dat", align="C")
        pdf.ln(3)
        paragraph(name, size=18, bold=True, height=10, align="C")
        pdf.ln(3)
        paragraph(f"aanwezig was bij de {event.get_kind_display().lower()}", align="C")
        pdf.ln(3)
        paragraph(event.title, size=15, bold=True, height=8, align="C")
        pdf.ln(12)

        def row(label, value):
            if not value:
                return
            writer.font(11, bold=True)
            y = pdf.get_y()
            pdf.cell(50, 7, writer.text(label))
            writer.font(11)
            pdf.set_xy(pdf.l_margin + 50, y)
            pdf.multi_cell(width - 50, 7, writer.text(value), new_x="LMARGIN", new_y="NEXT", align="L")

        row("Datum", f"{_day(event)}, {_times(event)}")
        row("Plaats", place)
        row("Sprekers", speakers)
        row("Accreditatie", event.accreditation)
        row("Controlecode", format_code(booking.certificate_code))
        pdf.ln(14)
        paragraph(
            "De echtheid van dit certificaat is te controleren met de controlecode op "
            f"{links.absolute(reverse('events:verify'))}?code={format_code(booking.certificate_code)}",
            size=9,
            height=5,
        )
        marked = local_time(booking.attendance_marked_at) if booking.attendance_marked_at else None
        if marked is not None:
            paragraph(f"Aanwezigheid geregistreerd op {formats.date_format(marked, 'j F Y')}.", size=9, height=5)
        return bytes(pdf.output())


class CertificateAttachment:
    """An email attachment whose PDF is made only when the email is put together for sending."""

    def __init__(self, booking):
        self.booking = booking

    def __iter__(self):
        yield certificate_filename(self.booking)
        yield certificate_pdf(self.booking)
        yield "application/pdf"
