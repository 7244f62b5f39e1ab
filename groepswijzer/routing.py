"""Wagtail's page routing in one query for the addresses a process has seen, exact under the content generation.

Wagtail finds a page by walking the tree: for every part of the address the child with that slug, then its
specific page (two queries a level), then the page's view restrictions (two more). A course page costs nine
queries before any of its own. The answer only changes when content changes (a page saved, published,
unpublished or moved, a view restriction, a site or a locale), and every such change replaces the content
generation (``groepswijzer.page_cache.CONTENT``, see ``home.page_changes``). So a process remembers, per
generation, site, language and address, which page Wagtail's walk ends at and whether any view restriction
applies to it; a request with the same generation then reads only that specific page (still requiring it to
be live), and Wagtail's serve view does the rest as always (hooks, the privacy check, the request method).

What the walk would do differently is never taken from memory: an address is remembered only when Wagtail's
own route (``Page.route``, or a ``route`` marked ``routes_by_path`` because it only adds a fallback when the
walk finds nothing) leads to a live page through every level. Everything else (a draft, a missing page, an
English address of a Dutch page, a page type with its own routing, a request without generations when no
cache is configured) is routed by Wagtail itself, each time.
"""

import threading
from collections import OrderedDict

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.http import Http404
from django.http.request import split_domain_port
from django.utils import translation
from wagtail import views as wagtail_views
from wagtail.coreutils import get_supported_content_language_variant
from wagtail.models import Locale, Page, Site
from wagtail.url_routing import RouteResult

from groepswijzer import page_cache

# Addresses remembered by this process (all generations together; older ones are never asked for again).
_ROUTES_KEPT = 2000
_routes = OrderedDict()
_lock = threading.Lock()
NOT_KNOWN = object()


def forget_routes():
    """Empty this process's memory of routes (tests that empty the cache between them)."""
    with _lock:
        _routes.clear()


def _remember(key, value):
    with _lock:
        _routes[key] = value
        _routes.move_to_end(key)
        while len(_routes) > _ROUTES_KEPT:
            _routes.popitem(last=False)


def _recall(key):
    with _lock:
        value = _routes.get(key, NOT_KNOWN)
        if value is not NOT_KNOWN:
            _routes.move_to_end(key)
        return value


def routes_by_path(cls):
    """Whether pages of `cls` route to their children as Wagtail's own ``Page.route`` does when the child exists."""
    for klass in cls.__mro__:
        if "route" in vars(klass):
            return vars(klass)["route"] is Page.route or vars(klass).get("routes_by_path", False)
    return False


def _model(content_type_id):
    return ContentType.objects.get_for_id(content_type_id).model_class()


def _active_locale_id(locales):
    """The id of the locale Wagtail's ``Locale.get_active()`` finds, from {language code: id}; None if none."""
    for language in (translation.get_language(), settings.LANGUAGE_CODE):
        try:
            code = get_supported_content_language_variant(language) if language else None
        except LookupError:
            code = None
        if code in locales:
            return locales[code]
    return None


def _walk(site, path_components):
    """(id, content type id, url path) of the live page Wagtail's route reaches through pages routing by path, or None.

    Reads the locales, the site's home page and its translations, and the pages on the way (three queries).
    """
    locales = dict(Locale.objects.values_list("language_code", "pk"))
    root = site.root_page
    translations = {
        row["locale_id"]: row
        for row in Page.objects.filter(translation_key=root.translation_key).values(
            "pk", "locale_id", "live", "url_path", "path", "depth", "content_type_id"
        )
    }
    active = _active_locale_id(locales)
    if active is None or root.locale_id not in translations:
        return None
    # `site.root_page.localized`: its live translation into the active language, else the page itself.
    start = translations.get(active) if active != root.locale_id else None
    if start is None or not start["live"]:
        start = translations[root.locale_id]
    wanted = [start["url_path"]]
    for component in path_components:
        wanted.append(f"{wanted[-1]}{component}/")
    found = {}
    for row in Page.objects.filter(url_path__in=wanted).values(
        "pk", "url_path", "live", "path", "depth", "content_type_id"
    ):
        if row["url_path"] in found:
            return None  # two pages at one address: leave it to Wagtail
        found[row["url_path"]] = row
    chain = [found.get(url_path) for url_path in wanted]
    if any(row is None for row in chain) or chain[0]["pk"] != start["pk"]:
        return None
    for parent, child in zip(chain, chain[1:], strict=False):
        if child["depth"] != parent["depth"] + 1 or not child["path"].startswith(parent["path"]):
            return None
    for row in chain:
        model = _model(row["content_type_id"])
        if model is None or not routes_by_path(model):
            return None
    target = chain[-1]
    if not target["live"]:
        return None
    return target["pk"], target["content_type_id"], target["url_path"]


def _fetch(page_id, content_type_id, url_path):
    """The specific page, while it is live at the same place in the tree (one query)."""
    model = _model(content_type_id)
    return model._default_manager.filter(pk=page_id, live=True, url_path=url_path).first()


def _values(instance):
    return [getattr(instance, field.attname) for field in type(instance)._meta.concrete_fields]


def _rebuilt(model, values):
    return model.from_db(None, [field.attname for field in model._meta.concrete_fields], values)


def _site(request, token):
    """Wagtail's ``Site.find_for_request`` (the site and its home page), remembered per host and generation."""
    if hasattr(request, "_wagtail_site"):
        return request._wagtail_site
    key = ("site", token, split_domain_port(request._get_raw_host())[0], request.get_port())
    known = _recall(key)
    if known is NOT_KNOWN:
        site = Site.find_for_request(request)
        if site is not None:
            _remember(key, (_values(site), _values(site.root_page)))
        return site
    site = _rebuilt(Site, known[0])
    site.root_page = _rebuilt(Page, known[1])
    request._wagtail_site = site
    return site


def site_for(request):
    """``Site.find_for_request``: from this process's memory while the request read the content generation."""
    tokens = getattr(request, "_page_generations", None)
    if not tokens or page_cache.CONTENT not in tokens:
        return Site.find_for_request(request)
    return _site(request, tokens[page_cache.CONTENT])


def route(request, path):
    """The RouteResult Wagtail's route gives for `path`, found in one query; None to let Wagtail route it."""
    tokens = getattr(request, "_page_generations", None)
    if not tokens or page_cache.CONTENT not in tokens or getattr(request, "is_dummy", False):
        return None
    site = _site(request, tokens[page_cache.CONTENT])
    if site is None:
        return None
    components = [component for component in path.split("/") if component]
    key = (tokens[page_cache.CONTENT], site.pk, translation.get_language(), tuple(components))
    known = _recall(key)
    if known is NOT_KNOWN:
        walked = _walk(site, components)
        if walked is None:
            _remember(key, None)
            return None
        page = _fetch(*walked)
        if page is None:
            return None
        # Wagtail's privacy check asks for the restrictions of the page and its ancestors: two queries. Remembered
        # as "none" only when there are none; a restricted page is always checked by Wagtail.
        unrestricted = not page.get_view_restrictions().exists()
        known = (*walked, unrestricted)
        _remember(key, known)
    elif known is None:
        return None
    else:
        page = _fetch(*known[:3])
        if page is None:
            return None
    if known[3]:
        page._no_view_restrictions = True
    # `page.url` (without the request) asks for them on the page itself.
    page._wagtail_cached_site_root_paths = _site_root_paths()
    return RouteResult(page)


def _site_root_paths():
    return page_cache.per_content("site-root-paths", lambda: tuple(Site.get_site_root_paths()))


def remember_site_root_paths(request):
    """Wagtail's ``Site.get_site_root_paths`` for this request (every page link asks for it), kept per content
    generation: Wagtail reads it from the cache (a round trip to Redis per request). Sites, home pages and
    locales are content: a change to them replaces the generation."""
    tokens = getattr(request, "_page_generations", None)
    if tokens and page_cache.CONTENT in tokens and not hasattr(request, "_wagtail_cached_site_root_paths"):
        request._wagtail_cached_site_root_paths = _site_root_paths()


def page_url(request, page):
    """``{% pageurl page %}`` (``page.get_url(request)``), kept per content generation, site address and language:
    a URL depends only on the sites, the pages' places in the tree and the language, which are all content."""
    tokens = getattr(request, "_page_generations", None) if request is not None else None
    if not tokens or page_cache.CONTENT not in tokens or page.pk is None or getattr(request, "is_preview", False):
        return page.get_url(request=request)
    key = ("page-url", page.pk, page.url_path, request.scheme, request.get_host(), translation.get_language())
    return page_cache.per_content(key, lambda: page.get_url(request=request))


def serve(request, path):
    """Wagtail's serve view, with the route found by `route` when it can be."""
    remember_site_root_paths(request)
    if not hasattr(request, "_wagtail_route_for_request"):
        try:
            found = route(request, path)
        except Http404:
            found = None
        if found is not None:
            request._wagtail_route_for_request = found
    return wagtail_views.serve(request, path)
