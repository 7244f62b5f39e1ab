from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel, InlinePanel
from wagtail.fields import StreamField
from wagtail.models import Orderable, Page
from wagtail.search import index

from groepswijzer import page_cache
from home.blocks import BodyBlock
from home.languages import localized, original

from . import access

NOT_IN_PROFESSIONAL_COLLECTION = _(
    "Dit document staat niet in de collectie ‘Voor professionals’, dus iedereen kan het openen. "
    "Zet het eerst in die collectie (bij Documenten), of upload het daar opnieuw."
)


class ProfessionalsIndexPage(Page):
    """'Voor professionals': the way in for POH-GGZ, GPs and psychologists."""

    intro = models.TextField(_("introductie"), max_length=600)
    body = StreamField(BodyBlock(), blank=True, verbose_name=_("inhoud"))

    content_panels = Page.content_panels + [FieldPanel("intro"), FieldPanel("body")]
    parent_page_types = ["home.HomePage"]
    subpage_types = ["resources.FactsheetPage", "resources.ToolkitPage", "events.TrainingDayIndexPage"]
    max_count = 1

    class Meta:
        verbose_name = _("overzicht voor professionals")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        # The Dutch overview's pages, each in the visitor's language where an editor translated it.
        children = localized(original(self).get_children().live().public().specific().order_by("title"))
        context["factsheets"] = [page for page in children if isinstance(page, FactsheetPage)]
        context["toolkits"] = [page for page in children if isinstance(page, ToolkitPage)]
        # Other sections below this page (training days for professionals), linked by their title.
        context["sections"] = [page for page in children if not isinstance(page, FactsheetPage | ToolkitPage)]
        context["has_access"] = access.can_open_professional_content(request.user)
        return context


class FactsheetPage(page_cache.PageFromCache, Page):
    class Audience(models.TextChoices):
        EVERYONE = "everyone", _("Iedereen")
        PROFESSIONALS = "professionals", _("Alleen professionals")

    topic = models.CharField(_("onderwerp"), max_length=120)
    audience = models.CharField(_("voor wie"), max_length=20, choices=Audience.choices, default=Audience.EVERYONE)
    summary = models.TextField(_("samenvatting"), max_length=400)
    last_reviewed = models.DateField(_("laatst gecontroleerd op"))
    body = StreamField(BodyBlock(), verbose_name=_("inhoud"))
    pdf = models.ForeignKey(
        "wagtaildocs.Document",
        verbose_name=_("pdf-versie"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    content_panels = Page.content_panels + [
        FieldPanel("topic"),
        FieldPanel("audience"),
        FieldPanel("summary"),
        FieldPanel("last_reviewed"),
        FieldPanel("body"),
        FieldPanel("pdf"),
    ]
    search_fields = Page.search_fields + [
        index.SearchField("topic", boost=2),
        index.SearchField("summary"),
        index.SearchField("body"),
        index.FilterField("audience"),
    ]
    parent_page_types = ["resources.ProfessionalsIndexPage"]
    subpage_types = []

    class Meta:
        verbose_name = _("factsheet")
        verbose_name_plural = _("factsheets")

    @property
    def for_professionals_only(self):
        return self.audience == self.Audience.PROFESSIONALS

    def clean(self):
        super().clean()
        if self.for_professionals_only and self.pdf_id and not access.is_professional_document(self.pdf):
            raise ValidationError({"pdf": NOT_IN_PROFESSIONAL_COLLECTION})

    def serve(self, request, *args, **kwargs):
        if self.for_professionals_only:
            denied = access.deny_response(request, self)
            if denied is not None:
                return denied
        return super().serve(request, *args, **kwargs)


class ToolkitPage(Page):
    """A set of documents for professionals: the page is public, the documents are not."""

    introduction = models.TextField(_("introductie"), max_length=800)
    body = StreamField(BodyBlock(), blank=True, verbose_name=_("inhoud"))

    content_panels = Page.content_panels + [
        FieldPanel("introduction"),
        InlinePanel("documents", label=_("Document"), min_num=1),
        FieldPanel("body"),
    ]
    search_fields = Page.search_fields + [
        index.SearchField("introduction", boost=2),
        index.SearchField("body"),
        index.RelatedFields("documents", [index.SearchField("title"), index.SearchField("description")]),
    ]
    parent_page_types = ["resources.ProfessionalsIndexPage"]
    subpage_types = []

    class Meta:
        verbose_name = _("toolkit")
        verbose_name_plural = _("toolkits")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["has_access"] = access.can_open_professional_content(request.user)
        context["toolkit_documents"] = self.documents.select_related("document")
        return context


class ToolkitDocument(Orderable):
    page = ParentalKey(ToolkitPage, on_delete=models.CASCADE, related_name="documents")
    title = models.CharField(_("titel"), max_length=150)
    description = models.TextField(_("omschrijving"), max_length=400)
    document = models.ForeignKey(
        "wagtaildocs.Document", verbose_name=_("document"), on_delete=models.PROTECT, related_name="+"
    )

    panels = [FieldPanel("title"), FieldPanel("description"), FieldPanel("document")]

    class Meta(Orderable.Meta):
        verbose_name = _("document in toolkit")
        verbose_name_plural = _("documenten in toolkit")

    def __str__(self):
        return self.title

    def clean(self):
        super().clean()
        if self.document_id and not access.is_professional_document(self.document):
            raise ValidationError({"document": NOT_IN_PROFESSIONAL_COLLECTION})
