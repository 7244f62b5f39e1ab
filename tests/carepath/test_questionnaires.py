"""Questionnaires before and after, one reminder, the evaluation, and who sees the change in score."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from booking.periodic import run_periodic
from booking.staff.trainers import record_attendance
from carepath.demo import ensure_demo_questionnaire
from carepath.models import Evaluation, Invitation, Letter, Questionnaire
from carepath.services import letters, questionnaires, referrals
from tests.booking.factories import days_ahead, place_in, planned_group, trainer_account
from tests.carepath.factories import ReferralFactory, professional
from tests.factories import CoursePageFactory
from tests.helpers import text

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo():
    return ensure_demo_questionnaire()


@pytest.fixture
def trainer():
    return trainer_account("Anouk Bakker")


@pytest.fixture
def course(course_index):
    return CoursePageFactory(parent=course_index, title="Mentaal Fit", session_count=5)


def link_in(email):
    return re.search(r"(/vragenlijst/[^\s]+/)", email.body).group(1)


def answers(invitation, value):
    return {f"vraag_{item.pk}": value for item in invitation.questionnaire.items.all()}


def test_who5_style_scoring_sum_times_multiplier_and_mean():
    who5 = Questionnaire(scoring=Questionnaire.Scoring.SUM, multiplier=4)
    assert questionnaires.score_of(who5, [5, 5, 4, 3, 2]) == 76
    mhc = Questionnaire(scoring=Questionnaire.Scoring.MEAN, multiplier=1)
    assert questionnaires.score_of(mhc, [3, 4, 4, 2]) == pytest.approx(3.25)


def test_invited_before_the_start_reminded_once_and_answered_with_a_progress_bar(
    client, course, demo, trainer, mailoutbox, django_capture_on_commit_callbacks
):
    group = planned_group(course, days=10, count=5, trainers=[trainer[0]])
    fatma = place_in(group, first_name="Fatma", email="fatma@example.nl")
    with django_capture_on_commit_callbacks(execute=True):
        assert questionnaires.invite_due()["questionnaires_invited"] == 1
        assert questionnaires.invite_due()["questionnaires_invited"] == 0
    (invitation_email,) = mailoutbox
    assert "Een paar vragen voor de start van Mentaal Fit" in invitation_email.subject
    later = timezone.now() + datetime.timedelta(days=5)
    with django_capture_on_commit_callbacks(execute=True):
        assert questionnaires.invite_due(later)["questionnaire_reminders"] == 1
        assert questionnaires.invite_due(later)["questionnaire_reminders"] == 0
    assert "Herinnering: Een paar vragen" in mailoutbox[1].subject

    url = link_in(invitation_email)
    page = text(client.get(url))
    assert "Hoe gaat het met u? (demo)" in page
    assert '<progress id="voortgang" max="5" value="0"' in page
    assert "Ik kon de afgelopen twee weken goed ontspannen." in page
    invitation = Invitation.objects.get(enrollment=fatma)
    partly = dict(list(answers(invitation, 2).items())[:3])
    half = client.post(url, partly)
    assert half.status_code == 400
    assert "Kies een antwoord op deze vraag." in text(half)
    assert 'value="3"' in text(half)  # the bar shows what was already answered
    client.post(url, answers(invitation, 2))
    invitation.refresh_from_db()
    assert invitation.score == 50
    assert "Dank u wel" in text(client.get(url))


def test_after_the_last_session_the_questionnaire_then_the_evaluation(
    client, course, demo, trainer, mailoutbox, django_capture_on_commit_callbacks
):
    group = planned_group(course, first_start=days_ahead(-30), count=5, trainers=[trainer[0]])
    fatma = place_in(group, gp_practice="De Linde", gp_letter_consent=True)
    pre = Invitation.objects.create(
        enrollment=fatma, questionnaire=demo, moment="pre", created_at=timezone.now() - datetime.timedelta(days=40)
    )
    questionnaires.answer(pre, {item.pk: 1 for item in demo.items.all()})
    from_booking_trainer_area(group, fatma, trainer)
    with django_capture_on_commit_callbacks(execute=True):
        questionnaires.invite_due()
    url = link_in(mailoutbox[-1])
    post = Invitation.objects.get(enrollment=fatma, moment="post")
    response = client.post(url, answers(post, 3) | {"share_with_gp": "on"}, follow=True)
    page = text(response)
    assert "Wat vond u van de training?" in page
    bad = client.post(response.redirect_chain[-1][0], {"helped": "x" * 1001})
    assert "Kies een cijfer van 1 tot en met 10." in text(bad)
    assert "Kies ja of nee." in text(bad)
    client.post(response.redirect_chain[-1][0], {"grade": "8", "would_recommend": "ja", "helped": "De oefeningen."})
    assert Evaluation.objects.get().grade == 8

    # The change goes in the end letter, because the participant agreed.
    letters.create_due_letters()
    end = Letter.objects.get(kind="end")
    assert "voor de training 25 (Het gaat niet goed), na de training 75 (Het gaat goed)" in end.outcome_text

    # The trainer sees before and after; the referrer only with consent.
    client.force_login(trainer[1])
    outcomes = text(client.get(reverse("carepath:outcomes", kwargs={"group_id": group.pk})))
    assert "+50" in outcomes and "Gemiddeld cijfer: 8" in outcomes
    poh = professional()
    referral = ReferralFactory(referrer=poh, course=course, enrollment=fatma)
    client.force_login(poh)
    assert "25 → 75" not in text(client.get(reverse("carepath:my_referrals")))
    referrals.give_share_consent(referral)
    assert "25 → 75 (+50)" in text(client.get(reverse("carepath:my_referrals")))


def from_booking_trainer_area(group, enrollment, trainer):
    """Attendance as the trainer registers it."""
    for session in group.sessions.order_by("start")[:4]:
        record_attendance(session, {enrollment.pk: "present"}, by=trainer[1])


def test_another_trainer_sees_no_outcomes(client, course, trainer):
    group = planned_group(course, days=10, trainers=[trainer[0]])
    _other, user = trainer_account("Ruud Peters", email="ruud@example.nl")
    client.force_login(user)
    assert client.get(reverse("carepath:outcomes", kwargs={"group_id": group.pk})).status_code == 404


def test_a_changed_link_shows_a_kind_page(client):
    response = client.get(reverse("carepath:questionnaire", kwargs={"token": "niet-echt"}))
    assert response.status_code == 400
    assert "Deze link klopt niet" in text(response)


def test_a_backlog_of_invitations_is_worked_off_over_several_runs(
    course, demo, trainer, mailoutbox, django_capture_on_commit_callbacks
):
    """With no time to spare (0 seconds) each run still invites one; the next run goes on with the rest."""
    group = planned_group(course, days=10, count=5, trainers=[trainer[0]])
    for number in range(3):
        place_in(group, email=f"achterstand{number}@example.nl")
    with django_capture_on_commit_callbacks(execute=True):
        runs = [questionnaires.invite_due(seconds=0)["questionnaires_invited"] for _number in range(4)]
    assert runs == [1, 1, 1, 0]
    assert sorted(email.to[0] for email in mailoutbox) == [f"achterstand{number}@example.nl" for number in range(3)]


def test_a_periodic_run_that_used_its_time_invites_one_however_long_the_step_may_take(
    course, demo, trainer, settings, mailoutbox, django_capture_on_commit_callbacks
):
    """The whole run's time (GROEPSWIJZER_PERIODIC_RUN_MS) bounds the invitations' own budget."""
    settings.GROEPSWIJZER_INVITATIONS_RUN_MS = 60_000
    settings.GROEPSWIJZER_PERIODIC_RUN_MS = 0
    group = planned_group(course, days=10, count=5, trainers=[trainer[0]])
    for number in range(3):
        place_in(group, email=f"wachtrij{number}@example.nl")
    with django_capture_on_commit_callbacks(execute=True):
        runs = [run_periodic()["questionnaires_invited"] for _number in range(4)]
    assert runs == [1, 1, 1, 0]
    assert sorted(email.to[0] for email in mailoutbox if "wachtrij" in email.to[0]) == [
        f"wachtrij{number}@example.nl" for number in range(3)
    ]


def test_a_backlog_reaches_the_group_that_starts_first_first(
    course, demo, trainer, mailoutbox, django_capture_on_commit_callbacks
):
    later = planned_group(course, days=20, count=5, trainers=[trainer[0]])
    place_in(later, email="over-drie-weken@example.nl")  # the older place
    tomorrow = planned_group(course, days=1, count=5, trainers=[trainer[0]])
    place_in(tomorrow, email="morgen@example.nl")
    with django_capture_on_commit_callbacks(execute=True):
        runs = [questionnaires.invite_due(seconds=0)["questionnaires_invited"] for _number in range(2)]
    assert runs == [1, 1]
    assert [email.to[0] for email in mailoutbox] == ["morgen@example.nl", "over-drie-weken@example.nl"]


def test_before_the_training_people_are_invited_from_four_weeks_before_its_start(
    course, demo, trainer, mailoutbox, django_capture_on_commit_callbacks
):
    group = planned_group(course, days=40, count=5, trainers=[trainer[0]])
    place_in(group, email="vroeg@example.nl")
    with django_capture_on_commit_callbacks(execute=True):
        assert questionnaires.invite_due()["questionnaires_invited"] == 0
        in_two_weeks = timezone.now() + datetime.timedelta(days=14)
        assert questionnaires.invite_due(in_two_weeks)["questionnaires_invited"] == 1
    assert [email.to[0] for email in mailoutbox] == ["vroeg@example.nl"]
