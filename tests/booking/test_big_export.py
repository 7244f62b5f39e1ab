"""A large enrollments export is made in the background and sent as a link; below the threshold it streams."""

import csv
import datetime
import io
import re

import pytest
import time_machine
from django.utils import timezone
from openpyxl import load_workbook

from booking.models import AccessLogEntry, ExportFile
from booking.periodic import run_steps
from booking.services import export_files
from tests.booking.factories import coordinator, place_in, planned_group

pytestmark = pytest.mark.django_db

MESSAGE = "Het bestand is groot; we maken het klaar en sturen u een e-mail met een link."


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.GROEPSWIJZER_EXPORT_IN_BACKGROUND_ROWS = 2
    return tmp_path


@pytest.fixture
def ilse():
    return coordinator(email="ilse@example.nl")


@pytest.fixture
def ilse_client(client, ilse):
    client.force_login(ilse)
    return client


@pytest.fixture
def group(course, location):
    group = planned_group(course, location=location, days=14)
    place_in(group, first_name="Joëlle", last_name="van der Meer-IJzerman", email="joelle@example.nl")
    place_in(group, first_name="Daan", last_name="de Vries", email="daan@example.nl")
    place_in(group, first_name="Fleur", last_name="de Wit", email="fleur@example.nl")
    return group


def ask_for_export(client, captured, query):
    with captured(execute=True):
        return client.get(f"/admin/aanmeldingen/?{query}", follow=True)


def link_in(email):
    (link,) = re.findall(r"https?://\S+(/medewerkers/export/[^/\s]+/)", email.body)
    return link


def rows_of(response):
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def test_a_large_export_is_made_in_the_background_and_sent_as_a_link(
    ilse_client, ilse, group, mailoutbox, django_capture_on_commit_callbacks
):
    response = ask_for_export(ilse_client, django_capture_on_commit_callbacks, f"course={group.course_id}&export=csv")

    # No file in the answer: the listing, with the message, and nothing logged as exported yet.
    assert response["Content-Type"].startswith("text/html")
    assert MESSAGE in response.content.decode()
    assert not AccessLogEntry.objects.filter(action=AccessLogEntry.Action.EXPORT).exists()
    # The task wrote the file in the private folder, and the email to Ilse holds the link.
    export = ExportFile.objects.get()
    assert export.user == ilse and export.rows == 3 and export.ready_at is not None
    # In the private folder: only images are served from the media folder, this only through the view.
    assert export.path.startswith("private-exports/") and export_files.full_path(export).is_file()
    (email,) = mailoutbox
    assert email.to == ["ilse@example.nl"]
    link = link_in(email)

    download = ilse_client.get(link)

    assert download.status_code == 200
    assert download["Content-Disposition"] == 'attachment; filename="aanmeldingen.csv"'
    rows = rows_of(download)
    assert {row["Voornaam"] for row in rows} == {"Joëlle", "Daan", "Fleur"}
    assert next(row for row in rows if row["Voornaam"] == "Joëlle")["Achternaam"] == "van der Meer-IJzerman"
    (logged,) = AccessLogEntry.objects.filter(action=AccessLogEntry.Action.EXPORT)
    assert logged.user == ilse
    assert logged.where == f"aanmeldingen: export (csv), filter: training {group.course_id}, 3 rijen"


def test_the_link_is_only_for_the_coordinator_who_asked_and_only_for_24_hours(
    client, ilse_client, group, mailoutbox, django_capture_on_commit_callbacks
):
    ask_for_export(ilse_client, django_capture_on_commit_callbacks, "export=csv")
    link = link_in(mailoutbox[0])

    ilse_client.logout()
    assert ilse_client.get(link).status_code == 302  # to the login page
    client.force_login(coordinator(email="sanne@example.nl", first_name="Sanne"))
    assert client.get(link).status_code == 404
    ilse = ExportFile.objects.get().user
    client.force_login(ilse)
    with time_machine.travel(timezone.now() + datetime.timedelta(hours=23)):
        assert client.get(link).status_code == 200
    with time_machine.travel(timezone.now() + datetime.timedelta(hours=24, minutes=1)):
        assert client.get(link).status_code == 404
    ilse.groups.clear()  # no longer a coordinator
    assert client.get(link).status_code == 404
    assert AccessLogEntry.objects.filter(action=AccessLogEntry.Action.EXPORT).count() == 1


def test_the_periodic_run_removes_the_file_once_the_link_has_expired(
    ilse_client, group, django_capture_on_commit_callbacks
):
    ask_for_export(ilse_client, django_capture_on_commit_callbacks, "export=xlsx")
    export = ExportFile.objects.get()
    path = export_files.full_path(export)
    assert path.suffix == ".xlsx"
    sheet = load_workbook(path, read_only=True).active
    assert {row[1] for row in sheet.iter_rows(min_row=2, values_only=True)} == {"Joëlle", "Daan", "Fleur"}

    run_steps(timezone.now() + datetime.timedelta(hours=23))
    assert path.is_file()
    reports = run_steps(timezone.now() + datetime.timedelta(hours=24, minutes=1))

    assert not path.exists()
    assert not ExportFile.objects.exists()
    assert {name: count for report in reports for name, count in report.counts.items()}["export_files_removed"] == 1


def test_below_the_threshold_the_export_streams_as_before(
    settings, ilse_client, ilse, group, mailoutbox, django_capture_on_commit_callbacks
):
    settings.GROEPSWIJZER_EXPORT_IN_BACKGROUND_ROWS = 3
    with django_capture_on_commit_callbacks(execute=True):
        response = ilse_client.get("/admin/aanmeldingen/?export=csv")

    assert response["Content-Disposition"] == 'attachment; filename="aanmeldingen.csv"'
    assert len(rows_of(response)) == 3
    assert not ExportFile.objects.exists() and not mailoutbox
    (logged,) = AccessLogEntry.objects.filter(action=AccessLogEntry.Action.EXPORT)
    assert logged.where == "aanmeldingen: export (csv), 3 rijen"
