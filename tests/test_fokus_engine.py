"""The FOKUS engine on a hand-built store (tests/fokus_store.py): the period comparison with the answers written out
and the p-values against independent scipy computations, the trend, the targets, the coverage grid and the
initiatives (a planted level shift recovered, a too-young initiative, one without indicators)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import fokus_store
from kvalitet import organisation, store
from kvalitet.fokus import comparison, coverage_grid, fokus_plan, initiative_table, missing, target_table, trend_table


@pytest.fixture(scope="module")
def fokusby(tmp_path_factory):
    db, org = fokus_store.build(tmp_path_factory.mktemp("fokusby"))
    con = store.connect(db)
    yield con, organisation.load(org)
    con.close()


def row(df: pd.DataFrame, indicator: str, subgroup=None) -> pd.Series:
    sel = df[(df["indicator"] == indicator) & (df["subgroup"].isna() if subgroup is None else
                                               (df["subgroup"] == subgroup))]
    assert len(sel) == 1, sel
    return sel.iloc[0]


def z_test_p(x1, n1, x2, n2) -> float:
    """The two-sided pooled z-test as the Pearson χ² test of the 2×2 table without continuity correction."""
    return stats.chi2_contingency([[x1, n1 - x1], [x2, n2 - x2]], correction=False)[1]


def bh(p: list[float]) -> np.ndarray:
    """Benjamini–Hochberg by the definition: q_(i) = min_{k ≥ i} m·p_(k)/k."""
    p = np.asarray(p, dtype=float)
    m = len(p)
    order = np.argsort(p)
    q = np.minimum.accumulate((p[order] * m / np.arange(1, m + 1))[::-1])[::-1]
    out = np.empty(m)
    out[order] = np.minimum(q, 1)
    return out


def test_evaluation_2023_biennium_against_biennium(fokusby):
    con, org = fokusby
    plan = fokus_plan(2023, org)  # 2022–2023 against 2020–2021, counts not annualised
    c = comparison(con, org, "SOF", plan)
    assert set(c["period"]) == {"2022–2023"} and set(c["comparison_period"]) == {"2020–2021"}
    assert not c["annualised"].any()
    # complaints received: 2022–2023: Handicap 20 + 20, Hjemmepleje 4 + 4 = 48; 2020–2021: 30 + 30 = 60
    k = row(c, "complaints_received")
    assert (k["numerator"], k["value"], k["comparison_numerator"], k["comparison_value"]) == (48, 48, 60, 60)
    # equal exposure (2 years each): rate ratio 48/60 = 0,8; exact conditional test: 48 of 108 at π0 = 1/2
    assert k["estimate"] == pytest.approx(0.8)
    assert k["p_value"] == pytest.approx(stats.binomtest(48, 108, 0.5).pvalue, rel=1e-9)
    # Garwood interval of 48: χ²(0,025; 96)/2 and χ²(0,975; 98)/2
    assert (k["ci_low"], k["ci_high"]) == pytest.approx((stats.chi2.ppf(0.025, 96) / 2, stats.chi2.ppf(0.975, 98) / 2))
    # the formalitet/realitet split: formalitet 5 + 5 = 10 against 10 + 10 = 20; realitet 38 against 40
    f, r = row(c, "complaints_received", "formalitet"), row(c, "complaints_received", "realitet")
    assert (f["numerator"], f["comparison_numerator"], r["numerator"], r["comparison_numerator"]) == (10, 20, 38, 40)
    assert f["p_value"] == pytest.approx(stats.binomtest(10, 30, 0.5).pvalue, rel=1e-9)
    # complaint rate: 48 / 2.400 decisions × 1.000 = 20,0 against 60 / 2.400 = 25,0
    rate = row(c, "complaint_rate")
    assert (rate["numerator"], rate["denominator"], rate["comparison_denominator"]) == (48, 2400, 2400)
    assert (rate["value"], rate["comparison_value"]) == pytest.approx((20.0, 25.0))
    assert rate["p_value"] == pytest.approx(stats.binomtest(48, 108, 2400 / 4800).pvalue, rel=1e-9)
    # medhold: (3 + 3) of 48 closed = 12,5 % against (9 + 9) of 60 = 30 %; difference −17,5 percentage points
    up = row(c, "complaint_upheld_share")
    assert (up["numerator"], up["denominator"], up["comparison_numerator"], up["comparison_denominator"]) == \
        (6, 48, 18, 60)
    assert up["estimate"] == pytest.approx(0.125 - 0.3)
    assert up["p_value"] == pytest.approx(z_test_p(6, 48, 18, 60), rel=1e-9)
    # omgørelsesprocent: 2 × 14 of 200 = 14 % against 2 × 30 of 200 = 30 %: a sure fall, an improvement
    rev = row(c, "appeal_reversal_share")
    assert (rev["numerator"], rev["denominator"], rev["comparison_numerator"]) == (28, 200, 60)
    assert rev["p_value"] == pytest.approx(z_test_p(28, 200, 60, 200), rel=1e-9)
    assert (rev["verdict"], rev["judgement"]) == ("faldet", "forbedring")
    # Wilson interval of 28/200 (Newcombe 1998, method 3)
    z = stats.norm.ppf(0.975)
    centre, half = (28 + z * z / 2) / (200 + z * z), z * np.sqrt(28 * 172 / 200 + z * z / 4) / (200 + z * z)
    assert (rev["ci_low"], rev["ci_high"]) == pytest.approx((centre - half, centre + half))
    # audits only from 2023: no comparison, and a note on the missing year
    a = row(c, "audit_error_share")
    assert (a["numerator"], a["denominator"], a["verdict"]) == (6, 20, "kan ikke vurderes")
    assert "ingen data i 2020–2021" in a["note"] and "data for 1 af 2 år i 2022–2023" in a["note"]
    # Borgerrådgiveren: 20 inquiries in each period; criticism 1 + 1 of 20 against 2 + 2 of 20
    assert row(c, "inquiries_received")["estimate"] == pytest.approx(1.0)
    crit = row(c, "inquiry_criticism_share")
    assert (crit["numerator"], crit["denominator"], crit["comparison_numerator"]) == (2, 20, 4)
    # multiplicity: Benjamini–Hochberg across every row with a p-value
    tested = c[c["p_value"].notna()]
    assert len(tested) == 8
    assert tested["q_value"].to_numpy() == pytest.approx(bh(tested["p_value"].tolist()))
    # only the reversal share is sure at q < 0,05 (medhold's p = 0,03 does not survive the correction)
    assert up["p_value"] < 0.05 and up["q_value"] > 0.05 and up["verdict"] == "ingen sikker ændring"
    assert c.loc[c["verdict"].isin(["steget", "faldet"]), "indicator"].tolist() == ["appeal_reversal_share"]


def test_status_2024_per_year(fokusby):
    con, org = fokusby
    plan = fokus_plan(2024, org)  # 2024 against 2022–2023, per year
    c = comparison(con, org, "SOF", plan)
    assert c["annualised"].all()
    # complaints 2024: Handicap 15 + Hjemmepleje 4 = 19; 2022–2023: 48 in 2 years = 24 a year
    k = row(c, "complaints_received")
    assert (k["numerator"], k["comparison_numerator"]) == (19, 48)
    assert (k["value"], k["comparison_value"]) == pytest.approx((19.0, 24.0))
    assert k["estimate"] == pytest.approx(19 / 24)
    # exposure 1 year against 2: 19 of 67 at π0 = 1/3
    assert k["p_value"] == pytest.approx(stats.binomtest(19, 67, 1 / 3).pvalue, rel=1e-9)
    # a rate is not annualised: 19 / 1.200 × 1.000 against 48 / 2.400 × 1.000
    rate = row(c, "complaint_rate")
    assert (rate["value"], rate["comparison_value"]) == pytest.approx((19 / 1.2, 20.0))
    assert "pr. år" in plan.annualised_text


def test_trend_over_all_years(fokusby):
    con, org = fokusby
    tr = trend_table(con, org, "SOF", fokus_plan(2024, org))
    rev = tr[tr["indicator"] == "appeal_reversal_share"].iloc[0]
    # five years 2020–2024 of 100 appeals each: 30, 30, 14, 14, 14 ændret; quasi-binomial odds ratio per year < 1
    assert (rev["method"], rev["n_periods"], rev["first_period"], rev["last_period"]) == \
        ("binomial_glm", 5, "2020", "2024")
    # an independent quasi-binomial fit (R glm(family = quasibinomial)): logit link, Pearson χ²/df dispersion,
    # t distribution with 5 − 2 degrees of freedom; times are the years' midpoints
    import statsmodels.api as sm

    x, n = np.array([30, 30, 14, 14, 14]), np.full(5, 100)
    t = np.array([2020, 2021, 2022, 2023, 2024]) + 0.5
    fit = sm.GLM(np.column_stack([x, n - x]), sm.add_constant(t), family=sm.families.Binomial()).fit()  # ML
    mu = fit.predict()
    phi = np.sum((x - n * mu) ** 2 / (n * mu * (1 - mu))) / 3  # Pearson χ² / df, by hand
    assert rev["estimate"] == pytest.approx(np.exp(fit.params[1]), rel=1e-4)
    assert rev["p_value"] == pytest.approx(2 * stats.t.sf(abs(fit.params[1] / (fit.bse[1] * np.sqrt(phi))), 3),
                                           rel=1e-3)
    assert rev["estimate"] < 1
    # audits exist for two years only: too short a series
    assert tr[tr["indicator"] == "audit_error_share"].iloc[0]["direction"] == "for kort serie"
    # the 2023 evaluation sees 2020–2023 only: four years, too short for a trend test
    assert (trend_table(con, org, "SOF", fokus_plan(2023, org))["direction"] == "for kort serie").all()


def test_targets(fokusby):
    con, org = fokusby
    t = target_table(con, org, "SOF", fokus_plan(2023, org)).set_index("indicator")
    assert list(t.index) == ["complaints_received", "complaint_rate", "appeal_reversal_share", "appeal_upheld_share",
                             "audit_error_share", "audit_item_error_share", "satisfaction_share"]
    assert t.loc["satisfaction_share", "target_kind"] == "tilfredshed"
    assert (t.drop("satisfaction_share")["target_kind"] == "kvalitet").all()
    assert t.loc["complaint_rate", "source"] == "organisationsfil"
    assert t.loc["appeal_upheld_share", "source"] == "standard"
    assert t.loc["audit_error_share", "source"] == "tærskel"
    # måltal: at most 25 complaints a year; 48 in 2022–2023 is 24 a year (met), 60 in 2020–2021 is 30 (over)
    k = t.loc["complaints_received"]
    assert (k["numerator"], k["value"], k["target_high"], k["status"]) == (48, 24.0, 25.0, "opfyldt")
    assert (k["comparison_value"], k["comparison_status"]) == (30.0, "over målet")
    # complaint rate 20,0 against at most 18: over, but the Garwood interval (14,7–26,5) reaches under 18
    r = t.loc["complaint_rate"]
    assert (r["value"], r["target_high"], r["status"]) == (pytest.approx(20.0), 18.0, "over målet")
    # 25,0 in 2020–2021: lower Garwood limit χ²(0,025; 120)/2 / 2,4 = 19,1 > 18: surely over
    assert stats.chi2.ppf(0.025, 120) / 2 / 2.4 > 18 and r["comparison_status"] == "sikkert over målet"
    assert t.loc["appeal_reversal_share", "status"] == "opfyldt"                    # 14 % ≤ 20 %
    # stadfæstet 172 of 200 = 86 %, above the 80–85 % band: not a missed target
    assert (t.loc["appeal_upheld_share", "numerator"], t.loc["appeal_upheld_share", "status"]) == \
        (172, "over målbåndet")
    assert t.loc["audit_error_share", "status"] == "over tærsklen"                  # 6/20 = 30 % > 25 %
    assert t.loc["satisfaction_share", "status"] == "ingen data"
    # BIF has no forvaltning-specific targets: only the general ones
    assert "complaint_rate" not in set(target_table(con, org, "BIF", fokus_plan(2023, org))["indicator"])


def test_coverage_grid(fokusby):
    con, org = fokusby
    g = coverage_grid(con, org, "SOF", fokus_plan(2023, org))
    assert sorted(set(g["year"])) == [2020, 2021, 2022, 2023]
    assert set(g["role"]) == {"current", "comparison"}

    def cell(ind, area, year):
        sel = g[(g["indicator"] == ind) & ((g["area"] == area) if area else g["area"].isna()) & (g["year"] == year)]
        assert len(sel) == 1
        return int(sel["records"].iloc[0]), bool(sel["has_data"].iloc[0])

    assert cell("complaints_received", "Handicap", 2020) == (30, True)
    assert cell("complaints_received", "Hjemmepleje", 2021) == (0, False)   # before its first complaint
    assert cell("complaints_received", "Hjemmepleje", 2022) == (4, True)
    assert cell("complaint_rate", "Handicap", 2022) == (1200, True)        # decisions behind the rate
    assert cell("complaint_rate", "Hjemmepleje", 2022) == (0, False)       # complaints but no decisions
    assert cell("audit_error_share", "Handicap", 2022) == (0, False)
    assert cell("audit_error_share", "Handicap", 2023) == (20, True)
    assert cell("inquiries_received", None, 2021) == (10, True)            # inquiries have no area
    assert g[g["indicator"] == "inquiries_received"]["area"].isna().all()
    # every indicator × area × year is present, with or without data: 2 areas × 4 years for an indicator with
    # areas, 4 years for one without
    assert (g.groupby("indicator").size().loc[["complaint_rate", "inquiries_received", "satisfaction_share"]]
            .tolist() == [8, 4, 4])
    gaps = missing(g).set_index(["indicator", "area"])
    assert gaps.loc[("audit_error_share", "Handicap"), "missing_years"] == [2020, 2021, 2022]
    assert bool(gaps.loc[("complaint_rate", "Hjemmepleje"), "no_data_at_all"])
    assert ("complaints_received", "Handicap") not in gaps.index


def test_initiatives(fokusby):
    con, org = fokusby
    ini = initiative_table(con, org, "SOF", fokus_plan(2024, org))
    assert ini["initiative"].tolist() == ["Begrundelser i fokus", "Klageportal", "Ny mødeform"]  # not BIF's
    planted = ini.iloc[0]
    # the planted level shift at 1 January 2022: 30 % → 14 % ændret, odds 0,30/0,70 → 0,14/0,86, ratio ≈ 0,38
    assert planted["measure"] == "oddsratio"
    assert planted["level_estimate"] == pytest.approx((0.14 / 0.86) / (0.30 / 0.70), rel=0.05)
    assert planted["level_ci_high"] < 1 and planted["level_q"] < 0.05
    assert (planted["verdict"], planted["judgement"]) == ("faldet", "forbedring")
    assert planted["covered"] == "1. kvartal 2020–4. kvartal 2024" and planted["quarters_after"] == 12
    # person counts behind the series: 8 quarters × 25 before (60 ændret), 12 × 25 after (4 + 3 + 4 + 3 a year)
    assert (planted["numerator_before"], planted["denominator_before"]) == (60, 200)
    assert (planted["numerator_after"], planted["denominator_after"]) == (42, 300)
    young = ini.iloc[1]
    assert young["verdict"] == "for ung til at vurdere" and young["quarters_after"] == 1
    assert pd.isna(young["level_estimate"]) and "der kræves mindst 4" in young["note"]
    assert ini.iloc[2]["verdict"] == "ingen indikatorer"
    # in 2022 «Begrundelser i fokus» has 4 quarters after its start: old enough; «Klageportal» had not started
    early = initiative_table(con, org, "SOF", fokus_plan(2022, org)).set_index("initiative")
    assert early.loc["Begrundelser i fokus", "quarters_after"] == 4
    assert early.loc["Klageportal", "verdict"] == "for ung til at vurdere"


def test_missing_indicators_and_whole_municipality(fokusby):
    con, org = fokusby
    plan = fokus_plan(2023, org)
    c = comparison(con, org, "BIF", plan)
    # BIF has neither audits nor inquiries nor satisfaction: one row each that says so, in the key order
    assert c["indicator"].tolist()[-4:] == ["audit_error_share", "inquiries_received", "inquiry_criticism_share",
                                            "satisfaction_share"]
    for ind in ("audit_error_share", "inquiries_received", "satisfaction_share"):
        r = row(c, ind)
        assert (r["verdict"], r["note"]) == ("kan ikke vurderes", "ingen data i nogen af perioderne")
        assert pd.isna(r["value"]) and pd.isna(r["p_value"])
    # the whole municipality: SOF 48 + BIF 20 complaints in 2022–2023, 60 + 20 in 2020–2021
    k = row(comparison(con, org, None, plan, indicators=["complaints_received"]), "complaints_received")
    assert (k["numerator"], k["comparison_numerator"]) == (68, 80)
