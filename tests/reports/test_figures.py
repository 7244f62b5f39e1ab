"""The office's figures: the funnel, the groups, the waits and the money, on a history whose numbers we know."""

import csv
import datetime
import io

import pytest
from django.utils import timezone
from openpyxl import load_workbook
from pypdf import PdfReader

from accounts import roles
from booking.models import Attendance, CancelCause, Enrollment, Payment
from booking.staff import actions as staff_actions
from reports import figures as f
from tests.booking.factories import coordinator, place_in, planned_group, staff_user, trainer_account
from tests.factories import CoursePageFactory, LocationFactory

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)


@pytest.fixture
def now():
    return timezone.now()


@pytest.fixture
def history(now):
    """Two groups that ran in the last weeks, one cancelled, one still ahead.

    Woensel (10 places): 8 signed up, 1 left before the start, 1 no-show, 1 stopped, 5 completed.
    Geldrop (8 places): 6 signed up, all completed.
    """
    course = CoursePageFactory(title="Mindfulness", group_min=5, group_max=10)
    woensel = LocationFactory(name="Gezondheidscentrum Woensel", town="Eindhoven")
    geldrop = LocationFactory(name="Huisartsenpraktijk De Bron", town="Geldrop")
    start = now - 40 * DAY
    ran = planned_group(course, woensel, first_start=start, capacity=10, count=5)
    people = [place_in(ran) for _ in range(8)]
    Enrollment.objects.filter(pk=people[0].pk).update(status="cancelled", cancelled_at=start - 5 * DAY)
    Enrollment.objects.filter(pk__in=[p.pk for p in people[1:]]).update(status="completed")
    Enrollment.objects.filter(pk=people[2].pk).update(status="cancelled", cancelled_at=start + 8 * DAY)
    first_session = ran.sessions.order_by("start").first()
    for person in people[1:]:
        status = Attendance.Status.ABSENT if person == people[1] else Attendance.Status.PRESENT
        Attendance.objects.create(session=first_session, enrollment=person, status=status)
    # Everyone in Woensel signed up 21 days before the start.
    Enrollment.objects.filter(group=ran).update(created_at=start - 21 * DAY)

    other = planned_group(course, geldrop, first_start=now - 20 * DAY, hour=10, capacity=8, count=3)
    for _ in range(6):
        place_in(other)
    Enrollment.objects.filter(group=other).update(status="completed", created_at=now - 60 * DAY)
    for enrollment in Enrollment.objects.filter(group=other)[:2]:
        Payment.objects.create(
            party=enrollment.party, group=other, amount="35.00", provider="exempt", status="paid", exemption_reason="x"
        )
    for enrollment in Enrollment.objects.filter(group=other)[2:]:
        Payment.objects.create(party=enrollment.party, group=other, amount="35.00", provider="mollie", status="paid")

    too_few = planned_group(course, geldrop, first_start=now - 10 * DAY, hour=14, capacity=10)
    place_in(too_few)
    staff_actions.cancel_group(too_few, reason="Te weinig aanmeldingen", cause=CancelCause.TOO_FEW, now=now - 14 * DAY)
    planned_group(course, woensel, first_start=now + 30 * DAY, capacity=10, taken=3)
    return course, woensel, geldrop


def period(now):
    return f.Filters(start=timezone.localdate(now) - 90 * DAY, end=timezone.localdate(now) + 60 * DAY)


def test_the_funnel_counts_each_place_once_by_what_became_of_it(history, now):
    result = f.compute(period(now), now=now)

    total = result.total
    assert total[f.SIGNED_UP] == 8 + 6 + 1 + 3
    assert total[f.STARTED] == 6 + 6  # Woensel: 5 completed + 1 stopped; Geldrop: 6
    assert total[f.COMPLETED] == 5 + 6
    assert (total[f.STOPPED], total[f.NO_SHOW], total[f.LEFT_BEFORE_START]) == (1, 1, 1)
    assert (total[f.GROUP_CANCELLED], total[f.NOT_STARTED_YET]) == (1, 3)


def test_groups_size_at_the_start_fill_and_cancellations(history, now):
    result = f.compute(period(now), now=now)

    groups = result.groups
    assert (groups.planned, groups.started, groups.cancelled) == (4, 2, 1)
    assert groups.average_size == (7 + 6) / 2  # places held at the first session, no-show included
    assert groups.fill_rate == 13 / 18
    assert groups.causes == {CancelCause.TOO_FEW: 1}


def test_waits_run_from_asking_for_a_place_to_the_first_session(history, now):
    result = f.compute(period(now), now=now)

    waits = result.waits
    assert waits.count == 13
    assert round(waits.median) == 21 and round(waits.p90) == 40
    assert waits.within_treeknorm == 7


def test_payments_and_exemptions(history, now):
    money = f.compute(period(now), now=now).money
    assert (money.paid_count, money.exemptions) == (4, 2)
    assert money.paid_amount == 140


def test_small_cells_are_shown_as_fewer_than_five():
    assert (f.people(0), f.people(3), f.people(5)) == (0, "< 5", 5)
    assert f.share(3, 100) == "–" and f.share(50, 100) == "50%"


def test_the_office_sees_charts_with_their_tables_and_no_names(client, history, now):
    client.force_login(coordinator(email="ilse@example.nl"))
    course, woensel, _geldrop = history
    start = timezone.localdate(now) - 90 * DAY

    page = client.get(f"/admin/cijfers/?training={course.pk}&van={start}").content.decode()

    assert '<svg xmlns="http://www.w3.org/2000/svg" class="chart"' in page
    assert "Van verwijzing tot afronding" in page and "Vulling per locatie" in page
    assert "Gezondheidscentrum Woensel, Eindhoven" in page
    assert "< 5" in page  # the stopped, the no-show, the one who left
    assert "Anna" not in page  # participants' first name in the factories
    assert f'name="van" value="{start.isoformat()}"' in page  # the date field can show it


def test_without_filters_the_date_fields_show_the_period_counted(client, history, now):
    client.force_login(coordinator(email="ilse@example.nl"))
    start, end = f.last_twelve_months()

    page = client.get("/admin/cijfers/").content.decode()

    # A date field takes only 2026-01-31; "31-01-2026" would leave it empty.
    assert f'name="van" value="{start.isoformat()}"' in page
    assert f'name="tot" value="{end.isoformat()}"' in page


def test_every_table_downloads_as_csv_and_xlsx_with_the_same_cells(client, history, now):
    client.force_login(coordinator(email="ilse@example.nl"))
    start = timezone.localdate(now) - 90 * DAY

    end = timezone.localdate(now) + 60 * DAY
    response = client.get(f"/admin/cijfers/?van={start}&tot={end}&tabel=trechter&formaat=csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[1][:2] == ["verwezen", "0"]
    assert rows[2][:2] == ["aangemeld", "18"] and rows[3][:2] == ["gestart", "12"]

    response = client.get(f"/admin/cijfers/?van={start}&tot={end}&tabel=alles&formaat=xlsx")
    book = load_workbook(io.BytesIO(response.content))
    assert "Van verwijzing tot afronding" in book.sheetnames
    assert book["Van verwijzing tot afronding"]["B4"].value == 12


def test_the_yearly_report_is_a_pdf_and_an_xlsx(client, history, now):
    client.force_login(coordinator(email="ilse@example.nl"))
    course, _woensel, _geldrop = history
    year = timezone.localdate(now - 40 * DAY).year

    pdf = client.get(f"/admin/cijfers/jaarverslag/?training={course.pk}&jaar={year}&formaat=pdf")
    assert pdf["Content-Type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "Jaarverslag Mindfulness" in text and "Van verwijzing tot afronding" in text

    wrong = client.get(f"/admin/cijfers/jaarverslag/?training={course.pk}&jaar=twintig&formaat=pdf")
    assert "Vul een jaar in, bijvoorbeeld 2026." in wrong.content.decode()


def test_the_chosen_location_stays_chosen_in_its_list_and_an_unknown_one_gets_a_message(client, history, now):
    client.force_login(coordinator(email="ilse@example.nl"))
    _course, woensel, geldrop = history
    start = timezone.localdate(now) - 90 * DAY

    page = client.get(f"/admin/cijfers/?locatie={woensel.pk}&van={start}").content.decode()

    select = page[page.index('<select name="locatie"') :].split("</select>")[0]
    assert f'<option value="{woensel.pk}" selected>{woensel}</option>' in select
    assert f'<option value="{geldrop.pk}">{geldrop}</option>' in select
    assert '<option value="">Alle locaties</option>' in select
    unknown = client.get("/admin/cijfers/?locatie=999999").content.decode()
    assert "Kies een locatie uit de lijst." in unknown


def test_a_bad_filter_gets_a_message_at_the_field(client, history):
    client.force_login(coordinator(email="ilse@example.nl"))
    page = client.get("/admin/cijfers/?van=2026-13-45").content.decode()
    assert "Vul een datum in, bijvoorbeeld 2026-01-01." in page


def test_only_coordinators_see_the_figures(client, history):
    client.force_login(staff_user(roles.EDITORS))
    assert client.get("/admin/cijfers/").status_code in (302, 403)
    _trainer, user = trainer_account()
    client.force_login(user)
    assert client.get("/admin/cijfers/").status_code in (302, 403)
