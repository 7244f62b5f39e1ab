"""The office's figures in the Wagtail admin: filters in the URL, charts with their tables, downloads.

Counts only: no screen here shows a name, so nothing is written to the access
log. Who may look: the permission `reports.view_figures` (the coordinators).
"""

import dataclasses
import datetime
from urllib.parse import urlsplit

from django import forms
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.serializers.json import DjangoJSONEncoder
from django.forms.utils import flatatt
from django.http import HttpResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join, json_script
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from booking.models import Location
from carepath.models import Practice
from courses.models import CoursePage
from home.languages import originals
from home.organisation import OrganisationSettings

from . import charts, demand, exports
from . import figures as f

PERMISSION = "reports.view_figures"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def training_filter(trainings):
    """The optional "Training" filter of the figures and the demand map (the querysets are lazy)."""
    return forms.ModelChoiceField(
        label=gettext_lazy("Training"),
        queryset=trainings,
        required=False,
        empty_label=gettext_lazy("Alle trainingen"),
        error_messages={"invalid_choice": gettext_lazy("Kies een training uit de lijst.")},
    )


class LongSelect(forms.Select):
    """A select that writes its options itself: Django renders each option through a template of its own,
    which for the 2,000 locations of a whole country took longer than some of the figures."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        options = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            (
                (option["value"], " selected" if option["selected"] else "", option["label"])
                for _group, group_options, _index in widget["optgroups"]
                for option in group_options
            ),
        )
        return format_html('<select name="{}"{}>{}</select>', widget["name"], flatatt(widget["attrs"]), options)


class FigureFilters(forms.Form):
    training = training_filter(originals(CoursePage.objects.all()).order_by("title"))
    locatie = forms.ModelChoiceField(
        label=gettext_lazy("Locatie"),
        queryset=Location.objects.none(),
        widget=LongSelect,
        required=False,
        empty_label=gettext_lazy("Alle locaties"),
        error_messages={"invalid_choice": gettext_lazy("Kies een locatie uit de lijst.")},
    )
    praktijk = forms.ModelChoiceField(
        label=gettext_lazy("Praktijk die verwees"),
        queryset=Practice.objects.none(),
        required=False,
        empty_label=gettext_lazy("Alle praktijken"),
        error_messages={"invalid_choice": gettext_lazy("Kies een praktijk uit de lijst.")},
    )
    van = forms.DateField(
        label=gettext_lazy("Eerste bijeenkomst vanaf"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": gettext_lazy("Vul een datum in, bijvoorbeeld 2026-01-01.")},
    )
    tot = forms.DateField(
        label=gettext_lazy("tot en met"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": gettext_lazy("Vul een datum in, bijvoorbeeld 2026-12-31.")},
    )

    def __init__(self, *args, now=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.now = now or timezone.now()
        self.fields["locatie"].queryset = Location.objects.order_by("town", "name")
        self.fields["praktijk"].queryset = Practice.objects.order_by("name", "town")

    def clean(self):
        data = super().clean()
        start, end = f.last_twelve_months(self.now)
        data["van"] = data.get("van") or start
        data["tot"] = data.get("tot") or end
        if data["tot"] < data["van"]:
            self.add_error("tot", _("Deze datum moet na de datum 'vanaf' liggen."))
        elif (data["tot"] - data["van"]).days > 366 * 5:
            self.add_error("tot", _("Kies een periode van hoogstens vijf jaar."))
        return data

    def filters(self):
        data = self.cleaned_data
        training, location, practice = data.get("training"), data.get("locatie"), data.get("praktijk")
        return f.Filters(
            start=data["van"],
            end=data["tot"],
            course_id=training.pk if training else None,
            location_id=location.pk if location else None,
            practice_id=practice.pk if practice else None,
        )


class FiguresPermissionMixin:
    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm(PERMISSION):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


def download(content, filename, content_type):
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def funnel_chart(result):
    total = result.total
    bars = [
        charts.Bar(str(label), None if 0 < total[key] < f.SMALL else total[key], str(f.people(total[key])))
        for key, label in f.FUNNEL_STEPS + f.OUTCOMES
        if key == f.SIGNED_UP or total[key] or key in dict(f.FUNNEL_STEPS)
    ]
    return charts.horizontal_bars(
        "grafiek-trechter",
        _("Van verwijzing tot afronding"),
        _(
            "Staafdiagram: hoeveel mensen werden verwezen, zich aanmeldden, begonnen en de training afrondden. "
            "De tabel eronder geeft dezelfde getallen."
        ),
        bars,
    )


def waits_chart(result):
    bars = []
    for month, waits in result.waits_by_month.items():
        shown = waits.count >= f.SMALL
        bars.append(charts.Bar(month, waits.median if shown else None, f"{waits.median:.0f}" if shown else "< 5"))
    return charts.columns(
        "grafiek-wachttijd",
        _("Wachttijd per maand (mediaan in dagen)"),
        _(
            "Kolommen: de middelste wachttijd in dagen per maand van de start. De stippellijn is 4 weken "
            "(28 dagen). De tabel eronder geeft dezelfde getallen."
        ),
        bars,
        reference=f.TREEKNORM_DAYS,
        reference_label=_("4 weken"),
    )


FILL_CHART_LOCATIONS = 30


def fill_chart(result):
    """The fill of the locations with the most started groups (at most 30: a chart, not a list; the table has all)."""
    busiest = sorted(
        ((name, stats) for name, stats in result.groups_by_location.items() if stats.started),
        key=lambda item: (-item[1].started, item[0]),
    )[:FILL_CHART_LOCATIONS]
    bars = [
        charts.Bar(name, None if stats.fill_rate is None else 100 * stats.fill_rate, exports_percent(stats.fill_rate))
        for name, stats in sorted(busiest)
    ]
    return charts.horizontal_bars(
        "grafiek-vulling",
        _("Vulling per locatie"),
        _(
            "Staafdiagram: welk deel van de plaatsen in gestarte groepen bij de start bezet was, per locatie. "
            "De tabel eronder geeft dezelfde getallen."
        ),
        bars,
        maximum=100,
    )


# The tables per location and per practice show the biggest rows; their downloads hold every row.
ROWS_SHOWN = 25


def shortened(table, sizes, sentence, keep_last=False):
    """`table` with only its ROWS_SHOWN biggest rows by `sizes` (row name -> tuple, bigger first), when it has more.

    The rows come most first, and `sentence` (with %(shown)s and %(total)s) says so. A total row
    at the end (`keep_last`) stays.
    """
    rows, last = (table.rows[:-1], table.rows[-1:]) if keep_last else (table.rows, [])
    if len(rows) <= ROWS_SHOWN:
        return table
    biggest = sorted(rows, key=lambda row: tuple(-size for size in sizes[row[0]]) + (row[0],))[:ROWS_SHOWN]
    text = sentence % {"shown": ROWS_SHOWN, "total": len(rows)}
    return dataclasses.replace(table, rows=biggest + last, shortened=text)


def shown_tables(result, tables):
    """The tables as the page shows them: the long ones cut to their biggest rows (see `shortened`)."""
    shown = []
    for table in tables:
        if table.key == "per-locatie":
            sizes = {name: (funnel[f.SIGNED_UP], funnel[f.REFERRED]) for name, funnel in result.by_location.items()}
            sentence = _(
                "Hier staan de %(shown)s locaties met de meeste aanmeldingen, van meer naar minder. "
                "Alle %(total)s locaties staan in de download (CSV of XLSX)."
            )
            table = shortened(table, sizes, sentence)
        elif table.key == "per-praktijk":
            sizes = {name: (funnel[f.REFERRED], funnel[f.SIGNED_UP]) for name, funnel in result.by_practice.items()}
            sentence = _(
                "Hier staan de %(shown)s praktijken met de meeste verwijzingen, van meer naar minder. "
                "Alle %(total)s praktijken staan in de download (CSV of XLSX)."
            )
            table = shortened(table, sizes, sentence)
        elif table.key == "groepen":
            sizes = {name: (stats.planned, stats.started) for name, stats in result.groups_by_location.items()}
            sentence = _(
                "Hier staan de %(shown)s locaties met de meeste groepen, van meer naar minder. "
                "Alle %(total)s locaties staan in de download (CSV of XLSX)."
            )
            table = shortened(table, sizes, sentence, keep_last=True)
        shown.append(table)
    return shown


def exports_percent(rate):
    return "–" if rate is None else f"{round(100 * rate)}%"


class FiguresView(FiguresPermissionMixin, WagtailAdminTemplateMixin, TemplateView):
    template_name = "reports/admin/figures.html"
    header_icon = "table"
    page_title = gettext_lazy("Cijfers")

    def get_page_title(self):
        return self.page_title

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [{"url": "", "label": self.get_page_title()}]

    def get(self, request, *args, **kwargs):
        form = FigureFilters(request.GET or None)
        if request.GET and not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form, result=None))
        if not request.GET:
            form = FigureFilters({})
            form.is_valid()
        result = f.compute(form.filters())
        if not request.GET:
            # Show the period the figures are for in the date fields.
            form = FigureFilters(initial={"van": result.filters.start, "tot": result.filters.end})
        tables = exports.all_tables(result)
        wanted = request.GET.get("tabel")
        if wanted:
            return self.export(tables, wanted, request.GET.get("formaat"), form.filters())
        return self.render_to_response(
            self.get_context_data(form=form, result=result, tables=shown_tables(result, tables))
        )

    def export(self, tables, wanted, kind, filters):
        stamp = f"{filters.start:%Y%m%d}-{filters.end:%Y%m%d}"
        if wanted == "alles" and kind == "xlsx":
            return download(exports.to_xlsx(tables), f"cijfers-{stamp}.xlsx", XLSX)
        table = next((table for table in tables if table.key == wanted), None)
        if table is None or kind not in ("csv", "xlsx"):
            return HttpResponse(_("Deze download bestaat niet."), status=404, content_type="text/plain; charset=utf-8")
        if kind == "csv":
            return download(exports.to_csv(table), f"{table.key}-{stamp}.csv", "text/csv; charset=utf-8")
        return download(exports.to_xlsx([table]), f"{table.key}-{stamp}.xlsx", XLSX)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        result = kwargs.get("result")
        if result is not None:
            query = self.request.GET.copy()
            query.pop("tabel", None)
            query.pop("formaat", None)
            context.update(
                charts={
                    "trechter": funnel_chart(result),
                    "wachttijd": waits_chart(result),
                    "groepen": fill_chart(result),
                },
                query=query.urlencode(),
                waits=result.waits,
                treeknorm=f.share(result.waits.within_treeknorm, result.waits.count),
                courses=originals(CoursePage.objects.live()).order_by("title"),
                year=timezone.localdate().year - 1,
            )
        return context


class YearlyReportForm(forms.Form):
    training = forms.ModelChoiceField(
        label=gettext_lazy("Training"),
        queryset=CoursePage.objects.none(),
        error_messages={
            "required": gettext_lazy("Kies een training."),
            "invalid_choice": gettext_lazy("Kies een training uit de lijst."),
        },
    )
    jaar = forms.IntegerField(
        label=gettext_lazy("Jaar"),
        min_value=2000,
        max_value=2100,
        error_messages={
            "required": gettext_lazy("Vul een jaar in, bijvoorbeeld 2026."),
            "invalid": gettext_lazy("Vul een jaar in, bijvoorbeeld 2026."),
            "min_value": gettext_lazy("Vul een jaar in, bijvoorbeeld 2026."),
            "max_value": gettext_lazy("Vul een jaar in, bijvoorbeeld 2026."),
        },
    )
    formaat = forms.ChoiceField(choices=[("pdf", "PDF"), ("xlsx", "XLSX")], initial="pdf")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["training"].queryset = originals(CoursePage.objects.all()).order_by("title")


class YearlyReportView(FiguresPermissionMixin, WagtailAdminTemplateMixin, TemplateView):
    """Jaarverslag: one training, one calendar year, every table; as PDF or XLSX."""

    template_name = "reports/admin/yearly.html"
    header_icon = "doc-full"
    page_title = gettext_lazy("Jaarverslag per training")

    def get_page_title(self):
        return self.page_title

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [
            {"url": reverse("cijfers"), "label": _("Cijfers")},
            {"url": "", "label": self.get_page_title()},
        ]

    def get(self, request, *args, **kwargs):
        form = YearlyReportForm(request.GET or None, initial={"jaar": timezone.localdate().year - 1})
        if not request.GET or not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        course, year = form.cleaned_data["training"], form.cleaned_data["jaar"]
        filters = f.Filters(start=datetime.date(year, 1, 1), end=datetime.date(year, 12, 31), course_id=course.pk)
        tables = exports.all_tables(f.compute(filters))
        name = f"jaarverslag-{slugify(course.title)}-{year}"
        if form.cleaned_data["formaat"] == "xlsx":
            return download(exports.to_xlsx(tables), f"{name}.xlsx", XLSX)
        organisation = OrganisationSettings.load(request_or_site=request)
        pdf = exports.yearly_pdf(course.title, filters, tables, organisation.name)
        return download(pdf, f"{name}.pdf", "application/pdf")


class DemandFilters(forms.Form):
    training = training_filter(originals(CoursePage.objects.live()).order_by("title"))
    km = forms.IntegerField(
        label=gettext_lazy("Afstand die mensen willen reizen (km)"),
        min_value=1,
        max_value=50,
        required=False,
        help_text=gettext_lazy("Een gebied zonder groep binnen deze afstand telt als wit gebied."),
        error_messages={
            "invalid": gettext_lazy("Vul een aantal kilometers in, van 1 tot en met 50."),
            "min_value": gettext_lazy("Vul een aantal kilometers in, van 1 tot en met 50."),
            "max_value": gettext_lazy("Vul een aantal kilometers in, van 1 tot en met 50."),
        },
    )


# Per training the page shows the areas with the most demand; the download has every area.
AREAS_SHOWN = 100


def dot_radius(row):
    """The radius of an area's dot, on the plain map and the Leaflet map alike: an area of fewer than 5
    people gets the smallest dot, so the size says no more than the table's "< 5"."""
    people = row.waiting + row.signed_up
    return 4 if people < f.SMALL else min(4 + people**0.5 * 1.5, 18)


def demand_map(course_demand, km, areas):
    """The map of `areas` (of `course_demand`) and the locations with a group of the training."""
    dots = [
        (
            row.area.latitude,
            row.area.longitude,
            dot_radius(row),
            "demand",
            _("%(pc4)s %(place)s: %(waiting)s wachtend, %(signed)s aangemeld")
            % {
                "pc4": row.area.pc4,
                "place": row.area.name,
                "waiting": f.people(row.waiting),
                "signed": f.people(row.signed_up),
            },
        )
        for row in areas
    ]
    dots += [
        (location.latitude, location.longitude, 5, "group", _("Groep: %(where)s") % {"where": location})
        for location in course_demand.supply
    ]
    return charts.points(
        f"kaart-{course_demand.course.pk}",
        _("Vraag en groepen: %(course)s") % {"course": course_demand.course.title},
        _(
            "Kaart zonder ondergrond: rondjes zijn postcodegebieden met vraag (groter is meer mensen), vierkantjes "
            "zijn locaties met een groep. De tabel eronder geeft dezelfde gegevens."
        ),
        dots,
    )


def tiles_origin(url):
    """Where the map tiles of `url` come from, for the Content-Security-Policy's img-src ("" without tiles).

    A `{s}` in the host (a.tile…, b.tile…) becomes the wildcard `*`.
    """
    parts = urlsplit(url or "")
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return ""
    return f"{parts.scheme}://{parts.netloc.replace('{s}', '*')}"


class CompactJSON(DjangoJSONEncoder):
    """JSON without the spaces after "," and ":": the map's data is the bulk of the page at national scale."""

    item_separator = ","
    key_separator = ":"


def demand_points(course_demand, areas):
    """What the Leaflet map of one training shows, as data for `json_script`: the same areas as the table.

    Counts only as the table shows them (fewer than 5 as "< 5"), the PC4 area, its centroid and the
    public locations with a group: nothing about a person. Locations are given by id ("groups", and
    an area's "nearest"); their place and name are in the page once (`demand_locations`), since at
    national scale every training has groups at hundreds of the same locations.
    """
    suggested = {suggestion.area.pc4: suggestion.waiting_within for suggestion in course_demand.suggestions}
    return {
        "areas": [
            {
                "pc4": row.area.pc4,
                "place": row.area.name,
                "lat": round(row.area.latitude, 4),
                "lon": round(row.area.longitude, 4),
                "waiting": str(f.people(row.waiting)),
                "signed_up": str(f.people(row.signed_up)),
                "radius": round(dot_radius(row), 1),
                "nearest": row.nearest.pk if row.nearest else None,
                "nearest_km": None if row.nearest_km is None else f"{row.nearest_km:.0f}",  # as the table
                "uncovered": row.uncovered,
                "suggested": suggested.get(row.area.pc4),
            }
            for row in areas
        ],
        "groups": [location.pk for location in course_demand.supply],
    }


def demand_locations(found):
    """Every location with a group on the page, once: id → [latitude, longitude, name]."""
    locations = {location.pk: location for item in found for location in item.supply}
    return {
        pk: [round(location.latitude, 4), round(location.longitude, 4), str(location)]
        for pk, location in sorted(locations.items())
    }


def demand_texts(km):
    """The words of the Leaflet map (popups, zoom buttons, tile credit), in the page's language."""
    return {
        "waiting": _("Op de wachtlijst"),
        "signed_up": _("Aangemeld (12 maanden)"),
        "nearest": _("Dichtstbijzijnde groep"),
        "no_group": _("Er is nergens een groep van deze training."),
        "uncovered": _("Geen groep binnen %(km)s km") % {"km": km},
        # The words in {braces} are filled in by the map's script (static/js/demand-map.js).
        "suggested": _("Voorstel: open hier een groep. {count} mensen wachten binnen %(km)s km.") % {"km": km},
        "area_label": _("{place} ({pc4}): {waiting} op de wachtlijst, {signed_up} aangemeld"),
        "group": _("Locatie met een groep"),
        "close": _("Sluiten"),
        "zoom_in": _("Inzoomen"),
        "zoom_out": _("Uitzoomen"),
        "credit": _("© OpenStreetMap-bijdragers"),
    }


class DemandView(FiguresPermissionMixin, WagtailAdminTemplateMixin, TemplateView):
    """Vraagkaart: per PC4 area the demand against where groups run, and where a new group would help most."""

    template_name = "reports/admin/demand.html"
    header_icon = "site"
    page_title = gettext_lazy("Waar is een nieuwe groep nodig?")

    def get_page_title(self):
        return self.page_title

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [
            {"url": reverse("cijfers"), "label": _("Cijfers")},
            {"url": "", "label": self.get_page_title()},
        ]

    def get(self, request, *args, **kwargs):
        form = DemandFilters(request.GET or None, initial={"km": demand.DEFAULT_KM})
        if request.GET and not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form, courses=None))
        data = form.cleaned_data if request.GET else {}
        km = data.get("km") or demand.DEFAULT_KM
        training = data.get("training")
        found = demand.demand(km=km, course_id=training.pk if training else None)
        tables = {item.course.pk: exports.demand_table(item) for item in found}
        wanted = request.GET.get("tabel")
        if wanted:
            table = next((table for table in tables.values() if table.key == wanted), None)
            kind = request.GET.get("formaat")
            if table is None or kind not in ("csv", "xlsx"):
                return HttpResponse(
                    _("Deze download bestaat niet."), status=404, content_type="text/plain; charset=utf-8"
                )
            if kind == "csv":
                return download(exports.to_csv(table), f"{table.key}.csv", "text/csv; charset=utf-8")
            return download(exports.to_xlsx([table]), f"{table.key}.xlsx", XLSX)
        query = request.GET.copy()
        query.pop("tabel", None)
        query.pop("formaat", None)
        items = [
            {
                "demand": item,
                "table": dataclasses.replace(tables[item.course.pk], rows=tables[item.course.pk].rows[:AREAS_SHOWN]),
                "map": demand_map(item, km, item.areas[:AREAS_SHOWN]),
                "points": json_script(
                    demand_points(item, item.areas[:AREAS_SHOWN]), f"punten-{item.course.pk}", encoder=CompactJSON
                ),
                "shown": min(len(item.areas), AREAS_SHOWN),
                "total": len(item.areas),
            }
            for item in found
            if item.areas or item.supply
        ]
        suggestions = sorted(
            (s for item in found for s in item.suggestions), key=lambda s: (-s.waiting_within, s.course.title)
        )
        tiles = settings.DEMAND_MAP_TILES_URL
        response = self.render_to_response(
            self.get_context_data(
                form=form,
                courses=items,
                suggestions=suggestions,
                km=km,
                query=query.urlencode(),
                tiles=tiles,
                map_data=(
                    json_script(demand_texts(km), "kaart-teksten", encoder=CompactJSON)
                    + json_script(demand_locations(found), "kaart-locaties", encoder=CompactJSON)
                )
                if tiles
                else "",
            )
        )
        if tiles_origin(tiles):
            # Only on this page the browser fetches images from the tile server.
            response._csp_update = {"img-src": [tiles_origin(tiles)]}
        return response


def admin_urls():
    return [
        path("cijfers/vraag/", DemandView.as_view(), name="cijfers_vraag"),
        path("cijfers/", FiguresView.as_view(), name="cijfers"),
        path("cijfers/jaarverslag/", YearlyReportView.as_view(), name="cijfers_jaarverslag"),
    ]
