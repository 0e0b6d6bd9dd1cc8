"""An indicator over time for one scope: the series with its change between the last two comparable periods, and
the control chart with the Anhøj rules."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .. import catalogue, charts, disclosure, formatting, narrative, periods
from ..present import Report
from ..stats import control_limits
from .scope import Scope, complete, compute, has_values, labels, no_data, totals
from ..formatting import fmt_interval, fmt_target, fmt_value, value_unit
from .values import alpha, change, clean_notes, conf_text, status_text


def series(rep: Report, sc: Scope, indicator_id: str, period: str, start=None, end=None,
           show_table: bool = True, count_labels: tuple[str, str] | None = None) -> pd.DataFrame:
    """One share, rate or median over time for the whole scope: table, chart with CI and target, and a
    sentence comparing the latest period with the one before (tested where the indicator allows).
    ``count_labels``: the table's names for numerator and denominator (e.g. ``("Klager", "Afgørelser")``) instead
    of "Tæller"/"Nævner"; a rate's sentence states its unit ("18,2 pr. 1.000 afgørelser")."""
    ind = catalogue.get(indicator_id)
    df = totals(compute(rep, [indicator_id], period, start, end, by=sc.total_by, where=sc.where))
    if not has_values(df):
        no_data(rep, ind.name)
        return pd.DataFrame()
    df = df.sort_values("period", key=lambda s: s.map(periods.sort_key)).reset_index(drop=True)
    median = ind.kind == "median"
    has_ci = df["ci_low"].notna().any()
    has_target = df["target_low"].notna().any() or df["target_high"].notna().any()
    ci = f"{conf_text(rep)}-konfidensinterval"
    num, den = count_labels or ("Tæller", "Nævner")
    frame = pd.DataFrame({
        "_period": df["period"].astype(str),
        "Periode": labels(rep, df, start, end),
        num if not median else "Antal": (df["numerator"] if not median else df["denominator"]),
        **({den: df["denominator"]} if not median else {}),
        ind.name: df["value"],
        **({ci: [fmt_interval(indicator_id, a, b) for a, b in zip(df["ci_low"],
                                                                                       df["ci_high"])]}
           if has_ci else {}),
        **({"Mål": [fmt_target(indicator_id, a, b) for a, b in zip(df["target_low"], df["target_high"])],
            "Status": df["status"].map(status_text)} if has_target else {}),
        "_low": df["ci_low"], "_high": df["ci_high"],
    })
    d = disclosure.disclose(
        frame, counts=[num, "Antal", den],
        derived=[ind.name, ci, "Status", "_low", "_high"],
        denominators={den: [num]} if ind.kind == "share" else None, row_totals=False,
        formats={ind.name: lambda v: fmt_value(indicator_id, v)})
    if show_table:
        notes = clean_notes(df["note"].dropna().unique())
        rep.table(d, f"{ind.name} ({ind.unit}), {sc.name}",
                  note=ind.definition + (" Bemærk: " + "; ".join(notes) + "." if notes else ""))
    # the chart, its title and the sentence use whole periods only; a partial period stays in the table, labelled
    # with its dates
    whole = ~df["partial"].to_numpy(dtype=bool)
    part = [(lab, per) for lab, per, p in zip(d.values["Periode"], df["period"], df["partial"]) if p]
    d, df = d.subset(whole), df[whole].reset_index(drop=True)
    if df.empty:
        rep.text(partial_note(part))
        return df
    valid = np.flatnonzero(df["value"].notna().to_numpy())
    share = ind.unit == catalogue.UNIT_SHARE
    a = alpha(rep)
    if share:
        fmt, kw = formatting.percent, {}
    else:
        fmt, kw = formatting.number, {"decimals": 1 if ind.kind == "rate" else 0}
    if len(valid) >= 2:
        ch_all = change(indicator_id, d, valid[0], valid[-1], rep.as_of, a, value=ind.name, num=num, den=den, period="_period")
        sure = bool(ch_all.sure) if ch_all is not None else False
        title = narrative.trend_title(ind.in_sentence, d, valid[0], valid[-1], ind.name, sure, period="_period",
                                      fmt=fmt, unit=value_unit(indicator_id), **kw)
    else:
        title = f"{ind.name}, {sc.name}"
    tl, th = df["target_low"].dropna(), df["target_high"].dropna()
    target = ((tl.iloc[-1] if len(tl) else None), (th.iloc[-1] if len(th) else None)) if len(tl) or len(th) else None
    fig = charts.series_with_ci(d, "_period", ind.name, "_low" if has_ci else None, "_high" if has_ci else None,
                                title=title, ylabel=ind.unit.capitalize() if not share else "Andel",
                                source=rep.source, as_of_label=rep.as_of_label, percent=share, target=target,
                                label=ind.name, ci_label=ci)
    rep.figure(fig, alt=(f"Linjediagram over {ind.in_sentence} for {sc.name} fra "
                         f"{formatting.period_label(df['period'].iloc[0])} til "
                         f"{formatting.period_label(df['period'].iloc[-1])}"
                         + (f" med {conf_text(rep)}-konfidensinterval som bånd" if has_ci else "")
                         + f". {title}."))
    if len(valid) >= 2:
        i0, i1 = valid[-2], valid[-1]
        ch = change(indicator_id, d, i0, i1, rep.as_of, a, value=ind.name, num=num, den=den, period="_period")
        if ch is not None:
            rep.text(narrative.change_sentence(ch, ind.in_sentence, fmt=formatting.rate_text if ind.kind == "rate"
                                               else fmt, **kw))
        elif d.is_hidden(i0, ind.name) or d.is_hidden(i1, ind.name):
            rep.text(f"{ind.name} i {formatting.period_label(df['period'].iloc[i1])} eller "
                     f"{formatting.period_label(df['period'].iloc[i0])} bygger på under 5 personer eller sager og "
                     "vises derfor ikke.")
        else:
            rep.text(f"{ind.name} var {d.text(i1, ind.name)}{value_unit(indicator_id)} i "
                     f"{formatting.period_label(df['period'].iloc[i1])} mod {d.text(i0, ind.name)} i "
                     f"{formatting.period_label(df['period'].iloc[i0])}. En median har ingen enkel test her; se "
                     "tendensanalysen for en samlet vurdering.")
    if part:
        rep.text(partial_note(part))
    return df


def partial_note(parts) -> str:
    """The line under a chart from which partial periods were left out; ``parts``: (label with dates, period)."""
    what = " og ".join(f"{lab} (kun en del af {formatting.period_label(per)})" for lab, per in parts)
    # not at the start of a line: Markdown would read '1. januar …' as a numbered list
    return f"{'Perioden' if len(parts) == 1 else 'Perioderne'} {what} indgår ikke i diagrammet eller i sammenligningen."


@dataclass(frozen=True)
class CategoryTable:
    """Counts per period and category as published (:func:`category_table`)."""

    #: the table as shown, a partial period labelled with its dates
    table: disclosure.Disclosed
    #: its whole periods, for the chart and its title (None when there are none)
    whole: disclosure.Disclosed | None
    #: the Danish labels of the first and the last whole period
    first: str
    last: str
    #: the line to print under the chart when a partial period was left out of it (else None)
    note: str | None


def category_table(rep: Report, df: pd.DataFrame, wide: pd.DataFrame, start, end, title: str,
                   note: str) -> CategoryTable:
    """Publish ``wide`` (counts: one row per period of ``df``'s computation, in order, one column per category and
    the total) as a disclosed table, and give its whole periods for the chart that follows."""
    table = wide.reset_index().rename(columns={"period": "_period"})
    table.columns.name = None
    names = dict(zip(df["period"], labels(rep, df, start, end)))
    table.insert(0, "Periode", table["_period"].map(names))
    d = disclosure.disclose(table, counts=list(wide.columns))
    rep.table(d, title, note=note)
    # the chart and its title: whole periods only (a partial period stays in the table, with its dates)
    partial = set(df.loc[df["partial"], "period"])
    whole = d.subset(~table["_period"].isin(partial).to_numpy())
    left_out = partial_note([(names[p], p) for p in sorted(partial, key=periods.sort_key)]) if partial else None
    if not len(whole):
        return CategoryTable(d, None, "", "", left_out)
    first, last = (formatting.period_label(str(whole.values["_period"].iloc[i])) for i in (0, len(whole) - 1))
    return CategoryTable(d, whole, first, last, left_out)


# --------------------------------------------------------------------------------------------- control chart
def control_chart(rep: Report, sc: Scope, indicator_id: str, period: str = "quarter", start=None, end=None,
                  what: str | None = None) -> pd.DataFrame:
    """A Laney u′ chart (rates) or p′ chart (shares) for the whole scope, with the Anhøj rules for the runs."""
    ind = catalogue.get(indicator_id)
    df = totals(compute(rep, [indicator_id], period, start, end, by=sc.total_by, where=sc.where))
    # a partial period is left out: its point would sit on limits computed for whole periods
    df = complete(df[df["denominator"].fillna(0) > 0]).sort_values("period", key=lambda s: s.map(periods.sort_key))
    if len(df) < 8:
        rep.text(f"*{ind.name}: for få perioder ({len(df)}) til et kontroldiagram.*")
        return pd.DataFrame()
    kind = "u" if ind.kind == "rate" else "p"
    result = control_limits(kind, df["numerator"].astype(float), df["denominator"].astype(float), laney=True)
    chart, runs = result.points, result.anhoej
    scale = 1000.0 if kind == "u" else 1.0
    frame = chart.reset_index(drop=True).copy()
    frame["sigma_signal"] = frame["sigma_signal"].astype(float)
    frame.insert(0, "period", df["period"].astype(str).to_numpy())
    frame.insert(1, "numerator", df["numerator"].to_numpy())
    frame.insert(2, "denominator", df["denominator"].to_numpy())
    d = disclosure.disclose(frame, counts=["numerator", "denominator"],
                            derived=["value", "ucl", "lcl", "sigma_signal"],
                            denominators={"denominator": ["numerator"]} if kind == "p" else None, row_totals=False)
    outside = [formatting.period_label(p) for p, s_ in zip(d.values["period"], d.number("sigma_signal")) if s_ == 1]
    what = what or ind.in_sentence
    if runs.signal:
        kinds = []
        if runs.runs_signal:
            kinds.append(f"en usædvanligt lang serie på samme side af centerlinjen ({runs.longest_run} punkter; "
                         f"grænsen er {runs.longest_run_max})")
        if runs.crossings_signal:
            kinds.append(f"for få krydsninger af centerlinjen ({runs.crossings}; mindst {runs.crossings_min} "
                         "forventet)")
        signal = "Anhøj-signal: " + " og ".join(kinds)
        verdict = (f"{what.capitalize()} har ikke kun tilfældig variation: der er {' og '.join(kinds)}. "
                   "Niveauet har flyttet sig – se tendensanalysen for retningen.")
        title = f"{what.capitalize()} har flyttet sig over tid (ikke-tilfældig variation)"
    else:
        signal = "Ingen Anhøj-signaler: variationen ligner tilfældig variation om et stabilt niveau"
        verdict = (f"{what.capitalize()} varierer kun tilfældigt om et stabilt niveau: der er ingen usædvanligt "
                   "lange serier og ikke for få krydsninger af centerlinjen (Anhøj-reglerne).")
        title = f"{what.capitalize()} ligger stabilt"
    if outside:
        verdict += (f" Perioder uden for kontrolgrænserne: {', '.join(outside)} – dér er afvigelsen større end "
                    "tilfældig variation.")
    else:
        verdict += " Ingen perioder ligger uden for kontrolgrænserne."
    chart_name = "u′-diagram" if kind == "u" else "p′-diagram"
    fig = charts.control_chart(d, "period", title=f"{title} – {chart_name}",
                               ylabel=("Pr. 1.000 afgørelser" if kind == "u" else "Andel"), scale=scale,
                               percent=kind == "p", source=rep.source, as_of_label=rep.as_of_label,
                               signal_text=signal)
    rep.figure(fig, alt=(f"Kontroldiagram ({chart_name}, Laney) over {what} pr. "
                         f"{formatting.period_label(df['period'].iloc[0])} til "
                         f"{formatting.period_label(df['period'].iloc[-1])} med centerlinje "
                         f"{fmt_value(indicator_id, chart['center'].iloc[0] * scale)} og kontrolgrænser. {verdict}"))
    rep.text(verdict)
    out = chart.copy()
    out.insert(0, "period", df["period"].to_numpy())
    return out
