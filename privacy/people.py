"""Who someone is in the database: their participant rows, user accounts and email address.

A person is found by their email address. Rows of identifying models (the
participant, the user account, allauth's email addresses) that hold the
address are theirs, and so is whatever those rows tie to: a participant
signed up while logged in links to the account, and the account's other
sign-ups are theirs too. Other models never widen the circle: a couple's
shared payment does not make one partner the other.
"""

from dataclasses import dataclass, field

from django.db.models import Q

from . import registry

# Two rounds reach every participant and account of one person; one more shows that nothing changes.
MAX_ROUNDS = 4


@dataclass(frozen=True)
class Person:
    email: str = ""
    participant_ids: frozenset = field(default_factory=frozenset)
    account_ids: frozenset = field(default_factory=frozenset)

    def __bool__(self):
        return bool(self.participant_ids or self.account_ids)

    @classmethod
    def participants(cls, ids):
        """Only these participant rows (the retention run): no address, no accounts."""
        return cls(participant_ids=frozenset(ids))


def normalise(email):
    return (email or "").strip().lower()


def tie_filter(entry, person, kinds=(registry.PARTICIPANT, registry.ACCOUNT, registry.ADDRESS)):
    """A filter for the rows of `entry`'s model that are `person`'s, through the ties of `kinds`; None if none."""
    condition = Q()
    for tie in entry.ties_of(*kinds):
        if tie.kind == registry.PARTICIPANT and person.participant_ids:
            condition |= Q(**{f"{tie.lookup()}__in": sorted(person.participant_ids)})
        elif tie.kind == registry.ACCOUNT and person.account_ids:
            condition |= Q(**{f"{tie.lookup()}__in": sorted(person.account_ids)})
        elif tie.kind == registry.ADDRESS and person.email:
            condition |= Q(**{f"{tie.path}__iexact": person.email})
    if registry.ADDRESS in kinds and person.email:
        for name in entry.address_fields():
            condition |= Q(**{f"{name}__iexact": person.email})
    return condition or None


def rows_of(entry, person, kinds=(registry.PARTICIPANT, registry.ACCOUNT, registry.ADDRESS)):
    """The rows of `entry`'s model that belong to `person` (each once, also through many-to-many ties)."""
    model = entry.model
    condition = tie_filter(entry, person, kinds)
    if condition is None:
        return model._default_manager.none()
    return model._default_manager.filter(pk__in=model._default_manager.filter(condition).values("pk"))


def _ids(entry, rows, kind):
    found = set()
    for tie in entry.ties_of(kind):
        found.update(value for value in rows.values_list(tie.lookup(), flat=True) if value is not None)
    return found


def find_person(email):
    """Everyone's rows that make up the person with this address (see the module docstring)."""
    email = normalise(email)
    if not email:
        return Person()
    person = Person(email=email)
    identifying = [entry for entry in registry.entries() if entry.identifies]
    for _round in range(MAX_ROUNDS):
        participant_ids, account_ids = set(person.participant_ids), set(person.account_ids)
        for entry in identifying:
            rows = rows_of(entry, person)
            participant_ids |= _ids(entry, rows, registry.PARTICIPANT)
            account_ids |= _ids(entry, rows, registry.ACCOUNT)
        if participant_ids == person.participant_ids and account_ids == person.account_ids:
            break
        person = Person(email=email, participant_ids=frozenset(participant_ids), account_ids=frozenset(account_ids))
    return person


def person_of_participant(participant_id, email):
    """The person behind one participant row: everyone with its address, and that row even if its address changed."""
    person = find_person(email)
    return Person(
        email=person.email,
        participant_ids=person.participant_ids | {participant_id},
        account_ids=person.account_ids,
    )
