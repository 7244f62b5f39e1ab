from django.urls import path

from . import views

app_name = "events"

urlpatterns = [
    path("mijn-aanmeldingen/", views.mine, name="mine"),
    path("<int:event_id>/aanmelden/", views.sign_up, name="sign_up"),
    path("aanmelding/<int:pk>/", views.booking_detail, name="booking"),
    path("aanmelding/<int:pk>/afmelden/", views.cancel, name="cancel"),
    path("aanmelding/<int:pk>/agenda.ics", views.calendar_file, name="calendar"),
    path("aanmelding/<int:pk>/certificaat.pdf", views.certificate, name="certificate"),
    path("certificaat-controleren/", views.verify, name="verify"),
]
