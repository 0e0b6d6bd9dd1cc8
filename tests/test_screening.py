"""Trend screening and initiative effects, checked against independent computations.

p-values are recomputed here from the definitions (Mann–Kendall S and Var(S) by hand or from
``scipy.stats.kendalltau``; the quasi-Poisson / quasi-binomial models fitted directly with statsmodels as R's
``glm(family = quasipoisson)`` would), q-values with a Benjamini–Hochberg written out in this file, and directions
on series whose answer is known by construction. Planted-effect recovery runs on the demo database.
"""

from __future__ import annotations

import math
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from scipy import stats as st

from kvalitet import demodata, indicators, organisation, screening, store
from kvalitet.stats import bh_qvalues, compare_proportions

ROOT = Path(__file__).resolve().parents[1]
YEARS = list(range(2015, 2025))


def _insert(con, table: str, frame: pd.DataFrame) -> None:
    con.register("_f", frame)
    cols = ", ".join(f'"{c}"' for c in frame.columns)
    con.execute(f'INSERT INTO "{table}" ({cols}) SELECT {cols} FROM _f')
    con.unregister("_f")


def _insert_complaints_and_decisions(con, comp: list[tuple], dec: list[tuple]) -> None:
    """Complaints (forvaltning, area, received) of kind realitet, and decisions (forvaltning, area, month, n)."""
    c = pd.DataFrame(comp, columns=["forvaltning", "area", "received"])
    c["complaint_id"] = [f"K{i}" for i in range(len(c))]
    c["kind"] = "realitet"
    _insert(con, "complaints", c)
    _insert(con, "decisions", pd.DataFrame(dec, columns=["forvaltning", "area", "month", "decisions"]))


def _org(tmp_path: Path, extra: str = ""):
    p = tmp_path / "organisation.yaml"
    p.write_text("municipality: Testkommune\nforvaltninger:\n  - {code: SOF, name: Socialforvaltningen}\n"
                 "  - {code: BIF, name: Beskæftigelsesforvaltningen}\n" + extra, encoding="utf-8")
    return organisation.load(p)


# ------------------------------------------------------------------------------- independent reference code
def _bh(p) -> np.ndarray:
    """Benjamini–Hochberg written out from the definition (R ``p.adjust(p, "BH")``): for the m non-missing
    p-values sorted ascending, q_(i) = min over k >= i of min(1, m * p_(k) / k); NaN stays NaN, not counted in m."""
    p = np.asarray(p, dtype=float)
    q = np.full(p.shape, np.nan)
    idx = [i for i in np.argsort(p, kind="stable") if not np.isnan(p[i])]
    m = len(idx)
    running = 1.0
    for rank in range(m, 0, -1):
        i = idx[rank - 1]
        running = min(running, m * p[i] / rank)
        q[i] = running
    return q


def _quasi_glm(y, X, family, offset=None, var_weights=None):
    """(ratio, ci_low, ci_high, p) of the column-1 coefficient of a quasi-likelihood GLM, as R's
    glm(family = quasipoisson / quasibinomial): dispersion = Pearson chi2 / df, t distribution with n - p df."""
    fam = sm.families.Poisson() if family == "poisson" else sm.families.Binomial()
    fit = sm.GLM(np.asarray(y, float), X, family=fam, offset=offset, var_weights=var_weights).fit(scale="X2")
    b, se, df = fit.params[1], fit.bse[1], len(y) - X.shape[1]
    tq = st.t.ppf(0.975, df)
    return math.exp(b), math.exp(b - tq * se), math.exp(b + tq * se), 2 * st.t.sf(abs(b / se), df)


def _mk_p(s: float, var_s: float) -> float:
    """Mann–Kendall two-sided p with continuity correction: z = sgn(S)(|S| - 1)/sqrt(Var S)."""
    return 1.0 if s == 0 else 2 * st.norm.sf((abs(s) - 1) / math.sqrt(var_s))


def test_hand_written_bh_matches_hand_computed_values():
    # p sorted: 0.005 (k=1), 0.01 (2), 0.03 (3), 0.04 (4), 0.5 (5); m = 5 (the NaN is not counted)
    # m*p/k: 5*0.005/1 = 0.025, 5*0.01/2 = 0.025, 5*0.03/3 = 0.05, 5*0.04/4 = 0.05, 5*0.5/5 = 0.5
    # running minimum from the top: 0.5, 0.05, 0.05, 0.025, 0.025  (= R p.adjust(..., "BH"))
    p = [0.01, 0.04, 0.03, 0.005, np.nan, 0.5]
    want = [0.025, 0.05, 0.05, 0.025, np.nan, 0.5]
    np.testing.assert_allclose(_bh(p), want, equal_nan=True)
    np.testing.assert_allclose(bh_qvalues(p), want, equal_nan=True)
    # a larger p-value early in the order is pulled down by a smaller q later: 3*0.02/1 = 0.06 > 3*0.03/3 = 0.03
    np.testing.assert_allclose(_bh([0.02, 0.025, 0.03]), [0.03, 0.03, 0.03])


# ------------------------------------------------------------------------------- series known by construction
#: complaints per year, 12,000 decisions every year (1,000 a month), so the rate per 1,000 is count / 12
RISING = [10, 13, 17, 22, 29, 37, 48, 63, 82, 106]   # round(10 * 1.3**k): strictly increasing
FLAT = [30, 24, 33, 27, 31, 25, 29, 34, 26, 28]      # no trend: 23 concordant, 22 discordant pairs, S = 1
TIES = [5, 5, 5, 5, 6, 6, 6, 6, 7, 7]                # rising in steps, three groups of ties (4, 4, 2)


def _known_store(tmp_path: Path):
    con = store.connect(tmp_path / "known.duckdb")
    comp, dec = [], []
    for fv, counts in (("SOF", RISING), ("BIF", FLAT), ("ØKF", TIES)):
        for y, n in zip(YEARS, counts):
            comp += [(fv, "Område", date(y, 1 + i % 12, 1 + (i // 12) % 28)) for i in range(n)]
            dec += [(fv, "Område", date(y, m, 1), 1000) for m in range(1, 13)]
    _insert_complaints_and_decisions(con, comp, dec)
    return con


def _year_design():
    t = np.array(YEARS, float) + 0.5   # the midpoint of each year in decimal years
    return sm.add_constant(t - t.mean())


def test_known_series_p_values_q_values_and_directions(tmp_path):
    con = _known_store(tmp_path)
    tr = screening.screen(con, ["complaint_rate"], period="year", as_of=date(2024, 12, 31))
    assert list(tr.columns) == screening.TREND_COLUMNS
    res = tr.set_index(["forvaltning", "method"])
    assert len(res) == 6 and set(res["n_periods"]) == {10}

    # Mann–Kendall, n = 10: Var(S) without ties = n(n-1)(2n+5)/18 = 10*9*25/18 = 125
    #  RISING: every pair increases, S = 45, z = 44/sqrt(125) = 3.9355, p = 8.303e-05
    #  FLAT:   S = 1, z = (1 - 1)/sqrt(125) = 0, p = 1
    #  TIES:   increasing pairs 4*4 + 4*2 + 4*2 = 32, no decreasing ones: S = 32;
    #          Var(S) = [2250 - (4*3*13 + 4*3*13 + 2*1*9)]/18 = 1920/18 = 106.667, z = 31/10.328 = 3.0015, p = 0.002686
    mk = {"SOF": 8.303e-05, "BIF": 1.0, "ØKF": 0.002686}
    assert _mk_p(45, 125) == pytest.approx(mk["SOF"], rel=1e-3)
    assert _mk_p(32, 1920 / 18) == pytest.approx(mk["ØKF"], rel=1e-3)
    # the same S from scipy's Kendall tau-b against time: tau_b = S / sqrt((45 - ties) * 45)
    for counts, s, tied_pairs in ((RISING, 45, 0), (FLAT, 1, 0), (TIES, 32, 6 + 6 + 1)):
        tau = st.kendalltau(np.arange(10), counts).statistic
        assert tau * math.sqrt((45 - tied_pairs) * 45) == pytest.approx(s)
    for fv, p in mk.items():
        assert res.loc[(fv, "mann_kendall"), "p_value"] == pytest.approx(p, rel=1e-3, abs=1e-12), fv
    # Sen's slope of the rate (count / 12 per 1,000 decisions) per year: the median pairwise slope, as scipy's
    for fv, counts in (("SOF", RISING), ("BIF", FLAT), ("ØKF", TIES)):
        want = st.theilslopes(np.array(counts) / 12.0, np.array(YEARS, float)).slope
        assert res.loc[(fv, "mann_kendall"), "estimate"] == pytest.approx(want, rel=1e-4, abs=1e-9), fv

    # quasi-Poisson GLM with log(decisions) offset, fitted here directly
    X = _year_design()
    glm = {}
    for fv, counts in (("SOF", RISING), ("BIF", FLAT), ("ØKF", TIES)):
        ratio, lo, hi, p = _quasi_glm(counts, X, "poisson", offset=np.log(np.full(10, 12000.0)))
        r = res.loc[(fv, "poisson_glm")]
        assert r["estimate"] == pytest.approx(ratio, rel=1e-4), fv
        assert (r["ci_low"], r["ci_high"]) == (pytest.approx(lo, rel=1e-4), pytest.approx(hi, rel=1e-4)), fv
        assert r["p_value"] == pytest.approx(p, rel=1e-3, abs=1e-12), fv
        glm[fv] = p
    # the rising series was built with a ratio of 1.3 a year
    assert res.loc[("SOF", "poisson_glm"), "estimate"] == pytest.approx(1.3, abs=0.01)

    # q-values: Benjamini–Hochberg over the six p-values of the run, with the independent p-values above
    keys = [(fv, m) for fv in mk for m in ("mann_kendall", "poisson_glm")]
    p_all = [mk[fv] if m == "mann_kendall" else glm[fv] for fv, m in keys]
    q_all = _bh(p_all)
    for k, q in zip(keys, q_all):
        assert res.loc[k, "q_value"] == pytest.approx(q, rel=1e-3, abs=1e-12), k
    # directions: by construction SOF rises, BIF has no trend; the step series rises by both methods
    assert set(res.loc["SOF", "direction"]) == {"stigende"}
    assert set(res.loc["BIF", "direction"]) == {"ingen sikker ændring"}
    assert res.loc[("ØKF", "mann_kendall"), "direction"] == "stigende"
    # and the direction is exactly "q < 0.05 with the sign of the estimate"
    for k, q in zip(keys, q_all):
        assert (res.loc[k, "direction"] != "ingen sikker ændring") == (q < 0.05), k


def test_falling_series_is_falling(tmp_path):
    """The rising series read backwards: the same p-values, the reciprocal rate ratio, direction faldende."""
    con = store.connect(tmp_path / "f.duckdb")
    comp = [("SOF", "Område", date(y, 1 + i % 12, 1)) for y, n in zip(YEARS, RISING[::-1]) for i in range(n)]
    c = pd.DataFrame(comp, columns=["forvaltning", "area", "received"])
    c["complaint_id"] = [f"K{i}" for i in range(len(c))]
    c["kind"] = "realitet"
    _insert(con, "complaints", c)
    _insert(con, "decisions", pd.DataFrame([("SOF", "Område", date(y, m, 1), 1000) for y in YEARS
                                            for m in range(1, 13)],
                                           columns=["forvaltning", "area", "month", "decisions"]))
    tr = screening.screen(con, ["complaint_rate"], period="year", as_of=date(2024, 12, 31)).set_index("method")
    ratio, _, _, p = _quasi_glm(RISING[::-1], _year_design(), "poisson", offset=np.log(np.full(10, 12000.0)))
    assert tr.loc["poisson_glm", "estimate"] == pytest.approx(ratio, rel=1e-4)
    assert ratio == pytest.approx(1 / 1.3, abs=0.01)
    assert tr.loc["mann_kendall", "p_value"] == pytest.approx(_mk_p(-45, 125), rel=1e-3)   # S = -45
    assert set(tr["direction"]) == {"faldende"}


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
    _insert_complaints_and_decisions(con, comp, dec)
    return con


def _monthly_counts(con, fv: str) -> pd.DataFrame:
    """Complaints and decisions per month of one forvaltning, by plain SQL on the store."""
    return con.execute(
        """SELECT d.month, d.decisions, coalesce(c.n, 0) AS complaints
           FROM decisions d LEFT JOIN (SELECT date_trunc('month', received)::DATE AS month, count(*) AS n
                                       FROM complaints WHERE forvaltning = ? GROUP BY 1) c USING (month)
           WHERE d.forvaltning = ? ORDER BY d.month""", [fv, fv]).df()


def test_rising_rate_found_and_short_series_said(tmp_path):
    con = _trend_store(tmp_path)
    tr, ef = screening.run(con, ["complaint_rate"], period="year", as_of=date(2024, 12, 31))
    assert list(tr.columns) == screening.TREND_COLUMNS and ef.empty
    sof = tr[tr.forvaltning == "SOF"].set_index("method")
    assert set(sof.index) == {"poisson_glm", "mann_kendall"}
    glm = sof.loc["poisson_glm"]
    # the same model fitted here on the yearly sums
    m = _monthly_counts(con, "SOF")
    yearly = m.groupby(pd.to_datetime(m["month"]).dt.year)[["complaints", "decisions"]].sum()
    ratio, lo, hi, p = _quasi_glm(yearly["complaints"], _year_design(), "poisson",
                                  offset=np.log(yearly["decisions"].to_numpy(float)))
    assert (glm["estimate"], glm["ci_low"], glm["ci_high"]) == (
        pytest.approx(ratio, rel=1e-4), pytest.approx(lo, rel=1e-4), pytest.approx(hi, rel=1e-4))
    assert glm["p_value"] == pytest.approx(p, rel=1e-3, abs=1e-15)
    # built with a rate ratio of 1.3 a year: the estimate is near it and its interval covers it
    assert glm["estimate"] == pytest.approx(1.3, abs=0.05)
    assert glm["ci_low"] < 1.3 < glm["ci_high"]
    assert glm["q_value"] < 0.05 and glm["direction"] == "stigende"
    assert sof.loc["mann_kendall"]["direction"] == "stigende"
    assert (glm["n_periods"], glm["first_period"], glm["last_period"]) == (10, "2015", "2024")
    # BIF has 3 years; the screening needs 5 (thresholds.min_periods): said, not tested, no p-value
    bif = tr[tr.forvaltning == "BIF"]
    assert set(bif["direction"]) == {"for kort serie"}
    assert bif["p_value"].isna().all() and bif["q_value"].isna().all()
    assert bif["note"].str.contains("3 perioder").all()


def test_monthly_screening_is_seasonal(tmp_path):
    con = _trend_store(tmp_path)
    tr = screening.screen(con, ["complaint_rate"], period="month", as_of=date(2024, 12, 31))
    sof = tr[tr.forvaltning == "SOF"].set_index("method")
    assert set(sof.index) == {"poisson_glm", "seasonal_mann_kendall"}
    # quasi-Poisson with month effects, fitted here: log E[y] = log(decisions) + b0 + b1*t + month dummies
    m = _monthly_counts(con, "SOF")
    when = pd.to_datetime(m["month"])
    t = when.dt.year + (when.dt.month - 0.5) / 12      # mid-month in decimal years (rounded, ratio per year)
    months = pd.get_dummies(when.dt.month, prefix="m", drop_first=True, dtype=float)
    X = np.column_stack([np.ones(len(m)), t - t.mean(), months.to_numpy()])
    ratio, lo, hi, p = _quasi_glm(m["complaints"], X, "poisson", offset=np.log(m["decisions"].to_numpy(float)))
    assert sof.loc["poisson_glm", "estimate"] == pytest.approx(ratio, rel=2e-3)
    assert sof.loc["poisson_glm", "estimate"] == pytest.approx(1.3, abs=0.05)   # still per year
    assert sof.loc["seasonal_mann_kendall"]["direction"] == "stigende"
    # BIF: 36 monthly values are enough for the GLM (13 parameters) and the seasonal test (24); no trend planted
    bif = tr[tr.forvaltning == "BIF"].set_index("method")
    assert bif.loc["poisson_glm"]["direction"] == "ingen sikker ændring"
    assert bif.loc["poisson_glm"]["n_periods"] == 36


# ------------------------------------------------------------------------------- initiatives
def _its_store(tmp_path: Path):
    """Reversal share 40 % before 2020-01-01 and 15 % from then on, 60 appeals a quarter, 2016-2024."""
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
    return con, org, a


def _decimal(d: date) -> float:
    start, nxt = date(d.year, 1, 1), date(d.year + 1, 1, 1)
    return d.year + (d - start).days / (nxt - start).days


def test_initiative_level_shift(tmp_path):
    con, org, a = _its_store(tmp_path)
    ef = screening.initiative_effects(con, org, period="year", as_of=date(2024, 12, 31))
    assert list(ef.columns) == screening.EFFECT_COLUMNS
    lvl = ef[ef.method == "its_level"]
    r = lvl[lvl.indicator == "appeal_reversal_share"].iloc[0]
    assert r["initiative"] == "Ny praksis" and r["n_periods"] == 36   # quarterly series, 9 years

    # segmented quasi-binomial regression fitted here on the quarterly shares (Wagner et al. 2002):
    # logit(share) = b0 + b1*t + b2*after + b3*(t - start)*after, t = the quarter's midpoint in decimal years
    a = a.assign(q=pd.PeriodIndex(pd.to_datetime(a["decided"]), freq="Q"))
    g = a.groupby("q")["outcome"].agg(rev=lambda s: (s == "ændret").sum(), n="size")
    t = np.array([(_decimal(p.start_time.date()) + _decimal((p + 1).start_time.date())) / 2 for p in g.index])
    start = 2020.0
    after = (t >= start).astype(float)
    X = np.column_stack([np.ones_like(t), t - t.mean(), after, (t - start) * after])
    fam = sm.families.Binomial()
    n = g["n"].to_numpy(float)
    fit = sm.GLM(g["rev"].to_numpy(float) / n, X, family=fam, var_weights=n).fit(scale="X2")
    b, se, df = fit.params[2], fit.bse[2], len(t) - 4
    assert r["estimate"] == pytest.approx(math.exp(b), rel=1e-3)
    assert r["p_value"] == pytest.approx(2 * st.t.sf(abs(b / se), df), rel=1e-2, abs=1e-12)
    # built as odds 0.40/0.60 -> 0.15/0.85, an odds ratio of 0.2647: inside the interval, surely falling
    assert r["ci_low"] < (0.15 / 0.85) / (0.40 / 0.60) < r["ci_high"]
    assert r["q_value"] < 0.05 and r["direction"] == "faldende"
    # a median is not a count, rate or share: said, not fitted
    m = lvl[lvl.indicator == "processing_days_median"].iloc[0]
    assert m["direction"] == "kan ikke beregnes" and math.isnan(m["p_value"]) and math.isnan(m["q_value"])
    # initiative_effects alone: q-values over its own two p-values (level and slope) only
    np.testing.assert_allclose(ef["q_value"], _bh(ef["p_value"]), rtol=1e-12, equal_nan=True)


def test_run_q_values_span_trends_and_effects(tmp_path):
    """run() adjusts for every p-value of the run: trends and initiative effects together (m = all of them)."""
    con, org, _ = _its_store(tmp_path)
    tr, ef = screening.run(con, ["appeal_reversal_share"], period="year", by=("forvaltning", "area"),
                           as_of=date(2024, 12, 31), organisation=org)
    assert len(tr) == 2 and len(ef) == 3          # binomial_glm + mann_kendall; its_level, its_slope, the median
    p = np.concatenate([tr["p_value"].to_numpy(float), ef["p_value"].to_numpy(float)])
    q = _bh(p)
    np.testing.assert_allclose(tr["q_value"], q[:2], rtol=1e-12)
    np.testing.assert_allclose(ef["q_value"], q[2:], rtol=1e-12, equal_nan=True)
    # and not over the trends alone (m = 2 instead of 4 changes the largest q-value)
    assert not np.allclose(tr["q_value"], _bh(tr["p_value"]))


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
