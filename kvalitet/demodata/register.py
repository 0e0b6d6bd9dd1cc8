"""The demo's findings register (table ``recommendations``): the Borgerrådgiver's FOKUS recommendations drawn in
``external._recommendations`` plus findings from other sources, written out here (the same for every seed).

The FOKUS cycle starts in 2015 and runs every second year, so the drawn recommendations of 2013 are left out (they
are still drawn, so that every frame after them is unchanged). Socialforvaltningen's 2015 recommendations are the
four real ones, in short, with the statuses the 2017 status to Socialudvalget supports (måltal for klager, a
risk-based ledelsestilsyn with a checklist, courses, action plans per borgercenter). The other findings cover all
seven forvaltninger and every source and kind; as of 2024-12-31 six are overdue (open, due date passed) and three
are opgivet, each with its reason in ``action``. Their ``indicators`` link to catalogue ids, several to the planted
effects of the manifest (SOF's reversal share, SUF's audit error share, TMF's byggesag backlog).
"""

from __future__ import annotations

import pandas as pd

from ..contract import FINDING_KINDS, FINDING_SOURCES, TABLES

#: the first Borgerrådgiver evaluation of the FOKUS cycle (organisation file: fokus.first_evaluation_year)
FIRST_EVALUATION_YEAR = 2015

_STATUS_2017 = "Status til Socialudvalget 2017: "

#: Socialforvaltningen's four recommendations of 2015: (text, status, updated, due, closed, action, indicators)
SOF_2015 = (
    ("Fastsæt reelle kvalitetsmål for sagsbehandlingen ud over brugertilfredshed og frister.", "gennemført",
     "2017-06-01", "2016-12-31", "2017-06-01", _STATUS_2017 + "måltal for klager over sagsbehandlingen og "
     "afgørelserne i alle borgercentre.", "complaint_rate,complaint_upheld_share"),
    ("Fasthold en bred ledelsesinformation om kvaliteten i sagsbehandlingen.", "gennemført", "2017-06-01",
     "2016-12-31", "2017-06-01", _STATUS_2017 + "risikobaseret ledelsestilsyn med tjekliste (begrundelse, "
     "partshøring, samtykke, klagevejledning, notatpligt, korrekt afgørelse) indgår i ledelsesinformationen.",
     "audit_error_share,audit_item_error_share,appeal_reversal_share"),
    ("Evaluér indsatsens enkelte dele og med en vis hyppighed hele indsatsen på tværs af forvaltningen.", "i gang",
     "2023-09-01", "2019-12-31", "", _STATUS_2017 + "handleplaner pr. borgercenter følges op hvert år; en samlet "
     "evaluering af indsatsen på tværs af forvaltningen er ikke gennemført.", "audit_error_share,complaint_rate"),
    ("Mål effekten, hvor den kan måles: udviklingen i kvaliteten af sagsbehandlingen.", "i gang", "2024-03-01",
     "2025-06-30", "", _STATUS_2017 + "kurser i forvaltningsret; fejlandelen i ledelsestilsynet følges halvårligt "
     "som mål for kvaliteten.", "audit_error_share,appeal_reversal_share,processing_days_median"),
)

#: findings from other sources: (forvaltning, source, kind, year, number, area, text, status, updated, due, closed,
#: action, indicators)
OTHER_FINDINGS = (
    ("BIF", "Ankestyrelsen", "praksisundersøgelse", 2020, 1, "Sygedagpenge",
     "Praksisundersøgelse: opfølgningen i sygedagpengesager er ikke dokumenteret.", "gennemført", "2021-05-15",
     "2021-06-30", "2021-05-15", "Ny opfølgningsmodel for sygedagpenge.", "appeal_reversal_share"),
    ("BIF", "STAR", "kritik", 2022, 1, "Kontanthjælp",
     "Resultatrevision: for mange kontanthjælpssager uden rettidig samtale.", "i gang", "2024-11-01", "2023-12-31",
     "", "Handleplan for rettidige samtaler i jobcentret.", "processing_days_median"),
    ("BIF", "intern revision", "revisionsbemærkning", 2023, 1, "Kontanthjælp",
     "Manglende dokumentation for beregningen af ydelsen i stikprøven.", "i gang", "2024-10-01", "2025-06-30", "",
     "Ny tjekliste for beregning af kontanthjælp.", "audit_error_share,audit_item_error_share"),
    ("BUF", "Folketingets Ombudsmand", "kritik", 2021, 1, "Specialundervisning",
     "For lang sagsbehandlingstid i en sag om specialundervisning.", "gennemført", "2022-03-01", "2022-03-01",
     "2022-03-01", "Servicemål for visitation til specialundervisning.", "processing_days_median"),
    ("BUF", "Ankestyrelsen", "praksisundersøgelse", 2023, 1, "Specialundervisning",
     "Praksisundersøgelse: afgørelser om specialundervisning uden tilstrækkelig begrundelse.", "ikke påbegyndt",
     "2024-01-15", "2024-09-30", "", "", "appeal_reversal_share"),
    ("BUF", "forvaltningen selv", "anbefaling", 2022, 1, "Pasning",
     "Intern evaluering: klagevejledningen skal fremgå af pladsanvisningens breve.", "opgivet", "2023-04-01", "",
     "2023-04-01", "Opgivet: pladsanvisningens nye fagsystem bruger standardbreve, der altid har klagevejledning.",
     "complaint_rate"),
    ("KFF", "Borgerrådgiveren", "kritik", 2022, 1, "Borgerservice",
     "Kritik: skriftlige henvendelser til Borgerservice besvares ikke.", "gennemført", "2023-02-01", "2022-12-31",
     "2023-02-01", "Svarfrist på 10 arbejdsdage for skriftlige henvendelser.", "inquiry_criticism_share"),
    ("KFF", "ekstern revision", "revisionsbemærkning", 2023, 1, "Biblioteker",
     "Manglende ledelsestilsyn med opkrævningen af gebyrer.", "i gang", "2024-06-01", "2024-12-31", "",
     "Kvartalsvis stikprøve på gebyrerne.", ""),
    ("SOF", "Ankestyrelsen", "praksisundersøgelse", 2018, 1, "Udsatte børn og unge",
     "Praksisundersøgelse: børnefaglige undersøgelser mangler før afgørelsen.", "gennemført", "2019-01-01",
     "2019-06-30", "2019-01-01", "Styrket sagsbehandling på børne- og ungeområdet fra 1. januar 2019.",
     "appeal_reversal_share"),
    ("SOF", "Rigsrevisionen", "kritik", 2021, 1, "Handicapkompensation",
     "Mangelfuld dokumentation af beregningen af merudgifter.", "opgivet", "2022-09-01", "2022-12-31",
     "2022-09-01", "Opgivet: reglerne for merudgifter er ændret i 2022; beregningen følges i det risikobaserede "
     "ledelsestilsyn.", "audit_error_share"),
    ("SOF", "Ankestyrelsen", "påtale", 2022, 1, "Hjemmehjælp",
     "Påtale: partshøring mangler før afgørelser om hjemmehjælp.", "i gang", "2023-08-01", "2023-06-30", "",
     "Partshøring er sat på tjeklisten i ledelsestilsynet.", "audit_item_error_share,complaint_upheld_share"),
    ("SUF", "intern revision", "revisionsbemærkning", 2021, 1, "Hjemmepleje",
     "Høj fejlandel i ledelsestilsynet med visitationen i hjemmeplejen.", "i gang", "2024-08-01", "2022-12-31", "",
     "Handleplan: faglig sparring hver uge og en ny tjekliste for visitation.",
     "audit_error_share,audit_item_error_share"),
    ("SUF", "Ankestyrelsen", "praksisundersøgelse", 2023, 1, "Hjælpemidler",
     "Praksisundersøgelse: afgørelser om hjælpemidler uden konkret, individuel vurdering.", "ikke påbegyndt",
     "2024-02-01", "2025-03-31", "", "", "complaint_rate,appeal_reversal_share"),
    ("TMF", "Borgerrådgiveren", "kritik", 2022, 1, "Byggesager - enfamiliehuse",
     "Kritik: sagsbehandlingstiden i byggesager overstiger servicemålet.", "gennemført", "2023-09-01", "2023-06-30",
     "2023-09-01", "Ekstra bemanding og visitation af byggesager; sagspuklen er afviklet.",
     "processing_days_median,service_target_share,open_cases_over_target"),
    ("TMF", "Folketingets Ombudsmand", "kritik", 2020, 1, "Parkering",
     "Afgørelser om parkeringsafgifter er ikke tilstrækkeligt begrundet.", "opgivet", "2021-03-01", "2021-06-30",
     "2021-03-01", "Opgivet: afgørelserne træffes siden 2021 af en ekstern leverandør med egen klageadgang.",
     "complaint_upheld_share"),
    ("ØKF", "Folketingets Ombudsmand", "kritik", 2022, 1, "Aktindsigt",
     "For lang svartid på anmodninger om aktindsigt.", "i gang", "2024-05-01", "2023-12-31", "",
     "Foreløbig besked inden for 7 arbejdsdage.", "processing_days_median,service_target_share"),
    ("ØKF", "ekstern revision", "revisionsbemærkning", 2023, 1, "Ejendomsskat",
     "Manglende afstemning af ejendomsskattebilletter.", "gennemført", "2024-06-30", "2024-06-30", "2024-06-30",
     "Månedlig afstemning.", ""),
)

def register(recommendations: pd.DataFrame) -> pd.DataFrame:
    """The register: the drawn recommendations from the FOKUS cycle on (the defaults for source and kind, nothing in
    the other new columns), SOF's four 2015 recommendations in place of the drawn ones, then the other findings."""
    drawn = recommendations[recommendations["evaluation_year"] >= FIRST_EVALUATION_YEAR]
    sof_2015 = (drawn["forvaltning"] == "SOF") & (drawn["evaluation_year"] == 2015)
    real = [{"forvaltning": "SOF", "evaluation_year": 2015, "number": n, "text": t, "status": s, "updated": u,
             "source": FINDING_SOURCES[0], "kind": FINDING_KINDS[0], "due": d, "closed": c, "action": a,
             "indicators": i} for n, (t, s, u, d, c, a, i) in enumerate(SOF_2015, start=1)]
    others = [dict(zip(("forvaltning", "source", "kind", "evaluation_year", "number", "area", "text", "status",
                        "updated", "due", "closed", "action", "indicators"), row)) for row in OTHER_FINDINGS]
    at = int(sof_2015.to_numpy().argmax())  # the real four stand where the drawn ones stood
    kept = drawn[~sof_2015].assign(source=FINDING_SOURCES[0], kind=FINDING_KINDS[0])
    written = pd.DataFrame(real + others)
    for col in ("updated", "due", "closed"):
        written[col] = pd.to_datetime(written[col].replace("", None)).astype("datetime64[ns]")
    df = pd.concat([kept.iloc[:at], written.iloc[:len(real)], kept.iloc[at:], written.iloc[len(real):]],
                   ignore_index=True)
    for col in ("due", "closed"):
        df[col] = df[col].astype("datetime64[ns]")
    for col in ("forvaltning", "text", "status", "source", "kind", "area", "action", "indicators"):
        values = df[col].to_numpy(dtype=object)
        df[col] = pd.array([None if v == "" else v for v in values], dtype="str")
    df = df.astype({"evaluation_year": "int64", "number": "int64"})
    return df[TABLES["recommendations"].column_names]
