"""Finding a training: filters that live in the URL, nearest location first."""

import pytest

from courses.models import Audience, Delivery
from tests import factories


@pytest.fixture
def region(course_index):
    eindhoven = factories.LocationFactory(name="GC Woensel", postcode="5611 AB", town="Eindhoven")
    helmond = factories.LocationFactory(name="HAP De Braak", postcode="5701 AA", town="Helmond")
    deurne = factories.LocationFactory(name="Wijkhuis Deurne", postcode="5751 AB", town="Deurne")
    online = factories.LocationFactory(name="Online", kind="online", address="", postcode="", town="")
    stress = factories.ThemeFactory(name="Stress en spanning")
    sleep = factories.ThemeFactory(name="Slaap")
    return {
        "mentaal_fit": factories.CoursePageFactory(
            parent=course_index, title="Mentaal Fit", themes=[stress], locations=[helmond, deurne]
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


def titles(response):
    return [result.course.title for result in response.context["search"].results]


def test_without_filters_all_trainings_are_listed(client, region, course_index):
    response = client.get(course_index.url)
    assert titles(response) == ["Beter slapen", "Mentaal Fit", "Mindfulness"]


def test_nearest_location_comes_first_with_its_distance(client, region, course_index):
    response = client.get(course_index.url, {"postcode": "5751 ab"})  # Deurne
    assert titles(response) == ["Mentaal Fit", "Mindfulness", "Beter slapen"]
    first = response.context["search"].results[0]
    assert first.nearest.town == "Deurne"
    assert first.distance_km < 2
    assert "Deurne" in response.content.decode()


def test_distance_limit_keeps_nearby_and_online_trainings(client, region, course_index):
    response = client.get(course_index.url, {"postcode": "5611", "distance": "5"})
    assert titles(response) == ["Mindfulness", "Beter slapen"]


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
    location = factories.LocationFactory(town="Geldrop", postcode="5664 AA")
    theme = factories.ThemeFactory(name="Veerkracht")
    for number in range(12):
        factories.CoursePageFactory(parent=course_index, title=f"Extra {number}", themes=[theme], locations=[location])
    with django_assert_max_num_queries(len(few.captured_queries)) as many:
        response = client.get(course_index.url, {"postcode": "5611"})
    assert len(response.context["search"].results) == 15
    assert len(many.captured_queries) == len(few.captured_queries)
