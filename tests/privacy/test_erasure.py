"""Erasure on request: by a coordinator with a reason, or by the participant through an emailed link.

After erasure no row anywhere holds the address: not in any registered
model, and not in any text column of any table.
"""

import datetime
import re

import pytest
import time_machine
from django.urls import reverse

from accounts.models import User
from booking.models import AccessLogEntry, Enrollment, Participant, Payment, Refund
from booking.services.links import manage_path, waitlist_status_path
from privacy import registry
from privacy.erasure import ErasureBlocked, erase
from privacy.models import ErasureRecord
from privacy.people import find_person, rows_of
from tests.booking.factories import EnrollmentFactory, ParticipantFactory, coordinator, staff_user
from tests.helpers import text
from tests.privacy.factories import ended_group, history, months_ago, rows_holding

pytestmark = pytest.mark.django_db


def registered_rows_holding(email):
    """[(model, pk)] of every registered model's rows that still hold the address in an address field."""
    found = []
    for entry in registry.entries():
        model = entry.model
        for name in entry.address_fields():
            found += [
                (entry.label, pk)
                for pk in model.objects.filter(**{f"{name}__iexact": email}).values_list("pk", flat=True)
            ]
    return found


def assert_nothing_holds(email):
    assert registered_rows_holding(email) == []
    assert rows_holding(email) == []


def erase_url(participant):
    return reverse("privacy_erase", args=(participant.pk,))


@pytest.fixture
def staff(client):
    user = coordinator()
    client.force_login(user)
    return user


# --- by a coordinator -----------------------------------------------------------------------------


def test_a_coordinator_erases_with_a_reason_and_it_is_recorded(client, staff):
    sanne = history(ended_at=months_ago(3))
    page = client.get(erase_url(sanne.participant))
    assert page.status_code == 200
    assert "Gegevens verwijderen op verzoek" in text(page) and sanne.email in text(page)
    assert AccessLogEntry.objects.filter(user=staff, participant=sanne.participant, action="view").exists()

    response = client.post(erase_url(sanne.participant), {"reason": "Verzoek per e-mail van 3 maart"})

    assert response.status_code == 302
    record = ErasureRecord.objects.get()
    assert (record.by, record.source, record.reason) == (staff, "coordinator", "Verzoek per e-mail van 3 maart")
    assert record.participant_ids == [sanne.participant.pk] and record.account_ids == [sanne.user.pk]
    assert AccessLogEntry.objects.filter(user=staff, participant=sanne.participant, action="erase").exists()
    assert_nothing_holds(sanne.email)
    # Records stay; the account is closed.
    assert Enrollment.objects.filter(pk=sanne.enrollment.pk, status="completed").exists()
    account = User.objects.get(pk=sanne.user.pk)
    assert not account.is_active and not account.has_usable_password()


def test_the_reason_is_required_and_may_not_name_the_person(client, staff):
    sanne = history(ended_at=months_ago(3))
    empty = client.post(erase_url(sanne.participant), {"reason": ""})
    assert empty.status_code == 400 and "Schrijf op waarom de gegevens worden verwijderd." in text(empty)
    named = client.post(erase_url(sanne.participant), {"reason": f"Mail van {sanne.email}"})
    assert named.status_code == 400 and "Schrijf de reden zonder naam of e-mailadres." in text(named)
    assert "Mail van" in text(named)  # what was typed stays in the field
    assert not ErasureRecord.objects.exists()
    assert Participant.objects.get(pk=sanne.participant.pk).email == sanne.email


def test_an_open_payment_blocks_erasure_with_a_clear_message(client, staff):
    sanne = history(ended_at=months_ago(3))
    Payment.objects.filter(pk=sanne.payment.pk).update(status=Payment.Status.OPEN)
    page = text(client.get(erase_url(sanne.participant)))
    assert "Verwijderen kan nog niet" in page and "Er staat nog een betaling open (€\u00a035,00)" in page
    response = client.post(erase_url(sanne.participant), {"reason": "Verzoek per telefoon"})
    assert response.status_code == 400
    assert Participant.objects.get(pk=sanne.participant.pk).email == sanne.email


def test_a_refund_on_its_way_blocks_erasure_until_it_is_done():
    sanne = history(ended_at=months_ago(3))
    Refund.objects.filter(pk=sanne.refund.pk).update(status=Refund.Status.PENDING)
    with pytest.raises(ErasureBlocked) as blocked:
        erase(find_person(sanne.email), reason="Verzoek", source="coordinator")
    assert "Er loopt nog een terugbetaling" in blocked.value.messages[0]
    Refund.objects.filter(pk=sanne.refund.pk).update(status=Refund.Status.REFUNDED)
    erase(find_person(sanne.email), reason="Verzoek", source="coordinator")
    assert_nothing_holds(sanne.email)


def test_a_coordinator_without_the_permission_cannot_erase(client):
    sanne = history(ended_at=months_ago(3))
    client.force_login(staff_user("Editors"))
    assert client.get(erase_url(sanne.participant)).status_code in (302, 403)
    assert client.post(erase_url(sanne.participant), {"reason": "Verzoek"}).status_code in (302, 403)
    assert Participant.objects.get(pk=sanne.participant.pk).anonymised_at is None


def test_the_account_of_a_member_of_staff_is_not_erased_this_way():
    worker = coordinator(email="ilse@groepswijzer.example")
    ParticipantFactory(email=worker.email)
    with pytest.raises(ErasureBlocked) as blocked:
        erase(find_person(worker.email), reason="Verzoek", source="coordinator")
    assert "medewerker" in blocked.value.messages[0]


def test_a_partner_who_paid_together_keeps_their_data():
    group = ended_group(history(ended_at=months_ago(3)).group.course, months_ago(2))
    sanne = EnrollmentFactory(group=group, participant=ParticipantFactory(email="sanne@example.nl"))
    joost = EnrollmentFactory(group=group, party=sanne.party, participant=ParticipantFactory(email="joost@example.nl"))
    Enrollment.objects.filter(pk__in=[sanne.pk, joost.pk]).update(status=Enrollment.Status.COMPLETED)
    payment = Payment.objects.create(
        party=sanne.party, group=group, amount=70, places=2, provider="offline", status="paid"
    )
    payment.enrollments.add(sanne, joost)
    erase(find_person("sanne@example.nl"), reason="Verzoek", source="coordinator")
    assert Participant.objects.get(pk=joost.participant_id).email == "joost@example.nl"
    assert_nothing_holds("sanne@example.nl")


# --- by the participant, from the personal page ----------------------------------------------------


def confirm_link(mailoutbox, address):
    (message,) = [m for m in mailoutbox if m.to == [address]]
    return re.search(r"http://testserver(/mijn-aanmelding/verwijderen/[^/\s]+/)", message.body).group(1)


def test_the_participant_asks_confirms_by_email_and_everything_is_gone(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    sanne = history(ended_at=months_ago(3))
    manage = manage_path(sanne.enrollment)
    assert "Uw gegevens laten verwijderen" in text(client.get(manage))
    ask = client.get(f"{manage}gegevens-verwijderen/")
    assert ask.status_code == 200 and "Dit verwijderen we" in text(ask)

    with django_capture_on_commit_callbacks(execute=True):
        sent = client.post(f"{manage}gegevens-verwijderen/")
    assert sent.status_code == 302 and "Kijk in uw e-mail" in text(client.get(sent["Location"]))
    link = confirm_link(mailoutbox, sanne.email)
    assert Participant.objects.get(pk=sanne.participant.pk).anonymised_at is None  # asking erases nothing

    confirm = client.get(link)  # a mail program opening the link erases nothing either
    assert confirm.status_code == 200 and "Ja, verwijder mijn gegevens" in text(confirm)
    assert Participant.objects.get(pk=sanne.participant.pk).anonymised_at is None

    done = client.post(link)
    assert done.status_code == 302
    assert "Uw gegevens zijn verwijderd" in text(client.get(done["Location"]))
    record = ErasureRecord.objects.get()
    assert record.source == "participant" and record.by is None
    assert_nothing_holds(sanne.email)
    # The links lead to a page that says so.
    assert client.get(manage).status_code == 410
    assert client.get(link).status_code == 410


def test_erasure_waits_while_a_place_goes_on_and_says_why(client, django_capture_on_commit_callbacks, mailoutbox):
    sanne = history(ended_at=months_ago(3))
    later = ended_group(sanne.group.course, months_ago(-2), status="open")
    current = EnrollmentFactory(group=later, participant=ParticipantFactory(email=sanne.email))
    ask = client.get(f"{manage_path(current)}gegevens-verwijderen/")
    assert "Er is nog een plaats in een groep die niet is afgelopen" in text(ask)
    assert "Stuur mij de e-mail" not in text(ask)
    with django_capture_on_commit_callbacks(execute=True):
        refused = client.post(f"{manage_path(current)}gegevens-verwijderen/")
    assert refused.status_code == 409 and mailoutbox == []


def test_an_old_confirmation_link_no_longer_erases(client, mailoutbox, django_capture_on_commit_callbacks):
    sanne = history(ended_at=months_ago(3))
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"{manage_path(sanne.enrollment)}gegevens-verwijderen/")
    link = confirm_link(mailoutbox, sanne.email)
    with time_machine.travel(datetime.timedelta(days=8)):
        response = client.post(link)
    assert response.status_code == 410
    assert Participant.objects.get(pk=sanne.participant.pk).anonymised_at is None


def test_asking_twice_in_an_hour_sends_one_email(client, mailoutbox, django_capture_on_commit_callbacks):
    sanne = history(ended_at=months_ago(3))
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"{manage_path(sanne.enrollment)}gegevens-verwijderen/")
        client.post(f"{manage_path(sanne.enrollment)}gegevens-verwijderen/")
    assert len([m for m in mailoutbox if m.to == [sanne.email]]) == 1


def test_erasure_covers_every_registered_model_of_the_person():
    sanne = history(ended_at=months_ago(3))
    person = find_person(sanne.email)
    assert person.participant_ids == {sanne.participant.pk} and person.account_ids == {sanne.user.pk}
    erase(person, reason="Verzoek", source="coordinator")
    for entry in registry.entries():
        for row in rows_of(entry, person):
            for name, anonymiser in entry.fields.items():
                if anonymiser.constant is not registry._NO_CONSTANT:
                    assert getattr(row, name) == anonymiser.constant, (entry.label, name)


def test_someone_only_on_a_waiting_list_downloads_and_erases_from_the_lists_page(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    sanne = history(ended_at=months_ago(3), account=False)
    status = waitlist_status_path(sanne.entry)
    assert "Uw gegevens laten verwijderen" in text(client.get(status))
    document = client.get(f"{status}gegevens.json")
    assert document.status_code == 200 and sanne.email in document.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        sent = client.post(f"{status}gegevens-verwijderen/")
    assert sent.status_code == 302
    client.post(confirm_link(mailoutbox, sanne.email))
    assert_nothing_holds(sanne.email)
    assert client.get(status).status_code == 410
