"""Email builders, one module per area; importing this package registers them all."""

from . import payments, selfservice, signup, staff, waitlist  # noqa: F401
