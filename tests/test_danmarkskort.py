"""The Danmarkskort engine against hand-computed values on a small table and against the real published rows."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

from conftest import PUBLIC, write_csv
from kvalitet import danmarkskort as dk
from kvalitet import organisation, store
from test_ingest_rules import ingest, quarantine

COLS = ["municipality", "year", "area", "upheld", "changed", "remitted"]
AREA = "Socialområdet"


def make(path, rows):
    con = store.connect(path)
    for r in rows:
        con.execute("INSERT INTO municipal_appeals (municipality, year, area, upheld, changed, remitted) "
                    "VALUES (?, ?, ?, ?, ?, ?)", list(r))
    return con


def row(m, year, reversed_, merits, area=AREA):
    """A row with ``reversed_`` of ``merits`` realitetsbehandlede omgjort (split into changed and remitted)."""
    return (m, year, area, merits - reversed_, reversed_ // 2, reversed_ - reversed_ // 2)


#: 2022 and 2023 hold the same five shares (28, 30, 30, 32, 50 of 100), so both years have the national level
#: 170/500 = 0,34; København is the 50 in 2023, Aarhus in 2022. Esbjerg has no realitetsbehandlede cases.
SMALL = [row("København", 2023, 50, 100), row("Aarhus", 2023, 28, 100), row("Odense", 2023, 30, 100),
         row("Aalborg", 2023, 30, 100), row("Frederiksberg", 2023, 32, 100), row("Esbjerg", 2023, 0, 0),
         row("København", 2022, 30, 100), row("Aarhus", 2022, 50, 100), row("Odense", 2022, 30, 100),
         row("Aalborg", 2022, 28, 100), row("Frederiksberg", 2022, 32, 100)]


@pytest.fixture
def small(tmp_path):
    con = make(tmp_path / "dk.duckdb", SMALL)
    yield dk.shares(con, as_of=date(2023, 12, 31))
    con.close()


def org(tmp_path, extra=""):
    p = tmp_path / "organisation.yaml"
    p.write_text("municipality: København\nforvaltninger:\n  - {code: SOF, name: Socialforvaltningen}\n" + extra,
                 encoding="utf-8")
    return organisation.load(p)


def test_shares_are_the_catalogue_indicator_with_wilson_intervals(small):
    k = small[(small.municipality == "København") & (small.year == 2023)].iloc[0]
    assert (k["reversed"], k["merits"], k["value"]) == (50, 100, 0.5)
    # Wilson 95 % for 50 of 100: 0,5 ± 1,96·√(0,25/100 + 1,96²/40.000)/(1 + 1,96²/100) = 0,4038 … 0,5962
    assert (k["ci_low"], k["ci_high"]) == (pytest.approx(0.40383, abs=1e-5), pytest.approx(0.59617, abs=1e-5))
    assert k["region"] == "Region Hovedstaden"
    e = small[(small.municipality == "Esbjerg") & (small.year == 2023)].iloc[0]
    assert e["merits"] == 0 and np.isnan(e["value"])


def test_national_level_rank_and_comparison_group(small, tmp_path):
    nat = dk.levels(small)
    n23 = nat[nat.year == 2023].iloc[0]
    assert (n23["reversed"], n23["merits"], n23["municipalities"]) == (170, 500, 5)
    assert n23["value"] == pytest.approx(0.34)
    r = dk.ranks(small)
    r23 = r[r.year == 2023].set_index("municipality")
    # ascending: Aarhus 0,28 → 1; Odense and Aalborg 0,30 share 2; Frederiksberg 0,32 → 4; København 0,50 → 5
    assert r23.loc["Esbjerg", "rank"] is pd.NA
    assert r23.drop("Esbjerg")["rank"].to_dict() == {"Aalborg": 2, "Aarhus": 1, "Frederiksberg": 4, "København": 5,
                                                     "Odense": 2}
    assert (r23["ranked"] == 5).all()
    # default comparison group: the region (Hovedstaden) without København itself: only Frederiksberg has rows
    name, group = dk.comparison_group(org(tmp_path), "København")
    assert name == "Region Hovedstaden" and "København" not in group and len(group) == 28
    p = dk.profile(small, "København", group)
    p23 = p[p.year == 2023].iloc[0]
    assert (p23["rank"], p23["ranked"], p23["national"]) == (5, 5, pytest.approx(0.34))
    assert (p23["group"], p23["group_municipalities"]) == (pytest.approx(0.32), 1)
    # a configured group: Aarhus, Odense, Aalborg (any spelling) → (28 + 30 + 30) / 300
    o = org(tmp_path, "danmarkskort: {comparison_group: [Århus, odense kommune, '0851'], name: De store byer}\n")
    name, group = dk.comparison_group(o, "København")
    assert (name, group) == ("De store byer", ["Aarhus", "Odense", "Aalborg"])
    g23 = dk.profile(small, "København", group)
    assert g23[g23.year == 2023].iloc[0]["group"] == pytest.approx(88 / 300)


def test_funnel_limits_and_flags_by_hand(small):
    f = dk.funnel(small, AREA, 2023)
    # z = (p − 0,34)/√(0,34·0,66/100), s = 0,047371: −1,2666, −0,8444, −0,8444, −0,4222, 3,3776; 10 % Winsorised
    # (type 7 quantiles −1,0978 and 1,8576): φ = mean(z_w²) = 1,2522; N·φ = 6,261 against χ²(4): p = 0,180
    assert f.target == pytest.approx(0.34)
    assert f.phi == pytest.approx(1.2522, abs=1e-3)
    assert f.p == pytest.approx(0.1804, abs=2e-3)
    assert not f.adjusted and "ikke udvidet" in f.method
    pts = f.points.set_index("municipality")
    assert "Esbjerg" not in pts.index and len(pts) == 5
    # upper limits at n = 100: 0,34 + 1,95996·0,047371 = 0,43285 (95 %) and 0,34 + 3,09023·0,047371 = 0,48639
    lim = f.limits[f.limits.denominator == 100].iloc[0]
    assert (lim["upper_95"], lim["upper_99_8"]) == (pytest.approx(0.43285, abs=1e-5),
                                                    pytest.approx(0.48639, abs=1e-5))
    assert pts.loc["København", "flag"] == "high_99_8"
    assert pts.drop("København")["flag"].eq("none").all()


def test_overdispersion_widens_the_limits_only_when_the_data_show_it(tmp_path):
    # shares 10, 20, 30, 55 of 100 and 50: z −3,5, −2,0, −0,707, 4,596 → φ = 5,708, N·φ = 22,8 on 3 df (p < 0,001)
    rows = [row("Odense", 2023, 5, 50), row("Aarhus", 2023, 10, 50), row("København", 2023, 30, 100),
            row("Vejle", 2023, 55, 100)]
    sh = dk.shares(make(tmp_path / "od.duckdb", rows), as_of=date(2023, 12, 31))
    f = dk.funnel(sh, AREA, 2023)
    assert f.phi == pytest.approx(5.708, abs=2e-3)
    assert f.p < 0.001 and f.adjusted and f.tau2 > 0
    assert "additive" in f.method and "τ²" in f.method
    # the widened limits are wider than the binomial ones at every size
    from kvalitet.stats import funnel_limits

    plain = funnel_limits(f.limits["denominator"], f.target)
    assert (f.limits["upper_95"] > plain["upper_95"] - 1e-12).all()
    assert (f.limits["upper_95"] - f.limits["target"]).iloc[-1] > (plain["upper_95"] - plain["target"]).iloc[-1]


def test_handlingsplan_candidates_and_improved_areas(small, tmp_path):
    d = dk.discussion(small, "København", org(tmp_path))
    assert d["kind"].tolist() == ["kandidat"]
    c = d.iloc[0]
    assert c["area"] == AREA and c["above_95"] and c["above_99_8"]
    assert c["upper_95"] == pytest.approx(0.43285, abs=1e-5)
    assert c["evidence"].replace("\xa0", " ") == "50,0 % i 2023 ligger over den øvre 99,8 %-grænse (48,6 %) om landsniveauet 34,0 %"
    # Aarhus was above the limit in 2022 and is not in 2023: improved
    a = dk.discussion(small, "Aarhus", org(tmp_path))
    assert a["kind"].tolist() == ["forbedret"]
    assert a.iloc[0]["evidence"] == "lå over den øvre 95 %-grænse i 2022, men ikke i 2023"
    assert dk.discussion(small, "Odense", org(tmp_path)).empty


def test_a_significant_rise_makes_a_candidate_with_the_glm_estimate(tmp_path):
    years = range(2018, 2024)
    own = [10, 18, 26, 34, 42, 50]
    rows = [row("København", y, k, 100) for y, k in zip(years, own)]
    rows += [row(m, y, 30 + j, 100) for y in years for j, m in enumerate(["Aarhus", "Odense", "Aalborg"])]
    sh = dk.shares(make(tmp_path / "tr.duckdb", rows), as_of=date(2023, 12, 31))
    years_t, trends = dk.development(sh, "København", org(tmp_path))
    assert years_t["national"].iloc[0] == pytest.approx((10 + 30 + 31 + 32) / 400)
    t = trends[(trends.series == "København")].iloc[0]
    # independent fit: quasi-binomial GLM of the shares on the year (statsmodels, Pearson χ² scale)
    x = sm.add_constant(np.arange(6, dtype=float))
    fit = sm.GLM(np.array(own) / 100, x, family=sm.families.Binomial(), var_weights=np.full(6, 100.0)).fit(
        scale="X2")
    assert t["estimate"] == pytest.approx(np.exp(fit.params[1]), rel=1e-6)
    assert t["direction"] == "stigende" and t["n_periods"] == 6
    d = dk.discussion(sh, "København", org(tmp_path))
    assert d["kind"].tolist() == ["kandidat"]
    assert "stiger over årene (2018–2023: odds × " in d.iloc[0]["evidence"]


def test_no_rows_for_the_kommune(small):
    assert dk.profile(small, "Vejle", []).empty
    assert dk.discussion(small, "Vejle").empty
    years_t, trends = dk.development(small, "Vejle")
    assert years_t.empty and trends.empty


def test_comparison_group_in_the_organisation_file_is_validated(tmp_path):
    with pytest.raises(Exception) as e:
        org(tmp_path, "danmarkskort: {comparison_group: [Kobenhavm]}\n")
    assert "'Kobenhavm' er ikke en dansk kommune" in str(e.value) and "København" in str(e.value)
    with pytest.raises(Exception) as e:
        org(tmp_path, "danmarkskort: {comparison_group: [Aarhus], region: true}\n")
    assert "enten comparison_group eller region" in str(e.value)


# --------------------------------------------------------------------------------------- real published rows
def test_the_published_rows(tmp_path, capsys, db, org_file):
    """Real per-kommune counts (tests/data/public/ast_omgoerelse_kommuner.csv) through the ingest: Morsø H1 2021
    13 stadfæstet, 8 ændret, 5 hjemvist → 13/26 = 50 % ("ret i halvdelen af sagerne"); Køge børnehandicap 2020
    7 + 2 + 8 → 10/17 = 58,8 %; Vordingborg børnehandicap 2019 4 stadfæstet, 5 hjemvist → 5/9 = 55,6 %; Sorø 2017
    42 + 4 + 18 → 22/64 = 34,4 %; Morsø H1 2020 (23 + 2 + 1 + 2 = 28 given as 27) is quarantined and not counted."""
    pub = pd.read_csv(PUBLIC / "ast_omgoerelse_kommuner.csv")
    have = pub.dropna(subset=["n_stadfaestet", "n_aendret_ophaevet", "n_hjemvist"])
    rows = [[r.kommune, str(r.year), "Alle områder", str(int(r.n_stadfaestet)), str(int(r.n_aendret_ophaevet)),
             str(int(r.n_hjemvist)), "" if pd.isna(r.n_afvist) else str(int(r.n_afvist)), str(int(r.n_total))]
            for r in have.itertuples()]
    f = write_csv(tmp_path / "danmarkskort.csv", ["kommune", "år", "område", "stadfæstet", "ændret_ophævet",
                                                  "hjemvist", "afvist", "i_alt"], rows)
    assert ingest(capsys, db, org_file, f)[0] == 1
    assert "Morsø" in quarantine(db)[0]["raw"]
    con = store.connect(db)
    sh = dk.shares(con, as_of=date(2024, 12, 31))
    got = {(m, y): (r, n) for m, y, r, n in sh[sh.merits > 0][["municipality", "year", "reversed", "merits"]]
           .itertuples(index=False)}
    assert got == {("Morsø", 2021): (13, 26), ("Køge", 2020): (10, 17), ("Vordingborg", 2019): (5, 9),
                   ("Sorø", 2017): (22, 64)}
    v = sh.set_index(["municipality", "year"])["value"]
    assert (v[("Morsø", 2021)], round(v[("Køge", 2020)] * 100, 1), round(v[("Vordingborg", 2019)] * 100, 1)) == \
        (0.5, 58.8, 55.6)
    # one kommune per year: each is alone, rank 1 of 1, and the national level is its own share
    nat = dk.levels(sh).set_index("year")["value"]
    assert nat[2021] == 0.5 and dk.ranks(sh).query("merits > 0")["rank"].eq(1).all()
    con.close()


def test_ankestyrelsens_worked_example(tmp_path):
    ex = pd.read_csv(PUBLIC / "ast_official_worked_example.csv").iloc[0]
    rows = [("København", int(ex.year), AREA, int(ex.n_stadfaestet), int(ex.n_aendret), int(ex.n_hjemvist))]
    sh = dk.shares(make(tmp_path / "ex.duckdb", rows), as_of=date(2017, 12, 31))
    assert (sh.iloc[0]["reversed"], sh.iloc[0]["merits"]) == (24, 129)
    assert round(sh.iloc[0]["value"] * 100) == ex.omgoerelse_pct_published == 19


# ------------------------------------------------------------------------------------------------ the report
def _report(tmp_path, rows):
    from kvalitet.present import Report

    db = tmp_path / "r.duckdb"
    make(db, rows).close()
    org(tmp_path)
    return Report.open(db, tmp_path / "organisation.yaml")


def test_report_for_a_kommune_without_rows_says_so_and_shows_the_national_picture(tmp_path, shown):
    from conftest import alt_texts
    from kvalitet.sections import danmarkskort as sec

    rep = _report(tmp_path, SMALL)
    ctx = sec.open_context(rep, "Vejle")
    assert (ctx.municipality, ctx.has_rows, ctx.year) == ("Vejle", False, 2023)
    sec.front(rep, ctx)
    assert sec.key_figures(rep, ctx).empty
    sec.map_and_ranking(rep, ctx)
    fs = sec.funnels(rep, ctx)
    assert sec.discussion(rep, ctx).empty
    text = "\n".join(shown)
    assert "**Vejle Kommune har ingen rækker i Danmarkskort-tallene.** Rapporten viser derfor kun landsbilledet" \
        in text
    alts = alt_texts(shown)
    assert len(alts) == 3 and "5 kommuner med realitetsbehandlede sager" in alts[0] and "Vejle Kommune uden sager" \
        in alts[0]
    assert len(fs) == 1 and "Vejle Kommune har ingen Danmarkskort-tal" in text
    rep.close()


def test_report_for_another_kommune_by_parameter(tmp_path, shown):
    from kvalitet.sections import danmarkskort as sec

    rep = _report(tmp_path, SMALL)
    ctx = sec.open_context(rep, "Århus")
    assert (ctx.municipality, ctx.group_name) == ("Aarhus", "Region Midtjylland")
    key = sec.key_figures(rep, ctx)
    assert (key.iloc[0]["rank"], key.iloc[0]["ranked"]) == (1, 5)  # 28 % in 2023: the lowest of five
    d = sec.discussion(rep, ctx)
    assert d["kind"].tolist() == ["forbedret"]
    text = "\n".join(shown)
    assert "Aarhus Kommune: omgørelsesprocent pr. lovområde i 2023" in text and "<td>1 af 5</td>" in text
    assert "Ingen: i 2023 ligger Aarhus Kommune ikke over den øvre 95 %-grænse" in text
    rep.close()


def test_the_documented_comparison_group_is_valid():
    import re

    import yaml

    from conftest import ROOT

    text = (ROOT / "docs" / "indikatorer.md").read_text(encoding="utf-8")
    block = re.search(r"```yaml\n(danmarkskort:[\s\S]*?)```", text).group(1)
    s = organisation.DanmarkskortSettings.model_validate(yaml.safe_load(block)["danmarkskort"])
    assert s.name == "De seks største kommuner" and len(s.comparison_group) == 6


def test_a_parameter_naming_no_kommune_is_a_danish_error(tmp_path):
    from kvalitet.errors import UserError
    from kvalitet.sections import danmarkskort as sec

    rep = _report(tmp_path, SMALL)
    with pytest.raises(UserError, match="municipality: 'Kobenhavm' er ikke en dansk kommune .*nærmeste: København"):
        sec.open_context(rep, "Kobenhavm")
    rep.close()
