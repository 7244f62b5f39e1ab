"""One visitor cannot hold every free place; a couple or a family behind one connection still can sign up."""

import datetime

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from booking.models import Enrollment
from tests.booking.factories import planned_group, signup_course
from tests.booking.test_signup import SANNE, hold, walk_to_consent
from tests.factories import LocationFactory
from tests.helpers import signup_url, text

pytestmark = pytest.mark.django_db

SHARED_ADDRESS = "203.0.113.7"


@pytest.fixture
def course(course_index):
    return signup_course(course_index, couples_welcome=True)


def person(number):
    return SANNE | {"first_name": f"Bezoeker{number}", "email": f"bezoeker{number}@example.nl"}


def try_to_hold(group, number, address=SHARED_ADDRESS):
    """A fresh browser session from `address` walks to the consent step and asks to hold a place."""
    client = Client(REMOTE_ADDR=address)
    walk_to_consent(client, group, person(number))
    return client, client.post(signup_url("consent", group), {"consent": "on", "action": "next"})


def test_fresh_sessions_from_one_address_hold_only_a_share_of_a_group(course):
    group = planned_group(course, LocationFactory(), capacity=9)
    outcomes = [try_to_hold(group, number)[1] for number in range(10)]

    held = [response for response in outcomes if response.status_code == 302]
    assert len(held) == 3  # a third of the nine places, not all of them
    refused = outcomes[3]
    assert refused.status_code == 200
    assert "Rond eerst uw andere aanmeldingen af" in text(refused)
    assert Enrollment.objects.filter(group=group, status="held").count() == 3

    # Everyone else still finds six free places.
    other_client, response = try_to_hold(group, 99, address="198.51.100.20")
    assert response["Location"] == signup_url("payment", group)
    assert "nog 5 plekken" in text(other_client.get(signup_url("group", group)))


def test_a_couple_and_a_housemate_behind_one_connection_all_get_their_place(course):
    group = planned_group(course, LocationFactory(), capacity=10)
    couple = Client(REMOTE_ADDR=SHARED_ADDRESS)
    partner = {
        "together": "on",
        "partner_first_name": "Joost",
        "partner_last_name": "van der Berg",
        "partner_email": "joost@example.nl",
        "partner_phone": "040-1234567",
        "partner_birth_year": "1983",
        "partner_postcode": "5611 AB",
    }
    walk_to_consent(couple, group, SANNE | partner)
    hold(couple, group)
    housemate, response = try_to_hold(group, 2)

    assert response["Location"] == signup_url("payment", group)
    assert Enrollment.objects.filter(group=group, status="held").count() == 3


def test_an_email_address_with_unfinished_sign_ups_elsewhere_is_told_so_at_the_field(course):
    first, second, third = (planned_group(course, LocationFactory(), capacity=10) for _ in range(3))
    for number, group in enumerate((first, second)):
        client = Client(REMOTE_ADDR=f"192.0.2.{number + 1}")
        walk_to_consent(client, group, SANNE)
        hold(client, group)

    client = Client(REMOTE_ADDR="192.0.2.50")
    walk_to_consent(client, third, SANNE)
    response = client.post(signup_url("consent", third), {"consent": "on", "action": "next"})

    assert response["Location"] == signup_url("participant", third)
    page = text(client.get(signup_url("participant", third)))
    assert "loopt al een aanmelding die nog niet is afgerond" in page
    assert 'value="Sanne"' in page  # what was typed stays
    assert not Enrollment.objects.filter(group=third).exists()

    # Once the earlier holds have run out, the same address signs up without a word.
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=16), tick=False):
        walk_to_consent(client, third, SANNE)
        hold(client, third)
    assert Enrollment.objects.filter(group=third, status="held").count() == 1


def test_a_held_place_is_shown_as_reserved_not_hidden(course):
    group = planned_group(course, LocationFactory(), capacity=10, taken=2)
    try_to_hold(group, 1)
    visitor = Client()

    course_page = text(visitor.get(course.url))
    step_one = text(visitor.get(signup_url("group", group)))

    for page in (course_page, step_one):
        assert "nog 7 plekken" in page
        assert "1 plek is gereserveerd voor een aanmelding die nog niet klaar is" in page
