"""The office's day at a glance on the Wagtail admin home: one panel per kind of work, each leading to where it is done.

An app adds a kind of work with a function for the ``register_work_panel``
hook; it gets the request and returns a `WorkPanel` (or None):

    @hooks.register(WORK_PANEL_HOOK)
    def letters_to_send(request):
        return LettersPanel(request)

    class LettersPanel(WorkPanel):
        name = "brieven"
        title = _("Brieven te versturen")
        permission = "carepath.change_letter"
        order = 60

        def get_work(self):
            waiting = Letter.objects.filter(sent_at__isnull=True)
            return Work(count=waiting.count(), summary=..., url=reverse(...), link_text=_("Naar de brieven"))

A panel shows only to users with its `permission`. `get_work` must ask the
database a fixed number of times, whatever the amount of work (count, and
a few lines with `[:MAX_LINES]`), so the admin home stays fast; and it shows
no participant's name or address, so opening the home page needs no entry
in the access log.
"""

from dataclasses import dataclass, field

from wagtail import hooks
from wagtail.admin.ui.components import Component

WORK_PANEL_HOOK = "register_work_panel"
MAX_LINES = 5


@dataclass
class WorkLine:
    text: str
    url: str = ""
    note: str = ""


@dataclass
class Work:
    """How much work there is, in a sentence, a few examples, and the screen where it is done."""

    count: int
    summary: str
    url: str
    link_text: str
    lines: list = field(default_factory=list)


class WorkPanel(Component):
    """One kind of work on the admin home. Subclasses set `name`, `title`, `permission`, `order` and `get_work`."""

    template_name = "home/dashboard/work_card.html"
    name = ""
    title = ""
    permission = None
    order = 50

    def __init__(self, request):
        self.request = request

    def is_shown(self):
        return self.permission is None or self.request.user.has_perm(self.permission)

    def get_work(self):
        raise NotImplementedError

    def get_context_data(self, parent_context=None):
        return {"panel": self, "work": self.get_work()}


def work_panels(request):
    """The work panels of every app that this user may see, in their order."""
    panels = [make(request) for make in hooks.get_hooks(WORK_PANEL_HOOK)]
    return sorted((panel for panel in panels if panel is not None and panel.is_shown()), key=lambda p: p.order)


class WorkOverview(Component):
    """The panel "Vandaag te doen" on the admin home: every work panel the user may see, side by side."""

    template_name = "home/dashboard/work_overview.html"
    # Wagtail's own panels (pages to moderate, recent edits) have order 200 and up; this comes first.
    order = 10

    class Media:
        css = {"all": ["css/work_panels.css"]}

    def __init__(self, panels):
        self.panels = panels

    def get_context_data(self, parent_context=None):
        return {"panels": self.panels}
