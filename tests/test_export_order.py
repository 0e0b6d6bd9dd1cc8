"""Export order: the newest export wins whatever order the files are loaded in; an older export's rows are stale.

The scenario of issue 8: klager_maj.csv (as of 31 May 2024, K1 closed with medhold) and klager_feb.csv (as of
29 February 2024, K1 still open). Every expected count below is worked out by hand from the files and the rule
"a row from an export at least as new as the one that last set or confirmed the stored row updates (or confirms)
it; a row from an older export changes nothing and is stale".
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from conftest import write_csv
from kvalitet import contract, store
from kvalitet.cli import main
from kvalitet.pii import key_fingerprint

HEADER = ["klage_id", "forvaltning", "område", "modtaget", "afsluttet", "klagetype", "udfald"]
MAJ_AS_OF, FEB_AS_OF = "2024-05-31", "2024-02-29"
COUNTS = ("rows_read", "inserted", "updated", "unchanged", "duplicates_collapsed", "stale", "quarantined")


def maj(folder: Path) -> Path:
    return write_csv(folder / "klager_maj.csv", HEADER, [
        ["K1", "SOF", "Handicap", "01-02-2024", "20-04-2024", "realitet", "medhold"],   # closed since February
        ["K2", "SOF", "Handicap", "10-02-2024", "", "realitet", ""],                    # as in February
        ["K3", "SOF", "Handicap", "01-03-2024", "", "formalitet", ""],                  # new since February
    ])


def feb(folder: Path) -> Path:
    return write_csv(folder / "klager_feb.csv", HEADER, [
        ["K1", "SOF", "Handicap", "01-02-2024", "", "realitet", ""],                    # still open
        ["K2", "SOF", "Handicap", "10-02-2024", "", "realitet", ""],
        ["K4", "SOF", "Handicap", "15-02-2024", "", "realitet", ""],                    # only in February's export
        ["K5", "KBH", "Handicap", "16-02-2024", "", "realitet", ""],                    # unknown forvaltning
    ])


def load(capsys, db, org, path, as_of) -> tuple[int, str]:
    code = main(["ingest", str(path), "--db", str(db), "--organisation", str(org), "--as-of", as_of])
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    return code, out + err


def log(db) -> list[dict]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        rows = con.execute(f"SELECT file_name, {', '.join(COUNTS)} FROM ingest_log "
                           "ORDER BY loaded_at, rowid").fetchall()
    finally:
        con.close()
    return [dict(zip(("file_name", *COUNTS), r)) for r in rows]


def counts(read, inserted=0, updated=0, unchanged=0, duplicates=0, stale=0, quarantined=0) -> dict:
    assert read == inserted + updated + unchanged + duplicates + stale + quarantined
    return dict(zip(COUNTS, (read, inserted, updated, unchanged, duplicates, stale, quarantined)))


def complaints(db) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute("SELECT complaint_id, strftime(closed, '%Y-%m-%d'), outcome FROM complaints "
                           "ORDER BY complaint_id").fetchall()
    finally:
        con.close()


def test_an_older_export_loaded_after_a_newer_one_changes_nothing(tmp_path, capsys, db, org_file):
    code, _ = load(capsys, db, org_file, maj(tmp_path / "m"), MAJ_AS_OF)
    assert code == 0
    code, out = load(capsys, db, org_file, feb(tmp_path / "f"), FEB_AS_OF)
    assert code == 1  # K5 quarantined
    # K1 differs and K2 is the same, both older than May: stale; K4 is new: inserted; K5: quarantine
    assert "læst 4, indsat 1, opdateret 0, uændret 0, dubletter 0, forældet 2, i karantæne 1" in out
    assert [{k: v for k, v in r.items() if k != "file_name"} for r in log(db)] == [
        counts(3, inserted=3), counts(4, inserted=1, stale=2, quarantined=1)]
    assert complaints(db) == [("K1", "2024-04-20", "medhold"), ("K2", None, None), ("K3", None, None),
                              ("K4", None, None)]


def test_a_newer_export_loaded_after_an_older_one_updates(tmp_path, capsys, db, org_file):
    load(capsys, db, org_file, feb(tmp_path / "f"), FEB_AS_OF)
    code, out = load(capsys, db, org_file, maj(tmp_path / "m"), MAJ_AS_OF)
    assert code == 0
    assert "læst 3, indsat 1, opdateret 1, uændret 1, dubletter 0, forældet 0, i karantæne 0" in out
    assert [{k: v for k, v in r.items() if k != "file_name"} for r in log(db)] == [
        counts(4, inserted=3, quarantined=1), counts(3, inserted=1, updated=1, unchanged=1)]
    assert complaints(db) == [("K1", "2024-04-20", "medhold"), ("K2", None, None), ("K3", None, None),
                              ("K4", None, None)]


def test_a_row_confirmed_by_a_newer_export_is_stale_for_the_older_one(tmp_path, capsys, db, org_file):
    """K2 unchanged in May still moves to May; K4, absent from May, keeps February."""
    f = feb(tmp_path / "f")
    load(capsys, db, org_file, f, FEB_AS_OF)
    load(capsys, db, org_file, maj(tmp_path / "m"), MAJ_AS_OF)
    code, _ = load(capsys, db, org_file, f, FEB_AS_OF)
    assert code == 1
    # K1 (updated by May) and K2 (confirmed by May) are stale; K4 was set by this very export: unchanged
    assert log(db)[-1] == {"file_name": "klager_feb.csv", **counts(4, unchanged=1, stale=2, quarantined=1)}
    assert complaints(db)[0] == ("K1", "2024-04-20", "medhold")


def test_equal_as_of_a_row_that_differs_is_updated(tmp_path, capsys, db, org_file):
    first = maj(tmp_path / "a")
    second = write_csv(tmp_path / "b" / "klager_maj.csv", HEADER, [
        ["K1", "SOF", "Handicap", "01-02-2024", "20-04-2024", "realitet", "delvis medhold"],  # corrected
        ["K2", "SOF", "Handicap", "10-02-2024", "", "realitet", ""],
    ])
    load(capsys, db, org_file, first, MAJ_AS_OF)
    code, out = load(capsys, db, org_file, second, MAJ_AS_OF)
    assert code == 0
    assert log(db)[-1] == {"file_name": "klager_maj.csv", **counts(2, updated=1, unchanged=1)}
    assert complaints(db)[0] == ("K1", "2024-04-20", "delvis medhold")


def test_reloading_a_file_is_unchanged_not_stale(tmp_path, capsys, db, org_file):
    f = maj(tmp_path / "m")
    load(capsys, db, org_file, f, MAJ_AS_OF)
    before = complaints(db)
    code, out = load(capsys, db, org_file, f, MAJ_AS_OF)
    assert code == 0
    assert "læst 3, indsat 0, opdateret 0, uændret 3, dubletter 0, forældet 0, i karantæne 0" in out
    assert log(db)[-1] == {"file_name": "klager_maj.csv", **counts(3, unchanged=3)}
    assert complaints(db) == before


def test_store_tables_show_only_the_contract_columns(tmp_path, capsys, db, org_file):
    """The per-row as-of lives in a side table: SELECT * on a canonical table has exactly its columns."""
    load(capsys, db, org_file, maj(tmp_path / "m"), MAJ_AS_OF)
    con = duckdb.connect(str(db), read_only=True)
    try:
        cur = con.execute("SELECT * FROM complaints")
        assert [d[0] for d in cur.description] == contract.TABLES["complaints"].column_names
        assert con.execute("SELECT key, strftime(as_of, '%Y-%m-%d') FROM row_as_of ORDER BY key").fetchall() == [
            ('["K1"]', MAJ_AS_OF), ('["K2"]', MAJ_AS_OF), ('["K3"]', MAJ_AS_OF)]
    finally:
        con.close()


# --- a database made before per-row as-of dates -----------------------------------------------------------------

OLD_INGEST_LOG = """
CREATE TABLE ingest_log (
    file_name VARCHAR NOT NULL, source_sha256 VARCHAR NOT NULL, "table" VARCHAR NOT NULL, rows_read BIGINT NOT NULL,
    inserted BIGINT NOT NULL, updated BIGINT NOT NULL, unchanged BIGINT NOT NULL,
    duplicates_collapsed BIGINT NOT NULL, quarantined BIGINT NOT NULL, as_of DATE NOT NULL,
    loaded_at TIMESTAMP NOT NULL
)"""
OLD_KEY = bytes(range(32))


def build_old_database(db: Path) -> None:
    """The schema and contents of a database made before this change, with its key file beside it."""
    con = duckdb.connect(str(db))
    for t in contract.TABLES.values():
        con.execute(store.table_ddl(t))
    con.execute(store.QUARANTINE_DDL)
    con.execute(OLD_INGEST_LOG)
    con.execute("CREATE TABLE meta (key VARCHAR PRIMARY KEY, value VARCHAR)")
    con.execute("INSERT INTO complaints (complaint_id, forvaltning, area, received, closed, kind, outcome) VALUES "
                "('K1', 'SOF', 'Handicap', DATE '2024-02-01', DATE '2024-04-20', 'realitet', 'medhold'), "
                "('K2', 'SOF', 'Handicap', DATE '2024-02-10', NULL, 'realitet', NULL)")
    con.execute("INSERT INTO decisions (forvaltning, area, month, decisions) VALUES "
                "('SOF', 'Handicap', DATE '2024-01-01', 10)")  # loaded without a log row: no known as-of
    con.execute("INSERT INTO ingest_log VALUES "
                "('klager_feb.csv', 'a', 'complaints', 2, 2, 0, 0, 0, 0, DATE '2024-02-29', "
                "TIMESTAMP '2024-03-01 08:00'), "
                "('klager_maj.csv', 'b', 'complaints', 2, 0, 1, 1, 0, 0, DATE '2024-05-31', "
                "TIMESTAMP '2024-06-01 08:00')")
    con.close()
    Path(str(db) + ".pseudonym-key").write_text(OLD_KEY.hex())


def test_an_old_database_is_upgraded_on_its_next_ingest(tmp_path, capsys, db, org_file, monkeypatch):
    monkeypatch.delenv("KVALITET_PSEUDONYM_KEY", raising=False)
    build_old_database(db)
    code, out = load(capsys, db, org_file, feb(tmp_path / "f"), FEB_AS_OF)
    assert code == 1
    assert "Databasen er opgraderet" in out
    assert "klager: 2 rækker pr. 31. maj 2024" in out  # the newest as-of among the table's loads
    # the rows carry May now: February's K1 and K2 are stale, K4 new, K5 quarantined
    assert "læst 4, indsat 1, opdateret 0, uændret 0, dubletter 0, forældet 2, i karantæne 1" in out
    assert complaints(db)[:2] == [("K1", "2024-04-20", "medhold"), ("K2", None, None)]
    rows = log(db)
    assert [r["file_name"] for r in rows] == ["klager_feb.csv", "klager_maj.csv", "klager_feb.csv"]
    assert [r["stale"] for r in rows] == [0, 0, 2]
    assert {k: v for k, v in rows[1].items() if k != "file_name"} == counts(2, updated=1, unchanged=1)
    con = duckdb.connect(str(db), read_only=True)
    try:
        cols = [r[0] for r in con.execute("SELECT column_name FROM information_schema.columns WHERE table_name = "
                                          "'ingest_log' ORDER BY ordinal_position").fetchall()]
        assert cols == list(store.INGEST_LOG_COLUMNS)
        fingerprint = con.execute("SELECT value FROM meta WHERE key = 'pseudonym_key_fingerprint'").fetchone()
        assert fingerprint == (key_fingerprint(OLD_KEY),)
        # the decisions row had no logged load: no as-of, so any export may set it
        assert con.execute("SELECT count(*) FROM row_as_of WHERE \"table\" = 'decisions'").fetchone() == (0,)
    finally:
        con.close()
    # the upgrade happens once
    code, out = load(capsys, db, org_file, maj(tmp_path / "m"), MAJ_AS_OF)
    assert code == 0 and "opgraderet" not in out
    assert log(db)[-1] == {"file_name": "klager_maj.csv", **counts(3, inserted=1, unchanged=2)}


def test_an_old_database_without_its_key_file_is_refused_and_left_as_it_was(tmp_path, capsys, db, org_file,
                                                                            monkeypatch):
    monkeypatch.delenv("KVALITET_PSEUDONYM_KEY", raising=False)
    build_old_database(db)
    Path(str(db) + ".pseudonym-key").unlink()
    code, out = load(capsys, db, org_file, feb(tmp_path / "f"), FEB_AS_OF)
    assert code == 2
    assert "pseudonymnøglen mangler" in out and "opgraderet" not in out
    con = duckdb.connect(str(db), read_only=True)
    try:  # nothing was written: the log is still the old one, no side table, no fingerprint
        assert "stale" not in [r[0] for r in con.execute("DESCRIBE ingest_log").fetchall()]
        tables = {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
        assert "row_as_of" not in tables
        assert con.execute("SELECT count(*) FROM meta").fetchone() == (0,)
    finally:
        con.close()
    assert not Path(str(db) + ".pseudonym-key").exists()


@pytest.mark.parametrize("first, second, expected", [
    ("feb", "maj", counts(3, inserted=1, updated=1, unchanged=1)),
    ("maj", "feb", counts(4, inserted=1, stale=2, quarantined=1)),
])
def test_ingest_line_and_log_agree(tmp_path, capsys, db, org_file, first, second, expected):
    files = {"feb": (feb(tmp_path / "f"), FEB_AS_OF), "maj": (maj(tmp_path / "m"), MAJ_AS_OF)}
    load(capsys, db, org_file, *files[first])
    _, out = load(capsys, db, org_file, *files[second])
    row = log(db)[-1]
    assert (f"læst {row['rows_read']}, indsat {row['inserted']}, opdateret {row['updated']}, "
            f"uændret {row['unchanged']}, dubletter {row['duplicates_collapsed']}, forældet {row['stale']}, "
            f"i karantæne {row['quarantined']}") in out
    assert {k: v for k, v in row.items() if k != "file_name"} == expected


def test_composite_key_with_an_empty_column_and_a_month(tmp_path, capsys, db, org_file):
    """decisions: key (forvaltning, unit, area, month) with unit empty; the older export is stale, the newer wins."""
    header = ["forvaltning", "enhed", "område", "måned", "antal_afgørelser"]
    may = write_csv(tmp_path / "m" / "afgørelser.csv", header, [["SOF", "", "X", "2024-01", "11"],
                                                                ["SOF", "Nord", "X", "2024-01", "5"]])
    feb_ = write_csv(tmp_path / "f" / "afgørelser.csv", header, [["SOF", "", "X", "2024-01", "10"],
                                                                 ["SOF", "Nord", "X", "2024-01", "5"]])
    jun = write_csv(tmp_path / "j" / "afgørelser.csv", header, [["SOF", "", "X", "2024-01", "12"]])
    load(capsys, db, org_file, may, MAJ_AS_OF)
    load(capsys, db, org_file, feb_, FEB_AS_OF)
    assert log(db)[-1] == {"file_name": "afgørelser.csv", **counts(2, stale=2)}
    load(capsys, db, org_file, jun, "2024-06-30")
    assert log(db)[-1] == {"file_name": "afgørelser.csv", **counts(1, updated=1)}
    con = duckdb.connect(str(db), read_only=True)
    try:
        assert con.execute("SELECT unit, decisions FROM decisions ORDER BY unit NULLS FIRST").fetchall() == [
            (None, 12), ("Nord", 5)]
    finally:
        con.close()
