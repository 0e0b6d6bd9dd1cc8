"""`kvalitet profile suggest` (issue 12): drafts for foreign exports checked field by field, the printed summary,
never writing over a profile, and a draft whose TODOs are filled in loads the file."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from conftest import AS_OF
from kvalitet import contract, organisation, suggest
from kvalitet.cli import main
from kvalitet.errors import FileRefused

from test_ingest_rules import query


def org(org_file: Path):
    return organisation.load(org_file)


def write(path: Path, lines: list[str], encoding: str = "utf-8") -> Path:
    path.write_text("\r\n".join(lines) + "\r\n", encoding=encoding)
    return path


KLAGER = [
    "Klageudtræk fra sagssystemet;;;;;;",
    "Udtrukket 02-12-2024 kl. 08:14;;;;;;",
    ";;;;;;",
    "Sagsnummer;Forvaltning;Sagsområde;Modtaget dato;Afsluttet dato;Klagens art;Afgørelse;Sagsbehandler",
    "S-1;Socialforvaltningen;Handicap;20240201;20240301;Klage over sagsbehandling;Borger fik medhold;AB",
    "S-2;Socialforvaltningen;Handicap;20240203;;Klage over afgørelse;;AB",
    "S-3;Beskæftigelses- og Integrationsforvaltningen;Kontanthjælp;20240206;20240310;Klage over afgørelse;"
    "Borger fik ikke medhold;CD",
    "S-4;SOF;Handicap;20240207;;Klage over ventetid;;CD",
    "S-5;Socialforvaltningen;Handicap;20240208;;Klage over sagsbehandling og afgørelse;;CD",
]


def test_a_title_block_danish_headers_and_an_unseen_value(tmp_path, org_file):
    path = write(tmp_path / "klageudtraek_2024-11.csv", KLAGER, "cp1252")
    d = suggest.suggest(path, org(org_file))
    assert d.table is contract.TABLES["complaints"]
    assert (d.sheet, d.header_row, d.header_found) == (None, 4, True)
    assert {c: h for c, (h, _) in d.columns.items()} == {
        "complaint_id": "Sagsnummer", "forvaltning": "Forvaltning", "area": "Sagsområde", "received": "Modtaget dato",
        "closed": "Afsluttet dato", "kind": "Klagens art", "outcome": "Afgørelse"}
    # sure: contract names and aliases and the Danish spellings; 'Sagsnummer' as the complaint's id is to be checked
    assert [c for c, (_, s) in d.columns.items() if s < suggest.SURE] == ["complaint_id"]
    assert d.unused_headers == ["Sagsbehandler"]
    assert d.values == {
        "forvaltning": [("Socialforvaltningen", "SOF", 3), ("Beskæftigelses- og Integrationsforvaltningen", "BIF", 1),
                        ("SOF", "SOF", 1)],
        "kind": [("Klage over afgørelse", "realitet", 2), ("Klage over sagsbehandling", "formalitet", 1),
                 ("Klage over ventetid", None, 1), ("Klage over sagsbehandling og afgørelse", None, 1)],
        "outcome": [("Borger fik medhold", "medhold", 1), ("Borger fik ikke medhold", "ikke medhold", 1)],
    }
    assert d.dates == ["%Y%m%d"]
    assert d.pattern == "klageudtraek*.csv"
    text = suggest.to_yaml(d)
    data = yaml.safe_load(text)
    assert data == {
        "name": "klageudtraek_2024-11 (klager)", "table": "complaints", "files": ["klageudtraek*.csv"],
        "columns": {"complaint_id": "Sagsnummer", "forvaltning": "Forvaltning", "area": "Sagsområde",
                    "received": "Modtaget dato", "closed": "Afsluttet dato", "kind": "Klagens art",
                    "outcome": "Afgørelse"},
        "values": {
            "forvaltning": {"Socialforvaltningen": "SOF", "Beskæftigelses- og Integrationsforvaltningen": "BIF",
                            "SOF": "SOF"},
            "kind": {"Klage over afgørelse": "realitet", "Klage over sagsbehandling": "formalitet",
                     "Klage over ventetid": "TODO", "Klage over sagsbehandling og afgørelse": "TODO"},
            "outcome": {"Borger fik medhold": "medhold", "Borger fik ikke medhold": "ikke medhold"}},
        "dates": ["%Y%m%d"],
    }
    # the TODOs and the guess are visible in the file, with the choices
    assert "  complaint_id: Sagsnummer  # tjek: ligner kun\n" in text
    assert ("    Klage over ventetid: TODO  # 1 række; en af: formalitet, realitet, formalitet og realitet\n"
            in text)
    assert "# header_row: 4  (findes af sig selv)\n" in text
    assert "  # unit:  (valgfri; ingen overskrift fundet)\n" in text


def test_other_header_spellings_accents_and_case(tmp_path, org_file):
    path = write(tmp_path / "eksport.csv", [
        "KLAGE-ID,Forvaltningsnavn,Omraade,Modtagelsesdato,Klageart,Udfald,CPR-nr.,Emne",
        "1,SOF,Handicap,01-02-2024,Realitet,,0101901234,Ventetid",
    ])
    d = suggest.suggest(path, org(org_file), table="klager")
    assert {c: (h, s >= suggest.SURE) for c, (h, s) in d.columns.items()} == {
        "complaint_id": ("KLAGE-ID", True), "forvaltning": ("Forvaltningsnavn", True), "area": ("Omraade", True),
        "received": ("Modtagelsesdato", True), "kind": ("Klageart", True), "outcome": ("Udfald", True),
        "citizen_id": ("CPR-nr.", True), "topic": ("Emne", True)}
    assert d.header_row == 1 and d.dates == [] and d.values == {}  # 'Realitet' already is a contract value
    assert d.date_notes == {"received": ("kontraktens datoformater", [])}


def test_the_table_is_found_from_the_headers_and_a_second_sheet(tmp_path, org_file):
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.title = "Forside"
    wb.active.append(["Udtræk af ankesager til kvalitetsopfølgningen"])
    ws = wb.create_sheet("Ankesager")
    ws.append(["Ankesystemet, 2. december 2024"])
    ws.append(["Ankenummer", "Forvaltning", "Område", "Afgørelsesdato", "Resultat", "Instans"])
    ws.append(["A-1", "SOF", "Handicap", "01/02/2024", "Stadfæstelse", "Ankestyrelsen"])
    ws.append(["A-2", "SOF", "Handicap", "05/02/2024", "Hjemvisning", "Ankestyrelsen"])
    ws.append(["A-3", "SOF", "Handicap", "05/02/2024", "Delvis ændring", "Ankestyrelsen"])
    path = tmp_path / "udtraek.xlsx"
    wb.save(path)
    d = suggest.suggest(path, org(org_file))
    assert d.table is contract.TABLES["appeals"]
    assert (d.sheet, d.sheets, d.header_row) == ("Ankesager", ["Forside", "Ankesager"], 2)
    assert {c: h for c, (h, _) in d.columns.items()} == {
        "appeal_id": "Ankenummer", "forvaltning": "Forvaltning", "area": "Område", "decided": "Afgørelsesdato",
        "outcome": "Resultat", "body": "Instans"}
    assert d.values == {"outcome": [("Stadfæstelse", "stadfæstet", 1), ("Hjemvisning", "hjemvist", 1),
                                    ("Delvis ændring", "ændret", 1)]}
    data = yaml.safe_load(suggest.to_yaml(d))
    assert (data["table"], data["sheet"], data["files"]) == ("appeals", "Ankesager", ["udtraek*.xlsx"])


@pytest.mark.parametrize("value, column, expected", [
    ("Klage over sagsbehandling", "kind", "formalitet"),
    ("FORMALITET", "kind", "formalitet"),
    ("Klage over sagsbehandling og afgørelse", "kind", None),  # two contract values: the analyst decides
    ("Borger fik ikke medhold", "outcome", "ikke medhold"),    # not 'medhold'
    ("Delvist medhold", "outcome", "delvis medhold"),
    ("Ikke trukket tilbage", "outcome", None),                 # a negation the match does not contain
    ("Realitat", "kind", "realitet"),                          # a misspelling close to one value only
    ("Klage over ventetid", "kind", None),
])
def test_value_matching_is_clear_or_left_to_the_analyst(value, column, expected, org_file):
    col = contract.TABLES["complaints"].by_name[column]
    assert suggest.match_value(value, col, org(org_file)) == expected


def test_the_command_writes_the_draft_prints_what_to_decide_and_never_overwrites(tmp_path, capsys, org_file,
                                                                                  monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("KVALITET_SOURCES", raising=False)
    path = write(tmp_path / "klageudtraek_2024-11.csv", KLAGER)
    args = ["profile", "suggest", str(path), "--organisation", str(org_file)]
    assert main(args) == 0
    out = capsys.readouterr().out
    draft = Path("parameters") / "sources" / "klageudtraek_2024-11.yaml"
    assert out.splitlines()[:2] == [f"Udkast til kildeprofil skrevet: {draft}",
                                    "Tabel complaints (klager); overskriften står i linje 4."]
    decide = out.split("Skal afgøres (TODO eller 'tjek' i filen):\n")[1].splitlines()
    assert decide == ["  complaint_id ← 'Sagsnummer' (ligner kun)",
                      "  kind: 'Klage over ventetid' (1 række) → ?",
                      "  kind: 'Klage over sagsbehandling og afgørelse' (1 række) → ?",
                      f"Indlæs derefter med: kvalitet ingest {path} --profile {draft}"]
    before = draft.read_text(encoding="utf-8")
    assert main(args) == 2
    assert capsys.readouterr().err.strip() == (
        f"fejl: {draft}: findes allerede; kvalitet skriver ikke over en kildeprofil. Angiv en anden sti med --out, "
        "eller flyt filen")
    assert draft.read_text(encoding="utf-8") == before


def test_a_draft_with_its_todos_filled_in_loads_the_file(tmp_path, capsys, org_file, db):
    path = write(tmp_path / "klageudtraek.csv", KLAGER, "cp1252")
    out = tmp_path / "profil.yaml"
    assert main(["profile", "suggest", str(path), "--organisation", str(org_file), "--out", str(out)]) == 0
    capsys.readouterr()
    ingest = ["ingest", str(path), "--profile", str(out), "--db", str(db), "--organisation", str(org_file),
              "--as-of", AS_OF.isoformat()]
    assert main(ingest) == 2  # the draft is not finished
    assert capsys.readouterr().err.strip() == (
        f"AFVIST {out}: kildeprofilen er ikke færdig: TODO står ved values: kind: 'Klage over ventetid', values: "
        "kind: 'Klage over sagsbehandling og afgørelse'. Skriv dét, der skal stå, eller slet linjen")
    text = out.read_text(encoding="utf-8")
    text = text.replace("Klage over ventetid: TODO", "Klage over ventetid: formalitet")
    # the analyst deletes the other line: rows with that value then go to the quarantine, naming the profile
    text = "\n".join(line for line in text.splitlines() if "sagsbehandling og afgørelse: TODO" not in line) + "\n"
    out.write_text(text, encoding="utf-8")
    assert main(ingest) == 1
    printed = capsys.readouterr().out
    assert "læst 5, indsat 4, opdateret 0, uændret 0, dubletter 0, forældet 0, i karantæne 1" in printed
    assert query(db, "SELECT complaint_id, forvaltning, kind, outcome, strftime(received, '%Y-%m-%d') "
                     "FROM complaints ORDER BY 1") == [
        ("S-1", "SOF", "formalitet", "medhold", "2024-02-01"), ("S-2", "SOF", "realitet", None, "2024-02-03"),
        ("S-3", "BIF", "realitet", "ikke medhold", "2024-02-06"), ("S-4", "SOF", "formalitet", None, "2024-02-07")]
    (reason,), = query(db, "SELECT reason FROM quarantine")
    assert reason.startswith("Klagens art (kind): 'Klage over sagsbehandling og afgørelse' står ikke i "
                             "kildeprofilen 'klageudtraek (klager)' (profil.yaml)")


def test_a_file_without_a_header_like_row_is_refused(tmp_path, org_file):
    path = write(tmp_path / "noter.csv", ["a;b;c", "1;2;3"])
    with pytest.raises(FileRefused) as exc:
        suggest.suggest(path, org(org_file))
    assert str(exc.value) == (f"{path}: ingen af de første rækker ligner en overskrift til nogen tabel; angiv "
                              "tabellen med --table")
