"""Every notebook runs on the demo database under nbval (lax mode: the cells tagged ``nbval-check-output`` must give
the outputs stored in the notebook, with images and addresses sanitised by notebooks/nbval_sanitize.cfg)."""

from __future__ import annotations

import os
import subprocess
import sys

from conftest import ROOT


def test_notebooks_under_nbval(demo_db, tmp_path):
    env = {**os.environ, "KVALITET_DB": str(demo_db),
           "KVALITET_ORGANISATION": str(ROOT / "parameters" / "organisation.yaml"), "MPLBACKEND": "Agg"}
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "--nbval-lax", "--nbval-sanitize-with",
         str(ROOT / "notebooks" / "nbval_sanitize.cfg"), "-p", "no:cacheprovider", "-q",
         "--rootdir", str(tmp_path), str(ROOT / "notebooks")],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=900,
    )
    assert proc.returncode == 0, proc.stdout[-5000:] + proc.stderr[-2000:]
    notebooks = sorted(p.stem for p in (ROOT / "notebooks").glob("*.ipynb"))
    assert "klager" in notebooks
    # every cell of every notebook ran: nbval collects one item per code cell
    assert " passed" in proc.stdout and " failed" not in proc.stdout


def test_checked_cells_have_stored_outputs():
    import nbformat

    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        checked = [c for c in nb.cells if "nbval-check-output" in c.metadata.get("tags", [])]
        assert checked, f"{path.name}: no cell is tagged nbval-check-output"
        assert all(c.outputs for c in checked), f"{path.name}: a checked cell has no stored output"
        unchecked = [c for c in nb.cells if c.cell_type == "code" and c not in checked]
        assert all(not c.outputs for c in unchecked), f"{path.name}: outputs stored outside the checked cells"
