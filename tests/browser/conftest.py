"""Headless Chromium (Debian's) driven by Playwright, against Django's live server."""

import json
import os
import time
from collections import defaultdict
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.contrib.contenttypes.models import ContentType
from django.core import serializers
from django.core.cache import cache
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import connection, transaction
from playwright.sync_api import expect, sync_playwright
from wagtail.models import Site

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

# Playwright's sync API runs an event loop in this thread; the ORM calls the
# tests make around it are ordinary synchronous calls.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def chromium():
    if not CHROMIUM.exists():
        if os.environ.get("GROEPSWIJZER_REQUIRE_BROWSER"):
            pytest.fail("Chromium is required here but /usr/bin/chromium is missing.")
        pytest.skip("Debian's chromium is not installed (apt-get install chromium).")

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(chromium):
    context = chromium.new_context(locale="nl-NL", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture
def phone_page(chromium):
    context = chromium.new_context(locale="nl-NL", viewport={"width": 360, "height": 780}, is_mobile=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


# The demo is built once per test process and kept as Django's own serialised copy of the
# database; each browser test gets that copy back, which takes a fraction of building it again.
# The demo's times are relative to now (the next groups, open offers), so an old copy is rebuilt.
DEMO_COPY_KEPT_FOR = 600  # seconds of real time (time.monotonic: time-machine leaves it alone)


@pytest.fixture(scope="session")
def _demo_copy(tmp_path_factory):
    return {"media": tmp_path_factory.mktemp("demo-media"), "data": None, "rows": None, "made": None}


def _rows_by_model(records):
    """The copy's rows as unsaved model instances per model, and its many-to-many links per table."""
    rows = list(serializers.deserialize("python", records))
    per_model = defaultdict(list)
    links = defaultdict(list)
    for row in rows:
        model = type(row.object)
        per_model[model].append(row.object)
        for name, values in row.m2m_data.items():
            field = model._meta.get_field(name)
            through = field.remote_field.through
            own, other = f"{field.m2m_field_name()}_id", f"{field.m2m_reverse_field_name()}_id"
            links[through] += [through(**{own: row.object.pk, other: value}) for value in values]
    return [*per_model.items(), *((through, objects) for through, objects in links.items() if objects)]


def _insert(rows_by_model):
    for model, objects in rows_by_model:
        # Plain inserts of whole rows, as loading a fixture does, many at a time; many-to-many
        # links have no id of their own in the copy, the database gives them one.
        fields = [
            field for field in model._meta.local_concrete_fields if objects[0].pk is not None or not field.primary_key
        ]
        size = connection.ops.bulk_batch_size(fields, objects) or len(objects)
        for start in range(0, len(objects), size):
            model._base_manager._insert(objects[start : start + size], fields=fields, raw=True)


def _restore_demo(copy):
    """Empty every table, then put the demo's rows back with their own ids.

    Content types go first, before any other row is even built: making some model instances
    looks up their content type, and that lookup must find the copy's own id, not make a new one.
    The rows are built once per copy and kept (`copy["rows"]`); each test inserts the same rows.
    On PostgreSQL (as a superuser) the foreign keys are not checked row by row while inserting:
    the rows are a copy of a database that had them all.
    """
    # The sequences are set after the rows are back, to follow the copy's ids.
    call_command("flush", interactive=False, inhibit_post_migrate=True, reset_sequences=False, verbosity=0)
    ContentType.objects.clear_cache()
    postgresql = connection.vendor == "postgresql"
    with transaction.atomic(), connection.constraint_checks_disabled():
        if postgresql and connection.is_superuser():
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL session_replication_role = replica")
        if copy.get("rows") is None:
            # On SQLite the search's full-text table is filled by a trigger from the index entries.
            records = [record for record in json.loads(copy["data"]) if not record["model"].endswith("ftsindexentry")]
            first = [record for record in records if record["model"] == "contenttypes.contenttype"]
            rest = [record for record in records if record["model"] != "contenttypes.contenttype"]
            content_types = _rows_by_model(first)
            _insert(content_types)
            copy["rows"] = [*content_types, *_rows_by_model(rest)]
            _insert(copy["rows"][len(content_types) :])
        else:
            _insert(copy["rows"])
    connection.check_constraints()
    models = connection.introspection.installed_models(connection.introspection.table_names())
    statements = connection.ops.sequence_reset_sql(no_style(), list(models))
    with connection.cursor() as cursor:
        if postgresql and statements:
            cursor.execute(" ".join(statements))  # one round trip
        else:
            for statement in statements:
                cursor.execute(statement)
    ContentType.objects.clear_cache()
    cache.clear()


@pytest.fixture
def demo_site(wagtail_roots, live_server, settings, _demo_copy):
    """The demo region, served by the live server (transactional: the server needs committed data)."""
    settings.MEDIA_ROOT = _demo_copy["media"]
    fresh = _demo_copy["made"] is not None and time.monotonic() - _demo_copy["made"] < DEMO_COPY_KEPT_FOR
    if fresh:
        _restore_demo(_demo_copy)
        return live_server.url
    call_command("load_demo", verbosity=0)
    site = Site.objects.get(is_default_site=True)
    # Links are built for the live server's host and port (the same for the whole session).
    host, port = live_server.url.split("//")[1].split(":")
    site.hostname, site.port = host, int(port)
    site.save()
    _demo_copy["data"] = connection.creation.serialize_db_to_string()
    _demo_copy["rows"] = None
    _demo_copy["made"] = time.monotonic()
    return live_server.url


def serious_violations(page):
    """axe-core (bundled, no network) on the current page: serious and critical violations only."""
    results = Axe().run(page)
    found = [v for v in results.response["violations"] if v.get("impact") in {"serious", "critical"}]
    return [f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:5]}" for v in found]


def wait_for_admin_message(page, text):
    """Wagtail's message bar shows ``text`` and has finished fading in.

    The bar starts at opacity 0 and fades in once the admin's scripts mark the
    page ready; judged halfway, its colours are not yet its own. The computed
    opacity is polled, so this also waits for a fade that has not started yet.
    """
    expect(page.locator(".messages")).to_contain_text(text)
    expect(page.locator(".messages > ul")).to_have_css("opacity", "1")
