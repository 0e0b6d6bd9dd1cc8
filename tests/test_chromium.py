"""A rendered report opens in headless Chromium (Debian's ``chromium``) without console errors, failed loads or
exceptions, and every embedded image decodes. Chromium is driven over its DevTools pipe (``--remote-debugging-pipe``)
with the standard library only. Skipped with a message where Chromium is not installed."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time

import pytest
from test_report import render_all

CHROMIUM = next((p for p in (shutil.which("chromium"), shutil.which("chromium-browser"),
                             shutil.which("google-chrome")) if p), None)
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Chromium er ikke installeret (apt-get install chromium); "
                                                         ".ci/run installerer det, så CI kører testen")


class DevTools:
    """The Chrome DevTools protocol over the pipe: messages are JSON, each ended by a NUL byte."""

    def __init__(self, profile: str):
        self.r_ours, self.w_theirs = os.pipe()  # chromium writes to fd 4
        self.r_theirs, self.w_ours = os.pipe()  # chromium reads from fd 3
        args = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                f"--user-data-dir={profile}", "--remote-debugging-pipe", "about:blank"]

        def child_fds():
            os.dup2(self.r_theirs, 3)
            os.dup2(self.w_theirs, 4)

        self.proc = subprocess.Popen(args, pass_fds=(3, 4), preexec_fn=child_fds, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL)
        os.close(self.r_theirs)
        os.close(self.w_theirs)
        self.buf = b""
        self.next_id = 0
        self.events: list[dict] = []

    def send(self, method: str, params: dict | None = None, session: str | None = None) -> dict:
        self.next_id += 1
        msg = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        os.write(self.w_ours, json.dumps(msg).encode() + b"\0")
        while True:
            m = self.read(timeout=30)
            if m.get("id") == self.next_id:
                if "error" in m:
                    raise RuntimeError(f"{method}: {m['error']}")
                return m.get("result", {})

    def read(self, timeout: float) -> dict:
        import select

        deadline = time.monotonic() + timeout
        while b"\0" not in self.buf:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self.r_ours], [], [], left)[0]:
                raise TimeoutError("Chromium svarede ikke")
            chunk = os.read(self.r_ours, 1 << 20)
            if not chunk:
                raise RuntimeError("Chromium lukkede forbindelsen")
            self.buf += chunk
        raw, self.buf = self.buf.split(b"\0", 1)
        m = json.loads(raw)
        if "method" in m:
            self.events.append(m)
        return m

    def wait_for(self, method: str, timeout: float = 30) -> None:
        if any(e["method"] == method for e in self.events):
            return
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.read(deadline - time.monotonic()).get("method") == method:
                return
        raise TimeoutError(method)

    def drain(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        try:
            while time.monotonic() < deadline:
                self.read(deadline - time.monotonic())
        except TimeoutError:
            pass

    def close(self) -> None:
        try:
            self.send("Browser.close")
        except Exception:
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        os.close(self.r_ours)
        os.close(self.w_ours)


def test_report_opens_in_chromium_without_errors(demo_db, tmp_path_factory, tmp_path):
    _, out, _ = render_all(demo_db, tmp_path_factory)
    page = out / "forvaltningsrapport-sof.html"
    dt = DevTools(str(tmp_path / "profile"))
    try:
        target = dt.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = dt.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        for domain in ("Runtime", "Log", "Page"):
            dt.send(f"{domain}.enable", session=session)
        dt.send("Page.navigate", {"url": page.as_uri()}, session=session)
        dt.wait_for("Page.loadEventFired")
        dt.drain(1.0)
        images = dt.send("Runtime.evaluate", {"expression": (
            "JSON.stringify([document.images.length, Array.from(document.images).filter("
            "i => !(i.complete && i.naturalWidth > 0)).length, document.querySelector('h1').textContent, "
            "document.documentElement.lang])"), "returnByValue": True}, session=session)
        n_images, broken, h1, lang = json.loads(images["result"]["value"])
    finally:
        dt.close()
    errors = []
    for e in dt.events:
        p = e.get("params", {})
        if e["method"] == "Runtime.exceptionThrown":
            errors.append(p["exceptionDetails"].get("text"))
        elif e["method"] == "Runtime.consoleAPICalled" and p.get("type") in ("error", "assert", "warning"):
            errors.append(" ".join(str(a.get("value")) for a in p.get("args", [])))
        elif e["method"] == "Log.entryAdded" and p["entry"]["level"] in ("error", "warning"):
            errors.append(p["entry"]["text"])
    assert not errors, errors
    assert n_images >= 5 and broken == 0
    assert "Evaluering" in h1 and lang == "da"
