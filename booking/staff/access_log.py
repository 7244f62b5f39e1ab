"""The access log for coordinators: who looked at which participant's data, read only."""

import django_filters
from django.contrib.auth import get_user_model
from django.urls import path
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.admin.filters import DateRangePickerWidget, WagtailFilterSet
from wagtail.admin.ui.tables import Column
from wagtail.admin.views import generic
from wagtail.admin.viewsets.model import ModelViewSet

from booking.models import AccessLogEntry
from booking.staff.listing import ListOnlyViewSetMixin


def staff_who_looked():
    return (
        get_user_model().objects.filter(pk__in=AccessLogEntry.objects.values("user_id")).order_by("last_name", "email")
    )


class AccessLogFilterSet(WagtailFilterSet):
    user = django_filters.ModelChoiceFilter(
        label=gettext_lazy("Medewerker"), queryset=lambda request: staff_who_looked(), field_name="user"
    )
    action = django_filters.ChoiceFilter(
        label=gettext_lazy("Handeling"), choices=AccessLogEntry.Action.choices, empty_label=gettext_lazy("alle")
    )
    at = django_filters.DateFromToRangeFilter(label=gettext_lazy("Datum"), widget=DateRangePickerWidget)

    class Meta:
        model = AccessLogEntry
        fields = ["user", "action", "at"]


def user_name(entry):
    return entry.user.get_full_name() or entry.user.email


class AccessLogIndexView(generic.IndexView):
    filterset_class = AccessLogFilterSet
    default_ordering = "-at"
    search_fields = ["participant__last_name", "participant__email", "where"]

    def get_base_queryset(self):
        return AccessLogEntry.objects.select_related("user", "participant")

    def order_queryset(self, queryset):
        return queryset.order_by(self.ordering, "-pk")

    @cached_property
    def columns(self):
        return [
            Column(
                "at",
                label=_("Moment"),
                accessor=lambda e: date_format(timezone.localtime(e.at), "j-n-Y H:i:s"),
                sort_key="at",
            ),
            Column("user", label=_("Medewerker"), accessor=user_name),
            Column(
                "participant",
                label=_("Deelnemer"),
                accessor=lambda e: e.participant.full_name if e.participant_id else _("(verwijderd)"),
            ),
            Column("action", label=_("Handeling"), accessor="get_action_display"),
            Column("where", label=_("Waar"), accessor="where"),
        ]


class AccessLogViewSet(ListOnlyViewSetMixin, ModelViewSet):
    """Read only for everyone: the log is never added to, changed or emptied by hand."""

    model = AccessLogEntry
    name = "inzage"
    icon = "history"
    menu_label = gettext_lazy("Inzage in gegevens")
    index_view_class = AccessLogIndexView
    list_per_page = 100

    def register_admin_url_finder(self):
        pass

    def get_urlpatterns(self):
        return [
            path("", self.index_view, name="index"),
            path("results/", self.index_results_view, name="index_results"),
        ]
