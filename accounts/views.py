from allauth.account.views import SignupView
from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from booking.selfservice.personal import dashboard_items

from . import roles, services
from .forms import ProfessionalSignupForm
from .models import ProfessionalProfile


class ProfessionalSignupView(SignupView):
    template_name = "account/signup_professional.html"
    form_class = ProfessionalSignupForm


@login_required
def dashboard(request):
    user = request.user
    return render(
        request,
        "accounts/dashboard.html",
        {
            "profile": ProfessionalProfile.objects.filter(user=user).first(),
            "is_professional": roles.has_role(user, roles.PROFESSIONALS),
            "is_staff_member": roles.is_staff_member(user),
            "has_mfa": services.has_mfa(user),
            "my_places": dashboard_items(user),
        },
    )
