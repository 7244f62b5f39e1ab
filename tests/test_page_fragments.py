"""Parts of pages that are the same for every visitor are kept as fragments, and every change shows at once.

Pages here are built (the page cache is off, or the visitor is logged in), as for a visitor with a
session; the fragments of the menu, the footer, a training's card and facts and the finder's form
come from the cache the second time, under the same generations as whole pages
(``groepswijzer.page_cache.fragment``). Changes are made the way editors make them (publish, save),
with their after-commit work run.
"""

import datetime

import pytest
import time_machine
from django.conf import settings as django_settings
from django.db import connection
from django.middleware.csrf import get_token
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from booking.models import RegistrationStop
from courses.models import CoursePage
from groepswijzer import page_cache
from home.organisation import OrganisationSettings
from tests.booking.factories import planned_group, signup_course
from tests.factories import LocationFactory, StandardPageFactory, ThemeFactory, TrainerFactory, UserFactory
from tests.helpers import text

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fragments_on(settings):
    settings.PAGE_CACHE = False
    settings.PAGE_FRAGMENT_CACHE = True


@pytest.fixture
def theme():
    return ThemeFactory(name="Stress")


@pytest.fixture
def course(course_index, theme):
    course = signup_course(course_index, title="Mentaal Fit", themes=[theme])
    planned_group(course, LocationFactory(name="De Linde", town="Eindhoven", postcode="5611 AB"), days=21)
    return course


def publish(page, committed, **changes):
    page = page.specific_class.objects.get(pk=page.pk)
    for name, value in changes.items():
        setattr(page, name, value)
    with committed():
        page.save_revision().publish()
    return page


def queries(client, url, params=None):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params or {})
    assert response.status_code == 200, url
    return response, len(captured)


def test_the_second_page_comes_with_its_fragments_from_the_cache_and_fewer_queries(client, home, course_index, course):
    for url, params in (
        (home.url, {}),
        (course_index.url, {}),
        (course_index.url, {"postcode": "5611 AB"}),
        (course.url, {}),
    ):
        first, built = queries(client, url, params)
        second, kept = queries(client, url, params)
        assert second.content == first.content, url
        assert kept < built, url


def test_a_published_title_shows_at_once_in_the_menu_and_the_footer(client, home, course_index, course, committed):
    about = StandardPageFactory(parent=home, title="Over ons", show_in_menus=True)
    client.get(course.url), client.get(course_index.url)
    assert "Over ons" in text(client.get(course.url))

    publish(about, committed, title="Over Groepswijzer")
    for url in (course.url, course_index.url, home.url, about.url):
        page = text(client.get(url))
        assert "Over Groepswijzer" in page, url
        assert "Over ons" not in page, url


def test_a_new_address_of_a_course_shows_at_once_on_the_finder_s_cards(client, course_index, course, committed):
    # The cards' links are kept per content generation (with the postcode the visitor gave after them).
    client.get(course_index.url), client.get(course_index.url, {"postcode": "5611 AB"})
    old = course.url
    publish(course, committed, slug="mentaal-fit-in-de-winter")
    new = CoursePage.objects.get(pk=course.pk).url
    assert new != old
    for params, link in (({}, new), ({"postcode": "5611 AB"}, f"{new}?postcode=5611%20AB#groepen")):
        html = client.get(course_index.url, params).content.decode()
        assert f'href="{link}"' in html, params
        assert f'href="{old}' not in html, params


def test_a_published_summary_and_facts_show_on_the_card_and_the_course_page(
    client, home, course_index, course, committed
):
    client.get(course_index.url), client.get(course_index.url, {"postcode": "5611 AB"}), client.get(course.url)

    publish(course, committed, summary="Tien avonden over rust in uw hoofd.", group_max=14)
    for url, params in ((course_index.url, {}), (course_index.url, {"postcode": "5611 AB"}), (course.url, {})):
        assert "Tien avonden over rust in uw hoofd." in text(client.get(url, params)), url
    assert "tot 14 deelnemers" in text(client.get(course.url))


def test_a_renamed_theme_and_a_trainer_show_at_once(client, course_index, course, theme, committed):
    client.get(course_index.url), client.get(course.url)
    with committed():
        theme.name = "Spanning en stress"
        theme.save()
    assert "Spanning en stress" in text(client.get(course_index.url))
    assert "Spanning en stress" in text(client.get(course.url))

    page = CoursePage.objects.get(pk=course.pk)
    page.trainers.add(TrainerFactory(name="Sanne de Wit", profession="psycholoog"))
    with committed():
        page.save_revision().publish()
    assert "Sanne de Wit" in text(client.get(course.url))


def test_a_registration_stop_shows_at_once_on_a_built_course_page_and_step_1_and_is_gone_when_lifted(
    client, course, committed
):
    # The stops are kept per booking generation: the pages ask for them again only after a change.
    step_1 = f"/aanmelden/training/{course.pk}/"
    client.get(course.url), client.get(step_1)
    with committed():
        stop = RegistrationStop.objects.create(course=course, message="De groepen van dit najaar zijn vol.")
    for url in (course.url, step_1):
        assert "De groepen van dit najaar zijn vol." in text(client.get(url)), url
        assert "De groepen van dit najaar zijn vol." in text(client.get(url)), url

    with committed():
        stop.ends_at = timezone.now()
        stop.save()
    for url in (course.url, step_1):
        assert "De groepen van dit najaar zijn vol." not in text(client.get(url)), url


def test_a_stop_that_starts_later_shows_on_a_built_course_page_from_its_start(client, course, committed):
    starts = timezone.now() + datetime.timedelta(hours=2)
    with committed():
        RegistrationStop.objects.create(course=course, message="Vanaf vanmiddag vol.", starts_at=starts)
    assert "Vanaf vanmiddag vol." not in text(client.get(course.url))
    with time_machine.travel(starts + datetime.timedelta(seconds=1), tick=False):
        assert "Vanaf vanmiddag vol." in text(client.get(course.url))
    # Back before its start (a clock that is set back): the page asks the database, not what it kept.
    with time_machine.travel(starts - datetime.timedelta(hours=1), tick=False):
        assert "Vanaf vanmiddag vol." not in text(client.get(course.url))


def test_a_settings_change_that_commits_shows_in_the_footer(client, home, committed):
    client.get(home.url)
    settings = OrganisationSettings.load()
    settings.phone = "040 123 45 67"
    with committed():
        settings.save()
    assert "040 123 45 67" in text(client.get(home.url))


def test_a_preview_of_a_draft_neither_uses_nor_fills_the_fragments(client, course):
    live = text(client.get(course.url))
    assert "In vijf bijeenkomsten" in live
    draft = CoursePage.objects.get(pk=course.pk)
    draft.summary = "Een nieuwe versie van de samenvatting."
    draft.save_revision()
    preview = draft.get_latest_revision_as_object().make_preview_request()
    assert "Een nieuwe versie van de samenvatting." in text(preview)
    page = text(client.get(course.url))
    assert "Een nieuwe versie van de samenvatting." not in page
    assert "In vijf bijeenkomsten" in page


def test_a_logged_in_visitor_and_an_anonymous_one_each_see_their_own_account_links(client, home, course):
    member = UserFactory(email="anouk@example.nl")
    client.force_login(member)
    assert "Uitloggen" in text(client.get(course.url))
    anonymous = client.__class__()
    page = text(anonymous.get(course.url))
    assert "Uitloggen" not in page and "Inloggen" in page
    assert "Uitloggen" in text(client.get(course.url))


def test_an_english_visitor_gets_the_english_fragments(client, home, course):
    assert "In het kort" in text(client.get(course.url))
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    page = text(client.get(course.url))
    assert "In short" in page and "In het kort" not in page


def visitor_request():
    request = RequestFactory().get("/")
    request._page_generations = {page_cache.CONTENT: "a"}
    return request


def test_a_fragment_that_asks_for_the_csrf_token_is_never_stored():
    first, second = visitor_request(), visitor_request()
    html = page_cache.fragment(first, "form", lambda: f"<input value='{get_token(first)}'>")
    again = page_cache.fragment(second, "form", lambda: f"<input value='{get_token(second)}'>")
    assert html != again
    # Without a token the same fragment is kept: the second visitor gets the first one's HTML.
    assert page_cache.fragment(visitor_request(), "plain", lambda: "<p>een</p>") == "<p>een</p>"
    assert page_cache.fragment(visitor_request(), "plain", lambda: "<p>twee</p>") == "<p>een</p>"


def test_a_new_content_generation_builds_the_fragment_again():
    assert page_cache.fragment(visitor_request(), "plain", lambda: "<p>een</p>") == "<p>een</p>"
    newer = visitor_request()
    newer._page_generations = {page_cache.CONTENT: "b"}
    assert page_cache.fragment(newer, "plain", lambda: "<p>twee</p>") == "<p>twee</p>"


def test_with_the_fragment_cache_off_nothing_is_kept(settings):
    settings.PAGE_FRAGMENT_CACHE = False
    assert page_cache.fragment(visitor_request(), "plain", lambda: "<p>een</p>") == "<p>een</p>"
    assert page_cache.fragment(visitor_request(), "plain", lambda: "<p>twee</p>") == "<p>twee</p>"
