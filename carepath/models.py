"""Practices and referrals: how professionals send a patient to a group training.

A referral is made by a verified professional, reaches the patient on paper
(a short code and a QR code) or by an email sent from the site, and is
tied to the patient's place (or waiting-list entry) once they sign up with
it. What its referrer may see of it afterwards depends on the patient's
separate consent to share progress (``share_consent_at`` /
``share_withdrawn_at``); the status itself is computed in
``carepath.services.referrals``, never stored.
"""

import secrets

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel
from wagtail.models import Orderable

# No 0/O, 1/I/L: a code is typed over from paper and read aloud on the phone.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 10  # 31**10, about 8 * 10**14 codes: guessing one is hopeless, and tries are rate-limited


def new_code():
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def format_code(code):
    """ "ABCDE-FGHJK": easier to read and to type over."""
    return f"{code[:5]}-{code[5:]}" if len(code) == CODE_LENGTH else code


def normalise_code(typed):
    """What someone typed, as the stored code: capitals, without spaces or dashes."""
    return "".join(ch for ch in (typed or "").upper() if ch.isalnum())


class Practice(models.Model):
    """A GP practice (huisartsenpraktijk) or health centre whose professionals refer, and where GP letters go."""

    name = models.CharField(_("naam"), max_length=200)
    agb_code = models.CharField(
        _("AGB-code"),
        max_length=8,
        unique=True,
        validators=[RegexValidator(r"^\d{8}$", _("Een AGB-code heeft 8 cijfers, bijvoorbeeld 01012345."))],
        help_text=_("De AGB-code van de praktijk: 8 cijfers."),
    )
    address = models.CharField(_("adres"), max_length=200)
    postcode = models.CharField(_("postcode"), max_length=7)
    town = models.CharField(_("plaats"), max_length=100)
    letter_email = models.EmailField(
        _("e-mailadres voor brieven"),
        help_text=_("Hier gaan de brieven over deelnemers naartoe (beveiligde praktijkmail)."),
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("professionals van deze praktijk"),
        blank=True,
        related_name="practices",
        help_text=_("Zij zien elkaars verwijzingen."),
    )

    class Meta:
        verbose_name = _("praktijk")
        verbose_name_plural = _("praktijken")
        ordering = ["name"]

    def __str__(self):
        return f"{self.name}, {self.town}" if self.town else self.name


class Referral(models.Model):
    """One referral of one patient by a professional. Never deleted; its free text goes after the retention period."""

    class Delivery(models.TextChoices):
        PRINT = "print", _("Geprint meegeven (code en QR-code)")
        EMAIL = "email", _("Per e-mail vanaf deze website")

    code = models.CharField(_("code"), max_length=CODE_LENGTH, unique=True, default=new_code, editable=False)
    referrer = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("verwijzer"), on_delete=models.PROTECT, related_name="referrals"
    )
    practice = models.ForeignKey(
        Practice,
        verbose_name=_("praktijk"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="referrals",
    )
    course = models.ForeignKey(
        "courses.CoursePage",
        verbose_name=_("training"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="referrals",
        help_text=_("Leeg: een groepstraining, de patiënt kiest zelf welke."),
    )
    preferred_location = models.ForeignKey(
        "booking.Location",
        verbose_name=_("voorkeurslocatie"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    note = models.CharField(
        _("korte notitie voor de trainer"),
        max_length=300,
        blank=True,
        help_text=_("Geen diagnose. Bijvoorbeeld: liever een groep overdag."),
    )
    delivery = models.CharField(_("hoe krijgt de patiënt de verwijzing"), max_length=10, choices=Delivery.choices)
    patient_email = models.EmailField(_("e-mailadres van de patiënt"), blank=True)
    created_at = models.DateTimeField(_("aangemaakt op"))
    expires_at = models.DateTimeField(_("geldig tot"))
    opened_at = models.DateTimeField(_("geopend op"), null=True, blank=True)
    enrollment = models.ForeignKey(
        "booking.Enrollment",
        verbose_name=_("aanmelding"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="referrals",
    )
    waitlist_entry = models.ForeignKey(
        "booking.WaitlistEntry",
        verbose_name=_("plaats op de wachtlijst"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="referrals",
    )
    share_consent_at = models.DateTimeField(_("toestemming om voortgang te delen op"), null=True, blank=True)
    share_consent_version = models.CharField(_("versie toestemmingstekst delen"), max_length=40, blank=True)
    share_withdrawn_at = models.DateTimeField(_("toestemming delen ingetrokken op"), null=True, blank=True)
    anonymised_at = models.DateTimeField(_("geanonimiseerd op"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("verwijzing")
        verbose_name_plural = _("verwijzingen")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(
                fields=["created_at"], condition=Q(anonymised_at__isnull=True), name="carepath_referral_retention"
            ),
        ]

    def __str__(self):
        return format_code(self.code)

    @property
    def display_code(self):
        return format_code(self.code)

    @property
    def shares_progress(self):
        """The patient agreed to share their progress with the referrer, and has not withdrawn it."""
        return self.share_consent_at is not None and self.share_withdrawn_at is None


class Screening(models.Model):
    """One telephone screening call before the group starts: when, by whom, the outcome and a short note.

    A participant may be called more than once (after "doubt", say); the
    newest call counts. Only ``carepath.services.screening`` writes these.
    """

    class Outcome(models.TextChoices):
        SUITABLE = "suitable", _("Past in de groep")
        DOUBT = "doubt", _("Twijfel: overleggen met de verwijzer")
        NOT_SUITABLE = "not_suitable", _("Past niet in de groep")

    class Alternative(models.TextChoices):
        GP = "gp", _("Een gesprek met de eigen huisarts of POH-GGZ over wat beter past")
        EHEALTH = "ehealth", _("Een online zelfhulpprogramma (eHealth), via de POH-GGZ")
        INDIVIDUAL = "individual", _("Gesprekken met een psycholoog, alleen in plaats van in een groep")
        NEIGHBOURHOOD = "neighbourhood", _("Hulp in de wijk, zoals het sociaal wijkteam")
        LATER = "later", _("Later opnieuw aanmelden, als het beter uitkomt")

    enrollment = models.ForeignKey(
        "booking.Enrollment", verbose_name=_("aanmelding"), on_delete=models.PROTECT, related_name="screenings"
    )
    called_at = models.DateTimeField(_("gebeld op"))
    called_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("gebeld door"), on_delete=models.PROTECT, related_name="+"
    )
    outcome = models.CharField(_("uitkomst"), max_length=20, choices=Outcome.choices)
    note = models.CharField(_("korte notitie"), max_length=300, blank=True)
    alternatives = models.JSONField(_("andere mogelijkheden"), default=list, blank=True)
    alternative_courses = models.ManyToManyField(
        "courses.CoursePage", verbose_name=_("andere trainingen"), blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("telefonische screening")
        verbose_name_plural = _("telefonische screenings")
        ordering = ["-called_at", "-pk"]

    def __str__(self):
        return f"{self.enrollment_id}: {self.get_outcome_display()}"

    def alternative_labels(self):
        labels = dict(self.Alternative.choices)
        return [labels[key] for key in self.alternatives if key in labels]


class Letter(models.Model):
    """A letter to the participant's GP: at the start (after the first session attended) and at the end.

    Made only with the participant's letter consent. What the letter says is
    frozen when it is made (attendance, completion, outcome), so the PDF
    downloaded or sent later is the same letter; ``sent_at`` is set once.
    """

    class Kind(models.TextChoices):
        START = "start", _("start van de training")
        END = "end", _("einde van de training")

    class SentHow(models.TextChoices):
        EMAIL = "email", _("per e-mail naar de praktijk")
        POST = "post", _("gedownload en zelf verstuurd")

    enrollment = models.ForeignKey(
        "booking.Enrollment", verbose_name=_("aanmelding"), on_delete=models.PROTECT, related_name="gp_letters"
    )
    kind = models.CharField(_("soort brief"), max_length=10, choices=Kind.choices)
    practice = models.ForeignKey(
        Practice, verbose_name=_("praktijk"), on_delete=models.PROTECT, null=True, blank=True, related_name="letters"
    )
    practice_name = models.CharField(_("huisartsenpraktijk (zoals opgegeven)"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("gemaakt op"))
    attended = models.PositiveSmallIntegerField(_("aanwezig bij"), default=0)
    sessions_total = models.PositiveSmallIntegerField(_("aantal bijeenkomsten"), default=0)
    completed = models.BooleanField(_("afgerond"), null=True, blank=True)
    outcome_text = models.CharField(_("verandering in score"), max_length=300, blank=True)
    sent_at = models.DateTimeField(_("verstuurd op"), null=True, blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("verstuurd door"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    sent_how = models.CharField(_("hoe verstuurd"), max_length=10, choices=SentHow.choices, blank=True)

    class Meta:
        verbose_name = _("brief aan de huisarts")
        verbose_name_plural = _("brieven aan de huisarts")
        ordering = ["-created_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["enrollment", "kind"], name="carepath_letter_once_per_kind")]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.enrollment_id}"


class Questionnaire(ClusterableModel):
    """An outcome questionnaire as staff define it: items on one answer scale, a scoring rule and bands.

    The score is the sum or the mean of the answers, times the multiplier
    (WHO-5: the sum times 4 gives 0-100). A band names a range of scores.
    """

    class Scoring(models.TextChoices):
        SUM = "sum", _("som van de antwoorden")
        MEAN = "mean", _("gemiddelde van de antwoorden")

    name = models.CharField(_("naam"), max_length=120)
    intro = models.TextField(_("uitleg bovenaan"), blank=True)
    is_demo = models.BooleanField(
        _("demo-vragenlijst"),
        default=False,
        help_text=_("Een voorbeeld, geen gevalideerd instrument. Gebruik het niet om effecten te rapporteren."),
    )
    active = models.BooleanField(_("in gebruik"), default=True)
    courses = ParentalManyToManyField(
        "courses.CoursePage",
        verbose_name=_("trainingen"),
        blank=True,
        related_name="+",
        help_text=_("Leeg: alle trainingen."),
    )
    scale_min = models.SmallIntegerField(_("laagste antwoord"), default=0)
    scale_max = models.SmallIntegerField(_("hoogste antwoord"), default=5)
    scale_labels = models.TextField(
        _("antwoorden"),
        help_text=_("Eén per regel, van laag naar hoog, zoveel als er antwoorden zijn. Bijvoorbeeld: Nooit"),
    )
    scoring = models.CharField(_("score"), max_length=10, choices=Scoring.choices, default=Scoring.SUM)
    multiplier = models.DecimalField(_("vermenigvuldigen met"), max_digits=6, decimal_places=2, default=1)

    panels = [
        FieldPanel("name"),
        FieldPanel("intro"),
        FieldRowPanel([FieldPanel("is_demo"), FieldPanel("active")]),
        FieldPanel("courses", widget=forms.CheckboxSelectMultiple),
        FieldRowPanel([FieldPanel("scale_min"), FieldPanel("scale_max")]),
        FieldPanel("scale_labels"),
        FieldRowPanel([FieldPanel("scoring"), FieldPanel("multiplier")]),
        InlinePanel("items", heading=_("Vragen"), label=_("Vraag"), min_num=1),
        InlinePanel("bands", heading=_("Uitslag in woorden"), label=_("Band")),
    ]

    class Meta:
        verbose_name = _("vragenlijst")
        verbose_name_plural = _("vragenlijsten")
        ordering = ["name"]

    def __str__(self):
        return f"{self.name} ({_('demo')})" if self.is_demo else self.name

    def answer_choices(self):
        labels = [line.strip() for line in self.scale_labels.splitlines() if line.strip()]
        values = range(self.scale_min, self.scale_max + 1)
        return [(value, labels[i] if i < len(labels) else str(value)) for i, value in enumerate(values)]

    def clean(self):
        super().clean()
        if self.scale_max is not None and self.scale_min is not None and self.scale_max <= self.scale_min:
            raise ValidationError({"scale_max": _("Het hoogste antwoord moet hoger zijn dan het laagste.")})
        labels = [line for line in (self.scale_labels or "").splitlines() if line.strip()]
        if (
            self.scale_max is not None
            and self.scale_min is not None
            and len(labels) != self.scale_max - self.scale_min + 1
        ):
            raise ValidationError(
                {
                    "scale_labels": _("Schrijf precies één antwoord per regel: %(count)s regels.")
                    % {"count": self.scale_max - self.scale_min + 1}
                }
            )


class QuestionnaireItem(Orderable):
    questionnaire = ParentalKey(Questionnaire, on_delete=models.CASCADE, related_name="items")
    text = models.CharField(_("vraag"), max_length=300)

    def __str__(self):
        return self.text


class ScoreBand(Orderable):
    questionnaire = ParentalKey(Questionnaire, on_delete=models.CASCADE, related_name="bands")
    low = models.DecimalField(_("van"), max_digits=6, decimal_places=2)
    high = models.DecimalField(_("tot en met"), max_digits=6, decimal_places=2)
    label = models.CharField(_("in woorden"), max_length=120)

    def __str__(self):
        return f"{self.low}-{self.high}: {self.label}"


class Invitation(models.Model):
    """An invitation to answer: the questionnaire before the first session or after the last, or the evaluation."""

    class Moment(models.TextChoices):
        PRE = "pre", _("voor de training")
        POST = "post", _("na de training")
        EVALUATION = "evaluation", _("evaluatie")

    enrollment = models.ForeignKey(
        "booking.Enrollment", verbose_name=_("aanmelding"), on_delete=models.PROTECT, related_name="invitations"
    )
    questionnaire = models.ForeignKey(
        Questionnaire, verbose_name=_("vragenlijst"), on_delete=models.PROTECT, null=True, blank=True
    )
    moment = models.CharField(_("moment"), max_length=12, choices=Moment.choices)
    created_at = models.DateTimeField(_("uitgenodigd op"))
    reminded_at = models.DateTimeField(_("herinnerd op"), null=True, blank=True)
    answered_at = models.DateTimeField(_("ingevuld op"), null=True, blank=True)
    score = models.DecimalField(_("score"), max_digits=7, decimal_places=2, null=True, blank=True)
    share_with_gp = models.BooleanField(_("verandering mag in de brief aan de huisarts"), default=False)

    class Meta:
        verbose_name = _("uitnodiging voor een vragenlijst")
        verbose_name_plural = _("uitnodigingen voor vragenlijsten")
        ordering = ["-created_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["enrollment", "moment"], name="carepath_invitation_once")]
        indexes = [
            # The reminders due: invitations of the last weeks not answered or reminded (services.questionnaires).
            models.Index(
                fields=["created_at"],
                condition=Q(answered_at__isnull=True, reminded_at__isnull=True),
                name="carepath_invitation_unanswered",
            ),
        ]

    def __str__(self):
        return f"{self.get_moment_display()}: {self.enrollment_id}"


class Answer(models.Model):
    invitation = models.ForeignKey(Invitation, on_delete=models.CASCADE, related_name="answers")
    item = models.ForeignKey(QuestionnaireItem, on_delete=models.PROTECT, related_name="+")
    value = models.SmallIntegerField(_("antwoord"))

    class Meta:
        verbose_name = _("antwoord")
        verbose_name_plural = _("antwoorden")
        constraints = [models.UniqueConstraint(fields=["invitation", "item"], name="carepath_answer_once")]

    def __str__(self):
        return f"{self.invitation_id}/{self.item_id}: {self.value}"


class Evaluation(models.Model):
    """The satisfaction evaluation after the last session; separate from the outcome scores."""

    invitation = models.OneToOneField(Invitation, on_delete=models.PROTECT, related_name="evaluation")
    grade = models.PositiveSmallIntegerField(_("rapportcijfer"))
    would_recommend = models.BooleanField(_("zou de training aanraden"))
    helped = models.TextField(_("wat hielp"), blank=True)
    comments = models.TextField(_("verder nog"), blank=True)

    class Meta:
        verbose_name = _("evaluatie")
        verbose_name_plural = _("evaluaties")

    def __str__(self):
        return f"{self.invitation_id}: {self.grade}"


class DecisionQuestion(ClusterableModel):
    """A question in the decision aid (beslisboom) for professionals; each answer leads on or gives advice."""

    text = models.CharField(_("vraag"), max_length=300)
    help_text = models.TextField(_("toelichting"), blank=True)
    is_start = models.BooleanField(_("eerste vraag"), default=False, help_text=_("Hier begint de beslishulp."))

    panels = [
        FieldPanel("text"),
        FieldPanel("help_text"),
        FieldPanel("is_start"),
        InlinePanel("answers", heading=_("Antwoorden"), label=_("Antwoord"), min_num=2),
    ]

    class Meta:
        verbose_name = _("vraag in de beslishulp")
        verbose_name_plural = _("beslishulp")
        ordering = ["-is_start", "text"]

    def __str__(self):
        return self.text


class DecisionAnswer(Orderable):
    """An answer: it leads to the next question, or ends in advice (a training, or "not a group: this instead")."""

    question = ParentalKey(DecisionQuestion, on_delete=models.CASCADE, related_name="answers")
    label = models.CharField(_("antwoord"), max_length=200)
    next_question = models.ForeignKey(
        DecisionQuestion,
        verbose_name=_("volgende vraag"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    course = models.ForeignKey(
        "courses.CoursePage",
        verbose_name=_("advies: deze training"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    advice = models.TextField(
        _("advies in woorden"),
        blank=True,
        help_text=_("Waarom deze training, of: geen groep, maar dit."),
    )

    panels = [FieldPanel("label"), FieldPanel("next_question"), FieldPanel("course"), FieldPanel("advice")]

    def __str__(self):
        return self.label

    def clean(self):
        super().clean()
        ends = bool(self.course_id or self.advice.strip())
        if self.next_question_id and ends:
            raise ValidationError({"next_question": _("Kies een volgende vraag óf een advies, niet allebei.")})
        if not self.next_question_id and not ends:
            raise ValidationError({"next_question": _("Kies een volgende vraag, of schrijf een advies.")})
