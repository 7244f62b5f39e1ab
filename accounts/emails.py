"""The email a professional gets when their request for access is decided (``services.decide_professional``)."""

from django.urls import reverse
from django.utils.translation import gettext as _

from booking.services import links
from booking.services.notifications import Email, email_kind

from .models import ProfessionalProfile


@email_kind("professional_decision")
def professional_decision(profile_id, status):
    profile = ProfessionalProfile.objects.select_related("user").get(pk=profile_id)
    verified = status == ProfessionalProfile.Status.VERIFIED
    return Email(
        to=profile.user.email,
        subject=_("U heeft toegang tot de informatie voor professionals")
        if verified
        else _("Uw aanvraag voor toegang als professional"),
        template="accounts/professional_decision",
        context={
            "profile": profile,
            "user": profile.user,
            "verified": verified,
            "account_url": links.absolute(reverse("accounts:dashboard")),
        },
    )
