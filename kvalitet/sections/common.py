"""What the report sections share: the scope of a report (the whole municipality, forvaltninger side by side, or one
forvaltning's areas), indicator values formatted for readers, the comparison of groups in the latest period, a series
over time with its change, a control chart with Anhøj signals, trend results, and "Metode og data"."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

import re

from .. import catalogue, charts, contract, disclosure, formatting, narrative, periods, screening
from .. import targets as targets_mod
from ..indicators import compute as _compute
from ..indicators import data_as_of, lookups, period_labels
from ..present import Report
from ..stats import bh_qvalues, compare_proportions, compare_rates, control_limits

#: status words → the symbol a reader sees next to them
STATUS_SYMBOLS = {
    targets_mod.STATUS_MET: "✔",
    targets_mod.STATUS_TH_UNDER: "✔",
    targets_mod.STATUS_OVER: "▲",
    targets_mod.STATUS_UNDER: "▼",
    targets_mod.STATUS_TH_OVER: "▲",
    targets_mod.STATUS_SURELY_OVER: "✖",
    targets_mod.STATUS_SURELY_UNDER: "✖",
    targets_mod.STATUS_TH_SURELY_OVER: "✖",
    targets_mod.STATUS_ABOVE_BAND: "✔",
    targets_mod.STATUS_BELOW_BAND: "✔",
    targets_mod.STATUS_NO_TARGET: "",
    targets_mod.STATUS_NO_DATA: "",
}
STATUS_LEGEND = ("✔ målet er opfyldt (eller bedre end målbåndet); ▲/▼ over/under målet, men det kan skyldes "
                 "tilfældig variation; ✖ sikkert over/under målet (hele konfidensintervallet ligger på den forkerte "
                 "side).")


def alpha(rep: Report) -> float:
    """The significance level of a comparison of two periods or groups: 1 − the configured confidence level."""
    return round(1.0 - rep.organisation.thresholds.conf, 10)


def conf_text(rep: Report) -> str:
    """'95 %' from the configured confidence level."""
    c = rep.organisation.thresholds.conf * 100
    return formatting.number(c, 0 if abs(c - round(c)) < 1e-9 else 1) + " %"


def level_text(value: float) -> str:
    """A configured level such as 0.05 as written in a sentence: '0,05'."""
    return formatting.number(value, max(2, len(repr(value).split(".")[-1])) if "." in repr(value) else 0)


def clean_notes(notes) -> list[str]:
    """The engine's notes as published: a count of cases under 5 in a note is written 'under 5' (disclosure), so
    '1 afgjorte sager …' never appears either."""
    out = []
    for n in notes:
        n = re.sub(r"\b([1-4]) (afgjorte sager|sager|klager|ankesager|henvendelser|opgørelse\(r\))", r"under 5 \2",
                   str(n))
        out.append(n)
    return out


def disclose_indicator(df: pd.DataFrame, indicator_id: str) -> disclosure.Disclosed:
    """A tidy indicator frame through the disclosure rule: numerator and denominator are counts of persons or
    cases; the value, its interval and its status are derived from them; a share's denominator is its numerator
    plus the rest."""
    kind = catalogue.get(indicator_id).kind
    return disclosure.disclose(
        df, counts=["numerator", "denominator"], derived=["value", "ci_low", "ci_high", "status"],
        denominators={"denominator": ["numerator"]} if kind == "share" else None, row_totals=False)


def status_text(status) -> str:
    if status is None or (isinstance(status, float) and np.isnan(status)):
        return formatting.MISSING
    sym = STATUS_SYMBOLS.get(status, "")
    return f"{sym} {status}".strip()


@dataclass(frozen=True)
class Scope:
    """Who a report covers. ``forvaltning`` None: the whole municipality, groups are the forvaltninger; a code:
    that forvaltning, groups are its areas (or units)."""

    forvaltning: str | None
    name: str

    @property
    def where(self) -> dict | None:
        return {"forvaltning": self.forvaltning} if self.forvaltning else None

    @property
    def total_by(self) -> tuple[str, ...]:
        return ("forvaltning",) if self.forvaltning else ()

    def by(self, level: str = "area") -> tuple[str, ...]:
        """Grouping to compare: forvaltninger for the municipality, ``level`` (area or unit) within one."""
        return ("forvaltning",) if not self.forvaltning else ("forvaltning", level)

    def group_col(self, level: str = "area") -> str:
        return "forvaltning" if not self.forvaltning else level

    def group_title(self, level: str = "area") -> str:
        return "Forvaltning" if not self.forvaltning else {"area": "Område", "unit": "Enhed"}[level]


def scope(rep: Report, forvaltning: str | None) -> Scope:
    if forvaltning:
        if forvaltning not in rep.organisation.codes:
            from ..errors import UserError

            raise UserError(f"forvaltningen '{forvaltning}' findes ikke i organisationsfilen "
                            f"(findes: {', '.join(rep.organisation.codes)})")
        return Scope(forvaltning, rep.organisation.name_of(forvaltning))
    return Scope(None, rep.organisation.display_name)


def compute(rep: Report, ids, period: str, start=None, end=None, by=(), where=None) -> pd.DataFrame:
    """The indicator engine with the report's store, organisation and as-of date."""
    return _compute(rep.con, list(ids), period=period, by=by, start=start, end=end, as_of=rep.as_of,
                    organisation=rep.organisation, where=where)


def totals(df: pd.DataFrame) -> pd.DataFrame:
    return df[df["subgroup"].isna()]


def complete(df: pd.DataFrame) -> pd.DataFrame:
    """The rows of whole periods: a partial period (not over at the as-of date, or cut by start/end) is left out of
    trend tests, control limits, line charts and the "fra … til …" of titles and sentences."""
    return df[~df["partial"].astype(bool)] if "partial" in df else df


def latest_complete(df: pd.DataFrame) -> str | None:
    """The latest whole period among the rows of ``df`` with a value (None when there is none)."""
    done = complete(df)
    done = done[done["value"].notna()] if "value" in done else done
    return max(done["period"], key=periods.sort_key) if len(done) else None


def labels(rep: Report, df: pd.DataFrame, start=None, end=None) -> list[str]:
    """The Danish label of each row's period for a table: a partial period with the dates it holds
    (``1. januar–31. januar 2024``). Pass the ``start`` and ``end`` given to :func:`compute`."""
    return period_labels(rep.con, df, as_of=rep.as_of, start=start, end=end)


def has_values(df: pd.DataFrame) -> bool:
    return not df.empty and df["value"].notna().any() and df["denominator"].fillna(0).sum() + \
        df["numerator"].fillna(0).sum() > 0


def no_data(rep: Report, what: str) -> None:
    """The one line a section shows when there is nothing to show."""
    rep.text(f"*{what}: ingen data for perioden.*")


# --------------------------------------------------------------------------------------------------- values
def fmt_value(indicator_id: str, value, ci: bool = False) -> str:
    """A value as a reader sees it: shares as percentages, rates with one decimal, days and counts whole."""
    ind = catalogue.get(indicator_id)
    if ind.unit == catalogue.UNIT_SHARE:
        return formatting.percent(value, 1)
    if ind.unit == catalogue.UNIT_RATE:
        return formatting.number(value, 1)
    return formatting.count(value)


def fmt_interval(indicator_id: str, low, high) -> str:
    ind = catalogue.get(indicator_id)
    if ind.unit == catalogue.UNIT_SHARE:
        return formatting.interval(low, high, fmt=formatting.percent, decimals=1)
    if ind.unit == catalogue.UNIT_RATE:
        return formatting.interval(low, high, decimals=1)
    return formatting.interval(low, high, fmt=formatting.count)


def fmt_target(indicator_id: str, low, high) -> str:
    f = (lambda v: fmt_value(indicator_id, v))
    lo = low is not None and not pd.isna(low)
    hi = high is not None and not pd.isna(high)
    if lo and hi:
        return f"{f(low)}–{f(high)}"
    if hi:
        return f"højst {f(high)}"
    if lo:
        return f"mindst {f(low)}"
    return formatting.MISSING


def value_unit(indicator_id: str) -> str:
    unit = catalogue.get(indicator_id).unit
    return {catalogue.UNIT_SHARE: "", catalogue.UNIT_RATE: " pr. 1.000 afgørelser", catalogue.UNIT_DAYS: " dage",
            catalogue.UNIT_COUNT: ""}[unit]


def period_days(label: str, as_of: date | None) -> int:
    lo, hi = periods.bounds(label)
    if as_of is not None:
        hi = min(hi, as_of)
    return max((hi - lo).days + 1, 0)


def change(indicator_id: str, d: disclosure.Disclosed, prev: int, last: int, as_of: date | None,
           alpha: float = narrative.ALPHA, value: str = "value", num: str = "numerator", den: str = "denominator",
           period: str = "period", days: tuple[int, int] | None = None) -> narrative.Change | None:
    """The comparison of rows ``prev`` and ``last`` of a disclosed table with the test that fits the indicator;
    None for medians (no test here). ``days``: the days each row covers, for counts (compared per day), when the
    rows' ``period`` is not what they cover (a partial period and the same part of the year before)."""
    kind = catalogue.get(indicator_id).kind
    if pd.isna(d.values[value].iloc[prev]) or pd.isna(d.values[value].iloc[last]):
        return None
    if kind == "rate":
        return narrative.rate_change(d, prev, last, num, den, period, alpha=alpha)
    if kind == "share":
        return narrative.share_change(d, prev, last, num, den, period, alpha=alpha)
    if kind == "count" and indicator_id != "open_cases_over_target":
        if days is None:
            days = tuple(period_days(str(d.values[period].iloc[i]), as_of) for i in (prev, last))
        return narrative.count_change(d, prev, last, num, days, period, alpha=alpha)
    return None


# --------------------------------------------------------------------------------------------- group comparison
def compare_groups(rep: Report, sc: Scope, indicator_id: str, period: str, start=None, end=None,
                   level: str = "area", title: str | None = None) -> pd.DataFrame:
    """The latest period of one share or rate, group by group (forvaltninger, or one forvaltning's areas or
    units), with CI, target and status: a table and a dot chart with the whole as a reference line."""
    ind = catalogue.get(indicator_id)
    by = ("forvaltning", "area") if level == "forvaltning_area" else sc.by(level)
    df = totals(compute(rep, [indicator_id], period, start, end, by=by, where=sc.where))
    last = latest_complete(df) if has_values(df) else None
    if last is None:
        no_data(rep, ind.name)
        return pd.DataFrame()
    cur = df[df["period"] == last].copy()
    whole = totals(compute(rep, [indicator_id], period, start, end, by=sc.total_by, where=sc.where))
    whole = whole[whole["period"] == last]
    group_title = sc.group_title("area" if level == "forvaltning_area" else level)
    title_word = group_title.lower()
    if level == "forvaltning_area":
        cur["group"] = (cur["area"].fillna("") if sc.forvaltning else
                        cur["forvaltning"].fillna("") + ": " + cur["area"].fillna("(uden område)"))
        gcol, level = "group", "area"
        group_title = "Område" if sc.forvaltning else "Forvaltning: område"
        title_word = group_title.split(":")[-1].strip().lower()
    else:
        gcol = sc.group_col(level)
    cur = cur[(cur["denominator"].fillna(0) > 0) & cur[gcol].notna()]
    cur = cur.sort_values("value", ascending=ind.better == "lav", na_position="last")  # best first
    if cur.empty:
        no_data(rep, ind.name)
        return pd.DataFrame()
    names = cur[gcol].map(lambda g: g if gcol != "forvaltning" else rep.organisation.name_of(g))
    is_share = ind.unit == catalogue.UNIT_SHARE
    ci = f"{conf_text(rep)}-konfidensinterval"
    frame = pd.DataFrame({
        group_title: names.to_numpy(),
        "Tæller": cur["numerator"].to_numpy(),
        "Nævner": cur["denominator"].to_numpy(),
        ind.name: cur["value"].to_numpy(),
        ci: [fmt_interval(indicator_id, a, b) for a, b in zip(cur["ci_low"], cur["ci_high"])],
        "Mål": [fmt_target(indicator_id, a, b) for a, b in zip(cur["target_low"], cur["target_high"])],
        "Status": cur["status"].map(status_text).to_numpy(),
        "_label": [str(x) for x in cur[gcol]],
        "_short": [_short(x) for x in cur[gcol]],
        "_low": cur["ci_low"].to_numpy(), "_high": cur["ci_high"].to_numpy(),
        "_flag": cur["status"].isin(targets_mod.BAD_STATUSES).to_numpy(),
    })
    if frame["Mål"].eq(formatting.MISSING).all():
        frame = frame.drop(columns=["Mål", "Status"])
    if ind.kind in ("median", "km_median") and cur["numerator"].isna().all():
        frame = frame.drop(columns=["Tæller", ci]).rename(columns={"Nævner": "Antal"})
    d = disclosure.disclose(
        frame, counts=["Tæller", "Nævner", "Antal"],
        derived=[ind.name, ci, "Status", "_low", "_high", "_flag"],
        denominators={"Nævner": ["Tæller"]} if ind.kind == "share" else None, row_totals=False,
        formats={ind.name: lambda v: fmt_value(indicator_id, v)})
    rep.table(d, title or f"{ind.name} pr. {title_word}, {formatting.period_label(last)}",
              note=f"{ind.definition} Tæller: {ind.numerator}. Nævner: {ind.denominator}.")
    tl = cur["target_low"].dropna()
    th = cur["target_high"].dropna()
    target = ((tl.iloc[0] if len(tl) else None), (th.iloc[0] if len(th) else None)) if len(tl) or len(th) else None
    ref = float(whole["value"].iloc[0]) if not whole.empty and pd.notna(whole["value"].iloc[0]) else None
    visible = np.flatnonzero(d.shown([ind.name]))
    period_text = formatting.period_label(last)
    best_word = "lavest" if ind.better == "lav" else "højest"
    if len(visible) == 1:
        only = visible[0]
        head = (f"{ind.name} i {period_text}: {d.values['_label'].iloc[only]} ({d.text(only, ind.name)})")
    elif ind.better in ("lav", "høj") and len(visible):
        top, bottom = visible[0], visible[-1]
        head = (f"{ind.name} i {period_text}: {best_word} i {d.values['_label'].iloc[top]} "
                f"({d.text(top, ind.name)})")
        head += (f", {'højest' if ind.better == 'lav' else 'lavest'} i {d.values['_label'].iloc[bottom]} "
                 f"({d.text(bottom, ind.name)})")
    else:
        head = f"{ind.name} i {period_text} pr. {title_word}"
    fig = charts.dot_ci(
        d, "_short", ind.name, "_low", "_high", title=head, xlabel=ind.name + value_unit(indicator_id),
        percent=is_share, decimals=0, target=target, reference=ref,
        reference_label=f"{sc.name}" if sc.forvaltning else "Hele kommunen", flags="_flag", source=rep.source,
        as_of_label=rep.as_of_label)
    values_text = "; ".join(f"{d.values['_label'].iloc[i]}: {d.text(i, ind.name)}" for i in visible)
    rep.figure(fig, alt=(f"Prikdiagram: {ind.name.lower()} pr. {title_word} i {period_text} med "
                         f"{conf_text(rep)}-konfidensinterval som vandrette linjer."
                         + (f" {values_text}." if values_text else "")))
    sentence = group_tests(rep, d, ind, indicator_id)
    if sentence:
        rep.text(sentence)
    cur = cur.copy()
    cur["hidden"] = ~d.shown([ind.name])  # rows whose value may not be published (callers must not name them)
    return cur


def _short(label: str, width: int = 34) -> str:
    s = str(label)
    return s if len(s) <= width else s[: width - 1] + "…"


def group_tests(rep: Report, d: disclosure.Disclosed, ind, indicator_id: str) -> str:
    """Which groups differ from the rest: each group whose numbers may be published is compared with all the
    other groups together (a z-test for two shares, the exact conditional test for two rates), and the p-values
    are adjusted for the number of groups tested (Benjamini–Hochberg); a group differs when q is below the
    configured level. The sentence says what was tested."""
    if len(d) < 3 or ind.kind not in ("share", "rate") or "Tæller" not in d.columns:
        return ""
    num = pd.to_numeric(d.values["Tæller"], errors="coerce").to_numpy(dtype=float)
    den = pd.to_numeric(d.values["Nævner"], errors="coerce").to_numpy(dtype=float)
    ok = d.shown(["Tæller", "Nævner", ind.name]) & (den > 0) & (den.sum() - den > 0)
    if ok.sum() < 2:
        return ""
    idx = np.flatnonzero(ok)
    x, n = num[idx], den[idx]
    rx, rn = np.nansum(num) - x, np.nansum(den) - n
    if ind.kind == "share":
        res = compare_proportions(x.astype(int), n.astype(int), rx.astype(int), rn.astype(int))
        diff = np.asarray(res.difference, dtype=float)
        test = "en z-test for to andele"
    else:
        res = compare_rates(x.astype(int), n, rx.astype(int), rn)
        diff = np.log(np.asarray(res.rate_ratio, dtype=float))
        test = "en eksakt betinget test for to rater"
    p = np.asarray(res.p, dtype=float)
    q = bh_qvalues(p)
    level = rep.organisation.thresholds.fdr
    high = [str(d.values["_label"].iloc[i]) for i, qq, dd in zip(idx, q, diff) if qq < level and dd > 0]
    low = [str(d.values["_label"].iloc[i]) for i, qq, dd in zip(idx, q, diff) if qq < level and dd < 0]
    how = (f"Hver {'gruppe'} er sammenlignet med de øvrige grupper tilsammen ({test}); p-værdierne er justeret "
           f"for, at {len(idx)} grupper testes på én gang (Benjamini-Hochberg), og en forskel kaldes sikker, når "
           f"q < {level_text(level)}.")
    parts = []
    if high:
        parts.append(f"sikkert højere end de øvrige: {', '.join(high)}")
    if low:
        parts.append(f"sikkert lavere end de øvrige: {', '.join(low)}")
    if not parts:
        return ("Ingen gruppe adskiller sig sikkert fra de øvrige; forskellene kan skyldes tilfældig variation. "
                + how)
    return f"{ind.name}: " + "; ".join(parts) + ". " + how


# ------------------------------------------------------------------------------------------------ a series
def series(rep: Report, sc: Scope, indicator_id: str, period: str, start=None, end=None,
           show_table: bool = True) -> pd.DataFrame:
    """One share, rate or median over time for the whole scope: table, chart with CI and target, and a
    sentence comparing the latest period with the one before (tested where the indicator allows)."""
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
    frame = pd.DataFrame({
        "_period": df["period"].astype(str),
        "Periode": labels(rep, df, start, end),
        "Tæller" if not median else "Antal": (df["numerator"] if not median else df["denominator"]),
        **({"Nævner": df["denominator"]} if not median else {}),
        ind.name: df["value"],
        **({ci: [fmt_interval(indicator_id, a, b) for a, b in zip(df["ci_low"],
                                                                                       df["ci_high"])]}
           if has_ci else {}),
        **({"Mål": [fmt_target(indicator_id, a, b) for a, b in zip(df["target_low"], df["target_high"])],
            "Status": df["status"].map(status_text)} if has_target else {}),
        "_low": df["ci_low"], "_high": df["ci_high"],
    })
    d = disclosure.disclose(
        frame, counts=["Tæller", "Antal", "Nævner"],
        derived=[ind.name, ci, "Status", "_low", "_high"],
        denominators={"Nævner": ["Tæller"]} if ind.kind == "share" else None, row_totals=False,
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
        ch_all = change(indicator_id, d, valid[0], valid[-1], rep.as_of, a, value=ind.name, num="Tæller", den="Nævner", period="_period")
        sure = bool(ch_all.sure) if ch_all is not None else False
        title = narrative.trend_title(ind.name.lower(), d, valid[0], valid[-1], ind.name, sure, period="_period",
                                      fmt=fmt, unit=value_unit(indicator_id), **kw)
    else:
        title = f"{ind.name}, {sc.name}"
    tl, th = df["target_low"].dropna(), df["target_high"].dropna()
    target = ((tl.iloc[-1] if len(tl) else None), (th.iloc[-1] if len(th) else None)) if len(tl) or len(th) else None
    fig = charts.series_with_ci(d, "_period", ind.name, "_low" if has_ci else None, "_high" if has_ci else None,
                                title=title, ylabel=ind.unit.capitalize() if not share else "Andel",
                                source=rep.source, as_of_label=rep.as_of_label, percent=share, target=target,
                                label=ind.name, ci_label=ci)
    rep.figure(fig, alt=(f"Linjediagram over {ind.name.lower()} for {sc.name} fra "
                         f"{formatting.period_label(df['period'].iloc[0])} til "
                         f"{formatting.period_label(df['period'].iloc[-1])}"
                         + (f" med {conf_text(rep)}-konfidensinterval som bånd" if has_ci else "")
                         + f". {title}."))
    if len(valid) >= 2:
        i0, i1 = valid[-2], valid[-1]
        ch = change(indicator_id, d, i0, i1, rep.as_of, a, value=ind.name, num="Tæller", den="Nævner", period="_period")
        if ch is not None:
            rep.text(narrative.change_sentence(ch, ind.name.lower(), fmt=fmt, **kw))
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
    what = what or ind.name.lower()
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


# -------------------------------------------------------------------------------------------------- trends
#: the primary method per kind of indicator (the catalogue's; each entry's ``trend_method``)
PRIMARY_METHOD = catalogue.PRIMARY_METHOD
#: what the estimate of each method is (a rate ratio for rates and counts, an odds ratio for shares)
METHOD_WORDS = {"poisson_glm": "rateratio pr. år", "binomial_glm": "oddsratio pr. år",
                "mann_kendall": "dage pr. år (Sens hældning)"}
#: the reading of a ratio of 1,05 per method, for the notes under the tables
RATIO_READING = {
    "poisson_glm": "en rateratio på 1,05 betyder, at raten (for antal: antallet) er 5 % højere for hvert år",
    "binomial_glm": "en oddsratio på 1,05 betyder, at oddsene – andelen divideret med resten, p/(1 − p) – er 5 % "
                    "højere for hvert år; for en andel på 20 % svarer det til omkring 0,8 procentpoint højere pr. år",
}


def trends(rep: Report, sc: Scope, ids: list[str], period: str = "year", start=None, end=None,
           level: str = "area", by_group: bool = True) -> pd.DataFrame:
    """The trend screening for the scope (and its groups), one row per series with its primary method; q-values
    across everything tested here (Benjamini–Hochberg)."""
    by = sc.by(level) if by_group else sc.total_by
    tr, _ = screening.run(rep.con, ids, period=period, by=by, start=start, end=end, as_of=rep.as_of,
                          organisation=rep.organisation, where=sc.where, initiatives=False)
    if tr.empty:
        rep.text("*Tendenser: ingen serier at teste.*")
        return tr
    tr = tr[tr["subgroup"].isna()].copy()
    tr["primary"] = tr["indicator"].map(lambda i: catalogue.get(i).trend_method)
    tr = tr[tr["method"] == tr["primary"]]
    gcol = sc.group_col(level) if by_group else None
    table = pd.DataFrame({
        "Indikator": tr["indicator"].map(lambda i: catalogue.get(i).name),
        **({sc.group_title(level): tr[gcol].fillna(sc.name)} if gcol else {}),
        "Perioder": [f"{formatting.period_label(a)}–{formatting.period_label(b)}" if a and b else formatting.MISSING
                     for a, b in zip(tr["first_period"], tr["last_period"])],
        "Mål for ændringen": tr["method"].map(METHOD_WORDS),
        "Ændring pr. år": [_estimate(m, e) for m, e in zip(tr["method"], tr["estimate"])],
        f"{conf_text(rep)}-konfidensinterval": [formatting.interval(a, b, decimals=2) if m != "mann_kendall" else
                                   formatting.interval(a, b, decimals=1)
                                   for m, a, b in zip(tr["method"], tr["ci_low"], tr["ci_high"])],
        "q-værdi": tr["q_value"].map(lambda q: formatting.number(q, 3) if pd.notna(q) else formatting.MISSING),
        "Tendens": tr["direction"],
    })
    level = level_text(rep.organisation.thresholds.fdr)
    rep.table(disclosure.disclose(table), "Tendenser", note=(
        "Ændring pr. år: for rater og antal en rateratio fra en quasi-Poisson-model, for andele en oddsratio fra en "
        f"quasi-binomial model; {RATIO_READING['poisson_glm']}, og {RATIO_READING['binomial_glm']}. For medianer: "
        "Sens hældning i dage pr. år (Mann-Kendall). q-værdien er p-værdien justeret for, at mange serier testes på "
        f"én gang (Benjamini-Hochberg); en tendens kaldes stigende eller faldende, når q < {level}."))
    rep.text(trend_sentence(tr, sc, gcol, rep.organisation.thresholds.fdr))
    return tr


def _estimate(method: str, value) -> str:
    if pd.isna(value):
        return formatting.MISSING
    if method == "mann_kendall":
        return formatting.number(value, 1) + " dage"
    return formatting.number(value, 2)


def trend_sentence(tr: pd.DataFrame, sc: Scope, gcol: str | None, fdr: float = 0.05) -> str:
    sure = tr[tr["direction"].isin([screening.RISING, screening.FALLING])]
    level = level_text(fdr)
    if sure.empty:
        return (f"Ingen af serierne har en statistisk sikker tendens (q < {level}); udsvingene kan skyldes "
                "tilfældig variation.")
    parts = []
    for r in sure.itertuples():
        ind = catalogue.get(r.indicator)
        who = f" i {getattr(r, gcol)}" if gcol and getattr(r, gcol) else ""
        good = ((ind.better == "lav" and r.direction == screening.FALLING)
                or (ind.better == "høj" and r.direction == screening.RISING))
        judge = " (en forbedring)" if good else (" (en forværring)" if ind.better in ("lav", "høj") else "")
        parts.append(f"{ind.name.lower()}{who} er {r.direction}{judge}")
    rest = len(tr) - len(sure)
    tail = f" De øvrige {rest} serier har ingen statistisk sikker tendens." if rest else ""
    return f"Statistisk sikre tendenser (q < {level}): " + "; ".join(parts) + "." + tail


# -------------------------------------------------------------------------------------------- method and data
def method_and_data(rep: Report, indicator_ids: list[str], tables: list[str], extra: list[str] | None = None,
                    period: str = "year") -> None:
    """'Metode og data': definitions from the catalogue and data-quality notes (quarantine, suppression, …); when
    the tables were exported on different dates, or the current ``period`` is not over, the date of each table and
    the latest complete period (judged by the earliest date)."""
    lines = ["## Metode og data", "", "**Definitioner**", ""]
    for i in indicator_ids:
        ind = catalogue.get(i)
        ci = f" Usikkerhed: {ind.ci}." if ind.ci and ind.ci != catalogue.CI_NONE else ""
        target = f" Standardmål: {ind.default_target}." if ind.default_target and ind.default_target != "intet" else ""
        lines.append(f"- **{ind.name}** ({ind.unit}): {ind.definition}{ci}{target}")
    lines += ["", "**Datakvalitet**", ""]
    q = lookups.quarantine_counts(rep.con, tables)
    total = sum(n for _, n in q)
    if total:
        per = ", ".join(f"{contract.TABLES[t].danish} {formatting.count(n)}" for t, n in q)
        lines.append(f"- Rækker afvist ved indlæsningen (i karantæne): {formatting.count(total)} ({per}). De indgår "
                     "ikke i tallene; se dem med `kvalitet quarantine`.")
    else:
        lines.append("- Ingen rækker er afvist ved indlæsningen af disse data.")
    lines += [f"- {e}" for e in as_of_lines(rep, tables, period)]
    for e in extra or []:
        lines.append(f"- {e}")
    from ..disclosure import NOTE

    if rep.suppressed_any:
        lines.append(f"- {NOTE} I diagrammerne er skjulte grupper udeladt, med en note («skjult: under 5»).")
    else:
        lines.append("- Tal under 5 ville blive vist som «<5» for at beskytte enkeltpersoner; ingen tabel her "
                     "havde sådanne tal.")
    lines += ["", f"Konfidensintervaller er {conf_text(rep)}. En ændring mellem to perioder kaldes statistisk "
                  f"sikker, når p < {level_text(alpha(rep))}; tendenser over mange perioder, når "
                  f"q < {level_text(rep.organisation.thresholds.fdr)} (justeret for mange test)."]
    rep.text("\n".join(lines))


def as_of_lines(rep: Report, tables: list[str], period: str = "year") -> list[str]:
    """The lines on dates for "Metode og data": each table's export date and the latest complete period, when the
    tables differ or the current period is not over (nothing otherwise: the report's header gives the date)."""
    if not tables:
        return []
    asof = data_as_of(rep.con, tables, rep.as_of, rep.organisation)
    if not asof.tables or (not asof.differ and asof.current(period) is None):
        return []
    if not asof.differ:
        return asof.sentences(period)
    # each number is judged by the earliest date of the tables it reads (the key figures' "Periode" column shows
    # the result), so one period for the whole report would contradict some rows: say the rule instead
    whole = formatting.period_label(asof.complete(period).label)
    text = ("Hvert tal er opgjort for den seneste hele periode, vurderet efter den tidligste opgørelsesdato blandt de "
            f"tabeller, tallet bygger på (for alle tabellerne under ét: {whole})")
    if asof.current(period) is not None:
        text += ("; en periode, der ikke er slut på tallets opgørelsesdato, vises kun med sine datoer og "
                 "sammenlignes kun med samme del af året før")
    return asof.sentences() + [text + "."]


def table_has_rows(rep: Report, table: str, sc: Scope) -> bool:
    """Whether the store holds any row of ``table`` for the scope (tables that were never loaded are empty)."""
    return lookups.table_has_rows(rep.con, table, sc.forvaltning)


def latest_period(rep: Report, indicator_id: str, forvaltning: str | None, period: str, start, end, what: str):
    """The scope and the latest period with data for ``indicator_id`` (its label and date bounds), or None after
    saying in one line that ``what`` has no data."""
    sc = scope(rep, forvaltning)
    df = totals(compute(rep, [indicator_id], period, start, end, by=sc.total_by, where=sc.where))
    df = complete(df[df["denominator"].fillna(0) > 0])
    if df.empty:
        no_data(rep, what)
        return None
    last = max(df["period"], key=periods.sort_key)
    lo, hi = periods.bounds(last)
    return sc, last, lo, hi
