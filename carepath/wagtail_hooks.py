"""The care path in the Wagtail admin: the "Zorgpad" menu, and the letters to send on the admin home."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.snippets.models import register_snippet

from home.dashboard import WORK_PANEL_HOOK

from . import letters_admin
from .admin import CarePathMenu, DecisionAidViewSet


@hooks.register("register_admin_viewset")
def register_care_path_menu():
    return CarePathMenu()


@hooks.register("register_admin_urls")
def care_path_admin_urls():
    return letters_admin.admin_urls()


class LettersMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm(letters_admin.PERMISSION)


@hooks.register(CarePathMenu.submenu_hook)
def letters_menu_item():
    return LettersMenuItem(_("Brieven aan de huisarts"), reverse("brieven"), icon_name="mail", order=30)


@hooks.register(WORK_PANEL_HOOK)
def letters_to_send(request):
    return letters_admin.LettersPanel(request)


@hooks.register(WORK_PANEL_HOOK)
def calls_to_make(request):
    return letters_admin.CallsPanel(request)


register_snippet(DecisionAidViewSet)
