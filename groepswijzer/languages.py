"""The language a person uses the site in, kept with what they sign up for so their emails follow it."""

from django.conf import settings
from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy as _


def current_language():
    """The language of the page the person is on (the site's language outside a request)."""
    code = translation.get_language()
    try:
        return translation.get_supported_language_variant(code) if code else settings.LANGUAGE_CODE
    except LookupError:
        return settings.LANGUAGE_CODE


def language_field():
    """A model field for the language someone signed up in: emails to them are written in it."""
    return models.CharField(
        _("taal"),
        max_length=10,
        choices=settings.LANGUAGES,
        default=current_language,
        help_text=_("De taal van de site bij het aanmelden; e-mails gaan in deze taal."),
    )
