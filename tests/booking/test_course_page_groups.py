"""The course page and sign-up step 1 show one page of groups, nearest first, and carry the postcode along."""

import re

import pytest
from django.urls import reverse

from tests.booking.factories import planned_group, signup_course
from tests.factories import LocationFactory
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


def signup_link(group):
    return reverse("signup:group", kwargs={"group_id": group.pk})


def test_many_groups_show_ten_nearest_and_more_on_the_next_page(client, course, region):
    far = [planned_group(course, region["deurne"], days=20 + 7 * week, count=1) for week in range(8)]
    near = [planned_group(course, region["helmond"], days=21 + 7 * week, count=1) for week in range(4)]

    first = client.get(course.url, {"postcode": "5701 AA"})
    page = text(first)
    assert all(signup_link(group) in page for group in near)
    shown_far = [group for group in far if signup_link(group) in page]
    assert len(shown_far) == 6  # ten groups on a page: the four in Helmond, then the six soonest in Deurne
    assert page.index("HAP De Braak") < page.index("Wijkhuis Deurne")
    assert "Meer groepen, verder weg" in page
    assert "?postcode=5701%20AA&amp;pagina=2#groepen" in first.content.decode()

    second = text(client.get(course.url, {"postcode": "5701 AA", "pagina": "2"}))
    assert [group for group in far if signup_link(group) in second] == far[6:]
    assert "Vorige groepen" in second and "Meer groepen, verder weg" not in second


def test_sessions_are_folded_away_under_their_count(client, course, region):
    planned_group(course, region["eindhoven"], days=10, count=5)
    html = client.get(course.url).content.decode()
    assert '<details class="group-card__sessions">' in html
    assert "Alle 5 bijeenkomsten" in html


def test_a_nonsense_page_number_shows_the_first_page(client, course, region):
    group = planned_group(course, region["eindhoven"], days=10)
    for value in ("0", "-3", "abc", "9" * 30):
        assert signup_link(group) in text(client.get(course.url, {"pagina": value}))


def test_the_postcode_goes_from_the_course_page_into_the_sign_up(client, course, region):
    group = planned_group(course, region["helmond"], days=10)
    page = client.get(course.url, {"postcode": "5701aa"}).content.decode()
    link = signup_link(group) + "?postcode=5701%20AA"
    assert link in page

    client.get(link)
    details = client.get(reverse("signup:participant", kwargs={"group_id": group.pk})).content.decode()
    assert 'name="postcode" value="5701 AA"' in details


def test_a_full_group_has_its_own_waiting_list_button_with_its_location_ticked(client, course, region):
    planned_group(course, region["deurne"], days=10, capacity=3, taken=3)
    html = client.get(course.url, {"postcode": "5751 AB"}).content.decode()
    waitlist = reverse("waitlist:join", kwargs={"course_id": course.pk})
    button = f"{waitlist}?locatie={region['deurne'].pk}&amp;postcode=5751%20AB"
    assert f'href="{button}"' in html
    assert "Op de wachtlijst" in html

    form = client.get(button.replace("&amp;", "&")).content.decode()
    ticked = re.findall(r'name="preferred_locations" value="(\d+)" id="[^"]+" checked', form)
    assert ticked == [str(region["deurne"].pk)]
    assert 'name="postcode" value="5751 AB"' in form
