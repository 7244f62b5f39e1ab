"""What the planning calendar shows: a month or a week of one location's or one trainer's sessions.

Built on django-scheduler. A location's events are those of its calendar
(``locatie-<pk>``, see ``planning.calendar_for_location``); a trainer's are
the events of the sessions of their groups. They go into a
``schedule.periods.Month`` or ``Week`` on the Dutch clock, and what the
calendar shows are that period's occurrences: a moved session at its new time
(with the time it was planned), a cancelled one marked cancelled, both as
the scheduler stores them. Each occurrence is paired with its session (the
group, its number) and with the clashes the planning rule finds there
(``planning.clashes_between``).
"""

import datetime
from dataclasses import dataclass, field

from django.db.models import Q
from schedule.models import Event
from schedule.periods import Month, Week

from ..clock import LOCAL_TZ, local_time
from ..models import Session
from .planning import calendar_slug, clashes_between

MONTH = "maand"
WEEK = "week"
PERIODS = {MONTH: Month, WEEK: Week}


@dataclass(frozen=True)
class Entry:
    """One occurrence on the calendar, with its session and what clashes with it."""

    session: Session
    start: datetime.datetime
    end: datetime.datetime
    cancelled: bool
    moved: bool
    planned_start: datetime.datetime
    clashes: list

    @property
    def group(self):
        return self.session.group


@dataclass
class Day:
    date: datetime.date
    in_period: bool
    is_today: bool
    entries: list = field(default_factory=list)


@dataclass
class AgendaPage:
    """A month (weeks of days) or a week (days), with where the buttons lead."""

    kind: str
    period: object
    weeks: list
    previous: datetime.date
    next: datetime.date
    first_day: datetime.date
    last_day: datetime.date
    entries: list

    @property
    def days(self):
        return [day for week in self.weeks for day in week]

    @property
    def clash_count(self):
        return sum(1 for entry in self.entries if entry.clashes)

    @property
    def scheduled_count(self):
        return sum(1 for entry in self.entries if not entry.cancelled)

    @property
    def moved_count(self):
        return sum(1 for entry in self.entries if entry.moved and not entry.cancelled)

    @property
    def cancelled_count(self):
        return sum(1 for entry in self.entries if entry.cancelled)


def location_events(location):
    """The events on the location's calendar (none while nothing was ever planned there)."""
    return Event.objects.filter(calendar__slug=calendar_slug(location))


def trainer_events(trainer):
    """The events of the sessions of every group the trainer leads."""
    return Event.objects.filter(session__group__trainers=trainer)


def _in_window(events, start, end):
    """Only the events that can have an occurrence in [start, end): planned there, or moved there."""
    overlaps = Q(start__lt=end, end__gt=start) | Q(occurrence__start__lt=end, occurrence__end__gt=start)
    return list(events.filter(overlaps).distinct())


def agenda_page(events, kind, day, *, now):
    """The month or week (`kind`: MONTH or WEEK) around `day` (a date) of `events`, on the Dutch clock."""
    period_class = PERIODS[kind]
    anchor = datetime.datetime.combine(day, datetime.time(12, 0), tzinfo=LOCAL_TZ)
    window = period_class([], anchor, tzinfo=LOCAL_TZ)
    period = period_class(_in_window(events, window.utc_start, window.utc_end), anchor, tzinfo=LOCAL_TZ)

    occurrences = period.get_occurrences()
    sessions = {
        session.event_id: session
        for session in Session.objects.filter(event_id__in={occurrence.event_id for occurrence in occurrences})
        .select_related("group__course", "group__location")
        .prefetch_related("group__trainers")
    }
    clashes = clashes_between(period.utc_start, period.utc_end)
    entries = []
    for occurrence in sorted(occurrences, key=lambda each: (each.start, each.event_id)):
        session = sessions.get(occurrence.event_id)
        if session is None:  # an event on the calendar that is not one of our sessions
            continue
        entries.append(
            Entry(
                session=session,
                start=local_time(occurrence.start),
                end=local_time(occurrence.end),
                cancelled=occurrence.cancelled,
                moved=occurrence.moved,
                planned_start=local_time(occurrence.original_start),
                clashes=[] if occurrence.cancelled else clashes.get(session.pk, []),
            )
        )

    today = local_time(now).date()
    first_day = period.start.date()
    last_day = (period.end - datetime.timedelta(days=1)).date()
    if kind == MONTH:
        weeks = [
            [_day(sub.start.date(), entries, first_day, last_day, today) for sub in week.get_days()]
            for week in period.get_weeks()
        ]
        previous, following = period.prev_month(), period.next_month()
    else:
        weeks = [[_day(sub.start.date(), entries, first_day, last_day, today) for sub in period.get_days()]]
        previous, following = period.prev_week(), period.next_week()
    return AgendaPage(
        kind=kind,
        period=period,
        weeks=weeks,
        previous=previous.start.date(),
        next=following.start.date(),
        first_day=first_day,
        last_day=last_day,
        entries=entries,
    )


def _day(date, entries, first_day, last_day, today):
    in_period = first_day <= date <= last_day
    return Day(
        date=date,
        in_period=in_period,
        is_today=date == today,
        entries=[entry for entry in entries if entry.start.date() == date] if in_period else [],
    )
