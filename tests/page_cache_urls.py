"""The site's URLs plus three views that opt in to the page cache but must never be stored by it."""

from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.urls import path

from groepswijzer import page_cache
from groepswijzer.urls import urlpatterns as site_urlpatterns


def with_csrf_form(request):
    page_cache.allow(request)
    return HttpResponse(f'<form method="post"><input name="csrfmiddlewaretoken" value="{get_token(request)}"></form>')


def with_nonce(request):
    page_cache.allow(request)
    return HttpResponse(f'<script nonce="{request.csp_nonce}">document.body.dataset.ok = "1";</script>')


def with_cookie(request):
    page_cache.allow(request)
    response = HttpResponse("Welkom terug")
    response.set_cookie("gezien", "1")
    return response


urlpatterns = [
    path("test-cache/formulier/", with_csrf_form),
    path("test-cache/script/", with_nonce),
    path("test-cache/koekje/", with_cookie),
    *site_urlpatterns,
]
