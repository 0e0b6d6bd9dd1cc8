"""What a report needs to be recomputed (kvalitet.provenance): the data's fingerprint against an independent
computation in Python, its independence of row order and its sensitivity to any value; the versions; and the
"Genberegning" lines of "Metode og data" on a store with two tables as of the same date and as of different dates."""

from __future__ import annotations

import hashlib
import re
from importlib import metadata

import duckdb
import pandas as pd
import partial_store
import pytest
import tiny_store
from conftest import cpr_like

from kvalitet import __version__, provenance
from kvalitet.present import Report
from kvalitet.sections import common, klager

ROWS = [(1, "klage", None), (2, "anke", "2024-01-31"), (3, "ø; æ", "2023-12-01")]


def _table(rows) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute("CREATE TABLE t (id INTEGER, kind VARCHAR, day DATE)")
    con.executemany("INSERT INTO t VALUES (?, ?, ?)", rows)
    return con


def _by_hand(rows) -> str:
    """The definition, computed in Python: MD5 of the sorted row MD5s, a row being its values as text joined by the
    unit separator (chr 31), NULL written as chr 0."""
    texts = ["\x1f".join("\x00" if v is None else str(v) for v in r) for r in rows]
    return hashlib.md5("".join(sorted(hashlib.md5(t.encode()).hexdigest() for t in texts)).encode()).hexdigest()


def test_table_fingerprint_matches_the_definition_computed_in_python():
    assert provenance.table_fingerprint(_table(ROWS), "t") == _by_hand(ROWS)


def test_table_fingerprint_ignores_row_order_and_sees_every_value():
    base = provenance.table_fingerprint(_table(ROWS), "t")
    assert provenance.table_fingerprint(_table(ROWS[::-1]), "t") == base
    changed = [ROWS[0], (2, "anke", "2024-02-01"), ROWS[2]]
    assert provenance.table_fingerprint(_table(changed), "t") != base
    assert provenance.table_fingerprint(_table(ROWS[:2]), "t") != base
    # NULL is not the empty text, and a repeated row counts
    nulls = _table([(1, None, None)])
    empty = duckdb.connect()
    empty.execute("CREATE TABLE t (id INTEGER, kind VARCHAR, day DATE)")
    empty.execute("INSERT INTO t VALUES (1, '', NULL)")
    assert provenance.table_fingerprint(nulls, "t") != provenance.table_fingerprint(empty, "t")
    assert provenance.table_fingerprint(_table(ROWS + ROWS[:1]), "t") != base


def test_data_fingerprint_is_sha256_over_the_tables_names_and_fingerprints():
    con = _table(ROWS)
    con.execute("CREATE TABLE u AS SELECT 7 AS x")
    whole, per = provenance.data_fingerprint(con, ["u", "t", "u"])
    assert list(per) == ["t", "u"]
    assert per["u"] == _by_hand([(7,)])
    expected = hashlib.sha256(f"t:{per['t']}\nu:{per['u']}".encode()).hexdigest()[:16]
    assert whole == expected and re.fullmatch(r"[0-9a-f]{16}", whole)


def test_a_fingerprint_is_shown_in_groups_of_four_never_as_a_cpr_like_run():
    assert provenance.grouped("4312238118a0b1c2") == "4312-2381-18a0-b1c2"
    assert cpr_like("4312238118a0b1c2") and not cpr_like(provenance.grouped("1234567890123456"))


def test_versions_are_those_installed():
    versions = provenance.package_versions()
    assert versions["pandas"] == pd.__version__ and versions["duckdb"] == duckdb.__version__
    for name in provenance.COMPUTING_PACKAGES:
        assert versions[name] == metadata.version(name)
    commit = provenance.git_commit()
    if (provenance.ROOT / ".git").exists():
        assert commit and re.fullmatch(r"[0-9a-f]{12}( \+ lokale ændringer)?", commit)


@pytest.fixture(scope="module")
def smaaby(tmp_path_factory):
    return tiny_store.build(tmp_path_factory.mktemp("smaaby"))


def _text(out: list[str]) -> str:
    return re.sub(r"\s+", " ", "\n".join(out))


def test_metode_og_data_states_versions_dates_and_the_fingerprint(smaaby, shown):
    db, org = smaaby
    rep = Report.open(db, org, None, None)
    try:
        # Småby has no inquiries: a table never loaded and empty was not read, and is not listed
        common.method_and_data(rep, klager.INDICATORS, [*klager.TABLES, "inquiries"])
        whole, per = provenance.data_fingerprint(rep.con, klager.TABLES)
    finally:
        rep.close()
    text = _text(shown)
    assert "**Genberegning**" in text
    assert f"Beregnet med kvalitet {__version__}" in text
    for name in ("pandas", "numpy", "scipy", "statsmodels", "duckdb", "matplotlib"):
        assert f"{name} {metadata.version(name)}" in text
    # one as-of date for both tables (tiny_store loads them as of 31 December 2024): each is dated here
    short = {t: provenance.grouped(d[:8]) for t, d in per.items()}
    assert (f"Data, tallene bygger på: klager pr. 31. december 2024 (fingeraftryk {short['complaints']}); "
            f"afgørelser pr. 31. december 2024 (fingeraftryk {short['decisions']}).") in text
    assert f"Fingeraftryk af alle disse data: `{provenance.grouped(whole)}`" in text
    assert not cpr_like(text)


def test_metode_og_data_does_not_repeat_dates_the_data_quality_lines_give(tmp_path_factory, shown):
    db, org = partial_store.build(tmp_path_factory.mktemp("janby"))
    rep = Report.open(db, org, None, None)
    try:
        tables = ["complaints", "audits"]
        common.method_and_data(rep, klager.INDICATORS, tables)
        _, per = provenance.data_fingerprint(rep.con, tables)
    finally:
        rep.close()
    text = _text(shown)
    assert "Tabellerne er opgjort på forskellige datoer" in text
    short = {t: provenance.grouped(d[:8]) for t, d in per.items()}
    assert (f"Data, tallene bygger på: klager (fingeraftryk {short['complaints']}); stikprøver (fingeraftryk "
            f"{short['audits']}).") in text
