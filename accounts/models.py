from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.utils.translation import gettext_lazy as _

from groepswijzer.languages import language_field


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)


class User(AbstractUser):
    """A person who logs in with their email address; no separate username."""

    username = None
    email = models.EmailField(_("e-mailadres"), unique=True)
    language = language_field()

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = []

    objects = UserManager()

    class Meta:
        verbose_name = _("gebruiker")
        verbose_name_plural = _("gebruikers")
        ordering = ["email"]

    def __str__(self):
        return self.get_full_name() or self.email


class ProfessionalProfile(models.Model):
    """What a professional tells us when asking for access to professional content."""

    class Role(models.TextChoices):
        POH_GGZ = "poh_ggz", _("POH-GGZ")
        GP = "gp", _("Huisarts")
        PSYCHOLOGIST = "psychologist", _("Psycholoog")
        OTHER = "other", _("Anders")

    class Status(models.TextChoices):
        PENDING = "pending", _("Wacht op controle")
        VERIFIED = "verified", _("Geverifieerd")
        REJECTED = "rejected", _("Afgewezen")

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="professional_profile")
    organisation = models.CharField(_("organisatie"), max_length=200)
    role = models.CharField(_("functie"), max_length=20, choices=Role.choices)
    practice = models.CharField(_("praktijk"), max_length=200)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    requested_at = models.DateTimeField(_("aangevraagd op"), auto_now_add=True)
    decided_at = models.DateTimeField(_("beoordeeld op"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("beoordeeld door"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    note = models.CharField(_("notitie"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("professional")
        verbose_name_plural = _("professionals")
        ordering = ["status", "-requested_at"]

    def __str__(self):
        return f"{self.user} ({self.get_role_display()}, {self.organisation})"
