"""Public pages for anonymous visitors from the site's own cache, with exact invalidation.

How it works (docs/operations.md, "Pages from the cache"):

- **Generations.** A generation is a random token in the cache under a name. What a page shows
  depends on a few of them: every page on ``CONTENT`` (any page, snippet, image or setting saved
  or published), the pages that list all trainings on ``BOOKING`` (any place, group, session,
  stop or waiting-list change anywhere), a course page on ``ALL_COURSES`` (changes that touch
  every course, such as a location) and on its own ``course(id)``. A change replaces the tokens
  of the names it touches, after its transaction committed (``bump``); a stored page is only
  served while every token it was built with is still current.
- **Read before building.** The middleware reads the site-wide tokens as the request arrives,
  before any page data is read, and a course page reads its own token before it reads its groups.
  A change that commits while a page is being built therefore always makes that page stale: a
  token is never newer than the data beside it.
- **Time.** Places also change without a write: a hold runs out, a stop starts or ends, a sign-up
  deadline passes. A page gives the first such moment (``valid_until``); the entry is not served
  after it. ``PAGE_CACHE_SECONDS`` is the longest any entry is kept.
- **Who gets it.** Only GET and HEAD requests that carry no cookie but the CSRF and language
  cookies: no session (so nobody logged in, no sign-up under way, no messages), no cookie we do
  not know. Only 200 responses of views that opt in (``depend_on`` and ``allow``), that set no
  cookie, used no CSRF token and no CSP nonce, and that no browser may store.
- **Where.** The cache is the site's own (``CACHES["default"]``): Redis shared by every web
  process in production. ``PAGE_CACHE`` is on when ``REDIS_URL`` is set: with a cache in local
  memory, one process would never hear of another's change.

A cache that fails (Redis down) makes every request a miss; nothing is stored then.

**Fragments** (``fragment``, the ``{% fragment %}`` tag in ``home.templatetags.fragments``): parts of
a page that are the same for every visitor and change only with the content (the menu, the footer,
a training's card and facts, the finder's form) are kept too, under the same generations, so that
pages that are built (a logged-in visitor, a session, the first request after a change) do not
build them again. Their tokens are the ones the request read as it arrived, so they are exact in the
same way. ``PAGE_FRAGMENT_CACHE`` is on when ``REDIS_URL`` is set, as ``PAGE_CACHE``.
"""

import contextvars
import hashlib
import logging
import secrets
import threading
import time
from collections import OrderedDict

from django.conf import settings
from django.core.cache import cache, caches
from django.core.exceptions import DisallowedHost
from django.http import HttpResponse
from django.utils.cache import get_max_age
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django_redis.cache import RedisCache
from redis.exceptions import RedisError
from wagtail.models import PageViewRestriction

CONTENT = "content"
BOOKING = "booking"
ALL_COURSES = "courses"
# The generations every request reads as it arrives (in the same call as its page).
SITE_WIDE = (CONTENT, BOOKING, ALL_COURSES)

GENERATION_PREFIX = "page-cache:generation:"
ENTRY_PREFIX = "page-cache:page:"
FRAGMENT_PREFIX = "page-cache:fragment:"
HEADER = "X-Cache"
# Response headers that are about this one response, not the page.
NOT_STORED = frozenset({"set-cookie", "x-cache", "date"})
# Where failed cache calls are logged (settings.DJANGO_REDIS_LOGGER).
_cache_log = logging.getLogger("groepswijzer.cache")


def course(course_id):
    """The generation of one course's groups, places, stops and sessions."""
    return f"course:{course_id}"


def enabled():
    return getattr(settings, "PAGE_CACHE", False)


def fragments_enabled():
    return getattr(settings, "PAGE_FRAGMENT_CACHE", False)


def tracking():
    """Whether changes must replace generations: pages or fragments are kept under them."""
    return enabled() or fragments_enabled()


def _token():
    """A fresh generation token: a random whole number (the Redis cache stores it as it is, unpickled)."""
    return secrets.randbits(62)


def bump(*names):
    """Make every stored page that depends on one of `names` stale (call it after the change committed).

    On Redis one ``MSET`` of the new tokens, sent straight to the cache's own connection: one command
    in one round trip, and all names change at once (``MSET`` is atomic), without the pipeline and
    ``MULTI``/``EXEC`` of ``set_many``. The tokens are whole numbers, which the cache stores as they
    are, so ``cache.get_many`` reads them back unchanged. A cache that fails is logged and ignored,
    as every other cache call is (``IGNORE_EXCEPTIONS``).
    """
    if not names:
        return
    tokens = {GENERATION_PREFIX + name: _token() for name in set(names)}
    backend = caches["default"]
    if not isinstance(backend, RedisCache):
        backend.set_many(tokens, timeout=None)
        return
    try:
        backend.client.get_client(write=True).mset({backend.make_key(key): token for key, token in tokens.items()})
    except (RedisError, OSError):
        _cache_log.warning("Page cache generations not replaced: the cache did not answer.", exc_info=True)


def _generations(names, found):
    """The tokens of `names` from `found` (a get_many result), creating those that are missing.

    A missing token (a new cache, or one Redis evicted) gets a fresh random one, so an entry
    stored before it went missing never matches again. None when the cache does not answer.
    """
    tokens = {name: found.get(GENERATION_PREFIX + name) for name in names}
    missing = [name for name, token in tokens.items() if token is None]
    if missing:
        for name in missing:
            cache.add(GENERATION_PREFIX + name, _token(), timeout=None)
        again = cache.get_many([GENERATION_PREFIX + name for name in missing])
        for name in missing:
            tokens[name] = again.get(GENERATION_PREFIX + name)
    if any(token is None for token in tokens.values()):
        return None
    return tokens


def _eligible_request(request):
    # Wagtail's previews run through the middleware with a made-up request for the page's URL.
    if request.method not in ("GET", "HEAD") or getattr(request, "is_dummy", False):
        return False
    harmless = {settings.CSRF_COOKIE_NAME, settings.LANGUAGE_COOKIE_NAME}
    return set(request.COOKIES) <= harmless


def _entry_key(request):
    """Site (scheme, host and port), path, the query string in sorted order, and the language."""
    query = "&".join(sorted(f"{k}={v}" for k in request.GET for v in request.GET.getlist(k)))
    parts = "\n".join([request.scheme, request.get_host(), request.path, query, get_language() or ""])
    return ENTRY_PREFIX + hashlib.sha256(parts.encode()).hexdigest()


class Lookup:
    """One eligible request: the generations read as it arrived, and those its view depends on."""

    def __init__(self, key, tokens):
        self.key = key
        self.tokens = tokens  # name -> token as read; None when the cache did not answer
        self.names = {CONTENT}  # every page shows the menu, so every page depends on the content
        self.valid_until = None
        self.allowed = False

    def depend_on(self, names=(), valid_until=None):
        """Read the tokens of `names` now, before the view reads what they guard; `valid_until` a datetime."""
        self.names.update(names)
        if valid_until is not None:
            moment = valid_until.timestamp()
            self.valid_until = moment if self.valid_until is None else min(self.valid_until, moment)
        if self.tokens is None:
            return
        extra = [name for name in names if name not in self.tokens]
        if extra:
            tokens = _generations(extra, cache.get_many([GENERATION_PREFIX + name for name in extra]))
            if tokens is None:
                self.tokens = None
            else:
                self.tokens.update(tokens)

    def stored_tokens(self):
        return {name: self.tokens[name] for name in self.names}


def lookup_for(request):
    """The Lookup of this request, when it may be served from and stored in the page cache; else None."""
    return getattr(request, "_page_cache", None)


def depend_on(request, names=(), valid_until=None):
    lookup = lookup_for(request)
    if lookup is not None:
        lookup.depend_on(names, valid_until)


def allow(request):
    """The view's response may be stored for anonymous visitors (the middleware checks the rest)."""
    lookup = lookup_for(request)
    if lookup is not None:
        lookup.allowed = True


def _storable(request, response, lookup):
    if not lookup.allowed or lookup.tokens is None or request.method != "GET":
        return False
    if response.status_code != 200 or response.streaming or response.cookies:
        return False
    # A form with a CSRF token, or an inline script with this request's nonce, belongs to one visitor.
    if request.META.get("CSRF_COOKIE_NEEDS_UPDATE") or isinstance(getattr(request, "_csp_nonce", None), str):
        return False
    cache_control = response.get("Cache-Control", "")
    return not ("private" in cache_control or "no-store" in cache_control or get_max_age(response) == 0)


def _store(request, response, lookup):
    lifetime = settings.PAGE_CACHE_SECONDS
    until = time.time() + lifetime
    if lookup.valid_until is not None:
        until = min(until, lookup.valid_until)
        lifetime = int(until - time.time()) + 1
        if until <= time.time():
            return
    entry = {
        "tokens": lookup.stored_tokens(),
        "until": until,
        "status": response.status_code,
        "headers": [(name, value) for name, value in response.items() if name.lower() not in NOT_STORED],
        "content": response.content,
    }
    cache.set(lookup.key, entry, timeout=lifetime)


def _current(entry, found):
    """Whether a stored entry was built with the generations that are current now."""
    if entry["until"] <= time.time():
        return False
    tokens = entry["tokens"]
    others = [name for name in tokens if GENERATION_PREFIX + name not in found]
    if others:
        found = {**found, **cache.get_many([GENERATION_PREFIX + name for name in others])}
    return all(found.get(GENERATION_PREFIX + name) == token for name, token in tokens.items())


def _response_from(entry):
    response = HttpResponse(entry["content"], status=entry["status"])
    for name, value in entry["headers"]:
        response[name] = value
    response[HEADER] = "hit"
    return response


class PageCacheMiddleware:
    """Serves and stores anonymous pages. Sits after the security headers and before sessions:
    a page from the cache gets fresh security headers (and its own CSP) and touches no session."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not enabled() or not _eligible_request(request):
            if fragments_enabled():
                # Read before anything of the page is: fragments built now are never newer than their tokens.
                found = cache.get_many([GENERATION_PREFIX + name for name in SITE_WIDE])
                request._page_generations = _generations(SITE_WIDE, found)
            return self._answer(request)
        try:
            key = _entry_key(request)
        except DisallowedHost:
            return self.get_response(request)
        found = cache.get_many([key, *(GENERATION_PREFIX + name for name in SITE_WIDE)])
        entry = found.get(key)
        if entry is not None and _current(entry, found):
            return _response_from(entry)
        # When the cache does not answer, the page is built and nothing is stored.
        request._page_cache = lookup = Lookup(key, _generations(SITE_WIDE, found))
        request._page_generations = lookup.tokens
        response = self._answer(request)
        if _storable(request, response, lookup):
            _store(request, response, lookup)
            response[HEADER] = "miss"
        return response

    def _answer(self, request):
        marker = _current_generations.set(getattr(request, "_page_generations", None))
        try:
            return self.get_response(request)
        finally:
            _current_generations.reset(marker)


class _Recent:
    """A process's own store of at most `size` values by key: the least recently used goes first. Thread-safe."""

    def __init__(self, size):
        self.size = size
        self._items = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key):
        with self._lock:
            value = self._items.get(key)
            if value is not None:
                self._items.move_to_end(key)
            return value

    def put(self, key, value):
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def forget(self, key):
        with self._lock:
            self._items.pop(key, None)

    def clear(self):
        with self._lock:
            self._items.clear()


# The generations the request being answered read as it arrived (`per_content`).
_current_generations = contextvars.ContextVar("page_generations", default=None)
_per_content = {}
_per_content_lock = threading.Lock()


def per_content(name, compute):
    """``compute()``, kept by this process under the content generation the current request read as it arrived.

    For what only changes with the content (a locale, whether any page has a view restriction): a change to it
    replaces the generation, so the kept value is never older than the request. Outside a request that read
    the generations (no cache configured, a command), ``compute()`` every time. Keep only values that cannot
    be changed by whoever receives them (numbers, strings, tuples).
    """
    return per_generation(CONTENT, name, compute)


def current_generation(generation):
    """The token of `generation` (one of ``SITE_WIDE``) the current request read as it arrived; None outside one."""
    tokens = _current_generations.get()
    return tokens.get(generation) if tokens else None


def per_generation(generation, name, compute):
    """``per_content`` under another of the generations every request reads as it arrives (``SITE_WIDE``):
    ``BOOKING`` for what changes only with a place, group, session, stop or waiting list."""
    token = current_generation(generation)
    if token is None:
        return compute()
    key = (generation, name)
    with _per_content_lock:
        found = _per_content.get(key)
    if found is not None and found[0] == token:
        return found[1]
    value = compute()
    with _per_content_lock:
        _per_content[key] = (token, value)
    return value


# Values that also change by themselves at a known moment (`until_change`), by name: the newest of each, with the
# generations and the moments it holds for.
_until_change = _Recent(500)


def until_change(generations, name, now, compute):
    """``compute(now)`` → ``(value, until)``: the value at `now` and the first moment after which it may be
    another without anything being written (None: none ahead). Kept by this process under the tokens of
    `generations` (of ``SITE_WIDE``) the current request read as it arrived, and given to requests whose `now` is
    from the moment it was computed at until before `until`; else computed again (the newer one is kept).

    For what a change replaces a generation for, and time changes at moments that can be known: a course's page of
    groups (places, holds, stops, deadlines). Outside a request that read the generations, ``compute(now)`` every
    time. The value is shared by every request that gets it: never change it.
    """
    tokens = _current_generations.get()
    if not tokens or any(tokens.get(generation) is None for generation in generations):
        return compute(now)[0]
    wanted = tuple(tokens[generation] for generation in generations)
    found = _until_change.get(name)
    if found is not None:
        kept_tokens, since, until, value = found
        if kept_tokens == wanted and since <= now and (until is None or now < until):
            return value
    value, until = compute(now)
    if found is None or found[0] != wanted or found[1] <= now:
        _until_change.put(name, (wanted, now, until, value))
    return value


class PageFromCache:
    """Mixin for Wagtail pages that anonymous visitors may get from the page cache.

    A page says what it depends on besides ``CONTENT`` in ``page_cache_dependencies``: generation
    names and the first moment it may change by itself. They are read before the page is built.
    """

    def page_cache_dependencies(self, request):
        return (), None

    def get_view_restrictions(self):
        # Routed by groepswijzer.routing, which found that no restriction applies (under the content generation).
        if self.__dict__.get("_no_view_restrictions"):
            return PageViewRestriction.objects.none()
        return super().get_view_restrictions()

    def serve(self, request, *args, **kwargs):
        lookup = lookup_for(request)
        if lookup is not None:
            names, valid_until = self.page_cache_dependencies(request)
            lookup.depend_on(names, valid_until)
        response = super().serve(request, *args, **kwargs)
        allow(request)
        return response


# --- fragments ---------------------------------------------------------------------------------------------

# Fragments this process used last, by key: a key holds the generations it was built with, so an entry here
# is never stale (a change makes new keys); this only saves a round trip to Redis per fragment.
_local = _Recent(500)


def _remember(key, html, until):
    _local.put(key, (until, html))


def _recall(key):
    found = _local.get(key)
    if found is None:
        return None
    if found[0] <= time.time():
        _local.forget(key)
        return None
    return found[1]


def forget_local_fragments():
    """Empty this process's copies (tests that empty the cache between them)."""
    with _per_content_lock:
        _per_content.clear()
    for kept_here in (_local, _until_change, _kept):
        kept_here.clear()


def _fragment_key(request, name, names, vary, tokens):
    parts = [
        name,
        request.scheme,
        request.get_host(),
        get_language() or "",
        *(f"{dependency}={tokens[dependency]}" for dependency in sorted(names)),
        *(repr(value) for value in vary),
    ]
    return FRAGMENT_PREFIX + hashlib.sha256("\n".join(parts).encode()).hexdigest()


def _uses_visitor(request, csrf_before, nonce_before):
    """Whether rendering asked for this visitor's CSRF token or CSP nonce (then it is theirs alone)."""
    csrf_after = request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
    nonce_after = isinstance(getattr(request, "_csp_nonce", None), str)
    return (csrf_after and not csrf_before) or (nonce_after and not nonce_before)


def fragment(request, name, render, *, vary=(), names=(CONTENT,)):
    """The HTML of a fragment: from the cache while the generations in `names` are those the request
    read as it arrived, else `render()` (stored for the next request).

    `vary`: everything else the fragment's HTML depends on (a page's id, the query string…); the
    site, scheme and language are always part of the key. Only for HTML that is the same for every
    visitor: a fragment that asks for a CSRF token or a CSP nonce is not stored. Previews are never
    served from or stored in the cache (a draft has the live page's id).
    """
    tokens = getattr(request, "_page_generations", None) if request is not None else None
    if (
        not fragments_enabled()
        or tokens is None
        or any(dependency not in tokens for dependency in names)
        or getattr(request, "is_preview", False)
        or getattr(request, "is_dummy", False)
    ):
        return render()
    try:
        key = _fragment_key(request, name, names, vary, tokens)
    except DisallowedHost:
        return render()
    html = _recall(key)
    if html is None:
        html = cache.get(key)
        if html is not None:
            _remember(key, html, time.time() + settings.PAGE_FRAGMENT_SECONDS)
    if html is not None:
        return mark_safe(html)  # stored from a rendered template, escaped then
    csrf_before = request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
    nonce_before = isinstance(getattr(request, "_csp_nonce", None), str)
    html = render()
    if not _uses_visitor(request, csrf_before, nonce_before):
        cache.set(key, str(html), timeout=settings.PAGE_FRAGMENT_SECONDS)
        _remember(key, str(html), time.time() + settings.PAGE_FRAGMENT_SECONDS)
    return html


# --- parts kept whole by this process -----------------------------------------------------------------------

# Rendered parts of pages by everything they show (`kept`): the key holds the content generation, so an entry is
# never stale; the oldest go when there are more than 2,000.
_kept = _Recent(2000)


def kept(request, name, render, *, vary):
    """The HTML of a part of a page that shows only the content and the values in `vary`: ``render()`` once, then
    kept by this process (never in the shared cache) under the content generation the request read as it arrived,
    the site, scheme and language.

    For a part built from values of this request that repeat, such as a finder's card: a training (content) with
    the nearest group that has a place (its distance, town and start, passed in `vary`). `vary` must hold every
    value the HTML shows besides the content, as hashable values (ids, numbers, strings, moments, frozen
    dataclasses); places, stops and times change the HTML only through them. Off where fragments are off, for
    previews, and for a part that asks for a CSRF token or a CSP nonce.
    """
    tokens = getattr(request, "_page_generations", None) if request is not None else None
    if (
        not fragments_enabled()
        or not tokens
        or tokens.get(CONTENT) is None
        or getattr(request, "is_preview", False)
        or getattr(request, "is_dummy", False)
    ):
        return render()
    try:
        key = (name, request.scheme, request.get_host(), get_language() or "", tokens[CONTENT], *vary)
        hash(key)
    except (DisallowedHost, TypeError):
        return render()
    html = _kept.get(key)
    if html is not None:
        return html
    csrf_before = request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
    nonce_before = isinstance(getattr(request, "_csp_nonce", None), str)
    html = render()
    if not _uses_visitor(request, csrf_before, nonce_before):
        _kept.put(key, html)
    return html
