"""Drawing helpers shared by the demo tables: months, dates inside a month, ids, CPR-like numbers, and the
rate and share at a date under a planted effect."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from .setting import FIRST_YEAR, LAST_YEAR, _AS_OF64


def _months() -> np.ndarray:
    return np.arange(f"{FIRST_YEAR}-01", f"{LAST_YEAR + 1}-01", dtype="datetime64[M]")


def _days_in_month(months: np.ndarray) -> np.ndarray:
    return ((months + 1).astype("datetime64[D]") - months.astype("datetime64[D]")).astype(np.int64)


def _decimal_year(days: np.ndarray) -> np.ndarray:
    """datetime64[D] -> year as a decimal number (2019.5 = early July 2019)."""
    years = days.astype("datetime64[Y]")
    start = years.astype("datetime64[D]")
    length = ((years + 1).astype("datetime64[D]") - start).astype(np.int64)
    return years.astype(np.int64) + 1970 + (days - start).astype(np.int64) / length


def _scatter(rng: np.random.Generator, months: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """A uniformly drawn day inside its month for each of counts[i] events in months[i] (datetime64[D])."""
    m = np.repeat(months, counts)
    dim = np.repeat(_days_in_month(months), counts)
    return m.astype("datetime64[D]") + np.floor(rng.random(m.size) * dim).astype(np.int64)


def _ns(days: np.ndarray) -> pd.Series:
    """datetime64[D] (NaT allowed) -> datetime64[ns] values."""
    return pd.Series(days.astype("datetime64[ns]"))


def _after_as_of_to_nat(days: np.ndarray) -> np.ndarray:
    out = days.copy()
    out[out > _AS_OF64] = np.datetime64("NaT")
    return out


def _serial_ids(prefix: str, dates: np.ndarray, width: int) -> np.ndarray:
    """IDs like KL-2019-00042: numbered by date within each year (dates must already be sorted)."""
    years = dates.astype("datetime64[Y]").astype(np.int64) + 1970
    seq = pd.Series(years).groupby(years).cumcount().to_numpy() + 1
    return np.array([f"{prefix}-{y}-{s:0{width}d}" for y, s in zip(years, seq)], dtype=object)


def _cpr(rng: np.random.Generator, n: int) -> np.ndarray:
    """Realistic-looking CPR numbers DDMMYY-NNNN with a valid birth date and a century-consistent 7th digit."""
    lo = np.datetime64("1930-01-01")
    hi = np.datetime64("2006-12-31")
    birth = lo + rng.integers(0, (hi - lo).astype(np.int64) + 1, n)
    s = np.datetime_as_string(birth, unit="D")
    born_2000s = birth >= np.datetime64("2000-01-01")
    d7 = np.where(born_2000s, rng.choice([4, 5, 6, 7, 8, 9], n), rng.integers(0, 4, n))
    rest = rng.integers(0, 1000, n)
    return np.array(
        [f"{x[8:10]}{x[5:7]}{x[2:4]}-{a}{b:03d}" for x, a, b in zip(s, d7, rest)], dtype=object
    )


def _trend_multiplier(effect: dict[str, Any] | None, when: np.ndarray) -> np.ndarray:
    """Rate multiplier at each date (datetime64[D]) for a complaint effect (1 without an effect)."""
    if effect is None:
        return np.ones(when.size)
    if effect["kind"] == "trend":
        t = _decimal_year(when) - (effect.get("base_year", FIRST_YEAR) + 0.5)
        return float(effect["ratio_per_year"]) ** t
    if effect["kind"] == "level_shift":
        after = when >= np.datetime64(effect["start"])
        return np.where(after, float(effect["ratio"]), 1.0)
    raise ValueError(effect["kind"])


def _share_at(base: float, effect: dict[str, Any] | None, when: np.ndarray) -> np.ndarray:
    """A share at each date for an appeal effect (the base share without an effect)."""
    if effect is None:
        return np.full(when.size, base)
    if effect["kind"] == "level_shift":
        after = when >= np.datetime64(effect["start"])
        return np.where(after, float(effect["after"]), float(effect.get("before", base)))
    if effect["kind"] == "trend":  # odds ratio per year
        t = _decimal_year(when) - (effect.get("base_year", FIRST_YEAR) + 0.5)
        odds = base / (1 - base) * float(effect["ratio_per_year"]) ** t
        return odds / (1 + odds)
    raise ValueError(effect["kind"])
