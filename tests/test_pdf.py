"""Every report as a PDF bilag (kvalitet.pdf): A4 portrait, "side X af Y", title and municipality in the header, the
demo banner on every page, no blank page, no table row split across pages or cut off at the page's edge, table
headers repeated, headings kept with what follows; without Chromium the HTML is still made, the run says the PDFs were
skipped and how to install the renderer, and the exit code is unaffected. Text is extracted with pypdf."""

from __future__ import annotations

import re
import unicodedata
from html.parser import HTMLParser
from pathlib import Path

import pypdf
import pytest
from test_report import EXPECTED, ORG, render_all

from kvalitet import pdf
from kvalitet.cli import main
from kvalitet.pages import STYLE

CHROMIUM = pdf.find_chromium()
needs_chromium = pytest.mark.skipif(CHROMIUM is None, reason="Chromium er ikke installeret (apt-get install "
                                                             "chromium); .ci/run installerer det")
#: A4 in PostScript points (1/72 inch): 210 × 297 mm
A4_POINTS = (210 / 25.4 * 72, 297 / 25.4 * 72)


def _norm(text: str) -> str:
    """Text for comparing what the HTML holds with what the PDF shows: ligatures unfolded (NFKC), no whitespace
    (line breaks fall differently on paper)."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


class _Rows(HTMLParser):
    """The text of every cell of every table row in an HTML page, and the page's title."""

    def __init__(self):
        super().__init__()
        self.rows: list[list[str]] = []
        self.title = ""
        self._row = self._cell = None
        self._in_title = False

    def handle_starttag(self, tag, attrs):
        if tag == "tr":
            self._row = []
        elif tag in ("td", "th") and self._row is not None:
            self._cell = []
        self._in_title = tag == "title"

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self._row.append("".join(self._cell))
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self.rows.append(self._row)
            self._row = None
        self._in_title = False

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)
        if self._in_title:
            self.title += data


def _parse(html_path: Path) -> _Rows:
    p = _Rows()
    p.feed(html_path.read_text(encoding="utf-8"))
    return p


def split_rows(html_path: Path, pages: list[str]) -> list[list[str]]:
    """The table rows of the HTML whose cells are not all found together on one page of the PDF: a row split across
    two pages, or cut off at the page's right edge (Chromium leaves out what falls outside the page)."""
    normed = [_norm(t) for t in pages]
    return [row for row in _parse(html_path).rows
            if not any(all(_norm(c) in page for c in row) for page in normed)]


def page_texts(path: Path) -> list[str]:
    return [p.extract_text() for p in pypdf.PdfReader(str(path)).pages]


_TEXTS: dict[Path, list[str]] = {}


def _texts(path: Path) -> list[str]:
    if path not in _TEXTS:
        _TEXTS[path] = page_texts(path)
    return _TEXTS[path]


@pytest.fixture(scope="module")
def rendered(demo_db, tmp_path_factory):
    return render_all(demo_db, tmp_path_factory)


@needs_chromium
def test_every_report_has_a_pdf_beside_its_html_linked_from_the_index(rendered):
    code, out, err = rendered
    index = (out / "index.html").read_text(encoding="utf-8")
    for name in EXPECTED:
        assert (out / f"{name}.pdf").is_file(), name
        assert f"href='{name}.pdf'" in index
    assert "PDF FEJL" not in err and "PDF ADVARSEL" not in err and "sprunget over" not in err
    # the broken report's partial HTML is printed too, marked incomplete on every page
    broken = _texts(out / "broken.pdf")
    assert broken and all(pdf.FAILED_TEXT in _squash(t) for t in broken)


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text)


@needs_chromium
@pytest.mark.parametrize("name", ["forvaltningsrapport-sof", "klager", "risikobillede"])
def test_pages_are_a4_numbered_with_title_and_demo_banner_and_none_is_blank(rendered, name):
    _, out, _ = rendered
    path = out / f"{name}.pdf"
    reader = pypdf.PdfReader(str(path))
    texts = _texts(path)
    n = len(reader.pages)
    assert n > 0
    title = _parse(out / f"{name}.html").title.strip()
    assert title
    for k, (page, text) in enumerate(zip(reader.pages, texts), start=1):
        box = page.mediabox
        assert abs(float(box.width) - A4_POINTS[0]) < 2.9 and abs(float(box.height) - A4_POINTS[1]) < 2.9  # 1 mm
        flat = _squash(text)
        assert f"side {k} af {n}" in flat
        assert title in flat and "Københavns Kommune" in flat
        assert pdf.DEMO_TEXT in flat
        assert "Dannet " in flat and "data opgjort pr. 31. december 2024" in flat
        body = flat
        for s in (pdf.DEMO_TEXT, title, "Københavns Kommune", f"side {k} af {n}"):
            body = body.replace(s, "")
        body = re.sub(r"Dannet .*? · data opgjort pr\. 31\. december 2024", "", body).strip()
        has_image = bool(page["/Resources"].get("/XObject"))
        assert body or has_image, f"{name}: side {k} er tom"
    if name.startswith("forvaltningsrapport-"):
        assert all("Socialforvaltningen" in _squash(t) for t in texts)  # the forvaltning on every page


@needs_chromium
def test_no_table_row_is_split_across_pages_or_cut_off_in_any_report(rendered):
    _, out, _ = rendered
    for name in EXPECTED:
        assert split_rows(out / f"{name}.html", _texts(out / f"{name}.pdf")) == [], name


def _page(body: str, extra_css: str = "") -> str:
    return (f'<!DOCTYPE html><html lang="da"><head><meta charset="utf-8"><title>Prøve</title>{STYLE}'
            f"<style>{extra_css}</style></head><body>{body}</body></html>")


def _print(tmp_path: Path, name: str, page: str, demo: bool = False) -> tuple[list[str], pdf.PdfOutcome]:
    html_path = tmp_path / f"{name}.html"
    html_path.write_text(page, encoding="utf-8")
    job = pdf.PdfJob(html_path, html_path.with_suffix(".pdf"), "Prøve", "Testkommune", "1. december 2026",
                     "31. december 2024", demo=demo)
    outcome = pdf.print_reports([job])
    assert outcome.errors == {} and outcome.skipped is None
    return page_texts(job.pdf), outcome


def _long_table() -> str:
    words = "klage afgørelse ankestyrelsen omgørelse sagsbehandling servicemål stikprøve borgerrådgiver".split()
    rows = "".join(
        f"<tr><td>række{i:03d} {' '.join(words[(i + j) % len(words)] for j in range(40))}</td>"
        f"<td>{i * 37 % 1000}</td><td>{' '.join(words[:5])} slut{i:03d}</td></tr>" for i in range(90))
    return ('<table class="kvalitet-table"><thead><tr><th>Overskriftkolonne</th><th>Antal</th><th>Note</th></tr>'
            f"</thead><tbody>{rows}</tbody></table>")


@needs_chromium
def test_a_long_table_keeps_its_rows_whole_and_repeats_its_header_on_every_page(tmp_path):
    texts, _ = _print(tmp_path, "lang", _page(_long_table()))
    assert len(texts) >= 3
    assert all("Overskriftkolonne" in t for t in texts)
    assert split_rows(tmp_path / "lang.html", texts) == []
    # the check can fail: the same table printed letting rows break shows split rows
    loose = "@media print{tr,th,td{break-inside:auto!important;page-break-inside:auto!important;orphans:1;widows:1}}"
    texts, _ = _print(tmp_path, "loes", _page(_long_table(), loose))
    assert split_rows(tmp_path / "loes.html", texts) != []


@needs_chromium
def test_a_heading_is_kept_with_the_figure_after_it(tmp_path):
    # a filler leaves room on page 1 for the heading but not for the figure after it
    body = ('<div style="height:232mm">fyld</div><h2>Overskrift før figur</h2>'
            '<figure><div style="height:90mm;background:#ccc"></div><figcaption>Figurtekst</figcaption></figure>')

    def page_of(texts, s):
        return next(k for k, t in enumerate(texts) if s in t)

    texts, _ = _print(tmp_path, "kept", _page(body))
    assert page_of(texts, "Overskrift før figur") == page_of(texts, "Figurtekst") == 1
    texts, _ = _print(tmp_path, "alone", _page(body, "@media print{h2{break-after:auto!important}}"))
    assert page_of(texts, "Overskrift før figur") == 0 and page_of(texts, "Figurtekst") == 1


@needs_chromium
def test_nothing_is_wider_than_the_page(tmp_path):
    cols = 12
    head = "".join(f"<th>Kolonneoverskrift{i}</th>" for i in range(cols))
    cells = "".join(f"<td>Omgørelsesprocent{i}</td>" for i in range(cols))
    wide = (f'<table class="kvalitet-table"><thead><tr>{head}</tr></thead><tbody><tr>{cells}</tr></tbody></table>'
            '<img alt="bred" style="width:3000px;height:200px" src="data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEA'
            'AAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==">'
            '<pre>' + "x" * 400 + "</pre>")
    texts, outcome = _print(tmp_path, "bred", _page(wide), demo=True)
    assert outcome.too_wide == {}
    assert split_rows(tmp_path / "bred.html", texts) == []  # every cell whole on the page, none cut off
    assert all(pdf.DEMO_TEXT in _squash(t) for t in texts)


def test_without_chromium_the_html_is_made_the_pdfs_are_skipped_with_a_hint_and_the_exit_code_is_kept(
        demo_db, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("KVALITET_CHROMIUM", "")
    out = tmp_path / "reports"
    out.mkdir()
    (out / "borgerraadgiver.pdf").write_bytes(b"%PDF- an old bilag")  # from an earlier run: must not survive
    code = main(["report", "borgerraadgiver", "--db", str(demo_db), "--organisation", ORG, "--out", str(out),
                 "--jobs", "1"])
    captured = capsys.readouterr()
    assert code == 0
    assert (out / "borgerraadgiver.html").is_file()
    assert not (out / "borgerraadgiver.pdf").exists()
    assert "PDF-bilagene er sprunget over" in captured.err and "apt-get install chromium" in captured.err
    assert ".pdf'" not in (out / "index.html").read_text(encoding="utf-8")
    assert "Traceback" not in captured.err
