"""The waiting-list pages, as a visitor uses them: join, see the place, answer an offer or the monthly check."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from booking.models import Offer, RegistrationStop, WaitlistEntry
from booking.services import links
from booking.services.places import cancel_enrollment
from booking.waitlist import checks
from tests.booking.factories import AMSTERDAM, EnrollmentFactory, WaitlistEntryFactory, planned_group
from tests.factories import LocationFactory, UserFactory
from tests.helpers import text

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)


@pytest.fixture
def live_course(course, location):
    """The course page with one location and a full group, starting a month from today (pages use the real clock)."""
    course.locations.add(location)
    course.save_revision().publish()
    group = planned_group(
        course,
        location,
        capacity=2,
        min_participants=1,
        first_start=datetime.datetime.combine(timezone.localdate() + 30 * DAY, datetime.time(19, 0), tzinfo=AMSTERDAM),
    )
    EnrollmentFactory.create_batch(2, group=group)
    course.full_group = group
    return course


def join_url(course):
    return reverse("waitlist:join", kwargs={"course_id": course.pk})


def form_data(**overrides):
    data = {
        "first_name": "Fatma",
        "last_name": "van den Heuvel-IJzerman",
        "email": "fatma@example.nl",
        "phone": "06-12345678",
        "birth_year": "1976",
        "postcode": "5611 ab",
        "gp_practice": "",
        "part_of_day": "evening",
        "consent": "on",
    }
    data.update(overrides)
    return data


def status_url(entry):
    return reverse("waitlist:status", kwargs={"token": links.make_token("waitlist", entry.pk)})


def offer_url(offer):
    return reverse("waitlist:offer", kwargs={"token": links.make_token("offer", offer.pk)})


def test_the_join_page_asks_for_the_person_the_wishes_and_consent(client, live_course, location):
    response = client.get(join_url(live_course))

    assert response.status_code == 200
    page = text(response)
    assert f"Op de wachtlijst voor {live_course.title}" in page
    assert "Gezondheidscentrum De Linde, Eindhoven" in page
    assert "Ik geef toestemming dat de organisatie mijn gegevens bewaart" in page
    assert "Avond (begint om 17.00 uur of later)" in page


def test_the_join_page_points_to_groups_with_a_place_but_not_to_those_behind_a_stop(client, live_course, location):
    assert "Er zijn nog groepen met plaats" not in text(client.get(join_url(live_course)))  # only a full group

    open_group = planned_group(live_course, LocationFactory(name="Wijkcentrum De Hoeksteen"), days=40)
    assert "Er zijn nog groepen met plaats" in text(client.get(join_url(live_course)))

    RegistrationStop.objects.create(
        course=live_course, location=open_group.location, message="Nieuwe aanmeldingen kunnen na de zomer weer."
    )
    assert "Er zijn nog groepen met plaats" not in text(client.get(join_url(live_course)))


def test_joining_shows_the_position_and_sends_the_link(
    client, live_course, location, django_capture_on_commit_callbacks, mailoutbox
):
    WaitlistEntryFactory(course=live_course)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(join_url(live_course), form_data(preferred_locations=[str(location.pk)]), follow=True)

    page = text(response)
    assert "U staat op plaats 2" in page
    assert "U staat op de wachtlijst. We hebben u een e-mail gestuurd" in page
    assert "Gezondheidscentrum De Linde" in page and "Avond" in page
    entry = WaitlistEntry.objects.get(participant__email="fatma@example.nl")
    assert list(entry.preferred_locations.all()) == [location]
    assert entry.participant.last_name == "van den Heuvel-IJzerman"
    (message,) = mailoutbox
    # The link in the email (signed when it was written, so compared by where it leads) opens this entry.
    link = re.search(r"/wachtlijst/status/\S+/", message.body).group(0)
    status = text(client.get(link))
    assert "U staat op plaats 2" in status and "Mentaal Fit" in status


def test_wrong_input_gets_messages_at_the_fields_and_keeps_what_was_typed(client, live_course):
    response = client.post(
        join_url(live_course),
        form_data(email="fatma@", birth_year="76", postcode="0611 AB", phone="12", consent=""),
    )

    assert response.status_code == 400
    page = text(response)
    assert "Dit e-mailadres klopt niet" in page
    assert "Vul het geboortejaar in met 4 cijfers" in page
    assert "Een Nederlandse postcode begint niet met een 0" in page
    assert "Dit telefoonnummer klopt niet" in page
    assert "Geef toestemming om op de wachtlijst te komen" in page
    assert 'value="van den Heuvel-IJzerman"' in response.content.decode()
    assert 'aria-invalid="true"' in response.content.decode()
    assert not WaitlistEntry.objects.exists()


def test_asking_for_distances_sorts_the_locations_and_keeps_the_form(client, course):
    near = LocationFactory(name="Huisartsenpraktijk Centrum", postcode="5611 AB", town="Eindhoven")
    far = LocationFactory(name="Wijkgebouw Noord", postcode="9711 AB", town="Groningen")
    course.locations.add(far, near)
    course.save_revision().publish()

    response = client.post(join_url(course), form_data(consent="", afstanden="1", first_name="Joost"))

    assert response.status_code == 200
    page = text(response)
    assert "Er ging iets mis" not in page
    assert page.index("Huisartsenpraktijk Centrum") < page.index("Wijkgebouw Noord")
    assert "minder dan 1 km" in page and re.search(r"Wijkgebouw Noord, Groningen \(\d{3} km\)", page)
    assert 'value="Joost"' in response.content.decode()


def test_joining_twice_is_refused_kindly_without_showing_the_address(
    client, live_course, django_capture_on_commit_callbacks
):
    WaitlistEntryFactory(course=live_course, participant__email="fatma@example.nl")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(join_url(live_course), form_data())

    assert response.status_code == 400
    assert "Met dit e-mailadres staat al iemand op de wachtlijst" in text(response)
    assert "fatma@example.nl" not in text(response).replace('value="fatma@example.nl"', "")
    assert WaitlistEntry.objects.count() == 1


def test_an_unknown_course_is_not_found(client):
    assert client.get(join_url(type("Course", (), {"pk": 987654})())).status_code == 404


def test_the_status_page_shows_the_place_and_a_button_to_leave(client, live_course):
    entries = [WaitlistEntryFactory(course=live_course) for _ in range(3)]

    response = client.get(status_url(entries[2]))

    page = text(response)
    assert response.status_code == 200 and response["Cache-Control"] == "private, no-store"
    assert "U staat op plaats 3" in page
    assert "We weten nog niet hoe lang u moet wachten" in page
    assert "Van de wachtlijst af" in page


@pytest.mark.parametrize("route", ["waitlist:status", "waitlist:offer", "waitlist:stay", "waitlist:leave"])
def test_a_tampered_link_gets_a_kind_page(client, route, live_course):
    entry = WaitlistEntryFactory(course=live_course)
    token = links.make_token("waitlist", entry.pk)
    response = client.get(reverse(route, kwargs={"token": token[:-3] + "abc"}))

    assert response.status_code == 400
    assert "Deze link klopt niet" in text(response)


def test_a_link_for_something_else_does_not_open_this_page(client, live_course):
    entry = WaitlistEntryFactory(course=live_course)
    response = client.get(reverse("waitlist:offer", kwargs={"token": links.make_token("waitlist", entry.pk)}))
    assert response.status_code == 400


def test_an_expired_link_says_what_to_do(client, live_course, settings):
    entry = WaitlistEntryFactory(course=live_course)
    settings.GROEPSWIJZER_PERSONAL_LINK_DAYS = -1
    response = client.get(status_url(entry))

    assert response.status_code == 410
    assert "Deze link werkt niet meer" in text(response)


def test_a_link_to_something_gone_is_not_found(client):
    response = client.get(reverse("waitlist:status", kwargs={"token": links.make_token("waitlist", 987654)}))
    assert response.status_code == 404
    assert "Deze link werkt niet meer" in text(response)


@pytest.fixture
def offered(live_course, django_capture_on_commit_callbacks):
    first, second = WaitlistEntryFactory(course=live_course), WaitlistEntryFactory(course=live_course)
    with django_capture_on_commit_callbacks(execute=True):
        cancel_enrollment(live_course.full_group.enrollments.first())
    return Offer.objects.get(status="open"), first, second


def test_the_offer_page_shows_the_group_and_changes_nothing_when_opened(client, offered):
    offer, _first, _second = offered

    response = client.get(offer_url(offer) + "?keuze=nee")

    page = text(response)
    assert "Er is een plaats voor u vrij" in page
    assert "Gezondheidscentrum De Linde" in page and "3 bijeenkomsten" in page
    assert "Ja, ik neem de plaats aan" in page and "Nee, deze plaats past niet" in page
    assert "U koos in de e-mail voor nee" in page
    offer.refresh_from_db()
    assert offer.status == "open"


def test_accepting_on_the_offer_page(client, offered, django_capture_on_commit_callbacks, mailoutbox):
    offer, first, _second = offered
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(offer_url(offer), {"answer": "accept"}, follow=True)

    assert "U heeft deze plaats aangenomen" in text(response)
    first.refresh_from_db()
    assert first.status == "placed"
    (message,) = mailoutbox
    assert message.to == [first.participant.email]
    # Saying no afterwards is answered kindly.
    response = client.post(offer_url(offer), {"answer": "decline"}, follow=True)
    assert "U heeft dit aanbod al beantwoord" in text(response)


def test_declining_on_the_offer_page_passes_the_place_on(client, offered, django_capture_on_commit_callbacks):
    offer, _first, second = offered
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(offer_url(offer), {"answer": "decline"}, follow=True)

    page = text(response)
    assert "U heeft deze plaats niet aangenomen" in page and "plaats 1" in page
    assert Offer.objects.get(status="open").entry == second


def test_an_offer_past_its_time_says_so_without_buttons(client, offered):
    offer, _first, _second = offered
    Offer.objects.filter(pk=offer.pk).update(expires_at=timezone.now() - DAY)

    page = text(client.get(offer_url(offer)))
    assert "Dit aanbod is verlopen" in page
    assert "Ja, ik neem de plaats aan" not in page


def test_the_check_links_show_one_button_and_only_a_post_answers(client, live_course):
    entry = WaitlistEntryFactory(course=live_course, joined=timezone.now() - 40 * DAY)
    checks.send_waitlist_checks()
    stay = reverse("waitlist:stay", kwargs={"token": links.make_token("waitlist", entry.pk)})
    leave = reverse("waitlist:leave", kwargs={"token": links.make_token("waitlist", entry.pk)})

    assert "Ja, ik wil blijven wachten" in text(client.get(stay))
    assert "Nee, haal mij van de lijst" in text(client.get(leave))
    entry.refresh_from_db()
    assert entry.check_answered_at is None and entry.status == "waiting"

    response = client.post(stay, follow=True)
    assert "U blijft op de wachtlijst" in text(response)
    assert "al laten weten dat u wilt blijven wachten" in text(client.get(stay))

    response = client.post(leave, follow=True)
    assert "U staat niet meer op de wachtlijst" in text(response)
    assert "U staat al niet meer op de wachtlijst" in text(client.get(leave))
    entry.refresh_from_db()
    assert entry.status == "left"


def test_a_removed_person_following_the_stay_link_reads_why(client, live_course):
    entry = WaitlistEntryFactory(course=live_course, status="removed")
    response = client.get(reverse("waitlist:stay", kwargs={"token": links.make_token("waitlist", entry.pk)}))
    page = text(response)
    assert "geen antwoord kregen" in page and "Opnieuw op de wachtlijst" in page


def test_the_status_page_tells_when_an_offer_ran_out_before_the_sweep(client, offered):
    offer, first, _second = offered
    assert "Er is een plaats voor u vrij" in text(client.get(status_url(first)))

    Offer.objects.filter(pk=offer.pk).update(expires_at=timezone.now() - DAY)

    page = text(client.get(status_url(first)))
    assert "Het aanbod is verlopen" in page and "plaats 1" in page
    assert "Er is een plaats voor u vrij" not in page


def test_a_logged_in_patient_joins_with_their_account(client, live_course):
    user = UserFactory(email="fatma@example.nl")
    client.force_login(user)
    client.post(join_url(live_course), form_data())
    assert WaitlistEntry.objects.get().participant.user == user
