"""The command line: ``kvalitet demo | ingest | quarantine | report``.

Every user mistake ends in a message that says what is wrong and where, and a non-zero exit code, never a
traceback. Exit codes: 0 all went well; 1 some rows were quarantined (the rest loaded) or a report failed;
2 a file was refused or the call was wrong.
"""

from __future__ import annotations

import argparse
import os
import sys
from datetime import date
from pathlib import Path

from .errors import UserError


def _date_arg(text: str) -> date:
    from .validate import parse_dates
    import pandas as pd

    value = parse_dates(pd.Series([text.strip()])).iat[0]
    if pd.isna(value):
        raise argparse.ArgumentTypeError(f"'{text}' er ikke en dato (ÅÅÅÅ-MM-DD, DD-MM-ÅÅÅÅ eller DD.MM.ÅÅÅÅ)")
    return value.date()


def _add_common(p: argparse.ArgumentParser, organisation: bool = True) -> None:
    p.add_argument("--db", metavar="PATH", help="databasefilen (standard: $KVALITET_DB eller data/kvalitet.duckdb)")
    if organisation:
        p.add_argument(
            "--organisation",
            metavar="PATH",
            help="organisationsfilen (standard: parameters/organisation.yaml)",
        )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kvalitet",
        description="Kvalitet i sagsbehandlingen: indlæs data, beregn indikatorer og dan rapporter på dansk.",
    )
    sub = parser.add_subparsers(dest="command", metavar="KOMMANDO")

    p = sub.add_parser("ingest", help="validér eksportfiler og indlæs dem i databasen")
    p.add_argument("files", nargs="+", metavar="FIL", help="CSV- eller XLSX-filer")
    p.add_argument("--table", help="tabellen, når filnavnet ikke siger det (f.eks. complaints eller klager)")
    _add_common(p)
    p.add_argument("--as-of", type=_date_arg, metavar="DATO",
                   help="opgørelsesdato: datoer efter den sættes i karantæne (standard: i dag)")

    p = sub.add_parser("quarantine", help="vis rækker i karantæne")
    p.add_argument("--file", help="kun rækker fra denne fil (filnavnet)")
    p.add_argument("--table", help="kun rækker til denne tabel")
    p.add_argument("--out", metavar="FIL", help="skriv rækkerne til en CSV- eller XLSX-fil i stedet for skærmen")
    _add_common(p, organisation=False)

    p = sub.add_parser("demo", help="byg demo-databasen (København, 2013–2024)")
    _add_common(p)
    p.add_argument("--seed", type=int, default=None, help="frø for tilfældige tal (standard: manifestets)")
    p.add_argument("--exports", metavar="MAPPE", help="hvor eksportfilerne skrives (standard: ved siden af databasen)")

    p = sub.add_parser("report", help="dan rapporterne (HTML uden kode) med papermill")
    p.add_argument("names", nargs="*", metavar="NAVN", help="rapporter i parameters/reports/ (standard: alle)")
    p.add_argument("--all", action="store_true", help="alle rapporter")
    _add_common(p)
    p.add_argument("--as-of", type=_date_arg, metavar="DATO", help="opgørelsesdato (standard: nyeste dato i data)")
    p.add_argument("--out", default="reports", metavar="MAPPE", help="hvor rapporterne skrives (standard: reports/)")
    p.add_argument("--jobs", type=int, default=None, metavar="N", help="antal samtidige notebooks (standard: kerner)")
    p.add_argument("--reports-dir", default=None, metavar="MAPPE",
                   help="mappen med rapportdefinitioner (standard: parameters/reports)")
    return parser


def cmd_ingest(args) -> int:
    from . import organisation as org_mod
    from .ingest import ingest_files

    org = org_mod.load(args.organisation)
    results = ingest_files(args.files, db=args.db, organisation=org, as_of=args.as_of, table=args.table)
    for r in results:
        print(r.line(), file=sys.stderr if r.refused else sys.stdout)
    return max(r.exit_code for r in results)


def cmd_quarantine(args) -> int:
    from . import store
    from .ingest import quarantine_rows

    con = store.connect(args.db, read_only=True)
    try:
        rows = quarantine_rows(con, file=args.file, table=args.table)
    finally:
        con.close()
    if args.out:
        out = Path(args.out)
        if out.suffix.lower() == ".xlsx":
            rows.to_excel(out, index=False)
        else:
            rows.to_csv(out, index=False)
        print(f"{len(rows)} rækker i karantæne skrevet til {out}")
        return 0
    if rows.empty:
        print("Ingen rækker i karantæne.")
        return 0
    for r in rows.itertuples(index=False):
        print(f"{r.source_file} række {r.row_number} ({r.table}): {r.reason}")
    print(f"I alt {len(rows)} rækker i karantæne.")
    return 0


def cmd_demo(args) -> int:
    from .demo import build_demo

    summary = build_demo(db=args.db, seed=args.seed, organisation=args.organisation, exports=args.exports)
    print(summary)
    return 0


def cmd_report(args) -> int:
    from .report import run_reports

    return run_reports(
        names=args.names,
        all_reports=args.all,
        db=args.db,
        organisation=args.organisation,
        as_of=args.as_of,
        out=args.out,
        jobs=args.jobs,
        reports_dir=args.reports_dir,
    )


COMMANDS = {"ingest": cmd_ingest, "quarantine": cmd_quarantine, "demo": cmd_demo, "report": cmd_report}


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not args.command:
        parser.print_help()
        return 2
    try:
        return COMMANDS[args.command](args)
    except UserError as exc:
        print(f"fejl: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("afbrudt", file=sys.stderr)
        return 130
    except Exception as exc:  # an internal error: say so plainly, traceback only on request
        if os.environ.get("KVALITET_DEBUG"):
            raise
        print(
            f"intern fejl i kvalitet ({type(exc).__name__}: {exc}). Kør igen med KVALITET_DEBUG=1 for detaljer, "
            "og meld fejlen.",
            file=sys.stderr,
        )
        return 3


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
