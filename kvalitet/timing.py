"""Where a report's time goes (``kvalitet report --timings``): the seconds spent drawing charts and writing the XLSX,
counted where they are spent, and handed to the runner.

:func:`spent` (a context manager) and :func:`timed` (a decorator) add the seconds of their block to a category of
this process; a block inside another of the same category is not counted twice. The report notebook's process writes
what it counted to the JSON file named by ``KVALITET_TIMINGS`` when the report closes (:func:`dump`); the runner reads
it (:func:`read`) and adds what it measured itself: the start (a kernel, or the fork), the cells and the HTML export.
"""

from __future__ import annotations

import functools
import json
import os
import time
from collections import defaultdict
from contextlib import contextmanager
from pathlib import Path

ENV = "KVALITET_TIMINGS"
SPENT: dict[str, float] = defaultdict(float)
_open: set[str] = set()


@contextmanager
def spent(category: str):
    if category in _open:
        yield
        return
    _open.add(category)
    started = time.perf_counter()
    try:
        yield
    finally:
        _open.discard(category)
        SPENT[category] += time.perf_counter() - started


def timed(category: str):
    def wrap(func):
        @functools.wraps(func)
        def inner(*args, **kwargs):
            with spent(category):
                return func(*args, **kwargs)

        return inner

    return wrap


def dump() -> None:
    """Write what this process counted to ``$KVALITET_TIMINGS`` (nothing when it is not set)."""
    path = os.environ.get(ENV)
    if path:
        Path(path).write_text(json.dumps(dict(SPENT)), encoding="utf-8")


def read(path: Path) -> dict[str, float]:
    try:
        return {k: float(v) for k, v in json.loads(path.read_text(encoding="utf-8")).items()}
    except (OSError, ValueError):
        return {}
