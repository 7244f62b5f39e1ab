"""The figures, the demand map, the overview and the API at scale: the same answers, bounded work.

The counting moved into the database and the demand map's neighbours into a
grid; these tests hold that the outcome is what counting place by place and
comparing every pair gives, and that the number of queries does not grow with
the data.
"""

import csv
import datetime
import io
import random
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from booking import geo
from reports import demand, overview
from reports import figures as f
from tests.booking.factories import coordinator, days_ahead, place_in, planned_group, signup_course
from tests.factories import LocationFactory
from tests.reports.test_figures import history, now, period  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db

URL = "/aanbod-en-wachttijden/"


def text(response):
    """What the page says: tags left out, white space made single."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


# --- the demand map's grid against every pair --------------------------------------------------------


def spread(count, seed):
    """`count` points over the Netherlands and a little beyond, with keys."""
    rng = random.Random(seed)
    return [(rng.uniform(50.7, 53.6), rng.uniform(3.3, 7.3), key) for key in range(count)]


@pytest.mark.parametrize("km", [1, 5, 10, 50])
def test_the_grid_finds_the_same_nearest_point_and_neighbours_as_every_pair(km):
    points = spread(400, seed=km)
    grid = demand.Grid(points, km)
    for latitude, longitude, _key in spread(150, seed=100 + km):
        measured = sorted((geo.distance_km(latitude, longitude, lat, lon), key) for lat, lon, key in points)
        assert grid.nearest(latitude, longitude, key=lambda key: key) == measured[0]
        within = {key for distance, key in measured if distance <= km}
        assert {key for _distance, key in grid.within(latitude, longitude)} == within


def test_the_grid_without_points_has_no_nearest():
    assert demand.Grid([], 10).nearest(52.0, 5.0) == (None, None)


def suggest_comparing_every_pair(rows, km):
    """The suggestion rule as first written: every open area against every other one."""
    open_rows = [row for row in rows if row.uncovered]
    left = {row.area.pc4: row.waiting for row in open_rows}
    found = []
    while len(found) < demand.MAX_SUGGESTIONS:
        best, best_key = None, None
        for candidate in open_rows:
            reach = sum(
                left[other.area.pc4]
                for other in open_rows
                if geo.distance_km(
                    candidate.area.latitude, candidate.area.longitude, other.area.latitude, other.area.longitude
                )
                <= km
            )
            key = (reach, left[candidate.area.pc4], -int(candidate.area.pc4))
            if best_key is None or key > best_key:
                best, best_key = candidate, key
        if best is None or best_key[0] < demand.MIN_GROUP:
            break
        found.append((best.area.pc4, best_key[0]))
        for other in open_rows:
            a, b = best.area, other.area
            if geo.distance_km(a.latitude, a.longitude, b.latitude, b.longitude) <= km:
                left[other.area.pc4] = 0
    return found


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_suggestions_through_the_grid_are_those_of_comparing_every_pair(seed):
    rng = random.Random(seed)
    areas = list(geo._areas().values())
    rows = [
        demand.AreaDemand(area=area, waiting=rng.randint(0, 6), nearest_km=rng.choice([None, 3.0, 30.0]), km=10)
        for area in rng.sample(areas, 600)
    ]
    suggested = [(s.area.pc4, s.waiting_within) for s in demand.suggest(None, rows, [], 10)]
    assert suggested == suggest_comparing_every_pair(rows, 10)
    assert suggested  # the data is dense enough for suggestions: the comparison means something


# --- the figures: queries that do not grow with the data ----------------------------------------------


def queries_of_compute(filters, moment):
    with CaptureQueriesContext(connection) as captured:
        f.compute(filters, now=moment)
    return len(captured)


def test_the_figures_take_as_many_queries_for_more_groups_places_and_locations(history, now):  # noqa: F811
    course, _woensel, _geldrop = history
    before = queries_of_compute(period(now), now)
    for number in range(6):
        location = LocationFactory(name=f"Buurthuis {number}", town="Best")
        group = planned_group(course, location, first_start=now - datetime.timedelta(days=5 + number))
        for _ in range(3):
            place_in(group)

    assert queries_of_compute(period(now), now) == before
    assert f.compute(period(now), now=now).total[f.SIGNED_UP] == 18 + 6 * 3


def table_rows(page, caption):
    """The row headers of the page's table with this caption."""
    found = re.search(rf'<caption class="w-sr-only">{caption}</caption>(.*?)</table>', page, re.S)
    return re.findall(r'<th scope="row">([^<]*)</th>', found.group(1))


def test_the_page_shows_the_locations_with_most_people_and_the_download_has_every_one(client, history, now):  # noqa: F811
    course, _woensel, _geldrop = history
    client.force_login(coordinator(email="ilse@example.nl"))
    start, end = period(now).start, period(now).end
    url = f"/admin/cijfers/?van={start}&tot={end}"

    def queries():
        with CaptureQueriesContext(connection) as captured:
            page = client.get(url).content.decode()
        return len(captured), page

    queries()  # the site and the session are looked up once
    before, _page = queries()
    # 26 more locations: 28 in all, more than the page shows.
    for number in range(26):
        location = LocationFactory(name=f"Buurthuis {number:02d}", town="Best")
        group = planned_group(course, location, first_start=now - datetime.timedelta(days=5 + number), count=1)
        for _ in range(2 if number < 3 else 1):
            place_in(group)

    count, page = queries()
    assert count == before
    shown = table_rows(page, "Per locatie")
    assert len(shown) == 25
    # Most people first (Woensel 8, Geldrop 7, three with 2); then by name.
    assert shown[:5] == [
        "Gezondheidscentrum Woensel, Eindhoven",
        "Huisartsenpraktijk De Bron, Geldrop",
        "Buurthuis 00, Best",
        "Buurthuis 01, Best",
        "Buurthuis 02, Best",
    ]
    assert shown[-1] == "Buurthuis 22, Best"
    assert "Hier staan de 25 locaties met de meeste aanmeldingen, van meer naar minder." in page
    assert "Alle 28 locaties staan in de download (CSV of XLSX)." in page
    groups = table_rows(page, "Groepen per locatie")
    assert len(groups) == 26 and groups[-1] == "Totaal"

    response = client.get(url + "&tabel=per-locatie&formaat=csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert len(rows) == 1 + 28
    assert "Buurthuis 25, Best" in {row[0] for row in rows}


# --- the public overview, bounded --------------------------------------------------------------------


@pytest.fixture
def course(course_index):
    return signup_course(course_index, title="Mindfulness", questions=False)


def spread_locations(course, count):
    """`count` locations of the training in towns named in alphabetical order, each with a group."""
    found = []
    for number in range(count):
        location = LocationFactory(name=f"Praktijk {number:02d}", town=f"Plaats {number:02d}", postcode="5611 AB")
        course.locations.add(location)
        planned_group(course, location, first_start=days_ahead(20 + number), capacity=8, taken=2)
        found.append(location)
    course.save()
    return found


def test_a_training_with_many_locations_shows_ten_and_the_way_to_the_others(client, course):
    spread_locations(course, overview.ROWS_PER_TRAINING + 3)

    page = text(client.get(URL))

    assert "Praktijk 09" in page and "Praktijk 10" not in page
    assert "Er zijn nog 3 locaties voor deze training." in page
    assert "Bekijk alle locaties voor Mindfulness" in page

    everything = text(client.get(f"{URL}?training={course.pk}"))
    assert "Praktijk 12" in everything and "Terug naar alle trainingen" in everything


def test_a_postcode_shows_the_nearest_locations_first_with_their_distance(client, course):
    far = LocationFactory(name="Praktijk Noord", town="Groningen", postcode="9711 AB")
    near = LocationFactory(name="Praktijk Zuid", town="Veldhoven", postcode="5503 HK")
    course.locations.add(far, near)
    course.save()

    page = text(client.get(URL, {"zoek": "5504 AA"}))

    assert page.index("Praktijk Zuid") < page.index("Praktijk Noord")
    assert re.search(r"Praktijk Zuid Veldhoven \d km", page)
    assert "die het dichtst bij 5504" in page


def test_a_place_shows_only_the_locations_there(client, course):
    spread_locations(course, 3)
    geldrop = LocationFactory(name="Huisartsenpraktijk De Bron", town="Geldrop", postcode="5664 AA")
    course.locations.add(geldrop)
    course.save()

    page = text(client.get(URL, {"zoek": "geldrop"}))

    assert "Huisartsenpraktijk De Bron" in page and "Praktijk 01" not in page


def test_a_postcode_that_is_not_right_gets_a_message_at_the_field_and_the_page_still_shows(client, course):
    spread_locations(course, 2)

    response = client.get(URL, {"zoek": "0123 AB"})

    assert response.status_code == 200
    page = text(response)
    assert "Een Nederlandse postcode begint niet met een 0." in page
    assert 'value="0123 AB"' in response.content.decode()  # what was typed stays
    assert "Praktijk 01" in page


def test_an_unknown_training_is_not_found(client, course):
    assert client.get(f"{URL}?training=999999").status_code == 404
    assert client.get(f"{URL}?training=abc").status_code == 404


def test_the_overview_takes_as_many_queries_for_many_more_locations_than_it_shows(client, course):
    spread_locations(course, 3)

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(URL).status_code == 200
        return len(captured)

    queries()  # the site and its settings are looked up once per process
    few = queries()
    more = [LocationFactory(name=f"Extra {number}", town="Zundert", postcode="4881 AB") for number in range(15)]
    course.locations.add(*more)
    course.save()
    assert queries() == few
