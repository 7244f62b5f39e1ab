"""The trainer area: a trainer sees their own groups only, registers attendance, prints the list."""

import re

import pytest

from accounts import roles
from booking.models import AccessLogEntry, Attendance, Session
from booking.services.planning import cancel_session
from tests.booking.factories import coordinator, place_in, planned_group, staff_user, trainer_account
from tests.factories import LocationFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def marieke():
    return trainer_account("Marieke van den Heuvel", email="marieke@example.nl")


@pytest.fixture
def sven():
    return trainer_account("Sven de Wijs", email="sven@example.nl")


@pytest.fixture
def own_group(course, marieke):
    trainer, _user = marieke
    group = planned_group(
        course, location=LocationFactory(name="De Kastanje", town="Eindhoven"), trainers=[trainer], days=-8
    )
    place_in(
        group, first_name="Joëlle", last_name="van der Meer-IJzerman", email="joelle@example.nl", phone="06-12345678"
    )
    place_in(group, first_name="Daan", last_name="Bakker", email="daan@example.nl")
    place_in(group, status="held", first_name="Nog", last_name="Niet Betaald", email="hold@example.nl")
    place_in(group, status="cancelled", first_name="Al", last_name="Afgemeld", email="weg@example.nl")
    return group


@pytest.fixture
def other_group(course, sven):
    trainer, _user = sven
    group = planned_group(course, trainers=[trainer], days=20, hour=10)
    place_in(group, first_name="Geheim", last_name="Anders", email="anders@example.nl")
    return group


def trainer_urls(group):
    session = group.sessions.order_by("start").first()
    return [
        f"/medewerkers/groep/{group.pk}/",
        f"/medewerkers/groep/{group.pk}/bijeenkomst/{session.pk}/aanwezigheid/",
        f"/medewerkers/groep/{group.pk}/presentielijst/",
    ]


def test_trainer_sees_own_groups_with_dates_place_and_number_of_participants(client, marieke, own_group, other_group):
    client.force_login(marieke[1])
    html = client.get("/medewerkers/").content.decode()
    assert "Mijn groepen" in html
    assert "De Kastanje, Eindhoven" in html
    assert "2 deelnemers (van 10 plaatsen)" in html
    assert f"/medewerkers/groep/{own_group.pk}/" in html
    assert f"/medewerkers/groep/{other_group.pk}/" not in html
    assert "/agenda/trainer/" in html  # the personal calendar feed


def test_a_trainer_finds_their_groups_from_the_account_page(client, marieke):
    client.force_login(marieke[1])
    html = client.get("/mijn-account/").content.decode()
    assert 'href="/medewerkers/"' in html and 'href="/admin/"' not in html


def test_trainer_opens_every_page_of_their_own_group(client, marieke, own_group):
    client.force_login(marieke[1])
    for url in trainer_urls(own_group):
        assert client.get(url).status_code == 200, url


@pytest.mark.parametrize("page", [0, 1, 2])
def test_another_trainer_gets_not_found_for_every_page_of_a_group(client, sven, own_group, page):
    client.force_login(sven[1])
    url = trainer_urls(own_group)[page]
    response = client.get(url)
    assert response.status_code == 404
    assert "Joëlle" not in response.content.decode()
    if "aanwezigheid" in url:
        assert client.post(url, {}).status_code == 404


def test_a_session_of_another_group_is_not_found_under_the_own_group(client, marieke, own_group, other_group):
    client.force_login(marieke[1])
    foreign_session = other_group.sessions.first()
    response = client.get(f"/medewerkers/groep/{own_group.pk}/bijeenkomst/{foreign_session.pk}/aanwezigheid/")
    assert response.status_code == 404


@pytest.mark.parametrize("page", [0, 1, 2])
def test_a_patient_is_refused(client, own_group, page):
    client.force_login(UserFactory(email="patient@example.nl"))
    assert client.get(trainer_urls(own_group)[page]).status_code == 403
    assert client.get("/medewerkers/").status_code == 403


@pytest.mark.parametrize("page", [0, 1, 2])
def test_anonymous_visitors_are_sent_to_the_login(client, own_group, page):
    url = trainer_urls(own_group)[page]
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/account/login/?next=")


def test_a_trainer_account_not_linked_to_a_trainer_is_refused(client, own_group):
    client.force_login(staff_user(roles.TRAINERS))
    assert client.get("/medewerkers/").status_code == 403
    assert client.get(trainer_urls(own_group)[0]).status_code == 403


def test_a_linked_account_without_the_trainer_role_is_refused(client, own_group, marieke):
    user = marieke[1]
    user.groups.clear()
    client.force_login(user)
    assert client.get(trainer_urls(own_group)[0]).status_code == 403


def test_trainer_without_two_step_login_is_sent_to_set_it_up(client, course):
    _trainer, user = trainer_account("Thijs", mfa=False)
    client.force_login(user)
    response = client.get("/medewerkers/")
    assert response.status_code == 302
    assert response["Location"] == "/account/2fa/totp/activate/"


def test_coordinator_may_open_any_group(client, own_group, other_group):
    client.force_login(coordinator())
    html = client.get("/medewerkers/").content.decode()
    assert f"/medewerkers/groep/{own_group.pk}/" in html and f"/medewerkers/groep/{other_group.pk}/" in html
    for url in trainer_urls(other_group):
        assert client.get(url).status_code == 200, url


def test_participant_list_shows_name_phone_and_email_of_confirmed_participants_only(client, marieke, own_group):
    client.force_login(marieke[1])
    html = client.get(f"/medewerkers/groep/{own_group.pk}/").content.decode()
    assert "Joëlle van der Meer-IJzerman" in html
    assert 'href="tel:0612345678"' in html and "06-12345678" in html
    assert "joelle@example.nl" in html and "Daan Bakker" in html
    assert "Niet Betaald" not in html and "Afgemeld" not in html


def test_viewing_the_participant_list_is_logged_per_participant_without_personal_data(client, marieke, own_group):
    user = marieke[1]
    client.force_login(user)
    client.get(f"/medewerkers/groep/{own_group.pk}/")
    entries = list(AccessLogEntry.objects.filter(user=user))
    names = sorted(entry.participant.last_name for entry in entries)
    assert names == ["Bakker", "van der Meer-IJzerman"]
    assert {entry.action for entry in entries} == {AccessLogEntry.Action.VIEW_LIST}
    assert {entry.where for entry in entries} == {f"groep {own_group.pk}: deelnemerslijst"}


def test_viewing_another_group_writes_nothing_to_the_log(client, sven, own_group):
    client.force_login(sven[1])
    client.get(trainer_urls(own_group)[0])
    assert not AccessLogEntry.objects.exists()


def attendance_field(html, name):
    """{choice value: checked?} of the radio buttons for one participant."""
    return {
        value: "checked" in tag
        for tag, value in re.findall(rf'(<input[^>]*name="{name}"[^>]*value="([a-z_]+)"[^>]*>)', html)
    }


def test_attendance_is_saved_and_shown_again(client, marieke, own_group):
    user = marieke[1]
    client.force_login(user)
    session = own_group.sessions.order_by("start").first()
    joelle, daan = list(own_group.enrollments.filter(status="confirmed").order_by("participant__last_name"))
    url = f"/medewerkers/groep/{own_group.pk}/bijeenkomst/{session.pk}/aanwezigheid/"

    response = client.post(
        url, {f"deelnemer_{joelle.pk}": "present", f"deelnemer_{daan.pk}": "absent_notified"}, follow=True
    )

    assert "De aanwezigheid is opgeslagen." in response.content.decode()
    assert Attendance.objects.get(session=session, enrollment=joelle).status == "present"
    assert Attendance.objects.get(session=session, enrollment=daan).recorded_by == user
    html = client.get(url).content.decode()
    assert attendance_field(html, f"deelnemer_{daan.pk}")["absent_notified"] is True
    assert attendance_field(html, f"deelnemer_{joelle.pk}")["present"] is True
    logged = AccessLogEntry.objects.filter(action=AccessLogEntry.Action.ATTENDANCE)
    assert logged.count() == 2
    assert {e.where for e in logged} == {f"groep {own_group.pk}: aanwezigheid bijeenkomst 1"}


def test_attendance_can_be_corrected(client, marieke, own_group):
    client.force_login(marieke[1])
    session = own_group.sessions.order_by("start").first()
    daan = own_group.enrollments.get(participant__last_name="Bakker")
    url = f"/medewerkers/groep/{own_group.pk}/bijeenkomst/{session.pk}/aanwezigheid/"
    client.post(url, {f"deelnemer_{daan.pk}": "absent"})
    client.post(url, {f"deelnemer_{daan.pk}": "present"})
    assert Attendance.objects.get(session=session, enrollment=daan).status == "present"


def test_an_unknown_attendance_choice_is_refused_at_the_field_and_nothing_is_saved(client, marieke, own_group):
    client.force_login(marieke[1])
    session = own_group.sessions.order_by("start").first()
    daan = own_group.enrollments.get(participant__last_name="Bakker")
    response = client.post(
        f"/medewerkers/groep/{own_group.pk}/bijeenkomst/{session.pk}/aanwezigheid/",
        {f"deelnemer_{daan.pk}": "misschien"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Er ging iets mis" in html and "Selecteer een geldige keuze" in html
    assert not Attendance.objects.exists()


def test_a_cancelled_session_takes_no_attendance(client, marieke, own_group):
    client.force_login(marieke[1])
    session = own_group.sessions.order_by("start").last()
    cancel_session(session)
    daan = own_group.enrollments.get(participant__last_name="Bakker")
    url = f"/medewerkers/groep/{own_group.pk}/bijeenkomst/{session.pk}/aanwezigheid/"
    assert "geannuleerd" in client.get(url).content.decode()
    response = client.post(url, {f"deelnemer_{daan.pk}": "present"}, follow=True)
    assert "geannuleerd" in response.content.decode()
    assert not Attendance.objects.exists()


def test_printable_list_shows_participants_by_sessions_with_marks(client, marieke, own_group):
    user = marieke[1]
    client.force_login(user)
    first, second, third = own_group.sessions.order_by("start")
    cancel_session(third)
    joelle = own_group.enrollments.get(participant__first_name="Joëlle")
    client.post(
        f"/medewerkers/groep/{own_group.pk}/bijeenkomst/{first.pk}/aanwezigheid/", {f"deelnemer_{joelle.pk}": "present"}
    )
    client.post(
        f"/medewerkers/groep/{own_group.pk}/bijeenkomst/{second.pk}/aanwezigheid/", {f"deelnemer_{joelle.pk}": "absent"}
    )

    response = client.get(f"/medewerkers/groep/{own_group.pk}/presentielijst/")
    html = response.content.decode()

    assert "Presentielijst" in html and "@media print" not in html  # print styles live in the stylesheet
    row = re.search(r"<tr>\s*<th scope=\"row\">Joëlle van der Meer-IJzerman</th>(.*?)</tr>", html, re.DOTALL).group(1)
    assert re.findall(r'<td class="attendance-grid__cell">(.*?)</td>', row) == [
        "A",
        "X",
    ]  # the cancelled session has no column
    assert "A = aanwezig" in html
    printed = AccessLogEntry.objects.filter(user=user, action=AccessLogEntry.Action.PRINT)
    assert printed.count() == 2 and {e.where for e in printed} == {f"groep {own_group.pk}: presentielijst"}


def test_group_page_lists_sessions_with_attendance_links_and_marks_cancelled_ones(client, marieke, own_group):
    client.force_login(marieke[1])
    last = own_group.sessions.order_by("start").last()
    cancel_session(last)
    html = client.get(f"/medewerkers/groep/{own_group.pk}/").content.decode()
    assert html.count("/aanwezigheid/") == 2
    assert "Geannuleerd" in html
    assert Session.objects.filter(group=own_group).count() == 3
