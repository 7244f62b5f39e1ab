"""Paying the own contribution: back from Mollie, the webhook, trying again, a lost place, the receipt.

The pages are reached through links that carry a signed token (no account
needed): purpose "payment" for a payment's own pages, "enrollment" (the
personal link in every email) for the receipt. The rules are in
``booking.payments.services``; these views only ask and show.
"""

import re

from django import forms
from django.db import OperationalError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from booking.models import Enrollment, Payment, PaymentEvent, TrainingGroup
from booking.payments import lifecycle, lost_place, mollie, online, receipts
from booking.payments.gateway import configured_gateway
from booking.services import consent, errors, links
from booking.services.availability import alternatives as open_alternatives
from booking.services.errors import BookingError
from booking.signup.state import SignupState

# Mollie payment ids: "tr_" and letters and digits. Anything else is not ours to look up.
MOLLIE_ID = re.compile(r"tr_[A-Za-z0-9]{4,40}")
# The "still waiting" page looks again every few seconds, for a few minutes, then stops and says so.
REFRESH_SECONDS = 5
REFRESH_TIMES = 36


with_payment = links.personal_page(
    links.PAYMENT_LINK,
    Payment.objects.select_related("group__course", "group__location"),
    problem_template="booking/selfservice/link_problem.html",
)


def _enrollments(payment):
    return lifecycle.party_enrollments(payment.party)


def _manage_path(enrollment):
    return reverse("selfservice:manage", kwargs={"token": links.make_token("enrollment", enrollment.pk)})


def _context(payment, token, **extra):
    enrollments = _enrollments(payment)
    group = payment.group
    return {
        "payment": payment,
        "token": token,
        "enrollments": enrollments,
        "group": group,
        "course": group.course,
        "location": group.location,
        "manage_url": _manage_path(enrollments[0]) if enrollments else "",
        **extra,
    }


# --- back from the checkout ----------------------------------------------------------------------


@require_http_methods(["GET", "HEAD"])
@with_payment
def payment_return(request, payment, token):
    """Where Mollie sends the participant back: paid, still on its way, or not paid (and what now)."""
    problem = ""
    if payment.provider == Payment.Provider.MOLLIE and not payment.is_final:
        gateway = configured_gateway()
        if gateway is not None:
            try:
                payment, changed = online.sync_payment(payment, gateway=gateway, actor=PaymentEvent.Actor.PARTICIPANT)
            except (errors.ProviderUnavailable, OperationalError):
                problem = _("We kunnen de betaling op dit moment niet nakijken. We proberen het zo weer.")
    payment.refresh_from_db()

    if payment.status == Payment.Status.PAID:
        if payment.placement == Payment.Placement.LOST:
            return redirect("payments:choice", token=token)
        enrollments = _enrollments(payment)
        confirmed = enrollments and all(
            e.status in (Enrollment.Status.CONFIRMED, Enrollment.Status.COMPLETED) for e in enrollments
        )
        state = SignupState(request, payment.group_id)
        if confirmed and set(state.held_ids) == {e.pk for e in enrollments}:
            # The same browser that signed up: the sign-up's own last step, with the calendar file.
            return redirect("signup:done", group_id=payment.group_id)
        return render(request, "booking/payments/paid.html", _context(payment, token, confirmed=confirmed))

    if payment.status in (Payment.Status.CREATED, Payment.Status.OPEN, Payment.Status.PENDING):
        return _waiting(request, payment, token, problem)
    return _not_paid(request, payment, token)


def _waiting(request, payment, token, problem=""):
    try:
        times = max(0, int(request.GET.get("keer", "0")))
    except ValueError:
        times = 0
    quiet = request.GET.get("stil") == "1"
    keeps_refreshing = not quiet and times < REFRESH_TIMES
    context = _context(
        payment,
        token,
        problem=problem,
        keeps_refreshing=keeps_refreshing,
        refresh_seconds=REFRESH_SECONDS,
        took_long=times >= REFRESH_TIMES,
        quiet=quiet,
        check_url=reverse("payments:return", kwargs={"token": token}),
    )
    response = render(request, "booking/payments/waiting.html", context)
    if keeps_refreshing:
        # The page looks again by itself, without JavaScript: the HTTP Refresh header. A link on the
        # page stops it, for whoever needs more time to read (and so does the limit on the number of times).
        next_url = f"{context['check_url']}?keer={times + 1}"
        response["Refresh"] = f"{REFRESH_SECONDS}; url={next_url}"
    return response


def _hold_state(payment, now):
    enrollments = _enrollments(payment)
    live = bool(enrollments) and all(e.is_live_hold(now) for e in enrollments)
    until = min((e.hold_expires_at for e in enrollments if e.hold_expires_at), default=None)
    return enrollments, live, until


def _not_paid(request, payment, token, message=""):
    now = timezone.now()
    enrollments, live, until = _hold_state(payment, now)
    alternatives = []
    if not live:
        alternatives = open_alternatives(payment.group.course, wanted=len(enrollments) or 1, now=now)
    return render(
        request,
        "booking/payments/not_paid.html",
        _context(
            payment,
            token,
            hold_live=live,
            hold_until=timezone.localtime(until) if until else None,
            message=message,
            alternatives=alternatives[:5],
            other_way_url=reverse("signup:payment", kwargs={"group_id": payment.group_id}),
            waitlist_url=reverse("waitlist:join", kwargs={"course_id": payment.group.course_id}),
            signup_url=reverse("signup:group", kwargs={"group_id": payment.group_id}),
        ),
        status=200,
    )


@require_POST
@with_payment
def retry(request, payment, token):
    """Try paying online again for the same sign-up, while its places are still held."""
    enrollments = _enrollments(payment)
    try:
        return mollie.start_checkout(request, enrollments)
    except BookingError as refusal:
        return _not_paid(request, payment, token, message=refusal.message)


# --- the webhook ---------------------------------------------------------------------------------


@csrf_exempt
@require_POST
def webhook(request):
    """Mollie says "look at payment tr_…": we ask Mollie for its state and apply it.

    Answers 200 when done, and also for an id we do not know (nothing
    changes, and whoever sent it learns nothing). Answers 503 when Mollie
    could not be asked or the payment is locked by another request right
    now: Mollie then tries again later.
    """
    mollie_id = (request.POST.get("id") or "").strip()
    if not MOLLIE_ID.fullmatch(mollie_id):
        return HttpResponse("", content_type="text/plain")
    payment = Payment.objects.filter(mollie_id=mollie_id).first()
    if payment is None:
        return HttpResponse("", content_type="text/plain")
    gateway = configured_gateway()
    if gateway is None:
        # Ours, but the key is missing here (a configuration mistake): Mollie keeps trying until it is back.
        return HttpResponse("Mollie niet ingesteld", status=503, content_type="text/plain")
    try:
        online.sync_payment(payment, gateway=gateway, actor=PaymentEvent.Actor.WEBHOOK, nowait=True)
    except errors.ProviderUnavailable:
        return HttpResponse("Mollie niet bereikbaar", status=503, content_type="text/plain")
    except OperationalError:
        # Another request holds this payment's lock (or the database is busy): let Mollie come back.
        return HttpResponse("Bezet", status=503, content_type="text/plain")
    return HttpResponse("", content_type="text/plain")


# --- paid, but the place was gone ----------------------------------------------------------------


class ChoiceForm(forms.Form):
    choice = forms.ChoiceField(
        label=gettext_lazy("Wat wilt u?"),
        widget=forms.RadioSelect,
        error_messages={
            "required": gettext_lazy("Kies wat u wilt."),
            "invalid_choice": gettext_lazy("Kies wat u wilt."),
        },
    )
    waitlist_consent = forms.BooleanField(
        label=gettext_lazy("Ik geef toestemming voor de wachtlijst"),
        required=False,
        help_text=consent.WAITLIST_TEXT,
    )

    WAITLIST = "wachtlijst"
    REFUND = "geld-terug"

    def __init__(self, *args, rows, **kwargs):
        super().__init__(*args, **kwargs)
        self.rows = rows
        self.fields["choice"].choices = [(f"groep-{row.group.pk}", str(row.group)) for row in rows] + [
            (self.WAITLIST, _("De wachtlijst")),
            (self.REFUND, _("Mijn geld terug")),
        ]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("choice") == self.WAITLIST and not cleaned.get("waitlist_consent"):
            self.add_error("waitlist_consent", _("Geef toestemming, dan kunnen we u op de wachtlijst zetten."))
        return cleaned

    def chosen_group_id(self):
        choice = self.cleaned_data["choice"]
        return int(choice.split("-", 1)[1]) if choice.startswith("groep-") else None


@require_http_methods(["GET", "HEAD", "POST"])
@with_payment
def choice(request, payment, token):
    """Paid, but the place was gone: another group of the course, the waiting list, or the money back."""
    now = timezone.now()
    if payment.status != Payment.Status.PAID or payment.placement != Payment.Placement.LOST:
        return _choice_outcome(request, payment, token)
    rows = lost_place.alternatives(payment, now)
    for row in rows:
        row.choice_value = f"groep-{row.group.pk}"
    form = ChoiceForm(request.POST or None, rows=rows)
    if request.method == "POST" and form.is_valid():
        try:
            group_id = form.chosen_group_id()
            if group_id is not None:
                group = get_object_or_404(TrainingGroup, pk=group_id)
                lost_place.move_to_group(payment, group, now=now)
            elif form.cleaned_data["choice"] == ChoiceForm.WAITLIST:
                lost_place.waitlist_instead(payment, consent_text_version=consent.VERSION, now=now)
            else:
                lost_place.refund_instead(payment, now=now)
        except BookingError as refusal:
            form.add_error("choice", refusal.message)
        except forms.ValidationError as error:
            form.add_error("choice", " ".join(error.messages))
        else:
            return redirect("payments:choice", token=token)
    return render(
        request,
        "booking/payments/choice.html",
        _context(payment, token, form=form, rows=rows, refundable=payment.refundable_amount()),
        status=400 if form.errors else 200,
    )


def _choice_outcome(request, payment, token):
    payment.refresh_from_db()
    enrollments = list(Enrollment.objects.filter(party=payment.party).select_related("participant"))
    return render(
        request,
        "booking/payments/choice_done.html",
        _context(
            payment,
            token,
            refunds=list(payment.refunds.all()),
            new_manage_url=_manage_path(enrollments[0]) if enrollments else "",
            waitlist_url=reverse("waitlist:join", kwargs={"course_id": payment.group.course_id}),
        ),
    )


# --- the receipt ---------------------------------------------------------------------------------


@require_http_methods(["GET", "HEAD"])
@links.personal_page(
    links.ENROLLMENT_LINK, Enrollment.objects.all(), problem_template="booking/selfservice/link_problem.html"
)
def receipt(request, enrollment, token):
    """The receipt (betaalbewijs) as PDF, through the personal link of an enrollment."""
    payment = lifecycle.payment_for_enrollment(enrollment)
    if payment is None or not receipts.has_receipt(payment):
        raise Http404(_("Er is voor deze aanmelding (nog) geen betaalbewijs."))
    response = HttpResponse(receipts.receipt_pdf(payment), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{receipts.receipt_filename(payment)}"'
    return response
