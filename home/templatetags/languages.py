from django import template
from django.conf import settings
from django.utils import translation
from django.utils.html import format_html
from wagtail.models import Page

from home.languages import language_of, switch_choices

register = template.Library()


def _lang_attribute(code):
    return format_html(' lang="{}"', code) if code != translation.get_language() else ""


@register.filter
def only_in_dutch(page):
    """True for a Wagtail page shown in Dutch in another language's frame (nobody translated it)."""
    if not isinstance(page, Page) or page.pk is None:
        return False
    return language_of(page) == settings.LANGUAGE_CODE != translation.get_language()


@register.filter
def content_lang(page):
    """` lang="nl"` on a page's own text when it is in another language than the page around it (WCAG 3.1.2)."""
    return _lang_attribute(language_of(page))


@register.simple_tag
def site_content_lang():
    """` lang="nl"` on text that only exists in the site's language (settings, themes, trainers) in an English page."""
    return _lang_attribute(settings.LANGUAGE_CODE)


@register.inclusion_tag("includes/language_switch.html", takes_context=True)
def language_switch(context):
    """The switch to the other language, leading back to this page (its translation when there is one)."""
    request = context.get("request")
    if request is None:
        return {"choices": []}
    return {"choices": switch_choices(request, context.get("page")), "request": request}
