"""A tiny invented municipality whose exports run to 31 January 2024 (one forvaltning, SOF, area Handicap), built
through `kvalitet ingest`; every number the partial-period report tests check is counted by hand here.

Decisions: 100 a month, January 2022 to January 2024 (1.200 a year, 300 a quarter, 100 in January 2024).

Complaints received (each closed 5 days later, «realitet»):

======  =======================================================  ==========================
period  received                                                 medhold (closed that year)
======  =======================================================  ==========================
2022    5 a quarter = 20 (5 in January)                          8 of 20 (40,0 %)
2023    Q1 9 (6 in January, 3 in February), Q2–Q4 7 each = 30     9 of 30 (30,0 %)
2024    3 in January (still open: no outcome yet)                 –
======  =======================================================  ==========================

Audits (stikprøver), exported to 15 January 2024: 25 audited cases in 2023, 5 with an error (20,0 %).

Cases (sager), exported to 15 January 2024, servicemål 30 days each: 6 opened 10 January 2023 and decided 20 December
2023 (open and over the servicemål at the end of 2023Q1–Q3: 6 each), 7 opened 1 October 2023 and still open (over the
servicemål at the end of 2023Q4: 7, and on 15 January 2024, 106 days old: 7).

So at 31 January 2024 the latest complete year is 2023 (previous 2022); January 2024 is partial and is compared
with January 2023 only: complaints 3 (<5) against 6; the complaint rate 3 / 100 × 1.000 (hidden: it rests on 3)
against 6 / 100 × 1.000 = 60,0. Quarters: 2022Q1–2023Q4 are whole (complaints 5, 5, 5, 5, 9, 7, 7, 7 against 300
decisions each); 2024Q1 is partial.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from conftest import write_csv

from kvalitet.cli import main

ORGANISATION = """municipality: Janby
forvaltninger:
  - {code: SOF, name: Socialforvaltningen}
"""

QUARTERS = {2022: [5, 5, 5, 5], 2023: [9, 7, 7, 7]}
UPHELD = {2022: 8, 2023: 9}
QUARTER_COMPLAINTS = [5, 5, 5, 5, 9, 7, 7, 7]
QUARTER_DECISIONS = 300


def _received() -> list[date]:
    days = []
    for year, counts in QUARTERS.items():
        for q, n in enumerate(counts):
            month = 3 * q + 1
            if year == 2023 and q == 0:  # 6 in January, 3 in February
                days += [date(2023, 1, 2 + 3 * i) for i in range(6)] + [date(2023, 2, 2 + 3 * i) for i in range(3)]
                continue
            days += [date(year, month, 2 + 3 * i) for i in range(n)]  # all in the quarter's first month
    return days + [date(2024, 1, 5), date(2024, 1, 12), date(2024, 1, 19)]


def _complaints() -> list[list]:
    rows, upheld = [], dict(UPHELD)
    for k, received in enumerate(_received(), 1):
        if received.year == 2024:
            rows.append([f"K{k:03d}", "SOF", "Myndighed", "Handicap", received.isoformat(), None, "realitet",
                         "ventetid", None])
            continue
        outcome = "medhold" if upheld[received.year] > 0 else "ikke medhold"
        upheld[received.year] -= 1
        rows.append([f"K{k:03d}", "SOF", "Myndighed", "Handicap", received.isoformat(),
                     (received + timedelta(days=5)).isoformat(), "realitet", "afslag", outcome])
    return rows


def build(folder: Path) -> tuple[Path, Path]:
    """The database and the organisation file in ``folder``."""
    org = folder / "organisation.yaml"
    org.write_text(ORGANISATION, encoding="utf-8")
    data = folder / "eksport"
    complaints = write_csv(data / "klager.csv", ["klage_id", "forvaltning", "enhed", "område", "modtaget",
                                                 "afsluttet", "klagetype", "emne", "udfald"], _complaints())
    decisions = write_csv(data / "afgørelser.csv", ["forvaltning", "enhed", "område", "måned", "antal_afgørelser"],
                          [["SOF", "Myndighed", "Handicap", f"{y}-{m:02d}", 100]
                           for y in (2022, 2023) for m in range(1, 13)] + [["SOF", "Myndighed", "Handicap",
                                                                             "2024-01", 100]])
    audits = write_csv(data / "stikprøver.csv", ["tilsyn_id", "forvaltning", "område", "tilsynsdato", "punkt",
                                                 "resultat"],
                       [[f"T{i:02d}", "SOF", "Handicap", date(2023, 3 + i % 9, 10).isoformat(), "begrundelse",
                         "fejl" if i < 5 else "ok"] for i in range(25)])
    cases = write_csv(data / "sager.csv", ["sag_id", "forvaltning", "område", "oprettet", "afgjort", "servicemål_dage"],
                      [[f"S{i}", "SOF", "Handicap", "2023-01-10", "2023-12-20", 30] for i in range(6)]
                      + [[f"S{i}", "SOF", "Handicap", "2023-10-01", None, 30] for i in range(6, 13)])
    db = folder / "janby.duckdb"
    cmd = ["ingest", "--db", str(db), "--organisation", str(org)]
    assert main(cmd + ["--as-of", "2024-01-31", str(complaints), str(decisions)]) == 0
    assert main(cmd + ["--as-of", "2024-01-15", str(audits), str(cases)]) == 0
    return db, org
