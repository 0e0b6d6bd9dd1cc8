"""Sections of the complaints report (klager): counts by kind, topic and unit; the complaint rate per 1,000 decisions
on a Laney u′ chart with Anhøj signals; the upheld share; response times; trend results."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import catalogue, charts, disclosure, formatting, narrative, periods
from ..contract import COMPLAINT_KINDS
from ..indicators import lookups
from ..present import Report
from . import common
from .common import method_and_data  # noqa: F401  (the notebooks' "Metode og data")

INDICATORS = ["complaints_received", "complaint_rate", "complaint_upheld_share", "complaint_response_days_median"]
TABLES = ["complaints", "decisions"]

KIND_LABELS = {"formalitet": "Formalitet", "realitet": "Realitet", "formalitet og realitet": "Formalitet og realitet"}


def complaints_by_kind(rep: Report, forvaltning: str | None, period: str = "year", start=None, end=None
                       ) -> pd.DataFrame:
    """Complaints received per period and kind (with the total), as a table (small counts suppressed) and a chart."""
    sc = common.scope(rep, forvaltning)
    df = common.compute(rep, ["complaints_received"], period, start, end, by=sc.total_by, where=sc.where)
    if df.empty or df["numerator"].fillna(0).sum() == 0:
        rep.text("Der er ingen klager registreret i perioden.")
        return pd.DataFrame()
    wide = (df.assign(kind=df["subgroup"].fillna("I alt"))
              .pivot_table(index="period", columns="kind", values="numerator", aggfunc="sum", fill_value=0))
    kinds = [k for k in COMPLAINT_KINDS if k in wide.columns]
    wide = wide[kinds + (["I alt"] if "I alt" in wide.columns else [])].astype(int)
    wide = wide.loc[sorted(wide.index, key=periods.sort_key)]
    labels = [KIND_LABELS[k] for k in kinds]
    ind = catalogue.get("complaints_received")
    ct = common.category_table(rep, df, wide.rename(columns=KIND_LABELS), start, end, f"{ind.name} pr. klagetype",
                               ind.definition)
    if ct.whole is None:
        return wide
    d, p0, p1 = ct.whole, ct.first, ct.last
    first, last = 0, len(d) - 1
    title = f"{d.text(last, 'I alt')} klager i {p1} mod {d.text(first, 'I alt')} i {p0}"
    fig = charts.stacked_counts(d, "_period", labels, title=title, source=rep.source, as_of_label=rep.as_of_label)
    latest = pd.Series(d.number(c)[last] for c in labels).set_axis(labels)
    largest = f" Flest klager i seneste periode var af typen {latest.idxmax().lower()}." \
        if latest.notna().any() else ""
    rep.figure(fig, alt=(f"Søjlediagram over modtagne klager pr. periode fordelt på klagetype fra {p0} til {p1}. "
                         f"{title}.{largest}"))
    if ct.note:
        rep.text(ct.note)
    return wide


def complaint_rate(rep: Report, forvaltning: str | None, period: str = "year", start=None, end=None) -> pd.DataFrame:
    """The complaint rate per 1,000 decisions with its exact Poisson interval: table, chart and a sentence (the
    shared series helper, with the counts named Klager and Afgørelser)."""
    return common.series(rep, common.scope(rep, forvaltning), "complaint_rate", period, start, end,
                         count_labels=("Klager", "Afgørelser"))


def complaints_by_topic(rep: Report, forvaltning: str | None, period: str = "year", start=None, end=None,
                        top: int = 10) -> pd.DataFrame:
    """The most frequent topics of complaints received in the latest period (the rest as 'Øvrige emner')."""
    sc = common.scope(rep, forvaltning)
    df = common.totals(common.compute(rep, ["complaints_received"], period, start, end, by=sc.total_by,
                                      where=sc.where))
    if df.empty or df["value"].fillna(0).sum() == 0:
        common.no_data(rep, "Klager pr. emne")
        return pd.DataFrame()
    done = common.complete(df)
    done = done[done["value"].fillna(0) > 0]
    if done.empty:
        common.no_data(rep, "Klager pr. emne")
        return pd.DataFrame()
    last = max(done["period"], key=periods.sort_key)
    lo, hi = periods.bounds(last)
    if rep.as_of:
        hi = min(hi, rep.as_of)
    counts = lookups.topics_in_period(rep.con, lo, hi, forvaltning)
    if counts.empty:
        common.no_data(rep, "Klager pr. emne")
        return counts
    head = counts.head(top).copy()
    rest = int(counts["n"].iloc[top:].sum())
    if rest:
        head = pd.concat([head, pd.DataFrame({"topic": ["Øvrige emner"], "n": [rest]})], ignore_index=True)
    total = int(counts["n"].sum())
    head["share"] = head["n"] / total
    table = pd.DataFrame({"Emne": head["topic"], "Klager": head["n"], "Andel af alle klager": head["share"],
                          "_short": [common._short(t, 40) for t in head["topic"]]})
    d = disclosure.disclose(table, counts=["Klager"], row_totals=False, derived=["Andel af alle klager"],
                            formats={"Andel af alle klager": formatting.percent})
    rep.table(d, f"De hyppigste emner i klager modtaget i {formatting.period_label(last)}",
              note="Emnet er sagsbehandlerens registrering (fritekst); CPR-numre er fjernet.")
    topics = d.subset(d.values["Emne"].ne("Øvrige emner").to_numpy())
    visible = np.flatnonzero(topics.shown(["Klager"]))
    if len(visible):
        i = visible[0]
        title = (f"Flest klager i {formatting.period_label(last)} handlede om "
                 f"«{common._short(topics.values['Emne'].iloc[i], 40).lower()}» "
                 f"({topics.text(i, 'Andel af alle klager', formatting.percent, decimals=0)})")
    else:
        title = f"Klageemner i {formatting.period_label(last)}"
    fig = charts.hbar(topics, "_short", "Klager", title=title, xlabel="Antal klager", source=rep.source,
                      as_of_label=rep.as_of_label)
    what = (f"de {len(visible)} hyppigste klageemner" if len(visible) > 1 else
            "det hyppigste klageemne" if len(visible) == 1 else "klageemnerne")
    rep.figure(fig, alt=f"Vandret søjlediagram over {what} i {formatting.period_label(last)}. {title}.")
    return head


def complaint_rate_by_group(rep: Report, forvaltning: str | None, period: str = "year", start=None, end=None,
                            level: str = "unit") -> pd.DataFrame:
    """The complaint rate in the latest period per forvaltning (whole municipality) or per unit (one
    forvaltning), side by side with confidence intervals."""
    sc = common.scope(rep, forvaltning)
    return common.compare_groups(rep, sc, "complaint_rate", period, start, end, level=level)


def complaint_rate_control_chart(rep: Report, forvaltning: str | None, period: str = "quarter", start=None,
                                 end=None) -> pd.DataFrame:
    """The complaint rate per 1,000 decisions on a Laney u′ chart with the Anhøj rules."""
    sc = common.scope(rep, forvaltning)
    return common.control_chart(rep, sc, "complaint_rate", period, start, end, what="klageraten")


def _series_and_groups(rep: Report, forvaltning: str | None, indicator_id: str, period, start, end,
                       level: str) -> pd.DataFrame:
    sc = common.scope(rep, forvaltning)
    df = common.series(rep, sc, indicator_id, period, start, end)
    if not df.empty:
        common.compare_groups(rep, sc, indicator_id, period, start, end, level=level)
    return df


def upheld_share(rep: Report, forvaltning: str | None, period: str = "year", start=None, end=None,
                 level: str = "area") -> pd.DataFrame:
    """The share of complaints upheld (medhold or delvis medhold): over time and group by group."""
    return _series_and_groups(rep, forvaltning, "complaint_upheld_share", period, start, end, level)


def response_times(rep: Report, forvaltning: str | None, period: str = "year", start=None, end=None,
                   level: str = "area") -> pd.DataFrame:
    """Median days from a complaint is received until it is closed: over time and group by group."""
    return _series_and_groups(rep, forvaltning, "complaint_response_days_median", period, start, end, level)


def trend_results(rep: Report, forvaltning: str | None, period: str = "year", start=None, end=None,
                  level: str = "area") -> pd.DataFrame:
    """Trend screening of the complaint indicators for the scope and its groups."""
    sc = common.scope(rep, forvaltning)
    return common.trends(rep, sc, ["complaint_rate", "complaint_upheld_share", "complaint_response_days_median"],
                         period, start, end, level=level)
