"""The demo region loads, and loading it again changes nothing."""

import pytest
from django.apps import apps
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone
from wagtail.models import Page, Revision

from booking.models import Attendance, Location, RegistrationStop, TrainingGroup, WaitlistEntry
from courses.models import CoursePage
from resources.models import ToolkitPage


def row_counts():
    # Unmanaged models have no table of their own (reports.Figures only carries a permission).
    return {
        model._meta.label: model.objects.count()
        for model in apps.get_models()
        if not model._meta.proxy and model._meta.managed
    }


@pytest.mark.django_db
def test_load_demo_twice_changes_nothing(capsys):
    call_command("load_demo")
    first = row_counts()
    revisions = Revision.objects.count()
    output = capsys.readouterr().out
    assert "coordinator@groepswijzer.example" in output

    call_command("load_demo")
    assert row_counts() == first
    assert Revision.objects.count() == revisions


@pytest.mark.django_db
def test_demo_region_is_believable():
    call_command("load_demo", verbosity=0)
    assert CoursePage.objects.live().count() >= 6
    assert {"Mentaal Fit", "Mindfulness", "Communicatie: van praten naar verbinding"} <= set(
        CoursePage.objects.values_list("title", flat=True)
    )
    assert Location.objects.exclude(kind="online").count() >= 20
    assert not Location.objects.exclude(kind="online").filter(latitude__isnull=True).exists()
    assert ToolkitPage.objects.live().count() == 2
    assert Page.objects.filter(title="Colofon").exists()


@pytest.mark.django_db
def test_load_demo_refuses_outside_development(settings):
    settings.DEBUG = False
    settings.GROEPSWIJZER_ALLOW_DEMO = False
    with pytest.raises(CommandError):
        call_command("load_demo")


@pytest.mark.django_db
def test_demo_plans_groups_in_every_state_people_should_see():
    call_command("load_demo", verbosity=0)
    now = timezone.now()
    groups = list(TrainingGroup.objects.with_places_left(now).with_first_start())
    assert len(groups) >= 10
    assert any(group.places_left == 0 and group.status == "open" for group in groups)
    assert any(0 < group.places_left <= 2 for group in groups)
    assert any(group.status == "running" for group in groups)
    assert Attendance.objects.exists()
    assert WaitlistEntry.objects.filter(status="waiting").count() >= 3
    assert RegistrationStop.objects.filter(RegistrationStop.active_q(now)).exists()
    assert all(group.first_start is not None for group in groups)
