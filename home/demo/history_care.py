"""The care path in the demo's past year: practices and their referrers, referrals, screening calls, the
questionnaire before and after, and the evaluations (`home/demo/history.py` places the people).

The shape follows the region's year: about 350 referrals to Mentaal Fit and 554 to Mindfulness made in
the year. Most people who sign up come with a referral (tied to their place, and to their waiting-list
entry when they came through the list, as the referral journey ties them); some referred people never
sign up; a few sign up without one. Every record is invented: practices, referrers and callers have
made-up names and `example` addresses.
"""

import datetime
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db import connection

from accounts.models import ProfessionalProfile
from booking.clock import LOCAL_TZ
from booking.models import TrainingGroup
from carepath.demo import ensure_demo_questionnaire
from carepath.models import (
    CODE_ALPHABET,
    CODE_LENGTH,
    Answer,
    Evaluation,
    Invitation,
    Practice,
    Referral,
    Screening,
)
from carepath.services import consent as referral_consent
from carepath.services import questionnaires
from carepath.services.referrals import valid_days

from .scale import dates_as_given


def insert_rows(model, columns, rows):
    """Many rows of a few plain values (numbers, text, dates made ready with `connection.ops`) straight into the
    table: thousands of them cost a model instance and a value preparation each in bulk_create."""
    quote = connection.ops.quote_name
    names = ", ".join(quote(column) for column in columns)
    marks = ", ".join(["%s"] * len(columns))
    with connection.cursor() as cursor:
        cursor.executemany(f"INSERT INTO {quote(model._meta.db_table)} ({names}) VALUES ({marks})", rows)


EMAIL_DOMAIN = "geschiedenis.example"
# Referrals made in the year, per course slug (the region's own figures).
REFERRED = {"mentaal-fit": 350, "mindfulness": 554}
SIGNED_UP_WITH_REFERRAL = 0.88  # the rest signs up without one (found the site themselves)
# (name, town, PC4, address, weight: how much it refers). Invented names; real-looking PC4 of the region.
PRACTICES = [
    ("Gezondheidscentrum Het Klaverblad", "Eindhoven", "5612", "Klaverbladpad 2", 12),
    ("Huisartsenpraktijk De Lindehof", "Eindhoven", "5611", "Lindehof 14", 9),
    ("Huisartsen Aan de Gender", "Eindhoven", "5621", "Genderoever 7", 8),
    ("Huisartsenpraktijk De Zilverlinde", "Eindhoven", "5623", "Zilverlindelaan 31", 5),
    ("Gezondheidscentrum De Peelpoort", "Helmond", "5701", "Peelpoortplein 1", 10),
    ("Huisartsenpraktijk Het Brandpunt", "Helmond", "5702", "Brandpuntstraat 9", 6),
    ("Huisartsenpraktijk De Kempenhoek", "Veldhoven", "5501", "Kempenhoek 5", 7),
    ("Huisartsenpraktijk Het Klokhuis", "Nuenen", "5671", "Klokhuisstraat 3", 5),
    ("Gezondheidscentrum De Vlier", "Deurne", "5751", "Vlierbes 22", 6),
    ("Huisartsenpraktijk De Meerberg", "Waalre", "5581", "Meerbergweg 4", 4),
    ("Huisartsenpraktijk De Hofstee", "Geldrop", "5664", "Hofsteeplein 6", 3),
    ("Huisartsenpraktijk Het Zandven", "Best", "5684", "Zandvenpad 11", 2),
]
REFERRER_NAMES = [
    ("Anouk", "Vermeulen"),
    ("Jeroen", "Dekkers"),
    ("Fleur", "van Gerwen"),
    ("Martijn", "Swinkels"),
    ("Ingrid", "Raaijmakers"),
    ("Koen", "van Lierop"),
    ("Sanne", "Verhagen"),
    ("Rik", "Coolen"),
    ("Mirjam", "de Wit"),
    ("Tom", "Aarts"),
    ("Esther", "van Hout"),
    ("Wouter", "Kanters"),
]
CALLERS = [("Hanneke", "Sleegers"), ("Joost", "van Kemenade"), ("Carla", "Beekmans")]
NOTES = ["Liever een groep overdag.", "Liever een groep in de avond.", "Komt graag samen met een bekende."]
HELPED = [
    "De ademhalingsoefening.",
    "Horen dat anderen hetzelfde hebben.",
    "De oefeningen voor thuis.",
    "Leren nee zeggen.",
    "",
    "",
]
ALTERNATIVES = [Screening.Alternative.GP, Screening.Alternative.EHEALTH, Screening.Alternative.INDIVIDUAL]


@dataclass
class Outcome:
    """Pre and post scores of one instrument, as the generator wrote them (completed places with both)."""

    pairs: list = field(default_factory=list)
    improved: int = 0  # a higher band after than before

    @property
    def count(self):
        return len(self.pairs)

    @property
    def mean_pre(self):
        return sum(pre for pre, _post in self.pairs) / self.count

    @property
    def mean_post(self):
        return sum(post for _pre, post in self.pairs) / self.count

    @property
    def mean_change(self):
        return sum(post - pre for pre, post in self.pairs) / self.count


@dataclass
class CareExpected:
    """The care path's part of what the history holds (see `history.Expected`)."""

    referred: Counter = field(default_factory=Counter)  # course title -> referrals made in the period
    referred_by_practice: Counter = field(default_factory=Counter)  # practice label -> referrals in the period
    signed_up_by_practice: Counter = field(default_factory=Counter)  # practice label -> places with that referral
    signed_up_referred: int = 0
    signed_up_without_referral: int = 0
    screenings: Counter = field(default_factory=Counter)  # outcome -> calls
    outcomes: dict = field(default_factory=dict)  # questionnaire name -> Outcome
    grades: list = field(default_factory=list)
    recommend: int = 0


def _band(bands, score):
    for index, (low, high) in enumerate(bands):
        if low <= score <= high:
            return index
    return None


class CareWriter:
    """Collects the care path's rows while `HistoryWriter` places people; `write` stores them in bulk."""

    def __init__(self, history):
        self.history = history
        self.rng = history.rng
        self.now = history.now
        self.since = datetime.datetime.combine(history.start, datetime.time.min, tzinfo=LOCAL_TZ)
        self.until = datetime.datetime.combine(
            history.end + datetime.timedelta(days=1), datetime.time.min, tzinfo=LOCAL_TZ
        )
        self.expected = CareExpected()
        ensure_demo_questionnaire()  # the demo's instrument, when the demo's care path is not loaded
        self.practices, self.referrers, self.callers = self.people()
        self.weights = [weight for _name, _town, _pc4, _address, weight in PRACTICES]
        self.referrals, self.screenings, self.invitations = [], [], []
        self.answers, self.evaluations = [], []  # (invitation, values) and (invitation, Evaluation)
        self.instruments = {}  # course pk -> (questionnaire, items, choices, bands)
        self.codes = set()

    # --- who refers and who calls -----------------------------------------------------------------------

    def people(self):
        User = get_user_model()
        practices = Practice.objects.bulk_create(
            [
                Practice(
                    name=name,
                    agb_code=f"0109{number:04d}",
                    address=address,
                    postcode=f"{pc4} {'ABCDEFGH'[number % 8]}{'KLMNPRST'[number % 8]}",
                    town=town,
                    letter_email=f"brieven@praktijk{number:02d}.geschiedenis.example",
                )
                for number, (name, town, pc4, address, _weight) in enumerate(PRACTICES, start=1)
            ]
        )
        users, members, profiles = [], [], []
        for index, practice in enumerate(practices):
            for _ in range(1 + PRACTICES[index][4] // 5):
                first, last = REFERRER_NAMES[len(users) % len(REFERRER_NAMES)]
                users.append(
                    User(
                        email=f"verwijzer{len(users) + 1:02d}@{EMAIL_DOMAIN}",
                        first_name=first,
                        last_name=last,
                        password="!demo-geschiedenis",  # no password: these accounts cannot log in
                    )
                )
                members.append(practice)
        callers = [
            User(email=f"beller{n:02d}@{EMAIL_DOMAIN}", first_name=first, last_name=last, password="!demo-geschiedenis")
            for n, (first, last) in enumerate(CALLERS, start=1)
        ]
        User.objects.bulk_create(users + callers)
        through = Practice.members.through
        through.objects.bulk_create(
            [through(practice_id=practice.pk, user_id=user.pk) for user, practice in zip(users, members, strict=True)]
        )
        decided = self.since - datetime.timedelta(days=400)
        for number, (user, practice) in enumerate(zip(users, members, strict=True)):
            profiles.append(
                ProfessionalProfile(
                    user=user,
                    organisation=practice.name,
                    role=ProfessionalProfile.Role.POH_GGZ if number % 2 == 0 else ProfessionalProfile.Role.GP,
                    practice=str(practice),
                    status=ProfessionalProfile.Status.VERIFIED,
                    requested_at=decided - datetime.timedelta(days=2),
                    decided_at=decided,
                    note="Demo: gecontroleerd.",
                )
            )
        with dates_as_given(ProfessionalProfile):
            ProfessionalProfile.objects.bulk_create(profiles)
        referrers = defaultdict(list)
        for user, practice in zip(users, members, strict=True):
            referrers[practice.pk].append(user)
        return practices, referrers, callers

    def any_practice(self):
        """A practice of the region; the bigger ones refer more."""
        return self.rng.choices(self.practices, weights=self.weights)[0]

    def practice_near(self, postcode):
        """Mostly a practice in the patient's own part of the region (the same first three digits)."""
        near = [
            (practice, weight)
            for practice, weight in zip(self.practices, self.weights, strict=True)
            if practice.postcode[:3] == postcode[:3]
        ]
        if not near or self.rng.random() < 0.2:
            return self.any_practice()
        return self.rng.choices([p for p, _w in near], weights=[w for _p, w in near])[0]

    def new_code(self):
        while True:
            code = "".join(self.rng.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
            if code not in self.codes:
                self.codes.add(code)
                return code

    def referral(self, practice, course, created, **fields):
        referrer = self.rng.choice(self.referrers[practice.pk])
        referral = Referral(
            code=self.new_code(),
            referrer_id=referrer.pk,
            practice_id=practice.pk,
            course=course,
            delivery=Referral.Delivery.PRINT,
            created_at=created,
            expires_at=created + datetime.timedelta(days=valid_days()),
            note=self.rng.choice(NOTES) if self.rng.random() < 0.15 else "",
            **fields,
        )
        if referral.opened_at and self.rng.random() < 0.75:
            referral.share_consent_at = referral.opened_at
            referral.share_consent_version = referral_consent.SHARE_VERSION
        self.referrals.append(referral)
        if self.since <= created < self.until:
            title = course.title if course else fields["enrollment"].group.course.title
            self.expected.referred[title] += 1
            self.expected.referred_by_practice[str(practice)] += 1
        return referral

    # --- one person --------------------------------------------------------------------------------------

    def place(self, enrollment, group, first_start, sessions, *, outcome, asked, entry):
        """The referral in front of a place, the screening call, the questionnaires and the evaluation."""
        participant = enrollment.participant
        if self.rng.random() < SIGNED_UP_WITH_REFERRAL:
            practice = self.practice_near(participant.postcode)
            created = asked - datetime.timedelta(days=self.rng.randint(1, 21), hours=self.rng.randint(0, 8))
            referral = self.referral(
                practice,
                None if self.rng.random() < 0.1 else group.course,  # "let the patient choose"
                created,
                preferred_location=group.location if self.rng.random() < 0.25 else None,
                opened_at=asked - datetime.timedelta(minutes=self.rng.randint(5, 600)),
                enrollment=enrollment,
                waitlist_entry=entry,
            )
            if self.rng.random() < 0.3:
                referral.delivery = Referral.Delivery.EMAIL
                referral.patient_email = participant.email
            self.expected.signed_up_referred += 1
            self.expected.signed_up_by_practice[str(practice)] += 1
        else:
            self.expected.signed_up_without_referral += 1
        if outcome != "group_cancelled":
            self.screening(enrollment, first_start, outcome)
        self.questionnaires(enrollment, group, first_start, sessions, outcome)

    def screening(self, enrollment, first_start, outcome):
        if self.rng.random() < 0.12:
            return  # not called (yet) before the start
        caller = self.rng.choice(self.callers)
        called = first_start - datetime.timedelta(days=self.rng.randint(6, 20), hours=self.rng.randint(1, 8))
        called = max(called, enrollment.confirmed_at + datetime.timedelta(hours=2))
        ended = enrollment.cancelled_at
        if outcome == "left_before_start" and ended > enrollment.confirmed_at and self.rng.random() < 0.3:
            # Not suitable: the call ended the place (the office's cancellation, at that moment).
            self.add_screening(
                enrollment,
                caller,
                ended,
                Screening.Outcome.NOT_SUITABLE,
                note="Een groep past nu niet; besproken wat wel past.",
                alternatives=self.rng.sample(ALTERNATIVES, 2),
            )
            return
        if self.rng.random() < 0.06:
            self.add_screening(
                enrollment,
                caller,
                called - datetime.timedelta(days=2),
                Screening.Outcome.DOUBT,
                note="Twijfel over het tijdstip; overlegd met de verwijzer.",
            )
        self.add_screening(enrollment, caller, called, Screening.Outcome.SUITABLE)

    def add_screening(self, enrollment, caller, called, outcome, note="", alternatives=()):
        self.screenings.append(
            Screening(
                enrollment=enrollment,
                called_at=called,
                called_by_id=caller.pk,
                outcome=outcome,
                note=note,
                alternatives=[str(key) for key in alternatives],
            )
        )
        self.expected.screenings[outcome] += 1

    def instrument(self, course):
        """The questionnaire the care path would send for `course` (the same rule), with its items and bands."""
        if course.pk not in self.instruments:
            questionnaire = questionnaires.questionnaire_for(course)
            if questionnaire is None:
                self.instruments[course.pk] = None
            else:
                self.instruments[course.pk] = (
                    questionnaire,
                    list(questionnaire.items.all()),
                    [value for value, _label in questionnaire.answer_choices()],
                    [(band.low, band.high) for band in questionnaire.bands.order_by("low")],
                )
        return self.instruments[course.pk]

    def values(self, choices, level, count):
        """Answers around `level` (0 low to 1 high on the answer scale), one per item."""
        low, high = choices[0], choices[-1]
        return [
            min(high, max(low, round(low + (high - low) * (level + self.rng.gauss(0, 0.12))))) for _ in range(count)
        ]

    def questionnaires(self, enrollment, group, first_start, sessions, outcome):
        """Invited before the start once the place was confirmed; after the end (with the evaluation) when completed."""
        found = self.instrument(group.course)
        if found is None:
            return
        questionnaire, items, choices, bands = found
        started = outcome in ("completed", "stopped", "running", "no_show")
        level = min(0.95, max(0.05, self.rng.gauss(0.42, 0.15)))
        answers_pre = self.rng.random() < (0.88 if started else 0.5)
        deadline = min(first_start, enrollment.cancelled_at or first_start, self.now)
        pre_values = None
        # The periodic run invites a confirmed place while the first session is still ahead.
        pre = self.invite(enrollment, questionnaire, Invitation.Moment.PRE, enrollment.confirmed_at)
        if pre.created_at < deadline:
            self.invitations.append(pre)
            values = self.values(choices, level, len(items)) if answers_pre else None
            pre_values = self.answer(pre, deadline, items, values)
        if outcome != "completed" or group.status != TrainingGroup.Status.COMPLETED:
            return
        # The periodic run invites the morning after the last session.
        last = sessions[-1].end
        invited = last + datetime.timedelta(hours=self.rng.randint(10, 16))
        post = self.invite(enrollment, questionnaire, Invitation.Moment.POST, invited)
        if post.created_at > self.now:
            return
        evaluation = self.invite(enrollment, None, Invitation.Moment.EVALUATION, invited)
        evaluation.created_at = post.created_at
        self.invitations += [post, evaluation]
        if self.rng.random() >= 0.82:
            self.remind(post, self.now)
            return
        change = self.rng.gauss(0.13, 0.13)
        post_values = self.answer(post, self.now, items, self.values(choices, level + change, len(items)))
        if post.answered_at is None:
            return
        if pre_values is not None:
            before, after = (questionnaires.score_of(questionnaire, v) for v in (pre_values, post_values))
            outcome_of = self.expected.outcomes.setdefault(questionnaire.name, Outcome())
            outcome_of.pairs.append((before, after))
            was, now = _band(bands, before), _band(bands, after)
            outcome_of.improved += was is not None and now is not None and now > was
        if self.rng.random() < 0.92:
            # The evaluation follows the questionnaire's last page; who gained more tends to grade higher.
            grade = min(10, max(4, round(self.rng.gauss(7.4 + 3 * change, 0.9))))
            recommend = grade >= 7 or self.rng.random() < 0.3
            evaluation.answered_at = post.answered_at + datetime.timedelta(minutes=self.rng.randint(2, 9))
            self.evaluations.append(
                Evaluation(
                    invitation=evaluation, grade=grade, would_recommend=recommend, helped=self.rng.choice(HELPED)
                )
            )
            self.expected.grades.append(grade)
            self.expected.recommend += recommend

    def invite(self, enrollment, questionnaire, moment, created):
        invitation = Invitation(
            enrollment=enrollment,
            questionnaire=questionnaire,
            moment=moment,
            created_at=created + datetime.timedelta(minutes=self.rng.randint(20, 300)),
        )
        return invitation

    def answer(self, invitation, deadline, items, values):
        """Answered (with `values`) before `deadline`, after a reminder when it took a while; returns the values."""
        if values is None:
            self.remind(invitation, deadline)
            return None
        answered = invitation.created_at + datetime.timedelta(hours=self.rng.randint(1, 24 * 9))
        if answered >= deadline:
            self.remind(invitation, deadline)
            return None
        if answered - invitation.created_at > questionnaires.reminder_after():
            invitation.reminded_at = invitation.created_at + questionnaires.reminder_after()
        invitation.answered_at = answered
        invitation.score = questionnaires.score_of(invitation.questionnaire, values)
        self.answers.extend((invitation, item, value) for item, value in zip(items, values, strict=True))
        return values

    def remind(self, invitation, deadline):
        reminded = invitation.created_at + questionnaires.reminder_after()
        if reminded < deadline:
            invitation.reminded_at = reminded

    # --- referred, never signed up ---------------------------------------------------------------------

    def referred_only(self, courses, postcodes):
        """Referrals made in the year whose patient never signed up, up to the region's number per course.

        From the same practices as those who did (patients from the same `postcodes`), so each practice's
        referrals lead to a place about as often as the others'.
        """
        days = (self.history.end - self.history.start).days + 1
        for slug, target in REFERRED.items():
            course = courses.get(slug)
            if course is None:
                continue
            for _ in range(max(0, target - self.expected.referred[course.title])):
                created = self.since + datetime.timedelta(
                    days=self.rng.randrange(days), hours=self.rng.randint(8, 17), minutes=self.rng.randint(0, 59)
                )
                opened = created + datetime.timedelta(days=self.rng.randint(0, 12), hours=self.rng.randint(0, 6))
                self.referral(
                    self.practice_near(self.rng.choice(postcodes)),
                    course,
                    created,
                    opened_at=opened if self.rng.random() < 0.55 and opened < self.now else None,
                )

    def waiting(self, entry, course):
        """Someone waiting now who came with a referral (tied to the list entry, as the journey does)."""
        practice = self.practice_near(entry.participant.postcode)
        created = entry.joined_at - datetime.timedelta(days=self.rng.randint(1, 14))
        self.referral(
            practice, course, created, opened_at=entry.joined_at - datetime.timedelta(minutes=30), waitlist_entry=entry
        )

    # --- storing -----------------------------------------------------------------------------------------

    def write(self):
        for referral in self.referrals:
            if referral.enrollment is not None:
                referral.enrollment_id = referral.enrollment.pk
            if referral.waitlist_entry is not None:
                referral.waitlist_entry_id = referral.waitlist_entry.pk
        Referral.objects.bulk_create(self.referrals)
        for screening in self.screenings:
            screening.enrollment_id = screening.enrollment.pk
        Screening.objects.bulk_create(self.screenings)
        for invitation in self.invitations:
            invitation.enrollment_id = invitation.enrollment.pk
        Invitation.objects.bulk_create(self.invitations)
        insert_rows(
            Answer,
            ["invitation_id", "item_id", "value"],
            [(invitation.pk, item.pk, value) for invitation, item, value in self.answers],
        )
        for evaluation in self.evaluations:
            evaluation.invitation_id = evaluation.invitation.pk
        Evaluation.objects.bulk_create(self.evaluations)
