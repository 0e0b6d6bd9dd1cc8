"""Statistical process control: run charts with Anhøj rules and Shewhart p/u/c/i charts (with Laney p′/u′).

Everything here follows qicharts2 (J. Anhøj, R package v0.8.1, ``R/helper.functions.R``) and is validated
against its reference output (``tests/stats/refs/qicharts2``, ``tests/stats/refs/powerbi_spc_golden``).
No maintained Python library implements the Anhøj rules or Laney's charts, so the formulas are written out
here; each function's docstring gives the formula and its source.

Public functions
----------------
``anhoej_rules(values, center=None)``
    Runs analysis (unusually long runs, unusually few crossings) -> :class:`AnhoejResult`.
``control_limits(kind, numerators, denominators=None, laney=False, freeze=None, multiplier=3)``
    Centre line and control limits per point for ``kind`` in ``run``, ``p``, ``u``, ``c``, ``i`` ->
    :class:`ControlChart` (``points``: one row per point; ``anhoej``: the :class:`AnhoejResult`).
Small pure helpers, one per rule: :func:`longest_run`, :func:`n_crossings`, :func:`longest_run_limit`,
:func:`crossings_limit`, :func:`useful_signs`.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd
from scipy.stats import binom

from . import checks

__all__ = [
    "AnhoejResult",
    "ControlChart",
    "anhoej_rules",
    "control_limits",
    "crossings_limit",
    "longest_run",
    "longest_run_limit",
    "n_crossings",
    "useful_signs",
]

#: d2 for moving ranges of two consecutive points (Montgomery), rounded as in qicharts2.
D2 = 1.128
#: D4 for moving ranges of two (upper limit of an MR chart), used to screen large moving ranges (Nelson 1982).
D4 = 3.267

KINDS = ("run", "p", "u", "c", "i")


# --------------------------------------------------------------------------------------------------------------
# Anhøj rules
# --------------------------------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class AnhoejResult:
    """Result of the Anhøj runs analysis (field names as in qicharts2, with ``_`` for ``.``).

    ``longest_run_max`` and ``crossings_min`` are ``None`` when no point is useful (all on the centre line or
    missing), as qicharts2 returns NA; the signals are then ``False``.
    """

    n_useful: int
    longest_run: int
    longest_run_max: int | None
    crossings: int
    crossings_min: int | None
    runs_signal: bool
    crossings_signal: bool
    signal: bool
    center: float


@dataclass(frozen=True, slots=True)
class ControlChart:
    """Result of :func:`control_limits`: the points of the chart and the Anhøj runs analysis of the series.

    ``points`` has one row per point (see :func:`control_limits`); ``anhoej`` is the :class:`AnhoejResult`
    against the centre line. The Anhøj result is a field here, not ``DataFrame.attrs``, which pandas drops
    on many operations (copy, concat, merge).
    """

    kind: str
    points: pd.DataFrame
    anhoej: AnhoejResult


def useful_signs(values, center) -> np.ndarray:
    """Signs of ``values - center`` (+1/-1) with points on the centre line and missing values removed.

    This is the sequence both Anhøj rules are computed on (qicharts2 ``runs.analysis``:
    ``runs <- sign(y - cl); runs <- runs[runs != 0 & !is.na(runs)]``).
    """
    y = np.asarray(values, dtype=float)
    s = np.sign(y - np.asarray(center, dtype=float))
    return s[(s != 0) & ~np.isnan(s)]


def _run_lengths(signs: np.ndarray) -> np.ndarray:
    if signs.size == 0:
        return np.zeros(0, dtype=int)
    breaks = np.flatnonzero(signs[1:] != signs[:-1]) + 1
    edges = np.concatenate(([0], breaks, [signs.size]))
    return np.diff(edges)


def longest_run(values, center) -> int:
    """Length of the longest run: consecutive useful points on the same side of ``center``.

    Points exactly on the centre line are skipped (they neither break nor extend a run); missing values are
    dropped. Returns 0 when there are no useful points.
    """
    lengths = _run_lengths(useful_signs(values, center))
    return int(lengths.max()) if lengths.size else 0


def n_crossings(values, center) -> int:
    """Number of times the series crosses ``center`` = (number of runs) - 1, ignoring points on the line."""
    s = useful_signs(values, center)
    return int(np.count_nonzero(s[1:] != s[:-1])) if s.size else 0


def longest_run_limit(n_useful: int) -> int:
    """Upper limit for the longest run: ``round(log2(n_useful) + 3)`` (Schilling 2012; Anhøj & Olesen 2014).

    A signal is a longest run *greater than* this limit. Rounding is half-to-even as in R.
    """
    n = checks.whole_number("n_useful", n_useful, 1)
    return int(np.round(np.log2(n) + 3))


@lru_cache(maxsize=4096)
def crossings_limit(n_useful: int) -> int:
    """Lower limit for the number of crossings: ``qbinom(0.05, n_useful - 1, 0.5)`` (Chen 2010; Anhøj 2014).

    The 5th percentile of Binomial(n_useful - 1, 1/2); a signal is *fewer* crossings than this limit.
    Cached, since the same n recurs across many series.
    """
    n = checks.whole_number("n_useful", n_useful, 1)
    return int(binom.ppf(0.05, n - 1, 0.5))


def anhoej_rules(values, center=None) -> AnhoejResult:
    """Anhøj rules for non-random variation in a run chart (Anhøj & Olesen 2014, as qicharts2 ``runs.analysis``).

    Parameters
    ----------
    values : array-like of float
        The series in time order. Missing values (NaN) are dropped.
    center : float or array-like, optional
        Centre line; default the median of the non-missing values. May be an array (one value per point),
        as with a frozen/baseline centre line.

    Method
    ------
    Points exactly on the centre line are ignored; ``n_useful`` is the number of remaining points.

    * Runs rule: signal if ``longest_run > round(log2(n_useful) + 3)``.
    * Crossings rule: signal if ``crossings < qbinom(0.05, n_useful - 1, 0.5)``.

    ``signal`` is True if either rule signals. With no useful points there is no signal.
    """
    y = checks.vector("values", values, scalar=False)
    if center is None:
        finite = y[~np.isnan(y)]
        if finite.size == 0:
            checks.fail("values", "need at least 1 non-missing value for the median", 0)
        center = float(np.median(finite))
    s = useful_signs(y, center)
    n = int(s.size)
    c = float(np.nanmedian(center)) if np.ndim(center) else float(center)
    if n == 0:
        return AnhoejResult(0, 0, None, 0, None, False, False, False, c)
    lengths = _run_lengths(s)
    lr = int(lengths.max())
    cr = int(lengths.size - 1)
    lr_max = longest_run_limit(n)
    cr_min = crossings_limit(n)
    runs_sig = lr > lr_max
    cross_sig = cr < cr_min
    return AnhoejResult(n, lr, lr_max, cr, cr_min, bool(runs_sig), bool(cross_sig), bool(runs_sig or cross_sig), c)


# --------------------------------------------------------------------------------------------------------------
# Control limits
# --------------------------------------------------------------------------------------------------------------
def _mean_moving_range(x: np.ndarray, screen: bool) -> float:
    """Mean moving range |x[i] - x[i-1]| over consecutive points; pairs with a missing value are skipped.

    With ``screen`` moving ranges >= 3.267 * mean are dropped and the mean recomputed once (Nelson 1982;
    qicharts2 with ``options(qic.screenedmr = TRUE)``; NHS "Making Data Count"). If screening removes every
    moving range the unscreened mean is kept.
    """
    mr = np.abs(np.diff(x))
    mr = mr[~np.isnan(mr)]
    if mr.size == 0:
        return np.nan
    amr = mr.mean()
    if screen:
        kept = mr[mr < D4 * amr]
        if kept.size:
            amr = kept.mean()
    return float(amr)


def control_limits(
    kind: str,
    numerators,
    denominators=None,
    laney: bool = False,
    freeze: int | None = None,
    multiplier: float = 3,
    screen_mr: bool = False,
) -> ControlChart:
    """Centre line and Shewhart control limits per point, as qicharts2 ``qic()`` (v0.8.1).

    Parameters
    ----------
    kind : {"run", "p", "u", "c", "i"}
        ``run``: run chart (median centre, no limits). ``p``: proportions ``numerators/denominators``.
        ``u``: rates per unit ``numerators/denominators``. ``c``: counts. ``i``: individuals (XmR) chart of
        ``numerators`` (or of ``numerators/denominators`` if denominators are given).
    numerators, denominators : array-like
        Counts (p, u, c) or measurements (i, run). Denominators are required for p and u.
    laney : bool
        Laney p′/u′ chart (only for p and u): widen the limits by the between-point variation.
    freeze : int, optional
        Centre line and sigma are computed from the first ``freeze`` points only (the baseline) and extended
        to the rest of the series (qicharts2 ``freeze``).
    multiplier : float
        Number of sigmas for the limits (3 = Shewhart's 3-sigma limits).
    screen_mr : bool
        i chart and Laney only: drop moving ranges >= 3.267 * mean before averaging (Nelson 1982). Off by
        default as in qicharts2 0.8.1; the NHS "Making Data Count" method has it on.

    Formulas (Montgomery, *Introduction to SPC*; Provost & Murray 2011; qicharts2 ``qic.*``)
    ---------------------------------------------------------------------------------------
    With baseline B (all points, or the first ``freeze``) and ``k = multiplier``:

    * p: ``CL = Σy_B / Σn_B``, ``σ_i = sqrt(CL(1-CL)/n_i)``; LCL floored at 0, UCL capped at 1.
    * u: ``CL = Σy_B / Σn_B``, ``σ_i = sqrt(CL/n_i)``; LCL floored at 0.
    * c: ``CL = mean(y_B)``, ``σ = sqrt(CL)``; LCL floored at 0.
    * i: ``CL = mean(x_B)``, ``σ = mean(|x_j - x_{j-1}|)/1.128`` over consecutive baseline points
      (moving ranges next to a missing point are skipped). The LCL is not floored.
    * Laney p′/u′ (Laney 2002): ``z_i = (x_i - CL)/σ_i`` on the baseline, ``σ_z = mean(|z_j - z_{j-1}|)/1.128``,
      limits ``CL ± k·σ_i·σ_z``. With very large denominators the p/u limits become too narrow (almost every
      point outside), because real processes vary more than binomial/Poisson sampling; σ_z rescales them.
    * run: ``CL = median(x_B)``; no limits.

    Missing values: a point with a missing numerator (or a zero/missing denominator) gets ``value`` NaN and is
    left out of the centre line and sigma; its limits are still given where its denominator is known and > 0
    (p, u) or always (c, i). Points with a zero denominator get NaN limits.

    Returns
    -------
    :class:`ControlChart` with ``kind``, ``anhoej`` (the :class:`AnhoejResult` from :func:`anhoej_rules`
    against the centre line) and ``points``, a pandas.DataFrame with one row per point: ``value``, ``center``,
    ``lcl``, ``ucl``, ``sigma_signal`` (point strictly outside the limits), ``runs_signal``,
    ``crossings_signal`` and ``anhoej_signal`` (whole-series Anhøj flags from :func:`anhoej_rules` against the
    centre line, repeated on every row) and ``baseline`` (point used for the centre line).
    """
    kind = checks.one_of("kind", kind, KINDS, ignore_case=True)
    y = checks.vector("numerators", numerators, scalar=False)
    n_pts = y.size
    if n_pts == 0:
        checks.fail("numerators", "need at least 1 point", 0)
    checks.above("multiplier", multiplier, 0)
    if laney and kind not in ("p", "u"):
        checks.fail("laney", "must be False unless kind is 'p' or 'u'", f"True with kind {kind!r}")

    if denominators is None:
        if kind in ("p", "u"):
            checks.fail("denominators", f"must be given for kind {kind!r}", "None")
        n = None
    else:
        if kind == "c":
            checks.fail("denominators", "must be None for kind 'c' (use kind 'u' for counts per denominator)",
                        "an array")
        n = checks.vector("denominators", denominators, scalar=False)
        checks.same_length(numerators=y, denominators=n)
        checks.non_negative("denominators", n)

    if kind in ("p", "u", "c"):
        checks.non_negative("numerators", y)
    if kind == "p":
        checks.not_above("numerators", y, "denominators", n)
    checks.finite("numerators", y)
    if n is not None:
        checks.finite("denominators", n)

    k = n_pts if freeze is None else checks.whole_number("freeze", freeze, 1, n_pts)
    base = np.zeros(n_pts, dtype=bool)
    base[:k] = True

    with np.errstate(divide="ignore", invalid="ignore"):
        if n is not None:
            value = np.where(n > 0, y / n, np.nan)
        else:
            value = y.copy()
        ok = base & ~np.isnan(value)
        if not ok.any():
            checks.fail("numerators", "need at least 1 non-missing point in the baseline", 0)

        lcl = ucl = None
        if kind == "run":
            cl = float(np.median(value[ok]))
        elif kind in ("p", "u"):
            cl = float(y[ok].sum() / n[ok].sum())
            var1 = cl * (1 - cl) if kind == "p" else cl
            sd = np.where(n > 0, np.sqrt(var1 / n), np.nan)
            if laney:
                if np.count_nonzero(ok) < 2:
                    checks.fail("numerators", "need at least 2 non-missing baseline points for Laney's chart",
                                int(np.count_nonzero(ok)))
                if var1 > 0:
                    z = np.where(ok, (value - cl) / sd, np.nan)[base]
                    sigma_z = _mean_moving_range(z, screen_mr) / D2
                    if np.isnan(sigma_z):
                        checks.fail("numerators", "need 2 consecutive non-missing baseline points for Laney's chart",
                                    "none")
                    sd = sd * sigma_z
            lcl = cl - multiplier * sd
            ucl = cl + multiplier * sd
            lcl = np.maximum(lcl, 0.0)
            if kind == "p":
                ucl = np.minimum(ucl, 1.0)
        elif kind == "c":
            cl = float(value[ok].mean())
            sd = np.sqrt(cl)
            lcl = np.full(n_pts, max(cl - multiplier * sd, 0.0))
            ucl = np.full(n_pts, cl + multiplier * sd)
        else:  # i
            if np.count_nonzero(ok) < 2:
                checks.fail("numerators", "need at least 2 non-missing baseline points for kind 'i'",
                            int(np.count_nonzero(ok)))
            cl = float(value[ok].mean())
            amr = _mean_moving_range(value[base], screen_mr)
            if np.isnan(amr):
                checks.fail("numerators", "need 2 consecutive non-missing baseline points for kind 'i'", "none")
            sd = amr / D2
            lcl = np.full(n_pts, cl - multiplier * sd)
            ucl = np.full(n_pts, cl + multiplier * sd)

        if lcl is None:
            lcl = np.full(n_pts, np.nan)
            ucl = np.full(n_pts, np.nan)
            sigma = np.zeros(n_pts, dtype=bool)
        else:
            sigma = (value > ucl) | (value < lcl)  # NaN compares False

    runs = anhoej_rules(value, cl)
    return ControlChart(kind, _frame(value, cl, lcl, ucl, sigma, runs, base), runs)


def _frame(value, cl, lcl, ucl, sigma, runs: AnhoejResult, base) -> pd.DataFrame:
    n_pts = value.size
    return pd.DataFrame(
        {
            "value": value,
            "center": np.full(n_pts, cl),
            "lcl": lcl,
            "ucl": ucl,
            "sigma_signal": sigma,
            "runs_signal": np.full(n_pts, runs.runs_signal),
            "crossings_signal": np.full(n_pts, runs.crossings_signal),
            "anhoej_signal": np.full(n_pts, runs.signal),
            "baseline": base,
        },
        copy=False,
    )
