"""Sections of the complaints report (klager): counts by kind, the complaint rate per 1,000 decisions."""

from __future__ import annotations

import pandas as pd

from .. import catalogue, charts, formatting, narrative
from ..contract import COMPLAINT_KINDS
from ..indicators import compute
from ..present import Report

KIND_LABELS = {"formalitet": "Formalitet", "realitet": "Realitet", "formalitet og realitet": "Formalitet og realitet"}


def _where(forvaltning: str | None) -> dict | None:
    return {"forvaltning": forvaltning} if forvaltning else None


def complaints_by_kind(rep: Report, forvaltning: str | None, period: str = "year", start=None, end=None
                       ) -> pd.DataFrame:
    """Complaints received per period and kind (with the total), as a table (small counts suppressed) and a chart."""
    df = compute(rep.con, ["complaints_received"], period=period, by=("forvaltning",) if forvaltning else (),
                 start=start, end=end, as_of=rep.as_of, organisation=rep.organisation, where=_where(forvaltning))
    if df.empty or df["numerator"].fillna(0).sum() == 0:
        rep.text("Der er ingen klager registreret i perioden.")
        return pd.DataFrame()
    wide = (df.assign(kind=df["subgroup"].fillna("I alt"))
              .pivot_table(index="period", columns="kind", values="numerator", aggfunc="sum", fill_value=0))
    kinds = [k for k in COMPLAINT_KINDS if k in wide.columns]
    wide = wide[kinds + (["I alt"] if "I alt" in wide.columns else [])].astype(int)
    table = wide.rename(columns=KIND_LABELS).reset_index().rename(columns={"period": "Periode"})
    table.columns.name = None
    table["Periode"] = table["Periode"].map(formatting.period_label)
    count_cols = [KIND_LABELS[k] for k in kinds] + ["I alt"]
    ind = catalogue.get("complaints_received")
    rep.table(table, f"{ind.name} pr. klagetype", counts=count_cols, note=ind.definition)
    chart_data = wide[kinds].rename(columns=KIND_LABELS)
    first, last = wide.index[0], wide.index[-1]
    title = (f"{formatting.count(wide.loc[last, 'I alt'])} klager i {formatting.period_label(last)} mod "
             f"{formatting.count(wide.loc[first, 'I alt'])} i {formatting.period_label(first)}")
    fig = charts.stacked_counts(chart_data, title=title, source=rep.source, as_of_label=rep.as_of_label)
    largest = chart_data.loc[last].idxmax()
    rep.figure(fig, alt=(f"Søjlediagram over modtagne klager pr. periode fordelt på klagetype fra {formatting.period_label(first)} til "
                         f"{formatting.period_label(last)}. {title}. Flest klager i seneste periode var "
                         f"af typen {largest.lower()}."))
    return wide


def complaint_rate(rep: Report, forvaltning: str | None, period: str = "year", start=None, end=None) -> pd.DataFrame:
    """The complaint rate per 1,000 decisions with its exact Poisson interval: table, chart and a sentence."""
    df = compute(rep.con, ["complaint_rate"], period=period, by=("forvaltning",) if forvaltning else (),
                 start=start, end=end, as_of=rep.as_of, organisation=rep.organisation, where=_where(forvaltning))
    ind = catalogue.get("complaint_rate")
    if df.empty or df["value"].notna().sum() == 0:
        rep.text(f"{ind.name} kan ikke beregnes: der er ingen afgørelser registreret i perioden.")
        return df
    df = df.sort_values("period").reset_index(drop=True)
    table = pd.DataFrame({
        "Periode": df["period"].map(formatting.period_label),
        "Klager": df["numerator"],
        "Afgørelser": df["denominator"].map(formatting.count),
        "Klagerate pr. 1.000": df["value"].map(lambda v: formatting.number(v, 1)),
        "95 %-konfidensinterval": [formatting.interval(lo, hi, decimals=1) for lo, hi in zip(df["ci_low"],
                                                                                                 df["ci_high"])],
    })
    notes = df["note"].dropna().unique()
    rep.table(table, f"{ind.name} ({ind.unit})", counts=["Klager"], row_totals=False,
              note=ind.definition + (" " + " ".join(notes) if len(notes) else ""))
    valid = df[df["value"].notna() & df["denominator"].fillna(0).gt(0)]
    change = None
    if len(valid) >= 2:
        a, b = valid.iloc[-2], valid.iloc[-1]
        change = narrative.rate_change(a["period"], int(a["numerator"]), float(a["denominator"]), b["period"],
                                       int(b["numerator"]), float(b["denominator"]))
    overall = None
    if len(valid) >= 2:
        f, lst = valid.iloc[0], valid.iloc[-1]
        overall = narrative.rate_change(f["period"], int(f["numerator"]), float(f["denominator"]), lst["period"],
                                        int(lst["numerator"]), float(lst["denominator"]))
    if overall is not None:
        title = narrative.trend_title("klageraten", overall.previous_period, overall.previous, overall.latest_period,
                                      overall.latest, overall.sure, decimals=1) + " pr. 1.000 afgørelser"
    else:
        title = f"{ind.name} pr. 1.000 afgørelser"
    fig = charts.series_with_ci(list(df["period"]), df["value"], df["ci_low"], df["ci_high"], title=title,
                                ylabel="Klager pr. 1.000 afgørelser", source=rep.source,
                                as_of_label=rep.as_of_label, label="Klagerate")
    rep.figure(fig, alt=(f"Linjediagram over klageraten pr. 1.000 afgørelser med 95 %-konfidensinterval fra "
                         f"{formatting.period_label(df['period'].iloc[0])} til "
                         f"{formatting.period_label(df['period'].iloc[-1])}. {title}."))
    rep.text(narrative.change_sentence(change, "klageraten", fmt=formatting.rate_text, decimals=1))
    return df


def method_and_data(rep: Report, indicator_ids: list[str], tables: list[str]) -> None:
    """'Metode og data': definitions from the catalogue and data-quality notes (quarantine, suppression)."""
    lines = ["## Metode og data", ""]
    for i in indicator_ids:
        ind = catalogue.get(i)
        ci = f" Usikkerhed: {ind.ci}." if ind.ci and ind.ci != catalogue.CI_NONE else ""
        lines.append(f"- **{ind.name}** ({ind.unit}): {ind.definition}{ci}")
    placeholders = ", ".join("?" for _ in tables)
    quarantined = rep.con.execute(f'SELECT count(*) FROM quarantine WHERE "table" IN ({placeholders})',
                                  tables).fetchone()[0]
    lines.append("")
    lines.append(f"Rækker afvist ved indlæsningen (i karantæne) for disse data: {formatting.count(quarantined)}. "
                 "De indgår ikke i tallene; se dem med `kvalitet quarantine`.")
    if rep.suppressed_any:
        from ..disclosure import NOTE
        lines.append("")
        lines.append(NOTE)
    lines.append("")
    lines.append("Konfidensintervaller er 95 %. En ændring kaldes statistisk sikker, når p < 0,05.")
    rep.text("\n".join(lines))
