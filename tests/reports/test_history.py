"""`load_demo --history`: a past year in the region's shape, and the figures computed from it say what it holds."""

import pytest
from django.utils import timezone

from home.demo.history import build_history, history_period
from reports import exports
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


def test_the_care_path_figures_reproduce_the_generated_referrals_scores_and_evaluations(region):
    now = timezone.now()
    expected = build_history(seed=5, now=now).care
    start, end = history_period(now)

    result = f.compute(f.Filters(start=start, end=end), now=now)
    tables = {table.key: table for table in exports.all_tables(result)}

    # The region's year: about 350 referrals to Mentaal Fit and 554 to Mindfulness.
    assert expected.referred == {"Mentaal Fit": 350, "Mindfulness": 554}
    assert result.total[f.REFERRED] == 904
    for title, count in expected.referred.items():
        assert result.by_course[title][f.REFERRED] == count, title
    assert result.total.conversion(f.SIGNED_UP) == expected.signed_up_referred
    assert result.total[f.SIGNED_UP] == expected.signed_up_referred + expected.signed_up_without_referral
    # Most came with a referral; some referred people never signed up.
    assert 0.8 < expected.signed_up_referred / result.total[f.SIGNED_UP] < 0.95
    assert 0.6 < expected.signed_up_referred / 904 < 0.85

    practices = {name: funnel for name, funnel in result.by_practice.items() if name != str(f.WITHOUT_REFERRAL)}
    assert {name: funnel[f.REFERRED] for name, funnel in practices.items()} == expected.referred_by_practice
    assert {name: funnel[f.SIGNED_UP] for name, funnel in practices.items()} == expected.signed_up_by_practice
    assert result.by_practice[str(f.WITHOUT_REFERRAL)][f.SIGNED_UP] == expected.signed_up_without_referral
    assert len(practices) >= 10  # the invented practices of the region, nearly all referring

    # Scores before and after per instrument, to the decimals the page shows.
    assert [outcome.name for outcome in result.outcomes] == sorted(expected.outcomes)
    rows = {row[0]: row for row in tables["uitkomsten"].rows}
    for outcome in result.outcomes:
        written = expected.outcomes[outcome.name]
        assert (outcome.count, outcome.improved) == (written.count, written.improved)
        assert rows[outcome.name] == [
            outcome.name,
            written.count,
            exports._decimal(written.mean_pre),
            exports._decimal(written.mean_post),
            exports._change(written.mean_change),
            written.improved,
        ]
        assert written.mean_change > 0  # better on average ...
        assert any(post < pre for pre, post in written.pairs)  # ... not for everyone
    completed = result.total[f.COMPLETED]
    assert 0.6 * completed < sum(o.count for o in expected.outcomes.values()) < 0.9 * completed

    satisfaction = result.satisfaction
    assert (satisfaction.count, satisfaction.recommend) == (len(expected.grades), expected.recommend)
    assert tables["tevredenheid"].rows[0][1:] == [
        len(expected.grades),
        exports._decimal(sum(expected.grades) / len(expected.grades)),
        f.share(expected.recommend, len(expected.grades)),
    ]
    assert satisfaction.count > 0.6 * completed
