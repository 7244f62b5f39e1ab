"""The demo region, Zuidoost-Brabant: the regional office, themes, trainers and locations.

Towns and four-digit postcodes are real (each one is in booking/data/nl-pc4.csv);
names of buildings, streets, letter pairs and people are invented.
"""

ORGANISATION = {
    "name": "Regiobureau Groepstrainingen Zuidoost-Brabant",
    "region": "Zuidoost-Brabant",
    "email": "info@groepswijzer.example",
    "phone": "040-1234567",
    "phone_hours": "Op werkdagen van 9.00 tot 12.30 uur.",
    "address": "Kastanjelaan 40, 5611 KL Eindhoven",
    "crisis_text": (
        "Bel bij levensgevaar 112. Bel anders uw huisarts, of 's avonds en in het weekend "
        "de huisartsenpost. Denkt u aan zelfdoding? Bel 113 Zelfmoordpreventie: 0800-0113 (gratis)."
    ),
}

# (name, description); the slug follows from the name.
THEMES = [
    ("Stress en spanning", "Voor wie zich vaak gejaagd of gespannen voelt en moeilijk tot rust komt."),
    ("Somberheid", "Voor wie zich vaak somber, lusteloos of neerslachtig voelt."),
    ("Piekeren", "Voor wie gedachten steeds in het hoofd blijven rondgaan."),
    ("Communicatie en relaties", "Voor wie praten met anderen vaak moeilijk vindt, thuis of op het werk."),
    ("Zelfzorg en grenzen", "Voor wie vaak over de eigen grenzen gaat en te weinig aan zichzelf toekomt."),
    ("Slaap", "Voor wie slecht inslaapt, vaak wakker wordt of moe opstaat."),
    ("Rouw en verlies", "Voor wie iemand of iets verloren heeft en daar veel last van heeft."),
    ("Veerkracht", "Voor wie sterker wil worden om met tegenslag om te gaan."),
]

# Keys are used by the course data below to point at trainers.
TRAINERS = {
    "marieke": {
        "name": "Marieke van den Heuvel",
        "profession": "Psychosociaal therapeut",
        "bio": (
            "Marieke werkt al vijftien jaar met groepen. Zij vindt het mooi om te zien hoe mensen "
            "elkaar verder helpen. In haar groepen let zij erop dat iedereen zich veilig voelt."
        ),
    },
    "joelle": {
        "name": "Joëlle Bakker",
        "profession": "POH-GGZ",
        "bio": (
            "Joëlle is POH-GGZ in een huisartsenpraktijk in Helmond. Zij geeft Mentaal Fit samen met "
            "een psychosociaal therapeut. Zij houdt van oefeningen die u thuis meteen kunt doen."
        ),
    },
    "sven": {
        "name": "Sven de Wijs",
        "profession": "Mindfulnesstrainer",
        "bio": (
            "Sven geeft al tien jaar mindfulnesstrainingen en oefent zelf elke dag. "
            "In zijn groepen is ruimte voor vragen en voor twijfel."
        ),
    },
    "fatima": {
        "name": "Fatima el Idrissi",
        "profession": "GZ-psycholoog",
        "bio": (
            "Fatima werkt als GZ-psycholoog in de huisartsenzorg. Zij helpt vooral mensen die veel "
            "piekeren of slecht slapen. Zij legt moeilijke dingen uit in gewone woorden."
        ),
    },
    "ruud": {
        "name": "Ruud IJzerman",
        "profession": "POH-GGZ",
        "bio": (
            "Ruud werkt als POH-GGZ in Deurne en Asten. Hij begeleidt groepen voor ouderen "
            "en voor mensen die iemand verloren hebben."
        ),
    },
    "anouk": {
        "name": "Anouk Verbeek",
        "profession": "Mindfulnesstrainer",
        "bio": (
            "Anouk was eerst verpleegkundige en is nu mindfulnesstrainer. "
            "Zij geeft de online groepen en de vervolgbijeenkomsten."
        ),
    },
    "thijs": {
        "name": "Thijs van der Linden",
        "profession": "Systeemtherapeut",
        "bio": (
            "Thijs helpt mensen om beter naar elkaar te luisteren. Partners zijn in zijn groepen van harte welkom."
        ),
    },
}

HEALTH_CENTRE = "gezondheidscentrum"
GP_PRACTICE = "huisartsenpraktijk"
COMMUNITY = "wijkgebouw"
ONLINE = "online"

# Keys are used by the course data to point at locations.
LOCATIONS = {
    "eindhoven-centrum": {
        "name": "Gezondheidscentrum De Kastanje",
        "kind": HEALTH_CENTRE,
        "address": "Kastanjelaan 42",
        "postcode": "5611 KL",
        "town": "Eindhoven",
        "accessibility_notes": (
            "Lift aanwezig. De groepsruimte is op de eerste verdieping. "
            "U loopt in 5 minuten vanaf station Eindhoven Centraal."
        ),
    },
    "eindhoven-woensel": {
        "name": "Wijkcentrum De Ontmoeting",
        "kind": COMMUNITY,
        "address": "Plataanstraat 8",
        "postcode": "5622 BR",
        "town": "Eindhoven",
        "accessibility_notes": "Alles is op de begane grond. Gratis parkeren voor de deur. Bushalte om de hoek.",
    },
    "helmond": {
        "name": "Gezondheidscentrum Het Ankerpunt",
        "kind": HEALTH_CENTRE,
        "address": "Ankerstraat 15",
        "postcode": "5701 PA",
        "town": "Helmond",
        "accessibility_notes": "Lift en invalidentoilet aanwezig. Betaald parkeren in de garage naast het gebouw.",
    },
    "geldrop": {
        "name": "Huisartsenpraktijk De Molenwiek",
        "kind": GP_PRACTICE,
        "address": "Molenwiekstraat 3",
        "postcode": "5663 GW",
        "town": "Geldrop",
        "accessibility_notes": "Groepsruimte op de begane grond. Bij de ingang is een drempel; er ligt een oprijplaat.",
    },
    "nuenen": {
        "name": "Gezondheidscentrum Het Weverke",
        "kind": HEALTH_CENTRE,
        "address": "Weverspad 21",
        "postcode": "5671 CT",
        "town": "Nuenen",
        "accessibility_notes": "Lift aanwezig. Twee invalidenparkeerplaatsen bij de hoofdingang.",
    },
    "veldhoven": {
        "name": "Gezondheidscentrum Oude Kempen",
        "kind": HEALTH_CENTRE,
        "address": "Kempenlaan 60",
        "postcode": "5503 HK",
        "town": "Veldhoven",
        "accessibility_notes": "Alles op de begane grond. Ringleiding in de groepsruimte.",
    },
    "best": {
        "name": "Huisartsenpraktijk Het Kwadrant",
        "kind": GP_PRACTICE,
        "address": "Kwadrantweg 5",
        "postcode": "5684 ET",
        "town": "Best",
        "accessibility_notes": (
            "De groepsruimte is op de eerste verdieping, met lift. Fietsenstalling aan de achterkant."
        ),
    },
    "valkenswaard": {
        "name": "Gezondheidscentrum Dommeldal",
        "kind": HEALTH_CENTRE,
        "address": "Dommelkade 12",
        "postcode": "5552 MV",
        "town": "Valkenswaard",
        "accessibility_notes": "Lift en invalidentoilet aanwezig. Gratis parkeren op het plein.",
    },
    "waalre": {
        "name": "Huisartsenpraktijk Het Loo",
        "kind": GP_PRACTICE,
        "address": "Looiersweg 4",
        "postcode": "5582 GJ",
        "town": "Waalre",
        "accessibility_notes": "Groepsruimte op de begane grond. Beperkt parkeren; kom liever met de fiets of de bus.",
    },
    "son-en-breugel": {
        "name": "Wijkgebouw De Ekker",
        "kind": COMMUNITY,
        "address": "Ekkerstraat 2",
        "postcode": "5691 NB",
        "town": "Son en Breugel",
        "accessibility_notes": "Alles op de begane grond. Invalidentoilet aanwezig.",
    },
    "deurne": {
        "name": "Gezondheidscentrum De Peel",
        "kind": HEALTH_CENTRE,
        "address": "Peelstraat 30",
        "postcode": "5751 RT",
        "town": "Deurne",
        "accessibility_notes": "Lift aanwezig. Gratis parkeren achter het gebouw.",
    },
    "asten": {
        "name": "Huisartsenpraktijk De Beiaard",
        "kind": GP_PRACTICE,
        "address": "Beiaardplein 7",
        "postcode": "5721 HW",
        "town": "Asten",
        "accessibility_notes": (
            "Groepsruimte op de eerste verdieping, zonder lift. Vraag naar een andere ruimte als trappen lastig zijn."
        ),
    },
    "someren": {
        "name": "Wijkgebouw 't Zwaantje",
        "kind": COMMUNITY,
        "address": "Zwanenstraat 14",
        "postcode": "5711 CN",
        "town": "Someren",
        "accessibility_notes": "Alles op de begane grond. Ringleiding aanwezig.",
    },
    "gemert": {
        "name": "Gezondheidscentrum De Kommanderij",
        "kind": HEALTH_CENTRE,
        "address": "Ridderstraat 9",
        "postcode": "5421 KE",
        "town": "Gemert",
        "accessibility_notes": "Lift en invalidentoilet aanwezig. Parkeren op het plein aan de overkant.",
    },
    "mierlo": {
        "name": "Huisartsenpraktijk De Heihoef",
        "kind": GP_PRACTICE,
        "address": "Heihoefstraat 11",
        "postcode": "5731 BT",
        "town": "Mierlo",
        "accessibility_notes": "Groepsruimte op de begane grond. Rolstoel aanwezig bij de balie.",
    },
    "leende": {
        "name": "Huisartsenpraktijk Het Heike",
        "kind": GP_PRACTICE,
        "address": "Heikestraat 5",
        "postcode": "5595 CE",
        "town": "Leende",
        "accessibility_notes": "Alles op de begane grond. Gratis parkeren voor de deur.",
    },
    "budel": {
        "name": "Gezondheidscentrum De Zinkhof",
        "kind": HEALTH_CENTRE,
        "address": "Zinkweg 18",
        "postcode": "6021 AZ",
        "town": "Budel",
        "accessibility_notes": "Lift aanwezig. Automatische deuren bij de ingang.",
    },
    "bergeijk": {
        "name": "Dorpshuis 't Hof",
        "kind": COMMUNITY,
        "address": "Hofstraat 3",
        "postcode": "5571 EK",
        "town": "Bergeijk",
        "accessibility_notes": "Alles op de begane grond. Invalidenparkeerplaats bij de ingang.",
    },
    "eersel": {
        "name": "Gezondheidscentrum De Brink",
        "kind": HEALTH_CENTRE,
        "address": "Brinklaan 6",
        "postcode": "5521 LN",
        "town": "Eersel",
        "accessibility_notes": "Lift en invalidentoilet aanwezig. Fietsenstalling voor de deur.",
    },
    "oirschot": {
        "name": "Huisartsenpraktijk Oude Toren",
        "kind": GP_PRACTICE,
        "address": "Torenstraat 22",
        "postcode": "5688 AD",
        "town": "Oirschot",
        "accessibility_notes": (
            "Groepsruimte op de begane grond. Smalle gang; met een scootmobiel kunt u via de zij-ingang."
        ),
    },
    "online": {
        "name": "Online (videobellen)",
        "kind": ONLINE,
        "address": "",
        "postcode": "",
        "town": "",
        "accessibility_notes": (
            "U doet mee vanuit huis, met een computer, tablet of telefoon met camera. "
            "Voor de eerste bijeenkomst krijgt u uitleg en kunt u de verbinding testen."
        ),
    },
}
