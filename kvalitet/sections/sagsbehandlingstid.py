"""Sections of the processing-time report (sagsbehandlingstid): servicemål compliance by area, Kaplan–Meier curves,
the conventional median next to the censoring-aware one, the backlog (sagspukkel) over time, and the particularly
long cases the annual sagstidsmåling asks about."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import catalogue, charts, disclosure, formatting, periods
from ..indicators import lookups
from ..present import Report
from ..stats.survival import km_curve
from . import common

INDICATORS = ["service_target_share", "processing_days_median", "processing_days_km_median", "open_cases_over_target"]
TABLES = ["cases"]


def service_compliance(rep: Report, forvaltning: str | None, period: str = "year", start=None, end=None
                       ) -> pd.DataFrame:
    """Share of cases decided within their servicemål, per area (forvaltning: area for the municipality)."""
    sc = common.scope(rep, forvaltning)
    out = common.compare_groups(rep, sc, "service_target_share", period, start, end, level="forvaltning_area")
    if not out.empty:
        common.series(rep, sc, "service_target_share", period, start, end, show_table=False)
    return out


def _cases(rep: Report, forvaltning: str | None, opened_from=None, opened_to=None) -> pd.DataFrame:
    """Case-level durations as of the report date: days open (to decision, or to the as-of date when still open),
    whether decided, and the target days (the case's own, else the area's servicemål)."""
    return lookups.case_durations(rep.con, rep.as_of, rep.organisation, forvaltning, opened_from, opened_to)


def _km_curve(days: np.ndarray, observed: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The Kaplan–Meier survival curve (:func:`kvalitet.stats.survival.km_curve`): times and share still open."""
    return km_curve(days.astype(float), observed.astype(bool))


def km_curves(rep: Report, forvaltning: str | None, period: str = "year", start=None, end=None) -> pd.DataFrame:
    """Kaplan–Meier curves for the cases opened in the latest period, one per area (or per forvaltning), with
    open cases censored at the as-of date."""
    found = common.latest_period(rep, "processing_days_km_median", forvaltning, period, start, end, "Kaplan-Meier-kurver")
    if found is None:
        return pd.DataFrame()
    sc, last, lo, hi = found
    cases = _cases(rep, forvaltning, lo, hi)
    gcol = "area" if forvaltning else "forvaltning"
    groups = cases.groupby(gcol).size().sort_values(ascending=False)
    groups = groups[groups >= 20][:7]
    curves = {}
    for g in groups.index:
        c = cases[cases[gcol] == g]
        curves[common._short(g, 32)] = _km_curve(c["days"].to_numpy(), c["decided_by_as_of"].to_numpy())
    if not curves:
        rep.text("*Kaplan-Meier-kurver: for få sager pr. gruppe (under 20).*")
        return pd.DataFrame()
    d = disclosure.disclose(pd.DataFrame({"label": list(curves), "cases": groups.to_numpy()}), counts=["cases"],
                            row_totals=False)
    targets = cases["target"].dropna()
    target = float(targets.median()) if forvaltning and targets.nunique() == 1 else None
    all_cases = disclosure.disclose(pd.DataFrame({
        "n": [len(cases)], "open": [int((~cases["decided_by_as_of"].astype(bool)).sum())],
        "share": [1 - cases["decided_by_as_of"].mean()]}), counts=["n", "open"], derived=["share"],
        denominators={"n": ["open"]}, row_totals=False)
    title = (f"Sager oprettet i {formatting.period_label(last)}: hvor længe de er åbne "
             f"({all_cases.text(0, 'share', formatting.percent, decimals=0)} er stadig åbne)")
    xmax = float(np.nanpercentile(cases["days"], 98)) if len(cases) else None
    fig = charts.km_curves(d, "label", "cases", curves, title=title, target_days=target, source=rep.source,
                           as_of_label=rep.as_of_label, xmax=xmax)
    rep.figure(fig, alt=(f"Kaplan-Meier-kurver: andelen af sagerne oprettet i {formatting.period_label(last)}, der "
                         f"endnu ikke er afgjort, efter antal dage, én kurve pr. "
                         f"{'område' if forvaltning else 'forvaltning'} ({', '.join(map(str, curves))}). "
                         f"Sager, der stadig er åbne, indgår til opgørelsesdatoen. {title}."))
    return cases


def medians_side_by_side(rep: Report, forvaltning: str | None, period: str = "year", start=None, end=None
                         ) -> pd.DataFrame:
    """The conventional median (cases decided in the period) next to the Kaplan–Meier median (cases opened in the
    period, open ones censored), per group, with a sentence on why they differ."""
    sc = common.scope(rep, forvaltning)
    by = sc.by("area")
    df = common.totals(common.compute(rep, ["processing_days_median", "processing_days_km_median"], period, start,
                                      end, by=by, where=sc.where))
    df = common.complete(df[df["denominator"].fillna(0) > 0])
    if df.empty:
        common.no_data(rep, "Sagsbehandlingstid")
        return pd.DataFrame()
    last = max(df["period"], key=periods.sort_key)
    cur = df[df["period"] == last]
    gcol = sc.group_col("area")
    wide = cur.pivot_table(index=gcol, columns="indicator", values=["value", "ci_low", "ci_high", "denominator",
                                                                     "numerator"], aggfunc="first",
                          dropna=False)  # keep a column that is empty (a KM median not reached yet has no CI)
    conv = wide[("value", "processing_days_median")] if ("value", "processing_days_median") in wide else None
    km = wide[("value", "processing_days_km_median")] if ("value", "processing_days_km_median") in wide else None
    if conv is None or km is None:
        common.no_data(rep, "Sagsbehandlingstid")
        return pd.DataFrame()
    opened = wide[("denominator", "processing_days_km_median")]
    decided_ = wide[("numerator", "processing_days_km_median")]
    open_share = 1 - decided_.astype(float) / opened.astype(float)
    notes = cur[cur["indicator"] == "processing_days_km_median"].set_index(gcol)["note"]
    ci = f"{common.conf_text(rep)}-konfidensinterval"
    km_name = "Kaplan-Meier-median (dage)"
    table = pd.DataFrame({
        sc.group_title("area"): [g if gcol != "forvaltning" else rep.organisation.name_of(g) for g in wide.index],
        "Afgjorte sager": wide[("denominator", "processing_days_median")].to_numpy(),
        "Median, afgjorte (dage)": conv.to_numpy(),
        "Oprettede sager": opened.to_numpy(),
        "_decided": decided_.to_numpy(),
        "Heraf stadig åbne": open_share.to_numpy(),
        km_name: km.to_numpy(),
        ci: [formatting.interval(a, b, fmt=formatting.count) for a, b in
             zip(wide[("ci_low", "processing_days_km_median")], wide[("ci_high", "processing_days_km_median")])],
        "_group": [str(g) for g in wide.index],
    })
    d = disclosure.disclose(
        table, counts=["Afgjorte sager", "Oprettede sager", "_decided"], row_totals=False,
        derived=["Median, afgjorte (dage)", "Heraf stadig åbne", km_name, ci],
        denominators={"Oprettede sager": ["_decided"]},
        formats={"Median, afgjorte (dage)": formatting.count, "Heraf stadig åbne": formatting.percent,
                 km_name: lambda v: formatting.count(v) if pd.notna(v) else "kan ikke beregnes endnu"})
    rep.table(d, f"To mål for sagsbehandlingstiden, {formatting.period_label(last)}",
              note=(catalogue.get("processing_days_median").definition + " "
                    + catalogue.get("processing_days_km_median").definition))
    conv = pd.Series(d.number("Median, afgjorte (dage)"), index=d.values["_group"])
    km = pd.Series(d.number(km_name), index=d.values["_group"])
    diff = (km - conv).dropna()
    lines = [
        "Den almindelige median ser kun på sager, der er afgjort i perioden – også gamle sager, der endelig blev "
        "afgjort, men ikke på sager, der stadig er åbne. Kaplan-Meier-medianen følger sagerne oprettet i perioden og "
        "tæller de åbne sager med som 'mindst så gamle' ved opgørelsesdatoen."]
    if not diff.empty:
        big = diff.abs().idxmax()
        gap = diff[big]
        if abs(gap) >= 5:
            why = ("Kaplan-Meier-medianen er højest, fordi mange af de nye sager stadig er åbne; den almindelige "
                   "median undervurderer altså den tid, nye sager tager." if gap > 0 else
                   "Den almindelige median er højest, fordi den rummer ældre sager, der først nu er afgjort (fx en "
                   "afviklet sagspukkel); nye sager går hurtigere.")
            lines.append(f"Forskellen er størst i {big}: {formatting.count(conv[big])} mod "
                         f"{formatting.count(km[big])} dage. {why}")
        else:
            lines.append("Her ligger de to medianer tæt (under 5 dages forskel), så de åbne sager ændrer ikke "
                         "billedet.")
    if not d.shown([km_name, "Median, afgjorte (dage)"]).all():
        lines.append("Grupper med under 5 sager er ikke med i sammenligningen.")
    if notes.dropna().any():
        lines.append("Hvor over halvdelen af sagerne stadig er åbne, kan Kaplan-Meier-medianen ikke beregnes endnu.")
    rep.text(" ".join(lines))
    return wide


def backlog(rep: Report, forvaltning: str | None, period: str = "quarter", start=None, end=None) -> pd.DataFrame:
    """The sagspukkel: open cases older than their servicemål at each period's end, per area or forvaltning."""
    sc = common.scope(rep, forvaltning)
    by = sc.by("area")
    df = common.totals(common.compute(rep, ["open_cases_over_target"], period, start, end, by=by, where=sc.where))
    if df.empty or df["value"].fillna(0).sum() == 0:
        common.no_data(rep, "Sagspukkel")
        return pd.DataFrame()
    gcol = sc.group_col("area")
    measured = df.groupby(gcol)["denominator"].sum()
    unmeasured = [str(g) for g in measured[measured == 0].index]
    df = df[df[gcol].isin(measured[measured > 0].index)]
    if df.empty:
        common.no_data(rep, "Sagspukkel (ingen sager med servicemål)")
        return pd.DataFrame()
    names = dict(zip(df["period"], common.labels(rep, df, start, end)))
    partial = set(df.loc[df["partial"], "period"])
    wide = df.pivot_table(index="period", columns=gcol, values="value", aggfunc="sum")
    wide = wide.loc[sorted(wide.index, key=periods.sort_key)]
    wide = wide.iloc[-20:]  # the last five years of quarters, or fewer
    wide = wide[wide.iloc[-1].sort_values(ascending=False).index]
    wide = wide.fillna(0)
    groups = [str(c) for c in wide.columns]
    frame = wide.copy()
    frame.columns = groups
    frame["_total"] = wide.sum(axis=1)
    frame = frame.reset_index().rename(columns={"period": "_period"})
    frame.columns.name = None
    # counts of open cases; the period totals appear in the title, so they are protected like a row total
    full = disclosure.disclose(frame, counts=groups + ["_total"])
    # the chart and its title: whole periods only; the table below keeps a partial period, with its dates
    d = full.subset(~frame["_period"].isin(partial).to_numpy())
    if not len(d):
        common.no_data(rep, "Sagspukkel (ingen hele perioder)")
        return pd.DataFrame()
    last_i, prev_i = len(d) - 1, max(0, len(d) - 5)
    label = (lambda i: formatting.period_label(str(d.values["_period"].iloc[i])))
    totals_ = d.number("_total")
    if np.isnan(totals_[[prev_i, last_i]]).any():
        title = f"Sagspuklen fra {label(prev_i)} til {label(last_i)}"
    else:
        t0, t1 = totals_[prev_i], totals_[last_i]
        trend = "voksede" if t1 > t0 else ("faldt" if t1 < t0 else "var uændret")
        title = (f"Sagspuklen {trend} fra {d.text(prev_i, '_total', formatting.count)} sager over servicemål "
                 f"({label(prev_i)}) til {d.text(last_i, '_total', formatting.count)} ({label(last_i)})")
    if np.isfinite(totals_).any():
        peak = int(np.nanargmax(totals_))
        if totals_[peak] > 1.5 * max(np.nan_to_num(totals_[last_i]), 1) and peak != last_i:
            at_peak = pd.Series([d.number(g)[peak] for g in groups], index=groups)
            title += f"; toppen var {d.text(peak, '_total', formatting.count)} i {label(peak)}"
            if at_peak.notna().any():
                title += f", mest i {common._short(at_peak.idxmax(), 30)}"
    fig = charts.multi_line(d, "_period", groups, title=title, ylabel="Åbne sager over servicemål",
                            source=rep.source, as_of_label=rep.as_of_label,
                            names=[common._short(g, 30) for g in groups])
    rep.figure(fig, alt=(f"Linjediagram over antallet af åbne sager, der er ældre end deres servicemål, ved udgangen af "
                         f"hver periode fra {label(0)} til {label(last_i)}, én linje pr. "
                         f"{sc.group_title('area').lower()}. {title}."))
    tail = full.subset(np.arange(max(0, len(full) - 5), len(full)))
    head = sc.group_title("area")
    table = tail.transposed("_period", groups, head,
                            names=[g if gcol != "forvaltning" else rep.organisation.name_of(g) for g in groups],
                            heads=[names[str(p)] for p in tail.values["_period"]])
    rep.table(table, "Sagspukkel: åbne sager over servicemål ved periodens udgang",
              note=catalogue.get("open_cases_over_target").definition + (
                  f" Uden servicemål og derfor ikke med: {', '.join(unmeasured)}." if unmeasured else ""))
    return wide


def long_cases(rep: Report, forvaltning: str | None, period: str = "year", start=None, end=None) -> pd.DataFrame:
    """The particularly long cases of the latest period (decided in it, or still open at its end): beyond twice the
    servicemål, or beyond the 90th percentile of their area's processing times, by area and unit."""
    found = common.latest_period(rep, "processing_days_median", forvaltning, period, start, end, "Særligt lange sager")
    if found is None:
        return pd.DataFrame()
    sc, last, lo, hi = found
    hi = min(hi, rep.as_of) if rep.as_of else hi
    cases = _cases(rep, forvaltning)
    in_period = ((cases["decided_by_as_of"] & (pd.to_datetime(cases["decided"]) >= pd.Timestamp(lo))
                  & (pd.to_datetime(cases["decided"]) <= pd.Timestamp(hi)))
                 | (~cases["decided_by_as_of"]))
    c = cases[in_period].copy()
    if c.empty:
        common.no_data(rep, "Særligt lange sager")
        return pd.DataFrame()
    p90 = c.groupby(["forvaltning", "area"])["days"].transform(lambda s: s.quantile(0.9))
    c["over_2x"] = c["target"].notna() & (c["days"] > 2 * c["target"])
    c["over_p90"] = c["days"] > p90
    keys = ["forvaltning", "area", "unit"] if forvaltning else ["forvaltning", "area"]
    g = c.groupby(keys, dropna=False).agg(n=("days", "size"), p90=("days", lambda s: s.quantile(0.9)),
                                          over_2x=("over_2x", "sum"), over_p90=("over_p90", "sum"),
                                          no_target=("target", lambda s: int(s.isna().sum()))).reset_index()
    g = g.sort_values("over_2x", ascending=False)
    table = pd.DataFrame({
        **({"Forvaltning": g["forvaltning"]} if not forvaltning else {}),
        "Område": g["area"], **({"Enhed": g["unit"].fillna("(uden enhed)")} if forvaltning else {}),
        "Sager": g["n"].astype(int),
        "Over 2 × servicemål": g["over_2x"].astype(int),
        "90 %-fraktil (dage)": g["p90"],
        "Over 90 %-fraktilen": g["over_p90"].astype(int),
    })
    d = disclosure.disclose(table, counts=["Sager", "Over 2 × servicemål", "Over 90 %-fraktilen"],
                            row_totals=False, derived=["90 %-fraktil (dage)"],
                            denominators={"Sager": ["Over 2 × servicemål"]},
                            formats={"90 %-fraktil (dage)": formatting.count})
    rep.table(d, f"Særligt lange sager, {formatting.period_label(last)}",
              note=("Sager afgjort i perioden eller stadig åbne ved opgørelsesdatoen. 'Over 2 × servicemål': "
                    "sagsbehandlingstiden (for åbne sager: alderen) er mere end dobbelt så lang som servicemålet. "
                    "90 %-fraktilen er beregnet pr. område, så hver tiende sag ligger over den."))
    whole = disclosure.disclose(pd.DataFrame({
        "n": [len(c)], "over": [int(c["over_2x"].sum())], "share": [c["over_2x"].mean()],
        "without": [int(c["target"].isna().sum())]}), counts=["n", "over", "without"], derived=["share"],
        denominators={"n": ["over"]}, row_totals=False)
    text = (f"{whole.text(0, 'over')} sager ({whole.text(0, 'share', formatting.percent)}) har taget mere end "
            "dobbelt så lang tid som servicemålet.")
    if whole.values["without"].iloc[0]:
        text += f" {whole.text(0, 'without')} sager har intet servicemål og kan ikke vurderes mod det."
    rep.text(text)
    return g


def no_target_note(rep: Report, forvaltning: str | None) -> str | None:
    """A data-quality sentence: how many cases have no servicemål (neither their own nor their area's)."""
    cases = _cases(rep, forvaltning)
    if cases.empty:
        return None
    n = int(cases["target"].isna().sum())
    if not n:
        return "Alle sager har et servicemål (eget eller områdets)."
    areas = ", ".join(sorted(cases.loc[cases["target"].isna(), "area"].dropna().unique())[:6])
    d = disclosure.disclose(pd.DataFrame({"n": [n]}), counts=["n"], row_totals=False)
    return (f"{d.text(0, 'n')} sager har intet servicemål (hverken eget eller områdets) og er udeladt af andelen "
            f"inden for servicemål og af sagspuklen (områder: {areas}).")


def trend_results(rep: Report, forvaltning: str | None, period: str = "year", start=None, end=None
                  ) -> pd.DataFrame:
    sc = common.scope(rep, forvaltning)
    return common.trends(rep, sc, ["service_target_share", "processing_days_median"], period, start, end,
                         level="area")
