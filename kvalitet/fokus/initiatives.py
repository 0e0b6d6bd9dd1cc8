"""Evaluering af indsatsen: every initiative of the forvaltning (``initiatives:`` in the organisation file) with its
estimated effect on each indicator it names.

The estimate is the trend screening's interrupted time series (:func:`kvalitet.screening.initiative_effects`:
segmented quasi-Poisson/quasi-binomial regression on quarterly series of the initiative's forvaltning and area, level
change at the start date and change of the yearly trend), run on this forvaltning's initiatives only and on the data
up to the end of the FOKUS plan's current period, so its Benjamini–Hochberg q-values are across this forvaltning's
initiatives × indicators × (level, slope).

An initiative is *too young to evaluate* (``for ung til at vurdere``) when fewer than :data:`MIN_QUARTERS_AFTER`
whole quarters lie between its start and the end of the data (the plan's end or the indicator's as-of date, the
earlier): the estimate would rest on too few points after the start and is not shown. An initiative without
indicators says so (``ingen indikatorer``).

``verdict`` is the level change's: ``faldet`` / ``steget`` (q below the FDR level), ``ingen sikker ændring``,
``for ung til at vurdere``, ``kan ikke vurderes`` (too few quarters with data, or the model cannot be fitted: the
reason in ``note``), ``ingen indikatorer``. ``judgement`` is ``forbedring``/``forværring`` by the catalogue's
``better``. The person counts behind the series before and after the start are returned for disclosure.
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from .. import catalogue, formatting, indicators, periods, screening
from ..organisation import Organisation
from .compare import BETTER, CANNOT, FELL, NO_SURE_CHANGE, ROSE, WORSE
from .plan import FokusPlan

#: whole quarters after the start needed before an initiative is evaluated (one year)
MIN_QUARTERS_AFTER = 4
TOO_YOUNG = "for ung til at vurdere"
NO_INDICATORS = "ingen indikatorer"

INITIATIVE_COLUMNS = [
    "initiative", "forvaltning", "area", "start", "description", "indicator", "name", "measure", "first_period",
    "last_period", "covered", "n_periods", "quarters_after", "numerator_before", "denominator_before",
    "numerator_after", "denominator_after", "level_estimate", "level_ci_low", "level_ci_high", "level_p",
    "level_q", "slope_estimate", "slope_ci_low", "slope_ci_high", "slope_q", "slope_direction", "verdict",
    "judgement", "note",
]


def quarters_after(start: date, data_end: date) -> int:
    """Whole quarters from ``start`` to ``data_end`` whose midpoint is at or after ``start`` (the quarters the
    interrupted time series counts as 'after')."""
    t0 = screening.decimal_year(start)
    return sum(1 for p in periods.periods_between(start, data_end, "quarter")
               if p.end <= data_end and screening.period_time(p.label) >= t0)


def _counts(con, organisation, ini, indicator_id: str, plan: FokusPlan, as_of) -> dict:
    """The person counts of the quarterly series before and after the start (complete quarters up to the plan's
    end)."""
    where = {"forvaltning": ini.forvaltning} | ({"area": ini.area} if ini.area else {})
    df = indicators.compute(con, [indicator_id], period="quarter", by=tuple(where), end=plan.end, as_of=as_of,
                            organisation=organisation, where=where)
    df = df[df["subgroup"].isna() & ~df["partial"]]
    after = df["period"].map(screening.period_time).to_numpy(dtype=float) >= screening.decimal_year(ini.start)
    out = {}
    for part, sel in (("before", ~after), ("after", after)):
        for c in ("numerator", "denominator"):
            s = pd.to_numeric(df.loc[sel, c], errors="coerce")
            out[f"{c}_{part}"] = int(s.sum()) if s.notna().any() else None
    return out


def initiative_table(con, organisation: Organisation, forvaltning: str | None, plan: FokusPlan, as_of=None
                     ) -> pd.DataFrame:
    """One row per initiative × indicator of the forvaltning (None: every initiative), an initiative without
    indicators as one row; columns :data:`INITIATIVE_COLUMNS` (see the module docstring). Estimates are odds ratios
    for shares and rate ratios for rates and counts (``measure``)."""
    inits = [i for i in organisation.initiatives if forvaltning is None or i.forvaltning == forvaltning]
    if not inits:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in INITIATIVE_COLUMNS})
    sub = organisation.model_copy(update={"initiatives": inits})
    ef = screening.initiative_effects(con, sub, period="year", end=plan.end, as_of=as_of)
    fdr = organisation.thresholds.fdr
    rows = []
    for ini in inits:
        base = {"initiative": ini.name, "forvaltning": ini.forvaltning, "area": ini.area, "start": ini.start,
                "description": ini.description}
        if not ini.indicators:
            rows.append(base | {"verdict": NO_INDICATORS,
                                "note": "indsatsen nævner ingen indikatorer i organisationsfilen"})
            continue
        for ind_id in ini.indicators:
            ind = catalogue.get(ind_id)
            data_end = min(plan.end, indicators.data_end(ind_id, indicators.indicator_as_of(con, ind_id, as_of)))
            k = quarters_after(ini.start, data_end)
            mine = ef[(ef["initiative"] == ini.name) & (ef["indicator"] == ind_id)]
            lvl = mine[mine["method"] == "its_level"]
            slope = mine[mine["method"] == "its_slope"]
            row = base | {"indicator": ind_id, "name": ind.name,
                          "measure": "oddsratio" if ind.kind == "share" else "rateratio", "quarters_after": k}
            row |= _counts(con, organisation, ini, ind_id, plan, as_of)
            if len(lvl):
                r = lvl.iloc[0]
                row |= {"first_period": r["first_period"], "last_period": r["last_period"],
                        "n_periods": r["n_periods"], "note": r["note"]}
                if r["first_period"] and r["last_period"]:
                    row["covered"] = (f"{formatting.period_label(r['first_period'])}–"
                                      f"{formatting.period_label(r['last_period'])}")
            if k < MIN_QUARTERS_AFTER:
                row |= {"verdict": TOO_YOUNG,
                        "note": f"{k} hele kvartaler efter start ({formatting.long_date(ini.start)}) til "
                                f"{formatting.long_date(data_end)}; der kræves mindst {MIN_QUARTERS_AFTER}"}
                rows.append(row)
                continue
            if lvl.empty or pd.isna(lvl.iloc[0]["estimate"]):
                row["verdict"] = CANNOT
                rows.append(row)
                continue
            r = lvl.iloc[0]
            row |= {"level_estimate": r["estimate"], "level_ci_low": r["ci_low"], "level_ci_high": r["ci_high"],
                    "level_p": r["p_value"], "level_q": r["q_value"]}
            if len(slope):
                s = slope.iloc[0]
                row |= {"slope_estimate": s["estimate"], "slope_ci_low": s["ci_low"], "slope_ci_high": s["ci_high"],
                        "slope_q": s["q_value"], "slope_direction": s["direction"]}
            sure = pd.notna(r["q_value"]) and r["q_value"] < fdr and r["estimate"] != 1
            if sure:
                word = FELL if r["estimate"] < 1 else ROSE
                good = (ind.better == "lav" and word == FELL) or (ind.better == "høj" and word == ROSE)
                row |= {"verdict": word,
                        "judgement": (BETTER if good else WORSE) if ind.better in ("lav", "høj") else None}
            else:
                row["verdict"] = NO_SURE_CHANGE
            rows.append(row)
    out = pd.DataFrame(rows).reindex(columns=INITIATIVE_COLUMNS)
    for c in ("level_estimate", "level_ci_low", "level_ci_high", "level_p", "level_q", "slope_estimate",
              "slope_ci_low", "slope_ci_high", "slope_q"):
        out[c] = pd.to_numeric(out[c], errors="coerce").astype(float)
    for c in ("n_periods", "quarters_after", "numerator_before", "denominator_before", "numerator_after",
              "denominator_after"):
        out[c] = pd.to_numeric(out[c], errors="coerce").astype("Int64")
    obj = [c for c in INITIATIVE_COLUMNS if out[c].dtype == object]
    for c in obj:
        out[c] = out[c].where(out[c].notna(), None)
    return out
