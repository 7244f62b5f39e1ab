from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.search import index

from booking import geo


class Location(index.Indexed, models.Model):
    """A place where groups meet: a health centre, GP practice, community building, or online."""

    class Kind(models.TextChoices):
        HEALTH_CENTRE = "gezondheidscentrum", _("Gezondheidscentrum")
        GP_PRACTICE = "huisartsenpraktijk", _("Huisartsenpraktijk")
        COMMUNITY = "wijkgebouw", _("Wijkgebouw")
        ONLINE = "online", _("Online")

    name = models.CharField(_("naam"), max_length=200)
    kind = models.CharField(_("soort locatie"), max_length=20, choices=Kind.choices)
    address = models.CharField(_("adres"), max_length=200, blank=True, help_text=_("Straat en huisnummer."))
    postcode = models.CharField(
        _("postcode"), max_length=7, blank=True, help_text=_("Bijvoorbeeld 5611 AB. Niet nodig voor online.")
    )
    # The town ("plaats"); the column keeps its first name.
    town = models.CharField(_("plaats"), max_length=100, blank=True, db_column="place")
    accessibility_notes = models.TextField(
        _("toegankelijkheid"),
        blank=True,
        help_text=_("Bijvoorbeeld: lift aanwezig, invalidenparkeerplaats, bereikbaar met bus 6."),
    )
    latitude = models.FloatField(
        _("breedtegraad"), null=True, blank=True, help_text=_("Leeg laten: dan volgt dit uit de postcode.")
    )
    longitude = models.FloatField(
        _("lengtegraad"), null=True, blank=True, help_text=_("Leeg laten: dan volgt dit uit de postcode.")
    )

    panels = [
        FieldRowPanel([FieldPanel("name"), FieldPanel("kind")]),
        MultiFieldPanel(
            [FieldPanel("address"), FieldRowPanel([FieldPanel("postcode"), FieldPanel("town")])],
            heading=_("Adres"),
        ),
        FieldPanel("accessibility_notes"),
        MultiFieldPanel(
            [FieldRowPanel([FieldPanel("latitude"), FieldPanel("longitude")])],
            heading=_("Coördinaten"),
        ),
    ]

    search_fields = [
        index.SearchField("name"),
        index.SearchField("town"),
        index.AutocompleteField("name"),
        index.FilterField("kind"),
    ]

    class Meta:
        verbose_name = _("locatie")
        verbose_name_plural = _("locaties")
        ordering = ["town", "name"]

    def __str__(self):
        return f"{self.name}, {self.town}" if self.town else self.name

    @property
    def is_online(self):
        return self.kind == self.Kind.ONLINE

    @property
    def has_coordinates(self):
        return self.latitude is not None and self.longitude is not None

    def clean(self):
        errors = {}
        if self.is_online:
            if self.postcode:
                try:
                    self.postcode = str(geo.parse_postcode(self.postcode))
                except ValidationError as error:
                    errors["postcode"] = error.messages
        else:
            if not self.address:
                errors["address"] = [_("Vul het adres in.")]
            if not self.town:
                errors["town"] = [_("Vul de plaats in.")]
            try:
                postcode = geo.parse_postcode(self.postcode)
            except ValidationError as error:
                errors["postcode"] = error.messages
            else:
                if not postcode.letters:
                    errors["postcode"] = [_("Vul de volledige postcode in, met de 2 letters.")]
                else:
                    self.postcode = str(postcode)
                    if (self.latitude is None) != (self.longitude is None):
                        errors["latitude"] = [_("Vul beide coördinaten in, of laat beide leeg.")]
                    elif self.latitude is None:
                        found = geo.find_area(postcode)
                        if found is None:
                            errors["postcode"] = [
                                _(
                                    "Deze postcode kennen we niet, dus we kunnen de plek niet bepalen. "
                                    "Vul de coördinaten zelf in."
                                )
                            ]
                        else:
                            self.latitude, self.longitude = found.latitude, found.longitude
        if errors:
            raise ValidationError(errors)

    def distance_to(self, area):
        """Kilometres from a geo.PostcodeArea, or None for online or unplaced locations."""
        if self.is_online or not self.has_coordinates or area is None:
            return None
        return geo.distance_km(area.latitude, area.longitude, self.latitude, self.longitude)
