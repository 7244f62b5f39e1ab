"""Toolkit documents and professional factsheets are for verified professionals and staff only."""

import pytest
from django.contrib.auth.models import Group

from accounts import roles, services
from accounts.models import ProfessionalProfile
from tests import factories


@pytest.fixture
def toolkit_document(professionals_index):
    toolkit = factories.ToolkitPageFactory(parent=professionals_index, title="Toolkit nieuwe POH-GGZ")
    return factories.ToolkitDocumentFactory(page=toolkit, title="Inwerkplan")


@pytest.fixture
def professional_factsheet(professionals_index):
    return factories.FactsheetPageFactory(
        parent=professionals_index,
        title="Wachttijden in de regio",
        audience="professionals",
        pdf=factories.ProfessionalDocumentFactory(),
    )


@pytest.fixture
def public_factsheet(professionals_index):
    return factories.FactsheetPageFactory(
        parent=professionals_index,
        title="Wat is een groepstraining?",
        audience="everyone",
        pdf=factories.DocumentFactory(),
    )


@pytest.fixture
def patient(db):
    return factories.UserFactory(email="patient@example.nl")


@pytest.fixture
def unverified(db):
    return factories.ProfessionalProfileFactory(user__email="nieuw@example.nl").user


@pytest.fixture
def verified(db):
    profile = factories.ProfessionalProfileFactory(user__email="poh@example.nl")
    services.verify_professional(profile, decided_by=None)
    return profile.user


def document_urls(toolkit_document, professional_factsheet):
    return [toolkit_document.document.url, professional_factsheet.pdf.url, professional_factsheet.url]


def test_anonymous_visitor_is_sent_to_the_login(client, toolkit_document, professional_factsheet):
    for url in document_urls(toolkit_document, professional_factsheet):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/account/login/?next=")


@pytest.mark.parametrize("who", ["patient", "unverified"])
def test_logged_in_without_access_gets_an_explanation(client, request, who, toolkit_document, professional_factsheet):
    client.force_login(request.getfixturevalue(who))
    for url in document_urls(toolkit_document, professional_factsheet):
        response = client.get(url)
        assert response.status_code == 403, url
        assert "geverifieerde professionals" in response.content.decode()


def test_unverified_professional_is_told_the_request_is_being_checked(client, unverified, toolkit_document):
    client.force_login(unverified)
    response = client.get(toolkit_document.document.url)
    assert "wordt gecontroleerd" in response.content.decode()


def test_verified_professional_downloads_the_documents(client, verified, toolkit_document, professional_factsheet):
    client.force_login(verified)
    response = client.get(toolkit_document.document.url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert client.get(professional_factsheet.pdf.url).status_code == 200
    assert client.get(professional_factsheet.url).status_code == 200


def test_staff_can_open_professional_documents(client, toolkit_document):
    editor = factories.UserFactory(email="redactie@example.nl")
    editor.groups.add(Group.objects.get_or_create(name=roles.EDITORS)[0])
    client.force_login(editor)
    assert client.get(toolkit_document.document.url).status_code == 200


def test_public_factsheet_and_its_pdf_are_open_to_everyone(client, public_factsheet):
    assert client.get(public_factsheet.url).status_code == 200
    assert client.get(public_factsheet.pdf.url).status_code == 200


def test_documents_are_never_served_straight_from_the_media_folder(client, toolkit_document, settings):
    settings.DEBUG = True  # even the development server's media route must not expose them
    path = "/media/" + toolkit_document.document.file.name
    assert client.get(path).status_code == 404


def test_toolkit_page_is_public_but_explains_access(client, toolkit_document):
    response = client.get(toolkit_document.page.url)
    assert response.status_code == 200
    assert "Inwerkplan" in response.content.decode()


def test_withdrawing_verification_removes_access(client, verified, toolkit_document):
    profile = verified.professional_profile
    services.decide_professional(profile, status=ProfessionalProfile.Status.REJECTED, decided_by=None)
    client.force_login(verified)
    assert client.get(toolkit_document.document.url).status_code == 403
