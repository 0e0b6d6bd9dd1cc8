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
    if not _needs_careful_reader(text, sep):
        fast = _read_csv_fast(p, text, sep, encoding)
        if fast is not None:
            return fast
    return _read_csv_careful(p, text, sep, encoding)


def _needs_careful_reader(text: str, sep: str) -> bool:
    """The fast reader is used only where it is exact: no quoting, no blank lines, and every line with as many
    fields as the header (so row numbers and ragged rows come out right). Anything else goes to the careful one."""
    if not text or '"' in text or text[0] in "\r\n":
        return True
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    counts = np.fromiter((line.count(sep) for line in lines), dtype=np.int64, count=len(lines))
    if (counts != counts[0]).any():
        return True
    return any(not line.strip() for line in lines)


def _read_csv_fast(p: Path, text: str, sep: str, encoding: str) -> RawTable | None:
    """pandas' C parser, every field as text (only for files :func:`_needs_careful_reader` found regular)."""
    try:
        frame = pd.read_csv(io.StringIO(text), sep=sep, header=None, dtype=object, na_filter=False,
                            keep_default_na=False, skip_blank_lines=False, engine="c", index_col=False,
                            quotechar='"', doublequote=True)
    except pd.errors.ParserError:
        return None
    except pd.errors.EmptyDataError:
        return RawTable(p, [], pd.DataFrame(), np.zeros(0, dtype=np.int64), [], encoding, sep)
    headers = [str(h).strip() for h in frame.iloc[0].tolist()]
    body = frame.iloc[1:]
    body.columns = _unique(headers)
    numbers = np.arange(2, len(body) + 2, dtype=np.int64)
    blank = np.ones(len(body), dtype=bool)
    for col in body.columns:
        blank &= body[col].to_numpy(dtype=object) == ""
    if blank.any():  # a line of separators only: not a data row (as in the careful reader)
        body, numbers = body[~blank], numbers[~blank]
    return RawTable(p, headers, body.reset_index(drop=True), numbers, [], encoding, sep)


def _read_csv_careful(p: Path, text: str, sep: str, encoding: str) -> RawTable:
    """The csv module, record by record: handles blank lines and rows with too many fields."""
    headers: list[str] = []
    good: list[list[str]] = []
    numbers: list[int] = []
    ragged: list[tuple[int, list[str]]] = []
    row_no = 0
    width = 0
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
