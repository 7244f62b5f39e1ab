from django.urls import path

from . import views

app_name = "carepath"

urlpatterns = [
    # The professional.
    path("verwijzen/", views.my_referrals, name="my_referrals"),
    path("verwijzen/nieuw/", views.new_referral, name="new"),
    path("verwijzen/<int:pk>/", views.referral_detail, name="detail"),
    # The patient.
    path("verwijzing/", views.enter_code, name="enter_code"),
    path("verwijzing/delen/<str:token>/", views.sharing, name="sharing"),
    path("verwijzing/<str:code>/", views.referral, name="referral"),
]
