import pytest
from django.core.exceptions import ValidationError

from booking.models import Location


def make(**fields):
    values = {
        "name": "Gezondheidscentrum Noord",
        "kind": "gezondheidscentrum",
        "address": "Kerkstraat 3",
        "postcode": "5701ab",
        "town": "Helmond",
    }
    values.update(fields)
    return Location(**values)


@pytest.mark.django_db
def test_coordinates_come_from_the_postcode_and_postcode_is_tidied():
    location = make()
    location.full_clean()
    assert location.postcode == "5701 AB"
    assert 51.4 < location.latitude < 51.5


@pytest.mark.django_db
def test_given_coordinates_are_kept():
    location = make(latitude=51.0, longitude=5.0)
    location.full_clean()
    assert (location.latitude, location.longitude) == (51.0, 5.0)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "fields, field, message",
    [
        ({"postcode": "abcd"}, "postcode", "geen geldige postcode"),
        ({"postcode": "5701"}, "postcode", "met de 2 letters"),
        ({"postcode": "1004 AB"}, "postcode", "kennen we niet"),
        ({"address": ""}, "address", "Vul het adres in"),
        ({"latitude": 51.0}, "latitude", "beide coördinaten"),
    ],
)
def test_bad_location_input_gets_a_message_at_the_field(fields, field, message):
    with pytest.raises(ValidationError) as caught:
        make(**fields).full_clean()
    assert message in " ".join(caught.value.message_dict[field])


@pytest.mark.django_db
def test_online_location_needs_no_address():
    location = make(name="Online", kind="online", address="", postcode="", town="")
    location.full_clean()
    assert location.latitude is None
