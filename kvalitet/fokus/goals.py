"""Kvalitetsmål: which indicators have a target for the forvaltning, and how each stands over the current period
(and stood over the comparison period).

The Borgerrådgiver's first FOKUS recommendation asks for real quality targets for case handling beyond user
satisfaction and processing deadlines. Each target is therefore classed (``target_kind``):

* ``tilfredshed`` — satisfaction (family Tilfredshed);
* ``frister`` — processing times and deadlines (family Sagsbehandling, and the response time on complaints);
* ``kvalitet`` — everything else (complaints, medhold, omgørelse, audits, Borgerrådgiver criticism, …).

``source`` says where the target comes from: ``organisationsfil`` (the indicator's key under ``targets:`` in the
organisation file, in general or for this forvaltning), ``standard`` (the catalogue's default, e.g. the 80–85 %
stadfæstelsesprocent) or ``tærskel`` (the audit threshold, ``thresholds.audit_error_share``).

The value is the period's (numerators and denominators summed over its years, :func:`period_values`); a count
(måltal for antal klager) is per year, as its target is. The status is :func:`kvalitet.targets.apply`'s, so the
words are the same as everywhere else (opfyldt, over målet, sikkert over målet, over tærsklen, …). Targets on
medians (processing days) cannot be summed over years and are left out, as are per-area overrides (``per_area``) and
the servicemål tiers (deadlines); the forvaltning's overall target is used.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import catalogue
from .. import targets as targets_mod
from ..organisation import Organisation
from .plan import FokusPlan
from .values import COMPARISON, CURRENT, period_values, supported

QUALITY = "kvalitet"
SATISFACTION = "tilfredshed"
DEADLINES = "frister"
FROM_FILE = "organisationsfil"
DEFAULT = "standard"
THRESHOLD = "tærskel"

TARGET_COLUMNS = [
    "indicator", "name", "unit", "target_kind", "source", "period", "per_year", "numerator", "denominator", "value",
    "ci_low", "ci_high", "target_low", "target_high", "status", "comparison_period", "comparison_numerator",
    "comparison_denominator", "comparison_value", "comparison_status", "note",
]


def target_kind(indicator_id: str) -> str:
    ind = catalogue.get(indicator_id)
    if ind.family == "Tilfredshed":
        return SATISFACTION
    if ind.family == "Sagsbehandling" or indicator_id == "complaint_response_days_median":
        return DEADLINES
    return QUALITY


def targeted(organisation: Organisation | None, forvaltning: str | None) -> dict[str, str]:
    """Indicator id -> source of its target, for the indicators with a target for ``forvaltning`` (None: the
    general target), in catalogue order."""
    out = {}
    given = organisation.targets.model_fields_set if organisation is not None else set()
    for i in catalogue.IDS:
        lo, hi = targets_mod.target_for(i, forvaltning, None, organisation, "year")
        if lo is None and hi is None:
            continue
        if i in given:
            out[i] = FROM_FILE
        elif catalogue.get(i).threshold:
            out[i] = THRESHOLD
        else:
            out[i] = DEFAULT
    return out


def target_table(con, organisation: Organisation | None, forvaltning: str | None, plan: FokusPlan,
                 as_of=None) -> pd.DataFrame:
    """Every indicator with a target for the forvaltning, with its value, interval and status over the current
    period and its value and status over the comparison period; columns :data:`TARGET_COLUMNS`. Quality targets
    first (``target_kind`` 'kvalitet'), then satisfaction and deadlines. An indicator without data has status
    ``ingen data``; a target on a median has a note and no value."""
    src = targeted(organisation, forvaltning)
    ids = [i for i in src if supported(i)]
    v = period_values(con, organisation, forvaltning, plan, ids, as_of, subgroups=())
    rows = []
    for i in src:
        ind = catalogue.get(i)
        base = {"indicator": i, "name": ind.name, "unit": ind.unit, "target_kind": target_kind(i), "source": src[i],
                "period": plan.label, "comparison_period": plan.comparison_label,
                "per_year": ind.kind == "count", "note": None}
        for role, prefix in ((CURRENT, ""), (COMPARISON, "comparison_")):
            r = v[(v["indicator"] == i) & (v["role"] == role)]
            num = r["numerator"].iloc[0] if len(r) else pd.NA
            den = r["denominator"].iloc[0] if len(r) else pd.NA
            val, lo, hi = ((float(r[c].iloc[0]) for c in ("value", "ci_low", "ci_high")) if len(r)
                           else (np.nan, np.nan, np.nan))
            if len(r) and ind.kind == "count" and not plan.annualised:
                expo = float(r["exposure_years"].iloc[0])
                val, lo, hi = (x / expo if expo > 0 else np.nan for x in (val, lo, hi))
            base.update({f"{prefix}numerator": num, f"{prefix}denominator": den, f"{prefix}value": val})
            if role == CURRENT:
                base.update(ci_low=lo, ci_high=hi)
            else:
                base.update(_cmp_lo=lo, _cmp_hi=hi)
        if not supported(i):
            base["note"] = "målet gælder en median, som ikke kan lægges sammen over år; se de årlige tal"
        rows.append(base)
    if not rows:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in TARGET_COLUMNS})
    out = pd.DataFrame(rows)
    out["forvaltning"] = forvaltning
    out["area"] = None
    cur = targets_mod.apply(out.copy(), organisation, "year")
    out["target_low"], out["target_high"], out["status"] = cur["target_low"], cur["target_high"], cur["status"]
    comp = out[["indicator", "forvaltning", "area", "comparison_numerator", "comparison_denominator",
                "comparison_value", "_cmp_lo", "_cmp_hi"]].set_axis(
        ["indicator", "forvaltning", "area", "numerator", "denominator", "value", "ci_low", "ci_high"], axis=1)
    out["comparison_status"] = targets_mod.apply(comp, organisation, "year")["status"]
    order = {QUALITY: 0, SATISFACTION: 1, DEADLINES: 2}
    out = out.assign(_o=out["target_kind"].map(order)).sort_values("_o", kind="stable")
    for c in ("numerator", "denominator", "comparison_numerator", "comparison_denominator"):
        out[c] = pd.to_numeric(out[c], errors="coerce").round().astype("Int64")
    return out[TARGET_COLUMNS].reset_index(drop=True)
