"""Ingest: read an export, validate it against the contract and load it into the store in one transaction.

For every file: rows read = inserted + updated + unchanged + duplicates collapsed + stale + quarantined, checked
before the file's transaction commits (a file whose counts do not balance is rolled back). A row from an export
older than the one that last set or confirmed the stored row is stale: it changes nothing (see :mod:`.store`).
Loading the same file again changes no data and adds no quarantine rows (it is logged in ``ingest_log``).

Files fail alone: a refused file, or one that meets an internal error, loads nothing and is reported, and the other
files of the same call are still loaded. The pseudonym key is checked against the database before anything is
written (:func:`open_store`).
"""

from __future__ import annotations

import hashlib
import os
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import duckdb
import pandas as pd

from . import contract, profiles, readers, store
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
    stale: int = 0
    quarantined: int = 0
    refused: str | None = None
    ignored_columns: list[str] = field(default_factory=list)
    #: lines the data records span, when a record spans several (0: as many as rows read)
    physical_lines: int = 0
    #: how the file was read, when it is worth saying (source profile, sheet, header row below title lines)
    reading_notes: list[str] = field(default_factory=list)
    #: the source profile that translated the file (its path), if any
    profile: str | None = None

    @property
    def accounted_for(self) -> int:
        """Rows accounted for: inserted + updated + unchanged + duplicates + stale + quarantined."""
        return self.inserted + self.updated + self.unchanged + self.duplicates + self.stale + self.quarantined

    @property
    def accounted(self) -> bool:
        return self.rows_read == self.accounted_for

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
            f"forældet {self.stale}, i karantæne {self.quarantined}"
        )
        if self.quarantined:
            text += f" (se dem med: kvalitet quarantine --file {self.file.name})"
        for note in self.reading_notes:
            text += f"; {note}"
        if self.ignored_columns:
            text += f"; kolonner uden for kontrakten blev ikke indlæst: {', '.join(self.ignored_columns)}"
        if self.stale:
            text += ("; de forældede rækker er fra en ældre eksport end den, rækkerne i databasen stammer fra, og "
                     "ændrer intet")
        return text


class AccountingError(RuntimeError):
    """The row accounting of a file does not balance: an internal error; the file's transaction is rolled back."""


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
    profile: str | Path | profiles.Profile | None = None,
    sources: str | Path | None = None,
) -> IngestResult:
    """Validate and load one file in one transaction. A refused file loads nothing and is reported, not raised.
    ``sheet`` names the XLSX sheet to read (default: the one whose header matches the table). ``profile`` is the
    source profile that translates the file; without one, the profile in ``sources`` (default parameters/sources/)
    whose ``files`` patterns match the file's name, if any."""
    p = Path(path)
    as_of = as_of or date.today()
    result = IngestResult(file=p)
    try:
        prof = profiles.select(p, profile, sources)
        t = _profile_table(p, prof, table) if prof else resolve_table(p, table)
        result.table = t.name
        read_as = prof.reading_table() if prof else t
        raw = readers.read_file(p, read_as, sheet=sheet or (prof and prof.sheet),
                                header_row=prof.header_row if prof else None)
        result.physical_lines, result.reading_notes = raw.physical_lines, raw.notes()
        if prof:
            prof.check_headers(p, raw.headers)
            result.profile = scrub_text(str(prof.path))
            result.reading_notes.insert(0, scrub_text(f"oversat med kildeprofilen {prof.label}"))
        v = validate(raw, read_as, organisation, as_of, pseudonymiser,
                     translate=prof.translators(organisation) if prof else None)
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
        store.check_key(con, pseudonymiser.fingerprint)
        counts = store.upsert(con, t, v.valid, as_of)
        result.inserted, result.updated, result.unchanged, result.stale = (
            counts.inserted, counts.updated, counts.unchanged, counts.stale)
        # the quarantine holds what the file's latest load did not load: a row that loads now (e.g. after a value
        # was added to its source profile) or has another reason leaves it
        stale_q = 'DELETE FROM quarantine WHERE "table" = ? AND source_sha256 = ?'
        if len(v.quarantine):
            q = v.quarantine.assign(table=t.name, source_file=scrub_text(p.name), source_sha256=digest,
                                    loaded_at=now)
            con.register("_q_df", q)
            con.execute(stale_q + " AND NOT EXISTS (SELECT 1 FROM _q_df q WHERE q.row_number = quarantine.row_number "
                        "AND q.reason = quarantine.reason)", [t.name, digest])
            con.execute(
                'INSERT INTO quarantine SELECT q."table", q.source_file, q.source_sha256, q.row_number, q.columns, '
                "q.reason, q.raw, q.loaded_at FROM _q_df q WHERE NOT EXISTS (SELECT 1 FROM quarantine e "
                'WHERE e."table" = q."table" AND e.source_sha256 = q.source_sha256 AND e.row_number = q.row_number)'
            )
            con.unregister("_q_df")
        else:
            con.execute(stale_q, [t.name, digest])
        log = dict(file_name=scrub_text(p.name), source_sha256=digest, table=t.name, rows_read=result.rows_read,
                   inserted=result.inserted, updated=result.updated, unchanged=result.unchanged,
                   duplicates_collapsed=result.duplicates, stale=result.stale, quarantined=result.quarantined,
                   as_of=as_of, loaded_at=now, profile=result.profile)
        names = ", ".join(f'"{c}"' for c in log)
        con.execute(f"INSERT INTO ingest_log ({names}) VALUES ({', '.join('?' for _ in log)})", list(log.values()))
        if not result.accounted:
            raise AccountingError(
                f"{p}: rækkeregnskabet går ikke op (læst {result.rows_read}, men indsat + opdateret + uændret + "
                f"dubletter + forældet + i karantæne = {result.accounted_for}); filen er rullet tilbage"
            )
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise
    return result


def _profile_table(path: Path, prof: profiles.Profile, table: str | None) -> contract.Table:
    """The profile's table; a --table naming another table refuses the file."""
    if table and resolve_table(path, table) is not prof.table:
        raise FileRefused(f"{path}: --table {table} passer ikke til kildeprofilen {prof.label}, som er til tabellen "
                          f"{prof.table.name} ({prof.table.danish})")
    return prof.table


def open_store(db: str | Path | None = None) -> tuple[duckdb.DuckDBPyConnection, Pseudonymiser, str | None]:
    """Open the store for loading: the connection, the pseudonymiser and the upgrade line (or None).

    The pseudonym key is checked against the fingerprint the database holds before anything is written (a wrong
    or missing key raises :class:`UserError`); then missing tables are created and a database made before per-row
    as-of dates is upgraded. The first file that loads records the key's fingerprint (:func:`ingest_file`), so a
    database into which nothing was ever loaded is bound to no key.
    """
    db_path = store.resolve_db(db)
    con = store.connect(db_path, schema=False) if db_path.exists() else None
    try:
        recorded, loaded = (store.key_fingerprint_of(con), store.holds_data(con)) if con else (None, False)
        pseud = Pseudonymiser.for_database(db_path, recorded=recorded, holds_data=loaded)
        con = con or store.connect(db_path, schema=False)
        notice = store.ensure_schema(con)
    except BaseException:
        if con is not None:
            con.close()
        raise
    return con, pseud, notice


def ingest_files(
    paths: list[str | Path],
    db: str | Path | None = None,
    organisation: Organisation | None = None,
    as_of: date | None = None,
    table: str | None = None,
    sheet: str | None = None,
    notices: list[str] | None = None,
    profile: str | Path | None = None,
) -> list[IngestResult]:
    """Ingest several files into the store; each file is its own transaction and fails alone.

    A file that meets an unexpected error is rolled back and reported as refused (exit code 2) with the error
    (CPR numbers masked, as in every printed line), and the next file is loaded; with the environment variable
    KVALITET_DEBUG set the error is raised instead. Lines the user should see about the database itself (an
    upgrade) are appended to ``notices``.
    """
    from . import organisation as org_mod

    org = organisation or org_mod.load()
    con, pseud, notice = open_store(db)
    if notice and notices is not None:
        notices.append(notice)
    results = []
    try:
        for p in paths:
            try:
                results.append(ingest_file(con, p, org, pseud, as_of=as_of, table=table, sheet=sheet,
                                           profile=profile))
            except UserError as exc:
                results.append(IngestResult(file=Path(p), refused=str(exc)))
            except Exception as exc:
                if os.environ.get("KVALITET_DEBUG"):
                    raise
                results.append(IngestResult(file=Path(p), refused=(
                    f"{p}: intern fejl under indlæsningen ({type(exc).__name__}: {exc}); intet fra filen er "
                    "indlæst (de andre filer i kaldet indlæses hver for sig). Kør igen med KVALITET_DEBUG=1 for "
                    "detaljer, og meld fejlen.")))
        return results
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
