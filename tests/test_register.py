"""The findings register (table recommendations, Danish anbefalinger; issue 10): its optional columns, their
defaults and row rules, a store made before the columns existed, and the look-up `findings` with its ordering and
overdue flag. Every store is built through `kvalitet ingest` from rows written out here; the expected answers are
worked out by hand from those rows."""

from __future__ import annotations

from datetime import date as D

import duckdb
import pandas as pd
import pytest

from conftest import write_csv
from kvalitet import catalogue, contract, store
from kvalitet.indicators import lookups

from test_ingest_rules import assert_accounting, ingest, quarantine, query

#: the columns of an anbefalinger export before the register (today's files)
OLD_HEADER = ["forvaltning", "evalueringsår", "nummer", "tekst", "status", "opdateret"]
OLD_ROWS = [["SOF", "2023", "1", "Bedre partshøring", "i gang", "2024-03-01"],
            ["SOF", "2023", "2", "Klagevejledning i alle afgørelser", "gennemført", ""],
            ["BIF", "2021", "1", "Servicemål offentliggøres", "ikke påbegyndt", "2022-01-10"]]
NEW_HEADER = ["forvaltning", "kilde", "type", "evalueringsår", "nummer", "tekst", "status", "område", "frist",
              "lukket", "tiltag", "indikatorer"]


def good(**over) -> list:
    row = {"forvaltning": "SOF", "kilde": "Ankestyrelsen", "type": "praksisundersøgelse", "evalueringsår": "2023",
           "nummer": "1", "tekst": "Partshøring mangler i sager om hjælpemidler", "status": "i gang",
           "område": "Hjælpemidler", "frist": "2024-06-30", "lukket": "", "tiltag": "Tjekliste i fagsystemet",
           "indikatorer": "appeal_reversal_share"}
    row.update(over)
    return [row[h] for h in NEW_HEADER]


def stored(db) -> list[tuple]:
    return query(db, "SELECT forvaltning, source, kind, evaluation_year, number, area, due, closed, action, indicators "
                     "FROM recommendations ORDER BY forvaltning DESC, evaluation_year DESC, number")


# --- old files --------------------------------------------------------------------------------------------------

def test_an_old_file_loads_unchanged_with_the_defaults(tmp_path, capsys, db, org_file):
    f = write_csv(tmp_path / "anbefalinger.csv", OLD_HEADER, OLD_ROWS)
    code, out, _ = ingest(capsys, db, org_file, f)
    assert code == 0
    assert_accounting(db, read=3, inserted=3)
    assert stored(db) == [
        ("SOF", "Borgerrådgiveren", "anbefaling", 2023, 1, None, None, None, None, None),
        ("SOF", "Borgerrådgiveren", "anbefaling", 2023, 2, None, None, None, None, None),
        ("BIF", "Borgerrådgiveren", "anbefaling", 2021, 1, None, None, None, None, None)]
    assert query(db, "SELECT text, status, updated FROM recommendations WHERE forvaltning = 'BIF'") == [
        ("Servicemål offentliggøres", "ikke påbegyndt", D(2022, 1, 10))]
    # the same rows with the source and kind written out (any case) are the same rows: the same keys
    spelled = write_csv(tmp_path / "anbefalinger_2.csv", OLD_HEADER + ["kilde", "type"],
                        [r + ["BORGERRÅDGIVEREN", "Anbefaling"] for r in OLD_ROWS])
    assert ingest(capsys, db, org_file, spelled)[0] == 0
    assert_accounting(db, read=3, unchanged=3)


def test_a_store_made_before_the_register_is_upgraded_and_keeps_its_keys(tmp_path, capsys, db, org_file):
    """A database whose recommendations table has only today's columns (and row_as_of today's keys) gains the
    register's columns with the defaults; the old file then finds its rows (unchanged), and an older export of them
    is stale, so the export dates moved to the new keys."""
    f = write_csv(tmp_path / "anbefalinger.csv", OLD_HEADER, OLD_ROWS)
    ingest(capsys, db, org_file, f)
    con = duckdb.connect(str(db))  # make it the database an earlier version wrote
    for c in ("source", "kind", "area", "due", "closed", "action", "indicators"):
        con.execute(f'ALTER TABLE recommendations DROP COLUMN "{c}"')
    con.execute("UPDATE row_as_of SET key = to_json(list_value(json_extract_string(key, '$[0]'), "
                "json_extract_string(key, '$[2]'), json_extract_string(key, '$[3]')))")
    assert sorted(r[0] for r in con.execute("SELECT key FROM row_as_of").fetchall()) == [
        '["BIF","2021","1"]', '["SOF","2023","1"]', '["SOF","2023","2"]']
    con.close()

    code, out, _ = ingest(capsys, db, org_file, f)
    assert code == 0
    assert "nye kolonner (anbefalinger: source, kind, area, due, closed, action, indicators)" in out
    assert_accounting(db, read=3, unchanged=3)
    assert stored(db)[0][:5] == ("SOF", "Borgerrådgiveren", "anbefaling", 2023, 1)
    assert sorted(r[0] for r in query(db, "SELECT key FROM row_as_of")) == [
        '["BIF","Borgerrådgiveren","2021","1"]', '["SOF","Borgerrådgiveren","2023","1"]',
        '["SOF","Borgerrådgiveren","2023","2"]']
    older = write_csv(tmp_path / "anbefalinger_gammel.csv", OLD_HEADER, [r[:4] + ["i gang", ""] for r in OLD_ROWS])
    main_ingest(capsys, db, org_file, older, "2024-06-30")
    assert_accounting(db, read=3, stale=3)


def main_ingest(capsys, db, org, f, as_of: str) -> int:
    from kvalitet.cli import main

    code = main(["ingest", str(f), "--db", str(db), "--organisation", str(org), "--as-of", as_of])
    capsys.readouterr()
    return code


# --- the new columns ----------------------------------------------------------------------------------------------

def test_a_register_file_loads_with_every_column(tmp_path, capsys, db, org_file):
    f = write_csv(tmp_path / "anbefalinger.csv", NEW_HEADER, [
        good(),
        # the same year and number from another source, and the source's own numbering in another forvaltning
        good(kilde="Folketingets Ombudsmand", type="kritik", frist="", tiltag=""),
        good(forvaltning="BIF", kilde="intern revision", type="revisionsbemærkning", status="opgivet",
             tiltag="Området er lagt sammen med Kontanthjælp", lukket="2024-05-01",
             indikatorer=" Audit_Error_Share , processing_days_median,,audit_error_share"),
        # a deadline after the as-of date is accepted; the empty source and kind take the defaults
        good(kilde="", type="", nummer="2", frist="2026-06-30", indikatorer=""),
    ])
    code, _, _ = ingest(capsys, db, org_file, f)
    assert code == 0
    assert_accounting(db, read=4, inserted=4)
    assert stored(db) == [
        ("SOF", "Ankestyrelsen", "praksisundersøgelse", 2023, 1, "Hjælpemidler", D(2024, 6, 30), None,
         "Tjekliste i fagsystemet", "appeal_reversal_share"),
        ("SOF", "Folketingets Ombudsmand", "kritik", 2023, 1, "Hjælpemidler", None, None, None,
         "appeal_reversal_share"),
        ("SOF", "Borgerrådgiveren", "anbefaling", 2023, 2, "Hjælpemidler", D(2026, 6, 30), None,
         "Tjekliste i fagsystemet", None),
        ("BIF", "intern revision", "revisionsbemærkning", 2023, 1, "Hjælpemidler", D(2024, 6, 30), D(2024, 5, 1),
         "Området er lagt sammen med Kontanthjælp", "audit_error_share,processing_days_median"),
    ]


REGISTER_CASES = [
    # (id, override of the good row, columns named, the reason's words)
    ("unknown_source", {"kilde": "Kommunen"}, "source",
     "kilde (source): 'Kommunen' er ikke en af Borgerrådgiveren, Ankestyrelsen, Folketingets Ombudsmand, intern "
     "revision, ekstern revision, Rigsrevisionen, STAR, forvaltningen selv"),
    ("unknown_kind", {"type": "bemærkning"}, "kind",
     "type (kind): 'bemærkning' er ikke en af anbefaling, kritik, revisionsbemærkning, praksisundersøgelse, "
     "påtale"),
    ("opgivet_without_reason", {"status": "opgivet", "tiltag": ""}, "action",
     "tiltag (action): mangler, men status er 'opgivet' (skriv i tiltag, hvorfor fundet er opgivet)"),
    ("unknown_indicator", {"indikatorer": "appeal_reversal_share, klagerate"}, "indicators",
     "indikatorer (indicators): 'appeal_reversal_share, klagerate' nævner et ukendt indikator-id: 'klagerate' "
     "(kendte id'er: complaints_received, complaint_rate,"),
    ("unknown_indicators", {"indikatorer": "klagerate,omgørelse"}, "indicators",
     "nævner ukendte indikator-id'er: 'klagerate', 'omgørelse'"),
    ("closed_after_as_of", {"lukket": "2025-01-15"}, "closed",
     "lukket (closed): '2025-01-15' ligger efter opgørelsesdatoen 2024-12-31"),
    ("unreadable_due", {"frist": "snart"}, "due", "frist (due): 'snart' er ikke en dato"),
]


@pytest.mark.parametrize("case_id, override, column, words", REGISTER_CASES, ids=[c[0] for c in REGISTER_CASES])
def test_register_row_rules(tmp_path, capsys, db, org_file, case_id, override, column, words):
    f = write_csv(tmp_path / "fund.csv", NEW_HEADER, [good(nummer="1"), good(nummer="2", **override)])
    code, out, _ = ingest(capsys, db, org_file, f, extra=("--table", "anbefalinger"))
    assert code == 1
    assert_accounting(db, read=2, inserted=1, quarantined=1)
    (q,) = quarantine(db)
    assert (q["table"], q["source_file"].endswith("fund.csv"), q["row_number"], q["columns"]) == (
        "recommendations", True, 3, column)
    assert words in q["reason"]


def test_the_unknown_indicator_reason_lists_every_catalogue_id(tmp_path, capsys, db, org_file):
    f = write_csv(tmp_path / "anbefalinger.csv", NEW_HEADER, [good(indikatorer="klagerate")])
    ingest(capsys, db, org_file, f)
    reason = quarantine(db)[0]["reason"]
    assert all(i in reason for i in catalogue.IDS) and len(catalogue.IDS) == 16


def test_an_empty_source_is_the_default_in_the_key(tmp_path, capsys, db, org_file):
    """One row without a source and one with Borgerrådgiveren, same year and number, other texts: one key twice
    with different values, both quarantined; with another source they are two findings."""
    f = write_csv(tmp_path / "anbefalinger.csv", NEW_HEADER, [
        good(kilde="", tekst="A"), good(kilde="Borgerrådgiveren", tekst="B"), good(kilde="STAR", tekst="C")])
    ingest(capsys, db, org_file, f)
    assert_accounting(db, read=3, inserted=1, quarantined=2)
    assert [q["row_number"] for q in quarantine(db)] == [2, 3]
    assert "nøglen (forvaltning=SOF, kilde (source)=Borgerrådgiveren, evalueringsår (evaluation_year)=2023, " \
           "nummer (number)=1) står flere gange" in quarantine(db)[0]["reason"]
    assert query(db, "SELECT source, text FROM recommendations") == [("STAR", "C")]


def test_aliases_do_not_collide():
    """No header names two columns of a table (the register's Danish names included)."""
    for t in contract.TABLES.values():
        names = [contract.normalise_header(n) for c in t.columns for n in c.accepted_names]
        assert len(names) == len(set(names)), t.name
    assert contract.header_map(contract.TABLES["recommendations"])["frist"] == "due"


def test_parse_ids():
    assert catalogue.parse_ids("Complaint_Rate, audit_error_share,complaint_rate") == (
        "complaint_rate,audit_error_share", [])
    assert catalogue.parse_ids("complaint_rate, x, y") == (None, ["x", "y"])
    assert catalogue.parse_ids(" , ") == (None, [])


# --- the look-up ------------------------------------------------------------------------------------------------

#: (forvaltning, kilde, type, evalueringsår, nummer, status, frist, lukket, tiltag, indikatorer); as of 2024-12-31
FINDINGS = [
    ("SOF", "Borgerrådgiveren", "anbefaling", 2015, 1, "i gang", "2016-12-31", "", "", "complaint_rate, "
     "Complaint_Upheld_Share"),                                                      # a: overdue (due 2016)
    ("SOF", "Ankestyrelsen", "praksisundersøgelse", 2022, 1, "ikke påbegyndt", "2024-06-30", "", "", ""),  # b
    ("SOF", "intern revision", "revisionsbemærkning", 2023, 1, "i gang", "2025-06-30", "", "", ""),  # c: open, later
    ("SOF", "Borgerrådgiveren", "anbefaling", 2023, 2, "i gang", "", "", "", ""),   # d: open without a due date
    ("SOF", "Borgerrådgiveren", "anbefaling", 2015, 2, "gennemført", "2016-06-30", "2016-05-01", "", ""),  # e: closed
    ("SOF", "Rigsrevisionen", "kritik", 2020, 1, "opgivet", "2021-01-01", "2022-02-01", "Opgaven flyttet", ""),  # f
    ("SOF", "Borgerrådgiveren", "anbefaling", 2023, 1, "i gang", "2024-12-31", "", "", ""),  # g: due on the as-of day
    ("BIF", "Ankestyrelsen", "praksisundersøgelse", 2022, 1, "i gang", "2023-01-01", "", "", ""),  # h: overdue
    ("BIF", "Folketingets Ombudsmand", "kritik", 2022, 1, "i gang", "2023-01-01", "", "", ""),  # i: overdue, = h
]
LETTERS = {(r[0], r[1], r[3], r[4]): "abcdefghi"[n] for n, r in enumerate(FINDINGS)}


@pytest.fixture
def register_db(tmp_path, capsys, db, org_file):
    header = ["forvaltning", "kilde", "type", "evalueringsår", "nummer", "status", "frist", "lukket", "tiltag",
              "indikatorer"]
    f = write_csv(tmp_path / "anbefalinger.csv", header + ["tekst"], [list(r) + [f"Fund {n}"]
                                                                       for n, r in enumerate(FINDINGS)])
    assert ingest(capsys, db, org_file, f)[0] == 0
    con = store.connect(db, read_only=True)
    yield con
    con.close()


def _letters(df: pd.DataFrame) -> str:
    return "".join(LETTERS[(r.forvaltning, r.source, r.year, r.number)] for r in df.itertuples())


def test_findings_order_and_overdue(register_db):
    got = lookups.findings(register_db)
    assert list(got.columns) == lookups.FINDING_COLUMNS
    # overdue: a (due 2016-12-31), h and i (2023-01-01; same year and forvaltning: Ankestyrelsen before the
    # Ombudsmand, the contract's order), b (2024-06-30); open: g (due on the as-of day: not overdue), c (2025), d (no
    # due date); closed: e (2015), f (2020: opgivet, its due date passed but it is not open)
    assert _letters(got) == "ahibgcdef"
    assert got["overdue"].tolist() == [True] * 4 + [False] * 5
    assert got.loc[0, "indicators"] == ["complaint_rate", "complaint_upheld_share"]
    assert got.loc[1, "indicators"] == []
    assert got.loc[8, ["status", "action", "closed"]].tolist() == ["opgivet", "Opgaven flyttet",
                                                                   pd.Timestamp(2022, 2, 1)]


def test_findings_of_one_forvaltning_and_another_as_of(register_db):
    assert _letters(lookups.findings(register_db, "SOF")) == "abgcdef"
    assert _letters(lookups.findings(register_db, "BIF")) == "hi"
    # on 30 June 2024 b is due that very day (not overdue); a, h and i are
    mid = lookups.findings(register_db, as_of=D(2024, 6, 30))
    assert _letters(mid) == "ahibgcdef" and mid["overdue"].tolist() == [True] * 3 + [False] * 6
    # a later date than the register's export is capped at the export's as-of date (2024-12-31)
    assert lookups.findings(register_db, as_of=D(2025, 12, 31))["overdue"].sum() == 4


def test_recommendation_status_counts_the_borgerraadgiver_recommendations_only(register_db):
    got = lookups.recommendation_status(register_db, "SOF")
    assert sorted(zip(got["evaluation_year"], got["status"], got["n"])) == [
        (2015, "gennemført", 1), (2015, "i gang", 1), (2023, "i gang", 2)]


def test_the_second_municipality_has_no_register():
    """tests/data/anden_kommune has no findings register at all (its FOKUS report must say so, issue 10)."""
    from conftest import ROOT
    from kvalitet.ingest import table_from_filename

    files = sorted((ROOT / "tests" / "data" / "anden_kommune").glob("*.*"))
    tables = {p.name: getattr(table_from_filename(p), "name", None) for p in files if p.suffix in (".csv", ".xlsx")}
    assert tables == {"afgørelser.csv": "decisions", "henvendelser.csv": "inquiries", "klager.csv": "complaints",
                      "sager.csv": "cases"}


def test_findings_of_an_empty_register(tmp_path):
    con = store.connect(tmp_path / "tom.duckdb")
    got = lookups.findings(con, as_of=D(2024, 12, 31))
    assert got.empty and list(got.columns) == lookups.FINDING_COLUMNS
    assert got["indicators"].dtype == object and got["overdue"].dtype == bool
