"""Demo accounts: one per role, a participant and a professional who still waits for verification.

The password and the two-step login secret are fixed and public, so that a
second run changes nothing and a developer can log in without an authenticator
app. That is also why demo data may never be loaded on a real site.
"""

import time
from dataclasses import dataclass, field

from allauth.account.models import EmailAddress
from allauth.mfa import app_settings
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, hotp_value
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group

from accounts import roles, services
from accounts.models import ProfessionalProfile

DEMO_PASSWORD = "groepswijzer-demo"
# Base32, 20 bytes; the same for every demo account that has two-step login.
DEMO_TOTP_SECRET = "GROEPSWIJZERDEMOTOTPDEVONLY23456"


@dataclass(frozen=True)
class DemoAccount:
    email: str
    first_name: str
    last_name: str
    role: str  # shown in the summary
    groups: tuple = ()
    is_staff: bool = False
    totp: bool = False
    # ProfessionalProfile fields, for the two professionals
    profile: dict = field(default_factory=dict)
    verified: bool = False


COORDINATOR = DemoAccount(
    email="coordinator@groepswijzer.example",
    first_name="Ilse",
    last_name="Verhoeven",
    role="coördinator / coordinator",
    groups=(roles.COORDINATORS,),
    is_staff=True,
    totp=True,
)
EDITOR = DemoAccount(
    email="redacteur@groepswijzer.example",
    first_name="Bram",
    last_name="Hendriks",
    role="redacteur / editor",
    groups=(roles.EDITORS,),
    is_staff=True,
    totp=True,
)
TRAINER = DemoAccount(
    email="trainer@groepswijzer.example",
    first_name="Marieke",
    last_name="van den Heuvel",
    role="trainer",
    groups=(roles.TRAINERS,),
    totp=True,
)
PROFESSIONAL = DemoAccount(
    email="professional@groepswijzer.example",
    first_name="Daan",
    last_name="Kuijpers",
    role="professional, geverifieerd / verified",
    profile={
        "organisation": "Zorggroep De Kempen",
        "role": ProfessionalProfile.Role.POH_GGZ,
        "practice": "Huisartsenpraktijk Het Kwadrant, Best",
    },
    verified=True,
)
NEW_PROFESSIONAL = DemoAccount(
    email="professional-nieuw@groepswijzer.example",
    first_name="Lotte",
    last_name="Janssen",
    role="professional, wacht op controle / pending",
    profile={
        "organisation": "Huisartsenpraktijk De Molenwiek",
        "role": ProfessionalProfile.Role.GP,
        "practice": "Huisartsenpraktijk De Molenwiek, Geldrop",
    },
)
PARTICIPANT = DemoAccount(
    email="deelnemer@groepswijzer.example",
    first_name="Noor",
    last_name="Smulders",
    role="deelnemer / participant",
)

DEMO_ACCOUNTS = (COORDINATOR, EDITOR, TRAINER, PROFESSIONAL, NEW_PROFESSIONAL, PARTICIPANT)


def ensure_demo_accounts(tally):
    """Create the demo accounts that are missing; existing accounts are left as they are.

    Returns the users by email. Group membership is added when missing, so a
    demo account always has its role, also after the groups were recreated.
    """
    User = get_user_model()
    # Hashing is slow on purpose; one hash serves every account that is created now.
    password_hash = None
    users = {}
    for account in DEMO_ACCOUNTS:
        user = User.objects.filter(email__iexact=account.email).first()
        if user is None:
            password_hash = password_hash or make_password(DEMO_PASSWORD)
            user = User.objects.create(
                email=account.email,
                first_name=account.first_name,
                last_name=account.last_name,
                is_staff=account.is_staff,
                password=password_hash,
            )
            tally.add("accounts")
        users[account.email] = user

        _address, created = EmailAddress.objects.get_or_create(
            user=user, email=user.email, defaults={"verified": True, "primary": True}
        )
        if created:
            tally.add("verified email addresses")
        missing = [name for name in account.groups if not user.groups.filter(name=name).exists()]
        if missing:
            user.groups.add(*Group.objects.filter(name__in=missing))
            tally.add("group memberships", len(missing))
        if account.totp and not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
            TOTP.activate(user, DEMO_TOTP_SECRET)
            tally.add("authenticators")

    coordinator = users[COORDINATOR.email]
    for account in (PROFESSIONAL, NEW_PROFESSIONAL):
        user = users[account.email]
        if not ProfessionalProfile.objects.filter(user=user).exists():
            profile = services.request_professional_access(user, **account.profile)
            if account.verified:
                services.verify_professional(profile, decided_by=coordinator, note="Demo: gecontroleerd.")
            tally.add("professional profiles")
    return users


def current_totp_code(secret, at=None):
    """The code an authenticator app shows now for ``secret``, and the seconds it stays valid."""
    now = time.time() if at is None else at
    period = app_settings.TOTP_PERIOD
    code = format_hotp_value(hotp_value(secret, int(now) // period))
    return code, period - int(now) % period
