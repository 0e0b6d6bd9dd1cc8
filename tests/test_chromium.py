"""A rendered report opens in headless Chromium (Debian's ``chromium``) without console errors, failed loads or
exceptions, and every embedded image decodes. Chromium is driven over its DevTools pipe (``--remote-debugging-pipe``)
with the standard library only (:class:`kvalitet.pdf.DevTools`, which also prints the PDFs). Skipped with a message
where Chromium is not installed."""

from __future__ import annotations

import json

import pytest
from test_report import render_all

from kvalitet.pdf import DevTools, find_chromium

CHROMIUM = find_chromium()
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Chromium er ikke installeret (apt-get install chromium); "
                                                         ".ci/run installerer det, så CI kører testen")


def test_report_opens_in_chromium_without_errors(demo_db, tmp_path_factory, tmp_path):
    _, out, _ = render_all(demo_db, tmp_path_factory)
    page = out / "forvaltningsrapport-sof.html"
    dt = DevTools(CHROMIUM, str(tmp_path / "profile"))
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
