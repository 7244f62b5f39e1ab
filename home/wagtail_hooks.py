"""The admin home: the office's work (``home.dashboard``) above Wagtail's own panels; the page editor's
rich-text fields named by their labels."""

from django.templatetags.static import static
from django.utils.html import format_html
from wagtail import hooks

from home.dashboard import WorkOverview, work_panels


@hooks.register("construct_homepage_panels")
def add_work_overview(request, panels):
    found = work_panels(request)
    if found:
        panels.append(WorkOverview(found))


@hooks.register("insert_editor_js")
def name_rich_text_fields():
    return format_html('<script src="{}"></script>', static("js/admin-rich-text-labels.js"))
