"""Spreadsheet exports from the admin that open cleanly and cannot run formulas."""

# A cell starting with one of these is a formula to a spreadsheet program.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


class SafeSpreadsheetExportMixin:
    """For wagtail-modeladmin index views with ``list_export``."""

    def stream_csv(self, queryset):
        # The byte order mark makes spreadsheet programs read the file as UTF-8 (Joëlle, not JoÃ«lle).
        yield "\ufeff"
        yield from super().stream_csv(queryset)

    def preprocess_field_value(self, field, value, export_format):
        value = super().preprocess_field_value(field, value, export_format)
        if export_format == self.FORMAT_CSV and isinstance(value, str) and len(value) > 1 and value.startswith(FORMULA_START):
            return "'" + value
        return value
