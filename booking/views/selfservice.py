"""Self-service screens, reached through the personal link in every email (no account needed).

The token in the URL is the key: it says which enrollment (or trainer) this
is and stops working after `GROEPSWIJZER_PERSONAL_LINK_DAYS`. A changed or
old link gets a kind page with a way to ask for a new one, never an error.
"""

import functools
import hashlib

from django.contrib import messages
from django.core.cache import cache
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from courses.models import Trainer

from .. import feeds, links, selfservice
from ..exceptions import EnrollmentNotActive
from ..forms_selfservice import CancelForm, NewLinkForm
from ..models import Enrollment

# Asking for new links: per address a few times an hour (more would only fill someone's inbox),
# per visitor more (someone may have used more than one address, or a practice helps several people).
NEW_LINKS_PER_ADDRESS = 3
NEW_LINKS_PER_CLIENT = 20
RATE_WINDOW_SECONDS = 60 * 60


def _private(response):
    """Personal pages stay out of shared caches and search engines."""
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def link_problem(request, error, *, trainer=False):
    """The kind page for a link that is too old (410) or was changed (400)."""
    expired = isinstance(error, links.ExpiredLink)
    response = render(
        request,
        "booking/selfservice/link_problem.html",
        {"expired": expired, "trainer": trainer, "link_days": links.max_age().days},
        status=410 if expired else 400,
    )
    return _private(response)


def with_enrollment(view):
    """Read the enrollment from the token, or show the link page."""

    @functools.wraps(view)
    def wrapper(request, token, *args, **kwargs):
        try:
            pk = links.read_token(token, selfservice.ENROLLMENT_LINK)
        except links.InvalidLink as error:
            return link_problem(request, error)
        enrollment = get_object_or_404(
            Enrollment.objects.select_related("participant", "group__course", "group__location"), pk=pk
        )
        return _private(view(request, enrollment, token, *args, **kwargs))

    return wrapper


def _page_context(enrollment, token, now):
    group = enrollment.group
    course = group.course
    state = selfservice.enrollment_state(enrollment, now)
    return {
        "enrollment": enrollment,
        "token": token,
        "state": state,
        "state_label": Enrollment.Status(state).label,
        "group": group,
        "course": course,
        "location": group.location,
        "trainers": list(group.trainers.all()),
        "sessions": selfservice.session_lines(group, now),
        "group_cancelled": group.status == group.Status.CANCELLED,
        "show_online_link": selfservice.shows_online_link(enrollment),
        "terms": selfservice.cancellation_terms(enrollment, now),
        "refusal": selfservice.cancel_refusal(enrollment, now),
        "partner": selfservice.partner_of(enrollment),
        "course_url": course.url,
        "waitlist_url": reverse("waitlist:join", kwargs={"course_id": course.pk}),
        "signup_again_url": (
            reverse("signup:group", kwargs={"group_id": group.pk})
            if group.signup_closed_reason(now) is None and group.current_places_left(now) > 0
            else ""
        ),
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
    body = selfservice.calendar_for(enrollment, manage_url=manage_url)
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
            selfservice.cancel_by_participant(enrollment, with_partner=form.with_partner)
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
    context["terms"] = selfservice.cancellation_terms(enrollment, enrollment.cancelled_at)
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
            return _private(render(request, "booking/selfservice/new_link.html", {"form": form}, status=429))
        email = form.cleaned_data["email"].strip().lower()
        # Over the limit for this address: the same answer, only no extra email.
        if _hit(f"selfservice:new-links:address:{_digest(email)}") <= NEW_LINKS_PER_ADDRESS:
            selfservice.send_new_links(email)
        return redirect("selfservice:new_link_sent")
    status = 400 if form.errors else 200
    return _private(render(request, "booking/selfservice/new_link.html", {"form": form}, status=status))


@require_http_methods(["GET", "HEAD"])
def new_link_sent(request):
    return _private(render(request, "booking/selfservice/new_link_sent.html", {"link_days": links.max_age().days}))


@require_http_methods(["GET", "HEAD"])
def trainer_feed(request, token):
    """A trainer's personal calendar feed, for a calendar app to subscribe to."""
    try:
        pk = links.read_token(token, selfservice.TRAINER_FEED_LINK)
    except links.InvalidLink as error:
        return link_problem(request, error, trainer=True)
    trainer = get_object_or_404(Trainer, pk=pk)
    response = HttpResponse(feeds.trainer_calendar(trainer), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="groepen-{slugify(trainer.name) or trainer.pk}.ics"'
    return _private(response)
