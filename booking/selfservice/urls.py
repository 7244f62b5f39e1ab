"""/mijn-aanmelding/: a participant's own place, through the personal link in their emails."""

from django.urls import path

from . import views

app_name = "selfservice"

urlpatterns = [
    # Before the token patterns, so these words are never read as a token.
    path("nieuwe-link/", views.new_link, name="new_link"),
    path("nieuwe-link/verstuurd/", views.new_link_sent, name="new_link_sent"),
    path("verwijderen/<str:token>/", views.erase_confirm, name="erase_confirm"),
    path("verwijderd/", views.erase_done, name="erase_done"),
    path("<str:token>/", views.manage, name="manage"),
    path("<str:token>/agenda.ics", views.calendar, name="calendar"),
    path("<str:token>/afmelden/", views.cancel, name="cancel"),
    path("<str:token>/afgemeld/", views.cancelled, name="cancelled"),
    path("<str:token>/gegevens.json", views.data_json, name="data_json"),
    path("<str:token>/gegevens.pdf", views.data_pdf, name="data_pdf"),
    path("<str:token>/gegevens-verwijderen/", views.erase_request, name="erase_request"),
    path("<str:token>/gegevens-verwijderen/verstuurd/", views.erase_sent, name="erase_sent"),
]
