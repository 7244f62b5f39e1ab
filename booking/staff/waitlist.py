"""The waiting lists for coordinators: per course in order, offer a place by hand, move someone with a reason.

The rules are the waiting list's own (`booking.waitlist`); this module only
shows the list and passes the coordinator's choice on. Every page with
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
from booking.services.access_log import Action, log_access
from booking.services.errors import BookingError
from booking.staff.groups import service_errors
from booking.staff.listing import ListOnlyViewSetMixin
from booking.waitlist import entries as waitlist
from booking.waitlist import estimate
from booking.waitlist import offers as waitlist_offers
from courses.models import CoursePage

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
        label=gettext_lazy("Training"), queryset=CoursePage.objects.order_by("title"), field_name="course"
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


class WaitlistEntryView(WagtailAdminTemplateMixin, TemplateView):
    """Who is waiting, where on the list, what they would like, the offers and moves so far; offer or move."""

    template_name = "booking/admin/waitlist_entry.html"
    header_icon = "list-ol"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm("booking.view_waitlistentry"):
            raise PermissionDenied
        self.entry = get_object_or_404(
            with_position(WaitlistEntry.objects.select_related("participant", "course")), pk=kwargs["pk"]
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

    def get_forms(self, data=None, which=None):
        entry = self.entry
        now = timezone.now()
        offer = move = None
        if self.may_change() and entry.status == WaitlistEntry.Status.WAITING:
            offer = OfferForm(data if which == "offer" else None, entry=entry, now=now, prefix="offer")
        if self.may_change() and entry.status in ACTIVE:
            length = waitlist.active_entries(entry.course_id).count()
            move = MoveForm(
                data if which == "move" else None,
                list_length=length,
                prefix="move",
                initial={"new_position": entry.list_position},
            )
        return offer, move

    def get(self, request, *args, **kwargs):
        offer, move = self.get_forms()
        return self.render_page(offer, move)

    def post(self, request, *args, **kwargs):
        if not self.may_change():
            raise PermissionDenied
        which = "offer" if "offer-submit" in request.POST else "move"
        offer_form, move_form = self.get_forms(request.POST, which)
        form = offer_form if which == "offer" else move_form
        if form is None:
            messages.error(request, _("Dit kan niet meer: deze persoon staat niet (meer) wachtend op de lijst."))
            return redirect(entry_url(self.entry))
        if form.is_valid():
            try:
                if which == "offer":
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
        return self.render_page(offer_form, move_form)

    def render_page(self, offer_form, move_form):
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
            offer_form=offer_form,
            move_form=move_form,
            any_part_of_day=entry.part_of_day == PartOfDay.ANY,
        )
        return self.render_to_response(context)


# --- the viewset ---------------------------------------------------------------------------------


class WaitlistViewSet(ListOnlyViewSetMixin, ModelViewSet):
    """Listing and one page per person; people join through the site, so there is no add or edit here."""

    model = WaitlistEntry
    name = WAITLIST
    icon = "list-ol"
    menu_label = gettext_lazy("Wachtlijst")
    index_view_class = WaitlistIndexView
    list_per_page = 50

    @property
    def url_finder_class(self):
        return type("WaitlistURLFinder", (super().url_finder_class,), {"edit_url_name": self.get_url_name("entry")})

    def get_urlpatterns(self):
        return [
            path("", self.index_view, name="index"),
            path("results/", self.index_results_view, name="index_results"),
            path("<int:pk>/", WaitlistEntryView.as_view(), name="entry"),
        ]
