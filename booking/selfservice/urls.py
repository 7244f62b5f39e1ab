"""/mijn-aanmelding/: a participant's own place, through the personal link in their emails."""

from django.urls import path

from . import views

app_name = "selfservice"

urlpatterns = [
    # Before the token patterns, so these words are never read as a token.
    path("nieuwe-link/", views.new_link, name="new_link"),
    path("nieuwe-link/verstuurd/", views.new_link_sent, name="new_link_sent"),
    path("<str:token>/", views.manage, name="manage"),
    path("<str:token>/agenda.ics", views.calendar, name="calendar"),
    path("<str:token>/afmelden/", views.cancel, name="cancel"),
    path("<str:token>/afgemeld/", views.cancelled, name="cancelled"),
]
