"""A hand-built municipality (Fokusby) for the FOKUS tests, built through `kvalitet ingest` from CSV files written
here; every number the tests check is written out below. As-of date 31 December 2024; default FOKUS cycle (first
evaluation 2015, every second year): 2023 is an evaluation year (2022–2023 against 2020–2021), 2024 a status year
(2024 against 2022–2023, per year).

SOF, area «Handicap» (unit Myndighed), decisions 100 a month 2020–2024 (1.200 a year):

=====  ========================  ==============  =====================================  ====================
year   complaints (kind)         medhold         appeals (Ankestyrelsen, per quarter)   audits (begrundelse)
=====  ========================  ==============  =====================================  ====================
2020   20 realitet, 10 formal.   9 of 30         25 a quarter; 7, 8, 7, 8 ændret: 30    —
2021   20 realitet, 10 formal.   9 of 30         30 of 100 ændret                       —
2022   15 realitet, 5 formal.    3 of 20         25 a quarter; 4, 3, 4, 3 ændret: 14    —
2023   15 realitet, 5 formal.    3 of 20         14 of 100                              20 cases, 6 fejl
2024   10 realitet, 5 formal.    3 of 15         14 of 100                              20 cases, 4 fejl
=====  ========================  ==============  =====================================  ====================

SOF, area «Hjemmepleje»: 4 realitet complaints a year in 2022, 2023 and 2024, all ikke medhold; no decisions, no
appeals, no audits. SOF inquiries to the Borgerrådgiver: 10 a year 2020–2024, with criticism 2, 2, 1, 1, 1.

The appeals drop from 30 % to 14 % ændret at 1 January 2022: the planted level shift of the initiative
«Begrundelser i fokus» (SOF, Handicap, start 2022-01-01). «Klageportal» (SOF, start 2024-10-01) is too young in
2024 (one quarter after its start). BIF (Kontanthjælp, 10 complaints and 200 decisions a month every year) has an
initiative of its own that must not appear for SOF.

Targets: complaint rate at most 18 per 1.000 decisions for SOF, complaints received at most 25 a year for SOF,
omgørelsesprocent at most 20 % (all forvaltninger), satisfaction at least 80 % (no satisfaction data).
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from conftest import write_csv

from kvalitet.cli import main

ORGANISATION = """municipality: Fokusby
forvaltninger:
  - {code: SOF, name: Socialforvaltningen}
  - {code: BIF, name: Beskæftigelsesforvaltningen}
targets:
  complaint_rate: {per_forvaltning: {SOF: {high: 18}}}
  complaints_received: {per_forvaltning: {SOF: {high: 25}}}
  appeal_reversal_share: {high: 0.2}
  satisfaction_share: {low: 0.8}
initiatives:
  - {name: "Begrundelser i fokus", forvaltning: SOF, area: Handicap, start: 2022-01-01,
     indicators: [appeal_reversal_share]}
  - {name: "Klageportal", forvaltning: SOF, start: 2024-10-01, indicators: [complaint_rate]}
  - {name: "Ny mødeform", forvaltning: SOF, start: 2021-01-01}
  - {name: "Jobcenterets kvalitetsløft", forvaltning: BIF, area: Kontanthjælp, start: 2022-01-01,
     indicators: [appeal_reversal_share]}
"""

YEARS = range(2020, 2025)
#: SOF Handicap: (realitet, formalitet, medhold) complaints per year
HANDICAP = {2020: (20, 10, 9), 2021: (20, 10, 9), 2022: (15, 5, 3), 2023: (15, 5, 3), 2024: (10, 5, 3)}
HJEMMEPLEJE = {2022: 4, 2023: 4, 2024: 4}
#: ændret per quarter (of 25 appeals a quarter)
REVERSED_BEFORE = (7, 8, 7, 8)
REVERSED_AFTER = (4, 3, 4, 3)
AUDITS = {2023: (20, 6), 2024: (20, 4)}
CRITICISM = {2020: 2, 2021: 2, 2022: 1, 2023: 1, 2024: 1}


def _complaints() -> list[list]:
    rows = []

    def add(fv, unit, area, year, kinds, outcomes):
        n = len(kinds)
        for i in range(n):
            received = date(year, 1, 5) + timedelta(days=(i * 300) // n)
            rows.append([f"K{len(rows) + 1:05d}", fv, unit, area, received.isoformat(),
                         (received + timedelta(days=10)).isoformat(), kinds[i], outcomes[i]])

    for y, (real, formal, medhold) in HANDICAP.items():
        n = real + formal
        add("SOF", "Myndighed", "Handicap", y, ["realitet"] * real + ["formalitet"] * formal,
            ["medhold"] * medhold + ["ikke medhold"] * (n - medhold))
    for y, n in HJEMMEPLEJE.items():
        add("SOF", "Hjemmepleje", "Hjemmepleje", y, ["realitet"] * n, ["ikke medhold"] * n)
    for y in YEARS:
        add("BIF", "Jobcenter", "Kontanthjælp", y, ["realitet"] * 10, ["ikke medhold"] * 10)
    return rows


def _appeals() -> list[list]:
    rows = []
    for fv, unit, area in (("SOF", "Myndighed", "Handicap"), ("BIF", "Jobcenter", "Kontanthjælp")):
        for y in YEARS:
            for q in range(4):
                changed = (REVERSED_BEFORE if y < 2022 else REVERSED_AFTER)[q]
                for i in range(25):
                    decided = date(y, 3 * q + 1, 1) + timedelta(days=3 * i)
                    rows.append([f"A-{fv}-{y}-{q}-{i:02d}", fv, unit, area, "Ankestyrelsen",
                                 (decided - timedelta(days=60)).isoformat(), decided.isoformat(),
                                 "ændret" if i < changed else "stadfæstet"])
    return rows


def _audits() -> list[list]:
    rows = []
    for y, (n, errors) in AUDITS.items():
        for i in range(n):
            rows.append([f"T-{y}-{i:02d}", "SOF", "Handicap", date(y, 4, 1 + i).isoformat(), "begrundelse",
                         "fejl" if i < errors else "ok"])
    return rows


def _inquiries() -> list[list]:
    rows = []
    for y, crit in CRITICISM.items():
        for i in range(10):
            received = date(y, 2, 1) + timedelta(days=25 * i)
            rows.append([f"B-{y}-{i}", "SOF", received.isoformat(), (received + timedelta(days=20)).isoformat(),
                         "Sagsbehandling", "ja" if i < crit else "nej"])
    return rows


def build(folder: Path) -> tuple[Path, Path]:
    """The database and the organisation file of Fokusby in ``folder``."""
    org = folder / "organisation.yaml"
    org.write_text(ORGANISATION, encoding="utf-8")
    data = folder / "eksport"
    decisions = [["SOF", "Myndighed", "Handicap", f"{y}-{m:02d}", 100] for y in YEARS for m in range(1, 13)]
    decisions += [["BIF", "Jobcenter", "Kontanthjælp", f"{y}-{m:02d}", 200] for y in YEARS for m in range(1, 13)]
    files = [
        write_csv(data / "klager.csv", ["klage_id", "forvaltning", "enhed", "område", "modtaget", "afsluttet",
                                        "klagetype", "udfald"], _complaints()),
        write_csv(data / "afgørelser.csv", ["forvaltning", "enhed", "område", "måned", "antal_afgørelser"],
                  decisions),
        write_csv(data / "ankesager.csv", ["anke_id", "forvaltning", "enhed", "område", "ankeinstans", "modtaget",
                                           "afgjort", "resultat"], _appeals()),
        write_csv(data / "stikprøver.csv", ["tilsyn_id", "forvaltning", "område", "tilsynsdato", "punkt", "resultat"],
                  _audits()),
        write_csv(data / "henvendelser.csv", ["henvendelse_id", "forvaltning", "modtaget", "afsluttet", "kategori",
                                              "kritik"], _inquiries()),
    ]
    db = folder / "fokusby.duckdb"
    assert main(["ingest", "--db", str(db), "--organisation", str(org), "--as-of", "2024-12-31",
                 *map(str, files)]) == 0
    return db, org
