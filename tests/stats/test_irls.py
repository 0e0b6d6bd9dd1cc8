"""kvalitet.stats.trend._irls, the lean IRLS behind poisson_trend, binomial_trend and interrupted_time_series,
gives statsmodels' GLM(...).fit(scale="X2", use_t=True, tol_criterion="params") bit for bit: the estimates,
standard errors, dispersion, residual degrees of freedom, fitted values, convergence and the "perfect
separation" warning, on random series with and without season effects, including separated ones."""
from __future__ import annotations

import warnings

import numpy as np
import pytest
import statsmodels.api as sm

from kvalitet.stats import trend


def _case(k: int, rng):
    n = int(rng.integers(6, 100))
    t = 2013 + np.arange(n) / 12 + rng.normal(0, 0.001, n)
    X, _ = trend._design(t, (np.arange(n) % 12) + 1 if k % 2 else None)
    if k % 3 == 0:
        m = rng.integers(1, 50, n).astype(float)
        s = rng.binomial(m.astype(int), 0.2 + 0.02 * (k % 5)).astype(float)
        if k % 7 == 0:
            s[: n // 2] = 0  # separated: no successes in the first half
        return s / m, X, sm.families.Binomial(), None, m
    e = rng.integers(20, 3000, n).astype(float)
    y = rng.poisson(e * 0.01 * (1 + 0.02 * np.arange(n) / 12)).astype(float)
    if k % 11 == 0:
        y[: n // 3] = 0
    return y, X, sm.families.Poisson(), np.log(e), None


@pytest.mark.parametrize("block", range(4))
def test_irls_is_statsmodels_bit_for_bit(block):
    rng = np.random.default_rng([20261201, block])
    for k in range(60):
        y, X, fam, offset, vw = _case(k, rng)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            ref = sm.GLM(y, X, family=fam, offset=offset, var_weights=vw).fit(scale="X2", use_t=True,
                                                                             tol_criterion="params")
        ref_perfect = any("Perfect separation" in str(w.message) for w in caught)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            got = trend._irls(y, X, fam, offset, vw)
        assert np.array_equal(got.params, ref.params)
        assert np.array_equal(got.bse, ref.bse)
        assert got.scale == float(ref.scale)
        assert got.df_resid == ref.df_resid
        assert np.array_equal(got.fittedvalues, np.asarray(ref.fittedvalues))
        assert (got.converged, got.perfect) == (ref.converged, ref_perfect)
