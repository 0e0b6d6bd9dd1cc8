"""Readers on exports as case systems and Excel write them: quotes that would swallow rows, title lines above the
header, data on another sheet, UTF-16 "Unicode-tekst", slash dates, CPR numbers stored as numbers in XLSX and
bytes that no encoding reads. Each test runs `kvalitet ingest` (or the reader) and checks the exact outcome."""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path

import pytest

from conftest import write_csv
from kvalitet import contract, readers
from kvalitet.errors import FileRefused
from kvalitet.pii import Pseudonymiser
from test_ingest_rules import COMPLAINT_HEADER, assert_accounting, good_complaint, ingest, quarantine, query

SHORT_HEADER = "complaint_id;forvaltning;area;received;kind;topic"
KEY = "pseudonym-key-for-tests-0123456789"


def write_text(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


# --- quoted fields that would swallow rows --------------------------------------------------------------------

ISSUE_EXAMPLE = (
    SHORT_HEADER + "\n"
    'K1;SOF;Handicap;01-02-2024;formalitet;"lang sagsbehandlingstid\n'
    "K2;SOF;Handicap;02-02-2024;realitet;afslag\n"
    'K3;SOF;Handicap;03-02-2024;realitet;afslag"\n'
    "K4;SOF;Handicap;04-02-2024;formalitet;ok\n"
)


def test_a_quote_that_swallows_rows_is_quarantined_naming_the_lines(tmp_path, capsys, db, org_file):
    """The issue's example: K1's topic opens a quote in line 2 that closes in line 4; lines 3 and 4 are rows."""
    f = write_text(tmp_path / "klager.csv", ISSUE_EXAMPLE)
    code, out, _ = ingest(capsys, db, org_file, f)
    assert code == 1
    # 2 records (K1 spanning lines 2-4, K4 on line 5) from 4 physical data lines
    assert "læst 2 poster (4 fysiske linjer), indsat 1," in out
    assert_accounting(db, read=2, inserted=1, quarantined=1)
    assert query(db, "SELECT complaint_id FROM complaints") == [("K4",)]
    (q,) = quarantine(db)
    assert q["row_number"] == 2  # the line where the record starts
    assert q["columns"] == "topic"
    assert ("feltet topic begynder med et citationstegn i linje 2 og slutter først i linje 4; "
            "linje 3–4 ligner selvstændige rækker") in q["reason"]
    raw = json.loads(q["raw"])
    assert raw["complaint_id"] == "K1" and "K2;SOF" in raw["topic"] and "K3;SOF" in raw["topic"]


def test_one_swallowed_row_is_named_in_the_singular(tmp_path, capsys, db, org_file):
    text = (SHORT_HEADER + "\n" 'K1;SOF;H;01-02-2024;formalitet;"a\n' 'K2;SOF;H;02-02-2024;realitet;b"\n')
    f = write_text(tmp_path / "klager.csv", text)
    code, out, _ = ingest(capsys, db, org_file, f)
    assert code == 1 and "læst 1 post (2 fysiske linjer)" in out
    assert "linje 3 ligner en selvstændig række" in quarantine(db)[0]["reason"]


def test_quarantine_listing_counts_one_row_in_the_singular(tmp_path, capsys, db, org_file):
    from kvalitet.cli import main

    text = (SHORT_HEADER + "\n" 'K1;SOF;H;01-02-2024;formalitet;"a\n' 'K2;SOF;H;02-02-2024;realitet;b"\n')
    ingest(capsys, db, org_file, write_text(tmp_path / "klager.csv", text))
    assert main(["quarantine", "--db", str(db)]) == 0
    assert capsys.readouterr().out.strip().endswith("I alt 1 række i karantæne.")


def test_a_quote_never_closed_swallows_to_the_end_and_is_quarantined(tmp_path, capsys, db, org_file):
    text = (SHORT_HEADER + "\n" "K1;SOF;H;01-02-2024;formalitet;ok\n" 'K2;SOF;H;02-02-2024;realitet;"afslag\n'
            "K3;SOF;H;03-02-2024;realitet;afslag\n" "K4;SOF;H;04-02-2024;realitet;afslag\n")
    f = write_text(tmp_path / "klager.csv", text)
    code, out, _ = ingest(capsys, db, org_file, f)
    assert code == 1 and "læst 2 poster (4 fysiske linjer)" in out
    assert_accounting(db, read=2, inserted=1, quarantined=1)
    (q,) = quarantine(db)
    assert q["row_number"] == 3 and "linje 4–5 ligner selvstændige rækker" in q["reason"]


def test_real_multi_line_notes_still_load_and_keep_line_numbers(tmp_path, capsys, db, org_file):
    """A note with line breaks whose continuation lines are not rows loads; the next records keep the numbers of
    the lines they start on: K1 spans lines 2-5, K2 lines 6-7, and the bad K3 is on line 8."""
    text = (SHORT_HEADER + "\n"
            'K1;SOF;Handicap;01-02-2024;formalitet;"Borgeren ringede;\nsagen er\n\nlukket"\n'
            '"K2\n(gammelt nr.)";SOF;Handicap;02-02-2024;realitet;afslag\n'
            "K3;SOF;Handicap;2024-02-30;realitet;afslag\n")
    f = write_text(tmp_path / "klager.csv", text)
    code, out, _ = ingest(capsys, db, org_file, f)
    assert code == 1 and "læst 3 poster (7 fysiske linjer)" in out
    assert_accounting(db, read=3, inserted=2, quarantined=1)
    assert query(db, "SELECT complaint_id, topic FROM complaints ORDER BY 1") == [
        ("K1", "Borgeren ringede; sagen er lukket"), ("K2 (gammelt nr.)", "afslag")]
    (q,) = quarantine(db)
    assert q["row_number"] == 8 and "'2024-02-30' er ikke en dato" in q["reason"]


def test_the_physical_lines_are_not_mentioned_when_they_equal_the_records(tmp_path, capsys, db, org_file):
    f = write_csv(tmp_path / "klager.csv", COMPLAINT_HEADER, [good_complaint(1, emne="med; semikolon")])
    code, out, _ = ingest(capsys, db, org_file, f)
    assert code == 0 and "læst 1, indsat 1" in out and "fysiske" not in out


def test_a_field_longer_than_the_csv_limit_refuses_the_file_in_danish(tmp_path, capsys, db, org_file):
    text = SHORT_HEADER + "\n" + 'K1;SOF;H;01-02-2024;formalitet;"' + "x" * 140_000 + "\n"
    f = write_text(tmp_path / "klager.csv", text)
    code, _, err = ingest(capsys, db, org_file, f)
    assert code == 2
    assert "klager.csv: et felt, der begynder i linje 2 eller senere, er over 131.072 tegn langt" in err
    assert "sandsynligvis er et citationstegn ikke lukket" in err


def test_a_ragged_record_over_several_lines_names_its_lines(tmp_path):
    text = SHORT_HEADER + "\n" + 'K1;SOF;"H\n;x";01-02-2024\n' + "K2;SOF;H;01-02-2024;realitet;ok\n"
    raw = readers.read_file(write_text(tmp_path / "klager.csv", text))
    (rec,) = raw.rejected
    assert rec.row_number == 2 and rec.reason == "rækken har 4 felter, men overskriften har 6 (posten fylder linje 2–3)"
    assert (raw.rows_read, raw.physical_lines) == (2, 3)


# --- the header below title lines, the sheet ---------------------------------------------------------------------

def test_csv_with_title_lines_finds_the_header_and_keeps_file_row_numbers(tmp_path, capsys, db, org_file):
    rows = [";".join(good_complaint(1)), ";".join(good_complaint(2, modtaget="i går"))]
    text = "Klager 2024, Socialforvaltningen\n\n" + ";".join(COMPLAINT_HEADER) + "\n" + "\n".join(rows) + "\n"
    f = write_text(tmp_path / "klager.csv", text)
    code, out, _ = ingest(capsys, db, org_file, f)
    assert code == 1
    assert "overskriften står i linje 3; linje 1–2 over den er ikke indlæst" in out
    assert_accounting(db, read=2, inserted=1, quarantined=1)
    assert quarantine(db)[0]["row_number"] == 5


def test_title_line_with_another_separator_does_not_decide_the_separator(tmp_path):
    """The title holds commas, the header semicolons: the header row decides."""
    text = "Udtræk, klager, 2024\n" + ";".join(COMPLAINT_HEADER) + "\n" + ";".join(good_complaint(1)) + "\n"
    raw = readers.read_file(write_text(tmp_path / "klager.csv", text), contract.TABLES["complaints"])
    assert (raw.separator, raw.header_row, raw.headers) == (";", 2, COMPLAINT_HEADER)
    assert raw.row_numbers.tolist() == [3]


def test_without_a_table_the_first_non_blank_line_is_the_header(tmp_path):
    text = "\nTitel\n" + ";".join(COMPLAINT_HEADER) + "\n"
    raw = readers.read_file(write_text(tmp_path / "klager.csv", text))
    assert raw.headers == ["Titel"] and raw.header_row == 2


def _workbook(sheets: dict[str, list[list]], path: Path) -> Path:
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for r in rows:
            ws.append(r)
    wb.save(path)
    return path


APPEAL_HEADER = ["anke_id", "forvaltning", "område", "ankeinstans", "modtaget", "afgjort", "resultat"]


def _appeal(i: int, decided="2024-04-05") -> list:
    return [f"A{i}", "BIF", "Sygedagpenge", "Ankestyrelsen", "2024-01-03", decided, "stadfæstet"]


def test_xlsx_with_title_rows_and_data_on_the_second_sheet(tmp_path, capsys, db, org_file):
    path = _workbook({
        "Forside": [["Ankesager 2024"], ["Udtrukket 3. januar 2025"]],
        "Ankesager": [["Ankesager, BIF"], [], APPEAL_HEADER, _appeal(1), _appeal(2, decided="2023-01-01")],
    }, tmp_path / "ankesager.xlsx")
    code, out, _ = ingest(capsys, db, org_file, path)
    assert code == 1
    assert "data fra arket 'Ankesager' (arkene: Forside, Ankesager)" in out
    assert "overskriften står i række 3; række 1–2 over den er ikke indlæst" in out
    assert_accounting(db, read=2, inserted=1, quarantined=1)
    assert quarantine(db)[0]["row_number"] == 5  # the sheet's own row number


def test_xlsx_sheet_option_chooses_and_an_unknown_sheet_is_refused_naming_the_sheets(tmp_path, capsys, db, org_file):
    path = _workbook({"2023": [APPEAL_HEADER, _appeal(1)], "2024": [APPEAL_HEADER, _appeal(2), _appeal(3)]},
                     tmp_path / "ankesager.xlsx")
    assert ingest(capsys, db, org_file, path)[0] == 0  # both match equally: the first
    assert query(db, "SELECT appeal_id FROM appeals") == [("A1",)]
    code, out, _ = ingest(capsys, db, org_file, path, extra=["--sheet", "2024"])
    assert code == 0 and "data fra arket '2024'" in out
    assert query(db, "SELECT appeal_id FROM appeals ORDER BY 1") == [("A1",), ("A2",), ("A3",)]
    code, _, err = ingest(capsys, db, org_file, path, extra=["--sheet", "2025"])
    assert code == 2 and "arket '2025' (--sheet) findes ikke; arbejdsbogen har arkene '2023', '2024'" in err


def test_xlsx_where_no_sheet_matches_is_refused_naming_the_sheets(tmp_path, capsys, db, org_file):
    path = _workbook({"Forside": [["Noter"]], "Data": [["a", "b"], [1, 2]]}, tmp_path / "ankesager.xlsx")
    code, _, err = ingest(capsys, db, org_file, path)
    assert code == 2
    assert ("intet ark har en overskriftsrække med kolonner fra tabellen appeals (ankesager); arbejdsbogen har "
            "arkene 'Forside', 'Data'. Angiv arket med --sheet") in err


def test_xlsx_single_sheet_without_the_columns_names_the_missing_ones(tmp_path, capsys, db, org_file):
    path = _workbook({"Data": [["a", "b"], [1, 2]]}, tmp_path / "ankesager.xlsx")
    code, _, err = ingest(capsys, db, org_file, path)
    assert code == 2 and "mangler krævede kolonner" in err and "Filens kolonner: a, b" in err


# --- encodings --------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_excel_unicode_text_utf16_with_bom_and_tabs(tmp_path, capsys, db, org_file, encoding):
    """Excel's "Unicode-tekst": UTF-16 with a byte order mark, tab-separated, CRLF line ends."""
    rows = [COMPLAINT_HEADER, good_complaint(1, område="Børn og unge", emne="Ærlig talt")]
    text = "\r\n".join("\t".join(r) for r in rows) + "\r\n"
    bom = b"\xff\xfe" if encoding == "utf-16-le" else b"\xfe\xff"
    f = tmp_path / "klager.txt"
    f.write_bytes(bom + text.encode(encoding))
    code, out, err = ingest(capsys, db, org_file, f, extra=["--table", "klager"])
    assert code == 0, err
    assert query(db, "SELECT area, topic FROM complaints") == [("Børn og unge", "Ærlig talt")]


def test_utf8_bom_with_an_invalid_byte_is_refused_naming_line_and_byte(tmp_path, capsys, db, org_file):
    head = ("\ufeff" + ";".join(COMPLAINT_HEADER) + "\n").encode("utf-8")
    row = ";".join(good_complaint(1)).encode("utf-8")
    f = tmp_path / "klager.csv"
    f.write_bytes(head + row[:10] + b"\xff" + row[10:] + b"\n")
    other = write_csv(tmp_path / "b" / "klager.csv", COMPLAINT_HEADER, [good_complaint(2)])
    code, out, err = ingest(capsys, db, org_file, f, other)
    assert code == 2 and "intern fejl" not in err
    assert "klager.csv: complaints — læst 1, indsat 1" in out  # the next file still loads
    offset = len(head) + 10
    assert (f"klager.csv: filen begynder med et UTF-8-BOM, men linje 2 (byte {offset}, talt fra 0) kan ikke læses "
            "som UTF-8") in err


def test_bytes_neither_utf8_nor_windows_1252_are_refused_naming_the_byte(tmp_path):
    f = tmp_path / "klager.csv"
    f.write_bytes(b"a;b\nx;\x81\n")  # 0x81 is undefined in Windows-1252 and invalid UTF-8
    with pytest.raises(FileRefused) as exc:
        readers.read_file(f)
    assert "hverken UTF-8 (ugyldig fra byte 6) eller Windows-1252 (byte 6 i linje 2, 0x81, findes ikke" in str(exc.value)


def test_utf16_with_an_odd_number_of_bytes_is_refused(tmp_path):
    f = tmp_path / "klager.txt"
    f.write_bytes(b"\xff\xfe" + "a\tb\r\n1\t2".encode("utf-16-le") + b"\x00")
    with pytest.raises(FileRefused, match="begynder med et UTF-16-BOM, men linje 2"):
        readers.read_file(f)


# --- slash dates --------------------------------------------------------------------------------------------------

def test_slash_dates_are_day_first(tmp_path, capsys, db, org_file):
    f = write_csv(tmp_path / "klager.csv", COMPLAINT_HEADER,
                  [good_complaint(1, modtaget="01/02/2024", afsluttet="13/02/2024"),
                   good_complaint(2, modtaget="5/3/2024", afsluttet="05/05/2024")])
    assert ingest(capsys, db, org_file, f)[0] == 0
    assert [tuple(map(str, r)) for r in query(db, "SELECT received, closed FROM complaints ORDER BY 1")] == [
        ("2024-02-01", "2024-02-13"), ("2024-03-05", "2024-05-05")]


def test_american_slash_dates_are_quarantined_and_make_the_others_ambiguous(tmp_path, capsys, db, org_file):
    rows = [good_complaint(1, modtaget="02/13/2024", afsluttet=""),   # only MM/DD
            good_complaint(2, modtaget="01/02/2024", afsluttet=""),   # both ways: ambiguous in this column
            good_complaint(3, modtaget="05/05/2024", afsluttet=""),   # the same date both ways
            good_complaint(4, modtaget="13/02/2024", afsluttet=""),   # only DD/MM
            good_complaint(5, modtaget="2024-01-02", afsluttet="")]
    rows = [r[:8] + ["", "nej"] for r in rows]
    f = write_csv(tmp_path / "klager.csv", COMPLAINT_HEADER, rows)
    assert ingest(capsys, db, org_file, f)[0] == 1
    assert_accounting(db, read=5, inserted=3, quarantined=2)
    assert [str(r[0]) for r in query(db, "SELECT received FROM complaints ORDER BY complaint_id")] == [
        "2024-05-05", "2024-02-13", "2024-01-02"]
    q = quarantine(db)
    assert [r["row_number"] for r in q] == [2, 3]
    assert ("modtaget (received): '02/13/2024' er ikke en dato: med skråstreg læses datoer som DD/MM/ÅÅÅÅ, og "
            "måned 13 findes ikke (amerikansk MM/DD/ÅÅÅÅ læses ikke)") in q[0]["reason"]
    assert ("modtaget (received): '01/02/2024' er tvetydig: kolonnen har også datoer, der kun kan læses som "
            "amerikansk MM/DD/ÅÅÅÅ (f.eks. '02/13/2024'), så den kan være både 1. februar 2024 og "
            "2. januar 2024") in q[1]["reason"]


def test_slash_date_outside_both_orders_gets_the_usual_reason(tmp_path, capsys, db, org_file):
    f = write_csv(tmp_path / "klager.csv", COMPLAINT_HEADER, [good_complaint(1, modtaget="32/13/2024")])
    ingest(capsys, db, org_file, f)
    assert ("'32/13/2024' er ikke en dato (ÅÅÅÅ-MM-DD, DD-MM-ÅÅÅÅ, DD.MM.ÅÅÅÅ eller DD/MM/ÅÅÅÅ)"
            in quarantine(db)[0]["reason"])


def test_as_of_accepts_a_slash_date(tmp_path, capsys, db, org_file):
    f = write_csv(tmp_path / "klager.csv", COMPLAINT_HEADER, [good_complaint(1)])
    code = __import__("kvalitet.cli", fromlist=["main"]).main(
        ["ingest", str(f), "--db", str(db), "--organisation", str(org_file), "--as-of", "31/12/2024"])
    assert code == 0
    assert query(db, "SELECT as_of FROM ingest_log")[0][0].isoformat() == "2024-12-31"


# --- CPR numbers stored as numbers in XLSX ----------------------------------------------------------------------

CPR = "0101901234"  # 1 January 1990: a valid CPR date; as an Excel number it is 101901234
DIGITS = re.compile(r"\d{9,10}")


def _set_cell_xml(path: Path, placeholder: str, value_text: str) -> None:
    """Rewrite one numeric cell's stored text (e.g. to the exponent form some writers use)."""
    with zipfile.ZipFile(path) as z:
        items = {n: z.read(n) for n in z.namelist()}
    sheet = "xl/worksheets/sheet1.xml"
    assert items[sheet].count(f"<v>{placeholder}</v>".encode()) == 1
    items[sheet] = items[sheet].replace(f"<v>{placeholder}</v>".encode(), f"<v>{value_text}</v>".encode())
    with zipfile.ZipFile(path, "w") as z:
        for n, data in items.items():
            z.writestr(n, data)


@pytest.mark.parametrize("stored", ["101901234", "101901234.0", "1.01901234E8"])
def test_xlsx_number_that_lost_a_cpr_leading_zero_is_pseudonymised_like_the_csv(
        tmp_path, capsys, db, org_file, monkeypatch, stored):
    monkeypatch.setenv("KVALITET_PSEUDONYM_KEY", KEY)
    header = COMPLAINT_HEADER + ["borger_id"]
    csv_file = write_csv(tmp_path / "csv" / "klager.csv", header, [good_complaint(1) + [CPR]])
    assert ingest(capsys, db, org_file, csv_file)[0] == 0
    xlsx = _workbook({"Klager": [
        header,
        good_complaint(2)[:7] + [101901234] + good_complaint(2)[8:] + [777777777],  # topic a number, citizen_id too
        good_complaint(3)[:4] + ["i går"] + good_complaint(3)[5:] + [101901234],  # quarantined: raw row checked
    ]}, tmp_path / "klager.xlsx")
    _set_cell_xml(xlsx, "777777777", stored)
    assert ingest(capsys, db, org_file, xlsx)[0] == 1
    expected = Pseudonymiser(KEY.encode()).pseudonym(CPR)
    assert query(db, "SELECT complaint_id, citizen_id, topic FROM complaints ORDER BY 1") == [
        ("K1", expected, "Afslag"), ("K2", expected, "[CPR]")]
    (q,) = quarantine(db)
    assert json.loads(q["raw"])["borger_id"] == expected
    stored_text = query(db, "SELECT * FROM complaints") + query(db, "SELECT reason, raw FROM quarantine")
    for row in stored_text:
        assert not any(isinstance(v, str) and DIGITS.search(v) for v in row), row


@pytest.mark.parametrize("value, text", [
    (101901234, "0101901234"), (101901234.0, "0101901234"), (1.01901234e8, "0101901234"),
    (123456789, "123456789"),  # 0123456789: month 23, not a CPR date
    (12.0, "12"), (12.5, "12.5"), (1e20, "100000000000000000000"), (-3.0, "-3"), (True, "true"),
])
def test_cell_text_writes_whole_numbers_as_integers(value, text):
    assert readers.cell_text(value) == text


def test_a_lone_carriage_return_is_a_line_end_for_both_readers(tmp_path):
    """'1;2\\r3;4' passes the fast reader's per-line check (two separators, like the header) but is two lines:
    the fast reader notices that it parsed more lines than it checked and leaves the file to the careful one."""
    raw = readers.read_file(write_text(tmp_path / "k.csv", "a;b;c\n1;2\r3;4\n5;6;7\n"))
    assert raw.data.values.tolist() == [["5", "6", "7"]] and raw.row_numbers.tolist() == [4]
    assert [(r.row_number, r.fields) for r in raw.rejected] == [(2, ["1", "2"]), (3, ["3", "4"])]
    assert readers._regular_lines("a;b;c\n1;2\r3;4\n5;6;7\n", ";") == 3
    assert readers._read_csv_fast(tmp_path / "k.csv", "a;b;c\n1;2\r3;4\n5;6;7\n", ";", "utf-8", lines=3) is None


def test_separator_tie_is_broken_by_the_rows_under_the_header(tmp_path):
    """Found by the fuzz test: 'klage_id,x;y,x;y' splits into 3 fields on ',' and on ';'; only ',' splits the data
    row 'K1,K1,K1' into 3 as well, so ',' is the separator (';' first in SEPARATORS used to win and reject the row)."""
    p = tmp_path / "f.csv"
    p.write_text("klage_id,x;y,x;y\nK1,K1,K1\n", encoding="utf-8")
    raw = readers.read_file(p)
    assert raw.headers == ["klage_id", "x;y", "x;y"]
    assert raw.data.values.tolist() == [["K1", "K1", "K1"]] and not raw.rejected
