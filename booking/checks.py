"""System checks for booking's settings: a bank account given in the environment must be a real IBAN."""

from django.conf import settings
from django.core.checks import Error, register
from django.core.exceptions import ValidationError

from home.organisation import parse_iban


@register()
def bank_account_check(app_configs, **kwargs):
    """GROEPSWIJZER_IBAN, when set, is a valid IBAN with GROEPSWIJZER_ACCOUNT_HOLDER beside it."""
    iban = getattr(settings, "GROEPSWIJZER_IBAN", "")
    if not iban:
        return []
    errors = []
    try:
        parse_iban(iban)
    except ValidationError as error:
        errors.append(
            Error(
                f"GROEPSWIJZER_IBAN is not a valid IBAN: {' '.join(error.messages)}",
                hint="Correct the IBAN in the environment, or leave it empty and set it in the site settings.",
                id="booking.E001",
            )
        )
    if not getattr(settings, "GROEPSWIJZER_ACCOUNT_HOLDER", "").strip():
        errors.append(
            Error(
                "GROEPSWIJZER_IBAN is set without GROEPSWIJZER_ACCOUNT_HOLDER.",
                hint="Set the name the account is in, as the bank knows it.",
                id="booking.E002",
            )
        )
    return errors
