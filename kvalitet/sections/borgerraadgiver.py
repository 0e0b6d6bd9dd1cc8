"""Sections of the Borgerrådgiver report: inquiries by category and year, the criticism share, and the status of
the Borgerrådgiver's recommendations."""

from __future__ import annotations

import pandas as pd

from .. import catalogue, charts, contract, disclosure, formatting, narrative, periods
from ..indicators import lookups
from ..present import Report
from . import common

INDICATORS = ["inquiries_received", "inquiry_criticism_share"]
TABLES = ["inquiries", "recommendations"]


def inquiries_by_category(rep: Report, forvaltning: str | None, period: str = "year", start=None, end=None
                          ) -> pd.DataFrame:
    """Inquiries received per period and category: a table (small counts suppressed) and stacked bars."""
    sc = common.scope(rep, forvaltning)
    ind = catalogue.get("inquiries_received")
    df = common.compute(rep, ["inquiries_received"], period, start, end, by=sc.total_by, where=sc.where)
    if df.empty or df["value"].fillna(0).sum() == 0:
        common.no_data(rep, ind.name)
        return pd.DataFrame()
    wide = (df.assign(cat=df["subgroup"].fillna("I alt"))
              .pivot_table(index="period", columns="cat", values="value", aggfunc="sum", fill_value=0))
    wide = wide.loc[sorted(wide.index, key=periods.sort_key)].astype(int)
    cats = [c for c in wide.sum().sort_values(ascending=False).index if c != "I alt"]
    wide = wide[cats + ["I alt"]]
    ct = common.category_table(rep, df, wide, start, end, f"{ind.name} pr. kategori", ind.definition)
    if ct.whole is None:
        return wide
    d, p0, p1 = ct.whole, ct.first, ct.last
    first, last = 0, len(d) - 1
    latest = pd.Series([d.number(c)[last] for c in cats], index=cats)
    title = f"{d.text(last, 'I alt')} henvendelser i {p1} mod {d.text(first, 'I alt')} i {p0}"
    if latest.notna().any():
        title += f"; flest om {latest.idxmax().lower()}"
    fig = charts.stacked_counts(d, "_period", cats, title=title, ylabel="Henvendelser", source=rep.source,
                                as_of_label=rep.as_of_label)
    rep.figure(fig, alt=(f"Stablet søjlediagram over henvendelser til Borgerrådgiveren pr. periode og kategori fra "
                         f"{p0} til {p1}. {title}."))
    if ct.note:
        rep.text(ct.note)
    return wide


def criticism_share(rep: Report, forvaltning: str | None, period: str = "year", start=None, end=None
                    ) -> pd.DataFrame:
    """The share of closed inquiries where the Borgerrådgiver expressed criticism: over time, and per forvaltning
    for the whole municipality."""
    sc = common.scope(rep, forvaltning)
    df = common.series(rep, sc, "inquiry_criticism_share", period, start, end)
    if not df.empty and not forvaltning:
        common.compare_groups(rep, sc, "inquiry_criticism_share", period, start, end)
    return df


def recommendations(rep: Report, forvaltning: str | None) -> pd.DataFrame:
    """The status of the Borgerrådgiver's recommendations from the latest evaluation."""
    sc = common.scope(rep, forvaltning)
    df = lookups.recommendation_status(rep.con, forvaltning)
    if df.empty:
        common.no_data(rep, "Anbefalinger fra Borgerrådgiveren")
        return df
    year = int(df["evaluation_year"].max())
    cur = df[df["evaluation_year"] == year]
    wide = cur.pivot_table(index="forvaltning", columns="status", values="n", aggfunc="sum", fill_value=0)
    order = [s for s in contract.RECOMMENDATION_STATUSES if s in wide.columns]
    wide = wide[order].astype(int)
    table = wide.copy()
    table["I alt"] = table.sum(axis=1)
    table = table.reset_index().rename(columns={"forvaltning": "Forvaltning"})
    table.columns = [str(c).capitalize() if c in order else c for c in table.columns]
    table.columns.name = None
    # recommendations are not persons: their counts are shown as they are (no "<5")
    d = disclosure.disclose(table)
    rep.table(d, f"Status for Borgerrådgiverens anbefalinger fra evalueringen {year}")
    done = int(wide.get("gennemført", pd.Series(0, index=wide.index)).sum())
    total = int(wide.to_numpy().sum())
    share = formatting.percent(done / total, 0) if total else formatting.MISSING
    rep.text(f"{formatting.count(done)} af {narrative.count_phrase(total, 'anbefaling', 'anbefalinger')} fra {year} "
             f"er gennemført ({share}) for {sc.name}.")
    return wide
