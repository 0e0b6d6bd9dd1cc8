"""Indicator values over the two FOKUS periods: the yearly rows of :func:`kvalitet.indicators.compute` summed per
period (numerators and denominators added), with the value and its interval recomputed from the sums.

* rates (complaints per 1.000 decisions): Σ complaints / Σ decisions × 1.000, exact Poisson (Garwood) interval on
  the count;
* shares: Σ numerator / Σ denominator, Wilson interval;
* counts (complaints and inquiries received): Σ count over the period, exact Poisson interval on the count; when the
  plan is annualised (a status year) the value and interval are per year (divided by the years with data).

Medians cannot be added up over years and are not offered here. ``exposure_years`` is the years with data in the
period, a partial year (not over at the indicator's as-of date) counted by the share of its days with data: the
exposure of a count in the comparison test.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from .. import catalogue, indicators
from ..organisation import Organisation
from ..stats import poisson_ci, wilson_ci
from .plan import FokusPlan

#: the key indicators of the FOKUS comparison, in the order shown (complaints, appeals, deadlines, audits,
#: Borgerrådgiveren, satisfaction)
KEY_INDICATORS = (
    "complaints_received", "complaint_rate", "complaint_upheld_share", "appeal_reversal_share",
    "service_target_share", "audit_error_share", "inquiries_received", "inquiry_criticism_share",
    "satisfaction_share",
)
#: indicators whose sub-groups are compared too (complaints by kind: the formalitet/realitet split)
SUBGROUP_INDICATORS = ("complaints_received",)
#: the roles of the two periods
CURRENT = "current"
COMPARISON = "comparison"
BETWEEN = "between"

VALUE_COLUMNS = ["indicator", "role", "forvaltning", "area", "subgroup", "period", "numerator", "denominator",
                 "value", "ci_low", "ci_high", "years", "years_with_data", "exposure_years", "partial", "data_to"]


def scope_args(forvaltning: str | None, level: str | None = None) -> tuple[tuple[str, ...], dict | None]:
    """``by`` and ``where`` for a forvaltning (None: the whole municipality), optionally by ``level`` (area)."""
    if forvaltning:
        return (("forvaltning", level) if level else ("forvaltning",)), {"forvaltning": forvaltning}
    return ((level,) if level else ()), None


def supported(indicator_id: str) -> bool:
    """Whether the indicator can be summed over years (counts, rates and shares; not the medians)."""
    ind = catalogue.get(indicator_id)
    return ind.kind in ("count", "rate", "share") and indicator_id != "open_cases_over_target"


def role_of(year: int, plan: FokusPlan) -> str | None:
    if plan.start_year <= year <= plan.end_year:
        return CURRENT
    if plan.comparison_start_year <= year <= plan.comparison_end_year:
        return COMPARISON
    if plan.comparison_end_year < year < plan.start_year:
        return BETWEEN
    return None


def yearly(con, organisation: Organisation | None, forvaltning: str | None, plan: FokusPlan, ids, as_of=None,
           level: str | None = None, first_year: int | None = None) -> pd.DataFrame:
    """compute()'s yearly rows from ``first_year`` (default the comparison period's first year; 0: all years) to
    the plan's end, for the scope, with ``year`` (int), ``role`` and ``data_to`` (the last day with data: the
    indicator's as-of date, for a rate the end of its last whole month) added.

    compute() is called without a start date, so a year before a group's first data is absent (no data), not a
    year with 0 (compute() fills every period from ``start`` with zero counts)."""
    by, where = scope_args(forvaltning, level)
    df = indicators.compute(con, list(ids), period="year", by=by, end=plan.end, as_of=as_of,
                            organisation=organisation, where=where)
    df = df.copy()
    df["year"] = df["period"].map(lambda p: int(str(p)[:4]))
    df = df[df["year"] >= (plan.first_year if first_year is None else first_year)]
    df["role"] = df["year"].map(lambda y: role_of(y, plan))
    ends = {i: indicators.data_end(i, indicators.indicator_as_of(con, i, as_of)) for i in set(df["indicator"])}
    df["data_to"] = df["indicator"].map(lambda i: ends[i])
    return df


def _covered(year: int, data_to: date) -> float:
    """The share of the year's days up to ``data_to``."""
    lo, hi = date(year, 1, 1), date(year, 12, 31)
    if data_to >= hi:
        return 1.0
    if data_to < lo:
        return 0.0
    return ((data_to - lo).days + 1) / ((hi - lo).days + 1)


def period_values(con, organisation: Organisation | None, forvaltning: str | None, plan: FokusPlan,
                  ids=KEY_INDICATORS, as_of=None, level: str | None = None,
                  subgroups=SUBGROUP_INDICATORS) -> pd.DataFrame:
    """One row per indicator × group × sub-group × period role ('current', 'comparison') with the summed
    ``numerator``/``denominator`` (person counts, for disclosure), ``value``, ``ci_low``, ``ci_high``, ``years``
    (the period's length), ``years_with_data``, ``exposure_years``, ``partial`` and ``data_to``; columns
    :data:`VALUE_COLUMNS`. Sub-group rows only for the indicators in ``subgroups``. ``period`` is the Danish label.
    """
    ids = [i for i in ids if supported(i)]
    conf = organisation.thresholds.conf if organisation is not None else 0.95
    df = yearly(con, organisation, forvaltning, plan, ids, as_of, level)
    df = df[df["role"].isin([CURRENT, COMPARISON])]
    df = df[df["subgroup"].isna() | df["indicator"].isin(list(subgroups))]
    if "service_target_share" in ids:  # servicemål tier rows carry a subgroup; keep the total only
        df = df[~((df["indicator"] == "service_target_share") & df["subgroup"].notna())]
    if df.empty:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in VALUE_COLUMNS})
    df = df.assign(
        _cov=[_covered(y, d) for y, d in zip(df["year"], df["data_to"])],
        _has=df["value"].notna() | (df["numerator"].fillna(0) + df["denominator"].fillna(0) > 0),
        numerator=pd.to_numeric(df["numerator"], errors="coerce").astype(float),
        denominator=pd.to_numeric(df["denominator"], errors="coerce").astype(float),
    )
    keys = ["indicator", "role", "forvaltning", "area", "subgroup"]
    for k in keys[2:]:
        df[k] = df[k].astype(object).where(df[k].notna(), "\0")  # groupby keeps None groups this way
    g = df.groupby(keys, sort=False, dropna=False)
    out = g.agg(numerator=("numerator", lambda s: s.sum(min_count=1)),
                denominator=("denominator", lambda s: s.sum(min_count=1)),
                years_with_data=("_has", "sum"), partial=("partial", "any"), data_to=("data_to", "first")).reset_index()
    out["exposure_years"] = g.apply(lambda x: float((x["_cov"] * x["_has"]).sum()), include_groups=False).to_numpy()
    for k in keys[2:]:
        out[k] = out[k].where(out[k] != "\0", None)
    out["years"] = np.where(out["role"] == CURRENT, plan.years, plan.comparison_years)
    out["period"] = np.where(out["role"] == CURRENT, plan.label, plan.comparison_label)
    kinds = out["indicator"].map(lambda i: catalogue.get(i).kind)
    x = out["numerator"].to_numpy(dtype=float)
    n = out["denominator"].to_numpy(dtype=float)
    value = np.full(len(out), np.nan)
    lo = np.full(len(out), np.nan)
    hi = np.full(len(out), np.nan)
    has_x = np.isfinite(x)
    plo, phi = poisson_ci(np.where(has_x, x, 0), conf=conf)
    plo, phi = np.asarray(plo, dtype=float), np.asarray(phi, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = (kinds == "rate").to_numpy() & has_x & (n > 0)
        value[rate] = x[rate] / n[rate] * 1000
        lo[rate], hi[rate] = plo[rate] / n[rate] * 1000, phi[rate] / n[rate] * 1000
        share = (kinds == "share").to_numpy() & has_x & (n > 0)
        if share.any():
            wl, wh = wilson_ci(x[share].astype(int), n[share].astype(int), conf=conf)
            value[share] = x[share] / n[share]
            lo[share], hi[share] = np.asarray(wl, dtype=float), np.asarray(wh, dtype=float)
        count = (kinds == "count").to_numpy() & has_x & (out["years_with_data"].to_numpy() > 0)
        expo = out["exposure_years"].to_numpy(dtype=float)
        div = np.where(plan.annualised, expo, 1.0)
        ok = count & (div > 0)
        value[ok], lo[ok], hi[ok] = x[ok] / div[ok], plo[ok] / div[ok], phi[ok] / div[ok]
    out["value"], out["ci_low"], out["ci_high"] = value, lo, hi
    out["partial"] = out["partial"].astype(bool)
    for c in ("numerator", "denominator"):
        out[c] = pd.to_numeric(out[c]).round().astype("Int64")
    out["years_with_data"] = out["years_with_data"].astype(int)
    order = {i: k for k, i in enumerate(ids)}
    out = out.assign(_o=out["indicator"].map(order), _r=(out["role"] != CURRENT).astype(int),
                     _s=out["subgroup"].notna().astype(int))
    out = out.sort_values(["_o", "forvaltning", "area", "_s", "subgroup", "_r"], na_position="first",
                          kind="stable")
    return out[VALUE_COLUMNS].reset_index(drop=True)
