"""Processing time with open cases (right censoring): Kaplan–Meier curves, medians and the share finished within a
target.

A case that is still open on the extraction date is *censored*: we know it has taken at least ``duration`` so far,
not how long it will take. Leaving such cases out (or counting their current age as the processing time) makes the
processing time look shorter than it is; Kaplan–Meier uses them correctly.

There is one Kaplan–Meier here, grouped and vectorised: :func:`km_fit` computes the product-limit estimate and its
Greenwood standard errors for any number of groups at once (one group is the special case), floating point operation
for floating point operation as statsmodels' ``SurvfuncRight`` does; :func:`km_medians` gives every group's median
and confidence interval from it. :func:`km_median`, :func:`share_within` and :func:`km_curve` are the one-group
views; the indicator engine (:mod:`kvalitet.indicators.cases`) and the processing-time curves use the same fit.
Confidence intervals use the **log transform**, which is R ``survival::survfit``'s default (``conf.type = "log"``);
statsmodels' own default for ``quantile_ci`` is "cloglog" (the SAS default), which gives different limits.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .intervals import _check_conf, _z

__all__ = ["KMFit", "KMMedian", "ShareWithin", "km_curve", "km_fit", "km_median", "km_medians", "share_within"]

_NO_EVENTS = "ingen afsluttede sager: medianen kan ikke beregnes (alle sager er stadig åbne)"
_METHOD_MEDIAN = ("Kaplan-Meier median; CI: Brookmeyer-Crowley with Greenwood SE on log scale "
                  "(as R survfit conf.type='log')")


@dataclass(frozen=True)
class KMMedian:
    """Result of :func:`km_median`. ``note`` explains any NaN or infinite value (``None`` when all is well)."""

    median: float
    ci_low: float
    ci_high: float
    n: int
    events: int
    method: str
    conf: float
    note: str | None = None


@dataclass(frozen=True)
class ShareWithin:
    """Result of :func:`share_within`: estimated share of cases finished within ``target`` (0-1)."""

    share: float
    ci_low: float
    ci_high: float
    n: int
    events: int
    target: float
    method: str
    conf: float
    note: str | None = None


def _prepare(durations, observed):
    """Validate per-case input; returns (durations float array, observed bool array)."""
    try:
        t = np.asarray(durations, dtype=np.float64).ravel()
    except (TypeError, ValueError):
        raise ValueError("durations must be numbers (e.g. days from receipt to decision)") from None
    obs_raw = np.asarray(observed).ravel()
    if t.size == 0:
        raise ValueError("durations is empty: at least one case is needed")
    if obs_raw.size != t.size:
        raise ValueError(f"durations and observed must have the same length ({t.size} != {obs_raw.size})")
    _check_durations(t)
    if obs_raw.dtype == bool:
        obs = obs_raw
    else:
        try:
            o = obs_raw.astype(np.float64)
        except (TypeError, ValueError):
            raise ValueError("observed must be True/False (or 1/0): True = finished, False = still open") from None
        if np.isnan(o).any() or not np.isin(o, (0.0, 1.0)).all():
            raise ValueError("observed must be True/False (or 1/0): True = finished, False = still open (censored)")
        obs = o.astype(bool)
    return t, obs


def _check_durations(t: np.ndarray) -> None:
    n_nan = int(np.isnan(t).sum())
    if n_nan:
        raise ValueError(f"durations contains {n_nan} missing value(s); remove those cases or fill them in first")
    if np.isinf(t).any():
        raise ValueError("durations must be finite")
    if (t < 0).any():
        raise ValueError(f"durations must be non-negative, got {float(t[t < 0][0]):g}")


def _segmented_cumsum(values: np.ndarray, starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """Cumulative sums restarting at each segment (contiguous ``values[start:start + length]``).

    Each segment's sums are added in the same order as ``np.cumsum`` of that segment alone (the running sum plus
    the next value), so the results are bit-for-bit those of a loop over the segments; the loop here runs over the
    positions within a segment instead, for all segments at once.
    """
    out = np.array(values, dtype=float, copy=True)
    if out.size == 0:
        return out
    order = np.argsort(-lengths, kind="stable")
    lens = lengths[order]
    sts = starts[order]
    neg = -lens
    for pos in range(1, int(lens[0])):
        k = int(np.searchsorted(neg, -pos, side="left"))  # segments longer than pos
        idx = sts[:k] + pos
        out[idx] += out[idx - 1]
    return out


@dataclass(frozen=True)
class KMFit:
    """Kaplan–Meier estimates of ``ngroups`` groups (numbered 0, 1, ...), from :func:`km_fit`.

    Per group: ``n`` cases, ``events`` finished, ``tmax`` the longest duration (finished or open; NaN for a group
    without cases). Per event time (a time at which at least one case of the group finished), sorted by group and
    time: ``group``, ``time``, ``at_risk`` (cases still open just before it), ``finished``, ``surv`` (Ŝ at the time)
    and ``se`` (Greenwood standard error of Ŝ). Group ``g``'s event times are the ``length[g]`` positions from
    ``start[g]``.
    """

    ngroups: int
    n: np.ndarray
    events: np.ndarray
    tmax: np.ndarray
    start: np.ndarray
    length: np.ndarray
    group: np.ndarray
    time: np.ndarray
    at_risk: np.ndarray
    finished: np.ndarray
    surv: np.ndarray
    se: np.ndarray

    def curve(self, g: int = 0) -> tuple[np.ndarray, np.ndarray]:
        """The event times of group ``g`` and Ŝ at them (the share still open)."""
        sl = slice(int(self.start[g]), int(self.start[g] + self.length[g]))
        return self.time[sl], self.surv[sl]


def km_fit(group, time, events, count=None, ngroups: int | None = None) -> KMFit:
    """The Kaplan–Meier product-limit estimate and Greenwood standard errors of every group at once.

    One row per case (``events`` 1 = finished, 0 = still open; ``count`` omitted), or per group × duration
    (``events`` the cases finished after that duration, ``count`` all cases with it). ``group`` numbers the groups
    0 .. ngroups - 1. Ŝ(t) = Π_{tᵢ ≤ t} (1 - dᵢ/nᵢ), dᵢ finished at tᵢ, nᵢ still open just before tᵢ (a case open
    at tᵢ counts as at risk at tᵢ); SE(Ŝ) = Ŝ·√Σ dᵢ/(nᵢ(nᵢ - dᵢ)) (Greenwood). The arithmetic is statsmodels'
    ``SurvfuncRight`` on each group (the same numbers, bit for bit), for all groups in one pass.

    Raises ValueError for missing, infinite or negative durations.
    """
    gid = np.asarray(group, dtype=np.int64).ravel()
    d = np.asarray(time, dtype=np.float64).ravel()
    ev = np.asarray(events, dtype=np.int64).ravel()
    n = np.ones(d.size, dtype=np.int64) if count is None else np.asarray(count, dtype=np.int64).ravel()
    if not (gid.size == d.size == ev.size == n.size):
        raise ValueError("group, time, events and count must have the same length")
    _check_durations(d)
    ngroups = int(gid.max()) + 1 if ngroups is None and gid.size else int(ngroups or 0)
    # sorted by group and time, one row per group × time
    if gid.size > 1 and not ((np.diff(gid) > 0) | ((np.diff(gid) == 0) & (np.diff(d) > 0))).all():
        order = np.lexsort((d, gid))
        gid, d, ev, n = gid[order], d[order], ev[order], n[order]
        new = np.concatenate(([True], (np.diff(gid) != 0) | (np.diff(d) != 0)))
        at = np.flatnonzero(new)
        gid, d = gid[at], d[at]
        ev, n = np.add.reduceat(ev, at), np.add.reduceat(n, at)
    g_rows = np.bincount(gid, minlength=ngroups)
    g_n = np.bincount(gid, weights=n, minlength=ngroups).astype(np.int64)
    g_ev = np.bincount(gid, weights=ev, minlength=ngroups).astype(np.int64)
    g_tmax = np.full(ngroups, np.nan)
    g_tmax[g_rows > 0] = d[np.cumsum(g_rows)[g_rows > 0] - 1]  # the longest duration: each group's last
    # at risk just before each time: the group's cases minus those with a shorter time (integers: exact)
    csum = np.cumsum(n)
    g_start_c = np.concatenate(([0], np.cumsum(g_n)[:-1]))
    at_risk = g_n[gid] - (csum - n - g_start_c[gid])
    # event times only (SurvfuncRight compresses to them)
    keep = ev > 0
    kg, kt, kd, kn = gid[keep], d[keep], ev[keep].astype(float), at_risk[keep]
    k_len = np.bincount(kg, minlength=ngroups)
    k_start = np.concatenate(([0], np.cumsum(k_len)[:-1]))
    sp = 1 - kd / kn.astype(np.float64)
    tiny = sp < 1e-16
    sp[tiny] = 1e-16
    sp = np.exp(_segmented_cumsum(np.log(sp), k_start, k_len))
    sp[tiny] = 0
    denom = np.clip(kn * (kn - kd), 1e-12, np.inf)
    se = kd / denom.astype(np.float64)
    se[(kn == kd) | (kn == 0)] = np.nan
    se = np.sqrt(_segmented_cumsum(se, k_start, k_len))
    locs = np.isfinite(se) | (sp != 0)
    se[locs] *= sp[locs]
    se[~locs] = np.nan
    return KMFit(ngroups, g_n, g_ev, g_tmax, k_start, k_len, kg, kt, kn, kd.astype(np.int64), sp, se)


def km_medians(fit: KMFit, conf: float = 0.95) -> dict[str, np.ndarray]:
    """The Kaplan–Meier median of every group of ``fit`` and its confidence interval, as arrays by group:
    ``median``, ``ci_low``, ``ci_high`` (``inf`` when the upper limit is not reached), ``note`` (Danish, None when
    all is well). The rules are those of :func:`km_median`, which is this function on one group."""
    from scipy.stats import norm

    c = _check_conf(conf)
    ngroups, kg, kt, sp, se = fit.ngroups, fit.group, fit.time, fit.surv, fit.se
    k_start, k_len = fit.start, fit.length
    pos = np.arange(kg.size) - k_start[kg]
    last = k_len - 1

    def first_where(mask):
        """Per group: position of the first element where mask holds, or -1."""
        res = np.full(ngroups, -1, dtype=np.int64)
        g, i = np.unique(kg[mask], return_index=True)
        res[g] = pos[mask][i]
        return res

    def last_where(mask):
        res = np.full(ngroups, -1, dtype=np.int64)
        m = np.flatnonzero(mask)[::-1]
        g, i = np.unique(kg[m], return_index=True)
        res[g] = pos[m][i]
        return res

    has = fit.events > 0
    median = np.full(ngroups, np.nan)
    below = first_where(sp < 0.5)
    ok = has & (below >= 0)
    median[ok] = kt[k_start[ok] + below[ok]]
    # Ŝ exactly 0.5 on a stretch: the midpoint to the next event time (R survival's rule)
    half = first_where(np.isclose(sp, 0.5, rtol=0.0, atol=1e-12))
    ok = has & (half >= 0) & (half + 1 < k_len)
    median[ok] = (kt[k_start[ok] + half[ok]] + kt[k_start[ok] + half[ok] + 1]) / 2.0
    surv_min = np.full(ngroups, np.nan)
    if kg.size:
        surv_min[k_len > 0] = np.minimum.reduceat(sp, k_start[k_len > 0])
    tr = norm.ppf(1 - (1.0 - c) / 2)
    with np.errstate(divide="ignore", invalid="ignore"):
        r = np.log(sp) - np.log(0.5)
        r /= ((1 / sp) * se)
        inside = np.abs(r) <= tr
    lo_i, hi_i = first_where(inside), last_where(inside)
    lo = np.full(ngroups, np.nan)
    hi = np.full(ngroups, np.nan)
    ok = has & (lo_i >= 0)
    lo[ok] = kt[k_start[ok] + lo_i[ok]]
    inf = ok & (hi_i == last)
    fin = ok & (hi_i < last)
    hi[inf] = np.inf
    hi[fin] = kt[k_start[fin] + hi_i[fin] + 1]
    notes = np.full(ngroups, None, dtype=object)
    for g in np.flatnonzero(~has | np.isnan(median) | np.isinf(hi) | np.isnan(lo)):
        if not has[g]:
            notes[g] = _NO_EVENTS
            continue
        parts = []
        if np.isnan(median[g]):
            parts.append(
                f"medianen er ikke nået: mindst halvdelen af sagerne var stadig åbne ved sidste observation "
                f"(t = {float(fit.tmax[g]):g}; laveste Ŝ = {float(surv_min[g]):.3f})")
        if np.isinf(hi[g]):
            parts.append("øvre konfidensgrænse ikke nået inden for opfølgningstiden (uendelig; R viser NA)")
        if np.isnan(lo[g]):
            parts.append("konfidensinterval kan ikke beregnes (for få afsluttede sager omkring 50 %)")
        notes[g] = "; ".join(parts) or None
    return {"median": median, "ci_low": lo, "ci_high": hi, "note": notes}


def _fit_one(t: np.ndarray, obs: np.ndarray) -> KMFit:
    return km_fit(np.zeros(t.size, dtype=np.int64), t, obs.astype(np.int64), ngroups=1)


def km_curve(durations, observed) -> tuple[np.ndarray, np.ndarray]:
    """The Kaplan–Meier curve of one group of cases: the event times and Ŝ at them (the share still open)."""
    t, obs = _prepare(durations, observed)
    return _fit_one(t, obs).curve(0)


def km_median(durations, observed, conf: float = 0.95) -> KMMedian:
    """Kaplan–Meier median processing time with right censoring, and its confidence interval.

    Parameters
    ----------
    durations : per-case durations (e.g. days), ≥ 0. For open cases: time from receipt to the extraction date.
    observed : per-case True (finished; the duration is the real processing time) or False (still open: censored).
    conf : confidence level, strictly between 0 and 1.

    Method (Kaplan & Meier 1958; Greenwood 1926; Brookmeyer & Crowley 1982):
    Ŝ(t) = Π_{tᵢ ≤ t} (1 - dᵢ/nᵢ), dᵢ finished at tᵢ, nᵢ still open just before tᵢ (cases censored at tᵢ count
    as at risk at tᵢ). The median is the first event time where Ŝ(t) < 0.5 (statsmodels ``quantile(0.5)``);
    if Ŝ equals 0.5 exactly on a stretch, we return the midpoint between that time and the next event time,
    as R ``survival`` does (for data without open cases this equals the ordinary sample median).
    The CI is the set of event times where |log Ŝ(t) - log 0.5| ≤ z·σ(t), σ² = Σ dᵢ/(nᵢ(nᵢ - dᵢ)) (Greenwood on the
    log scale) — statsmodels ``quantile_ci(0.5, method="log")``, equal to R ``survfit(conf.type="log")`` (default).

    Returns
    -------
    KMMedian(median, ci_low, ci_high, n, events, method, conf, note).
    * If Ŝ never drops below 0.5 (more than half the cases still open at the last observation) the median is NaN
      and ``note`` says so; ``ci_low`` may still be finite.
    * ``ci_high`` is ``inf`` (R prints NA) when the upper limit is not reached within the follow-up; ``note`` says so.

    Raises ValueError for empty input, different lengths, missing/negative durations, or observed not boolean.
    """
    c = _check_conf(conf)
    t, obs = _prepare(durations, observed)
    fit = _fit_one(t, obs)
    r = km_medians(fit, c)
    return KMMedian(float(r["median"][0]), float(r["ci_low"][0]), float(r["ci_high"][0]), int(t.size),
                    int(fit.events[0]), _METHOD_MEDIAN, c, r["note"][0])


def share_within(durations, observed, target, conf: float = 0.95) -> ShareWithin:
    """Share of cases finished within ``target`` (duration ≤ target), estimated with Kaplan–Meier.

    share = 1 - Ŝ(target), where Ŝ is the Kaplan–Meier curve (:func:`km_fit`), so open cases count
    correctly (a case open for 20 days is known not to have finished within 10 days, and is uninformative about 30).

    CI: pointwise Greenwood interval for Ŝ(target) on the log scale (R ``survfit`` default ``conf.type="log"``,
    i.e. ``summary(fit, times = target)``): with σ = SE(Ŝ)/Ŝ (Greenwood, Σ dᵢ/(nᵢ(nᵢ - dᵢ)) under the root),
    Ŝ·exp(∓z·σ), the upper limit capped at 1; then share limits = 1 - (those limits).
    (statsmodels has no pointwise CI for Ŝ, only simultaneous bands.)

    Edge cases (all with ``note``):
    * target before the first finished case → share 0 with CI (0, 0), as R (no variance information);
    * target after the last observation while cases remain open → NaN (the curve is not defined there);
    * Ŝ(target) = 0 (every case finished by target) → share 1 with CI (1, 1).
    """
    c = _check_conf(conf)
    t, obs = _prepare(durations, observed)
    try:
        tg = float(target)
    except (TypeError, ValueError):
        raise ValueError(f"target must be a number (same unit as durations), got {target!r}") from None
    if not np.isfinite(tg) or tg < 0:
        raise ValueError(f"target must be a finite number ≥ 0, got {target!r}")
    n, events = int(t.size), int(obs.sum())
    method = "1 - Kaplan-Meier S(target); Greenwood SE, log-transformed CI (as R survfit conf.type='log')"
    if events == 0:
        if tg <= t.max():
            return ShareWithin(0.0, 0.0, 0.0, n, 0, tg, method, c,
                               "ingen afsluttede sager: andelen er 0 uden usikkerhedsinformation")
        return ShareWithin(np.nan, np.nan, np.nan, n, 0, tg, method, c,
                           "målet ligger efter sidste observation, og alle sager er åbne")
    fit = _fit_one(t, obs)
    times, surv, se = fit.time, fit.surv, fit.se
    k = int(np.searchsorted(times, tg, side="right")) - 1  # last event time ≤ target
    if k < 0:
        return ShareWithin(0.0, 0.0, 0.0, n, events, tg, method, c,
                           "målet ligger før første afsluttede sag: andel 0, uden usikkerhedsinformation")
    s, s_se = surv[k], se[k]
    if tg > t.max() and s > 0:
        return ShareWithin(np.nan, np.nan, np.nan, n, events, tg, method, c,
                           f"målet ({tg:g}) ligger efter sidste observation ({float(t.max()):g}) mens sager stadig "
                           f"er åbne: Kaplan-Meier-kurven er ikke defineret der")
    if s <= 0:
        return ShareWithin(1.0, 1.0, 1.0, n, events, tg, method, c,
                           "alle sager afsluttet inden målet: andel 1 uden usikkerhedsinformation")
    z = _z(c)
    sigma = s_se / s
    s_low = s * np.exp(-z * sigma)
    s_high = min(1.0, s * np.exp(z * sigma))
    return ShareWithin(float(1.0 - s), float(1.0 - s_high), float(1.0 - s_low), n, events, tg, method, c, None)
