"""manage.py demo_totp EMAIL: the current two-step login code of a demo account."""

from allauth.mfa.models import Authenticator
from allauth.mfa.utils import decrypt
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from home.demo import refuse_unless_demo_allowed
from home.demo.users import DEMO_TOTP_SECRET, current_totp_code


class Command(BaseCommand):
    help = "Toont de huidige 6-cijferige code voor de tweestapsinlog van een demo-account."

    def add_arguments(self, parser):
        parser.add_argument(
            "email", help="Het e-mailadres van het demo-account, bijvoorbeeld coordinator@groepswijzer.example."
        )

    def handle(self, *args, email, **options):
        refuse_unless_demo_allowed()
        user = get_user_model().objects.filter(email__iexact=email.strip()).first()
        if user is None:
            raise CommandError(f"Geen account met e-mailadres {email}. / No account with this email address.")
        authenticator = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()
        if authenticator is None:
            raise CommandError(f"{user.email} heeft geen tweestapsinlog. / This account has no two-step login.")
        # Only the public demo secret: this command must never reveal a code of a real account.
        if decrypt(authenticator.data["secret"]) != DEMO_TOTP_SECRET:
            raise CommandError(
                f"{user.email} is geen demo-account: gebruik uw authenticator-app. / Not a demo account: use your app."
            )
        code, seconds_left = current_totp_code(DEMO_TOTP_SECRET)
        self.stdout.write(code)
        self.stderr.write(
            f"Nog {seconds_left} seconden geldig; elke code werkt maar één keer. / Valid for {seconds_left} s, once."
        )
