"""Outcome questionnaires and the evaluation: who is invited when, answering once, scores and their change.

Before the first session: everyone with a confirmed place is invited (the
questionnaire of their course). After the last session: everyone who
attended at least once gets the questionnaire again and the satisfaction
evaluation. Each invitation gets one reminder. The periodic run does the
inviting (`invite_due`); it is idempotent (one invitation per place per
moment, a database constraint).
"""

import datetime
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, Max, Min, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from booking.models import Attendance, Enrollment, Session
from booking.services.notifications import queue_email
from privacy.budget import Budget

from ..models import Answer, Evaluation, Invitation, Questionnaire

# After the last session, people are invited for this long; later, the moment has passed.
POST_WINDOW = datetime.timedelta(days=30)
# Before the first session, people are invited from this many days before it (or at once, when they
# sign up later): the run reads the groups that start soon, not every place ahead.
DEFAULT_PRE_DAYS = 28
# A session that ended in the window started at most this long before it.
LONGEST_SESSION = datetime.timedelta(days=1)
DEFAULT_RUN_MS = 300


def run_budget_seconds():
    """How long one periodic run keeps inviting (`GROEPSWIJZER_INVITATIONS_RUN_MS`); the next run goes on."""
    return int(getattr(settings, "GROEPSWIJZER_INVITATIONS_RUN_MS", DEFAULT_RUN_MS)) / 1000


def pre_window():
    """How long before the first session people are invited (`GROEPSWIJZER_QUESTIONNAIRE_PRE_DAYS`, 28 days)."""
    return datetime.timedelta(days=int(getattr(settings, "GROEPSWIJZER_QUESTIONNAIRE_PRE_DAYS", DEFAULT_PRE_DAYS)))


def reminder_after():
    return datetime.timedelta(days=int(getattr(settings, "GROEPSWIJZER_QUESTIONNAIRE_REMINDER_DAYS", 4)))


def questionnaire_for(course):
    """The active questionnaire for `course`: one chosen for it, else one for every course; or None."""
    active = Questionnaire.objects.filter(active=True).order_by("name", "pk")
    return active.filter(courses=course).first() or active.filter(courses__isnull=True).first()


# --- scoring ---------------------------------------------------------------------------------------


def score_of(questionnaire, values):
    """The score of a list of answers: their sum or mean, times the multiplier, to two decimals."""
    values = list(values)
    if not values:
        return None
    total = Decimal(sum(values))
    raw = total if questionnaire.scoring == Questionnaire.Scoring.SUM else total / len(values)
    return (raw * questionnaire.multiplier).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def band_of(questionnaire, score):
    if score is None:
        return ""
    band = questionnaire.bands.filter(low__lte=score, high__gte=score).order_by("low").first()
    return band.label if band else ""


def display_score(score):
    """12.00 -> "12", 3.25 -> "3,25": how a score is written in Dutch text."""
    if score is None:
        return ""
    text = f"{score.normalize():f}" if score == score.to_integral() else f"{score:.2f}"
    return text.replace(".", ",")


# --- inviting ---------------------------------------------------------------------------------------


def _last_end():
    """The end of a place's group's last scheduled session (a subquery on the enrollment's group)."""
    scheduled = Session.objects.filter(group=OuterRef("group"), status=Session.Status.SCHEDULED).order_by()
    return scheduled.values("group").annotate(last=Max("end")).values("last")


def _invite(enrollment, moment, questionnaire, now, *, email=True):
    try:
        with transaction.atomic():
            invitation = Invitation.objects.create(
                enrollment=enrollment, questionnaire=questionnaire, moment=moment, created_at=now
            )
            if email:
                queue_email(
                    "questionnaire_invitation",
                    f"questionnaire_invitation:invitation:{invitation.pk}",
                    participant=enrollment.participant,
                    to=enrollment.participant.email,  # built when sent, not in the periodic run
                    invitation_id=invitation.pk,
                )
    except IntegrityError:  # invited at the same moment by another run
        return None
    return invitation


CHUNK = 50


def _few_at_a_time(found, rows):
    """The rows of `found` (ids in the order the run wants them), read `CHUNK` at a time: a run that stops
    early reads no more."""
    ids = list(found)
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        by_id = {row.pk: row for row in rows.filter(pk__in=chunk)}
        yield from (by_id[pk] for pk in chunk if pk in by_id)


def invite_due(now=None, *, seconds=None):
    """Invite before the start and after the end, and remind once; returns {name: count}.

    Before the start: confirmed places in groups whose first session is
    within `pre_window()`, the nearest start first. After the end: places of
    people who attended, in groups whose last session ended in the last
    `POST_WINDOW`. Both read only the groups of those weeks (through the
    sessions' ``(status, start)`` index) and test each place's invitation
    through its unique index, so a run costs what these weeks hold, not
    the history. With `seconds`, no new invitation or reminder is started
    after that long, or once the periodic run had its time
    (``privacy.budget``; at least one is made): a backlog (years of data
    imported at once) is worked off over several runs, the groups that start
    first first, since each run looks again at who has no invitation yet.
    """
    now = now or timezone.now()
    budget = None if seconds is None else Budget(seconds)

    def time_left(done):
        return budget is None or not done or budget.left()

    chosen = {}  # course id -> its questionnaire, looked up once per run

    def questionnaire_of(course):
        if course.pk not in chosen:
            chosen[course.pk] = questionnaire_for(course)
        return chosen[course.pk]

    last = _last_end()
    counts = {"questionnaires_invited": 0, "questionnaire_reminders": 0}
    live = Enrollment.objects.filter(participant__anonymised_at__isnull=True).select_related(
        "participant", "group__course"
    )

    scheduled = Session.objects.filter(status=Session.Status.SCHEDULED)
    soon = scheduled.filter(start__gt=now, start__lte=now + pre_window()).order_by().values("group_id")
    recent = scheduled.filter(start__gt=now - POST_WINDOW - LONGEST_SESSION, start__lte=now).values("group_id")
    has_pre = Invitation.objects.filter(enrollment=OuterRef("pk"), moment=Invitation.Moment.PRE)
    # The groups that start within the window, with their first session: read once per group, not once per place.
    starts = dict(
        scheduled.filter(group_id__in=soon)
        .values("group_id")
        .annotate(first=Min("start"))
        .filter(first__gt=now)
        .values_list("group_id", "first")
    )
    before = [
        enrollment_id
        for enrollment_id, _group in sorted(
            Enrollment.objects.filter(
                participant__anonymised_at__isnull=True, status=Enrollment.Status.CONFIRMED, group_id__in=list(starts)
            )
            .filter(~Exists(has_pre))
            .order_by()
            .values_list("pk", "group_id"),
            key=lambda row: (starts[row[1]], row[0]),
        )
    ]
    for enrollment in _few_at_a_time(before, live):
        if not time_left(sum(counts.values())):
            return counts
        questionnaire = questionnaire_of(enrollment.group.course)
        if questionnaire is not None and _invite(enrollment, Invitation.Moment.PRE, questionnaire, now):
            counts["questionnaires_invited"] += 1

    attended = Attendance.objects.filter(enrollment=OuterRef("pk"), status=Attendance.Status.PRESENT)
    has_post = Invitation.objects.filter(enrollment=OuterRef("pk"), moment=Invitation.Moment.POST)
    after = (
        Enrollment.objects.filter(
            participant__anonymised_at__isnull=True,
            status__in=[Enrollment.Status.CONFIRMED, Enrollment.Status.COMPLETED],
            group__in=recent,
        )
        .filter(Exists(attended))
        .annotate(last_end=last)
        .filter(last_end__lte=now, last_end__gt=now - POST_WINDOW)
        .filter(~Exists(has_post))
        .order_by("last_end", "pk")
        .values_list("pk", flat=True)
    )
    for enrollment in _few_at_a_time(after, live):
        if not time_left(sum(counts.values())):
            return counts
        questionnaire = questionnaire_of(enrollment.group.course)
        # The evaluation goes with it; its link follows the questionnaire (or is the link, without one).
        if _invite(enrollment, Invitation.Moment.POST, questionnaire, now):
            _invite(enrollment, Invitation.Moment.EVALUATION, None, now, email=False)
            counts["questionnaires_invited"] += 1

    due = (
        Invitation.objects.filter(
            answered_at__isnull=True,
            reminded_at__isnull=True,
            created_at__lte=now - reminder_after(),
            # A reminder that did not go out within these weeks is no use any more; and so the run reads
            # the invitations of these weeks (index ``carepath_invitation_unanswered``), not all of them.
            created_at__gt=now - reminder_after() - POST_WINDOW,
            moment__in=[Invitation.Moment.PRE, Invitation.Moment.POST],
            enrollment__participant__anonymised_at__isnull=True,
        )
        .annotate(first_start=Min("enrollment__group__sessions__start"))
        .filter(~Q(moment=Invitation.Moment.PRE) | Q(first_start__gt=now))
        .select_related("enrollment__participant")
    )
    for invitation in due:
        if not time_left(sum(counts.values())):
            return counts
        with transaction.atomic():
            if Invitation.objects.filter(pk=invitation.pk, reminded_at__isnull=True).update(reminded_at=now):
                queue_email(
                    "questionnaire_invitation",
                    f"questionnaire_reminder:invitation:{invitation.pk}",
                    participant=invitation.enrollment.participant,
                    to=invitation.enrollment.participant.email,
                    invitation_id=invitation.pk,
                    reminder=True,
                )
                counts["questionnaire_reminders"] += 1
    return counts


def is_open(invitation, now=None):
    """Can it still be answered: not answered yet, and (before the training) the first session has not begun."""
    now = now or timezone.now()
    if invitation.answered_at is not None:
        return False
    if invitation.moment == Invitation.Moment.PRE:
        first = invitation.enrollment.group.sessions.filter(status=Session.Status.SCHEDULED).aggregate(m=Min("start"))
        return first["m"] is None or first["m"] > now
    return True


# --- answering -----------------------------------------------------------------------------------------


@transaction.atomic
def answer(invitation, values, *, share_with_gp=False, now=None):
    """Store the answers {item id: value} of one invitation, once, and its score. Every item needs an answer."""
    now = now or timezone.now()
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.answered_at is not None:
        raise ValidationError(_("U heeft deze vragenlijst al ingevuld. Dank u wel!"))
    questionnaire = invitation.questionnaire
    allowed = {value for value, _label in questionnaire.answer_choices()}
    items = list(questionnaire.items.all())
    if any(values.get(item.pk) not in allowed for item in items):
        raise ValidationError(_("Beantwoord alle vragen."))
    Answer.objects.bulk_create([Answer(invitation=invitation, item=item, value=values[item.pk]) for item in items])
    invitation.score = score_of(questionnaire, [values[item.pk] for item in items])
    invitation.answered_at = now
    invitation.share_with_gp = bool(share_with_gp)
    invitation.save(update_fields=["score", "answered_at", "share_with_gp"])
    return invitation


@transaction.atomic
def evaluate(invitation, *, grade, would_recommend, helped="", comments="", now=None):
    now = now or timezone.now()
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.answered_at is not None:
        raise ValidationError(_("U heeft de evaluatie al ingevuld. Dank u wel!"))
    Evaluation.objects.create(
        invitation=invitation,
        grade=grade,
        would_recommend=would_recommend,
        helped=helped.strip(),
        comments=comments.strip(),
    )
    invitation.answered_at = now
    invitation.save(update_fields=["answered_at"])
    return invitation


def evaluation_after(invitation):
    """The open evaluation that goes with a post invitation, or None."""
    return Invitation.objects.filter(
        enrollment=invitation.enrollment, moment=Invitation.Moment.EVALUATION, answered_at__isnull=True
    ).first()


# --- the change in score -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    questionnaire: Questionnaire
    before: Decimal
    after: Decimal | None

    @property
    def difference(self):
        return None if self.after is None else self.after - self.before

    @property
    def before_text(self):
        return display_score(self.before)

    @property
    def after_text(self):
        return display_score(self.after)

    @property
    def difference_text(self):
        if self.difference is None:
            return ""
        sign = "+" if self.difference > 0 else ""
        return sign + display_score(self.difference)


def change_for(enrollment):
    """The scores before and after for one place (after may be None), or None without a score before."""
    found = {
        i.moment: i
        for i in Invitation.objects.filter(
            enrollment=enrollment, moment__in=[Invitation.Moment.PRE, Invitation.Moment.POST], score__isnull=False
        ).select_related("questionnaire")
    }
    pre, post = found.get(Invitation.Moment.PRE), found.get(Invitation.Moment.POST)
    if pre is None:
        return None
    same = post is not None and post.questionnaire_id == pre.questionnaire_id
    return Change(questionnaire=pre.questionnaire, before=pre.score, after=post.score if same else None)


def letter_outcome_text(enrollment):
    """For the end letter: the change in score, only when the participant agreed to share it with the GP."""
    post = Invitation.objects.filter(enrollment=enrollment, moment=Invitation.Moment.POST, share_with_gp=True).first()
    change = change_for(enrollment) if post is not None else None
    if change is None or change.after is None:
        return ""
    questionnaire = change.questionnaire
    before_band, after_band = band_of(questionnaire, change.before), band_of(questionnaire, change.after)
    return (
        f"Score op de vragenlijst {questionnaire.name}: voor de training {change.before_text}"
        f"{f' ({before_band})' if before_band else ''}, na de training {change.after_text}"
        f"{f' ({after_band})' if after_band else ''}."
    )
