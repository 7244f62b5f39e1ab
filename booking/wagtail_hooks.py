"""The coordinators' "Planning" menu in the Wagtail admin, the office's screens, and its work on the admin home.

Agenda, groups, enrollments, waiting list, stops, payments and transfers, the access log, and the privacy
pages (erasure on request, inzage exports) reached from an enrollment.
"""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail_modeladmin.options import modeladmin_register

from booking.staff import agenda, dashboard, enrollment_actions, imports, minimum, outbox, phone_signup, transfers
from booking.staff.access_log import AccessLogViewSet
from booking.staff.enrollments import EnrollmentAdmin
from booking.staff.groups import GroupViewSet
from booking.staff.payments import PaymentAdmin
from booking.staff.payments import admin_urls as payment_admin_urls
from booking.staff.privacy import admin_urls as privacy_admin_urls
from booking.staff.stops import RegistrationStopViewSet
from booking.staff.waitlist import WaitlistViewSet
from home.dashboard import WORK_PANEL_HOOK

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


class PermissionMenuItem(MenuItem):
    """A menu item for users with one permission."""

    def __init__(self, *args, permission, **kwargs):
        self.permission = permission
        super().__init__(*args, **kwargs)

    def is_shown(self, request):
        return request.user.has_perm(self.permission)


@hooks.register(PLANNING_MENU_HOOK)
def phone_signup_menu_item():
    return PermissionMenuItem(
        _("Aanmelden (telefoon, balie)"),
        reverse("kantoor_aanmelden"),
        icon_name="user",
        order=0,
        permission=phone_signup.ADD_PERMISSION,
    )


@hooks.register(PLANNING_MENU_HOOK)
def groups_to_decide_menu_item():
    return PermissionMenuItem(
        _("Groepen met te weinig aanmeldingen"),
        minimum.list_url(),
        icon_name="warning",
        order=1,
        permission="booking.change_traininggroup",
    )


@hooks.register(PLANNING_MENU_HOOK)
def failed_emails_menu_item():
    return PermissionMenuItem(
        _("Mislukte e-mails"), outbox.outbox_url(), icon_name="mail", order=7, permission=outbox.VIEW_PERMISSION
    )


@hooks.register(PLANNING_MENU_HOOK)
def import_menu_item():
    return PermissionMenuItem(
        _("Importeren"), imports.import_url(), icon_name="upload", order=8, permission=imports.PERMISSION
    )


@hooks.register("register_admin_urls")
def office_urls():
    return [
        *phone_signup.admin_urls(),
        *enrollment_actions.admin_urls(),
        *minimum.admin_urls(),
        *outbox.admin_urls(),
        *imports.admin_urls(),
    ]


@hooks.register("register_log_actions")
def register_planning_log_actions(actions):
    actions.register_action("booking.group.open", _("Open voor aanmelding"), _("Opengezet voor aanmelding"))
    actions.register_action("booking.group.close", _("Aanmelding gesloten"), _("Aanmelding gesloten"))
    actions.register_action("booking.group.cancel", _("Groep afgezegd"), _("Groep afgezegd"))
    actions.register_action("booking.group.go_ahead", _("Gaat door onder het minimum"), _("Besloten: gaat door"))
    actions.register_action("booking.group.merge", _("Samengevoegd"), _("Samengevoegd met een andere groep"))


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


@hooks.register(WORK_PANEL_HOOK)
def groups_to_decide_panel(request):
    return dashboard.GroupsToDecidePanel(request)


@hooks.register(WORK_PANEL_HOOK)
def offers_waiting_panel(request):
    return dashboard.OffersWaitingPanel(request)


@hooks.register(WORK_PANEL_HOOK)
def failed_emails_panel(request):
    return dashboard.FailedEmailsPanel(request)


@hooks.register(WORK_PANEL_HOOK)
def payments_to_check_panel(request):
    return dashboard.PaymentsToCheckPanel(request)
