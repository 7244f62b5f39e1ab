"""Paying by bank transfer: offered only with a real account, told on the page, in the email and on the personal
page, and marked paid by the office by kenmerk or from a bank statement."""

import datetime
import re
from decimal import Decimal

import pytest
from django.core.checks import run_checks
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from booking.models import Enrollment, OutgoingEmail, Payment
from booking.payments import statements
from booking.payments.coordinator import mark_offline_paid
from booking.payments.providers import providers_for
from booking.selfservice.cancellation import cancel_by_participant
from booking.services import transfers
from booking.services.links import manage_path
from home.organisation import OrganisationSettings
from tests.booking.factories import (
    EnrollmentFactory,
    ParticipantFactory,
    coordinator,
    days_ahead,
    planned_group,
    signup_course,
)
from tests.factories import LocationFactory

pytestmark = pytest.mark.django_db

IBAN = "NL91 ABNA 0417 1643 00"
SANNE = {
    "first_name": "Sanne",
    "last_name": "van der Berg",
    "email": "sanne@example.nl",
    "birth_year": "1985",
    "postcode": "5611 AB",
}


@pytest.fixture
def account(db):
    organisation = OrganisationSettings.load()
    organisation.iban, organisation.account_holder = "nl91abna0417164300", "Stichting Regiobureau"
    organisation.full_clean()
    organisation.save()
    return organisation


@pytest.fixture
def course(course_index):
    return signup_course(course_index, questions=False, payment_providers=["offline", "transfer"])


@pytest.fixture
def group(course):
    return planned_group(course, LocationFactory(name="Gezondheidscentrum De Linde"), days=30)


def url(name, group):
    return reverse(f"signup:{name}", kwargs={"group_id": group.pk})


def text(response):
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def sign_up(client, group, provider, capture):
    assert client.post(url("participant", group), SANNE | {"action": "next"}).status_code == 302
    client.post(url("consent", group), {"consent": "on", "action": "next"})
    with capture(execute=True):
        response = client.post(url("payment", group), {"provider": provider, "action": "next"})
    assert response["Location"] == url("done", group), text(response)
    return client.get(url("done", group))


def transfer_for(group, *, amount=None, email=None):
    """A confirmed place in `group` that pays by transfer; returns its payment."""
    enrollment = EnrollmentFactory(group=group, participant=ParticipantFactory(**({"email": email} if email else {})))
    payment = transfers.record_transfer_payment([enrollment], now=timezone.now())
    if amount is not None:
        Payment.objects.filter(pk=payment.pk).update(amount=amount)
        payment.refresh_from_db()
    return payment


# --- the account ---------------------------------------------------------------------------------


def test_transfer_is_offered_only_while_a_valid_account_is_set(course, settings):
    assert [p.name for p in providers_for(course)] == ["offline"]

    settings.GROEPSWIJZER_IBAN, settings.GROEPSWIJZER_ACCOUNT_HOLDER = "NL91ABNA0417164301", "Stichting"
    assert [p.name for p in providers_for(course)] == ["offline"]  # a typing error: no transfers

    settings.GROEPSWIJZER_IBAN = "NL91ABNA0417164300"
    assert [p.name for p in providers_for(course)] == ["offline", "transfer"]
    assert transfers.bank_account() == transfers.BankAccount(iban=IBAN, holder="Stichting")


def test_the_site_settings_come_before_the_environment(account, settings):
    settings.GROEPSWIJZER_IBAN, settings.GROEPSWIJZER_ACCOUNT_HOLDER = "BE68539007547034", "Elders"
    assert transfers.bank_account() == transfers.BankAccount(iban=IBAN, holder="Stichting Regiobureau")


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("NL91ABNA0417164301", "Dit IBAN klopt niet: de controlecijfers passen niet bij het nummer."),
        ("NL91ABNA041716430", "Dit IBAN heeft niet het goede aantal tekens."),
        ("XX91ABNA0417164300", "Een IBAN begint met een landcode, zoals NL."),
        ("rekening 123", "Dit is geen IBAN."),
    ],
)
def test_a_wrong_iban_in_the_settings_gets_a_dutch_message_at_the_field(db, typed, message):
    organisation = OrganisationSettings.load()
    organisation.iban, organisation.account_holder = typed, "Stichting"
    with pytest.raises(ValidationError) as caught:
        organisation.full_clean()
    assert message in " ".join(caught.value.message_dict["iban"])


def test_an_iban_needs_the_name_it_is_in_and_is_kept_in_groups_of_four(db):
    organisation = OrganisationSettings.load()
    organisation.iban = "nl91abna0417164300"
    with pytest.raises(ValidationError) as caught:
        organisation.full_clean()
    assert caught.value.message_dict["account_holder"] == ["Vul in op wiens naam de rekening staat."]
    organisation.account_holder = "Stichting"
    organisation.full_clean()
    assert organisation.iban == IBAN


def test_a_wrong_iban_in_the_environment_stops_the_checks(settings):
    settings.GROEPSWIJZER_IBAN, settings.GROEPSWIJZER_ACCOUNT_HOLDER = "NL91ABNA0417164301", ""
    ids = {message.id for message in run_checks()}
    assert {"booking.E001", "booking.E002"} <= ids


# --- what the participant is told ----------------------------------------------------------------


def test_the_due_date_is_two_weeks_on_but_before_the_first_session(course):
    now = timezone.now()
    today = timezone.localdate()
    far = planned_group(course, LocationFactory(), days=40)
    near = planned_group(course, LocationFactory(), days=5)
    tomorrow = planned_group(course, LocationFactory(), days=1, hour=23)
    assert transfers.transfer_due_date(far, now) == today + datetime.timedelta(days=14)
    assert transfers.transfer_due_date(near, now) == today + datetime.timedelta(days=4)
    assert transfers.transfer_due_date(tomorrow, now) == today


def test_choosing_transfer_shows_the_account_amount_reference_and_due_date_everywhere(
    client, group, account, mailoutbox, django_capture_on_commit_callbacks
):
    done = text(sign_up(client, group, "transfer", django_capture_on_commit_callbacks))

    enrollment = Enrollment.objects.get(participant__email="sanne@example.nl")
    payment = Payment.objects.get(enrollments=enrollment)
    assert (payment.provider, payment.status, payment.amount) == ("transfer", "open", Decimal("35.00"))
    due = date_format(payment.due_on, "j F Y")
    for shown in (done, mailoutbox[0].body, text(client.get(manage_path(enrollment)))):
        assert IBAN in shown and "Stichting Regiobureau" in shown
        assert "€ 35,00" in shown.replace("\xa0", " ")
        assert enrollment.reference in shown
        assert due in shown
    assert "Zo maakt u de eigen bijdrage over" in done
    html = mailoutbox[0].alternatives[0][0]
    assert IBAN in html and enrollment.reference in html


def test_paying_at_the_first_session_says_nothing_of_a_transfer(
    client, group, mailoutbox, django_capture_on_commit_callbacks
):
    done = text(sign_up(client, group, "offline", django_capture_on_commit_callbacks))
    enrollment = Enrollment.objects.get(participant__email="sanne@example.nl")
    personal = text(client.get(manage_path(enrollment)))
    for shown in (done, mailoutbox[0].body, personal):
        assert "overboeking" not in shown and "overmaken" not in shown.lower()
    assert "U betaalt € 35,00 bij de eerste bijeenkomst." in personal.replace("\xa0", " ")


def test_without_an_account_the_payment_step_does_not_offer_a_transfer(client, group):
    client.post(url("participant", group), SANNE | {"action": "next"})
    client.post(url("consent", group), {"consent": "on", "action": "next"})
    page = text(client.get(url("payment", group)))
    assert "Betalen bij de eerste bijeenkomst" in page
    assert "overmaken" not in page.lower() and "IBAN" not in page


def test_cancelling_in_time_leaves_nothing_to_transfer(group, account):
    payment = transfer_for(group)
    cancel_by_participant(payment.enrollments.get())
    payment.refresh_from_db()
    assert payment.status == "canceled"
    assert transfers.transfer_instructions(payment) is None


# --- the office: by kenmerk ----------------------------------------------------------------------


@pytest.fixture
def office(client):
    client.force_login(coordinator())
    return client


def test_the_office_marks_a_transfer_paid_by_its_kenmerk(office, group, account, mailoutbox):
    payment = transfer_for(group)
    reference = payment.enrollments.get().reference
    typed = f" {reference[:4].lower()}-{reference[4:]} "

    page = text(office.get("/admin/overboekingen/"))
    assert reference in page and "€ 35,00" in page.replace("\xa0", " ")

    response = office.post(
        "/admin/overboekingen/", {"kenmerk-reference": typed, "kenmerk-paid_on": timezone.localdate().isoformat()}
    )
    assert response.status_code == 302
    payment.refresh_from_db()
    assert payment.status == "paid" and payment.method == "bankoverschrijving"
    assert OutgoingEmail.objects.filter(kind="payment_received").count() == 1
    assert "Alle overboekingen zijn binnen." in text(office.get("/admin/overboekingen/"))


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("ABC", "Een kenmerk heeft 8 letters en cijfers."),
        ("ZZZZZZZZ", "Bij kenmerk ZZZZZZZZ staat geen betaling open die per overboeking kan."),
    ],
)
def test_a_kenmerk_that_leads_nowhere_is_told_at_the_field(office, typed, message):
    response = office.post(
        "/admin/overboekingen/", {"kenmerk-reference": typed, "kenmerk-paid_on": timezone.localdate().isoformat()}
    )
    assert response.status_code == 200
    page = text(response)
    assert message in page
    assert f'value="{typed}"' in response.content.decode()  # what was typed stays


def test_a_payment_marked_paid_this_morning_is_not_in_the_future(group):
    payment = transfer_for(group)
    marked = mark_offline_paid(payment, by=coordinator(), method="bankoverschrijving", paid_on=timezone.localdate())
    assert marked.status == "paid" and marked.paid_at <= timezone.now()


# --- the office: a bank statement ----------------------------------------------------------------


def csv_upload(lines, name="afschrift.csv", encoding="utf-8"):
    return SimpleUploadedFile(name, "\n".join(lines).encode(encoding), content_type="text/csv")


def test_a_csv_statement_is_previewed_then_applied_once(office, group, account):
    paid = transfer_for(group)
    short = transfer_for(group)
    more = transfer_for(group)
    today = timezone.localdate().strftime("%d-%m-%Y")
    ref = {payment.pk: payment.enrollments.get().reference for payment in (paid, short, more)}
    statement = csv_upload(
        [
            "Datum;Naam;Bedrag;Omschrijving;Af Bij",
            f"{today};E. Jansen;35,00;Eigen bijdrage kenmerk {ref[paid.pk][:4]} {ref[paid.pk][4:]};Bij",
            f"{today};D. de Bruijn;20,00;{ref[short.pk].lower()};Bij",
            f"{today};S. van Dijk;40,00;Mentaal Fit {ref[more.pk]};Bij",
            f"{today};Huur;850,00;Huur zaal januari;Af",
            f"{today};Onbekend;35,00;voor de training;Bij",
            f"31-02-2027;Fout;35,00;{ref[paid.pk]};Bij",
        ],
        encoding="cp1252",
    )

    preview = office.post("/admin/overboekingen/", {"afschrift-statement": statement, "read": "1"})

    page = text(preview).replace("\xa0", " ")
    assert "Klopt: wordt op betaald gezet" in page
    assert "Te weinig betaald" in page and "Ontvangen € 20,00 van € 35,00" in page
    assert "Te veel betaald: wordt op betaald gezet" in page and "€ 5,00 te veel ontvangen" in page
    assert "Geen kenmerk gevonden" in page
    assert "1 afschrijving is overgeslagen" in page
    assert "Regel 7: de datum klopt niet (31-02-2027)." in page
    assert "Zet 2 betalingen op betaald" in page
    assert Payment.objects.filter(status="paid").count() == 0  # a preview changes nothing

    signed = re.search(r'name="signed" value="([^"]+)"', preview.content.decode()).group(1)
    office.post("/admin/overboekingen/", {"signed": signed, "apply": "1"})
    office.post("/admin/overboekingen/", {"signed": signed, "apply": "1"})  # the same twice: nothing more

    states = {p.pk: p.status for p in Payment.objects.all()}
    assert states == {paid.pk: "paid", short.pk: "open", more.pk: "paid"}
    assert OutgoingEmail.objects.filter(kind="payment_received").count() == 2
    paid.refresh_from_db()
    assert timezone.localtime(paid.paid_at).date() == timezone.localdate()


def test_a_tampered_preview_is_refused(office, group, account):
    response = office.post("/admin/overboekingen/", {"signed": "abc:def", "apply": "1"}, follow=True)
    assert "Lees het bankafschrift opnieuw in" in text(response)


def test_a_statement_without_the_needed_columns_is_refused_at_the_field(office):
    statement = csv_upload(["Wanneer;Hoeveel", "15-01-2027;35,00"])
    response = office.post("/admin/overboekingen/", {"afschrift-statement": statement, "read": "1"})
    assert "In de eerste regel missen de kolommen: datum, bedrag, omschrijving." in text(response)


def camt(entries, version="001.02"):
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>'
        f'<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.{version}"><BkToCstmrStmt>'
        f"<GrpHdr><MsgId>1</MsgId><CreDtTm>2027-01-16T06:00:00</CreDtTm></GrpHdr>"
        f"<Stmt><Id>1</Id><Acct><Id><IBAN>NL91ABNA0417164300</IBAN></Id></Acct>{''.join(entries)}</Stmt>"
        f"</BkToCstmrStmt></Document>"
    ).encode()


def entry(amount, direction, details, *, booked="2027-01-15", status="<Sts>BOOK</Sts>"):
    return (
        f'<Ntry><Amt Ccy="EUR">{amount}</Amt><CdtDbtInd>{direction}</CdtDbtInd>{status}'
        f"<BookgDt><Dt>{booked}</Dt></BookgDt><AcctSvcrRef>BANK-{amount}</AcctSvcrRef>"
        f"<NtryDtls>{details}</NtryDtls></Ntry>"
    )


def tx(amount, *, name="", free="", structured="", nested_name=False):
    party = f"<Dbtr><Pty><Nm>{name}</Nm></Pty></Dbtr>" if nested_name else f"<Dbtr><Nm>{name}</Nm></Dbtr>"
    remittance = f"<Ustrd>{free}</Ustrd>" if free else ""
    if structured:
        remittance += f"<Strd><CdtrRefInf><Ref>{structured}</Ref></CdtrRefInf></Strd>"
    return (
        f'<TxDtls><AmtDtls><TxAmt><Amt Ccy="EUR">{amount}</Amt></TxAmt></AmtDtls>'
        f"<RltdPties>{party}</RltdPties><RmtInf>{remittance}</RmtInf></TxDtls>"
    )


def test_a_camt053_statement_is_read_entry_by_entry_and_transaction_by_transaction():
    data = camt(
        [
            entry("35.00", "CRDT", tx("35.00", name="E. Jansen", free="Eigen bijdrage K7M3PQ9X")),
            entry("850.00", "DBIT", tx("850.00", name="Verhuurder", free="Huur")),
            entry(
                "70.00", "CRDT", tx("35.00", name="A", structured="AAAA2222") + tx("35.00", name="B", free="BBBB3333")
            ),
            entry("35.00", "CRDT", tx("35.00", free="later"), status="<Sts>PDNG</Sts>"),
        ]
    )

    statement = statements.read_statement(data, "afschrift.xml")

    assert statement.outgoing == 1 and statement.problems == []
    assert [(line.amount, line.description, line.name) for line in statement.lines] == [
        (Decimal("35.00"), "Eigen bijdrage K7M3PQ9X", "E. Jansen"),
        (Decimal("35.00"), "AAAA2222", "A"),
        (Decimal("35.00"), "BBBB3333", "B"),
    ]
    assert statement.lines[0].booked_on == datetime.date(2027, 1, 15)
    assert statement.lines[0].bank_reference == "BANK-35.00"


def test_a_newer_camt053_version_with_a_nested_name_is_read_too():
    data = camt([entry("35.00", "CRDT", tx("35.00", name="E. Jansen", free="K7M3PQ9X", nested_name=True))], "001.08")
    (line,) = statements.read_statement(data, "afschrift.xml").lines
    assert line.name == "E. Jansen"


def test_a_camt053_statement_pays_the_transfer_it_names(office, group, account):
    payment = transfer_for(group)
    reference = payment.enrollments.get().reference
    today = timezone.localdate().isoformat()
    data = camt([entry("35.00", "CRDT", tx("35.00", name="E. Jansen", free=f"Kenmerk {reference}"), booked=today)])
    upload = SimpleUploadedFile("afschrift.xml", data, content_type="application/xml")

    preview = office.post("/admin/overboekingen/", {"afschrift-statement": upload, "read": "1"})
    signed = re.search(r'name="signed" value="([^"]+)"', preview.content.decode()).group(1)
    office.post("/admin/overboekingen/", {"signed": signed, "apply": "1"})

    payment.refresh_from_db()
    assert payment.status == "paid"
    assert "BANK-35.00" in payment.events.order_by("-pk").first().note


def test_xml_that_is_not_a_statement_is_refused_kindly():
    with pytest.raises(ValidationError) as caught:
        statements.read_statement(b"<html><body>Hallo</body></html>", "afschrift.xml")
    assert "Dit is geen CAMT.053-bankafschrift" in caught.value.messages[0]
    with pytest.raises(ValidationError):
        statements.read_statement(b'<!DOCTYPE x [<!ENTITY a "aaaa">]><x>&a;</x>', "bom.xml")


def test_a_couple_pays_once_with_either_kenmerk(group, account):
    party_payment = transfer_for(group)
    partner = EnrollmentFactory(group=group, party=party_payment.party)
    party_payment.enrollments.add(partner)
    line = statements.StatementLine(
        number=2,
        booked_on=days_ahead(0).date(),
        amount=Decimal("35.00"),
        description=f"voor ons allebei {partner.reference}",
    )
    (match,) = statements.match_statement(statements.Statement(lines=[line], problems=[], outgoing=0))
    assert match.payment == party_payment and match.applies
