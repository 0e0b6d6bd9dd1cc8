"""Sections of the quality follow-up report (kvalitetsopfølgning): the audit error share by area against the
threshold (over / sikkert over), the error share per checklist item, and recommended sample sizes for the next
round."""

from __future__ import annotations

import pandas as pd

from .. import catalogue, charts, formatting, periods, risk
from .. import targets as targets_mod
from ..present import Report
from . import common

INDICATORS = ["audit_error_share", "audit_item_error_share"]
TABLES = ["audits"]


def error_share_by_area(rep: Report, forvaltning: str | None, period: str = "year", start=None, end=None
                        ) -> pd.DataFrame:
    """The share of audited cases with at least one error, per area, against the threshold."""
    sc = common.scope(rep, forvaltning)
    cur = common.compare_groups(rep, sc, "audit_error_share", period, start, end, level="forvaltning_area")
    if cur.empty:
        return cur
    th = rep.organisation.thresholds.audit_error_share
    surely = cur[cur["status"] == targets_mod.STATUS_TH_SURELY_OVER]
    over = cur[cur["status"] == targets_mod.STATUS_TH_OVER]
    name = (lambda r: r["area"] if forvaltning else f"{r['forvaltning']}: {r['area']}")
    parts = []
    if len(surely):
        parts.append(f"sikkert over tærsklen på {formatting.percent(th, 0)}: "
                     + ", ".join(name(r) for _, r in surely.iterrows()))
    if len(over):
        parts.append("over tærsklen, men det kan skyldes tilfældig variation: "
                     + ", ".join(name(r) for _, r in over.iterrows()))
    if parts:
        rep.text("Fejlandelen er " + "; ".join(parts) + ".")
    else:
        rep.text(f"Intet område har en fejlandel over tærsklen på {formatting.percent(th, 0)}.")
    return cur


def error_share_over_time(rep: Report, forvaltning: str | None, period: str = "year", start=None, end=None
                          ) -> pd.DataFrame:
    sc = common.scope(rep, forvaltning)
    return common.series(rep, sc, "audit_error_share", period, start, end, show_table=False)


def error_share_by_item(rep: Report, forvaltning: str | None, period: str = "year", start=None, end=None
                        ) -> pd.DataFrame:
    """The error share per checklist item in the latest period, against the threshold."""
    sc = common.scope(rep, forvaltning)
    ind = catalogue.get("audit_item_error_share")
    df = common.compute(rep, ["audit_item_error_share"], period, start, end, by=sc.total_by, where=sc.where)
    df = df[df["subgroup"].notna() & (df["denominator"].fillna(0) > 0)]
    if df.empty:
        common.no_data(rep, ind.name)
        return pd.DataFrame()
    last = max(df["period"], key=periods.sort_key)
    cur = df[df["period"] == last].sort_values("value", ascending=False)
    table = pd.DataFrame({
        "Tjekpunkt": cur["subgroup"], "Fejl": cur["numerator"], "Vurderet (ok eller fejl)": cur["denominator"],
        "Fejlandel": cur["value"].map(formatting.percent),
        "95 %-konfidensinterval": [common.fmt_interval("audit_item_error_share", a, b)
                                   for a, b in zip(cur["ci_low"], cur["ci_high"])],
        "Status": cur["status"].map(common.status_text),
    })
    rep.table(table, f"{ind.name}, {formatting.period_label(last)}", counts=["Fejl", "Vurderet (ok eller fejl)"],
              row_totals=False, derived=["Fejlandel", "95 %-konfidensinterval"], note=ind.definition)
    th = rep.organisation.thresholds.audit_error_share
    top = cur.iloc[0]
    title = (f"Flest fejl på tjekpunktet «{top['subgroup']}» ({formatting.percent(top['value'])}) i "
             f"{formatting.period_label(last)}")
    fig = charts.dot_ci(list(cur["subgroup"]), cur["value"], cur["ci_low"], cur["ci_high"], title=title,
                        xlabel="Fejlandel", percent=True, target=(None, th),
                        flags=cur["status"].isin(targets_mod.BAD_STATUSES).to_numpy(), source=rep.source,
                        as_of_label=rep.as_of_label)
    rep.figure(fig, alt=(f"Prikdiagram over fejlandelen pr. tjekpunkt i {formatting.period_label(last)} med "
                         f"95 %-konfidensinterval og tærsklen {formatting.percent(th, 0)} som lodret linje. "
                         + "; ".join(f"{s}: {formatting.percent(v)}" for s, v in zip(cur["subgroup"], cur["value"]))
                         + "."))
    return cur


def sample_sizes(rep: Report, forvaltning: str | None) -> pd.DataFrame:
    """Recommended sample sizes for the next round, per area, from the risk tiers."""
    sc = common.scope(rep, forvaltning)
    t = risk.tiers(rep.con, rep.organisation, rep.as_of, sc.where)
    if t.empty:
        common.no_data(rep, "Anbefalede stikprøver")
        return t
    table = pd.DataFrame({
        **({"Forvaltning": t["forvaltning"]} if not forvaltning else {}),
        "Område": t["area"], "Tilsynsniveau": t["tier"].astype(str) + " " + t["tier_name"],
        "Ønsket præcision": t["precision"].map(lambda p: "± " + formatting.number(p * 100, 1) + " procentpoint"),
        "Anbefalet stikprøve (sager)": t["sample_size"].map(formatting.count),
    })
    rep.table(table, "Anbefalede stikprøver til næste runde", note=(
        "Antal sager, der skal gennemgås, for at fejlandelen kan bestemmes med den ønskede præcision (95 %), når "
        "den forventede fejlandel er 25 %, med korrektion for antallet af afgørelser i området. Præcisionen følger "
        "tilsynsniveauet i risikobilledet."))
    rep.text(f"I alt anbefales {formatting.count(t['sample_size'].sum())} stikprøvesager fordelt på "
             f"{formatting.count(len(t))} områder.")
    return t
