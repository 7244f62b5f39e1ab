from django.utils.translation import gettext_lazy as _
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from booking.models import Location
from courses.models import Theme, Trainer


class ThemeViewSet(SnippetViewSet):
    model = Theme
    icon = "tag"
    list_display = ["name", "description"]
    search_fields = ["name"]


class TrainerViewSet(SnippetViewSet):
    model = Trainer
    icon = "group"
    list_display = ["name", "profession", "user"]
    search_fields = ["name", "profession"]


class LocationViewSet(SnippetViewSet):
    model = Location
    icon = "site"
    list_display = ["name", "kind", "town", "postcode"]
    list_filter = ["kind", "town"]
    search_fields = ["name", "town"]


class TrainingDataGroup(SnippetViewSetGroup):
    """Reference data for trainings, together in one menu."""

    menu_label = _("Trainingsgegevens")
    menu_icon = "folder-open-inverse"
    menu_order = 200
    items = (ThemeViewSet, TrainerViewSet, LocationViewSet)


register_snippet(TrainingDataGroup)
