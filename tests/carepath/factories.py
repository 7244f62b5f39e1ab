"""Factories for the care path: practices, verified professionals and their referrals."""

import datetime

import factory
from django.contrib.auth.models import Group
from django.utils import timezone
from factory.django import DjangoModelFactory

from accounts import roles
from accounts.models import ProfessionalProfile
from accounts.permissions import ensure_role_groups
from carepath.models import Practice, Referral
from tests.factories import ProfessionalProfileFactory, UserFactory


def professional(first_name="Marloes", last_name="Smits", *, practice=None, **fields):
    """A verified professional (POH-GGZ) in the Professionals group, member of `practice` when given."""
    ensure_role_groups()
    user = UserFactory(first_name=first_name, last_name=last_name, **fields)
    ProfessionalProfileFactory(user=user, status=ProfessionalProfile.Status.VERIFIED)
    user.groups.add(Group.objects.get(name=roles.PROFESSIONALS))
    if practice is not None:
        practice.members.add(user)
    return user


class PracticeFactory(DjangoModelFactory):
    name = factory.Sequence(lambda n: f"Huisartsenpraktijk De Linde {n}")
    agb_code = factory.Sequence(lambda n: f"0101{n:04d}")
    address = "Molenstraat 12"
    postcode = "5664 AB"
    town = "Geldrop"
    letter_email = factory.Sequence(lambda n: f"brieven{n}@praktijk.example")

    class Meta:
        model = Practice


class ReferralFactory(DjangoModelFactory):
    referrer = factory.LazyFunction(professional)
    delivery = Referral.Delivery.PRINT
    created_at = factory.LazyFunction(timezone.now)
    expires_at = factory.LazyAttribute(lambda o: o.created_at + datetime.timedelta(days=90))

    class Meta:
        model = Referral
