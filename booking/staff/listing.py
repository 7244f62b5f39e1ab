"""Pieces the staff listings share: the course filter, and a Wagtail viewset that only lists and shows."""

from django.contrib.admin import SimpleListFilter
from django.utils import timezone
from django.utils.translation import gettext_lazy

from courses.models import CoursePage
from home.languages import originals


def naive_local(value):
    """A datetime on the Dutch clock without time zone, as spreadsheets expect; None stays None."""
    return timezone.localtime(value).replace(tzinfo=None) if value else None


class CourseFilter(SimpleListFilter):
    """Filter rows that belong to a group (`group__course`) by its training."""

    title = gettext_lazy("training")
    parameter_name = "course"

    def lookups(self, request, model_admin):
        return [
            (str(pk), title)
            for pk, title in originals(CoursePage.objects.all()).order_by("title").values_list("pk", "title")
        ]

    def queryset(self, request, queryset):
        value = self.value()
        return queryset.filter(group__course_id=int(value)) if value and value.isdigit() else queryset


class ListOnlyViewSetMixin:
    """For a ModelViewSet whose rows are made elsewhere (the site, the services): no add, edit, copy or delete."""

    copy_view_enabled = False

    def get_form_class(self, for_update=False):
        return None

    def get_common_view_kwargs(self, **kwargs):
        return {
            **super().get_common_view_kwargs(**kwargs),
            "add_url_name": None,
            "edit_url_name": None,
            "delete_url_name": None,
            "history_url_name": None,
            "usage_url_name": None,
        }
