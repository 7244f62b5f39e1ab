"""The coordinators' "Planning" menu in the Wagtail admin.

Agenda, groups, enrollments, waiting list, stops, payments and transfers, the access log, and the privacy
pages (erasure on request, inzage exports) reached from an enrollment.
"""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail_modeladmin.options import modeladmin_register

from booking.staff import agenda, transfers
from booking.staff.access_log import AccessLogViewSet
from booking.staff.enrollments import EnrollmentAdmin
from booking.staff.groups import GroupViewSet
from booking.staff.payments import PaymentAdmin
from booking.staff.payments import admin_urls as payment_admin_urls
from booking.staff.privacy import admin_urls as privacy_admin_urls
from booking.staff.stops import RegistrationStopViewSet
from booking.staff.waitlist import WaitlistViewSet

PLANNING_MENU_HOOK = "register_planning_menu_item"


class PlanningMenu(ViewSetGroup):
    menu_label = _("Planning")
    menu_icon = "date"
    menu_order = 150
    # The enrollments listing is a modeladmin, not a viewset; it joins this menu through the hook.
    submenu_hook = PLANNING_MENU_HOOK
    items = (
        GroupViewSet(menu_order=1),
        WaitlistViewSet(menu_order=3),
        RegistrationStopViewSet(menu_order=4),
        AccessLogViewSet(menu_order=5),
    )


@hooks.register("register_admin_viewset")
def register_planning():
    return PlanningMenu()


modeladmin_register(EnrollmentAdmin)


@hooks.register(PLANNING_MENU_HOOK)
def enrollments_menu_item():
    return EnrollmentAdmin().get_menu_item(order=2)


@hooks.register("register_log_actions")
def register_planning_log_actions(actions):
    actions.register_action("booking.group.open", _("Open voor aanmelding"), _("Opengezet voor aanmelding"))
    actions.register_action("booking.group.close", _("Aanmelding gesloten"), _("Aanmelding gesloten"))
    actions.register_action("booking.group.cancel", _("Groep afgezegd"), _("Groep afgezegd"))


modeladmin_register(PaymentAdmin)


@hooks.register(PLANNING_MENU_HOOK)
def payments_menu_item():
    return PaymentAdmin().get_menu_item(order=6)


@hooks.register("register_admin_urls")
def payment_action_urls():
    return payment_admin_urls()


@hooks.register("register_admin_urls")
def privacy_urls():
    return privacy_admin_urls()


class AgendaMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm(agenda.PERMISSION)


@hooks.register(PLANNING_MENU_HOOK)
def agenda_menu_item():
    return AgendaMenuItem(_("Agenda"), reverse("agenda_index"), icon_name="calendar", order=0)


@hooks.register("register_admin_urls")
def agenda_urls():
    return agenda.admin_urls()


class TransfersMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm(transfers.CHANGE_PERMISSION)


@hooks.register(PLANNING_MENU_HOOK)
def transfers_menu_item():
    return TransfersMenuItem(_("Overboekingen"), reverse("overboekingen"), icon_name="doc-full", order=7)


@hooks.register("register_admin_urls")
def transfer_urls():
    return transfers.admin_urls()
