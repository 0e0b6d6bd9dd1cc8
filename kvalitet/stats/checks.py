"""Input validation for ``kvalitet.stats``: one home for every check, one message style.

Every public function in ``kvalitet.stats`` validates its arguments with these small pure helpers before
computing anything. A failed check raises ``ValueError`` with a message of the form

    ``<argument>: <what it must be>; got <what was given>``

e.g. ``"x1: must be whole numbers >= 0; got -1 at position 3"`` or ``"conf: must be a number in (0, 1), e.g.
0.95; got 1.5"``. Messages are English (they are for developers and analysts calling the functions, not for
report readers); ``tests/stats/test_messages.py`` lists every message word for word.

Array helpers treat NaN as a missing value (allowed unless the helper says otherwise) and report the first
offending element with its position. Each helper returns the validated value (a float, or a float64 array)
so a caller can write ``x = checks.counts("x", x)``.
"""
from __future__ import annotations

from typing import Any, NoReturn

import numpy as np

__all__ = [
    "above",
    "conf",
    "counts",
    "fail",
    "finite",
    "in_interval",
    "no_missing",
    "non_negative",
    "not_above",
    "number",
    "numbers",
    "one_of",
    "positive",
    "same_length",
    "same_shape",
    "vector",
    "whole_number",
    "within",
]


def fail(name: str, requirement: str, got: Any = None) -> NoReturn:
    """Raise ``ValueError("<name>: <requirement>; got <got>")`` (without "; got …" when ``got`` is None)."""
    raise ValueError(f"{name}: {requirement}" + ("" if got is None else f"; got {got}"))


def _fmt(v) -> str:
    """A number as given: 3, -1, 1.5, inf, nan."""
    return f"{float(v):g}"


def _first(a: np.ndarray, bad: np.ndarray) -> str:
    """'<value> at position <i>' for the first True in ``bad`` (just '<value>' for a scalar)."""
    if a.ndim == 0:
        return _fmt(a)
    idx = tuple(int(i) for i in np.argwhere(bad)[0])
    pos = idx[0] if len(idx) == 1 else idx
    return f"{_fmt(a[idx])} at position {pos}"


# ------------------------------------------------------------------------------------------- scalars
def number(name: str, value: Any, requirement: str = "must be a number") -> float:
    """``value`` as a float; ``requirement`` is the message when it is not a number (str, None, a list …)."""
    if isinstance(value, (str, bytes)) or np.ndim(value) != 0:
        fail(name, requirement, repr(value))
    try:
        return float(value)
    except (TypeError, ValueError):
        fail(name, requirement, repr(value))


def in_interval(name: str, value: Any, low: float, high: float, closed: str = "neither",
                example: str | None = None) -> float:
    """A number in the interval from ``low`` to ``high``; ``closed`` is "neither", "left", "right" or "both".

    Message: ``"<name>: must be a number in (0, 1), e.g. 0.95; got 1.5"`` (brackets as ``closed``).
    """
    left = "[" if closed in ("left", "both") else "("
    right = "]" if closed in ("right", "both") else ")"
    req = f"must be a number in {left}{low:g}, {high:g}{right}" + (f", {example}" if example else "")
    v = number(name, value, req)
    ok_low = v >= low if left == "[" else v > low
    ok_high = v <= high if right == "]" else v < high
    if not (ok_low and ok_high):  # NaN fails both
        fail(name, req, repr(value))
    return v


def conf(value: Any) -> float:
    """The confidence level ``conf``: a number in (0, 1)."""
    return in_interval("conf", value, 0, 1, example="e.g. 0.95")


def above(name: str, value: Any, bound: float) -> float:
    """A finite number greater than ``bound``: ``"<name>: must be a finite number > 0; got -1"``."""
    req = f"must be a finite number > {bound:g}"
    v = number(name, value, req)
    if not (np.isfinite(v) and v > bound):
        fail(name, req, repr(value))
    return v


def whole_number(name: str, value: Any, minimum: int, maximum: int | None = None) -> int:
    """A whole number >= ``minimum`` (and <= ``maximum`` if given); ``True``/``False`` are not numbers here."""
    req = f"must be a whole number >= {minimum}" if maximum is None else \
        f"must be a whole number from {minimum} to {maximum}"
    if isinstance(value, bool):
        fail(name, req, repr(value))
    v = number(name, value, req)
    if not np.isfinite(v) or v != int(v) or v < minimum or (maximum is not None and v > maximum):
        fail(name, req, repr(value))
    return int(v)


def one_of(name: str, value: Any, allowed, *, ignore_case: bool = False, context: str = "") -> Any:
    """The entry of ``allowed`` that ``value`` is (compared with ==, of the same type; strings case-insensitively
    with ``ignore_case``), else ``"<name>: must be one of 'a', 'b'<context>; got 'x'"``."""
    for a in allowed:
        if isinstance(value, type(a)) and (value == a or (ignore_case and isinstance(a, str)
                                                           and value.lower() == a.lower())):
            return a
    fail(name, "must be one of " + ", ".join(repr(a) for a in allowed) + context, repr(value))


# -------------------------------------------------------------------------------------------- arrays
def numbers(name: str, values: Any) -> np.ndarray:
    """``values`` as a float64 array of any shape; strings and non-numeric input are refused."""
    if isinstance(values, (str, bytes)):
        fail(name, "must be numeric", repr(values))
    try:
        return np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError):
        fail(name, "must be numeric", f"a {type(values).__name__}")


def vector(name: str, values: Any, scalar: bool = True) -> np.ndarray:
    """A one-dimensional float64 array; a single number becomes one element when ``scalar`` is True."""
    a = numbers(name, values)
    if a.ndim == 0 and scalar:
        a = a.reshape(1)
    if a.ndim != 1:
        fail(name, "must be one-dimensional", f"shape {a.shape}")
    return a


def finite(name: str, a: np.ndarray) -> np.ndarray:
    """No infinite value (NaN marks a missing value and is allowed)."""
    bad = np.isinf(a)
    if bad.any():
        fail(name, "must be finite (NaN marks a missing value)", _first(a, bad))
    return a


def no_missing(name: str, a: np.ndarray) -> np.ndarray:
    """No missing (NaN) and no infinite value."""
    bad = ~np.isfinite(a)
    if bad.any():
        fail(name, "must have no missing or infinite values", _first(a, bad))
    return a


def non_negative(name: str, a: np.ndarray) -> np.ndarray:
    """Every non-missing value >= 0."""
    bad = a < 0  # NaN compares False
    if bad.any():
        fail(name, "must be >= 0", _first(a, bad))
    return a


def positive(name: str, a: np.ndarray) -> np.ndarray:
    """Every non-missing value > 0."""
    bad = a <= 0
    if bad.any():
        fail(name, "must be > 0", _first(a, bad))
    return a


def within(name: str, a: np.ndarray, low: float, high: float, closed: str = "both") -> np.ndarray:
    """Every non-missing value in the interval (``closed`` as :func:`in_interval`): ``"must be numbers in [0, 1]"``."""
    left = "[" if closed in ("left", "both") else "("
    right = "]" if closed in ("right", "both") else ")"
    bad = (a < low if left == "[" else a <= low) | (a > high if right == "]" else a >= high)
    if bad.any():
        fail(name, f"must be numbers in {left}{low:g}, {high:g}{right}", _first(a, bad))
    return a


def counts(name: str, values: Any) -> np.ndarray:
    """Whole numbers >= 0 (counts), any shape; NaN marks a missing value, infinity is refused."""
    raw = None if isinstance(values, (str, bytes)) else np.asarray(values)
    if raw is not None and raw.dtype.kind in "iu":  # integers (also a pandas Series): only the sign can be wrong
        if raw.size and raw.min() < 0:
            fail(name, "must be whole numbers >= 0", _first(raw, raw < 0))
        return raw.astype(np.float64)
    a = finite(name, numbers(name, values))
    bad = (a < 0) | ((a != np.floor(a)) & ~np.isnan(a))
    if bad.any():
        fail(name, "must be whole numbers >= 0", _first(a, bad))
    return a


def same_length(**arrays: np.ndarray) -> None:
    """All arrays have the same length: ``"x, n: must have equal lengths; got 3 and 2"``."""
    lengths = {k: len(v) for k, v in arrays.items()}
    if len(set(lengths.values())) > 1:
        fail(", ".join(lengths), "must have equal lengths", " and ".join(str(v) for v in lengths.values()))


def same_shape(**arrays: np.ndarray) -> list[np.ndarray]:
    """The arrays broadcast against each other (scalars with arrays): the broadcast arrays, in order."""
    try:
        return list(np.broadcast_arrays(*arrays.values()))
    except ValueError:
        fail(", ".join(arrays), "must have compatible shapes", " and ".join(str(np.shape(v)) for v in arrays.values()))


def not_above(name: str, a: np.ndarray, other: str, b: np.ndarray) -> None:
    """``a <= b`` element by element (NaN passes): ``"x: must not exceed n; got 5 > 3 at position 0"``."""
    bad = a > b
    if bad.any():
        idx = tuple(int(i) for i in np.argwhere(bad)[0])
        at = "" if a.ndim == 0 else f" at position {idx[0] if len(idx) == 1 else idx}"
        fail(name, f"must not exceed {other}", f"{_fmt(a[idx])} > {_fmt(b[idx])}{at}")
