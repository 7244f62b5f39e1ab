"""Privacy in the admin: erase a participant's data on request, and answer an inzage request.

Reached from an enrollment's page. Erasing needs the permission
``privacy.erase_personal_data`` (coordinators) and a reason, written without
names or addresses; the record keeps who, when, why and which rows. For an
inzage request a coordinator downloads the person's data (PDF or JSON) and
their access history: who on the staff looked at their data, when, and what
they did. Every one of these screens writes the access log.
"""

import csv

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView
from wagtail.admin import messages
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from booking.models import AccessLogEntry, Participant
from booking.services.access_log import Action, log_access
from booking.staff.enrollments import enrollments_url
from home.organisation import OrganisationSettings
from privacy import inzage
from privacy.erasure import ErasureBlocked, erase, erasure_blockers
from privacy.models import ErasureRecord
from privacy.people import person_of_participant, rows_of
from privacy.registry import entries

ERASE_PERMISSION = "privacy.erase_personal_data"
LOG_PERMISSION = "booking.view_accesslogentry"
DATA_PERMISSION = "booking.view_enrollment"


def person_of(participant):
    return person_of_participant(participant.pk, participant.email)


def what_we_hold(person):
    """[(kind of data, number of rows)] for the erasure page: what the registry finds of this person."""
    found = []
    for entry in entries():
        count = rows_of(entry, person).count()
        if count:
            found.append((str(entry.model._meta.verbose_name_plural), count))
    return found


class EraseForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reden"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy(
            "Bijvoorbeeld: verzoek per e-mail van 3 maart. Schrijf geen naam of e-mailadres op: de reden wordt bewaard."
        ),
        error_messages={"required": gettext_lazy("Schrijf op waarom de gegevens worden verwijderd.")},
    )

    def __init__(self, *args, participant, **kwargs):
        super().__init__(*args, **kwargs)
        self.participant = participant

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        words = [self.participant.first_name, self.participant.last_name, self.participant.email]
        lowered = reason.lower()
        if "@" in reason or any(len(word) > 2 and word.lower() in lowered for word in words if word):
            raise ValidationError(_("Schrijf de reden zonder naam of e-mailadres. De reden wordt bewaard."))
        return reason


class ErasureView(WagtailAdminTemplateMixin, TemplateView):
    """What the registry holds of this person, what blocks erasure, and the form with the reason."""

    template_name = "booking/admin/erase.html"
    header_icon = "bin"
    page_title = gettext_lazy("Gegevens verwijderen op verzoek")

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm(ERASE_PERMISSION):
            raise PermissionDenied
        self.participant = get_object_or_404(Participant, pk=kwargs["participant_id"])
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [
            {"url": enrollments_url(), "label": _("Aanmeldingen")},
            {"url": "", "label": self.page_title},
        ]

    def get_context_data(self, **kwargs):
        person = person_of(self.participant)
        log_access(self.request.user, person.participant_ids, Action.VIEW, "AVG: verwijderen op verzoek")
        return super().get_context_data(
            participant=self.participant,
            person=person,
            held=what_we_hold(person),
            blockers=erasure_blockers(person),
            back_url=enrollments_url(),
            **kwargs,
        )

    def get(self, request, *args, **kwargs):
        return self.render_to_response(self.get_context_data(form=EraseForm(participant=self.participant)))

    def post(self, request, *args, **kwargs):
        form = EraseForm(request.POST, participant=self.participant)
        if self.participant.anonymised_at is not None:
            form.add_error(None, _("De gegevens van deze deelnemer zijn al verwijderd."))
        elif form.is_valid():
            person = person_of(self.participant)
            try:
                record = erase(
                    person,
                    reason=form.cleaned_data["reason"],
                    source=ErasureRecord.Source.COORDINATOR,
                    by=request.user,
                )
            except ErasureBlocked as blocked:
                for message in blocked.messages:
                    form.add_error(None, message)
            else:
                log_access(request.user, person.participant_ids, Action.ERASE, f"AVG: verwijdering {record.pk}")
                messages.success(
                    request,
                    _("De gegevens zijn verwijderd (verwijdering %(number)s). Wat overblijft heeft geen naam.")
                    % {"number": record.pk},
                )
                return redirect(enrollments_url())
        return self.render_to_response(self.get_context_data(form=form), status=400)


def _require(request, permission):
    if not request.user.has_perm(permission):
        raise PermissionDenied


def access_history(request, participant_id):
    """CSV of every look at this person's data (all their sign-ups): when, who, what, where. For an inzage request."""
    _require(request, LOG_PERMISSION)
    participant = get_object_or_404(Participant, pk=participant_id)
    person = person_of(participant)
    log_access(request.user, person.participant_ids, Action.VIEW_LOG, "inzagelog: export voor inzageverzoek")
    rows = (
        AccessLogEntry.objects.filter(participant__in=person.participant_ids)
        .select_related("user")
        .order_by("at", "pk")
    )
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="inzagelog-deelnemer-{participant.pk}.csv"'
    response.write("\ufeff")
    writer = csv.writer(response, delimiter=";")
    writer.writerow([_("Moment"), _("Medewerker"), _("Handeling"), _("Waar"), _("Deelnemernummer")])
    for entry in rows:
        writer.writerow(
            [
                date_format(timezone.localtime(entry.at), "Y-m-d H:i:s"),
                entry.user.get_full_name() or entry.user.email,
                entry.get_action_display(),
                entry.where,
                entry.participant_id,
            ]
        )
    return response


def personal_data(request, participant_id, extension):
    """Everything we hold of this person, as the participant would download it, for an inzage request by post."""
    _require(request, DATA_PERMISSION)
    if extension not in ("pdf", "json"):
        raise Http404
    participant = get_object_or_404(Participant, pk=participant_id)
    person = person_of(participant)
    log_access(request.user, person.participant_ids, Action.EXPORT, f"AVG: inzage ({extension})")
    organisation = OrganisationSettings.load().name
    if extension == "pdf":
        content, content_type = inzage.as_pdf(person, organisation=organisation), "application/pdf"
    else:
        content, content_type = inzage.as_json(person, organisation=organisation), "application/json; charset=utf-8"
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="gegevens-deelnemer-{participant.pk}.{extension}"'
    return response


def erase_url(participant):
    return reverse("privacy_erase", args=(participant.pk,))


def admin_urls():
    return [
        path("privacy/deelnemer/<int:participant_id>/verwijderen/", ErasureView.as_view(), name="privacy_erase"),
        path("privacy/deelnemer/<int:participant_id>/inzagelog.csv", access_history, name="privacy_access_history"),
        path(
            "privacy/deelnemer/<int:participant_id>/gegevens.<str:extension>",
            personal_data,
            name="privacy_personal_data",
        ),
    ]
