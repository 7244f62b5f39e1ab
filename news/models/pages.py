"""News: an index page and the news items below it, some for everyone and some for professionals only."""

from django.core.paginator import Paginator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.fields import StreamField
from wagtail.models import Page
from wagtail.search import index

from home.blocks import BodyBlock
from home.languages import one_copy_each, originals
from resources import access
from resources.models import FactsheetPage

PER_PAGE = 10
LATEST = 3


def _today():
    return timezone.localdate()


class NewsIndexPage(Page):
    """'Nieuws': every news item the visitor may read, newest first, with the feeds and the newsletter."""

    intro = models.TextField(_("introductie"), max_length=500, blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro")]
    search_fields = Page.search_fields + [index.SearchField("intro")]
    parent_page_types = ["home.HomePage"]
    subpage_types = ["news.NewsPage"]
    max_count = 1

    class Meta:
        verbose_name = _("nieuwsoverzicht")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        items = NewsPage.visible_to(request.user).descendant_of(self)
        context["news_items"] = Paginator(items, PER_PAGE).get_page(request.GET.get("pagina"))
        context["has_access"] = access.can_open_professional_content(request.user)
        return context


class NewsPage(Page):
    """One news item. Professional news follows the rule for professional content (``resources.access``)."""

    # The same two audiences as factsheets, with the same rule behind them.
    Audience = FactsheetPage.Audience

    date = models.DateField(_("datum"), default=_today)
    summary = models.TextField(
        _("samenvatting"), max_length=300, help_text=_("Eén of twee zinnen. Staat in het overzicht en in de feed.")
    )
    image = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("afbeelding"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    audience = models.CharField(_("voor wie"), max_length=20, choices=Audience.choices, default=Audience.EVERYONE)
    body = StreamField(BodyBlock(), verbose_name=_("inhoud"))

    content_panels = Page.content_panels + [
        FieldPanel("date"),
        FieldPanel("audience"),
        FieldPanel("summary"),
        FieldPanel("image"),
        FieldPanel("body"),
    ]
    search_fields = Page.search_fields + [
        index.SearchField("summary", boost=2),
        index.SearchField("body"),
        index.FilterField("audience"),
        index.FilterField("date"),
    ]
    parent_page_types = ["news.NewsIndexPage"]
    subpage_types = []

    class Meta:
        verbose_name = _("nieuwsbericht")
        verbose_name_plural = _("nieuwsberichten")

    @property
    def for_professionals_only(self):
        return self.audience == self.Audience.PROFESSIONALS

    @classmethod
    def published(cls):
        return cls.objects.live().public().order_by("-date", "-first_published_at", "-pk")

    @classmethod
    def public_news(cls):
        """What anyone may read: the feeds, the home page, the patients' newsletter."""
        return cls.published().filter(audience=cls.Audience.EVERYONE)

    @classmethod
    def public_originals(cls):
        """Public news in the site's own language, each item once (the feeds: translated copies are not new items)."""
        return originals(cls.public_news())

    @classmethod
    def visible_to(cls, user):
        """Everything `user` may read: professional news too when the rule for professional content lets them."""
        if access.can_open_professional_content(user):
            return cls.published()
        return cls.public_news()

    @classmethod
    def latest(cls, user, *, professional_page=False, count=LATEST):
        """The newest items for a teaser. Professional news only on the professionals' page, for those with access."""
        items = cls.visible_to(user) if professional_page else cls.public_news()
        # A translated item is one item: shown once, in the visitor's language where there is a copy in it.
        return list(one_copy_each(items).select_related("image")[:count])

    def serve(self, request, *args, **kwargs):
        if self.for_professionals_only:
            denied = access.deny_response(request, self)
            if denied is not None:
                return denied
        return super().serve(request, *args, **kwargs)

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["news_index"] = self.get_parent().specific
        return context
