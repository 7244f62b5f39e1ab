"""Who may open professional content, and what everyone else sees instead.

Toolkit documents and professional-only factsheets (and their PDFs) are for
verified professionals and staff. Anonymous visitors go to the login; a
logged-in person without access gets a page that explains how to get it.
"""

from django.contrib.auth.views import redirect_to_login
from django.template.response import TemplateResponse

from accounts.models import ProfessionalProfile
from accounts.services import can_see_professional_content


def can_open_professional_content(user):
    return can_see_professional_content(user)


def deny_response(request, obj=None):
    """None when the user may see professional content, else the response to send."""
    if can_open_professional_content(request.user):
        return None
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    profile = ProfessionalProfile.objects.filter(user=request.user).first()
    return TemplateResponse(
        request,
        "resources/access_needed.html",
        {"profile": profile, "requested_object": obj},
        status=403,
    )
