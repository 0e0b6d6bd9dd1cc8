"""Trend screening and initiative effects, with Benjamini–Hochberg q-values across everything tested in one run.

:func:`screen` takes every series (indicator × group × sub-group) of :func:`kvalitet.indicators.compute` over the
chosen period grain and tests it with the methods that fit the indicator:

=====================  ===========================================================================================
rates                  ``poisson_glm`` (quasi-Poisson, log(decisions) offset: rate ratio per year) and
                       ``mann_kendall`` (Sen's slope per year of the period values)
counts                 ``poisson_glm`` (exposure: days of the period) and ``mann_kendall``
shares                 ``binomial_glm`` (quasi-binomial: odds ratio per year) and ``mann_kendall``
days (medians)         ``mann_kendall`` only
=====================  ===========================================================================================

Monthly series get a seasonal Mann–Kendall test (``seasonal_mann_kendall``, slope per year) and month effects in the
GLMs. Times are the periods' midpoints in decimal years, so every estimate is per year whatever the grain.
Partial periods (compute()'s ``partial`` flag: not over at the as-of date of the indicator's tables, or cut by
``start``/``end``) are left out of every test: a partial last point is never read as a trend.

:func:`initiative_effects` gives an interrupted-time-series estimate (level change at the start date and change of
the yearly trend) for every initiative in the organisation file on each indicator it names, on quarterly series
(monthly when the screening is monthly), for the initiative's forvaltning and area.

:func:`run` does both and computes the q-values over all p-values together; a result is ``stigende`` or
``faldende`` when q < the FDR level (``thresholds.fdr``, default 0.05), otherwise ``ingen sikker ændring``. A series
with fewer than ``thresholds.min_periods`` (default 5) periods with a value says ``for kort serie``; a series the
method cannot fit (e.g. zero events throughout) says ``kan ikke beregnes`` with the reason in ``note``.

With many series (:data:`PARALLEL_MIN_SERIES` or more) the tests run in forked worker processes, one per CPU
(``KVALITET_WORKERS=1`` keeps them in the calling process); the results are the same either way.
"""

from __future__ import annotations

import warnings
from datetime import date

import numpy as np
import pandas as pd

from . import catalogue, indicators, periods, shared
from .errors import UserError
from .organisation import Organisation, Thresholds
from .stats import (
    binomial_trend,
    bh_qvalues,
    interrupted_time_series,
    mann_kendall,
    poisson_trend,
    seasonal_mann_kendall,
    sen_slope,
)
from .stats.kendall import seasonal_mann_kendall_many

RISING = "stigende"
FALLING = "faldende"
NO_CHANGE = "ingen sikker ændring"
TOO_SHORT = "for kort serie"
NOT_COMPUTABLE = "kan ikke beregnes"
DIRECTIONS = (RISING, FALLING, NO_CHANGE, TOO_SHORT, NOT_COMPUTABLE)

TREND_COLUMNS = [
    "indicator", "forvaltning", "unit", "area", "subgroup", "method", "n_periods", "first_period", "last_period",
    "estimate", "ci_low", "ci_high", "p_value", "q_value", "direction", "note",
]
EFFECT_COLUMNS = ["initiative", "start"] + TREND_COLUMNS

_KEYS = ["indicator", "forvaltning", "unit", "area", "subgroup"]


def decimal_year(d: date) -> float:
    """A date as a decimal year (2024-07-01 -> 2024.497)."""
    start = date(d.year, 1, 1)
    days = (date(d.year + 1, 1, 1) - start).days
    return d.year + (d - start).days / days


def period_time(label: str) -> float:
    """The midpoint of a labelled period in decimal years."""
    p = periods.parse(label)
    a, b = decimal_year(p.start), decimal_year(p.end) + 1.0 / 365.25
    return (a + b) / 2.0


def methods_for(indicator_id: str) -> tuple[str, ...]:
    """The screening methods that fit an indicator (see the module docstring)."""
    ind = catalogue.get(indicator_id)
    if ind.kind == "rate":
        return ("poisson_glm", "mann_kendall")
    if ind.kind == "share":
        return ("binomial_glm", "mann_kendall")
    if ind.kind == "count" and indicator_id != "open_cases_over_target":
        return ("poisson_glm", "mann_kendall")
    return ("mann_kendall",)


def _complete_rows(g: pd.DataFrame, as_of: date) -> np.ndarray:
    """Per row: True when its period is complete (compute()'s ``partial`` flag; for a frame without it, the
    period ended by ``as_of``). Partial periods are never tested."""
    if "partial" in g:
        return ~g["partial"].fillna(False).to_numpy(dtype=bool)
    return (g["period"].map(lambda x: periods.parse(x).end) <= as_of).to_numpy(dtype=bool)


def _series_arrays(g: pd.DataFrame, indicator_id: str, as_of: date):
    """Complete periods with a value, in order: labels, times, value, numerator, exposure; plus the month of each."""
    g = g[g["value"].notna().to_numpy() & _complete_rows(g, as_of)].copy()
    kind = catalogue.get(indicator_id).kind
    exposure = pd.to_numeric(g["denominator"], errors="coerce").astype(float)
    if kind == "count":
        # the exposure of a count is the length of its period in days
        exposure = g["period"].map(lambda x: float((periods.parse(x).end - periods.parse(x).start).days + 1))
    g = g.assign(_t=g["period"].map(period_time), _e=np.asarray(exposure, dtype=float)).sort_values("_t")
    return (
        g["period"].tolist(),
        g["_t"].to_numpy(dtype=float),
        g["value"].to_numpy(dtype=float),
        pd.to_numeric(g["numerator"], errors="coerce").to_numpy(dtype=float),
        g["_e"].to_numpy(dtype=float),
        g["period"].map(lambda x: periods.parse(x).start.month).to_numpy(),
    )


def _row(base: dict, method: str, labels: list[str], **kw) -> dict:
    r = dict(base)
    r.update(method=method, n_periods=len(labels), first_period=labels[0] if labels else None,
             last_period=labels[-1] if labels else None, estimate=np.nan, ci_low=np.nan, ci_high=np.nan,
             p_value=np.nan, sign=0.0, direction=None, note=None)
    r.update(kw)
    return r


def _monthly_grid(t: np.ndarray, v: np.ndarray) -> np.ndarray:
    """The values of a monthly series placed on a complete monthly grid (NaN in the gaps), so the seasons line up."""
    idx = np.round((t - t[0]) * 12).astype(int)
    full = np.full(idx[-1] + 1, np.nan)
    full[idx] = v
    return full


def _test(method: str, grain: str, labels, t, v, num, exp, months, base: dict, min_periods: int,
          smk: tuple | None = None) -> dict:
    """One test of one series; ``smk``: the series' seasonal Mann–Kendall (s, p, slope) when already computed
    (:func:`~kvalitet.stats.kendall.seasonal_mann_kendall_many`; NaN: compute it here)."""
    n = len(labels)
    monthly = grain == "month"
    need = max(min_periods, 24) if (monthly and method == "mann_kendall") else min_periods
    if n < need:
        return _row(base, method if not (monthly and method == "mann_kendall") else "seasonal_mann_kendall",
                    labels, direction=TOO_SHORT,
                    note=f"{n} perioder med en værdi; der kræves mindst {need}")
    season = months if monthly else None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            if method == "poisson_glm":
                r = poisson_trend(num, exp, t, season=season)
                return _row(base, method, labels, estimate=r.estimate, ci_low=r.ci_low, ci_high=r.ci_high, p_value=r.p,
                            sign=np.sign(np.log(r.estimate)))
            if method == "binomial_glm":
                r = binomial_trend(num, exp, t, season=season)
                return _row(base, method, labels, estimate=r.estimate, ci_low=r.ci_low, ci_high=r.ci_high, p_value=r.p,
                            sign=np.sign(np.log(r.estimate)))
            if monthly:
                if smk is not None and not np.isnan(smk[0]):
                    return _row(base, "seasonal_mann_kendall", labels, estimate=smk[2], p_value=smk[1],
                                sign=np.sign(smk[0]))
                r = seasonal_mann_kendall(_monthly_grid(t, v), period=12)
                return _row(base, "seasonal_mann_kendall", labels, estimate=r.slope, p_value=r.p, sign=np.sign(r.s))
            r = mann_kendall(v)
            s = sen_slope(v, times=t)
            return _row(base, method, labels, estimate=s.slope, ci_low=s.ci_low, ci_high=s.ci_high, p_value=r.p,
                        sign=np.sign(r.s))
    except ValueError as exc:
        return _row(base, method, labels, direction=NOT_COMPUTABLE, note=f"kan ikke beregnes: {exc}")


def _label_table(labels) -> dict[str, tuple[float, int, float]]:
    """Per distinct period label: its time (:func:`period_time`), first month and length in days."""
    out = {}
    for lab in labels:
        p = periods.parse(lab)
        out[lab] = (period_time(lab), p.start.month, float((p.end - p.start).days + 1))
    return out


def _prepare_series(frame: pd.DataFrame, as_of: date):
    """Every series of ``frame`` (in groupby order): its key and, sorted by time, the arrays of
    :func:`_series_arrays`, as (base, labels, t, v, num, exp, months) tuples."""
    f = frame  # not changed: a missing key (None, NaN, pd.NA) is one missing value in group_codes and None in base
    # the series numbered in the order they first appear (as groupby(sort=False) numbers them)
    code, first_row = indicators.group_codes(f, _KEYS)
    ngroups = len(first_row)
    label = f["period"].to_numpy(dtype=object)
    lab_codes, lab_uniques = pd.factorize(label)
    table = _label_table(lab_uniques)
    lt = np.array([table[x][0] for x in lab_uniques], dtype=float)
    lm = np.array([table[x][1] for x in lab_uniques], dtype=np.int64)
    ldays = np.array([table[x][2] for x in lab_uniques], dtype=float)
    value = pd.to_numeric(f["value"], errors="coerce").to_numpy(dtype=float)
    num = pd.to_numeric(f["numerator"], errors="coerce").to_numpy(dtype=float)
    den = pd.to_numeric(f["denominator"], errors="coerce").to_numpy(dtype=float)
    ind_codes, ind_uniques = pd.factorize(f["indicator"].to_numpy(dtype=object))
    is_count = np.array([catalogue.get(i).kind == "count" for i in ind_uniques], dtype=bool)[ind_codes]
    keep = ~np.isnan(value) & _complete_rows(f, as_of)
    exposure = np.where(is_count, ldays[lab_codes], den)
    rows = np.flatnonzero(keep)
    rows = rows[np.lexsort((lt[lab_codes[rows]], code[rows]))]
    bounds = np.searchsorted(code[rows], np.arange(ngroups + 1))
    keycols = [f[k].to_numpy(dtype=object) for k in _KEYS]
    out = []
    for g in range(ngroups):
        r0 = first_row[g]
        base = {k: (None if (not isinstance(col[r0], str) and pd.isna(col[r0])) else col[r0])
                for k, col in zip(_KEYS, keycols)}
        sel = rows[bounds[g]:bounds[g + 1]]
        lc = lab_codes[sel]
        out.append((base, [lab_uniques[i] for i in lc], lt[lc], value[sel], num[sel], exposure[sel], lm[lc]))
    return out


def _test_series(series, grain: str, min_periods: int) -> list[dict]:
    smk = _seasonal_tests(series, grain, min_periods)
    rows = []
    for k, (base, labels, t, v, num, exp, months) in enumerate(series):
        for m in methods_for(base["indicator"]):
            if m in ("poisson_glm", "binomial_glm"):
                ok = np.isfinite(exp) & (exp > 0) & np.isfinite(num)
                sel = [lab for lab, o in zip(labels, ok) if o]
                rows.append(_test(m, grain, sel, t[ok], v[ok], num[ok], exp[ok], months[ok], base, min_periods))
            else:
                rows.append(_test(m, grain, labels, t, v, num, exp, months, base, min_periods,
                                  smk=smk.get(k)))
    return rows


def _seasonal_tests(series, grain: str, min_periods: int) -> dict[int, tuple[float, float, float]]:
    """The seasonal Mann–Kendall tests of every monthly series long enough for one, computed together
    (:func:`~kvalitet.stats.kendall.seasonal_mann_kendall_many`): (s, p, slope) by the series' position."""
    if grain != "month":
        return {}
    need = max(min_periods, 24)
    at = [k for k, sr in enumerate(series) if len(sr[1]) >= need and "mann_kendall" in methods_for(sr[0]["indicator"])]
    s, p, slope = seasonal_mann_kendall_many([_monthly_grid(series[k][2], series[k][3]) for k in at], period=12)
    return {k: (s[i], p[i], slope[i]) for i, k in enumerate(at)}


def screen_frame(frame: pd.DataFrame, grain: str, as_of: date, thresholds: Thresholds | None = None) -> pd.DataFrame:
    """Trend tests for every series of a tidy indicator frame (as from compute()); p-values, no q-values yet."""
    th = thresholds or Thresholds()
    if frame.empty:
        return pd.DataFrame(columns=TREND_COLUMNS + ["sign"])
    series = _prepare_series(frame, as_of)
    return pd.DataFrame(_run_tests(series, grain, th.min_periods))


#: below this many series the tests run in this process (a pool costs more than it saves)
PARALLEL_MIN_SERIES = 2000
_POOL_SERIES: list = []


def workers() -> int:
    """Processes for the trend tests: ``KVALITET_WORKERS`` if set, else the CPUs this process may use."""
    import os

    env = os.environ.get("KVALITET_WORKERS", "").strip()
    if env:
        try:
            return max(1, int(env))
        except ValueError:
            raise UserError(f"KVALITET_WORKERS skal være et helt tal, ikke {env!r}") from None
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def _test_chunk(lo: int, hi: int, grain: str, min_periods: int) -> list[dict]:
    return _test_series(_POOL_SERIES[lo:hi], grain, min_periods)


def _run_tests(series: list, grain: str, min_periods: int) -> list[dict]:
    """The tests of every series, in order; spread over processes (forked, sharing ``series``) when there are
    many series and more than one CPU. The rows are the same whichever way they are computed."""
    n = len(series)
    k = min(workers(), max(1, n // (PARALLEL_MIN_SERIES // 2)))
    if n < PARALLEL_MIN_SERIES or k < 2:
        return _test_series(series, grain, min_periods)
    import multiprocessing as mp
    from concurrent.futures import ProcessPoolExecutor

    global _POOL_SERIES
    try:
        ctx = mp.get_context("fork")
    except ValueError:  # no fork on this platform
        return _test_series(series, grain, min_periods)
    step = max(1, -(-n // (k * 8)))
    chunks = [(lo, min(n, lo + step)) for lo in range(0, n, step)]
    _POOL_SERIES = series
    try:
        with ProcessPoolExecutor(max_workers=k, mp_context=ctx) as pool:
            parts = list(pool.map(_test_chunk, [a for a, _ in chunks], [b for _, b in chunks],
                                  [grain] * len(chunks), [min_periods] * len(chunks)))
    except (OSError, AssertionError) as exc:  # e.g. a daemon process may not start children
        warnings.warn(f"trend tests run in one process ({exc})", RuntimeWarning, stacklevel=2)
        return _test_series(series, grain, min_periods)
    finally:
        _POOL_SERIES = []
    return [r for part in parts for r in part]


def _directions(df: pd.DataFrame, fdr: float) -> pd.DataFrame:
    """q-values over every p-value in ``df`` together, and the Danish direction."""
    if df.empty:
        df["q_value"] = pd.Series(dtype=float)
        return df
    p = pd.to_numeric(df["p_value"], errors="coerce").to_numpy(dtype=float)
    q = bh_qvalues(p)
    df["q_value"] = q
    d = df["direction"].astype(object).to_numpy()
    sign = df["sign"].to_numpy(dtype=float)
    tested = ~np.isnan(q)
    with np.errstate(invalid="ignore"):
        d = np.where(tested & (q < fdr) & (sign > 0), RISING, d)
        d = np.where(tested & (q < fdr) & (sign < 0), FALLING, d)
        d = np.where(tested & ~((q < fdr) & (sign != 0)), NO_CHANGE, d)
    df["direction"] = d
    return df.drop(columns="sign")


def _its_row(base: dict, initiative, labels, method: str, eff, n_periods) -> dict:
    return _row(base, method, labels, estimate=eff.estimate, ci_low=eff.ci_low, ci_high=eff.ci_high, p_value=eff.p,
                sign=np.sign(np.log(eff.estimate)) if eff.estimate > 0 else 0.0,
                initiative=initiative.name, start=initiative.start)


def its_grain(period: str) -> str:
    """The grain of the initiative analysis: quarters, or the chosen grain when it is finer (month).

    Yearly series have too few points before and after a start date for a segmented regression with four
    parameters; quarters give 4 times as many with the same seasonal-free design.
    """
    g = periods.check_period(period)
    return g if periods.MONTHS[g] <= 3 else "quarter"


def effects_frames(con, organisation: Organisation | None, period: str = "year", start=None, end=None,
                   as_of=None) -> pd.DataFrame:
    """Interrupted-time-series rows for every initiative × named indicator (p-values, no q-values yet).

    The series are by quarter unless ``period`` is finer (see :func:`its_grain`).
    """
    rows = []
    if organisation is None or not organisation.initiatives:
        return pd.DataFrame(columns=EFFECT_COLUMNS + ["sign"])
    q0 = indicators.make_query(con, its_grain(period), (), start, end, as_of, organisation, None)
    for ini in organisation.initiatives:
        by = ("forvaltning", "area") if ini.area else ("forvaltning",)
        where = {"forvaltning": ini.forvaltning}
        if ini.area:
            where["area"] = ini.area
        for ind_id in ini.indicators:
            kind = catalogue.get(ind_id).kind
            base = {"indicator": ind_id, "forvaltning": ini.forvaltning, "unit": None, "area": ini.area,
                    "subgroup": None}
            frame = indicators.compute(con, [ind_id], period=q0.period, by=by, start=start, end=end,
                                       as_of=as_of, organisation=organisation, where=where)
            frame = frame[frame["subgroup"].isna()]
            labels, t, v, num, exp, months = _series_arrays(frame, ind_id, q0.as_of)
            if kind not in ("rate", "share", "count") or ind_id == "open_cases_over_target":
                rows.append(_row(base, "its_level", labels, direction=NOT_COMPUTABLE, initiative=ini.name,
                                 start=ini.start, note="indsatsanalysen kræver en andel, en rate eller et antal"))
                continue
            ok = np.isfinite(exp) & (exp > 0) & np.isfinite(num)
            labels = [lab for lab, o in zip(labels, ok) if o]
            t, num, exp, months = t[ok], num[ok], exp[ok], months[ok]
            family = "binomial" if kind == "share" else "poisson"
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    r = interrupted_time_series(num, exp, t, decimal_year(ini.start), family=family,
                                                season=months if q0.period == "month" else None,
                                                conf=q0.conf)
            except ValueError as exc:
                why = TOO_SHORT if "need at least" in str(exc) else NOT_COMPUTABLE
                rows.append(_row(base, "its_level", labels, direction=why, initiative=ini.name, start=ini.start,
                                 note=f"kan ikke beregnes: {exc}"))
                continue
            rows.append(_its_row(base, ini, labels, "its_level", r.level_change, len(labels)))
            rows.append(_its_row(base, ini, labels, "its_slope", r.slope_change, len(labels)))
    return pd.DataFrame(rows)


@shared.memo
def run(con, indicators_: list[str] | None = None, period: str = "year", by=("forvaltning",), start=None, end=None,
        as_of=None, organisation: Organisation | None = None, where: dict | None = None,
        initiatives: bool = True) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Trend screening and initiative effects in one run, with q-values across both.

    Returns ``(trends, effects)``: ``trends`` has :data:`TREND_COLUMNS`, ``effects`` :data:`EFFECT_COLUMNS`.
    """
    th = organisation.thresholds if organisation is not None else Thresholds()
    q = indicators.make_query(con, period, by, start, end, as_of, organisation, where)
    # each indicator is seen from its own tables' as-of date (compute()); partial periods are not tested
    frame = indicators.compute(con, indicators_, period=q.period, by=q.by, start=start, end=end, as_of=as_of,
                               organisation=organisation, where=where)
    trends = screen_frame(frame, q.period, q.as_of, th)
    trends["_part"] = "trend"
    effects = effects_frames(con, organisation, q.period, start, end, as_of) if initiatives else pd.DataFrame()
    if not effects.empty:
        effects["_part"] = "effect"
    both = pd.concat([trends, effects], ignore_index=True) if not effects.empty else trends
    if both.empty:
        return pd.DataFrame(columns=TREND_COLUMNS), pd.DataFrame(columns=EFFECT_COLUMNS)
    if "sign" not in both:
        both["sign"] = 0.0
    both["sign"] = pd.to_numeric(both["sign"], errors="coerce").fillna(0.0)
    both = _directions(both, th.fdr)
    tr = both[both["_part"] == "trend"][TREND_COLUMNS].reset_index(drop=True)
    ef = both[both["_part"] == "effect"]
    ef = ef[EFFECT_COLUMNS].reset_index(drop=True) if not ef.empty else pd.DataFrame(columns=EFFECT_COLUMNS)
    return _tidy(tr), _tidy(ef)


def _tidy(df: pd.DataFrame) -> pd.DataFrame:
    for c in ("estimate", "ci_low", "ci_high", "p_value", "q_value"):
        if c in df:
            df[c] = pd.to_numeric(df[c], errors="coerce").astype(float)
    if "n_periods" in df:
        df["n_periods"] = pd.to_numeric(df["n_periods"], errors="coerce").astype("Int64")
    for c in ("forvaltning", "unit", "area", "subgroup", "note", "first_period", "last_period"):
        if c in df:
            s = df[c].astype(object)
            df[c] = s.where(s.notna(), None)
    return df


def screen(con, indicators_: list[str] | None = None, period: str = "year", by=("forvaltning",), start=None,
           end=None, as_of=None, organisation: Organisation | None = None, where: dict | None = None,
           initiatives: bool = True) -> pd.DataFrame:
    """The trend table (as :func:`run`), q-values computed across the trends and the initiative effects."""
    return run(con, indicators_, period, by, start, end, as_of, organisation, where, initiatives)[0]


@shared.memo
def initiative_effects(con, organisation: Organisation, period: str = "year", start=None, end=None,
                       as_of=None) -> pd.DataFrame:
    """The initiative effects alone, with q-values across them only."""
    if organisation is None:
        raise UserError("indsatsanalysen kræver en organisationsfil med initiatives")
    th = organisation.thresholds
    ef = effects_frames(con, organisation, period, start, end, as_of)
    if ef.empty:
        return pd.DataFrame(columns=EFFECT_COLUMNS)
    ef["sign"] = pd.to_numeric(ef["sign"], errors="coerce").fillna(0.0)
    return _tidy(_directions(ef, th.fdr)[EFFECT_COLUMNS].reset_index(drop=True))
