"""What the public pages show of the booking core changed: tell the page cache, after the commit.

Course pages, the course index, the home page and the overview of places and waits are served to
anonymous visitors from the page cache (``groepswijzer.page_cache``). They may only be served
while nothing they show has changed. This module is where the booking core says so:

- every save or delete of a group, session, place (enrollment), stop, location, waiting-list
  entry or offer does it through the model signals below;
- the services that change rows in bulk (``QuerySet.update``, ``bulk_create``: holds, confirms,
  cancels, expiries, moves, offers, group statuses) call ``changed`` themselves;
- places also change without a write (a hold runs out; a stop, a deadline or a first session
  comes): ``next_change`` gives the first such moment, and a page is not served after it.

The generations are replaced only after the transaction committed (``transaction.on_commit``): a
request that reads them afterwards reads the new data too. A rolled-back change changes nothing.
"""

from functools import partial

from django.db import transaction
from django.db.models import Q
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver
from django.utils import timezone

from groepswijzer import page_cache, prepared

from ..models import Enrollment, Location, Offer, RegistrationStop, Session, TrainingGroup, WaitlistEntry


def changed(*, course_ids=(), group_ids=(), all_courses=False):
    """Pages that show places of these courses (of the groups' courses; of every course) are stale once this commits.

    The pages that list every course (home, course index, overview) always are.
    """
    if page_cache.tracking():
        transaction.on_commit(partial(_bump, tuple(course_ids), tuple(group_ids), all_courses))


def _bump(course_ids, group_ids, all_courses):
    ids = {course_id for course_id in course_ids if course_id is not None}
    group_ids = [group_id for group_id in group_ids if group_id is not None]
    if group_ids:
        ids.update(TrainingGroup.objects.filter(pk__in=group_ids).values_list("course_id", flat=True))
    names = [page_cache.BOOKING, *(page_cache.course(course_id) for course_id in ids)]
    if all_courses:
        names.append(page_cache.ALL_COURSES)
    page_cache.bump(*names)


def changed_everything():
    """After data was loaded or repaired in bulk: every page is stale."""
    if page_cache.tracking():
        transaction.on_commit(partial(page_cache.bump, page_cache.CONTENT, page_cache.BOOKING, page_cache.ALL_COURSES))


def _first_moments(*, now, course_ids=None):
    """The first moment after `now` of each kind that changes places by itself, as ordered one-row querysets
    (``prepared.PreparedFirsts``: only values go in here)."""
    groups = TrainingGroup.objects.all()
    stops = RegistrationStop.objects.all()
    offers = Offer.objects.filter(status=Offer.Status.OPEN)
    if course_ids is not None:
        groups = groups.filter(course_id__in=course_ids)
        stops = stops.filter(Q(course_id__in=course_ids) | Q(course__isnull=True))
        offers = offers.filter(group__course_id__in=course_ids)
    columns = {
        "hold": (Enrollment.objects.filter(group__in=groups, status=Enrollment.Status.HELD), "hold_expires_at"),
        "offer": (offers, "expires_at"),
        "deadline": (groups, "signup_deadline"),
        "session": (Session.objects.filter(group__in=groups), "start"),
        "stop_starts": (stops, "starts_at"),
        "stop_ends": (stops, "ends_at"),
    }
    return {
        kind: queryset.filter(**{f"{name}__gt": now}).order_by(name).values_list(name)[:1]
        for kind, (queryset, name) in columns.items()
    }


# Compiled once per process and number of courses (the ORM took longer to write it than the database to run it).
_FIRST_MOMENTS = prepared.PreparedFirsts(_first_moments)


def next_change(course_ids=None, now=None):
    """The first moment after `now` at which pages of these courses (None: of all) may show other places
    without anything being written: a hold or an offer runs out, a stop starts or ends, a sign-up
    deadline or a session comes. None when nothing is ahead. One query.
    """
    now = now or timezone.now()
    values = {"now": now} if course_ids is None else {"now": now, "course_ids": list(course_ids)}
    moments = _FIRST_MOMENTS.run(**values).values()
    return min((moment for moment in moments if moment is not None), default=None)


# --- saves and deletes of single rows ------------------------------------------------------------


@receiver([post_save, post_delete], sender=TrainingGroup)
def _group_changed(sender, instance, **kwargs):
    changed(course_ids=[instance.course_id])


@receiver([post_save, post_delete], sender=Enrollment)
@receiver([post_save, post_delete], sender=Session)
@receiver([post_save, post_delete], sender=Offer)
def _row_of_a_group_changed(sender, instance, **kwargs):
    changed(group_ids=[instance.group_id])


@receiver([post_save, post_delete], sender=RegistrationStop)
def _stop_changed(sender, instance, **kwargs):
    if instance.course_id is None:
        changed(all_courses=True)
    else:
        changed(course_ids=[instance.course_id])


@receiver([post_save, post_delete], sender=Location)
def _location_changed(sender, instance, **kwargs):
    changed(all_courses=True)


@receiver([post_save, post_delete], sender=WaitlistEntry)
def _waitlist_changed(sender, instance, **kwargs):
    changed(course_ids=[instance.course_id])


@receiver(m2m_changed, sender=WaitlistEntry.preferred_locations.through)
def _wishes_changed(sender, instance, action, **kwargs):
    if action.startswith("post_"):
        if isinstance(instance, WaitlistEntry):
            changed(course_ids=[instance.course_id])
        else:
            changed(all_courses=True)


@receiver(m2m_changed, sender=TrainingGroup.trainers.through)
def _trainers_changed(sender, instance, action, pk_set, **kwargs):
    if action.startswith("post_"):
        if isinstance(instance, TrainingGroup):
            changed(course_ids=[instance.course_id])
        else:
            changed(all_courses=True)
