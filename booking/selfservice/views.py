"""Self-service screens, reached through the personal link in every email (no account needed).

The token in the URL is the key: it says which enrollment (or trainer) this
is and stops working after `GROEPSWIJZER_PERSONAL_LINK_DAYS`. A changed or
old link gets a kind page with a way to ask for a new one, never an error.
"""

import hashlib

from django.contrib import messages
from django.core.cache import cache
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from booking import own_data
from booking.models import Enrollment, Participant
from booking.selfservice import cancellation, personal
from booking.selfservice.forms import CancelForm, NewLinkForm
from booking.services import calendars, links, money
from booking.services.errors import EnrollmentNotActive
from privacy.erasure import ErasureBlocked
from privacy.registry import retention_months

# Asking for new links: per address a few times an hour (more would only fill someone's inbox),
# per visitor more (someone may have used more than one address, or a practice helps several people).
NEW_LINKS_PER_ADDRESS = 3
NEW_LINKS_PER_CLIENT = 20
RATE_WINDOW_SECONDS = 60 * 60


PROBLEM_TEMPLATE = "booking/selfservice/link_problem.html"


def _anonymised(participant):
    return participant.anonymised_at is not None


with_enrollment = links.personal_page(
    links.ENROLLMENT_LINK,
    Enrollment.objects.select_related("participant", "group__course", "group__location"),
    problem_template=PROBLEM_TEMPLATE,
    removed_if=lambda enrollment: _anonymised(enrollment.participant),
)
# The link in the email that confirms an erasure: short-lived, and dead once the data is gone.
with_participant_to_erase = links.personal_page(
    links.ERASURE_LINK,
    Participant.objects.all(),
    problem_template=PROBLEM_TEMPLATE,
    removed_if=_anonymised,
    valid_for=own_data.erasure_link_valid_for,
)


def _page_context(enrollment, token, now):
    group = enrollment.group
    course = group.course
    state = enrollment.state_at(now)
    return {
        "enrollment": enrollment,
        "token": token,
        "state": state,
        "state_label": Enrollment.Status(state).label,
        "group": group,
        "course": course,
        "location": group.location,
        "trainers": list(group.trainers.all()),
        "sessions": personal.session_lines(group, now),
        "group_cancelled": group.status == group.Status.CANCELLED,
        "show_online_link": personal.shows_online_link(enrollment),
        "terms": cancellation.cancellation_terms(enrollment, now),
        "refusal": cancellation.cancel_refusal(enrollment, now),
        "partner": personal.partner_of(enrollment),
        "retention_months": retention_months(),
        "own_data_urls": _own_data_urls(token),
        "course_url": course.url,
        "waitlist_url": reverse("waitlist:join", kwargs={"course_id": course.pk}),
        "signup_again_url": (reverse("signup:group", kwargs={"group_id": group.pk}) if group.is_bookable(now) else ""),
    }


@require_http_methods(["GET", "HEAD"])
@with_enrollment
def manage(request, enrollment, token):
    context = _page_context(enrollment, token, timezone.now())
    return render(request, "booking/selfservice/manage.html", context)


@require_http_methods(["GET", "HEAD"])
@with_enrollment
def calendar(request, enrollment, token):
    manage_url = links.absolute(reverse("selfservice:manage", kwargs={"token": token}))
    body = calendars.enrollment_calendar(enrollment, manage_url=manage_url).body
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    filename = f"{slugify(enrollment.group.course.title) or 'training'}-{enrollment.reference}.ics"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_http_methods(["GET", "HEAD", "POST"])
@with_enrollment
def cancel(request, enrollment, token):
    now = timezone.now()
    context = _page_context(enrollment, token, now)
    if context["refusal"]:
        messages.info(request, context["refusal"])
        return redirect("selfservice:manage", token=token)
    form = CancelForm(request.POST if request.method == "POST" else None, partner=context["partner"])
    if request.method == "POST" and form.is_valid():
        try:
            cancellation.cancel_by_participant(enrollment, with_partner=form.with_partner)
        except EnrollmentNotActive as refused:
            messages.info(request, refused.message)
            return redirect("selfservice:manage", token=token)
        return redirect("selfservice:cancelled", token=token)
    context["form"] = form
    return render(request, "booking/selfservice/cancel.html", context, status=400 if form.errors else 200)


@require_http_methods(["GET", "HEAD"])
@with_enrollment
def cancelled(request, enrollment, token):
    if enrollment.status != Enrollment.Status.CANCELLED:
        return redirect("selfservice:manage", token=token)
    context = _page_context(enrollment, token, timezone.now())
    context["terms"] = cancellation.cancellation_terms(enrollment, enrollment.cancelled_at)
    context["has_paid"] = money.has_paid(enrollment)
    context["partner_cancelled"] = (
        Enrollment.objects.filter(
            party=enrollment.party, status=Enrollment.Status.CANCELLED, cancelled_at=enrollment.cancelled_at
        )
        .exclude(pk=enrollment.pk)
        .select_related("participant")
        .first()
    )
    return render(request, "booking/selfservice/cancelled.html", context)


def _hit(key):
    """Count one request under `key` in the current hour; returns the count so far."""
    cache.add(key, 0, RATE_WINDOW_SECONDS)
    try:
        return cache.incr(key)
    except ValueError:  # the key just expired
        cache.set(key, 1, RATE_WINDOW_SECONDS)
        return 1


def _digest(value):
    return hashlib.sha256(value.encode()).hexdigest()[:32]


@require_http_methods(["GET", "HEAD", "POST"])
def new_link(request):
    """Ask for fresh links by email. The answer is the same whether or not the address is known."""
    form = NewLinkForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        client = request.META.get("REMOTE_ADDR", "")
        if _hit(f"selfservice:new-links:client:{_digest(client)}") > NEW_LINKS_PER_CLIENT:
            form.add_error(None, _("U heeft dit al vaak gevraagd. Probeer het over een uur nog eens."))
            return links.private(render(request, "booking/selfservice/new_link.html", {"form": form}, status=429))
        email = form.cleaned_data["email"].strip().lower()
        # Over the limit for this address: the same answer, only no extra email.
        if _hit(f"selfservice:new-links:address:{_digest(email)}") <= NEW_LINKS_PER_ADDRESS:
            personal.send_new_links(email)
        return redirect("selfservice:new_link_sent")
    status = 400 if form.errors else 200
    return links.private(render(request, "booking/selfservice/new_link.html", {"form": form}, status=status))


@require_http_methods(["GET", "HEAD"])
def new_link_sent(request):
    return links.private(render(request, "booking/selfservice/new_link_sent.html", {"link_days": links.max_age().days}))


# --- your own data: download it, have it erased ---------------------------------------------------


def _own_data_urls(token):
    return {
        "back": reverse("selfservice:manage", kwargs={"token": token}),
        "pdf": reverse("selfservice:data_pdf", kwargs={"token": token}),
        "json": reverse("selfservice:data_json", kwargs={"token": token}),
        "request": reverse("selfservice:erase_request", kwargs={"token": token}),
        "sent": reverse("selfservice:erase_sent", kwargs={"token": token}),
    }


@require_http_methods(["GET", "HEAD"])
@with_enrollment
def data_json(request, enrollment, token):
    return own_data.download(enrollment.participant, "json")


@require_http_methods(["GET", "HEAD"])
@with_enrollment
def data_pdf(request, enrollment, token):
    return own_data.download(enrollment.participant, "pdf")


@require_http_methods(["GET", "HEAD", "POST"])
@with_enrollment
def erase_request(request, enrollment, token):
    return own_data.erase_request_page(request, enrollment.participant, urls=_own_data_urls(token))


@require_http_methods(["GET", "HEAD"])
@with_enrollment
def erase_sent(request, enrollment, token):
    return own_data.erase_sent_page(request, enrollment.participant, urls=_own_data_urls(token))


@require_http_methods(["GET", "HEAD", "POST"])
@with_participant_to_erase
def erase_confirm(request, participant, token):
    """The link from the email. Only the button erases: mail programs open links by themselves."""
    blockers = own_data.blockers(participant)
    if request.method == "POST" and not blockers:
        try:
            own_data.erase_on_request(participant)
        except ErasureBlocked as blocked:
            blockers = blocked.messages
        else:
            return redirect("selfservice:erase_done")
    context = {"participant": participant, "email": participant.email, "blockers": blockers}
    status = 409 if request.method == "POST" else 200
    return render(request, "booking/selfservice/erase_confirm.html", context, status=status)


@require_http_methods(["GET", "HEAD"])
def erase_done(request):
    return links.private(render(request, "booking/selfservice/erase_done.html"))
