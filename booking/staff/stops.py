"""Registration stops (aanmeldstops) for coordinators: per course, per location, or one course at one location."""

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.admin.forms.models import WagtailAdminModelForm
from wagtail.admin.ui.tables import Column, TitleColumn
from wagtail.admin.views import generic
from wagtail.admin.viewsets.model import ModelViewSet

from booking.models import RegistrationStop
from courses.models import CoursePage
from home.languages import originals


class RegistrationStopForm(WagtailAdminModelForm):
    class Meta:
        model = RegistrationStop
        fields = ["course", "location", "message", "starts_at", "ends_at"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["course"].queryset = originals(CoursePage.objects.all()).order_by("title")
        self.fields["message"].widget.attrs["rows"] = 4

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("course") and not cleaned.get("location") and "course" not in self.errors:
            self.add_error(
                "course", _("Kies een training, een locatie, of allebei. Een aanmeldstop voor alles kan niet.")
            )
        starts, ends = cleaned.get("starts_at"), cleaned.get("ends_at")
        if starts and ends and ends <= starts:
            self.add_error("ends_at", _("Het einde van de aanmeldstop moet na het begin liggen."))
        return cleaned


class RegistrationStopCreateView(generic.CreateView):
    def save_instance(self):
        self.form.instance.created_by = self.request.user
        return super().save_instance()


def stop_is_active(stop, now):
    return stop.starts_at <= now and (stop.ends_at is None or stop.ends_at > now)


def when(value):
    return date_format(timezone.localtime(value), "j M Y H:i") if value else ""


class RegistrationStopIndexView(generic.IndexView):
    default_ordering = "-starts_at"

    def get_base_queryset(self):
        return RegistrationStop.objects.select_related("course", "location")

    @cached_property
    def columns(self):
        now = timezone.now()
        return [
            self._get_title_column_class(TitleColumn)(
                "course",
                label=_("Training"),
                accessor=lambda stop: stop.course.title if stop.course_id else _("alle trainingen"),
                get_url=self.get_edit_url,
            ),
            Column(
                "location",
                label=_("Locatie"),
                accessor=lambda stop: str(stop.location) if stop.location_id else _("alle locaties"),
            ),
            Column("starts_at", label=_("Vanaf"), accessor=lambda stop: when(stop.starts_at), sort_key="starts_at"),
            Column(
                "ends_at",
                label=_("Tot"),
                accessor=lambda stop: when(stop.ends_at) or _("tot nader order"),
                sort_key="ends_at",
            ),
            Column(
                "active", label=_("Geldt nu"), accessor=lambda stop: _("ja") if stop_is_active(stop, now) else _("nee")
            ),
        ]


class RegistrationStopViewSet(ModelViewSet):
    model = RegistrationStop
    name = "aanmeldstops"
    icon = "warning"
    menu_label = gettext_lazy("Aanmeldstops")
    index_view_class = RegistrationStopIndexView
    add_view_class = RegistrationStopCreateView
    copy_view_enabled = False
    list_filter = ["course", "location"]

    def get_form_class(self, for_update=False):
        return RegistrationStopForm
