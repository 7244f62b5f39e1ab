"""`load_demo --history`: a past year in the region's shape, and the figures computed from it say what it holds."""

import pytest
from django.utils import timezone

from home.demo.history import build_history, history_period
from reports import figures as f
from tests.factories import CoursePageFactory, LocationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def region(course_index):
    towns = ["Eindhoven", "Helmond", "Geldrop", "Nuenen", "Veldhoven", "Best", "Son", "Mierlo"]
    locations = [LocationFactory(name=f"Gezondheidscentrum {town}", town=town) for town in towns]
    for slug, title in (("mentaal-fit", "Mentaal Fit"), ("mindfulness", "Mindfulness")):
        CoursePageFactory(parent=course_index, slug=slug, title=title, session_count=5, locations=locations)


def test_the_history_has_the_shape_of_the_regions_year(region):
    now = timezone.now()
    expected = build_history(seed=3, now=now)

    started = sum(expected.outcomes[key] for key in (f.COMPLETED, f.STOPPED, f.RUNNING))
    assert expected.groups_started == 74
    assert started + expected.outcomes[f.NO_SHOW] == expected.places_at_start
    assert 8 <= expected.places_at_start / expected.groups_started <= 9
    assert started == 244 + 396
    assert build_history(seed=3, now=now) is None  # once


def test_the_figures_reproduce_the_generated_year_exactly(region):
    now = timezone.now()
    expected = build_history(seed=7, now=now)
    start, end = history_period(now)

    result = f.compute(f.Filters(start=start, end=end), now=now)

    for key in (f.COMPLETED, f.STOPPED, f.RUNNING, f.NO_SHOW, f.LEFT_BEFORE_START, f.GROUP_CANCELLED):
        assert result.total[key] == expected.outcomes[key], key
    assert result.total[f.SIGNED_UP] == sum(expected.outcomes.values())
    assert result.total[f.NOT_STARTED_YET] == 0
    for title, outcomes in expected.per_course.items():
        assert result.by_course[title][f.SIGNED_UP] == sum(outcomes.values())
    groups = result.groups
    assert (groups.started, groups.cancelled) == (expected.groups_started, expected.groups_cancelled)
    assert groups.causes == expected.causes
    assert (groups.places_at_start, groups.places_offered) == (expected.places_at_start, expected.places_offered)
    assert result.waits.count == len(expected.waits)
    assert result.waits.median == pytest.approx(f.Waits(expected.waits).median)
    assert result.waits.p90 == pytest.approx(f.Waits(expected.waits).p90)
    assert result.waits.within_treeknorm == f.Waits(expected.waits).within_treeknorm
    money = result.money
    assert (money.paid_count, money.exemptions, money.paid_amount) == (
        expected.paid,
        expected.exemptions,
        expected.paid_amount,
    )
