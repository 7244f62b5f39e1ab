"""Signing someone up by phone or at the desk in the admin: choose a group, then one page with the site's steps.

The page holds the site's own forms in the site's order (who: the shared
``ParticipantsForm``; the course's suitability questions; consent; the
contribution), so the coordinator asks what the site asks. The rules are the
services' (``booking.staff.office.sign_up_for``); a refusal comes back at
the field or at the top, with everything typed still there.
"""

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.generic import TemplateView
from wagtail.admin import messages
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from booking.forms import PARTNER_PREFIX, ParticipantsForm
from booking.models import ConsentChannel, TrainingGroup
from booking.services import availability, consent
from booking.services.errors import AlreadyEnrolled, BookingError
from booking.services.money import euro
from booking.signup.forms import SuitabilityForm
from booking.staff import office
from booking.staff.groups import service_errors
from courses.models import CoursePage
from home.languages import originals

ADD_PERMISSION = "booking.add_enrollment"


def signup_url(group=None):
    if group is None:
        return reverse("kantoor_aanmelden")
    return reverse("kantoor_aanmelden_groep", args=(group.pk,))


def why_not(group, now):
    """Why nobody can sign up for this listed group now, in a few words (the bookable rule decided that)."""
    shown = group.display_status_at(now)
    if shown == TrainingGroup.DisplayStatus.OPEN:
        return _("aanmeldstop")
    return shown.label


class StaffPageMixin(WagtailAdminTemplateMixin):
    """An admin page for users with `permission`; others get 403."""

    permission = ADD_PERMISSION
    header_icon = "user"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm(self.permission):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


# --- step 1: the group ----------------------------------------------------------------------------


class CourseChoiceForm(forms.Form):
    course = forms.ModelChoiceField(
        label=gettext_lazy("Training"),
        queryset=CoursePage.objects.none(),
        required=False,
        empty_label=gettext_lazy("Alle trainingen"),
        error_messages={"invalid_choice": gettext_lazy("Kies een training uit de lijst.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["course"].queryset = originals(CoursePage.objects.live()).order_by("title")


class ChooseGroupView(StaffPageMixin, TemplateView):
    """The coming groups of every course (or one), with places left; open ones lead to the sign-up form."""

    template_name = "booking/admin/phone_signup_groups.html"
    page_title = gettext_lazy("Aanmelden per telefoon of aan de balie")

    def get_page_title(self):
        return self.page_title

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [{"url": "", "label": self.get_page_title()}]

    def get_context_data(self, **kwargs):
        now = timezone.now()
        form = CourseChoiceForm(self.request.GET or None)
        course = form.cleaned_data["course"] if form.is_valid() else None
        groups = list(
            availability.upcoming_groups(course, now).filter(course__live=True).order_by("course__title", "first_start")
        )
        for group in groups:
            group.why_not = "" if group.bookable else why_not(group, now)
        return super().get_context_data(form=form, groups=groups, **kwargs)


# --- step 2: the person, the questions, consent and the contribution ------------------------------


class OfficeConsentForm(forms.Form):
    channel = forms.ChoiceField(
        label=gettext_lazy("Hoe meldt de deelnemer zich aan?"),
        choices=[
            (ConsentChannel.PHONE, gettext_lazy("Per telefoon")),
            (ConsentChannel.DESK, gettext_lazy("Aan de balie")),
        ],
        initial=ConsentChannel.PHONE,
        widget=forms.RadioSelect,
        error_messages={"required": gettext_lazy("Kies per telefoon of aan de balie.")},
    )
    consent = forms.BooleanField(
        label=gettext_lazy("De deelnemer heeft de tekst hierboven gehoord of gelezen en geeft toestemming"),
        error_messages={
            "required": gettext_lazy(
                "Lees de toestemmingstekst voor en vraag of de deelnemer toestemming geeft. Zonder toestemming "
                "kunt u niemand aanmelden."
            )
        },
    )


class ContributionForm(forms.Form):
    pay = forms.ChoiceField(
        label=gettext_lazy("Eigen bijdrage"),
        choices=[
            (office.PAY_LATER, gettext_lazy("Betaalt later: bij de eerste bijeenkomst of per overboeking")),
            (office.EXEMPT, gettext_lazy("Vrijgesteld: hoeft niet te betalen")),
        ],
        initial=office.PAY_LATER,
        widget=forms.RadioSelect,
        help_text=gettext_lazy("Online betalen kan de deelnemer alleen zelf, op de website."),
        error_messages={"required": gettext_lazy("Kies hoe de eigen bijdrage wordt betaald.")},
    )
    exemption_reason = forms.CharField(
        label=gettext_lazy("Reden van de vrijstelling"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("Alleen bij vrijstelling. Dit wordt bewaard; de deelnemer ziet het niet."),
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("pay") == office.EXEMPT and not (cleaned.get("exemption_reason") or "").strip():
            self.add_error(
                "exemption_reason", _("Schrijf op waarom deze deelnemer de eigen bijdrage niet hoeft te betalen.")
            )
        return cleaned


class OfficeSuitabilityForm(SuitabilityForm):
    """The course's questions; an answer that does not fit stops the sign-up, with the course's advice to pass on."""

    def clean(self):
        cleaned = super().clean()
        for question in self.questions:
            name = self.field_name(question)
            if cleaned.get(name) and cleaned[name] != question.fitting_answer:
                self.add_error(
                    name,
                    _("Met dit antwoord past de training niet. Geef dit advies: %(advice)s")
                    % {"advice": question.advice},
                )
        return cleaned


class SignUpView(StaffPageMixin, TemplateView):
    """One page: who, the suitability questions, consent (read out), the contribution; then the places."""

    template_name = "booking/admin/phone_signup.html"

    def dispatch(self, request, *args, **kwargs):
        self.now = timezone.now()
        try:
            self.row = availability.group_row(kwargs["group_id"], self.now)
        except TrainingGroup.DoesNotExist:
            raise Http404 from None
        self.group = self.row.group
        self.course = self.group.course
        self.questions = list(self.course.suitability_questions.all())
        return super().dispatch(request, *args, **kwargs)

    def get_page_title(self):
        return _("Aanmelden: %(group)s") % {"group": self.group}

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [
            {"url": signup_url(), "label": _("Aanmelden per telefoon of aan de balie")},
            {"url": "", "label": str(self.group)},
        ]

    def forms(self, data=None):
        return {
            "person": ParticipantsForm(data, course=self.course, now=self.now),
            "questions": OfficeSuitabilityForm(data, questions=self.questions, prefix="vragen"),
            "consent": OfficeConsentForm(data, prefix="toestemming"),
            "contribution": ContributionForm(data, prefix="bijdrage") if self.group.amount else None,
        }

    def get_context_data(self, **kwargs):
        found = kwargs.pop("found")
        person = found["person"]
        context = super().get_context_data(**kwargs)
        context.update(
            group=self.group,
            course=self.course,
            row=self.row,
            refusal=availability.refusal_for(self.row, self.now),
            person_form=person,
            person_fields=person.person_fields(),
            partner_fields=person.partner_fields(),
            together_field=person["together"] if "together" in person.fields else None,
            questions_form=found["questions"],
            consent_form=found["consent"],
            contribution_form=found["contribution"],
            consent_text=consent.TEXT,
            consent_version=consent.VERSION,
            amount=euro(self.group.amount) if self.group.amount else "",
            all_forms=[form for form in found.values() if form is not None],
            alternatives=kwargs.get("alternatives", []),
            waitlist_url=reverse("wachtlijst:add") + f"?course={self.course.pk}",
        )
        return context

    def get(self, request, *args, **kwargs):
        return self.render_to_response(self.get_context_data(found=self.forms()))

    def post(self, request, *args, **kwargs):
        found = self.forms(request.POST)
        valid = all(form.is_valid() for form in found.values() if form is not None)
        refusal = availability.refusal_for(self.row, self.now)
        if valid and refusal is not None:
            # Full, closed or behind a registration stop since the page was opened: said at the top.
            found["person"].add_error(None, refusal.message)
            return self.render_to_response(self.get_context_data(found=found), status=409)
        if valid:
            person = found["person"]
            contribution = found["contribution"]
            try:
                enrollments = office.sign_up_for(
                    self.group,
                    person.participants(),
                    by=request.user,
                    channel=found["consent"].cleaned_data["channel"],
                    pay=contribution.cleaned_data["pay"] if contribution else office.PAY_LATER,
                    exemption_reason=contribution.cleaned_data["exemption_reason"] if contribution else "",
                    now=self.now,
                )
            except AlreadyEnrolled as refusal:
                field = "email"
                if person.cleaned_data.get(PARTNER_PREFIX + "email") == (refusal.email or "").lower():
                    field = PARTNER_PREFIX + "email"
                person.add_error(field, _("Met dit e-mailadres heeft al iemand een plaats in deze groep."))
            except BookingError as refusal:
                person.add_error(None, refusal.message)
                return self.render_to_response(
                    self.get_context_data(
                        found=found,
                        alternatives=availability.alternatives(
                            self.course, wanted=len(person.participants()), exclude_group=self.group, now=self.now
                        ),
                    ),
                    status=409,
                )
            except ValidationError as error:
                service_errors(person, error)
            else:
                names = _(" en ").join(e.participant.full_name for e in enrollments)
                messages.success(
                    request,
                    ngettext(
                        "%(names)s is aangemeld voor %(group)s. De bevestiging gaat per e-mail naar de deelnemer.",
                        "%(names)s zijn aangemeld voor %(group)s. De bevestigingen gaan per e-mail naar de deelnemers.",
                        len(enrollments),
                    )
                    % {"names": names, "group": self.group},
                )
                return redirect(reverse("aanmeldingen_modeladmin_inspect", args=(enrollments[0].pk,)))
        return self.render_to_response(self.get_context_data(found=found), status=400)


def admin_urls():
    return [
        path("kantoor/aanmelden/", ChooseGroupView.as_view(), name="kantoor_aanmelden"),
        path("kantoor/aanmelden/<int:group_id>/", SignUpView.as_view(), name="kantoor_aanmelden_groep"),
    ]
