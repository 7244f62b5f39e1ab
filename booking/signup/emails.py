"""Email builders for this area (see booking.notifications.email_kind)."""

from django.utils.translation import gettext as _

from booking.models import Enrollment, Session
from booking.payments.providers import get_provider
from booking.payments.receipts import receipt_attachments
from booking.services import links, transfers
from booking.services.calendars import enrollment_calendar
from booking.services.notifications import Email, email_kind


def _absolute_page_url(page):
    url = page.get_url() or ""
    return links.absolute(url) if url.startswith("/") else url


@email_kind("confirmation")
def confirmation(enrollment_id, payment=""):
    """The confirmation of a place: the dates, the place, what to pay and how, the personal link, and an .ics."""
    enrollment = Enrollment.objects.select_related("participant", "group__course", "group__location").get(
        pk=enrollment_id
    )
    group = enrollment.group
    manage_url = links.personal_url("selfservice:manage", "enrollment", enrollment.pk)
    try:
        payment_note = get_provider(payment).confirmation_note if payment else ""
    except LookupError:
        payment_note = ""
    sessions = list(group.sessions.filter(status=Session.Status.SCHEDULED).order_by("start", "pk"))
    course = group.course
    return Email(
        language=enrollment.language,
        to=enrollment.participant.email,
        subject=_("Bevestiging van uw aanmelding: %(course)s") % {"course": course.title},
        template="signup/confirmation",
        context={
            "enrollment": enrollment,
            "participant": enrollment.participant,
            "group": group,
            "course": course,
            "location": group.location,
            "sessions": sessions,
            "amount": group.amount,
            "payment_note": payment_note,
            "transfer": transfers.instructions_for_enrollment(enrollment) if payment == "transfer" else None,
            "manage_url": manage_url,
            "course_url": _absolute_page_url(course),
        },
        attachments=[
            enrollment_calendar(enrollment, manage_url=manage_url).attachment("groepstraining.ics"),
            # Paid online: the receipt (betaalbewijs) goes with it (booking.payments).
            *receipt_attachments(enrollment),
        ],
    )
