"""/wachtlijst/: a course's waiting list, and the personal pages reached from its emails."""

from django.urls import path

from . import views

app_name = "waitlist"

urlpatterns = [
    path("<int:course_id>/", views.join, name="join"),
    path("status/<str:token>/", views.status, name="status"),
    path("aanbod/<str:token>/", views.offer, name="offer"),
    path("blijven/<str:token>/", views.stay, name="stay"),
    path("afmelden/<str:token>/", views.leave, name="leave"),
]
