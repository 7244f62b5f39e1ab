"""Booking models, one module per part of the domain; import them from here."""

from .enrollments import Enrollment, Participant, takes_a_place
from .groups import Session, SignupClosedReason, TrainingGroup
from .locations import Location

__all__ = [
    "Enrollment",
    "Location",
    "Participant",
    "Session",
    "SignupClosedReason",
    "TrainingGroup",
    "takes_a_place",
]
