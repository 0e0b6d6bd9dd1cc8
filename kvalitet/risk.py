"""Risk tiers for risikobaseret ledelsestilsyn: 1 overvågning, 2 tilsyn, 3 intensiveret tilsyn.

For every forvaltning × område the rule adds up points (all numbers configurable under ``thresholds.risk`` in the
organisation file; :class:`kvalitet.organisation.RiskRule`):

* the latest manual assessment in ``risk_assessments`` (økonomi, jura, it; 1–3) as of its export's as-of date:
  each score 3 gives ``manual_high_points`` (2), each score 2 ``manual_medium_points`` (1);
* indicator signals for the latest complete year (judged by the earliest as-of date of the audits, appeals and
  cases exports; 2024 at 31 December 2024, 2023 at 31 January 2024), each ``signal_points`` (1):
  - the audit error share over the threshold (``over tærsklen``; ``sikkert over tærsklen`` gives
    ``surely_over_points`` (1) more);
  - the omgørelsesprocent over its target (or over ``reversal_share_above``, 25 %, when no target is set);
  - the share within servicemål under its target (or under ``service_share_below``, 75 %);
  - a trend in the wrong direction in the trend screening (q < 0.05) for complaint rate, omgørelsesprocent,
    audit error share, share within servicemål or processing time (one signal however many).

Tier 3 from ``tier3_from`` (4) points, tier 2 from ``tier2_from`` (2), else tier 1. The recommended audit sample per
tier is the number of cases that estimates the error share within ± ``precision`` (15, 10 and 7.5 percentage points
for tiers 1, 2, 3) at the expected error share ``expected_error_share`` (25 %), with the finite-population
correction for the number of decisions in that year when known (:func:`kvalitet.stats.audit_sample_size`).
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from . import catalogue, indicators, screening, shared
from . import targets as targets_mod
from .organisation import Organisation, RiskRule, Thresholds
from .stats import audit_sample_size

TIER_NAMES = {1: "overvågning", 2: "tilsyn", 3: "intensiveret tilsyn"}

RISK_COLUMNS = ["forvaltning", "area", "assessed", "economy", "legal", "it", "points", "tier", "tier_name",
                "reasons", "precision", "sample_size"]

RISK_HEADERS_DA = {
    "forvaltning": "Forvaltning", "area": "Område", "assessed": "Seneste vurdering", "economy": "Økonomi",
    "legal": "Jura", "it": "IT", "points": "Point", "tier": "Niveau", "tier_name": "Tilsynsniveau",
    "reasons": "Begrundelse", "precision": "Ønsket præcision (±)", "sample_size": "Anbefalet stikprøve",
}

#: indicators whose adverse trend is a risk signal
TREND_INDICATORS = ("complaint_rate", "appeal_reversal_share", "audit_error_share", "service_target_share",
                    "processing_days_median")

_SCORE_NAMES = {"economy": "økonomi", "legal": "jura", "it": "it"}

#: indicators whose value in the latest complete year is a risk signal
SIGNAL_INDICATORS = ("audit_error_share", "appeal_reversal_share", "service_target_share")
#: the tables those signals read: the latest complete year is judged by the earliest of their as-of dates
SIGNAL_TABLES = tuple(dict.fromkeys(t for i in SIGNAL_INDICATORS for t in catalogue.get(i).tables))


def _pct(x: float) -> str:
    return f"{x * 100:.1f}".replace(".", ",") + " %"


def _latest_assessments(con, as_of: date, where: dict) -> pd.DataFrame:
    sql = ("SELECT forvaltning, area, assessed, economy, legal, it FROM risk_assessments WHERE assessed <= ? "
           "QUALIFY row_number() OVER (PARTITION BY forvaltning, area ORDER BY assessed DESC) = 1")
    df = con.execute(sql, [as_of]).df()
    if "forvaltning" in where:
        df = df[df["forvaltning"].isin(where["forvaltning"])]
    if "area" in where:
        df = df[df["area"].isin(where["area"])]
    return df


def _areas_with_data(con, as_of: date, where: dict) -> pd.DataFrame:
    parts = [f"SELECT DISTINCT forvaltning, area FROM {t}" for t in ("complaints", "appeals", "cases", "audits",
                                                                      "decisions")]
    df = con.execute(" UNION ".join(parts)).df()
    for col in ("forvaltning", "area"):
        if col in where:
            df = df[df[col].isin(where[col])]
    return df


@shared.memo
def tiers(con, organisation: Organisation | None = None, as_of=None, where: dict | None = None,
          trends: pd.DataFrame | None = None) -> pd.DataFrame:
    """The risk tier of every forvaltning × område, with points, reasons and the recommended sample size."""
    thresholds = organisation.thresholds if organisation is not None else Thresholds()
    rule: RiskRule = thresholds.risk
    q = indicators.make_query(con, "year", ("forvaltning", "area"), None, None, as_of, organisation, where,
                              tables=("risk_assessments",))
    year = indicators.data_as_of(con, SIGNAL_TABLES, as_of, organisation).complete("year")
    latest = indicators.compute(
        con, list(SIGNAL_INDICATORS), period="year", by=("forvaltning", "area"), start=year.start, end=year.end,
        as_of=as_of, organisation=organisation, where=where)
    latest = latest[latest["subgroup"].isna()]
    if trends is None:
        trends = screening.screen(con, list(TREND_INDICATORS), period="year", by=("forvaltning", "area"),
                                  as_of=as_of, organisation=organisation, where=where, initiatives=False)
    decisions = con.execute(
        "SELECT forvaltning, area, sum(decisions) AS n FROM decisions WHERE month >= ? AND month <= ? GROUP BY ALL",
        [year.start, year.end]).df()
    pop = {(r.forvaltning, r.area): int(r.n) for r in decisions.itertuples()}

    assess = _latest_assessments(con, q.as_of, q.where)
    keys = pd.concat([assess[["forvaltning", "area"]], _areas_with_data(con, q.as_of, q.where)]).drop_duplicates()
    keys = keys.sort_values(["forvaltning", "area"]).reset_index(drop=True)
    by_key = {(r.forvaltning, r.area): r for r in assess.itertuples()}
    rows = []
    for fv, ar in keys.itertuples(index=False, name=None):
        points = 0
        reasons: list[str] = []
        a = by_key.get((fv, ar))
        scores = {}
        for col in ("economy", "legal", "it"):
            v = getattr(a, col) if a is not None else None
            v = None if v is None or pd.isna(v) else int(v)
            scores[col] = v
            if v == 3:
                points += rule.manual_high_points
                reasons.append(f"høj risiko ({_SCORE_NAMES[col]} = 3)")
            elif v == 2:
                points += rule.manual_medium_points
                reasons.append(f"middel risiko ({_SCORE_NAMES[col]} = 2)")
        if a is None:
            reasons.append("ingen manuel risikovurdering")
        mine = latest[(latest["forvaltning"] == fv) & (latest["area"] == ar)]

        def row_of(ind):
            r = mine[mine["indicator"] == ind]
            return None if r.empty or pd.isna(r["value"].iloc[-1]) else r.iloc[-1]

        au = row_of("audit_error_share")
        if au is not None and au["status"] in (targets_mod.STATUS_TH_OVER, targets_mod.STATUS_TH_SURELY_OVER):
            points += rule.signal_points
            extra = ""
            if au["status"] == targets_mod.STATUS_TH_SURELY_OVER:
                points += rule.surely_over_points
                extra = " (sikkert over)"
            reasons.append(f"fejlandel i stikprøver {_pct(au['value'])} over tærsklen {_pct(au['target_high'])}{extra}")
        rv = row_of("appeal_reversal_share")
        if rv is not None:
            if not np.isnan(rv["target_high"]):
                bad = rv["status"] in (targets_mod.STATUS_OVER, targets_mod.STATUS_SURELY_OVER)
                limit = rv["target_high"]
            else:
                limit = rule.reversal_share_above
                bad = rv["value"] > limit
            if bad:
                points += rule.signal_points
                reasons.append(f"omgørelsesprocent {_pct(rv['value'])} over {_pct(limit)}")
        sv = row_of("service_target_share")
        if sv is not None:
            if not np.isnan(sv["target_low"]):
                bad = sv["status"] in (targets_mod.STATUS_UNDER, targets_mod.STATUS_SURELY_UNDER)
                limit = sv["target_low"]
            else:
                limit = rule.service_share_below
                bad = sv["value"] < limit
            if bad:
                points += rule.signal_points
                reasons.append(f"andel inden for servicemål {_pct(sv['value'])} under {_pct(limit)}")
        if trends is not None and not trends.empty:
            t = trends[(trends["forvaltning"] == fv) & (trends["area"] == ar) & trends["subgroup"].isna()]
            adverse = []
            for r in t.itertuples():
                better = catalogue.get(r.indicator).better
                if (better == "lav" and r.direction == screening.RISING) or (
                        better == "høj" and r.direction == screening.FALLING):
                    name = catalogue.get(r.indicator).name.lower()
                    if name not in adverse:
                        adverse.append(name)
            if adverse:
                points += rule.signal_points
                reasons.append("udvikling i den forkerte retning: " + ", ".join(adverse))
        tier = 3 if points >= rule.tier3_from else 2 if points >= rule.tier2_from else 1
        precision = rule.precision[tier - 1]
        n = audit_sample_size(precision, expected=rule.expected_error_share, population=pop.get((fv, ar)) or None,
                              conf=thresholds.conf)
        rows.append({
            "forvaltning": fv, "area": ar, "assessed": a.assessed.date() if a is not None and hasattr(
                a.assessed, "date") else (a.assessed if a is not None else None),
            "economy": scores["economy"], "legal": scores["legal"], "it": scores["it"], "points": points,
            "tier": tier, "tier_name": TIER_NAMES[tier], "reasons": "; ".join(reasons) or "ingen risikotegn",
            "precision": precision, "sample_size": n,
        })
    out = pd.DataFrame(rows, columns=RISK_COLUMNS)
    for c in ("economy", "legal", "it"):
        out[c] = pd.to_numeric(out[c], errors="coerce").astype("Int64")
    return out
