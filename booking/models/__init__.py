"""Booking models, one module per part of the domain; import them from here."""

from .attendance import AccessLogEntry, Attendance, OutgoingEmail
from .enrollments import Enrollment, Participant, takes_a_place
from .groups import Session, SignupClosedReason, TrainingGroup
from .locations import Location
from .payments import Payment, PaymentEvent, Refund
from .waitlist import Offer, PartOfDay, RegistrationStop, WaitlistEntry, WaitlistMove

__all__ = [
    "AccessLogEntry",
    "Attendance",
    "Enrollment",
    "Location",
    "Offer",
    "OutgoingEmail",
    "Participant",
    "PartOfDay",
    "Payment",
    "PaymentEvent",
    "Refund",
    "RegistrationStop",
    "Session",
    "SignupClosedReason",
    "TrainingGroup",
    "WaitlistEntry",
    "WaitlistMove",
    "takes_a_place",
]
