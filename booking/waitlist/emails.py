"""Emails of the waiting list: joined, a place offered, the offer expired or accepted, the monthly check, removed.

Builders get ids and read everything else when they run, so an email never
carries stale facts or stored text. Every email carries the person's own link
to their place on the list.
"""

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from booking.models import Offer, Session, WaitlistEntry
from booking.services import calendars, links, offers
from booking.services.notifications import Email, email_kind
from booking.waitlist import entries as waitlist
from booking.waitlist import estimate


def _entry(entry_id):
    return WaitlistEntry.objects.select_related("participant", "course").get(pk=entry_id)


def _offer(offer_id):
    return Offer.objects.select_related(
        "entry__participant", "entry__course", "group__course", "group__location", "enrollment"
    ).get(pk=offer_id)


def join_url(course):
    return links.absolute(reverse("waitlist:join", kwargs={"course_id": course.pk}))


def _wishes(entry):
    locations = [str(location) for location in entry.preferred_locations.all()]
    return {
        "locations": locations,
        "part_of_day": entry.get_part_of_day_display(),
    }


def _entry_context(entry):
    return {
        "entry": entry,
        "participant": entry.participant,
        "course": entry.course,
        "status_url": links.waitlist_status_url(entry),
        "offer_hours": int(offers.offer_duration().total_seconds() // 3600),
        "answer_days": waitlist.answer_time().days,
        **_wishes(entry),
    }


def _offer_context(offer):
    url = links.offer_url(offer)
    group = offer.group
    return {
        "offer": offer,
        "group": group,
        "course": group.course,
        "location": group.location,
        "participant": offer.entry.participant,
        "sessions": Session.objects.filter(group=group, status=Session.Status.SCHEDULED).order_by("start", "pk"),
        "accept_url": f"{url}?keuze=ja",
        "decline_url": f"{url}?keuze=nee",
        "offer_page_url": url,
        "status_url": links.waitlist_status_url(offer.entry),
    }


@email_kind("waitlist_joined")
def waitlist_joined(entry_id):
    entry = _entry(entry_id)
    context = _entry_context(entry)
    context.update({"position": waitlist.position(entry), "estimate": estimate.expected_wait(entry)})
    return Email(
        language=entry.language,
        to=entry.participant.email,
        subject=_("U staat op de wachtlijst voor %(course)s") % {"course": entry.course.title},
        template="waitlist/joined",
        context=context,
    )


@email_kind("offer")
def offer(offer_id):
    current = _offer(offer_id)
    return Email(
        language=current.entry.language,
        to=current.entry.participant.email,
        subject=_("Er is een plaats voor u vrij: %(course)s") % {"course": current.group.course.title},
        template="waitlist/offer",
        context=_offer_context(current),
    )


@email_kind("offer_expired")
def offer_expired(offer_id):
    current = _offer(offer_id)
    context = _offer_context(current)
    context["position"] = waitlist.position(current.entry)
    return Email(
        language=current.entry.language,
        to=current.entry.participant.email,
        subject=_("Het aanbod voor %(course)s is verlopen") % {"course": current.group.course.title},
        template="waitlist/offer_expired",
        context=context,
    )


def _manage_url(enrollment):
    """The enrollment's own page when self-service is there, else the waiting-list page."""
    try:
        return links.personal_url("selfservice:manage", "enrollment", enrollment.pk)
    except NoReverseMatch:  # without self-service pages, the waiting-list page is the link
        return ""


@email_kind("offer_accepted")
def offer_accepted(offer_id):
    current = _offer(offer_id)
    context = _offer_context(current)
    manage_url = _manage_url(current.enrollment) or context["status_url"]
    context["manage_url"] = manage_url
    calendar = calendars.enrollment_calendar(current.enrollment, manage_url=manage_url)
    return Email(
        language=current.entry.language,
        to=current.entry.participant.email,
        subject=_("Uw plaats in %(course)s is bevestigd") % {"course": current.group.course.title},
        template="waitlist/offer_accepted",
        context=context,
        attachments=[calendar.attachment("bijeenkomsten.ics")],
    )


@email_kind("waitlist_check")
def waitlist_check(entry_id):
    entry = _entry(entry_id)
    context = _entry_context(entry)
    context.update(
        {
            "position": waitlist.position(entry),
            "stay_url": links.personal_url("waitlist:stay", "waitlist", entry.pk),
            "leave_url": links.personal_url("waitlist:leave", "waitlist", entry.pk),
            "answer_by": waitlist.answer_due(entry),
        }
    )
    return Email(
        language=entry.language,
        to=entry.participant.email,
        subject=_("Wilt u nog op de wachtlijst blijven voor %(course)s?") % {"course": entry.course.title},
        template="waitlist/check",
        context=context,
    )


@email_kind("waitlist_removed")
def waitlist_removed(entry_id):
    entry = _entry(entry_id)
    context = _entry_context(entry)
    context["join_url"] = join_url(entry.course)
    return Email(
        language=entry.language,
        to=entry.participant.email,
        subject=_("U staat niet meer op de wachtlijst voor %(course)s") % {"course": entry.course.title},
        template="waitlist/removed",
        context=context,
    )
