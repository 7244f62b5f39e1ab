import re
import unicodedata

from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils.translation import gettext as _
from wagtail.models import Page

from courses.models import CoursePage
from home.languages import one_copy_each
from resources.access import can_open_professional_content
from resources.models import FactsheetPage, ToolkitPage

MAX_QUERY_LENGTH = 100
RESULTS_PER_PAGE = 10
# Words are what we search for; quotes, brackets, stars and the like are search-engine syntax
# (SQLite's full-text search chokes on an unbalanced quote), so they are left out.
WORD = re.compile(r"\w+")


def readable(text):
    """The typed text without control characters (a NUL cannot even be sent to PostgreSQL)."""
    return "".join(char for char in text if unicodedata.category(char)[0] != "C" or char in " \t")


def search_words(query):
    """The words of a query, joined by spaces: what the search backend gets to see."""
    return " ".join(WORD.findall(query))


def searchable_pages(user):
    """Pages the site search may show to this person: the same access rule as the pages themselves."""
    pages = one_copy_each(Page.objects.live().public().type(CoursePage, FactsheetPage, ToolkitPage))
    if not can_open_professional_content(user):
        professional_only = FactsheetPage.objects.filter(audience=FactsheetPage.Audience.PROFESSIONALS)
        pages = pages.exclude(id__in=list(professional_only.values_list("id", flat=True)))
    return pages


def search(request):
    """Site search over trainings, factsheets and toolkits."""
    query = readable(request.GET.get("q", "")).strip()
    error = None
    page = None
    if len(query) > MAX_QUERY_LENGTH:
        error = _("Uw zoekvraag is te lang. Gebruik maximaal %(max)s tekens.") % {"max": MAX_QUERY_LENGTH}
    elif query:
        words = search_words(query)
        results = searchable_pages(request.user).specific().search(words, operator="or") if words else []
        page = Paginator(results, RESULTS_PER_PAGE).get_page(request.GET.get("pagina"))
    return render(request, "home/search.html", {"query": query, "results": page, "error": error})
