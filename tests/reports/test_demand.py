"""The demand map: people per PC4 area against where groups run, and where a new group would reach most people."""

import pytest

from booking.models import Participant
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
