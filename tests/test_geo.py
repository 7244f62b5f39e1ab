import pytest
from django.core.exceptions import ValidationError

from booking import geo


@pytest.mark.parametrize(
    "typed, expected",
    [("5611ab", "5611 AB"), ("5611 AB", "5611 AB"), ("5611", "5611"), ("  5611 ab ", "5611 AB"), ("5611AB", "5611 AB")],
)
def test_common_ways_of_typing_a_postcode_are_understood(typed, expected):
    assert str(geo.parse_postcode(typed)) == expected


@pytest.mark.parametrize(
    "typed, message_part",
    [
        ("12", "geen geldige postcode"),
        ("abcd", "geen geldige postcode"),
        ("0123 AB", "begint niet met een 0"),
        ("５６１１ ＡＢ", "geen geldige postcode"),  # fullwidth digits and letters
        ("٥٦١١", "geen geldige postcode"),  # Arabic-Indic digits
        ("5611 SS", "bestaat niet"),
        ("5" * 500, "te lang"),
        ("", "Vul een postcode in"),
    ],
)
def test_bad_postcodes_get_a_dutch_message(typed, message_part):
    with pytest.raises(ValidationError) as caught:
        geo.parse_postcode(typed)
    assert message_part in caught.value.messages[0]


def test_known_postcode_area_has_a_place():
    place = geo.find_area(geo.parse_postcode("5611 AB"))
    assert place.name == "Eindhoven"


def test_distance_between_eindhoven_and_helmond_is_about_13_km():
    eindhoven = geo.find_area("5611")
    helmond = geo.find_area("5701")
    km = geo.distance_km(eindhoven.latitude, eindhoven.longitude, helmond.latitude, helmond.longitude)
    assert 10 < km < 16
