"""News and the newsletter in a real browser: read the news, subscribe with double opt-in, unsubscribe in one click."""

import re
import time

from axe_playwright_python.sync_playwright import Axe
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import User
from home.demo.users import DEMO_PASSWORD, DEMO_TOTP_SECRET, EDITOR, current_totp_code
from news import consent
from news.models import NewsPage, Subscriber
from news.services import mailings
from tests.browser.conftest import serious_violations
from tests.news.factories import mailing_with

SHOTS = "/tmp"


def link(message, kind, site):
    """The link of `kind` ("bevestigen", "afmelden") in an email, on the live server."""
    found = re.search(rf"https?://[^/\s]+(/nieuwsbrief/{kind}/[^/\s]+/)", message.body)
    return site + found.group(1)


def test_read_the_news_then_subscribe_with_double_opt_in_and_unsubscribe_in_one_click(page, demo_site):
    page.goto(demo_site + "/nieuws/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Nieuws")
    expect(page.locator("main")).not_to_contain_text("Terugkombijeenkomst")  # professional news stays hidden
    assert serious_violations(page) == []
    page.screenshot(path=f"{SHOTS}/news-index.png", full_page=True)

    page.get_by_role("link", name="Nieuwe groep Mindfulness in Geldrop").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Nieuwe groep Mindfulness in Geldrop")
    assert serious_violations(page) == []
    page.screenshot(path=f"{SHOTS}/news-page.png", full_page=True)

    page.get_by_role("link", name="Nieuwsbrief voor deelnemers en belangstellenden").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Nieuwsbrief voor deelnemers en belangstellenden")
    assert serious_violations(page) == []

    # Bad input first: a message at the field, and what was typed stays.
    page.get_by_label("Uw e-mailadres").fill("fenna.de.jong@")
    page.get_by_role("button", name="Aanmelden").click()
    expect(page.locator(".error-summary")).to_contain_text("Dit is geen e-mailadres")
    expect(page.locator(".error-summary")).to_contain_text("Zet een vinkje")
    expect(page.get_by_label("Uw e-mailadres")).to_have_value("fenna.de.jong@")
    assert serious_violations(page) == []
    page.screenshot(path=f"{SHOTS}/news-signup-errors.png", full_page=True)

    page.get_by_label("Uw e-mailadres").fill("fenna.de.jong@example.nl")
    page.get_by_label("Ja, ik wil deze nieuwsbrief ontvangen").check()
    page.get_by_role("button", name="Aanmelden").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Kijk in uw e-mail")
    assert serious_violations(page) == []

    (confirmation,) = [m for m in mail.outbox if m.to == ["fenna.de.jong@example.nl"]]
    page.goto(link(confirmation, "bevestigen", demo_site))
    assert serious_violations(page) == []
    assert Subscriber.objects.get(email="fenna.de.jong@example.nl").status == Subscriber.Status.PENDING
    page.get_by_role("button", name="Ja, bevestig mijn aanmelding").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("U bent aangemeld")
    assert serious_violations(page) == []

    # The editor sends a newsletter; it reaches the new subscriber with a personal unsubscribe link.
    editor = User.objects.get(email=EDITOR.email)
    mailing = mailing_with(NewsPage.objects.get(slug="nieuwe-groep-mindfulness-in-geldrop"))
    mailings.request_send(mailing, editor)
    (newsletter,) = [m for m in mail.outbox if m.to == ["fenna.de.jong@example.nl"] and m is not confirmation]
    assert newsletter.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    page.goto(link(newsletter, "afmelden", demo_site))
    expect(page.get_by_role("heading", level=1)).to_have_text("Afmelden voor de nieuwsbrief")
    assert serious_violations(page) == []
    page.screenshot(path=f"{SHOTS}/news-unsubscribe.png", full_page=True)
    page.get_by_role("button", name="Ja, meld mij af").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("U bent afgemeld")
    assert serious_violations(page) == []
    page.screenshot(path=f"{SHOTS}/news-unsubscribed.png", full_page=True)
    assert Subscriber.objects.get(email="fenna.de.jong@example.nl").status == Subscriber.Status.UNSUBSCRIBED


def test_a_mail_client_unsubscribes_with_one_post_to_the_list_unsubscribe_address(page, demo_site):
    """RFC 8058: one POST with List-Unsubscribe=One-Click, no cookies, no token from a form."""
    subscriber = Subscriber.objects.create(
        newsletter="patients",
        email="jan-willem@example.nl",
        status=Subscriber.Status.CONFIRMED,
        consent_text_version=consent.VERSION,
        consent_at=timezone.now(),
    )
    editor = User.objects.get(email=EDITOR.email)
    mailings.request_send(mailing_with(NewsPage.objects.get(slug="eigen-bijdrage-blijft-35-euro")), editor)
    (newsletter,) = [m for m in mail.outbox if m.to == ["jan-willem@example.nl"]]
    address = newsletter.extra_headers["List-Unsubscribe"].strip("<>")
    response = page.request.post(
        address.replace("http://testserver", demo_site),
        data="List-Unsubscribe=One-Click",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert response.status == 200
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.UNSUBSCRIBED


def log_in_as_editor(page, base):
    page.goto(base + "/admin/")
    page.locator("input[name=login]").fill(EDITOR.email)
    page.locator("input[name=password]").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Inloggen", exact=True).click()
    expect(page).to_have_url(re.compile(r"/account/2fa/authenticate/"))
    code, seconds_left = current_totp_code(DEMO_TOTP_SECRET)
    if seconds_left < 8:
        time.sleep(seconds_left + 1)
        code, _seconds_left = current_totp_code(DEMO_TOTP_SECRET)
    page.locator("input[name=code]").fill(code)
    page.get_by_role("button", name="Inloggen", exact=True).click()
    expect(page).to_have_url(re.compile(r"/admin/$"))


def admin_violations(page):
    """axe on an admin screen, leaving out Wagtail's own message bar (its colours are Wagtail's)."""
    results = Axe().run(page, context={"exclude": [[".messages"]]})
    found = [v for v in results.response["violations"] if v.get("impact") in {"serious", "critical"}]
    return [f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:5]}" for v in found]


def test_the_editor_previews_tests_and_sends_a_mailing_once(page, demo_site):
    Subscriber.objects.create(
        newsletter="patients",
        email="ilse@example.nl",
        status=Subscriber.Status.CONFIRMED,
        consent_text_version=consent.VERSION,
        consent_at=timezone.now(),
    )
    mailing_with(
        NewsPage.objects.get(slug="nieuwe-groep-mindfulness-in-geldrop"),
        NewsPage.objects.get(slug="eigen-bijdrage-blijft-35-euro"),
    )
    log_in_as_editor(page, demo_site)
    page.get_by_role("button", name="Nieuwsbrief").click()
    page.get_by_role("link", name="Nieuwsbrieven").click()
    page.get_by_role("button", name=re.compile("Meer opties")).first.click()
    page.get_by_role("link", name="Testen en versturen").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Versturen: Nieuwsbrief december")
    expect(page.locator("main")).to_contain_text("De nieuwsbrief gaat naar 1 abonnee")
    assert admin_violations(page) == []

    with page.expect_popup() as popup:
        page.get_by_role("link", name="Voorbeeld bekijken (nieuw venster)").click()
    preview = popup.value
    expect(preview.get_by_role("heading", level=1)).to_have_text("Nieuwsbrief december")
    assert serious_violations(preview) == []
    preview.screenshot(path=f"{SHOTS}/news-mailing-preview.png", full_page=True)
    preview.close()

    page.get_by_role("button", name="Stuur een test naar mij").click()
    expect(page.locator(".messages")).to_contain_text(f"De test gaat naar {EDITOR.email}")
    assert [m.subject for m in mail.outbox if m.to == [EDITOR.email] and "[Test]" in m.subject]
    assert not [m for m in mail.outbox if m.to == ["ilse@example.nl"]]

    page.get_by_role("button", name="Nu versturen").click()
    expect(page.locator("main")).to_contain_text("Verstuurd: 1")
    page.screenshot(path=f"{SHOTS}/news-admin-sent.png", full_page=True)
    assert admin_violations(page) == []
    page.reload()
    assert len([m for m in mail.outbox if m.to == ["ilse@example.nl"]]) == 1
