"""Texts that follow the real state, Dutch everywhere, and staff landing where their work is."""

import pytest
from allauth.mfa.totp.internal.auth import (
    TOTP,
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
    yield_hotp_counters_from_time,
)
from django import forms
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.formats import date_format

from accounts import roles
from booking.models import Payment
from booking.selfservice import cancellation
from booking.services import links, money
from booking.staff import actions as staff_actions
from tests.booking.factories import place_in, planned_group, staff_user, trainer_account
from tests.factories import CoursePageFactory, LocationFactory
from tests.helpers import emails_to

pytestmark = pytest.mark.django_db


@pytest.fixture
def group(course_index):
    course = CoursePageFactory(parent=course_index, title="Mentaal Fit", cancellation_days=7)
    return planned_group(course, LocationFactory(town="Eindhoven"), days=30)


def test_cancelling_without_having_paid_says_nothing_is_owed(
    group, client, mailoutbox, django_capture_on_commit_callbacks
):
    enrollment = place_in(group, email="fleur@example.nl")
    with django_capture_on_commit_callbacks(execute=True):
        cancellation.cancel_by_participant(enrollment)
    (email,) = emails_to(mailoutbox, "fleur@example.nl")
    assert "U had de eigen bijdrage nog niet betaald. U hoeft niets meer te betalen." in email.body
    assert "Heeft u de eigen bijdrage al betaald?" not in email.body
    assert "of u afmelden?" not in email.body
    assert "Uw afmelding nog eens bekijken?" in email.body

    page = client.get(links.manage_url(enrollment).replace("http://testserver", "") + "afgemeld/", follow=True)
    html = page.content.decode()
    assert "U had de eigen bijdrage nog niet betaald." in html
    assert "Heeft u de eigen bijdrage al betaald?" not in html


def test_cancelling_after_paying_says_the_money_comes_back(group, mailoutbox, django_capture_on_commit_callbacks):
    enrollment = place_in(group, email="daan@example.nl")
    payment = money.create_payment([enrollment], provider=Payment.Provider.OFFLINE)
    Payment.objects.filter(pk=payment.pk).update(status=Payment.Status.PAID)
    with django_capture_on_commit_callbacks(execute=True):
        cancellation.cancel_by_participant(enrollment)
    cancelled = [email for email in emails_to(mailoutbox, "daan@example.nl") if "afgemeld" in email.subject]
    assert "U heeft de eigen bijdrage al betaald. U krijgt die terug." in cancelled[0].body


def test_a_cancelled_group_tells_each_person_what_happens_to_their_money(
    group, mailoutbox, django_capture_on_commit_callbacks
):
    unpaid = place_in(group, email="fleur@example.nl")
    paid = place_in(group, email="daan@example.nl")
    payment = money.create_payment([paid], provider=Payment.Provider.OFFLINE)
    Payment.objects.filter(pk=payment.pk).update(status=Payment.Status.PAID)
    with django_capture_on_commit_callbacks(execute=True):
        staff_actions.cancel_group(group, reason="Te weinig aanmeldingen.")
    assert unpaid.participant.email == "fleur@example.nl"
    (to_fleur,) = emails_to(mailoutbox, "fleur@example.nl")
    assert "U had de eigen bijdrage nog niet betaald. U hoeft niets te betalen." in to_fleur.body
    assert "Heeft u de eigen bijdrage al betaald?" not in to_fleur.body
    to_daan = [email for email in emails_to(mailoutbox, "daan@example.nl") if "niet door" in email.body]
    assert "U heeft de eigen bijdrage al betaald. U krijgt die helemaal terug." in to_daan[0].body


def test_a_short_password_is_refused_in_dutch(client, home):
    response = client.post(
        "/mijn-account/professional/aanmelden/",
        {
            "first_name": "Anouk",
            "last_name": "de Wit",
            "email": "anouk@praktijk.example",
            "password1": "kort1",
            "password2": "kort1",
            "organisation": "Zorggroep Zuidoost",
            "role": "poh_ggz",
            "practice": "Huisartsenpraktijk Het Eiland, Eindhoven",
        },
    )
    html = response.content.decode()
    assert "Dit wachtwoord is te kort. Gebruik minstens 10 tekens." in html
    assert "This password" not in html


class QuestionForm(forms.Form):
    question = forms.ChoiceField(label="Bent u 18 jaar of ouder?", choices=[("ja", "ja")])
    name = forms.CharField(label="Voornaam")


def test_the_error_summary_puts_no_colon_after_a_question():
    html = render_to_string("includes/error_summary.html", {"form": QuestionForm({})})
    assert "Bent u 18 jaar of ouder? Dit is een verplicht veld." in html
    assert "?:" not in html
    assert "Voornaam: Dit is een verplicht veld." in html


def test_the_trainer_area_writes_months_the_dutch_way(client, course_index):
    trainer, user = trainer_account()
    course = CoursePageFactory(parent=course_index)
    group = planned_group(course, LocationFactory(), trainers=[trainer], days=40)
    client.force_login(user)
    html = client.get("/medewerkers/").content.decode()
    start = timezone.localtime(group.sessions.order_by("start").first().start)
    assert date_format(start, "j b") in html  # "3 dec", as elsewhere on the site
    assert date_format(start, "j M") not in html  # not "3 Dec"


def current_code(secret):
    counters = list(yield_hotp_counters_from_time())
    return format_hotp_value(hotp_value(secret, counters[len(counters) // 2]))


@pytest.mark.parametrize(
    "role, lands_on", [(roles.TRAINERS, "/medewerkers/"), (roles.COORDINATORS, "/admin/"), (roles.EDITORS, "/admin/")]
)
def test_staff_land_where_their_work_is_after_logging_in(client, db, role, lands_on):
    user = staff_user(role, mfa=False, email="marieke@example.nl")
    user.set_password("een-lang-wachtwoord-2026")
    user.save()
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    response = client.post("/account/login/", {"login": user.email, "password": "een-lang-wachtwoord-2026"})
    assert response["Location"] == "/account/2fa/authenticate/"
    response = client.post("/account/2fa/authenticate/", {"code": current_code(secret)})
    assert response["Location"] == lands_on
