"""Our rules inside allauth: client addresses, lockouts, email length, and emails through the outbox."""

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import ratelimit
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from groepswijzer.clients import client_ip, client_key

from . import emails, roles
from .models import User

EMAIL_MAX_LENGTH = User._meta.get_field("email").max_length
# Failures on one account from every client together (ACCOUNT_RATE_LIMITS in the settings).
ACCOUNT_FAILURES = "login_failed_account"


class OutboxEmailMixin:
    """allauth's emails are queued, never sent inside the request: a mail server that is down costs no page.

    Confirmation and password reset emails store only ids and rebuild their
    links when sent; every other email stores its plain values.
    """

    def send_confirmation_mail(self, request, emailconfirmation, signup):
        emails.queue_confirmation(emailconfirmation.email_address, signup=signup)

    def send_password_reset_mail(self, user, email, context):
        emails.queue_password_reset(user, email)

    def send_mail(self, template_prefix, email, context):
        emails.queue_notice(template_prefix, email, context)


class AccountAdapter(OutboxEmailMixin, DefaultAccountAdapter):
    error_messages = {
        **DefaultAccountAdapter.error_messages,
        "too_many_login_attempts": _(
            "Er is te vaak een verkeerd wachtwoord gebruikt. Wacht een paar minuten en probeer het opnieuw, "
            "of vraag een nieuw wachtwoord aan."
        ),
    }

    def get_client_ip(self, request):
        return client_ip(request)

    def get_login_redirect_url(self, request):
        """Staff land where their work is: the office and editors in the admin, a trainer at their groups.

        A `next` in the login link still wins (allauth reads it first).
        """
        user = request.user
        if user.is_superuser or roles.has_role(user, roles.COORDINATORS, roles.EDITORS):
            return reverse("wagtailadmin_home")
        if roles.has_role(user, roles.TRAINERS):
            return reverse("staff:my_groups")
        return super().get_login_redirect_url(request)

    def clean_email(self, email):
        """An address longer than the database keeps is refused at the field, never cut short."""
        email = super().clean_email(email)
        if len(email) > EMAIL_MAX_LENGTH:
            raise ValidationError(
                _("Dit e-mailadres is te lang. Gebruik een adres van hoogstens %(max)s tekens.")
                % {"max": EMAIL_MAX_LENGTH}
            )
        return email

    def _get_login_attempts_cache_key(self, request, **credentials):
        """Failed logins count per account and client: a stranger's mistakes never lock out the owner."""
        return f"{super()._get_login_attempts_cache_key(request, **credentials)}:{client_key(request)}"

    def pre_authenticate(self, request, **credentials):
        """Refuse when the account's failures from all clients together passed the slower curve."""
        if not ratelimit.consume(request, action=ACCOUNT_FAILURES, key=self._account_key(credentials), dry_run=True):
            raise self.validation_error("too_many_login_attempts")
        super().pre_authenticate(request, **credentials)

    def authentication_failed(self, request, **credentials):
        ratelimit.consume(request, action=ACCOUNT_FAILURES, key=self._account_key(credentials))
        super().authentication_failed(request, **credentials)

    @staticmethod
    def _account_key(credentials):
        return credentials.get("email", credentials.get("username", "")).lower()
