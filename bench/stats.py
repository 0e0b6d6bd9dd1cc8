"""Benchmark of kvalitet.stats: wall time and peak memory.

Run:  .venv/bin/python bench/stats.py [--series 2000] [--points 120] [--groups 10000000]

1. The indicator battery over many monthly series (default 2,000 series × 120 months): for each series
   ``mann_kendall``, ``poisson_trend`` (rate ratio per year), ``binomial_trend`` (odds ratio per year),
   ``control_limits("u", ...)`` and ``anhoej_rules``.  Target: < 30 s.
2. ``wilson_ci`` and ``poisson_ci`` vectorised over many groups (default 10 million).  Target: < 2 s.

Peak memory is measured with ``tracemalloc`` (Python/numpy allocations traced by Python) and the process peak
RSS from ``resource.getrusage``. tracemalloc slows Python-heavy code, so the timings are taken in a separate
untraced run of the same work.
"""
from __future__ import annotations

import argparse
import resource
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from kvalitet.stats.intervals import poisson_ci, wilson_ci  # noqa: E402
from kvalitet.stats.spc import anhoej_rules, control_limits  # noqa: E402
from kvalitet.stats.kendall import mann_kendall  # noqa: E402
from kvalitet.stats.trend import binomial_trend, poisson_trend  # noqa: E402


def make_series(n_series: int, n_points: int, seed: int = 1):
    """Synthetic monthly municipal series: cases per month, events (complaints) and successes (on time)."""
    rng = np.random.default_rng(seed)
    t = np.arange(n_points) / 12.0  # years
    cases = rng.integers(50, 2000, size=(n_series, 1)) * rng.uniform(0.8, 1.2, size=(n_series, n_points))
    cases = np.maximum(np.round(cases), 1.0)
    rr = rng.uniform(0.85, 1.15, size=(n_series, 1))
    season = 1 + 0.15 * np.sin(2 * np.pi * np.arange(n_points) / 12)
    events = rng.poisson(cases * 0.05 * rr**t * season).astype(float)
    logit = rng.uniform(-1.5, 1.5, size=(n_series, 1)) + rng.normal(0, 0.05, size=(n_series, 1)) * t * 12 / n_points
    successes = rng.binomial(cases.astype(np.int64), 1 / (1 + np.exp(-logit))).astype(float)
    return t, cases, events, successes


def battery(t, cases, events, successes) -> int:
    done = 0
    for i in range(cases.shape[0]):
        rate = events[i] / cases[i]
        mann_kendall(rate)
        poisson_trend(events[i], cases[i], t)
        binomial_trend(successes[i], cases[i], t)
        control_limits("u", events[i], cases[i])
        anhoej_rules(rate)
        done += 1
    return done


def intervals(n_groups: int, seed: int = 2):
    rng = np.random.default_rng(seed)
    trials = rng.integers(1, 500, size=n_groups).astype(float)
    successes = np.floor(trials * rng.uniform(0, 1, size=n_groups))
    events = rng.poisson(20, size=n_groups).astype(float)
    return trials, successes, events


def timed(fn, *args):
    t0 = time.perf_counter()
    out = fn(*args)
    return time.perf_counter() - t0, out


def traced_peak(fn, *args) -> float:
    tracemalloc.start()
    fn(*args)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak / 2**20


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--series", type=int, default=2000)
    ap.add_argument("--points", type=int, default=120)
    ap.add_argument("--groups", type=int, default=10_000_000)
    ap.add_argument("--no-trace", action="store_true", help="skip the tracemalloc runs (timings only)")
    args = ap.parse_args(argv)

    data = make_series(args.series, args.points)
    # warm-up (imports, first-call overheads)
    battery(data[0], *(a[:3] for a in data[1:]))

    secs, n = timed(battery, *data)
    per = {}
    for name, fn in (
        ("mann_kendall", lambda i: mann_kendall(data[2][i] / data[1][i])),
        ("poisson_trend", lambda i: poisson_trend(data[2][i], data[1][i], data[0])),
        ("binomial_trend", lambda i: binomial_trend(data[3][i], data[1][i], data[0])),
        ("control_limits(u)", lambda i: control_limits("u", data[2][i], data[1][i])),
        ("anhoej_rules", lambda i: anhoej_rules(data[2][i] / data[1][i])),
    ):
        k = min(200, args.series)
        t0 = time.perf_counter()
        for i in range(k):
            fn(i)
        per[name] = (time.perf_counter() - t0) / k * 1e3
    print(f"battery: {n} series x {args.points} points: {secs:.2f} s (target < 30 s)")
    print("  per series: " + ", ".join(f"{k} {v:.2f} ms" for k, v in per.items()))

    trials, successes, events = intervals(args.groups)
    w_secs, _ = timed(wilson_ci, successes, trials)
    p_secs, _ = timed(poisson_ci, events)
    print(f"wilson_ci: {args.groups:,} groups: {w_secs:.2f} s")
    print(f"poisson_ci (exact): {args.groups:,} groups: {p_secs:.2f} s")
    print(f"intervals total: {w_secs + p_secs:.2f} s (target < 2 s)")

    if not args.no_trace:
        small = tuple(a[: min(200, args.series)] if a.ndim == 2 else a for a in data)
        bpeak = traced_peak(battery, *small)
        wpeak = traced_peak(wilson_ci, successes, trials)
        ppeak = traced_peak(poisson_ci, events)
        print(f"peak traced memory: battery (200 series) {bpeak:.1f} MiB, wilson_ci {wpeak:.1f} MiB, "
              f"poisson_ci {ppeak:.1f} MiB (inputs: {3 * args.groups * 8 / 2**20:.0f} MiB)")
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS of the whole run: {rss:.0f} MiB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
