"""The planning calendar in the admin: a month or a week of one location's or one trainer's sessions.

Read only. What it shows comes from ``booking.services.agenda`` (django-scheduler's
periods and occurrences); every session links to its group's page, where
sessions are moved and cancelled.
"""

import datetime

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView
from wagtail.admin import messages
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from booking.clock import local_time
from booking.models import Location
from booking.services import agenda
from courses.models import Trainer

PERMISSION = "booking.view_session"
SUBJECTS = {"locatie": Location, "trainer": Trainer}


def agenda_url(kind, subject, view=agenda.MONTH, day=None):
    url = reverse("agenda", args=(kind, subject.pk))
    query = {"weergave": view}
    if day is not None:
        query["datum"] = day.isoformat()
    return f"{url}?{urlencode(query)}"


def _choices():
    """Every location and trainer, for the chooser at the top of the calendar."""
    return [
        (_("Locaties"), [(f"locatie-{each.pk}", str(each)) for each in Location.objects.order_by("name", "pk")]),
        (_("Trainers"), [(f"trainer-{each.pk}", each.name) for each in Trainer.objects.order_by("name", "pk")]),
    ]


class AgendaMixin(WagtailAdminTemplateMixin):
    header_icon = "calendar"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm(PERMISSION):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class AgendaIndexView(AgendaMixin, TemplateView):
    """Choose a location or a trainer; the chooser of the calendar page sends its choice here too."""

    template_name = "booking/admin/agenda_index.html"
    page_title = gettext_lazy("Agenda")

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [{"url": "", "label": self.page_title}]

    def get(self, request, *args, **kwargs):
        choice = request.GET.get("agenda", "")
        kind, _dash, pk = choice.partition("-")
        if kind in SUBJECTS and pk.isdigit():
            subject = get_object_or_404(SUBJECTS[kind], pk=int(pk))
            view = request.GET.get("weergave")
            day = _read_day(request.GET.get("datum"))
            return redirect(agenda_url(kind, subject, view if view in agenda.PERIODS else agenda.MONTH, day))
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            locations=[(each, agenda_url("locatie", each)) for each in Location.objects.order_by("name", "pk")],
            trainers=[(each, agenda_url("trainer", each)) for each in Trainer.objects.order_by("name", "pk")],
        )
        return context


def _read_day(value):
    try:
        return datetime.date.fromisoformat(value or "")
    except ValueError:
        return None


class AgendaView(AgendaMixin, TemplateView):
    """A month or a week of one location's or one trainer's sessions, clashes marked."""

    template_name = "booking/admin/agenda.html"

    def dispatch(self, request, *args, **kwargs):
        model = SUBJECTS.get(kwargs["kind"])
        if model is None:
            raise Http404
        self.kind = kwargs["kind"]
        self.subject = get_object_or_404(model, pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_page_title(self):
        return _("Agenda van %(subject)s") % {"subject": self.subject_name()}

    def subject_name(self):
        return self.subject.name if self.kind == "trainer" else str(self.subject)

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [
            {"url": reverse("agenda_index"), "label": _("Agenda")},
            {"url": "", "label": self.get_page_title()},
        ]

    def get(self, request, *args, **kwargs):
        now = timezone.now()
        view = request.GET.get("weergave", agenda.MONTH)
        if view not in agenda.PERIODS:
            view = agenda.MONTH
        typed = request.GET.get("datum")
        day = _read_day(typed)
        if day is None:
            if typed:
                messages.warning(request, _("Die datum kennen we niet. U ziet nu de agenda van vandaag."))
            day = local_time(now).date()
        if self.kind == "locatie":
            events = agenda.location_events(self.subject)
        else:
            events = agenda.trainer_events(self.subject)
        page = agenda.agenda_page(events, view, day, now=now)
        return self.render_to_response(self.get_context_data(page=page, view=view, day=day, now=now))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        page, view, day = kwargs["page"], kwargs["view"], kwargs["day"]
        today = local_time(kwargs["now"]).date()
        if view == agenda.MONTH:
            heading = date_format(page.first_day, "F Y")
            previous_label, next_label = _("Vorige maand"), _("Volgende maand")
        else:
            heading = _("Week %(number)s: %(first)s tot en met %(last)s") % {
                "number": page.first_day.isocalendar().week,
                "first": date_format(page.first_day, "j F"),
                "last": date_format(page.last_day, "j F Y"),
            }
            previous_label, next_label = _("Vorige week"), _("Volgende week")
        context.update(
            page=page,
            view=view,
            kind=self.kind,
            subject=self.subject,
            subject_name=self.subject_name(),
            heading=heading,
            previous_url=agenda_url(self.kind, self.subject, view, page.previous),
            next_url=agenda_url(self.kind, self.subject, view, page.next),
            today_url=agenda_url(self.kind, self.subject, view, today),
            previous_label=previous_label,
            next_label=next_label,
            month_url=agenda_url(self.kind, self.subject, agenda.MONTH, day),
            week_url=agenda_url(self.kind, self.subject, agenda.WEEK, day),
            choices=_choices(),
            chosen=f"{self.kind}-{self.subject.pk}",
            weekdays=[date_format(each.date, "l") for each in page.weeks[0]],
        )
        return context


def admin_urls():
    return [
        path("agenda/", AgendaIndexView.as_view(), name="agenda_index"),
        path("agenda/<str:kind>/<int:pk>/", AgendaView.as_view(), name="agenda"),
    ]
