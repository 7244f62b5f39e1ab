"""How the sign-up and the course page write dates, places and amounts: "di 12 jan 2027, 19:00–21:00"."""

import functools

from django import template
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from booking.services import money

register = template.Library()


@functools.lru_cache(maxsize=4096)
def _day_text(language, date):
    # Per language and date: a page writes the same few dates many times (the names come from the translations).
    return date_format(date, "D j b Y")


def _day(value):
    return _day_text(get_language(), value.date() if hasattr(value, "hour") else value)


@register.filter
def day(value):
    """A date the short Dutch way: "di 12 jan 2027"."""
    if not value:
        return ""
    return _day(timezone.localtime(value) if hasattr(value, "hour") else value)


def _clock(moment):
    # "H:i" is the same in every language; written directly, as a page lists up to a hundred sessions.
    return f"{moment.hour:02d}:{moment.minute:02d}"


@register.filter
def clock(value):
    return _clock(timezone.localtime(value)) if value else ""


@register.filter
def session_when(session):
    """A session's day and times: "di 12 jan 2027, 19:00–21:00"."""
    start, end = timezone.localtime(session.start), timezone.localtime(session.end)
    return f"{_day(start)}, {_clock(start)}–{_clock(end)}"


@register.filter
def session_times(sessions):
    """What a list of sessions shows (each one's start and end): the key of its fragment."""
    return tuple((session.start, session.end) for session in sessions or ())


@register.filter
def places_text(count):
    """ "nog 3 plekken", "nog 1 plek", or "vol"."""
    count = int(count or 0)
    if count <= 0:
        return _("vol")
    return ngettext("nog %(count)d plek", "nog %(count)d plekken", count) % {"count": count}


@register.filter
def held_text(count):
    """ "1 plek is gereserveerd" while someone finishes a sign-up; nothing when no place is held."""
    count = int(count or 0)
    if count <= 0:
        return ""
    return ngettext(
        "%(count)d plek is gereserveerd voor een aanmelding die nog niet klaar is",
        "%(count)d plekken zijn gereserveerd voor aanmeldingen die nog niet klaar zijn",
        count,
    ) % {"count": count}


@register.filter
def euro(amount):
    """ "€ 35,00"; nothing to pay is said in words."""
    if not amount:
        return _("gratis")
    return money.euro(amount)
