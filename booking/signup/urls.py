from django.urls import path

from . import views

app_name = "signup"

urlpatterns = [
    path("training/<int:course_id>/", views.choose_group, name="course"),
    path("groep/<int:group_id>/", views.group, name="group"),
    path("groep/<int:group_id>/gegevens/", views.participant, name="participant"),
    path("groep/<int:group_id>/vragen/", views.suitability, name="suitability"),
    path("groep/<int:group_id>/advies/", views.advice, name="advice"),
    path("groep/<int:group_id>/toestemming/", views.consent, name="consent"),
    path("groep/<int:group_id>/eigen-bijdrage/", views.payment, name="payment"),
    path("groep/<int:group_id>/bevestiging/", views.done, name="done"),
]
