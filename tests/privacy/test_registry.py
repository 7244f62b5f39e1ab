"""The personal-data registry: complete, and a model that looks personal cannot slip past it."""

import datetime
from pathlib import Path

import pytest
from django.core import checks
from django.db import models
from django.test.utils import isolate_apps

from booking.models import Participant
from privacy import registry
from privacy.registry import birth_year_band, months_before, pc4, personal_looking_fields, undeclared_models

DOCS = Path(__file__).resolve().parents[2] / "docs" / "privacy.md"


def test_every_model_that_looks_personal_is_declared():
    """A model with an email, phone, name, postcode, free-text note or IP field, or a link to a participant or
    an account, is in the registry or declared to hold none. Declare a new one in its app's personal_data.py."""
    assert undeclared_models() == []


@isolate_apps("privacy")
def test_a_new_model_with_personal_fields_is_noticed():
    class NewsletterSubscription(models.Model):  # noqa: DJ008
        email_address = models.EmailField()
        subscribed_at = models.DateTimeField()

        class Meta:
            app_label = "privacy"

    class ScreeningNote(models.Model):  # noqa: DJ008
        participant = models.ForeignKey(Participant, on_delete=models.PROTECT, related_name="+")
        call_notes = models.TextField()

        class Meta:
            app_label = "privacy"

    class Questionnaire(models.Model):  # noqa: DJ008
        title = models.CharField(max_length=100)
        body = models.TextField()

        class Meta:
            app_label = "privacy"

    assert personal_looking_fields(NewsletterSubscription) == ["email_address (EmailField)"]
    assert personal_looking_fields(ScreeningNote) == ["participant (-> booking.Participant)", "call_notes"]
    assert personal_looking_fields(Questionnaire) == []


def test_manage_py_check_names_a_model_missing_from_the_registry(monkeypatch):
    entries = dict(registry.REGISTRY.entries)
    entries.pop("booking.waitlistmove")
    monkeypatch.setattr(registry.REGISTRY, "entries", entries)
    warnings = [message for message in checks.run_checks() if message.id == "privacy.W001"]
    assert len(warnings) == 1 and "booking.WaitlistMove" in warnings[0].msg


def test_every_registered_model_is_in_the_processing_register_in_the_docs():
    text = DOCS.read_text()
    missing = [entry.label for entry in registry.entries() if f"`{entry.label}`" not in text]
    assert missing == [], "Run `manage.py privacy_register` and update docs/privacy.md"


def test_a_declaration_with_a_field_that_does_not_exist_is_refused():
    with pytest.raises(ValueError, match="no such fields"):
        registry.register(Participant, ties=[registry.participant()], fields={"bsn": registry.CLEAR})


def test_a_clock_of_its_own_must_say_which_rows_still_hold_data():
    with pytest.raises(ValueError):
        registry.after("created_at", months=12, pending=None)


@pytest.mark.parametrize(
    ("given", "kept"),
    [("5611 AB", "5611"), ("5611ab", "5611"), ("1012", "1012"), ("", ""), ("AB", "")],
)
def test_a_postcode_keeps_its_four_digits(given, kept):
    assert pc4(given) == kept


def test_a_year_of_birth_becomes_the_start_of_its_five_year_band():
    assert [birth_year_band(year) for year in (1980, 1983, 1984, 1985, 2001)] == [1980, 1980, 1980, 1985, 2000]


def test_months_are_calendar_months_and_the_end_of_a_month_stays_in_its_month():
    tz = datetime.UTC
    assert months_before(datetime.datetime(2027, 3, 31, 12, tzinfo=tz), 1) == datetime.datetime(
        2027, 2, 28, 12, tzinfo=tz
    )
    assert months_before(datetime.datetime(2027, 3, 15, tzinfo=tz), 24) == datetime.datetime(2025, 3, 15, tzinfo=tz)
    assert months_before(datetime.datetime(2027, 1, 10, tzinfo=tz), 1) == datetime.datetime(2026, 12, 10, tzinfo=tz)
