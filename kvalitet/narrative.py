"""Danish sentences generated from the numbers: they say what the numbers support and no more.

A change between two periods is called a rise or a fall only when the statistical test says it is sure at the 5 %
level; otherwise the sentence says the change is not statistically sure.
"""

from __future__ import annotations

from dataclasses import dataclass

from . import formatting
from .stats import compare_proportions, compare_rates

ALPHA = 0.05


@dataclass(frozen=True)
class Change:
    """A comparison of the latest period with the one before."""

    previous_period: str
    latest_period: str
    previous: float
    latest: float
    p: float
    method: str

    @property
    def direction(self) -> str:
        if self.latest > self.previous:
            return "op"
        if self.latest < self.previous:
            return "ned"
        return "uændret"

    @property
    def sure(self) -> bool:
        return self.p < ALPHA


def rate_change(prev_period: str, prev_events: int, prev_exposure: float, last_period: str, last_events: int,
                last_exposure: float, per: float = 1000.0) -> Change | None:
    """Compare two rates with the exact conditional test; None when either period has no exposure."""
    if not prev_exposure or not last_exposure:
        return None
    res = compare_rates(last_events, last_exposure, prev_events, prev_exposure)
    return Change(prev_period, last_period, prev_events / prev_exposure * per, last_events / last_exposure * per,
                  float(res.p), "eksakt betinget test for to Poisson-rater")


def share_change(prev_period: str, prev_x: int, prev_n: int, last_period: str, last_x: int, last_n: int) -> Change | None:
    if not prev_n or not last_n:
        return None
    res = compare_proportions(last_x, last_n, prev_x, prev_n)
    return Change(prev_period, last_period, prev_x / prev_n, last_x / last_n, float(res.p),
                  "z-test for to andele")


def change_sentence(change: Change | None, what: str, fmt=formatting.number, **fmt_kw) -> str:
    """E.g. 'Klageraten var 2,3 pr. 1.000 afgørelser i 2024 mod 2,9 i 2023. Faldet er statistisk sikkert (p = 0,012).'"""
    if change is None:
        return f"{what.capitalize()} kan ikke sammenlignes med perioden før (ingen nævner i en af perioderne)."
    latest = fmt(change.latest, **fmt_kw)
    previous = fmt(change.previous, **fmt_kw)
    head = (f"{what.capitalize()} var {latest} i {formatting.period_label(change.latest_period)} "
            f"mod {previous} i {formatting.period_label(change.previous_period)}.")
    if change.direction == "uændret":
        return head + " Der er ingen ændring."
    noun = "Stigningen" if change.direction == "op" else "Faldet"
    p_text = p_value(change.p)
    if change.sure:
        return f"{head} {noun} er statistisk sikkert ({p_text})."
    return f"{head} {noun} er ikke statistisk sikkert ({p_text}) og kan skyldes tilfældig variation."


def p_value(p: float) -> str:
    if p < 0.001:
        return "p < 0,001"
    return f"p = {formatting.number(p, 3)}"


def trend_title(what: str, first_period: str, first: float, last_period: str, last: float, sure: bool,
                fmt=formatting.number, **fmt_kw) -> str:
    """A chart title that states the finding."""
    a, b = fmt(first, **fmt_kw), fmt(last, **fmt_kw)
    span = f"fra {a} i {formatting.period_label(first_period)} til {b} i {formatting.period_label(last_period)}"
    if not sure or first == last:
        return f"{what.capitalize()} {span}"
    verb = "steg" if last > first else "faldt"
    return f"{what.capitalize()} {verb} {span}"
