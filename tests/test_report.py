"""`kvalitet report`: definitions validated, every forvaltning rendered in parallel to self-contained HTML without
code, with the demo banner, an index and an XLSX per report; a failing notebook is reported, not fatal."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from openpyxl import load_workbook

from conftest import ROOT
from kvalitet.cli import main
from kvalitet.report import load_definitions

ORG = str(ROOT / "parameters" / "organisation.yaml")
CODES = ["bif", "buf", "kff", "sof", "suf", "tmf", "oekf"]


@pytest.fixture(scope="module")
def rendered(demo_db, tmp_path_factory):
    out = tmp_path_factory.mktemp("reports")
    code = main(["report", "klager", "--db", str(demo_db), "--organisation", ORG, "--out", str(out), "--jobs", "2"])
    return code, out


def test_every_forvaltning_gets_a_report(rendered):
    code, out = rendered
    assert code == 0
    assert sorted(p.name for p in out.glob("*.html")) == sorted([f"klager-{c}.html" for c in CODES] + ["index.html"])
    index = (out / "index.html").read_text(encoding="utf-8")
    for c in CODES:
        assert f"href='klager-{c}.html'" in index and f"href='klager-{c}.xlsx'" in index
    assert "Data opgjort pr. 31. december 2024" in index and "DEMODATA" in index


def test_html_is_self_contained_without_code_and_in_danish(rendered):
    _, out = rendered
    html = (out / "klager-bif.html").read_text(encoding="utf-8")
    assert "<script" not in html.lower()
    assert not re.search(r"""(src|href)\s*=\s*["']https?://""", html)
    assert not re.search(r"url\(\s*['\"]?https?://", html)
    body = html[html.index("<body"):]
    assert "hl-ipython3" not in body and "jp-CodeMirrorEditor" not in body and "jp-InputPrompt" not in body
    assert "from kvalitet" not in html and "Report.open" not in html and "tables_path" not in html
    assert html.count('class="kvalitet-demo-banner"') == 1 and html.index("kvalitet-demo-banner") < html.index("<h1")
    assert '<html lang="da">' in html
    # Danish numbers and dates: the BIF rate table, thousands dot and decimal comma; the as-of date in words
    assert "31. december 2024" in html
    assert re.search(r"<td>\d{1,3}\.\d{3}</td>", html)  # decisions with a thousands dot
    assert re.search(r"<td>\d+,\d</td>", html)  # a rate with a decimal comma
    # every figure is an embedded PNG with alt text
    imgs = re.findall(r"<img [^>]*>", html)
    assert len(imgs) == 2
    assert all('src="data:image/png;base64,' in i and re.search(r'alt="[^"]{40,}"', i) for i in imgs)


def test_the_numbers_in_the_report_match_the_store(rendered, demo_db):
    import duckdb

    _, out = rendered
    con = duckdb.connect(str(demo_db), read_only=True)
    n2024 = con.execute("SELECT count(*) FROM complaints WHERE forvaltning = 'BIF' AND year(received) = 2024"
                        ).fetchone()[0]
    d2024 = con.execute("SELECT sum(decisions) FROM decisions WHERE forvaltning = 'BIF' AND year(month) = 2024"
                        ).fetchone()[0]
    con.close()
    wb = load_workbook(out / "klager-bif.xlsx")
    assert len(wb.sheetnames) == 2
    rate_sheet = wb[wb.sheetnames[1]]
    rows = {r[0]: r for r in rate_sheet.iter_rows(values_only=True)}
    row = rows["2024"]
    assert int(str(row[1]).replace(".", "")) == n2024
    assert row[2] == f"{d2024:,}".replace(",", ".")
    assert row[3] == f"{n2024 / d2024 * 1000:.1f}".replace(".", ",")


def test_small_counts_are_suppressed_in_html_and_xlsx(demo_db, tmp_path):
    """ØKF has few complaints: counts under 5 never appear, and a row with one hidden cell hides another."""
    from kvalitet.disclosure import suppress
    import pandas as pd

    table = pd.DataFrame({"a": [3, 10, 0], "b": [12, 2, 7], "c": [20, 30, 1], "I alt": [35, 42, 8]})
    shown, any_hidden = suppress(table[["a", "b", "c"]])
    assert any_hidden
    assert shown.iloc[0].tolist() == ["<5", "x", "20"]  # 3 hidden, and the smallest other (12) to protect it
    assert shown.iloc[1].tolist() == ["10", "<5", "x"] or shown.iloc[1].tolist() == ["x", "<5", "30"]
    assert shown.iloc[2].tolist() == ["0", "x", "<5"]


def test_a_failing_notebook_is_reported_and_does_not_stop_the_others(demo_db, tmp_path, capsys):
    defs = tmp_path / "defs"
    defs.mkdir()
    (defs / "klager.yaml").write_text("title: Klager\nnotebook: klager\nparameters: {period: year, forvaltning: BIF}\n",
                                      encoding="utf-8")
    (defs / "broken.yaml").write_text("title: Fejl\nnotebook: klager\nparameters: {period: decade}\n",
                                      encoding="utf-8")
    out = tmp_path / "out"
    code = main(["report", "--all", "--db", str(demo_db), "--organisation", ORG, "--out", str(out),
                 "--reports-dir", str(defs), "--jobs", "2"])
    err = capsys.readouterr().err
    assert code == 1
    assert "1 af 2 rapporter fejlede" in err
    assert re.search(r"FEJL broken \(klager\.ipynb, celle \d+\): UserError: .*decade", err)
    assert (out / "_executed" / "broken.ipynb").exists()
    assert (out / "klager.html").exists() and (out / "broken.html").exists()
    assert "kvalitet-failed-banner" in (out / "broken.html").read_text(encoding="utf-8")
    assert "Traceback" not in err


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
    assert "klager" in defs and defs["klager"].per_forvaltning


def test_unknown_report_name(demo_db, capsys, tmp_path):
    code = main(["report", "klagr", "--db", str(demo_db), "--organisation", ORG, "--out", str(tmp_path)])
    assert code == 2 and "ukendt rapport: klagr" in capsys.readouterr().err


def test_missing_database_is_a_clear_message(tmp_path, capsys):
    code = main(["report", "--all", "--db", str(tmp_path / "none.duckdb"), "--organisation", ORG])
    assert code == 2 and "databasen findes ikke" in capsys.readouterr().err
