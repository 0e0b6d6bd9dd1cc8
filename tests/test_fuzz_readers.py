"""Fuzzing the readers and the ingest of one file (Hypothesis): random quotes, separators, line ends, encodings,
BOMs, blank and title lines, ragged rows and Excel oddities (numbers as text and as numbers, dates as serial numbers
and date cells, blank and merged headers, extra sheets).

Whatever the bytes, the outcome is a FileRefused or a table; never another exception. Every physical line is
accounted for: lines above the header + the header's lines + blank lines + the lines of the data records = the
lines of the file; every record is a row or a rejected record; the ingest's accounting balances and the command
line's exit code is 0, 1 or 2.
"""

from __future__ import annotations

import contextlib
import csv
import hashlib
import io
import os
import re
import tempfile
from datetime import date, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kvalitet import contract, readers, store
from kvalitet import organisation as org_mod
from kvalitet.cli import main
from kvalitet.errors import FileRefused
from kvalitet.ingest import ingest_file
from kvalitet.pii import Pseudonymiser, contains_cpr

COMPLAINTS = contract.TABLES["complaints"]
HEADER = ["klage_id", "forvaltning", "område", "modtaget", "afsluttet", "klagetype", "emne", "udfald", "cpr"]
#: examples per test; raise it for a longer hunt (KVALITET_FUZZ_EXAMPLES=2000 pytest tests/test_fuzz_readers.py)
EXAMPLES = int(os.environ.get("KVALITET_FUZZ_EXAMPLES", "60"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))

# cells: the characters that break CSV readers, Danish letters, and values the validator cares about
_TRICKY = st.text(alphabet=st.sampled_from(list(';,\t"\r\n \'x1æøÅ\x00\ufeff\u2028\x85')), max_size=6)
_VALUES = st.sampled_from(["K1", "K2", "SOF", "sof", "Hjemmehjælp", "2024-01-05", "01/02/2024", "02/13/2024",
                           "13.02.2024", "realitet", "medhold", "0101901234", "010190-1234", "101901234", "", " ",
                           "45292", "1.234", "12,0", "klage_id", "modtaget"])
CELL = st.one_of(_VALUES, _TRICKY, st.text(max_size=8))


_NEWLINE = re.compile(r"\r\n|\r|\n")


def _csv_line(cells: list[str], sep: str) -> str:
    """One record, a cell quoted when it holds the separator, a quote or a line break (Python's csv.writer does
    not quote a ``\n`` when its line end is ``\r``: its output would not read back)."""
    return sep.join('"' + c.replace('"', '""') + '"' if any(ch in c for ch in (sep, '"', "\r", "\n")) else c
                    for c in cells)


def lines_of(text: str) -> int:
    """Physical lines as an editor counts them (the last line needs no line end)."""
    return len(io.StringIO(text, newline="").readlines())


def check_accounting(raw: readers.RawTable, total_lines: int) -> None:
    """Every line and every record of a table the reader returned is accounted for."""
    assert raw.header_row - 1 + raw.header_lines + raw.blank_lines + raw.physical_lines == total_lines
    assert raw.rows_read == len(raw.data) + len(raw.rejected) >= 1
    assert len(raw.row_numbers) == len(raw.data)
    assert raw.physical_lines >= raw.rows_read
    numbers = sorted([*raw.row_numbers.tolist(), *(r.row_number for r in raw.rejected)])
    assert len(set(numbers)) == len(numbers)
    assert all(raw.header_row + raw.header_lines <= n <= total_lines for n in numbers)
    assert all(0 <= pos < len(raw.data) for pos, _, _ in raw.suspicious)
    # no record is accepted with a line inside a field that looks like a whole row (it would swallow that row)
    flagged = {pos for pos, _, _ in raw.suspicious}
    needed = max(len(raw.headers) - 1, 1)
    for pos, row in enumerate(raw.data.itertuples(index=False)):
        if pos not in flagged and raw.separator:
            for value in row:
                assert all(piece.count(raw.separator) < needed for piece in _NEWLINE.split(value)[1:]), value


@contextlib.contextmanager
def written(data: bytes, name: str = "klager.csv"):
    """The path of a temporary file holding ``data``."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / name
        path.write_bytes(data)
        yield path


def read_or_refuse(path: Path, table=COMPLAINTS, sheet=None) -> readers.RawTable | None:
    try:
        return readers.read_file(path, table, sheet=sheet)
    except FileRefused as exc:
        assert str(exc).startswith(str(path)), exc  # the message names the file
        return None


@st.composite
def csv_files(draw):
    """(bytes, decoded text, rows written, whether the rows are written exactly as a CSV writer would)."""
    header = draw(st.one_of(st.just(HEADER), st.lists(st.sampled_from(HEADER + ["", " note ", "x;y"]), min_size=1,
                                                       max_size=10)))
    width = len(header)
    rows = draw(st.lists(st.lists(CELL, min_size=width, max_size=width), max_size=8))
    sep = draw(st.sampled_from(readers.SEPARATORS))
    end = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    exact = draw(st.booleans())
    if exact:  # quoted as RFC 4180 says, so the cells must come back as written
        text = "".join(_csv_line(r, sep) + end for r in [header, *rows])
    else:  # joined naively: stray quotes, ragged rows, blank and title lines
        lines = [sep.join(header)] + [sep.join(r[:draw(st.integers(0, width + 2))]) for r in rows]
        for _ in range(draw(st.integers(0, 3))):
            lines.insert(draw(st.integers(0, len(lines))), draw(st.sampled_from(["", "Titel", sep * 3, '"', " "])))
        text = end.join(lines) + draw(st.sampled_from(["", end, end + end]))
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "utf-16"]))
    try:
        data = text.encode(encoding)
    except UnicodeEncodeError:
        encoding, data = "utf-8", text.encode("utf-8")
    return data, text, header, rows, exact


@FUZZ
@given(st.binary(max_size=300), st.sampled_from([b"", b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff"]),
       st.sampled_from(["klager.csv", "klager.txt", "klager.xlsx"]))
def test_random_bytes_are_refused_or_read(data, bom, name):
    with written(bom + data, name) as path:
        raw = read_or_refuse(path)
        if raw is not None and raw.encoding != "xlsx":
            check_accounting(raw, lines_of(readers.decode(bom + data, path)[0]))


@FUZZ
@given(csv_files(), st.booleans())
def test_random_csv_is_refused_or_read_with_every_line_accounted_for(file, with_table):
    data, text, header, rows, exact = file
    with written(data) as path:
        raw = read_or_refuse(path, COMPLAINTS if with_table else None)
        if raw is None:
            return
        check_accounting(raw, lines_of(text))
        if exact and not with_table and header[0].strip() and len(header) > 1:  # one column: no separator to see
            # a file written by a CSV writer reads back cell for cell (rows of blanks are not data rows)
            expected = [r for r in rows if any(c.strip() for c in r)]
            assert not raw.rejected
            assert raw.headers == [h.strip() for h in header]
            assert raw.data.values.tolist() == expected


@FUZZ
@given(st.lists(st.lists(st.one_of(st.sampled_from(["K1", "2024-01-05", "x y", "", " ", "\ufeff", "#", "NA", "1e3"]),
                                   st.text(st.characters(blacklist_categories=("Cs",),
                                                         blacklist_characters=';,\t"\r\n\x00'), max_size=4)),
                         min_size=3, max_size=3), min_size=1, max_size=30),
       st.sampled_from(readers.SEPARATORS), st.sampled_from(["\n", "\r\n"]))
def test_fast_and_careful_readers_agree(rows, sep, end):
    text = end.join(sep.join(r) for r in [["a", "b", "c"], *rows]) + end  # the C parser must not interpret a cell
    lines = readers._regular_lines(text, sep)  # counted on the UTF-8 bytes: as on the text, line by line
    assert lines == readers._regular_lines_by_text(text, sep)
    if lines is None:
        return
    careful = readers._read_csv_careful(Path("f.csv"), text, sep, "utf-8")
    # without the line count, and with it as the reader passes it (blank rows then looked for from each line's
    # first byte)
    for fast in (readers._read_csv_fast(Path("f.csv"), text, sep, "utf-8"),
                 readers._read_csv_fast(Path("f.csv"), text, sep, "utf-8", lines=lines)):
        assert fast is not None
        assert fast.headers == careful.headers
        assert fast.data.values.tolist() == careful.data.values.tolist()
        assert fast.row_numbers.tolist() == careful.row_numbers.tolist()
        assert (fast.blank_lines, fast.physical_lines) == (careful.blank_lines, careful.physical_lines)


# --- XLSX -------------------------------------------------------------------------------------------------------

XCELL = st.one_of(
    st.none(), st.sampled_from(HEADER), _VALUES, _TRICKY.filter(lambda s: "\x00" not in s and "\r" not in s),
    st.integers(-10**12, 10**12), st.sampled_from([101901234, 311299123, 45292, 0]),
    st.floats(allow_nan=False, allow_infinity=False), st.sampled_from([101901234.0, 1.5e-7, 45292.5]),
    st.booleans(), st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2030, 1, 1)),
    st.dates(min_value=date(1990, 1, 1), max_value=date(2030, 1, 1)),
)
_ILLEGAL = str.maketrans("", "", "".join(map(chr, [*range(0, 9), 11, 12, *range(14, 32)])))


@st.composite
def workbooks(draw):
    sheets = []
    for k in range(draw(st.integers(1, 3))):
        width = draw(st.integers(1, 9))
        rows = draw(st.lists(st.lists(XCELL, min_size=0, max_size=width + 2), max_size=8))
        if draw(st.booleans()):  # a header somewhere in the first rows
            rows.insert(draw(st.integers(0, len(rows))), draw(st.permutations(HEADER))[:draw(st.integers(3, 9))])
        merges = draw(st.lists(st.tuples(st.integers(1, 4), st.integers(1, 4)), max_size=2))
        sheets.append((f"Ark {k}", rows, merges))
    return sheets


def _save(sheets, path: Path) -> None:
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    for name, rows, merges in sheets:
        ws = wb.create_sheet(name)
        for r in rows:
            ws.append([v.translate(_ILLEGAL) if isinstance(v, str) else v for v in r])
        for row, col in merges:  # merged cells (a merged header): only the first cell keeps a value
            ws.merge_cells(start_row=row, start_column=col, end_row=row, end_column=col + 1)
    wb.save(path)


def _sheet_rows(path: Path, name: str) -> int:
    from openpyxl import load_workbook

    wb = load_workbook(path, read_only=True)
    try:
        return sum(1 for _ in wb[name].iter_rows())
    finally:
        wb.close()


@settings(max_examples=max(EXAMPLES * 2 // 3, 5), deadline=None, suppress_health_check=list(HealthCheck))
@given(workbooks(), st.sampled_from([None, "Ark 0", "Ark 1", "ark 2 "]))
def test_random_workbooks_are_refused_or_read(sheets, sheet):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "klager.xlsx"
        _save(sheets, path)
        raw = read_or_refuse(path, COMPLAINTS, sheet)
        if raw is None:
            return
        check_accounting(raw, _sheet_rows(path, raw.sheet))
        cells = [*raw.headers, *raw.data.to_numpy().ravel().tolist(), *(f for r in raw.rejected for f in r.fields)]
        written = {v.translate(_ILLEGAL) for _, rows, _ in sheets for r in rows for v in r if isinstance(v, str)}
        # a number is written as a whole number where it is one, and a CPR number that lost its zero gets it back
        # (a text cell stays as written, as in a CSV)
        assert not any(c not in written and (c.endswith(".0") or (len(c) == 9 and c.isdigit()
                                                                    and contains_cpr("0" + c))) for c in cells)


# --- the whole ingest of one file ------------------------------------------------------------------------------

@st.composite
def complaint_exports(draw):
    """A complaints export with rows that are mostly valid, some not, written in one of the ways exports come."""
    good = {"klage_id": "K1", "forvaltning": "SOF", "område": "Hjemmehjælp", "modtaget": "2024-01-05",
            "afsluttet": "", "klagetype": "realitet", "emne": "Afslag", "udfald": "", "cpr": ""}
    rows = []
    for i in range(draw(st.integers(1, 8))):
        r = dict(good, klage_id=f"K{draw(st.integers(0, 5))}")
        for col in draw(st.lists(st.sampled_from(HEADER), max_size=3)):
            r[col] = draw(CELL)
        rows.append([r[h] for h in HEADER])
    sep = draw(st.sampled_from(readers.SEPARATORS))
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=sep, lineterminator=draw(st.sampled_from(["\n", "\r\n"])))
    if draw(st.booleans()):
        w.writerow(["Klager 2024"])
    w.writerow(HEADER)
    w.writerows(rows)
    text = buf.getvalue()
    if draw(st.booleans()):  # a stray quote somewhere
        pos = draw(st.integers(0, len(text)))
        text = text[:pos] + '"' + text[pos:]
    return text.encode(draw(st.sampled_from(["utf-8", "utf-8-sig", "utf-16"])))


ORG = "municipality: T\nforvaltninger:\n  - {code: SOF, name: Socialforvaltningen}\n"


@pytest.fixture(scope="module")
def shared(tmp_path_factory):
    """One store for every example (an in-memory DuckDB) and one database file for the command line."""
    folder = tmp_path_factory.mktemp("fuzz")
    (folder / "org.yaml").write_text(ORG, encoding="utf-8")
    con = store.connect(":memory:")
    yield con, folder
    con.close()


@settings(max_examples=max(EXAMPLES // 2, 5), deadline=None, suppress_health_check=list(HealthCheck))
@given(complaint_exports())
def test_ingest_of_random_exports_balances(shared, data):
    con, folder = shared
    with written(data) as path:
        res = ingest_file(con, path, org_mod.load(folder / "org.yaml"), Pseudonymiser(b"k" * 32),
                          as_of=date(2024, 12, 31))
    if res.refused:
        assert res.exit_code == 2 and res.rows_read == 0
        return
    assert res.accounted and res.exit_code in (0, 1)
    assert res.physical_lines >= res.rows_read
    sha = hashlib.sha256(data).hexdigest()
    assert con.execute("SELECT count(*) FROM quarantine WHERE source_sha256 = ?", [sha]).fetchone()[0] == \
        res.quarantined


@settings(max_examples=max(EXAMPLES // 6, 5), deadline=None, suppress_health_check=list(HealthCheck))
@given(complaint_exports())
def test_command_line_exits_0_1_or_2(shared, data):
    _, folder = shared
    with written(data) as path:
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(["ingest", str(path), "--db", str(folder / "cli.duckdb"), "--organisation",
                         str(folder / "org.yaml"), "--as-of", "2024-12-31"])
    assert code in (0, 1, 2), err.getvalue()
    assert "intern fejl" not in err.getvalue() and "Traceback" not in err.getvalue()
