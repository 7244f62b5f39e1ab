from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("professional/aanmelden/", views.ProfessionalSignupView.as_view(), name="professional_signup"),
]
