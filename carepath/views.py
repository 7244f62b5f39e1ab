"""The care path on the public site: the professional's referrals, and the patient who comes in with one.

Views stay thin: the rules are in ``carepath.services``. Every page here is
private (``groepswijzer.middleware.PRIVATE_NAMESPACES``).
"""

import hashlib
import io

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from booking.services import links
from courses.models import CourseIndexPage
from groepswijzer.clients import client_ip
from home.languages import originals

from . import emails, receivers
from .forms import CodeForm, ReferralForm, ShareForm
from .models import DecisionAnswer, DecisionQuestion, Referral
from .services import questionnaires, referrals
from .services.referrals import Status

RATE_WINDOW_SECONDS = 3600


# --- rate limits ---------------------------------------------------------------------------------


def _digest(value):
    return hashlib.sha256(value.encode()).hexdigest()[:32]


def _count(key):
    return cache.get(key) or 0


def _hit(key):
    cache.add(key, 0, RATE_WINDOW_SECONDS)
    try:
        return cache.incr(key)
    except ValueError:  # the key just expired
        cache.set(key, 1, RATE_WINDOW_SECONDS)
        return 1


def _code_key(request):
    return f"carepath:wrong-codes:{_digest(client_ip(request))}"


def _too_many_wrong_codes(request):
    return _count(_code_key(request)) >= int(getattr(settings, "GROEPSWIJZER_REFERRAL_CODE_TRIES", 20))


def _too_busy(request):
    return render(request, "carepath/too_many.html", status=429)


# --- the professional -----------------------------------------------------------------------------


def professional_only(view):
    """Verified professionals only; anyone else logged in gets a 403 with the way to ask for access."""

    @login_required
    def wrapper(request, *args, **kwargs):
        if not referrals.is_verified_professional(request.user):
            return render(request, "carepath/not_verified.html", status=403)
        return view(request, *args, **kwargs)

    wrapper.__name__ = view.__name__
    wrapper.__doc__ = view.__doc__
    return wrapper


def _visible_referral(request, pk):
    referral = get_object_or_404(Referral.objects.select_related("course", "practice", "referrer"), pk=pk)
    if not referrals.may_see(request.user, referral):
        raise PermissionDenied
    return referral


@require_http_methods(["GET", "HEAD"])
@professional_only
def my_referrals(request):
    """ "Mijn verwijzingen": own referrals and those of the practice, with the status the patient lets us show."""
    now = timezone.now()
    rows = (
        referrals.with_attended()
        .filter(pk__in=referrals.visible_to(request.user).values("pk"))
        .select_related("course", "referrer", "practice", "enrollment", "waitlist_entry")
        .order_by("-created_at", "-pk")[:300]
    )
    items = []
    for referral in rows:
        status = referrals.status_for_referrer(referral, now)
        items.append(
            {
                "referral": referral,
                "status": status,
                "status_label": Status.LABELS[status],
                "expired": referrals.is_expired(referral, now) and status in (Status.CREATED, Status.OPENED),
                "own": referral.referrer_id == request.user.pk,
                # The change in score: only while the patient shares their progress.
                "change": questionnaires.change_for(referral.enrollment)
                if referral.shares_progress and referral.enrollment_id
                else None,
            }
        )
    return render(
        request, "carepath/my_referrals.html", {"items": items, "practices": referrals.practices_of(request.user)}
    )


@require_http_methods(["GET", "HEAD", "POST"])
@professional_only
def new_referral(request):
    practices = referrals.practices_of(request.user)
    if request.method == "POST":
        form = ReferralForm(request.POST, practices=practices)
        if form.is_valid():
            limit = int(getattr(settings, "GROEPSWIJZER_REFERRALS_PER_HOUR", 60))
            if _hit(f"carepath:referrals:user:{request.user.pk}") > limit:
                form.add_error(
                    None, _("U heeft het afgelopen uur al veel verwijzingen gemaakt. Probeer het straks nog eens.")
                )
            else:
                data = form.cleaned_data
                referral = referrals.create_referral(
                    referrer=request.user,
                    course=data["course"],
                    practice=data.get("practice"),
                    preferred_location=data["preferred_location"],
                    note=data["note"],
                    delivery=data["delivery"],
                    patient_email=data["patient_email"] or "",
                )
                return redirect("carepath:detail", pk=referral.pk)
        status = 400
    else:
        initial = {"delivery": Referral.Delivery.PRINT}
        course_id = request.GET.get("training", "")
        if course_id.isdigit():
            initial["course"] = int(course_id)
        form = ReferralForm(initial=initial, practices=practices)
        status = 200
    return render(
        request, "carepath/new_referral.html", {"form": form, "valid_days": referrals.valid_days()}, status=status
    )


def _qr_svg(url):
    image = qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8, border=2)
    buffer = io.BytesIO()
    image.save(buffer)
    svg = buffer.getvalue().decode()
    return svg[svg.index("<svg") :]  # without the XML declaration, to put it inline


@require_http_methods(["GET", "HEAD"])
@professional_only
def referral_detail(request, pk):
    """One referral: the code and QR code to print, or the email that went out, and its status."""
    referral = _visible_referral(request, pk)
    now = timezone.now()
    url = emails.referral_url(referral)
    status = referrals.status_for_referrer(referral, now)
    return render(
        request,
        "carepath/referral_detail.html",
        {
            "referral": referral,
            "url": url,
            "qr_svg": _qr_svg(url),
            "status": status,
            "status_label": Status.LABELS[status],
            "expired": referrals.is_expired(referral, now),
            "code_url": links.absolute(reverse("carepath:enter_code")),
            "own": referral.referrer_id == request.user.pk,
        },
    )


@require_http_methods(["GET", "HEAD"])
@professional_only
def decision_aid(request, question_id=None):
    """The decision aid, one question at a time; its first question when none is given."""
    questions = DecisionQuestion.objects.prefetch_related("answers")
    if question_id is None:
        question = questions.filter(is_start=True).first()
    else:
        question = get_object_or_404(questions, pk=question_id)
    return render(request, "carepath/decision_aid.html", {"question": question})


@require_http_methods(["GET", "HEAD"])
@professional_only
def decision_advice(request, answer_id):
    """Where the answers led: a training (with "maak een verwijzing") or another way."""
    answer = get_object_or_404(DecisionAnswer.objects.select_related("question", "course"), pk=answer_id)
    if answer.next_question_id:
        return redirect("carepath:decision_aid", question_id=answer.next_question_id)
    course = answer.course if answer.course is not None and answer.course.live else None
    return render(request, "carepath/decision_advice.html", {"answer": answer, "course": course})


# --- the patient -----------------------------------------------------------------------------------


@require_http_methods(["GET", "HEAD", "POST"])
def enter_code(request):
    """Type the code from the printed referral."""
    if request.method == "POST":
        if _too_many_wrong_codes(request):
            return _too_busy(request)
        form = CodeForm(request.POST)
        if form.is_valid():
            referral = referrals.find_by_code(form.cleaned_data["code"])
            if referral is not None:
                return redirect("carepath:referral", code=referral.code)
            _hit(_code_key(request))
            form.add_error(
                "code",
                _("Wij vinden geen verwijzing met deze code. Kijk de code nog eens na, of vraag uw verwijzer om hulp."),
            )
        return render(request, "carepath/enter_code.html", {"form": form}, status=400)
    return render(request, "carepath/enter_code.html", {"form": CodeForm()})


def _start_url(referral):
    """Where the sign-up starts: the course's groups, or the list of trainings when the patient chooses."""
    if referral.course is not None and referral.course.live:
        return reverse("signup:course", kwargs={"course_id": referral.course_id})
    index = originals(CourseIndexPage.objects.live()).first()
    return index.url if index is not None else "/"


@require_http_methods(["GET", "HEAD", "POST"])
def referral(request, code):
    """The patient's start: who referred them, to what, and the separate choice to share their progress."""
    if _too_many_wrong_codes(request):
        return _too_busy(request)
    found = referrals.find_by_code(code)
    if found is None:
        _hit(_code_key(request))
        return render(request, "carepath/referral_unknown.html", {"form": CodeForm()}, status=404)
    now = timezone.now()
    if referrals.is_expired(found, now):
        return render(
            request, "carepath/referral_expired.html", {"referral": found, "start_url": _start_url(found)}, status=410
        )
    referrals.mark_opened(found, now)
    if request.method == "POST":
        form = ShareForm(request.POST)
        if form.is_valid():
            if form.cleaned_data["share"]:
                referrals.give_share_consent(found, now)
            else:
                referrals.withdraw_share_consent(found, now)
            receivers.remember(request, found)
            return redirect(_start_url(found))
    else:
        form = ShareForm(initial={"share": found.shares_progress})
    return render(
        request,
        "carepath/referral_start.html",
        {
            "referral": found,
            "form": form,
            "referrer": emails.referrer_name(found),
            "already_used": found.enrollment_id is not None
            and found.enrollment.status in ("held", "confirmed", "completed"),
        },
    )


def _sharing_problem(request, problem):
    return links.link_problem(request, problem, template="carepath/sharing_link_problem.html")


@require_http_methods(["GET", "HEAD", "POST"])
@links.personal_page(
    emails.SHARING_LINK,
    Referral.objects.select_related("referrer", "practice", "course"),
    problem_template="carepath/sharing_link_problem.html",
    removed_if=lambda referral: referral.anonymised_at is not None,
)
def sharing(request, referral, token):
    """The patient's own page about sharing: stop sharing, or share again."""
    if request.method == "POST":
        if request.POST.get("action") == "stop":
            referrals.withdraw_share_consent(referral)
        elif request.POST.get("action") == "share":
            referrals.give_share_consent(referral)
        return redirect("carepath:sharing", token=token)
    return render(
        request,
        "carepath/sharing.html",
        {"referral": referral, "referrer": emails.referrer_name(referral), "consent_text": ShareForm.consent_text},
    )
