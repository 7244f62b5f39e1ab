"""Payments in the coordinators' admin: the "Betalingen" listing in the Planning menu, and its action pages.

Imported at the end of ``booking/wagtail_hooks.py`` (Wagtail only loads modules
of that name by itself).
"""

from wagtail import hooks
from wagtail_modeladmin.options import modeladmin_register

from .admin_payments import PaymentAdmin, admin_urls
from .wagtail_hooks import PLANNING_MENU_HOOK

modeladmin_register(PaymentAdmin)


@hooks.register(PLANNING_MENU_HOOK)
def payments_menu_item():
    return PaymentAdmin().get_menu_item(order=6)


@hooks.register("register_admin_urls")
def payment_action_urls():
    return admin_urls()
