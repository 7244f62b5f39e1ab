"""Charts as plain SVG, drawn on the server: no JavaScript, no library, readable by screen readers.

Why by hand: the three charts are bars and columns, a few dozen lines each;
a chart library would add a dependency (and for some, a JavaScript runtime or
a headless browser) for what SVG says directly. Drawn here, every chart has
a `<title>` and `<desc>` in Dutch, text in the page's font, colours with
enough contrast (WCAG 1.4.11), and the same numbers as the table under it,
with the same small-cell rule: a bar of fewer than 5 people is not drawn,
its label says "< 5".
"""

from dataclasses import dataclass
from xml.sax.saxutils import escape

from django.utils.safestring import mark_safe

BAR = "#0b5f6e"  # 7:1 against white
REFERENCE = "#a4410e"
TEXT = "#1d2a33"
GRID = "#c9d3d8"


@dataclass
class Bar:
    label: str
    value: float | None  # None: not drawn (unknown, or a small cell)
    text: str  # what is written beside the bar


def _svg(width, height, chart_id, title, desc, body):
    return mark_safe(
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" width="100%" viewBox="0 0 {width} {height}" '
        f'role="img" aria-labelledby="{chart_id}-title {chart_id}-desc" focusable="false">'
        f'<title id="{chart_id}-title">{escape(title)}</title><desc id="{chart_id}-desc">{escape(desc)}</desc>'
        f"{''.join(body)}</svg>"
    )


def _short(text, length):
    return text if len(text) <= length else text[: length - 1] + "…"


def horizontal_bars(chart_id, title, desc, bars, *, maximum=None, width=760, label_width=330, row=34):
    """One bar per row, the label on the left and the value at the end of the bar."""
    top = 8
    height = top + row * max(len(bars), 1) + 8
    room = width - label_width - 90
    biggest = maximum or max([bar.value for bar in bars if bar.value is not None] or [1]) or 1
    body = []
    for index, bar in enumerate(bars):
        y = top + index * row
        body.append(
            f'<text x="{label_width - 10}" y="{y + row / 2 + 5}" text-anchor="end" fill="{TEXT}" '
            f'font-size="13">{escape(_short(bar.label, 44))}</text>'
        )
        length = 0 if bar.value is None else max(room * bar.value / biggest, 1 if bar.value else 0)
        if length:
            body.append(
                f'<rect x="{label_width}" y="{y + 6}" width="{length:.1f}" height="{row - 12}" fill="{BAR}"></rect>'
            )
        body.append(
            f'<text x="{label_width + length + 8:.1f}" y="{y + row / 2 + 5}" fill="{TEXT}" font-size="14">'
            f"{escape(bar.text)}</text>"
        )
    return _svg(width, height, chart_id, title, desc, body)


def columns(chart_id, title, desc, bars, *, reference=None, reference_label="", width=720, height=260):
    """One column per bar (months), with an optional dashed reference line (the Treeknorm)."""
    left, bottom, top = 48, 40, 16
    plot_height = height - bottom - top
    values = [bar.value for bar in bars if bar.value is not None]
    biggest = max(values + [reference or 0, 1])
    step = (width - left - 10) / max(len(bars), 1)
    body = [f'<line x1="{left}" y1="{top + plot_height}" x2="{width - 10}" y2="{top + plot_height}" stroke="{GRID}"/>']
    for tick in (0, biggest / 2, biggest):
        y = top + plot_height - plot_height * tick / biggest
        body.append(
            f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" fill="{TEXT}" font-size="12">{tick:.0f}</text>'
        )
    for index, bar in enumerate(bars):
        x = left + index * step
        if bar.value is not None:
            h = plot_height * bar.value / biggest
            body.append(
                f'<rect x="{x + step * 0.15:.1f}" y="{top + plot_height - h:.1f}" width="{step * 0.7:.1f}" '
                f'height="{h:.1f}" fill="{BAR}"><title>{escape(bar.label)}: {escape(bar.text)}</title></rect>'
            )
        body.append(
            f'<text x="{x + step / 2:.1f}" y="{height - bottom + 18}" text-anchor="middle" fill="{TEXT}" '
            f'font-size="12">{escape(bar.label[-5:])}</text>'
        )
    if reference:
        y = top + plot_height - plot_height * reference / biggest
        body.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{width - 10}" y2="{y:.1f}" stroke="{REFERENCE}" '
            f'stroke-width="2" stroke-dasharray="6 4"/>'
            f'<text x="{width - 12}" y="{y - 6:.1f}" text-anchor="end" fill="{REFERENCE}" font-size="12">'
            f"{escape(reference_label)}</text>"
        )
    return _svg(width, height, chart_id, title, desc, body)


def points(chart_id, title, desc, dots, *, width=520, height=600):
    """PC4 areas and locations as points on a plain longitude/latitude plane (the demand map without tiles).

    `dots`: (latitude, longitude, radius, kind, label) with kind "demand" or "group".
    """
    if not dots:
        return _svg(width, 40, chart_id, title, desc, [])
    lats = [dot[0] for dot in dots]
    lons = [dot[1] for dot in dots]
    pad = 0.05
    south, north = min(lats) - pad, max(lats) + pad
    west, east = min(lons) - pad, max(lons) + pad
    # Longitude degrees are shorter than latitude degrees in the Netherlands (about 0.62).
    # Room on the right for the labels of the areas.
    scale = min((width - 110) / ((east - west) * 0.62), (height - 20) / (north - south))
    height = min(height, int((north - south) * scale) + 20)  # no empty band under a wide region
    body = []
    for lat, lon, radius, kind, label in dots:
        x = 10 + (lon - west) * 0.62 * scale
        y = 10 + (north - lat) * scale
        if kind == "group":
            body.append(
                f'<rect x="{x - 5:.1f}" y="{y - 5:.1f}" width="10" height="10" fill="{TEXT}">'
                f"<title>{escape(label)}</title></rect>"
            )
        else:
            body.append(
                f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{radius:.1f}" fill="{REFERENCE}" fill-opacity="0.55" '
                f'stroke="{REFERENCE}"><title>{escape(label)}</title></circle>'
            )
            if radius >= 8:
                body.append(
                    f'<text x="{x + radius + 3:.1f}" y="{y + 4:.1f}" fill="{TEXT}" font-size="12">'
                    f"{escape(label.split(':')[0])}</text>"
                )
    return _svg(width, height, chart_id, title, desc, body)
