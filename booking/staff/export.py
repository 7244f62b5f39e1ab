"""Shared pieces of the read-only admin listings: permissions and safe spreadsheet exports.

Every listing with an export button uses ``SafeSpreadsheetExportMixin``: typed
data never becomes a formula, in CSV or in XLSX (the rule is in
``groepswijzer/spreadsheets.py``, which also covers Wagtail's own listings).
"""

from wagtail_modeladmin.helpers import PermissionHelper

from groepswijzer.spreadsheets import FORMULA_START, SafeExportRules

__all__ = ["FORMULA_START", "ReadOnlyPermissionHelper", "SafeSpreadsheetExportMixin"]


class SafeSpreadsheetExportMixin(SafeExportRules):
    """For wagtail-modeladmin index views (and Wagtail listing views) with ``list_export``."""

    def stream_csv(self, queryset):
        # The byte order mark makes spreadsheet programs read the file as UTF-8 (Joëlle, not JoÃ«lle).
        yield "\ufeff"
        yield from super().stream_csv(queryset)


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
