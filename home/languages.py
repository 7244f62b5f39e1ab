"""Pages in more than one language (Wagtail's i18n) and the language switch.

The Dutch page is the original: groups, waiting lists, referrals and figures belong to it. An editor may
translate a page (Wagtail's "Vertalen"); the English copy then shows the same groups, because everything
that counts or books goes through `original(page)`. A page that nobody translated is shown as it is (Dutch)
to an English visitor, in the English frame of the site.
"""

from django.conf import settings
from django.utils import translation
from django.utils.translation import get_language_info
from wagtail.models import Locale, Page, PageViewRestriction

from groepswijzer import page_cache


def site_language():
    return settings.LANGUAGE_CODE


def in_site_language():
    """True when the visitor reads the site in its own language (Dutch): nothing to translate."""
    return translation.get_language() == settings.LANGUAGE_CODE


def default_locale():
    """The site language's Locale (kept per content generation: a saved locale replaces it)."""
    pk, code = page_cache.per_content("default-locale", _default_locale_row)
    return Locale.from_db(None, ["id", "language_code"], [pk, code])


def _default_locale_row():
    locale = Locale.get_default()
    return locale.pk, locale.language_code


def public(pages):
    """``pages.public()``, without asking for the view restrictions while no page has one (kept per content
    generation: a saved or deleted restriction replaces it)."""
    if page_cache.per_content("no-view-restrictions", lambda: not PageViewRestriction.objects.exists()):
        return pages
    return pages.public()


def originals(pages):
    """Only the originals of `pages` (a page queryset): one copy of each page, whatever was translated."""
    return pages.filter(locale__language_code=settings.LANGUAGE_CODE)


def one_copy_each(pages):
    """`pages` with one copy of each page: the visitor's language where translated, else the original.

    Filters on locale ids and page ids only, so the result can still be searched (a search backend filters
    on a page's own indexed fields, not on those of a related locale).
    """
    current = translation.get_language()
    locales = dict(
        Locale.objects.filter(language_code__in={current, settings.LANGUAGE_CODE}).values_list("language_code", "pk")
    )
    if in_site_language() or current not in locales:
        return pages.filter(locale=locales.get(settings.LANGUAGE_CODE))
    translated = Page.objects.live().filter(locale=locales[current]).values_list("translation_key", flat=True)
    hidden = Page.objects.filter(locale=locales[settings.LANGUAGE_CODE], translation_key__in=list(translated))
    return pages.filter(locale__in=list(locales.values())).exclude(pk__in=list(hidden.values_list("pk", flat=True)))


def original(page):
    """The Dutch page that `page` translates (the page itself when it is Dutch or has no Dutch original)."""
    if page is None or page.pk is None:
        return page
    locale = default_locale()
    if page.locale_id == locale.pk:
        return page
    found = page.get_translation_or_none(locale)
    return found.specific if found is not None else page


def translations_in(pages, language_code=None):
    """{translation_key: live page} of the translations of `pages` into `language_code` (the active language)."""
    language_code = language_code or translation.get_language()
    keys = [page.translation_key for page in pages]
    if not keys:
        return {}
    found = Page.objects.live().filter(translation_key__in=keys, locale__language_code=language_code).specific()
    return {page.translation_key: page for page in found}


def localized(pages):
    """`pages` with each one replaced by its live translation into the active language, where there is one.

    In the site's own language `pages` comes back as it was given (a queryset stays lazy).
    """
    if in_site_language():
        return pages
    pages = list(pages)
    found = translations_in(pages)
    return [found.get(page.translation_key, page) for page in pages]


def localized_page(page):
    """One page in the active language when translated and live, else the page itself."""
    if page is None:
        return page
    return localized([page])[0]


def page_in(page, language_code):
    """The page to show someone who switches to `language_code` on `page`: its translation, else the original."""
    found = translations_in([page], language_code).get(page.translation_key)
    return found or original(page)


# Locale ids and their language codes: a handful of rows that hardly ever change, read again when an id is new.
_LANGUAGE_OF_LOCALE = {}


def language_of(page):
    """The language of a page's content (its locale's), without a query per page."""
    locale_id = getattr(page, "locale_id", None)
    if locale_id is None:
        return settings.LANGUAGE_CODE
    if locale_id not in _LANGUAGE_OF_LOCALE:
        _LANGUAGE_OF_LOCALE.clear()
        _LANGUAGE_OF_LOCALE.update(Locale.objects.values_list("pk", "language_code"))
    return _LANGUAGE_OF_LOCALE.get(locale_id, settings.LANGUAGE_CODE)


def switch_choices(request, page=None):
    """The other languages, each with the address of this page in it (the query string kept)."""
    current = translation.get_language()
    choices = []
    for code, _name in settings.LANGUAGES:
        if code == current:
            continue
        next_url = request.get_full_path()
        if isinstance(page, Page) and page.pk:
            target_url = page_in(page, code).get_url(request=request)
            if target_url:
                query = request.META.get("QUERY_STRING", "")
                next_url = f"{target_url}?{query}" if query else target_url
        choices.append({"code": code, "name": get_language_info(code)["name_local"], "next": next_url})
    return choices
