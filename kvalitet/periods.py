"""Period labels and bucketing: ``month`` 2024-01, ``quarter`` 2024Q1, ``half`` 2024H1, ``year`` 2024,
``biennium`` 2023-2024.

A biennium starts in an odd year (2023-2024) unless the organisation file says ``biennium_start: even``
(2024-2025). The same labels are produced three ways, and the tests check that they agree:

* :func:`label_sql` — a DuckDB SQL expression for a DATE column (the indicator engine buckets in SQL);
* :func:`label_of` — the label of one Python date;
* :func:`bounds` — the first and last day of a labelled period (and :func:`parse` for any label, including
  the period labels of the satisfaction table).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from . import formatting
from .errors import UserError

PERIODS = ("month", "quarter", "half", "year", "biennium")

#: Danish name of each period grain (for headers and messages).
PERIOD_NAMES_DA = {
    "month": "måned",
    "quarter": "kvartal",
    "half": "halvår",
    "year": "år",
    "biennium": "toårsperiode",
}

#: Danish words accepted on the command line, mapped to the grain.
_ALIASES = {
    "måned": "month",
    "maaned": "month",
    "kvartal": "quarter",
    "halvår": "half",
    "halvaar": "half",
    "år": "year",
    "aar": "year",
    "toår": "biennium",
    "toårsperiode": "biennium",
}

#: Number of months in each grain.
MONTHS = {"month": 1, "quarter": 3, "half": 6, "year": 12, "biennium": 24}


def check_period(period: str) -> str:
    """The canonical grain for ``period`` (English or Danish name); a wrong name raises UserError."""
    p = str(period).strip().casefold()
    p = _ALIASES.get(p, p)
    if p not in PERIODS:
        raise UserError(
            f"ukendt periode {period!r}: vælg en af month (måned), quarter (kvartal), half (halvår), year (år) "
            "eller biennium (toårsperiode)"
        )
    return p


def check_biennium_start(biennium_start: str | None) -> str:
    b = (biennium_start or "odd").strip().casefold()
    b = {"ulige": "odd", "lige": "even"}.get(b, b)
    if b not in ("odd", "even"):
        raise UserError(f"biennium_start skal være 'odd' (ulige) eller 'even' (lige), ikke {biennium_start!r}")
    return b


def _biennium_first(year: int, biennium_start: str) -> int:
    parity = 1 if check_biennium_start(biennium_start) == "odd" else 0
    return year if year % 2 == parity else year - 1


def label_of(d: date, period: str, biennium_start: str = "odd") -> str:
    """The label of the period of grain ``period`` that contains the date ``d``."""
    period = check_period(period)
    if period == "month":
        return f"{d.year:04d}-{d.month:02d}"
    if period == "quarter":
        return f"{d.year:04d}Q{(d.month - 1) // 3 + 1}"
    if period == "half":
        return f"{d.year:04d}H{1 if d.month <= 6 else 2}"
    if period == "year":
        return f"{d.year:04d}"
    first = _biennium_first(d.year, biennium_start)
    return f"{first:04d}-{first + 1:04d}"


def label_sql(column: str, period: str, biennium_start: str = "odd") -> str:
    """A DuckDB expression giving the period label of the DATE expression ``column``."""
    period = check_period(period)
    y = f"year({column})"
    if period == "month":
        return f"strftime({column}, '%Y-%m')"
    if period == "quarter":
        return f"({y}::VARCHAR || 'Q' || quarter({column})::VARCHAR)"
    if period == "half":
        return f"({y}::VARCHAR || CASE WHEN month({column}) <= 6 THEN 'H1' ELSE 'H2' END)"
    if period == "year":
        return f"{y}::VARCHAR"
    parity = 1 if check_biennium_start(biennium_start) == "odd" else 0
    first = f"(CASE WHEN {y} % 2 = {parity} THEN {y} ELSE {y} - 1 END)"
    return f"({first}::VARCHAR || '-' || ({first} + 1)::VARCHAR)"


def index_sql(column: str, period: str, biennium_start: str = "odd") -> str:
    """A DuckDB expression giving the period of the DATE expression ``column`` as a whole number: the month index
    (``year * 12 + month - 1``) of the period's first month. Grouping on it is cheaper than on the label;
    :func:`label_of_index` turns it into the label (the same as :func:`label_sql` gives)."""
    period = check_period(period)
    m = f"(year({column}) * 12 + month({column}) - 1)"
    if period == "biennium":
        parity = 1 if check_biennium_start(biennium_start) == "odd" else 0
        y = f"year({column})"
        return f"((CASE WHEN {y} % 2 = {parity} THEN {y} ELSE {y} - 1 END) * 12)"
    k = MONTHS[period]
    return m if k == 1 else f"({m} // {k} * {k})"


def label_of_index(index: int, period: str, biennium_start: str = "odd") -> str:
    """The label of the period whose first month has the month index ``index`` (see :func:`index_sql`)."""
    i = int(index)
    return label_of(date(i // 12, i % 12 + 1, 1), period, biennium_start)


@dataclass(frozen=True)
class Period:
    """A labelled period: its grain, label and first and last day."""

    grain: str
    label: str
    start: date
    end: date


_PATTERNS = (
    ("month", re.compile(r"^(\d{4})-(\d{2})$")),
    ("quarter", re.compile(r"^(\d{4})Q([1-4])$")),
    ("half", re.compile(r"^(\d{4})H([12])$")),
    ("year", re.compile(r"^(\d{4})$")),
    ("biennium", re.compile(r"^(\d{4})-(\d{4})$")),
)


def _month_end(year: int, month: int) -> date:
    nxt = date(year + (month == 12), month % 12 + 1, 1)
    return nxt - timedelta(days=1)


def parse(label: str) -> Period:
    """The period of any label (``2024-01``, ``2024Q1``, ``2024H1``, ``2024``, ``2023-2024``)."""
    text = str(label).strip().upper()
    for grain, pat in _PATTERNS:
        m = pat.match(text)
        if not m:
            continue
        y = int(m.group(1))
        if grain == "month":
            mo = int(m.group(2))
            if 1 <= mo <= 12:
                return Period(grain, text, date(y, mo, 1), _month_end(y, mo))
        elif grain == "quarter":
            q = int(m.group(2))
            return Period(grain, text, date(y, 3 * q - 2, 1), _month_end(y, 3 * q))
        elif grain == "half":
            h = int(m.group(2))
            return Period(grain, text, date(y, 6 * h - 5, 1), _month_end(y, 6 * h))
        elif grain == "year":
            return Period(grain, text, date(y, 1, 1), date(y, 12, 31))
        else:
            y2 = int(m.group(2))
            if y2 == y + 1:
                return Period(grain, text, date(y, 1, 1), date(y2, 12, 31))
    raise ValueError(f"{label!r} er ikke en periode (2024-01, 2024Q1, 2024H1, 2024 eller 2023-2024)")


def bounds(label: str) -> tuple[date, date]:
    """First and last day of the labelled period."""
    p = parse(label)
    return p.start, p.end


def _add_months(d: date, months: int) -> date:
    m = d.month - 1 + months
    return date(d.year + m // 12, m % 12 + 1, 1)


def period_start(d: date, period: str, biennium_start: str = "odd") -> date:
    """First day of the period that contains ``d``."""
    return parse(label_of(d, period, biennium_start)).start


def periods_between(start: date, end: date, period: str, biennium_start: str = "odd") -> list[Period]:
    """Every period of grain ``period`` that overlaps [start, end], in order."""
    period = check_period(period)
    if end < start:
        return []
    out = []
    cur = period_start(start, period, biennium_start)
    while cur <= end:
        p = parse(label_of(cur, period, biennium_start))
        out.append(p)
        cur = _add_months(cur, MONTHS[period])
    return out


def fits(label: str, period: str, biennium_start: str = "odd") -> str | None:
    """The label of grain ``period`` that wholly contains the labelled period ``label``, or None.

    Used for tables whose records carry a period rather than a date (satisfaction surveys, Danmarkskort years):
    a half-year survey fits a year, but a year survey does not fit a quarter.
    """
    p = parse(label)
    a = label_of(p.start, period, biennium_start)
    b = label_of(p.end, period, biennium_start)
    return a if a == b else None


def sort_key(label: str) -> tuple:
    """Chronological sort key of a label."""
    p = parse(label)
    return (p.start, p.end)


# ------------------------------------------------------------------------------------------- complete and partial
#: "one period" in Danish, with the gender of each period word (én måned, ét år)
ONE_DA = {
    "month": "én måned",
    "quarter": "ét kvartal",
    "half": "ét halvår",
    "year": "ét år",
    "biennium": "én toårsperiode",
}


def previous(p: Period, biennium_start: str = "odd") -> Period:
    """The period of the same grain just before ``p``."""
    return parse(label_of(p.start - timedelta(days=1), p.grain, biennium_start))


def latest_complete(as_of: date, period: str, biennium_start: str = "odd") -> Period:
    """The latest period of grain ``period`` that is complete at ``as_of``: the one that contains ``as_of`` when
    ``as_of`` is its last day (31 December for a year; 30 June or 31 December for a half; the last day of a quarter
    or a month), else the one before it. 31 January 2024 → year 2023, half 2023H2, quarter 2023Q4, month 2024-01."""
    p = parse(label_of(as_of, period, biennium_start))
    return p if p.end <= as_of else previous(p, biennium_start)


def is_partial(label: str, as_of: date) -> bool:
    """True when the labelled period is not over at ``as_of`` (its last day is after ``as_of``)."""
    return parse(label).end > as_of


def last_whole_month_end(d: date) -> date:
    """The last day of the last month that is whole at ``d``: ``d`` itself when it is a month's last day, else the
    last day of the month before (15 January 2024 → 31 December 2023)."""
    end = _month_end(d.year, d.month)
    return d if d >= end else date(d.year, d.month, 1) - timedelta(days=1)


def _day_month(d: date) -> str:
    return f"{d.day}. {formatting.month_name(d.month)}"


def range_label(start: date, end: date) -> str:
    """A date range as a reader says it: ``1. januar–31. januar 2024``; the first year is left out when both
    dates are in the same year (``1. januar 2023–31. januar 2024`` otherwise)."""
    first = _day_month(start) if start.year == end.year else formatting.long_date(start)
    return f"{first}–{formatting.long_date(end)}"


def partial_range(label: str, as_of: date) -> tuple[date, date]:
    """The part of the labelled period that lies up to ``as_of``: (first day, ``as_of``)."""
    p = parse(label)
    return p.start, min(p.end, as_of)


def partial_label(label: str, as_of: date) -> str:
    """The Danish label of a period seen at ``as_of``: the date range when it is partial (2024 at 31 January 2024 →
    ``1. januar–31. januar 2024``), the usual label (:func:`kvalitet.formatting.period_label`) when complete."""
    if not is_partial(label, as_of):
        return formatting.period_label(label)
    return range_label(*partial_range(label, as_of))


def _years_back(d: date, years: int) -> date:
    try:
        return d.replace(year=d.year - years)
    except ValueError:  # 29 February in a year without it
        return date(d.year - years, 2, 28)


def same_part_before(label: str, as_of: date) -> tuple[date, date]:
    """The same part of the comparable period before (år til dato): for a partial period, the range from its first
    day to ``as_of`` moved back one year (two for a biennium, so that it lies in the same place of the cycle).
    2024 at 31 January 2024 → (1 January 2023, 31 January 2023); 2024Q1 at 15 February 2024 → (1 January 2023,
    15 February 2023). 29 February becomes 28 February."""
    p = parse(label)
    start, end = partial_range(label, as_of)
    years = 2 if p.grain == "biennium" else 1
    return _years_back(start, years), _years_back(end, years)
