"""The Dutch wall clock. Groups meet in the Netherlands, so dates and times follow it whatever time zone
the server runs in. The lowest layer of booking: models and services both use it."""

from zoneinfo import ZoneInfo

from django.utils import timezone

LOCAL_TZ = ZoneInfo("Europe/Amsterdam")


def local_time(value):
    """`value` on the Dutch clock. A naive datetime is taken to be Dutch time already."""
    if timezone.is_naive(value):
        return value.replace(tzinfo=LOCAL_TZ)
    return value.astimezone(LOCAL_TZ)


def local_year(now):
    """The calendar year in the Netherlands at `now` (on New Year's Eve after 23:00 UTC it is already the next)."""
    return local_time(now).year
