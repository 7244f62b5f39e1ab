"""Groups that will not fill, in the Wagtail admin: the list to decide on, and the pages to go ahead or merge.

Which groups are on the list is ``services.fill``; what each choice does is
``staff.actions`` (`go_ahead`, `merge_group`, and `cancel_group` behind the
group's own "Groep afzeggen" page).
"""

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import F
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.generic import TemplateView
from wagtail.admin import messages
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from booking.models import Enrollment, TrainingGroup
from booking.services import fill
from booking.services.errors import BookingError
from booking.staff import actions
from booking.staff.groups import GROUPS, GroupPageMixin, group_url, service_errors

LIST_URL_NAME = "groepen_onder_minimum"


def list_url():
    return reverse(LIST_URL_NAME)


class GroupsToDecideView(WagtailAdminTemplateMixin, TemplateView):
    """Every group under its minimum within its course's decision window, the soonest start first."""

    template_name = "booking/admin/groups_to_decide.html"
    header_icon = "warning"
    page_title = gettext_lazy("Groepen met te weinig aanmeldingen")

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm("booking.change_traininggroup"):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_page_title(self):
        return self.page_title

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [
            {"url": reverse(f"{GROUPS}:index"), "label": _("Groepen")},
            {"url": "", "label": self.page_title},
        ]

    def get_context_data(self, **kwargs):
        now = timezone.now()
        groups = fill.groups_to_decide(now)
        for group in groups:
            group.decide_from = fill.decision_from(group)
        return super().get_context_data(groups=groups, now=now, **kwargs)


class DecisionPageMixin(GroupPageMixin):
    """A page to decide on one group under its minimum; back to the list when it no longer waits for a decision."""

    def extra_breadcrumbs(self):
        return [{"url": "", "label": self.get_page_title()}]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        now = timezone.now()
        context.update(
            group=self.group,
            needs_decision=fill.needs_decision(self.group, now),
            moving=Enrollment.objects.filter(group=self.group, status=Enrollment.Status.CONFIRMED).count(),
            back_url=group_url("sessions", self.group),
            list_url=list_url(),
        )
        return context


class GoAheadForm(forms.Form):
    note = forms.CharField(
        label=gettext_lazy("Toelichting"),
        max_length=300,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("Bijvoorbeeld: de trainer wil ook met 4 mensen beginnen. Wordt bewaard bij de groep."),
    )


class GoAheadView(DecisionPageMixin, TemplateView):
    template_name = "booking/admin/group_go_ahead.html"

    def get_page_title(self):
        return _("De groep gaat door")

    def get(self, request, *args, **kwargs):
        return self.render_to_response(self.get_context_data(form=GoAheadForm()))

    def post(self, request, *args, **kwargs):
        form = GoAheadForm(request.POST)
        if form.is_valid():
            try:
                actions.go_ahead(self.group, by=request.user, note=form.cleaned_data["note"])
            except ValidationError as error:
                service_errors(form, error)
            else:
                messages.success(
                    request,
                    _("Vastgelegd: de groep %(group)s gaat door met minder deelnemers dan het minimum.")
                    % {"group": self.group},
                )
                return redirect(list_url())
        return self.render_to_response(self.get_context_data(form=form), status=400)


class MergeForm(forms.Form):
    into = forms.ModelChoiceField(
        label=gettext_lazy("Met welke groep samenvoegen?"),
        queryset=TrainingGroup.objects.none(),
        widget=forms.RadioSelect,
        error_messages={"required": gettext_lazy("Kies de groep waar de deelnemers naartoe gaan.")},
    )
    reason = forms.CharField(
        label=gettext_lazy("Reden voor de deelnemers"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3}),
        initial=gettext_lazy("Er hebben zich te weinig mensen aangemeld om met deze groep te beginnen."),
        help_text=gettext_lazy("Staat in de e-mail aan de deelnemers."),
        error_messages={"required": gettext_lazy("Schrijf de reden op. Die staat in de e-mail aan de deelnemers.")},
    )

    def __init__(self, *args, choices, moving, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["into"]
        field.queryset = (
            TrainingGroup.objects.filter(pk__in=[choice.pk for choice in choices])
            .with_first_start()
            .order_by(F("first_start").asc(nulls_last=True), "pk")
        )
        by_pk = {choice.pk: choice for choice in choices}

        def label(group):
            choice = by_pk[group.pk]
            text = ngettext(
                "%(group)s: nog %(count)s plaats vrij", "%(group)s: nog %(count)s plaatsen vrij", choice.places_left
            ) % {"group": choice, "count": choice.places_left}
            return (
                text
                if choice.room
                else _("%(text)s (te weinig voor %(moving)s deelnemers)")
                % {
                    "text": text,
                    "moving": moving,
                }
            )

        field.label_from_instance = label


class MergeView(DecisionPageMixin, TemplateView):
    template_name = "booking/admin/group_merge.html"

    def get_page_title(self):
        return _("Samenvoegen met een andere groep")

    def make_form(self, data=None):
        self.choices = actions.merge_choices(self.group)
        moving = Enrollment.objects.filter(group=self.group, status=Enrollment.Status.CONFIRMED).count()
        return MergeForm(data, choices=self.choices, moving=moving)

    def get(self, request, *args, **kwargs):
        return self.render_to_response(self.get_context_data(form=self.make_form()))

    def post(self, request, *args, **kwargs):
        form = self.make_form(request.POST)
        if form.is_valid():
            into = form.cleaned_data["into"]
            try:
                moves = actions.merge_group(self.group, into, by=request.user, reason=form.cleaned_data["reason"])
            except ValidationError as error:
                service_errors(form, error)
            except BookingError as refusal:
                form.add_error("into", refusal.message)
            else:
                messages.success(
                    request,
                    ngettext(
                        "De groepen zijn samengevoegd. %(count)s deelnemer is verplaatst en krijgt een e-mail.",
                        "De groepen zijn samengevoegd. %(count)s deelnemers zijn verplaatst en krijgen een e-mail.",
                        len(moves),
                    )
                    % {"count": len(moves)},
                )
                return redirect(group_url("sessions", into))
        return self.render_to_response(self.get_context_data(form=form), status=400)


def admin_urls():
    return [
        path("groepen/onder-minimum/", GroupsToDecideView.as_view(), name=LIST_URL_NAME),
        path("groepen/<int:pk>/doorgaan/", GoAheadView.as_view(), name="groepen_doorgaan"),
        path("groepen/<int:pk>/samenvoegen/", MergeView.as_view(), name="groepen_samenvoegen"),
    ]
