"""Public pages of the reports app: the overview of trainings, places and waits."""

from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from . import overview


@require_safe
def offer_overview(request):
    """Aanbod en wachttijden: counted at every request, so it is right as soon as a place changes."""
    now = timezone.now()
    return render(request, "reports/overview.html", {"offers": overview.course_offers(now), "now": now})
