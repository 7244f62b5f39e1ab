"""Site search over trainings, factsheets and toolkits."""

import pytest

from accounts import services
from tests import factories


@pytest.fixture
def content(course_index, professionals_index):
    factories.CoursePageFactory(
        parent=course_index, title="Mindfulness", summary="Leer aandachtig leven en minder piekeren."
    )
    factories.CoursePageFactory(parent=course_index, title="Mentaal Fit", summary="Ontspannen en grenzen stellen.")
    factories.FactsheetPageFactory(
        parent=professionals_index, title="Verwijzen naar Mindfulness", summary="Wanneer past mindfulness?"
    )
    factories.ToolkitPageFactory(
        parent=professionals_index, title="Toolkit voor de huisarts als werkgever", introduction="Werkgeverschap."
    )
    factories.StandardPageFactory(parent=course_index.get_parent(), title="Mindfulness in het nieuws")


def titles(response):
    return [page.title for page in response.context["results"]]


def test_search_finds_trainings_and_factsheets(client, content):
    response = client.get("/zoeken/", {"q": "mindfulness"})
    assert response.status_code == 200
    found = titles(response)
    assert "Mindfulness" in found and "Verwijzen naar Mindfulness" in found
    assert "Mindfulness in het nieuws" not in found  # only trainings, factsheets and toolkits


def test_search_finds_toolkits(client, content):
    assert titles(client.get("/zoeken/", {"q": "werkgever"})) == ["Toolkit voor de huisarts als werkgever"]


def test_search_without_results_says_so_in_dutch(client, content):
    response = client.get("/zoeken/", {"q": "xylofoon"})
    assert "Geen resultaten" in response.content.decode()


def test_too_long_search_gets_a_message(client, content):
    response = client.get("/zoeken/", {"q": "mindfulness " * 50})
    assert response.status_code == 200
    assert "te lang" in response.content.decode()


def test_unpublished_pages_are_not_found(client, content, course_index):
    draft = factories.CoursePageFactory(parent=course_index, title="Mindful wandelen", live=False)
    assert draft.title not in titles(client.get("/zoeken/", {"q": "wandelen"}))


@pytest.fixture
def professional_factsheet(professionals_index):
    return factories.FactsheetPageFactory(
        parent=professionals_index,
        title="Wachttijden bij de regionale ggz",
        summary="Actuele wachttijden per aanbieder, alleen voor verwijzers.",
        audience="professionals",
    )


def test_professional_factsheets_are_not_found_by_anonymous_visitors(client, content, professional_factsheet):
    response = client.get("/zoeken/", {"q": "wachttijden"})
    html = response.content.decode()
    assert "Wachttijden bij de regionale ggz" not in html
    assert "alleen voor verwijzers" not in html
    assert titles(response) == []


def test_professional_factsheets_are_not_found_by_unverified_professionals(client, content, professional_factsheet):
    client.force_login(factories.ProfessionalProfileFactory(user__email="nieuw@example.nl").user)
    assert titles(client.get("/zoeken/", {"q": "wachttijden"})) == []


def test_verified_professionals_find_professional_factsheets(client, content, professional_factsheet):
    profile = factories.ProfessionalProfileFactory(user__email="poh@example.nl")
    services.verify_professional(profile, decided_by=None)
    client.force_login(profile.user)
    assert titles(client.get("/zoeken/", {"q": "wachttijden"})) == ["Wachttijden bij de regionale ggz"]
