"""Personal links: signed, expiring, usable without an account, and the one way views read them.

A link carries what it is for (its purpose: "enrollment", "waitlist",
"offer", "payment", "trainer-feed") and an id; the signature makes it
impossible to guess or change, the timestamp lets it expire after
`GROEPSWIJZER_PERSONAL_LINK_DAYS`. Nothing is stored for it. Every URL the
emails, calendar files and pages use to reach someone's own page is built
here, and every view behind such a link reads it with `personal_page`.
"""

import datetime
import functools

from django.conf import settings
from django.core import signing
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse

SALT = "groepswijzer.personal-link.v1"

ENROLLMENT_LINK = "enrollment"
WAITLIST_LINK = "waitlist"
OFFER_LINK = "offer"
PAYMENT_LINK = "payment"
TRAINER_FEED_LINK = "trainer-feed"
ERASURE_LINK = "erasure"


class InvalidLink(Exception):
    """The link was changed, or was made for something else."""


class ExpiredLink(InvalidLink):
    """The link was real but is too old."""


def max_age():
    return datetime.timedelta(days=getattr(settings, "GROEPSWIJZER_PERSONAL_LINK_DAYS", 400))


def make_token(purpose, pk):
    return signing.dumps([purpose, pk], salt=SALT, compress=True)


def read_token(token, purpose, *, valid_for=None):
    """The id inside a token made for `purpose`; InvalidLink or ExpiredLink otherwise.

    `valid_for` (a timedelta) shortens the life of links that do something
    weighty, such as confirming an erasure.
    """
    try:
        found_purpose, pk = signing.loads(token, salt=SALT, max_age=valid_for or max_age())
    except signing.SignatureExpired as error:
        raise ExpiredLink() from error
    except (signing.BadSignature, ValueError, TypeError) as error:
        raise InvalidLink() from error
    if found_purpose != purpose:
        raise InvalidLink()
    return pk


def absolute(path):
    """A full URL for use in emails and calendar files."""
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + path


def personal_path(viewname, purpose, pk, **kwargs):
    return reverse(viewname, kwargs={"token": make_token(purpose, pk), **kwargs})


def personal_url(viewname, purpose, pk, **kwargs):
    return absolute(personal_path(viewname, purpose, pk, **kwargs))


# --- where each personal link leads ----------------------------------------------------------------


def manage_url(enrollment):
    """The personal link to an enrollment's own page (absolute, for emails and calendar files)."""
    return personal_url("selfservice:manage", ENROLLMENT_LINK, enrollment.pk)


def manage_path(enrollment):
    """The same personal link as a path on this site (for pages, not emails)."""
    return personal_path("selfservice:manage", ENROLLMENT_LINK, enrollment.pk)


def waitlist_status_url(entry):
    """The person's own link to their place on the waiting list (in every waiting-list email)."""
    return personal_url("waitlist:status", WAITLIST_LINK, entry.pk)


def waitlist_status_path(entry):
    return personal_path("waitlist:status", WAITLIST_LINK, entry.pk)


def erasure_link_days():
    return int(getattr(settings, "GROEPSWIJZER_ERASURE_LINK_DAYS", 7))


def erasure_confirm_url(participant):
    """The link in the email that confirms a participant's request to erase their data (valid for a week)."""
    return personal_url("selfservice:erase_confirm", ERASURE_LINK, participant.pk)


def offer_url(offer):
    return personal_url("waitlist:offer", OFFER_LINK, offer.pk)


def payment_return_path(payment):
    """Where Mollie sends the participant back to after paying: the payment's own page."""
    return personal_path("payments:return", PAYMENT_LINK, payment.pk)


def trainer_feed_url(trainer):
    """The personal calendar feed of a trainer: every session of every group they lead.

    Whoever has the link can read the feed (it holds dates and places, no
    participants), so show it only to the trainer themselves.
    """
    return personal_url("feeds:trainer", TRAINER_FEED_LINK, trainer.pk)


def signup_url(group):
    return absolute(reverse("signup:group", kwargs={"group_id": group.pk}))


def waitlist_join_url(course):
    return absolute(reverse("waitlist:join", kwargs={"course_id": course.pk}))


def page_url(page):
    """A Wagtail page's full address (a course, a news item), for emails and feeds."""
    url = page.url or "/"
    return url if url.startswith("http") else absolute(url)


# --- views behind a personal link ------------------------------------------------------------------


def private(response):
    """Personal pages stay out of shared caches and search engines."""
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _optional_url(name):
    try:
        return reverse(name)
    except NoReverseMatch:
        return ""


def link_problem(request, problem, *, template, **context):
    """The kind page for a link that was changed (400), is too old (410), leads nowhere any more (404),
    or leads to data that has been erased (410)."""
    status = {"invalid": 400, "expired": 410, "gone": 404, "removed": 410}[problem]
    context = {
        "problem": problem,
        "expired": problem == "expired",
        "removed": problem == "removed",
        "link_days": max_age().days,
        "new_link_url": _optional_url("selfservice:new_link"),
        **context,
    }
    return private(render(request, template, context, status=status))


def personal_page(purpose, queryset, *, problem_template, removed_if=None, valid_for=None, **problem_context):
    """Decorator for a view behind a personal link: ``view(request, obj, token, ...)``.

    Reads the token for `purpose`, loads the object from `queryset`, and calls
    the view with it; the answer is private. A changed, old or dead link gets
    the kind page `problem_template` instead (never someone else's data); so
    does an object whose person was anonymised (`removed_if(obj)` true).
    """

    def decorate(view):
        @functools.wraps(view)
        def wrapper(request, token, *args, **kwargs):
            try:
                pk = read_token(token, purpose, valid_for=valid_for() if callable(valid_for) else valid_for)
            except ExpiredLink:
                return link_problem(request, "expired", template=problem_template, **problem_context)
            except InvalidLink:
                return link_problem(request, "invalid", template=problem_template, **problem_context)
            found = queryset.filter(pk=pk).first() if isinstance(pk, int) else None
            if found is None:
                return link_problem(request, "gone", template=problem_template, **problem_context)
            if removed_if is not None and removed_if(found):
                return link_problem(request, "removed", template=problem_template, **problem_context)
            return private(view(request, found, token, *args, **kwargs))

        return wrapper

    return decorate
