"""The warm report engine: one process imports the report stack once, computes what several reports share once, and
forks a child per report (a "zygote", as Android starts its apps).

::

    kvalitet report --all                  # the warm engine (default where os.fork exists)
    kvalitet report --all --engine kernel  # the classic engine: a fresh Jupyter kernel per notebook (papermill)

How it runs:

* ``kvalitet report`` starts the zygote with ``multiprocessing``'s *spawn* (a fresh interpreter, so it inherits no
  thread, socket or DuckDB connection of the command: the PDF printer's thread lives in the command, not here). The
  zygote imports the stack (:func:`preload`: pandas, matplotlib with the Agg backend, statsmodels, DuckDB, nbconvert's
  HTML templates and every module of kvalitet) and computes the shared tables (:mod:`kvalitet.shared`), each on a
  DuckDB connection it closes again.
* Before each fork it checks that it is the only thread of its process (:func:`fork_hazard`: DuckDB's and OpenBLAS's
  worker threads would be copied as dead threads whose locks a child could wait on forever); the command sets
  ``OPENBLAS_NUM_THREADS=1`` and friends before the zygote starts, so numpy starts no pool. ``gc.freeze()`` moves every
  object of the zygote out of the garbage collector's reach, so a child's collections do not write to (and so copy)
  the pages it shares with the zygote.
* Each child gets its own process group, executes its notebook in-process (:mod:`kvalitet.inprocess`: papermill's
  parameters and metadata, IPython's display machinery), exports the HTML like the classic engine
  (:func:`kvalitet.report._render`), sends its :class:`~kvalitet.report.JobResult` back over a pipe and ends with
  ``os._exit`` (so the zygote's exit handlers never run twice). At most ``jobs`` children run at a time.
* A report that raises fails alone with its cell and error, as in the classic engine. One that runs past ``timeout``
  seconds has its process group killed; one whose interpreter dies (a crash, ``os._exit``) is reported with the cell it
  was running and how the process ended. The partly executed notebook is kept, and exported with the failure banner.
* Nothing passes from one report to the next: each child is a copy of the zygote, which never runs report code.
"""

from __future__ import annotations

import contextlib
import gc
import os
import pickle
import selectors
import signal
import struct
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from multiprocessing import get_context
from pathlib import Path
from typing import Any

#: environment for the zygote (and so every child): one thread for numerical libraries (the reports run in parallel
#: processes instead), and matplotlib's Agg backend
SINGLE_THREADED = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
                   "NUMEXPR_NUM_THREADS": "1", "VECLIB_MAXIMUM_THREADS": "1", "MPLBACKEND": "Agg"}


def unavailable() -> str | None:
    """Why the warm engine cannot run here (no ``os.fork``), or None."""
    if not hasattr(os, "fork") or sys.platform.startswith("win"):
        return "os.fork findes ikke på denne platform"
    return None


def fork_hazard() -> str | None:
    """Why forking this process now would be unsafe (other threads alive), or None."""
    try:
        tasks = os.listdir("/proc/self/task")
    except OSError:  # not Linux: Python's own threads are what we can see
        import threading

        others = [t.name for t in threading.enumerate() if t is not threading.current_thread()]
        return f"tråde kører: {', '.join(others)}" if others else None
    if len(tasks) <= 1:
        return None
    names = []
    for t in tasks:
        try:
            names.append(Path(f"/proc/self/task/{t}/comm").read_text().strip())
        except OSError:
            pass
    return f"processen har {len(tasks)} tråde ({', '.join(sorted(set(names)))})"


def preload() -> None:
    """Import what the report notebooks use, once (in the zygote)."""
    import importlib
    import pkgutil

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot  # noqa: F401
    import openpyxl  # noqa: F401
    import statsmodels.api  # noqa: F401
    import IPython.display  # noqa: F401

    import kvalitet

    for mod in pkgutil.walk_packages(kvalitet.__path__, "kvalitet."):
        if mod.name.startswith(("kvalitet.demodata", "kvalitet.cli")):
            continue
        importlib.import_module(mod.name)
    from . import inprocess, pages

    inprocess.register()
    pages.warm()


# --------------------------------------------------------------------------------------------- the command's side
class Zygote:
    """The zygote process, seen from ``kvalitet report``: started as early as the database and organisation are
    known (it imports and precomputes while the command checks the report definitions), then given the plan."""

    def __init__(self, shared_args: dict[str, Any]) -> None:
        ctx = get_context("spawn")
        self.conn, child_conn = ctx.Pipe(duplex=True)
        self.proc = ctx.Process(target=_zygote, name="kvalitet-zygote", args=(child_conn, shared_args), daemon=True)
        saved = {key: os.environ.get(key) for key in SINGLE_THREADED}
        os.environ.update({key: os.environ.get(key) or value for key, value in SINGLE_THREADED.items()})
        try:  # the zygote starts with these (spawn: a new interpreter with this environment); the command keeps its own
            self.proc.start()
        finally:
            for key, value in saved.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value
        child_conn.close()

    def run(self, plan: list, out_dir: str, demo: bool, as_of_label: str, jobs: int, timeout: float) -> Iterator:
        """Render the plan's reports; yield each :class:`~kvalitet.report.JobResult` as it is done."""
        from .report import JobResult

        pending = {job.name: job for job in plan}
        try:
            self.conn.send((plan, out_dir, demo, as_of_label, jobs, timeout))
            while pending:
                try:
                    kind, payload = self.conn.recv()
                except EOFError:
                    break
                if kind == "result":
                    pending.pop(payload.job.name, None)
                    yield payload
                elif kind == "message":
                    print(payload, file=sys.stderr)
        finally:
            self.stop()
        for job in pending.values():
            yield JobResult(job, ok=False, error=f"den varme motor stoppede (kode {self.proc.exitcode}), før "
                                                  "rapporten blev dannet")

    def stop(self) -> None:
        """End the zygote (after its run, or when the command stops before giving it one)."""
        self.conn.close()
        self.proc.join(timeout=30)
        if self.proc.is_alive():
            self.proc.kill()
            self.proc.join()


# ---------------------------------------------------------------------------------------------------- the zygote
@dataclass
class _Child:
    job: Any
    fd: int
    started: float
    buffer: bytearray = field(default_factory=bytearray)
    cell: int | None = None
    result: Any = None


def _zygote(conn, shared_args) -> None:
    started = time.perf_counter()
    preload()
    from . import shared

    try:
        shared.warm(**shared_args)
        done = f"{shared.size()} fælles tabeller beregnet"
    except Exception as exc:  # the reports compute it themselves, and meet the problem there, each with its cell
        done = f"de fælles tabeller kunne ikke beregnes på forhånd: {type(exc).__name__}: {exc}"
    gc.collect()
    gc.freeze()
    ready = time.perf_counter() - started
    try:
        plan, out_dir, demo, as_of_label, jobs, timeout = conn.recv()
    except EOFError:  # the command stopped before it had a plan
        return
    conn.send(("message", f"Den varme motor var klar efter {ready:.1f} s (stakken importeret, {done})"))
    queue = list(plan)
    running: dict[int, _Child] = {}
    sel = selectors.DefaultSelector()
    # Ctrl-C or the command's end (SIGTERM) stops the reports still running too: they are in their own groups
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    try:
        while queue or running:
            while queue and len(running) < jobs:
                hazard = fork_hazard()
                if hazard:  # never fork with other threads alive: fail the rest, loudly
                    from .report import JobResult

                    for job in queue:
                        error = f"kan ikke forgrene den varme motor: {hazard}"
                        conn.send(("result", JobResult(job, ok=False, error=error)))
                    queue.clear()
                    break
                job = queue.pop(0)
                pid, child = _fork(job, out_dir, demo, as_of_label, [conn.fileno(), *(c.fd for c in running.values())])
                running[pid] = child
                sel.register(child.fd, selectors.EVENT_READ, pid)
            if not running:
                break
            now = time.perf_counter()
            wait = min(c.started + timeout for c in running.values()) - now
            for key, _ in sel.select(timeout=max(0.0, min(wait, 1.0))):
                pid = key.data
                chunk = os.read(key.fd, 1 << 16)
                child = running[pid]
                if chunk:
                    child.buffer += chunk
                    _read_messages(child)
                    continue
                sel.unregister(key.fd)
                os.close(key.fd)
                _, status = os.waitpid(pid, 0)
                conn.send(("result", _finish(running.pop(pid), status, out_dir, demo, as_of_label)))
            now = time.perf_counter()
            for pid, child in list(running.items()):
                if now - child.started > timeout:
                    try:
                        os.killpg(pid, signal.SIGKILL)
                    except ProcessLookupError:
                        pass
                    os.waitpid(pid, 0)
                    sel.unregister(child.fd)
                    os.close(child.fd)
                    running.pop(pid)
                    conn.send(("result", _finish(child, None, out_dir, demo, as_of_label, timed_out=timeout)))
    finally:
        for pid in running:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(pid, signal.SIGKILL)
    conn.close()


def _fork(job, out_dir, demo, as_of_label, inherited: list[int]) -> tuple[int, _Child]:
    """Fork the child for ``job``; ``inherited``: the zygote's descriptors the child closes (the pipe to the command
    and those from the other children), so none stays open through it."""
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns
        code = 0
        try:
            for fd in (read_fd, *inherited):
                os.close(fd)
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            os.setpgid(0, 0)
            os.dup2(os.open(os.devnull, os.O_RDONLY), 0)  # as in a kernel, input() gets nothing from the terminal
            _child(job, write_fd, out_dir, demo, as_of_label)
        except BaseException:  # noqa: BLE001 - whatever happens, the child ends here
            code = 70
        finally:
            os._exit(code)
    try:
        os.setpgid(pid, pid)  # also from this side, so a kill never misses the group
    except OSError:
        pass
    os.close(write_fd)
    return pid, _Child(job, read_fd, time.perf_counter())


def _send(fd: int, message) -> None:
    data = pickle.dumps(message)
    view = memoryview(struct.pack("!I", len(data)) + data)
    while view:
        view = view[os.write(fd, view):]


def _read_messages(child: _Child) -> None:
    buf = child.buffer
    while len(buf) >= 4:
        (size,) = struct.unpack("!I", buf[:4])
        if len(buf) < 4 + size:
            return
        kind, payload = pickle.loads(bytes(buf[4:4 + size]))
        del buf[:4 + size]
        if kind == "cell":
            child.cell = payload
        elif kind == "result":
            child.result = payload


def _child(job, fd: int, out_dir: str, demo: bool, as_of_label: str) -> None:
    import random

    import numpy as np

    from . import inprocess
    from .report import _render

    random.seed()  # as a fresh kernel: the zygote's random state is not every report's
    np.random.seed()
    inprocess.on_cell = lambda index, count: _send(fd, ("cell", count))
    result = _render(job, out_dir, demo, as_of_label, engine="warm")
    sys.stdout.flush()
    sys.stderr.flush()
    _send(fd, ("result", result))


def _finish(child: _Child, status: int | None, out_dir: str, demo: bool, as_of_label: str,
            timed_out: float | None = None):
    """The result of a child that has ended: the one it sent, or a failure saying how it ended."""
    from .report import JobResult, export_failed

    if child.result is not None and timed_out is None:
        result = child.result
        seconds = time.perf_counter() - child.started  # from the fork on
        if result.timings:
            result.timings["start"] += seconds - result.seconds
            result.timings["total"] = seconds
        result.seconds = seconds
        return result
    if timed_out is not None:
        error = f"Tidsgrænse: rapporten var ikke færdig efter {timed_out:g} s og blev stoppet"
    elif os.WIFSIGNALED(status):
        sig = os.WTERMSIG(status)
        error = f"Processen døde: signal {sig} ({signal.Signals(sig).name})"
    else:
        error = f"Processen døde: den stoppede med kode {os.WEXITSTATUS(status)}, før rapporten var færdig"
    result = JobResult(child.job, ok=False, error=error, cell=child.cell,
                       seconds=time.perf_counter() - child.started)
    export_failed(result, Path(out_dir), demo, as_of_label)
    return result
