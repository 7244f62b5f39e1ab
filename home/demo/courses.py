"""The demo trainings, in the order they appear in the page tree."""

from decimal import Decimal

from .stream import bullets, faq, heading, paragraph, quote

CRISIS = "u nu in een crisis zit, of aan zelfdoding denkt"
SEVERE_DEPRESSION = "u een ernstige depressie heeft"
ADDICTION = "u op dit moment verslaafd bent aan alcohol, drugs of medicijnen"

TALK_TO_GP = (
    "<p>Praat met uw huisarts of POH-GGZ. Samen zoekt u hulp die wel past. Dat kan ook hulp alleen voor u zijn.</p>"
)
URGENT_HELP = "<p>Heeft u nu direct hulp nodig? Bel uw huisarts of de huisartsenpost. Bij levensgevaar belt u 112.</p>"

MISSED_SESSION = (
    "Wat als ik een keer niet kan?",
    "<p>Laat het de trainer dan zo snel mogelijk weten. U krijgt de oefeningen mee voor thuis. "
    "Mist u meer dan één bijeenkomst? Dan bespreekt de trainer met u of de training nu goed past.</p>",
)
WHAT_YOU_SHARE = (
    "Moet ik in de groep over mijn problemen praten?",
    "<p>Nee. U bepaalt zelf wat u vertelt. Wat in de groep gezegd wordt, blijft in de groep.</p>",
)


def costs(amount_text):
    return (
        "Wat kost de training?",
        f"<p>U betaalt een eigen bijdrage van {amount_text}. U kunt online betalen of bij de eerste bijeenkomst. "
        "Kunt u dit niet betalen? Neem dan contact op met het regiobureau. Samen zoeken we een oplossing.</p>",
    )


COURSES = [
    {
        "slug": "mentaal-fit",
        "title": "Mentaal Fit",
        "summary": (
            "In vijf bijeenkomsten leert u beter omgaan met stress en spanning. U oefent met ontspannen, "
            "grenzen aangeven en anders kijken naar negatieve gedachten."
        ),
        "themes": ["stress-en-spanning", "piekeren", "zelfzorg-en-grenzen"],
        "complaints": (
            "stress en spanning\nonrust in uw hoofd\nsnel moe of prikkelbaar\npiekeren\nmoeite met nee zeggen"
        ),
        "learning_goals": (
            "merken wanneer de spanning oploopt\n"
            "ontspannen met eenvoudige oefeningen\n"
            "uw grenzen aangeven\n"
            "negatieve gedachten herkennen en bijsturen\n"
            "een plan maken voor moeilijke momenten"
        ),
        "audience": "adults",
        "couples_welcome": False,
        "session_count": 5,
        "hours_per_session": Decimal("2.0"),
        "frequency": "weekly",
        "delivery": "in_person",
        "has_homework": True,
        "has_group_chat": False,
        "has_reference_material": True,
        "contribution": Decimal("35.00"),
        "trainers": ["marieke", "joelle"],
        "locations": [
            "eindhoven-centrum",
            "helmond",
            "geldrop",
            "veldhoven",
            "valkenswaard",
            "deurne",
            "gemert",
            "budel",
        ],
        "suitable_for": bullets(
            "u last heeft van lichte of matige stress of spanning",
            "u zelf aan de slag wilt, ook thuis tussen de bijeenkomsten",
            "u het fijn vindt om te leren van anderen in een groep",
        ),
        "not_suitable_for": bullets(
            CRISIS, SEVERE_DEPRESSION, ADDICTION, "u niet bij alle vijf de bijeenkomsten kunt zijn"
        ),
        "alternative_advice": TALK_TO_GP + URGENT_HELP,
        "follow_up": "communicatie-van-praten-naar-verbinding",
        "follow_up_text": (
            "Wilt u daarna verder oefenen met hoe u met anderen praat? "
            "Dan past de training Communicatie: van praten naar verbinding."
        ),
        "body": [
            heading("Wat kunt u verwachten?"),
            paragraph(
                "<p>U zit in een groep van 5 tot 10 mensen. Twee trainers begeleiden de groep. "
                "Elke week staat één onderwerp centraal: spanning herkennen, ontspannen, grenzen, "
                "gedachten en een plan voor later. U krijgt een werkboek om in te lezen en te schrijven. "
                "Na elke bijeenkomst krijgt u een kleine opdracht mee voor thuis.</p>"
            ),
            quote(
                "Ik dacht dat ik de enige was die zo opzag tegen elke werkdag. "
                "In de groep merkte ik dat anderen hetzelfde voelden. Dat luchtte op.",
                "Deelnemer Mentaal Fit, Helmond",
            ),
            faq(
                WHAT_YOU_SHARE,
                costs("35 euro"),
                MISSED_SESSION,
                (
                    "Heb ik een verwijzing nodig?",
                    "<p>Nee, u kunt zich zelf aanmelden. Wel is het verstandig om het eerst met uw huisarts "
                    "of POH-GGZ te bespreken. Zij weten of deze training bij u past.</p>",
                ),
            ),
        ],
    },
    {
        "slug": "mindfulness",
        "title": "Mindfulness",
        "summary": (
            "U leert met aandacht te leven, hier en nu. Zo gaat u rustiger om met stress, zorgen en lastige gevoelens."
        ),
        "themes": ["stress-en-spanning", "piekeren", "somberheid"],
        "complaints": ("stress\npiekeren\nsomberheid die steeds terugkomt\nonrust\nmoeilijk kunnen ontspannen"),
        "learning_goals": (
            "uw aandacht richten op uw adem en uw lichaam\n"
            "merken wat er in u gebeurt, zonder meteen te oordelen\n"
            "even stoppen voordat u automatisch reageert\n"
            "elke dag een paar minuten oefenen"
        ),
        "audience": "adults",
        "couples_welcome": False,
        "session_count": 8,
        "hours_per_session": Decimal("2.5"),
        "frequency": "weekly",
        "delivery": "blended",
        "has_homework": True,
        "has_group_chat": False,
        "has_reference_material": True,
        "has_online_module": True,
        "contribution": Decimal("35.00"),
        "trainers": ["sven", "anouk"],
        "locations": ["eindhoven-woensel", "helmond", "nuenen", "best", "waalre", "someren", "eersel"],
        "suitable_for": bullets(
            "u last heeft van stress, piekeren of sombere buien",
            "u elke dag ongeveer een half uur wilt oefenen",
            "u nieuwsgierig bent naar een andere manier van omgaan met zorgen",
        ),
        "not_suitable_for": bullets(
            CRISIS,
            SEVERE_DEPRESSION,
            ADDICTION,
            "u kort geleden een psychose had, of iets heel schokkends heeft meegemaakt",
        ),
        "alternative_advice": TALK_TO_GP + URGENT_HELP,
        "follow_up": "mindfulness-blijven-oefenen",
        "follow_up_text": (
            "Na de training kunt u meedoen aan Mindfulness: blijven oefenen. "
            "Vier bijeenkomsten om samen de draad vast te houden."
        ),
        "body": [
            heading("Wat kunt u verwachten?"),
            paragraph(
                "<p>De training heeft acht bijeenkomsten op locatie. U doet oefeningen in zitten, liggen en lopen. "
                "Daarna praat u in de groep over wat u merkte. Thuis oefent u met geluidsopnames in de online module. "
                "U krijgt ook een map met uitleg om terug te lezen.</p>"
            ),
            quote(
                "Mijn zorgen zijn niet weg. Maar ik word er niet meer zo door meegesleept.",
                "Deelnemer Mindfulness, Nuenen",
            ),
            faq(
                (
                    "Is mindfulness iets zweverigs?",
                    "<p>Nee. Het gaat om aandacht: merken wat er nu gebeurt. "
                    "U hoeft niets te geloven en u hoeft geen lastige houdingen aan te nemen.</p>",
                ),
                (
                    "Hoeveel tijd kost het thuis?",
                    "<p>Reken op ongeveer een half uur per dag. Dat is veel, maar het is ook wat het verschil "
                    "maakt.</p>",
                ),
                costs("35 euro"),
                MISSED_SESSION,
            ),
        ],
    },
    {
        "slug": "communicatie-van-praten-naar-verbinding",
        "title": "Communicatie: van praten naar verbinding",
        "summary": (
            "U leert duidelijk te zeggen wat u bedoelt en beter te luisteren naar de ander. "
            "Partners zijn welkom om samen mee te doen."
        ),
        "themes": ["communicatie-en-relaties", "zelfzorg-en-grenzen", "veerkracht"],
        "complaints": (
            "ruzie of spanning thuis\n"
            "het gevoel dat niemand naar u luistert\n"
            "moeite om te zeggen wat u wilt\n"
            "minder contact met uw partner of familie"
        ),
        "learning_goals": (
            "zeggen wat u voelt en wat u nodig heeft\n"
            "luisteren zonder meteen te reageren\n"
            "een ruzie op tijd stoppen\n"
            "samen afspraken maken\n"
            "uw grenzen aangeven"
        ),
        "audience": "adults",
        "couples_welcome": True,
        "session_count": 5,
        "hours_per_session": Decimal("2.0"),
        "frequency": "every_3_weeks",
        "delivery": "in_person",
        "has_homework": True,
        "has_group_chat": True,
        "has_reference_material": True,
        "contribution": Decimal("35.00"),
        "trainers": ["marieke", "thijs"],
        "locations": ["eindhoven-woensel", "helmond", "geldrop", "nuenen", "son-en-breugel", "mierlo"],
        "suitable_for": bullets(
            "praten met anderen vaak leidt tot ruzie of stilte",
            "u wilt leren om rustig en duidelijk te zeggen wat u bedoelt",
            "u samen met uw partner wilt oefenen, of juist alleen",
        ),
        "not_suitable_for": bullets(
            CRISIS,
            "er geweld is in uw relatie. Dan is een groep niet veilig genoeg. Bel Veilig Thuis: 0800-2000 (gratis).",
            SEVERE_DEPRESSION,
            ADDICTION,
        ),
        "alternative_advice": TALK_TO_GP
        + "<p>Wilt u vooral samen met uw partner hulp? Vraag uw huisarts dan naar relatietherapie.</p>"
        + URGENT_HELP,
        "follow_up": None,
        "follow_up_text": "",
        "body": [
            heading("Zo gaat een bijeenkomst"),
            paragraph(
                "<p>Elke bijeenkomst begint met een kort rondje: hoe gaat het, en wat heeft u geoefend? "
                "Daarna krijgt u uitleg over één onderwerp, zoals luisteren of grenzen aangeven. "
                "U oefent in tweetallen, met situaties uit uw eigen leven. Tussen de bijeenkomsten zit drie weken. "
                "Zo heeft u tijd om thuis te oefenen. In de groepsapp kunt u elkaar tussendoor tips geven.</p>"
            ),
            quote(
                "We praatten thuis veel, maar we hoorden elkaar niet. Nu vragen we eerst wat de ander bedoelt. "
                "Dat scheelt zoveel ruzie.",
                "Deelnemer, samen met haar partner",
            ),
            faq(
                (
                    "Kan ik met mijn partner meedoen?",
                    "<p>Ja. U meldt zich dan samen aan. U neemt allebei een plek in de groep in. "
                    "U kunt ook alleen meedoen, ook als u een partner heeft.</p>",
                ),
                WHAT_YOU_SHARE,
                costs("35 euro per persoon"),
                MISSED_SESSION,
            ),
        ],
    },
    {
        "slug": "grip-op-piekeren",
        "title": "Grip op piekeren",
        "summary": (
            "Voor jongvolwassenen van 18 tot 27 jaar die veel piekeren. "
            "U leert uw gedachten te herkennen en ze minder ruimte te geven."
        ),
        "themes": ["piekeren", "stress-en-spanning", "somberheid"],
        "complaints": ("piekeren\nslecht slapen door gedachten\nonzeker over studie of werk\nsnel somber"),
        "learning_goals": (
            "merken wanneer u piekert\n"
            "een vaste piekertijd gebruiken\n"
            "uw gedachten onderzoeken: klopt het wel?\n"
            "meer doen van wat u energie geeft"
        ),
        "audience": "young_adults",
        "couples_welcome": False,
        "session_count": 6,
        "hours_per_session": Decimal("1.5"),
        "frequency": "weekly",
        "delivery": "blended",
        "has_homework": True,
        "has_group_chat": True,
        "has_reference_material": False,
        "has_online_module": True,
        "contribution": Decimal("35.00"),
        "trainers": ["fatima", "joelle"],
        "locations": ["eindhoven-centrum", "eindhoven-woensel", "helmond", "veldhoven"],
        "suitable_for": bullets(
            "u tussen de 18 en 27 jaar bent",
            "u veel tijd kwijt bent aan piekeren",
            "u het fijn vindt om met leeftijdsgenoten te oefenen",
        ),
        "not_suitable_for": bullets(CRISIS, SEVERE_DEPRESSION, ADDICTION),
        "alternative_advice": (
            TALK_TO_GP
            + "<p>Studeert u? Dan kunt u ook terecht bij de studentenpsycholoog van uw school.</p>"
            + URGENT_HELP
        ),
        "follow_up": "mindfulness",
        "follow_up_text": (
            "Wilt u daarna leren om rustiger te blijven bij zorgen? Kijk dan eens naar de training Mindfulness."
        ),
        "body": [
            heading("Wat kunt u verwachten?"),
            paragraph(
                "<p>U komt zes keer samen met andere jongvolwassenen. Tussen de bijeenkomsten werkt u in een "
                "online module, op uw telefoon of laptop. Elke week oefent u met één nieuwe manier om met "
                "gedachten om te gaan.</p>"
            ),
            quote(
                "Ik lag elke nacht wakker van wat ik allemaal nog moest. Met de piekertijd heb ik weer avonden voor "
                "mezelf.",
                "Deelnemer Grip op piekeren, 23 jaar",
            ),
            faq(WHAT_YOU_SHARE, costs("35 euro"), MISSED_SESSION),
        ],
    },
    {
        "slug": "beter-slapen",
        "title": "Beter slapen",
        "summary": (
            "Een online training voor wie slecht slaapt. "
            "U leert wat goed is voor uw slaap en past dat stap voor stap toe."
        ),
        "themes": ["slaap", "stress-en-spanning", "piekeren"],
        "complaints": ("moeilijk in slaap komen\nvaak wakker worden\nte vroeg wakker\nmoe overdag"),
        "learning_goals": (
            "een slaapdagboek bijhouden\n"
            "vaste tijden aanhouden voor slapen en opstaan\n"
            "ontspannen voor het slapengaan\n"
            "minder piekeren in bed"
        ),
        "audience": "adults",
        "couples_welcome": False,
        "session_count": 4,
        "hours_per_session": Decimal("1.5"),
        "frequency": "biweekly",
        "delivery": "online",
        "has_homework": True,
        "has_group_chat": False,
        "has_reference_material": True,
        "has_online_module": True,
        "contribution": Decimal("35.00"),
        "trainers": ["fatima", "anouk"],
        "locations": ["online"],
        "suitable_for": bullets(
            "u al langer dan een maand slecht slaapt",
            "u thuis een computer, tablet of telefoon met camera heeft",
            "u een paar weken elke dag een slaapdagboek wilt bijhouden",
        ),
        "not_suitable_for": bullets(
            "u heel hard snurkt of in uw slaap stopt met ademen. Laat dit eerst onderzoeken door uw huisarts.",
            "u slaapmiddelen gebruikt en daar zelf mee wilt stoppen. Bespreek dit eerst met uw huisarts.",
            CRISIS,
            SEVERE_DEPRESSION,
        ),
        "alternative_advice": TALK_TO_GP + URGENT_HELP,
        "follow_up": None,
        "follow_up_text": "",
        "body": [
            heading("Hoe werkt een online groep?"),
            paragraph(
                "<p>U doet mee vanuit huis, via videobellen. U ziet de trainers en de andere deelnemers op uw scherm. "
                "Tussen de bijeenkomsten werkt u in de online module en houdt u uw slaapdagboek bij. "
                "Voor de eerste bijeenkomst test u samen met de trainer of alles werkt.</p>"
            ),
            quote(
                "Ik had nooit gedacht dat later naar bed gaan me zou helpen. Na vier weken sliep ik weer door.",
                "Deelnemer Beter slapen",
            ),
            faq(
                (
                    "Moet mijn camera aan?",
                    "<p>Graag wel, zodat de groep elkaar kan zien. Lukt dat een keer niet? Zeg het dan even tegen de "
                    "trainer.</p>",
                ),
                costs("35 euro"),
                MISSED_SESSION,
            ),
        ],
    },
    {
        "slug": "veerkracht-na-verlies",
        "title": "Veerkracht na verlies",
        "summary": (
            "Voor ouderen die iemand of iets verloren hebben. "
            "U deelt uw ervaring met anderen en zoekt samen naar nieuwe kracht."
        ),
        "themes": ["rouw-en-verlies", "veerkracht", "somberheid"],
        "complaints": (
            "verdriet na het overlijden van een dierbare\n"
            "eenzaamheid\n"
            "somberheid\n"
            "verlies van gezondheid, werk of uw huis"
        ),
        "learning_goals": (
            "op uw eigen manier praten over uw verlies\n"
            "begrijpen wat rouw met u doet\n"
            "merken wat u nog wel kunt en wilt\n"
            "weer contact zoeken met anderen"
        ),
        "audience": "seniors",
        "min_age": 65,
        "couples_welcome": False,
        "session_count": 6,
        "hours_per_session": Decimal("2.0"),
        "frequency": "biweekly",
        "delivery": "in_person",
        "has_homework": False,
        "has_group_chat": False,
        "has_reference_material": True,
        "contribution": Decimal("35.00"),
        "trainers": ["ruud", "marieke"],
        "locations": ["deurne", "asten", "someren", "gemert", "leende", "bergeijk", "oirschot"],
        "suitable_for": bullets(
            "u 65 jaar of ouder bent",
            "u iemand of iets verloren heeft, en het verdriet u blijft hinderen",
            "u steun zoekt bij mensen die hetzelfde meemaken",
        ),
        "not_suitable_for": bullets(
            "uw verlies korter dan drie maanden geleden is. Dan is een groep vaak nog te vroeg.",
            CRISIS,
            SEVERE_DEPRESSION,
            ADDICTION,
        ),
        "alternative_advice": TALK_TO_GP + URGENT_HELP,
        "follow_up": None,
        "follow_up_text": "",
        "body": [
            heading("Wat kunt u verwachten?"),
            paragraph(
                "<p>U komt om de twee weken samen, in een kleine groep dicht bij huis. "
                "Er is koffie en thee, en er is tijd om elkaar te leren kennen. "
                "U hoeft niets voor te bereiden. U krijgt een boekje mee om thuis rustig na te lezen.</p>"
            ),
            quote(
                "Na de dood van mijn man zat ik veel alleen thuis. In de groep vond ik mensen die me begrepen.",
                "Deelnemer Veerkracht na verlies, 74 jaar",
            ),
            faq(
                (
                    "Kan iemand mij brengen?",
                    "<p>Ja. Wie u brengt, kan in de hal wachten. Vraag het regiobureau gerust naar vervoer in uw "
                    "gemeente.</p>",
                ),
                WHAT_YOU_SHARE,
                costs("35 euro"),
            ),
        ],
    },
    {
        "slug": "mindfulness-blijven-oefenen",
        "title": "Mindfulness: blijven oefenen",
        "summary": (
            "Voor wie de training Mindfulness heeft gedaan. In vier bijeenkomsten oefent u samen verder, "
            "zodat het een gewoonte blijft."
        ),
        "themes": ["stress-en-spanning", "veerkracht"],
        "complaints": ("terugvallen in oude gewoontes\nstress die weer toeneemt\nmoeite om zelf te blijven oefenen"),
        "learning_goals": (
            "elke dag blijven oefenen, ook als het druk is\n"
            "op tijd merken dat u terugvalt\n"
            "oefeningen passend maken voor uw eigen leven"
        ),
        "audience": "adults",
        "couples_welcome": False,
        "session_count": 4,
        "hours_per_session": Decimal("2.0"),
        "frequency": "every_4_weeks",
        "delivery": "in_person",
        "has_homework": False,
        "has_group_chat": True,
        "has_reference_material": True,
        "contribution": Decimal("20.00"),
        "trainers": ["sven", "anouk"],
        "locations": ["eindhoven-centrum", "helmond", "veldhoven"],
        "suitable_for": bullets(
            "u de training Mindfulness heeft afgemaakt, bij ons of ergens anders",
            "u wilt blijven oefenen, maar merkt dat dat alleen lastig is",
        ),
        "not_suitable_for": bullets(
            "u nog geen training Mindfulness heeft gedaan. Begin dan met de training Mindfulness.", CRISIS, ADDICTION
        ),
        "alternative_advice": TALK_TO_GP + URGENT_HELP,
        "follow_up": None,
        "follow_up_text": "",
        "body": [
            heading("Samen de draad vasthouden"),
            paragraph(
                "<p>Eens in de vier weken komt u samen. U oefent, u vertelt hoe het thuis gaat "
                "en u krijgt nieuwe ideeën om vol te houden. Tussendoor kunt u elkaar steunen in de groepsapp.</p>"
            ),
            quote(
                "Alleen oefenen lukte me niet meer. Met de groep erbij lukt het weer bijna elke dag.",
                "Deelnemer, Veldhoven",
            ),
            faq(costs("20 euro"), MISSED_SESSION),
        ],
    },
]

# Shown on the home page, in this order.
FEATURED = ["mentaal-fit", "mindfulness", "communicatie-van-praten-naar-verbinding", "grip-op-piekeren"]
