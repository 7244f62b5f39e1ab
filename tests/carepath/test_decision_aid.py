"""The decision aid: a verified professional clicks through it and ends with a referral for the advised course."""

import pytest
from django.urls import reverse

from accounts import roles
from carepath.demo import ensure_decision_aid
from carepath.models import DecisionAnswer, DecisionQuestion
from tests.booking.factories import staff_user
from tests.carepath.factories import professional
from tests.factories import CoursePageFactory, UserFactory
from tests.helpers import text

pytestmark = pytest.mark.django_db


@pytest.fixture
def aid(course_index):
    for title in ("Mentaal Fit", "Mindfulness", "Grip op piekeren", "Beter slapen", "Veerkracht na verlies"):
        CoursePageFactory(parent=course_index, title=title)
    return ensure_decision_aid()


def choose(client, page, label):
    answer = DecisionAnswer.objects.get(label=label, question__text=page)
    return client.get(reverse("carepath:decision_advice", kwargs={"answer_id": answer.pk}), follow=True)


def test_a_professional_is_led_to_a_course_and_a_referral_for_it(client, aid):
    client.force_login(professional())
    start = text(client.get(reverse("carepath:decision_aid_start")))
    assert "Is er nu sprake van een crisis" in start
    step = choose(client, aid.text, "Nee")
    assert "Wat is de belangrijkste klacht?" in text(step)
    step = choose(client, "Wat is de belangrijkste klacht?", "Piekeren of sombere buien")
    step = choose(client, "Is de patiënt tussen de 18 en 27 jaar?", "Nee")
    page = text(step)
    assert "Advies: Mindfulness" in page
    mindfulness = DecisionAnswer.objects.get(label="Nee", question__text__startswith="Is de patiënt tussen").course
    assert f"/verwijzen/nieuw/?training={mindfulness.pk}" in page


def test_a_crisis_ends_in_advice_without_a_group(client, aid):
    client.force_login(professional())
    page = text(choose(client, aid.text, "Ja"))
    assert "Advies: geen groepstraining" in page
    assert "Maak een verwijzing" not in page


def test_only_verified_professionals_use_it(client, aid):
    answer = DecisionAnswer.objects.filter(question=aid).first()
    urls = [
        reverse("carepath:decision_aid_start"),
        reverse("carepath:decision_aid", kwargs={"question_id": aid.pk}),
        reverse("carepath:decision_advice", kwargs={"answer_id": answer.pk}),
    ]
    client.force_login(UserFactory())
    for url in urls:
        assert client.get(url).status_code == 403


def test_an_answer_needs_a_next_question_or_advice_but_not_both(aid):
    answer = DecisionAnswer(question=aid, label="Misschien")
    with pytest.raises(Exception, match="volgende vraag"):
        answer.clean()
    answer.next_question = DecisionQuestion.objects.exclude(pk=aid.pk).first()
    answer.advice = "Iets anders"
    with pytest.raises(Exception, match="niet allebei"):
        answer.clean()


def test_editors_build_it_in_the_admin(client, aid):
    client.force_login(staff_user(roles.EDITORS))
    listing = client.get("/admin/snippets/carepath/decisionquestion/")
    assert listing.status_code == 200
    assert "Wat is de belangrijkste klacht?" in text(listing)
    assert client.get("/admin/snippets/carepath/decisionquestion/add/").status_code == 200
