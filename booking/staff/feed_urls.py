"""/agenda/: calendar feeds that calendar apps subscribe to, each behind a personal link."""

from django.urls import path

from . import views

app_name = "feeds"

urlpatterns = [
    path("trainer/<str:token>.ics", views.trainer_feed, name="trainer"),
]
