"""The admin home: the office's work panels (``home.dashboard``) above Wagtail's own."""

from wagtail import hooks

from home.dashboard import work_panels


@hooks.register("construct_homepage_panels")
def add_work_panels(request, panels):
    # Wagtail's own panels (pages to moderate, recent edits) have order 200 and up; ours come first.
    panels.extend(work_panels(request))
