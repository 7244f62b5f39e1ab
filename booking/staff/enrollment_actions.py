"""Action pages for one enrollment in the Wagtail admin: confirm, cancel, move, correct the details, resend the link.

Each page shows the person and the group, asks what it must, and calls one
service of ``booking.staff.office``; the enrollment's own page
(``staff.enrollments``) shows the buttons that ``office.enrollment_actions``
allows. Opening a page with someone's data on it is logged; so is the act.
"""

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import F, Q
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.generic import TemplateView
from wagtail.admin import messages
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from booking.forms import CORRECTION_FIELDS, CorrectionForm
from booking.models import Enrollment, TrainingGroup
from booking.services import places
from booking.services.access_log import Action, group_where, log_access
from booking.services.errors import BookingError
from booking.services.money import euro
from booking.staff import office
from booking.staff.enrollments import BASE_URL_PATH
from booking.staff.groups import service_errors

CHANGE_PERMISSION = "booking.change_enrollment"


def inspect_url(enrollment):
    return reverse(f"{BASE_URL_PATH}_modeladmin_inspect", args=(enrollment.pk,))


def action_url(name, enrollment):
    return reverse(f"aanmelding_{name}", args=(enrollment.pk,))


class EnrollmentActionView(WagtailAdminTemplateMixin, TemplateView):
    """One action on one enrollment, for users who may change enrollments."""

    template_name = "booking/admin/enrollment_action.html"
    header_icon = "user"
    action = ""  # the key in office.enrollment_actions
    action_title = ""
    submit_label = ""
    form_class = None
    where = ""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm(CHANGE_PERMISSION):
            raise PermissionDenied
        self.now = timezone.now()
        self.enrollment = get_object_or_404(
            Enrollment.objects.select_related("participant", "group__course", "group__location"), pk=kwargs["pk"]
        )
        return super().dispatch(request, *args, **kwargs)

    def get_page_title(self):
        return self.action_title

    def get_page_subtitle(self):
        return f"{self.enrollment.reference}, {self.enrollment.participant.full_name}"

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [
            {"url": reverse(f"{BASE_URL_PATH}_modeladmin_index"), "label": _("Aanmeldingen")},
            {"url": inspect_url(self.enrollment), "label": self.get_page_subtitle()},
            {"url": "", "label": self.action_title},
        ]

    def allowed(self):
        return office.enrollment_actions(self.enrollment, self.now)[self.action]

    def make_form(self, data=None):
        return self.form_class(data) if self.form_class else None

    def explanation(self):
        return ""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            enrollment=self.enrollment,
            participant=self.enrollment.participant,
            group=self.enrollment.group,
            state=self.enrollment.state_at(self.now),
            allowed=self.allowed(),
            explanation=self.explanation(),
            submit_label=self.submit_label,
            back_url=inspect_url(self.enrollment),
        )
        return context

    def get(self, request, *args, **kwargs):
        log_access(
            request.user, [self.enrollment.participant], Action.VIEW, group_where(self.enrollment.group, self.where)
        )
        return self.render_to_response(self.get_context_data(form=self.make_form()))

    def post(self, request, *args, **kwargs):
        form = self.make_form(request.POST)
        if not self.allowed():
            messages.error(
                request, _("Dit kan niet meer met deze aanmelding. Bekijk hieronder hoe die er nu voor staat.")
            )
            return redirect(inspect_url(self.enrollment))
        if form is None or form.is_valid():
            try:
                message = self.act(form)
            except ValidationError as error:
                if form is None:
                    messages.error(request, " ".join(error.messages))
                    return redirect(inspect_url(self.enrollment))
                service_errors(form, error)
            except BookingError as refusal:
                if form is None:
                    messages.error(request, str(refusal.message))
                    return redirect(inspect_url(self.enrollment))
                form.add_error(None, refusal.message)
            else:
                messages.success(request, message)
                return redirect(inspect_url(self.enrollment))
        return self.render_to_response(self.get_context_data(form=form), status=400)


# --- confirm ----------------------------------------------------------------------------------------


class ConfirmView(EnrollmentActionView):
    action = "confirm"
    action_title = gettext_lazy("Aanmelding bevestigen")
    submit_label = gettext_lazy("Bevestigen")
    where = "aanmelding bevestigen"

    def explanation(self):
        return _(
            "De aanmelding wordt definitief. De deelnemer betaalt de eigen bijdrage later (bij de eerste "
            "bijeenkomst of per overboeking) en krijgt de bevestiging per e-mail. Is de reservering verlopen en de "
            "plaats intussen weg? Dan lukt bevestigen niet."
        )

    def act(self, form):
        office.confirm_for(self.enrollment, by=self.request.user, now=self.now)
        return _("De aanmelding is bevestigd. De deelnemer krijgt een e-mail.")


# --- cancel -----------------------------------------------------------------------------------------


class CancelForm(forms.Form):
    fee = forms.ChoiceField(
        label=gettext_lazy("De eigen bijdrage"),
        widget=forms.RadioSelect,
        error_messages={"required": gettext_lazy("Kies wat er met de eigen bijdrage gebeurt.")},
    )
    with_partner = forms.BooleanField(label=gettext_lazy("De partner ook afmelden"), required=False)

    def __init__(self, *args, choice, amount, **kwargs):
        super().__init__(*args, **kwargs)
        terms = choice.terms
        by_terms = (
            _("Volgens de afmeldvoorwaarden: geld terug, want het is op tijd")
            if terms.within
            else _("Volgens de afmeldvoorwaarden: geen geld terug, want de afmeldtermijn is voorbij")
        )
        self.fields["fee"].choices = [
            (office.FEE_BY_TERMS, by_terms),
            (office.FEE_WAIVED, _("Zonder kosten: geld terug, wat de voorwaarden ook zeggen")),
            (office.FEE_CHARGED, _("Met kosten: geen geld terug")),
        ]
        self.fields["fee"].initial = office.FEE_BY_TERMS
        self.fields["fee"].help_text = _("Eigen bijdrage: %(amount)s per persoon. %(terms)s") % {
            "amount": amount,
            "terms": terms.text,
        }
        if choice.partner is None:
            del self.fields["with_partner"]
        else:
            self.fields["with_partner"].help_text = _("%(name)s meldde zich samen met deze deelnemer aan.") % {
                "name": choice.partner.participant.full_name
            }


class CancelView(EnrollmentActionView):
    action = "cancel"
    action_title = gettext_lazy("Afmelden")
    submit_label = gettext_lazy("Afmelden")
    where = "afmelden"

    def make_form(self, data=None):
        amount = euro(self.enrollment.group.amount or 0)
        return CancelForm(data, choice=office.cancel_choice(self.enrollment, self.now), amount=amount)

    def explanation(self):
        deadline = office.cancel_choice(self.enrollment, self.now).terms.deadline
        if deadline is None:
            return _("De plaats komt vrij en gaat eerst naar de wachtlijst. De deelnemer krijgt een e-mail.")
        return _(
            "Kosteloos afmelden kan tot %(deadline)s. De plaats komt vrij en gaat eerst naar de wachtlijst. "
            "De deelnemer krijgt een e-mail."
        ) % {"deadline": date_format(timezone.localtime(deadline), "l j F Y, H:i")}

    def act(self, form):
        cancelled = office.cancel_for(
            self.enrollment,
            by=self.request.user,
            fee=form.cleaned_data["fee"],
            with_partner=form.cleaned_data.get("with_partner", False),
            now=self.now,
        )
        return ngettext(
            "%(count)s plaats is afgemeld. De deelnemer krijgt een e-mail.",
            "%(count)s plaatsen zijn afgemeld. De deelnemers krijgen een e-mail.",
            len(cancelled),
        ) % {"count": len(cancelled)}


# --- move -------------------------------------------------------------------------------------------


class MoveForm(forms.Form):
    group = forms.ModelChoiceField(
        label=gettext_lazy("Naar welke groep?"),
        queryset=TrainingGroup.objects.none(),
        empty_label=gettext_lazy("Kies een groep"),
        error_messages={"required": gettext_lazy("Kies de groep waar de deelnemer naartoe gaat.")},
    )
    reason = forms.CharField(
        label=gettext_lazy("Reden"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("Staat in de e-mail aan de deelnemer en wordt bewaard."),
        error_messages={"required": gettext_lazy("Schrijf op waarom deze deelnemer naar een andere groep gaat.")},
    )

    def __init__(self, *args, enrollment, moving, now, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["group"]
        field.queryset = (
            TrainingGroup.objects.filter(course_id=enrollment.group.course_id, status__in=places.MOVE_TARGET_STATUSES)
            .exclude(pk=enrollment.group_id)
            .with_places_left(now)
            .with_first_start()
            .filter(Q(first_start__isnull=True) | Q(first_start__gt=now))
            .select_related("course", "location")
            .order_by(F("first_start").asc(nulls_last=True), "pk")
        )
        field.label_from_instance = lambda group: (
            ngettext("%(group)s (nog %(count)s plaats)", "%(group)s (nog %(count)s plaatsen)", group.places_left)
            % {"group": group, "count": group.places_left}
        )
        if moving > 1:
            field.help_text = _("Samen aangemeld: beide plaatsen gaan mee naar de nieuwe groep.")


class MoveView(EnrollmentActionView):
    action = "move"
    action_title = gettext_lazy("Naar een andere groep")
    submit_label = gettext_lazy("Verplaatsen")
    where = "naar andere groep"

    def make_form(self, data=None):
        moving = len(places.moving_together(self.enrollment, self.now))
        return MoveForm(data, enrollment=self.enrollment, moving=moving, now=self.now)

    def explanation(self):
        return _(
            "De deelnemer houdt het kenmerk en de persoonlijke link, en krijgt een e-mail met de nieuwe data en "
            "een nieuw agendabestand. Een betaling gaat mee naar de nieuwe groep. De vrije plaats in de oude groep "
            "gaat eerst naar de wachtlijst."
        )

    def act(self, form):
        target = form.cleaned_data["group"]
        moves = office.move_for(self.enrollment, target, by=self.request.user, reason=form.cleaned_data["reason"])
        message = _("De deelnemer is verplaatst naar %(group)s en krijgt een e-mail.") % {"group": target}
        if target.amount != self.enrollment.group.amount and moves:
            message += " " + _(
                "Let op: de eigen bijdrage van de nieuwe groep is anders. Regel het verschil bij Betalingen."
            )
        return message


# --- correct the details ----------------------------------------------------------------------------


class CorrectView(EnrollmentActionView):
    action = "correct"
    action_title = gettext_lazy("Gegevens verbeteren")
    submit_label = gettext_lazy("Opslaan")
    where = "gegevens verbeteren"

    def make_form(self, data=None):
        participant = self.enrollment.participant
        initial = {name: getattr(participant, name) for name in CORRECTION_FIELDS}
        return CorrectionForm(data, initial=initial)

    def explanation(self):
        return _(
            "Verbeter een tikfout in de naam, het e-mailadres, het telefoonnummer of de huisartsenpraktijk. "
            "Een nieuw e-mailadres krijgt geen bericht vanzelf: stuur daarna de persoonlijke link opnieuw."
        )

    def act(self, form):
        changed = office.correct_for(self.enrollment, form.changes(), by=self.request.user)
        if not changed:
            return _("Er was niets veranderd.")
        return _("De gegevens zijn opgeslagen.")


# --- resend the personal link -------------------------------------------------------------------------


class ResendLinkView(EnrollmentActionView):
    action = "link"
    action_title = gettext_lazy("Persoonlijke link opnieuw sturen")
    submit_label = gettext_lazy("Link sturen")
    where = "persoonlijke link sturen"

    def explanation(self):
        return _(
            "De deelnemer krijgt een e-mail op %(email)s met de persoonlijke links van alles wat nog loopt: "
            "aanmeldingen en de wachtlijst."
        ) % {"email": self.enrollment.participant.email}

    def act(self, form):
        sent = office.resend_link(self.enrollment, by=self.request.user)
        if not sent:
            return _("Er loopt niets meer voor deze deelnemer. Er is geen e-mail gestuurd.")
        return _("De persoonlijke link is gestuurd naar %(email)s.") % {"email": self.enrollment.participant.email}


def admin_urls():
    return [
        path("aanmeldingen/<int:pk>/bevestigen/", ConfirmView.as_view(), name="aanmelding_confirm"),
        path("aanmeldingen/<int:pk>/afmelden/", CancelView.as_view(), name="aanmelding_cancel"),
        path("aanmeldingen/<int:pk>/verplaatsen/", MoveView.as_view(), name="aanmelding_move"),
        path("aanmeldingen/<int:pk>/gegevens/", CorrectView.as_view(), name="aanmelding_correct"),
        path("aanmeldingen/<int:pk>/link/", ResendLinkView.as_view(), name="aanmelding_link"),
    ]
