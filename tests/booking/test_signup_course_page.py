"""Finding a group: the course page lists its groups per location, and the course index filters on groups."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from booking.models import RegistrationStop, TrainingGroup
from booking.services.stops import active_stop
from booking.templatetags.signup_tags import session_when
from tests.booking.factories import planned_group, signup_course
from tests.factories import CoursePageFactory, LocationFactory
from tests.helpers import text

pytestmark = pytest.mark.django_db


@pytest.fixture
def region():
    return {
        "eindhoven": LocationFactory(name="GC Woensel", postcode="5611 AB", town="Eindhoven", address="Kruisstraat 1"),
        "helmond": LocationFactory(name="HAP De Braak", postcode="5701 AA", town="Helmond", address="Braakweg 2"),
        "deurne": LocationFactory(name="Wijkhuis Deurne", postcode="5751 AB", town="Deurne", address="Markt 3"),
    }


@pytest.fixture
def course(course_index, region):
    return signup_course(course_index, locations=list(region.values()))


def group_link(group):
    return reverse("signup:group", kwargs={"group_id": group.pk})


def test_course_page_lists_upcoming_groups_per_location_with_dates_and_places(client, course, region):
    soon = planned_group(course, region["eindhoven"], days=10, hour=19, capacity=10, taken=7, count=5)
    last_place = planned_group(course, region["helmond"], days=20, hour=10, capacity=5, taken=4, count=5)
    full = planned_group(course, region["deurne"], days=30, capacity=5, taken=5, count=5)
    planned = planned_group(course, region["deurne"], days=60, status="planned", count=5)
    cancelled = planned_group(course, region["helmond"], days=40, count=5)
    TrainingGroup.objects.filter(pk=cancelled.pk).update(status="cancelled")

    page = text(client.get(course.url))
    # By first date without a postcode: Eindhoven, Helmond, Deurne.
    assert page.index("GC Woensel") < page.index("HAP De Braak") < page.index("Wijkhuis Deurne")
    assert "nog 3 plekken" in page and "nog 1 plek<" in page and ">vol<" in page
    assert "binnenkort open" in page
    start = timezone.localtime(soon.sessions.order_by("start").first().start)

    for session in soon.sessions.all():
        assert session_when(session) in page
    assert re.search(r"(ma|di|wo|do|vr|za|zo) \d{1,2} [a-z]{3} \d{4}, 19:00–21:00", page)
    assert start.strftime("%Y") in page
    assert group_link(soon) in page and group_link(last_place) in page
    assert group_link(full) not in page and group_link(planned) not in page
    assert group_link(cancelled) not in page


def test_groups_are_sorted_by_distance_from_the_postcode(client, course, region):
    planned_group(course, region["eindhoven"], days=10, count=5)
    planned_group(course, region["deurne"], days=30, count=5)
    page = text(client.get(course.url, {"postcode": "5751 ab"}))
    assert page.index("Wijkhuis Deurne") < page.index("GC Woensel")
    assert "De locatie het dichtst bij 5751 AB (Deurne) staat bovenaan" in page


@pytest.mark.parametrize(
    "typed, message", [("abcd", "geen geldige postcode"), ("1004 AB", "kennen we niet"), ("9" * 200, "te lang")]
)
def test_a_bad_postcode_gets_a_message_at_the_field_not_a_500(client, course, region, typed, message):
    planned_group(course, region["eindhoven"], days=10, count=5)
    planned_group(course, region["deurne"], days=30, count=5)
    response = client.get(course.url, {"postcode": typed})
    assert response.status_code == 200
    page = text(response)
    assert message in page
    assert re.search(r'<input[^>]*name="postcode"[^>]*aria-invalid="true"', page)
    assert page.index("GC Woensel") < page.index("Wijkhuis Deurne")  # still listed, by date


def test_no_groups_leads_to_the_waiting_list(client, course, region):
    page = text(client.get(course.url))
    assert "Er zijn nog geen groepen gepland" in page
    assert reverse("waitlist:join", kwargs={"course_id": course.pk}) in page


def test_all_groups_full_leads_to_the_waiting_list(client, course, region):
    planned_group(course, region["eindhoven"], capacity=5, taken=5, count=5)
    page = text(client.get(course.url))
    assert "Er is nu geen groep met plaats" in page
    assert reverse("waitlist:join", kwargs={"course_id": course.pk}) in page


def test_a_stop_at_one_location_shows_its_message_and_where_there_is_room(client, course, region):
    stopped = planned_group(course, region["helmond"], days=10, count=5)
    elsewhere = planned_group(course, region["deurne"], days=20, count=5)
    RegistrationStop.objects.create(
        location=region["helmond"], message="De praktijk verhuist. Aanmelden kan weer in maart."
    )

    page = text(client.get(course.url))
    assert "De praktijk verhuist. Aanmelden kan weer in maart." in page
    assert group_link(stopped) not in page
    assert group_link(elsewhere) in page
    assert f'href="#locatie-{region["deurne"].pk}"' in page


def test_a_stop_for_the_whole_course_closes_every_group(client, course, region):
    group = planned_group(course, region["eindhoven"], days=10, count=5)
    RegistrationStop.objects.create(
        course=course, message="De trainers zijn met verlof.", ends_at=timezone.now() + datetime.timedelta(days=30)
    )
    page = text(client.get(course.url))
    assert "Aanmelden kan nu niet" in page and "De trainers zijn met verlof." in page
    assert "kunt u zich weer aanmelden" in page
    assert group_link(group) not in page
    assert reverse("waitlist:join", kwargs={"course_id": course.pk}) in page


def test_active_stop_knows_course_location_and_time(course, region):
    now = timezone.now()
    other_course = CoursePageFactory(parent=course.get_parent())
    assert active_stop(course, region["eindhoven"], now) is None
    at_location = RegistrationStop.objects.create(location=region["eindhoven"], message="Locatie dicht.", starts_at=now)
    assert active_stop(course, region["eindhoven"], now) == at_location
    assert active_stop(other_course, region["eindhoven"], now) == at_location
    assert active_stop(course, region["helmond"], now) is None
    assert active_stop(course, None, now) is None  # not the whole course

    both = RegistrationStop.objects.create(
        course=course, location=region["eindhoven"], message="Alleen hier.", starts_at=now - datetime.timedelta(days=1)
    )
    assert active_stop(course, region["eindhoven"], now) == both  # the most specific wins
    whole = RegistrationStop.objects.create(
        course=course, message="Nergens.", starts_at=now, ends_at=now + datetime.timedelta(hours=1)
    )
    assert active_stop(course, region["helmond"], now) == whole
    assert active_stop(course, None, now) == whole
    assert active_stop(course, region["helmond"], now + datetime.timedelta(hours=2)) is None


def test_course_page_queries_do_not_grow_with_the_number_of_groups(
    client, course, region, django_assert_max_num_queries
):
    planned_group(course, region["eindhoven"], days=10, taken=2, count=5)
    client.get(course.url)  # warm caches (site root, settings)
    with django_assert_max_num_queries(60) as few:
        client.get(course.url, {"postcode": "5611"})
    for number, location in enumerate(region.values()):
        for weeks in (1, 2, 3):
            planned_group(
                course, location, days=30 + 60 * weeks + number * 7, hour=9 + number * 3, taken=weeks, count=5
            )
    RegistrationStop.objects.create(location=region["deurne"], message="Dicht.")
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(course.url, {"postcode": "5611"})
    assert len(response.context["group_listing"].rows) == 10


def test_choose_group_step_lists_the_groups_of_one_course(client, course, region):
    group = planned_group(course, region["eindhoven"], days=10, count=5)
    response = client.get(reverse("signup:course", kwargs={"course_id": course.pk}))
    page = text(response)
    assert "Kies een groep" in page and "Stap 1 van 6" in page
    assert group_link(group) in page


# --- the course index -------------------------------------------------------------------------------


@pytest.fixture
def catalogue(course_index, region):
    free_soon = signup_course(course_index, title="Mentaal Fit", questions=False)
    planned_group(free_soon, region["eindhoven"], days=14, taken=2, count=5)
    full_only = signup_course(course_index, title="Mindfulness", questions=False)
    planned_group(full_only, region["helmond"], days=14, capacity=5, taken=5, count=5)
    free_later = signup_course(course_index, title="Grip op piekeren", questions=False)
    planned_group(free_later, region["deurne"], days=70, count=5)
    stopped = signup_course(course_index, title="Beter slapen", questions=False)
    planned_group(stopped, region["eindhoven"], days=15, hour=10, count=5)
    RegistrationStop.objects.create(course=stopped, message="Even niet.")
    signup_course(course_index, title="Communicatie", questions=False)  # no groups at all
    return course_index


def titles(response):
    return [result.course.title for result in response.context["search"].results]


@pytest.mark.parametrize(
    "filters, expected",
    [
        ({}, ["Beter slapen", "Communicatie", "Grip op piekeren", "Mentaal Fit", "Mindfulness"]),
        ({"free_places": "on"}, ["Grip op piekeren", "Mentaal Fit"]),
        ({"starts_within": "4"}, ["Beter slapen", "Mentaal Fit", "Mindfulness"]),
        ({"starts_within": "12"}, ["Beter slapen", "Grip op piekeren", "Mentaal Fit", "Mindfulness"]),
        ({"free_places": "on", "starts_within": "4"}, ["Mentaal Fit"]),
    ],
)
def test_course_index_filters_on_free_places_and_start(client, catalogue, filters, expected):
    response = client.get(catalogue.url, filters)
    assert titles(response) == expected


def test_course_index_filters_stay_in_the_url_and_the_form(client, catalogue):
    page = text(client.get(catalogue.url, {"free_places": "on", "starts_within": "8"}))
    assert re.search(r'<input[^>]*name="free_places"[^>]*checked', page)
    assert '<option value="8" selected>' in page
    assert '<details class="more-filters" open>' in page


def test_a_bad_weeks_value_gets_a_message_not_a_500(client, catalogue):
    response = client.get(catalogue.url, {"starts_within": "99"})
    assert response.status_code == 200
    assert "Kies 4, 8 of 12 weken" in text(response)
    assert len(titles(response)) == 5


def test_course_index_group_filters_do_not_query_per_course(client, catalogue, region, django_assert_max_num_queries):
    filters = {"free_places": "on", "starts_within": "12"}
    client.get(catalogue.url, filters)
    with django_assert_max_num_queries(60) as few:
        client.get(catalogue.url, filters)
    for number in range(6):
        extra = signup_course(catalogue, title=f"Extra {number}", questions=False)
        planned_group(extra, region["helmond"], days=20 + number, hour=9, taken=1, count=5)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(catalogue.url, filters)
    assert len(titles(response)) == 8
