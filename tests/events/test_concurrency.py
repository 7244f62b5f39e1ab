"""Many professionals booking the last places of a training day at once, in real threads with their own
database connections (file SQLite and PostgreSQL): never more places than the capacity, the rest in line."""

import time
from collections import Counter

import pytest
from django.contrib.auth import get_user_model
from django.db import connections

from events import services
from events.models import TrainingDayBooking, TrainingDayPage
from tests.events.conftest import make_day, make_index, make_professional
from tests.factories import HomePageFactory, ProfessionalsIndexPageFactory
from tests.helpers import run_together

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("wagtail_roots")]

Status = TrainingDayBooking.Status


@pytest.fixture
def day_index(wagtail_roots):
    return make_index(ProfessionalsIndexPageFactory(parent=HomePageFactory()))


def booked(day_id):
    return TrainingDayPage.objects.with_places_left().values_list("places_taken", flat=True).get(pk=day_id)


def book(day_id, user_id):
    def job():
        # Each thread loads the day and the account itself, as its own request would.
        day = TrainingDayPage.objects.get(pk=day_id)
        user = get_user_model().objects.get(pk=user_id)
        return services.book(day, user)

    return job


def test_many_professionals_booking_the_last_places_at_once_never_exceed_the_capacity(day_index):
    day = make_day(day_index, capacity=12)
    users = [make_professional(n) for n in range(24)]
    for user in users[:9]:
        services.book(day, user)
    seen = []

    def watch(done):
        # Looks at the day over and over while the sign-ups run: it may never be over capacity.
        try:
            while not done.is_set():
                seen.append(booked(day.pk))
                time.sleep(0.005)
        finally:
            connections.close_all()

    outcomes = run_together([book(day.pk, user.pk) for user in users[9:]], while_running=watch)

    assert not [o for o in outcomes if isinstance(o, Exception)]
    assert Counter(o.status for o in outcomes) == {Status.BOOKED: 3, Status.WAITING: 12}
    assert booked(day.pk) == day.capacity
    assert max(seen, default=0) <= day.capacity
    # The line is in the order people joined it, one place each.
    positions = sorted(services.position_in_line(o) for o in outcomes if o.status == Status.WAITING)
    assert positions == list(range(1, 13))


def test_the_same_professional_sending_the_form_five_times_at_once_gets_one_place(day_index):
    day = make_day(day_index, capacity=3)
    user = make_professional(1)

    outcomes = run_together([book(day.pk, user.pk) for _ in range(5)])

    assert {o.pk for o in outcomes} == {TrainingDayBooking.objects.get(user=user).pk}
    assert booked(day.pk) == 1


def test_cancellations_and_sign_ups_at_once_give_freed_places_to_the_line_without_overbooking(day_index):
    day = make_day(day_index, capacity=4)
    holders = [make_professional(n) for n in range(4)]
    bookings = [services.book(day, user) for user in holders]
    newcomers = [make_professional(10 + n) for n in range(8)]

    def cancel(booking):
        return lambda: services.cancel(TrainingDayBooking.objects.get(pk=booking.pk))

    jobs = [cancel(booking) for booking in bookings[:2]] + [book(day.pk, user.pk) for user in newcomers]
    outcomes = run_together(jobs)

    assert not [o for o in outcomes if isinstance(o, Exception)]
    assert booked(day.pk) == day.capacity
    waiting = TrainingDayBooking.objects.filter(event=day, status=Status.WAITING).count()
    assert waiting == len(newcomers) - 2
