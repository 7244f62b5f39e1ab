"""The funnel starts at the referral: referred -> signed up -> started -> completed, per practice."""

import csv
import datetime
import io

import pytest
from django.utils import timezone

from booking.models import Enrollment
from reports import figures as f
from tests.booking.factories import coordinator, place_in, planned_group
from tests.carepath.factories import PracticeFactory, ReferralFactory
from tests.factories import CoursePageFactory, LocationFactory

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)


@pytest.fixture
def now():
    return timezone.now()


@pytest.fixture
def referred(now):
    """De Linde referred 7 people: 5 signed up (4 completed, 1 stopped), 2 never did; Akkers referred 1 who never did.

    Two more people in the group signed up without a referral.
    """
    course = CoursePageFactory(title="Mentaal Fit")
    location = LocationFactory(name="Wijkcentrum Tongelre", town="Eindhoven")
    linde = PracticeFactory(name="Huisartsenpraktijk De Linde", town="Geldrop")
    akkers = PracticeFactory(name="Gezondheidscentrum De Akkers", town="Mierlo")
    start = now - 60 * DAY
    group = planned_group(course, location, first_start=start, capacity=10, count=4)
    people = [place_in(group) for _ in range(7)]
    Enrollment.objects.filter(pk__in=[p.pk for p in people]).update(status="completed")
    Enrollment.objects.filter(pk=people[4].pk).update(status="cancelled", cancelled_at=start + 10 * DAY)
    for person in people[:5]:
        ReferralFactory(practice=linde, enrollment=person, created_at=start - 30 * DAY)
    ReferralFactory.create_batch(2, practice=linde, course=course, created_at=now - 20 * DAY)
    ReferralFactory(practice=akkers, created_at=now - 10 * DAY)
    ReferralFactory(practice=akkers, created_at=now - 400 * DAY)  # before the period
    return course, location, linde, akkers


def period(now, **more):
    return f.Filters(start=timezone.localdate(now) - 120 * DAY, end=timezone.localdate(now), **more)


def test_referrals_count_also_when_the_patient_never_signs_up(referred, now):
    result = f.compute(period(now), now=now)

    steps = [(key, count) for key, _label, count, _before in result.total.steps()]
    assert steps == [(f.REFERRED, 5 + 2 + 1), (f.SIGNED_UP, 7), (f.STARTED, 7), (f.COMPLETED, 6)]
    linde = result.by_practice["Huisartsenpraktijk De Linde, Geldrop"]
    assert (linde[f.REFERRED], linde[f.SIGNED_UP], linde[f.COMPLETED], linde[f.STOPPED]) == (7, 5, 4, 1)
    assert result.by_practice["Gezondheidscentrum De Akkers, Mierlo"][f.REFERRED] == 1
    assert result.by_practice["zonder verwijzing"][f.SIGNED_UP] == 2
    # A referral without a training chosen and no place counts only without a training filter.
    course, location, _linde, _akkers = referred
    assert f.compute(period(now, course_id=course.pk), now=now).total[f.REFERRED] == 7


def test_the_practice_filter_narrows_the_people_to_its_referrals(referred, now):
    _course, _location, linde, akkers = referred
    result = f.compute(period(now, practice_id=linde.pk), now=now)
    assert (result.total[f.REFERRED], result.total[f.SIGNED_UP], result.total[f.STARTED]) == (7, 5, 5)
    assert result.waits.count == 5

    assert f.compute(period(now, practice_id=akkers.pk), now=now).total[f.SIGNED_UP] == 0


def test_the_office_filters_per_practice_in_the_url_and_downloads_the_split(client, referred, now):
    client.force_login(coordinator(email="ilse@example.nl"))
    _course, _location, linde, _akkers = referred
    start = timezone.localdate(now) - 120 * DAY

    page = client.get(f"/admin/cijfers/?praktijk={linde.pk}&van={start}").content.decode()
    assert "Per praktijk die verwees" in page and "Huisartsenpraktijk De Linde, Geldrop" in page

    response = client.get(f"/admin/cijfers/?van={start}&tabel=per-praktijk&formaat=csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:3] == ["Praktijk", "verwezen", "aangemeld"]
    assert rows[2][:3] == ["Huisartsenpraktijk De Linde, Geldrop", "7", "5"]
    assert rows[1][:3] == ["Gezondheidscentrum De Akkers, Mierlo", "< 5", "0"]
    assert rows[3][:3] == ["zonder verwijzing", "0", "< 5"]

    response = client.get(f"/admin/cijfers/?van={start}&tabel=trechter&formaat=csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    # aangemeld with a referral (5) of verwezen (8); the 2 without a referral do not count in the share
    assert rows[1] == ["verwezen", "8", ""] and rows[2] == ["aangemeld", "7", "62%"]

    wrong = client.get("/admin/cijfers/?praktijk=999999").content.decode()
    assert "Kies een praktijk uit de lijst." in wrong
