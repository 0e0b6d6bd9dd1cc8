"""The official list of kommuner, their regions, and the matching of names in Danmarkskort exports."""

from __future__ import annotations

import hashlib
from fnmatch import fnmatch
from pathlib import Path

import pandas as pd
import pytest

from conftest import PUBLIC, ROOT, write_csv
from kvalitet import municipalities as mun
from test_ingest_rules import assert_accounting, ingest, query, quarantine

DATA = ROOT / "kvalitet" / "data"


def test_the_official_list_is_the_98_kommuner_without_christiansoe():
    ms = mun.all_municipalities()
    assert len(ms) == 98
    assert len({m.name for m in ms}) == 98 and len({m.code for m in ms}) == 98
    assert "Christiansø" not in mun.names() and 411 not in {m.code for m in ms}
    kbh = mun.get("København")
    assert (kbh.code, kbh.region_code, kbh.region) == (101, 1084, "Region Hovedstaden")
    assert (mun.get("Aarhus").code, mun.get("Aalborg").region) == (751, "Region Nordjylland")
    # Danish order: æ, ø, å after z, and aa in a place name read as å
    assert mun.names()[:2] == ["Albertslund", "Allerød"]
    assert mun.names()[-5:] == ["Vordingborg", "Ærø", "Aabenraa", "Aalborg", "Aarhus"]


def test_regions_from_the_geojson_agree_with_the_region_list():
    """kommunekod → regionskod from the boundaries and the shipped Kommune;Region list give the same region for
    all 98 (the list spells Aalborg and Aarhus the older way, Ålborg and Århus: matched as aliases)."""
    listed = mun.region_list()
    assert len(listed) == 98
    assert {"Ålborg", "Århus"} <= set(listed)
    by_official = {mun.match(k): v for k, v in listed.items()}
    assert set(by_official) == set(mun.names())
    assert all(by_official[m.name] == m.region for m in mun.all_municipalities())
    sizes = {r: len(mun.in_region(r)) for r in mun.regions()}
    # 98 kommuner: Hovedstaden 29, Sjælland 17, Syddanmark 22, Midtjylland 19, Nordjylland 11
    assert sizes == {"Region Nordjylland": 11, "Region Midtjylland": 19, "Region Syddanmark": 22,
                     "Region Hovedstaden": 29, "Region Sjælland": 17}
    assert mun.in_region("Sjælland") == mun.in_region("Region Sjælland")


@pytest.mark.parametrize("written, official", [
    ("København", "København"), ("Københavns Kommune", "København"), ("Kobenhavn", "København"),
    ("KØBENHAVN", "København"), ("Koebenhavn", "København"), ("  København  kommune ", "København"),
    ("0101", "København"), ("101", "København"), ("Århus", "Aarhus"), ("Aarhus Kommune", "Aarhus"),
    ("Ålborg", "Aalborg"), ("Åbenrå", "Aabenraa"), ("Høje Taastrup", "Høje-Taastrup"),
    ("Lyngby-Tårbæk", "Lyngby-Taarbæk"), ("Bornholms Regionskommune", "Bornholm"), ("Laesoe", "Læsø"),
    ("Nordfyns Kommune", "Nordfyns"), ("Nordfyn", "Nordfyns"), ("Brønderslev-Dronninglund", "Brønderslev"),
    ("Frederiksberg", "Frederiksberg"), ("Faaborg-Midtfyn", "Faaborg-Midtfyn"), ("Ærø", "Ærø"),
])
def test_names_match_by_code_or_spelling(written, official):
    assert mun.match(written) == official


@pytest.mark.parametrize("written, near", [
    ("Kobenhavm", ["København"]), ("Kolting", ["Kolding"]), ("Christiansø", []), ("Fjordby", []),
    ("411", []), ("", []),
])
def test_unknown_names_do_not_match_and_the_reason_names_the_closest(written, near):
    assert mun.match(written) is None
    if written:
        reason = mun.unknown_reason(written)
        assert reason.startswith("er ikke en dansk kommune (navn eller kommunekode)")
        assert all(n in reason for n in near)
        assert ("nærmeste" in reason) == bool(near)


def test_every_official_name_folds_to_its_own_key():
    """No two kommuner are the same after folding (else matching would be ambiguous)."""
    keys = [mun.fold(n) for n in mun.names()]
    assert len(set(keys)) == 98
    assert all(mun.match(n) == n for n in mun.names())
    assert all(mun.match(str(m.code).zfill(4)) == m.name for m in mun.all_municipalities())


def test_demo_and_published_municipalities_are_official_names():
    from kvalitet.demodata.setting import _MUNICIPALITIES

    assert all(mun.match(m) == m for m in _MUNICIPALITIES)
    pub = pd.read_csv(PUBLIC / "ast_omgoerelse_kommuner.csv")
    assert all(mun.match(k) == k for k in pub["kommune"].unique())


def test_boundaries_one_entry_per_kommune_with_closed_oriented_rings():
    b = mun.boundaries()
    assert set(b) == set(mun.names())
    for name, rings in b.items():
        for r in rings:
            assert r.shape[1] == 2 and (r[0] == r[-1]).all()
            assert 8.0 < r[:, 0].min() and r[:, 0].max() < 15.3 and 54.5 < r[:, 1].min() and r[:, 1].max() < 57.8
    # the first ring of a kommune is an outer ring: counter-clockwise (positive signed area)
    x, y = b["Odense"][0][:, 0], b["Odense"][0][:, 1]
    assert (x[:-1] * y[1:] - x[1:] * y[:-1]).sum() > 0


def test_the_data_files_ship_with_the_package_and_are_the_documented_copies():
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert 'kvalitet = ["*.json", "*.yaml", "data/*"]' in text
    for name, sha in (("dk_kommuner_compact.geojson",
                       "12afcbad7aea09ad7c7d1f3ea107f1ecfb4eef9dff3fe332287c341fd202d12a"),
                      ("ast_talportal_kommuner_regioner.csv",
                       "ccf4bb4c190ebb5be087219725acb5c6eb7dc0727ecae8446001d9984a335d45")):
        assert fnmatch(f"data/{name}", "data/*")
        assert hashlib.sha256((DATA / name).read_bytes()).hexdigest() == sha
    assert "MIT License" in (DATA / "LICENSE-dk_kommuner.txt").read_text(encoding="utf-8")
    assert "CC BY 4.0" in (DATA / "README.md").read_text(encoding="utf-8")


# ------------------------------------------------------------------------------------------------- the ingest
HEADER = ["kommune", "år", "område", "stadfæstet", "ændret_ophævet", "hjemvist"]


def test_ingest_stores_the_official_name_and_quarantines_an_unknown_one(tmp_path, capsys, db, org_file):
    rows = [["Københavns Kommune", "2023", "Socialområdet", "100", "20", "10"],
            ["Kobenhavn", "2022", "Socialområdet", "90", "20", "10"],
            ["0751", "2023", "Socialområdet", "50", "5", "5"],
            ["Ålborg", "2023", "Socialområdet", "40", "5", "5"],
            ["Kobenhavm", "2023", "Børnehandicap", "10", "2", "3"],
            ["Christiansø", "2023", "Socialområdet", "1", "0", "0"]]
    f = write_csv(tmp_path / "danmarkskort.csv", HEADER, rows)
    assert ingest(capsys, db, org_file, f)[0] == 1
    assert_accounting(db, read=6, inserted=4, quarantined=2)
    stored = query(db, "SELECT municipality, year FROM municipal_appeals ORDER BY municipality, year")
    assert stored == [("Aalborg", 2023), ("Aarhus", 2023), ("København", 2022), ("København", 2023)]
    q = quarantine(db)
    assert [r["row_number"] for r in q] == [6, 7]
    assert q[0]["reason"] == ("kommune (municipality): 'Kobenhavm' er ikke en dansk kommune (navn eller "
                              "kommunekode); nærmeste: København")
    assert q[0]["columns"] == "municipality"
    assert q[1]["reason"] == "kommune (municipality): 'Christiansø' er ikke en dansk kommune (navn eller kommunekode)"


def test_two_spellings_of_one_kommune_are_one_key(tmp_path, capsys, db, org_file):
    """'København' and 'Københavns Kommune' for the same year and area are the same row: identical copies
    collapse; copies with different counts are both quarantined."""
    rows = [["København", "2023", "Socialområdet", "100", "20", "10"],
            ["Københavns Kommune", "2023", "Socialområdet", "100", "20", "10"],
            ["Aarhus", "2023", "Socialområdet", "50", "5", "5"],
            ["Århus", "2023", "Socialområdet", "51", "5", "5"]]
    f = write_csv(tmp_path / "danmarkskort.csv", HEADER, rows)
    assert ingest(capsys, db, org_file, f)[0] == 1
    assert_accounting(db, read=4, inserted=1, duplicates=1, quarantined=2)
    assert all("står flere gange i filen" in r["reason"] for r in quarantine(db))


def test_the_published_rows_still_load(tmp_path, capsys, db, org_file):
    """The real per-kommune counts (tests/data/public): every kommune matches; only Morsø H1 2020's inconsistent
    total is quarantined, as before."""
    pub = pd.read_csv(PUBLIC / "ast_omgoerelse_kommuner.csv")
    have = pub.dropna(subset=["n_stadfaestet", "n_aendret_ophaevet", "n_hjemvist"])
    rows = [[r.kommune, str(r.year), f"{r.area} {r.period}", str(int(r.n_stadfaestet)),
             str(int(r.n_aendret_ophaevet)), str(int(r.n_hjemvist)),
             "" if pd.isna(r.n_afvist) else str(int(r.n_afvist)), str(int(r.n_total))] for r in have.itertuples()]
    f = write_csv(tmp_path / "danmarkskort.csv", HEADER + ["afvist", "i_alt"], rows)
    assert ingest(capsys, db, org_file, f)[0] == 1
    assert_accounting(db, read=len(rows), inserted=len(rows) - 1, quarantined=1)
    (q,) = quarantine(db)
    assert "i_alt (total): 27 er ikke summen af" in q["reason"] and "Morsø" in q["raw"]
    assert {r[0] for r in query(db, "SELECT DISTINCT municipality FROM municipal_appeals")} == \
        set(have["kommune"])


def test_the_demo_danmarkskort_covers_all_98_kommuner():
    """The 15 public-data kommuner first (drawn from the shared generator, as before), then the other 83 from
    their own generator default_rng([seed, 12]): 3 areas × 8 years (2017–2024) each."""
    import numpy as np

    from kvalitet.demodata import generate
    from kvalitet.demodata.external import _municipal_appeals
    from kvalitet.demodata.setting import _MUNICIPALITIES, _OTHER_MUNICIPALITIES

    m = generate(2024).frames["municipal_appeals"]
    assert set(m["municipality"]) == set(mun.names())
    assert len(m) == 98 * 3 * 8
    assert set(m["municipality"].iloc[:15 * 24]) == set(_MUNICIPALITIES)
    tail = _municipal_appeals(np.random.default_rng([2024, 12]), _OTHER_MUNICIPALITIES)
    assert m.iloc[15 * 24:].reset_index(drop=True).equals(tail[m.columns].reset_index(drop=True))


def test_the_kommune_as_an_authority():
    assert [mun.title(n) for n in ("Aarhus", "København", "Bornholm", "Nordfyns")] == [
        "Aarhus Kommune", "Københavns Kommune", "Bornholms Regionskommune", "Nordfyns Kommune"]
