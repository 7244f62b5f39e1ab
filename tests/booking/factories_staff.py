"""Helpers for the staff tests: staff accounts with two-step login, and groups planned relative to today.

Staff pages compare with the real clock, so groups here are planned a number
of days from today rather than at a fixed date.
"""

import datetime

from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.contrib.auth.models import Group
from django.utils import timezone

from accounts import roles
from accounts.permissions import ensure_role_groups
from booking.clock import LOCAL_TZ
from booking.services.planning import plan_sessions
from tests.booking.factories import EnrollmentFactory, ParticipantFactory, TrainingGroupFactory
from tests.factories import LocationFactory, TrainerFactory, UserFactory

TWO_HOURS = datetime.timedelta(hours=2)


def staff_user(role, *, mfa=True, **fields):
    """A user in the role's group, with an authenticator app switched on unless `mfa=False`."""
    ensure_role_groups()
    user = UserFactory(**fields)
    user.groups.add(Group.objects.get(name=role))
    if mfa:
        TOTP.activate(user, generate_totp_secret())
    return user


def coordinator(**fields):
    fields.setdefault("first_name", "Ilse")
    fields.setdefault("last_name", "Verhoeven")
    return staff_user(roles.COORDINATORS, **fields)


def trainer_account(name="Marieke van den Heuvel", **fields):
    """A Trainer with a login in the Trainers group; returns (trainer, user)."""
    user = staff_user(roles.TRAINERS, **fields)
    trainer = TrainerFactory(name=name, user=user)
    return trainer, user


def days_from_today(days, hour=19, minute=0):
    day = timezone.localdate() + datetime.timedelta(days=days)
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=LOCAL_TZ)


def planned_group(course, *, location=None, trainers=(), first_in_days=14, count=3, hour=19, **fields):
    """A group with `count` weekly sessions of two hours, the first `first_in_days` days from today."""
    group = TrainingGroupFactory(
        course=course, location=location or LocationFactory(), trainers=list(trainers), **fields
    )
    plan_sessions(
        group, first_start=days_from_today(first_in_days, hour), count=count, frequency="weekly", duration=TWO_HOURS
    )
    group.forget_schedule()
    return group


def participant_in(group, *, status="confirmed", **participant_fields):
    return EnrollmentFactory(group=group, status=status, participant=ParticipantFactory(**participant_fields))
