"""Account emails (confirm your address, reset your password) go through the outbox: a mail server that is
down never breaks an account page, and the periodic run sends them once it is back."""

import re

import pytest
from allauth.account.models import EmailAddress

from accounts.models import User
from booking.models import OutgoingEmail
from booking.periodic import run_periodic
from privacy.registry import PLACEHOLDER_DOMAIN
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

MAIL_DOWN = "tests.mail_backends.DownBackend"
WORKING = "django.core.mail.backends.locmem.EmailBackend"


def link_in(message):
    return re.search(r"http://testserver(/\S+)", message.body).group(1)


def test_signing_up_while_the_mail_server_is_down_works_and_the_email_follows(
    client, home, settings, mailoutbox, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = MAIL_DOWN
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/account/signup/",
            {
                "first_name": "Joëlle",
                "last_name": "van der Meer",
                "email": "joelle@example.nl",
                "password1": "een-lang-wachtwoord-2026",
                "password2": "een-lang-wachtwoord-2026",
            },
        )
    assert response.status_code == 302
    row = OutgoingEmail.objects.get(kind="account_confirmation")
    assert row.sent_at is None and row.last_error
    # Only ids are stored: the confirmation key is made again when the email goes out.
    assert set(row.params) == {"email_address_id", "signup"}

    settings.EMAIL_BACKEND = WORKING
    with django_capture_on_commit_callbacks(execute=True):
        assert run_periodic()["emails_retried"] == 1
    (message,) = mailoutbox
    assert message.to == ["joelle@example.nl"]
    with django_capture_on_commit_callbacks(execute=True):
        client.post(link_in(message))
    assert EmailAddress.objects.get(email="joelle@example.nl").verified
    # Once sent, the row keeps neither the address nor the parameters.
    row.refresh_from_db()
    assert row.sent_at and row.to.endswith(PLACEHOLDER_DOMAIN) and row.params == {}


def test_a_password_reset_while_the_mail_server_is_down_works_and_its_link_works_later(
    client, settings, mailoutbox, django_capture_on_commit_callbacks
):
    UserFactory(email="sanne@example.nl")
    settings.EMAIL_BACKEND = MAIL_DOWN
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/account/password/reset/", {"email": "sanne@example.nl"})
    assert response.status_code == 302
    row = OutgoingEmail.objects.get(kind="account_password_reset")
    assert row.sent_at is None and "key" not in row.params and "password_reset_url" not in row.params

    settings.EMAIL_BACKEND = WORKING
    with django_capture_on_commit_callbacks(execute=True):
        run_periodic()
    (message,) = mailoutbox
    reset = client.get(link_in(message), follow=True)
    assert reset.status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(
            reset.redirect_chain[-1][0] if reset.redirect_chain else link_in(message),
            {"password1": "nieuw-en-lang-wachtwoord-7", "password2": "nieuw-en-lang-wachtwoord-7"},
        )
    assert done.status_code == 302
    assert User.objects.get(email="sanne@example.nl").check_password("nieuw-en-lang-wachtwoord-7")


def test_a_reset_for_an_unknown_address_is_queued_too_and_sent_once(
    client, settings, mailoutbox, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = MAIL_DOWN
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post("/account/password/reset/", {"email": "onbekend@example.nl"}).status_code == 302
    settings.EMAIL_BACKEND = WORKING
    with django_capture_on_commit_callbacks(execute=True):
        run_periodic()
        run_periodic()
    (message,) = mailoutbox
    assert message.to == ["onbekend@example.nl"] and "/account/signup/" in message.body
