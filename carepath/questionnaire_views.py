"""The participant answers a questionnaire or the evaluation through the personal link in their email."""

from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from booking.services import links

from . import emails
from .forms import AnswersForm, EvaluationForm
from .models import Invitation
from .services import questionnaires


def _personal_page():
    return links.personal_page(
        emails.QUESTIONNAIRE_LINK,
        Invitation.objects.select_related("questionnaire", "enrollment__participant", "enrollment__group__course"),
        problem_template="carepath/questionnaire_link_problem.html",
        removed_if=lambda invitation: invitation.enrollment.participant.anonymised_at is not None,
    )


def _thanks(request, invitation):
    return render(request, "carepath/questionnaire_thanks.html", {"invitation": invitation})


@require_http_methods(["GET", "HEAD", "POST"])
@_personal_page()
def questionnaire(request, invitation, token):
    if invitation.moment == Invitation.Moment.EVALUATION:
        return _evaluation(request, invitation)
    if invitation.answered_at is not None:
        follow = questionnaires.evaluation_after(invitation)
        if follow is not None:
            return redirect(links.personal_path("carepath:questionnaire", emails.QUESTIONNAIRE_LINK, follow.pk))
        return _thanks(request, invitation)
    if not questionnaires.is_open(invitation, timezone.now()):
        return render(request, "carepath/questionnaire_closed.html", {"invitation": invitation}, status=410)
    after = invitation.moment == Invitation.Moment.POST
    if invitation.questionnaire is None:  # after the training without an outcome questionnaire
        follow = questionnaires.evaluation_after(invitation)
        if follow is not None:
            return redirect(links.personal_path("carepath:questionnaire", emails.QUESTIONNAIRE_LINK, follow.pk))
        return _thanks(request, invitation)
    status = 200
    if request.method == "POST":
        form = AnswersForm(request.POST, questionnaire=invitation.questionnaire, after=after)
        if form.is_valid():
            try:
                questionnaires.answer(
                    invitation, form.values(), share_with_gp=form.cleaned_data.get("share_with_gp", False)
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                return redirect(request.path)
        status = 400
    else:
        form = AnswersForm(questionnaire=invitation.questionnaire, after=after)
    return render(
        request,
        "carepath/questionnaire.html",
        {
            "invitation": invitation,
            "questionnaire": invitation.questionnaire,
            "form": form,
            "answered": form.answered() if form.is_bound else 0,
            "total": len(form.items),
            "after": after,
        },
        status=status,
    )


def _evaluation(request, invitation):
    if invitation.answered_at is not None:
        return _thanks(request, invitation)
    status = 200
    if request.method == "POST":
        form = EvaluationForm(request.POST)
        if form.is_valid():
            try:
                questionnaires.evaluate(invitation, **form.cleaned_data)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                return redirect(request.path)
        status = 400
    else:
        form = EvaluationForm()
    return render(request, "carepath/evaluation.html", {"invitation": invitation, "form": form}, status=status)
