"""Inzage: the participant downloads everything we hold about them, as JSON and as a readable PDF."""

import json

import pytest

from booking.models import Enrollment, Payment
from booking.periodic import run_periodic
from booking.services.links import manage_path
from privacy import inzage, registry
from privacy.people import find_person
from tests.booking.factories import EnrollmentFactory, ParticipantFactory
from tests.privacy.factories import history, months_ago

pytestmark = pytest.mark.django_db


def download(client, enrollment, extension):
    return client.get(f"{manage_path(enrollment)}gegevens.{extension}")


def sections(document):
    return {section["model"]: section for section in document["onderdelen"]}


def test_the_json_download_holds_everything_of_the_person_and_nothing_secret(client):
    sanne = history(ended_at=months_ago(3))
    response = download(client, sanne.enrollment, "json")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert response["Content-Disposition"].startswith('attachment; filename="mijn-gegevens-')
    assert "no-store" in response["Cache-Control"]
    document = json.loads(response.content)
    found = sections(document)
    expected = {
        "accounts.user",
        "account.emailaddress",
        "booking.participant",
        "booking.enrollment",
        "booking.attendance",
        "booking.waitlistentry",
        "booking.waitlistmove",
        "booking.outgoingemail",
        "booking.payment",
        "booking.refund",
        "booking.paymentevent",
    }
    assert expected <= set(found)
    (participant,) = found["booking.participant"]["regels"]
    assert participant["first_name"] == "Sanne" and participant["email"] == sanne.email
    assert participant["postcode"] == "5611 AB" and participant["phone"] == "06-12345678"
    assert found["booking.participant"]["velden"]["first_name"] == "Voornaam"
    (enrollment,) = found["booking.enrollment"]["regels"]
    assert enrollment["status"] == "afgerond" and enrollment["reference"] == sanne.enrollment.reference
    assert found["booking.payment"]["regels"][0]["amount"] == "35.00"
    body = response.content.decode()
    # Staff who recorded attendance or moved someone on the list are not part of the person's data;
    # neither is a password hash.
    assert "recorded_by" not in found["booking.attendance"]["velden"]
    assert "moved_by" not in found["booking.waitlistmove"]["velden"]
    assert "password" not in found["accounts.user"]["velden"] and "md5$" not in body


def test_the_pdf_download_is_a_readable_document(client):
    sanne = history(ended_at=months_ago(3))
    response = download(client, sanne.enrollment, "pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    assert response["Content-Disposition"].endswith('.pdf"')


def test_someone_elses_data_is_not_in_the_download(client):
    sanne = history(ended_at=months_ago(3))
    partner = EnrollmentFactory(
        group=sanne.group,
        party=sanne.enrollment.party,
        participant=ParticipantFactory(first_name="Joost", email="joost@example.nl"),
        status=Enrollment.Status.COMPLETED,
    )
    Payment.objects.get(pk=sanne.payment.pk).enrollments.add(partner)
    stranger = ParticipantFactory(first_name="Kees", email="kees@example.nl")
    body = download(client, sanne.enrollment, "json").content.decode()
    assert "joost@example.nl" not in body and "Joost" not in body
    assert stranger.email not in body


def test_a_newly_declared_model_is_in_the_download_without_changing_the_download(monkeypatch):
    sanne = history(ended_at=months_ago(3))
    person = find_person(sanne.email)
    without = dict(registry.REGISTRY.entries)
    moves = without.pop("booking.waitlistmove")
    monkeypatch.setattr(registry.REGISTRY, "entries", without)
    assert "booking.waitlistmove" not in {section.model for section in inzage.collect(person)}
    monkeypatch.setattr(registry.REGISTRY, "entries", {**without, moves.label: moves})
    assert "booking.waitlistmove" in {section.model for section in inzage.collect(person)}


def test_after_erasure_the_download_links_say_the_data_is_gone(client):
    sanne = history(ended_at=months_ago(25))
    run_periodic()
    assert download(client, sanne.enrollment, "json").status_code == 410
