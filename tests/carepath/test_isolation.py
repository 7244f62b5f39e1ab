"""Over every new URL: a professional of another practice, or a trainer of another group, sees none of it."""

import pytest
from django.urls import reverse

from booking.services import links
from carepath import emails
from carepath.models import Invitation, Screening
from carepath.services import letters
from tests.booking.factories import days_ahead, place_in, planned_group, trainer_account
from tests.carepath.factories import PracticeFactory, ReferralFactory, professional
from tests.factories import CoursePageFactory
from tests.helpers import text

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(course_index):
    """A referral of one practice, for a patient in a group of one trainer, with a screening, answers and a letter."""
    course = CoursePageFactory(parent=course_index, title="Mentaal Fit")
    trainer, trainer_user = trainer_account("Anouk Bakker")
    group = planned_group(course, first_start=days_ahead(-40), count=5, trainers=[trainer])
    fatma = place_in(group, first_name="Fatma", last_name="Yilmaz", gp_practice="De Linde", gp_letter_consent=True)
    practice = PracticeFactory()
    poh = professional("Marloes", "Smits", practice=practice)
    referral = ReferralFactory(referrer=poh, practice=practice, course=course, enrollment=fatma, note="Geheim")
    Screening.objects.create(enrollment=fatma, called_at=days_ahead(-45), called_by=trainer_user, outcome="suitable")
    invitation = Invitation.objects.create(enrollment=fatma, moment="pre", created_at=days_ahead(-50))
    for session in group.sessions.all():
        session.attendance.create(enrollment=fatma, status="present")
    letters.create_due_letters()
    return {"group": group, "fatma": fatma, "referral": referral, "invitation": invitation}


def staff_urls(world):
    group, fatma = world["group"], world["fatma"]
    return [
        reverse("carepath:to_call", kwargs={"group_id": group.pk}),
        reverse("carepath:screen", kwargs={"group_id": group.pk, "enrollment_id": fatma.pk}),
        reverse("carepath:outcomes", kwargs={"group_id": group.pk}),
    ]


def test_a_professional_of_another_practice_sees_nothing(client, world):
    referral = world["referral"]
    client.force_login(professional("Ineke", "de Graaf", practice=PracticeFactory()))
    overview = text(client.get(reverse("carepath:my_referrals")))
    assert referral.display_code not in overview
    assert "Yilmaz" not in overview
    assert client.get(reverse("carepath:detail", kwargs={"pk": referral.pk})).status_code == 403
    for url in staff_urls(world):
        assert client.get(url).status_code == 403, url
    for url in ["/admin/brieven/", "/admin/praktijken/", "/admin/verwijzingen/"]:
        response = client.get(url)
        assert response.status_code in (302, 403), url
        assert "Yilmaz" not in text(response)


def test_a_trainer_of_another_group_sees_nothing(client, world):
    _other, user = trainer_account("Ruud Peters", email="ruud@example.nl")
    client.force_login(user)
    for url in staff_urls(world):
        assert client.get(url).status_code == 404, url
    assert client.get(reverse("carepath:my_referrals")).status_code == 403
    assert client.get(reverse("carepath:detail", kwargs={"pk": world["referral"].pk})).status_code == 403


def test_personal_links_only_open_with_their_own_token(client, world):
    referral, invitation = world["referral"], world["invitation"]
    forged = links.make_token(emails.QUESTIONNAIRE_LINK, referral.pk)  # a sharing link made for another purpose
    response = client.get(reverse("carepath:sharing", kwargs={"token": forged}))
    assert response.status_code == 400
    assert "Geheim" not in text(response)
    wrong = links.make_token(emails.SHARING_LINK, invitation.pk)
    assert client.get(reverse("carepath:questionnaire", kwargs={"token": wrong})).status_code == 400
