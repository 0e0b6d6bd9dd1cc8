"""Readers for exports from case systems: CSV (UTF-8 with or without BOM, Windows-1252; ``,`` ``;`` or tab) and XLSX.

A reader returns every cell as text exactly as the file holds it (no type guessing), with the row number a
spreadsheet user would see (the header is row 1). Parsing and validation happen in :mod:`kvalitet.validate`.
Completely blank lines are not data rows: they are skipped and not counted.
"""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path

import numpy as np
import pandas as pd

from .errors import FileRefused

CSV_SUFFIXES = {".csv", ".txt", ".tsv"}
XLSX_SUFFIXES = {".xlsx", ".xlsm"}


@dataclass
class RawTable:
    """A file's cells as text: ``headers`` as written, ``data`` (one column per header), ``row_numbers``."""

    path: Path
    headers: list[str]
    data: pd.DataFrame
    row_numbers: np.ndarray
    #: rows whose number of fields differs from the header: (row number, fields as read)
    ragged: list[tuple[int, list[str]]] = field(default_factory=list)
    encoding: str = ""
    separator: str = ""

    @property
    def rows_read(self) -> int:
        return len(self.data) + len(self.ragged)


def read_file(path: str | Path) -> RawTable:
    """Read a CSV or XLSX export; a file that cannot be read raises FileRefused naming it."""
    p = Path(path)
    if not p.exists():
        raise FileRefused(f"{p}: filen findes ikke")
    if p.is_dir():
        raise FileRefused(f"{p}: er en mappe, ikke en fil")
    suffix = p.suffix.lower()
    if suffix in XLSX_SUFFIXES:
        raw = _read_xlsx(p)
    elif suffix in CSV_SUFFIXES:
        raw = _read_csv(p)
    elif suffix == ".xls":
        raise FileRefused(f"{p}: det gamle Excel-format .xls kan ikke læses; gem filen som .xlsx eller .csv")
    else:
        raise FileRefused(f"{p}: ukendt filtype {suffix or '(ingen)'}; brug .csv eller .xlsx")
    if not raw.headers:
        raise FileRefused(f"{p}: filen er tom (ingen overskriftsrække)")
    if raw.rows_read == 0:
        raise FileRefused(f"{p}: filen er tom (en overskriftsrække, men ingen datarækker)")
    return raw


def decode(data: bytes, path: Path) -> tuple[str, str]:
    """Text and encoding name: UTF-8 with BOM, UTF-8, else Windows-1252."""
    if b"\x00" in data[:65536]:
        raise FileRefused(f"{path}: kan ikke læses som tekst (filen ser binær ud; er det en .xlsx med forkert endelse?)")
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="strict"), "utf-8-sig"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError as exc:
        raise FileRefused(f"{path}: tegnsættet er hverken UTF-8 eller Windows-1252 (byte {exc.start})") from None


def _sniff_separator(header_line: str) -> str:
    counts = {sep: header_line.count(sep) for sep in (";", ",", "\t")}
    sep = max(counts, key=lambda k: counts[k])
    return sep if counts[sep] > 0 else ","


def _read_csv(p: Path) -> RawTable:
    try:
        data = p.read_bytes()
    except OSError as exc:
        raise FileRefused(f"{p}: kan ikke læses: {exc.strerror}") from None
    text, encoding = decode(data, p)
    first_line = next((line for line in text.split("\n", 50)[:50] if line.strip()), "")
    sep = _sniff_separator(first_line)
    headers: list[str] = []
    good: list[list[str]] = []
    numbers: list[int] = []
    ragged: list[tuple[int, list[str]]] = []
    row_no = 0
    try:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep)
        # row_no is the number a spreadsheet shows: one row per record, the first record is row 1
        for row_no, fields in enumerate(reader, start=1):
            if not any(f.strip() for f in fields):
                continue  # blank line: not a data row
            if not headers:
                headers = [f.strip() for f in fields]
                width = len(headers)
            elif len(fields) == width:
                good.append(fields)
                numbers.append(row_no)
            else:
                ragged.append((row_no, fields))
    except csv.Error as exc:
        raise FileRefused(f"{p}: CSV-filen kan ikke læses (række {row_no + 1}): {exc}") from None
    frame = pd.DataFrame(good, columns=_unique(headers), dtype=object) if headers else pd.DataFrame()
    return RawTable(p, headers, frame, np.asarray(numbers, dtype=np.int64), ragged, encoding, sep)


def _unique(headers: list[str]) -> list[str]:
    """Column labels for the frame: headers made unique (a repeated header is reported by the validator)."""
    seen: dict[str, int] = {}
    out = []
    for i, h in enumerate(headers):
        label = h or f"(kolonne {i + 1})"
        if label in seen:
            seen[label] += 1
            label = f"{label} ({seen[label]})"
        else:
            seen[label] = 1
        out.append(label)
    return out


def cell_text(value) -> str:
    """An XLSX cell as the text a CSV export would hold."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        if value.time() == time(0, 0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        return repr(value)
    return str(value)


def _read_xlsx(p: Path) -> RawTable:
    from openpyxl import load_workbook

    try:
        wb = load_workbook(p, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise FileRefused(f"{p}: kan ikke læses som XLSX ({type(exc).__name__}: {exc})") from None
    try:
        if not wb.worksheets:
            raise FileRefused(f"{p}: arbejdsbogen har intet ark")
        ws = wb.worksheets[0]
        headers: list[str] = []
        good: list[list[str]] = []
        numbers: list[int] = []
        ragged: list[tuple[int, list[str]]] = []
        width = 0
        for row_no, values in enumerate(ws.iter_rows(values_only=True), start=1):
            cells = [cell_text(v) for v in values]
            if not headers:
                if any(c.strip() for c in cells):
                    while cells and not cells[-1].strip():
                        cells.pop()
                    headers = [c.strip() for c in cells]
                    width = len(headers)
                continue
            if not any(c.strip() for c in cells):
                continue
            extra = cells[width:]
            if any(c.strip() for c in extra):
                ragged.append((row_no, cells))
                continue
            cells = (cells + [""] * width)[:width]
            good.append(cells)
            numbers.append(row_no)
    finally:
        wb.close()
    frame = pd.DataFrame(good, columns=_unique(headers), dtype=object) if headers else pd.DataFrame()
    return RawTable(p, headers, frame, np.asarray(numbers, dtype=np.int64), ragged, "xlsx", "")
