"""Sections of the processing-time report (sagsbehandlingstid): servicemål compliance by area, Kaplan–Meier curves,
the conventional median next to the censoring-aware one, the backlog (sagspukkel) over time, and the particularly
long cases the annual sagstidsmåling asks about."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import catalogue, charts, formatting, periods
from ..indicators import make_query
from ..present import Report
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
    q = make_query(rep.con, "year", (), None, None, rep.as_of, rep.organisation, None)
    sm = q.servicemaal
    values = ", ".join("(?, ?)" for _ in sm) or "(NULL, NULL)"
    params: list = [x for k, v in sm.items() for x in (k, int(v))]
    where = ["c.opened <= ?"]
    params_w: list = [q.as_of]
    if forvaltning:
        where.append("c.forvaltning = ?")
        params_w.append(forvaltning)
    if opened_from is not None:
        where.append("c.opened >= ?")
        params_w.append(opened_from)
    if opened_to is not None:
        where.append("c.opened <= ?")
        params_w.append(opened_to)
    sql = (
        "SELECT c.forvaltning, c.unit, c.area, c.opened, c.decided, "
        "(c.decided IS NOT NULL AND c.decided <= ?) AS decided_by_as_of, "
        "datediff('day', c.opened, CASE WHEN c.decided IS NOT NULL AND c.decided <= ? THEN c.decided "
        "ELSE ?::DATE END) AS days, COALESCE(c.target_days, s.days) AS target "
        f"FROM cases c LEFT JOIN (SELECT * FROM (VALUES {values}) AS v(area, days)) s ON c.area = s.area "
        f"WHERE {' AND '.join(where)}")
    return rep.con.execute(sql, [q.as_of, q.as_of, q.as_of] + params + params_w).df()


def _km_curve(days: np.ndarray, observed: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The Kaplan–Meier survival curve (statsmodels' SurvfuncRight): times and share still open."""
    from statsmodels.duration.survfunc import SurvfuncRight

    sf = SurvfuncRight(days.astype(float), observed.astype(float))
    return np.asarray(sf.surv_times, dtype=float), np.asarray(sf.surv_prob, dtype=float)


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
    groups = groups[groups >= 20].index[:7]
    curves = {}
    for g in groups:
        c = cases[cases[gcol] == g]
        curves[common._short(g, 32)] = _km_curve(c["days"].to_numpy(), c["decided_by_as_of"].to_numpy())
    if not curves:
        rep.text("*Kaplan-Meier-kurver: for få sager pr. gruppe (under 20).*")
        return pd.DataFrame()
    targets = cases["target"].dropna()
    target = float(targets.median()) if forvaltning and targets.nunique() == 1 else None
    open_share = 1 - cases["decided_by_as_of"].mean()
    title = (f"Sager oprettet i {formatting.period_label(last)}: hvor længe de er åbne "
             f"({formatting.percent(open_share, 0)} er stadig åbne)")
    xmax = float(np.nanpercentile(cases["days"], 98)) if len(cases) else None
    fig = charts.km_curves(curves, title=title, target_days=target, source=rep.source, as_of_label=rep.as_of_label,
                           xmax=xmax)
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
    df = df[df["denominator"].fillna(0) > 0]
    if df.empty:
        common.no_data(rep, "Sagsbehandlingstid")
        return pd.DataFrame()
    last = max(df["period"], key=periods.sort_key)
    cur = df[df["period"] == last]
    gcol = sc.group_col("area")
    wide = cur.pivot_table(index=gcol, columns="indicator", values=["value", "ci_low", "ci_high", "denominator",
                                                                     "numerator"], aggfunc="first")
    conv = wide[("value", "processing_days_median")] if ("value", "processing_days_median") in wide else None
    km = wide[("value", "processing_days_km_median")] if ("value", "processing_days_km_median") in wide else None
    if conv is None or km is None:
        common.no_data(rep, "Sagsbehandlingstid")
        return pd.DataFrame()
    opened = wide[("denominator", "processing_days_km_median")]
    decided_ = wide[("numerator", "processing_days_km_median")]
    open_share = 1 - decided_.astype(float) / opened.astype(float)
    notes = cur[cur["indicator"] == "processing_days_km_median"].set_index(gcol)["note"]
    table = pd.DataFrame({
        sc.group_title("area"): [g if gcol != "forvaltning" else rep.organisation.name_of(g) for g in wide.index],
        "Afgjorte sager": wide[("denominator", "processing_days_median")].to_numpy(),
        "Median, afgjorte (dage)": conv.map(formatting.count).to_numpy(),
        "Oprettede sager": opened.to_numpy(),
        "Heraf stadig åbne": open_share.map(formatting.percent).to_numpy(),
        "Kaplan-Meier-median (dage)": [formatting.count(v) if pd.notna(v) else "kan ikke beregnes endnu"
                                       for v in km],
        "95 %-konfidensinterval": [formatting.interval(a, b, fmt=formatting.count) for a, b in
                                   zip(wide[("ci_low", "processing_days_km_median")],
                                       wide[("ci_high", "processing_days_km_median")])],
    })
    rep.table(table, f"To mål for sagsbehandlingstiden, {formatting.period_label(last)}",
              counts=["Afgjorte sager", "Oprettede sager"], row_totals=False,
              note=(catalogue.get("processing_days_median").definition + " "
                    + catalogue.get("processing_days_km_median").definition))
    diff = (km - conv).dropna()
    lines = [
        "Den almindelige median ser kun på sager, der er afgjort i perioden – også gamle sager, der endelig blev "
        "afgjort, men ikke på sager, der stadig er åbne. Kaplan-Meier-medianen følger sagerne oprettet i perioden og "
        "tæller de åbne sager med som 'mindst så gamle' ved opgørelsesdatoen."]
    if not diff.empty:
        big = diff.abs().idxmax()
        d = diff[big]
        if abs(d) >= 5:
            why = ("Kaplan-Meier-medianen er højest, fordi mange af de nye sager stadig er åbne; den almindelige "
                   "median undervurderer altså den tid, nye sager tager." if d > 0 else
                   "Den almindelige median er højest, fordi den rummer ældre sager, der først nu er afgjort (fx en "
                   "afviklet sagspukkel); nye sager går hurtigere.")
            lines.append(f"Forskellen er størst i {big}: {formatting.count(conv[big])} mod "
                         f"{formatting.count(km[big])} dage. {why}")
        else:
            lines.append("Her ligger de to medianer tæt (under 5 dages forskel), så de åbne sager ændrer ikke "
                         "billedet.")
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
    wide = df.pivot_table(index="period", columns=gcol, values="value", aggfunc="sum")
    wide = wide.loc[sorted(wide.index, key=periods.sort_key)]
    wide = wide.iloc[-20:]  # the last five years of quarters, or fewer
    wide = wide[wide.iloc[-1].sort_values(ascending=False).index]
    last, prev_year = wide.index[-1], wide.index[max(0, len(wide) - 5)]
    total_last, total_prev = wide.iloc[-1].sum(), wide.loc[prev_year].sum()
    trend = "voksede" if total_last > total_prev else ("faldt" if total_last < total_prev else "var uændret")
    title = (f"Sagspuklen {trend} fra {formatting.count(total_prev)} sager over servicemål "
             f"({formatting.period_label(prev_year)}) til {formatting.count(total_last)} "
             f"({formatting.period_label(last)})")
    totals_ = wide.sum(axis=1)
    peak = totals_.idxmax()
    if totals_[peak] > 1.5 * max(total_last, 1) and peak != last:
        top = wide.loc[peak].idxmax()
        title += (f"; toppen var {formatting.count(totals_[peak])} i {formatting.period_label(peak)}, "
                  f"mest i {common._short(top, 30)}")
    fig = charts.multi_line(list(wide.index), {common._short(c, 30): wide[c].to_numpy() for c in wide.columns},
                            title=title, ylabel="Åbne sager over servicemål", source=rep.source,
                            as_of_label=rep.as_of_label)
    rep.figure(fig, alt=(f"Linjediagram over antallet af åbne sager, der er ældre end deres servicemål, ved udgangen af "
                         f"hver periode fra {formatting.period_label(wide.index[0])} til "
                         f"{formatting.period_label(last)}, én linje pr. {sc.group_title('area').lower()}. {title}."))
    table = wide.tail(5).T.reset_index()
    table.columns = [sc.group_title("area")] + [formatting.period_label(p) for p in wide.tail(5).index]
    table[sc.group_title("area")] = [g if gcol != "forvaltning" else rep.organisation.name_of(g)
                                     for g in table[sc.group_title("area")]]
    table = table.fillna(0)
    rep.table(table, "Sagspukkel: åbne sager over servicemål ved periodens udgang",
              counts=list(table.columns[1:]), row_totals=False,
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
        "90 %-fraktil (dage)": g["p90"].map(formatting.count),
        "Over 90 %-fraktilen": g["over_p90"].astype(int),
    })
    rep.table(table, f"Særligt lange sager, {formatting.period_label(last)}",
              counts=["Sager", "Over 2 × servicemål", "Over 90 %-fraktilen"], row_totals=False,
              note=("Sager afgjort i perioden eller stadig åbne ved opgørelsesdatoen. 'Over 2 × servicemål': "
                    "sagsbehandlingstiden (for åbne sager: alderen) er mere end dobbelt så lang som servicemålet. "
                    "90 %-fraktilen er beregnet pr. område, så hver tiende sag ligger over den."))
    n2 = int(c["over_2x"].sum())
    without = int(c["target"].isna().sum())
    text = (f"{formatting.count(n2)} sager ({formatting.percent(n2 / len(c))}) har taget mere end dobbelt så lang tid "
            f"som servicemålet.")
    if without:
        text += f" {formatting.count(without)} sager har intet servicemål og kan ikke vurderes mod det."
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
    return (f"{formatting.count(n)} sager har intet servicemål (hverken eget eller områdets) og er udeladt af andelen "
            f"inden for servicemål og af sagspuklen (områder: {areas}).")


def trend_results(rep: Report, forvaltning: str | None, period: str = "year", start=None, end=None
                  ) -> pd.DataFrame:
    sc = common.scope(rep, forvaltning)
    return common.trends(rep, sc, ["service_target_share", "processing_days_median"], period, start, end,
                         level="area")
