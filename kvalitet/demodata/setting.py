"""The demo municipality: København's forvaltninger and areas with the baseline of every indicator, the audit
checklists, complaint topics, Borgerrådgiver categories, the Danmarkskort municipalities and the recommendations."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np


MANIFEST_PATH = Path(__file__).resolve().parents[1] / "data" / "demo_manifest.json"

AS_OF = date(2024, 12, 31)
FIRST_YEAR = 2013
LAST_YEAR = 2024
MUNICIPALITY = "København"
FORVALTNINGER = ("BIF", "BUF", "KFF", "SOF", "SUF", "TMF", "ØKF")

_DAY = np.timedelta64(1, "D")
_AS_OF64 = np.datetime64(AS_OF.isoformat(), "D")


# --------------------------------------------------------------------------------------------------- organisation
@dataclass(frozen=True)
class _Area:
    """One forvaltning × area (område) with its unit and the stationary baseline of every indicator."""

    forvaltning: str
    area: str
    unit: str
    decisions_per_month: int
    complaint_rate: float  # complaints per 1,000 decisions
    appeals_per_year: int = 0
    reversal_share: float = 0.0
    audit_error_share: float = 0.15
    cases_per_year: int = 0
    #: (case_type, target_days carried by the case itself, or None)
    case_types: tuple[tuple[str, int | None], ...] = ()
    #: servicemål from organisation.yaml (used when the cases carry no target_days)
    servicemaal: int | None = None
    #: median processing days when the area has no target at all
    median_days: float = 30.0


AREAS: tuple[_Area, ...] = (
    _Area("BIF", "Kontanthjælp", "Ydelsesservice København", 2600, 20.0, 420, 0.16, 0.15),
    _Area("BIF", "Sygedagpenge", "Jobcenter København", 1600, 12.0, 300, 0.18, 0.12, 1500,
          (("Sygedagpenge - ansøgning", None), ("Sygedagpenge - revurdering", None)), None, 35.0),
    _Area("BIF", "Ressourceforløb", "Jobcenter København", 350, 30.0, 120, 0.18, 0.18),
    _Area("BUF", "Specialundervisning", "Center for Specialundervisning", 400, 30.0, 90, 0.35, 0.14),
    _Area("BUF", "Pasning", "Pladsanvisningen", 2800, 6.0, 60, 0.26, 0.10),
    _Area("KFF", "Biblioteker", "Københavns Biblioteker", 500, 3.0, audit_error_share=0.10),
    _Area("KFF", "Borgerservice", "Borgerservice", 3000, 3.5, audit_error_share=0.12),
    _Area("SOF", "Hjemmehjælp", "Borgercenter Voksne", 600, 22.0, 150, 0.30, 0.17),
    _Area("SOF", "Handicapkompensation", "Borgercenter Handicap", 1000, 28.0, 350, 0.33, 0.18, 1500,
          (("Merudgifter (SEL § 100)", 84), ("Ledsageordning (SEL § 97)", 56), ("Boligindretning (SEL § 116)", 112))),
    _Area("SOF", "Udsatte børn og unge", "Borgercenter Børn og Unge", 800, 32.0, 250, 0.37, 0.18),
    _Area("SUF", "Hjemmepleje", "Visitationen", 2000, 12.0, 150, 0.28, 0.16),
    _Area("SUF", "Hjælpemidler", "Hjælpemiddelcenter København", 1300, 8.0, 250, 0.30, 0.14, 1800,
          (("Ganghjælpemidler", None), ("Kropsbårne hjælpemidler", None), ("Forbrugsgoder", None)), 28),
    _Area("TMF", "Byggesager - enfamiliehuse", "Center for Bygninger", 260, 35.0, audit_error_share=0.15,
          cases_per_year=1800,
          case_types=(("Nyt enfamiliehus", None), ("Tilbygning", None), ("Carport, garage og udhus", None)),
          servicemaal=40),
    _Area("TMF", "Byggesager - etagebyggeri, erhverv", "Center for Bygninger", 200, 30.0, audit_error_share=0.13,
          cases_per_year=700, case_types=(("Etagebyggeri, erhverv", 55),)),
    _Area("TMF", "Parkering", "Center for Parkering", 3500, 12.0, audit_error_share=0.11),
    _Area("ØKF", "Aktindsigt", "Borgerrepræsentationens Sekretariat", 220, 5.0, audit_error_share=0.12,
          cases_per_year=500, case_types=(("Aktindsigt", 7),)),
    _Area("ØKF", "Ejendomsskat", "Koncernservice", 700, 3.0, audit_error_share=0.10),
)

#: servicemål per area for organisation.yaml (areas whose cases carry no target_days of their own)
SERVICEMAAL = {a.area: a.servicemaal for a in AREAS if a.servicemaal}

#: audit checklist per forvaltning: (item, probability 'ikke relevant', relative weight of errors)
_CHECKLIST_DEFAULT = (
    ("begrundelse", 0.0, 3.0),
    ("partshøring", 0.35, 2.0),
    ("samtykke", 0.40, 1.0),
    ("klagevejledning", 0.10, 1.5),
    ("notatpligt", 0.0, 3.0),
    ("korrekt afgørelse", 0.0, 1.5),
)
_CHECKLIST_TMF = (
    ("begrundelse", 0.0, 3.0),
    ("partshøring", 0.30, 2.0),
    ("nabohøring", 0.45, 2.0),
    ("klagevejledning", 0.10, 1.5),
    ("notatpligt", 0.0, 2.5),
    ("korrekt afgørelse", 0.0, 1.5),
)

_TOPICS = {
    "formalitet": (
        "Lang sagsbehandlingstid",
        "Manglende svar på henvendelse",
        "Manglende vejledning",
        "Sagsbehandlerens optræden",
        "Manglende partshøring",
        "Svært at komme i kontakt med sagsbehandler",
        "Brev uden klagevejledning",
    ),
    "realitet": (
        "Afslag på ansøgning",
        "Uenig i afgørelsens indhold",
        "Uenig i bevilget omfang",
        "Tilbagebetalingskrav",
        "Ophør af ydelse",
        "Afslag på aktindsigt",
    ),
    "formalitet og realitet": (
        "Afslag og lang sagsbehandlingstid",
        "Afslag uden begrundelse",
        "Afgørelse truffet uden partshøring",
    ),
}

_INQUIRY_TOTALS = {  # Borgerrådgiveren: published where known (kk_borgerraadgiver_beretning_tal.csv)
    2013: 920, 2014: 880, 2015: 830, 2016: 783, 2017: 863, 2018: 741,
    2019: 790, 2020: 771, 2021: 840, 2022: 1077, 2023: 912, 2024: 950,
}
_INQUIRY_PUBLISHED = {2016, 2017, 2018, 2021, 2022, 2023}
_INQUIRY_FORVALTNING_SHARE = {"BIF": 0.25, "BUF": 0.10, "KFF": 0.05, "SOF": 0.30, "SUF": 0.12, "TMF": 0.11,
                              "ØKF": 0.07}
#: category -> (share of inquiries, probability of criticism)
_INQUIRY_CATEGORIES = {
    "Sagsbehandlingstid": (0.28, 0.40),
    "Vejledning": (0.22, 0.30),
    "Afgørelsens indhold": (0.18, 0.18),
    "Borgerbetjening": (0.17, 0.35),
    "Aktindsigt": (0.07, 0.30),
    "Partshøring": (0.08, 0.38),
}

#: Danmarkskort: municipality -> inhabitants (thousands, rounded)
_MUNICIPALITIES = {
    "København": 650, "Morsø": 20, "Sorø": 30, "Egedal": 44, "Assens": 41, "Køge": 62, "Vordingborg": 46,
    "Kolding": 94, "Billund": 27, "Sønderborg": 74, "Ballerup": 49, "Bornholm": 39, "Herlev": 29,
    "Skive": 46, "Greve": 51,
}
#: the other 83 kommuner, so the demo's Danmarkskort covers all 98: inhabitants in thousands, rounded (approximate
#: figures of the early 2020s, for the demo's magnitudes only). Drawn from their own generator (see demodata).
_OTHER_MUNICIPALITIES = {
    "Aabenraa": 59, "Aalborg": 222, "Aarhus": 361, "Albertslund": 28, "Allerød": 26, "Brøndby": 39,
    "Brønderslev": 36, "Dragør": 14, "Esbjerg": 115, "Faaborg-Midtfyn": 51, "Fanø": 3.5, "Favrskov": 49, "Faxe": 37,
    "Fredensborg": 41, "Fredericia": 52, "Frederiksberg": 104, "Frederikshavn": 59, "Frederikssund": 46,
    "Furesø": 41, "Gentofte": 75, "Gladsaxe": 70, "Glostrup": 24, "Gribskov": 41, "Guldborgsund": 60,
    "Haderslev": 55, "Halsnæs": 31, "Hedensted": 47, "Helsingør": 63, "Herning": 90, "Hillerød": 52,
    "Hjørring": 64, "Holbæk": 72, "Holstebro": 59, "Horsens": 96, "Hvidovre": 54, "Høje-Taastrup": 57,
    "Hørsholm": 25, "Ikast-Brande": 42, "Ishøj": 24, "Jammerbugt": 38, "Kalundborg": 49, "Kerteminde": 24,
    "Langeland": 12, "Lejre": 29, "Lemvig": 19, "Lolland": 40, "Lyngby-Taarbæk": 57, "Læsø": 1.8,
    "Mariagerfjord": 42, "Middelfart": 39, "Norddjurs": 37, "Nordfyns": 30, "Nyborg": 32, "Næstved": 84,
    "Odder": 23, "Odense": 207, "Odsherred": 33, "Randers": 99, "Rebild": 31, "Ringkøbing-Skjern": 56,
    "Ringsted": 36, "Roskilde": 90, "Rudersdal": 57, "Rødovre": 41, "Samsø": 3.7, "Silkeborg": 99,
    "Skanderborg": 64, "Slagelse": 80, "Solrød": 24, "Stevns": 23, "Struer": 21, "Svendborg": 59, "Syddjurs": 43,
    "Thisted": 43, "Tårnby": 43, "Tønder": 37, "Vallensbæk": 17, "Varde": 50, "Vejen": 43, "Vejle": 122,
    "Vesthimmerlands": 36, "Viborg": 98, "Ærø": 6,
}
#: Danmarkskort area -> (realitetsbehandlede per 1,000 inhabitants, national omgørelse share)
_DK_AREAS = {
    "Socialområdet": (1.5, 0.37),
    "Børnehandicap": (0.25, 0.50),
    "Voksenhandicap": (0.30, 0.35),
}
#: published omgørelsesprocenter (ast_omgoerelse_kommuner.csv) used as the expected share of those cells
_DK_ANCHORS = {
    ("Egedal", 2018, "Socialområdet"): 0.45, ("Egedal", 2019, "Socialområdet"): 0.40,
    ("Egedal", 2018, "Børnehandicap"): 0.49, ("Egedal", 2019, "Børnehandicap"): 0.45,
    ("Egedal", 2018, "Voksenhandicap"): 0.32, ("Egedal", 2019, "Voksenhandicap"): 0.52,
    ("Assens", 2017, "Socialområdet"): 0.63, ("Sorø", 2019, "Socialområdet"): 0.36,
    ("Køge", 2017, "Børnehandicap"): 0.69, ("Køge", 2018, "Børnehandicap"): 0.52,
    ("Køge", 2019, "Børnehandicap"): 0.45, ("Kolding", 2017, "Børnehandicap"): 0.71,
    ("Ballerup", 2022, "Socialområdet"): 0.68, ("Bornholm", 2022, "Socialområdet"): 0.57,
    ("Herlev", 2022, "Socialområdet"): 0.22, ("Skive", 2022, "Socialområdet"): 0.22,
    ("Sønderborg", 2022, "Socialområdet"): 0.22, ("Morsø", 2022, "Socialområdet"): 0.22,
}

_RECOMMENDATIONS = (
    "Borgere skal have et kvitteringsbrev med forventet sagsbehandlingstid.",
    "Partshøring skal gennemføres og dokumenteres, før der træffes afgørelse.",
    "Afgørelser skal have en fyldestgørende begrundelse med henvisning til de relevante regler.",
    "Klagevejledning skal fremgå af alle skriftlige afgørelser.",
    "Notatpligten skal overholdes, så oplysninger af betydning for sagen journaliseres.",
    "Klager skal indgå systematisk i ledelsesinformationen.",
    "Servicemål for sagsbehandlingstid skal offentliggøres og følges op kvartalsvis.",
    "Der skal gennemføres faste stikprøver (ledelsestilsyn) på de mest klagebelastede områder.",
    "Den telefoniske tilgængelighed skal forbedres.",
    "Anmodninger om aktindsigt skal besvares inden for 7 arbejdsdage eller med en foreløbig besked.",
    "Breve til borgere skal skrives i et klart og forståeligt sprog.",
    "Hjemviste sager fra Ankestyrelsen skal genbehandles hurtigt og bruges til læring.",
)
