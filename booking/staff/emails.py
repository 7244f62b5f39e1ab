"""Emails the office's actions send: a group that does not go ahead (with the alternatives), a place moved to
another group (with a fresh calendar file), and the link to a large export made in the background."""

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from booking.models import EnrollmentMove, ExportFile, Offer
from booking.selfservice.emails import calendar_cancellation, enrollment_for_email, place_context
from booking.services import availability, links, money
from booking.services.calendars import moved_calendars
from booking.services.notifications import Email, email_kind


@email_kind("group_cancelled")
def group_cancelled(enrollment_id, reason="", offered=False):
    enrollment = enrollment_for_email(enrollment_id)
    now = timezone.now()
    group = enrollment.group
    context = place_context(enrollment, now)
    alternatives = [
        {
            "group": alternative.group,
            "location": alternative.group.location,
            "first_start": alternative.group.first_start,
            "distance_km": alternative.distance_km,
            "places_left": alternative.places_left,
            "signup_url": links.signup_url(alternative.group),
        }
        for alternative in availability.alternatives_for(enrollment, now)
    ]
    context.update(
        {
            "reason": reason,
            "offered": offered,
            "has_paid": money.has_paid(enrollment),
            "alternatives": alternatives,
            "waitlist_url": links.waitlist_join_url(group.course),
        }
    )
    offer = Offer.objects.filter(enrollment=enrollment).select_related("entry").first() if offered else None
    if offer is not None:
        # Their own link is the one to their place on the waiting list.
        context["manage_url"] = links.waitlist_status_url(offer.entry)
    where = group.location.town or group.location.name
    return Email(
        language=enrollment.language,
        to=enrollment.participant.email,
        subject=_("De groep %(course)s in %(place)s gaat niet door") % {"course": group.course.title, "place": where},
        template="selfservice/group_cancelled",
        context=context,
        attachments=calendar_cancellation(enrollment),
    )


@email_kind("moved")
def moved(move_id):
    """A place moved to another group (alone, or because two groups were merged): the new dates and an .ics."""
    move = EnrollmentMove.objects.select_related("from_group__location", "to_group__location").get(pk=move_id)
    enrollment = enrollment_for_email(move.enrollment_id)
    context = place_context(enrollment, timezone.now())
    context.update({"move": move, "old_group": move.from_group, "old_location": move.from_group.location})
    group = enrollment.group
    where = group.location.town or group.location.name
    return Email(
        language=enrollment.language,
        to=enrollment.participant.email,
        subject=_("Uw groep voor %(course)s is veranderd: nu in %(place)s")
        % {"course": group.course.title, "place": where},
        template="staff/moved",
        context=context,
        attachments=[
            calendar.attachment(filename)
            for filename, calendar in zip(
                ("oude-data-vervallen.ics", "groepstraining.ics"),
                moved_calendars(enrollment, move.from_group, manage_url=context["manage_url"]),
                strict=True,
            )
        ],
    )


@email_kind("export_ready")
def export_ready(export_id):
    """A large export is ready: the link to download it (for the coordinator who asked, for 24 hours)."""
    export = ExportFile.objects.select_related("user").filter(pk=export_id).first()
    if export is None or not export.user.email:
        return None  # expired and removed before the email went
    link = reverse("staff:export_download", args=[export.token])
    return Email(
        to=export.user.email,
        subject=_("Uw export staat klaar"),
        template="staff/export_ready",
        context={"export": export, "download_url": f"{settings.WAGTAILADMIN_BASE_URL}{link}"},
    )
