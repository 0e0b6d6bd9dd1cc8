"""Confidence intervals for a proportion (Wilson) and for a Poisson count (exact Garwood, or Byar).

Both functions are vectorised: they accept scalars, numpy arrays or pandas Series (broadcast against each other)
and return a ``ConfidenceInterval`` that unpacks as ``low, high`` and carries a ``method`` string.

Missing values (NaN) in the input give NaN limits for that element (as in PHEindicatormethods, where missing
inputs give NA); everything else that is not a valid count raises ``ValueError`` naming the argument.
See docs/statistik.md for the formulas in plain Danish.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import special, stats

from . import checks

__all__ = ["ConfidenceInterval", "wilson_ci", "poisson_ci"]


class ConfidenceInterval(tuple):
    """Immutable ``(low, high)`` pair that unpacks as exactly two values and also carries ``.method`` and ``.conf``.

    ``low``/``high`` are floats for scalar input and numpy arrays (or pandas Series) for array input.
    """

    def __new__(cls, low, high, method: str, conf: float):
        self = tuple.__new__(cls, (low, high))
        object.__setattr__(self, "method", method)
        object.__setattr__(self, "conf", conf)
        return self

    def __setattr__(self, name, value):
        raise AttributeError("ConfidenceInterval is read-only")

    def __delattr__(self, name):
        raise AttributeError("ConfidenceInterval is read-only")

    low = property(lambda self: self[0], doc="lower confidence limit")
    high = property(lambda self: self[1], doc="upper confidence limit")

    def __reduce__(self):
        return (ConfidenceInterval, (self[0], self[1], self.method, self.conf))

    def __repr__(self):
        return f"ConfidenceInterval(low={self[0]!r}, high={self[1]!r}, method={self.method!r}, conf={self.conf!r})"


_CI = ConfidenceInterval


# ----------------------------------------------------------------------------------------------------------------
# helpers shared with compare.py and audit.py (the checks themselves are in checks.py)

_check_conf = checks.conf  # kept for survival.py


def _z(conf: float) -> float:
    """Two-sided standard-normal quantile z = Φ⁻¹(1 - α/2), α = 1 - conf."""
    return float(stats.norm.isf((1.0 - conf) / 2.0))


def _exposure(name: str, values) -> np.ndarray:
    """Exposures: finite numbers > 0 (NaN marks a missing value)."""
    return checks.positive(name, checks.finite(name, checks.numbers(name, values)))


def _is_scalar_input(*values) -> bool:
    return all(np.ndim(v) == 0 and not isinstance(v, (pd.Series, np.ndarray)) for v in values)


def _index_of(*values):
    for v in values:
        if isinstance(v, pd.Series):
            return v.index
    return None


def _shape_out(arr: np.ndarray, scalar: bool, index):
    if scalar:
        return float(arr)
    if index is not None and arr.ndim == 1 and len(index) == arr.shape[0]:
        return pd.Series(arr, index=index)
    return arr


# ----------------------------------------------------------------------------------------------------------------

def wilson_ci(successes, trials, conf: float = 0.95) -> ConfidenceInterval:
    """Wilson score confidence interval for a proportion ``successes / trials`` (no continuity correction).

    Formula (Wilson 1927; Newcombe 1998 method 3), with z = Φ⁻¹(1 - α/2), x = successes, n = trials::

        low, high = (2x + z² ∓ z·√(z² + 4x(1 - x/n))) / (2(n + z²))

    This is the same interval as ``statsmodels.stats.proportion.proportion_confint(method="wilson")``,
    R ``binom::binom.confint(method="wilson")`` and PHEindicatormethods ``wilson_lower/upper``; the tests check
    all three. It is written out here (rather than calling statsmodels) because statsmodels takes ~2.4 s for
    10 million groups, while this form takes well under a second; the result is identical to ≤1e-12.
    Limits are clipped to [0, 1]; low is exactly 0 at x = 0 and high exactly 1 at x = n.

    Parameters
    ----------
    successes, trials : int or array-like of whole numbers (broadcast together). NaN marks a missing value.
    conf : confidence level strictly between 0 and 1 (default 0.95).

    Returns
    -------
    ConfidenceInterval ``(low, high)`` with ``.method == "wilson"``. Floats for scalar input, numpy arrays
    (or a pandas Series, keeping the index, when a Series was given) otherwise.

    Edge cases: ``trials == 0`` gives NaN limits (no information, not an error); NaN in either input gives NaN.
    ``successes > trials``, negative or non-integer input raise ``ValueError`` naming the argument.
    """
    c = checks.conf(conf)
    scalar = _is_scalar_input(successes, trials)
    index = _index_of(successes, trials)
    x = checks.counts("successes", successes)
    n = checks.counts("trials", trials)
    x, n = checks.same_shape(successes=x, trials=n)
    checks.not_above("successes", x, "trials", n)
    z = _z(c)
    z2 = z * z
    shape = x.shape
    x = np.atleast_1d(x)
    n = np.atleast_1d(n)
    with np.errstate(divide="ignore", invalid="ignore"):
        # in-place evaluation of  z·√(z² + 4(x - x²/n))  to keep memory traffic low for large arrays
        root = x * x
        root /= n
        np.subtract(x, root, out=root)
        root *= 4.0
        root += z2
        np.sqrt(root, out=root)
        root *= z
        denom = n + z2
        denom *= 2.0
        centre2 = 2.0 * x
        centre2 += z2
        low = centre2 - root
        low /= denom
        high = np.add(centre2, root, out=centre2)
        high /= denom
    np.clip(low, 0.0, 1.0, out=low)
    np.clip(high, 0.0, 1.0, out=high)
    low[x == 0] = 0.0
    high[x == n] = 1.0
    zero_n = n == 0
    if zero_n.any():
        low[zero_n] = np.nan
        high[zero_n] = np.nan
    low = low.reshape(shape)
    high = high.reshape(shape)
    return _CI(_shape_out(low, scalar, index), _shape_out(high, scalar, index), "wilson", c)


def _byar(x: np.ndarray, z: float):
    """Byar's approximation for a Poisson count, as in PHEindicatormethods (byars_lower / byars_upper).

    low  = x (1 - 1/(9x) - z/(3√x))³               (0 when x = 0 or when the bracket is negative)
    high = (x+1) (1 - 1/(9(x+1)) + z/(3√(x+1)))³
    Breslow & Day (1987), vol. II, p. 69. Hand-written: neither SciPy nor statsmodels offers Byar's method.
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        base_lo = 1.0 - 1.0 / (9.0 * x) - z / (3.0 * np.sqrt(x))
        low = x * base_lo ** 3
    x1 = x + 1.0
    high = x1 * (1.0 - 1.0 / (9.0 * x1) + z / (3.0 * np.sqrt(x1))) ** 3
    low = np.where((x == 0) | (base_lo < 0), 0.0, low)
    low = np.where(np.isnan(x), np.nan, low)
    return low, high


def _exact_poisson(x: np.ndarray, conf: float):
    """Exact (Garwood 1936) central interval via chi-square quantiles.

    low = χ²(α/2; 2x)/2 (0 when x = 0), high = χ²(1-α/2; 2x+2)/2.
    χ²(q; 2k)/2 equals the inverse regularised lower incomplete gamma function P⁻¹(k, q), which is what
    ``scipy.stats.chi2.ppf(q, 2k)/2`` computes; we call ``scipy.special.gammaincinv`` directly (same numbers,
    less overhead for large arrays).
    """
    a = 1.0 - conf
    with np.errstate(invalid="ignore"):
        low = special.gammaincinv(np.where(x > 0, x, 1.0), a / 2.0)
        high = special.gammaincinv(x + 1.0, 1.0 - a / 2.0)
    low = np.where(x == 0, 0.0, low)
    low = np.where(np.isnan(x), np.nan, low)
    return low, high


def _via_lookup(func, x: np.ndarray):
    """Evaluate an elementwise (low, high) function of whole-number counts once per distinct count.

    gammaincinv is ~1.5 µs per element; municipal data repeat the same small counts millions of times, so for
    large arrays we evaluate a table over 0..max (or over the distinct values) and index into it.
    """
    if x.size <= 4096:
        return func(x)
    finite = ~np.isnan(x)
    all_finite = bool(finite.all())
    xmax = float(x.max() if all_finite else (x[finite].max() if finite.any() else 0.0))
    if xmax <= min(1e6, x.size):
        t_lo, t_hi = func(np.arange(xmax + 1.0))
        idx = (x if all_finite else np.where(finite, x, 0.0)).astype(np.int64)
        low, high = t_lo[idx], t_hi[idx]
        if not all_finite:
            low[~finite] = np.nan
            high[~finite] = np.nan
        return low, high
    vals, inv = np.unique(x, return_inverse=True)
    t_lo, t_hi = func(vals)
    return t_lo[inv].reshape(x.shape), t_hi[inv].reshape(x.shape)


def poisson_ci(events, conf: float = 0.95, method: str = "exact") -> ConfidenceInterval:
    """Confidence interval for a Poisson count (number of events). Divide by exposure yourself for a rate.

    method="exact" (default): Garwood (1936) central exact interval,
        low = χ²(α/2; 2x)/2 (low = 0 when x = 0),  high = χ²(1 - α/2; 2x + 2)/2,
        identical to R ``poisson.test``/DescTools ``PoissonCI(method="exact")``, statsmodels
        ``confint_poisson(method="exact-c")`` and PHEindicatormethods for x < 10.
    method="byar": Byar's approximation exactly as PHEindicatormethods (Breslow & Day 1987),
        low = x(1 - 1/(9x) - z/(3√x))³, high = (x+1)(1 - 1/(9(x+1)) + z/(3√(x+1)))³.
        Where the lower bracket is negative (tiny x, high confidence) PHEindicatormethods returns NA; we return
        the lower limit 0 (a count cannot be negative) and the same upper limit. Note: DescTools'
        ``PoissonCI(method="byar")`` uses x + 0.5 in both limits and so gives slightly different numbers.

    Parameters
    ----------
    events : whole number(s) ≥ 0; NaN marks missing and gives NaN limits.
    conf : confidence level strictly between 0 and 1.
    method : "exact" or "byar".

    Returns
    -------
    ConfidenceInterval ``(low, high)`` for the count, with ``.method`` "exact" or "byar".
    """
    c = checks.conf(conf)
    checks.one_of("method", method, ("exact", "byar"))
    scalar = _is_scalar_input(events)
    index = _index_of(events)
    x = checks.counts("events", events)
    if method == "exact":
        low, high = _via_lookup(lambda v: _exact_poisson(v, c), x)
    else:
        low, high = _byar(x, _z(c))
    low = np.asarray(low, dtype=np.float64)
    high = np.asarray(high, dtype=np.float64)
    return _CI(_shape_out(low, scalar, index), _shape_out(high, scalar, index), method, c)
