"""Benchmark: `kvalitet report --all` on the demo database, with each engine, beside its floor.

For each engine (``--engines warm,kernel``: the warm engine, the default of ``kvalitet report``, and a fresh kernel
per notebook) it prints the wall time of the HTML suite (``--no-pdf``), the reports rendered, peak memory (the
summed resident set size of the command and all its processes, sampled every 0,1 s) and the seconds of work by step
from ``--timings``; with ``--pdf`` also the warm engine with the PDF bilag (the seconds the one Chromium took). Then
the floor measured in the same run: papermill with a fresh kernel executing a one-cell notebook that imports pandas,
matplotlib, statsmodels, DuckDB and kvalitet, times the reports, divided by the jobs; and each time's ratio to it.
Aim (issue 13): the warm engine within 1.0× that floor, peak memory under 4 GB. Not a test.

    .venv/bin/python bench/report_suite.py [--jobs N] [--db PATH] [--keep] [--engines warm,kernel] [--pdf]
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def _tree_rss(pid: int) -> int:
    """Resident set size of a process and all its descendants, in bytes (Linux /proc; psutil when present)."""
    try:
        import psutil

        p = psutil.Process(pid)
        total = p.memory_info().rss
        for c in p.children(recursive=True):
            try:
                total += c.memory_info().rss
            except psutil.Error:
                pass
        return total
    except ImportError:
        pass
    except Exception:
        return 0
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    page = os.sysconf("SC_PAGE_SIZE")
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open(f"/proc/{d}/stat") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
            children.setdefault(int(fields[1]), []).append(int(d))
            rss[int(d)] = int(fields[21]) * page
        except (OSError, IndexError, ValueError):
            continue
    total, stack = 0, [pid]
    while stack:
        q = stack.pop()
        total += rss.get(q, 0)
        stack.extend(children.get(q, []))
    return total


def run_measured(cmd: list[str], env: dict | None = None, stdout=subprocess.DEVNULL) -> tuple[float, int, int]:
    """Wall time (s), peak summed RSS (bytes) and exit code of a command."""
    start = time.perf_counter()
    with tempfile.TemporaryFile() as err_file:
        proc = subprocess.Popen(cmd, env=env, stdout=stdout, stderr=err_file)
        peak = 0
        while proc.poll() is None:
            peak = max(peak, _tree_rss(proc.pid))
            time.sleep(0.1)
        wall = time.perf_counter() - start
        err_file.seek(0)
        err = err_file.read().decode(errors="replace")
    if proc.returncode or "PDF" in err:
        print(err[-3000:], file=sys.stderr)
    return wall, peak, proc.returncode


def floor_one(tmp: Path, repeats: int = 3, source: str = "import kvalitet") -> float:
    """Seconds for papermill to execute a one-cell notebook that only imports kvalitet (median of ``repeats``)."""
    import nbformat
    import papermill

    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source)])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    src = tmp / "one.ipynb"
    nbformat.write(nb, src)
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        papermill.execute_notebook(str(src), str(tmp / "one-out.ipynb"), kernel_name="python3", progress_bar=False,
                                   log_output=False)
        times.append(time.perf_counter() - t)
    return statistics.median(times)


FLOOR_SOURCE = "import pandas, matplotlib, statsmodels.api, duckdb, kvalitet"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--db", type=Path, default=None, help="an existing demo database (default: build one)")
    ap.add_argument("--keep", action="store_true", help="keep the rendered reports")
    ap.add_argument("--engines", default="warm,kernel",
                    help="the engines to time, comma-separated (default: warm,kernel)")
    ap.add_argument("--pdf", action="store_true", help="also time the warm engine with the PDF bilag")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="kvalitet-bench-"))
    db = args.db
    if db is None:
        db = tmp / "demo.duckdb"
        t = time.perf_counter()
        subprocess.run([str(BIN / "kvalitet"), "demo", "--db", str(db)], check=True, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
        print(f"demo database built in {time.perf_counter() - t:.1f} s")
    env = {**os.environ, "MPLBACKEND": "Agg"}
    runs = [(e, False) for e in args.engines.split(",")] + ([("warm", True)] if args.pdf else [])
    measured = {}
    for engine, with_pdf in runs:
        out = tmp / f"reports-{engine}{'-pdf' if with_pdf else ''}"
        cmd = [str(BIN / "kvalitet"), "report", "--all", "--db", str(db), "--out", str(out), "--jobs",
               str(args.jobs), "--engine", engine, "--timings"] + ([] if with_pdf else ["--no-pdf"])
        with open(tmp / "stdout.txt", "w+b") as summary:
            wall, peak, code = run_measured(cmd, env, stdout=summary)
            summary.seek(0)
            printed = summary.read().decode(errors="replace")
        n = len([p for p in out.glob("*.html") if p.name != "index.html"])
        sums = re.search(r"^  sum\s+([\d,]+)\s+([\d,]+)\s+([\d,]+)\s+([\d,]+)\s+([\d,]+)", printed, re.M)
        steps = ""
        if sums:
            start_s, compute, charts, export, total = (float(x.replace(",", ".")) for x in sums.groups())
            steps = (f"; seconds of work: start {start_s:.1f}, compute {compute:.1f}, charts {charts:.1f}, "
                     f"export {export:.1f} (sum {total:.1f})")
        pdf_line = re.search(r"PDF-bilag: (\d+) skrevet på ([\d.]+) s", printed)
        pdf_text = (f"; {pdf_line.group(1)} PDF bilag printed in {pdf_line.group(2)} s by one Chromium, overlapping"
                    if pdf_line else "")
        label = f"{engine}{' + PDF' if with_pdf else ''}"
        measured[label] = (wall, n)
        print(f"{label}: {n} reports in {wall:.1f} s wall, exit code {code}, peak memory {peak / 2**30:.2f} GB "
              f"(command + its processes){steps}{pdf_text}")
    one = floor_one(tmp, source=FLOOR_SOURCE)
    n = max(n for _, n in measured.values())
    floor = one * n / args.jobs
    print(f"floor: papermill with a fresh kernel on a one-cell notebook `{FLOOR_SOURCE}`: {one:.2f} s (median of 3) "
          f"× {n} reports / {args.jobs} jobs = {floor:.1f} s")
    for label, (wall, _) in measured.items():
        print(f"{label}: {wall:.1f} s = {wall / floor:.2f}× the floor")
    if "warm" in measured:
        wall = measured["warm"][0]
        print(f"aim: warm engine within 1.0× the floor: {wall:.1f} s vs {floor:.1f} s ({wall / floor:.2f}×) – "
              + ("met" if wall <= floor else "not met"))
    if args.keep:
        print(f"reports kept in {tmp}")
    else:
        import shutil

        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
