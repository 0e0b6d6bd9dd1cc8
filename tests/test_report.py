"""`kvalitet report --all` end to end on the demo database: the evaluation report for every forvaltning and each
analysis notebook once, self-contained HTML without code, Danish numbers, the demo banner, no CPR-like number, an
index linking them all, an XLSX per report holding its tables; a deliberately failing definition is reported while
the others finish. The suite renders once (``render_all``) and every test reads that output."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from conftest import ROOT
from openpyxl import load_workbook

from kvalitet.cli import main
from kvalitet.report import load_definitions

ORG = str(ROOT / "parameters" / "organisation.yaml")
CODES = ["bif", "buf", "kff", "sof", "suf", "tmf", "oekf"]
ANALYSES = ["klager", "ankesager", "sagsbehandlingstid", "kvalitetsopfoelgning", "borgerraadgiver", "risikobillede",
            "danmarkskort"]
PER_FORVALTNING = ["forvaltningsrapport", "ledelsesinformation", "fokus"]
EXPECTED = sorted([f"{r}-{c}" for r in PER_FORVALTNING for c in CODES] + ANALYSES + ["fokus-overblik"])

_CACHE: dict = {}


def render_all(demo_db, tmp_path_factory):
    """Render every shipped definition plus a broken one, once per test session: (exit code, out dir, stderr)."""
    if "all" not in _CACHE:
        import contextlib
        import io

        defs = tmp_path_factory.mktemp("defs")
        for p in (ROOT / "parameters" / "reports").glob("*.yaml"):
            shutil.copy(p, defs / p.name)
        # a definition that fails in a cell: an unknown period grain
        (defs / "broken.yaml").write_text("title: Fejl\nnotebook: klager\nparameters: {period: decade}\n",
                                          encoding="utf-8")
        out = tmp_path_factory.mktemp("reports")
        err = io.StringIO()
        with contextlib.redirect_stderr(err):
            code = main(["report", "--all", "--db", str(demo_db), "--organisation", ORG, "--out", str(out),
                         "--reports-dir", str(defs), "--jobs", "2"])
        _CACHE["all"] = (code, out, err.getvalue())
    return _CACHE["all"]


@pytest.fixture(scope="module")
def rendered(demo_db, tmp_path_factory):
    return render_all(demo_db, tmp_path_factory)


def _pages(out: Path) -> dict[str, str]:
    return {p.stem: p.read_text(encoding="utf-8") for p in out.glob("*.html") if p.stem not in ("index", "broken")}


def _text(html: str) -> str:
    """What a reader can read: no embedded images, no tags, no style sheets."""
    html = re.sub(r"data:image/png;base64,[A-Za-z0-9+/=]+", "", html)
    html = re.sub(r"<style[\s\S]*?</style>", "", html)
    return re.sub(r"<[^>]+>", " ", html)


def test_every_report_is_rendered_and_the_failure_is_reported(rendered):
    code, out, err = rendered
    assert code == 1  # because of the broken definition only
    assert sorted(_pages(out)) == EXPECTED
    assert f"1 af {len(EXPECTED) + 1} rapporter fejlede" in err
    assert re.search(r"FEJL broken \(klager\.ipynb, celle \d+\): UserError: .*decade", err)
    assert "Traceback" not in err
    assert (out / "_executed" / "broken.ipynb").exists()
    assert "kvalitet-failed-banner" in (out / "broken.html").read_text(encoding="utf-8")


def test_index_links_every_report_and_its_tables(rendered):
    _, out, _ = rendered
    index = (out / "index.html").read_text(encoding="utf-8")
    for name in EXPECTED:
        assert f"href='{name}.html'" in index and f"href='{name}.xlsx'" in index
    assert "Data opgjort pr. 31. december 2024" in index and "DEMODATA" in index
    assert "Evaluering af sagsbehandlingen – Socialforvaltningen" in index
    assert "(fejlede – ufuldstændig)" in index  # the broken one, marked


def test_html_is_self_contained_without_code(rendered):
    _, out, _ = rendered
    for name, html in _pages(out).items():
        assert "<script" not in html.lower(), name
        assert not re.search(r"""(src|href)\s*=\s*["']?https?://""", html), name
        assert not re.search(r"url\(\s*['\"]?https?://", html), name
        body = html[html.index("<body"):]
        assert "jp-InputArea-editor" not in body and "jp-InputPrompt" not in body and "highlight hl-ipython3" \
            not in body, name
        assert "from kvalitet" not in html and "Report.open" not in html and "tables_path" not in html, name
        assert "Traceback" not in html and "Error" not in _text(html), name
        imgs = re.findall(r"<img [^>]*>", html)
        assert imgs, name
        assert all('src="data:image/png;base64,' in i and re.search(r'alt="[^"]{40,}"', i) for i in imgs), name


def test_demo_banner_danish_and_no_cpr(rendered):
    _, out, _ = rendered
    for name, html in _pages(out).items():
        assert html.count('class="kvalitet-demo-banner"') == 1, name
        assert html.index("kvalitet-demo-banner") < html.index("<h1"), name
        assert '<html lang="da">' in html, name
        text = _text(html)
        assert "31. december 2024" in text, name
        if name != "risikobillede":  # the risk matrix has no number of four digits
            assert re.search(r"\b\d{1,3}(\.\d{3})+\b", text), name  # thousands dot
        assert re.search(r"\b\d+,\d+\b", text), name  # decimal comma
        assert not re.search(r"\b\d+\.\d+\s?%", text), name  # no English decimal point in a percentage
        assert not re.search(r"\d{6}-?\d{4}", text), name  # nothing that looks like a CPR number
        assert not re.search(r"\bnan\b|\bNone\b|\bNaN\b", text), name


def test_evaluation_report_has_its_parts(rendered):
    _, out, _ = rendered
    html = (out / "forvaltningsrapport-sof.html").read_text(encoding="utf-8")
    text = _text(html)
    for heading in ("Evaluering af sagsbehandlingen", "Socialforvaltningen", "Sammenfatning", "Klager", "Ankesager",
                    "Sagsbehandlingstid", "Kvalitetsopfølgning", "Borgerrådgiveren", "Risikobillede",
                    "Metode og data"):
        assert heading in text, heading
    assert "Nøgletal for Socialforvaltningen" in text
    assert "Statistisk sikker?" in text and "✖ sikkert under målet" in text  # stadfæstelsesprocent vs 80-85 %
    assert "Rækker afvist ved indlæsningen (i karantæne)" in text
    # KFF has no cases and no appeals: the sections say so in one line
    kff = _text((out / "forvaltningsrapport-kff.html").read_text(encoding="utf-8"))
    assert "Ankesager: ingen data for Kultur- og Fritidsforvaltningen." in kff
    assert "Sagsbehandlingstid: ingen data for Kultur- og Fritidsforvaltningen." in kff


def test_xlsx_opens_and_holds_every_table_shown(rendered):
    _, out, _ = rendered
    for name, html in _pages(out).items():
        wb = load_workbook(out / f"{name}.xlsx", read_only=True)
        titles = re.findall(r"<h4>(.*?)</h4>", html)
        assert len(wb.sheetnames) == len(titles) >= 1, name
        first = wb[wb.sheetnames[0]]
        header = next(first.iter_rows(values_only=True))
        assert all(isinstance(h, str) and h for h in header), name
        wb.close()


def test_the_numbers_in_the_report_match_the_store(rendered, demo_db):
    import duckdb

    _, out, _ = rendered
    con = duckdb.connect(str(demo_db), read_only=True)
    n2024 = con.execute("SELECT count(*) FROM complaints WHERE year(received) = 2024").fetchone()[0]
    d2024 = con.execute("SELECT sum(decisions) FROM decisions WHERE year(month) = 2024").fetchone()[0]
    con.close()
    wb = load_workbook(out / "klager.xlsx")
    sheet = next(wb[s] for s in wb.sheetnames if s.split(" ", 1)[1].startswith("Klagerate (pr"))
    rows = {r[0]: r for r in sheet.iter_rows(values_only=True)}
    row = rows["2024"]
    assert int(str(row[1]).replace(".", "")) == n2024
    assert row[2] == f"{d2024:,}".replace(",", ".")
    assert row[3] == f"{n2024 / d2024 * 1000:.1f}".replace(".", ",")


def test_small_counts_are_suppressed_in_html_and_xlsx(rendered):
    """ØKF has few complaints and BUF few annulled appeals: counts under 5 never appear in the published tables."""
    _, out, _ = rendered
    html = (out / "ankesager.html").read_text(encoding="utf-8")
    assert "<td>&lt;5</td>" in html
    wb = load_workbook(out / "ankesager.xlsx")
    sheet = next(wb[s] for s in wb.sheetnames if "udfald" in s)
    values = [v for row in sheet.iter_rows(min_row=2, values_only=True) for v in row[1:]]
    assert "<5" in values
    assert not any(isinstance(v, str) and v.isdigit() and 0 < int(v) < 5 for v in values)


def test_suppression_protects_the_total():
    import pandas as pd

    from kvalitet.disclosure import suppress

    table = pd.DataFrame({"a": [3, 10, 0], "b": [12, 2, 7], "c": [20, 30, 1]})
    shown, any_hidden = suppress(table)
    assert any_hidden
    assert shown.iloc[0].tolist() == ["<5", "x", "20"]  # 3 hidden, and the smallest other (12) to protect it
    assert shown.iloc[1].tolist() in (["10", "<5", "x"], ["x", "<5", "30"])
    assert shown.iloc[2].tolist() == ["0", "x", "<5"]


@pytest.mark.parametrize("content, words", [
    ("title: X\nnotebook: klager\nparamters: {period: year}\n", "paramters: ukendt nøgle"),
    ("title: X\nnotebook: klager\nparameters: {perioden: year}\n", "parameters.perioden: notebooken klager.ipynb har "
                                                                    "ingen parameter 'perioden'"),
    ("title: X\nnotebook: klagr\n", "notebook: 'klagr' findes ikke"),
    ("notebook: klager\n", "title: mangler"),
])
def test_report_definition_mistakes_name_the_file_and_key(tmp_path, content, words):
    from kvalitet.errors import UserError

    (tmp_path / "r.yaml").write_text(content, encoding="utf-8")
    with pytest.raises(UserError) as exc:
        load_definitions(tmp_path)
    assert "r.yaml" in str(exc.value) and words in str(exc.value)


def test_shipped_definitions_are_valid():
    defs = load_definitions(ROOT / "parameters" / "reports")
    assert sorted(defs) == sorted(ANALYSES + PER_FORVALTNING + ["fokus-overblik"])
    assert all(defs[r].per_forvaltning for r in PER_FORVALTNING)
    assert not any(defs[a].per_forvaltning for a in ANALYSES + ["fokus-overblik"])
    # the FOKUS reports default to the latest complete year and the mode the cycle gives it
    assert defs["fokus"].parameters == {"year": None, "mode": None} == defs["fokus-overblik"].parameters
    notebooks = {p.stem for p in (ROOT / "notebooks").glob("*.ipynb")}
    assert notebooks - {d.notebook for d in defs.values()} == {"udforsk"}  # only the interactive one is not rendered


def test_unknown_report_name(demo_db, capsys, tmp_path):
    code = main(["report", "klagr", "--db", str(demo_db), "--organisation", ORG, "--out", str(tmp_path)])
    assert code == 2 and "ukendt rapport: klagr" in capsys.readouterr().err


def test_missing_database_is_a_clear_message(tmp_path, capsys):
    code = main(["report", "--all", "--db", str(tmp_path / "none.duckdb"), "--organisation", ORG])
    assert code == 2 and "databasen findes ikke" in capsys.readouterr().err
