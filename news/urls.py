from django.urls import path

from . import views

app_name = "newsletter"

urlpatterns = [
    path("bevestigen/<str:token>/", views.confirm, name="confirm"),
    path("afmelden/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("<slug:slug>/", views.signup, name="signup"),
    path("<slug:slug>/kijk-in-uw-mail/", views.check_mail, name="check_mail"),
]
