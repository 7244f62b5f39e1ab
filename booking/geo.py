"""Dutch postcodes and distances, without an external geocoder.

A postcode is reduced to its four digits (PC4) and looked up in the GeoNames
centroid file; distances are great-circle distances (as the crow flies).
"""

import csv
import math
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db.models import ExpressionWrapper, F, FloatField, Value
from django.db.models.functions import ASin, Cos, Radians, Sin, Sqrt
from django.utils.translation import gettext_lazy as _

DATA_FILE = Path(__file__).resolve().parent / "data" / "nl-pc4.csv"
EARTH_RADIUS_KM = 6371.0088
KM_PER_DEGREE_LATITUDE = math.pi * EARTH_RADIUS_KM / 180

# ASCII only: \d would also accept Arabic-Indic or fullwidth digits.
POSTCODE_RE = re.compile(r"^([1-9][0-9]{3})(?:\s?([A-Z]{2}))?$", re.ASCII)
# Letter pairs never handed out by PostNL.
UNUSED_LETTER_PAIRS = {"SA", "SD", "SS"}
MAX_POSTCODE_INPUT = 16


@dataclass(frozen=True)
class Postcode:
    digits: str
    letters: str = ""

    def __str__(self):
        return f"{self.digits} {self.letters}" if self.letters else self.digits


@dataclass(frozen=True)
class PostcodeArea:
    """A four-digit postcode area (PC4) and its centroid: where distances are measured from."""

    pc4: str
    name: str
    latitude: float
    longitude: float


def parse_postcode(value):
    """Turn what someone typed into a Postcode, or raise a Dutch ValidationError."""
    raw = (value or "").strip()
    if not raw:
        raise ValidationError(_("Vul een postcode in, bijvoorbeeld 5611 AB."), code="required")
    if len(raw) > MAX_POSTCODE_INPUT:
        raise ValidationError(
            _("Dit is te lang voor een postcode. Vul 4 cijfers in, met of zonder 2 letters, bijvoorbeeld 5611 AB."),
            code="too_long",
        )
    match = POSTCODE_RE.match(raw.upper())
    if not match:
        if re.match(r"^0[0-9]{3}", raw, re.ASCII):
            message = _("Een Nederlandse postcode begint niet met een 0. Controleer de postcode, bijvoorbeeld 5611 AB.")
        else:
            message = _(
                "Dit is geen geldige postcode. Vul 4 cijfers in, met of zonder 2 letters, bijvoorbeeld 5611 AB."
            )
        raise ValidationError(message, code="invalid")
    digits, letters = match.group(1), match.group(2) or ""
    if letters in UNUSED_LETTER_PAIRS:
        raise ValidationError(
            _("Deze postcode bestaat niet. Controleer de letters, bijvoorbeeld 5611 AB."), code="invalid"
        )
    return Postcode(digits, letters)


@lru_cache(maxsize=1)
def _areas():
    with DATA_FILE.open(newline="", encoding="utf-8") as handle:
        return {
            row["pc4"]: PostcodeArea(row["pc4"], row["place"], float(row["latitude"]), float(row["longitude"]))
            for row in csv.DictReader(handle)
        }


def find_area(postcode):
    """The centroid of a postcode's PC4 area, or None when the area is unknown."""
    digits = postcode.digits if isinstance(postcode, Postcode) else str(postcode)[:4]
    return _areas().get(digits)


def distance_km(lat1, lon1, lat2, lon2):
    """Great-circle distance between two points (haversine formula)."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi = phi2 - phi1
    dlambda = math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(a))


def bounding_box(area, km):
    """(south, north, west, east) in degrees around `area`: every point within `km` lies inside it.

    A cheap first filter in the database; the exact distance decides.
    """
    dlat = km / KM_PER_DEGREE_LATITUDE
    dlon = km / (KM_PER_DEGREE_LATITUDE * max(math.cos(math.radians(area.latitude)), 0.01))
    return area.latitude - dlat, area.latitude + dlat, area.longitude - dlon, area.longitude + dlon


def distance_expression(area, latitude="latitude", longitude="longitude"):
    """The haversine distance in km from `area` to the fields `latitude`/`longitude`, as a database expression.

    The same formula as `distance_km`, so the database orders and filters by
    the same kilometres the pages show.
    """
    return point_distance_expression(*radians_of(area), latitude, longitude)


def radians_of(area):
    """(latitude, longitude, cosine of the latitude) of `area` in radians: what the distance in the database needs."""
    lat1, lon1 = math.radians(area.latitude), math.radians(area.longitude)
    return lat1, lon1, math.cos(lat1)


def point_distance_expression(lat1, lon1, cos_lat1, latitude="latitude", longitude="longitude"):
    """`distance_expression` from a point given by `radians_of` (values a prepared query can swap)."""
    half_dlat = Sin((Radians(F(latitude)) - Value(lat1)) / Value(2.0))
    half_dlon = Sin((Radians(F(longitude)) - Value(lon1)) / Value(2.0))
    a = half_dlat * half_dlat + Value(cos_lat1) * Cos(Radians(F(latitude))) * half_dlon * half_dlon
    return ExpressionWrapper(Value(2 * EARTH_RADIUS_KM) * ASin(Sqrt(a)), output_field=FloatField())
