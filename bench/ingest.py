"""Benchmark: `kvalitet ingest` on a generated complaints export of 1,000,000 rows, fresh and re-ingested.

Prints seconds, rows per second and peak memory (resident set size of the ingest process) for each run, beside
the floor measured in the same run: a plain ``pandas.read_csv`` of the same file (``sep=";"``,
``encoding="cp1252"``, ``dtype=str``, ``keep_default_na=False``), in its own process like the ingest, and the
ratio to it. Not a test: the figures go into the README's performance section. Aim (issue 13): each ingest within
3× that floor (and under 2 GB) on 2 cores.

    .venv/bin/python bench/ingest.py [--rows 1000000] [--keep]
"""

from __future__ import annotations

import argparse
import csv
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]


def write_export(path: Path, rows: int, seed: int = 1) -> None:
    """A Danish-headed, semicolon-separated Windows-1252 export with CPR numbers, like a case system's."""
    rng = np.random.default_rng(seed)
    forv = np.array(["BIF", "BUF", "KFF", "SOF", "SUF", "TMF", "ØKF"])
    areas = np.array(["Hjemmehjælp", "Kontanthjælp", "Byggesager - enfamiliehuse", "Sygedagpenge", "Pasning",
                      "Handicapkompensation", "Parkering", "Aktindsigt"])
    kinds = np.array(["formalitet", "realitet", "formalitet og realitet"])
    outcomes = np.array(["medhold", "delvis medhold", "ikke medhold", "afvist", "trukket tilbage"])
    received = np.datetime64("2013-01-01") + rng.integers(0, 4380, rows).astype("timedelta64[D]")
    days = rng.integers(1, 120, rows)
    closed = received + days.astype("timedelta64[D]")
    is_open = closed > np.datetime64("2024-12-31")
    cpr_day = rng.integers(1, 29, rows)
    cpr_month = rng.integers(1, 13, rows)
    cpr_year = rng.integers(30, 99, rows)
    cpr_tail = rng.integers(1000, 9999, rows)
    f_idx, a_idx = rng.integers(0, 7, rows), rng.integers(0, 8, rows)
    k_idx, o_idx = rng.integers(0, 3, rows), rng.integers(0, 5, rows)
    has_cpr = rng.random(rows) < 0.7
    with open(path, "w", newline="", encoding="cp1252") as fh:
        w = csv.writer(fh, delimiter=";", lineterminator="\r\n")
        w.writerow(["klage_id", "forvaltning", "enhed", "område", "modtaget", "afsluttet", "klagetype", "emne",
                    "udfald", "videresendt", "cpr"])
        for i in range(rows):
            rec = received[i].astype(object)
            clo = closed[i].astype(object)
            w.writerow([
                f"K{i:08d}", forv[f_idx[i]], f"Enhed {a_idx[i]}", areas[a_idx[i]], rec.strftime("%d-%m-%Y"),
                "" if is_open[i] else clo.strftime("%d-%m-%Y"), kinds[k_idx[i]], "Klage over sagsbehandlingen",
                "" if is_open[i] else outcomes[o_idx[i]], "ja" if i % 10 == 0 else "nej",
                f"{cpr_day[i]:02d}{cpr_month[i]:02d}{cpr_year[i]:02d}-{cpr_tail[i]}" if has_cpr[i] else "",
            ])


def run_ingest(export: Path, db: Path) -> tuple[float, float, str]:
    """Seconds, peak RSS in MiB and the output line of one `kvalitet ingest` in its own process."""
    cmd = [sys.executable, "-m", "kvalitet.cli", "ingest", str(export), "--db", str(db), "--organisation",
           str(ROOT / "parameters" / "organisation.yaml"), "--as-of", "2024-12-31"]
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, cwd=ROOT,
                            env={**os.environ, "KVALITET_PSEUDONYM_KEY": "benchmark-key-benchmark-key"})
    out = proc.stdout.read().decode()
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) not in (0, 1):
        raise SystemExit(f"ingest failed:\n{out}")
    return seconds, usage.ru_maxrss / 1024, out.strip()


FLOOR = ("import sys, time, pandas\n"
         "t = time.perf_counter()\n"
         "df = pandas.read_csv(sys.argv[1], sep=';', encoding='cp1252', dtype=str, keep_default_na=False)\n"
         "print(len(df), time.perf_counter() - t)\n")


def run_floor(export: Path) -> tuple[float, float, str]:
    """Seconds (the whole process, as for the ingest), peak RSS in MiB and the row count of a plain
    ``pandas.read_csv`` of ``export`` in its own process."""
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-c", FLOOR, str(export)], stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, cwd=ROOT)
    out = proc.stdout.read().decode()
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"the floor (pandas.read_csv) failed:\n{out}")
    return seconds, usage.ru_maxrss / 1024, out.strip()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--keep", action="store_true", help="keep the generated files")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="kvalitet-bench-"))
    try:
        export = tmp / "klager.csv"
        t0 = time.perf_counter()
        write_export(export, args.rows)
        print(f"export: {args.rows:,} rows, {export.stat().st_size / 2**20:.0f} MiB, "
              f"written in {time.perf_counter() - t0:.1f} s")
        db = tmp / "bench.duckdb"
        floor, frss, fout = run_floor(export)  # the file cache is warm from writing it, as for the ingest
        print(f"{'floor':10s} {floor:6.1f} s  {args.rows / floor:>10,.0f} rows/s  peak RSS {frss:,.0f} MiB  "
              f"(a process doing pandas.read_csv of the same file: {int(fout.split()[0]):,} rows; the call itself "
              f"{float(fout.split()[1]):.1f} s)")
        ratios = []
        for label in ("fresh", "re-ingest"):
            seconds, rss, out = run_ingest(export, db)
            ratios.append(seconds / floor)
            print(f"{label:10s} {seconds:6.1f} s  {args.rows / seconds:>10,.0f} rows/s  peak RSS {rss:,.0f} MiB  "
                  f"{seconds / floor:4.1f}× the floor")
            print(f"           {out}")
        print(f"cores: {os.cpu_count()}")
        print(f"aim: ingest within 3× the floor ({floor:.1f} s): {'yes' if max(ratios) <= 3 else 'no'} "
              f"(fresh {ratios[0]:.1f}×, re-ingest {ratios[1]:.1f}×)")
    finally:
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
