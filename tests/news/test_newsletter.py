"""The newsletter: double opt-in, one-click unsubscribe (RFC 8058), mailings in idempotent batches, retention."""

import datetime
import re

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from accounts import roles
from booking.models import AccessLogEntry, OutgoingEmail
from booking.services.notifications import retry_unsent
from news import consent
from news.models import Mailing, Subscriber, SubscriberList
from news.services import mailings, subscriptions
from privacy.registry import is_placeholder_email
from privacy.retention import anonymise_by_own_clocks
from tests.booking.factories import staff_user
from tests.helpers import emails_to, run_together, text
from tests.news.factories import NewsPageFactory, SubscriberFactory, mailing_with, professional_news

# Transactional: emails leave after the commit that queued them, as they do on the site.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _tree(wagtail_roots):
    """News pages need Wagtail's root page, which a transactional test's flush removes."""


SIGNUP = "/nieuwsbrief/deelnemers/"
LINK = re.compile(r"http://testserver(/nieuwsbrief/[a-z]+/[^/\s]+/)")


def link_in(message, kind):
    return next(path for path in LINK.findall(message.body) if f"/{kind}/" in path)


def sign_up(client, email="fenna.de.jong@example.nl", url=SIGNUP):
    return client.post(url, {"email": email, "agree": "on"})


# --- double opt-in ------------------------------------------------------------------------------


def test_signing_up_sends_only_a_confirmation_link_and_the_consent_version_is_stored(client):
    response = sign_up(client, "Fenna.de.Jong@Example.nl")
    assert response.status_code == 302
    assert "Kijk in uw e-mail" in text(client.get(response["Location"]))
    subscriber = Subscriber.objects.get()
    assert subscriber.email == "fenna.de.jong@example.nl"
    assert subscriber.status == Subscriber.Status.PENDING
    assert subscriber.consent_text_version == consent.VERSION and subscriber.consent_at is not None
    [message] = mail.outbox
    assert message.subject.endswith("Bevestig uw aanmelding voor de nieuwsbrief")
    assert str(consent.text(SubscriberList.PATIENTS)) in message.body
    assert "/nieuwsbrief/bevestigen/" in message.body


def test_nothing_is_sent_to_an_address_before_it_is_confirmed(client):
    sign_up(client)
    mail.outbox.clear()
    mailing = mailing_with(NewsPageFactory())
    mailings.request_send(mailing, staff_user(roles.EDITORS))
    assert mail.outbox == []
    mailing.refresh_from_db()
    assert mailing.status == Mailing.Status.SENT and mailing.recipients == 0


def test_the_confirmation_link_asks_first_then_starts_the_subscription(client):
    sign_up(client)
    confirm = link_in(mail.outbox[0], "bevestigen")
    page = client.get(confirm)  # a link scanner that opens it signs nobody up
    assert "Ja, bevestig mijn aanmelding" in text(page)
    assert Subscriber.objects.get().status == Subscriber.Status.PENDING
    done = client.post(confirm)
    assert "U bent aangemeld" in text(done)
    assert Subscriber.objects.get().status == Subscriber.Status.CONFIRMED
    assert Subscriber.objects.get().forget_at is None
    assert "U bent aangemeld" in text(client.post(confirm))  # twice changes nothing


def test_a_confirmation_link_older_than_a_week_no_longer_works(client, time_machine):
    time_machine.move_to(timezone.now(), tick=False)
    sign_up(client)
    confirm = link_in(mail.outbox[0], "bevestigen")
    time_machine.move_to(timezone.now() + datetime.timedelta(days=8), tick=False)
    page = client.post(confirm)
    assert page.status_code == 400 and "Deze link werkt niet meer" in text(page)
    assert Subscriber.objects.get().status == Subscriber.Status.PENDING


def test_signing_up_again_sends_one_confirmation_a_day_and_says_nothing_about_who_is_subscribed(client):
    SubscriberFactory(email="ilse@example.nl")
    sign_up(client, "ilse@example.nl")
    assert mail.outbox == []  # already subscribed: no email, and the same page as for anyone
    sign_up(client, "jan-willem@example.nl")
    sign_up(client, "jan-willem@example.nl")
    assert len(emails_to(mail.outbox, "jan-willem@example.nl")) == 1


def test_the_two_lists_are_separate(client):
    sign_up(client, "marloes@example.nl", url="/nieuwsbrief/professionals/")
    sign_up(client, "marloes@example.nl")
    assert sorted(Subscriber.objects.values_list("newsletter", flat=True)) == ["patients", "professionals"]
    assert client.get("/nieuwsbrief/onbekend/").status_code == 404


@pytest.mark.parametrize(
    ("data", "field_message"),
    [
        ({"email": "", "agree": "on"}, "Vul uw e-mailadres in."),
        ({"email": "fenna@", "agree": "on"}, "Dit is geen e-mailadres."),
        ({"email": "fenna@example.nl"}, "Zet een vinkje als u de nieuwsbrief wilt ontvangen."),
    ],
)
def test_bad_input_gets_a_dutch_message_at_the_field_and_keeps_what_was_typed(client, data, field_message):
    response = client.post(SIGNUP, data)
    assert response.status_code == 400
    page = text(response)
    assert field_message in page and "Er ging iets mis" in page
    if data["email"]:
        assert f'value="{data["email"]}"' in page
    assert Subscriber.objects.count() == 0 and mail.outbox == []


# --- unsubscribing ------------------------------------------------------------------------------


@pytest.fixture
def sent_mailing():
    subscriber = SubscriberFactory(email="ilse@example.nl")
    mailing = mailing_with(NewsPageFactory(title="Nieuwe groep in Geldrop"))
    mailings.request_send(mailing, staff_user(roles.EDITORS))
    [message] = emails_to(mail.outbox, "ilse@example.nl")
    return subscriber, message


def test_every_mailing_carries_a_one_click_unsubscribe_link_and_the_rfc_8058_headers(sent_mailing):
    _subscriber, message = sent_mailing
    unsubscribe = link_in(message, "afmelden")
    assert message.extra_headers["List-Unsubscribe"] == f"<http://testserver{unsubscribe}>"
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "List-Unsubscribe-Post: List-Unsubscribe=One-Click" in message.message().as_string()
    html = message.alternatives[0][0]
    assert f"http://testserver{unsubscribe}" in html and "Nieuwe groep in Geldrop" in html


def test_opening_the_unsubscribe_link_shows_a_button_and_unsubscribes_nobody(client, sent_mailing):
    subscriber, message = sent_mailing
    page = client.get(link_in(message, "afmelden"))
    assert page.status_code == 200 and "Ja, meld mij af" in text(page)
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.CONFIRMED


def test_a_mail_client_unsubscribes_with_one_post_without_csrf_token_or_login(sent_mailing):
    subscriber, message = sent_mailing
    mail_client = Client(enforce_csrf_checks=True)
    response = mail_client.post(
        link_in(message, "afmelden"), "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 200 and "U bent afgemeld" in text(response)
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.UNSUBSCRIBED
    assert subscriber.forget_at > timezone.now() + datetime.timedelta(days=29)


def test_a_changed_unsubscribe_link_is_refused(client, sent_mailing):
    subscriber, message = sent_mailing
    response = client.post(link_in(message, "afmelden").replace("/afmelden/", "/afmelden/x"))
    assert response.status_code == 400 and "Deze link klopt niet" in text(response)
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.CONFIRMED


def test_a_newsletter_queued_before_someone_unsubscribed_is_not_sent_to_them(settings):
    settings.EMAIL_BACKEND = "tests.mail_backends.DownBackend"
    subscriber = SubscriberFactory()
    mailing = mailing_with(NewsPageFactory())
    mailings.request_send(mailing, staff_user(roles.EDITORS))  # the mail server is down: nothing goes out
    subscriptions.unsubscribe(subscriber.pk)
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    OutgoingEmail.objects.update(created_at=timezone.now() - datetime.timedelta(hours=1))
    retry_unsent()
    assert mail.outbox == []
    row = OutgoingEmail.objects.get(kind="newsletter_mailing")
    assert row.sent_at is None and row.last_error == ""  # not a failure either


# --- sending in batches -------------------------------------------------------------------------


def test_sending_twice_or_after_a_stop_halfway_sends_nobody_twice(settings):
    settings.GROEPSWIJZER_NEWSLETTER_BATCH = 2
    readers = [SubscriberFactory() for _ in range(5)]
    SubscriberFactory(newsletter=SubscriberList.PROFESSIONALS)  # the other list
    editor = staff_user(roles.EDITORS)
    mailing = mailing_with(NewsPageFactory())
    Mailing.objects.filter(pk=mailing.pk).update(status=Mailing.Status.SENDING)
    mailings.send_mailing(mailing.pk, batches=1)  # the task stops after one batch
    assert len(mail.outbox) == 2
    mailings.continue_sending(timezone.now())  # the periodic run goes on where it stopped
    mailings.continue_sending(timezone.now())
    assert mailings.request_send(mailing, editor) is False  # a second click
    mailings.send_mailing(mailing.pk)
    assert sorted(message.to[0] for message in mail.outbox) == sorted(reader.email for reader in readers)
    mailing.refresh_from_db()
    assert mailing.status == Mailing.Status.SENT and mailing.recipients == 5


def test_a_batch_that_runs_again_queues_nothing_new():
    SubscriberFactory()
    mailing = mailing_with(NewsPageFactory())
    Mailing.objects.filter(pk=mailing.pk).update(status=Mailing.Status.SENDING)
    assert mailings.send_batch(mailing.pk) == 1
    Mailing.objects.filter(pk=mailing.pk).update(status=Mailing.Status.SENDING, last_subscriber_id=0)
    assert mailings.send_batch(mailing.pk) == 0  # same keys: the outbox already has them
    assert len(mail.outbox) == 1


def test_the_professionals_newsletter_goes_to_its_own_list_only():
    patient = SubscriberFactory()
    colleague = SubscriberFactory(newsletter=SubscriberList.PROFESSIONALS)
    mailing = mailing_with(professional_news(), newsletter=SubscriberList.PROFESSIONALS)
    mailings.request_send(mailing, staff_user(roles.EDITORS))
    assert emails_to(mail.outbox, colleague.email) and not emails_to(mail.outbox, patient.email)


# --- the editor in the admin --------------------------------------------------------------------


@pytest.fixture
def editor(client):
    user = staff_user(roles.EDITORS, email="redacteur@example.nl")
    client.force_login(user)
    return user


def test_a_sent_mailing_can_no_longer_be_changed(client, editor):
    mailing = mailing_with(NewsPageFactory(title="Nieuwe groep in Geldrop"))
    mailings.request_send(mailing, editor)
    response = client.post(
        f"/admin/snippets/news/mailing/edit/{mailing.pk}/",
        {
            "title": "Andere titel",
            "newsletter": "patients",
            "intro": "Dit is er nieuw.",
            "items-TOTAL_FORMS": "0",
            "items-INITIAL_FORMS": "0",
            "items-MIN_NUM_FORMS": "1",
            "items-MAX_NUM_FORMS": "10",
        },
    )
    assert "al verstuurd en kan niet meer veranderen" in text(response)
    mailing.refresh_from_db()
    assert mailing.title == "Nieuwsbrief december"


def test_the_editor_previews_sends_a_test_to_themselves_then_sends_once(client, editor):
    reader = SubscriberFactory()
    mailing = mailing_with(NewsPageFactory(title="Nieuwe groep in Geldrop"))
    send_page = f"/admin/nieuwsbrief/versturen/{mailing.pk}/"
    assert "De nieuwsbrief gaat naar 1 abonnee" in text(client.get(send_page))
    preview = client.get(f"/admin/nieuwsbrief/voorbeeld/{mailing.pk}/")
    assert "Nieuwe groep in Geldrop" in text(preview) and "Voorbeeld" in text(preview)

    client.post(send_page, {"action": "test"})
    [test] = mail.outbox
    assert test.to == ["redacteur@example.nl"] and "[Test]" in test.subject and "TEST" in test.body
    assert not emails_to(mail.outbox, reader.email)

    client.post(send_page, {"action": "send"})
    client.post(send_page, {"action": "send"})
    assert len(emails_to(mail.outbox, reader.email)) == 1
    assert "Verstuurd: 1" in text(client.get(send_page))


def test_the_patients_newsletter_refuses_professional_news(client, editor):
    page = professional_news()
    response = client.post(
        "/admin/snippets/news/mailing/add/",
        {
            "title": "Nieuwsbrief december",
            "newsletter": "patients",
            "intro": "Dit is er nieuw.",
            "items-TOTAL_FORMS": "1",
            "items-INITIAL_FORMS": "0",
            "items-MIN_NUM_FORMS": "1",
            "items-MAX_NUM_FORMS": "10",
            "items-0-page": str(page.pk),
            "items-0-ORDER": "1",
            "items-0-id": "",
            "items-0-DELETE": "",
        },
    )
    assert "Het kan niet in de nieuwsbrief voor deelnemers" in text(response)
    assert Mailing.objects.count() == 0


def test_looking_at_the_subscribers_is_logged_without_names(client, editor):
    SubscriberFactory(email="ilse@example.nl")
    assert client.get("/admin/nieuwsbrief/abonnees/").status_code in {302, 403}  # editors see counts, not addresses
    office = staff_user(roles.COORDINATORS)
    client.force_login(office)
    page = client.get("/admin/nieuwsbrief/abonnees/?newsletter=patients")
    assert "ilse@example.nl" in text(page)
    [entry] = AccessLogEntry.objects.all()
    assert entry.user == office and entry.participant is None
    assert entry.where == "nieuwsbrief: abonnees (newsletter=patients), 1 rij"


# --- retention ----------------------------------------------------------------------------------


def test_an_unconfirmed_sign_up_is_forgotten_after_a_week_and_an_unsubscribed_address_after_30_days(client):
    now = timezone.now()
    pending = subscriptions.subscribe(SubscriberList.PATIENTS, "twijfel@example.nl", now=now)
    leaving = SubscriberFactory(email="weg@example.nl")
    subscriptions.unsubscribe(leaving.pk, now=now)
    staying = SubscriberFactory(email="blijft@example.nl")

    anonymise_by_own_clocks(now + datetime.timedelta(days=6))
    assert Subscriber.objects.get(pk=pending.pk).email == "twijfel@example.nl"
    anonymise_by_own_clocks(now + datetime.timedelta(days=8))
    assert is_placeholder_email(Subscriber.objects.get(pk=pending.pk).email)
    assert Subscriber.objects.get(pk=leaving.pk).email == "weg@example.nl"
    anonymise_by_own_clocks(now + datetime.timedelta(days=31))
    assert is_placeholder_email(Subscriber.objects.get(pk=leaving.pk).email)
    assert Subscriber.objects.get(pk=staying.pk).email == "blijft@example.nl"


def test_newsletter_emails_forget_their_address_once_sent(sent_mailing):
    row = OutgoingEmail.objects.get(kind="newsletter_mailing")
    assert row.sent_at is not None and is_placeholder_email(row.to) and row.params == {}


def test_the_office_erases_a_subscriber_on_request_and_it_is_logged(client):
    office = staff_user(roles.COORDINATORS)
    client.force_login(office)
    subscriber = SubscriberFactory(email="ilse@example.nl")
    confirm = client.get(f"/admin/nieuwsbrief/abonnees/delete/{subscriber.pk}/")
    assert "Het e-mailadres ilse@example.nl wordt nu verwijderd" in text(confirm)
    client.post(f"/admin/nieuwsbrief/abonnees/delete/{subscriber.pk}/")
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.UNSUBSCRIBED
    assert is_placeholder_email(subscriber.email) and subscriber.anonymised_at is not None
    erased = AccessLogEntry.objects.get(action=AccessLogEntry.Action.ERASE)
    assert erased.user == office
    assert erased.where == f"nieuwsbrief: abonnee {subscriber.pk} verwijderd op verzoek, 1 rij"
    assert "ilse@example.nl" not in text(client.get("/admin/nieuwsbrief/abonnees/"))


def test_two_runs_at_the_same_time_send_each_subscriber_one_newsletter(settings):
    settings.GROEPSWIJZER_NEWSLETTER_BATCH = 2
    readers = [SubscriberFactory() for _ in range(7)]
    mailing = mailing_with(NewsPageFactory())
    Mailing.objects.filter(pk=mailing.pk).update(status=Mailing.Status.SENDING)
    outcomes = run_together([lambda: mailings.send_mailing(mailing.pk), lambda: mailings.send_mailing(mailing.pk)])
    assert not [outcome for outcome in outcomes if isinstance(outcome, BaseException)]
    assert sum(outcomes) == 7
    assert sorted(message.to[0] for message in mail.outbox) == sorted(reader.email for reader in readers)


def test_two_sign_ups_of_one_address_at_the_same_time_make_one_subscriber():
    outcomes = run_together(
        [lambda: subscriptions.subscribe(SubscriberList.PATIENTS, "fenna@example.nl").pk for _ in range(2)]
    )
    assert not [outcome for outcome in outcomes if isinstance(outcome, BaseException)]
    assert outcomes[0] == outcomes[1] and Subscriber.objects.count() == 1
    assert len(mail.outbox) == 1


def test_someone_who_signs_up_in_english_gets_the_confirmation_in_english(client):
    client.cookies["taal"] = "en"
    sign_up(client, "noor.van.dijk@example.nl")
    assert Subscriber.objects.get().language == "en"
    [message] = mail.outbox
    assert message.subject.endswith("Confirm your sign-up for the newsletter")
    assert "/nieuwsbrief/bevestigen/" in message.body
