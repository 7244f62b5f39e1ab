from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.views.generic import CreateView, EditView
from wagtail.admin.viewsets.model import ModelViewSet

from . import services
from .models import ProfessionalProfile


class DecisionMixin:
    """Saving a profile's status goes through the service, which keeps the group in step."""

    def save_instance(self):
        profile = self.form.save()
        return services.decide_professional(
            profile,
            status=profile.status,
            decided_by=self.request.user,
            note=profile.note,
        )


class ProfessionalCreateView(DecisionMixin, CreateView):
    pass


class ProfessionalEditView(DecisionMixin, EditView):
    pass


class ProfessionalProfileViewSet(ModelViewSet):
    model = ProfessionalProfile
    icon = "user"
    menu_label = _("Professionals")
    menu_order = 250
    add_to_admin_menu = True
    name = "professionals"
    list_display = ["user", "role", "organisation", "practice", "status", "requested_at"]
    list_filter = ["status", "role"]
    search_fields = ["user__email", "user__last_name", "organisation", "practice"]
    form_fields = ["user", "organisation", "role", "practice", "status", "note"]
    add_view_class = ProfessionalCreateView
    edit_view_class = ProfessionalEditView


@hooks.register("register_admin_viewset")
def register_professionals():
    return ProfessionalProfileViewSet()
