"""Training days for the office (/admin/scholing/): who comes, the attendance list, and the export.

Who signed up for a training day is personal data of professionals (their
accounts, not participants), so every look, every attendance change and
every export is written to the access log (``log_screen``, ``log_export``),
naming the day and never the people.
"""

import csv
import io

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView
from openpyxl import Workbook
from wagtail.admin import messages
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from accounts.models import ProfessionalProfile
from booking.services.access_log import Action, log_export, log_screen
from groepswijzer.spreadsheets import CSV, defuse_cells, defuse_value

from . import services
from .models import TrainingDayBooking, TrainingDayPage, local_today

PERMISSION = "events.change_trainingdaybooking"
Status = TrainingDayBooking.Status
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PAST_SHOWN = 30


def day_where(event, screen):
    """The access log's `where` for a screen about one training day: its number, never its people."""
    return f"scholing {event.pk}: {screen}"


class OfficeView(WagtailAdminTemplateMixin, TemplateView):
    header_icon = "group"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm(PERMISSION):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_page_title(self):
        return self.page_title


class TrainingDaysView(OfficeView):
    """Every training day: places taken, the waiting list, attendance marked."""

    template_name = "events/admin/index.html"
    page_title = gettext_lazy("Scholing voor professionals")

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [{"url": "", "label": self.get_page_title()}]

    def get_context_data(self, **kwargs):
        today = local_today()
        days = (
            TrainingDayPage.objects.with_places_left()
            .annotate(
                waiting=Count("bookings", filter=Q(bookings__status=Status.WAITING)),
                present=Count("bookings", filter=Q(bookings__status=Status.BOOKED, bookings__attended=True)),
            )
            .select_related("location")
        )
        return super().get_context_data(
            upcoming=days.filter(date__gte=today).order_by("date", "start_time"),
            past=days.filter(date__lt=today).order_by("-date")[:PAST_SHOWN],
            **kwargs,
        )


def _rows(event):
    """Everyone who signed up for `event`, with what the office needs: name, organisation, status, attendance."""
    bookings = list(
        TrainingDayBooking.objects.filter(event=event).select_related("user").order_by("status", "created_at", "pk")
    )
    profiles = {
        profile.user_id: profile
        for profile in ProfessionalProfile.objects.filter(user_id__in=[booking.user_id for booking in bookings])
    }
    order = {Status.BOOKED: 0, Status.WAITING: 1, Status.CANCELLED: 2}
    bookings.sort(key=lambda booking: (order[booking.status], booking.created_at, booking.pk))
    # Sorted as the line is (first come, first in line), so a place in line is its count among those waiting.
    in_line = 0
    for booking in bookings:
        booking.profile = profiles.get(booking.user_id)
        in_line += booking.status == Status.WAITING
        booking.position = in_line if booking.status == Status.WAITING else None
    return bookings


class AttendanceView(OfficeView):
    """One training day: who has a place, who waits, who cancelled; after the start, mark who came."""

    template_name = "events/admin/attendance.html"
    page_title = gettext_lazy("Deelnemers en aanwezigheid")

    def get_page_subtitle(self):
        return self.event.title

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [
            {"url": reverse("events_admin"), "label": _("Scholing voor professionals")},
            {"url": "", "label": self.event.title},
        ]

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.event = get_object_or_404(TrainingDayPage.objects.select_related("location"), pk=kwargs["event_id"])

    def get_context_data(self, **kwargs):
        rows = _rows(self.event)
        log_screen(self.request.user, Action.VIEW_LIST, day_where(self.event, "deelnemerslijst"))
        counted = TrainingDayPage.objects.with_places_left().get(pk=self.event.pk)
        return super().get_context_data(
            event=self.event,
            booked=[row for row in rows if row.status == Status.BOOKED],
            waiting=[row for row in rows if row.status == Status.WAITING],
            cancelled=[row for row in rows if row.status == Status.CANCELLED],
            places_left=counted.places_left,
            started=self.event.has_started(),
            **kwargs,
        )

    def post(self, request, event_id):
        try:
            present, absent = services.mark_attendance(self.event, request.POST.getlist("aanwezig"), by=request.user)
        except services.EventRefused as refused:
            messages.error(request, refused.message)
        else:
            log_screen(request.user, Action.ATTENDANCE, day_where(self.event, "aanwezigheid"))
            messages.success(
                request,
                _("Aanwezigheid opgeslagen: %(present)s aanwezig, %(absent)s afwezig.")
                % {"present": present, "absent": absent},
            )
        return redirect("events_admin_day", event_id=self.event.pk)


HEADERS = [
    "Status",
    "Plaats op wachtlijst",
    "Voornaam",
    "Achternaam",
    "E-mailadres",
    "Functie",
    "Organisatie",
    "Praktijk",
    "Aangemeld op",
    "Aanwezig",
]


def _export_values(booking):
    profile = booking.profile
    attended = {True: "ja", False: "nee", None: ""}[booking.attended]
    return [
        booking.get_status_display(),
        booking.position or "",
        booking.user.first_name,
        booking.user.last_name,
        booking.user.email,
        profile.get_role_display() if profile else "",
        profile.organisation if profile else "",
        profile.practice if profile else "",
        timezone.localtime(booking.created_at).strftime("%d-%m-%Y %H:%M"),
        attended,
    ]


def export(request, event_id, kind):
    """Everyone who signed up, as CSV or XLSX; typed text never becomes a formula. The export is logged."""
    if not request.user.has_perm(PERMISSION):
        raise PermissionDenied
    if kind not in ("csv", "xlsx"):
        raise Http404("Only CSV and XLSX.")
    event = get_object_or_404(TrainingDayPage, pk=event_id)
    rows = [booking for booking in _rows(event) if booking.status != Status.CANCELLED]
    log_export(request.user, day_where(event, f"deelnemerslijst export ({kind})"), len(rows))
    name = f"scholing-{event.date:%Y-%m-%d}-{slugify(event.title)[:40] or event.pk}"
    if kind == "csv":
        out = io.StringIO()
        writer = csv.writer(out, delimiter=";")
        writer.writerow(HEADERS)
        for booking in rows:
            writer.writerow([defuse_value(str(value), CSV) for value in _export_values(booking)])
        response = HttpResponse("\ufeff" + out.getvalue(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
        return response
    book = Workbook()
    sheet = book.active
    sheet.title = "Deelnemers"
    sheet.append(HEADERS)
    for booking in rows:
        sheet.append([value if isinstance(value, int) else str(value) for value in _export_values(booking)])
    for row in sheet.iter_rows(min_row=2):
        list(defuse_cells(row))
    out = io.BytesIO()
    book.save(out)
    response = HttpResponse(out.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
    return response


def admin_urls():
    return [
        path("scholing/", TrainingDaysView.as_view(), name="events_admin"),
        path("scholing/<int:event_id>/", AttendanceView.as_view(), name="events_admin_day"),
        path("scholing/<int:event_id>/export.<str:kind>", export, name="events_admin_export"),
    ]
