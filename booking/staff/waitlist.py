"""The waiting lists for coordinators: per course in order, put someone on it, offer a place by hand, move
someone with a reason, change their wishes, take them off with a reason.

The rules are the waiting list's own (`booking.waitlist`, through
`booking.staff.office` for what the office does for someone); this module
only shows the list and passes the coordinator's choice on. Every page with
people on it is recorded in the access log.
"""

import django_filters
from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Case, Count, IntegerField, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.generic import TemplateView
from wagtail.admin import messages
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.ui.tables import Column, TitleColumn
from wagtail.admin.views import generic
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.viewsets.model import ModelViewSet

from booking.models import Offer, PartOfDay, TrainingGroup, WaitlistEntry
from booking.services import consent
from booking.services.access_log import Action, log_access
from booking.services.errors import BookingError
from booking.staff import office
from booking.staff.groups import service_errors
from booking.staff.listing import ListOnlyViewSetMixin
from booking.staff.phone_signup import OfficeConsentForm
from booking.waitlist import entries as waitlist
from booking.waitlist import estimate
from booking.waitlist import offers as waitlist_offers
from booking.waitlist.forms import PART_OF_DAY_LABELS, WaitlistForm
from courses.models import CoursePage
from home.languages import originals

WAITLIST = "wachtlijst"
ACTIVE = waitlist.ACTIVE
SHOW_ACTIVE = "active"


def with_position(queryset):
    """Annotate `list_position`: the place on the course's list (as `waitlist.position` counts it), or None."""
    ahead = (
        WaitlistEntry.objects.filter(course=OuterRef("course"), status__in=ACTIVE)
        .filter(Q(rank__lt=OuterRef("rank")) | Q(rank=OuterRef("rank"), pk__lt=OuterRef("pk")))
        .order_by()
        .values("course")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return queryset.annotate(
        list_position=Case(
            When(status__in=ACTIVE, then=Coalesce(Subquery(ahead, output_field=IntegerField()), Value(0)) + 1),
            default=None,
            output_field=IntegerField(),
        )
    )


def preferences_text(entry):
    """ "Eindhoven, Best · avond": the preferred locations (or any) and the part of the day."""
    locations = [location.town or location.name for location in entry.preferred_locations.all()]
    where = ", ".join(locations) if locations else _("elke locatie")
    return f"{where} · {entry.get_part_of_day_display()}"


def entry_url(entry):
    return reverse(f"{WAITLIST}:entry", args=(entry.pk,))


# --- the list ------------------------------------------------------------------------------------


class WaitlistFilterSet(WagtailFilterSet):
    course = django_filters.ModelChoiceFilter(
        label=gettext_lazy("Training"),
        queryset=originals(CoursePage.objects.all()).order_by("title"),
        field_name="course",
    )
    status = django_filters.ChoiceFilter(
        label=gettext_lazy("Status"),
        choices=[(SHOW_ACTIVE, gettext_lazy("op de lijst (wacht of heeft een aanbod)")), *WaitlistEntry.Status.choices],
        empty_label=gettext_lazy("alle"),
        method="filter_status",
        widget=forms.RadioSelect,
    )

    class Meta:
        model = WaitlistEntry
        fields = ["course", "status"]

    def filter_status(self, queryset, name, value):
        if value == SHOW_ACTIVE:
            return queryset.filter(status__in=ACTIVE)
        return queryset.filter(status=value)


class WaitlistIndexView(generic.IndexView):
    """Each course's list in order, the people still on it first shown; the page's people are logged."""

    filterset_class = WaitlistFilterSet
    default_ordering = "list"

    def get_base_queryset(self):
        return with_position(
            WaitlistEntry.objects.select_related("participant", "course").prefetch_related("preferred_locations")
        )

    def get_filterset_kwargs(self):
        kwargs = super().get_filterset_kwargs()
        if "status" not in kwargs["data"]:
            # Without a choice, show who is on the list now; "alle" shows everyone who ever was.
            data = kwargs["data"].copy()
            data["status"] = SHOW_ACTIVE
            kwargs["data"] = data
        return kwargs

    def get_valid_orderings(self):
        return ["list", *super().get_valid_orderings()]

    def order_queryset(self, queryset):
        if self.ordering == "list":
            return queryset.order_by("course__title", "course_id", "rank", "pk")
        return queryset.order_by(self.ordering, "pk")

    @cached_property
    def columns(self):
        return [
            Column("position", label=_("Plaats"), accessor=lambda entry: entry.list_position or "–"),
            TitleColumn(
                "name",
                label=_("Naam"),
                accessor=lambda entry: entry.participant.full_name,
                get_url=entry_url,
            ),
            Column("course", label=_("Training"), accessor="course.title", sort_key="course__title"),
            Column(
                "joined",
                label=_("Op de lijst sinds"),
                accessor=lambda entry: date_format(timezone.localtime(entry.joined_at), "j F Y"),
                sort_key="joined_at",
            ),
            Column("preferences", label=_("Voorkeur"), accessor=preferences_text),
            Column("status", label=_("Status"), accessor="get_status_display"),
        ]

    def get_context_data(self, *args, **kwargs):
        context = super().get_context_data(*args, **kwargs)
        shown = [entry.participant_id for entry in context["object_list"]]
        log_access(self.request.user, shown, Action.VIEW_LIST, "wachtlijst: overzicht")
        return context


# --- one person on the list ----------------------------------------------------------------------


class OfferForm(forms.Form):
    group = forms.ModelChoiceField(
        label=gettext_lazy("Groep"),
        queryset=TrainingGroup.objects.none(),
        empty_label=gettext_lazy("Kies een groep"),
        help_text=gettext_lazy("Groepen van deze training waarvoor aanmelden open is en met een vrije plaats."),
    )

    def __init__(self, *args, entry, now, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["group"]
        field.queryset = (
            TrainingGroup.objects.filter(course_id=entry.course_id)
            .bookable(now)
            .select_related("course", "location")
            .order_by("first_start", "pk")
        )
        field.label_from_instance = lambda group: (
            ngettext("%(group)s (nog %(count)s plaats)", "%(group)s (nog %(count)s plaatsen)", group.places_left)
            % {"group": group, "count": group.places_left}
        )


class MoveForm(forms.Form):
    new_position = forms.IntegerField(label=gettext_lazy("Nieuwe plaats op de lijst"), min_value=1)
    reason = forms.CharField(
        label=gettext_lazy("Reden"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("Verplicht. De reden wordt bewaard en is later terug te lezen."),
        error_messages={"required": gettext_lazy("Schrijf op waarom u deze persoon verplaatst. Dat wordt bewaard.")},
    )

    def __init__(self, *args, list_length, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["new_position"] = forms.IntegerField(
            label=self.fields["new_position"].label,
            min_value=1,
            max_value=list_length,
            help_text=ngettext(
                "Er staat %(count)s persoon op de lijst.", "Er staan %(count)s mensen op de lijst.", list_length
            )
            % {"count": list_length},
        )
        self.order_fields(["new_position", "reason"])


class WishesForm(forms.Form):
    preferred_locations = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Voorkeurslocaties"),
        queryset=WaitlistEntry.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("Niets aangevinkt: elke locatie is goed."),
    )
    part_of_day = forms.ChoiceField(
        label=gettext_lazy("Dagdeel"),
        choices=[(value, PART_OF_DAY_LABELS[value]) for value in PartOfDay.values],
        widget=forms.RadioSelect,
        error_messages={"required": gettext_lazy("Kies een dagdeel, of 'Maakt niet uit'.")},
    )

    def __init__(self, *args, entry, **kwargs):
        kwargs.setdefault(
            "initial",
            {
                "preferred_locations": [location.pk for location in entry.preferred_locations.all()],
                "part_of_day": entry.part_of_day,
            },
        )
        super().__init__(*args, **kwargs)
        self.fields["preferred_locations"].queryset = waitlist.waitlist_locations(entry.course).order_by("town", "name")


class TakeOffForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reden"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("Verplicht. De reden wordt bewaard en is later terug te lezen."),
        error_messages={
            "required": gettext_lazy("Schrijf op waarom deze persoon van de wachtlijst gaat. Dat wordt bewaard.")
        },
    )


class WaitlistEntryView(WagtailAdminTemplateMixin, TemplateView):
    """Who is waiting, where on the list, what they would like, the offers and moves so far; offer or move."""

    template_name = "booking/admin/waitlist_entry.html"
    header_icon = "list-ol"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm("booking.view_waitlistentry"):
            raise PermissionDenied
        self.entry = get_object_or_404(
            with_position(
                WaitlistEntry.objects.select_related("participant", "course", "removed_by", "consent_taken_by")
            ),
            pk=kwargs["pk"],
        )
        return super().dispatch(request, *args, **kwargs)

    def get_page_title(self):
        return self.entry.participant.full_name

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [
            {"url": reverse(f"{WAITLIST}:index"), "label": _("Wachtlijst")},
            {"url": "", "label": self.entry.participant.full_name},
        ]

    def may_change(self):
        return self.request.user.has_perm("booking.change_waitlistentry")

    FORMS = ("offer", "move", "wishes", "remove")

    def get_forms(self, data=None, which=None):
        """The forms for what can be done now, by name; the one `which` was sent is bound to `data`."""
        entry = self.entry
        now = timezone.now()
        found = dict.fromkeys(self.FORMS)
        if not self.may_change() or entry.status not in ACTIVE:
            return found

        def sent(name):
            return data if which == name else None

        if entry.status == WaitlistEntry.Status.WAITING:
            found["offer"] = OfferForm(sent("offer"), entry=entry, now=now, prefix="offer")
        found["move"] = MoveForm(
            sent("move"),
            list_length=waitlist.active_entries(entry.course_id).count(),
            prefix="move",
            initial={"new_position": entry.list_position},
        )
        found["wishes"] = WishesForm(sent("wishes"), entry=entry, prefix="wishes")
        found["remove"] = TakeOffForm(sent("remove"), prefix="remove")
        return found

    def get(self, request, *args, **kwargs):
        return self.render_page(self.get_forms())

    def post(self, request, *args, **kwargs):
        if not self.may_change():
            raise PermissionDenied
        which = next((name for name in self.FORMS if f"{name}-submit" in request.POST), "move")
        found = self.get_forms(request.POST, which)
        form = found[which]
        if form is None:
            messages.error(request, _("Dit kan niet meer: deze persoon staat niet (meer) wachtend op de lijst."))
            return redirect(entry_url(self.entry))
        if form.is_valid():
            try:
                if which in ("wishes", "remove"):
                    messages.success(request, self.act_for_person(which, form))
                elif which == "offer":
                    offer = waitlist_offers.offer_place(self.entry, form.cleaned_data["group"], by=request.user)
                    messages.success(
                        request,
                        _(
                            "Er is een plaats aangeboden in de groep %(group)s. Het aanbod geldt tot %(until)s; de "
                            "persoon krijgt een e-mail."
                        )
                        % {
                            "group": offer.group,
                            "until": date_format(timezone.localtime(offer.expires_at), "j F Y H:i"),
                        },
                    )
                else:
                    waitlist.move_entry(
                        self.entry,
                        form.cleaned_data["new_position"],
                        by=request.user,
                        reason=form.cleaned_data["reason"],
                    )
                    messages.success(
                        request,
                        _("De plaats op de wachtlijst is veranderd: nu %(position)s.")
                        % {"position": waitlist.position(WaitlistEntry.objects.get(pk=self.entry.pk))},
                    )
            except BookingError as error:
                form.add_error("group" if which == "offer" else None, str(error.message))
            except ValidationError as error:
                service_errors(form, error)
            else:
                return redirect(entry_url(self.entry))
        return self.render_page(found)

    def act_for_person(self, which, form):
        """Change the wishes, or take the person off the list (`booking.staff.office`); returns the message."""
        if which == "wishes":
            office.change_wishes_for(
                self.entry,
                by=self.request.user,
                preferred_locations=form.cleaned_data["preferred_locations"],
                part_of_day=form.cleaned_data["part_of_day"],
            )
            return _("De voorkeur is opgeslagen. De plaats op de lijst blijft hetzelfde.")
        office.take_off_for(self.entry, by=self.request.user, reason=form.cleaned_data["reason"])
        return _("%(name)s staat niet meer op de wachtlijst. De reden is bewaard.") % {
            "name": self.entry.participant.full_name
        }

    def render_page(self, found):
        entry = self.entry
        log_access(
            self.request.user,
            [entry.participant],
            Action.VIEW,
            f"wachtlijst training {entry.course_id}: persoon bekeken",
        )
        context = self.get_context_data(
            entry=entry,
            participant=entry.participant,
            preferences=preferences_text(entry),
            estimate=estimate.expected_wait(entry) if entry.status in ACTIVE else None,
            offers=list(
                Offer.objects.filter(entry=entry).select_related("group__course", "group__location", "offered_by")
            ),
            moves=list(entry.moves.select_related("moved_by")),
            offer_form=found["offer"],
            move_form=found["move"],
            wishes_form=found["wishes"],
            remove_form=found["remove"],
            any_part_of_day=entry.part_of_day == PartOfDay.ANY,
        )
        return self.render_to_response(context)


# --- putting someone on the list -----------------------------------------------------------------


class CourseForm(forms.Form):
    course = forms.ModelChoiceField(
        label=gettext_lazy("Training"),
        queryset=CoursePage.objects.none(),
        empty_label=gettext_lazy("Kies een training"),
        error_messages={
            "required": gettext_lazy("Kies de training."),
            "invalid_choice": gettext_lazy("Kies een training uit de lijst."),
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["course"].queryset = originals(CoursePage.objects.live()).order_by("title")


class WaitlistAddView(WagtailAdminTemplateMixin, TemplateView):
    """The office puts someone who phoned or came to the desk on a course's list: the site's form, consent read out."""

    template_name = "booking/admin/waitlist_add.html"
    header_icon = "list-ol"
    page_title = gettext_lazy("Op de wachtlijst zetten")

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm("booking.add_waitlistentry"):
            raise PermissionDenied
        chosen = CourseForm(request.GET or None)
        self.course_form = chosen
        self.course = chosen.cleaned_data["course"] if chosen.is_valid() else None
        return super().dispatch(request, *args, **kwargs)

    def get_page_title(self):
        return self.page_title

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [
            {"url": reverse(f"{WAITLIST}:index"), "label": _("Wachtlijst")},
            {"url": "", "label": self.page_title},
        ]

    def forms(self, data=None):
        if self.course is None:
            return None, None
        person = WaitlistForm(data, course=self.course, locations=list(waitlist.waitlist_locations(self.course)))
        # The site's own consent box is for the person; here the office records it, and how it was given.
        person.fields.pop("consent")
        return person, OfficeConsentForm(data, prefix="toestemming")

    def render_page(self, person, given, status=200):
        context = self.get_context_data(
            course=self.course,
            course_form=self.course_form,
            form=person,
            consent_form=given,
            consent_text=consent.WAITLIST_TEXT,
            consent_version=consent.VERSION,
        )
        return self.render_to_response(context, status=status)

    def get(self, request, *args, **kwargs):
        return self.render_page(*self.forms())

    def post(self, request, *args, **kwargs):
        person, given = self.forms(request.POST)
        if person is None:
            return self.render_page(person, given, status=400)
        if person.is_valid() and given.is_valid():
            try:
                entry = office.add_to_waitlist(
                    self.course,
                    person.person(),
                    by=request.user,
                    channel=given.cleaned_data["channel"],
                    preferred_locations=person.cleaned_data["preferred_locations"],
                    part_of_day=person.cleaned_data["part_of_day"],
                )
            except ValidationError as error:
                service_errors(person, error)
            except BookingError as refusal:
                person.add_error("email", refusal.message)
            else:
                messages.success(
                    request,
                    _("%(name)s staat op de wachtlijst, op plaats %(position)s. De bevestiging gaat per e-mail.")
                    % {"name": entry.participant.full_name, "position": waitlist.position(entry)},
                )
                return redirect(entry_url(entry))
        return self.render_page(person, given, status=400)


# --- the viewset ---------------------------------------------------------------------------------


class WaitlistViewSet(ListOnlyViewSetMixin, ModelViewSet):
    """Listing and one page per person; people join through the site, so there is no add or edit here."""

    model = WaitlistEntry
    name = WAITLIST
    icon = "list-ol"
    menu_label = gettext_lazy("Wachtlijst")
    index_view_class = WaitlistIndexView
    list_per_page = 50

    def get_common_view_kwargs(self, **kwargs):
        # People join through the site, or the office puts them on the list (`WaitlistAddView`).
        return {**super().get_common_view_kwargs(**kwargs), "add_url_name": self.get_url_name("add")}

    @property
    def url_finder_class(self):
        return type("WaitlistURLFinder", (super().url_finder_class,), {"edit_url_name": self.get_url_name("entry")})

    def get_urlpatterns(self):
        return [
            path("", self.index_view, name="index"),
            path("results/", self.index_results_view, name="index_results"),
            path("<int:pk>/", WaitlistEntryView.as_view(), name="entry"),
            path("toevoegen/", WaitlistAddView.as_view(), name="add"),
        ]
