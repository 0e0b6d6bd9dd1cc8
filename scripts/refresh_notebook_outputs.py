"""Refresh the stored outputs of the notebooks' checked cells (tag ``nbval-check-output``) from the demo database.

nbval (`make test`) compares those cells' outputs with what the notebook gives when run again on the demo data, so
after an intended change to a checked cell's output, run this and commit the notebooks:

    .venv/bin/python scripts/refresh_notebook_outputs.py

Only tagged cells keep outputs; everything else is stripped, so the notebooks stay small and diffable.
"""

from __future__ import annotations

import os
import re
import sys
import tempfile
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
CHECK_TAG = "nbval-check-output"


IMAGE = re.compile(r"data:image/png;base64,[A-Za-z0-9+/=]+")


def _drop_images(value):
    """Embedded PNGs replaced by the placeholder nbval's sanitiser puts in their place, so the notebooks stay
    small (the comparison sanitises both sides, so the stored placeholder matches any image)."""
    if isinstance(value, str):
        return IMAGE.sub("data:image/png;base64,IMAGE", value)
    if isinstance(value, list):
        return [_drop_images(v) for v in value]
    return value


def strip(nb) -> None:
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
        if cell.cell_type != "code":
            continue
        if CHECK_TAG not in cell.metadata.get("tags", []):
            cell.outputs = []
            cell.execution_count = None  # nbval needs the count only on cells whose outputs it compares
        else:
            for out in cell.outputs:
                for mime in ("text/html", "text/markdown", "text/plain"):
                    if mime in out.get("data", {}):
                        out["data"][mime] = _drop_images(out["data"][mime])
                out.get("data", {}).pop("image/png", None)
    nb.metadata.pop("papermill", None)


def main(names: list[str]) -> None:
    sys.path.insert(0, str(ROOT))
    from kvalitet.demo import build_demo

    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "demo.duckdb"
        build_demo(db=db, organisation=ROOT / "parameters" / "organisation.yaml")
        os.environ["KVALITET_DB"] = str(db)
        os.environ["KVALITET_ORGANISATION"] = str(ROOT / "parameters" / "organisation.yaml")
        paths = [ROOT / "notebooks" / f"{n}.ipynb" for n in names] or sorted((ROOT / "notebooks").glob("*.ipynb"))
        for path in paths:
            nb = nbformat.read(path, as_version=4)
            NotebookClient(nb, kernel_name="python3", timeout=600,
                           resources={"metadata": {"path": str(path.parent)}}).execute()
            strip(nb)
            nbformat.write(nb, path)
            print(f"refreshed {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main(sys.argv[1:])
