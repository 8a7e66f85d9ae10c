"""What counts as naming a new place in an emergency notice (actions/notice_places.py): links,
coordinates and words that move people, in the five languages; and what a notice may still say
about the place people are at."""

import pytest

from streetwave.actions.notice_places import names_a_new_place


@pytest.mark.parametrize(
    ("text", "found"),
    [
        # links, whatever their host, and map addresses
        ("It moved, see https://maps.example.net/berlin", "https://maps.example.net/berlin"),
        ("Everything on www.example.org/where", "www.example.org/where"),
        ("Open maps.google.com and look for the park", "maps.google.com"),
        ("Location: geo:52.5200,13.4050?z=18", "geo:52.5200,13.4050?z=18"),
        ("We are at ///index.home.raft", "index.home.raft"),
        # coordinates, in Latin and Persian digits, with a point or a comma for decimals
        ("Come here: 52.5200, 13.4050", "52.5200, 13.4050"),
        ("Treffpunkt 52,5200 13,4050", "52,5200 13,4050"),
        ("اینجا: ۵۲٫۵۲۰۰، ۱۳٫۴۰۵۰", "52.5200, 13.4050"),
        ("52°31′N 13°24′E", "52°31′n 13°"),
        # English
        ("The rally moved to Hermannplatz.", "moved to"),
        ("NEW MEETING POINT: the bakery on Oranienstraße", "new meeting point"),
        ("Meet at the fountain in ten minutes", "meet at"),
        ("Meet us outside the town hall", "meet us outside"),
        ("Gather at the north exit of the station instead.", "gather at"),
        ("Everyone go to the station now", "go to"),
        ("Head to the park", "head to"),
        ("The vigil has been relocated.", "relocated"),
        # French
        ("Le rassemblement est déplacé au parc.", "déplacé au"),
        ("Nouveau lieu : place de la République", "nouveau lieu"),
        ("Rendez-vous place de la République", "rendez-vous place"),
        ("Allez vers la gare", "allez vers"),
        # German
        ("Die Kundgebung wird verlegt!", "verlegt"),
        ("Neuer Treffpunkt: Bahnhof Zoo", "neuer treffpunkt"),
        ("Wir treffen uns jetzt am Bahnhof", "treffen uns jetzt am"),
        ("Geht alle zum Park", "geht alle zum"),
        # Dutch
        ("De wake is verplaatst naar de Dam", "verplaatst naar"),
        ("Nieuwe locatie: het Museumplein", "nieuwe locatie"),
        ("Verzamelen bij het station", "verzamelen bij"),
        ("Ga allemaal naar het park", "ga allemaal naar"),
        # Persian, with and without the zero-width non-joiner, in either word order
        ("محل جدید: میدان آزادی", "محل جدید"),
        ("محل قرار تازه: ایستگاه", "محل قرار تازه"),
        ("بروید به میدان آزادی", "بروید به"),
        ("همه به میدان آزادی بروید", "به میدان آزادی بروید"),
        ("تجمع منتقل شد", "منتقل شد"),
        ("محل تجمع جابه‌جا شد", "جابه جا شد"),
        ("کنار ایستگاه جمع شوید", "جمع شوید"),
    ],
)
def test_a_notice_that_sends_people_elsewhere_names_a_new_place(text, found):
    assert names_a_new_place(text) == found


@pytest.mark.parametrize(
    "text",
    [
        # the place people are at may be named; "corner" is where the police are, not a move
        "Stay calm, the police are at the north corner",
        "The police closed the square. Stay together and wait for the marshals.",
        "Police are filming near the stage. Cover your faces.",
        "The action stops now. Leave calmly in small groups and go home safely.",
        "Die Polizei steht an der Nordecke. Bleibt ruhig und geht nach Hause.",
        "De politie staat bij de noordhoek. Blijf rustig. Ga naar huis.",
        "Restez calmes, la police est au coin nord.",
        "آرام باشید، پلیس در گوشهٔ شمالی است. با هم بمانید.",
        "اقدام تمام شد. آرام به خانه‌هایتان بروید.",
        # numbers that are not coordinates
        "We are 1,000 people; we start at 17.30 instead of 17.00.",
        "Bus 52 leaves at 13.40.",
    ],
)
def test_a_notice_about_where_people_are_names_no_new_place(text):
    assert names_a_new_place(text) is None
