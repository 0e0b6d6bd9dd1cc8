"""The FOKUS overview across forvaltninger, and the FOKUS report's sections, on the hand-built Fokusby
(tests/fokus_store.py) with a findings register added here. Evaluation year 2023: 2022–2023 against 2020–2021.
Every expected cell is worked out from the store's numbers:

SOF
* own quality targets in the organisation file: complaint_rate (SOF), complaints_received (SOF) and
  appeal_reversal_share (everyone) → 3 (satisfaction is not a quality target) → ✔;
* måltal for klager: complaints_received at most 25 a year; 2022–2023: (20 + 20) Handicap + (4 + 4) Hjemmepleje =
  48 complaints, 24,0 a year → opfyldt → ✔;
* complaint rate: 48 / 2.400 decisions = 20,0 against 60 / 2.400 = 25,0: exact test p ≈ 0,29 → no sure change (=);
* formalitet share: (5 + 5) / 48 = 20,8 % against (10 + 10) / 60 = 33,3 % → • (no judgement);
* medhold: 6 / 48 = 12,5 % against 18 / 60 = 30,0 %: z = −2,17, p = 0,030; it is at best the third smallest
  p-value of the grid (the two omgørelsesprocenter have p ≈ 0,0001), so q ≥ 0,030 · m / 3 > 0,05 with m ≥ 6
  tests → no sure change (=);
* omgørelsesprocent: 28 / 200 = 14,0 % against 60 / 200 = 30,0 %: z = −3,86, p ≈ 0,0001 → a sure fall, lower is
  better → ✔;
* audit error share 2023: 6 / 20 = 30,0 %, Wilson 14,5–51,9 % → over the 25 % threshold, not surely → !;
* criticism: 2 / 20 against 4 / 20 inquiries: counts under 5 → hidden;
* findings: one open past its due date (30 June 2023), one open due 30 June 2025, one gennemført → ✖ 2 åbne, 1
  over fristen;
* initiatives: «Begrundelser i fokus» (start 2022, evaluated), «Klageportal» (start October 2024: too young),
  «Ny mødeform» (no indicators) → 1 af 3 → !.

BIF (10 realitet complaints a year, all ikke medhold, and 200 decisions a month): 1 own quality target (the general
omgørelsesprocent) → ✔; no måltal for klager → ○; complaint rate 20 / 4.800 = 4,2 in both periods → =; all
complaints realitet → • 0,0 %; medhold 0 of 20 in both → = (p = 1); the same
appeals as SOF → ✔ 14,0 %; no cases and no audits → –; no inquiries → –; findings: one gennemført, one opgivet →
✔ 0 åbne; its initiative evaluated → ✔ 1 af 1.
"""

from __future__ import annotations

import pytest
from conftest import write_csv
import fokus_store

from kvalitet.cli import main
from kvalitet.fokus import fokus_plan
from kvalitet.fokus import overview as ov_mod
from kvalitet.organisation import load
from kvalitet.present import Report
from kvalitet.sections import fokus_overblik as fo
from kvalitet import store

REGISTER = [
    ["SOF", 2021, 1, "Begrundelser skal henvise til reglerne.", "i gang", "Borgerrådgiveren", "anbefaling",
     "2023-06-30", "", ""],
    ["SOF", 2022, 1, "Partshøring mangler.", "ikke påbegyndt", "Ankestyrelsen", "praksisundersøgelse", "2025-06-30",
     "", ""],
    ["SOF", 2021, 2, "Klagevejledning mangler.", "gennemført", "Borgerrådgiveren", "anbefaling", "2022-06-30", "",
     "Ny skabelon."],
    ["BIF", 2021, 1, "Svarfrister overskredet.", "gennemført", "Borgerrådgiveren", "anbefaling", "", "", ""],
    ["BIF", 2022, 1, "Mangelfuld dokumentation.", "opgivet", "intern revision", "revisionsbemærkning", "", "",
     "Reglerne er ændret."],
]


@pytest.fixture(scope="module")
def fokusby(tmp_path_factory):
    folder = tmp_path_factory.mktemp("fokusby-overblik")
    db, org = fokus_store.build(folder)
    reg = write_csv(folder / "anbefalinger.csv", ["forvaltning", "evalueringsår", "nummer", "tekst", "status",
                                                  "kilde", "type", "frist", "afsluttet", "tiltag"], REGISTER)
    assert main(["ingest", "--db", str(db), "--organisation", str(org), "--as-of", "2024-12-31", str(reg)]) == 0
    return db, org


@pytest.fixture(scope="module")
def grid_2023(fokusby):
    db, org = fokusby
    con = store.connect(db, read_only=True)
    organisation = load(org)
    try:
        yield ov_mod.overview(con, organisation, fokus_plan(2023, organisation))
    finally:
        con.close()


EXPECTED_STATUS = {
    ("SOF", "targets"): ov_mod.GOOD, ("SOF", "complaint_target"): ov_mod.GOOD,
    ("SOF", "complaint_rate"): ov_mod.STEADY, ("SOF", "complaint_kinds"): ov_mod.INFO,
    ("SOF", "complaint_upheld_share"): ov_mod.STEADY, ("SOF", "appeal_reversal_share"): ov_mod.GOOD,
    ("SOF", "service_target_share"): ov_mod.NO_DATA, ("SOF", "audit_error_share"): ov_mod.WATCH,
    ("SOF", "open_findings"): ov_mod.BAD, ("SOF", "initiatives"): ov_mod.WATCH,
    ("BIF", "targets"): ov_mod.GOOD, ("BIF", "complaint_target"): ov_mod.ABSENT,
    ("BIF", "complaint_rate"): ov_mod.STEADY, ("BIF", "complaint_kinds"): ov_mod.INFO,
    ("BIF", "complaint_upheld_share"): ov_mod.STEADY, ("BIF", "appeal_reversal_share"): ov_mod.GOOD,
    ("BIF", "service_target_share"): ov_mod.NO_DATA, ("BIF", "audit_error_share"): ov_mod.NO_DATA,
    ("BIF", "inquiry_criticism_share"): ov_mod.NO_DATA, ("BIF", "open_findings"): ov_mod.GOOD,
    ("BIF", "initiatives"): ov_mod.GOOD,
}


def test_every_forvaltning_has_every_theme_in_order(grid_2023):
    assert list(grid_2023["forvaltning"]) == ["SOF"] * 11 + ["BIF"] * 11
    assert list(grid_2023["theme"][:11]) == list(ov_mod.THEMES)
    assert set(grid_2023["status"]) <= set(ov_mod.STATUSES)


@pytest.mark.parametrize("key,status", sorted(EXPECTED_STATUS.items()))
def test_statuses(grid_2023, key, status):
    row = grid_2023[(grid_2023["forvaltning"] == key[0]) & (grid_2023["theme"] == key[1])].iloc[0]
    assert row["status"] == status


def test_values_behind_the_cells(grid_2023):
    g = grid_2023.set_index(["forvaltning", "theme"])
    assert g.loc[("SOF", "targets"), "value"] == 3
    assert g.loc[("SOF", "complaint_target"), "value"] == pytest.approx(24.0)
    assert g.loc[("SOF", "complaint_target"), "target_high"] == 25
    assert g.loc[("SOF", "complaint_rate"), "value"] == pytest.approx(20.0)
    assert g.loc[("SOF", "complaint_rate"), "comparison_value"] == pytest.approx(25.0)
    assert g.loc[("SOF", "complaint_kinds"), "value"] == pytest.approx(10 / 48)
    assert g.loc[("SOF", "complaint_kinds"), "comparison_value"] == pytest.approx(20 / 60)
    assert g.loc[("SOF", "complaint_upheld_share"), "value"] == pytest.approx(6 / 48)
    assert g.loc[("SOF", "appeal_reversal_share"), "value"] == pytest.approx(0.14)
    assert g.loc[("SOF", "appeal_reversal_share"), "comparison_value"] == pytest.approx(0.30)
    assert g.loc[("SOF", "audit_error_share"), "value"] == pytest.approx(0.30)
    assert (g.loc[("SOF", "open_findings"), "value"], g.loc[("SOF", "open_findings"), "detail"]) == (2, "1")
    assert (g.loc[("SOF", "initiatives"), "value"], g.loc[("SOF", "initiatives"), "comparison_value"]) == (1, 3)
    assert g.loc[("BIF", "complaint_rate"), "value"] == pytest.approx(20 / 4800 * 1000)
    assert g.loc[("BIF", "complaint_kinds"), "value"] == 0
    assert not g.loc[("SOF", "targets"), "persons"] and g.loc[("SOF", "complaint_rate"), "persons"]


@pytest.fixture(scope="module")
def shown_2023(fokusby):
    """What the overview sections display for 2023 (evaluering), as strings."""
    from kvalitet import present

    db, org = fokusby
    out: list[str] = []
    mp = pytest.MonkeyPatch()
    mp.setattr(present, "_display", lambda obj: out.append(str(obj)))
    rep = Report.open(db, org, None, None)
    try:
        ov = fo.open_overview(rep, 2023, "evaluering")
        table = fo.grid(ov)
        fo.paragraphs(ov)
    finally:
        rep.close()
        mp.undo()
    return table, out


def test_grid_cells_symbols_and_disclosure(shown_2023):
    table, out = shown_2023
    cells = table.set_index("Tema").map(lambda v: v.replace("\u00a0", " "))  # Danish '30,0 %' has a hard space
    assert list(cells.columns) == ["SOF", "BIF"]
    assert cells.loc["Egne kvalitetsmål", "SOF"] == "✔ 3 mål"
    assert cells.loc["Måltal for klager", "SOF"] == "✔ 24,0 (mål højst 25) i orden"
    assert cells.loc["Måltal for klager", "BIF"] == "○ ikke sat"
    assert cells.loc["Klager pr. 1.000 afgørelser", "SOF"] == "= 20,0 (før 25,0) uændret"
    assert cells.loc["Klager pr. 1.000 afgørelser", "BIF"] == "= 4,2 (før 4,2) uændret"
    assert cells.loc["Formalitetsklager (andel)", "SOF"] == "• 20,8 % (før 33,3 %)"
    assert cells.loc["Omgørelsesprocent", "BIF"] == "✔ 14,0 % (før 30,0 %) i orden"
    assert cells.loc["Fejlandel i stikprøver", "SOF"] == "! 30,0 % følg op"
    assert cells.loc["Fejlandel i stikprøver", "BIF"] == "– ingen data"
    # 2 and 4 inquiries with criticism: persons under 5, never shown
    assert cells.loc["Kritik fra Borgerrådgiveren", "SOF"] == "x skjult (under 5)"
    assert cells.loc["Åbne fund", "SOF"] == "✖ 2 åbne, 1 over fristen problem"
    assert cells.loc["Åbne fund", "BIF"] == "✔ 0 åbne i orden"
    assert cells.loc["Evaluerede indsatser", "SOF"] == "! 1 af 3 følg op"
    text = "\n".join(out).replace("\u00a0", " ")
    # the legend explains every symbol in words (the grid reads in black and white)
    for symbol, words in fo.SYMBOLS.values():
        assert f"{symbol} {words}" in text
    assert "10,0 %" not in text and "20,0 %" not in text  # the hidden criticism shares


def test_paragraph_per_forvaltning(shown_2023):
    out = [o.replace("\u00a0", " ") for o in shown_2023[1]]
    sof = next(o for o in out if o.startswith("**Socialforvaltningen.**"))
    assert "Har 3 egne kvalitetsmål ud over tilfredshed og frister og måltal for klager: 24,0, mål højst 25." in sof
    assert "Sikkert bedre end i 2020–2021: omgørelsesprocent (14,0 %, før 30,0 %)." in sof
    assert "Fejlandelen i stikprøverne er over tærsklen (30,0 %)." in sof
    assert "Anbefalinger og fund: 2 åbne, 1 over fristen." in sof
    bif = next(o for o in out if o.startswith("**Beskæftigelsesforvaltningen.**"))
    assert "og intet måltal for klager." in bif
    assert "Evaluerede indsatser: 1 af 1." in bif


def test_status_year_counts_per_year(fokusby):
    """2024 is a status year (2024 against 2022–2023): the måltal for klager is judged on 2024's 15 + 4 = 19."""
    db, org = fokusby
    con = store.connect(db, read_only=True)
    try:
        organisation = load(org)
        g = ov_mod.overview(con, organisation, fokus_plan(2024, organisation)).set_index(["forvaltning", "theme"])
    finally:
        con.close()
    assert g.loc[("SOF", "complaint_target"), "value"] == pytest.approx(19.0)
    assert g.loc[("SOF", "complaint_target"), "status"] == ov_mod.GOOD
    # the finding of 2022 due 30 June 2025 is still open and not overdue at 31 December 2024
    assert (g.loc[("SOF", "open_findings"), "value"], g.loc[("SOF", "open_findings"), "detail"]) == (2, "1")


# ------------------------------------------------------------------------ the FOKUS report's sections on Fokusby
@pytest.fixture(scope="module")
def report_2023(fokusby):
    """What the FOKUS report for SOF, 2023 (evaluering: 2022–2023 against 2020–2021), displays."""
    from kvalitet import present
    from kvalitet.sections import fokus, fokus_findings

    db, org = fokusby
    out: list[str] = []
    mp = pytest.MonkeyPatch()
    mp.setattr(present, "_display", lambda obj: out.append(str(obj).replace("\u00a0", " ")))
    rep = Report.open(db, org, None, None)
    try:
        fr = fokus.open_report(rep, "SOF", 2023, None)
        fokus.development(fr)
        fokus_findings.findings(fr)
        fokus_findings.criticism(fr)
    finally:
        rep.close()
        mp.undo()
    return out


def _rows(out: list[str], title: str) -> list[list[str]]:
    import html
    import re

    page = next(o for o in out if o.startswith(f"<h4>{title}"))
    return [[html.unescape(c).strip() for c in re.findall(r"<t[hd]>([\s\S]*?)</t[hd]>", row)]
            for row in re.findall(r"<tr[^>]*>([\s\S]*?)</tr>", page)]


def test_report_title_and_key_figures(report_2023):
    out = report_2023
    assert out[0].startswith("# Evaluering af indsatsen for bedre sagsbehandling 2022–2023\n**Socialforvaltningen**")
    rows = _rows(out, "Nøgletal 2022–2023 mod 2020–2021, Socialforvaltningen")
    reversal = next(r for r in rows if r[0] == "Omgørelsesprocent")
    # 60 of 200 realitetsbehandlede (30,0 %) against 28 of 200 (14,0 %): a sure fall, lower is better
    assert reversal[1] == "60" and reversal[2].startswith("30,0 % (")
    assert reversal[3] == "28" and reversal[4].startswith("14,0 % (")
    assert reversal[-1] == "faldet (forbedring)"
    rate = next(r for r in rows if r[0] == "Klagerate")
    assert rate[1:5:2] == ["60", "48"] and rate[2].startswith("25,0 (") and rate[4].startswith("20,0 (")
    assert "Sikre forbedringer: omgørelsesprocent (faldet)." in out


def test_report_findings_and_hidden_criticism(report_2023):
    out = report_2023
    rows = _rows(out, "Anbefalinger og fund for Socialforvaltningen")
    assert rows[1][:5] == ["Borgerrådgiveren, 2021", "1. Begrundelser skal henvise til reglerne. (anbefaling)",
                           "i gang", "30. juni 2023", "✖ ja"]
    assert [r[4] for r in rows[2:]] == ["nej", "nej"]
    assert ("Registret har 3 anbefalinger og fund for Socialforvaltningen: 1 gennemført, 1 i gang, 1 ikke "
            "påbegyndt. 1 åbent fund er over fristen pr. 31. december 2024.") in out
    # 4 and 2 inquiries with criticism of 20 closed in each period: under 5, hidden with their shares
    crit = _rows(out, "Henvendelser med kritik pr. kategori")
    sag = next(r for r in crit if r[0] == "Sagsbehandling")
    assert sag == ["Sagsbehandling", "20", "<5", "x", "20", "<5", "x"]
    assert not any("20,0 %" in o or "10,0 %" in o for o in out if "kritik" in o.lower())
