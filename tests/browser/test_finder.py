"""The finder on the demo region: distances to where groups with a place meet, the postcode carried along."""

import re

from playwright.sync_api import expect

from tests.browser.conftest import serious_violations


def _km(text):
    found = re.search(r"(\d+,\d) km|minder dan 1 km", text)
    if found is None:
        return None
    return 0.0 if found.group(1) is None else float(found.group(1).replace(",", "."))


def test_5631_ab_lists_the_nearest_group_with_a_place_first(page, demo_site):
    page.goto(demo_site + "/trainingen/")
    page.get_by_label("Uw postcode").fill("5631 AB")
    page.get_by_role("button", name="Toon trainingen").click()

    cards = page.locator(".course-card")
    expect(cards.first).to_contain_text("Groep met plaats, start")
    distances = [_km(text) for text in cards.locator(".course-card__distance").all_inner_texts()]
    measured = [km for km in distances if km is not None]
    # The nearest group with a place comes first (trainings for one age group, such as Grip op piekeren,
    # come after those for every adult, so the rest is not one sorted list).
    assert measured and measured[0] == min(measured), distances
    # Mentaal Fit's group in Eindhoven (2.8 km) is full: its card shows the group with a place in Helmond.
    mentaal_fit = cards.filter(has=page.get_by_role("link", name="Mentaal Fit", exact=True))
    expect(mentaal_fit).to_contain_text("Helmond")
    expect(mentaal_fit).not_to_contain_text("2,8 km")
    assert serious_violations(page) == []
    page.screenshot(path="/tmp/finder-5631.png", full_page=True)


def test_a_postcode_far_away_points_to_the_online_groups(page, demo_site):
    page.goto(demo_site + "/trainingen/?postcode=9999+ZZ")
    notice = page.locator(".finder__far")
    expect(notice).to_contain_text("De trainingen in deze regio zijn ver van 9999 ZZ")
    notice.get_by_role("link", name="Toon de online trainingen").click()
    expect(page.locator(".course-card").first).to_contain_text("Online")


def test_the_postcode_travels_to_the_course_page_and_into_the_sign_up(page, demo_site):
    page.goto(demo_site + "/trainingen/?postcode=5631+AB")
    page.locator(".course-card").filter(has_text="Mentaal Fit").get_by_role("link", name="Mentaal Fit").click()
    expect(page).to_have_url(re.compile(r"/trainingen/mentaal-fit/\?postcode=5631"))
    expect(page.locator(".group-search__sorted")).to_contain_text("5631 AB")
    # Nearest first: Eindhoven (2,8 km, full) with its own waiting-list button, then Helmond with places.
    distances = [_km(text) for text in page.locator(".group-location__distance").all_inner_texts()]
    assert distances == sorted(distances), distances
    expect(page.get_by_role("link", name=re.compile("^Op de wachtlijst")).first).to_be_visible()
    sessions = page.locator(".group-card__sessions").first
    expect(sessions.locator(".session-list")).to_be_hidden()
    sessions.locator("summary").click()
    expect(sessions.locator(".session-list")).to_be_visible()
    assert serious_violations(page) == []
    page.screenshot(path="/tmp/finder-course-5631.png", full_page=True)

    page.get_by_role("link", name=re.compile("^Aanmelden")).first.click()
    page.get_by_role("link", name="Ja, meld mij aan voor deze groep").click()
    expect(page.get_by_label("Postcode")).to_have_value("5631 AB")


def test_enter_in_a_field_of_the_waiting_list_form_puts_someone_on_the_list(page, demo_site):
    page.goto(demo_site + "/trainingen/mentaal-fit/?postcode=5631+AB")
    page.get_by_role("link", name=re.compile("^Op de wachtlijst")).first.click()
    expect(page.get_by_label("Postcode")).to_have_value("5631 AB")
    page.get_by_label("Voornaam").fill("Sanne")
    page.get_by_label("Achternaam").fill("de Vries")
    page.get_by_label("E-mailadres").fill("sanne@example.nl")
    page.get_by_label("Geboortejaar").fill("1984")
    page.get_by_label(re.compile("Ik geef toestemming")).check()
    page.get_by_label("Achternaam").press("Enter")
    expect(page.get_by_role("heading", level=2, name=re.compile(r"U staat op plaats \d+"))).to_be_visible()
