import datetime
import os

import pytest
import time_machine
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.test import Client
from wagtail.models import Collection, Locale, Page

from groepswijzer import page_cache, routing
from tests.factories import CourseIndexPageFactory, HomePageFactory, ProfessionalsIndexPageFactory

# The fake Mollie server and its fixtures (fake_mollie, mollie) for payment tests.
pytest_plugins = ["tests.fake_mollie"]

# `CLOCK_AHEAD_DAYS=365 make test` runs the whole suite as if it were a year from now: a test that
# hides a calendar date that will pass fails then, not on the day it passes.
# The clock moves as this file is loaded, before any other test module or conftest, so that moments
# computed when they are imported (such as tests.booking.factories.NOW) move along.
CLOCK_AHEAD_DAYS = int(os.environ.get("CLOCK_AHEAD_DAYS") or 0)
if CLOCK_AHEAD_DAYS:
    time_machine.travel(
        datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=CLOCK_AHEAD_DAYS), tick=True
    ).start()


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache (Redis in CI): rate limits and used login codes
    from an earlier test or run must not decide this one."""
    cache.clear()
    page_cache.forget_local_fragments()
    routing.forget_routes()
    yield


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """`with committed():` runs what the block leaves for after the commit (page cache generations, emails)
    when the block ends, as a real commit would; the test's own transaction stays open."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def client():
    return Client()


@pytest.fixture
def home(db):
    return HomePageFactory()


@pytest.fixture
def course_index(home):
    return CourseIndexPageFactory(parent=home)


@pytest.fixture
def professionals_index(home):
    return ProfessionalsIndexPageFactory(parent=home)


@pytest.fixture
def wagtail_roots(transactional_db):
    """Wagtail's tree roots for transactional tests.

    Wagtail makes its root page and root collection in migrations; the flush
    after each transactional test removes them (post_migrate brings back only
    content types, permissions and our role groups), so put them back here.
    """
    # The flush gave content types new ids; forget the cached old ones.
    ContentType.objects.clear_cache()
    Locale.objects.get_or_create(language_code=settings.LANGUAGE_CODE)
    if Page.get_first_root_node() is None:
        Page.add_root(instance=Page(title="Root", slug="root", live=True))
    if Collection.get_first_root_node() is None:
        Collection.add_root(name="Root")
