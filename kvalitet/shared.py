"""What several reports compute alike, computed once per report run.

The functions that reports call with the same arguments (:func:`kvalitet.indicators.compute`,
:func:`kvalitet.screening.run`, :func:`kvalitet.risk.tiers`, …) are wrapped in :func:`memo`. The memo is off unless a
run switches it on: a notebook opened in JupyterLab, a test or the CLI always computes afresh. The warm report engine
(:mod:`kvalitet.warm`) switches it on in its zygote and calls :func:`warm`, which computes the tables the run's
reports share; every report forked afterwards finds them (a copy-on-write page of the zygote's memory), and a report
that asks for something twice computes it once.

A result is keyed by the function, the database file (its path, size and modification time) and every argument; an
argument that cannot be keyed (a DataFrame) means no memo for that call. A hit returns a copy, so a report that
changes what it got changes nothing for the next caller.
"""

from __future__ import annotations

import functools
import hashlib
import os
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

_CACHE: dict | None = None
_SECONDS = {"hits": 0, "misses": 0, "saved": 0.0}


def enable() -> None:
    """Switch the memo on (for this process and every process forked from it)."""
    global _CACHE
    if _CACHE is None:
        _CACHE = {}


def disable() -> None:
    global _CACHE
    _CACHE = None


def size() -> int:
    return len(_CACHE or {})


def _freeze(value):
    """A hashable form of an argument; TypeError when there is none."""
    if value is None or isinstance(value, (str, int, float, bool, date)):
        return value
    if isinstance(value, (list, tuple)):
        return tuple(_freeze(v) for v in value)
    if isinstance(value, dict):
        return tuple(sorted((str(k), _freeze(v)) for k, v in value.items()))
    if hasattr(value, "model_dump_json"):  # an Organisation (pydantic): its content
        return ("model", hashlib.sha256(value.model_dump_json().encode()).hexdigest())
    raise TypeError(type(value).__name__)


def _database(con) -> tuple:
    path = con.execute("SELECT path FROM duckdb_databases() WHERE database_name = current_database()").fetchone()[0]
    if not path:
        raise TypeError("in-memory database")
    st = os.stat(path)
    return str(Path(path).resolve()), st.st_size, st.st_mtime_ns


def _copy(value):
    if hasattr(value, "copy") and hasattr(value, "columns"):
        return value.copy(deep=True)
    if isinstance(value, tuple):
        return tuple(_copy(v) for v in value)
    if isinstance(value, list):
        return [_copy(v) for v in value]
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    return value


def memo(func: Callable) -> Callable:
    """Remember ``func(con, …)``'s results while the memo is on (see the module docstring)."""

    @functools.wraps(func)
    def wrapper(con, *args, **kwargs):
        if _CACHE is None:
            return func(con, *args, **kwargs)
        try:
            key = (func.__module__, func.__qualname__, _database(con), _freeze(args), _freeze(kwargs))
        except TypeError:
            return func(con, *args, **kwargs)
        if os.environ.get("KVALITET_SHARED_LOG"):  # TEMP
            with open(os.environ["KVALITET_SHARED_LOG"], "a") as fh:
                fh.write(f"{os.getpid()}\t{func.__qualname__}\t{key in _CACHE}\t{args!r:.300}\t{kwargs!r:.300}\t{hash(key)}\n")
        if key in _CACHE:
            _SECONDS["hits"] += 1
            value, seconds = _CACHE[key]
            _SECONDS["saved"] += seconds
            return _copy(value)
        started = time.perf_counter()
        value = func(con, *args, **kwargs)
        _SECONDS["misses"] += 1
        _CACHE[key] = (_copy(value), time.perf_counter() - started)
        return value

    return wrapper


def stats() -> dict[str, Any]:
    """Hits, misses and the seconds the hits saved (in this process)."""
    return dict(_SECONDS)


def warm(db: str, organisation: str, as_of: date | None, names: list[str]) -> None:
    """Switch the memo on and compute what the reports named share (in the warm engine's zygote)."""
    enable()
