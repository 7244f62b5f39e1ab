"""Booking models, one module per part of the domain; import them from here."""

from booking.models.enrollments import ConsentChannel, Enrollment, EnrollmentMove, Participant, takes_a_place

from .access_log import AccessLogEntry, AccessLogPurge, AppendOnlyError
from .attendance import Attendance
from .emails import OutgoingEmail
from .exports import ExportFile
from .groups import (
    WEEKS_BETWEEN,
    CancelCause,
    Frequency,
    Session,
    SignupClosedReason,
    TrainingGroup,
    signup_closed_reason,
)
from .locations import Location
from .payments import PAY_LATER, Payment, PaymentEvent, Refund
from .periodic import PeriodicMark
from .stops import RegistrationStop
from .waitlist import Offer, PartOfDay, WaitlistEntry, WaitlistMove

__all__ = [
    "PAY_LATER",
    "WEEKS_BETWEEN",
    "AccessLogEntry",
    "AccessLogPurge",
    "AppendOnlyError",
    "Attendance",
    "CancelCause",
    "ConsentChannel",
    "Enrollment",
    "EnrollmentMove",
    "ExportFile",
    "Frequency",
    "Location",
    "Offer",
    "OutgoingEmail",
    "Participant",
    "PartOfDay",
    "Payment",
    "PaymentEvent",
    "PeriodicMark",
    "Refund",
    "RegistrationStop",
    "Session",
    "SignupClosedReason",
    "signup_closed_reason",
    "TrainingGroup",
    "WaitlistEntry",
    "WaitlistMove",
    "takes_a_place",
]
