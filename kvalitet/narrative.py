"""Danish sentences generated from the numbers: they say what the numbers support and no more.

A change between two periods is called a rise or a fall only when the statistical test says it is sure at the
configured level (1 − the confidence level, default 5 %); otherwise the sentence says the change is not
statistically sure. The numbers come from a :class:`kvalitet.disclosure.Disclosed` table: a comparison that rests
on a hidden count is not published.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from . import formatting
from .disclosure import Disclosed, require
from .stats import compare_proportions, compare_rates

ALPHA = 0.05


@dataclass(frozen=True)
class Change:
    """A comparison of the latest period with the one before. ``hidden``: a count behind it is under 5, so neither
    the values nor the test may be published."""

    previous_period: str
    latest_period: str
    previous: float
    latest: float
    p: float
    method: str
    hidden: bool = False
    alpha: float = ALPHA

    @property
    def direction(self) -> str:
        if self.hidden:
            return "skjult"
        if self.latest > self.previous:
            return "op"
        if self.latest < self.previous:
            return "ned"
        return "uændret"

    @property
    def sure(self) -> bool:
        return not self.hidden and self.p < self.alpha


def _cells(d: Disclosed, rows, cols) -> tuple[bool, list]:
    hidden = any(d.is_hidden(i, c) for i in rows for c in cols)
    return hidden, [[d.values[c].iloc[i] for c in cols] for i in rows]


def rate_change(d: Disclosed, prev: int, last: int, events: str = "numerator", exposure: str = "denominator",
                period: str = "period", per: float = 1000.0, alpha: float = ALPHA) -> Change | None:
    """Compare the rates of rows ``prev`` and ``last`` of a disclosed table with the exact conditional test; None
    when either period has no exposure; a hidden Change when a count behind it is hidden."""
    require(d, "rate_change")
    hidden, ((e0, t0), (e1, t1)) = _cells(d, (prev, last), (events, exposure))
    p0, p1 = str(d.values[period].iloc[prev]), str(d.values[period].iloc[last])
    if hidden:
        return Change(p0, p1, float("nan"), float("nan"), float("nan"), "", hidden=True, alpha=alpha)
    if not t0 or not t1 or pd.isna(t0) or pd.isna(t1):
        return None
    res = compare_rates(int(e1), float(t1), int(e0), float(t0))
    return Change(p0, p1, e0 / t0 * per, e1 / t1 * per, float(res.p), "eksakt betinget test for to Poisson-rater",
                  alpha=alpha)


def share_change(d: Disclosed, prev: int, last: int, x: str = "numerator", n: str = "denominator",
                 period: str = "period", alpha: float = ALPHA) -> Change | None:
    """Compare the shares of rows ``prev`` and ``last`` of a disclosed table with a z-test (see rate_change)."""
    require(d, "share_change")
    hidden, ((x0, n0), (x1, n1)) = _cells(d, (prev, last), (x, n))
    p0, p1 = str(d.values[period].iloc[prev]), str(d.values[period].iloc[last])
    if hidden:
        return Change(p0, p1, float("nan"), float("nan"), float("nan"), "", hidden=True, alpha=alpha)
    if not n0 or not n1 or pd.isna(n0) or pd.isna(n1):
        return None
    res = compare_proportions(int(x1), int(n1), int(x0), int(n0))
    return Change(p0, p1, x0 / n0, x1 / n1, float(res.p), "z-test for to andele", alpha=alpha)


def count_change(d: Disclosed, prev: int, last: int, count: str, days: tuple[int, int], period: str = "period",
                 alpha: float = ALPHA) -> Change | None:
    """Compare two counts per day (periods of different length compare fairly) with the exact conditional test."""
    require(d, "count_change")
    hidden, ((c0,), (c1,)) = _cells(d, (prev, last), (count,))
    p0, p1 = str(d.values[period].iloc[prev]), str(d.values[period].iloc[last])
    if hidden:
        return Change(p0, p1, float("nan"), float("nan"), float("nan"), "", hidden=True, alpha=alpha)
    if not days[0] or not days[1]:
        return None
    res = compare_rates(int(c1), days[1], int(c0), days[0])
    return Change(p0, p1, float(c0), float(c1), float(res.p), "eksakt betinget test (antal pr. dag)", alpha=alpha)


def change_sentence(change: Change | None, what: str, fmt=formatting.number, **fmt_kw) -> str:
    """E.g. 'Klageraten var 2,3 pr. 1.000 afgørelser i 2024 mod 2,9 i 2023. Faldet er statistisk sikkert (p = 0,012).'"""
    if change is None:
        return f"{what.capitalize()} kan ikke sammenlignes med perioden før (ingen nævner i en af perioderne)."
    if change.hidden:
        return (f"{what.capitalize()} i {formatting.period_label(change.latest_period)} og "
                f"{formatting.period_label(change.previous_period)} bygger på under 5 personer eller sager i en af "
                "perioderne og vises derfor ikke.")
    latest = fmt(change.latest, **fmt_kw)
    previous = fmt(change.previous, **fmt_kw)
    head = (f"{what.capitalize()} var {latest} i {formatting.period_label(change.latest_period)} "
            f"mod {previous} i {formatting.period_label(change.previous_period)}.")
    if change.direction == "uændret":
        return head + " Der er ingen ændring."
    # the adjective agrees with the noun: 'stigningen' is common gender, 'faldet' neuter
    noun, sure_word = ("Stigningen", "sikker") if change.direction == "op" else ("Faldet", "sikkert")
    p_text = p_value(change.p)
    if change.sure:
        return f"{head} {noun} er statistisk {sure_word} ({p_text})."
    return f"{head} {noun} er ikke statistisk {sure_word} ({p_text}) og kan skyldes tilfældig variation."


def p_value(p: float) -> str:
    if p < 0.001:
        return "p < 0,001"
    return f"p = {formatting.number(p, 3)}"


def trend_title(what: str, d: Disclosed, first: int, last: int, value: str, sure: bool, period: str = "period",
                fmt=formatting.number, unit: str = "", **fmt_kw) -> str:
    """A chart title that states the finding, from rows ``first`` and ``last`` of a disclosed table (``unit``
    after the numbers, e.g. ' pr. 1.000 afgørelser'); without the numbers when either is hidden."""
    require(d, "trend_title")
    p0, p1 = (formatting.period_label(str(d.values[period].iloc[i])) for i in (first, last))
    if d.is_hidden(first, value) or d.is_hidden(last, value):
        return f"{what.capitalize()}{unit}, {p0}–{p1}"
    v0, v1 = float(d.values[value].iloc[first]), float(d.values[value].iloc[last])
    a, b = fmt(v0, **fmt_kw), fmt(v1, **fmt_kw)
    span = f"fra {a} i {p0} til {b} i {p1}"
    if not sure or v0 == v1:
        return f"{what.capitalize()} {span}{unit}"
    verb = "steg" if v1 > v0 else "faldt"
    return f"{what.capitalize()} {verb} {span}{unit}"


def count_phrase(n: int, singular: str, plural: str) -> str:
    """'1 afgjort sag', '3 afgjorte sager' (the number with thousands dots)."""
    return f"{formatting.count(n)} {singular if n == 1 else plural}"
