"""Ingest: read an export, validate it against the contract and load it into the store in one transaction.

For every file: rows read = inserted + updated + unchanged + duplicates collapsed + quarantined.
Loading the same file again changes no data and adds no quarantine rows (it is logged in ``ingest_log``).
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import duckdb
import pandas as pd

from . import contract, readers, store
from .errors import FileRefused, UserError
from .organisation import Organisation
from .pii import Pseudonymiser, scrub_text
from .validate import validate


@dataclass
class IngestResult:
    """What happened to one file."""

    file: Path
    table: str | None = None
    rows_read: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    duplicates: int = 0
    quarantined: int = 0
    refused: str | None = None
    ignored_columns: list[str] = field(default_factory=list)
    #: lines the data records span, when a record spans several (0: as many as rows read)
    physical_lines: int = 0
    #: how the file was read, when it is worth saying (sheet, header row below title lines)
    reading_notes: list[str] = field(default_factory=list)

    @property
    def accounted(self) -> bool:
        return self.rows_read == self.inserted + self.updated + self.unchanged + self.duplicates + self.quarantined

    @property
    def exit_code(self) -> int:
        if self.refused:
            return 2
        return 1 if self.quarantined else 0

    def line(self) -> str:
        """The printed line (CPR-like numbers in file names or messages masked)."""
        return scrub_text(self._line())

    def _line(self) -> str:
        if self.refused:
            return f"AFVIST {self.refused}"
        read = str(self.rows_read)
        if self.physical_lines and self.physical_lines != self.rows_read:
            read += f" {'post' if self.rows_read == 1 else 'poster'} ({self.physical_lines} fysiske linjer)"
        text = (
            f"{self.file.name}: {self.table} — læst {read}, indsat {self.inserted}, "
            f"opdateret {self.updated}, uændret {self.unchanged}, dubletter {self.duplicates}, "
            f"i karantæne {self.quarantined}"
        )
        if self.quarantined:
            text += f" (se dem med: kvalitet quarantine --file {self.file.name})"
        for note in self.reading_notes:
            text += f"; {note}"
        if self.ignored_columns:
            text += f"; kolonner uden for kontrakten blev ikke indlæst: {', '.join(self.ignored_columns)}"
        return text


def _fold(name: str) -> str:
    """File or table name folded for matching: case-folded, æ/ø/å also as ae/oe/aa."""
    s = unicodedata.normalize("NFC", name).casefold()
    return s


def _transliterate(name: str) -> str:
    return name.replace("æ", "ae").replace("ø", "oe").replace("å", "aa")


def table_from_filename(path: Path) -> contract.Table | None:
    """The table named by a file: ``complaints.csv``, ``klager.xlsx``, ``klager_2024.csv``, ``afgoerelser.csv``."""
    stem = _fold(path.stem)
    candidates = []
    for t in contract.TABLES.values():
        for name in {t.name, _fold(t.danish), _transliterate(_fold(t.danish))}:
            if stem == name or re.match(re.escape(name) + r"[ _\-.\d]", stem):
                candidates.append((len(name), t))
    if not candidates:
        return None
    return max(candidates, key=lambda c: c[0])[1]


def resolve_table(path: Path, table: str | None) -> contract.Table:
    if table:
        t = contract.table_for_name(table)
        if t is None:
            names = ", ".join(f"{t.name} ({t.danish})" for t in contract.TABLES.values())
            raise FileRefused(f"{path}: ukendt tabel {table!r} i --table; kendte tabeller: {names}")
        return t
    t = table_from_filename(path)
    if t is None:
        names = ", ".join(f"{t.name}/{t.danish}" for t in contract.TABLES.values())
        raise FileRefused(
            f"{path}: kan ikke se hvilken tabel filen hører til. Navngiv filen efter tabellen "
            f"({names}), f.eks. klager.csv, eller angiv --table"
        )
    return t


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def ingest_file(
    con: duckdb.DuckDBPyConnection,
    path: str | Path,
    organisation: Organisation,
    pseudonymiser: Pseudonymiser,
    as_of: date | None = None,
    table: str | None = None,
    sheet: str | None = None,
) -> IngestResult:
    """Validate and load one file in one transaction. A refused file loads nothing and is reported, not raised.
    ``sheet`` names the XLSX sheet to read (default: the one whose header matches the table)."""
    p = Path(path)
    as_of = as_of or date.today()
    result = IngestResult(file=p)
    try:
        t = resolve_table(p, table)
        result.table = t.name
        raw = readers.read_file(p, t, sheet=sheet)
        result.physical_lines, result.reading_notes = raw.physical_lines, raw.notes()
        v = validate(raw, t, organisation, as_of, pseudonymiser)
    except FileRefused as exc:
        result.refused = str(exc)
        return result
    digest = sha256_of(p)
    now = datetime.now().replace(microsecond=0)
    result.rows_read = v.rows_read
    result.duplicates = v.duplicates_collapsed
    result.quarantined = len(v.quarantine)
    result.ignored_columns = v.ignored_columns
    con.execute("BEGIN TRANSACTION")
    try:
        result.inserted, result.updated, result.unchanged = store.upsert(con, t, v.valid)
        if len(v.quarantine):
            q = v.quarantine.assign(table=t.name, source_file=scrub_text(p.name), source_sha256=digest,
                                    loaded_at=now)
            con.register("_q_df", q)
            con.execute(
                'INSERT INTO quarantine SELECT q."table", q.source_file, q.source_sha256, q.row_number, q.columns, '
                "q.reason, q.raw, q.loaded_at FROM _q_df q WHERE NOT EXISTS (SELECT 1 FROM quarantine e "
                'WHERE e."table" = q."table" AND e.source_sha256 = q.source_sha256 AND e.row_number = q.row_number)'
            )
            con.unregister("_q_df")
        con.execute(
            "INSERT INTO ingest_log VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [scrub_text(p.name), digest, t.name, result.rows_read, result.inserted, result.updated, result.unchanged,
             result.duplicates, result.quarantined, as_of, now],
        )
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise
    if not result.accounted:  # pragma: no cover - an internal error, never a user mistake
        raise RuntimeError(f"{p}: the row accounting does not add up: {result}")
    return result


def ingest_files(
    paths: list[str | Path],
    db: str | Path | None = None,
    organisation: Organisation | None = None,
    as_of: date | None = None,
    table: str | None = None,
    sheet: str | None = None,
) -> list[IngestResult]:
    """Ingest several files into the store; each file is its own transaction."""
    from . import organisation as org_mod

    org = organisation or org_mod.load()
    db_path = store.resolve_db(db)
    con = store.connect(db_path)
    try:
        pseud = Pseudonymiser.for_database(db_path)
        return [ingest_file(con, p, org, pseud, as_of=as_of, table=table, sheet=sheet) for p in paths]
    finally:
        con.close()


def quarantine_rows(con: duckdb.DuckDBPyConnection, file: str | None = None, table: str | None = None) -> pd.DataFrame:
    """The quarantined rows, optionally for one source file name and/or table."""
    sql = 'SELECT "table", source_file, row_number, columns, reason, raw FROM quarantine WHERE TRUE'
    params: list = []
    if file:
        sql += " AND source_file = ?"
        params.append(Path(file).name)
    if table:
        t = contract.table_for_name(table)
        if t is None:
            raise UserError(f"ukendt tabel {table!r}")
        sql += ' AND "table" = ?'
        params.append(t.name)
    sql += ' ORDER BY "table", source_file, row_number'
    return con.execute(sql, params).df()
