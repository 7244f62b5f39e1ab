"""The newsletter's public pages: sign up, confirm by the emailed link, unsubscribe in one click.

The unsubscribe address is also the ``List-Unsubscribe`` header of every
mailing. A mail client posts ``List-Unsubscribe=One-Click`` to it without a
CSRF token and without a login (RFC 8058); the signed token in the address
is what makes that safe. Opening the address (GET) never unsubscribes: link
scanners open every link. It shows a page with a button instead.
"""

from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from booking.services import links

from .forms import SignupForm
from .models import Subscriber, SubscriberList
from .services import subscriptions


def _newsletter(slug):
    newsletter = subscriptions.newsletter_from_slug(slug)
    if newsletter is None:
        raise Http404
    return newsletter


def _context(newsletter, **extra):
    return {
        "newsletter": newsletter,
        "newsletter_label": Subscriber(newsletter=newsletter).get_newsletter_display(),
        "for_professionals": newsletter == SubscriberList.PROFESSIONALS,
        "slug": subscriptions.SLUGS[newsletter],
        **extra,
    }


@require_http_methods(["GET", "HEAD", "POST"])
def signup(request, slug):
    newsletter = _newsletter(slug)
    if request.method == "POST":
        form = SignupForm(request.POST, newsletter=newsletter)
        if form.is_valid():
            subscriptions.subscribe(newsletter, form.cleaned_data["email"])
            return redirect("newsletter:check_mail", slug=slug)
        return render(request, "news/signup.html", _context(newsletter, form=form), status=400)
    return render(request, "news/signup.html", _context(newsletter, form=SignupForm(newsletter=newsletter)))


def check_mail(request, slug):
    return render(request, "news/check_mail.html", _context(_newsletter(slug)))


def _link_problem(request, problem):
    return render(request, "news/link_problem.html", {"problem": problem}, status=400)


@require_http_methods(["GET", "HEAD", "POST"])
def confirm(request, token):
    """The confirmation link: a page with a button, so a link scanner that opens it signs nobody up."""
    try:
        subscriber_id = subscriptions.subscriber_from_confirm_token(token)
    except links.ExpiredLink:
        return _link_problem(request, "expired")
    except links.InvalidLink:
        return _link_problem(request, "invalid")
    subscriber = Subscriber.objects.filter(pk=subscriber_id, anonymised_at__isnull=True).first()
    if subscriber is None or subscriber.status == Subscriber.Status.UNSUBSCRIBED:
        return _link_problem(request, "expired")
    context = _context(subscriber.newsletter, subscriber=subscriber)
    if request.method == "POST":
        subscriptions.confirm(subscriber.pk)
        return render(request, "news/confirmed.html", context)
    if subscriber.status == Subscriber.Status.CONFIRMED:
        return render(request, "news/confirmed.html", context)
    return render(request, "news/confirm.html", context)


@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe(request, token):
    """GET: a page with one button. POST (that button, or a mail client's one-click): unsubscribed."""
    try:
        subscriber_id = subscriptions.subscriber_from_unsubscribe_token(token)
    except links.InvalidLink:
        return _link_problem(request, "invalid")
    subscriber = Subscriber.objects.filter(pk=subscriber_id).first()
    if subscriber is None:
        return _link_problem(request, "invalid")
    context = _context(subscriber.newsletter, subscriber=subscriber)
    if request.method == "POST":
        subscriptions.unsubscribe(subscriber.pk)
        return render(request, "news/unsubscribed.html", context)
    if subscriber.status == Subscriber.Status.UNSUBSCRIBED:
        return render(request, "news/unsubscribed.html", context)
    return render(request, "news/unsubscribe.html", context)
