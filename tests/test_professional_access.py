"""Toolkit documents and professional factsheets are for verified professionals and staff only."""

import pytest
from django.contrib.auth.models import AnonymousUser, Group
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from wagtail.documents import get_document_model

from accounts import roles, services
from accounts.models import ProfessionalProfile
from resources.access import can_open_professional_content, ensure_professional_collection, is_professional_document
from resources.models import FactsheetPage, ToolkitDocument
from resources.setup import protect_professional_documents
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


# --- Private from upload on: the "Voor professionals" collection ----------------------------------


@pytest.fixture
def unattached_document(db):
    return factories.ProfessionalDocumentFactory(title="Concept werkafspraken")


@pytest.fixture
def draft_only_document(professionals_index):
    toolkit = factories.ToolkitPageFactory(parent=professionals_index, title="Toolkit werkgever")
    document = factories.ProfessionalDocumentFactory(title="Nieuwe leidraad")
    toolkit.documents = [ToolkitDocument(title="Nieuwe leidraad", description="Nog in concept.", document=document)]
    toolkit.save_revision()  # a draft: the live page has no documents
    assert not ToolkitDocument.objects.filter(document=document).exists()
    return document


@pytest.mark.parametrize("which", ["unattached_document", "draft_only_document"])
def test_a_document_in_the_professional_collection_is_private_before_any_page_uses_it(
    client, request, which, unverified, verified
):
    document = request.getfixturevalue(which)
    response = client.get(document.url)
    assert response.status_code == 302 and response["Location"].startswith("/account/login/?next=")

    client.force_login(unverified)
    response = client.get(document.url)
    assert response.status_code == 403
    assert "wordt gecontroleerd" in response.content.decode()

    client.force_login(verified)
    response = client.get(document.url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")


def test_a_document_uploaded_into_the_collection_is_private_at_once(client, settings, home):
    settings.GROEPSWIJZER_STAFF_MFA_REQUIRED = False
    editor = factories.UserFactory(email="redactie@example.nl")
    editor.groups.add(Group.objects.get(name=roles.EDITORS))
    client.force_login(editor)
    collection = ensure_professional_collection()
    response = client.post(
        "/admin/documents/add/",
        {
            "title": "Inwerkplan 2027",
            "collection": collection.pk,
            "file": SimpleUploadedFile("inwerkplan.pdf", factories.MINIMAL_PDF, content_type="application/pdf"),
        },
    )
    assert response.status_code == 302
    document = get_document_model().objects.get(title="Inwerkplan 2027")
    client.logout()
    assert client.get(document.url).status_code == 302


def test_the_upload_form_offers_the_professional_collection(client, settings, home):
    settings.GROEPSWIJZER_STAFF_MFA_REQUIRED = False
    editor = factories.UserFactory(email="redactie@example.nl")
    editor.groups.add(Group.objects.get(name=roles.EDITORS))
    client.force_login(editor)
    ensure_professional_collection()
    html = client.get("/admin/documents/chooser/").content.decode()
    assert "Voor professionals" in html


def test_a_toolkit_only_takes_documents_from_the_professional_collection(professionals_index):
    toolkit = factories.ToolkitPageFactory(parent=professionals_index)
    public_document = factories.DocumentFactory()
    with pytest.raises(ValidationError) as refused:
        ToolkitDocument(
            page=toolkit, title="Folder", description="Voor iedereen", document=public_document
        ).full_clean()
    assert "collectie ‘Voor professionals’" in str(refused.value.message_dict["document"])


def test_a_professional_factsheet_only_takes_a_pdf_from_the_professional_collection(professionals_index):
    factsheet = factories.FactsheetPageFactory.build(audience="professionals", pdf=factories.DocumentFactory())
    with pytest.raises(ValidationError) as refused:
        factsheet.clean()
    assert "collectie ‘Voor professionals’" in str(refused.value.message_dict["pdf"])


def test_documents_attached_before_the_collection_existed_are_moved_into_it(professionals_index):
    toolkit = factories.ToolkitPageFactory(parent=professionals_index)
    old = factories.DocumentFactory(title="Oude checklist")
    ToolkitDocument.objects.bulk_create([ToolkitDocument(page=toolkit, title="x", description="y", document=old)])
    assert not is_professional_document(old)
    protect_professional_documents(sender=None)
    old.refresh_from_db()
    assert is_professional_document(old)


@pytest.mark.parametrize("who", ["anonymous", "patient", "unverified", "verified", "editor", "coordinator", "trainer"])
def test_the_collection_restriction_and_the_page_rule_agree(rf, request, who, professionals_index):
    if who == "anonymous":
        user = AnonymousUser()
    elif who in {"editor", "coordinator", "trainer"}:
        user = factories.UserFactory(email=f"{who}@example.nl")
        user.groups.add(
            Group.objects.get(
                name={"editor": roles.EDITORS, "coordinator": roles.COORDINATORS, "trainer": roles.TRAINERS}[who]
            )
        )
    else:
        user = request.getfixturevalue(who)
    http_request = rf.get("/")
    http_request.user = user
    (restriction,) = ensure_professional_collection().get_view_restrictions()
    assert restriction.accept_request(http_request) == can_open_professional_content(user)


@pytest.mark.django_db(transaction=True)
def test_the_demo_keeps_toolkit_documents_private_and_public_pdfs_public(wagtail_roots):
    call_command("load_demo", verbosity=0)
    toolkit_documents = [item.document for item in ToolkitDocument.objects.select_related("document__collection")]
    assert toolkit_documents and all(is_professional_document(document) for document in toolkit_documents)
    for factsheet in FactsheetPage.objects.filter(pdf__isnull=False).select_related("pdf"):
        assert is_professional_document(factsheet.pdf) == factsheet.for_professionals_only, factsheet.title
