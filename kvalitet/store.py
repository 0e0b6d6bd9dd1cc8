"""The store: an embedded DuckDB database with one table per canonical table, ``quarantine``, ``ingest_log``,
``row_as_of`` and ``meta``.

The database file is ``data/kvalitet.duckdb`` unless ``--db PATH`` or the environment variable ``KVALITET_DB``
says otherwise. Tables carry the canonical column names of :mod:`kvalitet.contract` and nothing else.

Export order: ``row_as_of`` remembers, for every stored row (table name and key), the as-of date of the newest
export that set or confirmed it. A row from an export at least as new updates (or confirms) it; a row from an older
export changes nothing and is counted as stale. The dates live in a side table, not in a hidden column, so that
``SELECT *`` on a canonical table shows exactly the contract's columns. A row stored without a known as-of date
(inserted by hand) is treated as older than any export.

A table made before the contract gained an optional column gets it in place (:func:`ensure_schema`), its rows the
column's default (the findings register's ``source`` and ``kind``), and ``row_as_of`` the new key where the key grew.
A database made before ``row_as_of`` existed is upgraded in place by :func:`ensure_schema`: ``ingest_log`` gets the
column ``stale`` (0 for the earlier loads) and every stored row gets the newest as-of date its table was loaded
with, the conservative choice: an older export can then not revert it, and a newer one still updates it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from . import contract
from .errors import UserError

DEFAULT_DB = Path("data") / "kvalitet.duckdb"
ENV_DB = "KVALITET_DB"

QUARANTINE_DDL = """
CREATE TABLE IF NOT EXISTS quarantine (
    "table" VARCHAR NOT NULL,
    source_file VARCHAR NOT NULL,
    source_sha256 VARCHAR NOT NULL,
    row_number BIGINT NOT NULL,
    columns VARCHAR,
    reason VARCHAR NOT NULL,
    raw VARCHAR,
    loaded_at TIMESTAMP NOT NULL
)"""

INGEST_LOG_DDL = """
CREATE TABLE IF NOT EXISTS ingest_log (
    file_name VARCHAR NOT NULL,
    source_sha256 VARCHAR NOT NULL,
    "table" VARCHAR NOT NULL,
    rows_read BIGINT NOT NULL,
    inserted BIGINT NOT NULL,
    updated BIGINT NOT NULL,
    unchanged BIGINT NOT NULL,
    duplicates_collapsed BIGINT NOT NULL,
    stale BIGINT NOT NULL,
    quarantined BIGINT NOT NULL,
    as_of DATE NOT NULL,
    loaded_at TIMESTAMP NOT NULL,
    profile VARCHAR
)"""

#: The ingest_log columns in order (inserts name them, so an upgraded log and a new one agree).
INGEST_LOG_COLUMNS = ("file_name", "source_sha256", "table", "rows_read", "inserted", "updated", "unchanged",
                      "duplicates_collapsed", "stale", "quarantined", "as_of", "loaded_at", "profile")
#: ingest_log columns added after the first version, filled for earlier loads as given (``profile``: the source
#: profile used, NULL when none)
_ADDED_LATER = {"stale": "0", "profile": "NULL"}

ROW_AS_OF_DDL = """
CREATE TABLE IF NOT EXISTS row_as_of (
    "table" VARCHAR NOT NULL,
    key VARCHAR NOT NULL,
    as_of DATE NOT NULL
)"""

META_DDL = "CREATE TABLE IF NOT EXISTS meta (key VARCHAR PRIMARY KEY, value VARCHAR)"

#: meta key of the pseudonym key's fingerprint (see :func:`kvalitet.pii.key_fingerprint`)
KEY_FINGERPRINT = "pseudonym_key_fingerprint"


def resolve_db(path: str | Path | None = None) -> Path:
    """The database path: the argument, else KVALITET_DB, else data/kvalitet.duckdb."""
    if path:
        return Path(path)
    env = os.environ.get(ENV_DB)
    return Path(env) if env else DEFAULT_DB


def column_ddl(column: contract.Column) -> str:
    """A column's name, SQL type and default (a row inserted without it gets the contract's default)."""
    default = "" if column.default is None else " DEFAULT '" + column.default.replace("'", "''") + "'"
    return f'"{column.name}" {contract.SQL_TYPES[column.type]}{default}'


def table_ddl(table: contract.Table) -> str:
    cols = ",\n    ".join(column_ddl(c) for c in table.columns)
    return f'CREATE TABLE IF NOT EXISTS "{table.name}" (\n    {cols}\n)'


def connect(path: str | Path | None = None, read_only: bool = False, create: bool = True,
            schema: bool = True) -> duckdb.DuckDBPyConnection:
    """Open (and, unless read-only, create) the store with every table of the contract.

    With ``schema=False`` a writable connection is opened without creating or upgrading any table (the caller
    checks something first, e.g. the pseudonym key, and then calls :func:`ensure_schema`).
    """
    p = resolve_db(path)
    if read_only or not create:
        if not p.exists():
            raise UserError(
                f"{p}: databasen findes ikke. Byg demo-databasen med 'kvalitet demo' eller indlæs data med "
                "'kvalitet ingest'."
            )
    else:
        p.parent.mkdir(parents=True, exist_ok=True)
    try:
        con = duckdb.connect(str(p), read_only=read_only)
    except duckdb.IOException as exc:
        raise UserError(f"{p}: databasen kan ikke åbnes ({exc}). Er den åben i et andet program?") from None
    if not read_only and schema:
        ensure_schema(con)
    return con


def _has_table(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    return con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = ? "
                       "AND database_name = current_database()", [name]).fetchall()[0][0] > 0


def _columns(con: duckdb.DuckDBPyConnection, name: str) -> list[str]:
    rows = con.execute("SELECT column_name FROM duckdb_columns() WHERE table_name = ? "
                       "AND database_name = current_database() ORDER BY column_index", [name]).fetchall()
    return [r[0] for r in rows]


def ensure_schema(con: duckdb.DuckDBPyConnection) -> str | None:
    """Create the missing tables and upgrade a database made before per-row as-of dates, in one transaction.

    Returns the Danish line that says what the upgrade did, or None when there was nothing to upgrade.
    """
    con.execute("BEGIN TRANSACTION")
    try:
        legacy = _has_table(con, "ingest_log") and "stale" not in _columns(con, "ingest_log")
        for t in contract.TABLES.values():
            con.execute(table_ddl(t))
        con.execute(QUARANTINE_DDL)
        con.execute(META_DDL)
        con.execute(ROW_AS_OF_DDL)
        added = _add_columns(con)  # first: the upgrade below keys the rows with the contract's key
        notice = _upgrade_ingest_log(con) if legacy else None
        if not legacy:
            con.execute(INGEST_LOG_DDL)
            if "profile" not in _columns(con, "ingest_log"):
                con.execute("ALTER TABLE ingest_log ADD COLUMN profile VARCHAR")
        notice = " ".join(x for x in (notice, added) if x) or None
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise
    return notice


def _upgrade_ingest_log(con: duckdb.DuckDBPyConnection) -> str:
    """Give ``ingest_log`` the column ``stale`` and every stored row the newest as-of date of its table's loads."""
    old = [c for c in INGEST_LOG_COLUMNS if c not in _ADDED_LATER]
    cols = ", ".join(f'"{c}"' for c in INGEST_LOG_COLUMNS)
    select = ", ".join(_ADDED_LATER.get(c, f'"{c}"') for c in INGEST_LOG_COLUMNS)
    missing = set(old) - set(_columns(con, "ingest_log"))
    if missing:  # not a log this program ever wrote
        raise UserError(f"databasens ingest_log mangler kolonnerne {', '.join(sorted(missing))}; den kan ikke "
                        "opgraderes. Byg databasen forfra fra eksportfilerne.")
    con.execute("ALTER TABLE ingest_log RENAME TO ingest_log_before_stale")
    con.execute(INGEST_LOG_DDL)
    con.execute(f"INSERT INTO ingest_log ({cols}) SELECT {select} FROM ingest_log_before_stale ORDER BY rowid")
    con.execute("DROP TABLE ingest_log_before_stale")
    from .formatting import count, long_date

    dated = []
    for t in contract.TABLES.values():
        as_of = con.execute('SELECT max(as_of) FROM ingest_log WHERE "table" = ?', [t.name]).fetchall()[0][0]
        if as_of is None:
            continue
        con.execute('DELETE FROM row_as_of WHERE "table" = ?', [t.name])
        n = con.execute(f'INSERT INTO row_as_of SELECT ?, {row_key_sql(t)}, ? FROM "{t.name}"',
                        [t.name, as_of]).fetchall()[0][0]
        if n:
            dated.append(f"{t.danish}: {count(n)} {'række' if n == 1 else 'rækker'} pr. {long_date(as_of)}")
    rows = "; ".join(dated) if dated else "ingen rækker"
    return ("Databasen er opgraderet, så hver række husker opgørelsesdatoen for den nyeste eksport, der har sat "
            "eller bekræftet den. Rækker uden kendt eksportdato har fået den nyeste opgørelsesdato, deres tabel er "
            f"indlæst med ({rows}); indlæsningsloggen har fået kolonnen stale (forældede rækker; 0 for de "
            "tidligere indlæsninger).")


def _add_columns(con: duckdb.DuckDBPyConnection) -> str | None:
    """Give a table made by an earlier version the contract's new optional columns (its rows get each column's
    default, else NULL) and, when the key gained a column, re-key the table's rows in ``row_as_of``. Returns the
    Danish line that says what was added, or None."""
    added = []
    for t in contract.TABLES.values():
        have = _columns(con, t.name)
        new = [c for c in t.columns if c.name not in have]
        if not new:
            continue
        old_key = tuple(k for k in t.key if k in have)
        for c in new:  # the rows already stored take the column's default
            con.execute(f'ALTER TABLE "{t.name}" ADD COLUMN {column_ddl(c)}')
        if old_key != t.key:
            old_sql = row_key_sql(contract.Table(t.name, t.danish, old_key, t.columns))
            con.execute(f'UPDATE row_as_of SET key = r.new_key FROM (SELECT {old_sql} AS old_key, {row_key_sql(t)} '
                        f'AS new_key FROM "{t.name}") r WHERE row_as_of."table" = ? AND row_as_of.key = r.old_key',
                        [t.name])
        added.append(f"{t.danish}: {', '.join(c.name for c in new)}")
    if not added:
        return None
    return ("Databasen har fået kontraktens nye kolonner (" + "; ".join(added) + "); de rækker, der allerede var "
            "indlæst, har fået kolonnens standardværdi eller ingen værdi.")


def row_key_sql(table: contract.Table) -> str:
    """SQL for a row's key as text in ``row_as_of``: a JSON list of the key values (NULL stays null)."""
    return "to_json(list_value(" + ", ".join(f'CAST("{k}" AS VARCHAR)' for k in table.key) + "))"


def set_meta(con: duckdb.DuckDBPyConnection, key: str, value: str) -> None:
    con.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", [key, value])


def get_meta(con: duckdb.DuckDBPyConnection, key: str, default: str | None = None) -> str | None:
    try:
        rows = con.execute("SELECT value FROM meta WHERE key = ?", [key]).fetchall()
    except duckdb.CatalogException:
        return default
    return rows[0][0] if rows else default


def key_fingerprint_of(con: duckdb.DuckDBPyConnection) -> str | None:
    """The fingerprint of the pseudonym key the database was built with, if recorded."""
    return get_meta(con, KEY_FINGERPRINT)


def holds_data(con: duckdb.DuckDBPyConnection) -> bool:
    """True when anything was ever loaded: a key fingerprint, a logged load or a stored row."""
    if key_fingerprint_of(con):
        return True
    tables = ["ingest_log", *contract.TABLES]
    return any(_has_table(con, t) and con.execute(f'SELECT EXISTS (SELECT 1 FROM "{t}")').fetchall()[0][0]
               for t in tables)


def check_key(con: duckdb.DuckDBPyConnection, fingerprint: str) -> None:
    """Record the key's fingerprint in a database that has none; refuse a key whose fingerprint differs."""
    recorded = key_fingerprint_of(con)
    if recorded is None:
        set_meta(con, KEY_FINGERPRINT, fingerprint)
    elif recorded != fingerprint:
        raise UserError(
            f"pseudonymnøglen passer ikke til databasen (databasens nøgle har fingeraftrykket {recorded}, den "
            f"angivne {fingerprint}); intet er indlæst."
        )


def is_demo(con: duckdb.DuckDBPyConnection) -> bool:
    """True when the database was built from demo data (reports must say so)."""
    return get_meta(con, "demo") == "true"


@dataclass(frozen=True)
class UpsertCounts:
    """What :func:`upsert` did with the valid rows of one file."""

    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    stale: int = 0


def upsert(con: duckdb.DuckDBPyConnection, table: contract.Table, frame: pd.DataFrame, as_of: date) -> UpsertCounts:
    """Load one export's valid rows, taken on ``as_of``, into ``table``; return what happened to them.

    A new key is inserted. A stored row whose as-of date is not after ``as_of`` (or unknown) is updated when its
    values differ and otherwise left as it is (unchanged); either way it now carries ``as_of`` (the newest export
    that set or confirmed it). A stored row whose as-of date is after ``as_of`` is left untouched and counted as
    stale. The caller holds the transaction. ``frame`` has one row per key (the validator guarantees it).
    """
    if frame.empty:
        return UpsertCounts()
    cols = table.column_names
    casts = ", ".join(f'CAST("{c}" AS {contract.SQL_TYPES[table.by_name[c].type]}) AS "{c}"' for c in cols)
    # the rows are read from the frame where they are used (a view, not a copy: reading a frame is cheap, writing
    # a million rows into a table is not); _rid numbers them in the frame's order
    con.register("_incoming_df", frame[cols].assign(_rid=np.arange(1, len(frame) + 1, dtype=np.int64)))
    try:
        con.execute(f"CREATE OR REPLACE TEMP VIEW _incoming AS SELECT *, {row_key_sql(table)} AS _key FROM "
                    f"(SELECT _rid, {casts} FROM _incoming_df)")
        counts = _upsert(con, table, len(frame), as_of)
        con.execute("DROP VIEW _incoming")
    finally:
        try:
            con.unregister("_incoming_df")
        except duckdb.Error:  # the transaction failed (the caller rolls it back, and the view with it)
            pass
    return counts


def _upsert(con: duckdb.DuckDBPyConnection, table: contract.Table, rows: int, as_of: date) -> UpsertCounts:
    """:func:`upsert` of the ``rows`` rows of the view ``_incoming``."""
    cols = table.column_names
    on = " AND ".join(f'i."{k}" IS NOT DISTINCT FROM t."{k}"' for k in table.key)
    others = [c for c in cols if c not in table.key]
    same = " AND ".join(f'i."{c}" IS NOT DISTINCT FROM t."{c}"' for c in others) or "TRUE"
    con.execute("DROP TABLE IF EXISTS _matched")
    con.execute(
        f'CREATE TEMP TABLE _matched AS SELECT i._rid, ({same}) AS same, coalesce(s.as_of > $as_of, FALSE) AS stale, '
        f"s.as_of IS NOT DISTINCT FROM $as_of AS dated "
        f'FROM _incoming i JOIN "{table.name}" t ON {on} '
        f'LEFT JOIN row_as_of s ON s."table" = $table AND s.key = i._key',
        {"as_of": as_of, "table": table.name},
    )
    updated, unchanged, stale, dated = con.execute(
        "SELECT count(*) FILTER (WHERE NOT stale AND NOT same), count(*) FILTER (WHERE NOT stale AND same), "
        "count(*) FILTER (WHERE stale), count(*) FILTER (WHERE dated) FROM _matched"
    ).fetchall()[0]
    inserted = rows - updated - unchanged - stale
    if updated:
        con.execute(
            f'DELETE FROM "{table.name}" t USING _incoming i, _matched m '
            f"WHERE m._rid = i._rid AND NOT m.same AND NOT m.stale AND {on}"
        )
    if updated or inserted:
        col_list = ", ".join(f'"{c}"' for c in cols)
        con.execute(
            f'INSERT INTO "{table.name}" ({col_list}) SELECT {col_list} FROM _incoming i '
            "WHERE i._rid NOT IN (SELECT _rid FROM _matched WHERE same OR stale)"
        )
    if rows - stale - dated:  # rows whose as-of date advances (or is set for the first time)
        con.execute(
            "CREATE OR REPLACE TEMP TABLE _advance AS SELECT _key FROM _incoming "
            "WHERE _rid NOT IN (SELECT _rid FROM _matched WHERE stale OR dated)"
        )
        con.execute('DELETE FROM row_as_of WHERE "table" = ? AND key IN (SELECT _key FROM _advance)', [table.name])
        con.execute('INSERT INTO row_as_of SELECT ?, _key, ? FROM _advance', [table.name, as_of])
        con.execute("DROP TABLE _advance")
    con.execute("DROP TABLE IF EXISTS _matched")
    return UpsertCounts(int(inserted), int(updated), int(unchanged), int(stale))


def table_as_of(con: duckdb.DuckDBPyConnection) -> dict[str, date]:
    """The as-of date of each table's data: the latest export as-of (``ingest_log.as_of``) among the table's loads.

    A table that was never loaded through ``kvalitet ingest`` (no ``ingest_log`` rows, e.g. rows inserted directly)
    is absent from the result; the caller decides the fallback (the indicator engine: the newest date in the data).
    """

    try:
        rows = con.execute('SELECT "table", max(as_of) FROM ingest_log GROUP BY 1').fetchall()
    except duckdb.CatalogException:  # a store without an ingest log
        return {}
    return {t: (d if isinstance(d, date) else pd.Timestamp(d).date()) for t, d in rows if d is not None}
