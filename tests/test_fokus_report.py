"""The FOKUS reports on the demo database: `kvalitet report --all` renders them for the latest complete year (2024,
a status year under the default cycle: 2024 against 2022–2023), per forvaltning as fokus-<code>.html and the
overview as fokus-overblik.html (the suite's one rendering, tests/test_report.py); a definition may ask for a year
and a mode, and a mode that contradicts the cycle is refused before anything is rendered."""

from __future__ import annotations

import html as html_mod
import re

import duckdb
import pytest
from conftest import ROOT
from test_report import CODES, ORG, _text, render_all

from kvalitet import store
from kvalitet.cli import main
from kvalitet.errors import UserError
from kvalitet.fokus.overview import THEMES
from kvalitet.organisation import load
from kvalitet.sections import fokus as fokus_section


@pytest.fixture(scope="module")
def rendered(demo_db, tmp_path_factory):
    return render_all(demo_db, tmp_path_factory)


def _page(out, name: str) -> str:
    return (out / f"{name}.html").read_text(encoding="utf-8")


def _table(page: str, title_start: str) -> list[list[str]]:
    """The rows (header first) of the table whose title starts with ``title_start``."""
    for title, body in re.findall(r"<h4>(.*?)</h4>\s*(<table[\s\S]*?</table>)", page):
        if html_mod.unescape(title).startswith(title_start):
            return [[html_mod.unescape(c).strip() for c in re.findall(r"<t[hd]>([\s\S]*?)</t[hd]>", row)]
                    for row in re.findall(r"<tr[^>]*>([\s\S]*?)</tr>", body)]
    raise AssertionError(f"no table {title_start!r}")


def test_every_forvaltning_gets_its_status_report(rendered):
    _, out, _ = rendered
    for code in CODES:
        text = _text(_page(out, f"fokus-{code}"))
        assert "Status til udvalget 2024" in text, code
        assert "2024 mod den senest evaluerede periode 2022–2023" in text, code
        for heading in ("Kvalitetsmål", "Ledelsesinformation", "Evaluering af indsatsen", "Udvikling og effekt",
                        "Anbefalinger og fund", "Borgerrådgiverens kritik", "Metode og data"):
            assert f">{heading}<" in _page(out, f"fokus-{code}"), (code, heading)
    index = _page(out, "index")
    assert "FOKUS – Socialforvaltningen" in index and "FOKUS – overblik over forvaltningerne" in index


def test_no_raw_frame_and_no_code_in_the_fokus_reports(rendered):
    """Every table shown is a disclosed one (class kvalitet-table): a section's returned frame never reaches the
    page."""
    _, out, _ = rendered
    for name in [f"fokus-{c}" for c in CODES] + ["fokus-overblik"]:
        page = _page(out, name)
        tables = re.findall(r"<table[^>]*>", page)
        assert tables and all("kvalitet-table" in t for t in tables), name
        text = _text(page)
        assert "rows ×" not in text and "dtype" not in text and "<NA>" not in html_mod.unescape(text), name
        assert not re.search(r"\d{6}-?\d{4}", text), name


def test_counts_beside_rates_match_the_store(rendered, demo_db):
    """The key-figure table shows the complaints received in each period beside the rate: SOF's complaints in
    2022–2023 and in 2024 counted in the store."""
    _, out, _ = rendered
    con = duckdb.connect(str(demo_db), read_only=True)
    try:
        before, now = (con.execute("SELECT count(*) FROM complaints WHERE forvaltning = 'SOF' AND "
                                   f"year(received) BETWEEN {a} AND {b}").fetchone()[0]
                       for a, b in ((2022, 2023), (2024, 2024)))
    finally:
        con.close()
    rows = _table(_page(out, "fokus-sof"), "Nøgletal 2024 mod 2022–2023")
    head = rows[0]
    assert head[:5] == ["Indikator", "Antal 2022–2023", "Værdi 2022–2023", "Antal 2024", "Værdi 2024"]
    rate = next(r for r in rows if r[0] == "Klagerate")
    assert rate[1] == f"{before:,}".replace(",", ".") and rate[3] == f"{now:,}".replace(",", ".")
    received = next(r for r in rows if r[0] == "Modtagne klager")
    # a status year: the two years of 2022–2023 per year
    assert received[2].startswith(f"{before / 2:.1f}".replace(".", ",") + " (")


def test_findings_overdue_first_with_the_2015_recommendations(rendered):
    _, out, _ = rendered
    page = _page(out, "fokus-sof")
    rows = _table(page, "Anbefalinger og fund for Socialforvaltningen")
    head = rows[0]
    assert head == ["Kilde og år", "Fund", "Status", "Frist", "Over fristen", "Tiltag",
                    "Udvikling i de tilknyttede indikatorer"]
    flags = [r[4] for r in rows[1:]]
    overdue = flags.count("✖ ja")
    assert overdue >= 1 and flags[:overdue] == ["✖ ja"] * overdue  # overdue open findings first
    assert any("Fastsæt reelle kvalitetsmål" in r[1] for r in rows[1:])  # the 2015 recommendation 1
    assert any("→" in r[6] for r in rows[1:])  # the development of the linked indicators


def test_planted_initiative_effect_is_recovered(rendered):
    """The demo plants a drop in SOF's omgørelsesprocent at the initiative's start (1 January 2019)."""
    _, out, _ = rendered
    rows = _table(_page(out, "fokus-sof"), "Indsatser og deres effekt")
    row = next(r for r in rows if r[2] == "Omgørelsesprocent")
    assert row[-1] == "Omgørelsesprocenten faldt sikkert ved indsatsens start – en forbedring."
    kff = _text(_page(out, "fokus-kff"))
    assert "Der er ingen indsatser for Kultur- og Fritidsforvaltningen i organisationsfilen" in kff


def test_overview_grid_legend_and_paragraphs(rendered):
    _, out, _ = rendered
    page = _page(out, "fokus-overblik")
    rows = _table(page, "FOKUS-overblik 2024 mod 2022–2023")
    assert rows[0] == ["Tema", "BIF", "BUF", "KFF", "SOF", "SUF", "TMF", "ØKF"]
    assert [r[0] for r in rows[1:]] == list(THEMES.values())
    symbols = {"✔", "!", "✖", "=", "•", "○", "–", "x"}
    assert all(cell.split(" ")[0] in symbols for r in rows[1:] for cell in r[1:])
    text = html_mod.unescape(_text(page))
    assert "✖ problem: sikkert uden for målet" in text and "○ ikke sat" in text
    for name in ("Socialforvaltningen", "Økonomiforvaltningen", "Teknik- og Miljøforvaltningen"):
        assert f"{name}." in text
    assert re.search(r'<img [^>]*alt="Prikdiagram over klager pr\. 1\.000 afgørelser i 2024', page)


# ------------------------------------------------------------------------------------- year and mode parameters
def test_latest_year_and_checked_definitions(demo_db):
    org = load(ROOT / "parameters" / "organisation.yaml")
    con = store.connect(demo_db, read_only=True)
    try:
        assert fokus_section.latest_year(con, org) == 2024
        fokus_section.check_definition(con, org, 2017, "evaluering")
        fokus_section.check_definition(con, org, None, "status")  # 2024 is a status year
        with pytest.raises(UserError, match="2017 er et evalueringsår, ikke et statusår"):
            fokus_section.check_definition(con, org, 2017, "status")
        with pytest.raises(UserError, match="2025 er ikke slut"):
            fokus_section.check_definition(con, org, 2025, None)
    finally:
        con.close()


def test_a_definition_asks_for_a_year_and_mode(demo_db, tmp_path):
    defs = tmp_path / "defs"
    defs.mkdir()
    (defs / "fokus-2017.yaml").write_text(
        "title: FOKUS 2017\nnotebook: fokus\nparameters: {forvaltning: SOF, year: 2017, mode: evaluering}\n",
        encoding="utf-8")
    out = tmp_path / "reports"
    assert main(["report", "--all", "--db", str(demo_db), "--organisation", ORG, "--out", str(out),
                 "--reports-dir", str(defs), "--jobs", "1"]) == 0
    page = _page(out, "fokus-2017")
    text = _text(page)
    assert "Evaluering af indsatsen for bedre sagsbehandling 2016–2017" in text
    assert "Nøgletal 2016–2017 mod 2014–2015, Socialforvaltningen" in html_mod.unescape(text)
    assert "Status til udvalget" not in text


def test_a_mode_against_the_cycle_is_refused_before_rendering(demo_db, tmp_path, capsys):
    defs = tmp_path / "defs"
    defs.mkdir()
    (defs / "fokus.yaml").write_text("title: FOKUS\nnotebook: fokus\nper_forvaltning: true\n"
                                     "parameters: {year: 2017, mode: status}\n", encoding="utf-8")
    out = tmp_path / "reports"
    code = main(["report", "--all", "--db", str(demo_db), "--organisation", ORG, "--out", str(out),
                 "--reports-dir", str(defs)])
    err = capsys.readouterr().err
    assert code == 2
    assert "fokus.yaml: parameters: FOKUS: 2017 er et evalueringsår, ikke et statusår" in err
    assert "Traceback" not in err
    assert not out.exists() or not list(out.glob("*.html"))  # nothing rendered
