"""Sections of the quality follow-up report (kvalitetsopfølgning): the audit error share by area against the
threshold (over / sikkert over), the error share per checklist item, and recommended sample sizes for the next
round."""

from __future__ import annotations


import numpy as np
import pandas as pd

from .. import catalogue, charts, disclosure, formatting, narrative, periods, risk
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
    shown = cur[~cur["hidden"]]
    surely = shown[shown["status"] == targets_mod.STATUS_TH_SURELY_OVER]
    over = shown[shown["status"] == targets_mod.STATUS_TH_OVER]
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
        rep.text(f"Intet område, hvis tal kan vises, har en fejlandel over tærsklen på {formatting.percent(th, 0)}."
                 if cur["hidden"].any() else
                 f"Intet område har en fejlandel over tærsklen på {formatting.percent(th, 0)}.")
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
    df = common.complete(df[df["subgroup"].notna() & (df["denominator"].fillna(0) > 0)])
    if df.empty:
        common.no_data(rep, ind.name)
        return pd.DataFrame()
    last = max(df["period"], key=periods.sort_key)
    cur = df[df["period"] == last].sort_values("value", ascending=False)
    ci = f"{common.conf_text(rep)}-konfidensinterval"
    table = pd.DataFrame({
        "Tjekpunkt": cur["subgroup"], "Fejl": cur["numerator"], "Vurderet (ok eller fejl)": cur["denominator"],
        "Fejlandel": cur["value"],
        ci: [common.fmt_interval("audit_item_error_share", a, b) for a, b in zip(cur["ci_low"], cur["ci_high"])],
        "Status": cur["status"].map(common.status_text),
        "_low": cur["ci_low"], "_high": cur["ci_high"], "_flag": cur["status"].isin(targets_mod.BAD_STATUSES),
    })
    d = disclosure.disclose(table, counts=["Fejl", "Vurderet (ok eller fejl)"], row_totals=False,
                            derived=["Fejlandel", ci, "Status", "_low", "_high", "_flag"],
                            denominators={"Vurderet (ok eller fejl)": ["Fejl"]}, formats={"Fejlandel": formatting.percent})
    rep.table(d, f"{ind.name}, {formatting.period_label(last)}", note=ind.definition)
    th = rep.organisation.thresholds.audit_error_share
    visible = np.flatnonzero(d.shown(["Fejlandel"]))
    if len(visible):
        top = visible[0]
        title = (f"Flest fejl på tjekpunktet «{d.values['Tjekpunkt'].iloc[top]}» ({d.text(top, 'Fejlandel')}) i "
                 f"{formatting.period_label(last)}")
    else:
        title = f"Fejlandel pr. tjekpunkt i {formatting.period_label(last)}"
    fig = charts.dot_ci(d, "Tjekpunkt", "Fejlandel", "_low", "_high", title=title, xlabel="Fejlandel",
                        percent=True, target=(None, th), flags="_flag", source=rep.source,
                        as_of_label=rep.as_of_label)
    rep.figure(fig, alt=(f"Prikdiagram over fejlandelen pr. tjekpunkt i {formatting.period_label(last)} med "
                         f"{ci} og tærsklen {formatting.percent(th, 0)} som lodret linje."
                         + "".join(f" {'; '.join(parts)}." for parts in
                                   [[f"{d.values['Tjekpunkt'].iloc[i]}: {d.text(i, 'Fejlandel')}" for i in visible]]
                                   if parts)))
    cur = cur.copy()
    cur["hidden"] = ~d.shown(["Fejlandel"])
    return cur


def sample_sizes(rep: Report, forvaltning: str | None) -> pd.DataFrame:
    """Recommended sample sizes for the next round, per area, from the risk tiers."""
    sc = common.scope(rep, forvaltning)
    t = risk.tiers(rep.con, rep.organisation, rep.as_of, sc.where)
    if t.empty:
        common.no_data(rep, "Anbefalede stikprøver")
        return t
    rule = rep.organisation.thresholds.risk
    table = pd.DataFrame({
        **({"Forvaltning": t["forvaltning"]} if not forvaltning else {}),
        "Område": t["area"], "Tilsynsniveau": t["tier"].astype(str) + " " + t["tier_name"],
        "Ønsket præcision": t["precision"].map(lambda p: "± " + formatting.number(p * 100, 1) + " procentpoint"),
        "Anbefalet stikprøve (sager)": t["sample_size"].map(formatting.count),
    })
    # recommended numbers of cases to audit are not counts of persons: shown as they are
    rep.table(disclosure.disclose(table), "Anbefalede stikprøver til næste runde", note=(
        "Antal sager, der skal gennemgås, for at fejlandelen kan bestemmes med den ønskede præcision "
        f"({formatting.number(rep.organisation.thresholds.conf * 100, 0)} %), når den forventede fejlandel er "
        f"{formatting.percent(rule.expected_error_share, 0)}, med korrektion for antallet af afgørelser i "
        "området. Præcisionen følger tilsynsniveauet i risikobilledet."))
    rep.text(f"I alt anbefales {formatting.count(t['sample_size'].sum())} stikprøvesager fordelt på "
             f"{narrative.count_phrase(len(t), 'område', 'områder')}.")
    return t
