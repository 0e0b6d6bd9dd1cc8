"""Readers for exports from case systems: CSV and XLSX, as case systems and Excel write them.

CSV: UTF-8 (with or without BOM), Windows-1252, or UTF-16 with a BOM (Excel's "Unicode-tekst"); ``;``, ``,`` or tab
as separator. XLSX: the sheet whose header matches the table (or the one named with ``--sheet``).

A reader returns every cell as text exactly as the file holds it (no type guessing; parsing and validation happen
in :mod:`kvalitet.validate`), with the row number a person finds in the file: for a CSV the physical line where
the record starts (the number an editor shows; for a record with a line break inside a quoted field this is its
first line), for an XLSX the sheet's row number. Title lines above the header keep their numbers, so the numbers
stay the ones the file shows.

Every line is accounted for: lines above the header (titles, blank lines), the header, blank lines below it (not
data rows, not counted as read) and the lines the data records span (``physical_lines``). A record spans more than
one line when a quoted field holds a line break.

**Records that would swallow rows.** A quoted field whose continuation lines themselves look like whole rows (at
least as many separators as the header has) is almost always a quote that was never closed: the rows that follow
are then inside one field. Such a record is *rejected* (it goes to the quarantine with a reason naming its physical
lines) rather than the file being refused: the rest of the file is sound and loads, the exit code is 1, the ingest
line shows the physical lines beside the records, and ``kvalitet quarantine`` shows exactly which lines to mend.
The record keeps its columns, so its raw row in the quarantine is pseudonymised and CPR-masked like any other.
A real note with a line break, whose continuation lines do not look like rows, loads as one record. A field longer
than the csv module's limit (131.072 characters; in practice a quote that swallows the rest of a file) refuses the
file.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pandas as pd

from . import contract
from .errors import FileRefused
from .pii import contains_cpr

CSV_SUFFIXES = {".csv", ".txt", ".tsv"}
XLSX_SUFFIXES = {".xlsx", ".xlsm"}
SEPARATORS = (";", ",", "\t")
#: the header row is searched among this many non-blank rows from the top of a file or sheet
HEADER_SEARCH_ROWS = 20
#: characters of a CSV searched for the header row (enough for 20 rows of any real export)
_HEADER_SEARCH_CHARS = 1 << 18
#: a line break as the csv module and io.StringIO(newline="") see one (never str.splitlines' wider set)
_NEWLINE = re.compile(r"\r\n|\r|\n")
#: byte order marks: (bytes, codec, name in messages, encoding recorded)
_BOMS = (
    (b"\xef\xbb\xbf", "utf-8", "UTF-8", "utf-8-sig"),
    (b"\xff\xfe", "utf-16-le", "UTF-16", "utf-16"),
    (b"\xfe\xff", "utf-16-be", "UTF-16", "utf-16"),
)


class Rejected(NamedTuple):
    """A record the reader could not turn into a row: quarantined with ``reason`` (Danish) and its raw fields."""

    row_number: int
    fields: list[str]
    reason: str


@dataclass
class RawTable:
    """A file's cells as text: ``headers`` as written, ``data`` (one column per header), ``row_numbers``."""

    path: Path
    headers: list[str]
    data: pd.DataFrame
    row_numbers: np.ndarray
    #: records with the wrong number of fields: quarantined with their reason
    rejected: list[Rejected] = field(default_factory=list)
    encoding: str = ""
    separator: str = ""
    #: the line (CSV) or row (XLSX) where the header starts; the lines above it are not data
    header_row: int = 1
    #: lines the header spans (more than 1 only when a quoted header holds a line break)
    header_lines: int = 1
    #: blank lines below the header (not data rows, not counted as read)
    blank_lines: int = 0
    #: lines the data records span (valid and rejected); equals rows_read unless a record spans several lines
    physical_lines: int = 0
    #: XLSX: the sheet read and every sheet of the workbook
    sheet: str = ""
    sheets: list[str] = field(default_factory=list)
    #: rows of ``data`` that must not be accepted as they stand: (position in data, column label, Danish reason),
    #: e.g. a quoted field that swallowed lines looking like rows; the validator quarantines them
    suspicious: list[tuple[int, str, str]] = field(default_factory=list)

    @property
    def rows_read(self) -> int:
        return len(self.data) + len(self.rejected)

    def notes(self) -> list[str]:
        """What the ingest line says about how the file was read (in Danish): sheet and header row."""
        out = []
        if self.sheet and len(self.sheets) > 1:
            out.append(f"data fra arket '{self.sheet}' (arkene: {', '.join(self.sheets)})")
        if self.header_row > 1:
            unit = "række" if self.sheet else "linje"
            out.append(f"overskriften står i {unit} {self.header_row}; {unit} {_span(1, self.header_row - 1)} "
                       "over den er ikke indlæst")
        return out


def read_file(path: str | Path, table: contract.Table | None = None, sheet: str | None = None,
              header_row: int | None = None) -> RawTable:
    """Read a CSV or XLSX export; a file that cannot be read raises FileRefused naming it (never another error).

    With ``table`` the header row is the row among the first ones that best matches the table's column names and
    aliases (and, in an XLSX, the sheet is the one whose header matches best); without it the first non-blank row.
    ``sheet`` names the XLSX sheet to read (ignored for a CSV); ``header_row`` (from 1) where the header is.
    """
    p = Path(path)
    if not p.exists():
        raise FileRefused(f"{p}: filen findes ikke")
    if p.is_dir():
        raise FileRefused(f"{p}: er en mappe, ikke en fil")
    suffix = p.suffix.lower()
    if suffix in XLSX_SUFFIXES:
        raw = _read_xlsx(p, table, sheet, header_row)
    elif suffix in CSV_SUFFIXES:
        raw = _read_csv(p, table, header_row)
    elif suffix == ".xls":
        raise FileRefused(f"{p}: det gamle Excel-format .xls kan ikke læses; gem filen som .xlsx eller .csv")
    else:
        raise FileRefused(f"{p}: ukendt filtype {suffix or '(ingen)'}; brug .csv eller .xlsx")
    if not raw.headers:
        where = f"arket '{raw.sheet}' er tomt" if raw.sheet else "filen er tom"
        raise FileRefused(f"{p}: {where} (ingen overskriftsrække)")
    if raw.rows_read == 0:
        raise FileRefused(f"{p}: filen er tom (en overskriftsrække, men ingen datarækker)")
    return raw


def _span(first: int, last: int) -> str:
    return str(first) if first == last else f"{first}–{last}"


def _header_score(cells: list[str], accepted: dict[str, str]) -> int:
    """How many distinct contract columns a row names (by canonical name or alias)."""
    return len({accepted[h] for h in map(contract.normalise_header, cells) if h in accepted})


# --- CSV ------------------------------------------------------------------------------------------------------

def decode(data: bytes, path: Path) -> tuple[str, str]:
    """Text and encoding name: a BOM decides (UTF-8, UTF-16); without one UTF-8, else Windows-1252.

    Bytes that the encoding cannot read refuse the file, naming the line and byte (counted from 0)."""
    for bom, codec, name, label in _BOMS:
        if data.startswith(bom):
            try:
                return data[len(bom):].decode(codec), label
            except UnicodeDecodeError as exc:
                line = _line_of(data[len(bom):len(bom) + exc.start].decode(codec))
                raise FileRefused(
                    f"{path}: filen begynder med et {name}-BOM, men linje {line} (byte {len(bom) + exc.start}, "
                    f"talt fra 0) kan ikke læses som {name}; gem filen igen som UTF-8"
                ) from None
    if b"\x00" in data[:65536]:
        raise FileRefused(f"{path}: kan ikke læses som tekst (filen ser binær ud; er det en .xlsx med forkert "
                          "endelse, eller UTF-16 uden BOM?)")
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as utf8_error:
        bad_utf8 = utf8_error.start
    try:
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError as exc:
        line = _line_of(data[:exc.start].decode("cp1252"))
        raise FileRefused(
            f"{path}: tegnsættet er hverken UTF-8 (ugyldig fra byte {bad_utf8}) eller Windows-1252 (byte "
            f"{exc.start} i linje {line}, 0x{data[exc.start]:02X}, findes ikke; bytes talt fra 0); gem filen som UTF-8"
        ) from None


def _line_of(text_before: str) -> int:
    """The line (from 1) at the end of ``text_before``."""
    return len(_NEWLINE.findall(text_before)) + 1


def _records(text: str, sep: str):
    """(first line, last line, fields) of every record, lines counted as an editor counts them."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep)
    end = 0
    for fields in reader:
        start, end = end + 1, reader.line_num
        yield start, end, fields


def _first_rows(text: str, sep: str) -> list[tuple[int, list[str]]]:
    """(line, fields) of the first non-blank records of ``text`` (a reading error ends the list)."""
    out = []
    try:
        for start, _, fields in _records(text, sep):
            if any(f.strip() for f in fields):
                out.append((start, fields))
                if len(out) == HEADER_SEARCH_ROWS:
                    break
    except csv.Error:
        pass  # the full reading reports it
    return out


def _find_csv_header(text: str, table: contract.Table | None, at: int | None = None) -> tuple[str, int]:
    """Separator and the line where the header starts: the row of the first ones that names most of the table's
    columns (on a tie the higher one, and the separator splitting it into more fields); without a table or a
    match, the first non-blank record and the separator that splits it into most fields (on a tie, the one that
    splits the rows after it into as many; ``,`` if none splits it).
    ``at``: only the record starting at that line is a candidate (the header row is given)."""
    head = text[:_HEADER_SEARCH_CHARS]

    read = {sep: _first_rows(head, sep) for sep in SEPARATORS}

    def rows_of(sep: str) -> list[tuple[int, list[str]]]:
        rows = read[sep]
        return rows if at is None else [r for r in rows if r[0] >= at][:1]

    if table is not None:
        accepted = contract.header_map(table)
        best: tuple[int, int] = (0, 0)  # (score, fields) of the best header found
        found: tuple[str, int] | None = None
        for sep in SEPARATORS:
            rows = rows_of(sep)
            if not rows:
                continue
            score, neg_line, fields = max((_header_score(f, accepted), -line, len(f)) for line, f in rows)
            if score > 0 and (score, fields) > best:
                best, found = (score, fields), (sep, -neg_line)
        if found is not None:
            return found
    firsts = {sep: (rows[0] if (rows := rows_of(sep)) else (at or 1, [""])) for sep in SEPARATORS}

    def fit(sep: str) -> tuple[int, int]:
        """Fields of the header row (a quoted separator does not count), then how many of the rows after it have
        as many: on a tie in width the separator that splits the data like the header wins."""
        line, header = firsts[sep]
        return len(header), sum(len(f) == len(header) for ln, f in read[sep] if ln > line)

    widest = max(SEPARATORS, key=fit)
    sep = widest if len(firsts[widest][1]) > 1 else ","
    return sep, firsts[sep][0]


def _read_csv(p: Path, table: contract.Table | None, at: int | None = None) -> RawTable:
    try:
        data = p.read_bytes()
    except OSError as exc:
        raise FileRefused(f"{p}: kan ikke læses: {exc.strerror}") from None
    text, encoding = decode(data, p)
    del data
    sep, header_row = _find_csv_header(text, table, at)
    if header_row == 1:
        encoded = _utf8(text)
        lines = _regular_lines(text, sep, encoded)
        if lines is not None:
            fast = _read_csv_fast(p, text, sep, encoding, lines, encoded)
            if fast is not None:
                return fast
        del encoded
    return _read_csv_careful(p, text, sep, encoding, header_row)


def _utf8(text: str) -> bytes | None:
    """``text`` as UTF-8 (what pandas' C parser reads without decoding again); None if it cannot be encoded."""
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        return None


def _regular_lines(text: str, sep: str, encoded: bytes | None = None) -> int | None:
    """The number of lines when the fast reader is exact for ``text``, else None: no quoting, no NUL, no blank
    lines, and every line (split at ``\\n``) with as many fields as the header, so that row numbers and ragged rows
    come out right. Anything else goes to the careful reader. ``encoded``: ``text`` as UTF-8, if at hand (the
    separators and line ends are then counted on its bytes, where each is one byte)."""
    if not text or '"' in text or text[0] in "\r\n" or "\x00" in text:
        return None
    encoded = encoded if encoded is not None else _utf8(text)
    if encoded is None:
        return _regular_lines_by_text(text, sep)
    octets = np.frombuffer(encoded, dtype=np.uint8)
    ends = np.flatnonzero(octets == 10)  # the lines as text.split("\n") cuts them; an empty last piece is no line
    if not len(ends) or ends[-1] != len(octets) - 1:
        ends = np.append(ends, len(octets))
    seps = np.flatnonzero(octets == ord(sep))
    counts = np.diff(np.searchsorted(seps, ends), prepend=0)
    if (counts != counts[0]).any():
        return None
    if counts[0] == 0 or sep.isspace():  # a line without a separator, or of tabs only, may be blank: look at it
        return _regular_lines_by_text(text, sep)
    return len(ends)  # every line holds a separator that is not white space: none is blank


def _regular_lines_by_text(text: str, sep: str) -> int | None:
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    counts = np.fromiter((line.count(sep) for line in lines), dtype=np.int64, count=len(lines))
    if (counts != counts[0]).any() or any(not line.strip() for line in lines):
        return None
    return len(lines)


def _needs_careful_reader(text: str, sep: str) -> bool:
    return _regular_lines(text, sep) is None


def _read_csv_fast(p: Path, text: str, sep: str, encoding: str, lines: int | None = None,
                   encoded: bytes | None = None) -> RawTable | None:
    """pandas' C parser, every field as text (only for files :func:`_regular_lines` found regular). None when the
    parser saw another number of ``lines`` than that check did (a lone ``\\r`` is a line end to the parser).
    ``encoded``: ``text`` as UTF-8, if at hand."""
    encoded = encoded if encoded is not None else _utf8(text)
    source = io.StringIO(text) if encoded is None else io.BytesIO(encoded)
    try:
        frame = pd.read_csv(source, sep=sep, header=None, dtype=object, na_filter=False, encoding="utf-8",
                            keep_default_na=False, skip_blank_lines=False, engine="c", index_col=False,
                            quotechar='"', doublequote=True)
    except pd.errors.ParserError:
        return None
    except pd.errors.EmptyDataError:
        return RawTable(p, [], pd.DataFrame(), np.zeros(0, dtype=np.int64), [], encoding, sep)
    if lines is not None and len(frame) != lines:
        return None
    headers = [str(h).strip() for h in frame.iloc[0].tolist()]
    body = frame.iloc[1:]
    body.columns = _unique(headers)
    numbers = np.arange(2, len(body) + 2, dtype=np.int64)
    # a line of separators and white space only is not a data row (as in the careful reader): column by column,
    # only the rows still blank so far are looked at, from the rows whose line does not begin with a character
    # that makes the first field non-blank
    candidates = _blank_candidates(encoded, sep) if encoded is not None and len(frame) == lines else None
    if candidates is None or len(candidates) and candidates[-1] >= len(body):
        candidates = np.arange(len(body))
    for col in body.columns:
        values = body[col].to_numpy(dtype=object)[candidates]
        candidates = candidates[np.fromiter((not v.strip() for v in values), dtype=bool, count=len(values))]
        if not len(candidates):
            break
    blank = np.zeros(len(body), dtype=bool)
    blank[candidates] = True
    n_blank = int(blank.sum())
    if n_blank:
        body, numbers = body[~blank], numbers[~blank]
    return RawTable(p, headers, body.reset_index(drop=True), numbers, [], encoding, sep, header_row=1,
                    blank_lines=n_blank, physical_lines=len(body))


def _blank_candidates(encoded: bytes, sep: str) -> np.ndarray:
    """Positions (data rows, the header line not counted) of the lines whose first byte is white space, a
    separator, a line end or not ASCII (which may begin a white space character): only such a line can be blank.
    For a file whose lines :func:`_regular_lines` counted (one data row per line after the header)."""
    octets = np.frombuffer(encoded, dtype=np.uint8)
    starts = np.flatnonzero(octets[:-1] == 10) + 1  # the data lines (the header line starts at 0)
    return np.flatnonzero(_MAY_BEGIN_BLANK[ord(sep)][octets[starts]])


#: per separator byte: which first bytes of a line may begin a blank first field
_MAY_BEGIN_BLANK = {ord(s): np.array([b >= 0x80 or chr(b).isspace() or chr(b) == s for b in range(256)])
                    for s in SEPARATORS}


def _read_csv_careful(p: Path, text: str, sep: str, encoding: str, header_row: int = 1) -> RawTable:
    """The csv module, record by record: handles quoting, line breaks in fields, blank lines, title lines above
    the header (records starting before ``header_row``) and rows with the wrong number of fields."""
    headers: list[str] = []
    good: list[list[str]] = []
    numbers: list[int] = []
    rejected: list[Rejected] = []
    suspicious: list[tuple[int, str, str]] = []
    labels: list[str] = []
    width = header_start = header_lines = blank = physical = 0
    last = 0
    try:
        for start, last, fields in _records(text, sep):
            span = last - start + 1
            is_blank = not any(f.strip() for f in fields)
            if not headers:
                if not is_blank and start >= header_row:
                    headers = [f.strip() for f in fields]
                    labels = _unique(headers)
                    width, header_start, header_lines = len(headers), start, span
                continue
            if is_blank:
                blank += span
                continue
            physical += span
            if len(fields) != width:
                reason = f"rækken har {len(fields)} felter, men overskriften har {width}"
                if span > 1:
                    reason += f" (posten fylder linje {start}–{last})"
                rejected.append(Rejected(start, fields, reason))
            else:
                if span > 1 and (found := _swallowed_rows(fields, headers, start, sep)):
                    suspicious.append((len(good), labels[found[0]], found[1]))
                good.append(fields)
                numbers.append(start)
    except csv.Error as exc:
        if "field limit" in str(exc):
            limit = f"{csv.field_size_limit():,}".replace(",", ".")
            raise FileRefused(
                f"{p}: et felt, der begynder i linje {last + 1} eller senere, er over {limit} tegn langt; "
                "sandsynligvis er et citationstegn ikke lukket. Ret filen, og indlæs den igen"
            ) from None
        raise FileRefused(f"{p}: CSV-filen kan ikke læses fra linje {last + 1}: {exc}") from None
    frame = pd.DataFrame(good, columns=labels, dtype=object) if headers else pd.DataFrame()
    return RawTable(p, headers, frame, np.asarray(numbers, dtype=np.int64), rejected, encoding, sep,
                    header_row=header_start or 1, header_lines=header_lines or 1, blank_lines=blank,
                    physical_lines=physical, suspicious=suspicious)


def _swallowed_rows(fields: list[str], headers: list[str], start: int, sep: str) -> tuple[int, str] | None:
    """For a multi-line record whose quoted field holds lines that look like whole rows (at least as many
    separators as the header): the field's index and the reason to quarantine the record; else None. ``start`` is
    the record's first line."""
    needed = max(len(headers) - 1, 1)
    line = start
    for j, value in enumerate(fields):
        if "\n" not in value and "\r" not in value:
            continue
        pieces = _NEWLINE.split(value)
        like = [line + k for k in range(1, len(pieces)) if pieces[k].count(sep) >= needed]
        if like:
            name = headers[j] if j < len(headers) and headers[j] else f"i kolonne {j + 1}"
            what = "ligner selvstændige rækker" if len(like) > 1 else "ligner en selvstændig række"
            return j, (f"feltet {name} begynder med et citationstegn i linje {line} og slutter først i linje "
                    f"{line + len(pieces) - 1}; linje {_line_list(like)} {what} (mindst lige så mange skilletegn "
                    "som overskriften), så et citationstegn mangler eller er for meget. Posten er ikke indlæst: "
                    "ret filen, og indlæs den igen")
        line += len(pieces) - 1
    return None


def _line_list(lines: list[int]) -> str:
    """Line numbers as ranges in Danish: [3, 4, 6] -> '3–4 og 6'."""
    ranges: list[list[int]] = []
    for n in lines:
        if ranges and n == ranges[-1][1] + 1:
            ranges[-1][1] = n
        else:
            ranges.append([n, n])
    parts = [_span(a, b) for a, b in ranges]
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " og " + parts[-1]


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


# --- XLSX -----------------------------------------------------------------------------------------------------

def _whole_number_text(n: int) -> str:
    """A whole number as text. A 9-digit number that is a CPR number without its leading zero (Excel drops it
    from 0101901234 stored as a number) gets the zero back, so that it is recognised as a CPR number downstream
    and pseudonymised or redacted exactly like the same number from a CSV."""
    text = str(n)
    if len(text) == 9 and text.isdigit() and contains_cpr("0" + text):
        return "0" + text
    return text


def cell_text(value) -> str:
    """An XLSX cell as the text a CSV export would hold (a whole number without ``.0`` or an exponent)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return _whole_number_text(value)
    if isinstance(value, datetime):
        if value.time() == time(0, 0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        if value.is_integer():
            return _whole_number_text(int(value))
        return repr(value)
    return str(value)


def _sheet_head(ws) -> list[tuple[int, list[str]]]:
    """(row number, cells as text) of a sheet's first non-blank rows."""
    out = []
    for row_no, values in enumerate(ws.iter_rows(values_only=True), start=1):
        cells = [cell_text(v) for v in values]
        if any(c.strip() for c in cells):
            out.append((row_no, cells))
            if len(out) == HEADER_SEARCH_ROWS:
                break
    return out


def _best_header(head: list[tuple[int, list[str]]], accepted: dict[str, str] | None) -> tuple[int, int]:
    """(score, row number) of the row naming most of the table's columns (the higher row on a tie); without a
    table or a match (score 0) the first non-blank row."""
    if not head:
        return 0, 0
    if accepted:
        score, neg_row = max((_header_score(cells, accepted), -row) for row, cells in head)
        if score > 0:
            return score, -neg_row
    return 0, head[0][0]


def _read_xlsx(p: Path, table: contract.Table | None, sheet: str | None, at: int | None = None) -> RawTable:
    from openpyxl import load_workbook

    # A damaged workbook fails inside zipfile, openpyxl or the XML parser in many different ways, when opened and
    # when its rows are read (read-only mode parses lazily): every one of them means "not a readable XLSX".
    try:
        wb = load_workbook(p, read_only=True, data_only=True)
    except Exception as exc:
        raise FileRefused(f"{p}: kan ikke læses som XLSX ({type(exc).__name__}: {exc})") from None
    try:
        return _read_workbook(p, wb, table, sheet, at)
    except FileRefused:
        raise
    except Exception as exc:
        raise FileRefused(f"{p}: kan ikke læses som XLSX ({type(exc).__name__}: {exc})") from None
    finally:
        wb.close()


def _read_workbook(p: Path, wb, table: contract.Table | None, sheet: str | None, at: int | None = None) -> RawTable:
    sheets = list(wb.worksheets)
    names = [ws.title for ws in sheets]
    listed = ", ".join(f"'{n}'" for n in names)
    if not sheets:
        raise FileRefused(f"{p}: arbejdsbogen har intet ark")
    accepted = contract.header_map(table) if table is not None else None
    if sheet is not None:
        chosen = [ws for ws in sheets if ws.title == sheet] or [
            ws for ws in sheets if ws.title.strip().casefold() == sheet.strip().casefold()]
        if not chosen:
            raise FileRefused(f"{p}: arket '{sheet}' (--sheet) findes ikke; arbejdsbogen har arkene {listed}")
        ws = chosen[0]
        header_row = at or _best_header(_sheet_head(ws), accepted)[1]
    else:
        heads = [_sheet_head(ws) for ws in sheets]
        best = [_best_header(h, accepted) for h in heads]
        filled = [i for i, h in enumerate(heads) if h]
        matching = [i for i, (score, _) in enumerate(best) if score > 0]
        if matching:
            i = max(matching, key=lambda k: (best[k][0], -k))
        elif len(filled) > 1 and table is not None:
            raise FileRefused(
                f"{p}: intet ark har en overskriftsrække med kolonner fra tabellen {table.name} ({table.danish}); "
                f"arbejdsbogen har arkene {listed}. Angiv arket med --sheet"
            )
        else:
            i = filled[0] if filled else 0
        ws, header_row = sheets[i], at or best[i][1]
    raw = _read_sheet(p, ws, header_row)
    raw.sheets = names
    return raw


def _read_sheet(p: Path, ws, header_row: int) -> RawTable:
    """The rows of one sheet, the header in ``header_row`` (0: the sheet is empty)."""
    headers: list[str] = []
    good: list[list[str]] = []
    numbers: list[int] = []
    rejected: list[Rejected] = []
    width = blank = 0
    for row_no, values in enumerate(ws.iter_rows(values_only=True), start=1):
        if row_no < header_row or not header_row:
            continue
        cells = [cell_text(v) for v in values]
        if not headers:
            while cells and not cells[-1].strip():
                cells.pop()
            headers = [c.strip() for c in cells]
            width = len(headers)
            continue
        if not any(c.strip() for c in cells):
            blank += 1
            continue
        if any(c.strip() for c in cells[width:]):
            while not cells[-1].strip():
                cells.pop()
            rejected.append(Rejected(row_no, cells, f"rækken har {len(cells)} felter, men overskriften har {width}"))
            continue
        good.append((cells + [""] * width)[:width])
        numbers.append(row_no)
    frame = pd.DataFrame(good, columns=_unique(headers), dtype=object) if headers else pd.DataFrame()
    return RawTable(p, headers, frame, np.asarray(numbers, dtype=np.int64), rejected, "xlsx", "",
                    header_row=header_row or 1, blank_lines=blank, physical_lines=len(good) + len(rejected),
                    sheet=ws.title)
