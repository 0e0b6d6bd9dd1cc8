"""A tiny invented municipality (Småby) whose every number is written out here, built through `kvalitet ingest`
from CSV files written by the test. The answers the section and report tests check are computed by hand below.

Two forvaltninger, one area each, decisions every month of 2023 and 2024:

=====  ===========  ============  ===========================================  =========================
code   area         decisions     complaints 2023                              complaints 2024
=====  ===========  ============  ===========================================  =========================
SOF    Handicap     100 a month   12 realitet: 6 medhold, 6 ikke medhold        3 realitet (topic «ventetid
                                  (closed after 10 days), topic «afslag»        på hjælpemidler»): 1 medhold,
                                                                                2 ikke medhold (10 days)
BIF    Kontanthjælp 200 a month   35: 20 realitet, 15 formalitet; 10 medhold,  40: 25 realitet, 15 formalitet;
                                  25 ikke medhold (20 days), topic «afslag»     10 medhold, 30 ikke medhold;
                                                                                topics 30 «afslag», 10 «ventetid»
=====  ===========  ============  ===========================================  =========================

BIF's appeals (Ankestyrelsen, Kontanthjælp), decided 2023: 150 stadfæstet, 50 ændret (stadfæstelsesprocent 75 %);
2024: 190 stadfæstet, 10 ændret (95 %, Wilson 91,0–97,3 %: above the 80–85 % band, which is not a missed target).

Audits 2024 (checklist item «begrundelse»): SOF Handicap 3 cases, 2 with an error (66,7 %: over the 25 % threshold,
but resting on a count under 5, so hidden everywhere, also in the risk picture's reasons); BIF Kontanthjælp 30 cases,
6 with an error (20,0 %).

SOF has six recommendations from the evaluation 2024: 1 gennemført, 3 i gang, 2 ikke påbegyndt (not persons: shown).
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from conftest import write_csv

from kvalitet.cli import main

ORGANISATION = """municipality: Småby
forvaltninger:
  - {code: SOF, name: Socialforvaltningen}
  - {code: BIF, name: Beskæftigelsesforvaltningen}
"""

UNITS = {"SOF": ("Myndighed", "Handicap"), "BIF": ("Jobcenter", "Kontanthjælp")}

#: the hand-computed answers
SOF_2024 = 3                               # complaints: a count under 5, hidden everywhere
SOF_DECISIONS = 1200                       # per year
SOF_RATE_2024 = "2,5"                      # 3 / 1.200 × 1.000: hidden
SOF_RATE_2023 = "10,0"                     # 12 / 1.200 × 1.000: shown
SOF_UPHELD_2024 = "33,3"                   # 1 / 3: hidden
SOF_UPHELD_2023 = "50,0"                   # 6 / 12: shown
SOF_TOPIC_SHARE = "7,0"                    # 3 / 43 complaints in 2024 (the topic «ventetid på hjælpemidler»): hidden
BIF_RATE_2024 = "16,7"                     # 40 / 2.400 × 1.000
BIF_UPHELD_2024 = "25,0"                   # 10 / 40
TOTAL_2024 = 43
BIF_UPHELD_APPEALS_2024 = "95,0"           # 190 / 200
SOF_AUDIT_SHARE = "66,7"                   # 2 / 3 audited cases with an error: hidden
BIF_AUDIT_SHARE = "20,0"                   # 6 / 30


def _audits() -> list[list]:
    rows = []
    for fv, results in (("SOF", ["fejl", "fejl", "ok"]), ("BIF", ["fejl"] * 6 + ["ok"] * 24)):
        for i, result in enumerate(results):
            rows.append([f"T-{fv}-{i:02d}", fv, UNITS[fv][1], date(2024, 3, 1 + i % 28).isoformat(), "begrundelse",
                         result])
    return rows


def _appeals() -> list[list]:
    rows = []
    for year, upheld, changed in ((2023, 150, 50), (2024, 190, 10)):
        for i in range(upheld + changed):
            decided = date(year, 1, 10) + timedelta(days=i % 340)
            rows.append([f"A{year}-{i:03d}", "BIF", "Jobcenter", "Kontanthjælp", "Ankestyrelsen",
                         (decided - timedelta(days=30)).isoformat(), decided.isoformat(),
                         "stadfæstet" if i < upheld else "ændret"])
    return rows


def _complaints() -> list[list]:
    rows, k = [], 0

    def add(fv, year, n, kinds, outcomes, topics, days):
        nonlocal k
        unit, area = UNITS[fv]
        for i in range(n):
            k += 1
            received = date(year, 1, 5) + timedelta(days=(i * 350) // max(n, 1))
            rows.append([f"K{k:04d}", fv, unit, area, received.isoformat(), (received + timedelta(days=days)).isoformat(),
                         kinds[i], topics[i], outcomes[i]])

    add("SOF", 2023, 12, ["realitet"] * 12, ["medhold"] * 6 + ["ikke medhold"] * 6, ["afslag"] * 12, 10)
    add("SOF", 2024, 3, ["realitet"] * 3, ["medhold"] + ["ikke medhold"] * 2, ["ventetid på hjælpemidler"] * 3, 10)
    add("BIF", 2023, 35, ["realitet"] * 20 + ["formalitet"] * 15, ["medhold"] * 10 + ["ikke medhold"] * 25,
        ["afslag"] * 35, 20)
    add("BIF", 2024, 40, ["realitet"] * 25 + ["formalitet"] * 15, ["medhold"] * 10 + ["ikke medhold"] * 30,
        ["afslag"] * 30 + ["ventetid"] * 10, 20)
    return rows


def build(folder: Path) -> tuple[Path, Path]:
    """The database and the organisation file of Småby in ``folder``."""
    org = folder / "organisation.yaml"
    org.write_text(ORGANISATION, encoding="utf-8")
    data = folder / "eksport"
    files = [
        write_csv(data / "klager.csv", ["klage_id", "forvaltning", "enhed", "område", "modtaget", "afsluttet",
                                        "klagetype", "emne", "udfald"], _complaints()),
        write_csv(data / "afgørelser.csv", ["forvaltning", "enhed", "område", "måned", "antal_afgørelser"],
                  [[fv, UNITS[fv][0], UNITS[fv][1], f"{y}-{m:02d}", 100 if fv == "SOF" else 200]
                   for fv in UNITS for y in (2023, 2024) for m in range(1, 13)]),
        write_csv(data / "ankesager.csv", ["anke_id", "forvaltning", "enhed", "område", "ankeinstans", "modtaget",
                                           "afgjort", "resultat"], _appeals()),
        write_csv(data / "stikprøver.csv", ["tilsyn_id", "forvaltning", "område", "tilsynsdato", "punkt", "resultat"],
                  _audits()),
        write_csv(data / "anbefalinger.csv", ["forvaltning", "evalueringsår", "nummer", "tekst", "status"],
                  [["SOF", 2024, i + 1, f"Anbefaling {i + 1}", s] for i, s in
                   enumerate(["gennemført", "i gang", "i gang", "i gang", "ikke påbegyndt", "ikke påbegyndt"])]),
    ]
    db = folder / "smaaby.duckdb"
    assert main(["ingest", "--db", str(db), "--organisation", str(org), "--as-of", "2024-12-31",
                 *map(str, files)]) == 0
    return db, org
