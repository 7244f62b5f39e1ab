"""Training days for professionals: who may sign up, places and the waiting list, calendar files, reminders,
attendance, certificates and the office's list."""

import csv
import datetime
import html
import io
import zipfile

import pytest
from django.urls import reverse
from icalendar import Calendar
from pypdf import PdfReader

from booking.models import AccessLogEntry, Enrollment, OutgoingEmail, TrainingGroup
from booking.periodic import run_periodic
from booking.services.notifications import deliver
from events import services
from events.models import TrainingDayBooking
from tests.booking.factories import coordinator
from tests.events.conftest import make_day, make_professional
from tests.helpers import emails_to
from tests.helpers import text as page_html

pytestmark = pytest.mark.django_db

Status = TrainingDayBooking.Status


def sign_up(client, user, day):
    client.force_login(user)
    return client.post(reverse("events:sign_up", kwargs={"event_id": day.pk}))


@pytest.fixture
def mailoutbox(mailoutbox):
    """The emails sent so far. A test's transaction never commits, so the outbox's queued emails are delivered
    here, by the outbox's own delivery, as the task after the commit would."""

    class Outbox(list):
        def __iter__(self):
            for email_id in OutgoingEmail.objects.filter(sent_at__isnull=True).values_list("pk", flat=True):
                deliver(email_id)
            return iter(mailoutbox)

        def clear(self):
            list(self)
            mailoutbox.clear()

    return Outbox()


def text(response):
    """What a reader sees of the page's HTML: white space made one space, entities as their characters."""
    return html.unescape(page_html(response))


def pdf_text(data):
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def ics(response_or_bytes):
    body = getattr(response_or_bytes, "content", response_or_bytes)
    return Calendar.from_ical(body)


# --- who may sign up ------------------------------------------------------------------------------


def test_a_verified_professional_signs_up_and_sees_the_confirmation(client, training_day, professional, mailoutbox):
    response = sign_up(client, professional, training_day)

    booking = TrainingDayBooking.objects.get(user=professional)
    assert response.status_code == 302
    assert response["Location"] == reverse("events:booking", kwargs={"pk": booking.pk})
    page = text(client.get(response["Location"]))
    assert "U bent aangemeld" in page
    assert "2 punten ADV/V&VN" in page
    (email,) = emails_to(mailoutbox, professional.email)
    assert training_day.title in email.subject
    assert email.attachments[0][0].endswith(".ics")


def test_an_anonymous_visitor_sees_a_login_link_and_cannot_post_a_sign_up(client, training_day):
    page = text(client.get(training_day.url))
    assert "Inloggen om u aan te melden" in page
    assert f"/account/login/?next={training_day.url}" in page.replace("%2F", "/")

    response = client.post(reverse("events:sign_up", kwargs={"event_id": training_day.pk}))

    assert response.status_code == 302 and "/account/login/" in response["Location"]
    assert not TrainingDayBooking.objects.exists()


def test_an_unverified_professional_is_told_why_and_where_to_ask_for_access(client, training_day, unverified):
    client.force_login(unverified)
    page = text(client.get(training_day.url))
    assert "Aanmelden voor scholing kan alleen met een goedgekeurd account voor professionals" in page
    assert 'type="submit"' not in page.split('id="aanmelden"')[1].split("</section>")[0]

    response = sign_up(client, unverified, training_day)

    assert response.status_code == 403
    assert "goedgekeurd account voor professionals" in text(response)
    # Their request is waiting for the office: the page says so, instead of asking them to request again.
    assert "Uw aanvraag is binnen" in text(response)
    assert not TrainingDayBooking.objects.exists()


def test_verification_by_the_office_opens_sign_up(training_day, unverified):
    with pytest.raises(services.EventRefused):
        services.book(training_day, unverified)
    verified = make_professional(4, coordinator=coordinator(email="ilse@example.nl"))

    assert services.book(training_day, verified).status == Status.BOOKED


def test_signing_up_twice_keeps_one_place(client, training_day, professional):
    sign_up(client, professional, training_day)
    sign_up(client, professional, training_day)

    assert TrainingDayBooking.objects.filter(user=professional).count() == 1


def test_a_day_that_has_started_takes_no_sign_ups(day_index, professional):
    past = make_day(day_index, in_days=-1)

    with pytest.raises(services.EventRefused) as refused:
        services.book(past, professional)

    assert "al begonnen of voorbij" in refused.value.message


# --- places and the waiting list ------------------------------------------------------------------


def test_a_full_day_puts_the_next_professional_on_the_waiting_list(client, day_index, mailoutbox):
    day = make_day(day_index, capacity=2)
    first, second, third = (make_professional(n) for n in (1, 2, 3))
    for user in (first, second):
        services.book(day, user)

    client.force_login(third)
    page = text(client.get(day.url))
    assert "Vol: u kunt op de wachtlijst" in page
    response = sign_up(client, third, day)

    booking = TrainingDayBooking.objects.get(user=third)
    assert booking.status == Status.WAITING
    assert "U staat op de wachtlijst, op plaats 1" in text(client.get(response["Location"]))
    assert "wachtlijst" in emails_to(mailoutbox, third.email)[0].subject


def test_a_cancelled_place_goes_to_the_first_in_line_with_an_email(client, day_index, mailoutbox):
    day = make_day(day_index, capacity=1)
    holder, first_in_line, second_in_line = (make_professional(n) for n in (1, 2, 3))
    held = services.book(day, holder)
    services.book(day, first_in_line)
    services.book(day, second_in_line)
    mailoutbox.clear()

    client.force_login(holder)
    response = client.post(reverse("events:cancel", kwargs={"pk": held.pk}))

    assert "U bent afgemeld" in text(client.get(response["Location"]))
    statuses = dict(TrainingDayBooking.objects.values_list("user__email", "status"))
    assert statuses == {holder.email: "cancelled", first_in_line.email: "booked", second_in_line.email: "waiting"}
    (given,) = emails_to(mailoutbox, first_in_line.email)
    assert "vrijgekomen" in given.subject and given.attachments
    (cancelled,) = emails_to(mailoutbox, holder.email)
    assert ics(cancelled.attachments[0][1])["method"] == "CANCEL"
    assert services.position_in_line(TrainingDayBooking.objects.get(user=second_in_line)) == 1


def test_places_an_editor_adds_go_to_the_waiting_list_in_the_periodic_run(day_index, now):
    day = make_day(day_index, capacity=1)
    users = [make_professional(n) for n in range(1, 4)]
    for user in users:
        services.book(day, user)
    day.capacity = 3
    day.save_revision().publish()

    counts = run_periodic(now)

    assert counts["training_day_places_given"] == 2
    assert TrainingDayBooking.objects.filter(status=Status.BOOKED).count() == 3


def test_training_days_are_not_patient_trainings(client, training_day, professional):
    services.book(training_day, professional)

    assert not TrainingGroup.objects.exists() and not Enrollment.objects.exists()
    assert training_day.title not in text(client.get("/aanbod-en-wachttijden/"))


# --- calendar file, reminder ----------------------------------------------------------------------


def test_the_calendar_file_has_the_day_its_place_and_the_online_link(client, day_index, professional):
    day = make_day(day_index, online_link="https://meet.example.nl/intervisie", location=None)
    booking = services.book(day, professional)
    client.force_login(professional)

    response = client.get(reverse("events:calendar", kwargs={"pk": booking.pk}))

    calendar = ics(response)
    (event,) = calendar.walk("VEVENT")
    assert response["Content-Type"].startswith("text/calendar; method=PUBLISH")
    assert calendar["method"] == "PUBLISH"
    assert str(event["summary"]) == day.title
    assert event.decoded("dtstart") == day.start and event.decoded("dtend") == day.end
    assert str(event["location"]) == "Online"
    assert "https://meet.example.nl/intervisie" in str(event["description"])
    assert str(event["uid"]).startswith(f"scholing-{booking.pk}@")


def test_someone_else_cannot_open_a_booking_or_its_files(client, training_day, professional):
    booking = services.book(training_day, professional)
    client.force_login(make_professional(2))

    for name in ("booking", "calendar", "certificate"):
        assert client.get(reverse(f"events:{name}", kwargs={"pk": booking.pk})).status_code == 404


def test_the_reminder_goes_the_day_before_once(day_index, professional, mailoutbox, now):
    tomorrow = make_day(day_index, in_days=1)
    later = make_day(day_index, in_days=5)
    services.book(tomorrow, professional)
    services.book(later, professional)
    mailoutbox.clear()

    first = run_periodic(now)
    second = run_periodic(now)

    assert first["training_day_reminders"] == 1 and second["training_day_reminders"] == 0
    (reminder,) = emails_to(mailoutbox, professional.email)
    assert reminder.subject.endswith(f"Morgen: {tomorrow.title}")
    assert "Kastanje" in reminder.body


# --- attendance and the certificate ---------------------------------------------------------------


@pytest.fixture
def office():
    return coordinator(email="ilse@example.nl")


def test_the_certificate_only_exists_after_attendance_is_marked(client, day_index, professional, office, mailoutbox):
    day = make_day(day_index, in_days=3)
    booking = services.book(day, professional)
    absent = services.book(day, make_professional(2))
    client.force_login(professional)
    certificate_url = reverse("events:certificate", kwargs={"pk": booking.pk})
    assert client.get(certificate_url).status_code == 404
    with pytest.raises(services.EventRefused):
        services.mark_attendance(day, [booking.pk], by=office)

    after = day.end + datetime.timedelta(hours=1)
    services.mark_attendance(day, [booking.pk], by=office, now=after)

    response = client.get(certificate_url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    content = pdf_text(response.content)
    booking.refresh_from_db()
    assert "Certificaat van deelname" in content
    assert "Daan van der Kuijpers" in content
    assert day.title in content
    assert "2 punten ADV/V&VN" in content
    assert services.format_code(booking.certificate_code) in content
    (email,) = [m for m in emails_to(mailoutbox, professional.email) if "certificaat" in m.subject]
    assert email.attachments[0][2] == "application/pdf"
    assert client.get(reverse("events:certificate", kwargs={"pk": absent.pk})).status_code == 404
    client.force_login(absent.user)
    assert client.get(reverse("events:certificate", kwargs={"pk": absent.pk})).status_code == 404


def test_the_certificate_code_can_be_checked_by_anyone(client, day_index, professional, office):
    day = make_day(day_index, in_days=-2)
    booking = TrainingDayBooking.objects.create(event=day, user=professional, status=Status.BOOKED)
    services.mark_attendance(day, [booking.pk], by=office)
    booking.refresh_from_db()

    response = client.get(reverse("events:verify"), {"code": services.format_code(booking.certificate_code)})
    found = text(response)
    wrong = text(client.get(reverse("events:verify"), {"code": "ABCDE-FGHJK"}))

    assert "Dit certificaat is echt" in found and "Daan van der Kuijpers" in found
    # A name on the page: no shared cache keeps it.
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
    assert "Deze code kennen we niet" in wrong and 'aria-invalid="true"' in wrong


def test_the_overview_lists_days_ahead_and_certificates_of_days_past(client, day_index, professional, office):
    ahead = make_day(day_index, in_days=7, title="Intervisie POH-GGZ")
    past = make_day(day_index, in_days=-7, title="Terugkombijeenkomst Mentaal Fit")
    services.book(ahead, professional)
    booking = TrainingDayBooking.objects.create(event=past, user=professional, status=Status.BOOKED)
    services.mark_attendance(past, [booking.pk], by=office)
    client.force_login(professional)

    page = text(client.get(reverse("events:mine")))

    assert "Intervisie POH-GGZ" in page and "agenda (.ics)" in page
    assert "Terugkombijeenkomst Mentaal Fit" in page and "certificaat (pdf)" in page


# --- the office -----------------------------------------------------------------------------------


def test_the_office_marks_attendance_in_the_admin_and_every_look_is_logged(client, day_index, professional, office):
    day = make_day(day_index, in_days=-1)
    booking = TrainingDayBooking.objects.create(event=day, user=professional, status=Status.BOOKED)
    client.force_login(office)
    url = reverse("events_admin_day", kwargs={"event_id": day.pk})

    listing = text(client.get(url))
    response = client.post(url, {"aanwezig": [booking.pk]}, follow=True)

    assert "Daan van der Kuijpers" in listing
    assert "1 aanwezig, 0 afwezig" in text(response)
    booking.refresh_from_db()
    assert booking.attended is True and booking.has_certificate
    logged = list(AccessLogEntry.objects.order_by("pk").values_list("action", "where"))
    assert logged == [
        ("view_list", f"scholing {day.pk}: deelnemerslijst"),
        ("attendance", f"scholing {day.pk}: aanwezigheid"),
        ("view_list", f"scholing {day.pk}: deelnemerslijst"),
    ]


def test_the_office_exports_who_comes_as_csv_and_xlsx_and_the_export_is_logged(client, day_index, office):
    day = make_day(day_index, capacity=1)
    services.book(day, make_professional(1, first_name="Joëlle", last_name="=HYPERLINK(1)"))
    services.book(day, make_professional(2, first_name="Bram", last_name="Verhoeven"))
    client.force_login(office)

    response = client.get(reverse("events_admin_export", kwargs={"event_id": day.pk, "kind": "csv"}))
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    xlsx = client.get(reverse("events_admin_export", kwargs={"event_id": day.pk, "kind": "xlsx"}))

    assert rows[0][:4] == ["Status", "Plaats op wachtlijst", "Voornaam", "Achternaam"]
    assert [row[0] for row in rows[1:]] == ["aangemeld", "op de wachtlijst"]
    assert rows[1][2:4] == ["Joëlle", "'=HYPERLINK(1)"]
    assert rows[2][1] == "1"
    with zipfile.ZipFile(io.BytesIO(xlsx.content)) as archive:
        assert any(name.startswith("xl/worksheets/") for name in archive.namelist())
    exports = list(AccessLogEntry.objects.filter(action="export").order_by("pk").values_list("where", flat=True))
    assert exports == [
        f"scholing {day.pk}: deelnemerslijst export (csv), 2 rijen",
        f"scholing {day.pk}: deelnemerslijst export (xlsx), 2 rijen",
    ]


def test_only_the_office_sees_the_admin_list(client, training_day, professional):
    services.book(training_day, professional)
    client.force_login(make_professional(2))

    for response in (
        client.get(reverse("events_admin_day", kwargs={"event_id": training_day.pk})),
        client.get(reverse("events_admin_export", kwargs={"event_id": training_day.pk, "kind": "csv"})),
    ):
        assert response.status_code in (302, 403)
        assert professional.email not in response.content.decode()
