"""Shared fixtures: a minimal organisation file, a throw-away database and helpers to write export files."""

from __future__ import annotations

import csv
import re
from datetime import date
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
#: real published figures copied from shared/data/public (see tests/data/public/README.md)
PUBLIC = ROOT / "tests" / "data" / "public"
AS_OF = date(2024, 12, 31)
#: a CPR-shaped number (DDMMYY-NNNN or DDMMYYNNNN), whatever its date
CPR_RE = re.compile(r"(?<!\d)\d{6}-?\d{4}(?!\d)")
#: a pseudonym (kvalitet.pii.Pseudonymiser): 16 hex digits can hold a run of ten decimal digits by chance
PSEUDONYM_RE = re.compile(r"P-[0-9a-f]{16}")


def cpr_like(text: str) -> bool:
    """True when ``text`` holds a CPR-shaped number outside the pseudonyms it may contain."""
    return bool(CPR_RE.search(PSEUDONYM_RE.sub("P-…", text)))


@pytest.fixture
def org_file(tmp_path: Path) -> Path:
    """An organisation file with only the two required keys."""
    p = tmp_path / "organisation.yaml"
    p.write_text(
        "municipality: Testkommune\n"
        "forvaltninger:\n"
        "  - {code: SOF, name: Socialforvaltningen}\n"
        "  - {code: BIF, name: Beskæftigelses- og Integrationsforvaltningen}\n"
        "  - {code: ØKF, name: Økonomiforvaltningen}\n",
        encoding="utf-8",
    )
    return p


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "test.duckdb"


def write_csv(path: Path, header: list[str], rows: list[list], sep: str = ";", encoding: str = "utf-8") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="", encoding=encoding) as fh:
        w = csv.writer(fh, delimiter=sep)
        w.writerow(header)
        for r in rows:
            w.writerow(["" if v is None else v for v in r])
    return path


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory) -> Path:
    """The demo database, built once per test session through `kvalitet demo` (read it, don't change it)."""
    from kvalitet.demo import build_demo

    folder = tmp_path_factory.mktemp("demo")
    path = folder / "demo.duckdb"
    build_demo(db=path, organisation=ROOT / "parameters" / "organisation.yaml")
    return path


@pytest.fixture
def shown(monkeypatch):
    """Everything the report sections display, as strings (HTML or Markdown), in order."""
    from kvalitet import present

    out: list[str] = []
    monkeypatch.setattr(present, "_display", lambda obj: out.append(str(obj)))
    return out


def alt_texts(out: list[str]) -> list[str]:
    """The alt texts of the images among what was displayed (see ``shown``)."""
    return re.findall(r'alt="([^"]*)"', "\n".join(out))
