"""Retention: two years after their group ended or they left the waiting list, a participant's name goes.

Counts, dates, course, location, PC4 area and amounts stay, so the figures
keep working; bookkeeping keeps the Mollie ids for seven years.
"""

import datetime

import pytest
from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from booking.models import (
    Enrollment,
    OutgoingEmail,
    Participant,
    Payment,
    PaymentEvent,
    Refund,
    WaitlistEntry,
    WaitlistMove,
)
from booking.periodic import run_periodic
from booking.services import notifications
from booking.services.links import manage_path
from privacy import registry, retention
from privacy.registry import PLACEHOLDER_DOMAIN
from tests.booking.factories import EnrollmentFactory, ParticipantFactory, WaitlistEntryFactory
from tests.factories import CoursePageFactory
from tests.privacy.factories import backdate, ended_group, history, months_ago, rows_holding

pytestmark = pytest.mark.django_db


def test_two_years_after_the_group_ended_the_name_goes_and_the_figures_stay():
    sanne = history(ended_at=months_ago(25))
    course = sanne.group.course
    completed_before = Enrollment.objects.filter(group__course=course, status="completed").count()

    counts = run_periodic()

    assert counts["participants_anonymised"] == 1
    person = Participant.objects.get(pk=sanne.participant.pk)
    assert person.full_name == "Geanonimiseerd"
    assert person.email == f"participant-{person.pk}@{PLACEHOLDER_DOMAIN}"
    assert (person.phone, person.postcode, person.gp_practice) == ("", "5611", "")
    assert person.birth_year == 1980
    assert person.user is None and person.anonymised_at is not None
    # Free text about them goes everywhere.
    assert WaitlistMove.objects.get(entry=sanne.entry).reason == ""
    assert Refund.objects.get(pk=sanne.refund.pk).reason == ""
    assert Payment.objects.get(pk=sanne.payment.pk).exemption_reason == ""
    assert PaymentEvent.objects.get(payment=sanne.payment).note == ""
    email = OutgoingEmail.objects.get(participant=person)
    assert email.to.endswith(PLACEHOLDER_DOMAIN) and email.params == {} and email.subject == ""
    # What the figures and the bookkeeping need stays.
    assert Enrollment.objects.filter(group__course=course, status="completed").count() == completed_before
    payment = Payment.objects.get(pk=sanne.payment.pk)
    assert (payment.amount, payment.status, payment.mollie_id) == (
        sanne.payment.amount,
        "paid",
        sanne.payment.mollie_id,
    )
    assert WaitlistEntry.objects.get(pk=sanne.entry.pk).status == "left"
    # Their account is theirs to keep; only the participant's link to it goes.
    assert sanne.user.__class__.objects.get(pk=sanne.user.pk).email == sanne.email
    assert [row for row in rows_holding("de vries") if row[0] != "accounts_user"] == []


def test_before_two_years_nothing_changes():
    sanne = history(ended_at=months_ago(23))
    assert run_periodic()["participants_anonymised"] == 0
    assert Participant.objects.get(pk=sanne.participant.pk).email == sanne.email


def test_the_period_is_a_setting(settings):
    settings.GROEPSWIJZER_RETENTION_MONTHS = 6
    sanne = history(ended_at=months_ago(7))
    assert run_periodic()["participants_anonymised"] == 1
    assert Participant.objects.get(pk=sanne.participant.pk).anonymised_at is not None


def test_someone_who_left_the_waiting_list_two_years_ago_is_anonymised_and_who_still_waits_is_not():
    course = CoursePageFactory()
    left = WaitlistEntryFactory(course=course, status=WaitlistEntry.Status.LEFT, joined=months_ago(40))
    WaitlistEntry.objects.filter(pk=left.pk).update(left_at=months_ago(25))
    waiting = WaitlistEntryFactory(course=course, joined=months_ago(40))
    for entry in (left, waiting):
        backdate(entry.participant, created_at=months_ago(40))

    assert retention.anonymise_due_participants(timezone.now()) == 1
    assert Participant.objects.get(pk=left.participant_id).anonymised_at is not None
    assert Participant.objects.get(pk=waiting.participant_id).anonymised_at is None
    # The list keeps its order and its length for the figures.
    assert WaitlistEntry.objects.filter(course=course).count() == 2


def test_a_place_that_goes_on_keeps_someone_whatever_the_age_of_their_first_sign_up():
    old = history(ended_at=months_ago(30))
    later = ended_group(old.group.course, timezone.now() + datetime.timedelta(days=30))
    EnrollmentFactory(group=later, participant=old.participant, status=Enrollment.Status.CONFIRMED)
    assert retention.anonymise_due_participants(timezone.now()) == 0


def test_money_that_is_not_settled_waits_until_it_is():
    sanne = history(ended_at=months_ago(30))
    Refund.objects.filter(pk=sanne.refund.pk).update(status=Refund.Status.PENDING)
    assert retention.anonymise_due_participants(timezone.now()) == 0
    Refund.objects.filter(pk=sanne.refund.pk).update(status=Refund.Status.REFUNDED)
    assert retention.anonymise_due_participants(timezone.now()) == 1


def test_bookkeeping_keeps_the_mollie_ids_for_seven_years_then_they_go():
    sanne = history(ended_at=months_ago(30))
    run_periodic()
    assert Payment.objects.get(pk=sanne.payment.pk).mollie_id == sanne.payment.mollie_id

    Payment.objects.filter(pk=sanne.payment.pk).update(created_at=months_ago(12 * 7 + 1))
    Refund.objects.filter(pk=sanne.refund.pk).update(created_at=months_ago(12 * 7 + 1))
    assert run_periodic()["kept_data_cleared"] == 2
    payment = Payment.objects.get(pk=sanne.payment.pk)
    assert (payment.mollie_id, payment.checkout_url) == ("", "")
    assert (payment.amount, payment.paid_at) == (sanne.payment.amount, sanne.payment.paid_at)
    assert Refund.objects.get(pk=sanne.refund.pk).mollie_refund_id == ""
    assert run_periodic()["kept_data_cleared"] == 0


def test_the_run_works_in_batches_and_goes_on_next_time(settings):
    settings.GROEPSWIJZER_RETENTION_BATCH = 2
    group = ended_group(CoursePageFactory(), months_ago(26))
    for _number in range(5):
        enrollment = EnrollmentFactory(group=group, status=Enrollment.Status.COMPLETED)
        backdate(enrollment.participant, created_at=months_ago(28))
    now = timezone.now()
    assert retention.anonymise_due_participants(now, batches=1) == 2
    assert retention.anonymise_due_participants(now) == 3
    assert retention.anonymise_due_participants(now) == 0


def test_the_run_only_reads_participants_through_the_retention_index():
    """The selection goes through the partial index on (created_at) of participants not anonymised yet."""
    ParticipantFactory.create_batch(3)
    query = retention.people_due(retention.retention_cutoff(timezone.now())).values("pk")[:200]
    sql, params = query.query.sql_with_params()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute(f"EXPLAIN {sql}", params)
        else:
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        plan = " ".join(str(row) for row in cursor.fetchall())
    assert "booking_participant_retention" in plan


def test_with_nothing_due_the_run_is_one_query_however_many_people_there_are():
    recent = ParticipantFactory.create_batch(20)
    assert recent
    with CaptureQueriesContext(connection) as queries:
        retention.anonymise_due_participants(timezone.now())
    selects = [q for q in queries.captured_queries if q["sql"].lstrip().upper().startswith("SELECT")]
    assert len(selects) == 1


def test_an_anonymised_participants_personal_link_says_the_data_is_gone(client):
    sanne = history(ended_at=months_ago(25))
    run_periodic()
    response = client.get(manage_path(sanne.enrollment))
    assert response.status_code == 410
    assert "Deze gegevens zijn verwijderd" in response.content.decode()
    assert "Sanne" not in response.content.decode()


def test_an_email_still_waiting_for_an_anonymised_participant_is_never_sent(mailoutbox):
    sanne = history(ended_at=months_ago(25))
    waiting = OutgoingEmail.objects.create(
        key="test:waiting",
        kind="hold_expired",
        to=sanne.email,
        participant=sanne.participant,
        params={"enrollment_id": sanne.enrollment.pk},
        last_error="SMTP down",
    )
    run_periodic()
    assert notifications.deliver(waiting.pk) is False
    assert mailoutbox == []
    waiting.refresh_from_db()
    assert waiting.sent_at is None and waiting.attempts >= notifications.MAX_ATTEMPTS


def test_a_model_with_a_clock_of_its_own_is_anonymised_by_its_own_date(monkeypatch):
    """How a new app's model (say, questionnaire answers kept 12 months) is handled, shown on payments."""
    sanne = history(ended_at=months_ago(3))
    # Put the real declaration back afterwards.
    monkeypatch.setitem(registry.REGISTRY.entries, "booking.payment", registry.entry_for(Payment))
    registry.register(
        Payment,
        ties=[registry.participant("enrollments__participant")],
        fields={"exemption_reason": registry.CLEAR},
        clock=registry.after("created_at", months=1, pending=~Q(exemption_reason="")),
    )
    assert retention.anonymise_by_own_clocks(timezone.now()) == {"booking.payment": 1}
    assert Payment.objects.get(pk=sanne.payment.pk).exemption_reason == ""
    assert retention.anonymise_by_own_clocks(timezone.now()) == {}


def test_a_backlog_larger_than_one_run_is_worked_off_over_several_runs_and_nobody_goes_early(settings):
    """Each run starts no batch after its time budget (here none: one batch per run) and says what is left."""
    settings.GROEPSWIJZER_RETENTION_BATCH = 2
    settings.GROEPSWIJZER_RETENTION_RUN_MS = 0
    group = ended_group(CoursePageFactory(), months_ago(26))
    due = []
    for _number in range(5):
        enrollment = EnrollmentFactory(group=group, status=Enrollment.Status.COMPLETED)
        backdate(enrollment.participant, created_at=months_ago(28))
        due.append(enrollment.participant.pk)
    # Signed up as long ago, but their group ended 23 months ago: their period has not run out.
    not_yet = EnrollmentFactory(group=ended_group(CoursePageFactory(), months_ago(23)), status="completed")
    backdate(not_yet.participant, created_at=months_ago(28))
    now = timezone.now()

    runs = [run_periodic(now) for _number in range(4)]

    assert [(run["participants_anonymised"], run["participants_still_due"]) for run in runs] == [
        (2, 3),
        (2, 1),
        (1, 0),
        (0, 0),
    ]
    assert set(Participant.objects.filter(anonymised_at__isnull=False).values_list("pk", flat=True)) == set(due)
    assert Participant.objects.get(pk=not_yet.participant.pk).full_name != "Geanonimiseerd"


def test_with_time_left_one_run_does_the_whole_backlog_in_its_batches(settings):
    settings.GROEPSWIJZER_RETENTION_BATCH = 2
    settings.GROEPSWIJZER_RETENTION_RUN_MS = 60_000  # a minute: more than any machine needs for three batches
    settings.GROEPSWIJZER_PERIODIC_RUN_MS = 60_000
    group = ended_group(CoursePageFactory(), months_ago(26))
    for _number in range(5):
        backdate(EnrollmentFactory(group=group, status="completed").participant, created_at=months_ago(28))
    counts = run_periodic(timezone.now())
    assert (counts["participants_anonymised"], counts["participants_still_due"]) == (5, 0)


def test_a_run_that_used_its_time_does_one_batch_of_the_backlog_however_much_the_step_had_left(settings):
    """The whole run's time (GROEPSWIJZER_PERIODIC_RUN_MS) bounds the retention step's own budget."""
    settings.GROEPSWIJZER_RETENTION_BATCH = 2
    settings.GROEPSWIJZER_RETENTION_RUN_MS = 60_000
    settings.GROEPSWIJZER_PERIODIC_RUN_MS = 0  # the run's time is up before its first step
    group = ended_group(CoursePageFactory(), months_ago(26))
    for _number in range(5):
        backdate(EnrollmentFactory(group=group, status="completed").participant, created_at=months_ago(28))
    now = timezone.now()

    runs = [run_periodic(now) for _number in range(3)]

    assert [(run["participants_anonymised"], run["participants_still_due"]) for run in runs] == [(2, 3), (2, 1), (1, 0)]
    # Outside a periodic run only the step's own time counts: the same backlog goes in one call.
    for _number in range(5):
        backdate(EnrollmentFactory(group=group, status="completed").participant, created_at=months_ago(28))
    assert retention.participants_step(now) == {"participants_anonymised": 5, "participants_still_due": 0}


def test_each_run_looks_at_the_next_part_of_the_people_kept_and_finds_who_is_due_behind_them(settings):
    """A run reads GROEPSWIJZER_RETENTION_SCAN people; who is due behind many kept ones is reached by a later run."""
    settings.GROEPSWIJZER_RETENTION_SCAN = 2
    kept_group = ended_group(CoursePageFactory(), months_ago(23))
    for _number in range(4):  # signed up long ago, but their group ended 23 months ago: kept
        backdate(EnrollmentFactory(group=kept_group, status="completed").participant, created_at=months_ago(30))
    due = EnrollmentFactory(group=ended_group(CoursePageFactory(), months_ago(26)), status="completed").participant
    backdate(due, created_at=months_ago(28))
    now = timezone.now()

    runs = [retention.participants_step(now)["participants_anonymised"] for _number in range(4)]

    assert runs == [0, 0, 1, 0]
    assert Participant.objects.filter(anonymised_at__isnull=False).get().pk == due.pk
