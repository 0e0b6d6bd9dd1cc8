"""The command line: ``kvalitet demo | ingest | quarantine | indicators | trends | risk | report`` (each with ``--help``).

Every user mistake ends in a message that says what is wrong and where, and a non-zero exit code, never a
traceback. Exit codes: 0 all went well; 1 some rows were quarantined (the rest loaded) or a report failed;
2 a file was refused (or met an internal error; the other files of the call still load), the pseudonym key does not
fit the database, or the call was wrong; 3 an internal error outside the files.
"""

from __future__ import annotations

import argparse
import os
import sys
from datetime import date
from pathlib import Path

from .errors import UserError
from .pii import scrub_text


def _rows_da(n: int) -> str:
    return f"{n} række" if n == 1 else f"{n} rækker"


def _date_arg(text: str) -> date:
    from .contract import TYPE_NAMES_DA
    from .validate import parse_dates
    import pandas as pd

    value = parse_dates(pd.Series([text.strip()])).iat[0]
    if pd.isna(value):
        raise argparse.ArgumentTypeError(f"'{text}' er ikke {TYPE_NAMES_DA['date']}")
    return value.date()


def _seconds_arg(text: str) -> float:
    try:
        value = float(text.replace(",", "."))
    except ValueError:
        value = float("nan")
    if not value > 0:
        raise argparse.ArgumentTypeError(f"'{text}' er ikke et positivt antal sekunder")
    return value


AS_OF_HELP = ("opgørelsesdato (standard: hver tabels eksportdato, dvs. --as-of da den blev indlæst; den seneste "
              "hele periode vurderes efter den tidligste)")


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
    p.add_argument("--sheet", metavar="ARK",
                   help="arket i en XLSX-fil (standard: arket, hvis overskrift passer til tabellen)")
    p.add_argument("--profile", metavar="PROFIL",
                   help="kildeprofilen (YAML), der oversætter filerne (standard: den i parameters/sources/, hvis "
                        "files-mønster passer til filnavnet)")
    _add_common(p)
    p.add_argument("--as-of", type=_date_arg, metavar="DATO",
                   help="opgørelsesdato: datoer efter den sættes i karantæne (standard: i dag)")

    p = sub.add_parser("profile", help="kildeprofiler: oversæt et andet systems eksport til datakontrakten")
    profile_sub = p.add_subparsers(dest="profile_command", metavar="HANDLING", required=True)
    p = profile_sub.add_parser("suggest", help="læs en eksport, og skriv et udkast til dens kildeprofil")
    p.add_argument("file", metavar="FIL", help="eksporten (CSV eller XLSX)")
    p.add_argument("--table", help="tabellen, eksporten hører til (standard: den, overskrifterne passer bedst til)")
    p.add_argument("--out", metavar="STI",
                   help="hvor udkastet skrives (standard: parameters/sources/<filnavn uden endelse>.yaml)")
    p.add_argument("--organisation", metavar="PATH", help="organisationsfilen (standard: parameters/organisation.yaml)")

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
    p.add_argument("--as-of", type=_date_arg, metavar="DATO", help=AS_OF_HELP)
    p.add_argument("--out", default="reports", metavar="MAPPE", help="hvor rapporterne skrives (standard: reports/)")
    p.add_argument("--jobs", type=int, default=None, metavar="N", help="antal samtidige notebooks (standard: kerner)")
    p.add_argument("--reports-dir", default=None, metavar="MAPPE",
                   help="mappen med rapportdefinitioner (standard: parameters/reports)")
    p.add_argument("--no-pdf", dest="pdf", action="store_false",
                   help="dan ikke PDF-bilagene (standard: en PDF ved siden af hver HTML, med Chromium)")
    p.add_argument("--engine", choices=("warm", "kernel"), default="warm",
                   help="warm (standard): én proces importerer og beregner det fælles én gang og forgrener sig pr. "
                        "rapport; kernel: en ny Jupyter-kerne pr. notebook")
    p.add_argument("--timeout", type=_seconds_arg, default=None, metavar="SEK",
                   help="sekunder en rapport må køre, før den stoppes (standard: 1800)")
    p.add_argument("--timings", action="store_true",
                   help="skriv for hver rapport, hvor tiden gik: start, beregning, figurer og eksport")

    p = sub.add_parser("indicators", help="beregn indikatorerne pr. gruppe og periode (CSV eller XLSX)")
    _add_indicator_options(p)
    p.add_argument("--indicator", action="append", metavar="ID",
                   help="kun denne indikator (kan gentages; standard: alle i kataloget)")

    p = sub.add_parser("trends", help="tendensscreening og indsatseffekter med q-værdier (CSV eller XLSX)")
    _add_indicator_options(p)
    p.add_argument("--indicator", action="append", metavar="ID",
                   help="kun denne indikator (kan gentages; standard: alle i kataloget)")
    p.add_argument("--no-initiatives", action="store_true", help="spring indsatsanalysen over")

    p = sub.add_parser("risk", help="risikoniveauer for risikobaseret ledelsestilsyn (CSV eller XLSX)")
    _add_common(p)
    p.add_argument("--as-of", type=_date_arg, metavar="DATO", help=AS_OF_HELP)
    p.add_argument("--forvaltning", action="append", metavar="KODE", help="kun denne forvaltning (kan gentages)")
    p.add_argument("--out", metavar="FIL", help="uddatafil, .csv eller .xlsx (standard: CSV på skærmen)")
    return parser


def _add_indicator_options(p: argparse.ArgumentParser) -> None:
    _add_common(p)
    p.add_argument("--as-of", type=_date_arg, metavar="DATO", help=AS_OF_HELP)
    p.add_argument("--period", default="year", metavar="PERIODE",
                   help="month, quarter, half, year eller biennium (standard: year)")
    p.add_argument("--by", default="forvaltning", metavar="GRUPPER",
                   help="kommasepareret liste af forvaltning, unit, area, eller none (standard: forvaltning)")
    p.add_argument("--from", dest="start", type=_date_arg, metavar="DATO", help="første dato (standard: alle data)")
    p.add_argument("--to", dest="end", type=_date_arg, metavar="DATO", help="sidste dato (standard: opgørelsesdatoen)")
    p.add_argument("--forvaltning", action="append", metavar="KODE", help="kun denne forvaltning (kan gentages)")
    p.add_argument("--out", metavar="FIL", help="uddatafil, .csv eller .xlsx (standard: CSV på skærmen)")


def _open_for_indicators(args):
    from . import organisation as org_mod
    from . import store

    org = org_mod.load(args.organisation)
    if args.out:
        from .export import check_out

        check_out(args.out)
    con = store.connect(args.db, read_only=True)
    where = {"forvaltning": args.forvaltning} if getattr(args, "forvaltning", None) else None
    if where:
        unknown = [f for f in args.forvaltning if f not in org.codes]
        if unknown:
            raise UserError(f"ukendt forvaltning {', '.join(unknown)}; kendte: {', '.join(org.codes)}")
    return org, con, where


def _on_store(args, work, tables=None):
    """Open organisation and store, run ``work(con, org, where)``, close; return its result and the demo flag.

    When the exports of ``tables`` (default: every table an indicator reads) have different as-of dates, a note on
    standard error says so (the output itself stays a clean table)."""
    from . import store
    from .indicators import data_as_of

    org, con, where = _open_for_indicators(args)
    try:
        asof = data_as_of(con, tables, args.as_of, org)
        if asof.differ and asof.logged:
            print("bemærk: " + " ".join(asof.sentences(getattr(args, "period", None))), file=sys.stderr)
        return work(con, org, where), store.is_demo(con)
    finally:
        con.close()


def _tables_of(ids) -> tuple[str, ...] | None:
    """The tables the chosen indicators read (None: all of them)."""
    if not ids:
        return None
    from .indicators import check_indicators
    from .catalogue import get

    return tuple(dict.fromkeys(t for i in check_indicators(ids) for t in get(i).tables))


def cmd_indicators(args) -> int:
    from .export import write_indicators
    from .indicators import compute

    frame, demo = _on_store(args, lambda con, org, where: compute(
        con, args.indicator, period=args.period, by=args.by, start=args.start, end=args.end, as_of=args.as_of,
        organisation=org, where=where), _tables_of(args.indicator))
    if not args.out:
        frame.to_csv(sys.stdout, index=False)
        return 0
    path = write_indicators(frame, args.out, demo=demo)
    print(f"{len(frame)} indikatorrækker skrevet til {path}")
    return 0


def cmd_trends(args) -> int:
    from .export import write_trends
    from .screening import run

    (trends, effects), demo = _on_store(args, lambda con, org, where: run(
        con, args.indicator, period=args.period, by=args.by, start=args.start, end=args.end, as_of=args.as_of,
        organisation=org, where=where, initiatives=not args.no_initiatives), _tables_of(args.indicator))
    if not args.out:
        trends.to_csv(sys.stdout, index=False)
        if not effects.empty:
            effects.to_csv(sys.stdout, index=False)
        return 0
    paths = write_trends(trends, effects, args.out, demo=demo)
    print(f"{len(trends)} tendensrækker og {len(effects)} indsatsrækker skrevet til "
          + ", ".join(str(p) for p in paths))
    return 0


def cmd_risk(args) -> int:
    from .export import write_risk
    from .risk import SIGNAL_TABLES, tiers

    frame, demo = _on_store(args, lambda con, org, where: tiers(con, org, as_of=args.as_of, where=where),
                            SIGNAL_TABLES)
    if not args.out:
        frame.to_csv(sys.stdout, index=False)
        return 0
    path = write_risk(frame, args.out, demo=demo)
    print(f"{len(frame)} risikoniveauer skrevet til {path}")
    return 0


def cmd_ingest(args) -> int:
    from . import organisation as org_mod
    from .ingest import ingest_files

    org = org_mod.load(args.organisation)
    notices: list[str] = []
    results = ingest_files(args.files, db=args.db, organisation=org, as_of=args.as_of, table=args.table,
                           sheet=args.sheet, notices=notices, profile=args.profile)
    for n in notices:
        print(scrub_text(n))
    for r in results:
        print(r.line(), file=sys.stderr if r.refused else sys.stdout)
    return max(r.exit_code for r in results)


def cmd_profile(args) -> int:
    from . import organisation as org_mod
    from . import suggest

    draft = suggest.suggest(args.file, org_mod.load(args.organisation), table=args.table)
    print(scrub_text(suggest.summary(draft, suggest.write(draft, args.out))))
    return 0


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
        print(f"{_rows_da(len(rows))} i karantæne skrevet til {out}")
        return 0
    if rows.empty:
        print("Ingen rækker i karantæne.")
        return 0
    for r in rows.itertuples(index=False):
        print(f"{r.source_file} række {r.row_number} ({r.table}): {r.reason}")
    print(f"I alt {_rows_da(len(rows))} i karantæne.")
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
        pdfs=args.pdf,
        engine=args.engine,
        timings=args.timings,
        **({"timeout": args.timeout} if args.timeout else {}),
    )


COMMANDS = {"ingest": cmd_ingest, "quarantine": cmd_quarantine, "demo": cmd_demo, "report": cmd_report,
            "indicators": cmd_indicators, "trends": cmd_trends, "risk": cmd_risk,
            "profile": cmd_profile}


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not args.command:
        parser.print_help()
        return 2
    try:
        return COMMANDS[args.command](args)
    except UserError as exc:
        print(f"fejl: {scrub_text(str(exc))}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("afbrudt", file=sys.stderr)
        return 130
    except Exception as exc:  # an internal error: say so plainly, traceback only on request
        if os.environ.get("KVALITET_DEBUG"):
            raise
        print(
            scrub_text(f"intern fejl i kvalitet ({type(exc).__name__}: {exc}). Kør igen med KVALITET_DEBUG=1 for "
                       "detaljer, og meld fejlen."),
            file=sys.stderr,
        )
        return 3


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
