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
import inspect
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

    signature = inspect.signature(func)

    @functools.wraps(func)
    def wrapper(con, *args, **kwargs):
        if _CACHE is None:
            return func(con, *args, **kwargs)
        try:  # every argument by name, defaults filled in: f(con, "year") and f(con, period="year") are one key
            bound = signature.bind(con, *args, **kwargs)
            bound.apply_defaults()
            named = {k: v for k, v in bound.arguments.items() if k != next(iter(signature.parameters))}
            key = (func.__module__, func.__qualname__, _database(con), _freeze(named))
        except TypeError:
            return func(con, *args, **kwargs)
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


def warm(db: str, organisation: str, as_of: date | None) -> None:
    """Switch the memo on and compute, once, what every report of a run computes alike (in the warm engine's zygote,
    before it forks): the software's versions and commit, each table's fingerprint ("Metode og data"), the kommune
    map, and the initiative effects of the analyses. The connection is closed again (no DuckDB thread may live at
    the fork)."""
    from . import maps, municipalities, provenance, screening, store
    from . import organisation as org_mod

    enable()
    provenance.git_commit()
    provenance.package_versions()
    municipalities.all_municipalities()
    maps.warm()
    org = org_mod.load(organisation)
    con = store.connect(db, read_only=True)
    try:
        if not as_of:
            stored = store.get_meta(con, "as_of")
            as_of = date.fromisoformat(stored) if stored else None
        tables = [r[0] for r in con.execute("SELECT table_name FROM information_schema.tables "
                                            "WHERE table_schema = 'main'").fetchall()]
        for table in tables:
            provenance.table_fingerprint(con, table)
        if org.initiatives:
            screening.initiative_effects(con, org, "year", None, None, as_of)
    finally:
        con.close()
