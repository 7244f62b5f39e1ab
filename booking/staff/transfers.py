"""Transfers in the admin: mark one paid by its kenmerk, or read a bank statement and apply it after a preview.

The rules are in ``booking.payments.statements``; this screen shows their
answers. Every look at participant names here is written to the access log.
"""

from django import forms
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.generic import TemplateView
from wagtail.admin import messages
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from booking.models import Payment
from booking.payments import statements
from booking.services.access_log import Action, log_access
from booking.services.transfers import bank_account, payment_reference
from booking.staff.payments import CHANGE_PERMISSION, payment_url

SIGNING_SALT = "groepswijzer.bankafschrift"
PREVIEW_SECONDS = 60 * 60

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def transfers_url():
    return reverse("overboekingen")


class ReferenceForm(forms.Form):
    reference = forms.CharField(
        label=gettext_lazy("Kenmerk"),
        max_length=40,
        help_text=gettext_lazy("Het kenmerk uit de omschrijving van de overboeking, bijvoorbeeld K7M3PQ9X."),
        error_messages={"required": gettext_lazy("Vul het kenmerk in.")},
    )
    paid_on = forms.DateField(
        label=gettext_lazy("Ontvangen op"),
        widget=DATE_INPUT,
        error_messages={
            "required": gettext_lazy("Vul de datum in waarop het geld binnenkwam."),
            "invalid": gettext_lazy("Vul een datum in, bijvoorbeeld 12-01-2027."),
        },
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {"paid_on": timezone.localdate()})
        kwargs.setdefault("prefix", "kenmerk")
        super().__init__(*args, **kwargs)


class StatementForm(forms.Form):
    statement = forms.FileField(
        label=gettext_lazy("Bankafschrift"),
        help_text=gettext_lazy("Een CSV-bestand of een CAMT.053-bestand (XML) uit uw internetbankieren."),
        error_messages={"required": gettext_lazy("Kies het bestand met het bankafschrift.")},
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.txt,.xml,text/csv,application/xml,text/xml"}),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "afschrift")
        super().__init__(*args, **kwargs)


def _participants(payments):
    return [enrollment.participant_id for payment in payments for enrollment in payment.enrollments.all()]


class TransfersView(WagtailAdminTemplateMixin, TemplateView):
    """/admin/overboekingen/: what is still to come in, one transfer by kenmerk, and a bank statement."""

    template_name = "booking/admin/transfers.html"
    page_title = gettext_lazy("Overboekingen")
    header_icon = "doc-full"

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [{"url": "", "label": self.page_title}]

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm(CHANGE_PERMISSION):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def open_transfers(self):
        payments = list(
            Payment.objects.filter(provider=Payment.Provider.TRANSFER, status=Payment.Status.OPEN)
            .select_related("group__course", "group__location")
            .prefetch_related("enrollments__participant")
            .order_by("due_on", "pk")
        )
        today = timezone.localdate()
        rows = [
            {
                "payment": payment,
                "reference": payment_reference(payment),
                "names": ", ".join(e.participant.full_name for e in payment.enrollments.all()),
                "overdue": payment.due_on is not None and payment.due_on < today,
                "url": payment_url("inspect", payment),
            }
            for payment in payments
        ]
        log_access(self.request.user, _participants(payments), Action.VIEW_LIST, "overboekingen: nog niet binnen")
        return rows

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("reference_form", ReferenceForm())
        context.setdefault("statement_form", StatementForm())
        context.update(account=bank_account(), open_rows=self.open_transfers())
        return context

    def post(self, request, *args, **kwargs):
        if "apply" in request.POST:
            return self.apply(request)
        if "afschrift-statement" in request.FILES or "read" in request.POST:
            return self.preview(request)
        return self.mark_one(request)

    def mark_one(self, request):
        form = ReferenceForm(request.POST)
        if form.is_valid():
            try:
                payment = statements.mark_paid_by_reference(
                    form.cleaned_data["reference"], by=request.user, paid_on=form.cleaned_data["paid_on"]
                )
            except ValidationError as error:
                for name, errors in error.message_dict.items():
                    form.add_error(name if name in form.fields else None, errors)
            else:
                log_access(request.user, _participants([payment]), Action.EDIT, "overboekingen: op betaald gezet")
                messages.success(
                    request,
                    _("De betaling met kenmerk %(reference)s staat op betaald. De deelnemer krijgt een betaalbewijs.")
                    % {"reference": payment_reference(payment)},
                )
                return redirect(transfers_url())
        return self.render_to_response(self.get_context_data(reference_form=form))

    def preview(self, request):
        form = StatementForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["statement"]
            try:
                statement = statements.read_statement(upload.read(statements.MAX_BYTES + 1), upload.name)
            except ValidationError as error:
                form.add_error("statement", error)
            else:
                matches = statements.match_statement(statement)
                applying = [match for match in matches if match.applies]
                matched = [match.payment for match in matches if match.payment is not None]
                log_access(request.user, _participants(matched), Action.VIEW_LIST, "overboekingen: bankafschrift")
                return self.render_to_response(
                    self.get_context_data(
                        statement_form=form,
                        statement=statement,
                        matches=matches,
                        applying=applying,
                        signed=signing.dumps([m.plain() for m in applying], salt=SIGNING_SALT, compress=True),
                        filename=upload.name,
                    )
                )
        return self.render_to_response(self.get_context_data(statement_form=form))

    def apply(self, request):
        try:
            items = signing.loads(request.POST.get("signed", ""), salt=SIGNING_SALT, max_age=PREVIEW_SECONDS)
        except signing.BadSignature:
            messages.error(
                request, _("Deze voorvertoning is te oud of niet compleet. Lees het bankafschrift opnieuw in.")
            )
            return redirect(transfers_url())
        paid, notes = statements.apply_matches(items, by=request.user)
        log_access(request.user, _participants(paid), Action.EDIT, "overboekingen: bankafschrift verwerkt")
        messages.success(
            request,
            ngettext(
                "%(count)s betaling staat nu op betaald. De deelnemer krijgt een betaalbewijs.",
                "%(count)s betalingen staan nu op betaald. De deelnemers krijgen een betaalbewijs.",
                len(paid),
            )
            % {"count": len(paid)},
        )
        for note in notes:
            messages.warning(request, note)
        return redirect(transfers_url())


def admin_urls():
    return [path("overboekingen/", TransfersView.as_view(), name="overboekingen")]
