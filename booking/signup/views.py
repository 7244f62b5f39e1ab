"""The sign-up steps: group, participant, suitability, consent (the hold), own contribution, confirmation.

Views only move between steps; what is typed lives in the session
(`booking.signup_state`), the rules in `booking.signup` and
`booking.services`. Nothing is saved in the database before the consent step
holds the places.
"""

from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from booking import geo
from booking.forms import PARTNER_PREFIX, ParticipantsForm
from booking.models import Enrollment, TrainingGroup
from booking.payments.providers import get_provider, providers_for
from booking.services import availability, links, places, signals, transfers
from booking.services import consent as consent_text
from booking.services.errors import AlreadyEnrolled, BookingError, GroupFull, SignupClosed
from booking.services.hold_limits import TooManyHolds
from booking.signup import flow as signup
from booking.signup.forms import ConsentForm, PaymentChoiceForm, SuitabilityForm
from booking.signup.state import SignupState, fingerprint, raw_values, tidy_values
from courses.models import CoursePage
from groepswijzer.clients import client_key
from home.languages import localized_page, originals, public

STEPS = [
    ("group", gettext_lazy("Groep")),
    ("participant", gettext_lazy("Uw gegevens")),
    ("suitability", gettext_lazy("Past de training bij u?")),
    ("consent", gettext_lazy("Toestemming")),
    ("payment", gettext_lazy("Eigen bijdrage")),
    ("done", gettext_lazy("Bevestiging")),
]
BACK = "back"
# The sender of `signals.places_held` from this journey.
hold_for_signup_sender = signup.hold_for_signup


def waitlist_url(course):
    return reverse("waitlist:join", kwargs={"course_id": course.pk})


def course_index_of(course):
    parent = course.get_parent()
    return parent.specific if parent else None


# --- helpers for the steps -----------------------------------------------------------------------


class Step:
    """The group, its course and the visitor's sign-up state, loaded once per request."""

    def __init__(self, request, group_id, name):
        self.request = request
        self.now = timezone.now()
        try:
            self.row = availability.group_row(group_id, self.now)
        except TrainingGroup.DoesNotExist:
            raise Http404 from None
        self.group = self.row.group
        self.course = self.group.course
        if not self.course.live:
            raise Http404
        self.state = SignupState(request, group_id)
        # The course's texts in the visitor's language where an editor translated the page; the group,
        # its places and its links stay with the (Dutch) course itself.
        self.content = localized_page(self.course)
        self.questions = list(self.content.suitability_questions.all())
        self.name = name

    @property
    def steps(self):
        return [(key, label) for key, label in STEPS if key != "suitability" or self.questions]

    def url(self, name):
        return reverse(f"signup:{name}", kwargs={"group_id": self.group.pk})

    def previous(self):
        names = [key for key, label in self.steps]
        return self.url(names[names.index(self.name) - 1])

    def next(self):
        names = [key for key, label in self.steps]
        return self.url(names[names.index(self.name) + 1])

    def refusal(self):
        return availability.refusal_for(self.row, self.now)

    def context(self, **extra):
        names = [key for key, label in self.steps]
        number = names.index(self.name) + 1 if self.name in names else 1
        return {
            "group": self.group,
            "course": self.course,
            "course_content": self.content,
            "row": self.row,
            "state": self.state,
            "amount": self.group.amount,
            "progress": progress(number, len(names), dict(self.steps).get(self.name, "")),
            "waitlist_url": waitlist_url(self.course),
            "course_index": course_index_of(self.course),
            **extra,
        }

    def render(self, template, **extra):
        return render(self.request, f"booking/signup/{template}.html", self.context(**extra))

    def person_form(self, data=None, **kwargs):
        return ParticipantsForm(data, course=self.course, now=self.now, **kwargs)

    def first_missing(self):
        """The first step before this one that is not done yet, or None."""
        if not self.state.person_ok:
            return "participant"
        if self.questions and not self.state.answers_ok:
            return "suitability"
        return None


def progress(number, total, label):
    """ "Stap 2 van 6", with `bar`: one True/False per step for the bar that shows the same."""
    return {"number": number, "total": total, "label": label, "bar": [step <= number for step in range(1, total + 1)]}


def _back_requested(request):
    return request.method == "POST" and request.POST.get("action") == BACK


def _unavailable(step, *, title, message, wanted=1, kept=True):
    """A refusal on the way, said kindly, with what else there is: other groups of the course, the waiting list."""
    return step.render(
        "unavailable",
        title=title,
        message=message,
        alternatives=availability.alternatives(step.course, wanted=wanted, exclude_group=step.group, now=step.now),
        kept=kept,
    )


# --- step 1: choose a group ----------------------------------------------------------------------


def choose_group(request, course_id):
    """All upcoming groups of one course, per location, with a way to sign up for each open one."""
    course = get_object_or_404(originals(public(CoursePage.objects.live())), pk=course_id)
    context = course.groups_context(request)
    total = len([key for key, label in STEPS if key != "suitability" or course.suitability_questions.exists()])
    context.update(
        course=course,
        # Only shown with a stop for the whole course: looked up then.
        course_index=SimpleLazyObject(lambda: course_index_of(course)),
        progress=progress(1, total, STEPS[0][1]),
    )
    return render(request, "booking/signup/choose_group.html", context)


def group(request, group_id):
    """Step 1 for one group: what the group is, and whether signing up is possible (else what is)."""
    step = Step(request, group_id, "group")
    postcode = _searched_postcode(request)
    if postcode is not None:
        SignupState.remember_postcode(request, postcode)
    refusal = step.refusal()
    alternatives = []
    if refusal is not None:
        area = geo.find_area(postcode or SignupState.remembered_postcode(request))
        alternatives = availability.alternatives(step.course, exclude_group=step.group, area=area, now=step.now)
    return step.render("group", refusal=refusal, alternatives=alternatives)


def _searched_postcode(request):
    """The postcode the course page or the finder passed along (`?postcode=`), or None."""
    try:
        return geo.parse_postcode(request.GET.get("postcode")) if request.GET.get("postcode") else None
    except ValidationError:
        return None


# --- step 2: participant -------------------------------------------------------------------------


def _initial_person(request, step):
    if step.state.person:
        return step.state.person
    data = dict(SignupState.recent_person(request))
    user = request.user
    if not data and user.is_authenticated:
        data = {"first_name": user.first_name, "last_name": user.last_name, "email": user.email}
    if not data.get("postcode"):
        # The postcode the person searched with on the finder or the course page.
        data["postcode"] = SignupState.remembered_postcode(request)
    return data


def participant(request, group_id):
    step = Step(request, group_id, "participant")
    state = step.state
    if state.confirmed:
        # The last sign-up for this group is done; this is a new one.
        state.reset()
    if step.refusal() is not None and not state.held:
        if request.method == "POST":
            state.set_person(raw_values(request.POST, step.person_form().fields), ok=False)
        return redirect(step.url("group"))

    if request.method == "POST":
        form = step.person_form(request.POST)
        valid = form.is_valid()
        state.set_person(tidy_values(form) if valid else raw_values(request.POST, form.fields), ok=valid)
        if _back_requested(request):
            return redirect(step.previous())
        if valid:
            return redirect(step.next())
    else:
        errors = state.pop_errors()
        if errors and state.person:
            form = step.person_form(state.person)
            form.is_valid()
            for name, messages in errors.items():
                for message in messages:
                    form.add_error(name if name in form.fields else None, message)
        elif state.person_ok:
            form = step.person_form(state.person)
        else:
            form = step.person_form(initial=_initial_person(request, step))
    return step.render("participant", form=form, partner_prefix=PARTNER_PREFIX)


# --- step 3: suitability -------------------------------------------------------------------------


def suitability(request, group_id):
    step = Step(request, group_id, "suitability")
    state = step.state
    if state.confirmed:
        return redirect(step.url("done"))
    if not step.questions:
        return redirect(step.url("consent"))
    if not state.person_ok:
        return redirect(step.url("participant"))
    if step.refusal() is not None and not state.held:
        return redirect(step.url("group"))

    if request.method == "POST":
        form = SuitabilityForm(request.POST, questions=step.questions)
        valid = form.is_valid()
        fits = valid and not form.not_fitting()
        state.set_answers(form.answers() if valid else raw_values(request.POST, form.fields), ok=fits)
        if _back_requested(request):
            return redirect(step.previous())
        if valid:
            return redirect(step.next() if fits else step.url("advice"))
    else:
        form = SuitabilityForm(initial=state.answers, questions=step.questions)
    return step.render("suitability", form=form)


def advice(request, group_id):
    """An answer that does not fit: kind advice and other ways on, never a dead end."""
    step = Step(request, group_id, "suitability")
    answers = step.state.answers
    given = {q.pk: answers.get(SuitabilityForm.field_name(q)) for q in step.questions}
    not_fitting = [q for q in step.questions if given[q.pk] and given[q.pk] != q.fitting_answer]
    for question in not_fitting:
        question.given_answer = dict(question.Answer.choices)[given[question.pk]]
    if not not_fitting:
        return redirect(step.url("suitability"))
    return step.render("advice", not_fitting=not_fitting)


# --- step 4: consent, and the hold ---------------------------------------------------------------


def _participants_from_state(request, step):
    """The participants of step 2 as `hold_places` takes them, or None when step 2 is not (or no longer) valid."""
    form = step.person_form(step.state.person)
    if not form.is_valid():
        return None
    user = request.user if request.user.is_authenticated else None
    return form.participants(user=user)


def _held_enrollments(step):
    return list(Enrollment.objects.filter(pk__in=step.state.held_ids).select_related("participant").order_by("pk"))


def _already_enrolled_errors(step, error):
    message = _(
        "Met dit e-mailadres is al iemand aangemeld voor deze groep. Heeft u zich eerder aangemeld? "
        "Dan staat de bevestiging in uw e-mail. Meldt u iemand anders aan? Vul dan het eigen e-mailadres "
        "van die persoon in."
    )
    return {_email_field(step, error.email): [message]}


def _email_field(step, email):
    """The form field that holds `email`: the partner's when it is theirs."""
    if step.state.person.get(PARTNER_PREFIX + "email", "").strip().lower() == (email or "").lower():
        return PARTNER_PREFIX + "email"
    return "email"


def consent(request, group_id):
    step = Step(request, group_id, "consent")
    state = step.state
    if state.confirmed:
        return redirect(step.url("done"))
    missing = step.first_missing()
    if missing:
        return redirect(step.url(missing))
    refusal = step.refusal()
    # A group that filled up while the form was open is said at the hold itself, with what else there is.
    if refusal is not None and not state.held and (request.method != "POST" or refusal.code != "full"):
        return redirect(step.url("group"))

    participants = _participants_from_state(request, step)
    if participants is None:
        return redirect(step.url("participant"))

    if request.method == "POST":
        form = ConsentForm(request.POST)
        if _back_requested(request):
            state.set_consent(request.POST.get("consent"))
            return redirect(step.previous())
        if form.is_valid():
            state.set_consent(True)
            return _hold(request, step, participants)
        state.set_consent(False)
    else:
        form = ConsentForm(initial={"consent": state.consent})
        state.next_party()  # chosen now, so that two submits of this form share it
    return step.render(
        "consent",
        form=form,
        participants=participants,
        consent_text=consent_text.TEXT,
        hold_minutes=int(places.hold_duration().total_seconds() // 60),
        held_until=timezone.localtime(state.hold_expires_at) if state.hold_is_live(step.now) else None,
    )


def _hold(request, step, participants):
    state = step.state
    digest = fingerprint(participants)
    replacing = None
    if state.held:
        if state.held.get("fingerprint") == digest and state.hold_is_live(step.now):
            enrollments = _held_enrollments(step)
            if enrollments and all(e.is_live_hold(step.now) for e in enrollments):
                return redirect(step.next())
        replacing = state.held.get("party")
    party = state.next_party()
    try:
        enrollments = signup.hold_for_signup(
            step.group,
            participants,
            consent_text_version=consent_text.VERSION,
            party=party,
            replacing=replacing,
            client=client_key(step.request),
        )
    except TooManyHolds as error:
        if error.email:
            state.set_errors({_email_field(step, error.email): [error.message]})
            return redirect(step.url("participant"))
        return _unavailable(step, title=_("Rond eerst uw andere aanmeldingen af"), message=error.message)
    except GroupFull as error:
        together = len(participants) > 1
        return _unavailable(
            step,
            title=_("Deze groep is net vol geraakt") if not together else _("Er is niet genoeg plaats voor u samen"),
            message=(
                _("Terwijl u het formulier invulde, heeft iemand anders de laatste plaats gekregen. Dat is jammer.")
                if error.places_left == 0
                else error.message
            ),
            wanted=len(participants),
        )
    except SignupClosed:
        return redirect(step.url("group"))
    except AlreadyEnrolled as error:
        own = signup.own_live_hold(step.group, party)
        if own:
            # The same form sent twice: the first submit already holds the places.
            state.set_held(own, fingerprint=digest)
            return redirect(step.next())
        state.set_errors(_already_enrolled_errors(step, error))
        return redirect(step.url("participant"))
    except ValidationError as error:
        if hasattr(error, "error_dict"):
            errors = {name: [m for e in errs for m in e.messages] for name, errs in error.error_dict.items()}
        else:
            errors = {"__all__": error.messages}
        state.set_errors(errors)
        return redirect(step.url("participant"))
    state.set_held(enrollments, fingerprint=digest)
    signals.places_held.send(sender=hold_for_signup_sender, request=request, enrollments=enrollments)
    return redirect(step.next())


# --- step 5: own contribution ---------------------------------------------------------------------


def _providers(step):
    if not step.group.amount:
        # Nothing to pay: the offline way only confirms, which is all that is needed.
        return [get_provider("offline")]
    return providers_for(step.course)


def payment(request, group_id):
    step = Step(request, group_id, "payment")
    state = step.state
    if not state.held:
        return redirect(step.url(step.first_missing() or "consent"))
    enrollments = _held_enrollments(step)
    statuses = {enrollment.status for enrollment in enrollments}
    if enrollments and statuses == {Enrollment.Status.CONFIRMED}:
        state.mark_confirmed()
        return redirect(step.url("done"))
    if not enrollments or statuses & {Enrollment.Status.CANCELLED, Enrollment.Status.COMPLETED}:
        state.forget_hold()
        return redirect(step.url("consent"))

    providers = _providers(step)
    if request.method == "POST":
        if _back_requested(request):
            return redirect(step.previous())
        form = PaymentChoiceForm(request.POST, providers=providers)
        if form.is_valid():
            provider = get_provider(form.cleaned_data["provider"])
            state.set_provider(provider.name)
            try:
                return provider.start(request, enrollments)
            except BookingError as error:
                state.forget_hold()
                return _unavailable(
                    step,
                    title=_("Uw plaats kon niet worden vastgelegd"),
                    message=error.message,
                    wanted=len(enrollments),
                )
    else:
        form = PaymentChoiceForm(providers=providers)
    hold_until = timezone.localtime(min(e.hold_expires_at or state.hold_expires_at for e in enrollments))
    return step.render(
        "payment",
        form=form,
        providers=providers,
        enrollments=enrollments,
        hold_until=hold_until,
        hold_expired=hold_until <= step.now,
        total=step.group.amount * len(enrollments) if step.group.amount else 0,
    )


# --- step 6: confirmation ------------------------------------------------------------------------


def done(request, group_id):
    step = Step(request, group_id, "done")
    state = step.state
    enrollments = _held_enrollments(step) if state.held else []
    if not enrollments or any(e.status != Enrollment.Status.CONFIRMED for e in enrollments):
        return redirect(step.url("payment") if state.held else step.url("group"))
    state.mark_confirmed()
    try:
        payment_note = get_provider(state.provider).confirmation_note if state.provider else ""
    except LookupError:
        payment_note = ""
    for enrollment in enrollments:
        enrollment.calendar_url = reverse(
            "selfservice:calendar", kwargs={"token": links.make_token("enrollment", enrollment.pk)}
        )
    sent_to = _(" en ").join(enrollment.participant.email for enrollment in enrollments)
    transfer = transfers.instructions_for_enrollment(enrollments[0]) if state.provider == "transfer" else None
    return step.render("done", enrollments=enrollments, payment_note=payment_note, sent_to=sent_to, transfer=transfer)
