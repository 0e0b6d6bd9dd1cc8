"""Where a report's time goes (``kvalitet report --timings``): the seconds spent drawing charts and writing the XLSX,
counted where they are spent, and handed to the runner.

:func:`spent` (a context manager) and :func:`timed` (a decorator) add the seconds of their block to a category of
this process; a block inside another of the same category is not counted twice. The report notebook's process writes
what it counted to the JSON file named by ``KVALITET_TIMINGS`` when the report closes (:func:`dump`); the runner reads
it (:func:`read`) and adds what it measured itself: the start (a kernel, or the fork), the cells and the HTML export
(:func:`of_report`); :func:`print_report` prints the table. The runner also keeps each report's seconds
(:func:`save_durations`) and starts the longest first next time (:func:`longest_first`).
"""

from __future__ import annotations

import functools
import json
import os
import time
from collections import defaultdict
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .report import Job, JobResult

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


def of_report(executed: Path, total: float, export: float, spent: dict[str, float]) -> dict[str, float]:
    """Where a report's seconds went: ``start`` (the kernel or the fork, papermill's preparation), ``compute`` (the
    cells, less charts and XLSX), ``charts`` (drawing and PNG), ``export`` (HTML and XLSX), ``total``."""
    import nbformat

    try:
        nb = nbformat.read(str(executed), as_version=4)
        cells = sum(c.metadata.get("papermill", {}).get("duration") or 0.0 for c in nb.cells)
    except Exception:
        cells = 0.0
    charts, xlsx = spent.get("charts", 0.0), spent.get("xlsx", 0.0)
    return {"start": max(0.0, total - cells - export), "compute": max(0.0, cells - charts - xlsx),
            "charts": charts, "export": export + xlsx, "total": total}


DURATIONS = Path("_executed") / "durations.json"


def longest_first(plan: list[Job], out_dir: Path) -> list[Job]:
    """The plan with the reports that took longest in the previous run into ``out_dir`` first (a report not run
    before counts as the longest), so the last report to finish is a short one and no process waits idle at the end.
    The order changes nothing in a report."""
    try:
        before = json.loads((out_dir / DURATIONS).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return plan
    return sorted(plan, key=lambda j: -float(before.get(j.name, float("inf"))))


def save_durations(results: list[JobResult], out_dir: Path) -> None:
    """Each report's seconds in this run, for :func:`longest_first` next time (the reports of earlier runs kept)."""
    path = out_dir / DURATIONS
    try:
        known = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        known = {}
    known.update({r.job.name: round(r.seconds, 2) for r in results if r.ok})
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(known, indent=0, sort_keys=True), encoding="utf-8")


TIMING_STEPS = {"start": "start", "compute": "beregning", "charts": "figurer", "export": "eksport"}


def print_report(results: list[JobResult], engine: str) -> None:
    """``--timings``: each report's seconds by step, and the sums (in seconds of work, not wall time)."""
    from .formatting import number

    rows = sorted((r for r in results if r.timings), key=lambda r: r.job.name)
    if not rows:
        return
    width = max(len(r.job.name) for r in rows)
    head = "".join(f"{label:>11}" for label in TIMING_STEPS.values())
    print(f"\nTid pr. rapport i sekunder ({'den varme motor' if engine == 'warm' else 'en kerne pr. rapport'}):")
    print(f"  {'rapport':<{width}}{head}{'i alt':>9}")
    for r in rows:
        cells = "".join(f"{number(r.timings.get(k, 0.0), 1):>11}" for k in TIMING_STEPS)
        print(f"  {r.job.name:<{width}}{cells}{number(r.timings['total'], 1):>9}")
    sums = {k: sum(r.timings.get(k, 0.0) for r in rows) for k in [*TIMING_STEPS, "total"]}
    cells = "".join(f"{number(sums[k], 1):>11}" for k in TIMING_STEPS)
    print(f"  {'sum':<{width}}{cells}{number(sums['total'], 1):>9}")
