"""Source profiles (issue 12): the model and its errors word for word, a foreign export loaded through a profile with
exact accounting, unknown values quarantined naming the profile, automatic selection by file name, header row and
sheet from the profile, and the profile recorded in the ingest line and ingest_log."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from conftest import AS_OF
from kvalitet import profiles
from kvalitet.cli import main
from kvalitet.errors import FileRefused
from test_ingest_rules import query

TITLE = ["Klageudtræk fra sagssystemet", "Udtrukket 02/12/2024", ""]
HEADER = ["Sagsnummer", "Forvaltning", "Sagsområde", "Modtaget dato", "Afsluttet dato", "Klagens art",
          "Afgørelse", "Sagsbehandler"]
PROFILE = """\
name: Klageudtræk fra sagssystemet
table: complaints
files: ["klageudtraek*.csv"]
columns:
  complaint_id: Sagsnummer
  area: Sagsområde
  received: Modtaget dato
  closed: Afsluttet dato
  kind: Klagens art
  outcome: Afgørelse
values:
  kind: {"Klage over sagsbehandling": formalitet, "Klage over afgørelse": realitet,
         "Klage over begge dele": formalitet og realitet}
  outcome: {"Borger fik medhold": medhold, "Borger fik ikke medhold": ikke medhold}
  forvaltning: {"Socialforvaltningen": SOF, "Beskæftigelsesforvaltningen": BIF}
dates: ["%Y%m%d"]
"""
#: (row as written, the stored row or None when quarantined)
ROWS = [
    (["S-1", "Socialforvaltningen", "Handicap", "01/02/2024", "01.03.2024", "Klage over sagsbehandling",
      "Borger fik medhold", "AB"],
     ("S-1", "SOF", "Handicap", "2024-02-01", "2024-03-01", "formalitet", "medhold")),
    # values are looked up trimmed and case-insensitively; a contract value (SOF, realitet) passes
    (["S-2", "SOF", "Handicap", "2024-02-03", "", "  klage over AFGØRELSE ", "", "AB"],
     ("S-2", "SOF", "Handicap", "2024-02-03", None, "realitet", None)),
    (["S-3", "Beskæftigelsesforvaltningen", "Kontanthjælp", "20240206", "20240301", "realitet",
      "Borger fik ikke medhold", ""],
     ("S-3", "BIF", "Kontanthjælp", "2024-02-06", "2024-03-01", "realitet", "ikke medhold")),
    (["S-4", "Socialforvaltningen", "Handicap", "05/02/2024", "", "Klage over ventetid", "", ""], None),
    (["S-5", "Kulturforvaltningen", "Bibliotek", "06/02/2024", "", "Klage over begge dele", "", ""], None),
    # a blank required value stays blank (and the contract's rule quarantines it)
    (["S-6", "Socialforvaltningen", "Handicap", "07/02/2024", "", "", "", ""], None),
]


def write_export(path: Path, rows=ROWS, title=TITLE, header=HEADER) -> Path:
    lines = title + [";".join(header)] + [";".join(r) for r, _ in rows]
    path.write_text("\r\n".join(lines) + "\r\n", encoding="cp1252")
    return path


def write_profile(path: Path, text: str = PROFILE) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def ingest(capsys, db: Path, org: Path, *args) -> tuple[int, str, str]:
    code = main(["ingest", *map(str, args), "--db", str(db), "--organisation", str(org),
                 "--as-of", AS_OF.isoformat()])
    out, err = capsys.readouterr()
    return code, out, err


def stored(db: Path):
    return query(db, "SELECT complaint_id, forvaltning, area, strftime(received, '%Y-%m-%d'), "
                     "strftime(closed, '%Y-%m-%d'), kind, outcome FROM complaints ORDER BY complaint_id")


# --- a foreign export through a profile ---------------------------------------------------------------------------

def test_a_foreign_export_loads_through_its_profile_with_exact_accounting(tmp_path, capsys, db, org_file):
    export = write_export(tmp_path / "klageudtraek_2024.csv")
    profile = write_profile(tmp_path / "klager.yaml")
    code, out, err = ingest(capsys, db, org_file, export, "--profile", profile)
    assert code == 1 and err == ""
    assert stored(db) == [want for _, want in ROWS if want]
    # rows read = stored + quarantined: 6 = 3 + 3, and the title block is not data
    assert (f"klageudtraek_2024.csv: complaints — læst 6, indsat 3, opdateret 0, uændret 0, dubletter 0, "
            f"forældet 0, i karantæne 3 (se dem med: kvalitet quarantine --file klageudtraek_2024.csv); "
            f"oversat med kildeprofilen 'Klageudtræk fra sagssystemet' ({profile}); overskriften står i linje 4; "
            "linje 1–3 over den er ikke indlæst; kolonner uden for kontrakten blev ikke indlæst: Sagsbehandler"
            ) in out
    assert query(db, "SELECT rows_read, inserted, quarantined, profile FROM ingest_log") == [(6, 3, 3, str(profile))]


def test_unknown_values_are_quarantined_naming_the_profile_and_the_value(tmp_path, capsys, db, org_file):
    export = write_export(tmp_path / "klageudtraek_2024.csv")
    profile = write_profile(tmp_path / "klager.yaml")
    ingest(capsys, db, org_file, export, "--profile", profile)
    rows = query(db, "SELECT row_number, columns, reason, raw FROM quarantine ORDER BY row_number")
    label = "'Klageudtræk fra sagssystemet' (klager.yaml)"
    assert [r[:3] for r in rows] == [
        (8, "kind", f"Klagens art (kind): 'Klage over ventetid' står ikke i kildeprofilen {label} under values: "
                    "kind, og er ikke en af formalitet, realitet, formalitet og realitet; tilføj værdien i profilen, "
                    "og indlæs filen igen"),
        (9, "forvaltning", "Forvaltning (forvaltning): 'Kulturforvaltningen' står ikke i kildeprofilen "
                           f"{label} under values: forvaltning, og er ikke en forvaltning i organisationsfilen "
                           "(SOF, BIF, ØKF); tilføj værdien i profilen, og indlæs filen igen"),
        (10, "kind", "Klagens art (kind): værdien mangler (kolonnen er krævet)"),
    ]
    # the quarantine keeps the row as the file has it, not as the profile translated it
    assert '"Klagens art": "Klage over begge dele"' in rows[1][3]


def test_after_the_value_is_added_to_the_profile_the_row_loads_and_leaves_the_quarantine(tmp_path, capsys, db,
                                                                                         org_file):
    export = write_export(tmp_path / "klageudtraek_2024.csv")
    profile = write_profile(tmp_path / "klager.yaml")
    ingest(capsys, db, org_file, export, "--profile", profile)
    write_profile(profile, PROFILE.replace('"Klage over begge dele": formalitet og realitet}',
                                           '"Klage over begge dele": formalitet og realitet, '
                                           '"Klage over ventetid": formalitet}')
                  .replace('"Beskæftigelsesforvaltningen": BIF}', '"Beskæftigelsesforvaltningen": BIF, '
                                                                   '"Kulturforvaltningen": ØKF}'))
    code, out, _ = ingest(capsys, db, org_file, export, "--profile", profile)
    assert code == 1
    assert "læst 6, indsat 2, opdateret 0, uændret 3, dubletter 0, forældet 0, i karantæne 1" in out
    assert query(db, "SELECT complaint_id, forvaltning, kind FROM complaints WHERE complaint_id IN ('S-4', 'S-5') "
                     "ORDER BY 1") == [("S-4", "SOF", "formalitet"), ("S-5", "ØKF", "formalitet og realitet")]
    # only the row with the blank required value is still in the quarantine
    assert query(db, "SELECT row_number, reason FROM quarantine") == [
        (10, "Klagens art (kind): værdien mangler (kolonnen er krævet)")]


def test_a_name_the_organisation_knows_passes_without_a_profile_entry(tmp_path, capsys, db, org_file):
    """'Økonomiforvaltningen' is the organisation file's name for ØKF: a valid contract value, so it passes."""
    rows = [(["S-1", "Økonomiforvaltningen", "Løn", "01/02/2024", "", "realitet", "", ""], None)]
    export = write_export(tmp_path / "klageudtraek.csv", rows=rows)
    code, out, _ = ingest(capsys, db, org_file, export, "--profile", write_profile(tmp_path / "p.yaml"))
    assert code == 0
    assert query(db, "SELECT forvaltning FROM complaints") == [("ØKF",)]


def test_every_contract_rule_still_applies_after_the_profile(tmp_path, capsys, db, org_file):
    rows = [(["S-1", "SOF", "Handicap", "01/03/2024", "20240201", "realitet", "Borger fik medhold", ""], None),
            (["S-2", "SOF", "Handicap", "20250101", "", "realitet", "", ""], None)]
    export = write_export(tmp_path / "klageudtraek.csv", rows=rows)
    code, _, _ = ingest(capsys, db, org_file, export, "--profile", write_profile(tmp_path / "p.yaml"))
    assert code == 1
    assert query(db, "SELECT reason FROM quarantine ORDER BY row_number") == [
        ("Afsluttet dato (closed): 2024-02-01 ligger før Modtaget dato (received) 2024-03-01",),
        ("Modtaget dato (received): '2025-01-01' ligger efter opgørelsesdatoen 2024-12-31",),
    ]


def test_the_profile_is_chosen_by_its_files_pattern(tmp_path, capsys, db, org_file, monkeypatch):
    sources = tmp_path / "sources"
    sources.mkdir()
    write_profile(sources / "klager.yaml")
    (sources / "udkast.yaml").write_text("name: [ikke færdig\n", encoding="utf-8")  # a broken draft: not chosen
    monkeypatch.setenv("KVALITET_SOURCES", str(sources))
    export = write_export(tmp_path / "KlageUdtraek_november.csv")  # the pattern is case-insensitive
    code, out, _ = ingest(capsys, db, org_file, export)
    assert code == 1 and f"oversat med kildeprofilen 'Klageudtræk fra sagssystemet' ({sources / 'klager.yaml'})" in out
    assert query(db, "SELECT count(*), max(profile) FROM ingest_log") == [(1, str(sources / "klager.yaml"))]
    # two profiles for the same file name: refused, naming both
    write_profile(sources / "klager2.yaml")
    code, _, err = ingest(capsys, db, org_file, export)
    assert code == 2
    assert err.strip() == (f"AFVIST {export}: filnavnet passer til flere kildeprofiler ({sources / 'klager.yaml'}, "
                           f"{sources / 'klager2.yaml'}); ret deres files-mønstre, eller angiv profilen med --profile")


def test_without_a_matching_profile_the_file_loads_as_before(tmp_path, capsys, db, org_file, monkeypatch):
    sources = tmp_path / "sources"
    sources.mkdir()
    write_profile(sources / "klager.yaml")
    monkeypatch.setenv("KVALITET_SOURCES", str(sources))
    export = tmp_path / "klager.csv"
    export.write_text("klage_id;forvaltning;område;modtaget;klagetype\nK1;SOF;Handicap;01-02-2024;realitet\n",
                      encoding="utf-8")
    code, out, _ = ingest(capsys, db, org_file, export)
    assert code == 0 and "kildeprofil" not in out
    assert query(db, "SELECT profile FROM ingest_log") == [(None,)]


def test_header_row_and_sheet_come_from_the_profile(tmp_path, capsys, db, org_file):
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.title = "Forside"
    wb.active.append(["Sagsnummer", "Modtaget dato"])  # a decoy on the first sheet
    ws = wb.create_sheet("Klager")
    ws.append(["Udtræk"])
    ws.append(["Sagsnummer", "Forv.", "Område", "Modtaget dato", "Art"])  # a second header-like row
    ws.append(["Sagsnummer", "Forvaltning", "Område", "Modtaget dato", "Art"])
    ws.append(["S-1", "SOF", "Handicap", "01/02/2024", "realitet"])
    path = tmp_path / "udtraek.xlsx"
    wb.save(path)
    profile = write_profile(tmp_path / "p.yaml", "name: Excel-udtræk\ntable: klager\nsheet: Klager\nheader_row: 3\n"
                            "columns: {complaint_id: Sagsnummer, received: Modtaget dato, kind: Art}\n")
    code, out, _ = ingest(capsys, db, org_file, path, "--profile", profile)
    assert code == 0, out
    assert "data fra arket 'Klager' (arkene: Forside, Klager); overskriften står i række 3" in out
    assert query(db, "SELECT complaint_id, forvaltning, strftime(received, '%Y-%m-%d') FROM complaints") == [
        ("S-1", "SOF", "2024-02-01")]


def test_a_header_given_in_the_profile_wins_over_the_contract_alias(tmp_path, capsys, db, org_file):
    """The export has 'Modtaget' (the contract's alias of received) and 'Modtaget dato' (the profile's): the
    profile decides, and 'Modtaget' is not loaded."""
    export = tmp_path / "x.csv"
    export.write_text("Sagsnummer;Forvaltning;Område;Modtaget;Modtaget dato;Klagens art\n"
                      "S-1;SOF;Handicap;01-01-2024;01-02-2024;Klage over afgørelse\n", encoding="utf-8")
    profile = write_profile(tmp_path / "p.yaml", "name: P\ntable: complaints\ncolumns: {complaint_id: Sagsnummer, "
                            "received: Modtaget dato, kind: Klagens art}\nvalues: {kind: {Klage over afgørelse: "
                            "realitet}}\n")
    code, out, _ = ingest(capsys, db, org_file, export, "--profile", profile)
    assert code == 0, out
    assert "kolonner uden for kontrakten blev ikke indlæst: Modtaget" in out
    assert query(db, "SELECT strftime(received, '%Y-%m-%d') FROM complaints") == [("2024-02-01",)]


# --- mistakes in the profile or the call: refused, word for word --------------------------------------------------

def test_a_header_the_export_lacks_refuses_the_file_naming_both(tmp_path, capsys, db, org_file):
    export = write_export(tmp_path / "klageudtraek.csv", header=[h.replace("Afsluttet dato", "Lukket")
                                                                 for h in HEADER])
    profile = write_profile(tmp_path / "p.yaml")
    code, out, err = ingest(capsys, db, org_file, export, "--profile", profile)
    assert code == 2 and out == ""
    assert err.strip() == (
        f"AFVIST {export}: kildeprofilen 'Klageudtræk fra sagssystemet' ({profile}) oversætter closed fra "
        "overskriften 'Afsluttet dato', men filen har ingen sådan overskrift. Filens overskrifter: Sagsnummer, "
        "Forvaltning, Sagsområde, Modtaget dato, Lukket, Klagens art, Afgørelse, Sagsbehandler")
    assert query(db, "SELECT count(*) FROM complaints") == [(0,)]


def test_a_table_option_that_contradicts_the_profile_is_refused(tmp_path, capsys, db, org_file):
    export = write_export(tmp_path / "klageudtraek.csv")
    profile = write_profile(tmp_path / "p.yaml")
    code, _, err = ingest(capsys, db, org_file, export, "--profile", profile, "--table", "ankesager")
    assert code == 2
    assert err.strip() == (f"AFVIST {export}: --table ankesager passer ikke til kildeprofilen 'Klageudtræk fra "
                           f"sagssystemet' ({profile}), som er til tabellen complaints (klager)")


BASE = "name: P\ntable: complaints\n"
MODEL_ERRORS = [
    ("name: [P\n", "kildeprofilen er ikke gyldig YAML (linje 2, kolonne 1): expected ',' or ']', but got '<stream end>'"),
    ("- name\n", "kildeprofilen skal være en YAML-ordbog med nøglerne name, table og columns"),
    ("table: complaints\ncolums: {}\n",
     "kildeprofilen er ikke gyldig: name mangler; colums er ikke en nøgle i en kildeprofil (nøglerne er name, table, "
     "files, columns, values, dates, header_row, sheet)"),
    (BASE + "header_row: 0\n", "kildeprofilen er ikke gyldig: header_row skal være mindst 1"),
    (BASE + "values: {kind: {1: realitet}}\n",
     "kildeprofilen er ikke gyldig: values: kind: 1: [key] skal være tekst (sæt citationstegn om værdien)"),
    ("name: P\ntable: klagerne\n", "kildeprofilen nævner tabellen 'klagerne', som ikke findes; tabellerne er: "
     "complaints (klager), decisions (afgørelser), appeals (ankesager), cases (sager), audits (stikprøver), "
     "inquiries (henvendelser), satisfaction (tilfredshed), municipal_appeals (danmarkskort), recommendations "
     "(anbefalinger), risk_assessments (risikovurderinger)"),
    (BASE + "columns: {sagsnummer: Sagsnr.}\n",
     "kildeprofilen oversætter overskriften 'Sagsnr.' til kolonnen 'sagsnummer', som tabellen complaints (klager) "
     "ikke har; kolonnerne er: complaint_id, forvaltning, unit, area, received, closed, kind, topic, outcome, "
     "sent_to_appeal, citizen_id"),
    (BASE + "columns: {received: Dato, closed: dato}\n",
     "kildeprofilen bruger overskriften 'dato' til både received og closed"),
    (BASE + "columns: {area: Sagsområde}\nvalues: {area: {Handicapområdet: Handicap}}\n",
     "kildeprofilen har values for kolonnen area ('Sagsområde' i eksporten), men area er ikke en kategori; values "
     "kan kun oversætte forvaltning, kind, outcome"),
    (BASE + "values: {klagetype: {a: realitet}}\n",
     "kildeprofilen har values for kolonnen 'klagetype', som tabellen complaints (klager) ikke har; kolonnerne er: "
     "complaint_id, forvaltning, unit, area, received, closed, kind, topic, outcome, sent_to_appeal, citizen_id"),
    (BASE + "columns: {kind: Art}\nvalues: {kind: {Klage over afgørelse: realiteten}}\n",
     "kildeprofilen oversætter 'Klage over afgørelse' i kolonnen kind ('Art' i eksporten) til 'realiteten', som "
     "ikke er en af formalitet, realitet, formalitet og realitet"),
    (BASE + "columns: {received: TODO}\nvalues: {kind: {Klage over ventetid: TODO}}\n",
     "kildeprofilen er ikke færdig: TODO står ved columns: received, values: kind: 'Klage over ventetid'. Skriv dét, "
     "der skal stå, eller slet linjen"),
    (BASE + "dates: ['%m/%d/%Y']\n",
     "datoformatet '%m/%d/%Y' i kildeprofilen læser '02/01/2024' som 2024-02-01, men kontrakten læser den som "
     "2024-01-02; en sådan dato kan ikke læses entydigt. Få datoerne skrevet som ÅÅÅÅ-MM-DD"),
    (BASE + "dates: ['%d/%m']\n",
     "datoformatet '%d/%m' i kildeprofilen læser ikke en hel dato (brug f.eks. %d/%m/%Y eller %Y%m%d)"),
]


@pytest.mark.parametrize("text, message", MODEL_ERRORS)
def test_profile_mistakes_are_refused_word_for_word(tmp_path, text, message):
    path = write_profile(tmp_path / "p.yaml", text)
    with pytest.raises(FileRefused) as exc:
        profiles.load(path)
    assert str(exc.value) == f"{path}: {message}"


def test_a_broken_profile_refuses_the_file_without_a_traceback(tmp_path, capsys, db, org_file):
    export = write_export(tmp_path / "klageudtraek.csv")
    profile = write_profile(tmp_path / "p.yaml", "name: P\ntable: complaints\ncolumns: {sagsnummer: Sagsnummer}\n")
    code, out, err = ingest(capsys, db, org_file, export, "--profile", profile)
    assert code == 2 and "Traceback" not in err
    assert err.startswith(f"AFVIST {profile}: kildeprofilen oversætter overskriften 'Sagsnummer' til kolonnen "
                          "'sagsnummer'")
    code, _, err = ingest(capsys, db, org_file, export, "--profile", tmp_path / "findes-ikke.yaml")
    assert code == 2 and err.strip() == f"AFVIST {tmp_path / 'findes-ikke.yaml'}: kildeprofilen findes ikke"


def test_the_issue_example_loads(tmp_path):
    """The profile in the issue text, as written there, is valid (its DD/MM/YYYY format agrees with the contract)."""
    p = write_profile(tmp_path / "p.yaml", """\
name: Klageudtræk fra sagssystemet
table: complaints                # the contract table it feeds
files: ["klageudtraek*.csv"]     # optional: file-name patterns that select this profile automatically
columns:                          # contract column: the export's header (exact, case-insensitive)
  complaint_id: Sagsnummer
  received: Modtaget dato
  kind: Klagens art
values:                           # per contract column: export value -> contract value
  kind: {"Klage over sagsbehandling": formalitet, "Klage over afgørelse": realitet}
  forvaltning: {"Socialforvaltningen": SOF}
dates: ["%d/%m/%Y"]               # optional: extra date formats, tried after the contract's
header_row: 3                     # optional: where the header is, when it is not found by itself
sheet: Klager                     # optional: the XLSX sheet
""")
    prof = profiles.load(p)
    assert (prof.name, prof.table.name, prof.header_row, prof.sheet) == (
        "Klageudtræk fra sagssystemet", "complaints", 3, "Klager")
    assert prof.values == {"kind": {"klage over sagsbehandling": "formalitet", "klage over afgørelse": "realitet"},
                           "forvaltning": {"socialforvaltningen": "SOF"}}
    assert prof.matches("KLAGEUDTRAEK_2024.csv") and not prof.matches("klager.csv")


def test_an_existing_log_gets_the_profile_column(tmp_path, capsys, db, org_file):
    """A database made before profiles: ingest_log gains the column (NULL for the earlier loads)."""
    from kvalitet import store

    con = duckdb.connect(str(db))
    con.execute(store.INGEST_LOG_DDL.replace(",\n    profile VARCHAR", ""))
    con.execute("INSERT INTO ingest_log VALUES ('a.csv', 'x', 'complaints', 1, 1, 0, 0, 0, 0, 0, DATE '2024-01-31', "
                "TIMESTAMP '2024-02-01 08:00')")
    con.close()
    store.connect(db).close()
    assert query(db, "SELECT file_name, profile FROM ingest_log") == [("a.csv", None)]


# --- the demo: one export in a foreign layout, translated by the profile beside it --------------------------------

def test_the_demo_loads_its_foreign_appeals_export_through_the_profile_into_the_same_rows(demo_db, tmp_path,
                                                                                        monkeypatch):
    """The demo writes the appeals as an appeals system would (title block, own headers and words, forvaltninger by
    name, dates with a time) with its profile beside it; the store holds exactly the rows the contract's own layout
    gives, and the same rows are quarantined."""
    from test_demo_build import content_digest

    from conftest import ROOT
    from kvalitet import demo

    folder = demo_db.parent / "demo-eksport"
    lines = (folder / "ankesystem_udtraek.csv").read_text(encoding="utf-8-sig").splitlines()
    assert lines[:3] == ["Ankesager afgjort af ankeinstanserne", "Udtræk fra ankesystemet",
                         "Ankesagsnr.;Forvaltning;Enhed/afdeling;Sagsområde;Ankeinstans;Modtaget i ankeinstans;"
                         "Afgørelsesdato;Afgørelse"]
    assert profiles.load(folder / "ankesystem.yaml").table.name == "appeals"
    log = query(demo_db, "SELECT file_name, profile, rows_read, inserted, quarantined FROM ingest_log "
                         "WHERE \"table\" = 'appeals'")
    assert log == [("ankesystem_udtraek.csv", str(folder / "ankesystem.yaml"), 25534, 25528, 6)]
    reasons = [r for (r,) in query(demo_db, "SELECT reason FROM quarantine WHERE \"table\" = 'appeals'")]
    assert any("'omgjort' står ikke i kildeprofilen 'Udtræk fra ankesystemet'" in r for r in reasons)

    # the same demo with the appeals in the contract's own layout (as before the profile)
    monkeypatch.setitem(demo.STYLES, "appeals", demo.ExportStyle("ankesager.csv", encoding="utf-8-sig",
                                                                 date_format="%d.%m.%Y"))
    plain = tmp_path / "plain.duckdb"
    demo.build_demo(db=plain, organisation=ROOT / "parameters" / "organisation.yaml")
    ours, theirs = content_digest(demo_db), content_digest(plain)
    # every table the same (complaints hold pseudonyms of another key; the quarantine's row numbers and reasons of
    # the appeals differ: a title block, the system's headers), and as many rows quarantined per table
    differ = {"complaints", "quarantine"}
    assert {k: v for k, v in ours.items() if k not in differ} == {k: v for k, v in theirs.items() if k not in differ}
    assert "appeals" in ours
    count = 'SELECT "table", count(*) FROM quarantine GROUP BY 1 ORDER BY 1'
    assert query(demo_db, count) == query(plain, count)
