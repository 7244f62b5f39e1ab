"""A person with a history in every part of the site, for the retention, erasure and inzage tests.

Dates are relative to the real clock: "a group that ended 25 months ago".
"""

import datetime
import uuid
from dataclasses import dataclass
from decimal import Decimal

from allauth.account.models import EmailAddress
from django.db import connection
from django.utils import timezone

from accounts.models import User
from booking.models import (
    Attendance,
    Enrollment,
    OutgoingEmail,
    Participant,
    Payment,
    PaymentEvent,
    Refund,
    TrainingGroup,
    WaitlistEntry,
    WaitlistMove,
)
from booking.services.access_log import Action, log_access
from tests.booking.factories import (
    EnrollmentFactory,
    ParticipantFactory,
    WaitlistEntryFactory,
    coordinator,
    planned_group,
    trainer_account,
)
from tests.factories import CoursePageFactory, UserFactory

TWO_HOURS = datetime.timedelta(hours=2)
SANNE = "sanne.devries@example.nl"


def months_ago(months, now=None):
    return (now or timezone.now()) - datetime.timedelta(days=round(months * 30.5))


def ended_group(course, ended_at, *, location=None, status=TrainingGroup.Status.COMPLETED):
    """A group of three weekly sessions whose last one ended at `ended_at`."""
    group = planned_group(course, location, first_start=ended_at - TWO_HOURS - datetime.timedelta(weeks=2), count=3)
    TrainingGroup.objects.filter(pk=group.pk).update(status=status)
    group.refresh_from_db()
    group.forget_schedule()
    return group


def backdate(instance, **fields):
    """Set auto_now_add dates (created_at, joined_at) in the past, as the database would have them."""
    type(instance).objects.filter(pk=instance.pk).update(**fields)
    for name, value in fields.items():
        setattr(instance, name, value)


@dataclass
class History:
    participant: Participant
    enrollment: Enrollment
    group: TrainingGroup
    payment: Payment
    refund: Refund
    entry: WaitlistEntry
    user: User
    email: str


def history(email=SANNE, *, ended_at=None, course=None, waitlist_course=None, account=True):
    """Someone who signed up, took part, paid, got money back, waited for another course, and has an account.

    Everything free text written about them names them, as people do.
    """
    ended_at = ended_at or months_ago(25)
    course = course or CoursePageFactory()
    signed_up = ended_at - datetime.timedelta(days=60)
    participant = ParticipantFactory(
        first_name="Sanne",
        last_name="de Vries-Öztürk",
        email=email,
        phone="06-12345678",
        postcode="5611 AB",
        gp_practice="Huisartsenpraktijk De Linde",
        birth_year=1983,
    )
    backdate(participant, created_at=signed_up)
    group = ended_group(course, ended_at)
    enrollment = EnrollmentFactory(
        group=group, participant=participant, status=Enrollment.Status.COMPLETED, consent_at=signed_up
    )
    backdate(enrollment, created_at=signed_up)

    trainer, trainer_user = trainer_account(name=f"Trainer {uuid.uuid4().hex[:6]}", email=f"t-{uuid.uuid4().hex}@x.nl")
    Attendance.objects.create(
        session=group.sessions.order_by("start").first(),
        enrollment=enrollment,
        status=Attendance.Status.PRESENT,
        recorded_by=trainer_user,
    )

    mollie_id = f"tr_{uuid.uuid4().hex[:10]}"
    payment = Payment.objects.create(
        party=enrollment.party,
        group=group,
        amount=Decimal("35.00"),
        provider=Payment.Provider.MOLLIE,
        status=Payment.Status.PAID,
        mollie_id=mollie_id,
        checkout_url=f"https://www.mollie.com/checkout/select-method/{mollie_id}",
        method="ideal",
        paid_at=signed_up,
        exemption_reason=f"Sanne de Vries ({email}) vroeg om uitstel",
    )
    payment.enrollments.add(enrollment)
    backdate(payment, created_at=signed_up)
    refund = Refund.objects.create(
        payment=payment,
        enrollment=enrollment,
        amount=Decimal("10.00"),
        status=Refund.Status.REFUNDED,
        cause=Refund.Cause.COORDINATOR,
        reason=f"Mevrouw De Vries-Öztürk miste een bijeenkomst (mail van {email})",
        mollie_refund_id=f"re_{uuid.uuid4().hex[:10]}",
        refunded_at=signed_up,
    )
    backdate(refund, created_at=signed_up)
    PaymentEvent.objects.create(
        payment=payment, from_status="open", to_status="paid", actor="webhook", note=f"Betaald door {email}"
    )

    staff = coordinator(email=f"c-{uuid.uuid4().hex}@x.nl")
    entry = WaitlistEntryFactory(
        course=waitlist_course or CoursePageFactory(),
        participant=participant,
        status=WaitlistEntry.Status.LEFT,
        joined=signed_up,
    )
    WaitlistEntry.objects.filter(pk=entry.pk).update(left_at=ended_at)
    WaitlistMove.objects.create(
        entry=entry, moved_by=staff, from_position=3, to_position=1, reason="Mevrouw De Vries belde: het is dringend"
    )
    OutgoingEmail.objects.create(
        key=f"confirmation:enrollment:{enrollment.pk}",
        kind="confirmation",
        to=email,
        subject="U bent aangemeld voor de training",
        params={"enrollment_id": enrollment.pk, "note": f"voor {email}"},
        participant=participant,
        sent_at=signed_up,
    )
    log_access(staff, [participant], Action.VIEW, "test: aanmelding bekeken")

    user = None
    if account:
        user = UserFactory(email=email, first_name="Sanne", last_name="de Vries-Öztürk")
        EmailAddress.objects.filter(user=user).update(email=email)
        Participant.objects.filter(pk=participant.pk).update(user=user)
        participant.refresh_from_db()
    return History(
        participant=participant,
        enrollment=enrollment,
        group=group,
        payment=payment,
        refund=refund,
        entry=entry,
        user=user,
        email=email,
    )


def rows_holding(text):
    """[(table, column, count)] of every text column of every table whose value contains `text` (any case).

    A raw search of the whole database, apart from the registry: what the
    registry does not know about, this finds.
    """
    found = []
    needle = f"%{text.lower()}%"
    textual = {"CharField", "TextField", "EmailField", "JSONField", "SlugField", "URLField", "GenericIPAddressField"}
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            for column in connection.introspection.get_table_description(cursor, table):
                try:
                    kind = connection.introspection.get_field_type(column.type_code, column)
                except KeyError:  # an untyped column (SQLite's full-text tables): search it as text
                    kind = "TextField"
                if kind not in textual:
                    continue
                table_sql = connection.ops.quote_name(table)
                column_sql = connection.ops.quote_name(column.name)
                cursor.execute(
                    f"SELECT COUNT(*) FROM {table_sql} WHERE LOWER(CAST({column_sql} AS TEXT)) LIKE %s", [needle]
                )
                count = cursor.fetchone()[0]
                if count:
                    found.append((table, column.name, count))
    return found
