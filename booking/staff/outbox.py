"""Emails that could not be sent, for the office: what kind, to whom, the error, and a button to try again.

The periodic run tries each failed email again by itself (up to ten times);
this screen is for what keeps failing (a wrong address) and for a try right
now. Who the emails were for is participant data: looking is logged.
"""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView
from wagtail.admin import messages
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from booking.models import OutgoingEmail
from booking.services import notifications
from booking.services.access_log import Action, log_access

VIEW_PERMISSION = "booking.view_outgoingemail"
CHANGE_PERMISSION = "booking.change_outgoingemail"
SHOWN = 100

KIND_LABELS = {
    "confirmation": gettext_lazy("bevestiging van een aanmelding"),
    "cancellation": gettext_lazy("afmelding"),
    "group_cancelled": gettext_lazy("groep gaat niet door"),
    "moved": gettext_lazy("verplaatst naar een andere groep"),
    "hold_expired": gettext_lazy("reservering verlopen"),
    "new_links": gettext_lazy("persoonlijke links"),
    "offer": gettext_lazy("plaats aangeboden"),
    "offer_accepted": gettext_lazy("aanbod aangenomen"),
    "offer_expired": gettext_lazy("aanbod verlopen"),
    "payment_no_place": gettext_lazy("betaald, maar geen plaats"),
    "payment_received": gettext_lazy("betaling ontvangen"),
    "refund": gettext_lazy("terugbetaling"),
    "reminder_first": gettext_lazy("herinnering eerste bijeenkomst"),
    "reminder_session": gettext_lazy("herinnering bijeenkomst"),
    "waitlist_check": gettext_lazy("wacht u nog?"),
    "waitlist_joined": gettext_lazy("op de wachtlijst"),
    "waitlist_removed": gettext_lazy("van de wachtlijst gehaald"),
    "professional_decision": gettext_lazy("besluit over toegang professional"),
}


def kind_label(kind):
    return KIND_LABELS.get(kind, kind)


def outbox_url():
    return reverse("mislukte_emails")


class FailedEmailsView(WagtailAdminTemplateMixin, TemplateView):
    template_name = "booking/admin/failed_emails.html"
    header_icon = "mail"
    page_title = gettext_lazy("E-mails die niet verstuurd zijn")

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm(VIEW_PERMISSION):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_page_title(self):
        return self.page_title

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [{"url": "", "label": self.get_page_title()}]

    def get_context_data(self, **kwargs):
        failed = notifications.failed_emails()
        emails = list(failed.order_by("-created_at", "-pk")[:SHOWN])
        for email in emails:
            email.kind_label = kind_label(email.kind)
        log_access(self.request.user, [e.participant_id for e in emails], Action.VIEW_LIST, "mislukte e-mails")
        return super().get_context_data(
            emails=emails,
            total=failed.count(),
            shown=SHOWN,
            may_retry=self.request.user.has_perm(CHANGE_PERMISSION),
            **kwargs,
        )


class RetryView(WagtailAdminTemplateMixin, TemplateView):
    http_method_names = ["post"]

    def post(self, request, pk):
        if not request.user.has_perm(CHANGE_PERMISSION):
            raise PermissionDenied
        email = get_object_or_404(OutgoingEmail, pk=pk)
        if email.sent_at is not None:
            messages.info(request, _("Deze e-mail is intussen al verstuurd."))
        else:
            notifications.send_again(email.pk)
            messages.success(
                request, _("De e-mail wordt opnieuw verstuurd. Lukt het weer niet, dan staat hij hier nog.")
            )
        return redirect(outbox_url())


def admin_urls():
    return [
        path("mislukte-emails/", FailedEmailsView.as_view(), name="mislukte_emails"),
        path("mislukte-emails/<int:pk>/opnieuw/", RetryView.as_view(), name="mislukte_emails_opnieuw"),
    ]
