"""The store: an embedded DuckDB database with one table per canonical table, ``quarantine``, ``ingest_log``, ``meta``.

The database file is ``data/kvalitet.duckdb`` unless ``--db PATH`` or the environment variable ``KVALITET_DB``
says otherwise. Tables carry the canonical column names of :mod:`kvalitet.contract`.
"""

from __future__ import annotations

import os
from pathlib import Path

import duckdb
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
    quarantined BIGINT NOT NULL,
    as_of DATE NOT NULL,
    loaded_at TIMESTAMP NOT NULL
)"""

META_DDL = "CREATE TABLE IF NOT EXISTS meta (key VARCHAR PRIMARY KEY, value VARCHAR)"


def resolve_db(path: str | Path | None = None) -> Path:
    """The database path: the argument, else KVALITET_DB, else data/kvalitet.duckdb."""
    if path:
        return Path(path)
    env = os.environ.get(ENV_DB)
    return Path(env) if env else DEFAULT_DB


def table_ddl(table: contract.Table) -> str:
    cols = ",\n    ".join(f'"{c.name}" {contract.SQL_TYPES[c.type]}' for c in table.columns)
    return f'CREATE TABLE IF NOT EXISTS "{table.name}" (\n    {cols}\n)'


def connect(path: str | Path | None = None, read_only: bool = False, create: bool = True) -> duckdb.DuckDBPyConnection:
    """Open (and, unless read-only, create) the store with every table of the contract."""
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
    if not read_only:
        ensure_schema(con)
    return con


def ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    for t in contract.TABLES.values():
        con.execute(table_ddl(t))
    con.execute(QUARANTINE_DDL)
    con.execute(INGEST_LOG_DDL)
    con.execute(META_DDL)


def set_meta(con: duckdb.DuckDBPyConnection, key: str, value: str) -> None:
    con.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", [key, value])


def get_meta(con: duckdb.DuckDBPyConnection, key: str, default: str | None = None) -> str | None:
    try:
        row = con.execute("SELECT value FROM meta WHERE key = ?", [key]).fetchone()
    except duckdb.CatalogException:
        return default
    return row[0] if row else default


def is_demo(con: duckdb.DuckDBPyConnection) -> bool:
    """True when the database was built from demo data (reports must say so)."""
    return get_meta(con, "demo") == "true"


def upsert(con: duckdb.DuckDBPyConnection, table: contract.Table, frame: pd.DataFrame) -> tuple[int, int, int]:
    """Insert new keys, update changed rows, leave identical rows; return (inserted, updated, unchanged).

    The caller holds the transaction. ``frame`` has one row per key (the validator guarantees it).
    """
    if frame.empty:
        return 0, 0, 0
    cols = table.column_names
    casts = ", ".join(f'CAST("{c}" AS {contract.SQL_TYPES[table.by_name[c].type]}) AS "{c}"' for c in cols)
    con.register("_incoming_df", frame[cols])
    try:
        con.execute("DROP TABLE IF EXISTS _incoming")
        con.execute(f"CREATE TEMP TABLE _incoming AS SELECT row_number() OVER () AS _rid, {casts} FROM _incoming_df")
    finally:
        con.unregister("_incoming_df")
    on = " AND ".join(f'i."{k}" IS NOT DISTINCT FROM t."{k}"' for k in table.key)
    others = [c for c in cols if c not in table.key]
    same = " AND ".join(f'i."{c}" IS NOT DISTINCT FROM t."{c}"' for c in others) or "TRUE"
    con.execute("DROP TABLE IF EXISTS _matched")
    con.execute(
        f'CREATE TEMP TABLE _matched AS SELECT i._rid, ({same}) AS same FROM _incoming i JOIN "{table.name}" t ON {on}'
    )
    updated, unchanged = con.execute(
        "SELECT count(*) FILTER (WHERE NOT same), count(*) FILTER (WHERE same) FROM _matched"
    ).fetchone()
    inserted = len(frame) - updated - unchanged
    if updated:
        con.execute(
            f'DELETE FROM "{table.name}" t USING _incoming i, _matched m '
            f"WHERE m._rid = i._rid AND NOT m.same AND {on}"
        )
    if updated or inserted:
        col_list = ", ".join(f'"{c}"' for c in cols)
        con.execute(
            f'INSERT INTO "{table.name}" ({col_list}) SELECT {col_list} FROM _incoming i '
            "WHERE i._rid NOT IN (SELECT _rid FROM _matched WHERE same)"
        )
    con.execute("DROP TABLE IF EXISTS _matched")
    con.execute("DROP TABLE IF EXISTS _incoming")
    return int(inserted), int(updated), int(unchanged)


def table_as_of(con: duckdb.DuckDBPyConnection) -> dict[str, date]:
    """The as-of date of each table's data: the latest export as-of (``ingest_log.as_of``) among the table's loads.

    A table that was never loaded through ``kvalitet ingest`` (no ``ingest_log`` rows, e.g. rows inserted directly)
    is absent from the result; the caller decides the fallback (the indicator engine: the newest date in the data).
    """
    from datetime import date

    try:
        rows = con.execute('SELECT "table", max(as_of) FROM ingest_log GROUP BY 1').fetchall()
    except duckdb.CatalogException:  # a store without an ingest log
        return {}
    return {t: (d if isinstance(d, date) else pd.Timestamp(d).date()) for t, d in rows if d is not None}
