"""Comparing two periods (or two units): rates (rate ratio, exact conditional test) and shares
(difference with Newcombe's hybrid score interval, pooled z-test).

Both functions accept scalars or arrays (broadcast together; one comparison per element) and return a small
frozen dataclass. For scalar input the fields are floats; for array input they are numpy arrays and ``note`` is an
object array (``None`` where there is nothing to report).
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
from scipy import stats
from statsmodels.stats.proportion import confint_proportions_2indep

from . import checks
from .intervals import _exposure, _is_scalar_input

__all__ = ["RateComparison", "ProportionComparison", "compare_rates", "compare_proportions"]


@dataclass(frozen=True)
class RateComparison:
    """Result of :func:`compare_rates`. ``rate_ratio`` = (events1/exposure1) / (events2/exposure2)."""

    rate_ratio: object
    ci_low: object
    ci_high: object
    p: object
    rate1: object
    rate2: object
    method: str
    conf: float
    note: object = None


@dataclass(frozen=True)
class ProportionComparison:
    """Result of :func:`compare_proportions`. ``difference`` = x1/n1 - x2/n2 (proportions, not percentage points)."""

    difference: object
    ci_low: object
    ci_high: object
    p: object
    p1: object
    p2: object
    method: str
    conf: float
    note: object = None


def _out(arr, scalar):
    arr = np.asarray(arr)
    if scalar:
        v = arr.reshape(()).item()
        return v if (v is None or isinstance(v, str)) else float(v)
    return arr


# ----------------------------------------------------------------------------------------------------------------

_NOTE_NO_EVENTS = "ingen hændelser i nogen af perioderne: raten kan ikke sammenlignes"


def _one_rate_comparison(x1: float, t1: float, x2: float, t2: float, conf: float):
    """Scalar core of compare_rates; returns (ratio, low, high, p, note)."""
    if np.isnan(x1) or np.isnan(t1) or np.isnan(x2) or np.isnan(t2):
        return np.nan, np.nan, np.nan, np.nan, "manglende værdi"
    k, n = int(x1), int(x1 + x2)
    if n == 0:
        return np.nan, np.nan, np.nan, np.nan, _NOTE_NO_EVENTS
    p0 = t1 / (t1 + t2)
    res = stats.binomtest(k, n, p0, alternative="two-sided")
    ci = res.proportion_ci(confidence_level=conf, method="exact")  # Clopper–Pearson, as R binom.test
    scale = t2 / t1
    with np.errstate(divide="ignore"):
        low = ci.low / (1.0 - ci.low) * scale if ci.low < 1 else np.inf
        high = ci.high / (1.0 - ci.high) * scale if ci.high < 1 else np.inf
        ratio = (x1 / t1) / (x2 / t2) if x2 > 0 else np.inf
    note = None
    if x2 == 0:
        note = "ingen hændelser i periode 2: rate-forholdet er uendeligt (øvre grænse uendelig)"
    elif x1 == 0:
        note = "ingen hændelser i periode 1: rate-forholdet er 0 (nedre grænse 0)"
    return ratio, low, high, float(res.pvalue), note


def compare_rates(events1, exposure1, events2, exposure2, conf: float = 0.95) -> RateComparison:
    """Compare two Poisson rates: rate ratio, exact confidence interval and exact conditional p-value.

    Given the total number of events N = events1 + events2, events1 ~ Binomial(N, π) with
    π = exposure1·RR / (exposure1·RR + exposure2); under H0 (RR = 1) π0 = exposure1/(exposure1 + exposure2).

    * ``rate_ratio`` = (events1/exposure1)/(events2/exposure2)
    * ``p``: two-sided exact binomial test of π = π0, "minimum likelihood" two-sided rule (sum of the
      probabilities of all outcomes no more likely than the observed one), via ``scipy.stats.binomtest``.
      Identical to R ``poisson.test(c(x1, x2), c(T1, T2))``, exactci ``poisson.exact(tsmethod="minlike")`` and
      statsmodels ``test_poisson_2indep(method="exact-cond")``.
    * ``ci_low, ci_high``: as R ``poisson.test``: the Clopper–Pearson interval (πL, πU) for π is transformed,
      RR = π/(1-π) · exposure2/exposure1. (exactci's minlike-inverted interval is slightly different.)

    Exposure is in any unit (person-years, cases, days), as long as both periods use the same unit.
    Edge cases: events2 = 0 → rate_ratio = inf, ci_high = inf; events1 = 0 → rate_ratio = 0, ci_low = 0;
    no events at all → all NaN with an explanatory ``note``; NaN input → NaN with note "manglende værdi".
    Invalid input (negative or non-integer events, exposure ≤ 0) raises ValueError naming the argument.
    Arrays are handled element by element (one exact test each).
    """
    c = checks.conf(conf)
    scalar = _is_scalar_input(events1, exposure1, events2, exposure2)
    a = checks.counts("events1", events1)
    ta = _exposure("exposure1", exposure1)
    b = checks.counts("events2", events2)
    tb = _exposure("exposure2", exposure2)
    a, ta, b, tb = checks.same_shape(events1=a, exposure1=ta, events2=b, exposure2=tb)
    shape = a.shape
    rows = [_one_rate_comparison(*v, c) for v in zip(a.ravel(), ta.ravel(), b.ravel(), tb.ravel())]
    ratio, low, high, p = (np.array([r[i] for r in rows], dtype=float).reshape(shape) for i in range(4))
    notes = np.empty(len(rows), dtype=object)
    notes[:] = [r[4] for r in rows]
    notes = notes.reshape(shape)
    with np.errstate(divide="ignore", invalid="ignore"):
        r1, r2 = a / ta, b / tb
    return RateComparison(
        rate_ratio=_out(ratio, scalar), ci_low=_out(low, scalar), ci_high=_out(high, scalar), p=_out(p, scalar),
        rate1=_out(r1, scalar), rate2=_out(r2, scalar),
        method="rate ratio; exact conditional binomial test and Clopper-Pearson-based CI (as R poisson.test)",
        conf=c, note=_out(notes, scalar))


# ----------------------------------------------------------------------------------------------------------------

def compare_proportions(x1, n1, x2, n2, conf: float = 0.95) -> ProportionComparison:
    """Compare two shares: difference p1 - p2 with Newcombe's hybrid score interval and a pooled z-test.

    * ``difference`` = x1/n1 - x2/n2.
    * ``ci_low, ci_high``: Newcombe (1998) method 10 ("hybrid score", no continuity correction). With Wilson
      limits (l1, u1) for p1 and (l2, u2) for p2:
      low = d - √((p1 - l1)² + (u2 - p2)²),  high = d + √((u1 - p1)² + (p2 - l2)²).
      Computed by ``statsmodels.stats.proportion.confint_proportions_2indep(method="newcomb", compare="diff")``.
      Same as R ``DescTools::BinomDiffCI(method="score")``.
    * ``p``: two-sided z-test with pooled variance, z = (p1 - p2)/√(p̄(1-p̄)(1/n1 + 1/n2)), p̄ = (x1+x2)/(n1+n2);
      equals R ``prop.test(c(x1,x2), c(n1,n2), correct=FALSE)`` and statsmodels ``proportions_ztest``.
      Written out (three lines of numpy) because statsmodels' ``proportions_ztest`` does one comparison per call,
      whereas this version handles many comparisons at once; the tests check it against both.

    Edge cases: n1 = 0 or n2 = 0 → all NaN with a ``note``. If both shares are 0 (or both 1) the z-test is
    undefined (R gives NaN); we return p = 1.0 (no sign of a difference) and a ``note``. NaN input → NaN.
    Invalid input (negative, non-integer, x > n) raises ValueError naming the argument.
    """
    c = checks.conf(conf)
    scalar = _is_scalar_input(x1, n1, x2, n2)
    a = checks.counts("x1", x1)
    na = checks.counts("n1", n1)
    b = checks.counts("x2", x2)
    nb = checks.counts("n2", n2)
    a, na, b, nb = checks.same_shape(x1=a, n1=na, x2=b, n2=nb)
    checks.not_above("x1", a, "n1", na)
    checks.not_above("x2", b, "n2", nb)
    shape = a.shape
    a, na, b, nb = (np.atleast_1d(v).astype(float) for v in (a, na, b, nb))
    empty = (na == 0) | (nb == 0)
    missing = np.isnan(a) | np.isnan(na) | np.isnan(b) | np.isnan(nb)
    ok = ~(empty | missing)
    with np.errstate(divide="ignore", invalid="ignore"):
        p1, p2 = a / na, b / nb
        d = p1 - p2
        pbar = (a + b) / (na + nb)
        se = np.sqrt(pbar * (1.0 - pbar) * (1.0 / na + 1.0 / nb))
        z = d / se
    pval = 2.0 * stats.norm.sf(np.abs(z))
    degenerate = ok & (se == 0)
    pval[degenerate] = 1.0
    low = np.full(a.shape, np.nan)
    high = np.full(a.shape, np.nan)
    if ok.any():
        with warnings.catch_warnings(), np.errstate(divide="ignore", invalid="ignore"):
            warnings.simplefilter("ignore", RuntimeWarning)
            lo, hi = confint_proportions_2indep(a[ok], na[ok], b[ok], nb[ok], method="newcomb",
                                                compare="diff", alpha=1.0 - c)
        low[ok] = np.clip(lo, -1.0, 1.0)
        high[ok] = np.clip(hi, -1.0, 1.0)
    notes = np.full(a.shape, None, dtype=object)
    notes[degenerate] = "begge andele er 0 % (eller begge 100 %): ingen forskel at teste, p sat til 1"
    notes[empty & ~missing] = "ingen observationer i en af perioderne (n = 0)"
    notes[missing] = "manglende værdi"
    for arr in (p1, p2, d, pval):
        arr[~ok] = np.nan
    return ProportionComparison(
        difference=_out(d.reshape(shape), scalar), ci_low=_out(low.reshape(shape), scalar),
        ci_high=_out(high.reshape(shape), scalar), p=_out(pval.reshape(shape), scalar),
        p1=_out(p1.reshape(shape), scalar), p2=_out(p2.reshape(shape), scalar),
        method="difference of proportions; Newcombe hybrid score CI (method 10); pooled two-sided z-test",
        conf=c, note=_out(notes.reshape(shape), scalar))
