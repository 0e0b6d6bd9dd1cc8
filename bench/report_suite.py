"""Benchmark: `kvalitet report --all` on the demo database.

Prints the wall time, the number of notebooks rendered, the PDF bilag printed and the seconds the one Chromium took
for them (``--no-pdf``: without PDFs, to compare), the jobs in parallel, peak memory (the summed resident set
size of the command and all its kernels, sampled every 0,1 s), and the floor: the time papermill needs to execute a
one-cell notebook that only imports kvalitet, times the number of notebooks, divided by the jobs. Aim: within 1.3×
of that floor, with peak memory under 4 GB. Not a test.

    .venv/bin/python bench/report_suite.py [--jobs N] [--db PATH] [--keep] [--no-pdf]
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


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--db", type=Path, default=None, help="an existing demo database (default: build one)")
    ap.add_argument("--keep", action="store_true", help="keep the rendered reports")
    ap.add_argument("--no-pdf", action="store_true", help="render the HTML only (to compare with the PDFs' cost)")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="kvalitet-bench-"))
    db = args.db
    if db is None:
        db = tmp / "demo.duckdb"
        t = time.perf_counter()
        subprocess.run([str(BIN / "kvalitet"), "demo", "--db", str(db)], check=True, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
        print(f"demo database built in {time.perf_counter() - t:.1f} s")
    out = tmp / "reports"
    env = {**os.environ, "MPLBACKEND": "Agg"}
    cmd = [str(BIN / "kvalitet"), "report", "--all", "--db", str(db), "--out", str(out), "--jobs", str(args.jobs)]
    with open(tmp / "stdout.txt", "w+b") as summary:
        wall, peak, code = run_measured(cmd + (["--no-pdf"] if args.no_pdf else []), env, stdout=summary)
        summary.seek(0)
        printed = summary.read().decode(errors="replace")
    n = len([p for p in out.glob("*.html") if p.name != "index.html"])
    pdf_line = re.search(r"PDF-bilag: (\d+) skrevet på ([\d.]+) s", printed)
    if args.no_pdf:
        print("PDF bilag: none (--no-pdf)")
    elif pdf_line:
        print(f"PDF bilag: {pdf_line.group(1)} printed in {pdf_line.group(2)} s by one Chromium, each as soon as its "
              "notebook was done (overlapping the others; part of the wall time below)")
    else:
        print("PDF bilag: none printed (Chromium missing? see the message above)")
    one = floor_one(tmp)
    floor = one * n / args.jobs
    print(f"kvalitet report --all: {wall:.1f} s wall, exit code {code}")
    print(f"notebooks rendered: {n}, jobs: {args.jobs}")
    print(f"peak memory (command + kernels): {peak / 2**30:.2f} GB (aim < 4 GB)")
    print(f"floor: {one:.2f} s per one-cell notebook × {n} / {args.jobs} = {floor:.1f} s")
    print(f"ratio to floor: {wall / floor:.2f} (aim ≤ 1.3)")
    stack = floor_one(tmp, source="import kvalitet.sections.forvaltningsrapport")
    print(f"for comparison, a one-cell notebook importing the whole report stack (pandas, matplotlib, statsmodels, "
          f"DuckDB): {stack:.2f} s, × {n} / {args.jobs} = {stack * n / args.jobs:.1f} s "
          f"(ratio {wall / (stack * n / args.jobs):.2f})")
    if args.keep:
        print(f"reports kept in {out}")
    else:
        import shutil

        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
