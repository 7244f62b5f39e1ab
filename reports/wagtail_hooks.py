"""The figures in the admin menu and URLs, for those with `reports.view_figures`."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from . import admin_views


class FiguresMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm(admin_views.PERMISSION)


@hooks.register("register_admin_urls")
def figures_urls():
    return admin_views.admin_urls()


@hooks.register("register_admin_menu_item")
def figures_menu_item():
    return FiguresMenuItem(_("Cijfers"), reverse("cijfers"), icon_name="table", order=450)


@hooks.register("register_admin_menu_item")
def demand_menu_item():
    return FiguresMenuItem(_("Vraagkaart"), reverse("cijfers_vraag"), icon_name="site", order=451)
