"""The site's URLs, with the plain view in front of them."""

from django.urls import path

from groepswijzer.urls import urlpatterns as site_urlpatterns

from . import views

PLAIN_PATH = "bench/gewoon/"

urlpatterns = [path(PLAIN_PATH, views.plain, name="bench_plain"), *site_urlpatterns]
