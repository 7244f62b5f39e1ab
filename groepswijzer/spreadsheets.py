"""Spreadsheet exports never turn typed data into formulas.

A name like ``=HYPERLINK("https://…","Klik")`` is text that someone typed into
a form. Written as it is, a spreadsheet program may run it as a formula the
moment a coordinator opens (or edits) the cell. So every exported value that
starts with a formula character is defused:

- CSV: an apostrophe goes in front, which spreadsheet programs read as "this is text";
- XLSX: the cell is a text cell with the "quote prefix" flag, the file format's
  own way to say the same; the value itself stays exactly as typed.

``SafeExportRules`` holds this for Wagtail's export mixin. Wagtail's own
listings with an export button (reports, redirects, form submissions) get it
through ``protect_wagtail_exports``; our listings use
``booking.admin_export.SafeSpreadsheetExportMixin``, which builds on it.
"""

from wagtail.admin.views.mixins import SpreadsheetExportMixin

# A cell starting with one of these is a formula (or a command) to a spreadsheet program.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")
CSV = SpreadsheetExportMixin.FORMAT_CSV


def looks_like_formula(value):
    return isinstance(value, str) and value.startswith(FORMULA_START)


def defuse_value(value, export_format):
    """A CSV value that would start a formula gets an apostrophe in front (twice changes nothing)."""
    if export_format == CSV and looks_like_formula(value):
        return "'" + value
    return value


def defuse_cells(cells):
    """XLSX cells: whatever would start a formula becomes a text cell with the quote-prefix flag."""
    for cell in cells:
        if cell.data_type == "f" or looks_like_formula(cell.value):
            cell.data_type = "s"
            cell.quotePrefix = True
        yield cell


class SafeExportRules:
    """For a view built on Wagtail's SpreadsheetExportMixin."""

    def preprocess_field_value(self, field, value, export_format):
        return defuse_value(super().preprocess_field_value(field, value, export_format), export_format)

    def generate_xlsx_row(self, worksheet, row_dict, date_format=None):
        return defuse_cells(super().generate_xlsx_row(worksheet, row_dict, date_format=date_format))


def protect_wagtail_exports():
    """Give every export built on Wagtail's mixin the same rules. From an AppConfig.ready; once is enough."""
    if getattr(SpreadsheetExportMixin, "_groepswijzer_safe", False):
        return
    preprocess = SpreadsheetExportMixin.preprocess_field_value
    xlsx_row = SpreadsheetExportMixin.generate_xlsx_row

    def preprocess_field_value(self, field, value, export_format):
        return defuse_value(preprocess(self, field, value, export_format), export_format)

    def generate_xlsx_row(self, worksheet, row_dict, date_format=None):
        return defuse_cells(xlsx_row(self, worksheet, row_dict, date_format=date_format))

    SpreadsheetExportMixin.preprocess_field_value = preprocess_field_value
    SpreadsheetExportMixin.generate_xlsx_row = generate_xlsx_row
    SpreadsheetExportMixin._groepswijzer_safe = True
