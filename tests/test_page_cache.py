"""Anonymous visitors get public pages from the page cache, and every change shows on the very next request.

The changes are made through the booking services and the page editor's publish, with their
after-commit work run (``django_capture_on_commit_callbacks``), as a committed request would.
"""

import datetime

import pytest
import time_machine
from django.conf import settings as django_settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import formats, timezone, translation

from booking.models import Enrollment, RegistrationStop
from booking.services import page_state, planning
from booking.services.places import cancel_enrollment, confirm_enrollment, hold_places
from booking.staff.actions import cancel_group
from groepswijzer import page_cache
from tests.booking.factories import (
    CONSENT_VERSION,
    WaitlistEntryFactory,
    days_ahead,
    person,
    planned_group,
    signup_course,
)
from tests.factories import FactsheetPageFactory, LocationFactory, StandardPageFactory, UserFactory
from tests.helpers import signup_url, text

pytestmark = pytest.mark.django_db

OVERVIEW = "/aanbod-en-wachttijden/"


@pytest.fixture(autouse=True)
def page_cache_on(settings):
    # As in production: whole pages and the fragments of built pages (tests/test_page_fragments.py).
    settings.PAGE_CACHE = True
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


def from_cache(response):
    return response.get(page_cache.HEADER) == "hit"


def twice(client, url, **params):
    return client.get(url, params), client.get(url, params)


def hold(group, number, committed):
    with committed():
        return hold_places(group, [person(number)], consent_text_version=CONSENT_VERSION)


# --- served from the cache ---------------------------------------------------------------------------------


def test_every_public_page_comes_from_the_cache_the_second_time_without_a_query(
    client, home, course_index, course, group, django_assert_num_queries
):
    standard = StandardPageFactory(parent=home, title="Over ons")
    factsheet = FactsheetPageFactory(title="Groepen in de huisartsenpraktijk")
    urls = [
        (home.url, {}),
        (course_index.url, {}),
        (course_index.url, {"postcode": "5611 AB"}),
        (course.url, {}),
        (course.url, {"postcode": "5611 AB", "pagina": "1"}),
        (standard.url, {}),
        (factsheet.url, {}),
        (OVERVIEW, {}),
    ]
    for url, params in urls:
        first = client.get(url, params)
        assert first.status_code == 200, url
        assert first[page_cache.HEADER] == "miss", url
        with django_assert_num_queries(0):
            second = client.get(url, params)
        assert from_cache(second), url
        assert second.content == first.content
        # The security headers are written fresh for the page from the cache.
        assert second["Content-Security-Policy"] == first["Content-Security-Policy"]
        assert second["Permissions-Policy"]


def test_the_same_question_in_another_order_is_the_same_page_and_another_site_is_not(client, course_index):
    client.get(course_index.url, {"postcode": "5611 AB", "thema": ""})
    assert from_cache(client.get(course_index.url, {"thema": "", "postcode": "5611 AB"}))
    assert not from_cache(client.get(course_index.url, {"postcode": "5611 AB"}))
    elsewhere = client.get(course_index.url, {"thema": "", "postcode": "5611 AB"}, HTTP_HOST="andere.example")
    assert not from_cache(elsewhere)


# --- every change shows on the next request ---------------------------------------------------------------


def test_a_hold_shows_at_once_on_the_course_page_the_finder_the_home_page_and_the_overview(
    client, home, course_index, course, group, committed
):
    pages = [course.url, course_index.url, OVERVIEW]
    for url in pages:
        client.get(url)
    assert "nog 8 plekken" in text(client.get(course.url))
    client.get(home.url)

    hold(group, 1, committed)

    page = client.get(course.url)
    assert not from_cache(page)
    assert "nog 7 plekken" in text(page)
    for url in (course_index.url, OVERVIEW, home.url):
        assert not from_cache(client.get(url)), url


def test_confirming_changes_nothing_shown_but_cancelling_frees_the_place_at_once(client, course, group, committed):
    held = hold(group, 1, committed)
    client.get(course.url)
    assert "nog 7 plekken" in text(client.get(course.url))

    with committed():
        confirm_enrollment(held[0])
    page = client.get(course.url)
    assert "nog 7 plekken" in text(page)
    assert from_cache(page)  # a live hold already took the place: confirming it leaves every page as it is

    with committed():
        cancel_enrollment(held[0])
    assert "nog 8 plekken" in text(client.get(course.url))


def test_a_hold_that_ran_out_and_is_confirmed_after_all_takes_its_place_again_at_once(client, course, group, committed):
    held = hold(group, 1, committed)
    later = held[0].hold_expires_at + datetime.timedelta(minutes=5)
    with time_machine.travel(later, tick=False):
        assert "nog 8 plekken" in text(client.get(course.url))
        assert from_cache(client.get(course.url))
        with committed():
            confirm_enrollment(held[0], now=later)  # the payment came late; the place was still free
        page = client.get(course.url)
    assert not from_cache(page)
    assert "nog 7 plekken" in text(page)


def test_a_hold_that_runs_out_frees_its_place_on_the_page_without_any_write(client, course, group, committed):
    held = hold(group, 1, committed)
    assert "nog 7 plekken" in text(client.get(course.url))
    assert from_cache(client.get(course.url))

    with time_machine.travel(held[0].hold_expires_at + datetime.timedelta(seconds=1), tick=False):
        page = client.get(course.url)
    assert not from_cache(page)
    assert "nog 8 plekken" in text(page)
    assert Enrollment.objects.get(pk=held[0].pk).status == Enrollment.Status.HELD  # the sweep has not run


def test_the_moments_a_page_changes_by_itself_come_one_by_one_in_one_query_each(course, group, location, committed):
    now = timezone.now()
    held = hold(group, 1, committed)
    stop = RegistrationStop.objects.create(
        course=course,
        location=location,
        message="Even dicht.",
        starts_at=now + datetime.timedelta(days=2),
        ends_at=now + datetime.timedelta(days=3),
    )
    group.signup_deadline = now + datetime.timedelta(days=4)
    group.save()
    sessions = list(group.sessions.order_by("start").values_list("start", flat=True))
    expected = [held[0].hold_expires_at, stop.starts_at, stop.ends_at, group.signup_deadline, *sessions]
    assert expected == sorted(expected)
    moment = now
    for following in expected:
        with CaptureQueriesContext(connection) as queries:
            found = page_state.next_change([course.pk], moment)
        assert found == following
        assert len(queries) == 1
        moment = found
    assert page_state.next_change([course.pk], moment) is None
    assert page_state.next_change(now=now) == held[0].hold_expires_at
    assert page_state.next_change([course.pk + 1000], now) is None
    # Its SQL is compiled once per number of courses; every value is swapped in.
    for values in ({"now": now}, {"now": now, "course_ids": [course.pk]}):
        compiled = page_state._FIRST_MOMENTS.compiled(values, connection)
        assert compiled is not None
        assert {slot for _position, slot, _index, _adapt in compiled.slots} == set(values)


def test_a_registration_stop_shows_at_once_and_is_gone_when_lifted(client, course, group, location, committed):
    client.get(course.url)
    with committed():
        stop = RegistrationStop.objects.create(course=course, message="De groepen van dit najaar zijn vol.")
    assert "De groepen van dit najaar zijn vol." in text(client.get(course.url))
    assert from_cache(client.get(course.url))

    with committed():
        stop.ends_at = timezone.now()
        stop.save()
    page = client.get(course.url)
    assert "De groepen van dit najaar zijn vol." not in text(page)
    assert "nog 8 plekken" in text(page)


def test_a_stop_for_a_location_shows_on_every_course_page(client, course_index, course, group, location, committed):
    other = signup_course(course_index, title="Mindfulness")
    planned_group(other, location, days=21, hour=10)
    client.get(course.url), client.get(other.url)
    with committed():
        RegistrationStop.objects.create(location=location, message="De Linde gaat verbouwen.")
    for url in (course.url, other.url):
        assert "De Linde gaat verbouwen." in text(client.get(url))


def test_a_stop_that_starts_later_shows_from_its_start(client, course, group):
    starts = timezone.now() + datetime.timedelta(hours=2)
    RegistrationStop.objects.create(course=course, message="Vanaf vanmiddag vol.", starts_at=starts)
    assert "Vanaf vanmiddag vol." not in text(client.get(course.url))
    assert from_cache(client.get(course.url))
    with time_machine.travel(starts + datetime.timedelta(seconds=1), tick=False):
        assert "Vanaf vanmiddag vol." in text(client.get(course.url))


def test_a_published_change_shows_on_the_page_the_finder_and_the_menu(client, home, course_index, course, committed):
    for url in (home.url, course_index.url, course.url):
        client.get(url)
    course.title = "Mentaal Fit in de wijk"
    with committed():
        course.save_revision().publish()
    assert "Mentaal Fit in de wijk" in text(client.get(course.url))
    assert "Mentaal Fit in de wijk" in text(client.get(course_index.url))


def test_a_preview_of_a_draft_is_never_the_stored_live_page(client, course):
    assert from_cache(twice(client, course.url)[1])
    course.title = "Mentaal Fit, nieuwe versie"
    course.save_revision()
    preview = course.get_latest_revision_as_object().make_preview_request()
    assert "Mentaal Fit, nieuwe versie" in text(preview)
    assert "Mentaal Fit, nieuwe versie" not in text(client.get(course.url))


def test_an_unpublished_page_is_gone_at_once(client, home, committed):
    page = StandardPageFactory(parent=home, title="Over ons")
    assert client.get(page.url).status_code == 200
    with committed():
        page.unpublish()
    assert client.get("/" + page.slug + "/").status_code == 404


def test_a_cancelled_group_disappears_and_a_closed_one_too(client, course, location, group, committed):
    second = planned_group(course, location, days=35, hour=10)
    link_first, link_second = signup_url("group", group), signup_url("group", second)
    page = client.get(course.url).content.decode()
    assert link_first in page and link_second in page

    with committed():
        cancel_group(group, reason="Te weinig aanmeldingen.")
    page = client.get(course.url).content.decode()
    assert link_first not in page and link_second in page

    with committed():
        planning.close_group(second)
    assert link_second not in client.get(course.url).content.decode()


def test_an_opened_group_appears(client, course, location, committed):
    group = planned_group(course, location, days=21, status="planned")
    assert "binnenkort open" in text(client.get(course.url))
    assert from_cache(client.get(course.url))
    with committed():
        planning.open_group(group)
    assert "binnenkort open" not in text(client.get(course.url))


def test_a_group_changed_by_the_office_shows_its_new_places(client, course, group, committed):
    assert "nog 8 plekken" in text(client.get(course.url))
    group.capacity = 12
    with committed():
        group.save()
    assert "nog 10 plekken" in text(client.get(course.url))


def test_a_new_place_on_the_waiting_list_shows_in_the_overview(client, course, committed):
    full = planned_group(course, LocationFactory(name="Wijkgebouw De Kroon", town="Helmond"), capacity=1, taken=1)
    before = client.get(OVERVIEW).content
    assert from_cache(client.get(OVERVIEW))
    with committed():
        WaitlistEntryFactory(course=course, preferred_locations=[full.location])
    after = client.get(OVERVIEW)
    assert not from_cache(after)
    assert after.content != before


def test_a_moved_session_shows_its_new_date(client, course, group, committed):
    session = group.sessions.order_by("start").last()
    new_start = days_ahead(60, 10)
    with translation.override("nl"):
        new_day = formats.date_format(timezone.localtime(new_start), "j b Y") + ", 10:00"
    assert new_day not in text(client.get(course.url))
    with committed():
        planning.move_session(session, new_start, new_start + (session.end - session.start))
    page = text(client.get(course.url))
    assert new_day in page, page[page.find("session-list") : page.find("session-list") + 600]


def test_a_change_to_another_course_leaves_this_course_page_in_the_cache(client, course_index, course, committed):
    other = signup_course(course_index, title="Mindfulness")
    other_group = planned_group(other, LocationFactory(), days=28)
    client.get(course.url), client.get(course_index.url)
    hold(other_group, 5, committed)
    assert from_cache(client.get(course.url))
    assert not from_cache(client.get(course_index.url))


# --- never cached ------------------------------------------------------------------------------------------


def test_logged_in_visitors_never_get_or_fill_the_cache(client, course, group):
    client.force_login(UserFactory(email="anouk@example.nl"))
    first, second = twice(client, course.url)
    assert not from_cache(first) and not from_cache(second)
    assert "private" in second["Cache-Control"]
    client.logout()
    client.cookies.clear()
    assert client.get(course.url)[page_cache.HEADER] == "miss"  # nothing was stored for the logged-in visitor


def test_a_visitor_with_a_session_gets_pages_built_for_them(client, course, group):
    client.get(course.url)
    client.post(signup_url("participant", group), person(1) | {"action": "next"})
    assert client.cookies.get("sessionid")
    assert not from_cache(client.get(course.url))


def test_sign_up_steps_and_personal_pages_are_never_cached(client, group):
    personal = [
        signup_url("group", group),
        signup_url("participant", group),
        reverse("selfservice:new_link"),
        reverse("waitlist:join", kwargs={"course_id": group.course_id}),
        reverse("carepath:enter_code"),
    ]
    for url in personal:
        first, second = twice(client, url)
        assert first.status_code == 200, url
        assert not from_cache(second), url


@pytest.mark.urls("tests.page_cache_urls")
def test_pages_with_a_csrf_token_a_nonce_or_a_cookie_are_never_stored(home):
    for url in ("/test-cache/formulier/", "/test-cache/script/", "/test-cache/koekje/"):
        assert Client().get(url).status_code == 200, url
        assert not from_cache(Client().get(url)), url
        with_csrf_cookie = Client()
        with_csrf_cookie.cookies[django_settings.CSRF_COOKIE_NAME] = "a" * 32
        assert not from_cache(with_csrf_cookie.get(url)), url
        assert not from_cache(with_csrf_cookie.get(url)), url
    # The script's nonce is in the policy of its own response: a stored page would carry an old one.
    page = Client().get("/test-cache/script/")
    nonce = page.content.decode().split('nonce="')[1].split('"')[0]
    assert f"'nonce-{nonce}'" in page["Content-Security-Policy"]


def test_a_post_is_never_answered_from_the_cache(client, course, group):
    client.get(course.url)
    assert not from_cache(client.post(course.url))


def test_a_head_request_is_answered_from_the_cache_but_stores_nothing(client, course, group):
    assert not from_cache(client.head(course.url))
    assert client.get(course.url)[page_cache.HEADER] == "miss"
    assert from_cache(client.head(course.url))


def test_a_page_that_is_not_found_is_never_stored(client, home):
    first, second = twice(client, "/bestaat-niet/")
    assert first.status_code == second.status_code == 404
    assert not from_cache(second)


def test_with_the_page_cache_off_nothing_is_stored(client, settings, course, group):
    settings.PAGE_CACHE = False
    first, second = twice(client, course.url)
    assert page_cache.HEADER not in first and page_cache.HEADER not in second
    settings.PAGE_CACHE = True
    assert client.get(course.url)[page_cache.HEADER] == "miss"
