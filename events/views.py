"""A professional's pages for training days: sign up, their booking, the calendar file, cancel, the certificate.

The training day's own page is a Wagtail page (``TrainingDayPage``); its
sign-up button posts here. A booking is shown only to the account that made
it; anyone else gets a 404, so a number in a URL tells nothing.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.models import ProfessionalProfile
from accounts.services import is_verified_professional

from . import files, services
from .models import TrainingDayBooking, TrainingDayIndexPage, TrainingDayPage, local_today

Status = TrainingDayBooking.Status


def _own_booking(request, pk):
    booking = get_object_or_404(
        TrainingDayBooking.objects.select_related("event__location", "user"), pk=pk, user=request.user
    )
    return booking


def _not_verified(request, message):
    profile = ProfessionalProfile.objects.filter(user=request.user).first()
    return render(request, "events/not_verified.html", {"message": message, "profile": profile}, status=403)


@require_POST
def sign_up(request, event_id):
    """The sign-up button on a training day's page: a place, or a place in line when it is full."""
    event = get_object_or_404(TrainingDayPage.objects.live(), pk=event_id)
    if not request.user.is_authenticated:
        return redirect_to_login(event.url)
    try:
        booking = services.book(event, request.user)
    except services.EventRefused as refused:
        if refused.code == "not_verified":
            return _not_verified(request, refused.message)
        messages.error(request, refused.message)
        return redirect(event.url)
    return redirect("events:booking", pk=booking.pk)


@require_http_methods(["GET", "HEAD"])
@login_required
def booking_detail(request, pk):
    """The sign-up confirmation and, later, the professional's page for this booking."""
    booking = _own_booking(request, pk)
    event = booking.event
    now = timezone.now()
    return render(
        request,
        "events/booking.html",
        {
            "booking": booking,
            "event": event,
            "position": services.position_in_line(booking),
            "started": event.has_started(now),
            "code": services.format_code(booking.certificate_code) if booking.has_certificate else "",
            "speakers": list(event.speakers.all()),
        },
    )


@require_POST
@login_required
def cancel(request, pk):
    booking = _own_booking(request, pk)
    try:
        services.cancel(booking)
    except services.EventRefused as refused:
        messages.error(request, refused.message)
    else:
        messages.success(request, _("U bent afgemeld. U krijgt een bevestiging per e-mail."))
    return redirect("events:booking", pk=booking.pk)


@require_http_methods(["GET", "HEAD"])
@login_required
def calendar_file(request, pk):
    booking = _own_booking(request, pk)
    calendar = files.booking_calendar(booking)
    response = HttpResponse(calendar.body, content_type=calendar.content_type)
    response["Content-Disposition"] = f'attachment; filename="{files.calendar_filename(booking)}"'
    return response


@require_http_methods(["GET", "HEAD"])
@login_required
def certificate(request, pk):
    """The certificate of attendance: only for a place marked present."""
    booking = _own_booking(request, pk)
    if not booking.has_certificate:
        raise Http404("No certificate for this booking.")
    response = HttpResponse(files.certificate_pdf(booking), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{files.certificate_filename(booking)}"'
    return response


@require_http_methods(["GET", "HEAD"])
@login_required
def mine(request):
    """The professional's overview: days ahead (with place or place in line), and days past with certificates."""
    today = local_today()
    bookings = list(
        TrainingDayBooking.objects.filter(user=request.user)
        .exclude(status=Status.CANCELLED, placed_at__isnull=True, event__date__lt=today)
        .select_related("event__location")
        .order_by("event__date", "event__start_time", "pk")
    )
    for booking in bookings:
        booking.position = services.position_in_line(booking)
    now = timezone.now()
    # A day counts as past once it has ended: that evening its certificate is already in the list.
    upcoming = [booking for booking in bookings if booking.event.end > now]
    past = [booking for booking in reversed(bookings) if booking.event.end <= now and booking.status == Status.BOOKED]
    index = TrainingDayIndexPage.objects.live().first()
    return render(
        request,
        "events/mine.html",
        {
            "upcoming": upcoming,
            "past": past,
            "verified": is_verified_professional(request.user),
            "index_url": index.url if index is not None else "",
        },
    )


@require_http_methods(["GET", "HEAD"])
def verify(request):
    """Anyone with a certificate's code sees whether it is real: whose it is, which day, how many points."""
    code = request.GET.get("code", "").strip()
    found = services.find_certificate(code) if code else None
    error = ""
    if code and found is None:
        error = _("Deze code kennen we niet. Controleer de code: tien tekens, bijvoorbeeld ABCDE-FGH23.")
    return render(
        request,
        "events/verify.html",
        {
            "code": code[:40],
            "found": found,
            "name": files.person_name(found.user) if found else "",
            "error": error,
            "verify_url": reverse("events:verify"),
        },
    )
