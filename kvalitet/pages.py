"""The HTML pages of a report run: each report as self-contained HTML without code (:func:`export_html`, the
banners and the style sheet it carries), and ``index.html`` linking them all (:func:`write_index`)."""

from __future__ import annotations

import functools
import html
import re
from datetime import date
from pathlib import Path

from . import formatting, pdf

DEMO_BANNER = (
    '<div class="kvalitet-demo-banner" role="note">DEMODATA – tallene i denne rapport er konstruerede og '
    "beskriver ikke virkelige forhold.</div>"
)
FAILED_BANNER = (
    '<div class="kvalitet-failed-banner" role="alert">Rapporten kunne ikke dannes færdig; se fejlen nedenfor. '
    "Tallene er ufuldstændige.</div>"
)
STYLE = """
<style>
.kvalitet-demo-banner{position:sticky;top:0;z-index:10;background:#fff3cd;border-bottom:2px solid #b58900;
  color:#3d2e00;padding:.5em 1em;font-weight:bold;font-family:sans-serif}
.kvalitet-failed-banner{background:#f8d7da;border-bottom:2px solid #a12;padding:.5em 1em;font-family:sans-serif}
body{max-width:62em;margin:auto}
table.kvalitet-table{font-size:.82em;border-collapse:collapse;margin:.3em 0 .2em 0}
table.kvalitet-table th,table.kvalitet-table td{padding:.2em .5em;vertical-align:top;white-space:normal}
table.kvalitet-table th:first-child,table.kvalitet-table td:first-child{text-align:left}
figure{margin:.5em 0}
</style>
<style>""" + pdf.PRINT_CSS + """</style>
"""


def export_html(notebook: Path, target: Path, title: str, demo: bool, as_of_label: str, failed: bool = False) -> None:
    """Self-contained HTML without code: no input cells or prompts, images embedded, no script from the network."""
    import nbformat

    nb = nbformat.read(str(notebook), as_version=4)
    nb.cells = [c for c in nb.cells if "parameters" not in c.get("metadata", {}).get("tags", [])
                and "injected-parameters" not in c.get("metadata", {}).get("tags", [])]
    body, _ = _exporter().from_notebook_node(nb, resources={"metadata": {"name": title}})
    body = make_self_contained(body)
    banners = (DEMO_BANNER if demo else "") + (FAILED_BANNER if failed else "")
    body = body.replace("</head>", STYLE + "</head>", 1)
    body = re.sub(r"(<body[^>]*>)", lambda m: m.group(1) + banners, body, count=1)
    body = re.sub(r"<title>.*?</title>", f"<title>{html.escape(title)}</title>", body, count=1, flags=re.DOTALL)
    body = re.sub(r"<html[^>]*>", '<html lang="da">', body, count=1)
    target.write_text(body, encoding="utf-8")


@functools.lru_cache(maxsize=1)
def _exporter():
    """nbconvert's HTML exporter without code (made once per process: its templates are read and compiled once)."""
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(template_name="lab", exclude_input=True, exclude_input_prompt=True,
                            exclude_output_prompt=True, exclude_anchor_links=True)
    exporter.exclude_output_stdin = True
    return exporter


def warm() -> None:
    """Load and compile the HTML templates now (the warm report engine's zygote, before it forks)."""
    import nbformat

    _exporter().from_notebook_node(nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("x")]))


def make_self_contained(body: str) -> str:
    """Drop every script (a report needs none: MathJax, require.js and mermaid would load from the network) and
    every stylesheet or font fetched from the network; images are already embedded as data URIs."""
    body = re.sub(r"<script\b[\s\S]*?</script>", "", body, flags=re.IGNORECASE)
    body = re.sub(r'<link[^>]+href="https?://[^"]*"[^>]*>', "", body)
    body = re.sub(r"@import url\(['\"]?https?://[^)]*\);?", "", body)
    return body


def write_index(results: list[JobResult], out_dir: Path, municipality: str, demo: bool, as_of_label: str) -> Path:
    """``index.html`` linking every report with its date and data as-of."""
    built = formatting.long_date(date.today())
    rows = []
    for r in sorted(results, key=lambda r: r.job.name):
        if r.html is None:
            rows.append(f"<tr><td>{html.escape(r.job.title)}</td><td colspan='4'>kunne ikke dannes</td></tr>")
            continue
        status = "" if r.ok else " (fejlede – ufuldstændig)"
        xlsx = f"<a href='{r.xlsx.name}'>tabeller (XLSX)</a>" if r.xlsx else ""
        bilag = f"<a href='{r.pdf.name}'>PDF</a>" if r.pdf else ""
        rows.append(
            f"<tr><td><a href='{r.html.name}'>{html.escape(r.job.title)}</a>{status}</td>"
            f"<td>{built}</td><td>{html.escape(as_of_label)}</td><td>{bilag}</td><td>{xlsx}</td></tr>"
        )
    page = f"""<!DOCTYPE html>
<html lang="da"><head><meta charset="utf-8"><title>Rapporter – {html.escape(municipality)}</title>
{STYLE}<style>body{{font-family:sans-serif}} td,th{{padding:.3em .8em;text-align:left}}</style></head>
<body>{DEMO_BANNER if demo else ""}
<h1>Rapporter – {html.escape(municipality)}</h1>
<p>Dannet {built}. Data opgjort pr. {html.escape(as_of_label)}.</p>
<table><thead><tr><th>Rapport</th><th>Dannet</th><th>Data opgjort pr.</th><th>Bilag</th><th>Tabeller</th></tr>
</thead>
<tbody>
{chr(10).join(rows)}
</tbody></table></body></html>
"""
    path = out_dir / "index.html"
    path.write_text(page, encoding="utf-8")
    return path
