from django.conf import settings
from django.urls import include, path, re_path, reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.generic import RedirectView
from django.views.i18n import set_language
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from groepswijzer import routing
from home import views as home_views
from reports.api import api as reports_api


class AdminLoginRedirect(RedirectView):
    """Wagtail's own login form is replaced by the site login (with MFA)."""

    def get_redirect_url(self, *args, **kwargs):
        target = reverse("account_login")
        query = self.request.META.get("QUERY_STRING")
        return f"{target}?{query}" if query else f"{target}?next=/admin/"


urlpatterns = [
    path("admin/login/", AdminLoginRedirect.as_view()),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("zoeken/", home_views.search, name="search"),
    # Django's own language switch. Without a CSRF token: choosing a language changes nothing that matters to
    # anyone else, and a token would make every public page different for every visitor (no page cache).
    path("taal/", csrf_exempt(set_language), name="set_language"),
    path("account/", include("allauth.urls")),
    path("mijn-account/", include("accounts.urls")),
    path("aanmelden/", include("booking.signup.urls")),
    path("wachtlijst/", include("booking.waitlist.urls")),
    path("mijn-aanmelding/", include("booking.selfservice.urls")),
    path("medewerkers/", include("booking.staff.urls")),
    path("agenda/", include("booking.staff.feed_urls")),
    path("betalen/", include("booking.payments.urls")),
    path("aanbod-en-wachttijden/", include("reports.urls")),
    path("scholing/", include("events.urls")),
    path("api/v1/", reports_api.urls),
    path("nieuwsbrief/", include("news.urls")),
    path("nieuwsfeed/", include("news.feed_urls")),
    path("", include("carepath.urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static
    from django.contrib.staticfiles.urls import staticfiles_urlpatterns

    urlpatterns += staticfiles_urlpatterns()
    # Images only: documents are never served straight from the media folder.
    urlpatterns += static(settings.MEDIA_URL + "images/", document_root=settings.MEDIA_ROOT / "images")
    urlpatterns += static(
        settings.MEDIA_URL + "original_images/", document_root=settings.MEDIA_ROOT / "original_images"
    )

# Wagtail's own URLs, with its page view routed by groepswijzer.routing first (the same pages, fewer queries).
urlpatterns += [
    path(
        "",
        include(
            [pattern for pattern in wagtail_urls.urlpatterns if getattr(pattern, "name", None) != "wagtail_serve"]
            + [re_path(wagtail_urls.serve_pattern, routing.serve, name="wagtail_serve")]
        ),
    )
]
