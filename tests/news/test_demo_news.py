"""The demo region has news: an overview and four invented items, one for professionals, reported in the summary."""

import pytest
from django.core.management import call_command

from news.models import NewsIndexPage, NewsPage

pytestmark = pytest.mark.django_db


def test_the_demo_has_a_news_overview_with_four_items_one_for_professionals(client, capsys):
    call_command("load_demo")
    assert "4 nieuwsberichten" in capsys.readouterr().out
    index = NewsIndexPage.objects.live().get()
    assert NewsPage.objects.live().child_of(index).count() == 4
    assert NewsPage.objects.filter(audience=NewsPage.Audience.PROFESSIONALS).count() == 1
    home = client.get("/")
    assert home.status_code == 200 and b"Nieuwe groep Mindfulness in Geldrop" in home.content
    call_command("load_demo")
    assert "er is niets veranderd" in capsys.readouterr().out
    assert NewsPage.objects.count() == 4
