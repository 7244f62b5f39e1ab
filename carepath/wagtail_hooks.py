"""The care path in the Wagtail admin: the "Zorgpad" menu (practices, referrals)."""

from wagtail import hooks

from .admin import CarePathMenu


@hooks.register("register_admin_viewset")
def register_care_path_menu():
    return CarePathMenu()
