"""Coordinators' lists: enrollments (filter, search, export), the waiting list, registration stops, the access log."""

import csv
import io

import pytest
from openpyxl import load_workbook

from booking.models import AccessLogEntry, Offer, RegistrationStop, WaitlistEntry, WaitlistMove
from booking.services import access_log
from tests.booking.factories import WaitlistEntryFactory, coordinator, place_in, planned_group
from tests.factories import CoursePageFactory, LocationFactory
from tests.helpers import assert_admin_refused

pytestmark = pytest.mark.django_db


@pytest.fixture
def ilse():
    return coordinator(email="ilse@example.nl")


@pytest.fixture
def admin_client(client, ilse):
    client.force_login(ilse)
    return client


@pytest.fixture
def groups(course, location):
    """Two groups of the course with people in them, and one of another course."""
    first = planned_group(course, location=location, days=14)
    place_in(
        first, first_name="Joëlle", last_name="van der Meer-IJzerman", email="joelle@example.nl", phone="06-12345678"
    )
    place_in(first, first_name="Daan", last_name="=HYPERLINK(1)", email="daan@example.nl")
    second = planned_group(course, location=LocationFactory(name="De Peel", town="Deurne"), days=40, hour=10)
    place_in(second, first_name="Fleur", last_name="de Wit", email="fleur@example.nl", status="held")
    other = planned_group(CoursePageFactory(title="Beter slapen"), days=21, hour=13)
    place_in(other, first_name="Bram", last_name="Hendriks", email="bram@example.nl")
    return first, second, other


# --- enrollments ---------------------------------------------------------------------------------


def test_enrollment_list_shows_reference_name_course_place_date_and_status(admin_client, groups):
    first = groups[0]
    joelle = first.enrollments.get(participant__first_name="Joëlle")
    html = admin_client.get("/admin/aanmeldingen/").content.decode()
    assert joelle.reference in html and "Joëlle van der Meer-IJzerman" in html
    assert "Mentaal Fit" in html and "Eindhoven" in html and "bevestigd" in html and "gereserveerd" in html


def test_enrollment_list_filters_by_group_course_location_and_status(admin_client, groups):
    first, second, other = groups
    html = admin_client.get(f"/admin/aanmeldingen/?group={first.pk}").content.decode()
    assert "Joëlle" in html and "Fleur de Wit" not in html and "Bram Hendriks" not in html
    html = admin_client.get(f"/admin/aanmeldingen/?course={other.course_id}").content.decode()
    assert "Bram Hendriks" in html and "Joëlle" not in html
    html = admin_client.get(f"/admin/aanmeldingen/?location={second.location_id}").content.decode()
    assert "Fleur de Wit" in html and "Joëlle" not in html
    html = admin_client.get("/admin/aanmeldingen/?status__exact=held").content.decode()
    assert "Fleur de Wit" in html and "Bram Hendriks" not in html


def test_enrollment_list_searches_name_email_and_reference(admin_client, groups):
    fleur = groups[1].enrollments.get()
    html = admin_client.get("/admin/aanmeldingen/?q=meer-ijzerman").content.decode()
    assert "Joëlle" in html and "Bram Hendriks" not in html
    html = admin_client.get(f"/admin/aanmeldingen/?q={fleur.reference.lower()}").content.decode()
    assert "Fleur de Wit" in html and "Joëlle" not in html
    html = admin_client.get("/admin/aanmeldingen/?q=bram@example").content.decode()
    assert "Bram Hendriks" in html


def test_viewing_the_enrollment_list_logs_the_people_on_the_page_without_the_search(admin_client, ilse, groups):
    admin_client.get("/admin/aanmeldingen/?q=Joëlle")
    (entry,) = AccessLogEntry.objects.all()
    assert entry.user == ilse and entry.participant.first_name == "Joëlle"
    assert entry.action == AccessLogEntry.Action.VIEW_LIST and entry.where == "aanmeldingen: overzicht"


def test_enrollment_detail_shows_the_participant_and_is_logged(admin_client, ilse, groups):
    joelle = groups[0].enrollments.get(participant__first_name="Joëlle")
    response = admin_client.get(f"/admin/aanmeldingen/inspect/{joelle.pk}/")
    html = response.content.decode()
    assert "joelle@example.nl" in html and "06-12345678" in html and joelle.reference in html
    (entry,) = AccessLogEntry.objects.all()
    assert entry.participant == joelle.participant and entry.action == AccessLogEntry.Action.VIEW
    assert entry.where == f"groep {groups[0].pk}: aanmelding bekeken"


def test_enrollments_cannot_be_added_changed_or_deleted_here(admin_client, groups):
    enrollment = groups[0].enrollments.first()
    # Wagtail answers a refusal with a redirect to the dashboard and a message.
    assert_admin_refused(admin_client.get("/admin/aanmeldingen/create/"))
    assert_admin_refused(admin_client.get(f"/admin/aanmeldingen/edit/{enrollment.pk}/"))
    assert_admin_refused(admin_client.post(f"/admin/aanmeldingen/delete/{enrollment.pk}/"))
    assert groups[0].enrollments.filter(pk=enrollment.pk).exists()
    assert "/admin/aanmeldingen/create/" not in admin_client.get("/admin/aanmeldingen/").content.decode()


def test_csv_export_has_every_filtered_row_and_is_logged(admin_client, ilse, groups):
    first = groups[0]
    response = admin_client.get(f"/admin/aanmeldingen/?course={first.course_id}&export=csv")
    assert response["Content-Disposition"] == 'attachment; filename="aanmeldingen.csv"'
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    assert sorted(row["Voornaam"] for row in rows) == ["Daan", "Fleur", "Joëlle"]
    joelle = next(row for row in rows if row["Voornaam"] == "Joëlle")
    assert joelle["Achternaam"] == "van der Meer-IJzerman" and joelle["E-mailadres"] == "joelle@example.nl"
    assert joelle["Training"] == "Mentaal Fit" and joelle["Status"] == "bevestigd"
    assert joelle["Eerste bijeenkomst"].endswith("19:00:00")
    # A name that a spreadsheet would run as a formula is written as text.
    assert next(row for row in rows if row["Voornaam"] == "Daan")["Achternaam"] == "'=HYPERLINK(1)"
    # One row for the whole export, with its filter and its number of rows, not a row per participant.
    exported = AccessLogEntry.objects.get(action=AccessLogEntry.Action.EXPORT)
    assert exported.where == f"aanmeldingen: export (csv), filter: training {first.course_id}, 3 rijen"
    assert exported.user == ilse and exported.participant is None


def test_xlsx_export_has_the_rows_and_is_logged(admin_client, groups):
    response = admin_client.get("/admin/aanmeldingen/?export=xlsx")
    assert response["Content-Disposition"] == 'attachment; filename="aanmeldingen.xlsx"'
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    header = rows[0]
    assert header[:4] == ("Kenmerk", "Voornaam", "Achternaam", "E-mailadres")
    by_first_name = {row[1]: dict(zip(header, row, strict=False)) for row in rows[1:]}
    assert set(by_first_name) == {"Joëlle", "Daan", "Fleur", "Bram"}
    assert by_first_name["Bram"]["Training"] == "Beter slapen"
    assert by_first_name["Joëlle"]["Eerste bijeenkomst"].hour == 19  # Dutch clock, not UTC
    assert by_first_name["Daan"]["Achternaam"] == "=HYPERLINK(1)"  # text in a text cell, not a formula
    assert (
        AccessLogEntry.objects.get(action=AccessLogEntry.Action.EXPORT).where == "aanmeldingen: export (xlsx), 4 rijen"
    )


def test_an_export_after_a_search_logs_that_there_was_a_search_not_what_was_typed(admin_client, groups):
    response = admin_client.get("/admin/aanmeldingen/?q=Joëlle&status__exact=confirmed&export=csv")
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode("utf-8").lstrip("\ufeff"))))
    assert [row["Voornaam"] for row in rows] == ["Joëlle"]
    where = AccessLogEntry.objects.get(action=AccessLogEntry.Action.EXPORT).where
    assert where == "aanmeldingen: export (csv), filter: status confirmed, met zoekterm, 1 rij"
    assert access_log.verify().ok


# --- the waiting list ----------------------------------------------------------------------------


@pytest.fixture
def waiting(course):
    """Three people on the course's list, and one who left."""
    first = WaitlistEntryFactory(course=course, participant__first_name="Anna", participant__last_name="Eerst")
    second = WaitlistEntryFactory(course=course, participant__first_name="Bas", participant__last_name="Tweede")
    WaitlistEntryFactory(course=course, participant__first_name="Carla", participant__last_name="Derde")
    WaitlistEntryFactory(
        course=course, participant__first_name="Dirk", participant__last_name="Vertrokken", status="left"
    )
    return first, second


def test_waiting_list_shows_each_course_in_order_with_positions(admin_client, waiting):
    html = admin_client.get("/admin/wachtlijst/").content.decode()
    assert html.index("Anna Eerst") < html.index("Bas Tweede") < html.index("Carla Derde")
    assert "Dirk Vertrokken" not in html  # who left is shown under "alle" only
    logged = AccessLogEntry.objects.filter(action=AccessLogEntry.Action.VIEW_LIST)
    assert logged.count() == 3 and {e.where for e in logged} == {"wachtlijst: overzicht"}
    assert "Dirk Vertrokken" in admin_client.get("/admin/wachtlijst/?status=").content.decode()


def test_a_place_is_offered_by_hand(admin_client, ilse, course, location, waiting):
    """Needs the waiting list (booking.waitlist.offer_place)."""
    group = planned_group(course, location=location, days=20)
    second = waiting[1]
    url = f"/admin/wachtlijst/{second.pk}/"
    page = admin_client.get(url).content.decode()
    assert "Plaats aanbieden" in page and f'<option value="{group.pk}">' in page

    response = admin_client.post(url, {"offer-group": group.pk, "offer-submit": "1"}, follow=True)

    assert "Er is een plaats aangeboden in de groep" in response.content.decode()
    offer = Offer.objects.get()
    assert offer.entry == second and offer.group == group and offer.offered_by == ilse
    second.refresh_from_db()
    assert second.status == WaitlistEntry.Status.OFFERED


def test_a_full_group_is_not_offered(admin_client, course, location, waiting):
    group = planned_group(course, location=location, days=20, capacity=1)
    place_in(group)
    page = admin_client.get(f"/admin/wachtlijst/{waiting[0].pk}/").content.decode()
    assert "Er is nu geen groep van deze training met een vrije plaats" in page
    response = admin_client.post(f"/admin/wachtlijst/{waiting[0].pk}/", {"offer-group": group.pk, "offer-submit": "1"})
    assert "Selecteer een geldige keuze" in response.content.decode()
    assert not Offer.objects.exists()


def test_moving_someone_needs_a_reason_which_is_kept_and_shown(admin_client, ilse, waiting):
    """Needs the waiting list (booking.waitlist.move_entry)."""
    second = waiting[1]
    url = f"/admin/wachtlijst/{second.pk}/"

    response = admin_client.post(url, {"move-new_position": "1", "move-reason": "", "move-submit": "1"})
    assert "Schrijf op waarom u deze persoon verplaatst." in response.content.decode()
    assert not WaitlistMove.objects.exists()

    response = admin_client.post(
        url,
        {"move-new_position": "1", "move-reason": "Huisarts belde: klachten nemen toe.", "move-submit": "1"},
        follow=True,
    )

    html = response.content.decode()
    assert "De plaats op de wachtlijst is veranderd: nu 1." in html
    assert "Huisarts belde: klachten nemen toe." in html  # the history of moves
    move = WaitlistMove.objects.get()
    assert (move.from_position, move.to_position, move.moved_by) == (2, 1, ilse)
    listing = admin_client.get("/admin/wachtlijst/").content.decode()
    assert listing.index("Bas Tweede") < listing.index("Anna Eerst")


def test_a_position_beyond_the_list_is_explained(admin_client, waiting):
    response = admin_client.post(
        f"/admin/wachtlijst/{waiting[0].pk}/", {"move-new_position": "9", "move-reason": "Test", "move-submit": "1"}
    )
    html = response.content.decode()
    assert "Zorg ervoor dat deze waarde hoogstens 3 is." in html and "Test</textarea>" in html


def test_opening_a_person_on_the_list_is_logged(admin_client, waiting):
    admin_client.get(f"/admin/wachtlijst/{waiting[0].pk}/")
    (entry,) = AccessLogEntry.objects.all()
    assert entry.action == AccessLogEntry.Action.VIEW and entry.participant == waiting[0].participant
    assert "Anna" not in entry.where and "Eerst" not in entry.where


# --- registration stops --------------------------------------------------------------------------


def stop_form(**fields):
    data = {
        "course": "",
        "location": "",
        "message": "Tot de zomer is de groep vol.",
        "starts_at": "2027-05-01 09:00",
        "ends_at": "",
    }
    data.update(fields)
    return data


def test_a_stop_needs_a_course_or_a_location(admin_client):
    response = admin_client.post("/admin/aanmeldstops/new/", stop_form())
    html = response.content.decode()
    assert "Kies een training, een locatie, of allebei." in html
    assert "Tot de zomer is de groep vol." in html
    assert not RegistrationStop.objects.exists()


def test_a_stop_must_end_after_it_starts(admin_client, course):
    response = admin_client.post("/admin/aanmeldstops/new/", stop_form(course=course.pk, ends_at="2027-04-01 09:00"))
    assert "Het einde van de aanmeldstop moet na het begin liggen." in response.content.decode()
    assert not RegistrationStop.objects.exists()


def test_a_stop_is_saved_with_who_made_it(admin_client, ilse, course, location):
    response = admin_client.post("/admin/aanmeldstops/new/", stop_form(course=course.pk, location=location.pk))
    assert response.status_code == 302
    stop = RegistrationStop.objects.get()
    assert stop.created_by == ilse and stop.course == course and stop.location == location
    assert "Mentaal Fit" in admin_client.get("/admin/aanmeldstops/").content.decode()


# --- the access log ------------------------------------------------------------------------------


def test_the_access_log_is_read_only_and_filters_by_action(admin_client, groups):
    joelle = groups[0].enrollments.get(participant__first_name="Joëlle")
    admin_client.get(f"/admin/aanmeldingen/inspect/{joelle.pk}/")
    admin_client.get("/admin/aanmeldingen/?export=csv")
    html = admin_client.get("/admin/inzage/?action=view").content.decode()
    assert "gegevens bekeken" in html and f"groep {groups[0].pk}: aanmelding bekeken" in html
    assert "aanmeldingen: export (csv)" not in html
    entry = AccessLogEntry.objects.first()
    for url in ["/admin/inzage/new/", f"/admin/inzage/edit/{entry.pk}/", f"/admin/inzage/delete/{entry.pk}/"]:
        assert admin_client.get(url).status_code == 404, url


def test_the_access_log_filters_by_user_and_date(admin_client, ilse, groups):
    other = coordinator(email="bram@example.nl", first_name="Bram", last_name="Hendriks")
    admin_client.get(f"/admin/aanmeldingen/?group={groups[2].pk}")
    admin_client.force_login(other)
    admin_client.get(f"/admin/aanmeldingen/?group={groups[2].pk}")
    html = admin_client.get(f"/admin/inzage/?user={ilse.pk}").content.decode()
    assert "Ilse Verhoeven" in html and html.count("aanmeldingen: overzicht") == 1
    html = admin_client.get("/admin/inzage/?at_from=2000-01-01&at_to=2000-01-02").content.decode()
    assert "aanmeldingen: overzicht" not in html
