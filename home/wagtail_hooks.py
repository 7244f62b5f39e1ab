"""The admin home: the office's work (``home.dashboard``) above Wagtail's own panels."""

from wagtail import hooks

from home.dashboard import WorkOverview, work_panels


@hooks.register("construct_homepage_panels")
def add_work_overview(request, panels):
    found = work_panels(request)
    if found:
        panels.append(WorkOverview(found))
