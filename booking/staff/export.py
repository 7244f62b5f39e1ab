"""Shared pieces of the read-only admin listings: permissions and safe spreadsheet exports."""

from wagtail_modeladmin.helpers import PermissionHelper

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
        if (
            export_format == self.FORMAT_CSV
            and isinstance(value, str)
            and len(value) > 1
            and value.startswith(FORMULA_START)
        ):
            return "'" + value
        return value


class ReadOnlyPermissionHelper(PermissionHelper):
    """Staff with `view_permission` list, inspect and export; nobody adds, edits or deletes here."""

    view_permission = ""

    def user_can_list(self, user):
        return user.has_perm(self.view_permission)

    def user_can_inspect_obj(self, user, obj):
        return self.user_can_list(user)

    def user_can_create(self, user):
        return False

    def user_can_edit_obj(self, user, obj):
        return False

    def user_can_delete_obj(self, user, obj):
        return False
