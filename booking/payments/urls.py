"""/betalen/: back from Mollie, the webhook, trying again, a lost place, and the receipt."""

from django.urls import path

from . import views

app_name = "payments"

urlpatterns = [
    path("webhook/", views.webhook, name="webhook"),
    path("terug/<str:token>/", views.payment_return, name="return"),
    path("opnieuw/<str:token>/", views.retry, name="retry"),
    path("keuze/<str:token>/", views.choice, name="choice"),
    path("betaalbewijs/<str:token>/", views.receipt, name="receipt"),
]
