"""Why a booking was refused. Each carries a Dutch message fit to show to the person it concerns.

Bad input (a wrong postcode, a missing name) is a ValidationError, shown at the
field. These exceptions are for refusals of the rules themselves: the group is
full, the person is already in it, signing up is closed.
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
