"""Nothing is specific to København: a small invented municipality (Fjordby) with its own organisation file, other
forvaltning codes (one with an Æ/Ø/Å), a few small CSV exports in Danish and several tables missing altogether, gets
every report with no code change; sections without data say so in one line."""

from __future__ import annotations

import re

import pytest
from conftest import ROOT
from openpyxl import load_workbook

from kvalitet.cli import main

DATA = ROOT / "tests" / "data" / "anden_kommune"
ORG = str(DATA / "organisation.yaml")


@pytest.fixture(scope="module")
def fjordby(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("fjordby")
    db = tmp / "fjordby.duckdb"
    assert main(["ingest", "--db", str(db), "--organisation", ORG, "--as-of", "2024-12-31",
                 *sorted(str(p) for p in DATA.glob("*.csv"))]) == 0
    out = tmp / "reports"
    code = main(["report", "--all", "--db", str(db), "--organisation", ORG, "--out", str(out), "--jobs", "2"])
    return code, out


def test_every_report_renders(fjordby):
    code, out = fjordby
    assert code == 0
    names = sorted(p.stem for p in out.glob("*.html"))
    assert names == sorted(["index", "forvaltningsrapport-soc", "forvaltningsrapport-tek", "forvaltningsrapport-boer",
                            "ledelsesinformation-soc", "ledelsesinformation-tek", "ledelsesinformation-boer",
                            "klager", "ankesager", "sagsbehandlingstid", "kvalitetsopfoelgning", "borgerraadgiver",
                            "risikobillede", "danmarkskort", "fokus-soc", "fokus-tek", "fokus-boer", "fokus-overblik"])
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "Rapporter – Fjordby" in index and "DEMODATA" not in index
    assert "Børne- og Kulturforvaltningen" in index


def test_reports_are_about_fjordby_and_say_what_is_missing(fjordby):
    _, out = fjordby
    for p in out.glob("*.html"):
        html = p.read_text(encoding="utf-8")
        assert "København" not in html and 'class="kvalitet-demo-banner"' not in html and "Demodata" not in html, p.name
        assert "Traceback" not in html, p.name
    boer = (out / "forvaltningsrapport-boer.html").read_text(encoding="utf-8")
    for line in ("Ankesager: ingen data for Børne- og Kulturforvaltningen.",
                 "Sagsbehandlingstid: ingen data for Børne- og Kulturforvaltningen.",
                 "Kvalitetsopfølgning: ingen data for Børne- og Kulturforvaltningen."):
        assert line in boer
    assert "Ingen data om:" in boer
    ankesager = (out / "ankesager.html").read_text(encoding="utf-8")
    assert "Omgørelsesprocent: ingen data for perioden." in ankesager
    soc = (out / "forvaltningsrapport-soc.html").read_text(encoding="utf-8")
    assert "Nøgletal for Social- og Sundhedsforvaltningen" in soc
    assert re.search(r"<td>\d+,\d</td>", soc)  # a complaint rate with a decimal comma
    dk = (out / "danmarkskort.html").read_text(encoding="utf-8")  # Fjordby is not one of the 98 kommuner
    assert "Fjordby er ikke en af de 98 kommuner i Ankestyrelsens Danmarkskort" in dk
    assert "Databasen har ingen Danmarkskort-tal" in dk
    tek = (out / "forvaltningsrapport-tek.html").read_text(encoding="utf-8")
    assert "servicemål" in tek  # TEK's cases use the area's servicemål from Fjordby's organisation file


def test_small_counts_suppressed_and_xlsx_open(fjordby):
    _, out = fjordby
    # BØR has 12 complaints in four years: its yearly counts are under 5 and never shown
    klager = (out / "klager.html").read_text(encoding="utf-8")
    assert "&lt;5" in klager
    for p in out.glob("*.xlsx"):
        wb = load_workbook(p, read_only=True)
        assert wb.sheetnames, p.name
        wb.close()


def test_fokus_with_another_cycle_and_no_register(fjordby):
    """Fjordby evaluates every third year from 2016 (organisation file): 2024 is a status year against the evaluated
    period 2020–2022, compared per year; it has no findings register, no initiatives and no targets of its own, and
    the FOKUS reports say so instead of failing."""
    _, out = fjordby
    boer = (out / "fokus-boer.html").read_text(encoding="utf-8")
    for line in ("Status til udvalget 2024", "2024 mod den senest evaluerede periode 2020–2022",
                 "antallet i 2020–2022 er delt med antallet af år med data i perioden (højst 3)",
                 "Anbefalinger og fund: der er ingen anbefalinger eller fund for Børne- og Kulturforvaltningen i "
                 "registret",
                 "Der er ingen indsatser for Børne- og Kulturforvaltningen i organisationsfilen",
                 "Børne- og Kulturforvaltningen har ikke sat egne mål for kvaliteten",
                 "Borgerrådgiverens kritik: ingen henvendelser til Borgerrådgiveren om Børne- og "
                 "Kulturforvaltningen"):
        assert line in boer, line
    overview = (out / "fokus-overblik.html").read_text(encoding="utf-8")
    assert "Ingen anbefalinger eller fund i registret." in overview
    assert "SOC: Social- og Sundhedsforvaltningen" in overview
