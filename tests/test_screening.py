"""Trend screening and initiative effects: small stores with a known trend, and planted-effect recovery on the demo."""

from __future__ import annotations

import math
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from kvalitet import demodata, indicators, organisation, screening, store
from kvalitet.stats import compare_proportions

ROOT = Path(__file__).resolve().parents[1]


def _insert(con, table: str, frame: pd.DataFrame) -> None:
    con.register("_f", frame)
    cols = ", ".join(f'"{c}"' for c in frame.columns)
    con.execute(f'INSERT INTO "{table}" ({cols}) SELECT {cols} FROM _f')
    con.unregister("_f")


def _org(tmp_path: Path, extra: str = ""):
    p = tmp_path / "organisation.yaml"
    p.write_text("municipality: Testkommune\nforvaltninger:\n  - {code: SOF, name: Socialforvaltningen}\n"
                 "  - {code: BIF, name: Beskæftigelsesforvaltningen}\n" + extra, encoding="utf-8")
    return organisation.load(p)


def _trend_store(tmp_path: Path):
    """SOF: complaints rise 30 % a year at constant decisions; BIF: flat, only 2022-2024."""
    rng = np.random.default_rng(1)
    con = store.connect(tmp_path / "t.duckdb")
    comp, dec = [], []
    for y in range(2015, 2025):
        for m in range(1, 13):
            month = date(y, m, 1)
            dec.append(("SOF", "Hjemmehjælp", month, 1000))
            n = rng.poisson(10 * 1.3 ** (y - 2015))
            comp += [("SOF", "Hjemmehjælp", month) for _ in range(n)]
            if y >= 2022:
                dec.append(("BIF", "Kontanthjælp", month, 1000))
                comp += [("BIF", "Kontanthjælp", month) for _ in range(rng.poisson(20))]
    c = pd.DataFrame(comp, columns=["forvaltning", "area", "received"])
    c["complaint_id"] = [f"K{i}" for i in range(len(c))]
    c["kind"] = "realitet"
    _insert(con, "complaints", c)
    _insert(con, "decisions", pd.DataFrame(dec, columns=["forvaltning", "area", "month", "decisions"]))
    return con


def test_rising_rate_found_and_short_series_said(tmp_path):
    con = _trend_store(tmp_path)
    tr, ef = screening.run(con, ["complaint_rate"], period="year", as_of=date(2024, 12, 31))
    assert list(tr.columns) == screening.TREND_COLUMNS and ef.empty
    sof = tr[tr.forvaltning == "SOF"].set_index("method")
    assert set(sof.index) == {"poisson_glm", "mann_kendall"}
    glm = sof.loc["poisson_glm"]
    assert glm["estimate"] == pytest.approx(1.3, abs=0.05)   # rate ratio per year
    assert glm["ci_low"] < 1.3 < glm["ci_high"]
    assert glm["q_value"] < 0.05 and glm["direction"] == "stigende"
    assert sof.loc["mann_kendall"]["direction"] == "stigende"
    assert sof.loc["mann_kendall"]["estimate"] > 0          # Sen slope per year, per 1,000 decisions
    assert (glm["n_periods"], glm["first_period"], glm["last_period"]) == (10, "2015", "2024")
    bif = tr[tr.forvaltning == "BIF"]
    assert set(bif["direction"]) == {"for kort serie"}
    assert bif["p_value"].isna().all() and bif["note"].str.contains("3 perioder").all()


def test_monthly_screening_is_seasonal(tmp_path):
    con = _trend_store(tmp_path)
    tr = screening.screen(con, ["complaint_rate"], period="month", as_of=date(2024, 12, 31))
    sof = tr[tr.forvaltning == "SOF"].set_index("method")
    assert set(sof.index) == {"poisson_glm", "seasonal_mann_kendall"}
    assert sof.loc["poisson_glm"]["estimate"] == pytest.approx(1.3, abs=0.05)  # still per year
    assert sof.loc["seasonal_mann_kendall"]["direction"] == "stigende"
    # BIF: 36 monthly values are enough for the GLM (13 parameters) and the seasonal test (24)
    bif = tr[tr.forvaltning == "BIF"].set_index("method")
    assert bif.loc["poisson_glm"]["direction"] == "ingen sikker ændring"


def test_q_values_are_bh_over_the_whole_run(tmp_path):
    con = _trend_store(tmp_path)
    tr = screening.screen(con, ["complaint_rate", "complaints_received"], period="year", as_of=date(2024, 12, 31))
    from kvalitet.stats import bh_qvalues

    p = tr["p_value"].to_numpy(dtype=float)
    np.testing.assert_allclose(tr["q_value"].to_numpy(dtype=float), bh_qvalues(p), equal_nan=True)


def test_initiative_level_shift(tmp_path):
    """Reversal share drops from 40 % to 15 % at the initiative's start: ITS finds a falling level."""
    rng = np.random.default_rng(3)
    rows = []
    for y in range(2016, 2025):
        for q in range(4):
            d = date(y, 3 * q + 1, 15)
            share = 0.40 if d < date(2020, 1, 1) else 0.15
            for _ in range(60):
                rows.append(("SOF", "Handicap", d, "ændret" if rng.random() < share else "stadfæstet"))
    a = pd.DataFrame(rows, columns=["forvaltning", "area", "decided", "outcome"])
    a["appeal_id"] = [f"A{i}" for i in range(len(a))]
    con = store.connect(tmp_path / "a.duckdb")
    _insert(con, "appeals", a)
    org = _org(tmp_path, "initiatives:\n  - {name: Ny praksis, forvaltning: SOF, area: Handicap, start: 2020-01-01, "
                         "indicators: [appeal_reversal_share, processing_days_median]}\n")
    ef = screening.initiative_effects(con, org, period="year", as_of=date(2024, 12, 31))
    lvl = ef[(ef.method == "its_level")]
    assert list(ef.columns) == screening.EFFECT_COLUMNS
    r = lvl[lvl.indicator == "appeal_reversal_share"].iloc[0]
    assert r["initiative"] == "Ny praksis" and r["n_periods"] == 36   # quarterly series
    assert r["estimate"] < 0.5 and r["q_value"] < 0.05 and r["direction"] == "faldende"
    # a median is not a count, rate or share: said, not fitted
    m = lvl[lvl.indicator == "processing_days_median"].iloc[0]
    assert m["direction"] == "kan ikke beregnes" and math.isnan(m["p_value"])


# ------------------------------------------------------------------------------------- planted effects (demo)
@pytest.fixture(scope="module")
def demo(demo_db):
    con = store.connect(demo_db, read_only=True)
    org = organisation.load(ROOT / "parameters" / "organisation.yaml")
    trends, effects = screening.run(con, period="year", by=("forvaltning", "area"), organisation=org)
    yield con, org, trends, effects
    con.close()


def _found(trends, effects, ind, fv, area, want: str) -> bool:
    t = trends[(trends.indicator == ind) & (trends.forvaltning == fv) & (trends.area == area)
               & trends.subgroup.isna()]
    e = effects[(effects.indicator == ind) & (effects.forvaltning == fv) & (effects.area == area)]
    both = pd.concat([t, e])
    return bool(((both["q_value"] < 0.05) & (both["direction"] == want)).any())


def test_planted_effects_are_found(demo):
    con, org, trends, effects = demo
    manifest = demodata.load_manifest()
    want = {"rising": "stigende", "falling": "faldende"}
    for eff in manifest["effects"]:
        fv, area, kind = eff["forvaltning"], eff["area"], eff["kind"]
        if kind == "trend":
            assert _found(trends, effects, eff["indicator"], fv, area, want[eff["direction"]]), eff["id"]
        elif kind == "level_shift":
            # the initiative analysis finds the drop at the start date
            e = effects[(effects.indicator == eff["indicator"]) & (effects.forvaltning == fv)
                        & (effects.area == area) & (effects.method == "its_level")]
            assert len(e) == 1 and e["initiative"].iloc[0] == eff["initiative"], eff["id"]
            assert e["q_value"].iloc[0] < 0.05 and e["direction"].iloc[0] == want[eff["direction"]], eff["id"]
        elif kind == "above_threshold":
            # not a trend: the audit status is over the threshold, and surely so in most years
            df = indicators.compute(con, [eff["indicator"]], by=("forvaltning", "area"), organisation=org,
                                    where={"forvaltning": fv, "area": area})
            df = df[df["value"].notna()]
            assert (df["value"] > eff["threshold"]).all(), eff["id"]
            assert (df["status"] == "sikkert over tærsklen").mean() >= 0.75, eff["id"]
        elif kind == "backlog_episode":
            # not a monotonic trend: the episode's half-years against the same half-years before it
            df = indicators.compute(con, eff["indicator"], period="half", by=("forvaltning", "area"),
                                    organisation=org, where={"forvaltning": fv, "area": area})
            ep = df[df.period.isin(["2021H2", "2022H1"])]
            before = df[df.period.isin(["2019H1", "2019H2", "2020H1", "2020H2"])]

            def tot(frame, ind, col):
                return int(frame[frame.indicator == ind][col].sum())

            cmp = compare_proportions(tot(ep, "service_target_share", "numerator"),
                                      tot(ep, "service_target_share", "denominator"),
                                      tot(before, "service_target_share", "numerator"),
                                      tot(before, "service_target_share", "denominator"))
            assert cmp.difference < 0 and cmp.p < 0.05, eff["id"]
            med = df[df.indicator == "processing_days_median"].set_index("period")["value"]
            assert med[["2021H2", "2022H1"]].min() > 2 * med[before.period.unique()].max(), eff["id"]
            oc = df[df.indicator == "open_cases_over_target"].set_index("period")["value"]
            assert oc[["2021H2", "2022H1"]].min() > 3 * oc[before.period.unique()].max(), eff["id"]
        else:  # pragma: no cover - a new kind of planted effect needs a check here
            pytest.fail(f"no recovery check for planted effect kind {kind!r}")


def test_null_series_stay_quiet(demo):
    con, org, trends, effects = demo
    manifest = demodata.load_manifest()
    fdr = org.thresholds.fdr
    nulls = manifest["null_series"]
    flagged = [n for n in nulls if _found(trends, effects, n["indicator"], n["forvaltning"], n["area"], "stigende")
               or _found(trends, effects, n["indicator"], n["forvaltning"], n["area"], "faldende")]
    assert len(flagged) <= math.ceil(fdr * len(nulls)), flagged
    # over the whole run, discoveries outside the planted forvaltning × område are false: their share <= FDR
    planted = {(e["forvaltning"], e["area"]) for e in manifest["effects"]}
    hits = trends[trends["direction"].isin(["stigende", "faldende"])]
    series = hits[["indicator", "forvaltning", "area", "subgroup"]].drop_duplicates()
    false = series[[(f, a) not in planted for f, a in zip(series.forvaltning, series.area)]]
    assert len(false) <= fdr * max(len(series), 1), false
