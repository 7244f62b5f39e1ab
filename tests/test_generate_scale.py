"""The national-scale generator makes what it promises, the same for the same seed, and never overbooks."""

from collections import Counter

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Count, F
from django.utils import timezone

from booking.models import (
    Enrollment,
    Location,
    Offer,
    Participant,
    Payment,
    RegistrationStop,
    Session,
    TrainingGroup,
    WaitlistEntry,
)
from home.demo.scale import EMAIL_DOMAIN, SESSIONS_PER_GROUP, generate, volumes

TINY = 0.002  # 4 locations, 40 groups, 2,000 enrollments


def generated(queryset, after, until=None):
    """Rows made after the snapshot `after` (and up to `until`, when given)."""
    rows = queryset.filter(pk__gt=after)
    return rows if until is None else rows.filter(pk__lte=until)


def last_pk(model):
    return model.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def shape(after, until, now):
    """What one run made, without ids or addresses: the groups as a visitor and a coordinator see them."""

    def made(model):
        return generated(model.objects, after[model], until[model])

    groups = (
        made(TrainingGroup)
        .annotate(places=Count("enrollments"), session_count=Count("sessions", distinct=True))
        .order_by("pk")
    )
    return {
        "groups": [
            (
                group.course.slug,
                group.location.postcode,
                group.location.kind,
                group.status,
                group.capacity,
                group.session_count,
                round((group.first_start - now).total_seconds()),
                group.places,
            )
            for group in groups.select_related("course", "location")
        ],
        "places": Counter(made(Enrollment).values_list("status", flat=True)),
        "waiting": Counter(made(WaitlistEntry).values_list("status", flat=True)),
        "payments": Counter(made(Payment).values_list("provider", "status")),
    }


def snapshot():
    return {
        model: last_pk(model)
        for model in (TrainingGroup, Enrollment, WaitlistEntry, Payment, Location, Session, Participant)
    }


@pytest.mark.django_db
def test_a_tiny_national_set_has_every_number_no_overbooked_group_and_nothing_overdue():
    call_command("load_demo", verbosity=0)
    before = snapshot()
    now = timezone.now()

    made = generate(factor=TINY, seed=7, now=now)

    wanted = volumes(TINY)
    groups = generated(TrainingGroup.objects, before[TrainingGroup])
    assert generated(Location.objects, before[Location]).count() == wanted["locations"]
    assert groups.count() == wanted["groups"] == made["groups"]
    assert generated(Session.objects, before[Session]).count() == wanted["groups"] * SESSIONS_PER_GROUP
    assert generated(Enrollment.objects, before[Enrollment]).count() == wanted["enrollments"]
    assert generated(WaitlistEntry.objects, before[WaitlistEntry]).count() == wanted["waitlist"]
    assert RegistrationStop.objects.count() >= wanted["stops"]
    assert not generated(Participant.objects, before[Participant]).exclude(email__endswith=f"@{EMAIL_DOMAIN}")
    # Every group is full or less, counted by the booking rule itself.
    assert not TrainingGroup.objects.with_places_left(now).filter(places_taken__gt=F("capacity")).exists()
    # Every status a coordinator meets, on both sides of today.
    assert set(groups.values_list("status", flat=True)) >= {"completed", "running", "open", "planned", "cancelled"}
    assert groups.filter(status="completed").exists() and groups.filter(status="open").exists()
    assert {"completed", "confirmed", "cancelled", "expired"} <= set(
        generated(Enrollment.objects, before[Enrollment]).values_list("status", flat=True)
    )
    # Each session is on its location's calendar at the same time.
    sessions = generated(Session.objects, before[Session]).values_list(
        "start", "event__start", "group__location_id", "event__calendar__slug"
    )
    assert all(start == event_start and slug == f"locatie-{where}" for start, event_start, where, slug in sessions)
    # Paid places have a payment; people on the list wish for locations.
    confirmed = generated(Enrollment.objects, before[Enrollment]).filter(status__in=["confirmed", "completed"])
    assert not confirmed.filter(payments__isnull=True).exists()
    waiting = generated(WaitlistEntry.objects, before[WaitlistEntry]).filter(status="waiting")
    assert waiting.exists() and not waiting.filter(preferred_locations__isnull=True).exists()
    # Left as if the periodic run had just run: nothing has run out, every group's status fits its dates.
    places = generated(Enrollment.objects, before[Enrollment])
    assert not places.filter(status="held", hold_expires_at__lte=now).exists()
    assert places.filter(status="held", hold_expires_at__gt=now).exists()
    assert not Offer.objects.filter(status="open", expires_at__lte=now).exists()
    dated = groups.with_first_start()
    assert not dated.filter(status__in=["open", "closed", "planned"], first_start__lte=now).exists()
    assert not dated.filter(status="running", first_start__gt=now).exists()


@pytest.mark.django_db
def test_the_same_seed_makes_the_same_data_and_another_seed_other_data():
    call_command("load_demo", verbosity=0)
    now = timezone.now()

    moments = [snapshot()]
    for seed in (11, 11, 12):
        generate(factor=TINY, seed=seed, now=now)
        moments.append(snapshot())

    first, second, other = (shape(moments[run], moments[run + 1], now) for run in range(3))
    assert len(first["groups"]) == volumes(TINY)["groups"]
    # The second set is the first one again, apart from ids and addresses.
    assert first == second
    assert other != first


@pytest.mark.django_db
def test_the_command_refuses_real_data_and_a_second_set_unless_forced(capsys):
    call_command("load_demo", verbosity=0)
    Participant.objects.create(
        first_name="Fatima", last_name="el Idrissi", email="fatima@ziggo.nl", birth_year=1980, postcode="5611 AB"
    )
    with pytest.raises(CommandError, match="niet van de demo"):
        call_command("generate_scale", "--factor", str(TINY))
    assert not Participant.objects.filter(email__endswith=f"@{EMAIL_DOMAIN}").exists()

    call_command("generate_scale", "--factor", str(TINY), "--force")
    assert "enrollments: 2,000" in capsys.readouterr().out
    Participant.objects.filter(email="fatima@ziggo.nl").delete()
    with pytest.raises(CommandError, match="al gegenereerde gegevens"):
        call_command("generate_scale", "--factor", str(TINY))
