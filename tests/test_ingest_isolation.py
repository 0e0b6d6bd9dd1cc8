"""Files fail alone: a file that cannot be decoded, meets an internal error or whose accounting does not balance is
rolled back and reported (exit 2), and the other files of the same call are loaded."""

from __future__ import annotations

import re

import duckdb
import pytest

from conftest import write_csv, cpr_like
from kvalitet import organisation, readers, store
from kvalitet.cli import main
from kvalitet.ingest import ingest_files

HEADER = ["klage_id", "forvaltning", "område", "modtaget", "klagetype", "emne"]


def good(folder, name="klager.csv", ids=("K1", "K2")):
    return write_csv(folder / name, HEADER, [[i, "SOF", "Handicap", "01-02-2024", "realitet", "x"] for i in ids])


def ingest(capsys, db, org, *paths) -> tuple[int, str, str]:
    code = main(["ingest", *map(str, paths), "--db", str(db), "--organisation", str(org), "--as-of", "2024-12-31"])
    out, err = capsys.readouterr()
    return code, out, err


def query(db, sql):
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_an_undecodable_file_is_refused_and_the_next_file_loads(tmp_path, capsys, db, org_file):
    bad = tmp_path / "bad" / "klager.csv"
    bad.parent.mkdir()
    # UTF-8 with a BOM, and a byte that is no UTF-8 in the second data row
    bad.write_bytes(b"\xef\xbb\xbfklage_id;forvaltning;omr\xc3\xa5de;modtaget;klagetype\r\n"
                    b"K8;SOF;Handicap;01-02-2024;realitet\r\nK9;SOF;Hand\xffcap;01-02-2024;realitet\r\n")
    code, out, err = ingest(capsys, db, org_file, bad, good(tmp_path / "ok"))
    assert code == 2
    assert "Traceback" not in err
    assert re.search(r"^AFVIST .*bad/klager\.csv", err, re.M)
    assert "læst 2, indsat 2," in out
    assert query(db, "SELECT complaint_id FROM complaints ORDER BY 1") == [("K1",), ("K2",)]
    assert query(db, "SELECT count(*) FROM ingest_log") == [(1,)]


def test_an_unbalanced_file_is_rolled_back_and_the_next_file_loads(tmp_path, capsys, db, org_file, monkeypatch):
    real = store.upsert
    calls = []

    def miscounting(con, table, frame, as_of):
        counts = real(con, table, frame, as_of)
        calls.append(table.name)
        if len(calls) == 1:  # the first file claims one row more than it read
            return store.UpsertCounts(counts.inserted + 1, counts.updated, counts.unchanged, counts.stale)
        return counts

    monkeypatch.setattr(store, "upsert", miscounting)
    first = write_csv(tmp_path / "a" / "klager.csv", HEADER, [
        ["K1", "SOF", "Handicap", "01-02-2024", "realitet", "x"],
        ["K2", "KBH", "Handicap", "01-02-2024", "realitet", "borger 010203-1234"],  # quarantined
    ])
    second = good(tmp_path / "b", ids=("K3",))
    code, out, err = ingest(capsys, db, org_file, first, second)
    assert code == 2
    assert calls == ["complaints", "complaints"]
    assert "rækkeregnskabet går ikke op (læst 2, men indsat + opdateret + uændret + dubletter + forældet + " \
           "i karantæne = 3); filen er rullet tilbage" in err
    assert not cpr_like(out + err)
    # nothing of the first file: no rows, no quarantine, no log row, no as-of; the second file is all there
    assert query(db, "SELECT complaint_id FROM complaints") == [("K3",)]
    assert query(db, "SELECT count(*) FROM quarantine") == [(0,)]
    assert query(db, "SELECT file_name, rows_read, inserted FROM ingest_log") == [("klager.csv", 1, 1)]
    assert query(db, "SELECT key FROM row_as_of") == [('["K3"]',)]
    assert "læst 1, indsat 1," in out


def test_an_internal_error_in_one_file_is_reported_scrubbed_and_the_others_load(tmp_path, capsys, db, org_file,
                                                                               monkeypatch):
    real = readers.read_file

    def failing(path, *args, **kwargs):
        if "a" == path.parent.name:
            raise ValueError("uventet celle 0102031234 i filen")
        return real(path, *args, **kwargs)

    monkeypatch.setattr(readers, "read_file", failing)
    code, out, err = ingest(capsys, db, org_file, good(tmp_path / "a"), good(tmp_path / "b", ids=("K5",)))
    assert code == 2
    assert "intern fejl under indlæsningen (ValueError: uventet celle [CPR] i filen)" in err
    assert "KVALITET_DEBUG=1" in err and "Traceback" not in err
    assert not cpr_like(out + err)
    assert query(db, "SELECT complaint_id FROM complaints") == [("K5",)]


def test_with_debug_the_internal_error_is_raised(tmp_path, db, org_file, monkeypatch):
    def failing(path, *args, **kwargs):
        raise ValueError("fejl")

    monkeypatch.setattr(readers, "read_file", failing)
    monkeypatch.setenv("KVALITET_DEBUG", "1")
    with pytest.raises(ValueError, match="fejl"):
        ingest_files([good(tmp_path)], db=db, organisation=organisation.load(org_file))
