"""The demo PDF documents: their texts, and a small renderer that turns them into real PDFs.

The PDFs use the core PDF fonts, which only know latin-1 characters: write
"euro" instead of the euro sign, straight quotes, and a plain hyphen for a dash.

A document is a list of blocks:
    ("h", text)                   heading
    ("p", text)                   paragraph; **bold** is allowed
    ("ul", [items])               bullet list
    ("ol", [items])               numbered list
    ("check", [items])            checklist with empty boxes
    ("lines", n)                  n empty lines to write on
    ("table", header, rows)       table; rows are lists of strings
"""

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from .region import ORGANISATION

PUBLISHER = ORGANISATION["name"]
PHONE = ORGANISATION["phone"]
EMAIL = ORGANISATION["email"]
EDITION = "Versie 2026"

TOOLKIT_POH = "Toolkit voor de nieuwe POH-GGZ"
TOOLKIT_EMPLOYER = "Toolkit voor de huisarts als werkgever"
FACTSHEET = "Factsheet"

# key: title, file name, series (printed above the title), description (for the toolkit), blocks
DOCUMENTS = {
    "inwerkplan-nieuwe-poh-ggz": {
        "title": "Inwerkplan voor de eerste acht weken",
        "series": TOOLKIT_POH,
        "description": (
            "Een plan per week: wie u leert kennen, wat u leest en welke gesprekken u voert. "
            "Met ruimte voor uw eigen aantekeningen."
        ),
        "blocks": [
            (
                "p",
                "Welkom in de praktijk. Dit plan helpt u en uw begeleider om de eerste weken goed te gebruiken. "
                "Bespreek het plan in de eerste week samen. Pas het aan als dat nodig is.",
            ),
            ("h", "Week 1 en 2: kennismaken"),
            (
                "ul",
                [
                    "Kennismaken met de huisartsen, de assistentes en de POH-somatiek.",
                    "Meelopen op het spreekuur van een huisarts en van een collega POH-GGZ.",
                    "Uitleg over het HIS, de agenda en hoe u verslag legt.",
                    "Afspreken wie uw vaste aanspreekpunt is, en wanneer u elkaar spreekt.",
                ],
            ),
            ("h", "Week 3 en 4: de eerste eigen gesprekken"),
            (
                "ul",
                [
                    "Eigen spreekuur, met extra tijd per gesprek.",
                    "Elke dag 15 minuten nabespreken met uw begeleider.",
                    "Kennismaken met het regiobureau groepstrainingen. Vraag op de website Groepswijzer "
                    "een account voor professionals aan.",
                ],
            ),
            ("h", "Week 5 tot en met 8: zelfstandig werken"),
            (
                "ul",
                [
                    "Een volledig spreekuur.",
                    "Elke week overleg met de huisarts over lastige situaties.",
                    "Kennismaken met partners in de wijk: het sociaal team, de praktijkondersteuner jeugd "
                    "en de ggz-aanbieders.",
                    "Voor het eerst verwijzen naar een groepstraining, en samen bespreken hoe dat ging.",
                ],
            ),
            ("h", "Evaluatie na acht weken"),
            (
                "p",
                "Plan een gesprek met de huisarts. Bespreek wat goed gaat, wat lastig is en wat u nog nodig "
                "heeft. Schrijf de afspraken kort op.",
            ),
            ("h", "Mijn aantekeningen"),
            ("lines", 5),
        ],
    },
    "checklist-eerste-werkweek": {
        "title": "Checklist voor de eerste werkweek",
        "series": TOOLKIT_POH,
        "description": (
            "Alles wat geregeld moet zijn voordat u uw eerste patiënt ziet: toegang tot de systemen, "
            "uw agenda, een ruimte en afspraken met de huisarts."
        ),
        "blocks": [
            (
                "p",
                "Zet een kruisje als iets geregeld is. Loop de lijst in de eerste week door, "
                "samen met de praktijkmanager.",
            ),
            ("h", "Praktisch"),
            (
                "check",
                [
                    "Sleutel of pas voor het gebouw, en de code van het alarm.",
                    "Een eigen spreekkamer, of vaste dagen in een kamer.",
                    "Een telefoon, en weten hoe u doorverbindt.",
                    "Uw naam op de website van de praktijk en in de wachtkamer.",
                ],
            ),
            ("h", "Systemen"),
            (
                "check",
                [
                    "Inlog voor het HIS, met de juiste rechten.",
                    "Toegang tot de beveiligde mail en het verwijsportaal.",
                    "Een agenda met blokken voor spreekuur, telefonisch spreekuur en overleg.",
                    "Een account voor professionals op de website Groepswijzer.",
                ],
            ),
            ("h", "Afspraken"),
            (
                "check",
                [
                    "U weet wie uw vaste aanspreekpunt is.",
                    "U weet hoe u een huisarts bereikt tijdens het spreekuur, ook bij spoed.",
                    "U kent het protocol voor een patiënt in crisis, en de telefoonnummers.",
                    "Het vaste overleg met de huisarts staat in de agenda.",
                ],
            ),
            ("h", "Nog niet geregeld?"),
            (
                "p",
                "Schrijf hieronder op wat nog ontbreekt. Bespreek het aan het eind van de week met de praktijkmanager.",
            ),
            ("lines", 4),
        ],
    },
    "gesprekskaart-groepstraining": {
        "title": "Gesprekskaart: past een groep bij deze patiënt?",
        "series": TOOLKIT_POH,
        "description": (
            "Vragen om samen met de patiënt te bekijken of een groepstraining past. "
            "Met de signalen waarbij een groep nu niet de goede keuze is."
        ),
        "blocks": [
            (
                "p",
                "Gebruik deze kaart in het gesprek met uw patiënt. De vragen zijn een hulpmiddel, geen test. "
                "U beslist samen.",
            ),
            ("h", "Vragen voor het gesprek"),
            (
                "ol",
                [
                    "Wat wilt u bereiken? Wat is er anders als de training klaar is?",
                    "Hoe vindt u het om met andere mensen in een groep te zitten?",
                    "Kunt u vijf keer op een vaste dag en tijd komen?",
                    "Heeft u tijd om thuis te oefenen, ongeveer een half uur per dag?",
                    "Welke locatie kunt u goed bereiken? Of past online beter?",
                    "Wilt u samen met uw partner meedoen?",
                ],
            ),
            ("h", "Een groep past vaak goed als de patiënt"),
            (
                "ul",
                [
                    "lichte tot matige klachten heeft, zoals stress, piekeren of somberheid;",
                    "zelf aan de slag wil;",
                    "steun en herkenning zoekt bij anderen.",
                ],
            ),
            ("h", "Kies nu niet voor een groep als de patiënt"),
            (
                "ul",
                [
                    "in een acute crisis zit, of aan zelfdoding denkt;",
                    "een ernstige depressie heeft, of psychotische klachten;",
                    "op dit moment verslaafd is aan alcohol of drugs;",
                    "zich in een groep niet veilig voelt, bijvoorbeeld door geweld thuis.",
                ],
            ),
            ("p", f"Twijfelt u? Overleg met de huisarts, of bel het regiobureau: {PHONE}."),
            ("h", "Na het gesprek"),
            (
                "p",
                "Past een groep? Geef uw patiënt de verwijslink of de verwijscode. De patiënt meldt zich zelf aan. "
                "Met toestemming van de patiënt ziet u of hij of zij is begonnen.",
            ),
        ],
    },
    "sociale-kaart": {
        "title": "Sociale kaart: wie doet wat in uw wijk",
        "series": TOOLKIT_POH,
        "description": (
            "Een lijst om zelf in te vullen: welke partners in de wijk en in de ggz u kunt bellen, en waarvoor."
        ),
        "blocks": [
            (
                "p",
                "Een goede sociale kaart scheelt veel zoeken. Vul deze lijst in de eerste maand in, "
                "samen met een collega. Kijk er elk half jaar opnieuw naar: mensen en nummers veranderen.",
            ),
            (
                "table",
                ["Waarvoor", "Wie of welke organisatie", "Telefoon of e-mail"],
                [
                    ["Sociaal team van de gemeente", "", ""],
                    ["Hulp bij schulden", "", ""],
                    ["Welzijnswerk en maatjes", "", ""],
                    ["Steun voor mantelzorgers", "", ""],
                    ["Basis-ggz", "", ""],
                    ["Specialistische ggz", "", ""],
                    ["Verslavingszorg", "", ""],
                    ["Crisisdienst (via de huisarts)", "", ""],
                    ["Groepstrainingen", "Regiobureau Groepstrainingen", PHONE],
                    ["Geweld thuis", "Veilig Thuis", "0800-2000 (gratis)"],
                ],
            ),
            ("h", "Tip"),
            (
                "p",
                "Ga op de koffie bij de partners die u het vaakst nodig heeft. "
                "Als u elkaar kent, belt u sneller, en wordt u sneller geholpen.",
            ),
        ],
    },
    "werkafspraken-huisarts-poh-ggz": {
        "title": "Werkafspraken huisarts en POH-GGZ (voorbeeld)",
        "series": TOOLKIT_EMPLOYER,
        "description": (
            "Een voorbeeld van afspraken over taken, overleg, bereikbaarheid en verantwoordelijkheid. "
            "Pas het aan voor uw eigen praktijk."
        ),
        "blocks": [
            (
                "p",
                "Goede afspraken geven rust, voor u en voor uw POH-GGZ. Gebruik dit voorbeeld als begin. "
                "Bespreek het samen en pas het aan.",
            ),
            ("h", "1. Taken"),
            (
                "ul",
                [
                    "**De POH-GGZ** voert gesprekken met patiënten met psychische klachten, maakt samen met hen "
                    "een plan en verwijst door als dat nodig is.",
                    "**De huisarts** blijft hoofdbehandelaar en is eindverantwoordelijk.",
                    "**Groepstrainingen:** de POH-GGZ bespreekt met de patiënt of een groep past, en verwijst zelf.",
                ],
            ),
            ("h", "2. Overleg"),
            (
                "ul",
                [
                    "Elke week een half uur vast overleg over patiënten.",
                    "Twijfelt de POH-GGZ over de veiligheid van een patiënt? Dan belt de POH-GGZ direct de huisarts.",
                    "Eén keer per kwartaal bespreekt u samen de werkdruk en de wachttijd.",
                ],
            ),
            ("h", "3. Agenda en bereikbaarheid"),
            (
                "ul",
                [
                    "Een gesprek duurt 30 minuten; een eerste gesprek 45 minuten.",
                    "Elke dag is er tijd voor verslag en telefoon.",
                    "Bij ziekte of vakantie spreekt de praktijk af wie de patiënten opvangt.",
                ],
            ),
            ("h", "4. Scholing en intervisie"),
            (
                "ul",
                [
                    "De POH-GGZ volgt elk jaar scholing, in overleg over onderwerp en tijd.",
                    "Intervisie met andere POH's-GGZ in de regio staat vast in de agenda.",
                ],
            ),
            ("h", "Ondertekening"),
            ("p", "Datum: .........................................."),
            ("p", "Huisarts: .........................................."),
            ("p", "POH-GGZ: .........................................."),
        ],
    },
    "checklist-poh-ggz-aannemen": {
        "title": "Checklist: een nieuwe POH-GGZ aannemen",
        "series": TOOLKIT_EMPLOYER,
        "description": (
            "Van vacature tot eerste werkdag: alle stappen op een rij, met aandacht voor ruimte, "
            "apparatuur en scholing."
        ),
        "blocks": [
            ("h", "Voor de vacature"),
            (
                "check",
                [
                    "Bepaal het aantal uren. Kijk naar het aantal patiënten en de wachttijd.",
                    "Kies: in loondienst, via de zorggroep of via een detacheringsbureau.",
                    "Schrijf op welke opleiding en ervaring nodig zijn.",
                    "Zorg voor een spreekkamer die rustig is en waar niemand meeluistert.",
                ],
            ),
            ("h", "Sollicitatie"),
            (
                "check",
                [
                    "Voer het gesprek met twee mensen, bijvoorbeeld een huisarts en de praktijkmanager.",
                    "Vraag naar ervaring met groepen en met eHealth.",
                    "Vraag naar referenties.",
                    "Controleer de diploma's en de registratie.",
                ],
            ),
            ("h", "Voor de eerste werkdag"),
            (
                "check",
                [
                    "Arbeidsovereenkomst en VOG (verklaring omtrent het gedrag) zijn geregeld.",
                    "De inlog voor het HIS en de beveiligde mail is aangevraagd.",
                    "Het inwerkplan is klaar. Zie de Toolkit voor de nieuwe POH-GGZ.",
                    "Alle collega's weten wanneer de nieuwe POH-GGZ begint.",
                ],
            ),
            ("h", "Na drie maanden"),
            (
                "check",
                [
                    "Het evaluatiegesprek is gepland.",
                    "De werkafspraken zijn samen bekeken en waar nodig aangepast.",
                ],
            ),
        ],
    },
    "leidraad-jaargesprek": {
        "title": "Leidraad voor het jaargesprek met uw POH-GGZ",
        "series": TOOLKIT_EMPLOYER,
        "description": "Vragen voor een goed gesprek over werkdruk, groei en samenwerking, één keer per jaar.",
        "blocks": [
            (
                "p",
                "Neem één keer per jaar de tijd voor een goed gesprek. Het gaat niet over patiënten, "
                "maar over het werk zelf. Stuur de vragen een week vooraf, zodat u zich allebei kunt voorbereiden.",
            ),
            ("h", "Terugkijken"),
            (
                "ol",
                [
                    "Waar bent u dit jaar trots op?",
                    "Wat kostte veel energie?",
                    "Hoe was de werkdruk? Was er genoeg tijd per patiënt?",
                ],
            ),
            ("h", "Samenwerken"),
            (
                "ol",
                [
                    "Hoe gaat het overleg met de huisartsen?",
                    "Weet u bij wie u terecht kunt als het spannend wordt?",
                    "Wat kan de praktijk doen om uw werk makkelijker te maken?",
                ],
            ),
            ("h", "Vooruitkijken"),
            (
                "ol",
                [
                    "Welke scholing wilt u volgen?",
                    "Wilt u groepstrainingen gaan geven, of meer eHealth gebruiken?",
                    "Wat spreken we af voor het komende jaar?",
                ],
            ),
            ("h", "Afspraken"),
            ("lines", 5),
        ],
    },
    "keuzehulp-groep-of-individueel": {
        "title": "Keuzehulp: een groep, of gesprekken alleen?",
        "series": FACTSHEET,
        "description": "Voor patiënt en verwijzer: wanneer past een groep, en wanneer gesprekken alleen?",
        "blocks": [
            (
                "p",
                "U heeft last van stress, piekeren of somberheid. U kunt dan gesprekken hebben met de POH-GGZ. "
                "U kunt ook meedoen aan een groepstraining. Of allebei. Deze keuzehulp helpt u kiezen.",
            ),
            ("h", "Een groep past bij u als u"),
            (
                "ul",
                [
                    "graag van anderen leert, en wilt merken dat u niet de enige bent;",
                    "op een vaste dag en tijd kunt komen;",
                    "thuis wilt oefenen met wat u leert;",
                    "ongeveer weet waar u aan wilt werken.",
                ],
            ),
            ("h", "Gesprekken alleen passen beter als u"),
            (
                "ul",
                [
                    "het heel moeilijk vindt om in een groep te praten;",
                    "iets wilt bespreken wat u niet met anderen wilt delen;",
                    "nu snel veel zorg nodig heeft.",
                ],
            ),
            ("h", "Goed om te weten"),
            (
                "ul",
                [
                    "In de groep bepaalt u zelf wat u vertelt.",
                    "Wat in de groep gezegd wordt, blijft in de groep.",
                    "De eigen bijdrage is meestal 35 euro per training.",
                    "Na de groep kunt u altijd weer bij uw POH-GGZ terecht.",
                ],
            ),
            ("h", "Acute nood?"),
            (
                "p",
                "Bel dan direct uw huisarts, of 's avonds en in het weekend de huisartsenpost. "
                "Bij levensgevaar belt u 112. Denkt u aan zelfdoding? Bel 113 Zelfmoordpreventie: 0800-0113.",
            ),
        ],
    },
    "stappenplan-verwijzen": {
        "title": "Stappenplan: verwijzen naar een groepstraining",
        "series": FACTSHEET,
        "description": "Voor POH-GGZ, huisarts en psycholoog: zo verwijst u een patiënt in vijf stappen.",
        "blocks": [
            ("p", "Voor POH-GGZ, huisarts en psycholoog. Zo verwijst u een patiënt in vijf stappen."),
            (
                "ol",
                [
                    "**Bespreek** met de patiënt of een groep past. Gebruik de gesprekskaart uit de "
                    "Toolkit voor de nieuwe POH-GGZ.",
                    "**Kies samen** een training en een locatie. Op de website ziet u welke groepen starten "
                    "en of er plek is.",
                    "**Geef** de patiënt de verwijslink of de verwijscode. De patiënt meldt zich zelf aan.",
                    "**Vraag toestemming** om de voortgang te volgen. Dan ziet u of de patiënt is begonnen "
                    "en of hij of zij de training afmaakt.",
                    "**Bespreek na afloop** hoe het ging. Is er meer nodig? Kijk dan samen naar de volgende stap.",
                ],
            ),
            ("h", "Wat de patiënt van ons krijgt"),
            (
                "ul",
                [
                    "een bevestiging per e-mail, met de data van alle bijeenkomsten;",
                    "een telefoontje van de trainer voor de eerste bijeenkomst;",
                    "een herinnering voor elke bijeenkomst.",
                ],
            ),
            ("h", "Als de groep vol is"),
            (
                "p",
                "De patiënt kan op de wachtlijst. Komt er een plek vrij, dan krijgt de eerste op de lijst die plek "
                "aangeboden. Is er een aanmeldstop? Dan ziet u op de website welke locaties nog plek hebben.",
            ),
            ("h", "Vragen?"),
            ("p", f"Bel het regiobureau op werkdagen van 9.00 tot 12.30 uur: {PHONE}. Of mail naar {EMAIL}."),
        ],
    },
}


class _DemoPdf(FPDF):
    LINE = 6
    GREY = (90, 90, 90)

    def __init__(self, series):
        super().__init__(format="A4")
        self.series = series
        self.set_margins(20, 20, 20)
        self.set_auto_page_break(True, margin=20)

    def header(self):
        self.set_font("Helvetica", size=9)
        self.set_text_color(*self.GREY)
        self.cell(0, 5, f"Groepswijzer - {self.series}", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(4)
        self.set_text_color(0, 0, 0)

    def footer(self):
        self.set_y(-15)
        self.set_font("Helvetica", size=8)
        self.set_text_color(*self.GREY)
        self.cell(0, 5, f"{PUBLISHER} - {EDITION} - pagina {self.page_no()} van {{nb}}", align="C")


def _write_item(pdf, marker, text):
    """One list item with a hanging indent; marker is text, or None for a checkbox."""
    indent = 8
    x, y = pdf.l_margin, pdf.get_y()
    if pdf.will_page_break(pdf.LINE * 2):
        pdf.add_page()
        y = pdf.get_y()
    if marker is None:
        pdf.rect(x + 0.5, y + 1.2, 3.6, 3.6)
    else:
        pdf.set_xy(x, y)
        pdf.cell(indent, pdf.LINE, marker)
    pdf.set_xy(x + indent, y)
    pdf.multi_cell(0, pdf.LINE, text, markdown=True, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(1)


def render_pdf(document):
    """The PDF of one entry of DOCUMENTS, as bytes."""
    pdf = _DemoPdf(document["series"])
    pdf.set_title(document["title"])
    pdf.set_author(PUBLISHER)
    pdf.set_lang("nl")
    pdf.add_page()
    pdf.set_font("Helvetica", style="B", size=17)
    pdf.multi_cell(0, 8, document["title"], align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(3)
    for block in document["blocks"]:
        kind = block[0]
        pdf.set_font("Helvetica", size=11)
        if kind == "h":
            if pdf.will_page_break(pdf.LINE * 3):
                pdf.add_page()
            pdf.ln(2)
            pdf.set_font("Helvetica", style="B", size=13)
            pdf.multi_cell(0, 7, block[1], align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            pdf.ln(1)
        elif kind == "p":
            pdf.multi_cell(0, pdf.LINE, block[1], markdown=True, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            pdf.ln(2)
        elif kind == "ul":
            for item in block[1]:
                _write_item(pdf, "-", item)
        elif kind == "ol":
            for number, item in enumerate(block[1], start=1):
                _write_item(pdf, f"{number}.", item)
        elif kind == "check":
            for item in block[1]:
                _write_item(pdf, None, item)
        elif kind == "lines":
            for _ in range(block[1]):
                pdf.ln(8)
                y = pdf.get_y()
                pdf.set_draw_color(160, 160, 160)
                pdf.line(pdf.l_margin, y, pdf.w - pdf.r_margin, y)
            pdf.set_draw_color(0, 0, 0)
            pdf.ln(2)
        elif kind == "table":
            header, rows = block[1], block[2]
            pdf.set_font("Helvetica", size=10)
            with pdf.table(col_widths=(40, 35, 25), line_height=7, text_align="LEFT") as table:
                for values in [header, *rows]:
                    row = table.row()
                    for value in values:
                        row.cell(value)
            pdf.ln(3)
        else:
            raise ValueError(f"Unknown block {kind!r} in {document['title']!r}")
    return bytes(pdf.output())
