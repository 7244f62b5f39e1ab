from django.urls import path

from . import export_views, views

app_name = "staff"

urlpatterns = [
    path("", views.my_groups, name="my_groups"),
    path("groep/<int:group_id>/", views.group, name="group"),
    path("groep/<int:group_id>/bijeenkomst/<int:session_id>/aanwezigheid/", views.attendance, name="attendance"),
    path("groep/<int:group_id>/presentielijst/", views.print_list, name="print"),
    path("export/<str:token>/", export_views.download, name="export_download"),
]
