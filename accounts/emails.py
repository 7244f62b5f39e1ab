"""Account emails through the site's outbox: allauth's (confirm your address, reset your password, notices)
and the decision on a professional's request for access.

allauth would send them inside the request, so a mail server that is down
or slow would break the account pages. Instead the adapter
(``accounts.adapter``) queues them in ``booking.services.notifications``,
like every other email: sent after the request by the task worker, retried
by the periodic run, at most once.

Only what an email needs to be rebuilt is stored, and no secret: the
confirmation and reset links are made again when the email is sent (the
address confirmation is an HMAC of the address's id, the reset key a token
of the account's current state, so a key made later works the same). After
sending, the row forgets the address and the parameters.

This assumes allauth's default HMAC confirmations
(``ACCOUNT_EMAIL_CONFIRMATION_HMAC``) and links, not codes.
"""

import uuid
from types import SimpleNamespace
from urllib.parse import quote, urlsplit

from allauth.account import app_settings as allauth_settings
from allauth.account.adapter import get_adapter
from allauth.account.models import EmailAddress, EmailConfirmationHMAC
from allauth.account.utils import user_pk_to_url_str
from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.functional import cached_property
from django.utils.translation import gettext as _

from booking.services import links
from booking.services.links import absolute
from booking.services.notifications import Email, email_kind, queue_email

from .models import ProfessionalProfile, User

CONFIRMATION = "account_confirmation"
PASSWORD_RESET = "account_password_reset"
NOTICE = "account_notice"
# Context that is a secret, or is rebuilt when sending: never stored.
NOT_STORED = frozenset({"request", "current_site", "user", "key", "code", "activate_url", "password_reset_url", "ip"})


def site():
    """What allauth's templates call the site, without a request: our name and public host."""
    return SimpleNamespace(name=settings.WAGTAIL_SITE_NAME, domain=urlsplit(settings.WAGTAILADMIN_BASE_URL).netloc)


class AccountEmail:
    """An allauth email, rendered from allauth's templates (or ours that override them) when it is sent."""

    def __init__(self, *, to, template, context, language=None):
        self.to = to
        # The account's language when there is an account; else the site's.
        self.language = language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
        self.template = template
        self.context = {"email": to, "current_site": site(), **context}

    @cached_property
    def subject(self):
        with translation.override(self.language):
            text = render_to_string(f"{self.template}_subject.txt", self.context)
        return " ".join(text.splitlines()).strip()

    def message(self):
        with translation.override(self.language):
            return get_adapter().render_mail(self.template, self.to, self.context)


def _key(kind):
    return f"account:{kind}:{uuid.uuid4()}"


# --- queueing (called by the adapter) ------------------------------------------------------------


def queue_confirmation(email_address, *, signup):
    """Queue "confirm your address" for an allauth EmailAddress."""
    return queue_email(CONFIRMATION, _key(CONFIRMATION), email_address_id=email_address.pk, signup=bool(signup))


def queue_password_reset(user, email):
    """Queue the password reset email for one account."""
    return queue_email(PASSWORD_RESET, _key(PASSWORD_RESET), user_id=user.pk, email=email)


def _storable(value):
    return isinstance(value, (str, int, float, bool)) or value is None


def queue_notice(template, email, context):
    """Queue any other allauth email (unknown account, account exists, notices) with its plain values only."""
    values = {name: value for name, value in context.items() if name not in NOT_STORED and _storable(value)}
    user = context.get("user")
    return queue_email(
        NOTICE,
        _key(NOTICE),
        template=template,
        email=email,
        user_id=getattr(user, "pk", None),
        values=values,
    )


# --- building (when sending) ---------------------------------------------------------------------


@email_kind(CONFIRMATION, forget_after_sending=True)
def confirmation(email_address_id, signup):
    email_address = EmailAddress.objects.select_related("user").get(pk=email_address_id)
    key = EmailConfirmationHMAC(email_address).key
    return AccountEmail(
        language=email_address.user.language,
        to=email_address.email,
        template="account/email/email_confirmation_signup" if signup else "account/email/email_confirmation",
        context={
            "user": email_address.user,
            "key": key,
            "activate_url": absolute(reverse("account_confirm_email", args=[key])),
        },
    )


@email_kind(PASSWORD_RESET, forget_after_sending=True)
def password_reset(user_id, email):
    user = User.objects.get(pk=user_id)
    token = allauth_settings.PASSWORD_RESET_TOKEN_GENERATOR().make_token(user)
    uid = user_pk_to_url_str(user)
    path = reverse("account_reset_password_from_key", kwargs={"uidb36": "UID", "key": "KEY"})
    return AccountEmail(
        language=user.language,
        to=email,
        template="account/email/password_reset_key",
        context={
            "user": user,
            "uid": uid,
            "key": token,
            "password_reset_url": absolute(path.replace("UID-KEY", quote(f"{uid}-{token}"))),
        },
    )


@email_kind(NOTICE, forget_after_sending=True)
def notice(template, email, user_id=None, values=None):
    context = {
        "signup_url": absolute(reverse("account_signup")),
        "password_reset_url": absolute(reverse("account_reset_password")),
        **(values or {}),
    }
    user = User.objects.filter(pk=user_id).first() if user_id is not None else None
    if user is not None:
        context["user"] = user
    return AccountEmail(to=email, template=template, context=context, language=user.language if user else None)


# --- professionals -----------------------------------------------------------------------------


@email_kind("professional_decision")
def professional_decision(profile_id, status):
    profile = ProfessionalProfile.objects.select_related("user").get(pk=profile_id)
    verified = status == ProfessionalProfile.Status.VERIFIED
    return Email(
        language=profile.user.language,
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
