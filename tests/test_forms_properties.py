"""Property-based tests over every public form and the search, through HTTP.

Whatever is typed (control characters, a NUL, emoji, very long text, Dutch
names) the site answers without a server error. Dutch names with diacritics and
tussenvoegsels come back exactly as typed, in what is shown and what is stored.
The booking forms are reached by their URLs only.
"""

import html
import itertools
import os
import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.models import User
from booking.models import Participant
from tests import factories
from tests.booking.factories import planned_group, signup_course

pytestmark = pytest.mark.django_db

# Several hundred examples per form; the seed is fixed so that every run (and CI) checks the same inputs.
# PROPERTY_EXAMPLES lowers it for a run that repeats the same inputs for another reason (the suite with
# the clock a year ahead, in CI).
EXAMPLES = int(os.environ.get("PROPERTY_EXAMPLES") or 200)
ROUND_TRIPS = max(1, EXAMPLES // 2)
settings.register_profile(
    "forms",
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)
forms = settings.get_profile("forms")
round_trips = settings(forms, max_examples=ROUND_TRIPS)

# --- what people type ----------------------------------------------------------------------------

FIRST_NAMES = [
    "Joëlle",
    "Zoë",
    "Iñez",
    "Anne-Marie",
    "IJsbrand",
    "Ĳsbrand",
    "Mariëlle",
    "Çağla",
    "Søren",
    "Noël",
    "Ruud",
]
TUSSENVOEGSELS = ["", "van ", "van der ", "de ", "van 't ", "ter ", "in 't ", "van den ", "d'", "Van "]
LAST_NAMES = ["Berg", "Dijk", "Öztürk", "Hof", "Meer-IJzerman", "Wit", "Ĳzerman", "Brouwer", "Bakker", "Šimić"]

dutch_first_names = st.sampled_from(FIRST_NAMES)
dutch_last_names = st.builds(
    lambda prefix, name: prefix + name, st.sampled_from(TUSSENVOEGSELS), st.sampled_from(LAST_NAMES)
)
# Anything a browser can send: every character except lone surrogates (they cannot be encoded).
typed = st.text(st.characters(exclude_categories=("Cs",)), max_size=300)
short_typed = st.text(st.characters(exclude_categories=("Cs",)), max_size=40)
maybe_email = st.one_of(st.emails(), typed)
postcodes = st.one_of(st.sampled_from(["5611 AB", "5611ab", "5611", "1234 ZZ", "0000 AA", ""]), short_typed)
phones = st.one_of(st.sampled_from(["06-12345678", "+31 6 12345678", "040-1234567", "(040) 123 45 67"]), short_typed)
birth_years = st.one_of(st.integers(1900, 2030).map(str), short_typed)

_numbers = itertools.count()


def fresh_email():
    return f"persoon{next(_numbers)}@example.nl"


def fresh_visitor():
    """A browser from an address of its own: one visitor may hold only a share of a group's places."""
    number = next(_numbers)
    return Client(REMOTE_ADDR=f"10.{number // 65536 % 256}.{number // 256 % 256}.{number % 256}")


def answered(response, url):
    assert response.status_code < 500, url
    return response


def text(response):
    return html.unescape(re.sub(r"\s+", " ", response.content.decode()))


# --- accounts --------------------------------------------------------------------------------------

PASSWORD = "een-lang-wachtwoord-2026"


@forms
@given(first=typed, last=typed, email=maybe_email, password=typed)
def test_account_sign_up_never_fails(home, first, last, email, password):
    data = {"first_name": first, "last_name": last, "email": email, "password1": password, "password2": password}
    answered(Client().post("/account/signup/", data), "/account/signup/")


@round_trips
@given(first=dutch_first_names, last=dutch_last_names)
def test_account_sign_up_keeps_dutch_names(home, first, last):
    email = fresh_email()
    data = {"first_name": first, "last_name": last, "email": email, "password1": PASSWORD, "password2": PASSWORD}
    assert Client().post("/account/signup/", data).status_code == 302
    user = User.objects.get(email=email)
    assert (user.first_name, user.last_name) == (first, last)


@forms
@given(first=typed, last=typed, email=maybe_email, organisation=typed, role=short_typed, practice=typed)
def test_professional_sign_up_never_fails(home, first, last, email, organisation, role, practice):
    data = {
        "first_name": first,
        "last_name": last,
        "email": email,
        "password1": PASSWORD,
        "password2": PASSWORD,
        "organisation": organisation,
        "role": role,
        "practice": practice,
    }
    answered(Client().post("/mijn-account/professional/aanmelden/", data), "professional sign-up")


@round_trips
@given(first=dutch_first_names, last=dutch_last_names, practice=dutch_last_names)
def test_professional_sign_up_keeps_dutch_names(home, first, last, practice):
    email = fresh_email()
    data = {
        "first_name": first,
        "last_name": last,
        "email": email,
        "password1": PASSWORD,
        "password2": PASSWORD,
        "organisation": "Zorggroep Zuidoost",
        "role": "poh_ggz",
        "practice": f"Huisartsenpraktijk {practice}",
    }
    assert Client().post("/mijn-account/professional/aanmelden/", data).status_code == 302
    user = User.objects.get(email=email)
    assert (user.first_name, user.last_name) == (first, last)
    assert user.professional_profile.practice == f"Huisartsenpraktijk {practice}"


@forms
@given(login=maybe_email, password=typed)
def test_login_never_fails(db, login, password):
    answered(Client().post("/account/login/", {"login": login, "password": password}), "/account/login/")


@forms
@given(email=maybe_email)
def test_password_reset_never_fails(home, email):
    answered(Client().post("/account/password/reset/", {"email": email}), "/account/password/reset/")


# --- finding trainings -----------------------------------------------------------------------------

FILTERS = ["postcode", "distance", "theme", "audience", "delivery", "couples", "free_places", "starts_within"]


@pytest.fixture
def catalogue(course_index):
    theme = factories.ThemeFactory(name="Stress")
    course = factories.CoursePageFactory(parent=course_index, title="Mentaal Fit", themes=[theme])
    return course_index, course


@forms
@given(values=st.fixed_dictionaries({}, optional={name: st.one_of(short_typed, postcodes) for name in FILTERS}))
def test_the_course_finder_never_fails(catalogue, values):
    index, _course = catalogue
    answered(Client().get(index.url, values), index.url)


@forms
@given(query=typed, page=short_typed)
def test_the_search_never_fails(catalogue, query, page):
    response = answered(Client().get("/zoeken/", {"q": query, "pagina": page}), "/zoeken/")
    assert response.status_code == 200


# --- signing up for a group ------------------------------------------------------------------------


@pytest.fixture
def group(course_index):
    course = signup_course(course_index, couples_welcome=True, title="Mindfulness")
    return planned_group(course, factories.LocationFactory(name="Gezondheidscentrum Geldrop"), capacity=1000, count=5)


def signup_url(name, group):
    return reverse(f"signup:{name}", kwargs={"group_id": group.pk})


def person(**fields):
    return {
        "first_name": "Sanne",
        "last_name": "de Vries",
        "email": fresh_email(),
        "phone": "06-12345678",
        "birth_year": "1985",
        "postcode": "5664 AB",
        "gp_practice": "Huisartsenpraktijk Geldrop",
        "action": "next",
    } | fields


def fitting_answers(group):
    return {f"vraag_{q.pk}": q.fitting_answer for q in group.course.suitability_questions.all()} | {"action": "next"}


person_fields = st.fixed_dictionaries(
    {
        "first_name": typed,
        "last_name": typed,
        "email": maybe_email,
        "phone": phones,
        "birth_year": birth_years,
        "postcode": postcodes,
        "gp_practice": typed,
    },
    optional={
        "gp_letter_consent": short_typed,
        "together": short_typed,
        "partner_first_name": typed,
        "partner_last_name": typed,
        "partner_email": maybe_email,
        "partner_phone": phones,
        "partner_birth_year": birth_years,
        "partner_postcode": postcodes,
        "action": st.sampled_from(["next", "back", ""]),
    },
)


@forms
@given(data=person_fields, answers=st.dictionaries(short_typed, short_typed, max_size=4))
def test_the_sign_up_steps_never_fail(group, data, answers):
    client = Client()
    answered(client.get(signup_url("group", group)), "step 1")
    answered(client.post(signup_url("participant", group), data), "details")
    answered(client.post(signup_url("suitability", group), answers), "questions")
    answered(
        client.post(signup_url("consent", group), {"consent": answers.get("consent", "on"), "action": "next"}),
        "consent",
    )
    answered(
        client.post(signup_url("payment", group), {"provider": answers.get("provider", ""), "action": "next"}), "pay"
    )


@round_trips
@given(first=dutch_first_names, last=dutch_last_names, partner_first=dutch_first_names, partner_last=dutch_last_names)
def test_the_sign_up_keeps_dutch_names(group, first, last, partner_first, partner_last):
    client = fresh_visitor()
    details = person(
        first_name=first,
        last_name=last,
        together="on",
        partner_first_name=partner_first,
        partner_last_name=partner_last,
        partner_email=fresh_email(),
        partner_phone="040-1234567",
        partner_birth_year="1983",
        partner_postcode="5664 AB",
    )
    assert client.post(signup_url("participant", group), details).status_code == 302
    assert client.post(signup_url("suitability", group), fitting_answers(group)).status_code == 302
    shown = text(client.get(signup_url("consent", group)))
    assert f"{first} {last}" in shown and f"{partner_first} {partner_last}" in shown
    assert client.post(signup_url("consent", group), {"consent": "on", "action": "next"}).status_code == 302
    stored = Participant.objects.get(email=details["email"])
    partner = Participant.objects.get(email=details["partner_email"])
    assert (stored.first_name, stored.last_name, partner.first_name, partner.last_name) == (
        first,
        last,
        partner_first,
        partner_last,
    )


# --- the waiting list ------------------------------------------------------------------------------


def waitlist_url(group):
    return reverse("waitlist:join", kwargs={"course_id": group.course_id})


@forms
@given(
    data=person_fields,
    extra=st.fixed_dictionaries(
        {}, optional={"preferred_locations": short_typed, "part_of_day": short_typed, "consent": short_typed}
    ),
)
def test_joining_the_waiting_list_never_fails(group, data, extra):
    answered(Client().post(waitlist_url(group), data | extra), "waiting list")


@round_trips
@given(first=dutch_first_names, last=dutch_last_names)
def test_the_waiting_list_keeps_dutch_names(group, first, last):
    details = person(first_name=first, last_name=last, part_of_day="any", consent="on")
    response = Client().post(waitlist_url(group), details, follow=True)
    assert response.status_code == 200
    assert f"{first} {last}" in text(response)
    stored = Participant.objects.get(email=details["email"])
    assert (stored.first_name, stored.last_name) == (first, last)


# --- the personal link: a new one, and cancelling ------------------------------------------------------


@forms
@given(email=maybe_email)
def test_asking_for_a_new_personal_link_never_fails(group, email):
    answered(Client().post(reverse("selfservice:new_link"), {"email": email}), "new link")


@pytest.fixture
def personal_link(group, django_capture_on_commit_callbacks):
    client = Client()
    details = person(first_name="Joëlle", last_name="van 't Hof")
    client.post(signup_url("participant", group), details)
    client.post(signup_url("suitability", group), fitting_answers(group))
    client.post(signup_url("consent", group), {"consent": "on", "action": "next"})
    with django_capture_on_commit_callbacks(execute=True):
        client.post(signup_url("payment", group), {"provider": "offline", "action": "next"})
    (path,) = {match for message in mail.outbox for match in re.findall(r"/mijn-aanmelding/[\w:-]+/", message.body)}
    return path


@forms
@given(data=st.dictionaries(st.sampled_from(["who", "action", "confirm", "reason"]), short_typed, max_size=4))
def test_cancelling_never_fails(personal_link, data):
    client = Client()
    answered(client.get(personal_link), personal_link)
    answered(client.post(personal_link + "afmelden/", data), "cancel")
