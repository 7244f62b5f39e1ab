"""The trainer area's rules: whose groups a member of staff may see, and attendance.

A trainer sees the participants of the groups they lead, and no other
group's; a coordinator may open every group. Attendance is kept per session
and participant, and can be corrected: the last registration counts.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Max, Prefetch, Q
from django.utils.translation import gettext_lazy as _

from accounts import roles
from booking.models import Attendance, Enrollment, Session, TrainingGroup
from courses.models import Trainer

# Who is in the group as far as the trainer is concerned: people with a confirmed place, or who finished.
IN_THE_GROUP = (Enrollment.Status.CONFIRMED, Enrollment.Status.COMPLETED)


def is_coordinator(user):
    return user.is_authenticated and (user.is_superuser or roles.has_role(user, roles.COORDINATORS))


def trainer_for(user):
    """The Trainer this account logs in as, when the account has the trainer role; else None."""
    if not user.is_authenticated or not roles.has_role(user, roles.TRAINERS):
        return None
    return Trainer.objects.filter(user=user).first()


def may_use_trainer_area(user):
    return is_coordinator(user) or trainer_for(user) is not None


def visible_groups(user):
    """The groups whose participants `user` may see: every group for a coordinator, else the trainer's own."""
    if is_coordinator(user):
        return TrainingGroup.objects.all()
    trainer = trainer_for(user)
    if trainer is None:
        return TrainingGroup.objects.none()
    return TrainingGroup.objects.filter(trainers=trainer)


def current_groups(groups, now):
    """Of `groups`, those still to come or running at `now`, soonest first, with what the overview shows.

    Cancelled and completed groups are left out, and so are groups whose last
    session has ended. Each group carries `first_start`, `last_end` and
    `participant_count`, and its scheduled sessions are fetched in one query.
    """
    scheduled = Session.objects.filter(status=Session.Status.SCHEDULED).order_by("start")
    return (
        groups.exclude(status__in=[TrainingGroup.Status.CANCELLED, TrainingGroup.Status.COMPLETED])
        .with_first_start()
        .annotate(
            last_end=Max("sessions__end", filter=Q(sessions__status=Session.Status.SCHEDULED)),
            participant_count=Count("enrollments", filter=Q(enrollments__status__in=IN_THE_GROUP), distinct=True),
        )
        .filter(Q(last_end__isnull=True) | Q(last_end__gte=now))
        .select_related("course", "location")
        .prefetch_related(Prefetch("sessions", queryset=scheduled, to_attr="scheduled_sessions"))
        .order_by("first_start", "pk")
    )


def participants(group):
    """The group's enrollments with a place (confirmed or completed), by surname."""
    return list(
        Enrollment.objects.filter(group=group, status__in=IN_THE_GROUP)
        .select_related("participant")
        .order_by("participant__last_name", "participant__first_name", "pk")
    )


def attendance_by_enrollment(session):
    """{enrollment id: Attendance.Status} of what has been registered for `session`."""
    return dict(Attendance.objects.filter(session=session).values_list("enrollment_id", "status"))


def record_attendance(session, statuses, *, by):
    """Register who was at `session`: `statuses` maps enrollment ids to an Attendance.Status.

    Only participants with a place in the session's group can be registered,
    and not for a cancelled session. An enrollment left out keeps what was
    registered before; registering again replaces it. Returns the enrollments
    whose attendance was saved.
    """
    if session.status == Session.Status.CANCELLED:
        raise ValidationError(_("Deze bijeenkomst is geannuleerd. U kunt er geen aanwezigheid voor registreren."))
    statuses = {int(pk): Attendance.Status(status) for pk, status in statuses.items()}
    enrollments = list(Enrollment.objects.filter(group_id=session.group_id, status__in=IN_THE_GROUP, pk__in=statuses))
    if len(enrollments) != len(statuses):
        raise ValidationError(_("Een van de deelnemers hoort niet (meer) bij deze groep. Laad de pagina opnieuw."))
    with transaction.atomic():
        for enrollment in enrollments:
            Attendance.objects.update_or_create(
                session=session,
                enrollment=enrollment,
                defaults={"status": statuses[enrollment.pk], "recorded_by": by},
            )
    return enrollments


def attendance_grid(group):
    """What a printed attendance list needs: (participants, sessions, {(enrollment, session): status})."""
    sessions = list(group.sessions.filter(status=Session.Status.SCHEDULED).order_by("start", "pk"))
    marks = {
        (enrollment_id, session_id): status
        for enrollment_id, session_id, status in Attendance.objects.filter(session__in=sessions).values_list(
            "enrollment_id", "session_id", "status"
        )
    }
    return participants(group), sessions, marks
