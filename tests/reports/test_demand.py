"""The demand map: people per PC4 area against where groups run, and where a new group would reach most people."""

import html
import json
import re

import pytest

from booking.models import Location, Participant
from reports import demand
from tests.booking.factories import WaitlistEntryFactory, coordinator, days_ahead, planned_group
from tests.factories import CoursePageFactory, LocationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def mindfulness(course_index):
    course = CoursePageFactory(parent=course_index, title="Mindfulness")
    veldhoven = LocationFactory(name="Gezondheidscentrum Zilverackers", town="Veldhoven", postcode="5503 HK")
    planned_group(course, veldhoven, first_start=days_ahead(20), capacity=10)
    return course


def waiting_in(course, pc4, count):
    for _ in range(count):
        entry = WaitlistEntryFactory(course=course)
        Participant.objects.filter(pk=entry.participant_id).update(postcode=f"{pc4} AB")


def test_areas_far_from_a_group_with_enough_people_waiting_get_a_suggestion(mindfulness):
    waiting_in(mindfulness, "5531", 4)  # Bladel, about 14 km from Veldhoven
    waiting_in(mindfulness, "5525", 3)  # Duizel: 5 km from Bladel, 9.5 km from Veldhoven
    waiting_in(mindfulness, "5504", 6)  # Veldhoven itself: a group is near

    found = demand.demand(km=8)[0]

    suggestion = found.suggestions[0]
    assert suggestion.waiting_within == 7 and suggestion.nearest_km > 10
    assert len(found.suggestions) == 1
    near = next(row for row in found.areas if row.area.pc4 == "5504")
    assert not near.uncovered


def test_fewer_than_a_group_gives_no_suggestion(mindfulness):
    waiting_in(mindfulness, "5531", 4)
    assert demand.demand(km=8)[0].suggestions == []


def test_the_office_sees_the_map_the_table_and_the_rule(client, mindfulness):
    waiting_in(mindfulness, "5531", 5)
    waiting_in(mindfulness, "5525", 3)
    client.force_login(coordinator(email="ilse@example.nl"))

    page = client.get("/admin/cijfers/vraag/?km=8").content.decode()

    assert "Open een groep Mindfulness in Bladel (5531): 8 mensen wachten binnen 8 km" in page
    assert "Zo komen de voorstellen tot stand" in page
    assert '<svg xmlns="http://www.w3.org/2000/svg" class="chart"' in page
    assert "<td>&lt; 5</td>" in page  # Duizel's three
    assert "Anna" not in page

    bad = client.get("/admin/cijfers/vraag/?km=500").content.decode()
    assert "Vul een aantal kilometers in, van 1 tot en met 50." in bad

    csv = client.get(f"/admin/cijfers/vraag/?km=8&tabel=vraag-{mindfulness.pk}&formaat=csv")
    assert "5531;Bladel;5" in csv.content.decode("utf-8-sig")


def map_points(page, course):
    """The JSON the page holds for the Leaflet map of `course`."""
    found = re.search(rf'<script id="punten-{course.pk}" type="application/json">(.*?)</script>', page, re.S)
    return json.loads(found.group(1))


def table_rows(page, course):
    """The (PC4, place, waiting, signed up) of each row of the course's table, as the page shows them."""
    table = re.search(rf'id="kop-vraag-{course.pk}".*?<tbody>(.*?)</tbody>', page, re.S).group(1)
    rows = []
    for row in re.findall(r"<tr>(.*?)</tr>", table, re.S):
        cells = [html.unescape(cell.strip()) for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
        rows.append(tuple(cells[:4]))
    return rows


def test_the_leaflet_map_gets_the_areas_of_the_table_and_nothing_about_a_person(client, mindfulness, settings):
    waiting_in(mindfulness, "5531", 5)
    waiting_in(mindfulness, "5525", 3)
    client.force_login(coordinator(email="ilse@example.nl"))

    response = client.get("/admin/cijfers/vraag/?km=8")
    page = response.content.decode()

    points = map_points(page, mindfulness)
    shown = [(area["pc4"], area["place"], area["waiting"], area["signed_up"]) for area in points["areas"]]
    assert shown == table_rows(page, mindfulness) == [("5531", "Bladel", "5", "0"), ("5525", "Duizel", "< 5", "0")]
    duizel = points["areas"][1]
    # Three people: the dot is the smallest, as for one person; the count is "< 5", as in the table.
    assert duizel["radius"] == 4 and duizel["uncovered"] and duizel["suggested"] is None
    assert points["areas"][0]["suggested"] == 8
    # Locations once in the page, by id: a training's groups and an area's nearest group point to them.
    locations = json.loads(
        re.search(r'<script id="kaart-locaties" type="application/json">(.*?)</script>', page).group(1)
    )
    veldhoven = str(Location.objects.get(town="Veldhoven").pk)
    assert locations[veldhoven][2] == "Gezondheidscentrum Zilverackers, Veldhoven"
    assert [str(pk) for pk in points["groups"]] == [veldhoven]
    assert str(duizel["nearest"]) == veldhoven and f"<td>{duizel['nearest_km']} km</td>" in page
    keys = {key for area in points["areas"] for key in area}
    assert keys == {"pc4", "place", "lat", "lon", "waiting", "signed_up", "radius", "nearest", "nearest_km"} | {
        "uncovered",
        "suggested",
    }
    sent = json.dumps([points, locations])
    for person in Participant.objects.all():
        for value in (person.first_name, person.last_name, person.email, person.phone, person.postcode):
            assert not value or value not in sent

    # The map's script and the tile server are allowed on this page, and only images from there.
    assert 'src="/static/vendor/leaflet/leaflet.js"' in page and 'src="/static/js/demand-map.js"' in page
    policy = response["Content-Security-Policy"]
    img_src = next(part for part in policy.split(";") if part.strip().startswith("img-src"))
    assert "https://tile.openstreetmap.org" in img_src
    assert "tile.openstreetmap.org" not in policy.replace(img_src, "")
    assert "tile.openstreetmap.org" not in client.get("/admin/cijfers/")["Content-Security-Policy"]

    # Without a tile server: no Leaflet, only the plain map and the table.
    settings.DEMAND_MAP_TILES_URL = ""
    response = client.get("/admin/cijfers/vraag/?km=8")
    page = response.content.decode()
    assert "leaflet" not in page and "data-demand-map" not in page
    assert '<svg xmlns="http://www.w3.org/2000/svg" class="chart"' in page
    assert "tile.openstreetmap.org" not in response["Content-Security-Policy"]
