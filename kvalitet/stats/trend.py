"""Model-based trend statistics: quasi-Poisson and quasi-binomial trend models, interrupted time series, and
Benjamini–Hochberg q-values. (The rank-based tests — Mann–Kendall, Sen's slope — are in :mod:`.kendall`.)

Every function validates its input up front (:mod:`kvalitet.stats.checks`) and returns a small frozen dataclass
carrying the value, its limits and a ``method`` string.

Sources
-------
* McCullagh & Nelder (1989), *Generalized Linear Models*, 2nd ed., ch. 9: quasi-likelihood. The GLMs are fitted
  as ``statsmodels`` fits them (:func:`_irls`: its IRLS step for step, the same numbers) and reproduce
  R ``glm(family = quasipoisson / quasibinomial)``: dispersion = Pearson
  χ²/df, standard errors scaled by √dispersion, t distribution with the residual degrees of freedom.
* Wagner, Soumerai, Zhang & Ross-Degnan (2002): segmented regression for interrupted time series.
* Benjamini & Hochberg (1995): false discovery rate q-values, via ``statsmodels.stats.multitest``.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import warnings

import numpy as np
from scipy import special as _sp

from . import checks

__all__ = ["TrendResult", "Effect", "ITSResult", "poisson_trend", "binomial_trend", "interrupted_time_series",
           "bh_qvalues"]


# ----------------------------------------------------------------------------------------------------------
# result types
# ----------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class TrendResult:
    """Result of :func:`poisson_trend` / :func:`binomial_trend`.

    ``estimate``: rate ratio (Poisson) or odds ratio (binomial) per unit of ``times``; ``ci_low``/``ci_high``:
    its confidence interval; ``p``: two-sided p-value for "no trend" (ratio 1); ``dispersion``: Pearson
    χ²/df; ``df_resid``: residual degrees of freedom.
    """

    estimate: float
    ci_low: float
    ci_high: float
    p: float
    dispersion: float
    df_resid: int
    method: str


@dataclass(frozen=True)
class Effect:
    """One ratio effect with confidence interval and two-sided p-value (null value 1)."""

    estimate: float
    ci_low: float
    ci_high: float
    p: float


@dataclass(frozen=True)
class ITSResult:
    """Result of :func:`interrupted_time_series`.

    ``pre_trend``: ratio per unit of time before the start; ``level_change``: ratio at the start date
    (after vs. the pre-trend extrapolated to the start); ``slope_change``: ratio by which the per-unit-time
    ratio changes after the start (post trend = pre_trend.estimate * slope_change.estimate). Ratios are rate
    ratios for ``family="poisson"`` and odds ratios for ``family="binomial"``.
    """

    pre_trend: Effect
    level_change: Effect
    slope_change: Effect
    dispersion: float
    df_resid: int
    n_before: int
    n_after: int
    family: str
    method: str


# ----------------------------------------------------------------------------------------------------------
# quasi-likelihood GLMs
# ----------------------------------------------------------------------------------------------------------
def _season_dummies(season: Any, t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Treatment-coded indicator columns (first level dropped) and the integer code of each row."""
    lab = np.asarray(season)
    if lab.ndim != 1:
        checks.fail("season", "must be one-dimensional", f"shape {lab.shape}")
    checks.same_length(season=lab, times=t)
    n = t.size
    if lab.dtype.kind in "iub":  # whole numbers: nothing missing
        missing = [False]
    elif lab.dtype.kind == "f":
        missing = np.isnan(lab).tolist()
    else:
        missing = [v is None or (isinstance(v, float) and np.isnan(v)) for v in lab.tolist()]
    if any(missing):
        checks.fail("season", "must have no missing values", f"{lab[missing.index(True)]!r} at position "
                    f"{missing.index(True)}")
    levels, codes = np.unique(lab, return_inverse=True)
    k = levels.size
    dummies = np.zeros((n, max(k - 1, 0)))
    if k > 1:
        dummies[np.arange(n)[codes > 0], codes[codes > 0] - 1] = 1.0
    return dummies, codes


def _fit_quasi(y, X, family: str, offset=None, var_weights=None, name: str = "counts"):
    """Fit a quasi-likelihood GLM with statsmodels; return (params, bse, dispersion, df_resid).

    The fit is ``statsmodels.api.GLM(...).fit(scale="X2")``: the Poisson/binomial score equations, with the
    dispersion φ = Pearson χ²/(n − p) and Cov(β) = φ·(XᵀWX)⁻¹, exactly R's quasipoisson/quasibinomial.
    """
    import warnings

    import statsmodels.api as sm
    from statsmodels.tools.sm_exceptions import ConvergenceWarning, PerfectSeparationWarning

    fam = sm.families.Poisson() if family == "poisson" else sm.families.Binomial()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", PerfectSeparationWarning)
        warnings.simplefilter("always", ConvergenceWarning)
        # convergence on the parameters: the deviance criterion can oscillate in the last digits for very
        # large counts (e.g. 1e9) although the parameters have converged
        res = _irls(y, X, fam, offset, var_weights)
    # Separation: a fitted expected count (Poisson) or expected number of successes or failures (binomial)
    # driven to ~0 means a parameter is heading to ±infinity (e.g. zero events in every period before an
    # initiative's start) and the estimates are not identified. Legitimate fits never come near 1e-8 events.
    mu = np.asarray(res.fittedvalues)
    if family == "poisson":
        boundary = bool(np.any(mu < 1e-8))
    else:
        boundary = bool(np.any((mu * var_weights < 1e-8) | ((1 - mu) * var_weights < 1e-8)))
    perfect = res.perfect or any(issubclass(w.category, PerfectSeparationWarning) for w in caught)
    not_converged = any(issubclass(w.category, ConvergenceWarning) for w in caught) or (
        not res.converged and not perfect  # statsmodels stops early, "unconverged", once fitted == data
    )
    if boundary or not_converged:
        why = "separation, a fitted mean is pushed to 0 events (or a share of 0 or 1)"
        if not boundary:
            why = "IRLS did not converge"
        checks.fail(name, "must not be 0 (or equal the trials) throughout one part of the design, e.g. in every "
                    "period before an initiative's start or in a whole season",
                    f"a {family} trend model that could not be fitted ({why})")
    # statsmodels also warns of "perfect prediction" when the fitted means equal the data; with finite
    # parameters (checked above) that is just noise-free data, so the warning is dropped.
    for w in caught:
        if not issubclass(w.category, (PerfectSeparationWarning, ConvergenceWarning)):
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    df_resid = int(round(res.df_resid))
    if not np.all(np.isfinite(res.params)) or not np.all(np.isfinite(res.bse)):
        checks.fail("times", "must not be collinear with the other terms of the model (start, season)",
                    f"non-finite estimates from the {family} trend model")
    return np.asarray(res.params), np.asarray(res.bse), float(res.scale), df_resid


#: statsmodels' message (``_MinimalWLS.msg``) when a weighted least-squares step meets a non-finite number
_WLS_INFEASIBLE = "NaN, inf or invalid value detected in {0}, estimation infeasible."


@dataclass(frozen=True)
class _Fit:
    params: np.ndarray
    bse: np.ndarray
    scale: float
    df_resid: float
    fittedvalues: np.ndarray
    converged: bool
    perfect: bool


def _irls(y: np.ndarray, X: np.ndarray, fam, offset=None, var_weights=None, maxiter: int = 100,
          atol: float = 1e-8) -> _Fit:
    """``statsmodels.api.GLM(y, X, family=fam, offset=offset, var_weights=var_weights).fit(scale="X2",
    use_t=True, tol_criterion="params")``, step for step, without building the model and result objects.

    The same operations on the same numbers as statsmodels' ``GLM._fit_irls`` (its family's link, variance and
    weights; the weighted ``lstsq`` of its ``_MinimalWLS`` in the iterations; the final weighted least squares by
    ``pinv_extended``; Pearson χ²/df as the scale), so the estimates are those of statsmodels bit for bit
    (``tests/stats/test_trend.py`` compares them on many series); a hundred times cheaper for short series.
    ``perfect``: statsmodels' "perfect separation or prediction" warning would have been given.
    """
    from statsmodels.tools.sm_exceptions import PerfectSeparationWarning
    from statsmodels.tools.tools import pinv_extended

    n = y.shape[0]
    var_w = np.ones(n) if var_weights is None else var_weights
    iweights = np.asarray(np.ones(n) * var_w)  # statsmodels' freq_weights * var_weights
    n_trials = np.ones(n)
    oe = 0.0 if offset is None else offset
    df_resid = n - (np.linalg.matrix_rank(X) - 1) - 1

    def x2_scale(mu):
        return np.sum(np.power(y - mu, 2) * iweights / fam.variance(mu)) / df_resid

    mu = fam.starting_mu(y)
    lin_pred = fam.predict(mu)
    if np.isnan(fam.deviance(y, mu, var_w, np.ones(n), x2_scale(mu))):
        raise ValueError("The first guess on the deviance function returned a nan.  This could be a boundary "
                         " problem and should be reported.")
    prev = np.zeros(X.shape[1])
    converged = perfect = False
    weights = wlsendog = None
    for _ in range(maxiter):
        weights = iweights * n_trials * fam.weights(mu)
        wlsendog = lin_pred + fam.link.deriv(mu) * (y - mu) - oe
        # statsmodels' _MinimalWLS(wlsendog, X, weights, check_endog=True, check_weights=True).fit("lstsq")
        w_half = np.sqrt(weights)
        if not np.all(np.isfinite(w_half)):
            raise ValueError(_WLS_INFEASIBLE.format("weights"))
        if not np.all(np.isfinite(wlsendog)):
            raise ValueError(_WLS_INFEASIBLE.format("endog"))
        params = np.linalg.lstsq(np.asarray(w_half)[:, None] * X, w_half * wlsendog, rcond=-1)[0]
        lin_pred = np.dot(X, params)
        lin_pred += oe
        mu = fam.fitted(lin_pred)
        if np.all(np.abs(mu - y) <= 1e-8):  # np.allclose(mu - y, 0)
            perfect = True
            warnings.warn("Perfect separation or prediction detected, parameter may not be identified",
                          category=PerfectSeparationWarning, stacklevel=2)
        step = np.abs(prev - params)
        if np.isfinite(step).all():  # np.allclose(prev, params, atol=atol, rtol=0) for finite numbers
            converged = bool((step <= atol).all())
        else:
            converged = bool(np.allclose(prev, params, atol=atol, rtol=0.0))
        prev = params
        if converged:
            break
    scale = x2_scale(mu)
    # the final weighted least squares (statsmodels' WLS(...).fit(method="pinv"))
    w_half = np.sqrt(weights)
    pinv_wexog, _ = pinv_extended(w_half[:, None] * X)
    normalized_cov = np.dot(pinv_wexog, np.transpose(pinv_wexog))
    params = np.dot(pinv_wexog, wlsendog * w_half)
    bse = np.sqrt(np.diag(normalized_cov * scale))
    fitted = fam.fitted(np.dot(X, params) + (0.0 if offset is None else offset) + 0.0)
    return _Fit(params, bse, float(scale), df_resid, fitted, converged, perfect)


def _effect(b: float, se: float, df: int, conf: float) -> Effect:
    """exp(b) with CI exp(b ± t_{df,1−α/2}·se) and p = 2·P(T_df > |b/se|), se already dispersion-scaled."""
    # scipy.special.stdtrit / stdtr are the t quantile and CDF behind scipy.stats.t, without its overhead
    tq = float(_sp.stdtrit(df, 1 - (1 - conf) / 2))
    tstat = b / se if se > 0 else (0.0 if b == 0 else np.inf)
    p = float(2 * _sp.stdtr(df, -abs(tstat)))
    return Effect(
        estimate=float(np.exp(b)), ci_low=float(np.exp(b - tq * se)), ci_high=float(np.exp(b + tq * se)), p=p
    )


def _check_counts(y: np.ndarray, name: str) -> None:
    checks.non_negative(name, checks.no_missing(name, y))


def _check_exposure(e: np.ndarray, name: str = "exposure") -> None:
    checks.positive(name, checks.no_missing(name, e))


def _check_times(t: np.ndarray) -> None:
    checks.no_missing("times", t)
    if np.unique(t).size < 2:
        checks.fail("times", "need at least two distinct time points (a single period has no trend)",
                    f"{np.unique(t).size} distinct time point")


def _check_n_params(n: int, n_params: int, what: str, name: str = "counts") -> None:
    if n < n_params + 1:
        checks.fail(name, f"need at least {n_params + 1} periods for {what} ({n_params} parameters + 1)", n)


def _binomial_inputs(successes, trials, sname: str = "successes", tname: str = "trials"):
    s = checks.vector(sname, successes)
    m = checks.vector(tname, trials)
    checks.same_length(**{sname: s, tname: m})
    _check_counts(s, sname)
    _check_exposure(m, tname)
    checks.not_above(sname, s, tname, m)
    return s, m


def _check_not_degenerate(y, family: str, codes=None, trials=None, name: str = "counts") -> None:
    # per group (season level, in order; the whole series without codes): no value other than 0, and for a
    # binomial no value other than the trials; the first group where either holds fails
    if codes is None:
        level, k = np.zeros(y.size, dtype=np.intp), 1
    else:
        uniq, level = np.unique(codes, return_inverse=True)
        k = uniq.size
    all_zero = np.bincount(level, weights=(y != 0), minlength=k) == 0
    all_equal = (np.bincount(level, weights=(y != trials), minlength=k) == 0 if family == "binomial"
                 else np.zeros(k, dtype=bool))
    bad = np.flatnonzero(all_zero | all_equal)
    if bad.size:
        g = int(bad[0])
        where = "" if codes is None else f" in season level {g + 1}"
        if all_zero[g]:
            what = "rate is" if family == "poisson" else "odds are"
            checks.fail(name, f"must not all be 0 (then the {what} 0 and no trend can be estimated)", f"all 0{where}")
        checks.fail(name, "must not all equal the trials (then the odds are infinite)", f"all equal{where}")


def _design(t: np.ndarray, season) -> tuple[np.ndarray, np.ndarray | None]:
    tc = t - t.mean()  # centring changes only the intercept; it keeps the fit well conditioned
    cols = [np.ones_like(tc), tc]
    codes = None
    if season is not None:
        dummies, codes = _season_dummies(season, t)
        cols.extend(dummies.T)
    return np.column_stack(cols), codes


def poisson_trend(counts: Any, exposure: Any, times: Any, season: Any = None, conf: float = 0.95) -> TrendResult:
    """Rate ratio per unit of time from a quasi-Poisson GLM with a log-exposure offset.

    Model (McCullagh & Nelder 1989, §6 and ch. 9; R ``glm(y ~ t + offset(log(E)), family = quasipoisson)``)::

        log E[y_i] = log(exposure_i) + β0 + β1·t_i (+ season effects)
        Var(y_i)   = φ·μ_i,  φ = Σ (y_i − μ_i)²/μ_i / (n − p)     (Pearson χ²/df, ``dispersion``)
        estimate   = exp(β1),   CI = exp(β1 ± t_{n−p, 1−α/2}·SE(β1))   with SE(β1) = √φ·SE_Poisson(β1)
        p          = 2·P(T_{n−p} > |β1/SE(β1)|)

    Fitted with ``statsmodels`` GLM (Poisson family, ``scale="X2"``, ``use_t=True``). ``times`` are numbers in
    the unit you want the ratio per (e.g. decimal years → rate ratio per year). ``season`` (optional) gives a
    label per period (e.g. month 1–12); it enters as a categorical effect, so the trend is adjusted for a fixed
    seasonal pattern. Like R, the dispersion is not floored at 1.

    Raises ``ValueError`` on: lengths that differ, negative or non-finite counts, non-positive exposure,
    fewer than (number of parameters + 1) periods, a single distinct time, counts that are all zero
    (overall or in a whole season), or a fit that does not converge.
    """
    conf = checks.conf(conf)
    y = checks.vector("counts", counts)
    e = checks.vector("exposure", exposure)
    t = checks.vector("times", times)
    checks.same_length(counts=y, exposure=e, times=t)
    _check_counts(y, "counts")
    _check_exposure(e)
    _check_times(t)
    X, codes = _design(t, season)
    _check_n_params(y.size, X.shape[1], "a Poisson trend")
    _check_not_degenerate(y, "poisson", codes)
    params, bse, phi, df = _fit_quasi(y, X, "poisson", offset=np.log(e))
    eff = _effect(params[1], bse[1], df, conf)
    return TrendResult(
        estimate=eff.estimate, ci_low=eff.ci_low, ci_high=eff.ci_high, p=eff.p, dispersion=phi, df_resid=df,
        method="quasi-Poisson GLM, log link, log(exposure) offset" + (", season effects" if season is not None else ""),
    )


def binomial_trend(successes: Any, trials: Any, times: Any, season: Any = None, conf: float = 0.95) -> TrendResult:
    """Odds ratio per unit of time from a quasi-binomial GLM (logit link).

    Model (McCullagh & Nelder 1989, ch. 4 and 9; R ``glm(cbind(s, m − s) ~ t, family = quasibinomial)``)::

        logit(π_i) = β0 + β1·t_i (+ season effects),   s_i ~ quasi-Bin(m_i, π_i)
        Var(s_i)   = φ·m_i·π_i(1 − π_i)
        φ          = Σ (s_i − m_i·π_i)² / (m_i·π_i(1 − π_i)) / (n − p)        (Pearson χ²/df)
        estimate   = exp(β1),   CI = exp(β1 ± t_{n−p, 1−α/2}·SE(β1)),   p from t_{n−p}

    Fitted with ``statsmodels`` GLM on the proportions with ``var_weights = trials`` (``scale="X2"``,
    ``use_t=True``). ``season``, ``conf`` and the errors are as in :func:`poisson_trend`; successes must lie
    in 0..trials and not be 0 (or equal to trials) throughout.
    """
    conf = checks.conf(conf)
    s, m = _binomial_inputs(successes, trials)
    t = checks.vector("times", times)
    checks.same_length(successes=s, times=t)
    _check_times(t)
    X, codes = _design(t, season)
    _check_n_params(s.size, X.shape[1], "a binomial trend", "successes")
    _check_not_degenerate(s, "binomial", codes, trials=m, name="successes")
    params, bse, phi, df = _fit_quasi(s / m, X, "binomial", var_weights=m, name="successes")
    eff = _effect(params[1], bse[1], df, conf)
    return TrendResult(
        estimate=eff.estimate, ci_low=eff.ci_low, ci_high=eff.ci_high, p=eff.p, dispersion=phi, df_resid=df,
        method="quasi-binomial GLM, logit link" + (", season effects" if season is not None else ""),
    )


def interrupted_time_series(
    counts: Any,
    exposure: Any,
    times: Any,
    start: float,
    family: str = "poisson",
    trials: Any = None,
    season: Any = None,
    conf: float = 0.95,
) -> ITSResult:
    """Interrupted time series by segmented quasi-likelihood regression (Wagner et al. 2002).

    Model, with after_i = 1 if t_i ≥ start else 0 and since_i = (t_i − start)·after_i::

        g(E[y_i]) = [log exposure_i] + β0 + β1·t_i + β2·after_i + β3·since_i (+ season effects)

    g = log for ``family="poisson"`` (``counts`` = events, ``exposure`` = person-time/cases at risk, used as an
    offset) and g = logit for ``family="binomial"`` (``counts`` = successes; the number of trials is ``trials``,
    or — if ``trials`` is None — ``exposure`` is taken as the number of trials). Fitted as
    :func:`poisson_trend` / :func:`binomial_trend` (quasi-likelihood, Pearson χ²/df dispersion, t_{n−p}).

    Returned ratios: ``pre_trend`` = exp(β1) per unit of time before the start; ``level_change`` = exp(β2), the
    jump at ``start`` relative to the extrapolated pre-trend; ``slope_change`` = exp(β3), the factor by which
    the per-unit-time ratio changes after the start. Each has a CI exp(β ± t·SE) and a p-value.

    Requires at least two periods before ``start`` and two at/after it, and n ≥ number of parameters + 1.
    """
    conf = checks.conf(conf)
    checks.one_of("family", family, ("poisson", "binomial"))
    t = checks.vector("times", times)
    _check_times(t)
    req = "must be a finite number on the same scale as times"
    start_value = checks.number("start", start, req)
    if not np.isfinite(start_value):
        checks.fail("start", req, repr(start))
    start = start_value
    if family == "poisson":
        if trials is not None:
            checks.fail("trials", "must be None unless family='binomial'", "trials with family='poisson'")
        y = checks.vector("counts", counts)
        e = checks.vector("exposure", exposure)
        checks.same_length(counts=y, exposure=e, times=t)
        _check_counts(y, "counts")
        _check_exposure(e)
        m = None
    else:
        if trials is None:
            if exposure is None:
                checks.fail("trials", "must be given (or passed as exposure) with family='binomial'", "None")
            tr, tname = exposure, "exposure"
        else:
            tr, tname = trials, "trials"
            if exposure is not None and not np.array_equal(checks.vector("exposure", exposure),
                                                           checks.vector("trials", trials)):
                checks.fail("exposure", "must be None or equal to trials with family='binomial'", "other values")
        y, m = _binomial_inputs(counts, tr, sname="counts", tname=tname)
        checks.same_length(counts=y, times=t)
    after = (t >= start).astype(float)
    n_after = int(after.sum())
    n_before = int(y.size - n_after)
    if n_before < 2 or n_after < 2:
        checks.fail("start", "need at least 2 periods before start and 2 at or after it",
                    f"{n_before} before and {n_after} at or after")
    since = (t - start) * after
    X, codes = _design(t, season)
    X = np.column_stack([X[:, :2], after, since, X[:, 2:]])
    _check_n_params(y.size, X.shape[1], "an interrupted time series")
    if family == "poisson":
        _check_not_degenerate(y, "poisson", codes)
        params, bse, phi, df = _fit_quasi(y, X, "poisson", offset=np.log(e))
        what = "quasi-Poisson, log link, log(exposure) offset"
    else:
        _check_not_degenerate(y, "binomial", codes, trials=m)
        params, bse, phi, df = _fit_quasi(y / m, X, "binomial", var_weights=m)
        what = "quasi-binomial, logit link"
    return ITSResult(
        pre_trend=_effect(params[1], bse[1], df, conf),
        level_change=_effect(params[2], bse[2], df, conf),
        slope_change=_effect(params[3], bse[3], df, conf),
        dispersion=phi,
        df_resid=df,
        n_before=n_before,
        n_after=n_after,
        family=family,
        method=f"interrupted time series, segmented regression ({what})"
        + (", season effects" if season is not None else ""),
    )


# ----------------------------------------------------------------------------------------------------------
# multiple testing
# ----------------------------------------------------------------------------------------------------------
def bh_qvalues(pvalues: Any) -> np.ndarray:
    """Benjamini–Hochberg (1995) q-values, as R ``p.adjust(p, method = "BH")``.

    For the m non-missing p-values sorted ascending, p_(1) ≤ … ≤ p_(m)::

        q_(i) = min_{k ≥ i} min(1, m·p_(k)/k)

    computed with ``statsmodels.stats.multitest.multipletests(method="fdr_bh")``. NaN p-values are passed
    through as NaN and are not counted in m (R's ``p.adjust`` does the same with NA). The result has the input's
    shape. Raises ``ValueError`` for p-values outside [0, 1] or infinite values.
    """
    from statsmodels.stats.multitest import multipletests

    p = checks.numbers("pvalues", pvalues)
    checks.within("pvalues", checks.finite("pvalues", p), 0, 1)
    flat = p.ravel()
    ok = ~np.isnan(flat)
    out = np.full(flat.shape, np.nan)
    if ok.any():
        out[ok] = multipletests(flat[ok], method="fdr_bh")[1]
    return out.reshape(p.shape)
