"""Training days for the tests: pages in the tree under "Voor professionals", and professionals to sign up."""

import datetime

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from accounts import roles
from accounts.models import ProfessionalProfile
from accounts.services import verify_professional
from events.models import TrainingDayIndexPage, TrainingDayPage, local_today
from tests.factories import LocationFactory, ProfessionalProfileFactory, UserFactory


def make_index(professionals_index):
    existing = TrainingDayIndexPage.objects.first()
    if existing is not None:
        return existing
    index = TrainingDayIndexPage(title="Scholing en intervisie", slug="scholing", intro="Scholing voor professionals.")
    professionals_index.add_child(instance=index)
    return index


def make_day(index, *, in_days=10, capacity=5, location=None, **fields):
    """A published training day `in_days` from today (negative: in the past), 13:30 to 17:00."""
    values = {
        "title": f"Scholingsdag {TrainingDayPage.objects.count() + 1}",
        "summary": "Een middag over slaapproblemen in de huisartsenpraktijk.",
        "date": local_today() + datetime.timedelta(days=in_days),
        "start_time": datetime.time(13, 30),
        "end_time": datetime.time(17, 0),
        "accreditation": "2 punten ADV/V&VN",
        "capacity": capacity,
        **fields,
    }
    if location is None and not values.get("online_link"):
        location = LocationFactory(name="Gezondheidscentrum De Kastanje", town="Eindhoven", postcode="5611 KL")
    day = TrainingDayPage(location=location, **values)
    index.add_child(instance=day)
    return day


def make_professional(number, *, verified=True, coordinator=None, **names):
    user = UserFactory(email=f"professional{number}@praktijk.example", **names)
    profile = ProfessionalProfileFactory(user=user)
    if verified:
        if coordinator is None:
            user.groups.add(Group.objects.get_or_create(name=roles.PROFESSIONALS)[0])
            ProfessionalProfile.objects.filter(pk=profile.pk).update(status=ProfessionalProfile.Status.VERIFIED)
        else:
            verify_professional(profile, decided_by=coordinator)
    return user


@pytest.fixture
def day_index(professionals_index):
    return make_index(professionals_index)


@pytest.fixture
def training_day(day_index):
    return make_day(day_index)


@pytest.fixture
def professional(db):
    return make_professional(1, first_name="Daan", last_name="van der Kuijpers")


@pytest.fixture
def unverified(db):
    return make_professional(99, verified=False, first_name="Lotte", last_name="Janssen")


@pytest.fixture
def now():
    return timezone.now()
