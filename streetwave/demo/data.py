"""The demo's fixed tables: campaign texts, cities, places, titles and names."""

from streetwave.actions.models import Action

TEXTS = {
    "en": {
        "title": "Streets for Freedom",
        "statement": (
            "Wherever we live now, on one day we bring the gathering to the streets: "
            "peacefully, openly, together. We stand for freedom, dignity and human rights, and "
            "we raise the voices of those at home who are silenced, imprisoned or worse for "
            "speaking. Each local group chooses its own square and its own hour, so that as "
            "the day moves from time zone to time zone, a wave of peaceful actions goes around "
            "the world."
        ),
        "demands": [
            "Free all political prisoners and prisoners of conscience.",
            "Stop executions and end torture, now.",
            "Respect the freedom to speak, to assemble and to believe: for women, for "
            "minorities, for everyone.",
        ],
    },
    "fa": {
        "title": "خیابان‌ها برای آزادی",
        "statement": (
            "هر جا که امروز زندگی می‌کنیم، در یک روز گردهمایی را به خیابان‌ها می‌بریم: آرام، "
            "آشکار و با هم. ما برای آزادی، کرامت انسانی و حقوق بشر می‌ایستیم و صدای کسانی "
            "هستیم که در سرزمین‌مان به خاطر سخن گفتن خاموش، زندانی یا بدتر از آن می‌شوند. "
            "هر گروه محلی میدان و ساعت خود را انتخاب می‌کند تا با گذر روز از یک منطقهٔ زمانی "
            "به منطقهٔ دیگر، موجی از تجمع‌های آرام جهان را دور بزند."
        ),
        "demands": [
            "آزادی همهٔ زندانیان سیاسی و زندانیان عقیدتی.",
            "توقف فوری اعدام‌ها و پایان شکنجه.",
            "احترام به آزادی بیان، تجمع و باور؛ برای زنان، برای اقلیت‌ها، برای همه.",
        ],
    },
    "fr": {
        "title": "Des rues pour la liberté",
        "statement": (
            "Où que nous vivions aujourd'hui, nous portons le même jour le rassemblement dans "
            "la rue : pacifiquement, ouvertement, ensemble. Nous défendons la liberté, la "
            "dignité et les droits humains, et nous faisons entendre la voix de celles et ceux "
            "qui, là-bas, sont réduits au silence, emprisonnés ou pire pour avoir parlé. Chaque "
            "groupe local choisit sa place et son heure : au fil des fuseaux horaires, une "
            "vague d'actions pacifiques fait le tour du monde."
        ),
        "demands": [
            "Libérez tous les prisonniers politiques et prisonniers d'opinion.",
            "Arrêtez les exécutions et mettez fin à la torture, maintenant.",
            "Respectez la liberté d'expression, de réunion et de croyance : pour les femmes, "
            "pour les minorités, pour toutes et tous.",
        ],
    },
    "de": {
        "title": "Straßen für die Freiheit",
        "statement": (
            "Wo immer wir heute leben: An einem Tag tragen wir die Versammlung auf die Straße, "
            "friedlich, offen, gemeinsam. Wir stehen für Freiheit, Würde und Menschenrechte "
            "und erheben die Stimmen derer, die in der Heimat zum Schweigen gebracht, "
            "eingesperrt oder Schlimmerem ausgesetzt werden, weil sie ihre Meinung sagen. Jede "
            "lokale Gruppe wählt ihren Platz und ihre Stunde, damit mit dem Lauf des Tages von "
            "Zeitzone zu Zeitzone eine Welle friedlicher Aktionen um die Welt geht."
        ),
        "demands": [
            "Freiheit für alle politischen Gefangenen und Gewissensgefangenen.",
            "Stoppt die Hinrichtungen und beendet die Folter, sofort.",
            "Achtet die Freiheit der Rede, der Versammlung und des Glaubens: für Frauen, für "
            "Minderheiten, für alle.",
        ],
    },
    "nl": {
        "title": "Straten voor vrijheid",
        "statement": (
            "Waar we nu ook wonen, op één dag brengen we de bijeenkomst naar de straat: "
            "vreedzaam, open en samen. We staan voor vrijheid, waardigheid en mensenrechten, "
            "en we laten de stemmen horen van wie thuis het zwijgen wordt opgelegd, wordt "
            "opgesloten of erger omdat ze spreken. Elke lokale groep kiest een eigen plein en "
            "een eigen uur, zodat er, terwijl de dag van tijdzone naar tijdzone trekt, een "
            "golf van vreedzame acties de wereld rondgaat."
        ),
        "demands": [
            "Laat alle politieke gevangenen en gewetensgevangenen vrij.",
            "Stop de executies en maak nu een einde aan marteling.",
            "Respecteer de vrijheid van meningsuiting, vergadering en geloof: voor vrouwen, "
            "voor minderheden, voor iedereen.",
        ],
    },
}
LANGUAGES = ["en", "fa", "fr", "de", "nl"]

# Diaspora cities in countries where a peaceful public protest is safe, most important first:
# (country, GeoNames name, weight for hubs, actions and crowds, well-known public places).
# The largest city of that name in that country is taken. No city of a state that
# criminalizes protest or hands dissidents over is listed.
CITIES: list[tuple[str, str, int, tuple[str, ...]]] = [
    ("CA", "Toronto", 10, ("Mel Lastman Square", "Nathan Phillips Square", "Queen's Park")),
    ("US", "Los Angeles", 10, ("Westwood Federal Building", "Los Angeles City Hall")),
    ("GB", "London", 9, ("Trafalgar Square", "Parliament Square", "Hyde Park Corner")),
    ("DE", "Berlin", 8, ("Brandenburger Tor", "Alexanderplatz", "Potsdamer Platz")),
    ("DE", "Hamburg", 6, ("Jungfernstieg", "Rathausmarkt", "Gänsemarkt")),
    ("DE", "Köln", 5, ("Roncalliplatz", "Heumarkt", "Neumarkt")),
    ("DE", "Frankfurt am Main", 6, ("Römerberg", "Hauptwache", "Opernplatz")),
    ("FR", "Paris", 6, ("Place de la République", "Trocadéro", "Place de la Bastille")),
    ("SE", "Stockholm", 7, ("Sergels torg", "Medborgarplatsen", "Mynttorget")),
    ("SE", "Gothenburg", 5, ("Gustaf Adolfs torg", "Götaplatsen", "Järntorget")),
    ("NL", "Amsterdam", 5, ("De Dam", "Museumplein", "Westermarkt")),
    ("NL", "The Hague", 4, ("Malieveld", "Plein", "Vredespaleis")),
    ("BE", "Brussels", 4, ("Place du Luxembourg", "Mont des Arts", "Place Schuman")),
    ("AT", "Vienna", 5, ("Heldenplatz", "Stephansplatz", "Ballhausplatz")),
    ("NO", "Oslo", 4, ("Eidsvolls plass", "Youngstorget", "Rådhusplassen")),
    ("DK", "Copenhagen", 4, ("Rådhuspladsen", "Christiansborg Slotsplads")),
    ("AU", "Sydney", 5, ("Martin Place", "Town Hall Square", "Hyde Park")),
    ("AU", "Melbourne", 4, ("State Library Forecourt", "Federation Square")),
    ("CA", "Vancouver", 7, ("Vancouver Art Gallery", "Jack Poole Plaza")),
    ("CA", "Montréal", 4, ("Place des Arts", "Place du Canada", "Square Phillips")),
    ("US", "Washington", 5, ("Lafayette Square", "National Mall", "Dupont Circle")),
    ("US", "New York City", 6, ("Union Square", "Washington Square Park", "Times Square")),
    ("AM", "Yerevan", 3, ("Freedom Square", "Northern Avenue")),
    ("GE", "Tbilisi", 2, ("Rustaveli Avenue", "Freedom Square")),
    ("US", "San Francisco", 4, ("Union Square", "Civic Center Plaza")),
    ("US", "San Jose", 4, ("Plaza de César Chávez", "San Jose City Hall")),
    ("US", "San Diego", 4, ("Balboa Park", "Waterfront Park")),
    ("US", "Irvine", 5, ("Irvine Civic Center Plaza", "Bill Barber Park")),
    ("US", "Seattle", 3, ("Westlake Park", "Cal Anderson Park")),
    ("US", "Houston", 4, ("Discovery Green", "Houston City Hall")),
    ("US", "Dallas", 4, ("Dallas City Hall Plaza", "Klyde Warren Park")),
    ("US", "Austin", 3, ("Texas State Capitol", "Republic Square")),
    ("US", "Chicago", 3, ("Daley Plaza", "Federal Plaza", "Millennium Park")),
    ("US", "Boston", 3, ("Boston Common", "Copley Square")),
    ("US", "Atlanta", 2, ("Centennial Olympic Park", "Woodruff Park")),
    ("US", "Miami", 2, ("Bayfront Park",)),
    ("US", "Denver", 2, ("Civic Center Park",)),
    ("US", "Portland", 2, ("Pioneer Courthouse Square",)),
    ("US", "Minneapolis", 2, ("Loring Park",)),
    ("US", "Philadelphia", 2, ("Love Park", "Independence Mall")),
    ("CA", "Ottawa", 4, ("Parliament Hill", "Confederation Park")),
    ("CA", "Calgary", 3, ("Olympic Plaza", "Calgary City Hall")),
    ("CA", "Edmonton", 3, ("Churchill Square", "Alberta Legislature")),
    ("CA", "Halifax", 2, ("Grand Parade",)),
    ("CA", "Richmond Hill", 4, ("Richmond Hill Civic Centre",)),
    ("CA", "Victoria", 2, ("British Columbia Parliament Buildings",)),
    ("CA", "Québec", 1, ("Place de l'Assemblée-Nationale",)),
    ("GB", "Manchester", 4, ("Piccadilly Gardens", "St Peter's Square")),
    ("GB", "Birmingham", 3, ("Victoria Square", "Centenary Square")),
    ("GB", "Glasgow", 3, ("George Square",)),
    ("GB", "Edinburgh", 2, ("The Mound", "Scottish Parliament")),
    ("GB", "Leeds", 2, ("Millennium Square",)),
    ("GB", "Newcastle upon Tyne", 2, ("Grey's Monument",)),
    ("GB", "Cardiff", 2, ("Aneurin Bevan Statue", "Senedd")),
    ("GB", "Bristol", 1, ("College Green",)),
    ("GB", "Liverpool", 1, ("St George's Plateau",)),
    ("IE", "Dublin", 2, ("Spire on O'Connell Street", "Leinster House")),
    ("DE", "Munich", 4, ("Odeonsplatz", "Marienplatz", "Geschwister-Scholl-Platz")),
    ("DE", "Düsseldorf", 3, ("Landtag", "Schadowplatz")),
    ("DE", "Stuttgart", 3, ("Schlossplatz", "Marktplatz")),
    ("DE", "Hannover", 3, ("Kröpcke", "Trammplatz")),
    ("DE", "Bremen", 2, ("Marktplatz",)),
    ("DE", "Bonn", 2, ("Münsterplatz", "Marktplatz")),
    ("DE", "Leipzig", 2, ("Augustusplatz",)),
    ("DE", "Dresden", 1, ("Neumarkt", "Theaterplatz")),
    ("DE", "Mainz", 2, ("Gutenbergplatz",)),
    ("DE", "Mannheim", 2, ("Paradeplatz",)),
    ("DE", "Nuremberg", 2, ("Kornmarkt", "Hauptmarkt")),
    ("DE", "Aachen", 1, ("Elisenbrunnen",)),
    ("DE", "Freiburg", 1, ("Platz der Alten Synagoge",)),
    ("DE", "Heidelberg", 1, ("Bismarckplatz",)),
    ("DE", "Karlsruhe", 1, ("Marktplatz",)),
    ("DE", "Münster", 1, ("Prinzipalmarkt",)),
    ("FR", "Lyon", 2, ("Place Bellecour", "Place des Terreaux")),
    ("FR", "Marseille", 1, ("Vieux-Port",)),
    ("FR", "Toulouse", 1, ("Place du Capitole",)),
    ("FR", "Strasbourg", 2, ("Place Kléber", "Parlement européen")),
    ("FR", "Bordeaux", 1, ("Place de la Comédie",)),
    ("FR", "Lille", 1, ("Grand-Place",)),
    ("FR", "Nantes", 1, ("Place Royale",)),
    ("NL", "Rotterdam", 3, ("Schouwburgplein", "Binnenrotte")),
    ("NL", "Utrecht", 2, ("Neude", "Domplein")),
    ("NL", "Eindhoven", 1, ("18 Septemberplein",)),
    ("NL", "Groningen", 1, ("Grote Markt",)),
    ("BE", "Antwerp", 1, ("Groenplaats",)),
    ("BE", "Gent", 1, ("Korenmarkt",)),
    ("BE", "Liège", 1, ("Place Saint-Lambert",)),
    ("LU", "Luxembourg", 1, ("Place d'Armes",)),
    ("AT", "Graz", 2, ("Hauptplatz",)),
    ("AT", "Linz", 1, ("Hauptplatz",)),
    ("AT", "Salzburg", 1, ("Residenzplatz",)),
    ("CH", "Zürich", 3, ("Helvetiaplatz", "Bürkliplatz")),
    ("CH", "Geneva", 3, ("Place des Nations", "Plainpalais")),
    ("CH", "Bern", 2, ("Bundesplatz",)),
    ("CH", "Basel", 1, ("Barfüsserplatz",)),
    ("CH", "Lausanne", 1, ("Place de la Riponne",)),
    ("IT", "Rome", 2, ("Piazza del Popolo", "Piazza Santi Apostoli")),
    ("IT", "Milan", 2, ("Piazza della Scala", "Piazza del Duomo")),
    ("IT", "Turin", 1, ("Piazza Castello",)),
    ("IT", "Florence", 1, ("Piazza della Signoria",)),
    ("IT", "Bologna", 1, ("Piazza Maggiore",)),
    ("ES", "Madrid", 2, ("Puerta del Sol", "Plaza de Callao")),
    ("ES", "Barcelona", 2, ("Plaça de Catalunya",)),
    ("ES", "Valencia", 1, ("Plaza del Ayuntamiento",)),
    ("PT", "Lisbon", 1, ("Praça do Comércio", "Rossio")),
    ("PT", "Porto", 1, ("Avenida dos Aliados",)),
    ("GR", "Athens", 2, ("Syntagma Square",)),
    ("CY", "Nicosia", 1, ("Eleftheria Square",)),
    ("DK", "Århus", 2, ("Rådhuspladsen",)),
    ("DK", "Odense", 1, ("Flakhaven",)),
    ("SE", "Malmö", 4, ("Gustav Adolfs torg", "Möllevångstorget")),
    ("SE", "Uppsala", 3, ("Stora torget",)),
    ("SE", "Linköping", 1, ("Stora torget",)),
    ("NO", "Bergen", 2, ("Torgallmenningen",)),
    ("NO", "Trondheim", 1, ("Torvet",)),
    ("NO", "Stavanger", 1, ("Torget",)),
    ("FI", "Helsinki", 2, ("Senate Square", "Narinkkatori")),
    ("FI", "Tampere", 1, ("Keskustori",)),
    ("FI", "Turku", 1, ("Kauppatori",)),
    ("IS", "Reykjavík", 1, ("Austurvöllur",)),
    ("EE", "Tallinn", 1, ("Vabaduse väljak",)),
    ("LV", "Riga", 1, ("Freedom Monument",)),
    ("LT", "Vilnius", 1, ("Cathedral Square",)),
    ("PL", "Warsaw", 1, ("Plac Zamkowy",)),
    ("PL", "Kraków", 1, ("Rynek Główny",)),
    ("CZ", "Prague", 1, ("Václavské náměstí",)),
    ("SK", "Bratislava", 1, ("Námestie SNP",)),
    ("HU", "Budapest", 1, ("Kossuth Lajos tér",)),
    ("SI", "Ljubljana", 1, ("Prešernov trg",)),
    ("HR", "Zagreb", 1, ("Trg bana Jelačića",)),
    ("RO", "Bucharest", 1, ("Piața Universității",)),
    ("BG", "Sofia", 1, ("Nezavisimost Square",)),
    ("GE", "Batumi", 1, ("Europe Square",)),
    ("AU", "Brisbane", 2, ("King George Square",)),
    ("AU", "Perth", 2, ("Forrest Chase",)),
    ("AU", "Adelaide", 2, ("Parliament House steps",)),
    ("AU", "Canberra", 2, ("Parliament House lawns",)),
    ("NZ", "Auckland", 2, ("Aotea Square",)),
    ("NZ", "Wellington", 1, ("Parliament grounds",)),
    ("NZ", "Christchurch", 1, ("Cathedral Square",)),
    ("JP", "Tokyo", 1, ("Hibiya Park",)),
    ("JP", "Osaka", 1, ("Namba Park",)),
    ("KR", "Seoul", 1, ("Gwanghwamun Square",)),
    ("ZA", "Cape Town", 1, ("Greenmarket Square",)),
    ("ZA", "Johannesburg", 1, ("Constitution Hill",)),
    ("BR", "São Paulo", 1, ("Avenida Paulista",)),
    ("BR", "Rio de Janeiro", 1, ("Cinelândia",)),
    ("AR", "Buenos Aires", 1, ("Plaza de Mayo",)),
    ("CL", "Santiago", 1, ("Plaza Italia",)),
    ("MX", "Mexico City", 1, ("Monumento a la Revolución",)),
]

LOCAL_LANGUAGE = {"DE": "de", "AT": "de", "CH": "de", "FR": "fr", "LU": "fr", "BE": "fr"}
LOCAL_LANGUAGE_OF_CITY = {
    "Amsterdam": "nl", "The Hague": "nl", "Rotterdam": "nl", "Utrecht": "nl", "Eindhoven": "nl",
    "Groningen": "nl", "Antwerp": "nl", "Gent": "nl", "Geneva": "fr", "Lausanne": "fr",
    "Montréal": "fr", "Québec": "fr",
}  # fmt: skip

# For cities without a listed place, and to spread several actions over one city.
GENERIC_PLACES = {
    "en": ("City Hall Square", "Central Station forecourt", "Memorial Park", "Market Square",
           "Library Square", "Peace Park", "Riverside Park"),
    "de": ("Rathausplatz", "Marktplatz", "Bahnhofsvorplatz", "Schlossplatz", "Stadtpark",
           "Friedensplatz"),
    "fr": ("Place de l'Hôtel de Ville", "Parvis de la Gare", "Place du Marché",
           "Place de la Liberté", "Jardin public"),
    "nl": ("Stadhuisplein", "Grote Markt", "Stationsplein", "Vrijheidsplein", "Stadspark"),
}  # fmt: skip

# kind: (share, minutes, earliest and latest local start hour)
KINDS = {
    Action.Kind.RALLY: (45, 120, 11, 17),
    Action.Kind.MARCH: (20, 180, 11, 15),
    Action.Kind.VIGIL: (15, 90, 17, 19),
    Action.Kind.GATHERING: (15, 120, 12, 18),
    Action.Kind.OTHER: (5, 120, 12, 17),
}

ACTION_STATUSES = {
    Action.Status.PUBLISHED: 95,
    Action.Status.DRAFT: 2.5,
    Action.Status.CANCELLED: 2.5,
}

TITLES = {
    "en": {"rally": "Rally for freedom", "march": "March for human rights",
           "vigil": "Vigil for political prisoners", "gathering": "Gathering for freedom",
           "other": "Human chain for freedom"},
    "fa": {"rally": "تجمع برای آزادی", "march": "راهپیمایی برای حقوق بشر",
           "vigil": "شمع‌افروزی برای زندانیان سیاسی", "gathering": "گردهمایی برای آزادی",
           "other": "زنجیرهٔ انسانی برای آزادی"},
    "de": {"rally": "Kundgebung für Freiheit", "march": "Demonstrationszug für Menschenrechte",
           "vigil": "Mahnwache für politische Gefangene", "gathering": "Treffen für Freiheit",
           "other": "Menschenkette für Freiheit"},
    "fr": {"rally": "Rassemblement pour la liberté", "march": "Marche pour les droits humains",
           "vigil": "Veillée pour les prisonniers politiques",
           "gathering": "Rencontre pour la liberté", "other": "Chaîne humaine pour la liberté"},
    "nl": {"rally": "Manifestatie voor vrijheid", "march": "Mars voor mensenrechten",
           "vigil": "Wake voor politieke gevangenen", "gathering": "Bijeenkomst voor vrijheid",
           "other": "Menselijke keten voor vrijheid"},
}  # fmt: skip

DESCRIPTIONS = {
    "en": "Join us at **{place}** in {city}: peaceful, non-violent, for freedom and human "
    "rights.\n\n- Bring a sign, a candle or a photo of a political prisoner.\n- Wear a mask or "
    "sunglasses if you would rather not be recognized; our own photos never show faces.\n- "
    "Stewards in yellow vests are there for everyone; please follow their lead.\n\nPart of "
    "*Streets for Freedom*, one day on which we take to the streets, city by city.",
    "fa": "در **{place}** در {city} گرد هم می‌آییم: آرام و بی‌خشونت، برای آزادی و حقوق بشر."
    "\n\n- پلاکارد، شمع یا عکس یک زندانی سیاسی همراه بیاورید.\n- اگر نمی‌خواهید شناخته "
    "شوید، ماسک یا عینک آفتابی بزنید؛ در عکس‌های ما هیچ چهره‌ای دیده نمی‌شود.\n- انتظامات با "
    "جلیقهٔ زرد برای همه حاضرند؛ لطفاً راهنمایی آن‌ها را دنبال کنید.\n\nبخشی از *خیابان‌ها "
    "برای آزادی*، روزی که شهر به شهر به خیابان می‌آییم.",
    "de": "Treffpunkt: **{place}**, {city}. Friedlich und gewaltfrei, für Freiheit und "
    "Menschenrechte.\n\n- Bring ein Schild, eine Kerze oder ein Foto eines politischen "
    "Gefangenen mit.\n- Trag eine Maske oder Sonnenbrille, wenn du nicht erkannt werden "
    "möchtest; auf unseren Fotos sind keine Gesichter zu sehen.\n- Ordnerinnen und Ordner in "
    "gelben Westen sind für alle da; bitte folge ihren Hinweisen.\n\nTeil von *Straßen für "
    "die Freiheit*, dem Tag, an dem wir Stadt für Stadt auf die Straße gehen.",
    "fr": "Rendez-vous **{place}**, à {city} : pacifiquement, sans violence, pour la liberté et "
    "les droits humains.\n\n- Apportez une pancarte, une bougie ou la photo d'un "
    "prisonnier politique.\n- Portez un masque ou des lunettes de soleil si vous préférez ne "
    "pas être reconnu·e ; nos propres photos ne montrent aucun visage.\n- Des bénévoles en "
    "gilet jaune sont là pour tout le monde ; suivez leurs indications.\n\nUne action de *Des "
    "rues pour la liberté*, le jour où nous descendons dans la rue, ville après ville.",
    "nl": "Verzamelen bij **{place}** in {city}: vreedzaam en geweldloos, voor vrijheid en "
    "mensenrechten.\n\n- Neem een bord, een kaars of een foto van een politieke gevangene "
    "mee.\n- Draag een mondkapje of zonnebril als je liever niet herkend wordt; op onze eigen "
    "foto's zijn geen gezichten te zien.\n- Stewards in gele hesjes zijn er voor iedereen; "
    "volg hun aanwijzingen.\n\nOnderdeel van *Straten voor vrijheid*, de dag waarop we stad "
    "na stad de straat op gaan.",
}

MEETING_POINTS = {
    "en": "We meet first at the {landmark}, {minutes} minutes' walk from {place}; stewards in "
    "yellow vests walk everyone over together.",
    "fa": "ابتدا کنار {landmark} جمع می‌شویم، {minutes} دقیقه پیاده تا {place}؛ انتظامات با "
    "جلیقهٔ زرد همه را با هم می‌برند.",
}
LANDMARKS = {
    "en": ("entrance of the public library", "main entrance of the central station",
           "fountain in the park across the street", "north exit of the metro station"),
    "fa": ("ورودی کتابخانهٔ عمومی", "ورودی اصلی ایستگاه مرکزی قطار", "فوارهٔ پارک روبه‌رو",
           "خروجی شمالی ایستگاه مترو"),
}  # fmt: skip

FIRST_HUB_NAMES = ("{city} for Freedom", "Freedom Circle {city}", "{city} Solidarity Network",
                   "Woman Life Freedom {city}", "{city} Human Rights Collective",
                   "Voices of {city}")  # fmt: skip
MORE_HUB_NAMES = ("{city} Students for Freedom", "{city} Artists for Freedom",
                  "{city} Women's Circle", "{city} Neighbourhood Group",
                  "{city} Youth for Human Rights", "{city} Families for Freedom",
                  "{city} Musicians' Collective", "{city} Health Workers for Freedom",
                  "{city} Teachers for Freedom", "{city} Writers' Circle")  # fmt: skip

PSEUDONYMS = ("Sara", "Dariush", "Niloufar", "Babak", "Shirin", "Kaveh", "Leila", "Arash",
              "Roya", "Farhad", "Omid", "Mina", "آزاده", "نسیم", "بهار", "کوروش", "سیاوش",
              "پریسا", "A. R.", "M.", "a neighbour")  # fmt: skip
