"""The care path in the trainer area (/medewerkers/): the telephone screening of a group's participants.

A trainer reaches only the groups they lead (``booking.staff.trainers``); any
other group is "not found". Every page that shows participants is written in
the access log.
"""

from decimal import Decimal

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from booking.models import Enrollment
from booking.services.access_log import Action, group_where, log_access
from booking.staff import trainers
from booking.staff.views import staff_only

from .forms import ScreeningForm
from .models import Evaluation, Screening
from .services import questionnaires, screening


def _group(request, group_id):
    queryset = trainers.visible_groups(request.user).select_related("course", "location")
    return get_object_or_404(queryset, pk=group_id)


@require_http_methods(["GET", "HEAD"])
@staff_only
def to_call(request, group_id):
    """The group's "to call" list: phone numbers, the newest outcome, the referrer's note."""
    group = _group(request, group_id)
    enrollments = screening.to_call(group)
    log_access(request.user, [e.participant for e in enrollments], Action.VIEW_LIST, group_where(group, "bellijst"))
    return render(
        request,
        "carepath/staff/to_call.html",
        {
            "group": group,
            "enrollments": enrollments,
            "not_called": sum(1 for e in enrollments if e.last_screening is None),
        },
    )


@require_http_methods(["GET", "HEAD", "POST"])
@staff_only
def screen(request, group_id, enrollment_id):
    """Record the outcome of one call."""
    group = _group(request, group_id)
    in_the_group = Enrollment.objects.filter(group=group, status__in=trainers.IN_THE_GROUP)
    enrollment = get_object_or_404(in_the_group.select_related("participant"), pk=enrollment_id)
    where = group_where(group, "telefonische screening")
    if request.method == "POST":
        form = ScreeningForm(request.POST, course=group.course)
        if form.is_valid():
            data = form.cleaned_data
            ends = data["outcome"] == Screening.Outcome.NOT_SUITABLE
            done = screening.record_screening(
                enrollment,
                by=request.user,
                outcome=data["outcome"],
                note=data["note"],
                alternatives=data["alternatives"] if ends else [],
                alternative_courses=data["alternative_courses"] if ends else [],
            )
            if done.outcome == Screening.Outcome.NOT_SUITABLE:
                messages.success(
                    request,
                    _(
                        "%(name)s is afgemeld en krijgt een e-mail met de andere mogelijkheden. "
                        "De plaats gaat naar de wachtlijst."
                    )
                    % {"name": enrollment.participant.full_name},
                )
            else:
                messages.success(
                    request, _("Het gesprek met %(name)s is opgeslagen.") % {"name": enrollment.participant.full_name}
                )
            return redirect("carepath:to_call", group_id=group.pk)
        status = 400
    else:
        log_access(request.user, [enrollment.participant], Action.VIEW, where)
        form = ScreeningForm(course=group.course)
        status = 200
    history = list(enrollment.screenings.select_related("called_by").order_by("-called_at", "-pk"))
    referral = enrollment.referrals.select_related("referrer", "practice").first()
    return render(
        request,
        "carepath/staff/screen.html",
        {"group": group, "enrollment": enrollment, "form": form, "history": history, "referral": referral},
        status=status,
    )


@require_http_methods(["GET", "HEAD"])
@staff_only
def outcomes(request, group_id):
    """Scores before and after per participant of the group, and what the group thought of the training."""
    group = _group(request, group_id)
    enrollments = trainers.participants(group)
    rows = []
    for enrollment in enrollments:
        change = questionnaires.change_for(enrollment)
        rows.append(
            {
                "enrollment": enrollment,
                "change": change,
                "before_band": questionnaires.band_of(change.questionnaire, change.before) if change else "",
                "after_band": questionnaires.band_of(change.questionnaire, change.after) if change else "",
            }
        )
    evaluations = list(Evaluation.objects.filter(invitation__enrollment__group=group))
    log_access(request.user, [e.participant for e in enrollments], Action.VIEW_LIST, group_where(group, "uitkomsten"))
    grades = [evaluation.grade for evaluation in evaluations]
    return render(
        request,
        "carepath/staff/outcomes.html",
        {
            "group": group,
            "rows": rows,
            "evaluations": evaluations,
            "mean_grade": questionnaires.display_score(
                (Decimal(sum(grades)) / len(grades)).quantize(Decimal("0.1")) if grades else None
            ),
            "recommend": sum(1 for evaluation in evaluations if evaluation.would_recommend),
        },
    )
