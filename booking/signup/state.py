"""What someone typed during the sign-up steps, kept in their session (server side), per group.

Nothing of it reaches the database before the consent step holds the places.
Each step stores what was typed, also when it was wrong or when the person
went back, so every step shows it again. After the hold, the state also
knows which enrollments were held.
"""

import hashlib
import json
import uuid

from django.utils import timezone
from django.utils.dateparse import parse_datetime

SESSION_KEY = "signup"
# The last person typed in, whatever the group: a new attempt (another group
# of the course, after the first was full) starts with it.
RECENT_KEY = "signup_recent"
# The postcode someone searched with on the finder or the course page, to fill in at the details step.
POSTCODE_KEY = "signup_postcode"
MAX_VALUE_LENGTH = 300
MAX_GROUPS = 10


def raw_values(data, names):
    """What was typed into the fields `names`, as short strings (a checkbox that is not ticked: "")."""
    return {name: str(data.get(name, ""))[:MAX_VALUE_LENGTH] for name in names}


def tidy_values(form):
    """A valid form's cleaned values as strings, so the step shows them tidied (06-12345678, 5611 AB)."""
    values = {}
    for name in form.fields:
        value = form.cleaned_data.get(name)
        if value is True:
            values[name] = "on"
        elif value in (None, False):
            values[name] = ""
        else:
            values[name] = str(value)
    return values


def fingerprint(participants):
    """A short digest of the participants' data, to see whether a hold was made for exactly this data."""
    rows = [{key: value for key, value in row.items() if key != "user"} for row in participants]
    return hashlib.sha256(json.dumps(rows, sort_keys=True, default=str).encode()).hexdigest()[:32]


class SignupState:
    """One person's progress through the sign-up for one group."""

    def __init__(self, request, group_id):
        self.session = request.session
        self.key = str(group_id)
        self.data = dict(self.session.get(SESSION_KEY, {}).get(self.key, {}))

    def save(self):
        store = dict(self.session.get(SESSION_KEY, {}))
        store.pop(self.key, None)
        # The newest last, so an old forgotten sign-up is dropped first.
        store[self.key] = self.data
        while len(store) > MAX_GROUPS:
            store.pop(next(iter(store)))
        self.session[SESSION_KEY] = store

    def reset(self):
        self.data = {}
        self.save()

    # --- step 2 ---------------------------------------------------------------------------------

    @property
    def person(self):
        return self.data.get("person") or {}

    @property
    def person_ok(self):
        return bool(self.data.get("person_ok"))

    def set_person(self, values, *, ok):
        self.data["person"] = values
        self.data["person_ok"] = ok
        self.session[RECENT_KEY] = values
        self.save()

    @staticmethod
    def recent_person(request):
        return request.session.get(RECENT_KEY) or {}

    @staticmethod
    def remember_postcode(request, postcode):
        """Keep the postcode the person searched with (a geo.Postcode), for the details step."""
        if request.session.get(POSTCODE_KEY) != str(postcode):
            request.session[POSTCODE_KEY] = str(postcode)

    @staticmethod
    def remembered_postcode(request):
        return request.session.get(POSTCODE_KEY, "")

    def set_errors(self, errors):
        """Refusals found later (at the hold) that belong at a field of step 2: {field: [message]}."""
        self.data["errors"] = {name: [str(message) for message in messages] for name, messages in errors.items()}
        self.data["person_ok"] = False
        self.save()

    def pop_errors(self):
        errors = self.data.pop("errors", None) or {}
        if errors:
            self.save()
        return errors

    # --- step 3 ---------------------------------------------------------------------------------

    @property
    def answers(self):
        return self.data.get("answers") or {}

    @property
    def answers_ok(self):
        return bool(self.data.get("answers_ok"))

    def set_answers(self, answers, *, ok):
        self.data["answers"] = answers
        self.data["answers_ok"] = ok
        self.save()

    # --- step 4 ---------------------------------------------------------------------------------

    @property
    def consent(self):
        return bool(self.data.get("consent"))

    def set_consent(self, given):
        self.data["consent"] = bool(given)
        self.save()

    # --- after the hold -------------------------------------------------------------------------

    @property
    def held(self):
        """{"party", "ids", "expires", "fingerprint"} of the places held for this sign-up, or None."""
        return self.data.get("held")

    @property
    def held_ids(self):
        return list((self.held or {}).get("ids") or [])

    @property
    def hold_expires_at(self):
        held = self.held
        return parse_datetime(held["expires"]) if held else None

    def next_party(self):
        """The party UUID (as text) the next hold of this sign-up will use; chosen once, before the hold."""
        if not self.data.get("next_party"):
            self.data["next_party"] = str(uuid.uuid4())
            self.save()
        return self.data["next_party"]

    def set_held(self, enrollments, *, fingerprint):
        self.data["held"] = {
            "party": str(enrollments[0].party),
            "ids": [enrollment.pk for enrollment in enrollments],
            "expires": enrollments[0].hold_expires_at.isoformat(),
            "fingerprint": fingerprint,
        }
        self.data.pop("next_party", None)
        self.data["confirmed"] = False
        self.save()

    def forget_hold(self):
        self.data.pop("held", None)
        self.data["confirmed"] = False
        self.save()

    def hold_is_live(self, now=None):
        expires = self.hold_expires_at
        return expires is not None and expires > (now or timezone.now())

    @property
    def provider(self):
        """The name of the payment provider chosen at the payment step."""
        return self.data.get("provider") or ""

    def set_provider(self, name):
        self.data["provider"] = name
        self.save()

    @property
    def confirmed(self):
        return bool(self.data.get("confirmed"))

    def mark_confirmed(self):
        if not self.confirmed:
            self.data["confirmed"] = True
            self.save()
