"""Signing up for a group, step by step, with the test client: what a person sees at each step."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from booking.models import Enrollment, OutgoingEmail, Participant, RegistrationStop, TrainingGroup
from booking.services import consent
from booking.signup.emails import confirmation
from booking.signup.state import SESSION_KEY
from courses.models import CoursePage
from tests.booking.factories import EnrollmentFactory, ParticipantFactory, planned_group, signup_course
from tests.factories import LocationFactory, UserFactory
from tests.helpers import fitting_answers, signup_url, text

pytestmark = pytest.mark.django_db

SANNE = {
    "first_name": "Sanne",
    "last_name": "van der Berg",
    "email": "Sanne.vdBerg@Example.nl",
    "phone": "+31 6 12345678",
    "birth_year": "1985",
    "postcode": "5611ab",
    "gp_practice": "Huisartsenpraktijk De Linde, Geldrop",
    "gp_letter_consent": "on",
}
PARTNER = {
    "together": "on",
    "partner_first_name": "Joost",
    "partner_last_name": "van der Berg",
    "partner_email": "joost@example.nl",
    "partner_phone": "040-1234567",
    "partner_birth_year": "1983",
    "partner_postcode": "5611 AB",
}
FITTING = {"action": "next"}  # filled in per course below


@pytest.fixture
def course(course_index):
    return signup_course(course_index, couples_welcome=True)


@pytest.fixture
def location():
    return LocationFactory(name="Gezondheidscentrum De Linde", town="Eindhoven")


@pytest.fixture
def group(course, location):
    return planned_group(course, location, capacity=10, taken=3, count=5)


def walk_to_consent(client, group, person=SANNE):
    response = client.post(signup_url("participant", group), person | {"action": "next"})
    assert response.status_code == 302, text(response)
    assert response["Location"] == signup_url("suitability", group)
    response = client.post(signup_url("suitability", group), fitting_answers(group.course))
    assert response["Location"] == signup_url("consent", group)


def hold(client, group):
    response = client.post(signup_url("consent", group), {"consent": "on", "action": "next"})
    assert response.status_code == 302, text(response)
    assert response["Location"] == signup_url("payment", group)


def pay_offline(client, group, capture):
    with capture(execute=True):
        response = client.post(signup_url("payment", group), {"provider": "offline", "action": "next"})
    assert response["Location"] == signup_url("done", group)
    return client.get(signup_url("done", group))


# --- the whole way ---------------------------------------------------------------------------------


def test_single_sign_up_from_group_to_confirmation(client, group, mailoutbox, django_capture_on_commit_callbacks):
    first = client.get(signup_url("group", group))
    assert "Stap 1 van 6" in text(first)
    assert "nog 7 plekken" in text(first)
    assert signup_url("participant", group) in text(first)

    step2 = client.get(signup_url("participant", group))
    assert "Stap 2 van 6" in text(step2)
    walk_to_consent(client, group)
    step4 = client.get(signup_url("consent", group))
    assert "Stap 4 van 6" in text(step4)
    assert str(consent.TEXT)[:60] in text(step4)
    assert "sanne.vdberg@example.nl" in text(step4)
    assert "06-12345678" in text(step4)
    hold(client, group)

    payment = client.get(signup_url("payment", group))
    held = Enrollment.objects.get(status="held")
    until = timezone.localtime(held.hold_expires_at).strftime("%H:%M")
    assert "Stap 5 van 6" in text(payment)
    assert f"Uw plaats is voor u vastgehouden tot {until}" in text(payment)
    assert "€\xa035,00" in text(payment)
    assert "Betalen bij de eerste bijeenkomst" in text(payment)

    done = pay_offline(client, group, django_capture_on_commit_callbacks)
    enrollment = Enrollment.objects.select_related("participant").get(participant__email="sanne.vdberg@example.nl")
    assert enrollment.status == "confirmed"
    assert enrollment.consent_text_version == consent.VERSION
    assert enrollment.participant.email == "sanne.vdberg@example.nl"
    assert enrollment.participant.phone == "06-12345678"
    assert enrollment.participant.postcode == "5611 AB"
    assert enrollment.participant.gp_letter_consent is True
    page = text(done)
    assert "Stap 6 van 6" in page
    assert "U bent aangemeld" in page
    assert enrollment.reference in page
    assert "agenda.ics" in page
    assert group.location.name in page

    (email,) = mailoutbox
    assert email.to == ["sanne.vdberg@example.nl"]
    assert "Mentaal Fit" in email.subject
    assert enrollment.reference in email.body
    assert "/mijn-aanmelding/" in email.body
    assert "U betaalt de eigen bijdrage bij de eerste bijeenkomst." in email.body


def test_couple_signs_up_together_and_each_gets_an_email(client, group, mailoutbox, django_capture_on_commit_callbacks):
    walk_to_consent(client, group, SANNE | PARTNER)
    step4 = text(client.get(signup_url("consent", group)))
    assert "Joost van der Berg" in step4 and "040-1234567" in step4
    hold(client, group)
    assert "samen €\xa070,00" in text(client.get(signup_url("payment", group)))

    done = text(pay_offline(client, group, django_capture_on_commit_callbacks))
    couple = list(Enrollment.objects.filter(participant__last_name="van der Berg").order_by("pk"))
    assert [e.status for e in couple] == ["confirmed", "confirmed"]
    assert couple[0].party == couple[1].party
    assert "U bent samen aangemeld" in done
    assert couple[0].reference in done and couple[1].reference in done
    assert sorted(mail.to[0] for mail in mailoutbox) == ["joost@example.nl", "sanne.vdberg@example.nl"]


def test_a_couple_needs_two_places(client, course, location, django_capture_on_commit_callbacks):
    group = planned_group(course, location, capacity=4, taken=3, count=5)
    walk_to_consent(client, group, SANNE | PARTNER)
    response = client.post(signup_url("consent", group), {"consent": "on", "action": "next"})
    assert response.status_code == 200
    assert "Er is nog 1 plaats vrij in deze groep. Samen aanmelden kan daarom niet." in text(response)
    assert not Participant.objects.filter(email="joost@example.nl").exists()


def test_without_questions_the_sign_up_has_five_steps(
    client, course_index, location, django_capture_on_commit_callbacks
):
    course = signup_course(course_index, questions=False, title="Beter slapen")
    group = planned_group(course, location, count=5)
    assert "Stap 1 van 5" in text(client.get(signup_url("group", group)))
    response = client.post(signup_url("participant", group), SANNE | {"action": "next"})
    assert response["Location"] == signup_url("consent", group)
    assert "Stap 3 van 5" in text(client.get(signup_url("consent", group)))
    hold(client, group)
    assert "Stap 5 van 5" in text(pay_offline(client, group, django_capture_on_commit_callbacks))


def test_a_logged_in_patient_gets_their_name_filled_in_and_linked(client, group, django_capture_on_commit_callbacks):
    user = UserFactory(email="anouk@example.nl", first_name="Anouk", last_name="de Wit")
    client.force_login(user)
    page = text(client.get(signup_url("participant", group)))
    assert 'value="Anouk"' in page and 'value="de Wit"' in page and 'value="anouk@example.nl"' in page

    person = SANNE | {"first_name": "Anouk", "last_name": "de Wit", "email": "anouk@example.nl"}
    walk_to_consent(client, group, person)
    hold(client, group)
    pay_offline(client, group, django_capture_on_commit_callbacks)
    assert Participant.objects.get(email="anouk@example.nl").user == user


def test_confirmation_email_goes_once_with_a_calendar_whose_uids_stay_the_same(
    client, group, mailoutbox, django_capture_on_commit_callbacks
):
    walk_to_consent(client, group)
    hold(client, group)
    pay_offline(client, group, django_capture_on_commit_callbacks)
    # The same payment sent twice (a double click, a repeated message) sends nothing more.
    with django_capture_on_commit_callbacks(execute=True):
        again = client.post(signup_url("payment", group), {"provider": "offline", "action": "next"})
    assert again["Location"] == signup_url("done", group)
    assert len(mailoutbox) == 1
    assert OutgoingEmail.objects.filter(kind="confirmation").count() == 1

    (filename, content, mimetype) = mailoutbox[0].attachments[0]
    assert filename.endswith(".ics") and mimetype == "text/calendar"
    events = Calendar.from_ical(content).walk("VEVENT")
    assert len(events) == 5
    uids = [str(event["UID"]) for event in events]
    assert len(set(uids)) == 5

    rebuilt = confirmation(enrollment_id=Enrollment.objects.get(participant__email="sanne.vdberg@example.nl").pk)
    assert [str(e["UID"]) for e in Calendar.from_ical(rebuilt.attachments[0][1]).walk("VEVENT")] == uids


# --- nothing stored before the hold ------------------------------------------------------------------


def test_nothing_is_stored_before_the_consent_step_holds_the_place(client, group):
    participants, enrollments = Participant.objects.count(), Enrollment.objects.count()
    client.get(signup_url("group", group))
    client.post(signup_url("participant", group), SANNE | {"action": "next"})
    client.post(signup_url("suitability", group), fitting_answers(group.course))
    client.get(signup_url("consent", group))
    assert (Participant.objects.count(), Enrollment.objects.count()) == (participants, enrollments)
    hold(client, group)
    assert Enrollment.objects.filter(status="held").count() == 1


# --- Back keeps everything -----------------------------------------------------------------------------


def test_back_keeps_what_was_typed_on_every_step(client, group):
    # Back from step 2, with a half-filled and partly wrong form: everything stays.
    half = {"first_name": "Sanne", "last_name": "de Vries", "email": "sanne@", "phone": "06 1234", "action": "back"}
    response = client.post(signup_url("participant", group), half)
    assert response["Location"] == signup_url("group", group)
    page = text(client.get(signup_url("participant", group)))
    assert 'value="de Vries"' in page and 'value="sanne@"' in page and 'value="06 1234"' in page
    assert "Fout:" not in page  # not judged until "Volgende"

    walk_to_consent(client, group)
    # Back from step 3 to 2 shows the tidied data; the answers are kept as well.
    answers = fitting_answers(group.course) | {"action": "back"}
    assert client.post(signup_url("suitability", group), answers)["Location"] == signup_url("participant", group)
    page = text(client.get(signup_url("participant", group)))
    assert 'value="06-12345678"' in page and 'value="5611 AB"' in page and 'value="van der Berg"' in page
    questions = text(client.get(signup_url("suitability", group)))
    assert questions.count("checked") == 2

    # Back from step 4 keeps the tick; back from step 5 keeps the hold.
    client.post(signup_url("consent", group), {"consent": "on", "action": "back"})
    assert "checked" in text(client.get(signup_url("consent", group)))
    hold(client, group)
    assert client.post(signup_url("payment", group), {"action": "back"})["Location"] == signup_url("consent", group)
    hold(client, group)  # unchanged data: the same hold, no second one
    assert Enrollment.objects.filter(status="held").count() == 1


def test_changing_the_data_after_the_hold_replaces_the_hold(client, group):
    walk_to_consent(client, group)
    hold(client, group)
    first = Enrollment.objects.get(status="held")
    walk_to_consent(client, group, SANNE | {"email": "sanne.nieuw@example.nl"})
    hold(client, group)
    first.refresh_from_db()
    assert first.status == "cancelled"
    assert Enrollment.objects.get(status="held").participant.email == "sanne.nieuw@example.nl"


# --- bad input -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "field, typed, message",
    [
        ("email", "sanne@@example", "Dit e-mailadres klopt niet"),
        ("phone", "06-1234", "Dit telefoonnummer klopt niet"),
        ("phone", "bel mij maar", "Dit telefoonnummer klopt niet"),
        ("postcode", "56111", "Dit is geen geldige postcode"),
        ("postcode", "0123 AB", "begint niet met een 0"),
        ("birth_year", str(timezone.localdate().year - 16), "Deze training is voor mensen van 18 jaar en ouder"),
        ("birth_year", "1850", "Dit geboortejaar klopt niet"),
        ("birth_year", "85", "met 4 cijfers"),
        ("first_name", "", "Vul de voornaam in"),
    ],
)
def test_bad_input_gets_a_dutch_message_at_the_field_and_keeps_what_was_typed(client, group, field, typed, message):
    response = client.post(signup_url("participant", group), SANNE | {field: typed, "action": "next"})
    assert response.status_code == 200
    page = text(response)
    assert message in page
    assert f'id="id_{field}_error"' in page
    assert re.search(rf'<input[^>]*name="{field}"[^>]*aria-invalid="true"', page)
    assert 'value="van der Berg"' in page  # the other fields stay
    if typed:
        assert f'value="{typed}"' in page
    assert page.startswith("<!DOCTYPE html>") and "<title>Fout:" in page
    assert not Participant.objects.filter(last_name="van der Berg").exists()


@pytest.mark.parametrize(
    "typed, tidy",
    [
        ("06-12345678", "06-12345678"),
        ("+31 6 12345678", "06-12345678"),
        ("040-1234567", "040-1234567"),
        ("0031 40 123 4567", "040-1234567"),
        ("0497 123456", "0497-123456"),
        ("+31 (0)20 1234567", "020-1234567"),
    ],
)
def test_phone_numbers_are_accepted_the_usual_ways_and_tidied(client, group, typed, tidy):
    client.post(signup_url("participant", group), SANNE | {"phone": typed, "action": "next"})
    assert f'value="{tidy}"' in text(client.get(signup_url("participant", group)))


def test_partner_data_is_checked_only_when_signing_up_together(client, group):
    alone = SANNE | {k: "x" for k in PARTNER if k != "together"} | {"action": "next"}
    assert client.post(signup_url("participant", group), alone)["Location"] == signup_url("suitability", group)

    together = (
        SANNE | PARTNER | {"partner_email": "sanne.vdberg@example.nl", "partner_birth_year": "", "action": "next"}
    )
    page = text(client.post(signup_url("participant", group), together))
    assert "Vul voor uw partner een eigen e-mailadres in" in page
    assert "Geboortejaar van uw partner: Vul het geboortejaar in." in page


def test_a_second_sign_up_with_the_same_email_is_refused_neutrally(client, group):
    EnrollmentFactory(group=group, participant=ParticipantFactory(email="sanne.vdberg@example.nl"))
    walk_to_consent(client, group)
    response = client.post(signup_url("consent", group), {"consent": "on", "action": "next"})
    assert response["Location"] == signup_url("participant", group)
    page = text(client.get(signup_url("participant", group)))
    assert "Met dit e-mailadres is al iemand aangemeld voor deze groep" in page
    assert 'value="Sanne"' in page
    assert Enrollment.objects.filter(status="held").count() == 0


def test_consent_is_required(client, group):
    walk_to_consent(client, group)
    page = text(client.post(signup_url("consent", group), {"action": "next"}))
    assert "Zet een vinkje om toestemming te geven" in page
    assert not Enrollment.objects.filter(status="held").exists()


def test_skipping_steps_by_url_leads_back_to_the_first_open_step(client, group):
    assert client.get(signup_url("consent", group))["Location"] == signup_url("participant", group)
    assert client.get(signup_url("payment", group))["Location"] == signup_url("participant", group)
    assert client.get(signup_url("done", group))["Location"] == signup_url("group", group)
    client.post(signup_url("participant", group), SANNE | {"action": "next"})
    assert client.get(signup_url("consent", group))["Location"] == signup_url("suitability", group)


# --- suitability ----------------------------------------------------------------------------------------


def test_an_answer_that_does_not_fit_leads_to_kind_advice_and_back(client, group):
    client.post(signup_url("participant", group), SANNE | {"action": "next"})
    questions = list(group.course.suitability_questions.all())
    answers = fitting_answers(group.course) | {f"vraag_{questions[1].pk}": "yes"}
    response = client.post(signup_url("suitability", group), answers)
    assert response["Location"] == signup_url("advice", group)
    page = text(client.get(signup_url("advice", group)))
    assert "Praat vandaag nog met uw huisarts of POH-GGZ" in page
    assert "Praat met uw huisarts of POH-GGZ." in page  # the course's own advice
    assert signup_url("suitability", group) in page
    assert reverse("waitlist:join", kwargs={"course_id": group.course.pk}) in page
    assert group.course.url in page
    # No way around the advice to the consent step, and nothing stored.
    assert client.get(signup_url("consent", group))["Location"] == signup_url("suitability", group)
    assert not Participant.objects.filter(last_name="van der Berg").exists()
    # Changing the answer goes on as usual.
    assert client.post(signup_url("suitability", group), fitting_answers(group.course))["Location"] == signup_url(
        "consent", group
    )


def test_every_question_needs_an_answer(client, group):
    client.post(signup_url("participant", group), SANNE | {"action": "next"})
    page = text(client.post(signup_url("suitability", group), {"action": "next"}))
    assert page.count("Kies ja of nee.") >= 2


# --- refusals: full, closed, stopped, expired ------------------------------------------------------------


def test_a_place_taken_while_the_form_was_open(client, course, location):
    group = planned_group(course, location, capacity=5, taken=4, count=5)
    other = planned_group(
        course, LocationFactory(name="Wijkcentrum De Ontmoeting", town="Helmond", postcode="5701 AA"), days=35, count=5
    )
    walk_to_consent(client, group)
    assert client.get(signup_url("consent", group)).status_code == 200
    EnrollmentFactory(group=group)  # someone else was quicker

    response = client.post(signup_url("consent", group), {"consent": "on", "action": "next"})
    page = text(response)
    assert response.status_code == 200
    assert "Deze groep is net vol geraakt" in page
    assert "Wijkcentrum De Ontmoeting" in page and signup_url("group", other) in page
    assert reverse("waitlist:join", kwargs={"course_id": course.pk}) in page
    assert "Wat u invulde, is bewaard" in page
    assert not Participant.objects.filter(email="sanne.vdberg@example.nl").exists()
    # The other group starts with what was typed.
    assert 'value="van der Berg"' in text(client.get(signup_url("participant", other)))


def test_a_full_group_refuses_at_step_one_with_the_alternatives(client, course, location):
    group = planned_group(course, location, capacity=5, taken=5, count=5)
    page = text(client.get(signup_url("group", group)))
    assert "Deze groep is vol" in page
    assert signup_url("participant", group) not in page
    assert reverse("waitlist:join", kwargs={"course_id": course.pk}) in page
    assert client.get(signup_url("participant", group))["Location"] == signup_url("group", group)


@pytest.mark.parametrize("status, message", [("planned", "nog niet aanmelden"), ("cancelled", "gaat niet door")])
def test_a_group_that_is_not_open_refuses_politely(client, course, location, status, message):
    group = planned_group(course, location, status="planned", count=5)
    TrainingGroup.objects.filter(pk=group.pk).update(status=status)
    page = text(client.get(signup_url("group", group)))
    assert message in page
    assert client.post(signup_url("participant", group), SANNE | {"action": "next"})["Location"] == signup_url(
        "group", group
    )


def test_a_registration_stop_shows_its_message_and_the_alternatives(client, course, location):
    group = planned_group(course, location, count=5)
    elsewhere = planned_group(
        course, LocationFactory(name="Huisartsenpraktijk De Molenwiek", town="Geldrop", postcode="5664 AA"), count=5
    )
    RegistrationStop.objects.create(
        location=location, message="Deze locatie gaat verbouwen. Aanmelden kan weer in het voorjaar."
    )

    page = text(client.get(signup_url("group", group)))
    assert "Deze locatie gaat verbouwen" in page
    assert signup_url("participant", group) not in page
    assert signup_url("group", elsewhere) in page
    assert reverse("waitlist:join", kwargs={"course_id": course.pk}) in page
    assert client.get(signup_url("participant", group))["Location"] == signup_url("group", group)
    # Typed before the stop began: kept, and refused at the hold.
    assert client.get(signup_url("participant", elsewhere)).status_code == 200


def test_a_stop_that_ended_no_longer_counts(client, course, location):
    group = planned_group(course, location, count=5)
    now = timezone.now()
    RegistrationStop.objects.create(
        course=course,
        message="Even niet.",
        starts_at=now - datetime.timedelta(days=9),
        ends_at=now - datetime.timedelta(days=1),
    )
    RegistrationStop.objects.create(course=course, message="Straks niet.", starts_at=now + datetime.timedelta(days=1))
    assert signup_url("participant", group) in text(client.get(signup_url("group", group)))


def test_a_hold_that_ran_out_and_lost_its_place_says_so(client, course, location, django_capture_on_commit_callbacks):
    group = planned_group(course, location, capacity=5, taken=3, count=5)
    walk_to_consent(client, group)
    hold(client, group)
    Enrollment.objects.filter(status="held").update(hold_expires_at=timezone.now() - datetime.timedelta(minutes=1))
    assert "Die tijd is voorbij" in text(client.get(signup_url("payment", group)))
    EnrollmentFactory.create_batch(2, group=group)  # the place went to others meanwhile

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(signup_url("payment", group), {"provider": "offline", "action": "next"})
    page = text(response)
    assert "Uw reservering is verlopen en de plaats is intussen aan iemand anders gegeven" in page
    assert reverse("waitlist:join", kwargs={"course_id": course.pk}) in page
    assert not Enrollment.objects.filter(status="confirmed", participant__email="sanne.vdberg@example.nl").exists()


def test_a_hold_that_ran_out_is_still_confirmed_while_the_place_is_free(
    client, group, mailoutbox, django_capture_on_commit_callbacks
):
    walk_to_consent(client, group)
    hold(client, group)
    Enrollment.objects.filter(status="held").update(hold_expires_at=timezone.now() - datetime.timedelta(minutes=1))
    assert "U bent aangemeld" in text(pay_offline(client, group, django_capture_on_commit_callbacks))
    assert len(mailoutbox) == 1


def test_an_unknown_or_unpublished_group_is_not_found(client, group):
    assert client.get(reverse("signup:group", kwargs={"group_id": 999999})).status_code == 404
    group.course.unpublish()
    assert client.get(signup_url("group", group)).status_code == 404
    assert client.get(reverse("signup:course", kwargs={"course_id": group.course.pk})).status_code == 404


def test_the_consent_form_sent_twice_holds_the_places_once(client, group):

    walk_to_consent(client, group)
    client.get(signup_url("consent", group))
    before_first_submit = client.session[SESSION_KEY]
    hold(client, group)
    # The second submit of a double click read the session before the first one saved it.
    session = client.session
    session[SESSION_KEY] = before_first_submit
    session.save()
    hold(client, group)
    assert Enrollment.objects.filter(status="held").count() == 1
    assert "Uw plaats is voor u vastgehouden" in text(client.get(signup_url("payment", group)))


def test_a_preview_of_an_unsaved_course_page_has_no_groups(rf, course):

    context = CoursePage(title="Nieuw").groups_context(rf.get("/"))
    assert context["group_listing"].rows == []
