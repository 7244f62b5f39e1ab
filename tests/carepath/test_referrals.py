"""Referrals: a professional makes one, the patient signs up with it, the referrer sees what the patient allows."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from booking.models import Attendance, Enrollment, WaitlistEntry
from booking.services.offers import offer_freed_places
from booking.waitlist import offers as waitlist_offers
from carepath.models import Referral
from carepath.services import consent, referrals
from tests.booking.factories import planned_group, signup_course
from tests.carepath.factories import PracticeFactory, ReferralFactory, professional
from tests.factories import LocationFactory, UserFactory
from tests.helpers import fitting_answers, signup_url, text

pytestmark = pytest.mark.django_db

PATIENT = {
    "first_name": "Fatma",
    "last_name": "Yilmaz",
    "email": "fatma.yilmaz@example.nl",
    "phone": "06-12345678",
    "birth_year": "1979",
    "postcode": "5664 AB",
    "action": "next",
}


@pytest.fixture
def course(course_index):
    return signup_course(course_index)


@pytest.fixture
def group(course):
    location = LocationFactory(name="Gezondheidscentrum Geldrop", town="Geldrop")
    course.locations.add(location)
    course.save()
    return planned_group(course, location, count=5, days=21)


@pytest.fixture
def practice():
    return PracticeFactory(name="Huisartsenpraktijk De Linde")


@pytest.fixture
def poh(practice):
    return professional("Marloes", "Smits", practice=practice)


def make_referral(client, data):
    return client.post(reverse("carepath:new"), data)


def sign_up(client, group, django_capture_on_commit_callbacks):
    client.post(signup_url("participant", group), PATIENT)
    client.post(signup_url("suitability", group), fitting_answers(group.course))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(signup_url("consent", group), {"consent": "on", "action": "next"})
        client.post(signup_url("payment", group), {"provider": "offline", "action": "next"})
    assert response["Location"] == signup_url("payment", group)
    return Enrollment.objects.get(participant__email=PATIENT["email"])


def test_professional_prints_a_referral_with_code_and_qr(client, poh, course, group):
    client.force_login(poh)
    form = client.get(reverse("carepath:new") + f"?training={course.pk}")
    assert f'<option value="{course.pk}" selected>' in text(form)
    response = make_referral(
        client,
        {"course": course.pk, "delivery": "print", "note": "Kan alleen overdag.", "practice": poh.practices.get().pk},
    )
    referral = Referral.objects.get()
    assert response["Location"] == reverse("carepath:detail", kwargs={"pk": referral.pk})
    page = text(client.get(response["Location"]))
    assert referral.display_code in page
    assert "<svg" in page
    assert "Mentaal Fit" in page
    assert referral.expires_at.date() == (referral.created_at + datetime.timedelta(days=90)).date()
    overview = text(client.get(reverse("carepath:my_referrals")))
    assert referral.display_code in overview
    assert "aangemaakt" in overview


def test_a_referral_by_email_sends_the_link_and_code_once(
    client, poh, course, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(poh)
    with django_capture_on_commit_callbacks(execute=True):
        make_referral(client, {"course": course.pk, "delivery": "email", "patient_email": "Fatma@Example.nl"})
    referral = Referral.objects.get()
    (email,) = mailoutbox
    assert email.to == ["fatma@example.nl"]
    assert referral.display_code in email.body
    assert f"/verwijzing/{referral.code}/" in email.body
    assert "Marloes Smits heeft u verwezen naar de groepstraining Mentaal Fit" in email.body


def test_bad_referral_input_gets_dutch_messages_and_keeps_what_was_typed(client, poh, course):
    client.force_login(poh)
    other_place = LocationFactory(name="Wijkgebouw Elders")
    response = make_referral(
        client,
        {
            "course": course.pk,
            "delivery": "email",
            "patient_email": "",
            "note": "x" * 301,
            "preferred_location": other_place.pk,
        },
    )
    page = text(response)
    assert response.status_code == 400
    assert "Vul het e-mailadres van de patiënt in, of kies voor printen." in page
    assert "Schrijf hooguit 300 tekens" in page
    assert "Deze training wordt niet op deze locatie gegeven." in page
    assert "x" * 301 in page
    assert not Referral.objects.exists()


def test_patient_with_the_code_signs_up_with_course_and_referrer_filled_in_and_shares(
    client, poh, group, mailoutbox, django_capture_on_commit_callbacks
):
    referral = ReferralFactory(referrer=poh, practice=poh.practices.get(), course=group.course)
    patient = type(client)()
    typed = patient.post(reverse("carepath:enter_code"), {"code": referral.display_code.lower()})
    assert typed["Location"] == reverse("carepath:referral", kwargs={"code": referral.code})
    start = text(patient.get(typed["Location"]))
    assert "Marloes Smits heeft u verwezen naar een groepstraining." in start
    assert str(consent.SHARE_TEXT)[:40] in start
    to_signup = patient.post(typed["Location"], {"share": "on"})
    assert to_signup["Location"] == reverse("signup:course", kwargs={"course_id": group.course.pk})
    step = text(patient.get(signup_url("participant", group)))
    assert "U meldt zich aan met een verwijzing van Marloes Smits." in step

    enrollment = sign_up(patient, group, django_capture_on_commit_callbacks)
    referral.refresh_from_db()
    assert referral.enrollment == enrollment
    assert referral.share_consent_version == consent.SHARE_VERSION
    sharing = [m for m in mailoutbox if "voortgang" in m.subject]
    assert sharing[0].to == [PATIENT["email"]]

    client.force_login(poh)
    assert "aangemeld" in text(client.get(reverse("carepath:my_referrals")))
    session = group.sessions.order_by("start").first()
    Attendance.objects.create(session=session, enrollment=enrollment, status=Attendance.Status.PRESENT)
    assert "gestart" in text(client.get(reverse("carepath:my_referrals")))

    # The patient stops sharing with the link in the email: the referrer sees "geopend" only.
    link = next(line for line in sharing[0].body.splitlines() if "/verwijzing/delen/" in line)
    path = link[link.index("/verwijzing/delen/") :]
    assert "Stoppen met delen" in text(patient.get(path))
    patient.post(path, {"action": "stop"})
    overview = text(client.get(reverse("carepath:my_referrals")))
    assert "gestart" not in overview
    assert "geopend" in overview


def test_without_consent_the_referrer_sees_only_opened(client, poh, group, django_capture_on_commit_callbacks):
    referral = ReferralFactory(referrer=poh, course=group.course)
    patient = type(client)()
    patient.post(reverse("carepath:referral", kwargs={"code": referral.code}), {})
    sign_up(patient, group, django_capture_on_commit_callbacks)
    referral.refresh_from_db()
    assert referral.enrollment is not None
    assert referral.share_consent_at is None
    client.force_login(poh)
    overview = text(client.get(reverse("carepath:my_referrals")))
    assert "geopend" in overview
    assert "aangemeld</span>" not in overview
    # The figures count the patient all the same.
    assert referrals.funnel(Referral.objects.all())["signed_up"] == 1


def test_joining_the_waiting_list_with_a_referral_shows_waiting(client, poh, course):
    referral = ReferralFactory(referrer=poh, course=course)
    patient = type(client)()
    patient.post(reverse("carepath:referral", kwargs={"code": referral.code}), {"share": "on"})
    response = patient.post(
        reverse("waitlist:join", kwargs={"course_id": course.pk}),
        {k: v for k, v in PATIENT.items() if k != "action"} | {"part_of_day": "any", "consent": "on"},
    )
    assert response.status_code == 302, text(response)
    referral.refresh_from_db()
    assert referral.waitlist_entry == WaitlistEntry.objects.get()
    client.force_login(poh)
    assert "op de wachtlijst" in text(client.get(reverse("carepath:my_referrals")))


def test_colleagues_of_the_practice_share_the_overview_and_others_see_nothing(client, poh, practice, course):
    referral = ReferralFactory(referrer=poh, practice=practice, course=course)
    colleague = professional("Joost", "Bakker", practice=practice)
    stranger = professional("Ineke", "de Graaf", practice=PracticeFactory())
    detail = reverse("carepath:detail", kwargs={"pk": referral.pk})

    client.force_login(colleague)
    assert referral.display_code in text(client.get(reverse("carepath:my_referrals")))
    assert client.get(detail).status_code == 200

    client.force_login(stranger)
    assert referral.display_code not in text(client.get(reverse("carepath:my_referrals")))
    assert client.get(detail).status_code == 403


def test_only_verified_professionals_refer(client, course):
    pages = [reverse("carepath:my_referrals"), reverse("carepath:new")]
    for url in pages:
        assert client.get(url)["Location"].startswith(reverse("account_login"))
    client.force_login(UserFactory())
    for url in pages:
        response = client.get(url)
        assert response.status_code == 403
        assert "Alleen voor professionals" in text(response)
    assert client.post(reverse("carepath:new"), {"course": course.pk, "delivery": "print"}).status_code == 403
    assert not Referral.objects.exists()


def test_pages_are_private(client, poh):
    client.force_login(poh)
    response = client.get(reverse("carepath:my_referrals"))
    assert "no-store" in response["Cache-Control"]
    anonymous = type(client)()
    assert "no-store" in anonymous.get(reverse("carepath:enter_code"))["Cache-Control"]


def test_an_expired_code_says_so_kindly_and_still_leads_to_the_trainings(client, course):
    long_ago = timezone.now() - datetime.timedelta(days=120)
    referral = ReferralFactory(course=course, created_at=long_ago)
    response = client.get(reverse("carepath:referral", kwargs={"code": referral.code}))
    assert response.status_code == 410
    assert "Deze verwijzing is verlopen" in text(response)


def test_a_wrong_code_gets_a_dutch_message_and_many_wrong_codes_are_refused(client, settings):
    settings.GROEPSWIJZER_REFERRAL_CODE_TRIES = 3
    short = client.post(reverse("carepath:enter_code"), {"code": "ABC"})
    assert "Een verwijscode heeft 10 letters en cijfers" in text(short)
    for _ in range(3):
        wrong = client.post(reverse("carepath:enter_code"), {"code": "ABCDE-FGHJK"})
        assert "Wij vinden geen verwijzing met deze code." in text(wrong)
    real = ReferralFactory()
    refused = client.get(reverse("carepath:referral", kwargs={"code": real.code}))
    assert refused.status_code == 429
    assert "Probeer het over een uur nog eens." in text(refused)


def test_codes_are_long_and_different():
    codes = {ReferralFactory().code for _ in range(20)}
    assert len(codes) == 20
    assert all(len(code) == 10 for code in codes)


def test_a_place_accepted_from_the_waiting_list_is_tied_to_the_referral(
    client, poh, course, group, django_capture_on_commit_callbacks
):
    referral = ReferralFactory(referrer=poh, course=course)
    patient = type(client)()
    patient.post(reverse("carepath:referral", kwargs={"code": referral.code}), {"share": "on"})
    patient.post(
        reverse("waitlist:join", kwargs={"course_id": course.pk}),
        {k: v for k, v in PATIENT.items() if k != "action"} | {"part_of_day": "any", "consent": "on"},
    )
    with django_capture_on_commit_callbacks(execute=True):
        (offer,) = offer_freed_places(group)
        waitlist_offers.accept_offer(offer)

    referral.refresh_from_db()
    assert referral.waitlist_entry == offer.entry
    assert referral.enrollment == offer.enrollment
    client.force_login(poh)
    assert "aangemeld</span>" in text(client.get(reverse("carepath:my_referrals")))
    # The figures count the place as one with a referral.
    assert referrals.funnel(Referral.objects.all())["signed_up"] == 1
