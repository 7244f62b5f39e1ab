"""Finding a training: filters that live in the URL, the nearest group with a place first."""

import pytest

from booking import geo
from booking.services import availability
from courses.models import Audience, Delivery
from tests import factories
from tests.booking.factories import planned_group
from tests.helpers import text


@pytest.fixture
def region(course_index):
    eindhoven = factories.LocationFactory(name="GC Woensel", postcode="5611 AB", town="Eindhoven")
    helmond = factories.LocationFactory(name="HAP De Braak", postcode="5701 AA", town="Helmond")
    deurne = factories.LocationFactory(name="Wijkhuis Deurne", postcode="5751 AB", town="Deurne")
    online = factories.LocationFactory(name="Online", kind="online", address="", postcode="", town="")
    stress = factories.ThemeFactory(name="Stress en spanning")
    sleep = factories.ThemeFactory(name="Slaap")
    courses = {
        # Mentaal Fit names Eindhoven too, but its group there is full: distances go to Helmond and Deurne.
        "mentaal_fit": factories.CoursePageFactory(
            parent=course_index, title="Mentaal Fit", themes=[stress], locations=[eindhoven, helmond, deurne]
        ),
        "mindfulness": factories.CoursePageFactory(
            parent=course_index, title="Mindfulness", themes=[stress], locations=[eindhoven], couples_welcome=True
        ),
        "slapen": factories.CoursePageFactory(
            parent=course_index,
            title="Beter slapen",
            themes=[sleep],
            locations=[online],
            delivery=Delivery.ONLINE,
            audience=Audience.SENIORS,
        ),
    }
    planned_group(courses["mentaal_fit"], eindhoven, capacity=2, taken=2, days=10)
    planned_group(courses["mentaal_fit"], helmond, days=30)
    planned_group(courses["mentaal_fit"], deurne, days=40)
    planned_group(courses["mindfulness"], eindhoven, days=20)
    planned_group(courses["slapen"], online, days=15)
    return courses


def titles(response):
    return [result.course.title for result in response.context["search"].results]


def test_without_filters_all_trainings_are_listed_general_ones_first(client, region, course_index):
    response = client.get(course_index.url)
    # Beter slapen is for people of 65 and older: after the trainings for every adult.
    assert titles(response) == ["Mentaal Fit", "Mindfulness", "Beter slapen"]


def test_nearest_group_with_a_place_comes_first_with_its_distance(client, region, course_index):
    response = client.get(course_index.url, {"postcode": "5751 ab"})  # Deurne
    assert titles(response) == ["Mentaal Fit", "Mindfulness", "Beter slapen"]
    first = response.context["search"].results[0]
    assert first.nearest.town == "Deurne"
    assert first.distance_km < 2
    assert "Deurne" in response.content.decode()


def test_distance_is_to_the_group_with_a_place_not_to_a_full_one(client, region, course_index):
    response = client.get(course_index.url, {"postcode": "5611 AB"})  # Eindhoven, where Mentaal Fit is full
    assert titles(response) == ["Mindfulness", "Mentaal Fit", "Beter slapen"]
    card = response.content.decode().split("Mentaal Fit</a>")[1].split("</article>")[0]
    assert "– Helmond" in card
    assert "Groep met plaats, start" in card
    assert "Eindhoven" not in card


def test_distance_limit_keeps_groups_with_a_place_nearby_and_online_trainings(client, region, course_index):
    response = client.get(course_index.url, {"postcode": "5611", "distance": "5"})
    # Mentaal Fit's group in Eindhoven is full: it does not pass a 5 km limit.
    assert titles(response) == ["Mindfulness", "Beter slapen"]


def test_the_card_links_to_the_course_page_with_the_postcode(client, region, course_index):
    response = client.get(course_index.url, {"postcode": "5701 AA"})
    assert f'href="{region["mentaal_fit"].url}?postcode=5701%20AA#groepen"' in response.content.decode()


def test_a_course_with_only_full_groups_says_so_and_comes_last(client, region, course_index):
    full = factories.CoursePageFactory(parent=course_index, title="Assertiviteit", locations=[])
    planned_group(full, factories.LocationFactory(postcode="5611 AB", town="Eindhoven"), capacity=1, taken=1)
    response = client.get(course_index.url, {"postcode": "5611 AB"})
    # After the trainings for every adult with a place; Beter slapen (65+) after those for every adult.
    assert titles(response) == ["Mindfulness", "Mentaal Fit", "Assertiviteit", "Beter slapen"]
    card = response.content.decode().split("Assertiviteit</a>")[1].split("</article>")[0]
    assert "Geen groep met plaats in de buurt" in card


def test_age_filter_shows_the_trainings_for_that_age(client, region, course_index):
    young = factories.CoursePageFactory(parent=course_index, title="Grip op piekeren", audience=Audience.YOUNG_ADULTS)
    planned_group(young, factories.LocationFactory(postcode="5611 AB", town="Eindhoven"))
    everyone = titles(client.get(course_index.url, {"postcode": "5611 AB"}))
    # Nearest, but for 18 to 27 only: not first for everyone.
    assert everyone.index("Grip op piekeren") > everyone.index("Mentaal Fit")
    assert titles(client.get(course_index.url, {"postcode": "5611 AB", "age": "22"}))[0] == "Grip op piekeren"
    assert "Grip op piekeren" not in titles(client.get(course_index.url, {"age": "45"}))
    assert titles(client.get(course_index.url, {"age": "70"})) == ["Beter slapen", "Mentaal Fit", "Mindfulness"]


def test_an_age_under_18_gets_a_message_at_the_field(client, region, course_index):
    response = client.get(course_index.url, {"age": "15"})
    assert response.context["filter_form"].errors["age"] == ["De trainingen zijn voor volwassenen, vanaf 18 jaar."]
    assert len(titles(response)) == 3


def test_a_postcode_far_from_the_region_points_to_the_online_groups(client, region, course_index):
    response = client.get(course_index.url, {"postcode": "9999 ZZ"})
    html = response.content.decode()
    assert "De trainingen in deze regio zijn ver van 9999 ZZ" in html
    assert "?delivery=online" in html
    nearby = client.get(course_index.url, {"postcode": "5611 AB"}).content.decode()
    assert "zijn ver van" not in nearby


@pytest.mark.parametrize(
    "filters, expected",
    [
        ({"theme": "slaap"}, ["Beter slapen"]),
        ({"delivery": "online"}, ["Beter slapen"]),
        ({"audience": "seniors"}, ["Beter slapen"]),
        ({"couples": "on"}, ["Mindfulness"]),
        ({"theme": "stress-en-spanning", "couples": "on"}, ["Mindfulness"]),
    ],
)
def test_filters_narrow_the_list(client, region, course_index, filters, expected):
    assert titles(client.get(course_index.url, filters)) == expected


def test_filter_values_stay_in_the_form(client, region, course_index):
    response = client.get(course_index.url, {"postcode": "5611ab", "theme": "slaap", "delivery": "online"})
    html = response.content.decode()
    assert 'value="5611ab"' in html
    assert '<option value="slaap" selected>' in html


def test_nothing_matches_says_so(client, region, course_index):
    response = client.get(course_index.url, {"theme": "slaap", "couples": "on"})
    assert titles(response) == []
    assert "Geen trainingen gevonden" in response.content.decode()


@pytest.mark.parametrize(
    "typed, message",
    [
        ("12", "Dit is geen geldige postcode"),
        ("abcd", "Dit is geen geldige postcode"),
        ("0123 AB", "begint niet met een 0"),
        ("５６１１ＡＢ", "Dit is geen geldige postcode"),
        ("9" * 300, "te lang"),
    ],
)
def test_bad_postcode_gets_a_message_at_the_field_and_no_500(client, region, course_index, typed, message):
    response = client.get(course_index.url, {"postcode": typed, "theme": "slaap"})
    assert response.status_code == 200
    form = response.context["filter_form"]
    assert message in form.errors["postcode"][0]
    # The rest of the search still works, and what was typed stays.
    assert titles(response) == ["Beter slapen"]
    assert 'aria-invalid="true"' in response.content.decode()


def test_unknown_but_valid_postcode_says_so(client, region, course_index):
    response = client.get(course_index.url, {"postcode": "1004 AB"})  # a valid form, no such area
    assert "kennen we niet" in response.context["filter_form"].errors["postcode"][0]


def test_course_index_queries_do_not_grow_with_the_number_of_trainings(
    client, region, course_index, django_assert_max_num_queries
):
    client.get(course_index.url, {"postcode": "5611"})  # warm caches (site root, settings)
    with django_assert_max_num_queries(40) as few:
        client.get(course_index.url, {"postcode": "5611"})
    theme = factories.ThemeFactory(name="Veerkracht")
    for number in range(12):
        extra = factories.CoursePageFactory(parent=course_index, title=f"Extra {number}", themes=[theme])
        planned_group(extra, factories.LocationFactory(town="Geldrop", postcode="5664 AA"))
    with django_assert_max_num_queries(len(few.captured_queries)) as many:
        response = client.get(course_index.url, {"postcode": "5611"})
    assert len(response.context["search"].results) == 15
    assert len(many.captured_queries) == len(few.captured_queries)


def test_the_nearest_groups_take_one_query_per_ring_however_many_groups_and_locations(
    region, course_index, django_assert_num_queries
):
    area = geo.find_area("5611 AB")
    ids = [course.pk for course in region.values()]
    online_only = [region["slapen"].pk]
    # The online groups and the first ring (15 km) in one query: every course with a location has a group there.
    with django_assert_num_queries(1):
        nearest, online = availability.nearest_bookable(ids, area, online_only=online_only)
    assert {nearest[region["mentaal_fit"].pk].town, nearest[region["mindfulness"].pk].town} == {"Helmond", "Eindhoven"}
    assert list(online) == [region["slapen"].pk]
    for number in range(8):
        place = factories.LocationFactory(name=f"Wijkcentrum {number}", postcode="5615 AB", town="Eindhoven")
        planned_group(region["mentaal_fit"], place, days=50 + number)
        planned_group(region["mindfulness"], place, days=60 + number)
    with django_assert_num_queries(1):
        more, _online = availability.nearest_bookable(ids, area, online_only=online_only)
    assert more.keys() == nearest.keys()
    # Far from every group: the next rings, one query each, up to the whole country.
    with django_assert_num_queries(3):
        far, _online = availability.nearest_bookable(ids, geo.find_area("9999 ZZ"), online_only=online_only)
    assert far.keys() == nearest.keys()
    assert all(group.distance_km > 50 for group in far.values())


def test_the_form_s_errors_and_texts_belong_to_each_visitor_and_language(client, region, course_index):
    # The finder's fields are made once per process and language: what one visitor typed never shows to the next.
    wrong = text(client.get(course_index.url, {"age": "12"}))
    assert "De trainingen zijn voor volwassenen, vanaf 18 jaar." in wrong
    right = client.get(course_index.url, {"age": "45"})
    assert "vanaf 18 jaar." not in text(right)
    assert right.context["filter_form"].cleaned_data["age"] == 45
    client.cookies["taal"] = "en"
    english = text(client.get(course_index.url, {"age": "12"}))
    assert "The trainings are for adults, from 18 years." in english
    assert "Uw leeftijd" not in english
    client.cookies["taal"] = "nl"
    assert "Uw leeftijd" in text(client.get(course_index.url))
