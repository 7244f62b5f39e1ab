"""/wachtlijst/: join a course's waiting list, see your place on it, answer an offer or the monthly check.

Personal pages are reached through the signed links in emails, without an
account. Every answer is a POST behind a button, so a mail program that
opens links to scan them can never answer for someone.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from booking import own_data
from booking.models import Offer, Session, TrainingGroup, WaitlistEntry
from booking.services import consent, links, offers, signals
from booking.services.errors import BookingError
from booking.waitlist import entries as waitlist
from booking.waitlist import estimate
from booking.waitlist import offers as waitlist_offers
from booking.waitlist.forms import WaitlistForm
from courses.models import CoursePage
from home.languages import originals
from privacy.registry import retention_months

PROBLEM_TEMPLATE = "booking/waitlist/link_problem.html"

with_entry = links.personal_page(
    links.WAITLIST_LINK,
    WaitlistEntry.objects.select_related("participant", "course"),
    problem_template=PROBLEM_TEMPLATE,
    removed_if=lambda entry: entry.participant.anonymised_at is not None,
)
with_offer = links.personal_page(
    links.OFFER_LINK,
    Offer.objects.select_related(
        "entry__participant", "entry__course", "group__course", "group__location", "enrollment"
    ),
    problem_template=PROBLEM_TEMPLATE,
    removed_if=lambda offer: offer.entry.participant.anonymised_at is not None,
)


def _join_path(course):
    return reverse("waitlist:join", kwargs={"course_id": course.pk})


# --- joining -------------------------------------------------------------------------------------


def _initial_from(data):
    """What was typed, to show again without judging it (for "show distances")."""
    initial = {name: data.get(name) for name in data if name not in ("csrfmiddlewaretoken", "afstanden")}
    initial["preferred_locations"] = data.getlist("preferred_locations")
    initial["consent"] = bool(data.get("consent"))
    return initial


@require_http_methods(["GET", "HEAD", "POST"])
def join(request, course_id):
    """The form to join a course's waiting list; on success, the person's own page on the list."""
    course = get_object_or_404(originals(CoursePage.objects.live().public()), pk=course_id)
    locations = list(waitlist.waitlist_locations(course))
    status = 200
    if request.method == "POST" and "afstanden" in request.POST:
        # Only the distances asked for: show the form again as typed, without errors for what is still empty.
        form = WaitlistForm(initial=_initial_from(request.POST), course=course, locations=locations)
    elif request.method == "POST":
        form = WaitlistForm(request.POST, course=course, locations=locations)
        if form.is_valid():
            try:
                entry = waitlist.join_waitlist(
                    course,
                    form.person(user=request.user if request.user.is_authenticated else None),
                    preferred_locations=form.cleaned_data["preferred_locations"],
                    part_of_day=form.cleaned_data["part_of_day"],
                    consent_text_version=consent.VERSION,
                )
            except ValidationError as error:
                form.add_error(None, error)
            except BookingError as error:
                form.add_error(None, error.message)
            else:
                signals.waitlist_joined.send(sender=join, request=request, entry=entry)
                messages.success(
                    request,
                    _("U staat op de wachtlijst. We hebben u een e-mail gestuurd met de link naar deze pagina."),
                )
                return redirect(links.waitlist_status_path(entry))
        status = 400
    else:
        initial = {"postcode": request.GET.get("postcode", "")[:16]} if request.GET.get("postcode") else {}
        # From a full group's "op de wachtlijst": its location is ticked already.
        chosen = request.GET.get("locatie", "")
        if chosen.isdigit() and any(location.pk == int(chosen) for location in locations):
            initial["preferred_locations"] = [int(chosen)]
        form = WaitlistForm(initial=initial, course=course, locations=locations)

    now = timezone.now()
    open_groups = TrainingGroup.objects.bookable(now).filter(course=course)
    context = {
        "course": course,
        "form": form,
        "has_open_groups": open_groups.exists(),
        "signup_url": reverse("signup:course", kwargs={"course_id": course.pk}),
        "offer_hours": int(offers.offer_duration().total_seconds() // 3600),
        "answer_days": waitlist.answer_time().days,
        "distance_asked": request.method == "POST" and "afstanden" in request.POST,
    }
    return render(request, "booking/waitlist/join.html", context, status=status)


# --- the person's own page -----------------------------------------------------------------------


@require_http_methods(["GET", "HEAD"])
@with_entry
def status(request, entry, token):
    """Where someone stands: position, expected wait, wishes; or what happened (offer, placed, left, removed)."""
    now = timezone.now()
    open_offer = entry.offers.filter(status=Offer.Status.OPEN).select_related("group__location").first()
    placed = entry.offers.filter(status=Offer.Status.ACCEPTED).select_related("group__location").first()
    context = {
        "entry": entry,
        "course": entry.course,
        "token": token,
        "position": waitlist.position(entry),
        "estimate": estimate.expected_wait(entry, now) if entry.status == WaitlistEntry.Status.WAITING else None,
        "locations": list(entry.preferred_locations.all()),
        "open_offer": open_offer,
        # An offer past its time that the sweep has not expired yet: the person sees the truth already.
        "offer_ran_out": open_offer is not None and open_offer.expires_at <= now,
        "offer_path": links.personal_path("waitlist:offer", links.OFFER_LINK, open_offer.pk) if open_offer else "",
        "placed": placed,
        "check_pending": waitlist.check_pending(entry) and entry.status == WaitlistEntry.Status.WAITING,
        "answer_due": waitlist.answer_due(entry),
        "gone_message": waitlist.gone_message(entry) if entry.status not in waitlist.ACTIVE else "",
        "join_path": _join_path(entry.course),
        "retention_months": retention_months(),
        "own_data_urls": _own_data_urls(token),
    }
    return render(request, "booking/waitlist/status.html", context)


# --- your own data, from the waiting list's page (see booking.own_data) ------------------------------


def _own_data_urls(token):
    return {
        "back": reverse("waitlist:status", kwargs={"token": token}),
        "pdf": reverse("waitlist:data_pdf", kwargs={"token": token}),
        "json": reverse("waitlist:data_json", kwargs={"token": token}),
        "request": reverse("waitlist:erase_request", kwargs={"token": token}),
        "sent": reverse("waitlist:erase_sent", kwargs={"token": token}),
    }


@require_http_methods(["GET", "HEAD"])
@with_entry
def data_json(request, entry, token):
    return own_data.download(entry.participant, "json")


@require_http_methods(["GET", "HEAD"])
@with_entry
def data_pdf(request, entry, token):
    return own_data.download(entry.participant, "pdf")


@require_http_methods(["GET", "HEAD", "POST"])
@with_entry
def erase_request(request, entry, token):
    return own_data.erase_request_page(request, entry.participant, urls=_own_data_urls(token))


@require_http_methods(["GET", "HEAD"])
@with_entry
def erase_sent(request, entry, token):
    return own_data.erase_sent_page(request, entry.participant, urls=_own_data_urls(token))


@require_http_methods(["GET", "HEAD", "POST"])
@with_entry
def stay(request, entry, token):
    """'Yes, I want to keep waiting': a page with one button, which answers the monthly check."""
    if request.method == "POST":
        try:
            waitlist.stay_on_waitlist(entry)
        except BookingError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Dank u wel. U blijft op de wachtlijst, op dezelfde plaats."))
        return redirect(links.waitlist_status_path(entry))
    context = {
        "entry": entry,
        "course": entry.course,
        "token": token,
        "active": entry.status in waitlist.ACTIVE,
        "pending": waitlist.check_pending(entry),
        "gone_message": waitlist.gone_message(entry) if entry.status not in waitlist.ACTIVE else "",
        "status_path": links.waitlist_status_path(entry),
        "join_path": _join_path(entry.course),
    }
    return render(request, "booking/waitlist/stay.html", context)


@require_http_methods(["GET", "HEAD", "POST"])
@with_entry
def leave(request, entry, token):
    """'Take me off the list': a page with one button; an open offer is turned down with it."""
    if request.method == "POST":
        if entry.status in waitlist.ACTIVE:
            waitlist.leave_waitlist(entry)
            messages.success(
                request,
                _("U staat niet meer op de wachtlijst. U krijgt van ons geen e-mails meer over deze wachtlijst."),
            )
        return redirect(links.waitlist_status_path(entry))
    context = {
        "entry": entry,
        "course": entry.course,
        "token": token,
        "active": entry.status in waitlist.ACTIVE,
        "has_offer": entry.offers.filter(status=Offer.Status.OPEN).exists(),
        "gone_message": waitlist.gone_message(entry) if entry.status not in waitlist.ACTIVE else "",
        "status_path": links.waitlist_status_path(entry),
        "join_path": _join_path(entry.course),
    }
    return render(request, "booking/waitlist/leave.html", context)


# --- an offer ------------------------------------------------------------------------------------


def offer_state(offer, now):
    """What the person sees: "open", "accepted", "declined" or "expired" (also when the sweep has not run yet)."""
    if offer.status == Offer.Status.OPEN:
        return "open" if offer.expires_at > now else "expired"
    if offer.status == Offer.Status.WITHDRAWN:
        return "withdrawn"
    return offer.status


@require_http_methods(["GET", "HEAD", "POST"])
@with_offer
def offer(request, current, token):
    """A place offered from the list: the group, and a yes and a no button."""
    if request.method == "POST":
        answer = request.POST.get("answer")
        try:
            # The page after the redirect says what the answer did; only a refusal needs its own message.
            if answer == "accept":
                waitlist_offers.accept_offer(current, consent_text_version=consent.VERSION)
            elif answer == "decline":
                waitlist_offers.decline_offer(current)
        except BookingError as error:
            messages.error(request, error.message)
        return redirect(request.path)

    now = timezone.now()
    group = current.group
    entry = current.entry
    sessions = Session.objects.filter(group=group, status=Session.Status.SCHEDULED).order_by("start", "pk")
    context = {
        "offer": current,
        "state": offer_state(current, now),
        "group": group,
        "course": group.course,
        "location": group.location,
        "sessions": sessions,
        "places_taken": TrainingGroup.objects.with_places_left(now)
        .values_list("places_taken", flat=True)
        .get(pk=group.pk),
        "choice": request.GET.get("keuze", ""),
        "consent_text": consent.TEXT,
        "status_path": links.waitlist_status_path(entry),
        "position": waitlist.position(entry),
        "manage_url": links.personal_path("selfservice:manage", links.ENROLLMENT_LINK, current.enrollment_id),
    }
    return render(request, "booking/waitlist/offer.html", context)
