"""Danish formatting of everything a report reader sees: numbers, percentages, dates, months, periods, and an
indicator's value, interval and target in its unit (``fmt_value`` and friends: shares as percentages, rates with one
decimal, days and counts whole).

Uses Babel's CLDR data for Danish, so the result never depends on the operating system's locale:
``1.234,5``, ``18,6 %``, ``31. januar 2024``, ``jan.``. Missing values are shown as an en dash.
"""

from __future__ import annotations

import math
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

import pandas as pd
from babel.dates import format_date
from babel.numbers import format_decimal, get_decimal_symbol, get_group_symbol, get_minus_sign_symbol

from . import catalogue

LOCALE = "da_DK"
MISSING = "–"
#: Python's number format (``,`` groups, ``.`` decimals, ``-``) → the locale's symbols, from Babel's CLDR data
_SYMBOLS = str.maketrans({",": get_group_symbol(LOCALE), ".": get_decimal_symbol(LOCALE),
                          "-": get_minus_sign_symbol(LOCALE)})

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


def _rounded(value, decimals: int, scale: int = 1) -> Decimal:
    """``value × scale`` rounded half away from zero, as a reader expects (0,05 → 0,1; 2,5 → 3), computed on the
    shortest decimal form of the float so that 0,1855 × 100 is 18,55 and not 18,549999…; never a negative zero."""
    d = Decimal(repr(float(value))) * scale
    q = d.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    return q.copy_abs() if q == 0 else q


def number(value, decimals: int = 0, _scale: int = 1) -> str:
    """``1234.5`` → ``1.234,5`` (with ``decimals`` decimals, rounded half away from zero); missing → ``–``."""
    if _missing(value):
        return MISSING
    if not math.isfinite(float(value)):
        return "∞" if float(value) > 0 else "-∞"
    # Babel's pattern "#,##0.00" with its symbols, formatted by Python (Babel parses the pattern on every call: a
    # chart's tick labels called it thousands of times); tests/test_formatting.py checks the two agree
    return f"{_rounded(value, decimals, _scale):,.{max(decimals, 0)}f}".translate(_SYMBOLS)


def count(value) -> str:
    """A whole number with a thousands dot: ``12345`` → ``12.345``."""
    return number(value, 0)


def percent(share, decimals: int = 1) -> str:
    """A share as a percentage: ``0.186`` → ``18,6 %`` (non-breaking space before the sign)."""
    if _missing(share):
        return MISSING
    return number(share, decimals, _scale=100) + "\u00a0%"


def percent_points(diff, decimals: int = 1) -> str:
    """A difference of shares in percentage points, with sign: ``-0.032`` → ``-3,2 procentpoint``."""
    if _missing(diff):
        return MISSING
    text = number(diff, decimals, _scale=100)
    sign = "+" if _rounded(diff, decimals, 100) > 0 else ""
    return sign + text + " procentpoint"


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


def lower_first(text: str) -> str:
    """A label as it reads inside a sentence: its first letter in lower case, the rest as written ('Kritik fra
    Borgerrådgiveren' -> 'kritik fra Borgerrådgiveren', where ``str.lower`` would lose the proper noun)."""
    text = str(text)
    return text[:1].lower() + text[1:]


def is_finite(value) -> bool:
    return not _missing(value) and math.isfinite(float(value))


# --------------------------------------------------------------------------------------- indicators, by unit
def fmt_value(indicator_id: str, value, ci: bool = False) -> str:
    """A value as a reader sees it: shares as percentages, rates with one decimal, days and counts whole."""
    ind = catalogue.get(indicator_id)
    if ind.unit == catalogue.UNIT_SHARE:
        return percent(value, 1)
    if ind.unit == catalogue.UNIT_RATE:
        return number(value, 1)
    return count(value)


def fmt_interval(indicator_id: str, low, high) -> str:
    ind = catalogue.get(indicator_id)
    if ind.unit == catalogue.UNIT_SHARE:
        return interval(low, high, fmt=percent, decimals=1)
    if ind.unit == catalogue.UNIT_RATE:
        return interval(low, high, decimals=1)
    return interval(low, high, fmt=count)


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
    return MISSING


def value_unit(indicator_id: str) -> str:
    unit = catalogue.get(indicator_id).unit
    return {catalogue.UNIT_SHARE: "", catalogue.UNIT_RATE: " pr. 1.000 afgørelser", catalogue.UNIT_DAYS: " dage",
            catalogue.UNIT_COUNT: ""}[unit]
