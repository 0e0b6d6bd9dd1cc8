"""Processing time with open cases (right censoring): Kaplan–Meier median and share finished within a target.

A case that is still open on the extraction date is *censored*: we know it has taken at least ``duration`` so far,
not how long it will take. Leaving such cases out (or counting their current age as the processing time) makes the
processing time look shorter than it is; Kaplan–Meier uses them correctly.

Both functions use ``statsmodels.duration.survfunc.SurvfuncRight`` for the product-limit estimate and Greenwood
standard errors. Confidence intervals use the **log transform**, which is R ``survival::survfit``'s default
(``conf.type = "log"``); statsmodels' own default for ``quantile_ci`` is "cloglog" (the SAS default), which gives
different limits, so we pass ``method="log"`` explicitly.
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
from statsmodels.duration.survfunc import SurvfuncRight

from .intervals import _check_conf, _z

__all__ = ["KMMedian", "ShareWithin", "km_median", "share_within"]


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
    n_nan = int(np.isnan(t).sum())
    if n_nan:
        raise ValueError(f"durations contains {n_nan} missing value(s); remove those cases or fill them in first")
    if np.isinf(t).any():
        raise ValueError("durations must be finite")
    if (t < 0).any():
        raise ValueError(f"durations must be non-negative, got {float(t[t < 0][0]):g}")
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


def _fit(t, obs) -> SurvfuncRight:
    return SurvfuncRight(t, obs.astype(np.float64))


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
    n, events = int(t.size), int(obs.sum())
    method = "Kaplan-Meier median; CI: Brookmeyer-Crowley with Greenwood SE on log scale (as R survfit conf.type='log')"
    if events == 0:
        return KMMedian(np.nan, np.nan, np.nan, n, 0, method, c,
                        "ingen afsluttede sager: medianen kan ikke beregnes (alle sager er stadig åbne)")
    sf = _fit(t, obs)
    times, surv = np.asarray(sf.surv_times, dtype=float), np.asarray(sf.surv_prob, dtype=float)
    notes = []
    median = float(sf.quantile(0.5))
    at_half = np.flatnonzero(np.isclose(surv, 0.5, rtol=0.0, atol=1e-12))
    if at_half.size and at_half[0] + 1 < times.size:
        i = at_half[0]
        median = float((times[i] + times[i + 1]) / 2.0)
    if np.isnan(median):
        notes.append(
            f"medianen er ikke nået: mindst halvdelen af sagerne var stadig åbne ved sidste observation "
            f"(t = {float(t.max()):g}; laveste Ŝ = {float(surv.min()):.3f})")
    with warnings.catch_warnings(), np.errstate(divide="ignore", invalid="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)
        lo, hi = sf.quantile_ci(0.5, alpha=1.0 - c, method="log")
    lo, hi = float(lo), float(hi)
    if np.isinf(hi):
        notes.append("øvre konfidensgrænse ikke nået inden for opfølgningstiden (uendelig; R viser NA)")
    if np.isnan(lo):
        notes.append("konfidensinterval kan ikke beregnes (for få afsluttede sager omkring 50 %)")
    return KMMedian(median, lo, hi, n, events, method, c, "; ".join(notes) or None)


def share_within(durations, observed, target, conf: float = 0.95) -> ShareWithin:
    """Share of cases finished within ``target`` (duration ≤ target), estimated with Kaplan–Meier.

    share = 1 - Ŝ(target), where Ŝ is the Kaplan–Meier curve (statsmodels ``SurvfuncRight``), so open cases count
    correctly (a case open for 20 days is known not to have finished within 10 days, and is uninformative about 30).

    CI: pointwise Greenwood interval for Ŝ(target) on the log scale (R ``survfit`` default ``conf.type="log"``,
    i.e. ``summary(fit, times = target)``): with σ = SE(Ŝ)/Ŝ (Greenwood, Σ dᵢ/(nᵢ(nᵢ - dᵢ)) under the root),
    Ŝ·exp(∓z·σ), the upper limit capped at 1; then share limits = 1 - (those limits).
    Hand-written on top of statsmodels' Ŝ and Greenwood SE, because statsmodels has no pointwise CI for Ŝ
    (only simultaneous bands).

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
    sf = _fit(t, obs)
    times = np.asarray(sf.surv_times, dtype=float)
    surv = np.asarray(sf.surv_prob, dtype=float)
    se = np.asarray(sf.surv_prob_se, dtype=float)
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
