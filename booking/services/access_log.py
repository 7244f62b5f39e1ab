"""Who looked at which participant's data: one record per participant, per look.

Every staff screen that shows participant data (a list, a detail page, an
export, a printed list, the attendance form) calls `log_access`. The record
holds who, when, which participant (a reference to the row, not a copy of
it) and what they did; `where` names the screen or group in words that carry
no personal data, such as "groep 12: deelnemerslijst".
"""

from django.db.models import Model

from ..models import AccessLogEntry

Action = AccessLogEntry.Action
WHERE_MAX = AccessLogEntry._meta.get_field("where").max_length


def _participant_ids(participants):
    """Ids of Participants, given as objects or as ids (a values_list queryset is fine); each once, in order."""
    seen = {}
    for participant in participants:
        pk = participant.pk if isinstance(participant, Model) else participant
        if pk is not None:
            seen.setdefault(pk, None)
    return list(seen)


def log_access(user, participants, action, where):
    """Record that `user` did `action` (an AccessLogEntry.Action) with each of `participants`.

    One row per participant, written in one insert. `where` says on which
    screen or for which group, never whose data: names, email addresses and
    search terms stay out of it. Returns the number of rows written; a screen
    without participants writes nothing.
    """
    if user is None or not user.is_authenticated:
        raise ValueError("Only a logged-in member of staff can be recorded as looking at participant data.")
    action = Action(action)
    where = str(where)[:WHERE_MAX]
    ids = _participant_ids(participants)
    if not ids:
        return 0
    AccessLogEntry.objects.bulk_create(
        [AccessLogEntry(user_id=user.pk, participant_id=pk, action=action, where=where) for pk in ids]
    )
    return len(ids)


def group_where(group, screen):
    """The `where` for a screen about one group: its number, never its participants."""
    return f"groep {group.pk}: {screen}"
