"""The FOKUS overview across forvaltninger (in the spirit of Økonomiforvaltningen's notat of 2021 on the
forvaltningers' work with complaints): one row per forvaltning × theme with the value over the plan's current period,
the value over the comparison period, the person counts behind both (to disclose) and a status.

Themes (:data:`THEMES`, in order) and how each status is set:

* ``targets`` — the forvaltning's own quality targets beyond satisfaction and deadlines (organisation file,
  :func:`target_table` rows of kind 'kvalitet' and source 'organisationsfil'): ``god`` with at least one,
  ``mangler`` with none. The value is their number.
* ``complaint_target`` — a måltal for klager (an own target on ``complaints_received`` or ``complaint_rate``):
  ``mangler`` without one; else the target status over the current period: opfyldt → ``god``, over/under the
  target but not surely → ``følg``, surely → ``problem``, no data → ``ingen data``.
* ``complaint_rate``, ``complaint_upheld_share``, ``appeal_reversal_share``, ``service_target_share``,
  ``inquiry_criticism_share`` — the FOKUS comparison (:func:`comparison` over every forvaltning at once, so the
  Benjamini–Hochberg q-values are across the whole grid): a sure change for the better → ``god``, for the worse →
  ``problem``, no sure change → ``uændret``; a value that cannot be compared (no data in the comparison period) →
  ``orientering``; no value in the current period → ``ingen data``.
* ``complaint_kinds`` — the formalitet share of the complaints received in the current period (formalitet plus
  formalitet og realitet, of all): ``orientering`` (no judgement), ``ingen data`` without complaints.
* ``audit_error_share`` — against the audit threshold (:func:`target_table`): under tærsklen → ``god``, over
  tærsklen → ``følg``, sikkert over → ``problem``, no audits → ``ingen data``.
* ``open_findings`` — the findings register (up to the plan's end year): any open finding past its due date →
  ``problem``, open findings → ``følg``, none open → ``god``, nothing registered → ``ingen data``. The value is the
  number open, ``detail`` says how many are overdue.
* ``initiatives`` — the forvaltning's initiatives (:func:`initiative_table`): each with at least one indicator
  estimated (a verdict other than too young, cannot be judged, no indicators) counts as evaluated; all evaluated →
  ``god``, some → ``følg``, none evaluated → ``følg``, no initiatives → ``mangler``.
"""

from __future__ import annotations

import pandas as pd

from .. import catalogue, contract
from .. import targets as targets_mod
from ..indicators import lookups
from ..organisation import Organisation
from .compare import BETTER, CANNOT, NO_SURE_CHANGE, WORSE, comparison
from .goals import FROM_FILE, QUALITY, target_table
from .initiatives import NO_INDICATORS, TOO_YOUNG, initiative_table
from .plan import FokusPlan

GOOD = "god"
WATCH = "følg"
BAD = "problem"
STEADY = "uændret"
ABSENT = "mangler"
NO_DATA = "ingen data"
INFO = "orientering"
STATUSES = (GOOD, WATCH, BAD, STEADY, INFO, ABSENT, NO_DATA)

#: theme id → the Danish row label
THEMES = {
    "targets": "Egne kvalitetsmål",
    "complaint_target": "Måltal for klager",
    "complaint_rate": "Klager pr. 1.000 afgørelser",
    "complaint_kinds": "Formalitetsklager (andel)",
    "complaint_upheld_share": "Medhold i klager",
    "appeal_reversal_share": "Omgørelsesprocent",
    "service_target_share": "Servicemål overholdt",
    "audit_error_share": "Fejlandel i stikprøver",
    "inquiry_criticism_share": "Kritik fra Borgerrådgiveren",
    "open_findings": "Åbne fund",
    "initiatives": "Evaluerede indsatser",
}
#: the themes judged by the period comparison
COMPARED = ("complaint_rate", "complaint_upheld_share", "appeal_reversal_share", "service_target_share",
            "inquiry_criticism_share")
COMPLAINT_TARGETS = ("complaints_received", "complaint_rate")
FORMALITET_KINDS = ("formalitet", "formalitet og realitet")

OVERVIEW_COLUMNS = ["forvaltning", "theme", "label", "status", "unit", "value", "ci_low", "ci_high", "comparison_value",
                    "numerator", "denominator", "comparison_numerator", "comparison_denominator", "persons",
                    "target_low", "target_high", "verdict", "judgement", "detail"]


def _target_status(status) -> str:
    if status == targets_mod.STATUS_MET or status in (targets_mod.STATUS_TH_UNDER, targets_mod.STATUS_ABOVE_BAND,
                                                      targets_mod.STATUS_BELOW_BAND):
        return GOOD
    if status in (targets_mod.STATUS_OVER, targets_mod.STATUS_UNDER, targets_mod.STATUS_TH_OVER):
        return WATCH
    if status in (targets_mod.STATUS_SURELY_OVER, targets_mod.STATUS_SURELY_UNDER,
                  targets_mod.STATUS_TH_SURELY_OVER):
        return BAD
    return NO_DATA


def _comparison_status(r) -> str:
    if pd.isna(r["value"]):
        return NO_DATA
    if r["verdict"] == CANNOT:
        return INFO
    if r["verdict"] == NO_SURE_CHANGE:
        return STEADY
    return {BETTER: GOOD, WORSE: BAD}.get(r["judgement"], STEADY)


def overview(con, organisation: Organisation, plan: FokusPlan, as_of=None) -> pd.DataFrame:
    """One row per forvaltning × theme (organisation order × :data:`THEMES` order); columns
    :data:`OVERVIEW_COLUMNS` (``ci_low``/``ci_high``: the current value's interval, for the compared themes).
    ``persons`` says whether the counts are persons' cases (disclose them) or things
    (targets, findings, initiatives: shown as they are)."""
    codes = organisation.codes
    cmp = comparison(con, organisation, None, plan, indicators=("complaints_received",) + COMPARED, as_of=as_of,
                     level="forvaltning")
    found = lookups.findings(con, None, as_of)
    found = found[found["year"] <= plan.end_year]
    inits = initiative_table(con, organisation, None, plan, as_of=as_of)
    rows = []
    for code in codes:
        tt = target_table(con, organisation, code, plan, as_of=as_of)
        mine = cmp[cmp["forvaltning"] == code]
        rows.append(_targets_row(code, tt))
        rows.append(_complaint_target_row(code, tt))
        rows.append(_compared_row(code, "complaint_rate", mine))
        rows.append(_kinds_row(code, mine))
        for theme in COMPARED[1:3]:
            rows.append(_compared_row(code, theme, mine))
        rows.append(_compared_row(code, "service_target_share", mine))
        rows.append(_audit_row(code, tt))
        rows.append(_compared_row(code, "inquiry_criticism_share", mine))
        rows.append(_findings_row(code, found))
        rows.append(_initiatives_row(code, inits))
    out = pd.DataFrame(rows).reindex(columns=OVERVIEW_COLUMNS)
    out["label"] = out["theme"].map(THEMES)
    for c in ("numerator", "denominator", "comparison_numerator", "comparison_denominator"):
        out[c] = pd.to_numeric(out[c], errors="coerce").round().astype("Int64")
    for c in ("value", "ci_low", "ci_high", "comparison_value", "target_low", "target_high"):
        out[c] = pd.to_numeric(out[c], errors="coerce").astype(float)
    out["persons"] = out["persons"].fillna(False).astype(bool)
    return out


def _base(code: str, theme: str, status: str, **kw) -> dict:
    return {"forvaltning": code, "theme": theme, "status": status, **kw}


def _targets_row(code: str, tt: pd.DataFrame) -> dict:
    own = tt[(tt["target_kind"] == QUALITY) & (tt["source"] == FROM_FILE)]
    return _base(code, "targets", GOOD if len(own) else ABSENT, unit="count", value=len(own),
                 detail=", ".join(own["name"]) or None)


def _complaint_target_row(code: str, tt: pd.DataFrame) -> dict:
    own = tt[tt["indicator"].isin(COMPLAINT_TARGETS) & (tt["source"] == FROM_FILE)]
    if own.empty:
        return _base(code, "complaint_target", ABSENT)
    r = own.iloc[0]  # complaints_received comes before complaint_rate in the catalogue
    ind = catalogue.get(r["indicator"])
    return _base(code, "complaint_target", _target_status(r["status"]), unit=ind.unit, value=r["value"],
                 comparison_value=r["comparison_value"], numerator=r["numerator"], denominator=r["denominator"],
                 comparison_numerator=r["comparison_numerator"],
                 comparison_denominator=r["comparison_denominator"], persons=True, target_low=r["target_low"],
                 target_high=r["target_high"], detail=r["indicator"])


def _compared_row(code: str, theme: str, mine: pd.DataFrame) -> dict:
    r = mine[(mine["indicator"] == theme) & mine["subgroup"].isna()]
    unit = catalogue.get(theme).unit
    if r.empty:
        return _base(code, theme, NO_DATA, unit=unit)
    r = r.iloc[0]
    return _base(code, theme, _comparison_status(r), unit=unit, value=r["value"], ci_low=r["ci_low"],
                 ci_high=r["ci_high"], comparison_value=r["comparison_value"], numerator=r["numerator"], denominator=r["denominator"],
                 comparison_numerator=r["comparison_numerator"], comparison_denominator=r["comparison_denominator"],
                 persons=True, verdict=r["verdict"], judgement=r["judgement"])


def _kinds_row(code: str, mine: pd.DataFrame) -> dict:
    rec = mine[mine["indicator"] == "complaints_received"]
    total = rec[rec["subgroup"].isna()]
    parts = rec[rec["subgroup"].isin(FORMALITET_KINDS)]
    out = {}
    for prefix, col in (("", "numerator"), ("comparison_", "comparison_numerator")):
        n = pd.to_numeric(total[col], errors="coerce").sum(min_count=1) if len(total) else float("nan")
        x = pd.to_numeric(parts[col], errors="coerce").sum(min_count=1) if len(parts) else 0
        x = 0 if pd.isna(x) else x
        out[f"{prefix}numerator"], out[f"{prefix}denominator"] = (x, n) if pd.notna(n) and n > 0 else (None, None)
        out[f"{prefix}value"] = x / n if pd.notna(n) and n > 0 else float("nan")
    status = INFO if pd.notna(out["value"]) else NO_DATA
    return _base(code, "complaint_kinds", status, unit=catalogue.UNIT_SHARE, persons=True, **out)


def _audit_row(code: str, tt: pd.DataFrame) -> dict:
    r = tt[tt["indicator"] == "audit_error_share"]
    if r.empty:
        return _base(code, "audit_error_share", NO_DATA, unit=catalogue.UNIT_SHARE)
    r = r.iloc[0]
    return _base(code, "audit_error_share", _target_status(r["status"]), unit=catalogue.UNIT_SHARE,
                 value=r["value"], comparison_value=r["comparison_value"], numerator=r["numerator"],
                 denominator=r["denominator"], comparison_numerator=r["comparison_numerator"],
                 comparison_denominator=r["comparison_denominator"], persons=True, target_low=r["target_low"],
                 target_high=r["target_high"])


def _findings_row(code: str, found: pd.DataFrame) -> dict:
    mine = found[found["forvaltning"] == code]
    if mine.empty:
        return _base(code, "open_findings", NO_DATA, unit="count")
    is_open = ~mine["status"].isin(contract.RECOMMENDATION_CLOSED)
    n_open, n_over = int(is_open.sum()), int(mine["overdue"].sum())
    status = BAD if n_over else (WATCH if n_open else GOOD)
    return _base(code, "open_findings", status, unit="count", value=n_open, comparison_value=len(mine),
                 detail=str(n_over))


def _initiatives_row(code: str, inits: pd.DataFrame) -> dict:
    mine = inits[inits["forvaltning"] == code] if len(inits) else inits
    if mine is None or mine.empty:
        return _base(code, "initiatives", ABSENT, unit="count", value=0)
    not_estimated = (TOO_YOUNG, CANNOT, NO_INDICATORS)
    per = mine.groupby("initiative", sort=False)["verdict"].apply(lambda v: any(x not in not_estimated for x in v))
    n, k = len(per), int(per.sum())
    young = int(mine.groupby("initiative", sort=False)["verdict"].apply(lambda v: all(x == TOO_YOUNG for x in v))
                .sum())
    return _base(code, "initiatives", GOOD if k == n else WATCH, unit="count", value=k, comparison_value=n,
                 detail=str(young))
