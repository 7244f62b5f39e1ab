"""The access log: one record per participant per look, written at once, never a copy of their data."""

import pytest
from django.contrib.auth.models import AnonymousUser

from booking.models import AccessLogEntry, Participant
from booking.services.access_log import Action, group_where, log_access
from tests.booking.factories import ParticipantFactory, coordinator

pytestmark = pytest.mark.django_db


def test_one_record_per_participant_in_one_query(django_assert_num_queries, group):
    user = coordinator()
    people = ParticipantFactory.create_batch(4)
    with django_assert_num_queries(1):
        written = log_access(user, people, Action.VIEW_LIST, group_where(group, "deelnemerslijst"))
    assert written == 4
    entries = AccessLogEntry.objects.all()
    assert sorted(e.participant_id for e in entries) == sorted(p.pk for p in people)
    assert {(e.user_id, e.action, e.where) for e in entries} == {
        (user.pk, "view_list", f"groep {group.pk}: deelnemerslijst")
    }


def test_each_participant_once_given_as_objects_ids_or_a_values_list():
    user = coordinator()
    anna, bas = ParticipantFactory.create_batch(2)
    log_access(user, [anna, anna.pk, bas.pk], Action.EXPORT, "aanmeldingen: export (csv)")
    log_access(user, Participant.objects.filter(pk=bas.pk).values_list("pk", flat=True), Action.VIEW, "test")
    assert AccessLogEntry.objects.filter(action="export").count() == 2
    assert AccessLogEntry.objects.get(action="view").participant == bas


def test_nothing_is_written_for_a_screen_without_participants(django_assert_num_queries):
    user = coordinator()
    with django_assert_num_queries(0):
        assert log_access(user, [], Action.VIEW_LIST, "wachtlijst: overzicht") == 0


def test_only_a_logged_in_user_can_be_recorded():
    with pytest.raises(ValueError):
        log_access(AnonymousUser(), [ParticipantFactory()], Action.VIEW, "test")


def test_the_where_is_cut_to_fit():
    log_access(coordinator(), [ParticipantFactory()], Action.VIEW, "x" * 500)
    assert len(AccessLogEntry.objects.get().where) == 200


def test_an_unknown_action_is_refused():
    with pytest.raises(ValueError):
        log_access(coordinator(), [ParticipantFactory()], "peek", "test")


def test_the_record_survives_the_participant_being_removed():
    person = ParticipantFactory()
    log_access(coordinator(), [person], Action.VIEW, "test")
    person.delete()
    entry = AccessLogEntry.objects.get()
    assert entry.participant is None and entry.where == "test"
