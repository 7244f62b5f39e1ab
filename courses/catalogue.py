"""What trainings are made of: themes, trainers, audiences and ways of delivery (the catalogue's vocabulary)."""

from django.db import models
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel


class Audience(models.TextChoices):
    ADULTS = "adults", _("Volwassenen (18+)")
    YOUNG_ADULTS = "young_adults", _("Jongvolwassenen (18 tot 27 jaar)")
    SENIORS = "seniors", _("Ouderen (65+)")

    @classmethod
    def fitting(cls, age):
        """The audiences a person of `age` belongs to (a course for all adults fits everyone of 18 and older)."""
        return [
            audience for audience, (low, high) in AGE_RANGES.items() if low <= age and (high is None or age <= high)
        ]


# The ages each audience is for: (youngest, oldest or None).
AGE_RANGES = {Audience.ADULTS: (18, None), Audience.YOUNG_ADULTS: (18, 27), Audience.SENIORS: (65, None)}


class Delivery(models.TextChoices):
    IN_PERSON = "in_person", _("Op locatie")
    ONLINE = "online", _("Online")
    BLENDED = "blended", _("Op locatie en online (blended)")


class Theme(models.Model):
    """What a training is about: stress, mood, communication, resilience…"""

    name = models.CharField(_("naam"), max_length=80, unique=True)
    slug = models.SlugField(_("slug"), max_length=80, unique=True, blank=True)
    description = models.CharField(_("omschrijving"), max_length=200, blank=True)

    panels = [FieldPanel("name"), FieldPanel("slug"), FieldPanel("description")]

    class Meta:
        verbose_name = _("thema")
        verbose_name_plural = _("thema's")
        ordering = ["name"]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = slugify(self.name)
        super().save(*args, **kwargs)


class Trainer(models.Model):
    """A person who leads groups. Shown on course pages by name and profession only."""

    name = models.CharField(_("naam"), max_length=150)
    profession = models.CharField(_("beroep"), max_length=150, help_text=_("Bijvoorbeeld: psychosociaal therapeut."))
    bio = models.TextField(_("korte introductie"), max_length=600, blank=True)
    photo = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("foto"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    user = models.OneToOneField(
        "accounts.User",
        verbose_name=_("account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="trainer",
        help_text=_("Het account waarmee deze trainer inlogt om de eigen groepen te zien."),
    )

    panels = [FieldPanel("name"), FieldPanel("profession"), FieldPanel("bio"), FieldPanel("photo"), FieldPanel("user")]

    class Meta:
        verbose_name = _("trainer")
        verbose_name_plural = _("trainers")
        ordering = ["name"]

    def __str__(self):
        return self.name
