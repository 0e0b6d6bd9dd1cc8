"""Indicator values and words as a report reader sees them: status symbols, the confidence level in words, the
engine's notes as published, and the change between two rows of a disclosed table (with the test that fits the indicator)."""

from __future__ import annotations

import re
from datetime import date

import numpy as np
import pandas as pd

from .. import catalogue, disclosure, formatting, narrative, periods
from .. import targets as targets_mod
from ..present import Report


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
