"""Coordinators plan groups in the Wagtail admin: the list, the form, and per group its sessions and status.

Every change goes through the services (`booking.services`, and for
cancelling a group `booking.selfservice.cancel_group`); a refusal comes back
as a Dutch message at the form, with what was typed still in it.
"""

import datetime

import django_filters
from django import forms
from django.contrib.admin.utils import quote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, OuterRef, Q, Subquery
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import cached_property
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.generic import TemplateView
from wagtail.admin import messages
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.forms.models import WagtailAdminModelForm
from wagtail.admin.ui.menus import MenuItem
from wagtail.admin.ui.tables import Column, TitleColumn
from wagtail.admin.views import generic
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.widgets.button import Button
from wagtail.log_actions import log

from booking import clock
from booking.models import CancelCause, Enrollment, Frequency, Session, TrainingGroup, takes_a_place
from booking.services import fill, offers, planning
from booking.staff import actions as staff_actions
from booking.staff.enrollments import enrollments_url
from courses.models import CoursePage, Trainer
from home.languages import originals

GROUPS = "groepen"

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TIME_INPUT = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


def local_date(value):
    return date_format(timezone.localtime(value), "D j F Y") if value else ""


def status_for_staff(group, now):
    """The stored status, and for an open group what is true now: full, deadline passed, started."""
    if group.status == TrainingGroup.Status.OPEN:
        shown = group.display_status_at(now)
        if shown != TrainingGroup.DisplayStatus.OPEN:
            return f"{group.get_status_display()} ({shown.label})"
    return group.get_status_display()


def service_errors(form, error, field_names=None):
    """Put a ValidationError from a service on the form: at the field it names, else at the top."""
    field_names = field_names or {}
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            field = field_names.get(name, name)
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


def tell_about_offers(request, offers):
    if offers:
        messages.success(
            request,
            ngettext(
                "%(count)s plaats is aangeboden aan iemand op de wachtlijst.",
                "%(count)s plaatsen zijn aangeboden aan mensen op de wachtlijst.",
                len(offers),
            )
            % {"count": len(offers)},
        )


def group_url(name, group, *extra):
    return reverse(f"{GROUPS}:{name}", args=(quote(group.pk), *extra))


# --- the group form ------------------------------------------------------------------------------


class GroupForm(WagtailAdminModelForm):
    """The group's own fields. Trainers are saved by `planning.set_trainers`, which refuses a clash."""

    trainers = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Trainers"),
        queryset=Trainer.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("Een trainer die op dezelfde tijd al een andere groep heeft, kan niet."),
    )
    online_meeting_url = forms.URLField(
        label=capfirst(TrainingGroup._meta.get_field("online_meeting_url").verbose_name),
        help_text=TrainingGroup._meta.get_field("online_meeting_url").help_text,
        required=False,
        assume_scheme="https",
    )

    class Meta:
        model = TrainingGroup
        fields = [
            "course",
            "location",
            "capacity",
            "min_participants",
            "contribution",
            "signup_deadline",
            "online_meeting_url",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["course"].queryset = originals(CoursePage.objects.all()).order_by("title")
        if self.instance.pk:
            self.fields["trainers"].initial = list(self.instance.trainers.values_list("pk", flat=True))

    def clean(self):
        cleaned = super().clean()
        group = self.instance
        if group.pk:
            before = TrainingGroup.objects.get(pk=group.pk)
            location = cleaned.get("location")
            if (
                location is not None
                and location.pk != before.location_id
                and before.sessions.filter(status=Session.Status.SCHEDULED).exists()
            ):
                self.add_error(
                    "location",
                    _(
                        "Deze groep heeft al bijeenkomsten op de oude locatie. Annuleer die eerst, "
                        "of maak een nieuwe groep op de nieuwe locatie."
                    ),
                )
            course = cleaned.get("course")
            if course is not None and course.pk != before.course_id and before.enrollments.exists():
                self.add_error(
                    "course",
                    _("Er hebben zich al mensen aangemeld voor deze training. De training kan niet meer veranderen."),
                )
        return cleaned


class GroupFormViewMixin:
    """Saves the group and then its trainers; a trainer clash rolls both back and shows at the field."""

    def save_instance(self):
        group = self.form.save()
        planning.set_trainers(group, self.form.cleaned_data["trainers"])
        log(group, self.log_action, user=self.request.user)
        return group

    def form_valid(self, form):
        adding = form.instance._state.adding
        try:
            response = super().form_valid(form)
        except ValidationError as error:
            if adding:
                form.instance.pk = None
                form.instance._state.adding = True
            # set_trainers refuses with a list of clashes, one for each trainer and time.
            form.add_error("trainers", error)
            self.produced_error_message = self.get_error_message()
            return self.form_invalid(form)
        if self.object.status == TrainingGroup.Status.OPEN:
            # More places (a larger capacity) go to the waiting list first, as freed places do.
            tell_about_offers(self.request, offers.offer_freed_places(self.object))
        return response

    def get_success_url(self):
        return group_url("sessions", self.object)


class GroupCreateView(GroupFormViewMixin, generic.CreateView):
    log_action = "wagtail.create"
    success_message = gettext_lazy("Groep '%(object)s' is aangemaakt. Plan nu de bijeenkomsten.")


class GroupEditView(GroupFormViewMixin, generic.EditView):
    log_action = "wagtail.edit"
    success_message = gettext_lazy("Groep '%(object)s' is opgeslagen.")

    def get_success_message(self):
        return self.success_message % {"object": self.object}

    @cached_property
    def header_more_buttons(self):
        buttons = super().header_more_buttons
        buttons.append(
            Button(_("Bijeenkomsten en status"), url=group_url("sessions", self.object), icon_name="date", priority=5)
        )
        return buttons


# --- the list ------------------------------------------------------------------------------------


def places_text(group):
    return _("%(left)s van %(capacity)s") % {"left": group.places_left, "capacity": group.capacity}


def fill_text(group):
    """ "3, minimaal 5 (te weinig)": places taken against the group's minimum."""
    text = _("%(taken)s, minimaal %(minimum)s") % {"taken": group.places_taken, "minimum": group.min_participants}
    if fill.is_under_minimum(group):
        text = _("%(text)s (te weinig)") % {"text": text}
    return text


class GroupFilterSet(WagtailFilterSet):
    """Training, place and status. The place is typed, not chosen from a list of every location in the region.

    A region has thousands of locations: a list of all of them made every
    page of the listing large and slow, and was long to search through. A
    part of the town or of the location's name is enough ("helmond", "de linde").
    """

    course = django_filters.ModelChoiceFilter(
        label=gettext_lazy("Training"),
        queryset=lambda request: originals(CoursePage.objects.all()).order_by("title"),
        field_name="course",
    )
    place = django_filters.CharFilter(
        label=gettext_lazy("Plaats of locatie"),
        method="filter_place",
        max_length=100,
        help_text=gettext_lazy("Typ de plaats of een deel van de naam van de locatie, bijvoorbeeld Helmond."),
    )
    status = django_filters.ChoiceFilter(
        label=gettext_lazy("Status"),
        choices=TrainingGroup.Status.choices,
        empty_label=gettext_lazy("alle"),
        widget=forms.RadioSelect,
    )

    class Meta:
        model = TrainingGroup
        fields = ["course", "place", "status"]

    def filter_place(self, queryset, name, value):
        words = value.strip()
        if not words:
            return queryset
        return queryset.filter(Q(location__town__icontains=words) | Q(location__name__icontains=words))


class GroupIndexView(generic.IndexView):
    """All groups with course, location, first date, places left and status, in one query for the page."""

    default_ordering = "-first_start"

    def get_base_queryset(self):
        # The first session as one step into index booking_session_group_start (group, status, start) per
        # group: the listing sorts on it, so it is worked out for every group the filter leaves.
        first_session = (
            Session.objects.filter(group=OuterRef("pk"), status=Session.Status.SCHEDULED)
            .order_by("start")
            .values("start")[:1]
        )
        return (
            TrainingGroup.objects.with_places_left(timezone.now())
            .annotate(first_start=Subquery(first_session))
            .select_related("course", "location")
        )

    def order_queryset(self, queryset):
        # Groups without dates yet are the ones to plan, so they come first.
        if self.ordering == "-first_start":
            return queryset.order_by(F("first_start").desc(nulls_first=True), "-pk")
        if self.ordering == "first_start":
            return queryset.order_by(F("first_start").asc(nulls_last=True), "pk")
        return queryset.order_by(self.ordering, "pk")

    @cached_property
    def columns(self):
        now = timezone.now()
        return [
            self._get_title_column_class(TitleColumn)(
                "course",
                label=_("Training"),
                accessor="course.title",
                get_url=lambda group: self.get_edit_url(group) or group_url("sessions", group),
                sort_key="course__title",
            ),
            Column(
                "location", label=_("Locatie"), accessor=lambda group: str(group.location), sort_key="location__name"
            ),
            Column(
                "first_start",
                label=_("Eerste bijeenkomst"),
                accessor=lambda group: local_date(group.first_start) or _("nog niet gepland"),
                sort_key="first_start",
            ),
            Column("places", label=_("Plaatsen vrij"), accessor=places_text, sort_key="places_left"),
            Column("fill", label=_("Aanmeldingen"), accessor=fill_text, sort_key="places_taken"),
            Column("status", label=_("Status"), accessor=lambda group: status_for_staff(group, now)),
        ]

    def get_list_more_buttons(self, instance):
        buttons = super().get_list_more_buttons(instance)
        buttons.append(
            MenuItem(_("Bijeenkomsten en status"), url=group_url("sessions", instance), icon_name="date", priority=5)
        )
        buttons.append(
            MenuItem(
                _("Aanmeldingen"),
                url=enrollments_url(group=instance.pk),
                icon_name="group",
                priority=6,
            )
        )
        return buttons


# --- the group's own page: sessions and status ---------------------------------------------------


class PlanForm(forms.Form):
    first_date = forms.DateField(label=gettext_lazy("Datum van de eerste bijeenkomst"), widget=DATE_INPUT)
    start_time = forms.TimeField(label=gettext_lazy("Begintijd"), widget=TIME_INPUT)
    count = forms.IntegerField(label=gettext_lazy("Aantal bijeenkomsten"), min_value=1, max_value=planning.MAX_SESSIONS)
    frequency = forms.ChoiceField(label=gettext_lazy("Hoe vaak"), choices=Frequency.choices)
    duration = forms.IntegerField(
        label=gettext_lazy("Duur van een bijeenkomst (minuten)"), min_value=15, max_value=12 * 60
    )

    @classmethod
    def initial_for(cls, course):
        return {
            "count": course.session_count,
            "frequency": course.frequency,
            "duration": int(course.hours_per_session * 60),
            "start_time": datetime.time(19, 0),
        }

    def plan(self, group):
        data = self.cleaned_data
        return planning.plan_sessions(
            group,
            first_start=datetime.datetime.combine(data["first_date"], data["start_time"]),
            count=data["count"],
            frequency=data["frequency"],
            duration=datetime.timedelta(minutes=data["duration"]),
        )


class SessionForm(forms.Form):
    """One session: a date, a start and an end time, on the Dutch clock."""

    date = forms.DateField(label=gettext_lazy("Datum"), widget=DATE_INPUT)
    start_time = forms.TimeField(label=gettext_lazy("Begintijd"), widget=TIME_INPUT)
    end_time = forms.TimeField(label=gettext_lazy("Eindtijd"), widget=TIME_INPUT)

    FIELD_NAMES = {"start": "start_time", "end": "end_time"}

    @classmethod
    def initial_for(cls, session):
        start = clock.local_time(session.start)
        end = clock.local_time(session.end)
        return {"date": start.date(), "start_time": start.time(), "end_time": end.time()}

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start_time"), cleaned.get("end_time")
        if start and end and end <= start:
            self.add_error("end_time", _("De eindtijd moet na de begintijd liggen."))
        return cleaned

    def times(self):
        data = self.cleaned_data
        return (
            datetime.datetime.combine(data["date"], data["start_time"]),
            datetime.datetime.combine(data["date"], data["end_time"]),
        )


class GroupPageMixin(WagtailAdminTemplateMixin):
    """A page about one group in the admin, for users who may change groups."""

    header_icon = "date"
    permission = "booking.change_traininggroup"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm(self.permission):
            raise PermissionDenied
        self.group = get_object_or_404(
            TrainingGroup.objects.with_places_left(timezone.now())
            .with_first_start()
            .select_related("course", "location"),
            pk=kwargs["pk"],
        )
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [
            {"url": reverse(f"{GROUPS}:index"), "label": _("Groepen")},
            {"url": group_url("sessions", self.group), "label": str(self.group)},
            *self.extra_breadcrumbs(),
        ]

    def extra_breadcrumbs(self):
        return []

    def get_page_title(self):
        return str(self.group)

    def back(self):
        return redirect(group_url("sessions", self.group))


class GroupSessionsView(GroupPageMixin, TemplateView):
    """The group's sessions (plan, add, move, cancel) and its status (open, close, cancel the group)."""

    template_name = "booking/admin/group_sessions.html"
    page_subtitle = gettext_lazy("Bijeenkomsten en status")

    def get_page_title(self):
        return _("Bijeenkomsten en status")

    def get_forms(self, data=None, which=None):
        group = self.group
        plan = PlanForm(data if which == "plan" else None, prefix="plan", initial=PlanForm.initial_for(group.course))
        add = SessionForm(data if which == "add" else None, prefix="add")
        return plan, add

    def get(self, request, *args, **kwargs):
        plan, add = self.get_forms()
        return self.render_to_response(self.get_context_data(plan_form=plan, add_form=add))

    def post(self, request, *args, **kwargs):
        which = "plan" if "plan-submit" in request.POST else "add"
        plan, add = self.get_forms(request.POST, which)
        form = plan if which == "plan" else add
        if form.is_valid():
            try:
                if which == "plan":
                    sessions = plan.plan(self.group)
                    messages.success(
                        request,
                        ngettext(
                            "%(count)s bijeenkomst is gepland.", "%(count)s bijeenkomsten zijn gepland.", len(sessions)
                        )
                        % {"count": len(sessions)},
                    )
                else:
                    session = planning.add_session(self.group, *add.times())
                    messages.success(
                        request, _("De bijeenkomst van %(when)s is toegevoegd.") % {"when": local_date(session.start)}
                    )
            except ValidationError as error:
                service_errors(form, error, SessionForm.FIELD_NAMES)
            else:
                return self.back()
        messages.error(request, _("Het plannen is niet gelukt. Bekijk de melding bij het formulier."))
        return self.render_to_response(self.get_context_data(plan_form=plan, add_form=add, failed=which), status=200)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        group = self.group
        now = timezone.now()
        sessions = list(group.sessions.order_by("start", "pk"))
        actions = planning.group_actions(group)
        context.update(
            group=group,
            sessions=sessions,
            now=now,
            status_text=status_for_staff(group, now),
            can_plan=actions["plan"],
            can_add=actions["add"],
            can_open=actions["open"],
            can_close=actions["close"],
            can_cancel=actions["cancel"],
            edit_url=reverse(f"{GROUPS}:edit", args=(quote(group.pk),)),
            enrollments_url=enrollments_url(group=group.pk),
            trainers=list(group.trainers.all()),
            under_minimum=fill.is_under_minimum(group),
            needs_decision=fill.needs_decision(group, now),
            decide_from=fill.decision_from(group),
        )
        return context


class SessionChangeMixin(GroupPageMixin):
    """A page about one session of the group; a session of another group is not found."""

    def get_session(self):
        if not hasattr(self, "session"):
            self.session = get_object_or_404(Session, pk=self.kwargs["session_pk"], group=self.group)
        return self.session


class MoveSessionView(SessionChangeMixin, TemplateView):
    template_name = "booking/admin/session_move.html"

    def get_page_title(self):
        return _("Bijeenkomst verplaatsen")

    def extra_breadcrumbs(self):
        return [{"url": "", "label": _("Bijeenkomst %(number)s verplaatsen") % {"number": self.get_session().sequence}}]

    def get(self, request, *args, **kwargs):
        session = self.get_session()
        form = SessionForm(initial=SessionForm.initial_for(session))
        return self.render_to_response(self.get_context_data(form=form, session=session, group=self.group))

    def post(self, request, *args, **kwargs):
        session = self.get_session()
        form = SessionForm(request.POST)
        if form.is_valid():
            try:
                planning.move_session(session, *form.times())
            except ValidationError as error:
                service_errors(form, error, SessionForm.FIELD_NAMES)
            else:
                messages.success(
                    request,
                    _("Bijeenkomst %(number)s is verplaatst naar %(when)s.")
                    % {"number": session.sequence, "when": local_date(session.start)},
                )
                return self.back()
        return self.render_to_response(self.get_context_data(form=form, session=session, group=self.group))


class CancelSessionView(SessionChangeMixin, TemplateView):
    template_name = "booking/admin/session_cancel.html"

    def get_page_title(self):
        return _("Bijeenkomst annuleren")

    def extra_breadcrumbs(self):
        return [{"url": "", "label": _("Bijeenkomst %(number)s annuleren") % {"number": self.get_session().sequence}}]

    def get(self, request, *args, **kwargs):
        return self.render_to_response(self.get_context_data(session=self.get_session(), group=self.group))

    def post(self, request, *args, **kwargs):
        session = self.get_session()
        when = local_date(session.start)
        planning.cancel_session(session)
        messages.success(request, _("De bijeenkomst van %(when)s is geannuleerd.") % {"when": when})
        return self.back()


class GroupStatusView(GroupPageMixin, TemplateView):
    """POST only: open the group for sign-up, or close sign-up."""

    http_method_names = ["post"]
    action = None

    def post(self, request, *args, **kwargs):
        group = self.group
        try:
            if self.action == "open":
                planning.open_group(group, by=request.user)
            else:
                planning.close_group(group, by=request.user)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
            return self.back()
        if self.action == "open":
            messages.success(request, _("De groep is open voor aanmelding."))
            tell_about_offers(request, offers.offer_freed_places(group))
        else:
            messages.success(request, _("De aanmelding voor deze groep is gesloten."))
        return self.back()


class CancelGroupForm(forms.Form):
    cause = forms.ChoiceField(
        label=gettext_lazy("Waarom gaat de groep niet door?"),
        choices=[(value, label) for value, label in CancelCause.choices if value != CancelCause.MERGED],
        widget=forms.RadioSelect,
        help_text=gettext_lazy("Voor de cijfers van het bureau. De deelnemers zien dit niet."),
        error_messages={"required": gettext_lazy("Kies waarom de groep niet doorgaat.")},
    )
    reason = forms.CharField(
        label=gettext_lazy("Reden voor de deelnemers"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy(
            "Deze tekst staat in de e-mail aan de deelnemers. Bijvoorbeeld: er hebben zich te weinig mensen aangemeld."
        ),
        error_messages={"required": gettext_lazy("Schrijf de reden op. Die staat in de e-mail aan de deelnemers.")},
    )


class CancelGroupView(GroupPageMixin, TemplateView):
    """A confirmation page with the reason; then the group is cancelled and everyone in it gets an email."""

    template_name = "booking/admin/group_cancel.html"

    def get_page_title(self):
        return _("Groep afzeggen")

    def extra_breadcrumbs(self):
        return [{"url": "", "label": _("Groep afzeggen")}]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        now = timezone.now()
        context.update(
            group=self.group,
            affected=Enrollment.objects.filter(group=self.group).filter(takes_a_place(now)).count(),
            already_cancelled=self.group.status == TrainingGroup.Status.CANCELLED,
        )
        return context

    def get(self, request, *args, **kwargs):
        return self.render_to_response(self.get_context_data(form=CancelGroupForm()))

    def post(self, request, *args, **kwargs):
        form = CancelGroupForm(request.POST)
        if self.group.status == TrainingGroup.Status.CANCELLED:
            messages.error(request, _("Deze groep is al afgezegd."))
            return self.back()
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        with transaction.atomic():
            cancelled = staff_actions.cancel_group(
                self.group, by=request.user, reason=form.cleaned_data["reason"], cause=form.cleaned_data["cause"]
            )
            log(self.group, "booking.group.cancel", user=request.user, data={"reason": form.cleaned_data["reason"]})
        messages.success(
            request,
            ngettext(
                "De groep is afgezegd. %(count)s deelnemer krijgt een e-mail met andere mogelijkheden.",
                "De groep is afgezegd. %(count)s deelnemers krijgen een e-mail met andere mogelijkheden.",
                len(cancelled),
            )
            % {"count": len(cancelled)},
        )
        return self.back()


# --- the viewset ---------------------------------------------------------------------------------


class GroupViewSet(ModelViewSet):
    model = TrainingGroup
    name = GROUPS
    icon = "group"
    menu_label = gettext_lazy("Groepen")
    index_view_class = GroupIndexView
    add_view_class = GroupCreateView
    edit_view_class = GroupEditView
    copy_view_enabled = False
    filterset_class = GroupFilterSet
    list_per_page = 50

    def get_form_class(self, for_update=False):
        return GroupForm

    def get_common_view_kwargs(self, **kwargs):
        # Groups are never deleted: a group that does not go ahead is cancelled, and stays on record.
        return {**super().get_common_view_kwargs(**kwargs), "delete_url_name": None}

    def get_urlpatterns(self):
        return [
            *[pattern for pattern in super().get_urlpatterns() if pattern.name != "delete"],
            path("<int:pk>/bijeenkomsten/", GroupSessionsView.as_view(), name="sessions"),
            path(
                "<int:pk>/bijeenkomsten/<int:session_pk>/verplaatsen/", MoveSessionView.as_view(), name="move_session"
            ),
            path(
                "<int:pk>/bijeenkomsten/<int:session_pk>/annuleren/", CancelSessionView.as_view(), name="cancel_session"
            ),
            path("<int:pk>/openen/", GroupStatusView.as_view(action="open"), name="open"),
            path("<int:pk>/sluiten/", GroupStatusView.as_view(action="close"), name="close"),
            path("<int:pk>/afzeggen/", CancelGroupView.as_view(), name="cancel"),
        ]
