"""Our rules inside allauth. Its emails go through the site's outbox (``accounts.emails``)."""

from allauth.account.adapter import DefaultAccountAdapter

from . import emails


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
    pass
