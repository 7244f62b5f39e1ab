from django.urls import path

from .views import staff

app_name = "staff"

urlpatterns = [
    path("", staff.my_groups, name="my_groups"),
    path("groep/<int:group_id>/", staff.group, name="group"),
    path("groep/<int:group_id>/bijeenkomst/<int:session_id>/aanwezigheid/", staff.attendance, name="attendance"),
    path("groep/<int:group_id>/presentielijst/", staff.print_list, name="print"),
]
