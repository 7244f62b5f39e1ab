"""Headless Chromium (Debian's) driven by Playwright, against Django's live server."""

import os
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core.management import call_command
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


@pytest.fixture
def demo_site(wagtail_roots, live_server):
    """The demo region, served by the live server (transactional: the server needs committed data)."""
    call_command("load_demo", verbosity=0)
    site = Site.objects.get(is_default_site=True)
    # Links are built for the live server's host and port.
    host, port = live_server.url.split("//")[1].split(":")
    site.hostname, site.port = host, int(port)
    site.save()
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
