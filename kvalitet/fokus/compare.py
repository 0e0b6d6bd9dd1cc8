"""The FOKUS comparison: the key indicators over the current period against the comparison period (biennium
against biennium in an evaluation year; the status year against the last evaluated period, per year), and the
trend over all years.

Tests (two-sided, :mod:`kvalitet.stats`):

* rates (complaints per 1.000 decisions): :func:`~kvalitet.stats.compare_rates` on the summed complaints with the
  summed decisions as exposure: rate ratio, exact conditional (binomial) test, as R ``poisson.test``;
* counts (complaints, inquiries received): :func:`~kvalitet.stats.compare_rates` with the years with data as
  exposure, i.e. the ratio of the counts per year (in an evaluation year the periods are equally long and the ratio
  is the ratio of the counts);
* shares: :func:`~kvalitet.stats.compare_proportions`: the difference (current − comparison, in fractions) with
  Newcombe's interval and the pooled z-test.

Multiplicity: Benjamini–Hochberg q-values (:func:`~kvalitet.stats.bh_qvalues`) across every row of one
:func:`comparison` table that has a p-value (the totals and the complaint kinds together). A row is ``steget`` or
``faldet`` when its q-value is below the FDR level (``thresholds.fdr``, default 0,05), ``ingen sikker ændring``
otherwise, ``kan ikke vurderes`` without data in both periods. ``judgement`` says whether the change is a
``forbedring`` or a ``forværring`` (the catalogue's ``better``).

The trend over all years (:func:`trend_table`) is the trend screening's (:func:`kvalitet.screening.run`): yearly
series up to the end of the current period, the primary method per indicator (quasi-Poisson rate ratio per year for
rates and counts, quasi-binomial odds ratio per year for shares), q-values across the series tested together.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import catalogue, screening
from ..organisation import Organisation, Thresholds
from ..stats import bh_qvalues, compare_proportions, compare_rates
from .plan import FokusPlan
from .values import COMPARISON, CURRENT, KEY_INDICATORS, SUBGROUP_INDICATORS, period_values, scope_args, supported

ROSE = "steget"
FELL = "faldet"
NO_SURE_CHANGE = screening.NO_CHANGE
CANNOT = "kan ikke vurderes"
VERDICTS = (ROSE, FELL, NO_SURE_CHANGE, CANNOT)
BETTER = "forbedring"
WORSE = "forværring"

#: what the estimate is, per kind of indicator
MEASURES = {"rate": "rateratio", "count": "rateratio", "share": "forskel"}

COMPARISON_COLUMNS = [
    "indicator", "name", "kind", "unit", "forvaltning", "area", "subgroup", "period", "comparison_period",
    "annualised",
    "numerator", "denominator", "value", "ci_low", "ci_high", "years_with_data", "partial",
    "comparison_numerator", "comparison_denominator", "comparison_value", "comparison_ci_low", "comparison_ci_high",
    "comparison_years_with_data", "comparison_partial",
    "measure", "estimate", "estimate_ci_low", "estimate_ci_high", "p_value", "q_value", "verdict", "judgement",
    "note",
]


def _thresholds(organisation: Organisation | None) -> Thresholds:
    return organisation.thresholds if organisation is not None else Thresholds()


def comparison(con, organisation: Organisation | None, forvaltning: str | None, plan: FokusPlan,
               indicators=KEY_INDICATORS, as_of=None, level: str | None = None,
               subgroups=SUBGROUP_INDICATORS) -> pd.DataFrame:
    """The key indicators, current period against comparison period, for ``forvaltning`` (None: the whole
    municipality; ``level='area'``: per area too). One row per indicator × group × sub-group with both periods'
    numerator, denominator (person counts, to disclose), value and interval, the estimate (rate ratio for rates and
    counts, difference for shares) with its interval, p- and q-value, ``verdict`` and ``judgement``; columns
    :data:`COMPARISON_COLUMNS`. Values of counts are per year when ``plan.annualised`` (``annualised`` column).
    See the module docstring for the tests and the multiplicity correction."""
    th = _thresholds(organisation)
    v = period_values(con, organisation, forvaltning, plan, indicators, as_of, level, subgroups)
    keys = ["indicator", "forvaltning", "area", "subgroup"]
    cur = v[v["role"] == CURRENT].drop(columns=["role", "years", "exposure_years", "data_to"])
    cmp_ = v[v["role"] == COMPARISON].drop(columns=["role", "years", "data_to"])
    exp_cur = v[v["role"] == CURRENT][keys + ["exposure_years"]]
    cur = cur.merge(exp_cur, on=keys, how="left")
    cmp_ = cmp_.rename(columns={c: f"comparison_{c}" for c in cmp_.columns if c not in keys})
    both = _with_missing(_merge(cur, cmp_, keys), [i for i in indicators if supported(i)], forvaltning)
    if both.empty:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in COMPARISON_COLUMNS})
    both["period"] = plan.label
    both["comparison_period"] = plan.comparison_label
    both["annualised"] = plan.annualised
    both["name"] = both["indicator"].map(lambda i: catalogue.get(i).name)
    both["kind"] = both["indicator"].map(lambda i: catalogue.get(i).kind)
    both["unit"] = both["indicator"].map(lambda i: catalogue.get(i).unit)
    both["measure"] = both["kind"].map(MEASURES)
    est, lo, hi, p, note = _tests(both, th.conf)
    both["estimate"], both["estimate_ci_low"], both["estimate_ci_high"], both["p_value"] = est, lo, hi, p
    both["q_value"] = bh_qvalues(p) if len(p) else p
    both["verdict"], both["judgement"] = _verdicts(both, th.fdr)
    both["note"] = [_note(n, r, plan) for n, r in zip(note, both.itertuples())]
    for c in ("partial", "comparison_partial"):
        both[c] = both[c].fillna(False).astype(bool)
    for c in ("years_with_data", "comparison_years_with_data"):
        both[c] = pd.to_numeric(both[c]).fillna(0).astype(int)
    for c in ("forvaltning", "area", "subgroup", "judgement", "note"):
        s = both[c].astype(object)
        both[c] = s.where(s.notna(), None)
    return both[COMPARISON_COLUMNS].reset_index(drop=True)


def _merge(cur: pd.DataFrame, cmp_: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Outer join on the keys, None-safe (a missing area or subgroup is a key value of its own), in the order of
    the current rows, then the comparison rows without a current row."""
    def k(df):
        return [tuple(None if pd.isna(x) else x for x in row) for row in df[keys].itertuples(index=False)]
    cur = cur.assign(_k=k(cur))
    cmp_ = cmp_.assign(_k=k(cmp_))
    both = cur.drop(columns=keys).merge(cmp_.drop(columns=keys), on="_k", how="outer", sort=False)
    order = {key: i for i, key in enumerate(list(cur["_k"]) + [x for x in cmp_["_k"] if x not in set(cur["_k"])])}
    both = both.assign(_o=both["_k"].map(order)).sort_values("_o")
    for i, c in enumerate(keys):
        both[c] = both["_k"].map(lambda t, i=i: t[i])
    return both.drop(columns=["_k", "_o"]).reset_index(drop=True)


def _with_missing(both: pd.DataFrame, ids: list[str], forvaltning: str | None) -> pd.DataFrame:
    """Add a row (without values) for each requested indicator with no data at all, so the table says what is
    missing; rows in the order of ``ids``."""
    have = set(both["indicator"]) if len(both) else set()
    extra = pd.DataFrame([{"indicator": i, "forvaltning": forvaltning, "area": None, "subgroup": None}
                          for i in ids if i not in have])
    if extra.empty:
        return both
    both = pd.concat([both, extra], ignore_index=True) if len(both) else extra
    order = {i: k for k, i in enumerate(ids)}
    return both.assign(_o=both["indicator"].map(order)).sort_values("_o", kind="stable").drop(columns="_o") \
        .reset_index(drop=True)


def _tests(both: pd.DataFrame, conf: float):
    n = len(both)
    est, lo, hi, p = (np.full(n, np.nan) for _ in range(4))
    note = np.full(n, None, dtype=object)
    x1 = pd.to_numeric(both["numerator"], errors="coerce").to_numpy(dtype=float)
    n1 = pd.to_numeric(both["denominator"], errors="coerce").to_numpy(dtype=float)
    x2 = pd.to_numeric(both["comparison_numerator"], errors="coerce").to_numpy(dtype=float)
    n2 = pd.to_numeric(both["comparison_denominator"], errors="coerce").to_numpy(dtype=float)
    e1 = pd.to_numeric(both["exposure_years"], errors="coerce").to_numpy(dtype=float)
    e2 = pd.to_numeric(both["comparison_exposure_years"], errors="coerce").to_numpy(dtype=float)
    kind = both["kind"].to_numpy()
    for i in range(n):
        if kind[i] == "share":
            if not (x1[i] >= 0 and x2[i] >= 0 and n1[i] > 0 and n2[i] > 0):
                continue
            r = compare_proportions(int(x1[i]), int(n1[i]), int(x2[i]), int(n2[i]), conf=conf)
            est[i], lo[i], hi[i], p[i], note[i] = r.difference, r.ci_low, r.ci_high, r.p, r.note
        else:
            t1, t2 = (n1[i], n2[i]) if kind[i] == "rate" else (e1[i], e2[i])
            if not (x1[i] >= 0 and x2[i] >= 0 and t1 > 0 and t2 > 0):
                continue
            r = compare_rates(int(x1[i]), float(t1), int(x2[i]), float(t2), conf=conf)
            est[i], lo[i], hi[i], p[i], note[i] = r.rate_ratio, r.ci_low, r.ci_high, r.p, r.note
    return est, lo, hi, p, note


def _verdicts(both: pd.DataFrame, fdr: float) -> tuple[list[str], list[str | None]]:
    verdicts, judgements = [], []
    for ind, measure, e, q in zip(both["indicator"], both["measure"], both["estimate"], both["q_value"]):
        if pd.isna(q) or pd.isna(e):
            verdicts.append(CANNOT)
            judgements.append(None)
            continue
        up = e > 1 if measure == "rateratio" else e > 0
        down = e < 1 if measure == "rateratio" else e < 0
        if q < fdr and (up or down):
            word = ROSE if up else FELL
            better = catalogue.get(ind).better
            good = (better == "lav" and word == FELL) or (better == "høj" and word == ROSE)
            verdicts.append(word)
            judgements.append((BETTER if good else WORSE) if better in ("lav", "høj") else None)
        else:
            verdicts.append(NO_SURE_CHANGE)
            judgements.append(None)
    return verdicts, judgements


def _note(test_note, r, plan: FokusPlan) -> str | None:
    """Why a row cannot be judged, or what limits it (Danish; None when nothing)."""
    parts = []
    if pd.isna(r.value) and pd.isna(r.comparison_value):
        parts.append("ingen data i nogen af perioderne")
    elif pd.isna(r.value):
        parts.append(f"ingen data i {plan.label}")
    elif pd.isna(r.comparison_value):
        parts.append(f"ingen data i {plan.comparison_label}")
    for n_years, total, label in ((r.years_with_data, plan.years, plan.label),
                                  (r.comparison_years_with_data, plan.comparison_years, plan.comparison_label)):
        if pd.notna(n_years) and 0 < n_years < total:
            parts.append(f"data for {int(n_years)} af {total} år i {label}")
    if pd.notna(r.partial) and bool(r.partial):
        parts.append(f"{plan.label} er ikke afsluttet ved opgørelsesdatoen")
    if isinstance(test_note, str) and test_note:
        parts.append(test_note)
    return "; ".join(parts) if parts else None


def trend_table(con, organisation: Organisation | None, forvaltning: str | None, plan: FokusPlan,
                indicators=KEY_INDICATORS, as_of=None) -> pd.DataFrame:
    """The yearly trend of each indicator over all years with data up to the end of the current period, for the
    scope: one row per indicator (totals only) with its primary method (the catalogue's ``trend_method``), the
    columns of :data:`kvalitet.screening.TREND_COLUMNS` plus ``name``. The screening's own q-values
    (Benjamini–Hochberg across every series it tested in this call) and directions (``stigende``, ``faldende``,
    ``ingen sikker ændring``, ``for kort serie``: fewer than ``thresholds.min_periods`` years)."""
    ids = [i for i in indicators if supported(i)]
    by, where = scope_args(forvaltning)
    tr, _ = screening.run(con, ids, period="year", by=by, end=plan.end, as_of=as_of, organisation=organisation,
                          where=where, initiatives=False)
    if tr.empty:
        return tr.assign(name=pd.Series(dtype=object))
    tr = tr[tr["subgroup"].isna()]
    tr = tr[tr["method"] == tr["indicator"].map(lambda i: catalogue.get(i).trend_method)].copy()
    tr["name"] = tr["indicator"].map(lambda i: catalogue.get(i).name)
    order = {i: k for k, i in enumerate(ids)}
    return tr.assign(_o=tr["indicator"].map(order)).sort_values("_o").drop(columns="_o").reset_index(drop=True)
