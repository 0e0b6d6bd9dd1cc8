"""Rank-based trend tests: Mann–Kendall, Sen's slope and the seasonal Mann–Kendall test.

Every function validates its input up front (:mod:`kvalitet.stats.checks`) and returns a small frozen dataclass
carrying the value, its limits and a ``method`` string.

Sources
-------
* Mann (1945), Kendall (1975): the Mann–Kendall test. The numbers follow R ``trend::mk.test`` (Pohlert,
  v1.1.6) and ``pymannkendall.original_test`` (Hussain & Mahmud 2019, v1.4.3): tie-corrected Var(S) and a
  continuity-corrected z.
* Sen (1968): Sen's slope; the confidence interval is the rank-based one of R ``trend::sens.slope``.
* Hirsch & Slack (1984), Hirsch, Slack & Smith (1982): the seasonal Mann–Kendall test, as R ``trend::smk.test``
  and ``pymannkendall.seasonal_test``.

The code is written here with numpy rather than taken from a library: SciPy has no Mann–Kendall test or Sen
confidence interval (``scipy.stats.kendalltau`` gives neither S nor the tie-corrected Var(S) with continuity
correction, ``scipy.stats.theilslopes`` uses a different CI), and pymannkendall/R are not dependencies of this
project. The formulas are short and given in each docstring.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import special as _sp
from scipy import stats as _st

from . import checks

__all__ = ["MannKendallResult", "SenSlopeResult", "mann_kendall", "sen_slope", "seasonal_mann_kendall",
           "seasonal_mann_kendall_many"]

_ALPHA = 0.05


# ----------------------------------------------------------------------------------------------------------
# result types
# ----------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class MannKendallResult:
    """Result of :func:`mann_kendall` and :func:`seasonal_mann_kendall`.

    ``s``: Kendall's S; ``var_s``: tie-corrected Var(S); ``z``: continuity-corrected normal score;
    ``p``: two-sided p-value; ``tau``: Kendall's tau, tie-corrected (S/D as R ``trend``/``Kendall``);
    ``slope``/``intercept``: Sen's slope (per step, or per cycle for the seasonal test) and the
    Conover intercept; ``n``: number of non-missing values used; ``trend``: "increasing",
    "decreasing" or "no trend" at the 5 % level.
    """

    s: float
    var_s: float
    z: float
    p: float
    tau: float
    slope: float
    intercept: float
    n: int
    trend: str
    method: str


@dataclass(frozen=True)
class SenSlopeResult:
    """Result of :func:`sen_slope`: slope per unit of ``times`` with a rank-based confidence interval."""

    slope: float
    ci_low: float
    ci_high: float
    intercept: float
    n: int
    method: str


# ----------------------------------------------------------------------------------------------------------
# Mann–Kendall core
# ----------------------------------------------------------------------------------------------------------
_BLOCK = 2048  # rows per block when building the sign matrix, bounds memory at ~_BLOCK * n * 8 bytes


def _mk_s(x: np.ndarray) -> float:
    """S = Σ_{i<j} sgn(x_j − x_i), evaluated blockwise so memory stays O(_BLOCK·n)."""
    n = x.size
    if n <= _BLOCK:
        d = np.sign(x[None, :] - x[:, None])
        return float(np.triu(d, 1).sum())
    s = 0.0
    cols = np.arange(n)
    for a in range(0, n - 1, _BLOCK):
        b = min(a + _BLOCK, n)
        d = np.sign(x[None, :] - x[a:b, None])
        d[cols[None, :] <= np.arange(a, b)[:, None]] = 0.0
        s += float(d.sum())
    return s


def _tie_terms(x: np.ndarray) -> tuple[float, float]:
    """Return (Σ t(t−1)(2t+5), Σ t(t−1)/2) over groups of tied values."""
    _, t = np.unique(x, return_counts=True)
    t = t.astype(float)
    return float(np.sum(t * (t - 1) * (2 * t + 5))), float(np.sum(t * (t - 1)) / 2)


def _mk_parts(x: np.ndarray) -> tuple[float, float, float]:
    """(S, Var(S), D) for one complete (NaN-free) series."""
    n = x.size
    if n < 2:
        return 0.0, 0.0, 0.0
    s = _mk_s(x)
    tv, tp = _tie_terms(x)
    var_s = (n * (n - 1) * (2 * n + 5) - tv) / 18.0
    n0 = n * (n - 1) / 2.0
    d = np.sqrt(max(n0 - tp, 0.0) * n0)
    return s, var_s, d


def _z_p(s: float, var_s: float) -> tuple[float, float]:
    """Continuity-corrected z = sgn(S)(|S|−1)/√Var(S) and two-sided p = 2·(1−Φ(|z|)), capped at 1."""
    if s == 0 or var_s <= 0:
        return 0.0, 1.0
    z = np.sign(s) * (abs(s) - 1.0) / np.sqrt(var_s)
    p = min(1.0, 2.0 * float(_sp.ndtr(-abs(z))))  # ndtr = Φ, the function behind scipy.stats.norm.cdf
    return float(z), p


def _trend_word(z: float, p: float, alpha: float = _ALPHA) -> str:
    if p < alpha and z > 0:
        return "increasing"
    if p < alpha and z < 0:
        return "decreasing"
    return "no trend"


def _pairwise_slopes(x: np.ndarray, t: np.ndarray) -> np.ndarray:
    """All (x_j − x_i)/(t_j − t_i) for i < j (the pairs Sen's estimator takes the median of)."""
    i, j = np.triu_indices(x.size, 1)
    return (x[j] - x[i]) / (t[j] - t[i])


def _sen(x: np.ndarray, t: np.ndarray) -> tuple[float, float, np.ndarray]:
    d = _pairwise_slopes(x, t)
    if d.size == 0:
        return float("nan"), float("nan"), d
    slope = float(np.median(d))
    intercept = float(np.median(x) - np.median(t) * slope)
    return slope, intercept, d


def mann_kendall(values: Any) -> MannKendallResult:
    """Mann–Kendall test for a monotonic trend, with Sen's slope.

    Formula (Mann 1945; Kendall 1975; as R ``trend::mk.test`` and ``pymannkendall.original_test``)::

        S      = Σ_{i<j} sgn(x_j − x_i)
        Var(S) = [n(n−1)(2n+5) − Σ_k t_k(t_k−1)(2t_k+5)] / 18      (t_k = size of the k-th group of ties)
        z      = sgn(S)(|S| − 1) / √Var(S)                          (continuity correction; z = 0 if S = 0)
        p      = 2·(1 − Φ(|z|))
        tau    = S / D,  D = √(n(n−1)/2 − Σ t_k(t_k−1)/2) · √(n(n−1)/2)     (tie-corrected, R trend)

    ``slope`` is Sen's slope per step (median of (x_j − x_i)/(j − i), with i, j the positions in the original
    series, so a missing month keeps its place) and ``intercept = median(x) − median(position)·slope``, both
    exactly as ``pymannkendall``. Note that pymannkendall's ``Tau`` is S/(n(n−1)/2) without tie correction;
    the two agree when there are no ties.

    Missing values (NaN) are dropped, as in pymannkendall, and ``n`` reports how many values were used.
    A constant series gives S = 0, z = 0, p = 1, tau = 0 and slope 0.

    Why hand-written: neither SciPy nor statsmodels provides the Mann–Kendall test; the formulas above are
    the whole algorithm. S is computed from the full sign matrix (O(n²), in blocks).

    Raises ``ValueError`` if fewer than 3 non-missing values remain or a value is infinite.
    """
    x_all = checks.vector("values", values)
    checks.finite("values", x_all)
    ok = ~np.isnan(x_all)
    x = x_all[ok]
    n = int(x.size)
    if n < 3:
        checks.fail("values", "need at least 3 non-missing values for Mann–Kendall", n)
    s, var_s, d = _mk_parts(x)
    z, p = _z_p(s, var_s)
    tau = s / d if d > 0 else 0.0
    pos = np.flatnonzero(ok).astype(float)
    slope, intercept, _ = _sen(x, pos)
    return MannKendallResult(
        s=s, var_s=var_s, z=z, p=p, tau=float(tau), slope=slope, intercept=intercept, n=n,
        trend=_trend_word(z, p), method="Mann-Kendall trend test (tie-corrected variance, continuity correction)",
    )


def sen_slope(values: Any, times: Any = None, conf: float = 0.95) -> SenSlopeResult:
    """Sen's (Theil–Sen) slope with the rank-based confidence interval of R ``trend::sens.slope``.

    Formula (Sen 1968; Hollander & Wolfe; as R ``trend::sens.slope``)::

        d_k    = (x_j − x_i)/(t_j − t_i)   for all N = n(n−1)/2 pairs i < j
        slope  = median(d_k)
        C      = z_{1−(1−conf)/2} · √Var(S)              (Var(S) tie-corrected, as in :func:`mann_kendall`)
        lower  = d_(round((N − C)/2)),  upper = d_(round((N + C)/2 + 1))   (1-based order statistics of d)
        intercept = median(x) − median(t)·slope            (Conover 1980, as pymannkendall)

    ``times`` defaults to the positions 0, 1, …, n−1, so the slope is per step; pass e.g. decimal years to get
    a slope per year. Times must be finite and distinct. Missing values (NaN in ``values``) are dropped with
    their time, so with the default times a gap keeps its place. If an order-statistic rank falls outside
    1..N (very short series or very high ``conf``) that limit is NaN (R returns NA there).

    Why hand-written: ``scipy.stats.theilslopes`` uses a different (Kendall-tau based, tie-uncorrected)
    interval; this reproduces R ``trend::sens.slope``.
    """
    conf = checks.conf(conf)
    x_all = checks.vector("values", values)
    checks.finite("values", x_all)
    if times is None:
        t_all = np.arange(x_all.size, dtype=float)
    else:
        t_all = checks.vector("times", times)
        checks.same_length(values=x_all, times=t_all)
        checks.no_missing("times", t_all)
        vals, times_seen = np.unique(t_all, return_counts=True)
        if (times_seen > 1).any():
            checks.fail("times", "must be distinct (one value per time point)",
                        f"{vals[times_seen > 1][0]:g} more than once")
    ok = ~np.isnan(x_all)
    x, t = x_all[ok], t_all[ok]
    n = int(x.size)
    if n < 2:
        checks.fail("values", "need at least 2 non-missing values for Sen's slope", n)
    slope, intercept, d = _sen(x, t)
    _, var_s, _ = _mk_parts(x)
    big_n = d.size
    c = _st.norm.ppf(1 - (1 - conf) / 2) * np.sqrt(var_s)
    r_lo = int(np.round((big_n - c) / 2))
    r_up = int(np.round((big_n + c) / 2 + 1))
    ds = np.sort(d)
    lo = float(ds[r_lo - 1]) if 1 <= r_lo <= big_n else float("nan")
    up = float(ds[r_up - 1]) if 1 <= r_up <= big_n else float("nan")
    return SenSlopeResult(
        slope=slope, ci_low=lo, ci_high=up, intercept=intercept, n=n,
        method=f"Sen's slope with {conf:.0%} rank-based confidence interval",
    )


def seasonal_mann_kendall(values: Any, period: int = 12) -> MannKendallResult:
    """Seasonal Mann–Kendall test (Hirsch–Slack) with the seasonal Sen slope.

    The series is split into ``period`` seasons (position i belongs to season i mod period; the first value is
    season 1). For each season g the Mann–Kendall S_g and tie-corrected Var(S_g) are computed on that season's
    non-missing values; then (Hirsch & Slack 1984; R ``trend::smk.test``; ``pymannkendall.seasonal_test``)::

        S = Σ_g S_g,   Var(S) = Σ_g Var(S_g),   z = sgn(S)(|S| − 1)/√Var(S),   p = 2·(1 − Φ(|z|))
        tau = S / Σ_g D_g                       (D_g as in :func:`mann_kendall`, tie-corrected)

    ``slope`` is the seasonal Sen slope (Hirsch, Slack & Smith 1982; R ``trend::sea.sens.slope``): the median of
    all within-season slopes (x_jg − x_ig)/(j − i) with i, j counted in cycles, i.e. the change **per cycle**
    (per year for monthly data). ``intercept = median(x) − median(position)/period · slope`` (as pymannkendall).

    Missing values are dropped season by season (pymannkendall does the same); ``n`` is the number of values
    used. pymannkendall's ``Tau`` has no tie correction (S/Σ n_g(n_g−1)/2); the two agree without ties.

    Raises ``ValueError`` if ``period`` < 2 or the series covers fewer than two full cycles.
    """
    period_int = checks.whole_number("period", period, 2)
    x_all = checks.vector("values", values)
    checks.finite("values", x_all)
    if x_all.size < 2 * period_int:
        checks.fail("values", f"need at least two full cycles ({2 * period_int} values for period={period_int})",
                    x_all.size)
    n_total = x_all.size
    pad = (-n_total) % period_int
    mat = np.concatenate([x_all, np.full(pad, np.nan)]).reshape(-1, period_int)
    cycles = np.arange(mat.shape[0], dtype=float)
    s = var_s = dsum = 0.0
    slopes = []
    n_used = 0
    for g in range(period_int):
        col = mat[:, g]
        ok = ~np.isnan(col)
        xg = col[ok]
        n_used += int(xg.size)
        sg, vg, dg = _mk_parts(xg)
        s += sg
        var_s += vg
        dsum += dg
        if xg.size >= 2:
            slopes.append(_pairwise_slopes(xg, cycles[ok]))
    if n_used < 3 or not slopes:
        checks.fail("values", "need at least 3 non-missing values and 2 in one season for the seasonal Mann–Kendall "
                    "test", f"{n_used} non-missing values")
    z, p = _z_p(s, var_s)
    tau = s / dsum if dsum > 0 else 0.0
    allslopes = np.concatenate(slopes)
    slope = float(np.median(allslopes)) if allslopes.size else float("nan")
    pos = np.flatnonzero(~np.isnan(x_all)).astype(float)
    intercept = float(np.median(x_all[~np.isnan(x_all)]) - np.median(pos) / period_int * slope)
    return MannKendallResult(
        s=s, var_s=var_s, z=z, p=p, tau=float(tau), slope=slope, intercept=intercept, n=n_used,
        trend=_trend_word(z, p),
        method=f"Seasonal Mann-Kendall trend test (Hirsch-Slack, period={period_int})",
    )


def seasonal_mann_kendall_many(series: list, period: int = 12) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """:func:`seasonal_mann_kendall` of many series at once: per series its ``s``, ``p`` and ``slope``, the same
    numbers as the function gives for each series alone (the sums over the seasons are taken in the same order,
    and the rest is the same arithmetic on the same numbers, so the results are equal bit for bit).

    Series of the same number of cycles are stacked into one array and every season of every series is done in
    a few array operations: S from the signs of all pairs within a season, the tie terms from each value's
    number of equal values in its season, Sen's seasonal slope as the median of every series' within-season
    slopes. A series the function would refuse (too short, a non-finite value, too few values) gets NaN; call
    :func:`seasonal_mann_kendall` on it for the error.
    """
    period = checks.whole_number("period", period, 2)
    m = len(series)
    s_out = np.full(m, np.nan)
    p_out = np.full(m, np.nan)
    slope_out = np.full(m, np.nan)
    cycles_of = {}
    for k, x in enumerate(series):
        x = np.asarray(x, dtype=float)
        if x.ndim != 1 or x.size < 2 * period or np.isinf(x).any():
            continue
        cycles_of.setdefault(-(-x.size // period), []).append(k)
    for c, members in cycles_of.items():
        mat = np.full((len(members), c * period), np.nan)
        for r, k in enumerate(members):
            x = np.asarray(series[k], dtype=float)
            mat[r, :x.size] = x
        mat = mat.reshape(len(members), c, period)
        i, j = np.triu_indices(c, 1)
        steps = (np.arange(c, dtype=float)[j] - np.arange(c, dtype=float)[i])
        s = np.zeros(len(members))
        var_s = np.zeros(len(members))
        n_used = np.zeros(len(members), dtype=np.int64)
        has_pair = np.zeros(len(members), dtype=bool)
        slopes = np.full((len(members), period, i.size), np.nan)
        for g in range(period):
            x = mat[:, :, g]  # members × cycles
            ok = ~np.isnan(x)
            n = ok.sum(axis=1).astype(np.int64)
            diff = x[:, j] - x[:, i]  # x_j − x_i for every pair i < j (NaN where either is missing)
            sg = np.nansum(np.sign(diff), axis=1)  # sums of −1, 0, 1: exact in any order
            # each value's number of equal values in its season (NaN equals nothing): a tie group of t values
            # contributes t(t−1)(2t+5) as the t values' (t−1)(2t+5), and t(t−1) as their (t−1)
            eq = (x[:, :, None] == x[:, None, :]).sum(axis=2).astype(float)
            tv = np.where(ok, (eq - 1) * (2 * eq + 5), 0.0).sum(axis=1)
            vg = (n * (n - 1) * (2 * n + 5) - tv) / 18.0
            s += sg
            var_s += vg
            n_used += n
            has_pair |= n >= 2
            slopes[:, g, :] = diff / steps
        slopes = np.sort(slopes.reshape(len(members), -1), axis=1)  # NaN (pairs with a missing value) last
        cnt = (~np.isnan(slopes)).sum(axis=1)
        rows = np.arange(len(members))
        hi = np.minimum(cnt // 2, slopes.shape[1] - 1)
        lo = np.maximum(cnt // 2 - 1, 0)
        med = np.where(cnt % 2 == 1, slopes[rows, hi], (slopes[rows, lo] + slopes[rows, hi]) / 2.0)
        med = np.where(cnt > 0, med, np.nan)
        good = (n_used >= 3) & has_pair
        for r, k in enumerate(members):
            if good[r]:
                s_out[k] = s[r]
                p_out[k] = _z_p(float(s[r]), float(var_s[r]))[1]
                slope_out[k] = float(med[r])
    return s_out, p_out, slope_out
