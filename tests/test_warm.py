"""The warm report engine (kvalitet.warm, kvalitet.inprocess): the same reports as a fresh kernel per notebook, each
report isolated from the others (an exception, a hang, a dying interpreter fail alone and are named), no state from
one report in the next, no fork while other threads are alive, and the classic engine when fork is missing."""

from __future__ import annotations

import contextlib
import io
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import nbformat
import pytest
from conftest import ROOT

from kvalitet import report, warm
from kvalitet.cli import main

ORG = str(ROOT / "parameters" / "organisation.yaml")
PARAMETERS = 'db = None\norganisation = None\nas_of = None\ntables_path = None\n'


def _notebook(folder: Path, name: str, *cells: str) -> None:
    first = nbformat.v4.new_code_cell(PARAMETERS)
    first.metadata["tags"] = ["parameters"]
    nb = nbformat.v4.new_notebook(cells=[first] + [nbformat.v4.new_code_cell(textwrap.dedent(c)) for c in cells])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, folder / f"{name}.ipynb")
    (folder / "defs").mkdir(exist_ok=True)
    (folder / "defs" / f"{name}.yaml").write_text(f"title: {name}\nnotebook: {name}\n", encoding="utf-8")


def _run(folder: Path, demo_db, monkeypatch, *args: str) -> tuple[int, str, str, Path]:
    monkeypatch.setattr(report, "NOTEBOOKS", folder)
    out = folder / "out"
    stdout, stderr = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
        code = main(["report", "--all", "--db", str(demo_db), "--organisation", ORG, "--out", str(out),
                     "--reports-dir", str(folder / "defs"), "--no-pdf", *args])
    return code, stdout.getvalue(), stderr.getvalue(), out


def _outputs(out: Path, name: str) -> list:
    nb = nbformat.read(str(out / "_executed" / f"{name}.ipynb"), as_version=4)
    return [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]


def test_a_report_that_raises_hangs_or_dies_fails_alone(demo_db, tmp_path, monkeypatch):
    pidfile = tmp_path / "sleeper.pid"
    _notebook(tmp_path, "a_ok", """
        from kvalitet import charts, disclosure
        from kvalitet.present import Report
        import matplotlib.pyplot as plt
        import pandas as pd
        rep = Report.open(db, organisation, as_of, tables_path)
        rep.text("Alt gik godt.")
        plt.figure()  # left open: never shown (Agg), as in a kernel
        data = disclosure.disclose(pd.DataFrame({"navn": ["a", "b"], "Antal": [7, 9]}), counts=["Antal"])
        rep.figure(charts.hbar(data, "navn", "Antal", "To søjler"), "Søjlediagram over to tal")
        print("skrevet")
        rep.save()
        rep.close()
        """)
    _notebook(tmp_path, "b_raises", "x = 1", "raise ValueError('med vilje')", "print('aldrig')")
    _notebook(tmp_path, "c_hangs", f"""
        import subprocess, time
        child = subprocess.Popen(["sleep", "600"])
        open({str(pidfile)!r}, "w").write(str(child.pid))
        """, "time.sleep(600)")
    _notebook(tmp_path, "d_dies", "print('før')", "import os\nos._exit(3)")
    code, stdout, err, out = _run(tmp_path, demo_db, monkeypatch, "--jobs", "2", "--timeout", "8")
    assert code == 1
    assert "den varme motor" in err
    assert "ok   a_ok" in stdout
    assert "3 af 4 rapporter fejlede" in err
    assert re.search(r"FEJL b_raises \(b_raises\.ipynb, celle 4\): ValueError: med vilje", err)
    assert re.search(r"FEJL c_hangs \(c_hangs\.ipynb, celle 4\): Tidsgrænse: .*8 s", err)
    assert re.search(r"FEJL d_dies \(d_dies\.ipynb, celle 4\): Processen døde: .*kode 3", err)
    assert "Traceback" not in err
    # the report that hung had its whole process group killed, its own child process too
    sleeper = int(pidfile.read_text())
    with pytest.raises(ProcessLookupError):
        for _ in range(50):
            os.kill(sleeper, 0)
            import time

            time.sleep(0.1)
    # the good report is whole: its text, one figure (the open one is not drawn), its print, its XLSX
    kinds = [(o.output_type, sorted(o.get("data", {}))) for o in _outputs(out, "a_ok")]
    assert kinds == [("display_data", ["text/markdown", "text/plain"]), ("display_data", ["text/html", "text/plain"]),
                     ("stream", [])]
    html = (out / "a_ok.html").read_text(encoding="utf-8")
    assert html.count("<img") == 1 and "Alt gik godt." in html and 'class="kvalitet-failed-banner"' not in html
    assert (out / "a_ok.xlsx").exists()
    # the failed ones keep what they had done, with the failure banner
    assert 'class="kvalitet-failed-banner"' in (out / "d_dies.html").read_text(encoding="utf-8")
    assert [o.text for o in _outputs(out, "d_dies") if o.output_type == "stream"] == ["før\n"]
    errors = [o for o in _outputs(out, "b_raises") if o.output_type == "error"]
    assert [(e.ename, e.evalue) for e in errors] == [("ValueError", "med vilje")]


def test_no_state_passes_from_one_report_to_the_next(demo_db, tmp_path, monkeypatch):
    _notebook(tmp_path, "a_sets", """
        import os, matplotlib, pandas as pd
        from kvalitet import formatting
        formatting.MISSING = "LÆK"
        pd.set_option("display.max_rows", 3)
        matplotlib.rcParams["lines.linewidth"] = 9.5
        os.environ["KVALITET_LAEK"] = "1"
        GLOBAL_FRA_A = 1
        """)
    _notebook(tmp_path, "b_checks", """
        import os, matplotlib, pandas as pd
        from kvalitet import formatting
        assert formatting.MISSING == "–", formatting.MISSING
        assert pd.get_option("display.max_rows") == 60
        assert matplotlib.rcParams["lines.linewidth"] != 9.5
        assert "KVALITET_LAEK" not in os.environ
        assert "GLOBAL_FRA_A" not in globals()
        import gc
        print("rent", gc.get_freeze_count() > 0)  # the zygote's objects frozen: the collector leaves their pages
        """)
    code, stdout, err, out = _run(tmp_path, demo_db, monkeypatch, "--jobs", "1", "--timings")
    assert code == 0, err
    assert [o.text for o in _outputs(out, "b_checks")] == ["rent True\n"]
    # --timings: a line per report, start + compute + charts + export = total (to the printed rounding)
    assert "Tid pr. rapport i sekunder (den varme motor)" in stdout
    for name in ("a_sets", "b_checks"):
        cells = re.search(rf"^  {name}\s+(.*)$", stdout, re.M).group(1).split()
        start, compute, charts, export, total = (float(c.replace(",", ".")) for c in cells)
        assert charts == 0.0 and abs(start + compute + export - total) <= 0.2


def test_without_fork_the_classic_engine_runs_and_says_so(demo_db, tmp_path, monkeypatch):
    _notebook(tmp_path, "a_ok", "print(1 + 1)")
    monkeypatch.setattr(warm, "unavailable", lambda: "os.fork findes ikke på denne platform")
    code, stdout, err, out = _run(tmp_path, demo_db, monkeypatch, "--timings")
    assert code == 0, err
    assert "Den varme motor kan ikke bruges (os.fork findes ikke på denne platform)" in err
    assert "samtidige kerner" in err
    assert [o.text for o in _outputs(out, "a_ok")] == ["2\n"]
    assert "en kerne pr. rapport" in stdout and re.search(r"a_ok\s+[\d,]+\s+[\d,]+\s+[\d,]+\s+[\d,]+\s+[\d,]+", stdout)


def test_matplotlib_without_a_config_directory_is_set_up_once(demo_db, tmp_path, monkeypatch):
    """With no usable config directory matplotlib makes a temporary one and builds its font cache there: once, in the
    zygote (a kernel per report would do it for each, and write the warning into every report); the children exit
    without running the zygote's exit handlers, so the directory stays for the next report."""
    blocker = tmp_path / "a-file"
    blocker.write_text("x", encoding="utf-8")
    monkeypatch.setenv("MPLCONFIGDIR", str(blocker / "matplotlib"))
    for name in ("a_first", "b_second"):
        _notebook(tmp_path, name, """
            import matplotlib, pandas as pd
            from kvalitet import charts, disclosure
            from kvalitet.present import Report
            rep = Report.open(db, organisation, as_of, tables_path)
            data = disclosure.disclose(pd.DataFrame({"navn": ["a", "b"], "Antal": [7, 9]}), counts=["Antal"])
            rep.figure(charts.hbar(data, "navn", "Antal", "To søjler"), "Søjlediagram over to tal")
            import os
            assert os.path.isdir(matplotlib.get_cachedir()), matplotlib.get_cachedir()
            rep.close()
            """)
    code, stdout, err, out = _run(tmp_path, demo_db, monkeypatch, "--jobs", "1")
    assert code == 0, err
    for name in ("a_first", "b_second"):
        assert (out / f"{name}.html").read_text(encoding="utf-8").count("<img") == 1
        assert not [o for o in _outputs(out, name) if o.output_type == "stream"]


def _fork_hazard(code: str, env: dict) -> str:
    script = "import sys; sys.path.insert(0, %r)\n%s\nfrom kvalitet.warm import fork_hazard\nprint(fork_hazard())"
    return subprocess.run([sys.executable, "-c", script % (str(ROOT), code)], capture_output=True, text=True,
                          env=env, check=True).stdout.strip()


def test_no_fork_while_duckdb_or_blas_threads_are_alive():
    single = {**os.environ, **warm.SINGLE_THREADED}
    # DuckDB's worker threads live while a database is open, and end when it is closed
    assert "tråde" in _fork_hazard("import duckdb; con = duckdb.connect(); con.execute('select 1')", single)
    assert _fork_hazard("import duckdb; con = duckdb.connect(); con.execute('select 1'); con.close()",
                        single) == "None"
    # so does the module's default connection once used
    assert "tråde" in _fork_hazard("import duckdb; duckdb.sql('select 1').fetchall()", single)
    # numpy's BLAS starts a thread pool unless told to use one thread (the zygote is)
    assert _fork_hazard("import numpy; numpy.ones((200, 200)) @ numpy.ones((200, 200))", single) == "None"
    multi = {k: v for k, v in os.environ.items() if k not in warm.SINGLE_THREADED}
    found = _fork_hazard("import numpy; numpy.ones((200, 200)) @ numpy.ones((200, 200))", multi)
    assert found == "None" if os.cpu_count() == 1 else "tråde" in found


def test_in_process_outputs_are_those_of_a_kernel(tmp_path):
    """display(), a last expression, print, stderr and an error, executed in-process and by a kernel: the same
    outputs."""
    import papermill

    from kvalitet import inprocess

    inprocess.register()
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in (
        "from IPython.display import HTML, Markdown, display\ndisplay(Markdown('**fed**'))\ndisplay(HTML('<b>x</b>'))",
        "print('a')\nprint('b')\nimport sys\nprint('c', file=sys.stderr)",
        "1 + 1",
        "2 + 2;",
        "{'a': 1}",
    )])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, tmp_path / "in.ipynb")
    papermill.execute_notebook(str(tmp_path / "in.ipynb"), str(tmp_path / "warm.ipynb"), engine_name=inprocess.ENGINE,
                               kernel_name="python3", progress_bar=False)
    papermill.execute_notebook(str(tmp_path / "in.ipynb"), str(tmp_path / "kernel.ipynb"), kernel_name="python3",
                               progress_bar=False)

    def cells(name):
        got = nbformat.read(str(tmp_path / name), as_version=4)
        return [(c.execution_count, [{k: v for k, v in o.items()} for o in c.outputs]) for c in got.cells]

    assert cells("warm.ipynb") == cells("kernel.ipynb")
    assert cells("warm.ipynb")[2] == (3, [{"output_type": "execute_result", "data": {"text/plain": "2"},
                                           "metadata": {}, "execution_count": 3}])


def _visible(html: str) -> tuple[str, list[str]]:
    """What a reader reads (text without tags, style sheets and image data) and every image's alt text."""
    alts = re.findall(r'<img [^>]*alt="([^"]*)"', html)
    html = re.sub(r"data:image/png;base64,[A-Za-z0-9+/=]+", "", html)
    html = re.sub(r"<style[\s\S]*?</style>", "", html)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)), alts


def _sheets(path: Path) -> dict[str, list[tuple]]:
    from openpyxl import load_workbook

    book = load_workbook(path, read_only=True)
    return {ws.title: [tuple(r) for r in ws.iter_rows(values_only=True)] for ws in book.worksheets}


def test_both_engines_render_the_same_reports(demo_db, tmp_path_factory):
    """Every shipped report on the demo, by the warm engine (test_report.py's run) and by a fresh kernel per notebook:
    the same text, the same alt texts, the same XLSX; only the PNG bytes may differ."""
    from test_report import EXPECTED, render_all

    _, warm_out, _ = render_all(demo_db, tmp_path_factory)
    kernel_out = tmp_path_factory.mktemp("kernel-engine")
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        code = main(["report", "--all", "--db", str(demo_db), "--organisation", ORG, "--out", str(kernel_out),
                     "--jobs", "2", "--engine", "kernel", "--no-pdf"])
    assert code == 0, err.getvalue()
    assert "samtidige kerner" in err.getvalue()
    for name in EXPECTED:
        warm_text, warm_alts = _visible((warm_out / f"{name}.html").read_text(encoding="utf-8"))
        kernel_text, kernel_alts = _visible((kernel_out / f"{name}.html").read_text(encoding="utf-8"))
        assert warm_text == kernel_text, name
        assert warm_alts == kernel_alts and len(warm_alts) > 0, name
        assert _sheets(warm_out / f"{name}.xlsx") == _sheets(kernel_out / f"{name}.xlsx"), name


def test_the_longest_reports_of_the_last_run_start_first(tmp_path):
    from kvalitet import timing

    jobs = [report.Job(n, n, Path(f"{n}.ipynb"), {}) for n in ("a", "b", "c", "d")]
    assert [j.name for j in timing.longest_first(jobs, tmp_path)] == ["a", "b", "c", "d"]  # no earlier run
    done = [report.JobResult(j, ok=True, seconds=s) for j, s in zip(jobs[:3], (2.0, 9.5, 4.25))]
    timing.save_durations(done, tmp_path)
    # d was never run: it may be the longest, so it goes first; then b (9,5 s), c, a
    assert [j.name for j in timing.longest_first(jobs, tmp_path)] == ["d", "b", "c", "a"]
    timing.save_durations([report.JobResult(jobs[0], ok=True, seconds=20.0),
                           report.JobResult(jobs[3], ok=False, seconds=1.0)], tmp_path)
    assert [j.name for j in timing.longest_first(jobs, tmp_path)] == ["d", "a", "b", "c"]


def test_ctrl_c_stops_the_reports_still_running(demo_db, tmp_path):
    """The reports run in process groups of their own (so a timeout can kill one with what it started): Ctrl-C on
    the command, which reaches the command and the zygote, must still stop them."""
    import signal
    import time

    pidfile = tmp_path / "sleeper.pid"
    _notebook(tmp_path, "hangs", f"""
        import subprocess, time
        child = subprocess.Popen(["sleep", "600"])
        open({str(pidfile)!r}, "w").write(str(child.pid))
        time.sleep(600)
        """)
    script = (f"import sys; sys.path.insert(0, {str(ROOT)!r})\n"
              "from pathlib import Path\nimport kvalitet.report as r\n"
              f"r.NOTEBOOKS = Path({str(tmp_path)!r})\nfrom kvalitet.cli import main\n"
              f"sys.exit(main(['report', '--all', '--db', {str(demo_db)!r}, '--organisation', {ORG!r}, "
              f"'--out', {str(tmp_path / 'out')!r}, '--reports-dir', {str(tmp_path / 'defs')!r}, '--no-pdf']))")
    proc = subprocess.Popen([sys.executable, "-c", script], start_new_session=True, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    while not pidfile.exists() or not pidfile.read_text():
        assert time.monotonic() < deadline and proc.poll() is None, proc.stderr.read().decode()
        time.sleep(0.2)
    sleeper = int(pidfile.read_text())
    os.killpg(proc.pid, signal.SIGINT)  # what the terminal does on Ctrl-C: the foreground group
    proc.wait(timeout=60)
    for _ in range(100):
        try:
            os.kill(sleeper, 0)
        except ProcessLookupError:
            break
        time.sleep(0.1)
    else:
        os.kill(sleeper, signal.SIGKILL)
        pytest.fail("the report's process kept running after Ctrl-C")


@pytest.mark.parametrize("value", ["0", "-3", "abc"])
def test_a_timeout_that_is_not_a_positive_number_is_refused(value, capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["report", "--all", "--timeout", value])
    assert exit_.value.code == 2
    assert f"'{value}' er ikke et positivt antal sekunder" in capsys.readouterr().err
