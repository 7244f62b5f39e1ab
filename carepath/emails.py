"""The care path's emails, through booking's outbox (see booking.services.notifications.email_kind)."""

from django.urls import reverse
from django.utils.translation import gettext as _

from booking.models import Participant
from booking.services import links
from booking.services.notifications import Email, email_kind

from .models import Invitation, Letter, Referral, Screening
from .services import letters, referrals

SHARING_LINK = "referral-sharing"
QUESTIONNAIRE_LINK = "questionnaire"


def referral_url(referral):
    """The link a patient opens to start signing up with a referral: it holds the code, nothing else."""
    return links.absolute(reverse("carepath:referral", kwargs={"code": referral.code}))


def sharing_url(referral):
    """The patient's own page about sharing their progress with the referrer (withdraw or give again)."""
    return links.personal_url("carepath:sharing", SHARING_LINK, referral.pk)


def referrer_name(referral):
    user = referral.referrer
    return user.get_full_name() or user.email


@email_kind("referral_invitation")
def referral_invitation(referral_id):
    """The referral, sent from the site to the address the professional typed in: the link and the code."""
    referral = Referral.objects.select_related("course", "referrer", "practice").get(pk=referral_id)
    return Email(
        to=referral.patient_email,
        subject=_("Uw verwijzing naar een groepstraining"),
        template="carepath/referral_invitation",
        context={
            "referral": referral,
            "referrer": referrer_name(referral),
            "url": referral_url(referral),
            "valid_until": referral.expires_at,
        },
    )


def signed_up_language(referral):
    """The language the patient signed up in with this referral (their place, or their waiting-list entry)."""
    signed_up = referral.enrollment or referral.waitlist_entry
    return signed_up.language if signed_up else None


@email_kind("referral_sharing")
def referral_sharing(referral_id, participant_id):
    """After signing up with a referral and agreeing to share: what is shared, and the link to stop it."""
    referral = Referral.objects.select_related("referrer", "practice").get(pk=referral_id)
    participant = Participant.objects.get(pk=participant_id)
    return Email(
        language=signed_up_language(referral),
        to=participant.email,
        subject=_("U deelt uw voortgang met uw verwijzer"),
        template="carepath/referral_sharing",
        context={
            "participant": participant,
            "referral": referral,
            "referrer": referrer_name(referral),
            "sharing_url": sharing_url(referral),
            "valid_days": referrals.valid_days(),
        },
    )


@email_kind("screening_not_suitable")
def screening_not_suitable(screening_id):
    """After a call that found the group does not fit: said kindly, with the other ways on the caller chose."""
    screening = Screening.objects.select_related("enrollment__participant", "enrollment__group__course").get(
        pk=screening_id
    )
    enrollment = screening.enrollment
    courses = [
        {"title": course.title, "url": links.page_url(course)}
        for course in screening.alternative_courses.live().order_by("title")
    ]
    return Email(
        language=enrollment.language,
        to=enrollment.participant.email,
        subject=_("Na ons telefoongesprek: andere mogelijkheden voor u"),
        template="carepath/screening_not_suitable",
        context={
            "participant": enrollment.participant,
            "course": enrollment.group.course,
            "alternatives": screening.alternative_labels(),
            "courses": courses,
        },
    )


class LetterAttachment:
    """The letter's PDF as an email attachment, made only when the email is put together to be sent."""

    def __init__(self, letter):
        self.letter = letter

    def __iter__(self):
        yield letters.letter_filename([self.letter])
        yield letters.letters_pdf([self.letter])
        yield "application/pdf"


@email_kind("gp_letter")
def gp_letter(letter_id):
    """A letter to the GP, as a PDF, to the practice's letter address; the email itself names nobody."""
    letter = Letter.objects.select_related("practice", "enrollment__group__course").get(pk=letter_id)
    return Email(
        to=letter.practice.letter_email,
        subject=_("Brief over een deelnemer aan een groepstraining"),
        template="carepath/gp_letter",
        context={"letter": letter, "practice": letter.practice},
        attachments=[LetterAttachment(letter)],
    )


def questionnaire_url(invitation):
    return links.personal_url("carepath:questionnaire", QUESTIONNAIRE_LINK, invitation.pk)


@email_kind("questionnaire_invitation")
def questionnaire_invitation(invitation_id, reminder=False):
    """The invitation to answer before or after the training (and its one reminder), with the personal link."""
    invitation = Invitation.objects.select_related("enrollment__participant", "enrollment__group__course").get(
        pk=invitation_id
    )
    course = invitation.enrollment.group.course
    before = invitation.moment == Invitation.Moment.PRE
    subject = (
        _("Een paar vragen voor de start van %(course)s") if before else _("Hoe was %(course)s? Een paar vragen")
    ) % {"course": course.title}
    return Email(
        language=invitation.enrollment.language,
        to=invitation.enrollment.participant.email,
        subject=(_("Herinnering: ") + subject) if reminder else subject,
        template="carepath/questionnaire_invitation",
        context={
            "participant": invitation.enrollment.participant,
            "course": course,
            "before": before,
            "reminder": reminder,
            "url": questionnaire_url(invitation),
            "count": invitation.questionnaire.items.count() if invitation.questionnaire_id else 0,
        },
    )
