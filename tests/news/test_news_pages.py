"""News pages: who sees which news, on the overview, the home page and the professionals' page, and the feeds."""

import datetime
import xml.etree.ElementTree as ET

import pytest
from django.utils import timezone
from wagtail.models import Locale

from tests.carepath.factories import professional
from tests.factories import ProfessionalsIndexPageFactory, UserFactory
from tests.helpers import text
from tests.news.factories import NewsIndexPageFactory, NewsPageFactory, professional_news

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def news(home):
    index = NewsIndexPageFactory(parent=home)
    today = timezone.localdate()
    public = NewsPageFactory(parent=index, title="Nieuwe groep in Geldrop", date=today - datetime.timedelta(days=1))
    for_professionals = professional_news(
        parent=index, title="Terugkombijeenkomst voor POH-GGZ", date=today - datetime.timedelta(days=2)
    )
    return index, public, for_professionals


def test_anonymous_visitors_see_public_news_but_never_professional_news(client, news):
    index, public, for_professionals = news
    overview = text(client.get(index.url))
    assert "Nieuwe groep in Geldrop" in overview
    assert "Terugkombijeenkomst voor POH-GGZ" not in overview
    assert client.get(public.url).status_code == 200
    page = client.get(for_professionals.url)
    assert page.status_code == 302 and "/account/login/" in page["Location"]


def test_a_logged_in_person_who_is_not_a_verified_professional_is_told_how_to_get_access(client, news):
    _index, _public, for_professionals = news
    client.force_login(UserFactory())
    page = client.get(for_professionals.url)
    assert page.status_code == 403
    assert "Het hele bericht." not in text(page)


def test_a_verified_professional_reads_professional_news_on_the_overview_and_the_page(client, news):
    index, _public, for_professionals = news
    client.force_login(professional())
    assert "Terugkombijeenkomst voor POH-GGZ" in text(client.get(index.url))
    page = client.get(for_professionals.url)
    assert page.status_code == 200 and "Alleen voor professionals" in text(page)


def test_the_home_page_shows_the_latest_three_public_items_and_never_professional_news(client, home, news):
    index, _public, _for_professionals = news
    for number in range(3):
        NewsPageFactory(parent=index, title=f"Bericht van vandaag {number}")
    client.force_login(professional())  # even a professional gets no professional news on the home page
    page = text(client.get(home.url))
    assert page.count('class="card news-card"') == 3
    assert (
        "Bericht van vandaag 0" in page and "Terugkombijeenkomst" not in page and "Nieuwe groep in Geldrop" not in page
    )


def test_a_translated_item_is_one_item_on_the_home_page_and_in_the_feed(client, home, news):
    index, public, _for_professionals = news
    english = Locale.objects.create(language_code="en")
    for page, fields in ((home, {"title": "Groepswijzer"}), (index, {"title": "News", "slug": "news"})):
        copy = page.copy_for_translation(english).specific
        for name, value in fields.items():
            setattr(copy, name, value)
        copy.save_revision().publish()
    translated = public.copy_for_translation(english).specific
    translated.title, translated.slug = "New group in Geldrop", "new-group-in-geldrop"
    translated.save_revision().publish()

    dutch_home = text(client.get("/"))
    assert dutch_home.count('class="card news-card"') == 1
    assert "Nieuwe groep in Geldrop" in dutch_home and "New group in Geldrop" not in dutch_home
    client.cookies["taal"] = "en"
    english_home = text(client.get("/"))
    assert english_home.count('class="card news-card"') == 1
    assert "New group in Geldrop" in english_home and "Nieuwe groep in Geldrop" not in english_home

    channel = ET.fromstring(client.get("/nieuwsfeed/rss/").content).find("channel")
    assert [item.findtext("title") for item in channel.findall("item")] == ["Nieuwe groep in Geldrop"]


def test_the_professionals_page_shows_professional_news_only_to_those_with_access(client, home, news):
    professionals_page = ProfessionalsIndexPageFactory(parent=home)

    def news_section():
        return text(client.get(professionals_page.url)).split('id="nieuws-titel"')[1].split("</section>")[0]

    assert "Nieuwe groep in Geldrop" in news_section() and "Terugkombijeenkomst" not in news_section()
    client.force_login(professional())
    assert "Terugkombijeenkomst voor POH-GGZ" in news_section()
    assert "Alleen voor professionals" in news_section()


def test_the_rss_feed_is_valid_and_holds_public_news_only(client, news):
    _index, public, _for_professionals = news
    response = client.get("/nieuwsfeed/rss/")
    assert response["Content-Type"].startswith("application/rss+xml")
    channel = ET.fromstring(response.content).find("channel")
    items = channel.findall("item")
    assert [item.findtext("title") for item in items] == ["Nieuwe groep in Geldrop"]
    assert items[0].findtext("link") == f"http://testserver{public.url}"
    assert items[0].findtext("pubDate")


def test_the_atom_feed_is_valid_and_holds_public_news_only(client, news):
    response = client.get("/nieuwsfeed/atom/")
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = ET.fromstring(response.content)
    assert feed.tag == f"{ATOM}feed"
    titles = [entry.findtext(f"{ATOM}title") for entry in feed.findall(f"{ATOM}entry")]
    assert titles == ["Nieuwe groep in Geldrop"]
    assert all(entry.findtext(f"{ATOM}updated") for entry in feed.findall(f"{ATOM}entry"))


def test_the_news_pages_and_home_page_announce_the_feeds_in_the_head(client, home, news):
    index, public, _for_professionals = news
    for url in (home.url, index.url, public.url):
        head = client.get(url).content.decode().split("</head>")[0]
        assert '<link rel="alternate" type="application/rss+xml"' in head and 'href="/nieuwsfeed/rss/"' in head
        assert '<link rel="alternate" type="application/atom+xml"' in head and 'href="/nieuwsfeed/atom/"' in head
