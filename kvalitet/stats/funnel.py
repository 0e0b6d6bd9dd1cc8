"""Funnel plots: control limits around a target by unit size, and outliers with over-dispersion (Spiegelhalter).

A funnel plot shows each unit's indicator (a proportion, a rate or a standardised ratio) against its size, with
limits that narrow as the size grows. Limits are at 95 % (about 2 sigma) and 99.8 % (about 3 sigma).

Methods and validation (see docs/statistik.md and tests/stats/test_funnel.py)
--------------------------------------------------------------------------
* proportion: ``target ± z·sqrt(target(1-target)/n)``, clipped to [0, 1]. This is exactly PHEindicatormethods'
  "inverse Wilson score" limits (``sigma_adjustment``): the Wilson interval of an observed p contains the target
  iff ``|p - target| <= z·sqrt(target(1-target)/n)``. Validated against PHE ``testdata_funnel_prop_*``.
* ratio (indirectly standardised ratio O/E; ``kind="sr"`` is an alias): exact Poisson limits.
  ``method="chisq"`` (default) as FunnelPlotR: ``qchisq(α/2, 2E)/(2E)`` and ``qchisq(1-α/2, 2(E+1))/(2E)``;
  ``method="inverse"`` as PHEindicatormethods ``poisson_funnel``: the count O (continuous) at which the exact
  one-sided Poisson tail probability at mean E equals α/2. Both validated against their packages' tests.
* rate (events per unit of exposure): the ratio limits with ``E = target·n``, divided by ``n``; default
  ``method="inverse"`` as PHE's crude-rate funnels (validated against PHE ``testdata_funnel_rate_outputs_3``).
* over-dispersion (Spiegelhalter 2005, *Qual Saf Health Care* 14:347-351, and *Stat Med* 24:1185-1202;
  FunnelPlotR ``od_adjustment.R``):
  z-scores on a variance-stabilised scale, 10 % Winsorised, ``φ = mean(z_w²)``,
  ``τ² = max(0, (Nφ - (N-1)) / (Σw - Σw²/Σw))`` with ``w = 1/s²``; multiplicative limits use ``s·sqrt(φ)``,
  additive (random-effects) limits use ``sqrt(s² + τ²)``. With φ ≤ 1 no adjustment is made.
  Rate/ratio limits are back-transformed to the ratio scale, ``θ·(1 ± z·sqrt(s² + τ²))²`` for the square-root
  scale. (FunnelPlotR's CQC option omits the squaring, which makes its adjusted limits too narrow; its SHMI
  option, ``θ·exp(±z·sqrt(1/E + τ²))``, is reproduced exactly with ``z_method="log"``.) The unadjusted
  rate/ratio limits are exact Poisson, the adjusted ones are normal approximations on the transformed scale.

SciPy provides the distributions (``chdtri``/``chdtriv`` for the chi-square quantile in x and in the degrees of
freedom); the funnel formulas themselves are in no maintained Python library, so they are written out here.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.special import chdtri, chdtriv
from scipy.stats import norm

from . import checks

__all__ = ["funnel_limits", "funnel_outliers", "level_suffix"]

_KINDS = {"proportion": "proportion", "rate": "rate", "ratio": "ratio", "sr": "ratio"}
_METHODS = ("chisq", "inverse")


def level_suffix(level: float) -> str:
    """Column suffix for a limit level: 0.95 -> ``"95"``, 0.998 -> ``"99_8"``."""
    return f"{level * 100:.10g}".replace(".", "_")


def _kind(kind) -> str:
    return _KINDS[checks.one_of("kind", kind, tuple(_KINDS), ignore_case=True)]


def _levels(levels) -> tuple[float, ...]:
    a = np.atleast_1d(checks.numbers("levels", levels))
    if a.size == 0:
        checks.fail("levels", "must be at least one number in (0, 1), e.g. (0.95, 0.998)", "none")
    checks.within("levels", a, 0, 1, closed="neither")
    return tuple(float(x) for x in a)


def _method(method, kind: str) -> str:
    if method is None:
        return "inverse" if kind == "rate" else "chisq"
    return checks.one_of("method", method, _METHODS)


def _overdispersion(od):
    if od is None or od is False:
        return None
    return checks.one_of("overdispersion", od, (None, "multiplicative", "additive"))


def _z_method(z_method, kind: str) -> str:
    if z_method is None:
        return "normal" if kind == "proportion" else "sqrt"
    allowed = ("normal",) if kind == "proportion" else ("sqrt", "log")
    return checks.one_of("z_method", z_method, allowed, context=f" for kind {kind!r}")


def _arr(x, name: str) -> np.ndarray:
    a = np.atleast_1d(checks.numbers(name, x))
    if a.ndim != 1:
        checks.fail(name, "must be one-dimensional", f"shape {a.shape}")
    return checks.finite(name, checks.non_negative(name, a))


def _poisson_count_limits(mu: np.ndarray, alpha2: float, method: str) -> tuple[np.ndarray, np.ndarray]:
    """Lower and upper exact Poisson limits, on the count scale, for a count with mean ``mu``.

    ``chisq`` (FunnelPlotR ``calculate_limits``): ``qchisq(α/2, 2μ)/2`` and ``qchisq(1-α/2, 2(μ+1))/2``
    (the exact Garwood interval evaluated at the expected count).

    ``inverse`` (PHEindicatormethods ``poisson_funnel``, found there by bisection): the continuous count O with
    ``P(X <= O | μ) = α/2`` (lower) and ``P(X >= O | μ) = α/2`` (upper), using the gamma form of the Poisson
    distribution function, ``P(X <= O) = Q(O+1, μ)`` and ``P(X >= O) = P(O, μ)``. Solved in closed form with
    SciPy's inverse chi-square distribution in its degrees of freedom (``chdtriv``). The lower limit is floored at 0.
    """
    with np.errstate(invalid="ignore", divide="ignore"):
        if method == "chisq":
            lo = np.where(mu > 0, chdtri(2 * mu, 1 - alpha2) / 2, 0.0)  # chdtri(v, p) = upper-tail quantile
            hi = chdtri(2 * (mu + 1), alpha2) / 2
        else:
            lo = np.where(mu > 0, chdtriv(1 - alpha2, 2 * mu) / 2 - 1, 0.0)
            hi = np.where(mu > 0, chdtriv(alpha2, 2 * mu) / 2, np.nan)
            lo = np.maximum(lo, 0.0)
    return lo, hi


def _check_target(target, kind: str) -> float:
    if kind == "proportion":
        return checks.in_interval("target", target, 0, 1, closed="both")
    return checks.above("target", target, 0)


def _limits_core(n, t, kind, levels, od, phi, tau2, method, z_method):
    """Return dict suffix -> (lower, upper) of limits on the indicator scale (per unit, not multiplied)."""
    out = {}
    n = np.asarray(n, dtype=float)
    pos = n > 0
    adjust = od is not None and ((od == "multiplicative" and phi > 1) or (od == "additive" and tau2 > 0))
    with np.errstate(divide="ignore", invalid="ignore"):
        for lev in levels:
            alpha2 = (1 - lev) / 2
            z = norm.ppf(1 - alpha2)
            if kind == "proportion":
                s2 = np.where(pos, t * (1 - t) / n, np.nan)
                if adjust:
                    s2 = s2 * phi if od == "multiplicative" else s2 + tau2
                half = z * np.sqrt(s2)
                lo, hi = np.clip(t - half, 0, 1), np.clip(t + half, 0, 1)
            else:
                # mu: expected count under the target (rate: n is exposure; ratio: n is E, expected at ratio 1)
                mu = n * t
                if not adjust:
                    clo, chi = _poisson_count_limits(mu, alpha2, method)
                    ratio_lo, ratio_hi = clo / mu, chi / mu  # O/μ at the limits
                elif z_method == "log":
                    s2 = np.where(pos, 1 / mu, np.nan)
                    s2 = s2 * phi if od == "multiplicative" else s2 + tau2
                    ratio_lo, ratio_hi = np.exp(-z * np.sqrt(s2)), np.exp(z * np.sqrt(s2))
                else:  # sqrt scale: Y = sqrt(O/μ), target 1, s = 1/(2 sqrt(μ))
                    s2 = np.where(pos, 1 / (4 * mu), np.nan)
                    s2 = s2 * phi if od == "multiplicative" else s2 + tau2
                    ratio_lo = np.maximum(1 - z * np.sqrt(s2), 0) ** 2
                    ratio_hi = (1 + z * np.sqrt(s2)) ** 2
                lo = np.where(pos, ratio_lo * t, np.nan)
                hi = np.where(pos, ratio_hi * t, np.nan)
            out[level_suffix(lev)] = (lo, hi)
    return out


def funnel_limits(
    denominators,
    target,
    kind: str = "proportion",
    levels=(0.95, 0.998),
    overdispersion=None,
    tau2=None,
    phi=None,
    *,
    method=None,
    z_method=None,
    multiplier: float = 1,
) -> pd.DataFrame:
    """Funnel-plot limits at each denominator.

    Parameters
    ----------
    denominators : array-like
        Unit sizes: number of cases (proportion), exposure such as person-years or case count (rate) or expected
        count E (ratio/sr). Pass e.g. ``np.geomspace(10, 10_000, 100)`` to draw smooth funnel curves.
    target : float
        Centre line per unit: a proportion in [0, 1], a rate per unit of the denominator, or a ratio (1 for an
        indirectly standardised ratio). Usually the pooled value ``Σnumerators/Σdenominators``.
    kind : {"proportion", "rate", "ratio", "sr"}
    levels : tuple of float
        Two-sided coverage of each pair of limits; default 95 % and 99.8 %.
    overdispersion : {None, "multiplicative", "additive"}
        Widen the limits by ``sqrt(phi)`` (multiplicative) or add the between-unit variance ``tau2`` (additive,
        random effects), both on the z-score scale of :func:`funnel_outliers`. ``phi``/``tau2`` must then be given
        (estimate them with :func:`funnel_outliers`). No adjustment when phi <= 1 or tau2 == 0.
    method : {"chisq", "inverse"}, optional
        Unadjusted Poisson limits for rate/ratio: FunnelPlotR (``chisq``, default for ratio) or
        PHEindicatormethods (``inverse``, default for rate); see the module docstring.
    z_method : {"sqrt", "log"}, optional
        Scale of the over-dispersion adjustment for rate/ratio: square root (Spiegelhalter 2005, CQC; default)
        or log (SHMI). Proportions always use the normal scale.
    multiplier : float
        Scale of the reported limits, e.g. 100 for percent or 100_000 for a rate per 100,000.
        ``target`` stays per unit.

    Returns
    -------
    pandas.DataFrame with ``denominator``, ``target`` and, per level, ``lower_<L>`` and ``upper_<L>`` where
    ``<L>`` is the level in percent with ``_`` for the decimal point: ``lower_95``, ``upper_95``,
    ``lower_99_8``, ``upper_99_8``. Rows with a zero denominator have NaN limits.
    """
    kind = _kind(kind)
    levels = _levels(levels)
    od = _overdispersion(overdispersion)
    method = _method(method, kind)
    z_method = _z_method(z_method, kind)
    n = _arr(denominators, "denominators")
    t = _check_target(target, kind)
    if od == "multiplicative":
        phi = checks.above("phi", phi, 0)
    if od == "additive":
        tau2 = checks.in_interval("tau2", tau2, 0, np.inf, closed="left")
    lims = _limits_core(n, t, kind, levels, od, phi, tau2, method, z_method)
    cols = {"denominator": n, "target": np.full(n.size, t * multiplier)}
    for suf, (lo, hi) in lims.items():
        cols[f"lower_{suf}"] = lo * multiplier
        cols[f"upper_{suf}"] = hi * multiplier
    return pd.DataFrame(cols)


def _winsorise(z: np.ndarray, trim: float) -> np.ndarray:
    """Winsorise at the ``trim`` and ``1 - trim`` quantiles (R quantile type 7 = NumPy's default), as FunnelPlotR."""
    if trim <= 0:
        return z
    lo, hi = np.quantile(z, [trim, 1 - trim])
    return np.clip(z, lo, hi)


def _truncate(z: np.ndarray, trim: float) -> np.ndarray:
    """SHMI truncation (FunnelPlotR ``truncation``): drop z-scores in the outer ``trim`` groups by rank."""
    if trim <= 0:
        return z
    from scipy.stats import rankdata

    k = 1 / trim
    sp = np.floor(rankdata(z, method="average") * k / (z.size + 1))
    return z[(sp > 0) & (sp < k - 1)]


def funnel_outliers(
    numerators,
    denominators,
    target=None,
    kind: str = "proportion",
    overdispersion=None,
    winsorise: float = 0.1,
    *,
    levels=(0.95, 0.998),
    method=None,
    z_method=None,
    multiplier: float = 1,
) -> pd.DataFrame:
    """Funnel-plot outliers per unit, with Spiegelhalter's (2005) over-dispersion estimate.

    Parameters
    ----------
    numerators, denominators : array-like
        Events and unit sizes: cases/trials (proportion), events/exposure (rate), observed O/expected E (ratio).
    target : float, optional
        Centre line per unit. Default: pooled ``Σnumerators/Σdenominators`` for proportion and rate; 1 for ratio.
    overdispersion : {None, "multiplicative", "additive"}
        Flag against unadjusted limits (None), limits widened by ``sqrt(phi)`` or random-effects limits with
        ``tau2``. ``phi`` and ``tau2`` are always estimated and reported.
    winsorise : float
        Fraction Winsorised in each tail before estimating phi (default 10 %). With ``z_method="log"`` (SHMI) the
        tails are truncated instead, as NHS Digital's SHMI and FunnelPlotR do.
    levels, method, z_method, multiplier : see :func:`funnel_limits`.

    z-scores (unadjusted, on a variance-stabilised scale)
    ----------------------------------------------------
    * proportion: ``z = (p - t)/sqrt(t(1-t)/n)`` (normal scale, consistent with the proportion limits);
    * rate and ratio, ``z_method="sqrt"`` (default; Spiegelhalter 2005, FunnelPlotR CQC):
      ``z = 2(sqrt(O) - sqrt(μ))`` with μ the expected count under the target, ``s = 1/(2 sqrt(μ))`` on the
      scale ``sqrt(O/μ)``;
    * ``z_method="log"`` (SHMI): ``z = sqrt(μ)·log(O/μ)``, ``s = 1/sqrt(μ)``.

    Then ``φ = mean(z_w²)`` over the Winsorised z-scores and
    ``τ² = max(0, (Nφ - (N-1)) / (Σw - Σw²/Σw))``, ``w = 1/s²``. ``z_adjusted`` is ``z/sqrt(φ)``
    (multiplicative) or ``(Y - θ)/sqrt(s² + τ²)`` (additive), or ``z`` when not adjusting.

    Returns
    -------
    pandas.DataFrame, one row per unit: ``numerator``, ``denominator``, ``value`` (indicator × multiplier),
    ``target``, ``z``, ``z_adjusted``, ``phi``, ``tau2``, limits as :func:`funnel_limits`, and per level boolean
    ``over_<L>``/``under_<L>`` (value strictly beyond the limit; a value on the limit is not an outlier) plus a
    ``flag`` column: ``"high_99_8"``, ``"high_95"``, ``"low_95"``, ``"low_99_8"`` or ``"none"`` (the most extreme
    level reached). Units with a zero denominator get NaN and are left out of phi and tau2.
    """
    kind = _kind(kind)
    levels = _levels(levels)
    od = _overdispersion(overdispersion)
    method = _method(method, kind)
    z_method = _z_method(z_method, kind)
    checks.in_interval("winsorise", winsorise, 0, 0.5, closed="left")
    y = _arr(numerators, "numerators")
    n = _arr(denominators, "denominators")
    checks.same_length(numerators=y, denominators=n)
    if kind == "proportion":
        checks.not_above("numerators", y, "denominators", n)
    valid = (n > 0) & ~np.isnan(y) & ~np.isnan(n)
    if np.count_nonzero(valid) < 2:
        checks.fail("denominators", "need at least 2 units with a positive denominator and a numerator",
                    int(np.count_nonzero(valid)))
    if target is None:
        t = 1.0 if kind == "ratio" else float(y[valid].sum() / n[valid].sum())
    t = _check_target(target if target is not None else t, kind)

    with np.errstate(divide="ignore", invalid="ignore"):
        if kind == "proportion":
            value = np.where(valid, y / n, np.nan)
            s = np.sqrt(t * (1 - t) / n)
            yt, theta = value, t
        else:
            mu = n * t
            value = np.where(valid, y / n, np.nan)  # rate per unit, or O/E
            if z_method == "sqrt":
                yt, theta, s = np.sqrt(y / mu), 1.0, 1 / (2 * np.sqrt(mu))
            else:
                yt, theta, s = np.log(y / mu), 0.0, 1 / np.sqrt(mu)
        z = np.where(valid, (yt - theta) / s, np.nan)

    zv = z[valid]
    zv = zv[np.isfinite(zv)]
    if zv.size == 0:
        phi = np.nan
    else:
        kept = _truncate(zv, winsorise) if z_method == "log" else _winsorise(zv, winsorise)
        phi = float(np.mean(kept**2)) if kept.size else np.nan
    w = 1 / s[valid] ** 2
    w = w[np.isfinite(w)]
    big_n = w.size
    if np.isnan(phi) or big_n < 2:
        tau2 = 0.0
    else:
        denom = w.sum() - (w**2).sum() / w.sum()
        tau2 = float(max(0.0, (big_n * phi - (big_n - 1)) / denom)) if denom > 0 else 0.0

    with np.errstate(divide="ignore", invalid="ignore"):
        if od == "multiplicative" and phi > 1:
            z_adj = z / np.sqrt(phi)
        elif od == "additive" and tau2 > 0:
            z_adj = np.where(valid, (yt - theta) / np.sqrt(s**2 + tau2), np.nan)
        else:
            z_adj = z

    lims = _limits_core(n, t, kind, levels, od, phi, tau2, method, z_method)
    cols = {
        "numerator": y,
        "denominator": n,
        "value": value * multiplier,
        "target": np.full(n.size, t * multiplier),
        "z": z,
        "z_adjusted": z_adj,
        "phi": np.full(n.size, phi),
        "tau2": np.full(n.size, tau2),
    }
    flag = np.full(n.size, "none", dtype=object)
    # order levels from lowest to highest so the most extreme reached wins
    for lev in sorted(levels):
        suf = level_suffix(lev)
        lo, hi = lims[suf]
        cols[f"lower_{suf}"] = lo * multiplier
        cols[f"upper_{suf}"] = hi * multiplier
    for lev in sorted(levels):
        suf = level_suffix(lev)
        lo, hi = lims[suf]
        over = valid & (value > hi)
        under = valid & (value < lo)
        cols[f"over_{suf}"] = over
        cols[f"under_{suf}"] = under
        flag[over] = f"high_{suf}"
        flag[under] = f"low_{suf}"
    cols["flag"] = flag
    return pd.DataFrame(cols)
