"""Completion and letters to the GP: made with consent only, at the start and the end, sent once."""

import io

import pytest
from django.core.management import call_command
from django.urls import reverse
from pypdf import PdfReader

from booking.models import AccessLogEntry
from booking.staff.trainers import record_attendance
from carepath.models import Letter
from carepath.services import completion, letters, referrals
from tests.booking.factories import coordinator, days_ahead, place_in, planned_group, trainer_account
from tests.carepath.factories import PracticeFactory, ReferralFactory, professional
from tests.factories import CoursePageFactory
from tests.helpers import text

pytestmark = pytest.mark.django_db


def pdf_text(data):
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


@pytest.fixture
def trainer():
    return trainer_account("Anouk Bakker")


@pytest.fixture
def course(course_index):
    return CoursePageFactory(parent=course_index, title="Mentaal Fit", session_count=5, completion_min_sessions=4)


def running_group(course, trainer, *, first_days_ago=14):
    """A group of five weekly sessions whose first session was `first_days_ago` days ago."""
    return planned_group(course, first_start=days_ahead(-first_days_ago), count=5, trainers=[trainer[0]])


def attend(group, enrollment, trainer, numbers):
    sessions = list(group.sessions.order_by("start"))
    for number in numbers:
        record_attendance(sessions[number - 1], {enrollment.pk: "present"}, by=trainer[1])


def test_completion_follows_the_course_rule(course, trainer):
    group = running_group(course, trainer, first_days_ago=40)  # all five sessions are over
    fatma = place_in(group)
    attend(group, fatma, trainer, [1, 2, 3])
    assert completion.progress(fatma).completed is False
    attend(group, fatma, trainer, [5])
    assert completion.progress(fatma).attended == 4
    assert completion.progress(fatma).completed is True


def test_without_a_rule_every_session_but_one_counts(course_index, trainer):
    course = CoursePageFactory(parent=course_index, session_count=5)
    assert completion.required_sessions(course, 5) == 4


def test_a_start_letter_only_with_consent_and_only_after_attending(course, trainer):
    group = running_group(course, trainer)
    consenting = place_in(group, gp_practice="Huisartsenpraktijk De Linde", gp_letter_consent=True)
    not_consenting = place_in(group, gp_practice="Huisartsenpraktijk De Linde")
    absent = place_in(group, gp_practice="Huisartsenpraktijk De Linde", gp_letter_consent=True)
    attend(group, consenting, trainer, [1])
    attend(group, not_consenting, trainer, [1])
    assert letters.create_due_letters() == 1
    assert letters.create_due_letters() == 0  # made once
    letter = Letter.objects.get()
    assert (letter.enrollment, letter.kind) == (consenting, Letter.Kind.START)
    assert not Letter.objects.filter(enrollment__in=[not_consenting, absent]).exists()


def test_the_end_letter_says_attendance_and_completion_and_goes_to_the_referring_practice(course, trainer):
    practice = PracticeFactory(name="Gezondheidscentrum Merefelt", letter_email="brieven@merefelt.example")
    group = running_group(course, trainer, first_days_ago=40)
    fatma = place_in(group, first_name="Fatma", last_name="Yilmaz", gp_practice="Merefelt", gp_letter_consent=True)
    ReferralFactory(referrer=professional(practice=practice), practice=practice, enrollment=fatma)
    attend(group, fatma, trainer, [1, 2, 4, 5])
    call_command("run_periodic", stdout=io.StringIO())
    end = Letter.objects.get(kind=Letter.Kind.END)
    assert end.practice == practice
    content = pdf_text(letters.letters_pdf([end]))
    assert "Gezondheidscentrum Merefelt" in content
    assert "Fatma Yilmaz heeft de groepstraining Mentaal Fit afgerond." in content
    assert "Aanwezig bij 4 van de 5 bijeenkomsten." in content


def test_office_downloads_sends_and_marks_letters_and_nothing_goes_twice(
    client, course, trainer, mailoutbox, django_capture_on_commit_callbacks
):
    practice = PracticeFactory(name="Gezondheidscentrum Merefelt", letter_email="brieven@merefelt.example")
    group = running_group(course, trainer)
    by_email = place_in(group, last_name="Yilmaz", gp_practice="Gezondheidscentrum Merefelt", gp_letter_consent=True)
    by_post = place_in(group, last_name="de Boer", gp_practice="Praktijk Zonder Mail", gp_letter_consent=True)
    attend(group, by_email, trainer, [1])
    attend(group, by_post, trainer, [1])
    ilse = coordinator()
    client.force_login(ilse)

    home = text(client.get("/admin/"))
    assert "Brieven aan de huisarts" in home

    page = text(client.get(reverse("brieven")))
    assert "Yilmaz" in page and "de Boer" in page
    assert "geen e-mailadres bekend: per post" in page
    assert AccessLogEntry.objects.filter(user=ilse, participant=by_email.participant).exists()
    both = [letter.pk for letter in Letter.objects.all()]

    download = client.post(reverse("brieven"), {"brief": both, "action": "download"})
    assert download["Content-Type"] == "application/pdf"
    content = pdf_text(download.content)
    assert "Yilmaz" in content and "de Boer" in content
    assert Letter.objects.filter(sent_at__isnull=True).count() == 2  # downloading is not sending

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("brieven"), {"brief": both, "action": "email"})
    (email,) = mailoutbox
    assert email.to == [practice.letter_email]
    assert email.attachments[0][2] == "application/pdf"
    assert "Yilmaz" in pdf_text(email.attachments[0][1])
    assert "Yilmaz" not in email.body

    client.post(reverse("brieven"), {"brief": both, "action": "mark"})
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("brieven"), {"brief": both, "action": "email"})
    assert len(mailoutbox) == 1
    sent = {letter.enrollment_id: letter.sent_how for letter in Letter.objects.all()}
    assert sent == {by_email.pk: "email", by_post.pk: "post"}
    assert "Er zijn geen brieven om te versturen." in text(client.get(reverse("brieven")))


def test_nobody_else_reaches_the_letters(client, course, trainer):
    for user in (trainer[1], professional()):
        client.force_login(user)
        response = client.get(reverse("brieven"))
        assert response.status_code in (302, 403)
        assert "Brieven aan de huisarts" not in text(response)


def test_the_referrer_sees_completed_or_stopped_by_the_course_rule(client, course, trainer):
    group = running_group(course, trainer, first_days_ago=40)
    poh = professional()
    finished = place_in(group)
    dropped = place_in(group)
    attend(group, finished, trainer, [1, 2, 3, 4])
    attend(group, dropped, trainer, [1])
    for enrollment in (finished, dropped):
        referral = ReferralFactory(referrer=poh, course=course, enrollment=enrollment)
        referrals.give_share_consent(referral)
    client.force_login(poh)
    page = text(client.get(reverse("carepath:my_referrals")))
    assert "afgerond</span>" in page
    assert "gestopt</span>" in page
