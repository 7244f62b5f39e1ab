"""Self-service screens: the personal page, the calendar file, cancelling, new links, feeds, the account page."""

import datetime
import re

import pytest
from allauth.account.models import EmailAddress
from django.core.cache import cache
from django.utils import timezone
from icalendar import Calendar

from booking.models import Enrollment, Session
from booking.services import links
from booking.services.links import manage_path, trainer_feed_url
from booking.services.places import hold_places
from booking.services.planning import cancel_session, move_session
from booking.waitlist import entries as waitlist
from tests.booking.factories import TWO_HOURS, person, place_in, planned_group
from tests.factories import CoursePageFactory, LocationFactory, TrainerFactory, UserFactory
from tests.helpers import emails_to

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()


def local_evening(days_from_now):
    """19:00 on the Dutch clock, some days from today."""
    day = timezone.localdate() + datetime.timedelta(days=days_from_now)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(19, 0)))


@pytest.fixture
def linde(db):
    return LocationFactory(
        name="Gezondheidscentrum De Linde",
        address="Lindelaan 4",
        postcode="5611 AB",
        town="Eindhoven",
        accessibility_notes="Lift aanwezig, invalidenparkeerplaats voor de deur.",
    )


@pytest.fixture
def soon(course, linde):
    """A group that starts in 30 days: three weekly sessions."""
    return planned_group(course, linde, first_start=local_evening(30))


@pytest.fixture
def place(soon):
    return place_in(soon, first_name="Fleur", last_name="van den Berg", email="fleur@example.nl")


def linked_enrollments(page):
    """The enrollments whose personal page a page links to (a token is made fresh each time, so read them back)."""
    tokens = set(re.findall(r'href="/mijn-aanmelding/([^/"]+)/"', page)) - {"nieuwe-link"}
    return {links.read_token(token, "enrollment") for token in tokens}


def calendar_events(response):
    return list(Calendar.from_ical(response.content).walk("VEVENT"))


# --- the personal page ---------------------------------------------------------------------------


def test_manage_page_shows_the_place_the_location_and_every_session(client, place, soon):
    cancel_session(Session.objects.get(group=soon, sequence=2))
    response = client.get(manage_path(place))

    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    page = response.content.decode()
    assert "<h1>Mentaal Fit</h1>" in page
    assert "bevestigd" in page
    assert place.reference in page
    assert "Lindelaan 4" in page and "5611 AB Eindhoven" in page
    assert "Lift aanwezig, invalidenparkeerplaats voor de deur." in page
    assert page.count("gaat niet door") == 1
    assert "Bijeenkomst 1" in page and "Bijeenkomst 2" in page
    assert "Afmelden kost niets tot 7 dagen voor de eerste bijeenkomst." in page
    assert "Als u zich nu afmeldt, kost dat niets." in page
    assert 'href="/mijn-aanmelding/' in page and "agenda.ics" in page


def test_a_moved_session_is_marked_on_the_page(client, place, soon):
    session = Session.objects.get(group=soon, sequence=3)
    assert "verplaatst" not in client.get(manage_path(place)).content.decode()
    # Moved at once after planning: what counts is the scheduler's occurrence, not how much time passed.
    move_session(session, session.start + DAY, session.end + DAY)
    page = client.get(manage_path(place)).content.decode()
    assert page.count("verplaatst") == 1


def test_the_online_link_shows_only_once_the_place_is_confirmed(client, course):
    online = LocationFactory.build(name="Online", kind="online", address="", postcode="", town="")
    online.save()
    group = planned_group(
        course, online, first_start=local_evening(20), online_meeting_url="https://meet.example.nl/mf"
    )
    (held,) = hold_places(group, [person(1)], consent_text_version="2027-01")
    page = client.get(manage_path(held)).content.decode()
    assert "https://meet.example.nl/mf" not in page
    assert "ziet u hier als uw plaats bevestigd is" in page

    confirmed = place_in(group)
    assert "https://meet.example.nl/mf" in client.get(manage_path(confirmed)).content.decode()


def test_a_changed_link_gets_a_kind_page_with_a_way_to_a_new_link(client, place):
    token = links.make_token("enrollment", place.pk)
    response = client.get(f"/mijn-aanmelding/{token[:-3]}xyz/")
    assert response.status_code == 400
    page = response.content.decode()
    assert "Deze link klopt niet" in page
    assert 'href="/mijn-aanmelding/nieuwe-link/"' in page


def test_a_link_for_something_else_is_refused_the_same_way(client, place):
    token = links.make_token("waitlist", place.pk)
    assert client.get(f"/mijn-aanmelding/{token}/").status_code == 400


def test_an_old_link_gets_410_and_the_same_way_out(client, place, settings):
    path = manage_path(place)
    settings.GROEPSWIJZER_PERSONAL_LINK_DAYS = 0
    for url in (path, path + "agenda.ics", path + "afmelden/"):
        response = client.get(url)
        assert response.status_code == 410
        assert "Deze link werkt niet meer" in response.content.decode()
        assert 'href="/mijn-aanmelding/nieuwe-link/"' in response.content.decode()


# --- the calendar file ---------------------------------------------------------------------------


def test_calendar_download_has_every_session_with_stable_uids(client, place, soon):
    response = client.get(manage_path(place) + "agenda.ics")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="mentaal-fit-{place.reference}.ics"'
    events = calendar_events(response)
    assert len(events) == 3
    assert {str(e["location"]) for e in events} == {"Gezondheidscentrum De Linde, Lindelaan 4, 5611 AB Eindhoven"}

    again = calendar_events(client.get(manage_path(place) + "agenda.ics"))
    assert [str(e["uid"]) for e in again] == [str(e["uid"]) for e in events]


def test_a_moved_session_keeps_its_uid_in_the_calendar_file(client, place, soon):
    session = Session.objects.get(group=soon, sequence=2)
    before = {str(e["uid"]): e for e in calendar_events(client.get(manage_path(place) + "agenda.ics"))}
    new_start = session.start + datetime.timedelta(days=1)
    move_session(session, new_start, new_start + TWO_HOURS)

    after = {str(e["uid"]): e for e in calendar_events(client.get(manage_path(place) + "agenda.ics"))}
    assert after.keys() == before.keys()
    moved = [uid for uid in after if after[uid]["dtstart"].dt != before[uid]["dtstart"].dt]
    assert len(moved) == 1
    assert after[moved[0]]["dtstart"].dt == new_start


def test_after_cancelling_the_calendar_file_marks_every_session_cancelled(client, place):
    client.post(manage_path(place) + "afmelden/")
    events = calendar_events(client.get(manage_path(place) + "agenda.ics"))
    assert {str(e["status"]) for e in events} == {"CANCELLED"}


# --- cancelling ----------------------------------------------------------------------------------


def test_cancel_flow_confirm_then_done_with_an_email(client, place, mailoutbox, django_capture_on_commit_callbacks):
    path = manage_path(place)
    confirm = client.get(path + "afmelden/")
    assert confirm.status_code == 200
    page = confirm.content.decode()
    assert "Afmelden voor Mentaal Fit" in page
    assert "Als u zich nu afmeldt, kost dat niets." in page
    assert "Ja, meld mij af" in page

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(path + "afmelden/")
    assert response.status_code == 302
    assert response["Location"] == path + "afgemeld/"

    done = client.get(response["Location"]).content.decode()
    assert "U bent afgemeld" in done
    assert "U heeft zich op tijd afgemeld. Afmelden kost u niets." in done
    place.refresh_from_db()
    assert place.status == "cancelled"
    (email,) = emails_to(mailoutbox, "fleur@example.nl")
    assert "/mijn-aanmelding/" in email.body

    # The personal page now says so, and offers no second cancellation.
    page = client.get(manage_path(place)).content.decode()
    assert "U heeft zich op" in page and "afgemeld voor deze groep." in page
    assert "afmelden/" not in page
    assert client.get(manage_path(place) + "afmelden/").status_code == 302


def test_cancelling_after_the_deadline_shows_the_terms_that_apply(client, course, linde):
    group = planned_group(course, linde, first_start=local_evening(3))
    enrollment = place_in(group)
    page = client.get(manage_path(enrollment) + "afmelden/").content.decode()
    assert "Kosteloos afmelden kon tot" in page
    assert "Die datum is voorbij." in page

    client.post(manage_path(enrollment) + "afmelden/")
    done = client.get(manage_path(enrollment) + "afgemeld/").content.decode()
    assert "U heeft zich later afgemeld. Daarom gelden de afmeldvoorwaarden van deze training:" in done


def test_a_partner_chooses_whether_both_places_go(client, soon):
    me, partner = hold_places(
        soon, [person(1, first_name="Joost"), person(2, first_name="Annelies")], consent_text_version="2027-01"
    )
    page = client.get(manage_path(me) + "afmelden/").content.decode()
    assert "Alleen mijzelf. Annelies blijft aangemeld." in page
    assert "Mijzelf en Annelies, wij doen allebei niet mee." in page

    response = client.post(manage_path(me) + "afmelden/", {"who": "nonsense"})
    assert response.status_code == 400
    assert 'aria-invalid="true"' in response.content.decode()
    assert "Kies of u alleen uzelf afmeldt, of u allebei." in response.content.decode()

    client.post(manage_path(me) + "afmelden/", {"who": "both"})
    assert set(Enrollment.objects.filter(pk__in=[me.pk, partner.pk]).values_list("status", flat=True)) == {"cancelled"}
    assert "U en Annelies doen niet meer mee" in client.get(manage_path(me) + "afgemeld/").content.decode()


# --- new links -----------------------------------------------------------------------------------


def test_new_link_form_answers_the_same_for_known_and_unknown_addresses(
    client, place, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        known = client.post("/mijn-aanmelding/nieuwe-link/", {"email": " Fleur@Example.nl "}, follow=True)
        unknown = client.post("/mijn-aanmelding/nieuwe-link/", {"email": "niemand@example.nl"}, follow=True)

    assert known.status_code == unknown.status_code == 200
    assert known.redirect_chain == unknown.redirect_chain == [("/mijn-aanmelding/nieuwe-link/verstuurd/", 302)]
    assert known.content == unknown.content
    (email,) = mailoutbox
    assert email.to == ["fleur@example.nl"]
    assert "Mentaal Fit" in email.body and place.reference in email.body
    assert "/mijn-aanmelding/" in email.body


def test_new_link_email_lists_waiting_list_places_too(client, place, mailoutbox, django_capture_on_commit_callbacks):
    waitlist.join_waitlist(
        CoursePageFactory(title="Mindfulness"), person(1, email="fleur@example.nl"), consent_text_version="2027-01"
    )
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/mijn-aanmelding/nieuwe-link/", {"email": "fleur@example.nl"})
    (email,) = mailoutbox
    assert "Uw plaats op de wachtlijst:" in email.body
    assert "Mindfulness" in email.body and "/wachtlijst/status/" in email.body


def test_new_link_form_explains_a_wrong_address_at_the_field_and_keeps_it(client):
    response = client.post("/mijn-aanmelding/nieuwe-link/", {"email": "fleur@example"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Dit e-mailadres klopt niet. Vul een e-mailadres in zoals naam@voorbeeld.nl." in page
    assert 'aria-invalid="true"' in page
    assert 'value="fleur@example"' in page


def test_new_links_are_sent_a_few_times_an_hour_at_most(client, place, mailoutbox, django_capture_on_commit_callbacks):
    for _ in range(5):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post("/mijn-aanmelding/nieuwe-link/", {"email": "fleur@example.nl"})
        assert response.status_code == 302
    assert len(mailoutbox) == 3


# --- the trainer's feed --------------------------------------------------------------------------


def test_trainer_feed_only_with_a_valid_token(client, course, linde):
    trainer = TrainerFactory(name="Anouk Bakker")
    group = planned_group(course, linde, first_start=local_evening(10))
    group.trainers.set([trainer])

    url = trainer_feed_url(trainer)
    assert url.startswith("http://testserver/agenda/trainer/") and url.endswith(".ics")
    response = client.get(url.removeprefix("http://testserver"))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert len(calendar_events(response)) == 3

    path = url.removeprefix("http://testserver")
    assert client.get(path.replace(".ics", "x.ics")).status_code == 400
    other = links.make_token("enrollment", trainer.pk)
    assert client.get(f"/agenda/trainer/{other}.ics").status_code == 400


# --- the account page ----------------------------------------------------------------------------


def test_dashboard_lists_the_users_enrollments_with_their_links(client, soon, course, linde):
    user = UserFactory(email="sanne@example.nl")
    by_account = place_in(soon, email="ander-adres@example.nl", user=user)
    other_group = planned_group(
        course, LocationFactory(name="Wijkgebouw", postcode="5701 AB", town="Helmond"), first_start=local_evening(40)
    )
    by_email = place_in(other_group, email="sanne@example.nl")
    someone_else = place_in(soon, email="iemand@example.nl")

    client.force_login(user)
    page = client.get("/mijn-account/").content.decode()
    assert "Mijn aanmeldingen" in page
    assert linked_enrollments(page) == {by_account.pk, by_email.pk}
    assert someone_else.pk not in linked_enrollments(page)
    assert "Helmond" in page and "Eindhoven" in page


def test_dashboard_ignores_an_unverified_address(client, soon):
    user = UserFactory(email="sanne@example.nl")
    EmailAddress.objects.filter(user=user).update(verified=False)
    place = place_in(soon, email="sanne@example.nl")
    client.force_login(user)
    page = client.get("/mijn-account/").content.decode()
    assert place.pk not in linked_enrollments(page)
    assert "U heeft zich nog niet aangemeld voor een training." in page


def test_one_visitor_asking_again_and_again_is_asked_to_wait(client, django_capture_on_commit_callbacks):
    for number in range(20):
        assert client.post("/mijn-aanmelding/nieuwe-link/", {"email": f"adres{number}@example.nl"}).status_code == 302
    response = client.post("/mijn-aanmelding/nieuwe-link/", {"email": "adres21@example.nl"})
    assert response.status_code == 429
    page = response.content.decode()
    assert "U heeft dit al vaak gevraagd. Probeer het over een uur nog eens." in page
    assert 'value="adres21@example.nl"' in page
