"""The demo database: generated data written as real exports (in the formats case systems produce) and loaded
through the same ingest as real files, so the demo exercises every reader and validator.

The exports mix the quirks real systems have: Danish or canonical headers, ``;`` or ``,``, Windows-1252, UTF-8
with a BOM, ``DD-MM-YYYY`` and ``DD.MM.YYYY`` dates, ``ja/nej`` booleans, a thousands dot, XLSX. The appeals come in
a foreign layout (:class:`ForeignLayout`: a title block, the system's own headers and words, forvaltninger by name,
dates with a time), with the source profile that translates it written beside it and chosen by its file pattern, so
the demo exercises :mod:`kvalitet.profiles`; the store holds the same rows as from the contract's own layout. A few
bad rows of the kinds real exports contain end in the quarantine. The database records that it holds demo data (table
``meta``), and every report built from it says so.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import pandas as pd
import yaml

from . import contract, store
from . import organisation as org_mod
from .errors import UserError
from .ingest import ingest_file, open_store
from .pii import env_key


@dataclass(frozen=True)
class ForeignLayout:
    """An export as another case system writes it, and the source profile (written beside it) that translates it."""

    profile_file: str
    name: str
    title: tuple[str, ...]
    #: contract column -> the system's header
    headers: dict[str, str]
    #: contract column -> contract value -> the system's word (forvaltninger are written by their full name)
    words: dict[str, dict[str, str]] = field(default_factory=dict)

    def profile(self, table: contract.Table, file_name: str, date_format: str, names: dict[str, str]) -> dict:
        """The source profile for this layout (``names``: forvaltning code -> full name)."""
        stem, suffix = file_name.rsplit(".", 1)
        return {"name": self.name, "table": table.name, "files": [f"{stem.split('_')[0]}*.{suffix}"],
                "columns": dict(self.headers),
                "values": {**{c: {w: v for v, w in m.items()} for c, m in self.words.items()},
                           "forvaltning": {n: code for code, n in names.items()}},
                "dates": [date_format]}


ANKESYSTEM = ForeignLayout(
    "ankesystem.yaml", "Udtræk fra ankesystemet", ("Ankesager afgjort af ankeinstanserne", "Udtræk fra ankesystemet"),
    {"appeal_id": "Ankesagsnr.", "forvaltning": "Forvaltning", "unit": "Enhed/afdeling", "area": "Sagsområde",
     "body": "Ankeinstans", "received": "Modtaget i ankeinstans", "decided": "Afgørelsesdato", "outcome": "Afgørelse"},
    {"outcome": {"stadfæstet": "Stadfæstelse", "ændret": "Ændring", "ophævet": "Ophævelse",
                 "hjemvist": "Hjemvisning", "afvist": "Afvisning", "henvist": "Henvisning", "bortfaldet": "Bortfald"}},
)


@dataclass(frozen=True)
class ExportStyle:
    """How one demo export is written."""

    file_name: str
    danish_headers: bool = True
    sep: str = ";"
    encoding: str = "cp1252"
    date_format: str = "%d-%m-%Y"
    bools: tuple[str, str] = ("ja", "nej")
    thousands_dot: bool = False
    foreign: ForeignLayout | None = None


STYLES: dict[str, ExportStyle] = {
    "complaints": ExportStyle("klager.csv", date_format="%d-%m-%Y"),
    "decisions": ExportStyle("afgørelser.csv", encoding="utf-8-sig", thousands_dot=True),
    "appeals": ExportStyle("ankesystem_udtraek.csv", encoding="utf-8-sig", date_format="%d-%m-%Y %H:%M",
                           foreign=ANKESYSTEM),
    "cases": ExportStyle("cases.csv", danish_headers=False, sep=",", encoding="utf-8", date_format="%Y-%m-%d"),
    "audits": ExportStyle("stikprøver.csv", date_format="%d.%m.%Y"),
    "inquiries": ExportStyle("henvendelser.csv", bools=("1", "0")),
    "satisfaction": ExportStyle("tilfredshed.xlsx"),
    "municipal_appeals": ExportStyle("danmarkskort.csv", sep=",", encoding="utf-8", date_format="%Y-%m-%d"),
    "recommendations": ExportStyle("anbefalinger.xlsx"),
    "risk_assessments": ExportStyle("risikovurderinger.csv", bools=("true", "false"), encoding="utf-8"),
}


def header_for(column: contract.Column, danish: bool) -> str:
    """The header a Danish system would write (the first alias), or the canonical name."""
    return column.aliases[0] if danish and column.aliases else column.name


def format_value(value, column: contract.Column, style: ExportStyle) -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    if column.type == "date":
        return pd.Timestamp(value).strftime(style.date_format)
    if column.type == "month":
        return value if isinstance(value, str) else pd.Timestamp(value).strftime("%Y-%m")
    if column.type == "bool":
        return style.bools[0] if bool(value) else style.bools[1]
    if column.type == "int":
        n = int(value)
        if style.thousands_dot and abs(n) >= 1000:
            return f"{n:,}".replace(",", ".")
        return str(n)
    return str(value)


def export_rows(table: contract.Table, frame: pd.DataFrame, bad_rows: list[dict], style: ExportStyle,
                names: dict[str, str] | None = None):
    """Header and text rows for one export: the valid rows formatted in the style, then the bad rows as given (in a
    foreign layout a contract value becomes the system's word, a forvaltning code its name from ``names``)."""
    cols = table.columns
    header = [header_for(c, style.danish_headers) for c in cols]
    rows = []
    for record in frame[[c.name for c in cols]].itertuples(index=False, name=None):
        rows.append([format_value(v, c, style) for v, c in zip(record, cols)])
    for bad in bad_rows:
        rows.append([str(bad.get(c.name, "") or "") for c in cols])
    if style.foreign:
        words = [{**style.foreign.words, "forvaltning": names or {}}.get(c.name, {}) for c in cols]
        header = [style.foreign.headers.get(c.name, h) for c, h in zip(cols, header)]
        rows = [[w.get(v, v) for v, w in zip(r, words)] for r in rows]
    return header, rows


def write_export(path: Path, header: list[str], rows: list[list[str]], style: ExportStyle) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix == ".xlsx":
        from openpyxl import Workbook

        wb = Workbook(write_only=True)
        ws = wb.create_sheet("Eksport")
        ws.append(header)
        for r in rows:
            ws.append([_xlsx_cell(v) for v in r])
        wb.save(path)
        return path
    title = style.foreign.title if style.foreign else ()
    try:
        _write_csv(path, header, rows, style.sep, style.encoding, title)
    except UnicodeEncodeError:  # a character Windows-1252 lacks: write UTF-8 as newer systems do
        _write_csv(path, header, rows, style.sep, "utf-8", title)
    return path


def _write_csv(path: Path, header, rows, sep: str, encoding: str, title: tuple[str, ...] = ()) -> None:
    with open(path, "w", newline="", encoding=encoding) as fh:
        w = csv.writer(fh, delimiter=sep, lineterminator="\r\n")
        w.writerows([t] for t in title)
        w.writerow(header)
        w.writerows(rows)


def _xlsx_cell(text: str):
    """Dates and whole numbers become real cells, as a spreadsheet would hold them."""
    if len(text) == 10 and text[2] == "-" and text[5] == "-":
        try:
            return datetime.strptime(text, "%d-%m-%Y")
        except ValueError:
            return text
    if text.isdigit() and not text.startswith("0"):
        return int(text)
    return text


def build_demo(
    db: str | Path | None = None,
    seed: int | None = None,
    organisation: str | Path | None = None,
    exports: str | Path | None = None,
) -> str:
    """Build (or rebuild) the demo database; return a short summary for the terminal."""
    from .demodata import generate

    org = org_mod.load(organisation)
    db_path = store.resolve_db(db)
    env_key()  # a short KVALITET_PSEUDONYM_KEY is refused before the old demo database is removed
    if db_path.exists():
        con = store.connect(db_path, read_only=True)
        demo_db = store.is_demo(con)
        con.close()
        if not demo_db:
            raise UserError(
                f"{db_path}: databasen findes og indeholder ikke demo-data; den overskrives ikke. "
                "Vælg en anden sti med --db."
            )
        db_path.unlink()
        Path(str(db_path) + ".wal").unlink(missing_ok=True)
    demo = generate(seed)
    missing = sorted({c for f in demo.frames.values() if "forvaltning" in f for c in f["forvaltning"].unique()}
                     - set(org.codes))
    if missing:
        raise UserError(
            f"{org_mod.resolve_path(organisation)}: demo-data bruger forvaltningerne {', '.join(missing)}, "
            "som organisationsfilen ikke kender. Demoen er Københavns: brug parameters/organisation.yaml."
        )
    export_dir = Path(exports) if exports else db_path.parent / "demo-eksport"
    files = []
    names = {f.code: f.name for f in org.forvaltninger}
    for name, table in contract.TABLES.items():
        style = STYLES[name]
        header, rows = export_rows(table, demo.frames[name], demo.bad_rows.get(name, []), style, names)
        files.append(write_export(export_dir / style.file_name, header, rows, style))
        if style.foreign:
            profile = style.foreign.profile(table, style.file_name, style.date_format, names)
            (export_dir / style.foreign.profile_file).write_text(
                "# Kildeprofilen for demoens ankesystem (se docs/kildeprofiler.md)\n"
                + yaml.safe_dump(profile, allow_unicode=True, sort_keys=False, width=120), encoding="utf-8")

    con, pseud, _ = open_store(db_path)  # a new database: it takes the key (file or environment) and records it
    try:
        store.set_meta(con, "demo", "true")
        store.set_meta(con, "demo_seed", str(demo.seed))
        store.set_meta(con, "as_of", demo.as_of.isoformat())
        store.set_meta(con, "municipality", org.municipality)
        store.set_meta(con, "built_at", datetime.now().replace(microsecond=0).isoformat())
        # the profiles beside the exports are chosen by their file patterns, as from parameters/sources/
        results = [ingest_file(con, f, org, pseud, as_of=demo.as_of, sources=export_dir) for f in files]
    finally:
        con.close()
    refused = [r for r in results if r.refused]
    if refused:  # the demo writer and the contract disagree: a bug, not a user mistake
        raise RuntimeError("; ".join(r.refused for r in refused))
    lines = [r.line() for r in results]
    total_q = sum(r.quarantined for r in results)
    lines.append(
        f"Demo-database bygget: {db_path} (frø {demo.seed}, opgjort {demo.as_of.isoformat()}); "
        f"eksportfiler i {export_dir}; {total_q} rækker i karantæne som planlagt i demoen."
    )
    return "\n".join(lines)
