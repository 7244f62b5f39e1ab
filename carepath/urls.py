from django.urls import path

from . import questionnaire_views, staff_views, views

app_name = "carepath"

urlpatterns = [
    # The professional.
    path("verwijzen/", views.my_referrals, name="my_referrals"),
    path("verwijzen/nieuw/", views.new_referral, name="new"),
    path("verwijzen/<int:pk>/", views.referral_detail, name="detail"),
    path("verwijzen/beslishulp/", views.decision_aid, name="decision_aid_start"),
    path("verwijzen/beslishulp/vraag/<int:question_id>/", views.decision_aid, name="decision_aid"),
    path("verwijzen/beslishulp/advies/<int:answer_id>/", views.decision_advice, name="decision_advice"),
    # The trainer area: telephone screening before the start.
    path("medewerkers/groep/<int:group_id>/bellen/", staff_views.to_call, name="to_call"),
    path("medewerkers/groep/<int:group_id>/bellen/<int:enrollment_id>/", staff_views.screen, name="screen"),
    path("medewerkers/groep/<int:group_id>/uitkomsten/", staff_views.outcomes, name="outcomes"),
    # The patient.
    path("verwijzing/", views.enter_code, name="enter_code"),
    path("verwijzing/delen/<str:token>/", views.sharing, name="sharing"),
    path("verwijzing/<str:code>/", views.referral, name="referral"),
    path("vragenlijst/<str:token>/", questionnaire_views.questionnaire, name="questionnaire"),
]
