"""Payments for coordinators in the Wagtail admin: list, filter, look at one, act on it, export.

The listing is read only; every change is an action page that calls
``booking.payments.services`` (mark an offline payment paid, waive with a
reason, refund part or all, record an offline refund as done). Every look at
participant data here (list, detail, export, action) is written to the
access log.
"""

from django import forms
from django.contrib.admin import SimpleListFilter
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView
from wagtail.admin import messages
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail_modeladmin.options import ModelAdmin
from wagtail_modeladmin.views import IndexView, InspectView

from booking.models import Enrollment, Payment, Refund
from booking.payments import coordinator, gateway
from booking.services import money
from booking.services.access_log import Action, group_where, log_access
from booking.services.errors import BookingError
from booking.services.money import euro
from booking.staff.export import ReadOnlyPermissionHelper, SafeSpreadsheetExportMixin
from booking.staff.listing import CourseFilter, naive_local

BASE_URL_PATH = "betalingen"
VIEW_PERMISSION = "booking.view_payment"
CHANGE_PERMISSION = "booking.change_payment"


def payment_url(name, payment):
    return reverse(f"{BASE_URL_PATH}_modeladmin_{name}", args=(payment.pk,))


def action_url(name, payment):
    return reverse(f"betalingen_{name}", args=(payment.pk,))


def _participant_ids(payment):
    return [e.participant_id for e in payment.enrollments.all()]


# --- listing -------------------------------------------------------------------------------------


class RefundFilter(SimpleListFilter):
    title = gettext_lazy("terugbetaling")
    parameter_name = "refund"

    def lookups(self, request, model_admin):
        return [
            ("pending", _("wordt terugbetaald")),
            ("failed", _("terugbetaling mislukt")),
            ("any", _("met terugbetaling")),
            ("lost", _("betaald zonder plaats")),
        ]

    def queryset(self, request, queryset):
        value = self.value()
        if value == "pending":
            return queryset.filter(refunds__status=Refund.Status.PENDING).distinct()
        if value == "failed":
            return queryset.filter(refunds__status=Refund.Status.FAILED).distinct()
        if value == "any":
            return queryset.filter(refunds__isnull=False).distinct()
        if value == "lost":
            return queryset.filter(placement=Payment.Placement.LOST)
        return queryset


class PaymentPermissionHelper(ReadOnlyPermissionHelper):
    """Coordinators list, look at and export payments; changes go through the action pages only."""

    view_permission = VIEW_PERMISSION


class PaymentIndexView(SafeSpreadsheetExportMixin, IndexView):
    export_headings = {
        "references": gettext_lazy("Kenmerk"),
        "names": gettext_lazy("Deelnemers"),
        "emails": gettext_lazy("E-mailadressen"),
        "course_title": gettext_lazy("Training"),
        "location_name": gettext_lazy("Locatie"),
        "group_number": gettext_lazy("Groepsnummer"),
        "places": gettext_lazy("Plaatsen"),
        "amount": gettext_lazy("Bedrag (euro)"),
        "refunded": gettext_lazy("Terugbetaald (euro)"),
        "provider_label": gettext_lazy("Manier van betalen"),
        "status_label": gettext_lazy("Status"),
        "method": gettext_lazy("Betaalmethode"),
        "mollie_id": gettext_lazy("Mollie-betalingsnummer"),
        "paid_on": gettext_lazy("Betaald op"),
        "created_on": gettext_lazy("Aangemaakt op"),
        "exemption_reason": gettext_lazy("Reden vrijstelling"),
    }

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        shown = [pid for payment in context["object_list"] for pid in _participant_ids(payment)]
        log_access(self.request.user, shown, Action.VIEW_LIST, "betalingen: overzicht")
        return context

    def as_spreadsheet(self, queryset, spreadsheet_format):
        ids = list(Enrollment.objects.filter(payments__in=queryset).values_list("participant_id", flat=True))
        log_access(self.request.user, ids, Action.EXPORT, f"betalingen: export ({spreadsheet_format})")
        return super().as_spreadsheet(queryset, spreadsheet_format)


class PaymentInspectView(InspectView):
    """One payment: for whom, its history, its refunds, and what a coordinator can do with it."""

    def get_page_title(self):
        return _("Betaling %(number)s") % {"number": self.instance.pk}

    def get_context_data(self, **kwargs):
        payment = self.instance
        enrollments = list(payment.enrollments.select_related("participant").order_by("pk"))
        log_access(
            self.request.user,
            [e.participant_id for e in enrollments],
            Action.VIEW,
            group_where(payment.group, "betaling bekeken"),
        )
        can_change = self.request.user.has_perm(CHANGE_PERMISSION)
        allowed = coordinator.payment_actions(payment) if can_change else dict.fromkeys(coordinator.ACTIONS, False)
        refunds = list(payment.refunds.select_related("created_by").order_by("created_at", "pk"))
        return super().get_context_data(
            payment=payment,
            enrollments=enrollments,
            events=list(payment.events.select_related("user", "refund").order_by("at", "pk")),
            refunds=refunds,
            refundable=payment.refundable_amount(),
            can_mark_paid=allowed["mark_paid"],
            can_waive=allowed["waive"],
            can_refund=allowed["refund"],
            open_offline_refunds=[r for r in refunds if can_change and coordinator.can_mark_refund_done(r)],
            method_label=gateway.method_label(payment.method)
            if payment.provider == Payment.Provider.MOLLIE
            else payment.method,
            mark_paid_url=action_url("mark_paid", payment),
            waive_url=action_url("waive", payment),
            refund_url=action_url("refund", payment),
            **kwargs,
        )


class PaymentAdmin(ModelAdmin):
    model = Payment
    menu_label = gettext_lazy("Betalingen")
    menu_icon = "doc-full"
    base_url_path = BASE_URL_PATH
    add_to_admin_menu = False  # in the Planning menu (see wagtail_hooks_payments)
    permission_helper_class = PaymentPermissionHelper
    index_view_class = PaymentIndexView
    inspect_view_class = PaymentInspectView
    inspect_view_enabled = True
    inspect_template_name = "booking/admin/payment_inspect.html"
    history_view_enabled = False
    list_display = ("names", "course_title", "amount_display", "provider", "status", "refund_display", "paid_at")
    list_filter = ("status", CourseFilter, "provider", RefundFilter)
    search_fields = (
        "mollie_id",
        "enrollments__reference",
        "enrollments__participant__last_name",
        "enrollments__participant__email",
    )
    list_export = (
        "references",
        "names",
        "emails",
        "course_title",
        "location_name",
        "group_number",
        "places",
        "amount",
        "refunded",
        "provider_label",
        "status_label",
        "method",
        "mollie_id",
        "paid_on",
        "created_on",
        "exemption_reason",
    )
    export_filename = "betalingen"
    list_per_page = 50
    ordering = ("-created_at",)
    empty_value_display = ""

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("group__course", "group__location")
            .prefetch_related(
                Prefetch("enrollments", queryset=Enrollment.objects.select_related("participant").order_by("pk")),
                "refunds",
            )
            .distinct()
        )

    # --- columns ---------------------------------------------------------------------------------

    def number(self, obj):
        return obj.pk

    number.short_description = gettext_lazy("nr.")
    number.admin_order_field = "pk"

    @staticmethod
    def _mine(obj):
        return [e for e in obj.enrollments.all() if e.party == obj.party] or list(obj.enrollments.all())

    def names(self, obj):
        return ", ".join(e.participant.full_name for e in self._mine(obj))

    names.short_description = gettext_lazy("deelnemers")

    def references(self, obj):
        return ", ".join(e.reference for e in self._mine(obj))

    def emails(self, obj):
        return ", ".join(e.participant.email for e in self._mine(obj))

    def course_title(self, obj):
        return obj.group.course.title

    course_title.short_description = gettext_lazy("training")
    course_title.admin_order_field = "group__course__title"

    def location_name(self, obj):
        return str(obj.group.location)

    def group_number(self, obj):
        return obj.group_id

    def amount_display(self, obj):
        return money.euro(obj.amount)

    amount_display.short_description = gettext_lazy("bedrag")
    amount_display.admin_order_field = "amount"

    @staticmethod
    def _refunded(obj):
        return sum((r.amount for r in obj.refunds.all() if r.status != Refund.Status.FAILED), start=money.ZERO)

    def refund_display(self, obj):
        total = self._refunded(obj)
        if not total:
            return ""
        pending = any(r.status == Refund.Status.PENDING for r in obj.refunds.all())
        return f"{euro(total)}{' (' + _('loopt') + ')' if pending else ''}"

    refund_display.short_description = gettext_lazy("terugbetaald")

    def refunded(self, obj):
        return self._refunded(obj)

    def provider_label(self, obj):
        return obj.get_provider_display()

    def status_label(self, obj):
        return obj.get_status_display()

    def paid_on(self, obj):
        return naive_local(obj.paid_at)

    def created_on(self, obj):
        return naive_local(obj.created_at)


# --- action pages --------------------------------------------------------------------------------


class PaymentActionMixin(WagtailAdminTemplateMixin):
    header_icon = "doc-full"
    template_name = "booking/admin/payment_action.html"
    form_class = None
    action_title = ""
    submit_label = ""
    where = ""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm(CHANGE_PERMISSION):
            raise PermissionDenied
        self.payment = get_object_or_404(
            Payment.objects.select_related("group__course", "group__location"), pk=kwargs["pk"]
        )
        return super().dispatch(request, *args, **kwargs)

    def get_page_title(self):
        return self.action_title

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [
            {"url": reverse(f"{BASE_URL_PATH}_modeladmin_index"), "label": _("Betalingen")},
            {
                "url": payment_url("inspect", self.payment),
                "label": _("Betaling %(number)s") % {"number": self.payment.pk},
            },
            {"url": "", "label": self.action_title},
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        enrollments = list(self.payment.enrollments.select_related("participant").order_by("pk"))
        context.update(
            payment=self.payment,
            enrollments=enrollments,
            refundable=self.payment.refundable_amount(),
            submit_label=self.submit_label,
            explanation=self.explanation(),
            back_url=payment_url("inspect", self.payment),
        )
        return context

    def explanation(self):
        return ""

    def get(self, request, *args, **kwargs):
        return self.render_to_response(self.get_context_data(form=self.form_class(**self.form_kwargs())))

    def form_kwargs(self, data=None):
        return {"data": data}

    def post(self, request, *args, **kwargs):
        form = self.form_class(**self.form_kwargs(request.POST))
        if form.is_valid():
            try:
                message = self.act(form)
            except ValidationError as error:
                if hasattr(error, "error_dict"):
                    for name, errors in error.error_dict.items():
                        form.add_error(name if name in form.fields else None, errors)
                else:
                    form.add_error(None, error)
            except BookingError as refusal:
                form.add_error(None, refusal.message)
            else:
                log_access(
                    request.user,
                    _participant_ids(self.payment),
                    Action.EDIT,
                    group_where(self.payment.group, self.where),
                )
                messages.success(request, message)
                return redirect(payment_url("inspect", self.payment))
        return self.render_to_response(self.get_context_data(form=form), status=400)


class MarkPaidForm(forms.Form):
    METHODS = [
        ("contant bij de eerste bijeenkomst", gettext_lazy("Contant bij de eerste bijeenkomst")),
        ("pin bij de eerste bijeenkomst", gettext_lazy("Pin bij de eerste bijeenkomst")),
        ("bankoverschrijving", gettext_lazy("Bankoverschrijving")),
    ]
    method = forms.ChoiceField(
        label=gettext_lazy("Hoe is er betaald?"),
        choices=METHODS,
        widget=forms.RadioSelect,
        error_messages={"required": gettext_lazy("Kies hoe er is betaald.")},
    )
    paid_on = forms.DateField(
        label=gettext_lazy("Betaald op"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={
            "required": gettext_lazy("Vul de datum van betalen in."),
            "invalid": gettext_lazy("Vul een datum in, bijvoorbeeld 12-01-2027."),
        },
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {"paid_on": timezone.localdate()})
        super().__init__(*args, **kwargs)


class MarkPaidView(PaymentActionMixin, TemplateView):
    form_class = MarkPaidForm
    action_title = gettext_lazy("Betaling ontvangen")
    submit_label = gettext_lazy("Zet op betaald")
    where = "betaling: op betaald gezet"

    def explanation(self):
        return _("De deelnemer krijgt een e-mail met het betaalbewijs.")

    def act(self, form):
        coordinator.mark_offline_paid(
            self.payment, by=self.request.user, method=form.cleaned_data["method"], paid_on=form.cleaned_data["paid_on"]
        )
        return _("De betaling staat op betaald. De deelnemer krijgt het betaalbewijs per e-mail.")


class WaiveForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reden"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy(
            "Waarom hoeft deze deelnemer niet te betalen? Dit wordt bewaard, de deelnemer ziet het niet."
        ),
        error_messages={
            "required": gettext_lazy("Schrijf op waarom deze deelnemer de eigen bijdrage niet hoeft te betalen.")
        },
    )


class WaiveView(PaymentActionMixin, TemplateView):
    form_class = WaiveForm
    action_title = gettext_lazy("Eigen bijdrage kwijtschelden")
    submit_label = gettext_lazy("Schelden kwijt")
    where = "betaling: kwijtgescholden"

    def explanation(self):
        return _("De deelnemer hoeft %(amount)s niet meer te betalen.") % {"amount": euro(self.payment.amount)}

    def act(self, form):
        coordinator.waive(self.payment, by=self.request.user, reason=form.cleaned_data["reason"])
        return _("De eigen bijdrage is kwijtgescholden.")


class RefundForm(forms.Form):
    amount = forms.CharField(
        label=gettext_lazy("Bedrag in euro"),
        max_length=20,
        help_text=gettext_lazy("Bijvoorbeeld 17,50."),
        error_messages={"required": gettext_lazy("Vul een bedrag in, bijvoorbeeld 17,50.")},
    )
    reason = forms.CharField(
        label=gettext_lazy("Reden"),
        max_length=300,
        required=False,
        help_text=gettext_lazy("Deze tekst staat in de e-mail aan de deelnemer."),
    )

    def __init__(self, *args, refundable, **kwargs):
        kwargs.setdefault("initial", {"amount": f"{refundable:.2f}".replace(".", ",")})
        super().__init__(*args, **kwargs)
        self.refundable = refundable

    def clean_amount(self):
        # Only reading what was typed; whether it may be refunded is the service's rule (its message lands here).
        return money.parse_amount(self.cleaned_data["amount"])


class RefundView(PaymentActionMixin, TemplateView):
    form_class = RefundForm
    action_title = gettext_lazy("Terugbetalen")
    submit_label = gettext_lazy("Betaal terug")
    where = "betaling: terugbetaald"

    def form_kwargs(self, data=None):
        return {"data": data, "refundable": self.payment.refundable_amount()}

    def explanation(self):
        if self.payment.provider == Payment.Provider.MOLLIE:
            return _(
                "Het geld gaat via Mollie terug naar de rekening waarmee de deelnemer betaalde. De deelnemer krijgt "
                "een e-mail."
            )
        return _(
            "De deelnemer betaalde niet online. Maak het bedrag zelf over en zet de terugbetaling daarna op gedaan. "
            "De deelnemer krijgt een e-mail."
        )

    def act(self, form):
        coordinator.refund_by_coordinator(
            self.payment, form.cleaned_data["amount"], by=self.request.user, reason=form.cleaned_data["reason"]
        )
        return _("De terugbetaling van %(amount)s is aangemaakt.") % {"amount": euro(form.cleaned_data["amount"])}


class RefundDoneView(PaymentActionMixin, TemplateView):
    """POST only: an offline refund has been transferred by hand."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        refund = get_object_or_404(Refund, pk=kwargs["refund_pk"], payment=self.payment)
        try:
            coordinator.mark_refund_done(refund, by=request.user)
        except BookingError as refusal:
            messages.error(request, refusal.message)
        else:
            log_access(
                request.user,
                _participant_ids(self.payment),
                Action.EDIT,
                group_where(self.payment.group, "terugbetaling gedaan"),
            )
            messages.success(request, _("De terugbetaling staat op gedaan."))
        return redirect(payment_url("inspect", self.payment))


def admin_urls():
    return [
        path("betalingen/<int:pk>/betaald/", MarkPaidView.as_view(), name="betalingen_mark_paid"),
        path("betalingen/<int:pk>/kwijtschelden/", WaiveView.as_view(), name="betalingen_waive"),
        path("betalingen/<int:pk>/terugbetalen/", RefundView.as_view(), name="betalingen_refund"),
        path(
            "betalingen/<int:pk>/terugbetaling/<int:refund_pk>/gedaan/",
            RefundDoneView.as_view(),
            name="betalingen_refund_done",
        ),
    ]
