"""Benchmark of the indicator engine on a national-scale store: seconds and peak memory, next to DuckDB's floor.

Run:  .venv/bin/python bench/indicators.py [--rows 10000000] [--keep] [--db PATH] [--screen-period month]

1. A store is generated directly in DuckDB with SQL (not through ingest): ``--rows`` complaint and case rows
   together (half each) over 98 forvaltninger (one per municipality: codes ``K001`` … ``K098``, sizes skewed like
   Danish municipalities) × 10 areas × 3 units per area, 2013–2024, plus everything every indicator needs:
   decisions per forvaltning × unit × area × month, appeals, audits (5 items per audited case), inquiries,
   satisfaction surveys, a Danmarkskort (municipal_appeals) and risk assessments. Every random draw is a hash of the
   row number and a salt (``hash(i, salt)``), so the store is the same on every run whatever the number of threads
   (``setseed``/``random()`` is only reproducible on one thread). The organisation object is generated too: the 98
   forvaltninger, servicemål per area, servicemål tiers for two areas and two initiatives.
2. Each measured step runs in a fresh subprocess (so its peak RSS, ``ru_maxrss``, is its own; DuckDB's memory is in
   the same process and counted), on a read-only connection, with the operating system's file cache warm for all:
   * ``floor``: ``SELECT forvaltning, area, date_trunc('month', received), count(*) FROM complaints GROUP BY ALL``
     and the same over cases (``opened``), fetched to pandas; the floor is the sum of the two;
   * ``cube``: ``indicators.compute(con, None, period="month", by=("forvaltning", "area"), organisation=org)``:
     every catalogue indicator by forvaltning × area × month;
   * ``screening``: ``screening.run`` with the same arguments (``--screen-period``, default ``month``: monthly
     series, seasonal Mann–Kendall and GLMs with month effects), i.e. the cube, the trend tests of every series,
     the initiative effects and the q-values; the table shows it with and without the cube.
   * ``indicators`` (not run by default: ``--steps floor,indicators``): the profile of the cube by indicator, each
     indicator computed alone (``indicators.compute`` with that one indicator; the scans shared by two indicators
     are then paid by each), with its seconds and its ratio to the floor.
   Each step prints one JSON line; the parent prints the table with the ratio to the floor.

Aims (issues 4 and 13): the indicator cube within 3× the floor and under 4 GB (the last line printed); the monthly
screening, cube included, within 20 s. The database lives in a temporary directory and
is removed afterwards unless ``--keep`` (or ``--db``: an existing benchmark store is reused, a missing one is built).
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

N_FORV = 98
AREAS = (
    "Beskæftigelse", "Sygedagpenge", "Kontanthjælp", "Handicap voksne", "Handicap børn", "Hjemmehjælp",
    "Pasning", "Byggesager", "Parkering", "Aktindsigt",
)
UNITS_PER_AREA = 3
ITEMS = ("Partshøring", "Begrundelse", "Klagevejledning", "Journalisering", "Frister")
FIRST = date(2013, 1, 1)
LAST = date(2024, 12, 31)
DAYS = (LAST - FIRST).days + 1  # 4383
MONTHS = 12 * 12
SERVICEMAAL = dict(zip(AREAS, (28, 56, 28, 90, 90, 14, 30, 60, 21, 7)))


# ---------------------------------------------------------------------------------------------------- the store
def _macros(con) -> None:
    # u(i, s): a uniform number in [0, 1) from the row number and a salt; deterministic on any number of threads
    con.execute("CREATE OR REPLACE TEMP MACRO u(i, s) AS ((hash(i, s) % 1000003)::DOUBLE / 1000003.0)")
    # a forvaltning index 0..97, skewed (a few large municipalities, many small ones)
    con.execute(f"CREATE OR REPLACE TEMP MACRO fidx(i, s) AS least({N_FORV - 1}, floor({N_FORV} * pow(u(i, s), 1.6))::INT)")
    con.execute("CREATE OR REPLACE TEMP MACRO fcode(k) AS ('K' || lpad((k + 1)::VARCHAR, 3, '0'))")
    areas = ", ".join("'" + a + "'" for a in AREAS)
    con.execute(f"CREATE OR REPLACE TEMP MACRO aname(k) AS ([{areas}][k + 1])")
    con.execute("CREATE OR REPLACE TEMP MACRO uname(a, k) AS (a || ' ' || (k + 1)::VARCHAR)")
    # a date 2013-01-01 .. 2024-12-31 with a gentle upward trend (density rising linearly, about 3× from first to
    # last day): inverse of the cumulative distribution of a linear density
    con.execute(f"CREATE OR REPLACE TEMP MACRO d(i, s) AS (DATE '{FIRST}' + least({DAYS - 1}, floor((sqrt(0.25 + 0.75 * "
                f"u(i, s)) - 0.5) * {DAYS} / 0.5)::INT))")
    # the share of records of forvaltning f under fidx()
    con.execute(f"CREATE OR REPLACE TEMP MACRO fshare(f) AS (pow((f + 1) / {N_FORV}, 0.625) - pow(f / {N_FORV}, 0.625))")


def build(db: Path, rows: int) -> dict:
    """Generate the store at ``db``; return the row count of every table and the seconds taken."""
    import duckdb

    from kvalitet import store

    t0 = time.perf_counter()
    con = duckdb.connect(str(db))
    store.ensure_schema(con)
    _macros(con)
    half = rows // 2
    con.execute(f"""
        INSERT INTO complaints
        SELECT 'K' || i::VARCHAR AS complaint_id, fcode(f) AS forvaltning, uname(aname(a), k) AS unit,
               aname(a) AS area, received,
               CASE WHEN u(i, 7) < 0.02 OR received + dd > DATE '{LAST}' THEN NULL ELSE received + dd END AS closed,
               CASE WHEN u(i, 8) < 0.6 THEN 'realitet' WHEN u(i, 8) < 0.9 THEN 'formalitet'
                    ELSE 'formalitet og realitet' END AS kind,
               NULL AS topic,
               CASE WHEN u(i, 7) < 0.02 OR received + dd > DATE '{LAST}' THEN NULL
                    ELSE ['medhold', 'delvis medhold', 'ikke medhold', 'ikke medhold', 'ikke medhold', 'afvist',
                          'trukket tilbage'][1 + floor(7 * u(i, 9))::INT] END AS outcome,
               u(i, 10) < 0.1 AS sent_to_appeal, NULL AS citizen_id
        FROM (SELECT i, fidx(i, 1) AS f, floor(10 * u(i, 2))::INT AS a, floor(3 * u(i, 3))::INT AS k,
                     d(i, 4) AS received, floor(-ln(1 - u(i, 5)) * (20 + 2 * a))::INT AS dd
              FROM range({half}) t(i))""")
    con.execute(f"""
        INSERT INTO cases
        SELECT 'S' || i::VARCHAR, fcode(f), uname(aname(a), k), aname(a), 'Ansøgning', opened,
               CASE WHEN opened + dd > DATE '{LAST}' THEN NULL ELSE opened + dd END,
               CASE WHEN u(i, 16) < 0.2 THEN [30, 60, 90][1 + floor(3 * u(i, 17))::INT] ELSE NULL END
        FROM (SELECT i, fidx(i, 11) AS f, floor(10 * u(i, 12))::INT AS a, floor(3 * u(i, 13))::INT AS k,
                     d(i, 14) AS opened, floor(-ln(1 - u(i, 15)) * (15 + 8 * a))::INT AS dd
              FROM range({rows - half}) t(i))""")
    # decisions: every forvaltning × area × unit × month, about 200 per complaint (a rate near 5 per 1,000);
    # the volume follows the forvaltning's share of the complaints
    con.execute(f"""
        INSERT INTO decisions
        SELECT fcode(f), uname(aname(a), k), aname(a), (DATE '{FIRST}' + to_months(m))::DATE,
               floor((0.5 + u(f * 100000 + a * 1000 + k * 200 + m, 21)) * 200 * {half} * fshare(f)
                     / ({10 * UNITS_PER_AREA} * {MONTHS}) + 1)::BIGINT
        FROM range({N_FORV}) f(f), range(10) a(a), range({UNITS_PER_AREA}) k(k), range({MONTHS}) m(m)""")
    n_app = max(1000, rows // 16)
    con.execute(f"""
        INSERT INTO appeals
        SELECT 'A' || i::VARCHAR, fcode(fidx(i, 31)), NULL, aname(floor(10 * u(i, 32))::INT),
               CASE WHEN u(i, 33) < 0.5 THEN 'Ankestyrelsen' ELSE 'Beskæftigelsesankenævnet' END,
               decided - floor(30 + 120 * u(i, 34))::INT, decided,
               ['stadfæstet', 'stadfæstet', 'stadfæstet', 'stadfæstet', 'stadfæstet', 'ændret', 'ophævet',
                'hjemvist', 'afvist', 'bortfaldet'][1 + floor(10 * u(i, 35))::INT]
        FROM (SELECT i, d(i, 36) AS decided FROM range({n_app}) t(i))""")
    n_aud = max(200, rows // 100)
    con.execute(f"""
        INSERT INTO audits
        SELECT 'T' || i::VARCHAR, 'S' || i::VARCHAR, fcode(f), uname(aname(a), k), aname(a), audit_date,
               ['{"', '".join(ITEMS)}'][j + 1],
               CASE WHEN u(i * 5 + j, 45) < 0.06 THEN 'fejl' WHEN u(i * 5 + j, 45) < 0.1 THEN 'ikke relevant'
                    ELSE 'ok' END
        FROM (SELECT i, fidx(i, 41) AS f, floor(10 * u(i, 42))::INT AS a, floor(3 * u(i, 43))::INT AS k,
                     d(i, 44) AS audit_date FROM range({n_aud}) t(i)), range(5) j(j)""")
    n_inq = max(500, rows // 40)
    con.execute(f"""
        INSERT INTO inquiries
        SELECT 'H' || i::VARCHAR, fcode(fidx(i, 51)), received,
               CASE WHEN received + 20 > DATE '{LAST}' THEN NULL ELSE received + floor(1 + 19 * u(i, 52))::INT END,
               ['Sagsbehandling', 'Vejledning', 'Kommunikation', 'Afgørelse', 'Andet'][1 + floor(5 * u(i, 53))::INT],
               u(i, 54) < 0.08
        FROM (SELECT i, d(i, 55) AS received FROM range({n_inq}) t(i))""")
    con.execute(f"""
        INSERT INTO satisfaction
        SELECT fcode(f), uname(aname(a), k), 'Brugertilfredshed', (2013 + y)::VARCHAR, r,
               floor(r * (0.7 + 0.2 * u(f * 10000 + a * 100 + k * 20 + y, 62)))::BIGINT
        FROM (SELECT f, a, k, y, floor(50 + 200 * u(f * 10000 + a * 100 + k * 20 + y, 61))::BIGINT AS r
              FROM range({N_FORV}) f(f), range(10) a(a), range({UNITS_PER_AREA}) k(k), range(12) y(y))""")
    con.execute(f"""
        INSERT INTO municipal_appeals
        SELECT 'Kommune ' || lpad((f + 1)::VARCHAR, 3, '0'), 2013 + y, aname(a), up, ch, re, di, up + ch + re + di
        FROM (SELECT f, y, a, floor(100 + 400 * u(f * 1000 + y * 10 + a, 71))::BIGINT AS up,
                     floor(10 + 60 * u(f * 1000 + y * 10 + a, 72))::BIGINT AS ch,
                     floor(5 + 30 * u(f * 1000 + y * 10 + a, 73))::BIGINT AS re,
                     floor(5 + 20 * u(f * 1000 + y * 10 + a, 74))::BIGINT AS di
              FROM range({N_FORV}) f(f), range(12) y(y), range(10) a(a))""")
    con.execute(f"""
        INSERT INTO risk_assessments
        SELECT fcode(f), aname(a), DATE '2024-06-01', 1 + floor(3 * u(f * 10 + a, 81))::INT,
               1 + floor(3 * u(f * 10 + a, 82))::INT, 1 + floor(3 * u(f * 10 + a, 83))::INT, NULL
        FROM range({N_FORV}) f(f), range(10) a(a)""")
    con.execute("CHECKPOINT")
    counts = {t: con.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0]
              for t in ("complaints", "cases", "decisions", "appeals", "audits", "inquiries", "satisfaction",
                        "municipal_appeals", "risk_assessments")}
    con.close()
    return {"seconds": time.perf_counter() - t0, "rows": counts}


def organisation():
    """The generated organisation: the 98 forvaltning codes, servicemål per area, two tiers and two initiatives."""
    from kvalitet.organisation import Organisation

    return Organisation.model_validate({
        "municipality": "Benchmark (98 kommuner)",
        "forvaltninger": [{"code": f"K{k + 1:03d}", "name": f"Kommune {k + 1:03d}"} for k in range(N_FORV)],
        "servicemaal": SERVICEMAAL,
        "targets": {
            "appeal_reversal_share": {"high": 0.2},
            "complaint_rate": {"high": 5.0},
            "service_tiers": {"Handicap voksne": [{"days": 90, "share": 0.5}, {"days": 180, "share": 0.75}],
                              "Byggesager": [{"days": 60, "share": 0.8}]},
        },
        "initiatives": [
            {"name": "Ny klagevejledning", "forvaltning": "K001", "area": "Beskæftigelse", "start": "2019-01-01",
             "indicators": ["complaint_rate", "complaint_upheld_share"]},
            {"name": "Tjeklister i sagsbehandlingen", "forvaltning": "K002", "start": "2020-07-01",
             "indicators": ["audit_error_share", "service_target_share"]},
        ],
    })


# ---------------------------------------------------------------------------------------------------- the steps
def _rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


FLOOR_SQL = {
    "complaints": "SELECT forvaltning, area, date_trunc('month', received) AS month, count(*) AS n "
                  "FROM complaints GROUP BY ALL",
    "cases": "SELECT forvaltning, area, date_trunc('month', opened) AS month, count(*) AS n FROM cases GROUP BY ALL",
}


def step(name: str, db: str, screen_period: str) -> dict:
    """One measured step in this (fresh) process; returns seconds, peak RSS and the size of the result."""
    import duckdb

    from kvalitet import indicators, screening

    org = organisation()
    con = duckdb.connect(db, read_only=True)
    base = _rss_mib()
    out: dict = {"step": name, "rss_before_mib": base}
    t0 = time.perf_counter()
    if name == "floor":
        parts = {}
        for t, sql in FLOOR_SQL.items():
            t1 = time.perf_counter()
            df = con.execute(sql).df()
            parts[t] = {"seconds": time.perf_counter() - t1, "groups": len(df)}
        out["parts"] = parts
        out["result_rows"] = sum(p["groups"] for p in parts.values())
    elif name == "cube":
        df = indicators.compute(con, None, period="month", by=("forvaltning", "area"), organisation=org)
        out["result_rows"] = len(df)
        out["per_indicator"] = df.groupby("indicator", sort=False).size().to_dict()
        out["with_value"] = int(df["value"].notna().sum())
    elif name == "indicators":
        from kvalitet import catalogue

        per = {}
        for ind in catalogue.IDS:
            t1 = time.perf_counter()
            df = indicators.compute(con, [ind], period="month", by=("forvaltning", "area"), organisation=org)
            per[ind] = {"seconds": time.perf_counter() - t1, "rows": len(df)}
        out["per_indicator"] = per
        out["result_rows"] = sum(p["rows"] for p in per.values())
    elif name == "screening":
        trends, effects = screening.run(con, None, period=screen_period, by=("forvaltning", "area"),
                                        organisation=org)
        out["result_rows"] = len(trends) + len(effects)
        out["directions"] = trends["direction"].value_counts().to_dict()
        out["effects"] = len(effects)
    else:
        raise SystemExit(f"unknown step {name}")
    out["seconds"] = time.perf_counter() - t0
    out["peak_rss_mib"] = _rss_mib()
    con.close()
    return out


def run_step(name: str, db: Path, screen_period: str) -> dict:
    cmd = [sys.executable, __file__, "--step", name, "--db", str(db), "--screen-period", screen_period]
    res = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, check=False)
    if res.returncode != 0:
        sys.stderr.write(res.stderr)
        raise SystemExit(f"step {name} failed")
    return json.loads(res.stdout.strip().splitlines()[-1])


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=10_000_000, help="complaint + case rows (half each)")
    ap.add_argument("--keep", action="store_true", help="keep the generated database (its path is printed)")
    ap.add_argument("--db", help="use (or build) the benchmark store at this path; it is kept")
    ap.add_argument("--screen-period", default="month", help="grain of the trend screening (default month)")
    ap.add_argument("--steps", default="floor,cube,screening",
                    help="comma list of floor, cube, screening, indicators (the cube by indicator)")
    ap.add_argument("--step", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)

    if args.step:
        print(json.dumps(step(args.step, args.db, args.screen_period), default=str))
        return 0

    tmp = None
    if args.db:
        db = Path(args.db)
    else:
        tmp = Path(tempfile.mkdtemp(prefix="kvalitet-bench-"))
        db = tmp / "bench.duckdb"
    try:
        if not db.exists():
            print(f"building the store ({args.rows:,} complaint + case rows) at {db} ...", flush=True)
            built = build(db, args.rows)
            print(f"  built in {built['seconds']:.1f} s; {db.stat().st_size / 2**20:.0f} MiB on disk")
            for t, n in built["rows"].items():
                print(f"    {t:<18} {n:>12,}")
        else:
            print(f"using the existing store {db}")
        results = {}
        # warm the file cache once so that no step pays for the first read from disk
        run_step("floor", db, args.screen_period)
        for name in args.steps.split(","):
            results[name] = r = run_step(name, db, args.screen_period)
            print(f"  {name}: {r['seconds']:.2f} s, peak RSS {r['peak_rss_mib']:.0f} MiB", flush=True)
        _table(results, args.screen_period)
    finally:
        if tmp is not None and not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)
        elif tmp is not None:
            print(f"kept: {db}")
    return 0


def _table(results: dict, screen_period: str) -> None:
    floor = results.get("floor")
    fs = floor["seconds"] if floor else float("nan")
    print()
    print(f"{'step':<44} {'seconds':>9} {'× floor':>8} {'peak RSS MiB':>13} {'result rows':>12}")
    print("-" * 90)
    if floor:
        for t, p in floor["parts"].items():
            print(f"{'  floor: GROUP BY count over ' + t:<44} {p['seconds']:>9.2f} {'':>8} {'':>13} {p['groups']:>12,}")
    labels = {
        "floor": "floor (both plain GROUP BY counts)",
        "cube": "indicator cube (forvaltning × area × month)",
        "screening": f"screening.run ({screen_period}ly series, incl. cube)",
        "indicators": "every indicator alone, in turn (sum)",
    }
    for name, r in results.items():
        print(f"{labels[name]:<44} {r['seconds']:>9.2f} {r['seconds'] / fs:>8.1f} {r['peak_rss_mib']:>13.0f} "
              f"{r['result_rows']:>12,}")
        for ind, p in r.get("per_indicator", {}).items() if name == "indicators" else ():
            print(f"{'  ' + ind:<44} {p['seconds']:>9.2f} {p['seconds'] / fs:>8.1f} {'':>13} {p['rows']:>12,}")
    if "screening" in results and "cube" in results:
        s = results["screening"]["seconds"] - results["cube"]["seconds"]
        print(f"{'  of which trend tests (screening − cube)':<44} {s:>9.2f} {s / fs:>8.1f}")
    print("(peak RSS of each fresh process before its measured work, after imports and connect: "
          + ", ".join(f"{k} {r['rss_before_mib']:.0f}" for k, r in results.items()) + " MiB)")
    if "screening" in results:
        sc = results["screening"]
        print("screening directions: " + ", ".join(f"{k} {v}" for k, v in sc["directions"].items()))
        print(f"aim: screening ({screen_period}ly series, cube included) within 20 s: "
              f"{'yes' if sc['seconds'] <= 20 else 'no'} ({sc['seconds']:.1f} s, {sc['seconds'] / fs:.1f}× the floor; "
              f"{sc['peak_rss_mib'] / 1024:.2f} GB)")
    if "cube" in results:  # the last line
        c = results["cube"]
        ok_t = c["seconds"] <= 3 * fs
        ok_m = c["peak_rss_mib"] < 4096
        print(f"aim: cube within 3× the floor: {'yes' if ok_t else 'no'} ({c['seconds'] / fs:.1f}×); "
              f"under 4 GB: {'yes' if ok_m else 'no'} ({c['peak_rss_mib'] / 1024:.2f} GB)")


if __name__ == "__main__":
    raise SystemExit(main())
