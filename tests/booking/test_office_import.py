"""Onboarding a region: groups, participants and waiting lists from CSV or XLSX, with a dry run first."""

import datetime
import io
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from booking.clock import LOCAL_TZ
from booking.models import AccessLogEntry, Enrollment, Participant, TrainingGroup, WaitlistEntry
from booking.staff.imports import run_import
from booking.waitlist import entries as waitlist
from tests.booking.factories import coordinator, days_ahead
from tests.factories import CoursePageFactory, LocationFactory, TrainerFactory

pytestmark = pytest.mark.django_db

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples"
# The example files plan groups in September 2027; the import is run as if it were before then.
BEFORE_EXAMPLES = datetime.datetime(2027, 8, 1, 12, 0, tzinfo=LOCAL_TZ)

GROUP_HEADER = "training;locatie;eerste bijeenkomst;begintijd;plaatsen;minimum;trainers;status"
PEOPLE_HEADER = "voornaam;achternaam;e-mailadres;telefoon;geboortejaar;postcode;training;locatie;startdatum"


@pytest.fixture
def ilse():
    return coordinator(email="ilse@example.nl")


@pytest.fixture
def region(db):
    """The courses, locations and trainers the example files name."""
    zinkhof = LocationFactory(name="Gezondheidscentrum De Zinkhof", town="Budel")
    beiaard = LocationFactory(name="Huisartsenpraktijk De Beiaard", town="Asten")
    peel = LocationFactory(name="Gezondheidscentrum De Peel", town="Deurne")
    ekker = LocationFactory(name="Wijkgebouw De Ekker", town="Son en Breugel")
    joelle, anouk = TrainerFactory(name="Joëlle Bakker"), TrainerFactory(name="Anouk Verbeek")
    courses = {
        "mentaal": CoursePageFactory(title="Mentaal Fit", locations=[zinkhof, peel], trainers=[joelle]),
        "mindfulness": CoursePageFactory(title="Mindfulness", locations=[beiaard], trainers=[anouk]),
        "piekeren": CoursePageFactory(title="Grip op piekeren", locations=[ekker]),
    }
    return courses, {"zinkhof": zinkhof, "beiaard": beiaard, "peel": peel}


def run(kind, name, content, user, *, dry_run, now=BEFORE_EXAMPLES):
    if isinstance(content, str):
        content = content.encode("utf-8")
    return run_import(kind, name, content, user=user, dry_run=dry_run, now=now)


def example(name):
    return (EXAMPLES / name).read_bytes()


# --- the example files (docs/examples) ----------------------------------------------------------------


def test_the_example_files_import_in_order_and_a_second_time_change_nothing(region, ilse):
    courses, locations = region
    dry = run("groepen", "groepen.csv", example("groepen.csv"), ilse, dry_run=True)
    assert [row.kind for row in dry.rows] == ["new", "new", "new"] and dry.ok
    assert "Nieuwe groep: Mentaal Fit" in dry.rows[0].text
    assert not TrainingGroup.objects.exists()  # a dry run saves nothing

    assert run("groepen", "groepen.csv", example("groepen.csv"), ilse, dry_run=False).ok
    mentaal = TrainingGroup.objects.get(course=courses["mentaal"])
    assert mentaal.status == "open" and mentaal.sessions.count() == 5 and list(mentaal.trainers.all())
    assert TrainingGroup.objects.get(course=courses["piekeren"]).status == "planned"

    assert run("deelnemers", "deelnemers.csv", example("deelnemers.csv"), ilse, dry_run=False).ok
    anouk = Enrollment.objects.get(participant__email="anouk.vandenberg@voorbeeld.example")
    assert anouk.status == "confirmed" and anouk.group == mentaal
    assert anouk.participant.phone == "06-12345678" and anouk.participant.postcode == "5611 AB"
    assert anouk.consent_text_version == "oud-2025" and anouk.consent_channel == "import"
    assert anouk.consent_taken_by == ilse and anouk.participant.gp_letter_consent

    assert run("wachtlijst", "wachtlijst.csv", example("wachtlijst.csv"), ilse, dry_run=False).ok
    yara, noah = waitlist.active_entries(courses["mentaal"])  # Yara joined first, in April
    assert yara.participant.first_name == "Yara" and noah.part_of_day == "evening"
    assert set(noah.preferred_locations.all()) == {locations["zinkhof"], locations["peel"]}

    counts = (TrainingGroup.objects.count(), Enrollment.objects.count(), WaitlistEntry.objects.count())
    for kind, name in [("groepen", "groepen.csv"), ("deelnemers", "deelnemers.xlsx"), ("wachtlijst", "wachtlijst.csv")]:
        again = run(kind, name, example(name), ilse, dry_run=False)
        assert again.ok and {row.kind for row in again.rows} == {"skip"}
    assert (TrainingGroup.objects.count(), Enrollment.objects.count(), WaitlistEntry.objects.count()) == counts


def test_imported_people_are_in_the_access_log_as_imported_by_whoever_did_it(region, ilse):
    run("groepen", "groepen.csv", example("groepen.csv"), ilse, dry_run=False)
    run("deelnemers", "deelnemers.csv", example("deelnemers.csv"), ilse, dry_run=False)
    entries = AccessLogEntry.objects.filter(action=AccessLogEntry.Action.IMPORT)
    assert entries.count() == 3 and {entry.user for entry in entries} == {ilse}
    assert {entry.where for entry in entries} == {"import: deelnemers"}


# --- refusing bad rows --------------------------------------------------------------------------------


def test_bad_rows_are_refused_with_a_dutch_reason_per_column_and_nothing_is_saved(region, ilse):
    content = "\n".join(
        [
            GROUP_HEADER,
            "Mentaal Fit;Gezondheidscentrum De Zinkhof;7-9-2027;19:00;10;5;;open",
            "Bestaat Niet;Nergens;31-2-2027;25:00;tien;5;Onbekende Trainer;misschien",
            "Mentaal Fit;Gezondheidscentrum De Zinkhof;1-1-2027;19:00;;;;",
            "Mindfulness;Huisartsenpraktijk De Beiaard;9-9-2027;10:00;4;6;;open",
        ]
    )
    outcome = run("groepen", "groepen.csv", content, ilse, dry_run=True)
    assert [row.kind for row in outcome.rows] == ["new", "refused", "refused", "refused"]
    reasons = outcome.rows[1].reasons
    assert "training: er is geen training met de naam 'Bestaat Niet'." in reasons
    assert "locatie: er is geen locatie met de naam 'Nergens'." in reasons
    assert "eerste bijeenkomst: Vul een datum in zoals 4-3-2027 of 2027-03-04." in reasons
    assert "begintijd: Vul een tijd in zoals 19:00." in reasons
    assert "plaatsen: Vul een heel getal in." in reasons
    assert "trainers: er is geen trainer met de naam 'Onbekende Trainer'." in reasons
    assert "status: Kies uit: open, gepland, gesloten." in reasons
    assert outcome.rows[2].reasons == [
        "eerste bijeenkomst: deze datum is al voorbij. Importeer alleen groepen die nog beginnen."
    ]
    assert outcome.rows[3].reasons == [
        "minimum: Het minimum aantal deelnemers kan niet groter zijn dan het aantal plaatsen."
    ]
    assert not outcome.ok
    # Even for real, one refused row means nothing is saved.
    assert not run("groepen", "groepen.csv", content, ilse, dry_run=False).ok
    assert not TrainingGroup.objects.exists()


def test_participants_meet_the_signup_rules(region, ilse):
    run("groepen", "groepen.csv", example("groepen.csv"), ilse, dry_run=False)
    content = "\n".join(
        [
            PEOPLE_HEADER,
            "Anna;de Vries;anna@example.nl;12345;2015;5611 AB;Mentaal Fit;Gezondheidscentrum De Zinkhof;7-9-2027",
            ";;geen-adres;;1980;0000;Mentaal Fit;Gezondheidscentrum De Zinkhof;7-9-2027",
            "Bram;Hendriks;bram@example.nl;;1980;5611 AB;Mentaal Fit;Gezondheidscentrum De Zinkhof;8-9-2027",
        ]
    )
    outcome = run("deelnemers", "deelnemers.csv", content, ilse, dry_run=True)
    too_young, empty, wrong_day = (row.reasons for row in outcome.rows)
    assert any(reason.startswith("telefoon: Dit telefoonnummer klopt niet.") for reason in too_young)
    assert any(
        reason.startswith("geboortejaar: Deze training is voor mensen van 18 jaar en ouder.") for reason in too_young
    )
    assert "voornaam: deze kolom is leeg." in empty and "achternaam: deze kolom is leeg." in empty
    assert any(reason.startswith("e-mailadres: Dit e-mailadres klopt niet.") for reason in empty)
    assert any(reason.startswith("postcode: Een Nederlandse postcode begint niet met een 0.") for reason in empty)
    assert wrong_day == [
        "startdatum: er is geen groep van deze training op deze locatie die dan begint. Importeer eerst de groepen."
    ]
    assert not Participant.objects.exists()


def test_a_full_group_refuses_the_rows_that_do_not_fit(region, ilse):
    content = "\n".join([GROUP_HEADER, "Mindfulness;Huisartsenpraktijk De Beiaard;9-9-2027;10:00;2;1;;gesloten"])
    assert run("groepen", "groepen.csv", content, ilse, dry_run=False).ok
    people = "\n".join(
        [PEOPLE_HEADER]
        + [
            f"Persoon;{number};persoon{number}@example.nl;;1980;5611 AB;"
            "Mindfulness;Huisartsenpraktijk De Beiaard;9-9-2027"
            for number in range(3)
        ]
    )
    outcome = run("deelnemers", "deelnemers.csv", people, ilse, dry_run=True)
    assert [row.kind for row in outcome.rows] == ["new", "new", "refused"]
    assert outcome.rows[2].reasons == ["Deze groep is vol."]


def test_a_file_without_a_required_column_or_in_another_format_is_refused_as_a_whole(region, ilse):
    outcome = run("deelnemers", "deelnemers.csv", "voornaam;achternaam\nAnna;Jansen", ilse, dry_run=True)
    assert outcome.file_error.startswith("Deze kolommen ontbreken in het bestand: e-mailadres, geboortejaar")
    assert run("deelnemers", "deelnemers.txt", b"x", ilse, dry_run=True).file_error == (
        "Kies een bestand dat eindigt op .csv of .xlsx."
    )
    latin = "voornaam;achternaam\nJoëlle;Meer".encode("latin-1")
    assert "UTF-8" in run("deelnemers", "deelnemers.csv", latin, ilse, dry_run=True).file_error


def test_column_names_are_matched_loosely_and_commas_work_too(region, ilse):
    content = (
        "Training,Locatie,Eerste_Bijeenkomst,BEGINTIJD\nMentaal Fit,Gezondheidscentrum De Zinkhof,2027-09-07,19.00\n"
    )
    outcome = run("groepen", "groepen.csv", content, ilse, dry_run=True)
    assert [row.kind for row in outcome.rows] == ["new"]


def test_an_excel_file_with_real_dates_and_times(region, ilse):
    book = Workbook()
    sheet = book.active
    sheet.append(["training", "locatie", "eerste bijeenkomst", "begintijd"])
    sheet.append(["Mentaal Fit", "Gezondheidscentrum De Zinkhof", datetime.date(2027, 9, 7), datetime.time(19, 0)])
    buffer = io.BytesIO()
    book.save(buffer)
    assert run("groepen", "groepen.xlsx", buffer.getvalue(), ilse, dry_run=False).ok
    assert TrainingGroup.objects.with_first_start().get().first_start == datetime.datetime(
        2027, 9, 7, 19, 0, tzinfo=LOCAL_TZ
    )


# --- the admin screen --------------------------------------------------------------------------------


def test_the_import_screen_shows_the_dry_run_then_imports_on_confirmation(client, region, ilse):
    start = days_ahead(40).date()
    content = "\n".join(
        [
            GROUP_HEADER,
            f"Mentaal Fit;Gezondheidscentrum De Zinkhof;{start:%d-%m-%Y};19:00;10;5;;open",
            f"Mindfulness;Huisartsenpraktijk De Beiaard;{start:%d-%m-%Y};10:00;12;6;Anouk Verbeek;open",
        ]
    )
    client.force_login(ilse)
    upload = SimpleUploadedFile("groepen.csv", content.encode(), content_type="text/csv")
    response = client.post("/admin/kantoor/importeren/", {"kind": "groepen", "file": upload})
    html = response.content.decode()
    assert "2 nieuw, 0 al aanwezig, 0 geweigerd." in html and "Nieuwe groep: Mindfulness" in html
    assert not TrainingGroup.objects.exists()
    token = html.split('name="token" value="')[1].split('"')[0]
    response = client.post("/admin/kantoor/importeren/", {"token": token})
    assert response.status_code == 302 and TrainingGroup.objects.count() == 2


def test_a_tampered_confirmation_imports_nothing(client, region, ilse):
    client.force_login(ilse)
    response = client.post("/admin/kantoor/importeren/", {"token": "niet-echt"})
    assert response.status_code == 302 and not TrainingGroup.objects.exists()


def test_refused_rows_leave_no_import_button(client, region, ilse):
    client.force_login(ilse)
    upload = SimpleUploadedFile("deelnemers.csv", example("deelnemers.csv"), content_type="text/csv")
    html = client.post("/admin/kantoor/importeren/", {"kind": "deelnemers", "file": upload}).content.decode()
    assert "0 nieuw, 0 al aanwezig, 3 geweigerd." in html and 'name="token"' not in html
    assert "Importeer eerst de groepen." in html
