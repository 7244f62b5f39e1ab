"""Home app models: the home page and standard pages; the organisation settings live in ``home.organisation``."""

import functools

from django.db import models
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel, PageChooserPanel
from wagtail.fields import StreamField
from wagtail.models import Orderable, Page
from wagtail.search import index
from wagtail.url_routing import RouteResult

from booking.services import page_state
from courses.forms import CourseFilterForm
from courses.models import CourseIndexPage, CoursePage
from groepswijzer import page_cache

from .blocks import BodyBlock
from .languages import localized, localized_page, originals
from .organisation import OrganisationSettings

__all__ = ["HomePage", "HomePageFeaturedCourse", "OrganisationSettings", "StandardPage"]


class HomePage(page_cache.PageFromCache, Page):
    intro = models.TextField(
        _("introductie"), max_length=400, help_text=_("In twee zinnen: wat biedt deze site en voor wie?")
    )
    search_title = models.CharField(_("titel zoekblok"), max_length=120, default="Zoek een training bij u in de buurt")
    featured_title = models.CharField(
        _("titel uitgelichte trainingen"), max_length=120, default="Uitgelichte trainingen"
    )
    professionals_title = models.CharField(_("titel voor professionals"), max_length=120, default="Voor professionals")
    professionals_text = models.TextField(_("tekst voor professionals"), max_length=500)
    professionals_page = models.ForeignKey(
        "wagtailcore.Page",
        verbose_name=_("pagina voor professionals"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    body = StreamField(BodyBlock(), blank=True, verbose_name=_("inhoud"))

    content_panels = Page.content_panels + [
        FieldPanel("intro"),
        FieldPanel("search_title"),
        MultiFieldPanel(
            [FieldPanel("featured_title"), InlinePanel("featured_courses", label=_("Training"), max_num=6)],
            heading=_("Uitgelicht"),
        ),
        MultiFieldPanel(
            [
                FieldPanel("professionals_title"),
                FieldPanel("professionals_text"),
                PageChooserPanel("professionals_page"),
            ],
            heading=_("Voor professionals"),
        ),
        FieldPanel("body"),
    ]

    search_fields = Page.search_fields + [index.SearchField("intro")]
    max_count = 1
    parent_page_types = ["wagtailcore.Page"]
    subpage_types = [
        "courses.CourseIndexPage",
        "resources.ProfessionalsIndexPage",
        "home.StandardPage",
        "news.NewsIndexPage",
    ]

    class Meta:
        verbose_name = _("startpagina")

    def page_cache_dependencies(self, request):
        # Featured courses may show their places; to be safe, as every list of courses.
        return (page_cache.BOOKING,), page_state.next_change()

    # The route below is Wagtail's whenever Wagtail's finds a page (groepswijzer.routing may remember it).
    routes_by_path = True

    def route(self, request, path_components):
        """The page at this address, in the visitor's language when it has a version in it.

        Wagtail routes an English visitor through the English home page. The pages under it are the ones an
        editor translated; every other address (a Dutch one) still shows its page: the English version when
        there is one, else the Dutch page in the English frame. The same the other way round.
        """
        try:
            return super().route(request, path_components)
        except Http404:
            if not path_components:
                raise
            for other in self.get_translations().specific():
                try:
                    found = super(HomePage, other).route(request, path_components)
                except Http404:
                    continue
                # The address is of the other language; the page itself may have a version in this one.
                translated = found.page.get_translation_or_none(self.locale_id)
                if translated is not None and translated.live:
                    return RouteResult(translated.specific, found.args, found.kwargs)
                return found
            raise

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        # Both are looked up by the template only when its fragment is not in the cache (callables, called once).
        context["course_index"] = functools.cache(
            lambda: localized_page(originals(CourseIndexPage.objects.live().public()).first())
        )
        context["filter_form"] = CourseFilterForm(prefix=None)
        context["featured"] = functools.cache(self.featured)
        return context

    def featured(self):
        """The featured courses, in the editor's order: one query for all of them (with their themes).

        A translated home page names the same (Dutch) courses; each is shown in the visitor's language where an
        editor translated it.
        """
        order = [item.course_id for item in self.featured_courses.all()]
        courses = CoursePage.objects.live().public().filter(pk__in=order).prefetch_related("themes")
        return localized(sorted(courses, key=lambda course: order.index(course.pk)))


class HomePageFeaturedCourse(Orderable):
    page = ParentalKey(HomePage, on_delete=models.CASCADE, related_name="featured_courses")
    course = models.ForeignKey(
        "courses.CoursePage", verbose_name=_("training"), on_delete=models.CASCADE, related_name="+"
    )

    panels = [PageChooserPanel("course")]


class StandardPage(page_cache.PageFromCache, Page):
    """About, privacy statement, accessibility statement, colophon and the like."""

    intro = models.TextField(_("introductie"), blank=True, max_length=500)
    body = StreamField(BodyBlock(), verbose_name=_("inhoud"))

    content_panels = Page.content_panels + [FieldPanel("intro"), FieldPanel("body")]
    search_fields = Page.search_fields + [index.SearchField("intro"), index.SearchField("body")]
    parent_page_types = ["home.HomePage", "home.StandardPage"]
    subpage_types = ["home.StandardPage"]

    class Meta:
        verbose_name = _("standaardpagina")
