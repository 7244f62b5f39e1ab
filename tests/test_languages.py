"""Pages in English beside the Dutch ones: one copy of each training everywhere; emails in the person's language."""

import json
import re

import pytest
from django.core import mail
from django.utils import translation
from wagtail.models import Locale

from booking.services import planning
from booking.services.notifications import queue_email
from tests.booking.factories import EnrollmentFactory, WaitlistEntryFactory, planned_group, signup_course
from tests.factories import LocationFactory
from tests.helpers import signup_url


def translate(page, locale, **fields):
    """What an editor does with "Vertalen": an English copy, changed and published."""
    translated = page.copy_for_translation(locale).specific
    for name, value in fields.items():
        setattr(translated, name, value)
    translated.save_revision().publish()
    return translated


@pytest.fixture
def english_site(home, course_index):
    """A Dutch training with a group, and English versions of the home page, the overview and the training."""
    course = signup_course(course_index, title="Mentaal Fit", summary="Vijf bijeenkomsten over stress.")
    location = LocationFactory(name="Gezondheidscentrum De Linde", town="Geldrop", postcode="5664 AB")
    group = planned_group(course, location, days=30, capacity=8)
    english = Locale.objects.create(language_code="en")
    translate(home, english, title="Groepswijzer")
    english_index = translate(course_index, english, title="Trainings", slug="trainings")
    english_course = translate(course, english, slug="mentally-fit", summary="Five sessions about stress.")
    return {"course": course, "group": group, "index": english_index, "english_course": english_course}


def in_english(client):
    client.cookies["taal"] = "en"
    return client


def cards(response):
    return response.content.decode().count('class="card course-card"')


def test_the_finder_shows_each_training_once_in_the_visitors_language(client, english_site):
    dutch = client.get("/trainingen/")
    assert cards(dutch) == 1
    assert "Vijf bijeenkomsten over stress." in dutch.content.decode()

    english = in_english(client).get("/trainings/")
    assert english.status_code == 200
    assert cards(english) == 1
    assert "Five sessions about stress." in english.content.decode()
    assert '<html lang="en">' in english.content.decode()


def test_the_open_data_and_the_search_count_one_copy(client, english_site):
    services = json.loads(client.get("/api/v1/services").content)
    assert [service["name"] for service in services["contents"]] == ["Mentaal Fit"]

    for visitor in (client, in_english(client)):
        found = visitor.get("/zoeken/?q=Mentaal").content.decode()
        assert len(re.findall(r'href="/(?:trainingen/mentaal-fit|trainings/mentally-fit)/"', found)) == 1


def test_the_english_course_page_shows_the_groups_of_the_dutch_one(client, english_site):
    group = english_site["group"]
    page = in_english(client).get("/trainings/mentally-fit/").content.decode()
    assert f"/aanmelden/groep/{group.pk}/" in page
    assert f"/wachtlijst/{english_site['course'].pk}/" in page


def test_an_address_of_one_language_shows_the_page_in_the_visitors(client, english_site):
    english = in_english(client).get("/trainingen/mentaal-fit/").content.decode()
    assert "Five sessions about stress." in english
    assert "This page is only in Dutch" not in english

    client.cookies["taal"] = "nl"
    dutch = client.get("/trainings/mentally-fit/").content.decode()
    assert "Vijf bijeenkomsten over stress." in dutch


def test_the_switch_leads_to_the_same_page_in_the_other_language(client, english_site):
    response = client.post(
        "/taal/", {"language": "en", "next": "/trainingen/mentaal-fit/?postcode=5611+AB"}, follow=False
    )
    assert response.status_code == 302
    assert response.cookies["taal"].value == "en"
    page = in_english(client).get("/trainings/mentally-fit/?postcode=5611+AB").content.decode()
    # The switch on the English page leads back to the Dutch page, with the same search.
    assert 'name="next" value="/trainingen/mentaal-fit/?postcode=5611+AB"' in page
    assert 'lang="nl">Nederlands</button>' in page


def test_the_language_of_the_sign_up_is_kept_and_its_emails_follow_it(english_site, django_capture_on_commit_callbacks):
    group = english_site["group"]
    # The language of the page the sign-up was made on.
    with translation.override("en"):
        english = EnrollmentFactory(group=group, status="confirmed")
    with translation.override("nl"):
        dutch = EnrollmentFactory(group=group, status="confirmed")
    waiting = WaitlistEntryFactory(course=english_site["course"], language="en")
    assert (english.language, dutch.language) == ("en", "nl")

    with django_capture_on_commit_callbacks(execute=True):
        for enrollment in (english, dutch):
            queue_email("confirmation", f"confirmation:test:{enrollment.pk}", enrollment_id=enrollment.pk)
        queue_email("waitlist_joined", f"joined:test:{waiting.pk}", entry_id=waiting.pk)

    sent = {message.to[0]: message for message in mail.outbox}
    to_english = sent[english.participant.email]
    assert to_english.subject.endswith("Confirmation of your sign-up: Mentaal Fit")
    assert "You have signed up for the training Mentaal Fit." in to_english.body
    assert sent[dutch.participant.email].subject.endswith("Bevestiging van uw aanmelding: Mentaal Fit")
    assert "You are on the waiting list for the training Mentaal Fit." in sent[waiting.participant.email].body


def test_a_place_taken_shows_at_once_on_the_english_course_page_from_the_page_cache(
    client, settings, english_site, committed
):
    settings.PAGE_CACHE = True
    settings.PAGE_FRAGMENT_CACHE = True
    group = english_site["group"]
    english = client.__class__()
    english.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    for _ in range(2):
        assert signup_url("group", group) in english.get("/trainings/mentally-fit/").content.decode()
    with committed():
        planning.close_group(group)
    assert signup_url("group", group) not in english.get("/trainings/mentally-fit/").content.decode()
