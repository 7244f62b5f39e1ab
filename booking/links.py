"""Personal links in emails: signed, expiring, and usable without an account.

A link carries what it is for ("enrollment", "waitlist", "offer") and the id;
the signature makes it impossible to guess or change, the timestamp lets it
expire. Nothing is stored for it.
"""

import datetime

from django.conf import settings
from django.core import signing
from django.urls import reverse

SALT = "groepswijzer.personal-link.v1"


class InvalidLink(Exception):
    """The link was changed, or was made for something else."""


class ExpiredLink(InvalidLink):
    """The link was real but is too old."""


def max_age():
    return datetime.timedelta(days=getattr(settings, "GROEPSWIJZER_PERSONAL_LINK_DAYS", 400))


def make_token(purpose, pk):
    return signing.dumps([purpose, pk], salt=SALT, compress=True)


def read_token(token, purpose):
    """The id inside a token made for `purpose`; InvalidLink or ExpiredLink otherwise."""
    try:
        found_purpose, pk = signing.loads(token, salt=SALT, max_age=max_age())
    except signing.SignatureExpired as error:
        raise ExpiredLink() from error
    except (signing.BadSignature, ValueError, TypeError) as error:
        raise InvalidLink() from error
    if found_purpose != purpose:
        raise InvalidLink()
    return pk


def absolute(path):
    """A full URL for use in emails and calendar files."""
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + path


def personal_url(viewname, purpose, pk, **kwargs):
    return absolute(reverse(viewname, kwargs={"token": make_token(purpose, pk), **kwargs}))
