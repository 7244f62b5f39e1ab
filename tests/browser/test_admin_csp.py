"""The Wagtail admin keeps working under the Content-Security-Policy: an editor edits and saves a page,
opens the document chooser and sees the preview, and the browser reports no blocked script or style."""

import re

from playwright.sync_api import expect

from home.demo.users import DEMO_PASSWORD, DEMO_TOTP_SECRET, EDITOR, current_totp_code
from resources.models import ToolkitPage


def log_in_as_editor(page, base):
    page.goto(base + "/admin/")
    expect(page).to_have_url(re.compile(r"/account/login/"))
    page.locator("input[name=login]").fill(EDITOR.email)
    page.locator("input[name=password]").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Inloggen", exact=True).click()
    expect(page).to_have_url(re.compile(r"/account/2fa/authenticate/"))
    code, seconds_left = current_totp_code(DEMO_TOTP_SECRET)
    if seconds_left < 8:
        page.wait_for_timeout((seconds_left + 1) * 1000)
        code, _seconds_left = current_totp_code(DEMO_TOTP_SECRET)
    page.locator("input[name=code]").fill(code)
    page.get_by_role("button", name="Inloggen", exact=True).click()
    expect(page).to_have_url(re.compile(r"/admin/$"))


def test_an_editor_works_in_the_admin_without_policy_violations(page, demo_site):
    blocked = []
    page.on(
        "console", lambda message: blocked.append(message.text) if "Content Security Policy" in message.text else None
    )
    toolkit = ToolkitPage.objects.live().order_by("pk").first()

    log_in_as_editor(page, demo_site)
    page.goto(f"{demo_site}/admin/pages/{toolkit.pk}/edit/")
    expect(page.locator("input[name=title]")).to_have_value(toolkit.title)
    # The inline panel of toolkit documents is built by an inline script.
    expect(page.locator("[id^=inline_child_documents]").first).to_be_visible()

    page.locator("input[name=title]").fill(toolkit.title + " (bijgewerkt)")
    page.get_by_role("button", name=re.compile("Bewaar concept|Save draft")).click()
    expect(page.locator(".messages")).to_contain_text(re.compile("bijgewerkt|opgeslagen|updated", re.IGNORECASE))

    page.goto(f"{demo_site}/admin/documents/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    expect(page.locator("option", has_text="Voor professionals")).to_have_count(1)

    assert blocked == []
