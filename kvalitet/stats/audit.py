"""Audits of case files: how many to sample, and whether an error share is over a threshold.

``audit_sample_size`` answers "how many cases must we audit to know the error share within ± precision?";
``threshold_status`` classifies an audit result against a threshold (e.g. the 25 % limit for errors),
taking the sampling uncertainty into account with the Wilson interval.
"""
from __future__ import annotations

import math

import numpy as np
from statsmodels.stats.proportion import samplesize_confint_proportion

from . import checks
from .intervals import _is_scalar_input, wilson_ci

__all__ = ["audit_sample_size", "threshold_status", "STATUS_UNDER", "STATUS_OVER", "STATUS_SURELY_OVER",
           "STATUS_NO_DATA"]

STATUS_UNDER = "under"
STATUS_OVER = "over"
STATUS_SURELY_OVER = "sikkert over"
STATUS_NO_DATA = "ingen data"


def audit_sample_size(precision, expected=0.25, population=None, conf: float = 0.95) -> int:
    """Number of cases to audit so the error share is estimated within ± ``precision`` (normal approximation).

    n₀ = z²·p(1 - p)/precision²      (``statsmodels.stats.proportion.samplesize_confint_proportion``)
    n  = n₀ / (1 + (n₀ - 1)/N)       finite-population correction (Cochran 1977, eq. 4.2), only if N is given
    result = ⌈n⌉ (n₀ is not rounded before the correction).

    Parameters
    ----------
    precision : wanted half-width of the confidence interval, as a share (0.05 = ± 5 percentage points), in (0, 1).
    expected : expected error share p, in (0, 1). 0.5 is the most cautious choice (largest n); default 0.25.
    population : number of cases N the sample is drawn from (whole number ≥ 1), or None for no correction.
    conf : confidence level (default 0.95; z = 1.959964).

    Example: precision 0.05, p 0.25: n₀ = 1.959964²·0.1875/0.0025 = 288.1 → 289; with N = 1000: 223.8 → 224.
    The result never exceeds N.
    """
    c = checks.conf(conf)
    e = checks.in_interval("precision", precision, 0, 1, example="e.g. 0.05 for ± 5 percentage points")
    p = checks.in_interval("expected", expected, 0, 1, example="e.g. 0.25")
    n0 = float(samplesize_confint_proportion(p, e, alpha=1.0 - c))
    n = n0
    if population is not None:
        big_n = float(checks.whole_number("population", population, 1))
        n = n0 / (1.0 + (n0 - 1.0) / big_n)
        n = min(n, big_n)
    # tolerance guards against 100.00000000001 from floating point turning into 101
    return int(math.ceil(n - 1e-9))


def threshold_status(errors, audited, threshold=0.25, conf: float = 0.95):
    """Classify audit results against a threshold for the error share.

    * ``"sikkert over"``: the Wilson lower confidence limit is above the threshold (clearly over, not chance);
    * ``"over"``: the estimate errors/audited is above the threshold, but the lower limit is not;
    * ``"under"``: the estimate is at or below the threshold (not over);
    * ``"ingen data"``: audited = 0 or missing (NaN) — nothing to judge.

    Accepts scalars (returns a str) or arrays (returns a numpy array of str, same shape).
    Wilson interval as :func:`kvalitet.stats.wilson_ci` (Wilson 1927). Invalid counts (negative, non-integer,
    errors > audited) raise ValueError naming the argument; threshold must be in [0, 1).
    """
    c = checks.conf(conf)
    th = checks.in_interval("threshold", threshold, 0, 1, closed="left", example="e.g. 0.25 for 25 %")
    scalar = _is_scalar_input(errors, audited)
    x = checks.counts("errors", errors)
    n = checks.counts("audited", audited)
    x, n = checks.same_shape(errors=x, audited=n)
    checks.not_above("errors", x, "audited", n)
    low, _ = wilson_ci(np.asarray(x), np.asarray(n), conf=c)
    with np.errstate(divide="ignore", invalid="ignore"):
        est = x / n
    out = np.full(x.shape, STATUS_UNDER, dtype="<U12")
    out[est > th] = STATUS_OVER
    out[np.asarray(low) > th] = STATUS_SURELY_OVER
    out[np.isnan(x) | np.isnan(n) | (n == 0)] = STATUS_NO_DATA
    if scalar:
        return str(out.reshape(()))
    return out
