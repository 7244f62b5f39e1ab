"""Built pages (a logged-in visitor, the first request after a change) with the routing a process remembers.

``groepswijzer.routing`` remembers, per content generation, which page Wagtail's route reaches for an
address; the finder's nearest groups run as prepared SQL (``groepswijzer.prepared``); a group's sessions
are a fragment under the times they show. None of that may ever show an old page: every change below
shows on the very next request, made the way the office and editors make it, with its after-commit
work run. The page cache is off (pages are built); fragments are on, as in production.
"""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import formats, timezone, translation
from wagtail.models import PageViewRestriction

from booking import geo
from booking.models import RegistrationStop
from booking.services import availability, planning
from booking.services.places import cancel_enrollment, hold_places
from booking.staff.actions import cancel_group
from courses.models import CoursePage
from groepswijzer import prepared, routing
from tests.booking.factories import CONSENT_VERSION, days_ahead, person, planned_group, signup_course
from tests.factories import LocationFactory, StandardPageFactory
from tests.helpers import signup_url, text

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fragments_on(settings):
    settings.PAGE_CACHE = False
    settings.PAGE_FRAGMENT_CACHE = True


@pytest.fixture
def location():
    return LocationFactory(name="Gezondheidscentrum De Linde", town="Eindhoven", postcode="5611 AB")


@pytest.fixture
def course(course_index):
    return signup_course(course_index, title="Mentaal Fit")


@pytest.fixture
def group(course, location):
    return planned_group(course, location, days=21, capacity=10, taken=2)


def queries(client, url, params=None):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params or {})
    return response, [query["sql"] for query in captured.captured_queries]


def finder_text(client, course_index):
    return text(client.get(course_index.url, {"postcode": "5611 AB"}))


# --- fewer queries, the same pages ----------------------------------------------------------------------


def test_a_known_address_is_routed_with_one_query_for_its_page(client, home, course_index, course, group):
    page = StandardPageFactory(parent=home, title="Over ons")
    for url in (page.url, course_index.url, course.url):
        first, walked = queries(client, url)
        second, known = queries(client, url)
        assert first.status_code == second.status_code == 200, url
        assert second.content == first.content, url
        # No site, tree walk or view restrictions any more: the page itself, by its id.
        assert not [sql for sql in known if "wagtailcore_site" in sql], url
        assert len(walked) - len(known) >= 4, url
    for url in (page.url, course.url):
        assert not [sql for sql in queries(client, url)[1] if "wagtailcore_pageviewrestriction" in sql], url
    # A StandardPage is only its route now, and so is the course page (its page of groups is kept per content and
    # booking generation until its places change by themselves); the finder adds the nearest groups, one ring here
    # (the trainings and their themes, the locale and whether any page has a view restriction are kept per content
    # generation).
    assert len(queries(client, page.url)[1]) == 1
    assert len(queries(client, course.url)[1]) == 1
    client.get(course_index.url, {"postcode": "5611 AB"})  # the form's fragment for this address
    assert len(queries(client, course_index.url, {"postcode": "5611 AB"})[1]) == 2


def test_with_few_open_groups_a_postcode_far_from_all_of_them_takes_one_query_and_finds_the_same_groups(
    client, course_index, course, group
):
    far = "9999 ZZ"  # more than 50 km from every group: outside a request, three rings
    with CaptureQueriesContext(connection) as rings:
        by_rings = availability.nearest_bookable([course.pk], geo.find_area(far))
    assert len(rings) == 3
    client.get(course_index.url, {"postcode": far})  # the form's fragment, the count of open groups
    response, known = queries(client, course_index.url, {"postcode": far})
    assert len(known) == 2  # its page and one query for every open group
    found = response.context["search"].results[0]
    assert found.nearest == by_rings[0][course.pk]
    assert "Eindhoven" in text(response)


def test_the_course_page_and_step_1_take_the_same_few_queries_on_every_page_of_groups(
    client, course_index, course, location, group
):
    for number in range(12):
        planned_group(course, LocationFactory(name=f"Wijkhuis {number}", town="Helmond", postcode="5701 AA"), days=30)
    step_1 = f"/aanmelden/training/{course.pk}/"
    for url, params in (
        (course.url, {}),
        (course.url, {"postcode": "5611 AB"}),
        (course.url, {"postcode": "5611 AB", "pagina": "2"}),
        (step_1, {}),
        (step_1, {"postcode": "5611 AB", "pagina": "2"}),
    ):
        client.get(url, params)
        response, known = queries(client, url, params)
        assert response.status_code == 200, (url, params)
        # The page (by id; the page of groups is kept per content and booking generation); step 1 its course and
        # whether there are questions.
        assert len(known) == (1 if url == course.url else 2), (url, params, known)
    # A postcode nobody asked for yet: of the groups, only its page of groups and their sessions (when the places
    # next change by themselves is kept for the course).
    response, first = queries(client, course.url, {"postcode": "5701 AA"})
    assert response.status_code == 200
    assert len([sql for sql in first if "booking_" in sql]) == 2, first


def test_without_generations_wagtail_routes_every_request(client, settings, course, group):
    settings.PAGE_FRAGMENT_CACHE = False
    client.get(course.url)
    response, again = queries(client, course.url)
    assert response.status_code == 200
    assert [sql for sql in again if "wagtailcore_site" in sql]
    assert [sql for sql in again if "wagtailcore_pageviewrestriction" in sql]


def test_a_page_type_with_its_own_routing_is_left_to_wagtail(course_index, course):
    assert routing.routes_by_path(type(course))
    assert routing.routes_by_path(type(course_index))

    def own_route(self, request, path_components):
        return None

    assert not routing.routes_by_path(type("OwnRouting", (), {"route": own_route}))
    marked = type("FallbackRouting", (), {"route": own_route, "routes_by_path": True})
    assert routing.routes_by_path(marked)
    assert not routing.routes_by_path(type("MarkedParent", (marked,), {"route": own_route}))


# --- every change shows on the next request -------------------------------------------------------------


def test_an_unpublished_page_is_gone_and_a_republished_one_back(client, home, committed):
    page = StandardPageFactory(parent=home, title="Over ons")
    url = page.url
    assert client.get(url).status_code == 200
    assert client.get(url).status_code == 200
    with committed():
        page.unpublish()
    assert client.get(url).status_code == 404
    with committed():
        page.save_revision().publish()
    assert client.get(url).status_code == 200


def test_a_renamed_page_moves_to_its_new_address(client, home, committed):
    page = StandardPageFactory(parent=home, title="Over ons", slug="over-ons")
    assert client.get("/over-ons/").status_code == 200
    assert client.get("/over-ons/").status_code == 200
    page = type(page).objects.get(pk=page.pk)
    page.slug = "wie-we-zijn"
    with committed():
        page.save_revision().publish()
    old = client.get("/over-ons/")
    assert (old.status_code, old.get("Location")) == (301, "/wie-we-zijn/")  # Wagtail's redirect, made on the rename
    assert client.get("/wie-we-zijn/").status_code == 200


def test_a_page_made_private_asks_for_a_login_at_once(client, course_index, course, group, committed):
    assert client.get(course.url).status_code == 200
    assert client.get(course.url).status_code == 200
    with committed():
        restriction = PageViewRestriction.objects.create(page=course_index, restriction_type="login")
    assert client.get(course.url).status_code == 302
    assert client.get(course_index.url).status_code == 302
    with committed():
        restriction.delete()
    assert client.get(course.url).status_code == 200


def test_a_course_made_private_leaves_the_finder_at_once(client, course_index, course, group, committed):
    other = signup_course(course_index, title="Mindfulness")
    planned_group(other, LocationFactory(town="Helmond", postcode="5701 AA"), days=28)
    assert "Mindfulness" in finder_text(client, course_index)
    assert "Mindfulness" in finder_text(client, course_index)
    with committed():
        restriction = PageViewRestriction.objects.create(page=other, restriction_type="login")
    assert "Mindfulness" not in finder_text(client, course_index)
    assert "Mentaal Fit" in finder_text(client, course_index)
    with committed():
        restriction.delete()
    assert "Mindfulness" in finder_text(client, course_index)


def test_a_course_published_retitled_or_unpublished_shows_in_the_finder_at_once(
    client, course_index, course, group, committed
):
    other = signup_course(course_index, title="Mindfulness", live=False)
    planned_group(other, LocationFactory(town="Helmond", postcode="5701 AA"), days=28)
    for params in ({}, {"postcode": "5611 AB"}, {"audience": "adults"}):
        assert "Mindfulness" not in text(client.get(course_index.url, params))
    with committed():
        other.save_revision().publish()
    for params in ({}, {"postcode": "5611 AB"}, {"audience": "adults"}):
        assert "Mindfulness" in text(client.get(course_index.url, params)), params
    other = type(other).objects.get(pk=other.pk)
    other.title = "Mindfulness voor beginners"
    with committed():
        other.save_revision().publish()
    assert "Mindfulness voor beginners" in finder_text(client, course_index)
    with committed():
        other.unpublish()
    for params in ({}, {"postcode": "5611 AB"}, {"audience": "adults"}):
        assert "Mindfulness" not in text(client.get(course_index.url, params)), params


def test_the_filter_on_free_places_follows_the_places(client, course_index, course, location, committed):
    last_place = planned_group(course, location, days=21, capacity=1)
    with_places = {"postcode": "5611 AB", "free_places": "on"}
    assert "Mentaal Fit" in text(client.get(course_index.url, with_places))
    with committed():
        held = hold_places(last_place, [person(1)], consent_text_version=CONSENT_VERSION)
    assert "Mentaal Fit" not in text(client.get(course_index.url, with_places))
    with committed():
        cancel_enrollment(held[0])
    assert "Mentaal Fit" in text(client.get(course_index.url, with_places))


def test_a_page_for_some_groups_only_stays_closed_to_others(client, course_index, course, group, committed):
    with committed():
        restriction = PageViewRestriction.objects.create(page=course, restriction_type="groups")
        restriction.groups.set([Group.objects.create(name="Alleen voor het bureau")])
    assert client.get(course.url).status_code == 302
    assert client.get(course.url).status_code == 302


def test_a_seat_taken_and_freed_shows_in_the_finder_and_on_the_course_page(
    client, course_index, course, location, committed
):
    last_place = planned_group(course, location, days=21, capacity=3, taken=2)
    assert "nog 1 plek" in text(client.get(course.url))
    assert "Mentaal Fit" in finder_text(client, course_index)
    assert "Geen groep met plaats" not in finder_text(client, course_index)

    with committed():
        held = hold_places(last_place, [person(1)], consent_text_version=CONSENT_VERSION)
    assert "vol" in text(client.get(course.url))
    assert signup_url("group", last_place) not in client.get(course.url).content.decode()
    assert availability.nearest_bookable([course.pk], geo.find_area("5611 AB")) == ({}, {})

    with committed():
        cancel_enrollment(held[0])
    assert "nog 1 plek" in text(client.get(course.url))
    nearest, _online = availability.nearest_bookable([course.pk], geo.find_area("5611 AB"))
    assert nearest[course.pk].group_id == last_place.pk


def test_a_kept_finder_card_shows_the_last_place_taken_and_freed_and_its_own_distance_per_postcode(
    client, course_index, course, location, committed
):
    # A card is kept whole by the training and the nearest group with a place it shows.
    last_place = planned_group(course, location, days=21, capacity=3, taken=2)
    later = planned_group(course, LocationFactory(name="Wijkhuis", town="Helmond", postcode="5701 AB"), days=35)
    for _ in range(2):
        assert "minder dan 1 km – Eindhoven" in finder_text(client, course_index)
    with committed():
        held = hold_places(last_place, [person(1)], consent_text_version=CONSENT_VERSION)
    for _ in range(2):
        page = finder_text(client, course_index)
        assert "– Eindhoven" not in page
        assert "– Helmond" in page
    with committed():
        cancel_group(later, reason="Te weinig aanmeldingen.")
    assert "Geen groep met plaats in de buurt" in finder_text(client, course_index)
    with committed():
        cancel_enrollment(held[0])
    assert "minder dan 1 km – Eindhoven" in finder_text(client, course_index)
    # The same training searched from elsewhere: its own distance.
    assert "minder dan 1 km" not in text(client.get(course_index.url, {"postcode": "5701 AB"}))
    assert "– Eindhoven" in text(client.get(course_index.url, {"postcode": "5701 AB"}))


def test_a_hold_that_runs_out_frees_its_place_on_the_course_page_at_that_moment(client, course, location, committed):
    # The page of groups is kept until its places change by themselves: nothing is written when a hold runs out.
    last_place = planned_group(course, location, days=21, capacity=3, taken=2)
    with committed():
        held = hold_places(last_place, [person(1)], consent_text_version=CONSENT_VERSION)
    runs_out = held[0].hold_expires_at
    with time_machine.travel(runs_out - datetime.timedelta(seconds=1), tick=False):
        for _ in range(2):
            assert "vol" in text(client.get(course.url))
    with time_machine.travel(runs_out + datetime.timedelta(seconds=1), tick=False):
        for _ in range(2):
            page = client.get(course.url)
            assert "nog 1 plek" in text(page)
            assert signup_url("group", last_place) in page.content.decode()
    # A request at an earlier moment than the page was read at reads it again.
    with time_machine.travel(runs_out - datetime.timedelta(seconds=1), tick=False):
        assert "vol" in text(client.get(course.url))


def test_a_group_leaves_the_course_page_when_its_first_session_starts(client, course, location, committed):
    soon = planned_group(course, location, days=2, hour=10)
    later = planned_group(course, location, days=9, hour=19)
    starts = soon.sessions.order_by("start").first().start
    with time_machine.travel(starts - datetime.timedelta(minutes=1), tick=False):
        for _ in range(2):
            page = client.get(course.url).content.decode()
            assert signup_url("group", soon) in page
            assert signup_url("group", later) in page
    with time_machine.travel(starts + datetime.timedelta(seconds=1), tick=False):
        page = client.get(course.url).content.decode()
        assert signup_url("group", soon) not in page
        assert signup_url("group", later) in page


def test_a_preview_of_a_draft_leaves_no_page_of_groups_behind(client, course, group):
    # A group's price is the course's contribution; the preview's page of groups belongs to the draft alone.
    draft = CoursePage.objects.get(pk=course.pk)
    draft.contribution = Decimal("99.00")
    draft.save_revision()
    preview = draft.get_latest_revision_as_object().make_preview_request()
    assert '"price": "99.00"' in preview.content.decode()
    for _ in range(2):
        page = client.get(course.url).content.decode()
        assert f'"price": "{course.contribution:.2f}"' in page
        assert '"price": "99.00"' not in page


def test_a_kept_group_card_shows_a_renamed_location_and_a_stop_at_once(client, course, location, group, committed):
    # A group's card on the course page is kept whole by what it shows; a location is not content.
    for _ in range(2):
        assert "voor de groep bij Gezondheidscentrum De Linde" in text(client.get(course.url))
    with committed():
        location.name = "Huis van de Wijk"
        location.save()
    for _ in range(2):
        page = text(client.get(course.url))
        assert "voor de groep bij Huis van de Wijk" in page
        assert "De Linde" not in page
    with committed():
        RegistrationStop.objects.create(course=course, location=location, message="Deze locatie is dicht.")
    page = text(client.get(course.url))
    assert "aanmeldstop" in page
    assert "voor de groep bij Huis van de Wijk" not in page


def test_a_group_closed_and_opened_shows_at_once(client, course, location, group, committed):
    second = planned_group(course, location, days=35, hour=10, status="planned")
    assert "binnenkort open" in text(client.get(course.url))
    with committed():
        planning.open_group(second)
    page = client.get(course.url).content.decode()
    assert "binnenkort open" not in text(client.get(course.url))
    assert signup_url("group", second) in page
    with committed():
        planning.close_group(second)
    assert signup_url("group", second) not in client.get(course.url).content.decode()
    with committed():
        cancel_group(group, reason="Te weinig aanmeldingen.")
    assert signup_url("group", group) not in client.get(course.url).content.decode()


def test_a_registration_stop_shows_on_the_next_request_and_is_gone_when_lifted(
    client, course_index, course, group, committed
):
    assert signup_url("group", group) in client.get(course.url).content.decode()
    with committed():
        stop = RegistrationStop.objects.create(course=course, message="De groepen van dit najaar zijn vol.")
    page = client.get(course.url)
    assert "De groepen van dit najaar zijn vol." in text(page)
    assert signup_url("group", group) not in page.content.decode()
    assert availability.nearest_bookable([course.pk], geo.find_area("5611 AB")) == ({}, {})
    with committed():
        stop.ends_at = timezone.now()
        stop.save()
    assert "De groepen van dit najaar zijn vol." not in text(client.get(course.url))
    assert signup_url("group", group) in client.get(course.url).content.decode()


def test_a_moved_session_shows_its_new_time(client, course, group, committed):
    session = group.sessions.order_by("start").last()
    new_start = days_ahead(60, 10)
    with translation.override("nl"):
        new_day = formats.date_format(timezone.localtime(new_start), "D j b Y") + ", 10:00"
    assert new_day not in text(client.get(course.url))
    assert new_day not in text(client.get(course.url))
    with committed():
        planning.move_session(session, new_start, new_start + (session.end - session.start))
    assert new_day in text(client.get(course.url))


# --- prepared SQL ---------------------------------------------------------------------------------------------


def test_the_finder_query_is_prepared_and_finds_what_the_queryset_finds(course_index, course, location, group):
    far = planned_group(course, LocationFactory(name="Wijkhuis", town="Groningen", postcode="9711 AB"), days=14)
    online_place = LocationFactory(name="Online", kind="online", address="", postcode="", town="")
    online_group = planned_group(course, online_place, days=10)
    area = geo.find_area("5701 AB")
    values = {
        "now": timezone.now(),
        "lat1": 0.9,
        "lon1": 0.1,
        "cos_lat1": 0.62,
        "placed": [course.pk],
        "online": [course.pk],
        "south": 50.0,
        "north": 54.0,
        "west": 3.0,
        "east": 8.0,
        "radius": 400.0,
    }
    compiled = availability._NEAREST_GROUPS.compiled(values, connection)
    assert compiled is not None
    assert {slot for _position, slot, _index, _adapt in compiled.slots} == set(values)
    lat1, lon1, cos_lat1 = geo.radians_of(area)
    for radius in (10.0, 50.0, 400.0):
        south, north, west, east = geo.bounding_box(area, radius)
        values.update(lat1=lat1, lon1=lon1, cos_lat1=cos_lat1, south=south, north=north, west=west, east=east)
        values["radius"] = radius
        rows = availability._NEAREST_GROUPS.run(**values)
        assert rows == list(availability._nearest_groups(**values))
    assert {row["pk"] for row in rows} == {group.pk, far.pk, online_group.pk}
    later = {**values, "now": timezone.now() + datetime.timedelta(days=12)}
    assert {row["pk"] for row in availability._NEAREST_GROUPS.run(**later)} == {group.pk, far.pk}


def test_a_query_that_computes_from_a_value_is_not_prepared(course, group):
    shifted = prepared.PreparedValues(
        lambda *, now: type(group).objects.filter(signup_deadline__lt=now + datetime.timedelta(days=1)).values("pk")
    )
    assert shifted.compiled({"now": timezone.now()}, connection) is None
    group.signup_deadline = timezone.now() + datetime.timedelta(hours=12)
    group.save()
    assert shifted.run(now=timezone.now()) == [{"pk": group.pk}]
    assert shifted.run(now=timezone.now() - datetime.timedelta(days=1)) == []
