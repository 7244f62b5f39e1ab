"""The office's screens in the Wagtail admin: sign-up by phone, actions per enrollment, the waiting list, groups under
their minimum, failed emails, the admin home and the professionals; who may use them, and what is logged."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts import roles
from accounts.models import ProfessionalProfile
from booking.models import AccessLogEntry, Enrollment, EnrollmentMove, OutgoingEmail, TrainingGroup, WaitlistEntry
from courses.models import SuitabilityQuestion
from tests.booking.factories import (
    WaitlistEntryFactory,
    coordinator,
    place_in,
    planned_group,
    staff_user,
    trainer_account,
)
from tests.factories import LocationFactory, ProfessionalProfileFactory, UserFactory
from tests.helpers import text

pytestmark = pytest.mark.django_db


@pytest.fixture
def ilse():
    return coordinator(email="ilse@example.nl")


@pytest.fixture
def admin_client(client, ilse):
    client.force_login(ilse)
    return client


@pytest.fixture
def soon(course, location):
    """A group starting in 10 days with a minimum of 5 and 2 people: under its minimum, to decide on."""
    group = planned_group(course, location=location, days=10, min_participants=5)
    place_in(group, email="joelle@example.nl", first_name="Joëlle")
    place_in(group, email="daan@example.nl", first_name="Daan")
    return group


@pytest.fixture
def later(course):
    return planned_group(course, location=LocationFactory(name="De Peel", town="Deurne"), days=30, hour=10)


def signup_data(**overrides):
    data = {
        "first_name": "Joëlle",
        "last_name": "van der Meer-IJzerman",
        "email": "Joelle@Example.nl",
        "phone": "06 1234 5678",
        "birth_year": "1985",
        "postcode": "5611ab",
        "toestemming-channel": "phone",
        "toestemming-consent": "on",
        "bijdrage-pay": "offline",
    }
    data.update(overrides)
    return data


OFFICE_URLS = [
    "/admin/kantoor/aanmelden/",
    "/admin/kantoor/importeren/",
    "/admin/groepen/onder-minimum/",
    "/admin/mislukte-emails/",
    "/admin/wachtlijst/toevoegen/",
]


# --- who may -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("url", OFFICE_URLS)
def test_editors_and_trainers_cannot_use_the_office_screens(client, url):
    client.force_login(staff_user(roles.EDITORS))
    assert client.get(url).status_code in (302, 403)
    _trainer, trainer_user = trainer_account()
    client.force_login(trainer_user)
    assert client.get(url).status_code in (302, 403)
    client.force_login(UserFactory())
    assert client.get(url).status_code == 302


def test_editors_cannot_act_on_an_enrollment_or_decide_on_a_professional(client, soon, later):
    enrollment = soon.enrollments.first()
    profile = ProfessionalProfileFactory()
    client.force_login(staff_user(roles.EDITORS))
    for action in ("bevestigen", "afmelden", "verplaatsen", "gegevens", "link"):
        assert client.post(f"/admin/aanmeldingen/{enrollment.pk}/{action}/", {}).status_code in (302, 403)
    assert client.post(f"/admin/groepen/{soon.pk}/samenvoegen/", {"into": later.pk, "reason": "x"}).status_code in (
        302,
        403,
    )
    assert client.post(f"/admin/professionals/{profile.pk}/goedkeuren/").status_code in (302, 403)
    enrollment.refresh_from_db()
    profile.refresh_from_db()
    assert enrollment.status == "confirmed" and profile.status == "pending"


def test_coordinators_have_the_office_permissions(ilse):
    for perm in ("booking.add_enrollment", "booking.change_enrollment", "booking.view_outgoingemail"):
        assert ilse.has_perm(perm)


# --- signing up by phone -------------------------------------------------------------------------------


def test_the_group_list_offers_open_groups_and_the_waiting_list_for_full_ones(admin_client, course, location):
    open_group = planned_group(course, location=location, days=20, capacity=5)
    full = planned_group(course, location=LocationFactory(name="De Peel"), days=25, capacity=1, hour=10)
    place_in(full)
    html = text(admin_client.get("/admin/kantoor/aanmelden/"))
    assert f"/admin/kantoor/aanmelden/{open_group.pk}/" in html
    assert f"/admin/kantoor/aanmelden/{full.pk}/" not in html and "vol" in html


def test_phone_signup_places_the_person_and_logs_who_did_it(admin_client, ilse, course, location):
    group = planned_group(course, location=location, days=20)
    response = admin_client.post(f"/admin/kantoor/aanmelden/{group.pk}/", signup_data())
    enrollment = Enrollment.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/admin/aanmeldingen/inspect/{enrollment.pk}/"
    participant = enrollment.participant
    assert (participant.email, participant.phone, participant.postcode) == (
        "joelle@example.nl",
        "06-12345678",
        "5611 AB",
    )
    assert enrollment.status == "confirmed" and enrollment.consent_taken_by == ilse
    assert OutgoingEmail.objects.filter(kind="confirmation", to="joelle@example.nl").exists()
    assert AccessLogEntry.objects.filter(user=ilse, action="signup").count() == 1
    page = text(admin_client.get(response["Location"]))
    assert "per telefoon gegeven aan Ilse Verhoeven" in page


def test_phone_signup_asks_the_courses_questions_and_passes_on_its_advice(admin_client, course, location):
    group = planned_group(course, location=location, days=20)
    question = SuitabilityQuestion.objects.create(
        page=course, question="Zit u nu in een crisis?", fitting_answer="no", advice="Bel vandaag uw huisarts."
    )
    response = admin_client.post(
        f"/admin/kantoor/aanmelden/{group.pk}/", signup_data(**{f"vragen-vraag_{question.pk}": "yes"})
    )
    html = text(response)
    assert response.status_code == 400 and "Bel vandaag uw huisarts." in html
    assert "van der Meer-IJzerman" in html  # what was typed stays
    assert not Enrollment.objects.exists()


def test_phone_signup_without_consent_or_exemption_reason_is_explained_at_the_field(admin_client, course, location):
    group = planned_group(course, location=location, days=20)
    data = signup_data(**{"bijdrage-pay": "exempt"})
    del data["toestemming-consent"]
    html = text(admin_client.post(f"/admin/kantoor/aanmelden/{group.pk}/", data))
    assert "Lees de toestemmingstekst voor" in html
    assert "Schrijf op waarom deze deelnemer de eigen bijdrage niet hoeft te betalen." in html
    assert not Enrollment.objects.exists()


def test_phone_signup_for_a_group_that_filled_meanwhile_says_so_and_shows_other_groups(
    admin_client, course, location, later
):
    group = planned_group(course, location=location, days=20, capacity=1)
    page = admin_client.get(f"/admin/kantoor/aanmelden/{group.pk}/")
    assert page.status_code == 200
    place_in(group)
    response = admin_client.post(f"/admin/kantoor/aanmelden/{group.pk}/", signup_data())
    assert response.status_code == 409 and "vol" in text(response)
    assert Enrollment.objects.filter(participant__email="joelle@example.nl").count() == 0


def test_an_address_that_already_has_a_place_is_refused_at_the_email_field(admin_client, course, location):
    group = planned_group(course, location=location, days=20)
    place_in(group, email="joelle@example.nl")
    html = text(admin_client.post(f"/admin/kantoor/aanmelden/{group.pk}/", signup_data()))
    assert "Met dit e-mailadres heeft al iemand een plaats in deze groep." in html


# --- one enrollment ------------------------------------------------------------------------------------


def test_the_enrollment_page_offers_what_can_be_done_now(admin_client, soon):
    enrollment = soon.enrollments.first()
    html = text(admin_client.get(f"/admin/aanmeldingen/inspect/{enrollment.pk}/"))
    for action in ("verplaatsen", "gegevens", "link", "afmelden"):
        assert f"/admin/aanmeldingen/{enrollment.pk}/{action}/" in html
    assert f"/admin/aanmeldingen/{enrollment.pk}/bevestigen/" not in html


def test_moving_from_the_admin_records_the_move_and_logs_it(admin_client, ilse, soon, later):
    enrollment = soon.enrollments.get(participant__email="joelle@example.nl")
    page = admin_client.get(f"/admin/aanmeldingen/{enrollment.pk}/verplaatsen/")
    assert str(later) in text(page)
    response = admin_client.post(
        f"/admin/aanmeldingen/{enrollment.pk}/verplaatsen/", {"group": later.pk, "reason": "Kan niet op dinsdag."}
    )
    assert response.status_code == 302
    enrollment.refresh_from_db()
    assert enrollment.group == later
    assert EnrollmentMove.objects.get().moved_by == ilse
    html = text(admin_client.get(response["Location"]))
    assert "Kan niet op dinsdag." in html
    assert AccessLogEntry.objects.filter(user=ilse, action="move").exists()


def test_moving_without_a_reason_keeps_the_choice_and_says_why(admin_client, soon, later):
    enrollment = soon.enrollments.first()
    response = admin_client.post(f"/admin/aanmeldingen/{enrollment.pk}/verplaatsen/", {"group": later.pk})
    assert response.status_code == 400
    assert "Schrijf op waarom deze deelnemer naar een andere groep gaat." in text(response)
    assert f'value="{later.pk}" selected' in text(response)


def test_correcting_a_wrong_phone_number_is_explained_in_dutch(admin_client, soon):
    enrollment = soon.enrollments.first()
    data = {"first_name": "Joëlle", "last_name": "de Vries", "email": "joelle@example.nl", "phone": "12345"}
    response = admin_client.post(f"/admin/aanmeldingen/{enrollment.pk}/gegevens/", data)
    assert response.status_code == 400 and "Dit telefoonnummer klopt niet." in text(response)
    data["phone"] = "040 123 4567"
    assert admin_client.post(f"/admin/aanmeldingen/{enrollment.pk}/gegevens/", data).status_code == 302
    enrollment.participant.refresh_from_db()
    assert enrollment.participant.phone == "040-1234567"


def test_cancelling_and_resending_from_the_admin(admin_client, ilse, soon):
    enrollment = soon.enrollments.first()
    assert admin_client.post(f"/admin/aanmeldingen/{enrollment.pk}/link/").status_code == 302
    assert OutgoingEmail.objects.filter(kind="new_links").exists()
    response = admin_client.post(f"/admin/aanmeldingen/{enrollment.pk}/afmelden/", {"fee": "terms"})
    assert response.status_code == 302
    enrollment.refresh_from_db()
    assert enrollment.status == "cancelled"
    # Once cancelled, the page says so instead of offering to cancel again.
    response = admin_client.post(f"/admin/aanmeldingen/{enrollment.pk}/afmelden/", {"fee": "terms"})
    assert response.status_code == 302
    assert {entry.action for entry in AccessLogEntry.objects.filter(user=ilse)} == {"link", "cancel"}


def test_another_coordinators_actions_are_in_the_access_log_under_their_name(client, soon, later):
    anouk = coordinator(email="anouk@example.nl", first_name="Anouk", last_name="Smits")
    ilse = coordinator(email="ilse2@example.nl")
    client.force_login(anouk)
    enrollment = soon.enrollments.first()
    client.post(f"/admin/aanmeldingen/{enrollment.pk}/verplaatsen/", {"group": later.pk, "reason": "Ruil."})
    client.force_login(ilse)
    html = text(client.get("/admin/inzage/?action=move"))
    assert "Anouk Smits" in html and "naar een andere groep verplaatst" in html


# --- the waiting list ------------------------------------------------------------------------------------


def test_putting_someone_on_the_waiting_list_by_phone(admin_client, ilse, course, location):
    planned_group(course, location=location, days=20)
    data = {
        "first_name": "Daan",
        "last_name": "de Wit",
        "email": "daan@example.nl",
        "birth_year": "1979",
        "postcode": "5611 AB",
        "preferred_locations": [str(location.pk)],
        "part_of_day": "evening",
        "toestemming-channel": "desk",
        "toestemming-consent": "on",
    }
    response = admin_client.post(f"/admin/wachtlijst/toevoegen/?course={course.pk}", data)
    entry = WaitlistEntry.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/admin/wachtlijst/{entry.pk}/"
    assert entry.consent_channel == "desk" and entry.consent_taken_by == ilse and entry.part_of_day == "evening"


def test_changing_wishes_and_taking_off_with_a_reason_on_the_entry_page(admin_client, ilse, course, location):
    planned_group(course, location=location, days=20)
    entry = WaitlistEntryFactory(course=course)
    url = f"/admin/wachtlijst/{entry.pk}/"
    admin_client.post(
        url, {"wishes-preferred_locations": [location.pk], "wishes-part_of_day": "morning", "wishes-submit": "1"}
    )
    entry.refresh_from_db()
    assert entry.part_of_day == "morning" and list(entry.preferred_locations.all()) == [location]
    response = admin_client.post(url, {"remove-reason": "", "remove-submit": "1"})
    assert "Schrijf op waarom deze persoon van de wachtlijst gaat." in text(response)
    admin_client.post(url, {"remove-reason": "Heeft al een andere plek.", "remove-submit": "1"})
    entry.refresh_from_db()
    assert entry.status == "taken_off" and entry.removal_reason == "Heeft al een andere plek."
    assert "Heeft al een andere plek." in text(admin_client.get(url))


# --- groups under their minimum ------------------------------------------------------------------------------


def test_the_group_list_shows_fill_against_the_minimum(admin_client, soon):
    assert "2, minimaal 5 (te weinig)" in text(admin_client.get("/admin/groepen/"))


def test_going_ahead_from_the_list(admin_client, ilse, soon):
    html = text(admin_client.get("/admin/groepen/onder-minimum/"))
    assert f"/admin/groepen/{soon.pk}/doorgaan/" in html
    admin_client.post(f"/admin/groepen/{soon.pk}/doorgaan/", {"note": "De trainer begint ook met twee."})
    soon.refresh_from_db()
    assert soon.go_ahead_by == ilse
    assert f"/admin/groepen/{soon.pk}/doorgaan/" not in text(admin_client.get("/admin/groepen/onder-minimum/"))


def test_merging_from_the_admin(admin_client, soon, later):
    page = text(admin_client.get(f"/admin/groepen/{soon.pk}/samenvoegen/"))
    assert "2 deelnemers met een bevestigde plaats" in page
    response = admin_client.post(f"/admin/groepen/{soon.pk}/samenvoegen/", {"into": later.pk, "reason": "Te weinig."})
    assert response.status_code == 302
    soon.refresh_from_db()
    assert soon.status == TrainingGroup.Status.CANCELLED and soon.merged_into == later
    assert later.enrollments.filter(status="confirmed").count() == 2


def test_merging_into_a_group_without_room_is_refused_at_the_choice(admin_client, soon, course):
    tiny = planned_group(course, location=LocationFactory(), days=30, capacity=1, min_participants=1)
    response = admin_client.post(f"/admin/groepen/{soon.pk}/samenvoegen/", {"into": tiny.pk, "reason": "Te weinig."})
    assert response.status_code == 400 and "Er is nog 1 plaats vrij" in text(response)
    soon.refresh_from_db()
    assert soon.status == TrainingGroup.Status.OPEN


# --- failed emails ------------------------------------------------------------------------------------------------


def failed_email(number=0):
    return OutgoingEmail.objects.create(
        key=f"confirmation:test:{number}",
        kind="confirmation",
        to=f"onbekend{number}@example.nl",
        subject="Bevestiging",
        attempts=3,
        last_error="550 mailbox unavailable",
    )


def test_failed_emails_are_listed_and_can_be_sent_again(admin_client):
    email = failed_email()
    html = text(admin_client.get("/admin/mislukte-emails/"))
    assert "onbekend0@example.nl" in html and "550 mailbox unavailable" in html and "bevestiging" in html
    response = admin_client.post(f"/admin/mislukte-emails/{email.pk}/opnieuw/")
    assert response.status_code == 302
    assert admin_client.get("/admin/mislukte-emails/opnieuw/").status_code == 404


# --- the admin home -------------------------------------------------------------------------------------------------


def test_the_admin_home_gives_the_office_its_day_with_links_to_the_work(admin_client, soon):
    ProfessionalProfileFactory(organisation="Zorggroep De Kempen")
    failed_email()
    html = text(admin_client.get("/admin/"))
    assert "Vandaag te doen" in html
    assert "Professionals om te controleren" in html and "/admin/professionals/?status=pending" in html
    assert "Groepen met te weinig aanmeldingen" in html and f"/admin/groepen/{soon.pk}/bijeenkomsten/" in html
    assert "/admin/mislukte-emails/" in html and "Betalingen om na te kijken" in html
    assert "Plaatsen aangeboden, wacht op antwoord" in html
    assert "joelle@example.nl" not in html  # no participant's data on the home page


def test_editors_see_none_of_the_offices_work(client):
    client.force_login(staff_user(roles.EDITORS))
    html = text(client.get("/admin/"))
    assert "Vandaag te doen" not in html


def test_the_admin_home_asks_the_database_the_same_number_of_times_for_more_work(admin_client, course):
    def count():
        with CaptureQueriesContext(connection) as queries:
            assert admin_client.get("/admin/").status_code == 200
        return len(queries)

    planned_group(course, days=10, min_participants=5)
    ProfessionalProfileFactory()
    failed_email(1)
    count()  # the first request fills caches (site, settings) that later ones reuse
    few = count()
    for number in range(4):
        planned_group(course, days=5 + number, hour=8 + number, min_participants=5)
        ProfessionalProfileFactory()
        failed_email(10 + number)
    assert count() == few


# --- professionals ------------------------------------------------------------------------------------------------


def test_professionals_list_shows_email_organisation_role_and_practice_and_searches(admin_client):
    ProfessionalProfileFactory(
        user__first_name="Lotte",
        user__last_name="Janssen",
        user__email="lotte@molenwiek.example",
        organisation="Huisartsenpraktijk De Molenwiek",
        practice="De Molenwiek, Geldrop",
    )
    ProfessionalProfileFactory(user__email="andere@example.nl", organisation="Zorggroep Zuidoost")
    html = text(admin_client.get("/admin/professionals/"))
    assert "lotte@molenwiek.example" in html and "Huisartsenpraktijk De Molenwiek (POH-GGZ)" in html
    assert "De Molenwiek, Geldrop" in html
    html = text(admin_client.get("/admin/professionals/?q=molenwiek"))
    assert "lotte@molenwiek.example" in html and "andere@example.nl" not in html


def test_approving_in_one_click_gives_access_and_emails_the_professional(
    admin_client, ilse, mailoutbox, django_capture_on_commit_callbacks
):
    profile = ProfessionalProfileFactory(user__email="lotte@molenwiek.example")
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            f"/admin/professionals/{profile.pk}/goedkeuren/", {"next": "https://evil.example/"}
        )
    assert response.status_code == 302 and response["Location"].startswith("/admin/professionals/")
    profile.refresh_from_db()
    assert profile.status == ProfessionalProfile.Status.VERIFIED and profile.decided_by == ilse
    assert profile.user.groups.filter(name=roles.PROFESSIONALS).exists()
    (email,) = mailoutbox
    assert email.to == ["lotte@molenwiek.example"] and "toegang" in email.subject
    # Approving again sends nothing more.
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(f"/admin/professionals/{profile.pk}/goedkeuren/")
    assert len(mailoutbox) == 1


def test_rejecting_in_one_click_emails_the_professional(admin_client, mailoutbox, django_capture_on_commit_callbacks):
    profile = ProfessionalProfileFactory(user__email="lotte@molenwiek.example")
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(f"/admin/professionals/{profile.pk}/afwijzen/")
    profile.refresh_from_db()
    assert profile.status == ProfessionalProfile.Status.REJECTED
    (email,) = mailoutbox
    assert "geen toegang" in email.body


def test_the_professional_form_has_no_account_dropdown(admin_client):
    profile = ProfessionalProfileFactory()
    html = text(admin_client.get(f"/admin/professionals/edit/{profile.pk}/"))
    assert 'name="user"' not in html and 'name="organisation"' in html
    assert admin_client.get("/admin/professionals/new/").status_code == 404


def test_groups_planned_relative_to_today_start_in_the_future(soon):
    assert soon.first_start > timezone.now() + datetime.timedelta(days=9)
