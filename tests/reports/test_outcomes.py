"""Outcome change per questionnaire and satisfaction: counts and means only, small cells hidden."""

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.utils import timezone
from openpyxl import load_workbook
from pypdf import PdfReader

from booking.models import Enrollment
from carepath.models import Evaluation, Invitation, Questionnaire, ScoreBand
from reports import figures as f
from tests.booking.factories import coordinator, place_in, planned_group
from tests.factories import CoursePageFactory, LocationFactory

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)


@pytest.fixture
def now():
    return timezone.now()


def questionnaire(name, bands=(), **more):
    made = Questionnaire.objects.create(name=name, scale_min=0, scale_max=4, scale_labels="a\nb\nc\nd\ne", **more)
    for order, (low, high, label) in enumerate(bands):
        ScoreBand.objects.create(questionnaire=made, sort_order=order, low=low, high=high, label=label)
    return made


def scored(enrollment, moment, used, score, now):
    return Invitation.objects.create(
        enrollment=enrollment, questionnaire=used, moment=moment, created_at=now, answered_at=now, score=score
    )


@pytest.fixture
def answered(now):
    """Six completed with WHO-5 before and after, one completed with only a pre, one who stopped; two on MHC-SF.

    WHO-5 before/after: 40/60, 44/72, 52/48, 60/80, 36/40, 28/52 (bands 0-50 and 51-100): 3 went up a band.
    """
    course = CoursePageFactory(title="Mentaal Fit")
    group = planned_group(course, LocationFactory(town="Eindhoven"), first_start=now - 70 * DAY, count=4)
    who5 = questionnaire("WHO-5", [(0, 50, "laag"), (51, 100, "goed")])
    mhc = questionnaire("MHC-SF", is_demo=True)
    people = [place_in(group) for _ in range(10)]
    Enrollment.objects.filter(pk__in=[p.pk for p in people]).update(status="completed")
    Enrollment.objects.filter(pk=people[7].pk).update(status="cancelled", cancelled_at=now - 50 * DAY)
    for person, (pre, post) in zip(people, [(40, 60), (44, 72), (52, 48), (60, 80), (36, 40), (28, 52)], strict=False):
        scored(person, Invitation.Moment.PRE, who5, pre, now)
        scored(person, Invitation.Moment.POST, who5, post, now)
    scored(people[6], Invitation.Moment.PRE, who5, 20, now)  # no post: not counted
    scored(people[7], Invitation.Moment.PRE, who5, 10, now)  # stopped: not counted
    scored(people[7], Invitation.Moment.POST, who5, 90, now)
    for person in people[8:]:
        scored(person, Invitation.Moment.PRE, mhc, Decimal("2.5"), now)
        scored(person, Invitation.Moment.POST, mhc, Decimal("3.25"), now)
    for person, grade, recommend in zip(
        people, [8, 9, 7, 8, 6, 10], [True, True, False, True, True, True], strict=False
    ):
        invitation = Invitation.objects.create(
            enrollment=person, moment=Invitation.Moment.EVALUATION, created_at=now, answered_at=now
        )
        Evaluation.objects.create(invitation=invitation, grade=grade, would_recommend=recommend)
    return course


def period(now):
    return f.Filters(start=timezone.localdate(now) - 120 * DAY, end=timezone.localdate(now))


def test_the_change_per_questionnaire_counts_completed_people_with_a_score_before_and_after(answered, now):
    result = f.compute(period(now), now=now)

    mhc, who5 = result.outcomes  # by name
    assert (mhc.name, mhc.count, mhc.improved) == ("MHC-SF (demo)", 2, None)
    assert (who5.name, who5.count, who5.improved) == ("WHO-5", 6, 3)
    assert [round(value, 2) for value in (who5.mean_pre, who5.mean_post, who5.mean_change)] == [
        Decimal("43.33"),
        Decimal("58.67"),
        Decimal("15.33"),
    ]
    assert (result.satisfaction.count, result.satisfaction.mean_grade, result.satisfaction.recommend) == (6, 8, 5)


def test_the_office_sees_and_downloads_the_outcomes_with_small_cells_hidden(client, answered, now):
    client.force_login(coordinator(email="ilse@example.nl"))
    start = timezone.localdate(now) - 120 * DAY

    page = client.get(f"/admin/cijfers/?van={start}").content.decode()
    assert "Uitkomsten en tevredenheid" in page

    response = client.get(f"/admin/cijfers/?van={start}&tabel=uitkomsten&formaat=csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[1] == ["MHC-SF (demo)", "< 5", "–", "–", "–", "–"]
    assert rows[2] == ["WHO-5", "6", "43,3", "58,7", "15,3", "< 5"]

    response = client.get(f"/admin/cijfers/?van={start}&tabel=tevredenheid&formaat=xlsx")
    sheet = load_workbook(io.BytesIO(response.content))["Tevredenheid na de training"]
    assert [cell.value for cell in sheet[2]] == ["Hele periode", 6, "8,0", "83%"]


def test_the_yearly_report_has_a_row_per_questionnaire_and_one_for_satisfaction(client, answered, now):
    client.force_login(coordinator(email="ilse@example.nl"))
    year = timezone.localdate(now - 70 * DAY).year

    pdf = client.get(f"/admin/cijfers/jaarverslag/?training={answered.pk}&jaar={year}&formaat=pdf")
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "Verandering per vragenlijst" in text and "WHO-5" in text
    assert "Tevredenheid na de training" in text and "83%" in text
