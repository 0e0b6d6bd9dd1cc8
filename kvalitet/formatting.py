"""Danish formatting of everything a report reader sees: numbers, percentages, dates, months, periods.

Uses Babel's CLDR data for Danish, so the result never depends on the operating system's locale:
``1.234,5``, ``18,6 %``, ``31. januar 2024``, ``jan.``. Missing values are shown as an en dash.
"""

from __future__ import annotations

import math
from datetime import date, datetime

import pandas as pd
from babel.dates import format_date
from babel.numbers import format_decimal

LOCALE = "da_DK"
MISSING = "–"

MONTHS = ("januar", "februar", "marts", "april", "maj", "juni", "juli", "august", "september", "oktober",
          "november", "december")
MONTHS_SHORT = ("jan.", "feb.", "mar.", "apr.", "maj", "jun.", "jul.", "aug.", "sep.", "okt.", "nov.", "dec.")


def _missing(value) -> bool:
    if value is None:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def number(value, decimals: int = 0) -> str:
    """``1234.5`` → ``1.234,5`` (with ``decimals`` decimals); missing → ``–``."""
    if _missing(value):
        return MISSING
    pattern = "#,##0" + ("." + "0" * decimals if decimals > 0 else "")
    return format_decimal(float(value), format=pattern, locale=LOCALE)


def count(value) -> str:
    """A whole number with a thousands dot: ``12345`` → ``12.345``."""
    if _missing(value):
        return MISSING
    return format_decimal(int(round(float(value))), format="#,##0", locale=LOCALE)


def percent(share, decimals: int = 1) -> str:
    """A share as a percentage: ``0.186`` → ``18,6 %``."""
    if _missing(share):
        return MISSING
    return number(float(share) * 100, decimals) + "\u00a0%"


def percent_points(diff, decimals: int = 1) -> str:
    """A difference of shares in percentage points, with sign: ``-0.032`` → ``-3,2 procentpoint``."""
    if _missing(diff):
        return MISSING
    value = float(diff) * 100
    sign = "+" if value > 0 else ""
    return sign + number(value, decimals) + " procentpoint"


def interval(low, high, fmt=number, **kw) -> str:
    """A confidence interval: ``(12,1–15,3)``."""
    if _missing(low) or _missing(high):
        return MISSING
    return f"{fmt(low, **kw)}–{fmt(high, **kw)}"


def long_date(value) -> str:
    """``2024-01-31`` → ``31. januar 2024``."""
    if _missing(value):
        return MISSING
    if isinstance(value, str):
        value = date.fromisoformat(value[:10])
    if isinstance(value, (pd.Timestamp, datetime)):
        value = value.date()
    return format_date(value, "d. MMMM y", locale=LOCALE)


def month_name(month: int, short: bool = False) -> str:
    return (MONTHS_SHORT if short else MONTHS)[month - 1]


def period_label(label: str) -> str:
    """A period label as a reader says it: ``2024-01`` → ``januar 2024``; ``2024Q1`` → ``1. kvartal 2024``;
    ``2024H1`` → ``1. halvår 2024``; ``2023-2024`` and ``2024`` unchanged."""
    s = str(label)
    if len(s) == 7 and s[4] == "-" and s[:4].isdigit() and s[5:].isdigit():
        return f"{month_name(int(s[5:]))} {s[:4]}"
    if len(s) == 6 and s[4] in "QH":
        return f"{s[5]}. {'kvartal' if s[4] == 'Q' else 'halvår'} {s[:4]}"
    return s


def rate_text(value, unit: str = "pr. 1.000 afgørelser", decimals: int = 1) -> str:
    return f"{number(value, decimals)} {unit}" if not _missing(value) else MISSING


def is_finite(value) -> bool:
    return not _missing(value) and math.isfinite(float(value))
