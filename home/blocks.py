"""The one StreamBlock every page body uses; each block renders through its own template."""

from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.images.blocks import ImageBlock


class HeadingBlock(blocks.StructBlock):
    text = blocks.CharBlock(label=_("Tekst"), max_length=120)
    level = blocks.ChoiceBlock(label=_("Niveau"), choices=[("h2", _("Kop 2")), ("h3", _("Kop 3"))], default="h2")

    class Meta:
        icon = "title"
        label = _("Tussenkop")
        template = "blocks/heading.html"
        description = _("Een kop die de tekst eronder in stukken deelt.")
        preview_value = {"text": "Wat kunt u verwachten?", "level": "h2"}


class QuestionBlock(blocks.StructBlock):
    question = blocks.CharBlock(label=_("Vraag"), max_length=200)
    answer = blocks.RichTextBlock(label=_("Antwoord"), features=["bold", "italic", "link", "ul", "ol"])


class FAQBlock(blocks.StructBlock):
    title = blocks.CharBlock(label=_("Titel"), required=False, default="Veelgestelde vragen")
    questions = blocks.ListBlock(QuestionBlock(), label=_("Vragen"), min_num=1)

    class Meta:
        icon = "help"
        label = _("Veelgestelde vragen")
        template = "blocks/faq.html"
        description = _("Vragen en antwoorden die de bezoeker kan openklappen.")
        preview_value = {
            "title": "Veelgestelde vragen",
            "questions": [{"question": "Moet ik iets voorbereiden?", "answer": "<p>Nee, u kunt gewoon komen.</p>"}],
        }


class QuoteBlock(blocks.StructBlock):
    text = blocks.TextBlock(label=_("Citaat"))
    attribution = blocks.CharBlock(label=_("Van wie"), required=False, max_length=120)

    class Meta:
        icon = "openquote"
        label = _("Citaat")
        template = "blocks/quote.html"
        description = _("Een ervaring van een deelnemer of verwijzer, in eigen woorden.")
        preview_value = {"text": "Ik merkte dat ik niet de enige was.", "attribution": "Deelnemer Mentaal Fit"}


class CallToActionBlock(blocks.StructBlock):
    text = blocks.CharBlock(label=_("Tekst op de knop"), max_length=80)
    page = blocks.PageChooserBlock(label=_("Pagina"))

    class Meta:
        icon = "link"
        label = _("Knop naar een pagina")
        template = "blocks/call_to_action.html"
        description = _("Een duidelijke knop naar een andere pagina van de site.")


class BodyBlock(blocks.StreamBlock):
    heading = HeadingBlock()
    paragraph = blocks.RichTextBlock(
        label=_("Tekst"),
        icon="pilcrow",
        features=["bold", "italic", "link", "document-link", "ul", "ol"],
        template="blocks/paragraph.html",
        description=_("Gewone tekst met eventueel opsommingen en links."),
        preview_value="<p>In de groep oefent u met ontspanning en grenzen stellen.</p>",
    )
    image = ImageBlock(
        label=_("Afbeelding"), template="blocks/image.html", description=_("Een foto of illustratie met beschrijving.")
    )
    quote = QuoteBlock()
    faq = FAQBlock()
    call_to_action = CallToActionBlock()
