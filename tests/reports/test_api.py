"""The open data API under /api/v1/: HSDS 3.0 shapes, our extension, caching, CORS and a valid OpenAPI schema."""

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openapi_spec_validator import validate

from booking.waitlist.estimate import expected_wait
from tests.booking.factories import WaitlistEntryFactory, days_ahead, place_in, planned_group, signup_course
from tests.factories import LocationFactory


@pytest.fixture
def region(course_index):
    """Two trainings at a few locations, with groups and people in them."""
    mindfulness = signup_course(course_index, title="Mindfulness", questions=False)
    mentaal_fit = signup_course(course_index, title="Mentaal Fit", questions=False)
    locations = [LocationFactory(name=f"Gezondheidscentrum {n}", town="Eindhoven") for n in range(6)]
    for hour, course in ((10, mindfulness), (19, mentaal_fit)):
        course.locations.set(locations)
        course.save()
        for number, location in enumerate(locations):
            group = planned_group(course, location, first_start=days_ahead(14 + 7 * number, hour), capacity=8, taken=2)
            place_in(group, first_name="Fatima", last_name="El Amrani", email="fatima@example.nl")
    return mindfulness, mentaal_fit, locations


def get_json(client, url, **headers):
    response = client.get(url, **headers)
    assert response.status_code == 200, response.content
    return response, json.loads(response.content)


def test_the_openapi_schema_is_valid_and_documents_our_extension(client, db):
    response, schema = get_json(client, "/api/v1/openapi.json")

    validate(schema)
    assert {"/api/v1/services", "/api/v1/locations", "/api/v1/service_at_locations", "/api/v1/schedules"} <= set(
        schema["paths"]
    )
    described = schema["components"]["schemas"]["ServiceAtLocation"]["properties"]["x_expected_wait_weeks"]
    assert "wachttijd" in described["description"]


def test_services_locations_and_schedules_come_in_hsds_pages_without_personal_data(client, region):
    mindfulness, _mentaal_fit, locations = region

    _response, services = get_json(client, "/api/v1/services")
    _response, places = get_json(client, "/api/v1/locations?per_page=4")
    _response, schedules = get_json(client, "/api/v1/schedules?per_page=5&page=2")

    assert [service["name"] for service in services["contents"]] == ["Mentaal Fit", "Mindfulness"]
    assert places["total_items"] == 6 and places["total_pages"] == 2 and len(places["contents"]) == 4
    assert places["contents"][0]["addresses"][0]["city"] == "Eindhoven"
    assert schedules["page_number"] == 2 and len(schedules["contents"]) == 5
    first = schedules["contents"][0]
    assert first["x_capacity"] == 8 and first["x_places_left"] == 5 and len(first["x_sessions"]) == 3
    everything = json.dumps([services, places, schedules])
    assert "Fatima" not in everything and "example.nl" not in everything and "El Amrani" not in everything


def test_a_service_at_location_carries_places_and_the_waiting_lists_estimate(client, region):
    mindfulness, _mentaal_fit, locations = region
    WaitlistEntryFactory.create_batch(3, course=mindfulness)

    _response, page = get_json(client, "/api/v1/service_at_locations?per_page=100")

    rows = [row for row in page["contents"] if row["description"].startswith("Mindfulness")]
    first = next(row for row in rows if locations[0].name in row["description"])
    newcomer = WaitlistEntryFactory(course=mindfulness, preferred_locations=[locations[0]])
    assert first["x_places_left"] == 5
    assert first["x_expected_wait_weeks"] == expected_wait(newcomer).weeks == 2


def test_answers_carry_an_etag_cache_headers_and_cors_and_an_unchanged_answer_is_a_304(client, region):
    response, _data = get_json(client, "/api/v1/services")

    assert response["Access-Control-Allow-Origin"] == "*"
    assert "public" in response["Cache-Control"] and "max-age=60" in response["Cache-Control"]
    again = client.get("/api/v1/services", HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304


def test_an_etag_changes_when_a_place_is_taken(client, region):
    mindfulness, _mentaal_fit, locations = region
    before, _data = get_json(client, "/api/v1/schedules")
    group = mindfulness.groups.get(location=locations[0])

    place_in(group)

    after = client.get("/api/v1/schedules", HTTP_IF_NONE_MATCH=before["ETag"])
    assert after.status_code == 200 and after["ETag"] != before["ETag"]


@pytest.mark.parametrize("path", ["services", "locations", "service_at_locations", "schedules"])
def test_a_list_takes_as_many_queries_for_a_long_page_as_for_a_short_one(client, region, path):
    def queries(size):
        with CaptureQueriesContext(connection) as captured:
            get_json(client, f"/api/v1/{path}?per_page={size}")
        return len(captured)

    queries(1)  # the site and its settings are looked up once per process
    assert queries(2) == queries(50)


def test_a_page_size_out_of_bounds_is_refused_with_a_message(client, db):
    response = client.get("/api/v1/locations?per_page=1000")
    assert response.status_code == 422


def test_a_course_page_tells_search_engines_its_groups_as_schema_org_course_instances(client, region):
    mindfulness, _mentaal_fit, locations = region

    html = client.get(mindfulness.url).content.decode()

    found = html.split('<script type="application/ld+json">')[1].split("</script>")[0]
    course = json.loads(found)
    assert course["@type"] == "Course" and course["name"] == "Mindfulness"
    first = course["hasCourseInstance"][0]
    assert first["@type"] == "CourseInstance"
    assert first["location"]["address"]["addressLocality"] == "Eindhoven"
    assert first["offers"]["price"] == "35.00" and first["offers"]["priceCurrency"] == "EUR"
    assert first["remainingAttendeeCapacity"] == 5 and first["maximumAttendeeCapacity"] == 8
    assert "Fatima" not in found
