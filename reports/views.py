"""Public pages of the reports app: the overview of trainings, places and waits."""

from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from booking.services import page_state
from groepswijzer import page_cache

from . import overview


@require_safe
def offer_overview(request):
    """Aanbod en wachttijden: counted when built; anonymous visitors get it from the page cache until a place,
    a group, a stop or the waiting list changes (or a hold or a stop runs out by itself)."""
    now = timezone.now()
    if page_cache.lookup_for(request) is not None:
        page_cache.depend_on(request, (page_cache.BOOKING,), page_state.next_change(now=now))
    response = render(request, "reports/overview.html", {"offers": overview.course_offers(now), "now": now})
    page_cache.allow(request)
    return response
