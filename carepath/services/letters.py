"""Letters to the GP: which are due, the PDF, and sending each once.

A letter is made only for a participant who agreed to it (their
`gp_letter_consent`): a start letter after the first session they attended,
an end letter once the group's last session is over (sessions attended,
completed or not, and the change in score when the participant shares it).
Making them is idempotent (one per kind per place, a database constraint),
so the periodic run and the office's screen may both do it. A letter is
sent (by email to the practice, or downloaded and marked sent by the
office) exactly once; what was sent stays.
"""

import datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Exists, Max, OuterRef, Q
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.text import slugify
from fpdf import FPDF

from booking.models import Attendance, Enrollment, Session
from booking.payments.receipts import PdfWriter
from booking.services.access_log import Action, log_access
from booking.services.notifications import queue_email
from home.organisation import OrganisationSettings

from ..models import Invitation, Letter, Practice, Referral
from . import completion, questionnaires

# Places that can have a letter: those that were taken up (a place cancelled after the start gets its end letter).
LETTER_STATUSES = (Enrollment.Status.CONFIRMED, Enrollment.Status.COMPLETED, Enrollment.Status.CANCELLED)


def end_letter_wait():
    return datetime.timedelta(days=int(getattr(settings, "GROEPSWIJZER_END_LETTER_WAIT_DAYS", 7)))


def practice_for(enrollment):
    """The practice a letter goes to: the referring practice, else the practice the participant named."""
    referral = Referral.objects.filter(enrollment=enrollment, practice__isnull=False).select_related("practice").first()
    if referral is not None:
        return referral.practice
    name = enrollment.participant.gp_practice.strip()
    return Practice.objects.filter(name__iexact=name).first() if name else None


def _candidates(now):
    attended = Attendance.objects.filter(enrollment=OuterRef("pk"), status=Attendance.Status.PRESENT)
    return (
        Enrollment.objects.filter(status__in=LETTER_STATUSES, participant__gp_letter_consent=True)
        .filter(participant__anonymised_at__isnull=True)
        .filter(Exists(attended))
        .select_related("participant", "group__course")
    )


def create_due_letters(now=None):
    """Make the start and end letters that are due; returns how many were made. Safe to run any time."""
    now = now or timezone.now()
    made = 0
    has_start = Letter.objects.filter(enrollment=OuterRef("pk"), kind=Letter.Kind.START)
    for enrollment in _candidates(now).exclude(Exists(has_start)):
        made += _make(enrollment, Letter.Kind.START, now)
    last_end = (
        Session.objects.filter(group=OuterRef("group"), status=Session.Status.SCHEDULED)
        .order_by()
        .values("group")
        .annotate(last=Max("end"))
        .values("last")
    )
    has_end = Letter.objects.filter(enrollment=OuterRef("pk"), kind=Letter.Kind.END)
    # The end letter waits for the questionnaire after the training, so it can say the change in score;
    # not longer than END_LETTER_WAIT.
    answered = Invitation.objects.filter(
        enrollment=OuterRef("pk"), moment=Invitation.Moment.POST, answered_at__isnull=False
    )
    ended = (
        _candidates(now)
        .annotate(last_end=last_end)
        .filter(last_end__lte=now)
        .filter(Q(Exists(answered)) | Q(last_end__lte=now - end_letter_wait()))
        .exclude(Exists(has_end))
    )
    for enrollment in ended:
        made += _make(enrollment, Letter.Kind.END, now)
    return made


def _make(enrollment, kind, now):
    progress = completion.progress(enrollment, now)
    try:
        with transaction.atomic():
            Letter.objects.create(
                enrollment=enrollment,
                kind=kind,
                practice=practice_for(enrollment),
                practice_name=enrollment.participant.gp_practice,
                created_at=now,
                attended=progress.attended,
                sessions_total=progress.sessions_total,
                completed=progress.completed if kind == Letter.Kind.END else None,
                outcome_text=questionnaires.letter_outcome_text(enrollment) if kind == Letter.Kind.END else "",
            )
    except IntegrityError:  # made at the same moment by another run
        return 0
    return 1


def letters_to_send():
    return (
        Letter.objects.filter(sent_at__isnull=True)
        .select_related(
            "enrollment__participant", "enrollment__group__course", "enrollment__group__location", "practice"
        )
        .order_by("created_at", "pk")
    )


def sendable_by_email(letter):
    return letter.practice is not None and bool(letter.practice.letter_email)


def _claim(letters, *, by, how, now):
    """Mark the letters that were not sent yet as sent, under a lock; returns those this call claimed."""
    ids = [letter.pk for letter in letters]
    claimed = list(Letter.objects.select_for_update().filter(pk__in=ids, sent_at__isnull=True).order_by("pk"))
    Letter.objects.filter(pk__in=[letter.pk for letter in claimed]).update(sent_at=now, sent_by=by, sent_how=how)
    if claimed:
        people = Enrollment.objects.filter(gp_letters__in=claimed).values_list("participant_id", flat=True)
        log_access(by, list(people), Action.EXPORT, "brieven aan de huisarts")
    return claimed


def send_by_email(letters, *, by, now=None):
    """Email each letter that has a practice with a letter address to that practice, once. Returns those sent."""
    now = now or timezone.now()
    with transaction.atomic():
        claimed = _claim([letter for letter in letters if sendable_by_email(letter)], by=by, how="email", now=now)
        for letter in claimed:
            queue_email(
                "gp_letter",
                f"gp_letter:letter:{letter.pk}",
                participant=letter.enrollment.participant,
                letter_id=letter.pk,
            )
    return claimed


def mark_sent(letters, *, by, now=None):
    """The office downloaded and sent these letters itself. Letters sent before are left as they were."""
    now = now or timezone.now()
    with transaction.atomic():
        return _claim(letters, by=by, how="post", now=now)


# --- the PDF ---------------------------------------------------------------------------------------


def letter_filename(letters):
    if len(letters) == 1:
        letter = letters[0]
        return f"brief-huisarts-{letter.get_kind_display().split()[0]}-{slugify(letter.enrollment.reference)}.pdf"
    return "brieven-huisarts.pdf"


def _day(value):
    return date_format(timezone.localtime(value), "j F Y") if value else ""


def _paragraphs(letter):
    enrollment = letter.enrollment
    person = enrollment.participant
    group = enrollment.group
    course = group.course
    sessions = list(group.sessions.filter(status=Session.Status.SCHEDULED).order_by("start"))
    first, last = (sessions[0].start, sessions[-1].start) if sessions else (None, None)
    who = f"{person.full_name} (geboortejaar {person.birth_year})"
    where = f"{group.location.name}, {group.location.town}" if group.location.town else group.location.name
    if letter.kind == Letter.Kind.START:
        return [
            f"Uw patiënt {who} is op {_day(first)} begonnen met de groepstraining {course.title} in {where}.",
            f"De training heeft {letter.sessions_total} bijeenkomsten; de laatste is op {_day(last)}. "
            "Aan het einde van de training krijgt u opnieuw een korte brief.",
            "De patiënt heeft toestemming gegeven om u deze brief te sturen.",
        ]
    finished = (
        f"{person.full_name} heeft de groepstraining {course.title} afgerond."
        if letter.completed
        else f"{person.full_name} heeft de groepstraining {course.title} gevolgd, maar niet afgerond."
    )
    lines = [
        f"Uw patiënt {who} deed mee aan de groepstraining {course.title} in {where}, "
        f"van {_day(first)} tot {_day(last)}.",
        f"{finished} Aanwezig bij {letter.attended} van de {letter.sessions_total} bijeenkomsten.",
    ]
    if letter.outcome_text:
        lines.append(letter.outcome_text)
    lines.append("De patiënt heeft toestemming gegeven om u deze brief te sturen.")
    return lines


def letters_pdf(letters):
    """One PDF with each letter on its own page, in a calm standard layout."""
    with translation.override("nl"):
        organisation = OrganisationSettings.load()
        pdf = FPDF(format="A4")
        pdf.set_margins(25, 25, 25)
        pdf.set_auto_page_break(True, margin=25)
        pages = [(letter, _paragraphs(letter)) for letter in letters]
        texts = [organisation.name, organisation.address, organisation.phone, organisation.email]
        texts += [text for _letter, paragraphs in pages for text in paragraphs]
        texts += [letter.practice.name if letter.practice else letter.practice_name for letter in letters]
        writer = PdfWriter(pdf, texts)
        pdf.set_title(writer.text("Brief aan de huisarts"))
        pdf.set_author(writer.text(organisation.name))
        pdf.set_creator("Groepswijzer")
        pdf.set_lang("nl")
        for letter, paragraphs in pages:
            _page(pdf, writer, organisation, letter, paragraphs)
        return bytes(pdf.output())


def _page(pdf, writer, organisation, letter, paragraphs):
    pdf.add_page()
    width = pdf.epw

    def lines(values, size=10, bold=False, height=5):
        writer.font(size, bold=bold)
        for value in values:
            if value:
                pdf.multi_cell(width, height, writer.text(value), new_x="LMARGIN", new_y="NEXT", align="L")

    lines([organisation.name], size=13, bold=True, height=7)
    lines([organisation.address, organisation.phone, organisation.email], size=9)
    pdf.ln(12)
    practice = letter.practice
    if practice is not None:
        lines(["Aan de huisarts", practice.name, practice.address, f"{practice.postcode} {practice.town}"])
    else:
        lines(["Aan de huisarts", letter.practice_name])
    pdf.ln(10)
    lines([f"Datum: {_day(letter.created_at)}"])
    subject = "start" if letter.kind == Letter.Kind.START else "einde"
    lines([f"Betreft: {subject} groepstraining {letter.enrollment.group.course.title}"], bold=True)
    pdf.ln(6)
    lines(["Geachte collega,"])
    pdf.ln(3)
    for paragraph in paragraphs:
        lines([paragraph])
        pdf.ln(3)
    pdf.ln(6)
    lines(["Met collegiale groet,", organisation.name])
