"""Rendered reports publish no hidden number: the klager report and the evaluation reports of the tiny
municipality Småby (tests/tiny_store.py), where Socialforvaltningen received 3 complaints in 2024 (1 upheld) and
Beskæftigelsesforvaltningen 40. The forbidden strings are computed from the definitions: the count 3 in any of
SOF's 2024 cells, its complaint rate 3/1.200 × 1.000 = 2,5, its upheld share 1/3 = 33,3 % and the share of its
topic 3/43 = 7,0 %, and its audit error share 2/3 = 66,7 % (also quoted by the risk picture's reasons). They may
appear nowhere: not in the HTML text, not in an image's alt text, not in the XLSX.
The counts of recommendations (not persons) are shown as they are."""

from __future__ import annotations

import html as html_mod
import re

import pytest
import tiny_store
from openpyxl import load_workbook

from kvalitet.cli import main

#: labels of SOF's rows and of its small topic
SOF_LABELS = ("Socialforvaltningen", "SOF", "Handicap", "Myndighed", "ventetid på hjælpemidler")
FORBIDDEN = [
    re.compile(rf"(?<![\d,]){re.escape(tiny_store.SOF_RATE_2024)}(?!\d)"),
    re.compile(re.escape(tiny_store.SOF_UPHELD_2024)),
    re.compile(rf"(?<![\d,]){re.escape(tiny_store.SOF_TOPIC_SHARE)}\s?%"),
    re.compile(re.escape(tiny_store.SOF_AUDIT_SHARE)),
]


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    folder = tmp_path_factory.mktemp("smaaby-reports")
    db, org = tiny_store.build(folder)
    out = folder / "reports"
    code = main(["report", "klager", "forvaltningsrapport", "--db", str(db), "--organisation", str(org),
                 "--out", str(out), "--jobs", "2"])
    assert code == 0
    return out


def _readable(page: str) -> str:
    """Everything a reader (or a screen reader) gets: the text and the images' alt texts."""
    alts = " ".join(html_mod.unescape(a) for a in re.findall(r'alt="([^"]*)"', page))
    page = re.sub(r"data:image/png;base64,[A-Za-z0-9+/=]+", "", page)
    page = re.sub(r"<style[\s\S]*?</style>", "", page)
    return html_mod.unescape(re.sub(r"<[^>]+>", " ", page)) + " " + alts


def _sof_rows(page: str) -> list[str]:
    """The cells of every table row that belongs to SOF (or its small topic), excluding the recommendations."""
    rows = []
    for table in re.findall(r"<h4>(.*?)</h4>\s*(<table[\s\S]*?</table>)", page):
        title, body = table
        if "anbefalinger" in title:
            continue
        for row in re.findall(r"<tr>([\s\S]*?)</tr>", body):
            cells = [html_mod.unescape(c).strip() for c in re.findall(r"<td>(.*?)</td>", row)]
            if cells and any(label == cells[0] for label in SOF_LABELS):
                rows.append(cells)
    return rows


@pytest.mark.parametrize("name", ["klager", "forvaltningsrapport-sof"])
def test_no_hidden_number_in_the_html(rendered, name):
    page = (rendered / f"{name}.html").read_text(encoding="utf-8")
    text = _readable(page)
    for pattern in FORBIDDEN:
        assert not pattern.search(text), (name, pattern.pattern)
    assert "<5" in text and "Skjult (under 5)" in text
    for cells in _sof_rows(page):
        assert str(tiny_store.SOF_2024) not in cells[1:], (name, cells)


def test_the_hidden_group_is_named_under_the_charts(rendered):
    text = _readable((rendered / "klager.html").read_text(encoding="utf-8"))
    assert f"BIF: {tiny_store.BIF_RATE_2024}. Skjult (under 5): SOF." in text
    assert "Skjult (under 5): ventetid på hjælpemidler" in text
    # the rest is published: BIF's numbers and the whole municipality's
    assert f"BIF: {tiny_store.BIF_UPHELD_2024}\u00a0%" in text
    assert f"{tiny_store.TOTAL_2024} klager i 2024" in text


def test_recommendations_are_counted_not_hidden(rendered):
    page = (rendered / "forvaltningsrapport-sof.html").read_text(encoding="utf-8")
    (body,) = re.findall(r"<h4>Status for Borgerrådgiverens anbefalinger[^<]*</h4>\s*(<table[\s\S]*?</table>)", page)
    cells = [c.strip() for c in re.findall(r"<td>(.*?)</td>", body)]
    assert cells == ["SOF", "1", "3", "2", "6"]
    assert "1 af 6 anbefalinger fra 2024 er gennemført (17\u00a0%) for Socialforvaltningen." in _readable(page)


@pytest.mark.parametrize("name", ["klager", "forvaltningsrapport-sof"])
def test_no_hidden_number_in_the_xlsx(rendered, name):
    wb = load_workbook(rendered / f"{name}.xlsx", read_only=True)
    seen_small = False
    for sheet in wb.sheetnames:
        for row in wb[sheet].iter_rows(values_only=True):
            cells = ["" if v is None else str(v) for v in row]
            seen_small |= "<5" in cells
            for cell in cells:
                for pattern in FORBIDDEN:
                    assert not pattern.search(cell), (name, sheet, cells)
            recommendations = "Borgerrådgiver" in sheet  # 'Status for Borgerrådgiverens anbefalinger'
            if cells and cells[0] in SOF_LABELS and not recommendations:
                assert str(tiny_store.SOF_2024) not in cells[1:], (name, sheet, cells)
            if recommendations and cells and cells[0] == "SOF":
                assert cells == ["SOF", "1", "3", "2", "6"]
    wb.close()
    assert seen_small
