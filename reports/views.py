"""Public pages of the reports app: the overview of trainings, places and waits."""

import re

from django import forms
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from booking import geo
from booking.services import page_state
from courses.models import CoursePage
from groepswijzer import page_cache

from . import overview

MAX_PLACE = 100


class OverviewSearch(forms.Form):
    """Postcode or place: a postcode shows the nearest locations, a place the locations there."""

    zoek = forms.CharField(
        label=_("Postcode of plaats"),
        required=False,
        max_length=MAX_PLACE,
        help_text=_("Bijvoorbeeld 5611 AB of Eindhoven."),
        error_messages={"max_length": _("Dit is te lang. Vul een postcode of de naam van een plaats in.")},
    )

    def clean_zoek(self):
        value = " ".join(self.cleaned_data.get("zoek", "").split())
        if not value or not re.match(r"^[0-9]", value):
            return overview.Search(place=value) if value else None
        postcode = geo.parse_postcode(value)
        area = geo.find_area(postcode)
        if area is None:
            raise ValidationError(
                _("Dit postcodegebied kennen we niet. Controleer de postcode, of zoek op de naam van uw plaats.")
            )
        return overview.Search(area=area)


def page_number(value):
    """The page asked for, from 1; anything else is page 1."""
    return int(value) if value and value.isascii() and value.isdigit() and 0 < int(value) < 100000 else 1


@require_safe
def offer_overview(request):
    """Aanbod en wachttijden: counted when built; anonymous visitors get it from the page cache until a place,
    a group, a stop or the waiting list changes (or a hold or a stop runs out by itself).

    `?zoek=` narrows every training to the locations near a postcode or in a place; `?training=<id>`
    shows all that training's locations, a page at a time (`&pagina=`).
    """
    now = timezone.now()
    if page_cache.lookup_for(request) is not None:
        page_cache.depend_on(request, (page_cache.BOOKING,), page_state.next_change(now=now))
    form = OverviewSearch(request.GET or None)
    search = form.cleaned_data["zoek"] if form.is_bound and form.is_valid() else None
    training, page = None, None
    wanted = request.GET.get("training", "")
    if wanted:
        if not (wanted.isascii() and wanted.isdigit()):
            raise Http404
        training = CoursePage.objects.live().public().filter(pk=int(wanted)).first()
        if training is None:
            raise Http404
        page = page_number(request.GET.get("pagina"))
    offers = overview.course_offers(now, search=search, course_id=training.pk if training else None, page=page)
    query = request.GET.copy()
    for key in ("training", "pagina"):
        query.pop(key, None)
    response = render(
        request,
        "reports/overview.html",
        {
            "offers": offers,
            "now": now,
            "form": form,
            "search": search,
            "training": training,
            "query": query.urlencode(),
            "rows_per_training": overview.ROWS_PER_TRAINING,
        },
    )
    page_cache.allow(request)
    return response
