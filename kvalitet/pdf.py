"""Every rendered report as a PDF bilag: A4 portrait, printed by headless Chromium (Debian's ``chromium``).

One browser process prints every PDF of a run, each as soon as its HTML is written (:class:`Printer`). It is driven over the Chrome DevTools protocol on a pipe
(``--remote-debugging-pipe``: JSON messages, each ended by a NUL byte) with the standard library only, and
``Page.printToPDF`` prints each report with a header (the report's title and the municipality or forvaltning, and on
a demo report the demo banner, so it stands on every page) and a footer (the date it was made, the data's as-of date
and "side X af Y"). The print style sheet (:data:`PRINT_CSS`, part of every report's HTML) keeps headings with what
follows, keeps figures and table rows whole, repeats table headers on a new page and keeps everything within the
page's width.

Where Chromium is missing the HTML is still produced: :func:`print_reports` returns the reason the PDFs were skipped
and how to install the renderer (:data:`INSTALL_HINT`), and the run's exit code is unaffected. The environment
variable ``KVALITET_CHROMIUM`` names another browser binary (empty: no PDFs).
"""

from __future__ import annotations

import base64
import html
import json
import os
import queue
import select
import shutil
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

#: where Chromium is looked for on the PATH, in this order
CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome")
INSTALL_HINT = ("installér Chromium for at få PDF-udgaverne: `apt-get install chromium` (Debian/Ubuntu) – eller "
                "peg på en Chromium/Chrome med miljøvariablen KVALITET_CHROMIUM")
#: A4 in inches (what printToPDF takes) and the page margins in millimetres: top and bottom hold header and footer
A4_INCHES = (8.27, 11.69)
MARGINS_MM = {"top": 24, "bottom": 16, "left": 15, "right": 15}
#: the width of the printed area in CSS pixels (96 per inch): what nothing may be wider than
CONTENT_WIDTH_PX = round((210 - MARGINS_MM["left"] - MARGINS_MM["right"]) / 25.4 * 96)
#: seconds to wait for the browser's answer to one call (printing a long report on a busy machine takes a while)
TIMEOUT = 180.0

PRINT_CSS = """
@page{size:A4 portrait;margin:24mm 15mm 16mm 15mm}
@media print{
  html,body{max-width:none!important;margin:0!important;padding:0!important;font-size:10pt}
  .kvalitet-demo-banner{position:static}
  .jp-Cell,.jp-Cell-inputWrapper,.jp-Cell-outputWrapper,.jp-InputArea,.jp-OutputArea,.jp-OutputArea-child,
  .jp-RenderedMarkdown{display:block!important;width:auto!important;box-sizing:border-box;padding-top:0!important;
    padding-bottom:0!important;margin-top:0!important}
  .jp-RenderedHTMLCommon,.jp-OutputArea-output{padding-left:0!important;padding-right:0!important;
    box-sizing:border-box}
  .jp-Cell{margin-bottom:.4em!important}
  .jp-OutputArea-child,.jp-OutputArea-output{break-inside:auto!important;page-break-inside:auto!important}
  .jp-OutputArea-output{display:block!important}
  h1,h2,h3,h4,h5,h6{break-after:avoid;page-break-after:avoid;break-inside:avoid}
  .jp-MarkdownCell:has(.jp-RenderedMarkdown>:is(h1,h2,h3,h4,h5,h6):last-child),
  .jp-OutputArea-child:has(>.jp-RenderedMarkdown>:is(h1,h2,h3,h4,h5,h6):last-child){
    break-after:avoid;page-break-after:avoid}
  figure,img,svg,.jp-RenderedImage,.jp-RenderedSVG{break-inside:avoid;page-break-inside:avoid}
  tr,th,td{break-inside:avoid;page-break-inside:avoid}
  thead{display:table-header-group}
  tfoot{display:table-footer-group}
  img,svg,figure,table,pre{max-width:100%!important}
  img{height:auto!important}
  th,td{overflow-wrap:break-word}
  table.kvalitet-wrap-anywhere th,table.kvalitet-wrap-anywhere td{overflow-wrap:anywhere}
  pre{white-space:pre-wrap;overflow-wrap:break-word}
  .jp-OutputArea-output,.jp-RenderedHTMLCommon,.jp-Cell,.jp-OutputArea,.jp-OutputArea-child{
    overflow:visible!important;max-width:100%!important}
  .jp-Cell,.jp-OutputArea-child{padding-left:0!important;padding-right:0!important}
  a{color:inherit;text-decoration:none}
}
"""

_HEADER_STYLE = "width:100%;margin:0 15mm;font-family:sans-serif;font-size:8pt;color:#333;"
_ROW_STYLE = "display:flex;justify-content:space-between;gap:4mm;"
_DEMO_STYLE = ("background:#fff3cd;color:#3d2e00;font-weight:bold;padding:.6mm 2mm;margin-bottom:1mm;"
               "-webkit-print-color-adjust:exact;print-color-adjust:exact;")
_FAILED_STYLE = ("background:#f8d7da;font-weight:bold;padding:.6mm 2mm;margin-bottom:1mm;"
                 "-webkit-print-color-adjust:exact;print-color-adjust:exact;")
DEMO_TEXT = "DEMODATA – tallene i denne rapport er konstruerede og beskriver ikke virkelige forhold."
FAILED_TEXT = "Rapporten kunne ikke dannes færdig; tallene er ufuldstændige."


#: JavaScript run on the page laid out for print at the printed width: a table wider than the page gets a smaller
#: font (down to 70 %), then may break words anywhere; returns what is still wider than the page (normally nothing)
FIT_JS = r"""(() => {
  const W = document.documentElement.clientWidth + 1;
  for (const t of document.querySelectorAll('table')) {
    const base = parseFloat(getComputedStyle(t).fontSize);
    for (let f = 0.95; t.getBoundingClientRect().right > W && f >= 0.7; f -= 0.05) t.style.fontSize = (base * f) + 'px';
    if (t.getBoundingClientRect().right > W) t.classList.add('kvalitet-wrap-anywhere');
  }
  return [...document.querySelectorAll('body *')].filter(e => {
    const r = e.getBoundingClientRect();
    return r.width > 0 && (r.right > W || r.left < -1);
  }).map(e => e.tagName.toLowerCase() + ': ' + (e.textContent || e.getAttribute('alt') || '').trim().slice(0, 60));
})()"""


@dataclass(frozen=True)
class PdfJob:
    """One report to print: its HTML, the PDF to write and what header and footer say."""

    html: Path
    pdf: Path
    title: str
    owner: str  # the municipality, or the forvaltning, the report is for
    made: str  # "1. december 2026"
    as_of: str  # "31. december 2024"
    demo: bool = False
    failed: bool = False


@dataclass
class PdfOutcome:
    """What :func:`print_reports` did: PDFs written, per-report errors, or why all were skipped."""

    written: dict[Path, Path]  # html → pdf
    errors: dict[Path, str]  # html → error
    #: html → what is still wider than the page after :data:`FIT_JS` (cut off in the PDF)
    too_wide: dict[Path, list[str]] = field(default_factory=dict)
    skipped: str | None = None
    #: seconds spent printing (the browser's start not included)
    seconds: float = 0.0


def find_chromium() -> str | None:
    """The Chromium binary: ``KVALITET_CHROMIUM`` when set (empty: none), else the first of :data:`CHROMIUM_NAMES`
    on the PATH."""
    given = os.environ.get("KVALITET_CHROMIUM")
    if given is not None:
        if not given.strip():
            return None
        return shutil.which(given) or (given if os.access(given, os.X_OK) else None)
    return next((p for p in map(shutil.which, CHROMIUM_NAMES) if p), None)


def header_template(job: PdfJob) -> str:
    banner = f'<div style="{_DEMO_STYLE}">{html.escape(DEMO_TEXT)}</div>' if job.demo else ""
    if job.failed:
        banner += f'<div style="{_FAILED_STYLE}">{html.escape(FAILED_TEXT)}</div>'
    return (f'<div style="{_HEADER_STYLE}">{banner}<div style="{_ROW_STYLE}"><span>{html.escape(job.title)}</span>'
            f"<span>{html.escape(job.owner)}</span></div></div>")


def footer_template(job: PdfJob) -> str:
    return (f'<div style="{_HEADER_STYLE}"><div style="{_ROW_STYLE}"><span>Dannet {html.escape(job.made)} · data '
            f"opgjort pr. {html.escape(job.as_of)}</span>"
            '<span>side <span class="pageNumber"></span> af <span class="totalPages"></span></span></div></div>')


def print_options(job: PdfJob) -> dict:
    """The ``Page.printToPDF`` parameters: A4 portrait, margins holding header and footer, backgrounds printed."""
    inch = 25.4
    return {
        "landscape": False, "printBackground": True, "displayHeaderFooter": True, "preferCSSPageSize": False,
        "paperWidth": A4_INCHES[0], "paperHeight": A4_INCHES[1],
        "marginTop": (MARGINS_MM["top"] + (5 if job.demo or job.failed else 0)) / inch,
        "marginBottom": MARGINS_MM["bottom"] / inch, "marginLeft": MARGINS_MM["left"] / inch,
        "marginRight": MARGINS_MM["right"] / inch,
        "headerTemplate": header_template(job), "footerTemplate": footer_template(job),
    }


class DevTools:
    """The Chrome DevTools protocol over the pipe: Chromium reads our messages on fd 3 and writes to fd 4."""

    def __init__(self, chromium: str, profile: str):
        r_ours, w_theirs = os.pipe()
        r_theirs, w_ours = os.pipe()
        self.r_ours, self.w_ours = r_ours, w_ours
        args = [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-extensions", "--hide-scrollbars", "--mute-audio",
                f"--user-data-dir={profile}", "--remote-debugging-pipe", "about:blank"]

        def child_fds():
            os.dup2(r_theirs, 3)
            os.dup2(w_theirs, 4)

        self.proc = subprocess.Popen(args, pass_fds=(3, 4), preexec_fn=child_fds, stdin=subprocess.DEVNULL,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(r_theirs)
        os.close(w_theirs)
        self.buf = bytearray()
        self.next_id = 0
        self.events: list[dict] = []

    def send(self, method: str, params: dict | None = None, session: str | None = None,
             timeout: float = TIMEOUT) -> dict:
        self.next_id += 1
        msg = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        data = json.dumps(msg).encode() + b"\0"
        while data:
            data = data[os.write(self.w_ours, data):]
        while True:
            m = self.read(timeout)
            if m.get("id") == self.next_id:
                if "error" in m:
                    raise RuntimeError(f"{method}: {m['error']}")
                return m.get("result", {})

    def read(self, timeout: float) -> dict:
        deadline = time.monotonic() + timeout
        end = self.buf.find(b"\0")
        while end < 0:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self.r_ours], [], [], left)[0]:
                raise TimeoutError("Chromium svarede ikke")
            chunk = os.read(self.r_ours, 1 << 20)
            if not chunk:
                raise RuntimeError("Chromium lukkede forbindelsen")
            start = len(self.buf)
            self.buf += chunk
            end = self.buf.find(b"\0", start)
        raw = bytes(self.buf[:end])
        del self.buf[:end + 1]
        m = json.loads(raw)
        if "method" in m:
            self.events.append(m)
        return m

    def wait_for(self, method: str, timeout: float = TIMEOUT, session: str | None = None) -> None:
        def seen(e):
            return e.get("method") == method and (session is None or e.get("sessionId") == session)

        if any(seen(e) for e in self.events):
            return
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if seen(self.read(deadline - time.monotonic())):
                return
        raise TimeoutError(method)

    def drain(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        try:
            while time.monotonic() < deadline:
                self.read(deadline - time.monotonic())
        except TimeoutError:
            pass

    def open_page(self, url: str, domains: tuple[str, ...] = ("Page",)) -> tuple[str, str]:
        """A new tab showing ``url``, loaded: (target id, session id)."""
        target = self.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        for domain in domains:
            self.send(f"{domain}.enable", session=session)
        self.events.clear()
        self.send("Page.navigate", {"url": url}, session=session)
        self.wait_for("Page.loadEventFired", session=session)
        return target, session

    def close_page(self, target: str) -> None:
        self.send("Target.closeTarget", {"targetId": target})

    @property
    def alive(self) -> bool:
        return self.proc.poll() is None

    def close(self) -> None:
        try:
            if self.alive:
                self.send("Browser.close", timeout=10)
        except Exception:
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        for fd in (self.r_ours, self.w_ours):
            try:
                os.close(fd)
            except OSError:
                pass


def fit_to_page(dt: DevTools, session: str) -> list[str]:
    """Lay the open page out for print at the printed width and shrink what is wider (:data:`FIT_JS`); return the
    elements still wider than the page."""
    dt.send("Emulation.setEmulatedMedia", {"media": "print"}, session=session)
    dt.send("Emulation.setDeviceMetricsOverride", {"width": CONTENT_WIDTH_PX, "height": 1100, "deviceScaleFactor": 1,
                                                   "mobile": False}, session=session)
    try:
        result = dt.send("Runtime.evaluate", {"expression": FIT_JS, "returnByValue": True}, session=session)
    finally:
        dt.send("Emulation.clearDeviceMetricsOverride", session=session)
        dt.send("Emulation.setEmulatedMedia", {"media": ""}, session=session)
    return list(result.get("result", {}).get("value") or [])


def print_pdf(dt: DevTools, job: PdfJob) -> list[str]:
    """Print one report with an open browser; write ``job.pdf`` (atomically: a reader never sees half a PDF).
    Returns what was wider than the page even after :func:`fit_to_page` (normally nothing)."""
    target, session = dt.open_page(job.html.resolve().as_uri())
    try:
        too_wide = fit_to_page(dt, session)
        data = dt.send("Page.printToPDF", print_options(job), session=session)["data"]
    finally:
        dt.close_page(target)
    tmp = job.pdf.with_name(job.pdf.name + ".part")
    tmp.write_bytes(base64.b64decode(data))
    os.replace(tmp, job.pdf)
    return too_wide


def print_reports(jobs: Iterable[PdfJob], chromium: str | None = None) -> PdfOutcome:
    """Print every job with ONE Chromium process (restarted only if it dies). Without Chromium nothing is printed
    and ``skipped`` says why and how to install it."""
    printer = Printer(chromium, background=False)
    for job in jobs:
        printer.submit(job)
    return printer.finish()


class Printer:
    """Prints reports as they are submitted, with one browser: in a background thread (``background``), so the PDFs
    of the first reports are printed while the notebooks of the others still run. The browser is started here, in
    the calling thread (before a run starts its worker processes), and is only restarted should it die."""

    def __init__(self, chromium: str | None = None, background: bool = True):
        self.outcome = PdfOutcome({}, {})
        self.chromium = chromium or find_chromium()
        self._profile = self._dt = self._thread = None
        self._queue: queue.Queue = queue.Queue()
        if self.chromium is None:
            self.outcome.skipped = f"Chromium blev ikke fundet; {INSTALL_HINT}"
            return
        self._profile = tempfile.TemporaryDirectory(prefix="kvalitet-chromium-")
        try:
            self._dt = DevTools(self.chromium, self._profile.name)
        except OSError as exc:
            self.outcome.skipped = f"Chromium ({self.chromium}) kunne ikke startes: {exc}; {INSTALL_HINT}"
            self._profile.cleanup()
            return
        if background:
            self._thread = threading.Thread(target=self._work, name="kvalitet-pdf", daemon=True)
            self._thread.start()

    def submit(self, job: PdfJob) -> None:
        if self.outcome.skipped:
            return
        if self._thread is None:
            self._print(job)
        else:
            self._queue.put(job)

    def finish(self) -> PdfOutcome:
        """Wait for every submitted job, close the browser and return what was done."""
        if self._thread is not None:
            self._queue.put(None)
            self._thread.join()
        if self._dt is not None:
            self._dt.close()
        if self._profile is not None:
            self._profile.cleanup()
        return self.outcome

    def _work(self) -> None:
        for job in iter(self._queue.get, None):
            self._print(job)

    def _print(self, job: PdfJob) -> None:
        start = time.perf_counter()
        try:
            if self._dt is None or not self._dt.alive:
                if self._dt is not None:
                    self._dt.close()
                self._dt = DevTools(self.chromium, self._profile.name)
            too_wide = print_pdf(self._dt, job)
            self.outcome.written[job.html] = job.pdf
            if too_wide:
                self.outcome.too_wide[job.html] = too_wide
        except Exception as exc:  # one report's PDF failing never stops the others
            self.outcome.errors[job.html] = f"{type(exc).__name__}: {exc}"
            if self._dt is not None and isinstance(exc, (TimeoutError, RuntimeError, OSError)):
                self._dt.close()
                self._dt = None
        finally:
            self.outcome.seconds += time.perf_counter() - start
