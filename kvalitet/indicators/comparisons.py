"""Comparisons of periods and the labels a reader sees: :func:`compare_periods` (the latest complete period against
the one before, a partial current period against the same part of the year before) and :func:`period_labels`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from .. import catalogue, formatting, periods, shared
from ..organisation import Organisation
from .asof import data_end, indicator_tables, tables_as_of, to_date
from .engine import check_indicators, compute


def period_labels(con, frame: pd.DataFrame, as_of=None, start=None, end=None) -> list[str]:
    """The Danish label of each row's period, as a reader must see it: ``2023``, ``1. halvår 2024`` for a whole
    period; for a partial one (``partial``) the dates it holds, ``1. januar–31. januar 2024`` (from ``start`` when
    that cuts it; to the indicator's as-of date, ``end`` or, for a rate, the last whole month). Pass the ``as_of``,
    ``start`` and ``end`` given to :func:`compute` for ``frame``."""
    start_d, end_d = to_date(start, "start"), to_date(end, "end")
    per = tables_as_of(con, indicator_tables(), as_of)
    out = []
    for ind, lab, part in zip(frame["indicator"], frame["period"], frame["partial"]):
        if lab is None or (isinstance(lab, float) and np.isnan(lab)):
            out.append(formatting.MISSING)
            continue
        if not part:
            out.append(formatting.period_label(lab))
            continue
        d = min(per[t] for t in catalogue.get(ind).tables)
        p = periods.parse(lab)
        lo = max(p.start, start_d) if start_d else p.start
        hi = min(p.end, data_end(ind, min(d, end_d) if end_d else d))
        out.append(periods.range_label(lo, hi) if hi >= lo
                   else f"{formatting.period_label(lab)} (ingen hele måneder endnu)")
    return out


# ---------------------------------------------------------------------------------------------------- comparisons
#: the roles of the rows of :func:`compare_periods`
COMPARISON_ROLES = ("previous", "latest", "year_before", "partial")


@dataclass(frozen=True)
class PeriodComparison:
    """The comparisons to make for one indicator at its as-of date. A partial period is never compared with a whole
    one: the latest complete period is compared with the one before it, and the current partial period (when there
    is one with data) with the same part of the year before (år til dato).

    ``frame`` holds compute()'s rows for these periods with two more columns: ``comparison`` (one of
    :data:`COMPARISON_ROLES`) and ``label`` (the Danish label: ``2023``, ``1. halvår 2024``, or for the partial rows
    the date range, ``1. januar–31. januar 2024`` and ``1. januar–31. januar 2023``). The rows' ``period`` is the
    period that contains the range (``2024`` for the partial rows above).
    """

    indicator: str
    period: str
    #: the indicator's as-of date (the earliest of its tables'; :func:`indicator_as_of`)
    as_of: date
    latest: periods.Period
    previous: periods.Period
    #: the current period's range with data, (first day, last day counted), when the current period is partial and
    #: has data yet (for a rate: whole months only); else None (also for the indicators whose records carry a
    #: period rather than a date, catalogue ``dated`` False)
    partial: tuple[date, date] | None
    #: the same part of the year before (two years for a biennium), when ``partial`` is set
    year_before: tuple[date, date] | None
    frame: pd.DataFrame

    @property
    def partial_label(self) -> str | None:
        return periods.range_label(*self.partial) if self.partial else None

    @property
    def year_before_label(self) -> str | None:
        return periods.range_label(*self.year_before) if self.year_before else None

    def range(self, role: str) -> tuple[date, date] | None:
        """The first and last day of one role's data (None for a partial role without a partial period)."""
        return {"previous": (self.previous.start, self.previous.end), "latest": (self.latest.start, self.latest.end),
                "partial": self.partial, "year_before": self.year_before}[role]

    def days(self, role: str) -> int:
        """The number of days one role covers (the exposure when counts are compared as counts per day)."""
        r = self.range(role)
        return (r[1] - r[0]).days + 1 if r else 0

    def rows(self, role: str) -> pd.DataFrame:
        """The rows of one role (``previous``, ``latest``, ``year_before`` or ``partial``)."""
        return self.frame[self.frame["comparison"] == role]


def compare_periods(con, indicator: str, period: str = "year", by=("forvaltning",), as_of=None,
                    organisation: Organisation | None = None, where: dict | None = None) -> PeriodComparison:
    """The latest complete period vs the one before, and the partial current period vs the same part of the year
    before, for ``indicator`` by ``by`` (see :class:`PeriodComparison`).

    31 January 2024, by year: 2023 vs 2022, and 1 January–31 January 2024 vs 1 January–31 January 2023. The
    complaint rate counts whole months only: with decisions exported to 15 January 2024 there is no partial
    comparison (no whole month of 2024 yet).
    """
    return compare_many(con, [indicator], period, by, as_of, organisation, where)[catalogue.get(indicator).id]


@shared.memo
def compare_many(con, indicators_: list[str], period: str = "year", by=("forvaltning",), as_of=None,
                 organisation: Organisation | None = None, where: dict | None = None) -> dict[str, PeriodComparison]:
    """:func:`compare_periods` for several indicators; those with the same dates are computed together."""
    ids = check_indicators(indicators_)
    grain = periods.check_period(period)
    bstart = periods.check_biennium_start(organisation.biennium_start if organisation is not None else "odd")
    per = tables_as_of(con, indicator_tables(), as_of)
    plans = {}
    for ind in ids:
        d = min(per[t] for t in catalogue.get(ind).tables)
        latest = periods.latest_complete(d, grain, bstart)
        prev = periods.previous(latest, bstart)
        current = periods.parse(periods.label_of(d, grain, bstart))
        cut = data_end(ind, d)
        partial = year_before = None
        if current.end > d and cut >= current.start and catalogue.get(ind).dated:
            partial = (current.start, cut)
            year_before = periods.same_part_before(current.label, cut)
        plans[ind] = (d, latest, prev, partial, year_before)
    # one compute() per distinct range, for every indicator that needs it
    ranges: dict[tuple[date, date], list[str]] = {}
    for ind, (d, latest, prev, partial, year_before) in plans.items():
        for r in ((prev.start, latest.end), partial, year_before):
            if r is not None:
                ranges.setdefault(r, []).append(ind)
    frames = {r: compute(con, ids_r, period=grain, by=by, start=r[0], end=r[1], as_of=as_of,
                         organisation=organisation, where=where) for r, ids_r in ranges.items()}
    out = {}
    for ind, (d, latest, prev, partial, year_before) in plans.items():
        parts = []
        for role, r, label in (("previous", (prev.start, latest.end), formatting.period_label(prev.label)),
                               ("latest", (prev.start, latest.end), formatting.period_label(latest.label)),
                               ("year_before", year_before, periods.range_label(*year_before) if year_before else None),
                               ("partial", partial, periods.range_label(*partial) if partial else None)):
            if r is None:
                continue
            f = frames[r]
            f = f[f["indicator"] == ind]
            if role in ("previous", "latest"):
                f = f[f["period"] == (prev.label if role == "previous" else latest.label)]
            parts.append(f.assign(comparison=role, label=label))
        frame = pd.concat(parts, ignore_index=True)
        out[ind] = PeriodComparison(ind, grain, d, latest, prev, partial, year_before, frame)
    return out
