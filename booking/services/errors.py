"""Why a booking was refused. Each carries a Dutch message fit to show to the person it concerns.

Bad input (a wrong postcode, a missing name) is a ValidationError, shown at the
field. These exceptions are for refusals of the rules themselves: the group is
full, the person is already in it, signing up is closed, an offer was answered,
a payment action is not allowed.
"""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy


class BookingError(Exception):
    """Base class: `message` for people (Dutch, B1), `code` for code."""

    code = "refused"
    default_message = _("Dit lukt nu niet. Probeer het later nog eens.")

    def __init__(self, message=None):
        self.message = message if message is not None else self.default_message
        super().__init__(str(self.message))

    def __str__(self):
        return str(self.message)


class GroupFull(BookingError):
    """Not enough places left for everyone in the sign-up."""

    code = "group_full"
    default_message = _("Deze groep is vol.")

    def __init__(self, places_left=0, wanted=1):
        self.places_left = places_left
        self.wanted = wanted
        if places_left > 0:
            message = ngettext_lazy(
                "Er is nog %(count)d plaats vrij in deze groep. Samen aanmelden kan daarom niet.",
                "Er zijn nog %(count)d plaatsen vrij in deze groep. Samen aanmelden kan daarom niet.",
                "count",
            ) % {"count": places_left}
        else:
            message = None
        super().__init__(message)


class AlreadyEnrolled(BookingError):
    """Someone with this email address already has a place (or a hold) in the group."""

    code = "already_enrolled"

    def __init__(self, email):
        self.email = email
        super().__init__(_("Er is al een aanmelding voor deze groep met het e-mailadres %(email)s.") % {"email": email})


class SignupClosed(BookingError):
    """Signing up is not possible (now): see `reason`, a SignupClosedReason."""

    code = "signup_closed"

    def __init__(self, reason):
        self.reason = reason
        super().__init__(reason.label)


class HoldExpired(BookingError):
    """A hold ran out before it was confirmed, and its place has gone to someone else."""

    code = "hold_expired"
    default_message = _("Uw reservering is verlopen en de plaats is intussen aan iemand anders gegeven.")


class EnrollmentNotActive(BookingError):
    """The enrollment was already cancelled or completed, so this step is not possible any more."""

    code = "not_active"
    default_message = _("Deze aanmelding is al geannuleerd of afgerond. Daarom kan dit niet meer.")


class AlreadyOnWaitlist(BookingError):
    """This email address already has a place on this course's list. Said without naming the address."""

    code = "already_on_waitlist"
    default_message = _(
        "Met dit e-mailadres staat al iemand op de wachtlijst voor deze training. "
        "In de e-mail die u toen kreeg, staat een link naar uw plaats op de wachtlijst. "
        "We hebben die link nog een keer gestuurd."
    )


class NotOnWaitlist(BookingError):
    """The person is no longer on the list (left, removed or placed), so this step is not possible."""

    code = "not_on_waitlist"
    default_message = _("U staat niet meer op de wachtlijst. Daarom kan dit niet meer.")


class OfferAnswered(BookingError):
    """The offer was already accepted or turned down."""

    code = "offer_answered"
    default_message = _("U heeft dit aanbod al beantwoord.")


class OfferExpired(BookingError):
    """The offer's time ran out; the place went to the next person."""

    code = "offer_expired"
    default_message = _(
        "Dit aanbod is verlopen. De plaats is aan de volgende persoon op de wachtlijst aangeboden. "
        "U staat nog op de wachtlijst en houdt uw plaats op de lijst."
    )


class PaymentRefused(BookingError):
    """A payment action that the rules do not allow; the message says why, in Dutch."""

    code = "payment_refused"


class ProviderUnavailable(BookingError):
    """The payment provider could not be reached or answered with an error. Nothing was lost; try again."""

    code = "provider_unavailable"
    default_message = _(
        "Online betalen lukt op dit moment niet. Dat ligt niet aan u. "
        "Probeer het over een paar minuten opnieuw, of kies een andere manier van betalen."
    )
