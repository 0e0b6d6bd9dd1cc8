"""Executing a notebook in this process: a papermill engine that runs each cell in an IPython shell of its own and
records what the cell shows as standard nbformat outputs.

The warm report engine (:mod:`kvalitet.warm`) runs it in a child forked for one report, so the stack the notebook
imports is already loaded; the classic engine starts a kernel instead. Both give the same notebook: papermill injects
the parameters, keeps its metadata and writes the executed notebook after each cell (so a report that dies halfway
leaves what it had done), and :func:`papermill.execute.raise_for_execution_errors` turns an error output into the
same :class:`~papermill.exceptions.PapermillExecutionError`. What a cell shows becomes the outputs a kernel would have
sent: ``display_data`` for ``display()`` (HTML, Markdown, images), ``execute_result`` for a last expression,
``stream`` for ``print`` and warnings (consecutive writes to one stream joined), ``error`` with IPython's traceback.

Register once with :func:`register`; then ``papermill.execute_notebook(..., engine_name=ENGINE)``.
"""

from __future__ import annotations

import base64
import sys
from collections.abc import Callable

import nbformat
from IPython.core.displayhook import DisplayHook
from IPython.core.displaypub import DisplayPublisher
from IPython.core.display_trap import DisplayTrap
from IPython.core.interactiveshell import InteractiveShell
from papermill.engines import Engine, NotebookExecutionManager, papermill_engines
from traitlets.config import Config

ENGINE = "kvalitet-inprocess"

#: what ipykernel reports as the notebook's language (papermill stores it in the executed notebook's metadata)
LANGUAGE_INFO = {
    "codemirror_mode": {"name": "ipython", "version": 3},
    "file_extension": ".py",
    "mimetype": "text/x-python",
    "name": "python",
    "nbconvert_exporter": "python",
    "pygments_lexer": "ipython3",
    "version": ".".join(str(v) for v in sys.version_info[:3]),
}

#: called with (cell index, execution count) before each code cell runs (the warm engine tells its parent)
on_cell: Callable[[int, int], None] | None = None


def _jsonable(data: dict) -> dict:
    """Bytes (a PNG from ``display(Image(...))``) as base64 text, as ipykernel sends them."""
    return {k: base64.b64encode(v).decode("ascii") if isinstance(v, bytes) else v for k, v in data.items()}


class _Outputs:
    """The outputs of the cell being run."""

    def __init__(self) -> None:
        self.items: list = []
        self.by_display_id: dict[str, list] = {}

    def stream(self, name: str, text: str) -> None:
        if not text:
            return
        last = self.items[-1] if self.items else None
        if last is not None and last.output_type == "stream" and last.name == name:
            last.text += text
        else:
            self.items.append(nbformat.v4.new_output("stream", name=name, text=text))

    def display(self, data: dict, metadata: dict | None, transient: dict | None, update: bool) -> None:
        display_id = (transient or {}).get("display_id")
        if update:
            for out in self.by_display_id.get(display_id, []):
                out.data, out.metadata = _jsonable(data), metadata or {}
            return
        out = nbformat.v4.new_output("display_data", data=_jsonable(data), metadata=metadata or {})
        self.items.append(out)
        if display_id:
            self.by_display_id.setdefault(display_id, []).append(out)

    def result(self, data: dict, metadata: dict | None, count: int) -> None:
        self.items.append(nbformat.v4.new_output("execute_result", data=_jsonable(data), metadata=metadata or {},
                                                 execution_count=count))

    def error(self, ename: str, evalue: str, traceback: list[str]) -> None:
        self.items.append(nbformat.v4.new_output("error", ename=ename, evalue=evalue, traceback=traceback))

    def clear(self) -> None:
        self.items.clear()


class _Stream:
    """``sys.stdout``/``sys.stderr`` while a cell runs."""

    encoding = "utf-8"

    def __init__(self, outputs: _Outputs, name: str) -> None:
        self.outputs, self.name = outputs, name

    def write(self, text: str) -> int:
        self.outputs.stream(self.name, text)
        return len(text)

    def writelines(self, lines) -> None:
        for line in lines:
            self.write(line)

    def flush(self) -> None:
        pass

    def isatty(self) -> bool:
        return False


class _Publisher(DisplayPublisher):
    def publish(self, data, metadata=None, source=None, *, transient=None, update=False, **kwargs) -> None:
        self.shell.outputs.display(data, metadata, transient, update)

    def clear_output(self, wait=False) -> None:
        self.shell.outputs.clear()


class _Hook(DisplayHook):
    """The last expression's value as an ``execute_result`` (nothing printed)."""

    def write_output_prompt(self) -> None:
        pass

    def write_format_data(self, format_dict, md_dict=None) -> None:
        self.shell.outputs.result(format_dict, md_dict, self.prompt_count)

    def finish_displayhook(self) -> None:
        self._is_active = False


class Shell(InteractiveShell):
    """An IPython shell that records outputs instead of printing them (no history file, no terminal)."""

    def __init__(self, **kwargs) -> None:
        self.outputs = _Outputs()
        config = Config()
        config.HistoryManager.enabled = False
        super().__init__(config=config, colors="nocolor", **kwargs)

    def init_display_pub(self) -> None:
        self.display_pub = _Publisher(shell=self, parent=self)
        self.configurables.append(self.display_pub)

    def init_displayhook(self) -> None:
        self.displayhook = _Hook(shell=self, cache_size=self.cache_size, parent=self)
        self.configurables.append(self.displayhook)
        self.display_trap = DisplayTrap(hook=self.displayhook)

    def _showtraceback(self, etype, evalue, stb) -> None:
        self.outputs.error(etype.__name__, str(evalue), list(stb))

    def run(self, source: str) -> tuple[list, bool]:
        """Run one cell's source; its outputs and whether it ran without an error."""
        self.outputs = _Outputs()
        saved = sys.stdout, sys.stderr
        sys.stdout, sys.stderr = _Stream(self.outputs, "stdout"), _Stream(self.outputs, "stderr")
        try:
            result = self.run_cell(source, store_history=True, silent=False)
        finally:
            sys.stdout, sys.stderr = saved
        return self.outputs.items, result.success


class _Manager(NotebookExecutionManager):
    """papermill's bookkeeping, writing the notebook when a cell starts (with the outputs of every cell before it)
    and at the end, not also when each cell completes."""

    _quiet = False

    def save(self, **kwargs):
        if not self._quiet:
            super().save(**kwargs)

    def cell_complete(self, cell, cell_index=None, **kwargs):
        self._quiet = True
        try:
            super().cell_complete(cell, cell_index=cell_index, **kwargs)
        finally:
            self._quiet = False


class InProcessEngine(Engine):
    """papermill's engine interface, cells run by :class:`Shell` in this process."""

    @classmethod
    def execute_notebook(cls, nb, kernel_name, output_path=None, progress_bar=True, log_output=False,
                         autosave_cell_every=30, **kwargs):
        nb_man = _Manager(nb, output_path=output_path, progress_bar=progress_bar, log_output=log_output,
                          autosave_cell_every=autosave_cell_every)
        nb_man.notebook_start()
        try:
            cls.execute_managed_notebook(nb_man, kernel_name, log_output=log_output, **kwargs)
        finally:
            nb_man.cleanup_pbar()
            nb_man.notebook_complete()
        return nb_man.nb

    @classmethod
    def execute_managed_notebook(cls, nb_man, kernel_name, **kwargs):
        shell = Shell.instance()
        try:
            for index, cell in enumerate(nb_man.nb.cells):
                nb_man.cell_start(cell, index)
                try:
                    if cell.cell_type != "code":
                        continue
                    count = shell.execution_count
                    if on_cell is not None:
                        on_cell(index, count)
                    outputs, ok = shell.run(cell.source)
                    cell.execution_count = count
                    cell.outputs = outputs
                    if not ok:
                        nb_man.cell_exception(cell, cell_index=index)
                        break
                finally:
                    nb_man.cell_complete(cell, cell_index=index)
        finally:
            nb_man.nb.metadata["language_info"] = dict(LANGUAGE_INFO)
            shell.cleanup()
            Shell.clear_instance()
        return nb_man.nb


def register() -> None:
    """Make the engine known to papermill (idempotent)."""
    papermill_engines.register(ENGINE, InProcessEngine)
