"""An editor edits a training in the admin: the form and its messages are accessible (axe)."""

import re

from playwright.sync_api import expect

from courses.models import CoursePage
from tests.browser.conftest import serious_violations, wait_for_admin_message
from tests.browser.test_admin_csp import log_in_as_editor


def test_the_training_form_and_the_saved_message_pass_axe(page, demo_site):
    course = CoursePage.objects.live().order_by("pk").first()
    log_in_as_editor(page, demo_site)
    page.goto(f"{demo_site}/admin/pages/{course.pk}/edit/")
    expect(page.locator("input[name=title]")).to_have_value(course.title)
    found = serious_violations(page)
    page.get_by_role("button", name=re.compile("Bewaar concept|Save draft")).click()
    wait_for_admin_message(page, re.compile("gewijzigd|opgeslagen", re.IGNORECASE))
    saved = serious_violations(page)
    page.screenshot(path="/tmp/course_saved.png", full_page=False)
    assert found == [] and saved == []
