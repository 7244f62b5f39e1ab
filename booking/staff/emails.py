"""Emails the office's actions send: a group that does not go ahead (with the alternatives)."""

from django.utils import timezone
from django.utils.translation import gettext as _

from booking.models import Offer
from booking.selfservice.emails import calendar_cancellation, enrollment_for_email, place_context
from booking.services import availability, links
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
        to=enrollment.participant.email,
        subject=_("De groep %(course)s in %(place)s gaat niet door") % {"course": group.course.title, "place": where},
        template="selfservice/group_cancelled",
        context=context,
        attachments=calendar_cancellation(enrollment),
    )
