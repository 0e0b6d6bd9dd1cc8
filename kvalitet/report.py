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

from . import formatting, pages, pdf, store, timing, warm
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
    result.timings = timing.of_report(executed, result.seconds, time.perf_counter() - executed_at, spent)
    return result


def export_failed(result: JobResult, out: Path, demo: bool, as_of_label: str) -> None:
    """Export the executed notebook (as far as it ran) to HTML, with the failure banner when the report failed, and
    note the XLSX when it was written."""
    job = result.job
    executed = out / "_executed" / f"{job.name}.ipynb"
    result.executed = executed
    if executed.exists():
        try:
            html_path = out / f"{job.name}.html"
            pages.export_html(executed, html_path, title=job.title, demo=demo, as_of_label=as_of_label,
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
    plan = timing.longest_first(plan, out_dir)
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
    timing.save_durations(results, out_dir)
    outcome = printer.finish() if printer is not None else None
    for r in results:
        r.pdf = outcome.written.get(r.html) if outcome is not None and r.html is not None else None
    index = pages.write_index(results, out_dir, org.municipality, demo, as_of_label)
    failed = [r for r in results if not r.ok]
    for r in sorted(results, key=lambda r: r.job.name):
        if r.ok:
            print(f"  ok   {r.job.name}: {r.html}{' + PDF' if r.pdf else ''} ({r.seconds:.1f} s)")
    if timings:
        timing.print_report(results, engine)
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
