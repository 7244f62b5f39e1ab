"""Odd requests get a 4xx or a Dutch message at the field, never a 500."""

import pytest

from accounts.models import User
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def content(course_index):
    return factories.CoursePageFactory(parent=course_index, title="Mentaal Fit", summary="Leer omgaan met stress.")


@pytest.mark.parametrize(
    "typed",
    [
        '"mentaal fit',
        "mentaal fit\"'",
        "\x00",
        "mentaal\x00fit",
        "NEAR(mentaal",
        "fit*",
        "(",
        "-",
        "^",
        "OR",
        "é\u200b",
    ],
)
def test_search_syntax_and_control_characters_are_harmless(client, content, typed):
    response = client.get("/zoeken/", {"q": typed})
    assert response.status_code == 200


def test_an_unbalanced_quote_still_finds_the_training(client, content):
    response = client.get("/zoeken/?q=%22mentaal%20fit")
    assert [page.title for page in response.context["results"]] == ["Mentaal Fit"]


def test_a_nul_is_dropped_from_the_query(client, content):
    response = client.get("/zoeken/?q=mentaal%00")
    assert response.status_code == 200
    assert [page.title for page in response.context["results"]] == ["Mentaal Fit"]


@pytest.mark.parametrize("charset", ["utf-16", "utf-32", "latin-1"])
@pytest.mark.parametrize(
    "url",
    ["/account/login/", "/account/signup/", "/mijn-account/professional/aanmelden/", "/mijn-aanmelding/nieuwe-link/"],
)
def test_a_form_in_another_character_set_gets_a_dutch_400(client, home, url, charset):
    response = client.post(
        url,
        "login=jo\u00eblle@example.nl&password=geheim",
        content_type=f"application/x-www-form-urlencoded; charset={charset}",
    )
    assert response.status_code == 400
    assert "tekenset die wij niet kunnen lezen" in response.content.decode()


def test_a_form_in_utf8_is_read(client, home):
    response = client.post(
        "/account/login/",
        "login=jo%C3%ABlle@example.nl&password=x",
        content_type="application/x-www-form-urlencoded; charset=UTF-8",
    )
    assert response.status_code == 200
    assert 'value="joëlle@example.nl"' in response.content.decode()


def signup(client, email):
    return client.post(
        "/account/signup/",
        {
            "first_name": "Joëlle",
            "last_name": "van der Berg",
            "email": email,
            "password1": "een-lang-wachtwoord-2026",
            "password2": "een-lang-wachtwoord-2026",
        },
    )


def long_email(length):
    """A valid address of `length` characters: a normal name at a domain of long (but valid) labels."""
    local, tail = "joelle.van.der.berg", ".example.nl"
    labels = length - len(local) - 1 - len(tail)
    domain = ".".join(["d" * 60] * (labels // 61) + ["e" * (labels % 61 or 1)])
    email = f"{local}@{domain}{tail}"
    return email if len(email) == length else email[:length]


def test_an_email_longer_than_we_can_keep_gets_a_message_at_the_field_every_time(client, home):
    email = long_email(255)
    assert len(email) == 255
    for _attempt in range(2):
        response = signup(client, email)
        assert response.status_code == 200
        html = response.content.decode()
        assert "Dit e-mailadres is te lang" in html
        assert 'value="Joëlle"' in html  # nothing typed is lost
    assert not User.objects.exists()


def test_an_email_of_exactly_the_longest_length_is_accepted(client, home):
    email = long_email(254)
    response = signup(client, email)
    assert response.status_code == 302
    assert User.objects.get().email == email
    # A second sign-up with it is refused neutrally, without an error.
    assert signup(client, email).status_code in {200, 302}
    assert User.objects.count() == 1
