"""The news in the demo region: a news index below the home page and four invented news items, one for professionals.

Called by ``home.demo.builder.build_demo``; safe to run again: what exists is
found by its slug and left alone.
"""

import datetime

from django.utils import timezone

from home.demo.stream import heading, paragraph

from .models import NewsIndexPage, NewsPage

INDEX = {
    "title": "Nieuws",
    "slug": "nieuws",
    "intro": "Nieuws over de groepstrainingen in Zuidoost-Brabant: nieuwe trainingen, nieuwe locaties en ervaringen.",
}

# (days ago, fields). Invented news; the names are invented too.
ITEMS = [
    (
        3,
        {
            "slug": "nieuwe-groep-mindfulness-in-geldrop",
            "title": "Nieuwe groep Mindfulness in Geldrop",
            "summary": (
                "Vanaf volgende maand is er ook een groep Mindfulness in gezondheidscentrum De Akker in Geldrop."
            ),
            "body": [
                paragraph(
                    "<p>Veel mensen vroegen erom: een groep Mindfulness dichter bij huis. Vanaf volgende maand kan "
                    "dat ook in Geldrop. De groep komt acht keer bij elkaar, op dinsdagavond.</p>"
                ),
                heading("Aanmelden"),
                paragraph("<p>U meldt zich aan via de pagina van de training. Er zijn 10 plaatsen.</p>"),
            ],
        },
    ),
    (
        12,
        {
            "slug": "ervaringen-met-mentaal-fit",
            "title": "“Ik ben niet de enige”: ervaringen met Mentaal Fit",
            "summary": "Drie deelnemers vertellen wat de training Mentaal Fit hen bracht.",
            "body": [
                paragraph(
                    "<p>Fenna (34) twijfelde lang of een groep iets voor haar was. “Na de eerste keer wist ik: "
                    "ik ben niet de enige die hiermee zit.” Ook Jan-Willem en Ilse vertellen over hun training.</p>"
                ),
            ],
        },
    ),
    (
        20,
        {
            "slug": "eigen-bijdrage-blijft-35-euro",
            "title": "Eigen bijdrage blijft 35 euro",
            "summary": (
                "Ook volgend jaar betaalt u voor de meeste trainingen 35 euro. "
                "Kunt u dat niet betalen? Vraag ons naar de mogelijkheden."
            ),
            "body": [
                paragraph(
                    "<p>De eigen bijdrage voor de meeste groepstrainingen blijft 35 euro. Voor sommige trainingen "
                    "betaalt u niets. Kunt u de eigen bijdrage niet betalen? Bel of mail het regiobureau.</p>"
                ),
            ],
        },
    ),
    (
        6,
        {
            "slug": "terugkombijeenkomst-poh-ggz",
            "title": "Terugkombijeenkomst voor POH-GGZ: verwijzen naar een groep",
            "summary": "Een middag voor POH-GGZ over verwijzen naar groepstrainingen, met casussen uit de regio.",
            "audience": NewsPage.Audience.PROFESSIONALS,
            "body": [
                paragraph(
                    "<p>Wanneer past een groep, en wanneer niet? Op deze middag bespreken we casussen uit de regio "
                    "met trainers van Mentaal Fit en Mindfulness. Aanmelden kan bij het regiobureau.</p>"
                ),
            ],
        },
    ),
]


def ensure_news_demo(home, *, ensure_page, tally, user):
    """The news index and its items; `ensure_page` is the demo builder's (creates and publishes once)."""
    index = ensure_page(
        home,
        INDEX["slug"],
        lambda: NewsIndexPage(title=INDEX["title"], intro=INDEX["intro"], show_in_menus=True),
        tally,
        user,
    )
    today = timezone.localdate()
    for days_ago, data in ITEMS:
        fields = dict(data)
        slug = fields.pop("slug")
        date = today - datetime.timedelta(days=days_ago)
        ensure_page(index, slug, lambda fields=fields, date=date: NewsPage(date=date, **fields), tally, user)
    return index
