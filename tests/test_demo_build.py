"""The demo database as `kvalitet demo` builds it: through the real exports and ingest, deterministic, marked as demo,
with exactly the planned bad rows in the quarantine."""

from __future__ import annotations

import hashlib

import duckdb
import pandas as pd
import pytest

from conftest import ROOT
from kvalitet import contract
from kvalitet.cli import main
from kvalitet.demo import STYLES
from kvalitet.demodata import load_manifest


def content_digest(db) -> dict[str, str]:
    """A digest of every canonical table's content (ordered by all columns) and of the quarantine reasons."""
    con = duckdb.connect(str(db), read_only=True)
    out = {}
    try:
        for t in contract.TABLES.values():
            cols = ", ".join(f'"{c}"' for c in t.column_names)
            rows = con.execute(f'SELECT {cols} FROM "{t.name}" ORDER BY {cols}').fetchall()
            out[t.name] = hashlib.sha256(repr(rows).encode()).hexdigest()
        q = con.execute('SELECT "table", source_file, row_number, reason FROM quarantine ORDER BY 1, 2, 3').fetchall()
        out["quarantine"] = hashlib.sha256(repr(q).encode()).hexdigest()
    finally:
        con.close()
    return out


def test_demo_is_marked_and_quarantines_exactly_the_planned_bad_rows(demo_db):
    manifest = load_manifest()
    con = duckdb.connect(str(demo_db), read_only=True)
    meta = dict(con.execute("SELECT key, value FROM meta").fetchall())
    assert meta["demo"] == "true" and meta["as_of"] == manifest["as_of"] == "2024-12-31"
    per_table = dict(con.execute('SELECT "table", count(*) FROM quarantine GROUP BY 1').fetchall())
    assert per_table == manifest["expected_bad_rows"]
    log = con.execute("SELECT \"table\", rows_read, inserted, updated, unchanged, duplicates_collapsed, quarantined "
                      "FROM ingest_log").fetchall()
    assert {r[0] for r in log} == set(contract.TABLES)
    for table, read, ins, upd, unch, dup, quar in log:
        assert read == ins + upd + unch + dup + quar
        assert quar == manifest["expected_bad_rows"][table]
        assert con.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0] == ins
    # the Morsø row from the public data is among the quarantined Danmarkskort rows, for the right reason
    reasons = [r[0] for r in con.execute("SELECT reason FROM quarantine WHERE \"table\" = 'municipal_appeals'")
               .fetchall()]
    assert any("= 23 + 2 + 1 + 2 = 28" in r for r in reasons)
    con.close()


def test_demo_exports_use_the_formats_real_systems_produce(demo_db):
    folder = demo_db.parent / "demo-eksport"
    raw = (folder / "klager.csv").read_bytes()
    raw.decode("cp1252")
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")  # Windows-1252 with Danish letters
    assert raw.split(b"\r\n", 1)[0].startswith(b"klage_id;forvaltning;enhed;omr\xe5de;modtaget")
    assert (folder / "afgørelser.csv").read_bytes().startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM
    assert (folder / "anbefalinger.xlsx").read_bytes()[:2] == b"PK"
    assert set(p.name for p in folder.iterdir()) == ({s.file_name for s in STYLES.values()}
                                                     | {s.foreign.profile_file for s in STYLES.values() if s.foreign})


def test_demo_is_deterministic(tmp_path, demo_db, monkeypatch):
    monkeypatch.setenv("KVALITET_PSEUDONYM_KEY", "a fixed key for both builds")
    a = tmp_path / "a.duckdb"
    org = str(ROOT / "parameters" / "organisation.yaml")
    assert main(["demo", "--db", str(a), "--organisation", org]) == 0
    first = content_digest(a)
    # the same seed again, in place: the database is replaced (not added to) and comes out identical
    assert main(["demo", "--db", str(a), "--organisation", org]) == 0
    assert content_digest(a) == first
    # the demo database from the session fixture (another pseudonym key) agrees on every table without pseudonyms
    other = content_digest(demo_db)
    assert {k: v for k, v in other.items() if k != "complaints"} == {
        k: v for k, v in first.items() if k != "complaints"}


def test_demo_refuses_to_overwrite_a_database_with_real_data(tmp_path, capsys, org_file):
    real = tmp_path / "real.duckdb"
    con = duckdb.connect(str(real))
    con.execute("CREATE TABLE meta (key VARCHAR, value VARCHAR)")
    con.close()
    code = main(["demo", "--db", str(real), "--organisation", str(ROOT / "parameters" / "organisation.yaml")])
    assert code == 2
    assert "indeholder ikke demo-data; den overskrives ikke" in capsys.readouterr().err
    assert real.exists()


def test_every_planted_effect_is_in_the_manifest():
    manifest = load_manifest()
    kinds = {(i, e["kind"], e.get("direction")) for e in manifest["effects"]
             for i in (e["indicator"] if isinstance(e["indicator"], list) else [e["indicator"]])}
    assert ("complaint_rate", "trend", "falling") in kinds
    assert ("complaint_rate", "trend", "rising") in kinds
    assert any(e["indicator"] == "appeal_reversal_share" and e["kind"] == "level_shift" and e.get("start")
               for e in manifest["effects"])
    assert any(e["indicator"] == "audit_error_share" and e["kind"] == "above_threshold" for e in manifest["effects"])
    assert any(e["kind"] == "backlog_episode" and "Byggesager" in (e.get("area") or "")
               for e in manifest["effects"])
    assert len(manifest["null_series"]) >= 5


def test_demo_register_through_ingest(demo_db):
    """The register's export (XLSX, Danish headers, deadlines after the as-of date) loads whole: the six overdue
    findings written out in kvalitet/demodata/register.py are flagged, and the three bad register rows are
    quarantined for the register's own rules."""
    from kvalitet.indicators import lookups

    con = duckdb.connect(str(demo_db), read_only=True)
    try:
        got = lookups.findings(con)
        reasons = [r[0] for r in con.execute(
            "SELECT reason FROM quarantine WHERE \"table\" = 'recommendations' ORDER BY row_number").fetchall()]
    finally:
        con.close()
    overdue = got[got["overdue"]]
    assert sorted(overdue["forvaltning"]) == ["BIF", "BUF", "SOF", "SOF", "SUF", "ØKF"]
    assert got["overdue"].tolist() == [True] * 6 + [False] * (len(got) - 6)
    assert (overdue["due"].diff().dropna() >= pd.Timedelta(0)).all()  # the oldest due date first
    assert overdue.iloc[0][["forvaltning", "source", "year", "number"]].tolist() == [
        "SOF", "Borgerrådgiveren", 2015, 3]  # due 31 December 2019
    assert any("kilde (source): 'Kommunalbestyrelsen' er ikke en af" in r for r in reasons)
    assert any("tiltag (action): mangler, men status er 'opgivet'" in r for r in reasons)
    assert any("nævner et ukendt indikator-id: 'klagerate'" in r for r in reasons)
