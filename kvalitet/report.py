"""Rendering reports: validated report definitions, papermill execution in parallel, self-contained HTML, an index.

A report definition is a YAML file in ``parameters/reports/``::

    title: Klager
    notebook: klager            # notebooks/klager.ipynb
    per_forvaltning: true       # one report per forvaltning in the organisation file
    parameters:                 # values for the notebook's parameters cell
      period: year

A key that is not known, or a parameter the notebook does not have, is an error naming the file and the key.
Each notebook runs in its own kernel (N at a time), talking to it over IPC where the platform allows. A failing
notebook does not stop the others: the summary at the end names its notebook, cell and error, the executed notebook
is kept in ``reports/_executed/`` for inspection, and the command exits 1.
"""

from __future__ import annotations

import functools
import html
import os
import re
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from datetime import date
from multiprocessing import get_context
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from . import formatting, pdf, store, timing, warm
from . import organisation as org_mod
from .errors import UserError

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
DEFAULT_REPORTS_DIR = Path("parameters") / "reports"
#: parameters every report notebook receives from the runner (a notebook must declare them)
RUNNER_PARAMETERS = ("db", "organisation", "as_of", "tables_path")
#: seconds a report may run before it is stopped (``--timeout``)
DEFAULT_TIMEOUT = 1800.0
ENGINES = ("warm", "kernel")


class ReportDefinition(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    title: str = Field(min_length=1)
    notebook: str = Field(min_length=1)
    description: str | None = None
    per_forvaltning: bool = False
    parameters: dict[str, Any] = Field(default_factory=dict)


@dataclass
class Job:
    name: str
    title: str
    notebook: Path
    parameters: dict[str, Any]
    forvaltning: str | None = None


@dataclass
class JobResult:
    job: Job
    ok: bool
    html: Path | None = None
    xlsx: Path | None = None
    pdf: Path | None = None
    executed: Path | None = None
    seconds: float = 0.0
    error: str | None = None
    cell: int | None = None
    warnings: list[str] = field(default_factory=list)
    #: seconds by step (:func:`_timings`): start, compute, charts, export, total
    timings: dict[str, float] = field(default_factory=dict)


def notebook_parameters(path: Path) -> dict[str, Any]:
    """Names and default values declared in the notebook's ``parameters`` cell."""
    import papermill

    return {k: v.get("default") for k, v in papermill.inspect_notebook(str(path)).items()}


def load_definitions(reports_dir: Path) -> dict[str, ReportDefinition]:
    """Every report definition in the folder, validated against its notebook's parameters."""
    if not reports_dir.is_dir():
        raise UserError(f"{reports_dir}: mappen med rapportdefinitioner findes ikke")
    out: dict[str, ReportDefinition] = {}
    for path in sorted(reports_dir.glob("*.yaml")):
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except yaml.YAMLError as exc:
            raise UserError(f"{path}: kan ikke læses som YAML: {exc}") from None
        try:
            definition = ReportDefinition.model_validate(data or {})
        except ValidationError as exc:
            lines = []
            for err in exc.errors():
                loc = ".".join(str(x) for x in err["loc"]) or "(filen)"
                msg = {"extra_forbidden": "ukendt nøgle", "missing": "mangler"}.get(err["type"], err["msg"])
                lines.append(f"  {loc}: {msg}")
            raise UserError(f"{path}: rapportdefinitionen er ikke gyldig:\n" + "\n".join(lines)) from None
        nb = NOTEBOOKS / f"{definition.notebook}.ipynb"
        if not nb.exists():
            known = ", ".join(p.stem for p in sorted(NOTEBOOKS.glob("*.ipynb")))
            raise UserError(f"{path}: notebook: '{definition.notebook}' findes ikke i notebooks/ (findes: {known})")
        declared = notebook_parameters(nb)
        for key in definition.parameters:
            if key not in declared:
                raise UserError(
                    f"{path}: parameters.{key}: notebooken {nb.name} har ingen parameter '{key}' "
                    f"(den har: {', '.join(declared)})"
                )
        if definition.per_forvaltning and "forvaltning" not in declared:
            raise UserError(f"{path}: per_forvaltning: notebooken {nb.name} har ingen parameter 'forvaltning'")
        out[path.stem] = definition
    if not out:
        raise UserError(f"{reports_dir}: ingen rapportdefinitioner (*.yaml)")
    return out


def plan_jobs(definitions: dict[str, ReportDefinition], names: list[str], organisation: org_mod.Organisation,
              common: dict[str, Any]) -> list[Job]:
    unknown = [n for n in names if n not in definitions]
    if unknown:
        raise UserError(f"ukendt rapport: {', '.join(unknown)} (kendte: {', '.join(definitions)})")
    jobs = []
    for name in names or list(definitions):
        d = definitions[name]
        nb = NOTEBOOKS / f"{d.notebook}.ipynb"
        if d.per_forvaltning:
            for f in organisation.forvaltninger:
                params = {**d.parameters, **common, "forvaltning": f.code}
                jobs.append(Job(f"{name}-{_slug(f.code)}", f"{d.title} – {f.name}", nb, params, f.code))
        else:
            jobs.append(Job(name, d.title, nb, {**d.parameters, **common}))
    return jobs


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.casefold().replace("æ", "ae").replace("ø", "oe").replace("å", "aa"))


def _render(job: Job, out_dir: str, demo: bool, as_of_label: str, engine: str = "kernel",
            timeout: float | None = None) -> JobResult:
    """Execute one notebook and export it to HTML without code. ``engine="kernel"``: in its own kernel (over IPC),
    in a worker process; ``"warm"``: in this process (a child of :mod:`kvalitet.warm`'s zygote)."""
    import papermill
    from papermill.exceptions import PapermillExecutionError

    out = Path(out_dir)
    executed = out / "_executed" / f"{job.name}.ipynb"
    executed.parent.mkdir(parents=True, exist_ok=True)
    xlsx = out / f"{job.name}.xlsx"
    params = {**job.parameters, "tables_path": str(xlsx)}
    start = time.perf_counter()
    result = JobResult(job, ok=False, executed=executed)
    os.environ.setdefault("MPLBACKEND", "Agg")
    with tempfile.TemporaryDirectory(prefix="kvalitet-kernel-") as tmp:
        os.environ[timing.ENV] = counted = os.path.join(tmp, "timings.json")  # the kernel or this process writes it
        if engine == "warm":
            from . import inprocess

            run = {"engine_name": inprocess.ENGINE}
        else:
            run = {"km": _kernel_manager(tmp), "execution_timeout": timeout}
        try:
            papermill.execute_notebook(
                str(job.notebook), str(executed), parameters=params, kernel_name="python3", progress_bar=False,
                cwd=str(job.notebook.parent), log_output=False, **run,
            )
            result.ok = True
        except PapermillExecutionError as exc:
            result.cell = exc.exec_count
            result.error = f"{exc.ename}: {_strip_ansi(str(exc.evalue))}"
        except Exception as exc:  # kernel died, notebook unreadable, …: reported, never fatal to the others
            result.error = f"{type(exc).__name__}: {_strip_ansi(str(exc))}"
        finally:
            try:  # we own the kernel manager, so we shut its kernel down
                if "km" in run and run["km"].has_kernel:
                    run["km"].shutdown_kernel(now=True)
            except Exception:
                pass
        spent = timing.read(Path(counted))
    executed_at = time.perf_counter()
    export_failed(result, out, demo, as_of_label)
    result.seconds = time.perf_counter() - start
    result.timings = _timings(executed, result.seconds, time.perf_counter() - executed_at, spent)
    return result


def _timings(executed: Path, total: float, export: float, spent: dict[str, float]) -> dict[str, float]:
    """Where a report's seconds went: ``start`` (the kernel or the fork, papermill's preparation), ``compute`` (the
    cells, less charts and XLSX), ``charts`` (drawing and PNG), ``export`` (HTML and XLSX), ``total``."""
    import nbformat

    try:
        nb = nbformat.read(str(executed), as_version=4)
        cells = sum(c.metadata.get("papermill", {}).get("duration") or 0.0 for c in nb.cells)
    except Exception:
        cells = 0.0
    charts, xlsx = spent.get("charts", 0.0), spent.get("xlsx", 0.0)
    return {"start": max(0.0, total - cells - export), "compute": max(0.0, cells - charts - xlsx),
            "charts": charts, "export": export + xlsx, "total": total}


def export_failed(result: JobResult, out: Path, demo: bool, as_of_label: str) -> None:
    """Export the executed notebook (as far as it ran) to HTML, with the failure banner when the report failed, and
    note the XLSX when it was written."""
    job = result.job
    executed = out / "_executed" / f"{job.name}.ipynb"
    result.executed = executed
    if executed.exists():
        try:
            html_path = out / f"{job.name}.html"
            export_html(executed, html_path, title=job.title, demo=demo, as_of_label=as_of_label,
                        failed=not result.ok)
            result.html = html_path
        except Exception as exc:
            result.ok = False
            result.error = (result.error or "") + f" (HTML-eksport fejlede: {type(exc).__name__}: {exc})"
    xlsx = out / f"{job.name}.xlsx"
    result.xlsx = xlsx if xlsx.exists() else None


def _kernel_manager(tmp: str):
    """A kernel manager using IPC (Unix sockets) where the platform has them, else TCP on localhost."""
    from jupyter_client.manager import KernelManager

    if sys.platform.startswith("win"):
        return KernelManager(kernel_name="python3")
    return KernelManager(kernel_name="python3", transport="ipc", ip=os.path.join(tmp, "kernel"))


def _strip_ansi(text: str) -> str:
    return re.sub(r"\x1b\[[0-9;]*m", "", text).strip()


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


def warm_exporter() -> None:
    """Load and compile the HTML templates now (the warm engine's zygote, before it forks)."""
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


def default_as_of_label(con, as_of: date | None = None) -> str:
    """The date a report run is "opgjort pr.": the given ``as_of``; else the exports' as-of dates in ``ingest_log``
    (one date, or the range from the earliest to the latest table: ``15. januar–31. januar 2024``); else the
    ``as_of`` the demo database records; else the newest date in the data. Each indicator itself is computed as of
    its own tables' exports (:func:`kvalitet.indicators.data_as_of`)."""
    from .indicators import data_as_of

    if as_of:
        return formatting.long_date(as_of)
    asof = data_as_of(con)
    if not asof.logged and store.get_meta(con, "as_of"):
        return formatting.long_date(store.get_meta(con, "as_of"))
    return asof.label


def check_fokus(definitions: dict[str, ReportDefinition], names: list[str], organisation: org_mod.Organisation,
                db_path: Path, as_of: date | None, reports_dir: Path) -> None:
    """A definition that asks for a FOKUS ``mode`` (and ``year``) must fit the organisation file's FOKUS cycle: a
    status in an evaluation year is an error naming the file, before anything is rendered."""
    asked = {n: d for n, d in definitions.items() if (not names or n in names) and "mode" in d.parameters
             and (d.parameters["mode"] or d.parameters.get("year"))}
    if not asked:
        return
    from .sections.fokus import check_definition

    con = store.connect(db_path, read_only=True)
    try:
        for name, d in asked.items():
            try:
                check_definition(con, organisation, d.parameters.get("year"), d.parameters["mode"] or None, as_of)
            except UserError as exc:
                raise UserError(f"{reports_dir / (name + '.yaml')}: parameters: {exc}") from None
    finally:
        con.close()


def run_reports(names: list[str] | None = None, all_reports: bool = False, db=None, organisation=None,
                as_of: date | None = None, out="reports", jobs: int | None = None, reports_dir=None,
                progress: bool = True, pdfs: bool = True, engine: str = "warm", timeout: float = DEFAULT_TIMEOUT,
                timings: bool = False) -> int:
    """Render the named reports (or all), each also as a PDF bilag (:mod:`kvalitet.pdf`) unless ``pdfs`` is false;
    print a summary; return the exit code (0 all ok, 1 some failed). ``engine``: ``"warm"`` (:mod:`kvalitet.warm`,
    the default) or ``"kernel"`` (a fresh kernel per notebook); ``timeout``: seconds a report may run (the warm
    engine stops it; the kernel engine stops a cell that runs that long). PDFs that could not be made (no Chromium, or
    the browser failed on a report) are reported but do not change the exit code: the HTML is the report."""
    names = list(names or [])
    if all_reports and names:
        raise UserError("angiv enten rapportnavne eller --all, ikke begge")
    org = org_mod.load(organisation)
    org_path = org_mod.resolve_path(organisation).resolve()
    db_path = store.resolve_db(db).resolve()
    con = store.connect(db_path, read_only=True)
    try:
        demo = store.is_demo(con)
        as_of_label = default_as_of_label(con, as_of)
    finally:
        con.close()
    if engine not in ENGINES:
        raise UserError(f"ukendt motor '{engine}' (vælg {' eller '.join(ENGINES)})")
    if engine == "warm" and warm.unavailable():
        print(f"Den varme motor kan ikke bruges ({warm.unavailable()}); hver rapport får sin egen kerne.",
              file=sys.stderr)
        engine = "kernel"
    # the zygote imports and precomputes while the definitions are checked
    zygote = warm.Zygote({"db": str(db_path), "organisation": str(org_path), "as_of": as_of}) \
        if engine == "warm" else None
    try:
        as_of_value = as_of.isoformat() if as_of else None
        reports_path = Path(reports_dir) if reports_dir else ROOT / DEFAULT_REPORTS_DIR
        definitions = load_definitions(reports_path)
        common = {"db": str(db_path), "organisation": str(org_path), "as_of": as_of_value}
        plan = plan_jobs(definitions, names, org, common)
        check_fokus(definitions, names, org, db_path, as_of, reports_path)
    except BaseException:
        if zygote is not None:
            zygote.stop()
        raise
    out_dir = Path(out).resolve()
    out_dir.mkdir(parents=True, exist_ok=True)
    n_jobs = max(1, jobs or os.cpu_count() or 1)
    what = "samtidige kerner" if engine == "kernel" else "samtidige processer (den varme motor)"
    print(f"Danner {len(plan)} rapporter med {min(n_jobs, len(plan))} {what} …", file=sys.stderr)
    results: list[JobResult] = []
    for j in plan:  # a bilag from an earlier run never stays beside a newer HTML
        (out_dir / f"{j.name}.pdf").unlink(missing_ok=True)
    printer = pdf.Printer() if pdfs else None  # one browser, printing each report as soon as its HTML is written
    if zygote is not None:
        rendered = zygote.run(plan, str(out_dir), demo, as_of_label, n_jobs, timeout)
    else:
        rendered = _run_kernels(plan, str(out_dir), demo, as_of_label, n_jobs, timeout)
    bar = _progress(len(plan), progress)
    for result in rendered:
        results.append(result)
        if printer is not None and result.html is not None:
            printer.submit(pdf_job(result, org, demo, as_of_label))
        if bar:
            bar.update(1)
    if bar:
        bar.close()
    outcome = printer.finish() if printer is not None else None
    for r in results:
        r.pdf = outcome.written.get(r.html) if outcome is not None and r.html is not None else None
    index = write_index(results, out_dir, org.municipality, demo, as_of_label)
    failed = [r for r in results if not r.ok]
    for r in sorted(results, key=lambda r: r.job.name):
        if r.ok:
            print(f"  ok   {r.job.name}: {r.html}{' + PDF' if r.pdf else ''} ({r.seconds:.1f} s)")
    if timings:
        print_timings(results, engine)
    if outcome is not None:
        _print_pdf_summary(outcome, results)
    if failed:
        print(f"\n{len(failed)} af {len(results)} rapporter fejlede:", file=sys.stderr)
        for r in failed:
            where = f"celle {r.cell}" if r.cell is not None else "før første celle"
            print(f"  FEJL {r.job.name} ({r.job.notebook.name}, {where}): {r.error}", file=sys.stderr)
            if r.executed and r.executed.exists():
                print(f"       den kørte notebook er gemt til eftersyn: {r.executed}", file=sys.stderr)
    print(f"Oversigt: {index}")
    return 1 if failed else 0


TIMING_STEPS = {"start": "start", "compute": "beregning", "charts": "figurer", "export": "eksport"}


def print_timings(results: list[JobResult], engine: str) -> None:
    """``--timings``: each report's seconds by step, and the sums (in seconds of work, not wall time)."""
    rows = sorted((r for r in results if r.timings), key=lambda r: r.job.name)
    if not rows:
        return
    width = max(len(r.job.name) for r in rows)
    head = "".join(f"{label:>11}" for label in TIMING_STEPS.values())
    print(f"\nTid pr. rapport i sekunder ({'den varme motor' if engine == 'warm' else 'en kerne pr. rapport'}):")
    print(f"  {'rapport':<{width}}{head}{'i alt':>9}")
    for r in rows:
        cells = "".join(f"{formatting.number(r.timings.get(k, 0.0), 1):>11}" for k in TIMING_STEPS)
        print(f"  {r.job.name:<{width}}{cells}{formatting.number(r.timings['total'], 1):>9}")
    sums = {k: sum(r.timings.get(k, 0.0) for r in rows) for k in [*TIMING_STEPS, "total"]}
    cells = "".join(f"{formatting.number(sums[k], 1):>11}" for k in TIMING_STEPS)
    print(f"  {'sum':<{width}}{cells}{formatting.number(sums['total'], 1):>9}")


def _run_kernels(plan: list[Job], out_dir: str, demo: bool, as_of_label: str, jobs: int, timeout: float):
    """The classic engine: each notebook in a fresh kernel, ``jobs`` at a time (worker processes started with spawn);
    the results as they are done."""
    with ProcessPoolExecutor(max_workers=jobs, mp_context=get_context("spawn")) as pool:
        futures = {pool.submit(_render, j, out_dir, demo, as_of_label, "kernel", timeout): j for j in plan}
        for fut in as_completed(futures):
            try:
                yield fut.result()
            except Exception as exc:  # the worker itself died
                yield JobResult(futures[fut], ok=False, error=f"{type(exc).__name__}: {exc}")


def pdf_job(result: JobResult, org: org_mod.Organisation, demo: bool, as_of_label: str) -> pdf.PdfJob:
    """The PDF bilag of a rendered report: ``<name>.pdf`` beside its HTML, its title and the municipality in the
    header, the date it was made and the data's as-of date in the footer, marked when the report failed."""
    return pdf.PdfJob(result.html, result.html.with_suffix(".pdf"), result.job.title, org.display_name,
                      formatting.long_date(date.today()), as_of_label, demo, failed=not result.ok)


def _print_pdf_summary(outcome: pdf.PdfOutcome, results: list[JobResult]) -> None:
    if outcome.skipped:
        print(f"\nPDF-bilagene er sprunget over (HTML-rapporterne er dannet): {outcome.skipped}", file=sys.stderr)
        return
    names = {r.html: r.job.name for r in results if r.html is not None}
    for html_path, error in outcome.errors.items():
        print(f"  PDF FEJL {names.get(html_path, html_path.stem)}: {error} (HTML-rapporten er dannet)",
              file=sys.stderr)
    for html_path, wide in outcome.too_wide.items():
        print(f"  PDF ADVARSEL {names.get(html_path, html_path.stem)}: bredere end siden og skåret af i PDF'en: "
              + "; ".join(wide[:3]), file=sys.stderr)
    if outcome.written:
        print(f"PDF-bilag: {len(outcome.written)} skrevet på {outcome.seconds:.1f} s (én Chromium)")


def _progress(total: int, enabled: bool):
    if not enabled:
        return None
    try:
        from tqdm import tqdm
    except ImportError:  # pragma: no cover
        return None
    return tqdm(total=total, desc="rapporter", unit="rapport", file=sys.stderr, disable=not sys.stderr.isatty())
