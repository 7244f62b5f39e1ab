"""The periodic run at scale: its catch-up finds work in SQL, each step reports itself, one run at a time."""

import datetime
import subprocess
import sys

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from booking.models import Offer, PartOfDay, WaitlistEntry
from booking.periodic import run_periodic
from booking.services.locks import only_one_at_a_time
from booking.services.offers import groups_to_offer
from booking.services.places import expire_holds
from booking.waitlist import checks, entries
from booking.waitlist import offers as waitlist_offers
from tests.booking.factories import (
    AMSTERDAM,
    NOW,
    EnrollmentFactory,
    ParticipantFactory,
    WaitlistEntryFactory,
    on_day,
    planned_group,
)
from tests.factories import LocationFactory
from tests.helpers import database_environment

EVENING = datetime.time(19, 0)
MORNING = datetime.time(10, 0)


def group_at(course, location, clock, *, days=14):
    """An open group with one free place of four, its first session `days` ahead at `clock`."""
    start = datetime.datetime.combine(on_day(days).date(), clock, tzinfo=AMSTERDAM)
    group = planned_group(course, location, capacity=4, min_participants=1, first_start=start)
    EnrollmentFactory.create_batch(3, group=group)
    return group


@pytest.mark.django_db
def test_the_catch_up_offers_only_the_groups_someone_on_the_list_fits(
    course, location, django_capture_on_commit_callbacks
):
    evening_here = group_at(course, location, EVENING)
    elsewhere = LocationFactory()
    morning_elsewhere = group_at(course, elsewhere, MORNING)
    third = LocationFactory()
    evening_at_third = group_at(course, third, EVENING, days=21)
    # Nobody fits the morning group elsewhere: one wants evenings, one wants only this location,
    # one already has a place in a coming group of the course, one turned the third location down.
    WaitlistEntryFactory(course=course, part_of_day=PartOfDay.EVENING)
    WaitlistEntryFactory(course=course, preferred_locations=[location])
    has_a_place = ParticipantFactory()
    EnrollmentFactory(group=evening_at_third, participant=ParticipantFactory(email=has_a_place.email))
    WaitlistEntryFactory(course=course, participant=has_a_place, preferred_locations=[elsewhere])
    turned_down = WaitlistEntryFactory(course=course, preferred_locations=[third])
    Offer.objects.create(
        entry=turned_down,
        group=evening_at_third,
        enrollment=EnrollmentFactory(group=morning_elsewhere, status="cancelled", participant=turned_down.participant),
        status=Offer.Status.DECLINED,
        expires_at=NOW,
    )

    assert groups_to_offer(NOW) == [evening_here.pk]
    with django_capture_on_commit_callbacks(execute=True):
        offers = waitlist_offers.offer_all_free_places(NOW)

    assert [offer.group for offer in offers] == [evening_here]
    assert not Offer.objects.filter(group__in=[morning_elsewhere, evening_at_third], status="open").exists()


@pytest.mark.django_db
def test_the_run_says_per_step_what_it_did_and_how_long_it_took(capsys):
    call_command("run_periodic")
    out = capsys.readouterr().out
    assert "Vrije plaatsen aangeboden aan de wachtlijst: 0" in out
    assert "Tijd, vrije plaatsen aanbieden: " in out
    assert "Tijd, totaal: " in out


def run_periodic_elsewhere():
    """`manage.py run_periodic` in a process of its own on the same database, as a second machine would."""
    return subprocess.run(
        [sys.executable, str(settings.BASE_DIR / "manage.py"), "run_periodic"],
        env=database_environment(),
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    ).stdout


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("wagtail_roots")
def test_a_second_periodic_run_skips_while_another_process_runs_one():
    with only_one_at_a_time() as mine:
        assert mine
        busy = run_periodic_elsewhere()
    afterwards = run_periodic_elsewhere()

    assert "Er loopt al een periodieke run; deze slaat over." in busy
    assert "Tijd, totaal" not in busy
    assert "Tijd, totaal: " in afterwards


# --- the catch-up after its first run: what changed since, and one slice of the groups -------------------

MINUTE = datetime.timedelta(minutes=1)


def offered_to(entry):
    return list(Offer.objects.filter(entry=entry).values_list("group_id", flat=True))


@pytest.mark.django_db
def test_the_catch_up_offers_a_free_place_to_someone_who_joined_since_its_last_run(course, location):
    group = group_at(course, location, EVENING)
    assert waitlist_offers.offer_all_free_places(NOW) == []  # its first run: nobody waits yet

    newcomer = WaitlistEntryFactory(course=course, joined=NOW + MINUTE)
    offers = waitlist_offers.offer_all_free_places(NOW + 2 * MINUTE)

    assert [offer.entry for offer in offers] == [newcomer]
    assert offered_to(newcomer) == [group.pk]


@pytest.mark.django_db
def test_a_place_freed_without_its_offer_is_offered_within_the_sweep_and_never_twice(course, location, settings):
    settings.GROEPSWIJZER_OFFER_SWEEP_RUNS = 3
    groups = [group_at(course, LocationFactory(), EVENING) for _number in range(3)]
    for group in groups:
        EnrollmentFactory(group=group)  # full
    waiting = WaitlistEntryFactory(course=course, joined=NOW - datetime.timedelta(days=30))
    assert waitlist_offers.offer_all_free_places(NOW) == []

    # A place comes free, but the offer after its commit never happened (an error, a process stopped).
    freed = groups[1].enrollments.order_by("pk").last()
    type(freed).objects.filter(pk=freed.pk).update(status="cancelled", cancelled_at=NOW)
    made = [len(waitlist_offers.offer_all_free_places(NOW + number * MINUTE)) for number in range(1, 7)]

    assert sum(made) == 1
    assert made.index(1) < 3  # within GROEPSWIJZER_OFFER_SWEEP_RUNS runs
    assert offered_to(waiting) == [groups[1].pk]


@pytest.mark.django_db
def test_holds_that_ran_out_in_several_groups_go_to_the_waiting_list_in_the_same_run(
    course, location, django_capture_on_commit_callbacks
):
    groups = [group_at(course, LocationFactory(), EVENING) for _number in range(3)]
    for group in groups:
        EnrollmentFactory(group=group, status="held", hold_expires_at=NOW - MINUTE)
    waiting = WaitlistEntryFactory(course=course, preferred_locations=[groups[2].location], joined=NOW - MINUTE)

    with django_capture_on_commit_callbacks(execute=True):
        counts = run_periodic(NOW)

    assert counts["expired_holds"] == 3
    assert offered_to(waiting) == [groups[2].pk]
    assert Offer.objects.count() == 1


def queries_of(function, *args):
    with CaptureQueriesContext(connection) as captured:
        function(*args)
    return len(captured)


@pytest.mark.django_db
def test_expiring_holds_takes_as_many_queries_for_many_groups_as_for_one(course):
    def holds_in(count):
        for _number in range(count):
            group = group_at(course, LocationFactory(), EVENING)
            EnrollmentFactory(group=group, status="held", hold_expires_at=NOW - MINUTE)

    holds_in(1)
    one = queries_of(expire_holds, NOW)
    holds_in(5)
    five = queries_of(expire_holds, NOW)

    assert one == five


@pytest.mark.django_db
def test_a_run_with_nothing_new_takes_as_many_queries_with_more_groups_people_and_places(course, location):
    def more_data(count):
        for _number in range(count):
            group = group_at(course, LocationFactory(), EVENING)
            EnrollmentFactory(group=group)  # full
            WaitlistEntryFactory(course=course, preferred_locations=[LocationFactory()], joined=NOW - MINUTE)

    more_data(2)
    run_periodic(NOW)
    run_periodic(NOW + MINUTE)
    few = queries_of(run_periodic, NOW + 2 * MINUTE)
    more_data(8)
    run_periodic(NOW + 3 * MINUTE)
    many = queries_of(run_periodic, NOW + 4 * MINUTE)

    assert few == many


@pytest.mark.django_db
def test_the_monthly_checks_take_as_many_queries_for_many_people_as_for_one(course, mailoutbox):
    def waiting(count):
        return [WaitlistEntryFactory(course=course, joined=NOW - datetime.timedelta(days=40)) for _n in range(count)]

    waiting(1)
    one = queries_of(checks.send_waitlist_checks, NOW)
    five_people = waiting(5)
    five = queries_of(checks.send_waitlist_checks, NOW)

    assert one == five
    assert set(WaitlistEntry.objects.filter(check_sent_at=NOW).values_list("pk", flat=True)) >= {
        entry.pk for entry in five_people
    }


@pytest.mark.django_db
def test_a_free_place_that_fits_changed_wishes_is_offered_once_they_are_saved(
    course, location, django_capture_on_commit_callbacks
):
    group = group_at(course, location, EVENING)
    entry = WaitlistEntryFactory(course=course, preferred_locations=[LocationFactory()], joined=NOW - MINUTE)
    assert waitlist_offers.offer_all_free_places(NOW) == []

    with django_capture_on_commit_callbacks(execute=True):
        entries.change_wishes(entry, preferred_locations=[location], part_of_day=PartOfDay.ANY)

    assert offered_to(entry) == [group.pk]


@pytest.mark.django_db
def test_someone_who_may_go_anywhere_gets_the_soonest_group_and_the_others_cost_no_locks_each(course):
    def newcomer_with_free_groups(count, since):
        groups = [group_at(course, LocationFactory(), EVENING, days=10 + number) for number in range(count)]
        entry = WaitlistEntryFactory(course=course, joined=since + MINUTE)
        return groups, entry

    assert waitlist_offers.offer_all_free_places(NOW) == []  # its first run
    few_groups, first = newcomer_with_free_groups(3, NOW)
    with CaptureQueriesContext(connection) as few:
        first_offers = waitlist_offers.offer_all_free_places(NOW + 2 * MINUTE)
    many_groups, second = newcomer_with_free_groups(8, NOW + 2 * MINUTE)
    with CaptureQueriesContext(connection) as many:
        second_offers = waitlist_offers.offer_all_free_places(NOW + 4 * MINUTE)

    # One offer each, in the soonest group with room.
    assert [offer.entry for offer in first_offers] == [first]
    assert offered_to(first) == [few_groups[0].pk]
    assert [offer.entry for offer in second_offers] == [second]
    assert offered_to(second) == [many_groups[0].pk]
    # The groups after the offer are looked at again together, not each locked and looked at on its own.
    assert len(many) == len(few)


@pytest.mark.django_db
def test_someone_who_declined_is_offered_another_group_that_fits_in_the_next_run(
    course, location, settings, django_capture_on_commit_callbacks
):
    settings.GROEPSWIJZER_OFFER_SWEEP_RUNS = 1000  # the slice holds neither group after the first run
    sooner = group_at(course, location, EVENING, days=10)
    later = group_at(course, LocationFactory(), EVENING, days=20)
    person = WaitlistEntryFactory(course=course, joined=NOW - datetime.timedelta(days=3))
    (offer,) = waitlist_offers.offer_all_free_places(NOW)  # its first run looks at every group
    assert offer.group == sooner

    with django_capture_on_commit_callbacks(execute=True):
        waitlist_offers.decline_offer(offer, now=NOW + MINUTE)
    assert waitlist_offers.offer_all_free_places(NOW + 2 * MINUTE)[0].group == later

    assert sorted(offered_to(person)) == sorted([sooner.pk, later.pk])
    assert waitlist_offers.offer_all_free_places(NOW + 3 * MINUTE) == []
