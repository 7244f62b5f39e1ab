"""Training days in the Wagtail admin: "Scholing" in the menu for the office, with who comes and the export."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from . import admin_views


@hooks.register("register_admin_urls")
def training_day_admin_urls():
    return admin_views.admin_urls()


class TrainingDaysMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm(admin_views.PERMISSION)


@hooks.register("register_admin_menu_item")
def training_days_menu_item():
    return TrainingDaysMenuItem(_("Scholing"), reverse("events_admin"), icon_name="group", order=260)
