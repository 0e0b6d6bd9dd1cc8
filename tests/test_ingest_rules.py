"""The data contract: every row rule and file rule, the reader quirks, idempotency and the update path.

Each test writes a small export, runs `kvalitet ingest` through the command line and checks the exact accounting
(rows read = inserted + updated + unchanged + duplicates + stale + quarantined) and the reason given.
"""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest

from conftest import AS_OF, write_csv
from kvalitet import contract
from kvalitet.cli import main

COMPLAINT_HEADER = ["klage_id", "forvaltning", "enhed", "område", "modtaget", "afsluttet", "klagetype", "emne",
                    "udfald", "videresendt"]


def good_complaint(i: int, **over) -> list:
    row = {"klage_id": f"K{i}", "forvaltning": "SOF", "enhed": "Center Nord", "område": "Hjemmehjælp",
           "modtaget": "2024-01-05", "afsluttet": "2024-02-01", "klagetype": "realitet", "emne": "Afslag",
           "udfald": "ikke medhold", "videresendt": "nej"}
    row.update(over)
    return [row[h] for h in COMPLAINT_HEADER]


def ingest(capsys, db: Path, org: Path, *files, extra=()) -> tuple[int, str, str]:
    code = main(["ingest", *map(str, files), "--db", str(db), "--organisation", str(org),
                 "--as-of", AS_OF.isoformat(), *extra])
    out, err = capsys.readouterr()
    return code, out, err


def log_row(db: Path, n: int = -1) -> dict:
    con = duckdb.connect(str(db), read_only=True)
    rows = con.execute("SELECT * FROM ingest_log ORDER BY loaded_at, rowid").df().to_dict("records")
    con.close()
    return rows[n]


def quarantine(db: Path) -> list[dict]:
    con = duckdb.connect(str(db), read_only=True)
    rows = con.execute('SELECT * FROM quarantine ORDER BY row_number').df().to_dict("records")
    con.close()
    return rows


def query(db: Path, sql: str):
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def assert_accounting(db: Path, read: int, inserted: int = 0, updated: int = 0, unchanged: int = 0,
                      duplicates: int = 0, quarantined: int = 0, stale: int = 0) -> None:
    row = log_row(db)
    got = {k: row[k] for k in ("rows_read", "inserted", "updated", "unchanged", "duplicates_collapsed", "stale",
                               "quarantined")}
    assert got == {"rows_read": read, "inserted": inserted, "updated": updated, "unchanged": unchanged,
                   "duplicates_collapsed": duplicates, "stale": stale, "quarantined": quarantined}
    assert read == inserted + updated + unchanged + duplicates + stale + quarantined


# --- row rules -----------------------------------------------------------------------------------------------

ROW_RULE_CASES = [
    # (id, override of one good row, column named in the reason, words in the reason)
    ("required_missing", {"område": ""}, "område", "mangler"),
    ("required_unparsable", {"modtaget": "i går"}, "modtaget", "er ikke en dato"),
    ("invalid_calendar_date", {"modtaget": "2020-02-30"}, "modtaget", "er ikke en dato"),
    ("unknown_category", {"klagetype": "formalitet?"}, "klagetype", "formalitet, realitet, formalitet og realitet"),
    ("unknown_outcome", {"udfald": "medhold?"}, "udfald", "er ikke en af"),
    ("unknown_forvaltning", {"forvaltning": "KBH"}, "forvaltning", "organisationsfilen"),
    ("date_after_as_of", {"modtaget": "2025-01-02", "afsluttet": ""  , "udfald": ""}, "modtaget",
     "efter opgørelsesdatoen 2024-12-31"),
    ("date_before_2000", {"modtaget": "1999-12-31"}, "modtaget", "før år 2000"),
    ("closed_before_received", {"modtaget": "2024-03-01", "afsluttet": "2024-02-01"}, "afsluttet",
     "ligger før modtaget"),
    ("outcome_missing_on_closed", {"udfald": ""}, "udfald", "afsluttet klage skal have et udfald"),
    ("bad_boolean", {"videresendt": "måske"}, "videresendt", "ja/nej"),
]


@pytest.mark.parametrize("case_id, override, column, words", ROW_RULE_CASES, ids=[c[0] for c in ROW_RULE_CASES])
def test_row_rule_quarantines_exactly_the_bad_row(tmp_path, capsys, db, org_file, case_id, override, column, words):
    f = write_csv(tmp_path / "klager.csv", COMPLAINT_HEADER,
                  [good_complaint(1), good_complaint(2, **override), good_complaint(3)])
    code, out, _ = ingest(capsys, db, org_file, f)
    assert code == 1
    assert "i karantæne 1" in out and "kvalitet quarantine --file klager.csv" in out
    assert_accounting(db, read=3, inserted=2, quarantined=1)
    (q,) = quarantine(db)
    assert q["table"] == "complaints" and q["source_file"] == "klager.csv"
    assert q["row_number"] == 3  # header is row 1, the bad row is the second data row
    assert column in q["reason"] and words in q["reason"]
    assert json.loads(q["raw"])["klage_id"] == "K2"
    assert query(db, "SELECT complaint_id FROM complaints ORDER BY 1") == [("K1",), ("K3",)]


def test_negative_count_and_satisfied_over_respondents(tmp_path, capsys, db, org_file):
    f = write_csv(tmp_path / "tilfredshed.csv", ["forvaltning", "enhed", "undersøgelse", "periode", "besvarelser",
                                                 "tilfredse"],
                  [["SOF", "A", "Brugerundersøgelse", "2023", "100", "80"],
                   ["SOF", "B", "Brugerundersøgelse", "2023", "-4", "0"],
                   ["SOF", "C", "Brugerundersøgelse", "2023", "50", "51"],
                   ["SOF", "D", "Brugerundersøgelse", "2023H1", "50", "40"]])
    code, _, _ = ingest(capsys, db, org_file, f)
    assert code == 1
    assert_accounting(db, read=4, inserted=2, quarantined=2)
    q = quarantine(db)
    assert q[0]["row_number"] == 3 and "besvarelser (respondents): '-4' er negativt antal" in q[0]["reason"]
    assert q[1]["row_number"] == 4 and "tilfredse (satisfied): 51 er større end besvarelser (respondents) 50" \
        in q[1]["reason"]


def test_negative_decisions_count(tmp_path, capsys, db, org_file):
    f = write_csv(tmp_path / "afgørelser.csv", ["forvaltning", "enhed", "område", "måned", "antal_afgørelser"],
                  [["SOF", "A", "Hjemmehjælp", "2024-01", "120"], ["SOF", "A", "Hjemmehjælp", "2024-02", "-1"]])
    assert ingest(capsys, db, org_file, f)[0] == 1
    assert_accounting(db, read=2, inserted=1, quarantined=1)
    assert "negativt antal" in quarantine(db)[0]["reason"]
    assert query(db, "SELECT month, decisions FROM decisions")[0][1] == 120


def test_morsoe_total_that_differs_from_its_parts_is_quarantined(tmp_path, capsys, db, org_file):
    """Real published figures (shared/data/public/ast_omgoerelse_kommuner.csv): Morsø H1 2020 lists
    23 stadfæstet, 2 ændret/ophævet, 1 hjemvist, 2 afvist, which sum to 28, but gives the total as 27."""
    import pandas as pd

    from conftest import PUBLIC

    pub = pd.read_csv(PUBLIC / "ast_omgoerelse_kommuner.csv")
    morsoe = pub[(pub.kommune == "Morsø") & (pub.period == "H1")].sort_values("year")
    assert morsoe.year.tolist() == [2020, 2021]
    rows = [["Morsø", str(r.year), r.area, str(int(r.n_stadfaestet)), str(int(r.n_aendret_ophaevet)),
             str(int(r.n_hjemvist)), str(int(r.n_afvist)), str(int(r.n_total))] for r in morsoe.itertuples()]
    f = write_csv(tmp_path / "danmarkskort.csv", ["kommune", "år", "område", "stadfæstet", "ændret_ophævet",
                                                  "hjemvist", "afvist", "i_alt"], rows)
    assert ingest(capsys, db, org_file, f)[0] == 1
    assert_accounting(db, read=2, inserted=1, quarantined=1)
    (q,) = quarantine(db)
    assert q["row_number"] == 2
    assert "i_alt (total): 27 er ikke summen af" in q["reason"]
    assert "= 23 + 2 + 1 + 2 = 28" in q["reason"]


def test_duplicate_keys_conflicting_copies_all_quarantined_identical_collapsed(tmp_path, capsys, db, org_file):
    rows = [good_complaint(1), good_complaint(1),  # identical: collapse
            good_complaint(2), good_complaint(2, emne="Noget andet"),  # conflict: both out
            good_complaint(3)]
    f = write_csv(tmp_path / "klager.csv", COMPLAINT_HEADER, rows)
    assert ingest(capsys, db, org_file, f)[0] == 1
    assert_accounting(db, read=5, inserted=2, duplicates=1, quarantined=2)
    q = quarantine(db)
    assert [r["row_number"] for r in q] == [4, 5]
    assert all("står flere gange i filen med forskellige værdier (rækkerne 4, 5)" in r["reason"] for r in q)


def test_identical_copies_compare_by_value_not_spelling(tmp_path, capsys, db, org_file):
    rows = [good_complaint(1), good_complaint(1, modtaget="05-01-2024", forvaltning="sof", klagetype="Realitet")]
    f = write_csv(tmp_path / "klager.csv", COMPLAINT_HEADER, rows)
    assert ingest(capsys, db, org_file, f)[0] == 0
    assert_accounting(db, read=2, inserted=1, duplicates=1)


def test_row_with_wrong_number_of_fields_is_quarantined(tmp_path, capsys, db, org_file):
    f = tmp_path / "klager.csv"
    f.write_text(";".join(COMPLAINT_HEADER) + "\n" + ";".join(good_complaint(1)) + "\nK2;SOF;kort række\n",
                 encoding="utf-8")
    assert ingest(capsys, db, org_file, f)[0] == 1
    assert_accounting(db, read=2, inserted=1, quarantined=1)
    assert "rækken har 3 felter, men overskriften har 10" in quarantine(db)[0]["reason"]


def test_several_problems_in_one_row_are_all_named(tmp_path, capsys, db, org_file):
    f = write_csv(tmp_path / "klager.csv", COMPLAINT_HEADER,
                  [good_complaint(1, forvaltning="XYZ", klagetype="?", modtaget="2030-01-01", afsluttet="")])
    ingest(capsys, db, org_file, f)
    (q,) = quarantine(db)
    assert set(q["columns"].split(",")) == {"forvaltning", "kind", "received"}


def test_risk_scores_outside_1_to_3(tmp_path, capsys, db, org_file):
    f = write_csv(tmp_path / "risikovurderinger.csv", ["forvaltning", "område", "vurderet", "økonomi", "jura", "it"],
                  [["SOF", "Hjemmehjælp", "2024-03-01", "1", "2", "3"], ["SOF", "Handicap", "2024-03-01", "4", "2", "0"]])
    ingest(capsys, db, org_file, f)
    assert_accounting(db, read=2, inserted=1, quarantined=1)
    reason = quarantine(db)[0]["reason"]
    assert "økonomi (economy): '4' er større end 3" in reason and "it: '0' er mindre end 1" in reason


def test_year_after_as_of_is_quarantined(tmp_path, capsys, db, org_file):
    f = write_csv(tmp_path / "anbefalinger.csv", ["forvaltning", "evalueringsår", "nummer", "tekst", "status"],
                  [["SOF", "2023", "1", "Bedre partshøring", "i gang"], ["SOF", "2025", "1", "For tidligt", "i gang"]])
    ingest(capsys, db, org_file, f)
    assert_accounting(db, read=2, inserted=1, quarantined=1)
    assert "året 2025 ligger efter opgørelsesdatoen" in quarantine(db)[0]["reason"]


# --- file rules -----------------------------------------------------------------------------------------------

def test_missing_required_columns_refuses_the_file_and_names_the_aliases(tmp_path, capsys, db, org_file):
    f = write_csv(tmp_path / "klager.csv", ["klage_id", "forvaltning", "område", "klagetype"],
                  [["K1", "SOF", "X", "realitet"]])
    code, out, err = ingest(capsys, db, org_file, f)
    assert code == 2
    assert "klager.csv" in err and "mangler krævede kolonner" in err
    assert "received (accepteres også som: modtaget)" in err
    assert query(db, "SELECT count(*) FROM complaints") == [(0,)]
    assert query(db, "SELECT count(*) FROM quarantine") == [(0,)]
    assert "Traceback" not in out + err


@pytest.mark.parametrize("content, words", [
    (b"", "filen er tom"),
    (";".join(COMPLAINT_HEADER).encode() + b"\n", "ingen datarækker"),
    (b"\x00\x01\x02binary", "kan ikke læses"),
], ids=["empty", "header_only", "binary"])
def test_empty_or_unreadable_file_is_refused(tmp_path, capsys, db, org_file, content, words):
    f = tmp_path / "klager.csv"
    f.write_bytes(content)
    code, _, err = ingest(capsys, db, org_file, f)
    assert code == 2 and words in err and "klager.csv" in err


def test_broken_xlsx_is_refused(tmp_path, capsys, db, org_file):
    f = tmp_path / "klager.xlsx"
    f.write_bytes(b"PK\x03\x04 not really a zip")
    code, _, err = ingest(capsys, db, org_file, f)
    assert code == 2 and "kan ikke læses som XLSX" in err


def test_unknown_table_is_refused(tmp_path, capsys, db, org_file):
    f = write_csv(tmp_path / "eksport_2024.csv", COMPLAINT_HEADER, [good_complaint(1)])
    code, _, err = ingest(capsys, db, org_file, f)
    assert code == 2 and "kan ikke se hvilken tabel" in err and "--table" in err
    code, _, err = ingest(capsys, db, org_file, f, extra=["--table", "indbakke"])
    assert code == 2 and "ukendt tabel 'indbakke'" in err
    code, out, _ = ingest(capsys, db, org_file, f, extra=["--table", "klager"])
    assert code == 0 and "complaints" in out


def test_refused_file_does_not_stop_the_others(tmp_path, capsys, db, org_file):
    bad = write_csv(tmp_path / "sager.csv", ["sag_id"], [["S1"]])
    good = write_csv(tmp_path / "klager.csv", COMPLAINT_HEADER, [good_complaint(1)])
    code, out, err = ingest(capsys, db, org_file, bad, good)
    assert code == 2
    assert "sager.csv" in err and "klager.csv: complaints — læst 1, indsat 1" in out


def test_invalid_organisation_file_names_the_key(tmp_path, capsys, db):
    org = tmp_path / "org.yaml"
    org.write_text("municipality: X\nforvaltninger:\n  - {code: SOF, name: S}\nservicemål: {a: 1}\n",
                   encoding="utf-8")
    f = write_csv(tmp_path / "klager.csv", COMPLAINT_HEADER, [good_complaint(1)])
    code, _, err = ingest(capsys, db, org, f)
    assert code == 2 and "org.yaml" in err and "servicemål: ukendt nøgle" in err


def test_bad_call_exits_2(capsys, tmp_path):
    with pytest.raises(SystemExit) as exc:
        main(["ingest", "x.csv", "--as-of", "i morgen"])
    assert exc.value.code == 2
    assert "er ikke en dato" in capsys.readouterr().err


def test_missing_file_is_refused(tmp_path, capsys, db, org_file):
    code, _, err = ingest(capsys, db, org_file, tmp_path / "klager.csv")
    assert code == 2 and "filen findes ikke" in err


# --- readers --------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252"])
@pytest.mark.parametrize("sep", [";", ","])
def test_encodings_and_separators(tmp_path, capsys, db, org_file, encoding, sep):
    f = write_csv(tmp_path / "klager.csv", COMPLAINT_HEADER,
                  [good_complaint(1, område="Børn og unge, særlig støtte", emne="Ærlig talt: for længe")],
                  sep=sep, encoding=encoding)
    assert ingest(capsys, db, org_file, f)[0] == 0
    assert query(db, "SELECT area, topic FROM complaints") == [("Børn og unge, særlig støtte", "Ærlig talt: for længe")]


@pytest.mark.parametrize("text", ["2024-01-31", "31-01-2024", "31.01.2024", "2024-01-31 00:00:00"])
def test_date_formats(tmp_path, capsys, db, org_file, text):
    f = write_csv(tmp_path / "klager.csv", COMPLAINT_HEADER, [good_complaint(1, modtaget=text, afsluttet="")
                                                              [:8] + ["", ""]])
    assert ingest(capsys, db, org_file, f)[0] == 0
    assert str(query(db, "SELECT received FROM complaints")[0][0]) == "2024-01-31"


def test_months_counts_decimal_comma_and_thousands_dot(tmp_path, capsys, db, org_file):
    f = write_csv(tmp_path / "afgørelser.csv", ["forvaltning", "enhed", "område", "måned", "antal_afgørelser"],
                  [["SOF", "A", "X", "2024-01", "1.234"], ["SOF", "A", "X", "2024-02", "12,0"],
                   ["SOF", "A", "X", "2024-3", "7"], ["SOF", "A", "X", "2024-13", "7"],
                   ["SOF", "A", "X", "2024-04", "12,5"]])
    assert ingest(capsys, db, org_file, f)[0] == 1
    assert_accounting(db, read=5, inserted=3, quarantined=2)
    got = query(db, "SELECT strftime(month, '%Y-%m'), decisions FROM decisions ORDER BY 1")
    assert got == [("2024-01", 1234), ("2024-02", 12), ("2024-03", 7)]
    reasons = [q["reason"] for q in quarantine(db)]
    assert "'2024-13' er ikke en måned" in reasons[0] and "'12,5' er ikke et helt tal" in reasons[1]


@pytest.mark.parametrize("text, value", [("ja", True), ("NEJ", False), ("true", True), ("False", False),
                                         ("1", True), ("0", False)])
def test_booleans(tmp_path, capsys, db, org_file, text, value):
    f = write_csv(tmp_path / "klager.csv", COMPLAINT_HEADER, [good_complaint(1, videresendt=text)])
    assert ingest(capsys, db, org_file, f)[0] == 0
    assert query(db, "SELECT sent_to_appeal FROM complaints") == [(value,)]


def test_headers_are_case_and_space_insensitive_and_canonical_names_work(tmp_path, capsys, db, org_file):
    header = ["  Klage_ID ", "FORVALTNING", "area", "Received", "kind"]
    f = write_csv(tmp_path / "complaints.csv", header, [["K1", "Socialforvaltningen", "  Hjemme   hjælp ",
                                                         "2024-01-01", "formalitet og realitet"]], sep=",")
    assert ingest(capsys, db, org_file, f)[0] == 0
    assert query(db, "SELECT forvaltning, area, kind FROM complaints") == [
        ("SOF", "Hjemme hjælp", "formalitet og realitet")]


def test_columns_outside_the_contract_are_reported(tmp_path, capsys, db, org_file):
    f = write_csv(tmp_path / "klager.csv", COMPLAINT_HEADER + ["sagsbehandler"], [good_complaint(1) + ["Jens"]])
    code, out, _ = ingest(capsys, db, org_file, f)
    assert code == 0 and "kolonner uden for kontrakten blev ikke indlæst: sagsbehandler" in out


def test_xlsx_first_sheet_with_date_cells(tmp_path, capsys, db, org_file):
    from datetime import datetime

    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["anke_id", "forvaltning", "område", "ankeinstans", "modtaget", "afgjort", "resultat"])
    ws.append(["A1", "BIF", "Sygedagpenge", "Ankestyrelsen", datetime(2024, 1, 3), datetime(2024, 4, 5), "Hjemvist"])
    ws.append([1002, "BIF", "Sygedagpenge", "Ankestyrelsen", "03.01.2024", "2024-04-05", "ophævet"])
    ws.append([None, None, None, None, None, None, None])  # blank row: not data
    ws.append(["A3", "BIF", "Sygedagpenge", "Ankestyrelsen", datetime(2024, 5, 3), datetime(2024, 4, 5), "ændret"])
    other = wb.create_sheet("Noter")
    other.append(["ignored"])
    path = tmp_path / "ankesager.xlsx"
    wb.save(path)
    assert ingest(capsys, db, org_file, path)[0] == 1
    assert_accounting(db, read=3, inserted=2, quarantined=1)
    assert query(db, "SELECT appeal_id, outcome FROM appeals ORDER BY 1") == [("1002", "ophævet"), ("A1", "hjemvist")]
    (q,) = quarantine(db)
    assert q["row_number"] == 5 and "ligger før modtaget" in q["reason"]


@pytest.mark.parametrize("name, table", [
    ("klager.csv", "complaints"), ("complaints.xlsx", "complaints"), ("afgørelser.csv", "decisions"),
    ("afgoerelser_2024.csv", "decisions"), ("Stikprøver-2023.csv", "audits"), ("sager.csv", "cases"),
    ("danmarkskort.csv", "municipal_appeals"), ("risikovurderinger.xlsx", "risk_assessments"),
    ("henvendelser 2024.csv", "inquiries"), ("ankesager.csv", "appeals"),
])
def test_table_from_file_name(name, table):
    from kvalitet.ingest import table_from_filename

    assert table_from_filename(Path(name)).name == table


# --- idempotency and updates ----------------------------------------------------------------------------------

def test_loading_the_same_file_again_changes_nothing(tmp_path, capsys, db, org_file):
    f = write_csv(tmp_path / "klager.csv", COMPLAINT_HEADER,
                  [good_complaint(1), good_complaint(2, udfald=""), good_complaint(3), good_complaint(3)])
    ingest(capsys, db, org_file, f)
    before = query(db, "SELECT * FROM complaints ORDER BY complaint_id"), query(db, "SELECT * FROM quarantine")
    code, out, _ = ingest(capsys, db, org_file, f)
    assert code == 1
    assert_accounting(db, read=4, unchanged=2, duplicates=1, quarantined=1)
    after = query(db, "SELECT * FROM complaints ORDER BY complaint_id"), query(db, "SELECT * FROM quarantine")
    assert before == after
    assert query(db, "SELECT count(*) FROM ingest_log") == [(2,)]


def test_a_changed_row_is_updated_and_counted(tmp_path, capsys, db, org_file):
    f1 = write_csv(tmp_path / "a" / "klager.csv", COMPLAINT_HEADER, [good_complaint(1), good_complaint(2)])
    f2 = write_csv(tmp_path / "b" / "klager.csv", COMPLAINT_HEADER,
                   [good_complaint(1), good_complaint(2, udfald="medhold"), good_complaint(3)])
    ingest(capsys, db, org_file, f1)
    code, out, _ = ingest(capsys, db, org_file, f2)
    assert code == 0
    assert "indsat 1, opdateret 1, uændret 1" in out
    assert_accounting(db, read=3, inserted=1, updated=1, unchanged=1)
    assert query(db, "SELECT complaint_id, outcome FROM complaints ORDER BY 1") == [
        ("K1", "ikke medhold"), ("K2", "medhold"), ("K3", "ikke medhold")]


def test_update_with_null_in_key_column(tmp_path, capsys, db, org_file):
    header = ["forvaltning", "enhed", "område", "måned", "antal_afgørelser"]
    f1 = write_csv(tmp_path / "a" / "afgørelser.csv", header, [["SOF", "", "X", "2024-01", "10"]])
    f2 = write_csv(tmp_path / "b" / "afgørelser.csv", header, [["SOF", "", "X", "2024-01", "11"]])
    ingest(capsys, db, org_file, f1)
    ingest(capsys, db, org_file, f2)
    assert_accounting(db, read=1, updated=1)
    assert query(db, "SELECT unit, decisions FROM decisions") == [(None, 11)]


def test_store_has_every_canonical_table(tmp_path, capsys, db, org_file):
    f = write_csv(tmp_path / "klager.csv", COMPLAINT_HEADER, [good_complaint(1)])
    ingest(capsys, db, org_file, f)
    tables = {r[0] for r in query(db, "SELECT table_name FROM information_schema.tables")}
    assert set(contract.TABLES) | {"quarantine", "ingest_log", "meta", "row_as_of"} <= tables
    for t in contract.TABLES.values():
        cols = [r[0] for r in query(db, f"SELECT column_name FROM information_schema.columns "
                                        f"WHERE table_name = '{t.name}' ORDER BY ordinal_position")]
        assert cols == t.column_names


def test_db_from_environment_variable(tmp_path, capsys, org_file, monkeypatch):
    target = tmp_path / "env.duckdb"
    monkeypatch.setenv("KVALITET_DB", str(target))
    f = write_csv(tmp_path / "klager.csv", COMPLAINT_HEADER, [good_complaint(1)])
    assert main(["ingest", str(f), "--organisation", str(org_file), "--as-of", "2024-12-31"]) == 0
    assert query(target, "SELECT count(*) FROM complaints") == [(1,)]


def test_fast_and_careful_csv_readers_agree(tmp_path):
    """The fast reader (regular unquoted files) and the careful one give the same cells and row numbers."""
    from kvalitet import readers

    f = write_csv(tmp_path / "klager.csv", COMPLAINT_HEADER,
                  [good_complaint(i, emne=f"tekst {i}") for i in range(50)] + [[""] * len(COMPLAINT_HEADER)])
    text = f.read_text(encoding="utf-8")
    assert not readers._needs_careful_reader(text, ";")
    fast = readers._read_csv_fast(f, text, ";", "utf-8")
    careful = readers._read_csv_careful(f, text, ";", "utf-8")
    assert fast.headers == careful.headers
    assert fast.data.equals(careful.data)
    assert list(fast.row_numbers) == list(careful.row_numbers) == list(range(2, 52))
    quoted = text.replace("tekst 3", '"tekst; 3"')
    assert readers._needs_careful_reader(quoted, ";")
