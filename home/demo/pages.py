"""Texts of the demo pages: home page, overviews, factsheets, toolkits and the standard pages."""

import datetime

from .region import ORGANISATION
from .stream import bullets, call_to_action, faq, heading, paragraph, quote, steps

EMAIL_LINK = f'<a href="mailto:{ORGANISATION["email"]}">{ORGANISATION["email"]}</a>'
PHONE = ORGANISATION["phone"]

HOME = {
    "title": "Groepswijzer",
    "seo_title": "Groepstrainingen dicht bij huis in Zuidoost-Brabant",
    "intro": (
        "Zoek een groepstraining voor uw mentale gezondheid, dicht bij huis in Zuidoost-Brabant. "
        "U oefent samen met 5 tot 10 anderen, onder leiding van ervaren trainers."
    ),
    "professionals_text": (
        "Bent u POH-GGZ, huisarts of psycholoog? Hier leest u hoe u iemand verwijst naar een groepstraining. "
        "U vindt er ook factsheets en twee toolkits: voor de nieuwe POH-GGZ en voor de huisarts als werkgever."
    ),
}


def home_body(course_index):
    return [
        heading("Zo werkt het"),
        paragraph(
            steps(
                "Twijfelt u of een groep bij u past? Praat er eerst over met uw huisarts of POH-GGZ.",
                "Kies een training en een locatie bij u in de buurt. Of kies een online groep.",
                "Meld u aan en betaal de eigen bijdrage. Meestal is dat 35 euro.",
                "U krijgt een bevestiging met de data van alle bijeenkomsten.",
            )
        ),
        call_to_action("Bekijk alle trainingen", course_index),
    ]


COURSE_INDEX = {
    "title": "Trainingen",
    "slug": "trainingen",
    "intro": (
        "Hier vindt u alle groepstrainingen in de regio. Vul uw postcode in en zie welke locatie het dichtst "
        "bij u is. De meeste trainingen hebben 5 bijeenkomsten van 2 uur, in een groep van 5 tot 10 mensen."
    ),
}

PROFESSIONALS_INDEX = {
    "title": "Voor professionals",
    "slug": "voor-professionals",
    "intro": (
        "Bent u POH-GGZ, huisarts of psycholoog? Hier vindt u alles over het groepsaanbod in de regio. "
        "U leest hoe u iemand verwijst en wanneer een groep past. De factsheets kan iedereen lezen. "
        "Voor de toolkits logt u in met een account voor professionals."
    ),
    "body": [
        heading("Een account voor professionals"),
        paragraph(
            "<p>Heeft u nog geen account? Vraag het aan via Inloggen en kies voor een account voor professionals. "
            "Gebruik het e-mailadres van uw werk. Het regiobureau controleert uw gegevens binnen 2 werkdagen. "
            "Daarna kunt u alle documenten openen.</p>"
        ),
        heading("Vragen over het aanbod?"),
        paragraph(
            f"<p>Bel het regiobureau op werkdagen van 9.00 tot 12.30 uur: {PHONE}. Of mail naar {EMAIL_LINK}.</p>"
        ),
    ],
}

# Factsheets. "pdf" names a document in documents.DOCUMENTS, or is None.
FACTSHEETS = [
    {
        "slug": "groepstraining-of-individuele-begeleiding",
        "title": "Groepstraining of individuele begeleiding?",
        "topic": "Keuzehulp",
        "audience": "everyone",
        "summary": (
            "Wanneer past een groep beter dan gesprekken alleen met de POH-GGZ, en wanneer niet? "
            "Deze factsheet helpt patiënt en verwijzer om samen te kiezen."
        ),
        "last_reviewed": datetime.date(2026, 3, 9),
        "pdf": "keuzehulp-groep-of-individueel",
        "body": [
            heading("Wat een groep u geeft"),
            paragraph(
                bullets(
                    "U merkt dat u niet de enige bent. Dat geeft vaak al rust.",
                    "U leert van de ervaringen en tips van anderen.",
                    "U oefent met vaste opdrachten, ook thuis.",
                    "U begint vaak sneller dan bij hulp alleen voor u.",
                )
            ),
            heading("Wanneer gesprekken alleen beter passen"),
            paragraph(
                bullets(
                    "Als u het heel moeilijk vindt om in een groep te praten.",
                    "Als u iets wilt bespreken dat u niet met anderen wilt delen.",
                    "Als u nu snel veel zorg nodig heeft.",
                )
            ),
            paragraph(
                "<p>Een groep en gesprekken gaan ook goed samen. Na de groep kunt u altijd weer terecht "
                "bij uw POH-GGZ.</p>"
            ),
        ],
    },
    {
        "slug": "verwijzen-naar-een-groepstraining",
        "title": "Verwijzen naar een groepstraining",
        "topic": "Verwijzen",
        "audience": "professionals",
        "summary": (
            "Zo verwijst u een patiënt in vijf stappen naar een groepstraining in de regio. "
            "Met wat de patiënt van ons krijgt, en wat u doet als een groep vol is."
        ),
        "last_reviewed": datetime.date(2026, 5, 18),
        "pdf": "stappenplan-verwijzen",
        "body": [
            heading("In vijf stappen"),
            paragraph(
                steps(
                    "Bespreek met de patiënt of een groep past. De gesprekskaart in de toolkit helpt daarbij.",
                    "Kies samen een training en een locatie. Op deze site ziet u welke groepen starten.",
                    "Geef de patiënt de verwijslink of de verwijscode. De patiënt meldt zich zelf aan.",
                    "Vraag toestemming om de voortgang te volgen. Dan ziet u of de patiënt start en de training "
                    "afmaakt.",
                    "Bespreek na afloop hoe het ging, en of er meer nodig is.",
                )
            ),
            heading("Als de groep vol is"),
            paragraph(
                "<p>De patiënt kan op de wachtlijst. Komt er een plek vrij, dan krijgt de eerste op de lijst "
                "die plek aangeboden. Is er een aanmeldstop? Dan ziet u op de site welke locaties nog plek hebben.</p>"
            ),
            faq(
                (
                    "Krijg ik bericht als mijn patiënt start?",
                    "<p>Ja, als de patiënt daar bij de aanmelding toestemming voor geeft. "
                    "U ziet de status dan in uw overzicht van verwijzingen.</p>",
                ),
                (
                    "Krijgt de huisarts een brief?",
                    "<p>Ja. Met toestemming van de patiënt krijgt de huisarts een bericht bij de start "
                    "en na de laatste bijeenkomst.</p>",
                ),
                title="Vragen van verwijzers",
            ),
        ],
    },
    {
        "slug": "wachttijden-en-aanbod-in-de-regio",
        "title": "Wachttijden en aanbod in de regio",
        "topic": "Aanbod",
        "audience": "everyone",
        "summary": (
            "Hoe lang moet u wachten op een groepstraining, en waar is plek? "
            "Uitleg over startdata, wachtlijsten en aanmeldstops in Zuidoost-Brabant."
        ),
        "last_reviewed": datetime.date(2026, 9, 7),
        "pdf": None,
        "body": [
            heading("Hoe vaak start er een groep?"),
            paragraph(
                "<p>Op de grote locaties start bijna elke maand een nieuwe groep. In de kleinere plaatsen "
                "start een groep zodra er genoeg aanmeldingen zijn: minimaal 5 mensen. "
                "Wilt u snel beginnen? Kijk dan ook naar een locatie iets verder weg, of naar een online groep.</p>"
            ),
            heading("Wachtlijst en aanmeldstop"),
            paragraph(
                bullets(
                    "Is een groep vol? Dan kunt u op de wachtlijst. U krijgt bericht als er een plek vrijkomt.",
                    "Elke maand vragen wij of u nog wilt wachten. Zo blijft de wachtlijst kort en eerlijk.",
                    "Soms is een training tijdelijk gesloten: een aanmeldstop. U ziet dan welke andere trainingen "
                    "of locaties wel plek hebben.",
                )
            ),
            quote(
                "Er was in mijn dorp geen plek meer. Ik ben naar Helmond gefietst, twintig minuten. Dat was het waard.",
                "Deelnemer uit Mierlo",
            ),
        ],
    },
    {
        "slug": "ehealth-tijdens-het-wachten",
        "title": "eHealth tijdens het wachten",
        "topic": "eHealth",
        "audience": "professionals",
        "summary": (
            "Wat kunt u een patiënt online aanbieden terwijl die wacht op een groep? "
            "Informatie en oefeningen helpen, maar zijn geen behandeling."
        ),
        "last_reviewed": datetime.date(2026, 10, 12),
        "pdf": None,
        "body": [
            heading("Wat past tijdens het wachten?"),
            paragraph(
                bullets(
                    "Uitleg over klachten als stress, piekeren en slecht slapen.",
                    "Eenvoudige oefeningen, zoals ademhaling en een slaapdagboek.",
                    "Een eerste kennismaking met de onderwerpen van de training.",
                )
            ),
            heading("Waar u op let"),
            paragraph(
                bullets(
                    "Zeg duidelijk dat dit geen behandeling is, maar een voorbereiding.",
                    "Bel de patiënt één keer tijdens het wachten. Vraag hoe het gaat.",
                    "Nemen de klachten toe? Plan dan eerder een gesprek, en kijk opnieuw naar de juiste hulp.",
                )
            ),
            faq(
                (
                    "Kost de online module de patiënt iets?",
                    "<p>Nee. De module hoort bij het aanbod van de praktijk. De eigen bijdrage betaalt de patiënt "
                    "pas bij de aanmelding voor een groep.</p>",
                ),
                title="Vragen van verwijzers",
            ),
        ],
    },
]

# Toolkits. "documents" names documents in documents.DOCUMENTS, in this order.
TOOLKITS = [
    {
        "slug": "toolkit-voor-de-nieuwe-poh-ggz",
        "title": "Toolkit voor de nieuwe POH-GGZ",
        "introduction": (
            "Begint u net als POH-GGZ in een huisartsenpraktijk in onze regio? Welkom! "
            "In deze toolkit vindt u wat u in de eerste maanden nodig heeft: een inwerkplan, een checklist "
            "voor de eerste week, een gesprekskaart voor groepstrainingen en een sociale kaart om zelf in te vullen."
        ),
        "documents": [
            "inwerkplan-nieuwe-poh-ggz",
            "checklist-eerste-werkweek",
            "gesprekskaart-groepstraining",
            "sociale-kaart",
        ],
        "body": [
            heading("Hulp nodig bij het inwerken?"),
            paragraph(
                "<p>Elke drie maanden is er een kennismakingsbijeenkomst voor nieuwe POH's-GGZ in de regio. "
                f"U hoort daar wie wat doet en u ontmoet collega's. Aanmelden kan via {EMAIL_LINK}.</p>"
            ),
        ],
    },
    {
        "slug": "toolkit-voor-de-huisarts-als-werkgever",
        "title": "Toolkit voor de huisarts als werkgever",
        "introduction": (
            "Een goede POH-GGZ vinden en houden vraagt tijd en aandacht. Deze toolkit helpt u als huisarts "
            "en werkgever: van de vacature tot goede werkafspraken en een jaargesprek."
        ),
        "documents": ["werkafspraken-huisarts-poh-ggz", "checklist-poh-ggz-aannemen", "leidraad-jaargesprek"],
        "body": [
            heading("Meedenken over uw situatie?"),
            paragraph(
                "<p>Twijfelt u over het aantal uren, of over werken in loondienst of via de zorggroep? "
                f"Het regiobureau denkt graag mee. Bel {PHONE} of mail naar {EMAIL_LINK}.</p>"
            ),
        ],
    },
]

STANDARD_PAGES = [
    {
        "slug": "over-groepswijzer",
        "title": "Over Groepswijzer",
        "intro": (
            "Groepswijzer is de website voor groepstrainingen in de huisartsenzorg in Zuidoost-Brabant. "
            "Hier vindt u alle trainingen van de regio op één plek."
        ),
        "body": [
            heading("Wie zijn wij?"),
            paragraph(
                f"<p>Groepswijzer is van het {ORGANISATION['name']}. Wij werken voor de samenwerkende "
                "zorggroepen en huisartsenpraktijken in de regio. Wij plannen de groepen, zoeken de locaties "
                "en helpen deelnemers en verwijzers met hun vragen.</p>"
            ),
            heading("Waarom groepstrainingen?"),
            paragraph(
                bullets(
                    "In een groep leert u van anderen, en merkt u dat u niet de enige bent.",
                    "U kunt vaak sneller beginnen dan bij hulp alleen voor u.",
                    "De trainingen zijn dicht bij huis: op 20 locaties in de regio, of online.",
                )
            ),
            heading("Contact"),
            paragraph(
                f"<p>{ORGANISATION['name']}<br/>{ORGANISATION['address']}<br/>"
                f"Telefoon: {PHONE} (op werkdagen van 9.00 tot 12.30 uur)<br/>E-mail: {EMAIL_LINK}</p>"
            ),
        ],
    },
    {
        "slug": "privacyverklaring",
        "title": "Privacyverklaring",
        "intro": "Hier leest u welke gegevens wij van u bewaren, waarom, en hoe lang. En wat uw rechten zijn.",
        "body": [
            heading("Welke gegevens bewaren wij?"),
            paragraph(
                "<p>Als u zich aanmeldt voor een training, vragen wij:</p>"
                + bullets(
                    "uw naam en e-mailadres;",
                    "uw telefoonnummer, als u dat wilt geven;",
                    "uw geboortejaar, omdat de trainingen voor mensen van 18 jaar en ouder zijn;",
                    "uw postcode, om een locatie dicht bij u te vinden;",
                    "uw huisartsenpraktijk, alleen als u toestemming geeft om uw huisarts te informeren.",
                )
            ),
            heading("Wat vragen wij niet?"),
            paragraph(
                "<p>Wij vragen nooit naar uw burgerservicenummer (BSN). Wij vragen ook niet naar een diagnose "
                "of naar uw medische gegevens.</p>"
            ),
            heading("Waarom hebben wij uw gegevens nodig?"),
            paragraph(
                bullets(
                    "Om uw aanmelding te regelen en u een plek in een groep te geven.",
                    "Om u berichten te sturen: een bevestiging, herinneringen en wijzigingen.",
                    "Om de eigen bijdrage te regelen.",
                    "Om uw huisarts te informeren, als u daar toestemming voor geeft.",
                )
            ),
            paragraph(
                "<p>De trainer ziet alleen de namen en contactgegevens van de mensen in de eigen groep. "
                "Wij verkopen uw gegevens nooit. Voor onze cijfers tellen wij aantallen, zonder namen.</p>"
            ),
            heading("Hoe lang bewaren wij uw gegevens?"),
            paragraph(
                "<p>Wij bewaren uw gegevens tot twee jaar na uw laatste bijeenkomst. Daarna wissen wij ze. "
                "Gegevens over betalingen bewaren wij zeven jaar, omdat de wet dat vraagt. "
                "Bij elke toestemming bewaren wij de tekst die u zag en het moment waarop u ja zei.</p>"
            ),
            heading("Uw rechten"),
            paragraph(
                bullets(
                    "U mag uw gegevens inzien.",
                    "U mag fouten laten verbeteren.",
                    "U mag uw gegevens laten wissen, ook voor de bewaartermijn voorbij is.",
                    "U mag een toestemming altijd weer intrekken.",
                )
            ),
            paragraph(
                f"<p>Mail uw vraag naar {EMAIL_LINK}. U krijgt binnen vier weken antwoord. "
                "Bent u het niet eens met hoe wij met uw gegevens omgaan? Dan kunt u een klacht indienen "
                "bij de Autoriteit Persoonsgegevens.</p>"
            ),
            heading("Cookies"),
            paragraph(
                "<p>Wij gebruiken alleen cookies die nodig zijn om de site te laten werken, bijvoorbeeld om "
                "ingelogd te blijven. Wij gebruiken geen cookies om u te volgen.</p>"
            ),
        ],
    },
    {
        "slug": "toegankelijkheid",
        "title": "Toegankelijkheid",
        "intro": (
            "Iedereen moet deze site kunnen gebruiken. Ook als u slecht ziet, niet met een muis werkt of "
            "moeite heeft met lezen."
        ),
        "body": [
            heading("Wat is ons doel?"),
            paragraph(
                "<p>Wij willen voldoen aan de toegankelijkheidsregels WCAG 2.1, niveau AA. "
                "Dat is de norm voor websites van de overheid en de zorg.</p>"
            ),
            heading("Wat doen wij daarvoor?"),
            paragraph(
                bullets(
                    "Wij schrijven in eenvoudige taal (taalniveau B1).",
                    "U kunt de hele site gebruiken met alleen een toetsenbord.",
                    "De site werkt met een schermlezer en met vergroten tot 200 procent.",
                    "Kleuren hebben genoeg contrast, en informatie hangt nooit alleen van kleur af.",
                )
            ),
            heading("Wat is nog niet goed?"),
            paragraph(
                "<p>Sommige pdf-documenten voor professionals zijn nog niet goed leesbaar met een schermlezer. "
                "Wilt u een document in een andere vorm? Vraag het ons, dan sturen wij het u toe.</p>"
            ),
            heading("Loopt u ergens tegenaan?"),
            paragraph(
                f"<p>Laat het ons weten. Mail naar {EMAIL_LINK} of bel {PHONE}. Vertel op welke pagina het was "
                "en wat er misging. U krijgt binnen vijf werkdagen antwoord.</p>"
            ),
        ],
    },
    {
        "slug": "colofon",
        "title": "Colofon",
        "intro": "Wie maakt deze site, en met welke bronnen?",
        "body": [
            heading("Uitgever"),
            paragraph(
                f"<p>{ORGANISATION['name']}, namens de samenwerkende zorggroepen en huisartsenpraktijken "
                f"in Zuidoost-Brabant.<br/>{ORGANISATION['address']}</p>"
            ),
            heading("Teksten"),
            paragraph(
                "<p>De teksten zijn geschreven door de redactie van het regiobureau, samen met trainers, "
                "POH's-GGZ en huisartsen uit de regio. Ervaringen van deelnemers plaatsen wij alleen met hun "
                "toestemming.</p>"
            ),
            heading("Bronnen"),
            paragraph(
                "<p>Afstanden berekenen wij met postcodegegevens van GeoNames "
                '(<a href="https://www.geonames.org">www.geonames.org</a>). Deze gegevens vallen onder de licentie '
                '<a href="https://creativecommons.org/licenses/by/4.0/">Creative Commons '
                "Naamsvermelding 4.0 (CC BY 4.0)</a>.</p>"
            ),
            heading("Techniek"),
            paragraph("<p>De site is gebouwd met vrije software: Django en Wagtail.</p>"),
        ],
    },
]
