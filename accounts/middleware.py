from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from . import roles, services

# Paths that hold staff tools. Public pages stay open while MFA is being set up.
STAFF_PATH_PREFIXES = ("/admin/", "/medewerkers/")


class StaffMFAMiddleware:
    """Send staff without two-step login to the page that switches it on.

    Staff see participant data; a password alone is not enough for that.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (
            getattr(settings, "GROEPSWIJZER_STAFF_MFA_REQUIRED", True)
            and request.path.startswith(STAFF_PATH_PREFIXES)
            and request.user.is_authenticated
            and roles.is_staff_member(request.user)
            and not services.has_mfa(request.user)
        ):
            messages.warning(
                request,
                _("Voor medewerkers is inloggen in twee stappen verplicht. Stel dit eerst in."),
            )
            return redirect(reverse("mfa_activate_totp"))
        return self.get_response(request)
