"""Site-wide HTTP rules that no single view should have to remember.

- A form posted in another character set than UTF-8 (UTF-16, say) cannot be
  read; it gets a 400 with a Dutch message.
- Pages that show typed or stored personal data are never stored by a browser
  or a proxy cache: the journeys of the booking app (by URL namespace), the
  account pages, the admin, and every page for a logged-in person.
- The interface language is the visitor's own choice (ChosenLanguageMiddleware).
- A Permissions-Policy that switches off browser features the site never uses.
- The Wagtail admin gets its own, looser Content-Security-Policy: its editors
  need inline scripts and styles, which the public pages never get. The
  stand-alone error pages (400, 500) carry their own inline styles. An admin
  view may add sources of its own (`response._csp_update`, the demand map's
  tiles) to the admin's.

Order: after CSPMiddleware (so it can adjust the policy before that one writes
it) and before anything that reads the request body (CSRF, sessions).
"""

import codecs

from csp.constants import SELF, UNSAFE_INLINE
from django.conf import settings
from django.http import HttpResponseBadRequest
from django.middleware.locale import LocaleMiddleware
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.translation import gettext as _

# URL namespaces whose pages show a participant's, a trainer's or a coordinator's data.
PRIVATE_NAMESPACES = frozenset(
    {"signup", "selfservice", "waitlist", "payments", "staff", "feeds", "accounts", "carepath", "events", "newsletter"}
)
# Paths without a namespace of ours: allauth's account pages, the admin (and its documents) and documents.
PRIVATE_PATH_PREFIXES = ("/account/", "/mijn-account/", "/admin/")

PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "usb",
        "interest-cohort",
    )
)

ADMIN_PATH_PREFIX = "/admin/"
# Wagtail's admin writes inline scripts (panels, date pickers) and inline styles (the rich-text
# editor); it is used by logged-in staff with two-step login only.
ADMIN_CSP_UPDATE = {
    "script-src": [UNSAFE_INLINE],
    "style-src": [UNSAFE_INLINE],
    "img-src": ["blob:"],
}
# The admin shows its page previews in a frame of its own.
ADMIN_CSP_REPLACE = {"frame-ancestors": [SELF]}
# Error pages that do not use the site's stylesheet (it may be what failed).
STAND_ALONE_ERRORS = frozenset({400, 500})


def readable_charset(request):
    """True when the request body is in UTF-8, or says nothing about its character set.

    A form is always sent in UTF-8 by our pages; Django refuses anything else
    for ordinary forms, in English. A charset Django does not know is ignored
    (and read as UTF-8), as Django does.
    """
    charset = request.content_params.get("charset") if hasattr(request, "content_params") else None
    if not charset:
        return True
    try:
        return codecs.lookup(charset).name == "utf-8"
    except LookupError:
        return True


def is_private(request):
    match = getattr(request, "resolver_match", None)
    if match is not None and PRIVATE_NAMESPACES.intersection(match.namespaces):
        return True
    if request.path.startswith(PRIVATE_PATH_PREFIXES):
        return True
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_authenticated)


class SecurityHeadersMiddleware:
    """Sees every response, also those that other middleware or error handlers make."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method in {"POST", "PUT", "PATCH"} and not readable_charset(request):
            response = HttpResponseBadRequest(
                render_to_string(
                    "400.html",
                    {
                        "message": _(
                            "Uw browser stuurde het formulier in een tekenset die wij niet kunnen lezen. "
                            "Probeer het opnieuw, of gebruik een andere browser."
                        )
                    },
                    request=None,
                )
            )
        else:
            response = self.get_response(request)
        response.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        if is_private(request):
            patch_cache_control(response, private=True, no_store=True)
        own = getattr(response, "_csp_update", None)
        if request.path.startswith(ADMIN_PATH_PREFIX):
            # An admin view may add its own sources (the demand map's tiles) to the admin's.
            response._csp_update = {
                directive: ADMIN_CSP_UPDATE.get(directive, []) + (own or {}).get(directive, [])
                for directive in {*ADMIN_CSP_UPDATE, *(own or {})}
            }
            response._csp_replace = ADMIN_CSP_REPLACE
        elif own is None and response.status_code in STAND_ALONE_ERRORS:
            response._csp_update = {"style-src": [UNSAFE_INLINE]}
        return response


def chosen_language(request):
    """The language the visitor chose with the language switch (a cookie), else the site's language (Dutch).

    The browser's Accept-Language is not asked: the site is Dutch unless someone picks English, and
    then English on every page, with the same addresses.
    """
    code = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
    if code:
        try:
            return translation.get_supported_language_variant(code)
        except LookupError:
            pass
    return settings.LANGUAGE_CODE


class ChosenLanguageMiddleware(LocaleMiddleware):
    """Django's LocaleMiddleware, with the language from the visitor's choice only (see chosen_language).

    A page's address does not carry the language, so a response says it depends on the cookie. After the
    request the thread's language is what it was before: the next thing this thread does (a task, another
    request without this middleware, a test) does not inherit a visitor's language.
    """

    def __call__(self, request):
        previous = translation.get_language()
        try:
            return super().__call__(request)
        finally:
            if previous:
                translation.activate(previous)
            else:
                translation.deactivate()

    def process_request(self, request):
        translation.activate(chosen_language(request))
        request.LANGUAGE_CODE = translation.get_language()

    def process_response(self, request, response):
        patch_vary_headers(response, ("Cookie",))
        response.headers.setdefault("Content-Language", translation.get_language())
        return response
