"""/wachtlijst/: a course's waiting list, and the personal pages reached from its emails."""

from django.urls import path

from . import views

app_name = "waitlist"

urlpatterns = [
    path("<int:course_id>/", views.join, name="join"),
    path("status/<str:token>/", views.status, name="status"),
    path("status/<str:token>/gegevens.json", views.data_json, name="data_json"),
    path("status/<str:token>/gegevens.pdf", views.data_pdf, name="data_pdf"),
    path("status/<str:token>/gegevens-verwijderen/", views.erase_request, name="erase_request"),
    path("status/<str:token>/gegevens-verwijderen/verstuurd/", views.erase_sent, name="erase_sent"),
    path("aanbod/<str:token>/", views.offer, name="offer"),
    path("blijven/<str:token>/", views.stay, name="stay"),
    path("afmelden/<str:token>/", views.leave, name="leave"),
]
