from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils.translation import gettext as _
from wagtail.models import Page

from courses.models import CoursePage
from resources.models import FactsheetPage, ToolkitPage

MAX_QUERY_LENGTH = 100
RESULTS_PER_PAGE = 10


def search(request):
    """Site search over trainings, factsheets and toolkits."""
    query = request.GET.get("q", "").strip()
    error = None
    page = None
    if len(query) > MAX_QUERY_LENGTH:
        error = _("Uw zoekvraag is te lang. Gebruik maximaal %(max)s tekens.") % {"max": MAX_QUERY_LENGTH}
    elif query:
        results = (
            Page.objects.live()
            .public()
            .type(CoursePage, FactsheetPage, ToolkitPage)
            .specific()
            .search(query, operator="or")
        )
        page = Paginator(results, RESULTS_PER_PAGE).get_page(request.GET.get("pagina"))
    return render(request, "home/search.html", {"query": query, "results": page, "error": error})
