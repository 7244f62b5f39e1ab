"""The figures as tables: one definition that the admin page shows and every download writes.

Each table is built from `figures.compute`, with the small-cell rule applied
(fewer than 5 people: "< 5"), so a download can never show more than the
page. CSV and XLSX go through `groepswijzer.spreadsheets` (no cell can become
a formula); the yearly report per training is a PDF (fpdf2) and an XLSX with a
sheet per table.
"""

import csv
import io
from dataclasses import dataclass

from django.utils.formats import date_format
from django.utils.translation import gettext as _
from fpdf import FPDF
from openpyxl import Workbook

from groepswijzer.spreadsheets import CSV, defuse_cells, defuse_value

from . import figures as f


@dataclass
class Table:
    key: str
    title: str
    headers: list
    rows: list
    note: str = ""
    shortened: str = ""  # on the page only: why it shows fewer rows than the download holds


def _days(value):
    return "–" if value is None else f"{value:.0f}"


def _euro(amount):
    return f"€ {amount:,.2f}".replace(",", "X").replace(".", ",").replace("X", ".")


def _funnel_columns():
    return [str(label) for _key, label in f.FUNNEL_STEPS] + [str(label) for _key, label in f.OUTCOMES]


def _funnel_cells(funnel):
    keys = [key for key, _label in f.FUNNEL_STEPS] + [key for key, _label in f.OUTCOMES]
    return [f.people(funnel[key]) for key in keys] + [f.share(funnel[f.STARTED], funnel[f.SIGNED_UP])]


def funnel_table(result):
    rows = []
    for key, label, count, before in result.total.steps():
        share = "" if before is None else f.share(result.total.conversion(key), before)
        rows.append([str(label), f.people(count), share])
    for key, label in f.OUTCOMES:
        rows.append([str(label), f.people(result.total[key]), f.share(result.total[key], result.total[f.SIGNED_UP])])
    return Table(
        "trechter",
        _("Van verwijzing tot afronding"),
        [_("Stap"), _("Mensen"), _("Van de stap ervoor (of van aangemeld)")],
        rows,
    )


def per_table(key, title, first, funnels):
    rows = [[name, *_funnel_cells(funnel)] for name, funnel in funnels.items()]
    return Table(key, title, [first, *_funnel_columns(), _("gestart van aangemeld")], rows)


def groups_table(result):
    rows = []
    for name, stats in [*result.groups_by_location.items(), (_("Totaal"), result.groups)]:
        rows.append(
            [
                name,
                stats.planned,
                stats.started,
                stats.cancelled,
                "–" if stats.average_size is None else f"{stats.average_size:.1f}".replace(".", ","),
                "–" if stats.fill_rate is None else f"{round(100 * stats.fill_rate)}%",
            ]
        )
    return Table(
        "groepen",
        _("Groepen per locatie"),
        [_("Locatie"), _("Groepen"), _("Gestart"), _("Afgezegd"), _("Gemiddeld aantal bij de start"), _("Vulling")],
        rows,
    )


def cancellations_table(result):
    rows = [[str(f.cause_label(cause)), count] for cause, count in result.groups.causes.most_common()]
    return Table("afgezegd", _("Afgezegde groepen en waarom"), [_("Reden"), _("Groepen")], rows)


def waits_table(result):
    rows = []
    for month, waits in [*result.waits_by_month.items(), (_("Hele periode"), result.waits)]:
        small = waits.count < f.SMALL
        rows.append(
            [
                month,
                f.people(waits.count),
                "–" if small else _days(waits.median),
                "–" if small else _days(waits.p90),
                f.share(waits.within_treeknorm, waits.count),
            ]
        )
    return Table(
        "wachttijd",
        _("Wachttijd tot de eerste bijeenkomst"),
        [_("Maand van de start"), _("Mensen"), _("Mediaan (dagen)"), _("P90 (dagen)"), _("Binnen 4 weken")],
        rows,
    )


def money_table(result):
    money = result.money
    rows = [
        [_("Betaald"), f.people(money.paid_count), _euro(money.paid_amount)],
        [_("Nog niet betaald"), f.people(money.open_count), ""],
        [_("Vrijgesteld"), f.people(money.exemptions), ""],
        [_("Terugbetaald"), "", _euro(money.refunded_amount)],
    ]
    return Table("betalingen", _("Eigen bijdrage"), [_("Wat"), _("Aantal"), _("Bedrag")], rows)


def _decimal(value, places=1):
    return f"{value:.{places}f}".replace(".", ",")


def _change(value):
    """A change as text: a minus sign (U+2212, so no spreadsheet reads a formula) when the score went down."""
    return ("\u2212" if value < 0 else "") + _decimal(abs(value))


def outcomes_table(result):
    rows = []
    for outcome in result.outcomes:
        small = outcome.count < f.SMALL
        rows.append(
            [
                outcome.name,
                f.people(outcome.count),
                "–" if small else _decimal(outcome.mean_pre),
                "–" if small else _decimal(outcome.mean_post),
                "–" if small else _change(outcome.mean_change),
                "–" if outcome.improved is None or small else f.people(outcome.improved),
            ]
        )
    return Table(
        "uitkomsten",
        _("Verandering per vragenlijst"),
        [
            _("Vragenlijst"),
            _("Afgerond, met voor en na"),
            _("Gemiddeld voor"),
            _("Gemiddeld na"),
            _("Gemiddelde verandering (na min voor)"),
            _("Minstens één band beter"),
        ],
        rows,
        note=_("Alleen wie de training afrondde en de vragenlijst voor en na invulde."),
    )


def satisfaction_table(result):
    found = result.satisfaction
    small = found.count < f.SMALL
    rows = [
        [
            _("Hele periode"),
            f.people(found.count),
            "–" if small else _decimal(found.mean_grade),
            f.share(found.recommend, found.count),
        ]
    ]
    return Table(
        "tevredenheid",
        _("Tevredenheid na de training"),
        [_("Periode"), _("Evaluaties ingevuld"), _("Gemiddeld rapportcijfer"), _("Zou de training aanraden")],
        rows,
    )


def all_tables(result):
    return [
        funnel_table(result),
        per_table("per-training", _("Per training"), _("Training"), result.by_course),
        per_table("per-locatie", _("Per locatie"), _("Locatie"), result.by_location),
        per_table("per-praktijk", _("Per praktijk die verwees"), _("Praktijk"), result.by_practice),
        groups_table(result),
        cancellations_table(result),
        waits_table(result),
        outcomes_table(result),
        satisfaction_table(result),
        money_table(result),
    ]


# --- files ----------------------------------------------------------------------------------------


def to_csv(table):
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow([str(cell) for cell in table.headers])
    for row in table.rows:
        writer.writerow([defuse_value(str(cell), CSV) for cell in row])
    return "\ufeff" + out.getvalue()  # a BOM, so spreadsheet programs read the euro sign and accents right


def to_xlsx(tables):
    book = Workbook()
    book.remove(book.active)
    for table in tables:
        sheet = book.create_sheet(table.title[:31].replace("/", "-"))
        sheet.append([str(cell) for cell in table.headers])
        for row in table.rows:
            cells = [cell if isinstance(cell, int) else str(cell) for cell in row]
            sheet.append(cells)
        for row in sheet.iter_rows(min_row=2):
            list(defuse_cells(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _latin(text):
    return (
        str(text)
        .replace("€", "EUR")
        .replace("–", "-")
        .replace("\u2212", "-")
        .encode("latin-1", "replace")
        .decode("latin-1")
    )


def yearly_pdf(course_title, filters, tables, organisation_name):
    """The yearly report of one training, in the shape a care group sends its insurer: who, what, how many."""
    pdf = FPDF(format="A4")
    pdf.set_margins(18, 18, 18)
    pdf.set_auto_page_break(True, margin=18)
    pdf.set_title(_latin(f"Jaarverslag {course_title}"))
    pdf.set_author(_latin(organisation_name))
    pdf.set_lang("nl")
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 18)
    pdf.multi_cell(
        pdf.epw, 9, _latin(_("Jaarverslag %(course)s") % {"course": course_title}), new_x="LMARGIN", new_y="NEXT"
    )
    pdf.set_font("Helvetica", "", 10)
    period = _("Groepen met de eerste bijeenkomst van %(start)s tot en met %(end)s. %(org)s.") % {
        "start": date_format(filters.start, "j F Y"),
        "end": date_format(filters.end, "j F Y"),
        "org": organisation_name,
    }
    pdf.multi_cell(pdf.epw, 5, _latin(period), new_x="LMARGIN", new_y="NEXT")
    pdf.multi_cell(
        pdf.epw,
        5,
        _latin(_("Alleen aantallen, geen namen. Minder dan 5 mensen staat er als '< 5'.")),
        new_x="LMARGIN",
        new_y="NEXT",
    )
    for table in tables:
        pdf.ln(4)
        pdf.set_font("Helvetica", "B", 12)
        pdf.multi_cell(pdf.epw, 7, _latin(table.title), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Helvetica", "", 8)
        with pdf.table(text_align="LEFT", first_row_as_headings=True, line_height=4.5) as grid:
            header = grid.row()
            for cell in table.headers:
                header.cell(_latin(cell))
            for row in table.rows:
                line = grid.row()
                for cell in row:
                    line.cell(_latin(cell))
    return bytes(pdf.output())


def demand_table(course_demand):
    rows = []
    for row in course_demand.areas:
        rows.append(
            [
                row.area.pc4,
                row.area.name,
                f.people(row.waiting),
                f.people(row.signed_up),
                str(row.nearest) if row.nearest else "–",
                "–" if row.nearest_km is None else f"{row.nearest_km:.0f} km",
            ]
        )
    return Table(
        f"vraag-{course_demand.course.pk}",
        _("Vraag per postcodegebied: %(course)s") % {"course": course_demand.course.title},
        [
            _("PC4"),
            _("Plaats"),
            _("Op de wachtlijst"),
            _("Aangemeld (12 maanden)"),
            _("Dichtstbijzijnde groep"),
            _("Afstand"),
        ],
        rows,
    )
