"""Emails about training days, through booking's outbox (``booking.services.notifications.email_kind``).

Each is built when it is sent, from the booking's id: no text is kept in the
outbox, and the calendar file and the certificate are made at that moment.
"""

from django.utils.translation import gettext as _

from booking.services.notifications import Email, email_kind

from . import files
from .models import TrainingDayBooking
from .services import format_code, position_in_line


def _booking(booking_id):
    return TrainingDayBooking.objects.select_related("event__location", "user").get(pk=booking_id)


def _email(booking, *, subject, template, attachments=(), **context):
    return Email(
        to=booking.user.email,
        subject=subject,
        template=f"events/{template}",
        context={
            "booking": booking,
            "event": booking.event,
            "name": booking.user.first_name or files.person_name(booking.user),
            "booking_url": files.booking_url(booking),
            "mine_url": files.my_bookings_url(),
            **context,
        },
        attachments=attachments,
        language=booking.user.language,
    )


def _calendar(booking):
    return files.booking_calendar(booking).attachment(files.calendar_filename(booking))


@email_kind("events_booked")
def booked(booking_id):
    """A place: the day, where and when, the online link, and the calendar file."""
    booking = _booking(booking_id)
    return _email(
        booking,
        subject=_("U bent aangemeld: %(title)s") % {"title": booking.event.title},
        template="booked",
        attachments=[_calendar(booking)],
    )


@email_kind("events_waiting")
def waiting(booking_id):
    """Full: a place in line, and what happens when a place comes free."""
    booking = _booking(booking_id)
    return _email(
        booking,
        subject=_("U staat op de wachtlijst: %(title)s") % {"title": booking.event.title},
        template="waiting",
        position=position_in_line(booking),
    )


@email_kind("events_place_given")
def place_given(booking_id):
    """A place came free and is now theirs (the first in line), with the calendar file."""
    booking = _booking(booking_id)
    return _email(
        booking,
        subject=_("Er is een plek voor u vrijgekomen: %(title)s") % {"title": booking.event.title},
        template="place_given",
        attachments=[_calendar(booking)],
    )


@email_kind("events_cancelled")
def cancelled(booking_id):
    """The professional cancelled: confirmed, with a calendar file that takes the date out of their agenda."""
    booking = _booking(booking_id)
    attachments = [_calendar(booking)] if booking.placed_at else []
    return _email(
        booking,
        subject=_("Afgemeld: %(title)s") % {"title": booking.event.title},
        template="cancelled",
        attachments=attachments,
    )


@email_kind("events_reminder")
def reminder(booking_id):
    """The day before: when, where or the online link, and how to cancel."""
    booking = _booking(booking_id)
    return _email(
        booking,
        subject=_("Morgen: %(title)s") % {"title": booking.event.title},
        template="reminder",
    )


@email_kind("events_certificate")
def certificate(booking_id):
    """After the day, for someone marked present: the certificate of attendance as PDF."""
    booking = _booking(booking_id)
    return _email(
        booking,
        subject=_("Uw certificaat van deelname: %(title)s") % {"title": booking.event.title},
        template="certificate",
        attachments=[files.CertificateAttachment(booking)] if booking.has_certificate else [],
        code=format_code(booking.certificate_code),
    )
