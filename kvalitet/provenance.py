"""What a report needs to be recomputed a year later: the kvalitet version and git commit, the versions of the
packages that computed its numbers, and a fingerprint of the data it read (per table and over all of them).

The fingerprint of a table is the MD5 of its rows' MD5s in sorted order, each row written as its columns cast to text
by DuckDB (NULL as a NUL character, columns separated by the unit separator); so it does not depend on the order the
rows are stored in, and changes when any row or value changes. The data's fingerprint is the SHA-256 of the tables'
names and fingerprints, shortened to 16 hex digits. A reader sees them in groups of four (:func:`grouped`), which
also keeps a run of ten decimal digits (the shape of a CPR number) out of the report. The same store read with the
same DuckDB version (pinned in ``constraints.txt``) gives the same fingerprint; :func:`data_fingerprint` recomputes
it.
"""

from __future__ import annotations

import hashlib
import platform
import subprocess
from dataclasses import dataclass
from functools import lru_cache
from importlib import metadata
from pathlib import Path

from . import __version__, shared

ROOT = Path(__file__).resolve().parents[1]
#: the packages that compute a report's numbers and draw its charts, in the order "Metode og data" names them
COMPUTING_PACKAGES = ("pandas", "numpy", "scipy", "statsmodels", "duckdb", "matplotlib")


@lru_cache(maxsize=1)
def git_commit() -> str | None:
    """The commit of the checkout kvalitet runs from (12 hex digits, "+ lokale ændringer" when tracked files differ
    from it); None outside a git checkout or without git."""
    if not (ROOT / ".git").exists():
        return None
    try:
        head = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short=12", "HEAD"], capture_output=True,
                              text=True, timeout=10)
        if head.returncode != 0:
            return None
        dirty = subprocess.run(["git", "-C", str(ROOT), "status", "--porcelain", "--untracked-files=no"],
                               capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return None
    commit = head.stdout.strip()
    return commit + (" + lokale ændringer" if dirty.returncode == 0 and dirty.stdout.strip() else "")


@lru_cache(maxsize=1)
def package_versions() -> dict[str, str]:
    """Python's version and that of each package in :data:`COMPUTING_PACKAGES` that is installed."""
    out = {"Python": platform.python_version()}
    for name in COMPUTING_PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return out


@shared.memo
def table_fingerprint(con, table: str) -> str:
    """The MD5 (32 hex digits) of the table's row MD5s in sorted order (see the module's docstring)."""
    cols = [r[0] for r in con.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_name = ? ORDER BY ordinal_position",
        [table]).fetchall()]
    if not cols:
        return hashlib.md5(b"").hexdigest()
    row = "concat_ws(chr(31), " + ", ".join(f'coalesce(CAST("{c}" AS VARCHAR), chr(0))' for c in cols) + ")"
    (digest,) = con.execute(
        f"SELECT md5(coalesce(string_agg(h, '' ORDER BY h), '')) FROM (SELECT md5({row}) AS h FROM \"{table}\")"
    ).fetchone()
    return digest


def data_fingerprint(con, tables: list[str]) -> tuple[str, dict[str, str]]:
    """The data's fingerprint (16 hex digits) over ``tables`` and each table's own fingerprint."""
    per = {t: table_fingerprint(con, t) for t in sorted(set(tables))}
    whole = hashlib.sha256("\n".join(f"{t}:{d}" for t, d in per.items()).encode()).hexdigest()[:16]
    return whole, per


def grouped(digest: str) -> str:
    """``5aaae8939b74ad83`` → ``5aaa-e893-9b74-ad83``: readable, and never ten digits in a row (a CPR number's
    shape, which the checks for personal data look for)."""
    return "-".join(digest[i:i + 4] for i in range(0, len(digest), 4))


@dataclass(frozen=True)
class Provenance:
    version: str
    commit: str | None
    packages: dict[str, str]
    fingerprint: str
    tables: dict[str, str]  # table → its fingerprint

    def software_line(self) -> str:
        """``Beregnet med kvalitet 0.1.0 (commit …) på Python 3.11.2 med pandas 2.2.3, …``"""
        commit = f" (commit {self.commit})" if self.commit else ""
        packages = dict(self.packages)
        python = packages.pop("Python", None)
        on = f" på Python {python}" if python else ""
        listed = ", ".join(f"{k} {v}" for k, v in packages.items())
        return f"Beregnet med kvalitet {self.version}{commit}{on} med {listed}."


def of(con, tables: list[str]) -> Provenance:
    """The provenance of a computation that read ``tables`` from the store behind ``con``."""
    whole, per = data_fingerprint(con, tables)
    return Provenance(__version__, git_commit(), package_versions(), whole, per)
