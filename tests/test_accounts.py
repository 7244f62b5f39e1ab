"""Email login, professional sign-up and verification, and two-step login for staff."""

import pytest
from allauth.mfa.totp.internal.auth import (
    TOTP,
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
    yield_hotp_counters_from_time,
)
from django.contrib.auth.models import Group
from django.core import mail

from accounts import roles
from accounts.models import ProfessionalProfile, User
from accounts.permissions import ensure_role_groups
from tests import factories


def current_code(secret):
    counters = list(yield_hotp_counters_from_time())
    return format_hotp_value(hotp_value(secret, counters[len(counters) // 2]))


@pytest.fixture
def coordinator(db):
    user = factories.UserFactory(email="coordinator@example.nl", first_name="Fleur", last_name="van Dijk")

    ensure_role_groups()
    user.groups.add(Group.objects.get(name=roles.COORDINATORS))
    return user


def test_professional_signs_up_and_waits_for_verification(client, home, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/mijn-account/professional/aanmelden/",
            {
                "first_name": "Anouk",
                "last_name": "van der Meer-IJzerman",
                "email": "anouk@praktijk.example",
                "password1": "een-lang-wachtwoord-2026",
                "password2": "een-lang-wachtwoord-2026",
                "organisation": "Zorggroep Zuidoost",
                "role": "poh_ggz",
                "practice": "Huisartsenpraktijk Het Eiland, Eindhoven",
            },
        )
    assert response.status_code == 302
    user = User.objects.get(email="anouk@praktijk.example")
    assert user.last_name == "van der Meer-IJzerman"
    assert user.professional_profile.status == ProfessionalProfile.Status.PENDING
    assert not user.groups.filter(name=roles.PROFESSIONALS).exists()
    assert mail.outbox[0].subject == "[Groepswijzer] Bevestig uw e-mailadres"


def test_professional_signup_keeps_what_was_typed_when_a_field_is_wrong(client, home):
    response = client.post(
        "/mijn-account/professional/aanmelden/",
        {
            "first_name": "Joëlle",
            "last_name": "de Wijs",
            "email": "geen-email",
            "password1": "een-lang-wachtwoord-2026",
            "password2": "een-lang-wachtwoord-2026",
            "organisation": "Zorggroep Zuidoost",
            "role": "gp",
            "practice": "Praktijk Ĳsselstein",
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Dit e-mailadres klopt niet. Vul een e-mailadres in zoals naam@voorbeeld.nl." in html
    assert 'value="Joëlle"' in html and "Praktijk Ĳsselstein" in html


def test_staff_without_two_step_login_is_sent_to_set_it_up(client, coordinator):
    client.force_login(coordinator)
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"] == "/account/2fa/totp/activate/"


def test_admin_login_goes_through_the_site_login(client):
    response = client.get("/admin/login/?next=/admin/pages/")
    assert response.status_code == 302
    assert response["Location"] == "/account/login/?next=/admin/pages/"


def test_coordinator_logs_in_with_code_and_verifies_a_professional(client, coordinator):
    secret = generate_totp_secret()
    TOTP.activate(coordinator, secret)
    response = client.post("/account/login/", {"login": "coordinator@example.nl", "password": "geheim-wachtwoord-123"})
    assert response["Location"] == "/account/2fa/authenticate/"
    response = client.post("/account/2fa/authenticate/", {"code": current_code(secret)})
    assert response.status_code == 302

    profile = factories.ProfessionalProfileFactory(user__email="poh@example.nl")
    listing = client.get("/admin/professionals/")
    assert listing.status_code == 200
    assert "poh@example.nl" in listing.content.decode() or "Sanne de Vries" in listing.content.decode()
    response = client.post(
        f"/admin/professionals/edit/{profile.pk}/",
        {
            "user": profile.user.pk,
            "organisation": profile.organisation,
            "role": profile.role,
            "practice": profile.practice,
            "status": "verified",
            "note": "Gebeld met de praktijk.",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    profile.refresh_from_db()
    assert profile.status == ProfessionalProfile.Status.VERIFIED
    assert profile.decided_by == coordinator
    assert profile.user.groups.filter(name=roles.PROFESSIONALS).exists()


def test_patient_cannot_open_the_admin(client, db):
    client.force_login(factories.UserFactory())
    response = client.get("/admin/")
    assert response.status_code == 302
    assert "/account/login/" in response["Location"]


def test_wrong_password_is_explained_in_dutch_with_u(client, db):
    factories.UserFactory(email="sanne@example.nl")
    response = client.post("/account/login/", {"login": "sanne@example.nl", "password": "fout-wachtwoord"})
    html = response.content.decode()
    assert "Het e-mailadres of het wachtwoord klopt niet" in html
    assert 'value="sanne@example.nl"' in html
