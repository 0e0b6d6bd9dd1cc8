"""Deterministic demo data for København: all ten canonical tables, with planted effects and bad rows.

``generate(seed)`` builds every canonical table of the data contract (``kvalitet.contract.TABLES``) for
København's seven forvaltninger, 2013–2024, as typed pandas frames whose rows all obey the contract's row rules
(as-of date 2024-12-31). It also builds, per table, a handful of deliberately invalid rows of the kinds real exports
contain (``bad_rows``), as raw CSV strings, so that ingest, quarantine and reports can be exercised end to end.

The planted effects (trends, a level shift at an initiative's start, an area over the audit threshold, a
byggesag backlog) are read from ``kvalitet/data/demo_manifest.json``: the manifest is the one source of truth, and
the tests check that each effect is visible in the frames. Every series not named there is stationary, with
Poisson/binomial noise (plus mild month-to-month over-dispersion and seasonality in the number of decisions).

Magnitudes are anchored on real published Danish figures (``shared/data/public``): Borgerrådgiver inquiries per year
(840 in 2021, 1,077 in 2022, 912 in 2023), omgørelsesprocenter (about 26–37 % in social areas, 12–20 % in
employment areas), the byggesag servicemål (40/55 days) and ~60–70 % compliance, the Danmarkskort levels
for the public-data kommuner (the Danmarkskort covers all 98 kommuner: the other 83 are drawn last, from their own
generator ``default_rng([seed, 12])``, so the rest keeps its draws). Everything is drawn from one ``numpy.random.default_rng(seed)`` in a fixed order, so
the same seed gives identical frames in every run and process (no ``hash()``, no wall clock).

Modules: ``setting`` (the areas and the baseline of every indicator, topics, categories, municipalities),
``draw`` (shared drawing helpers), ``own_cases`` (decisions, complaints, appeals, cases, audits), ``external``
(inquiries, satisfaction, Danmarkskort, recommendations, risk assessments), ``register`` (the findings register:
the recommendations from the FOKUS cycle on and findings from other sources) and ``bad_rows``. New tables draw from
their own generator (``numpy.random.default_rng([seed, k])``) so that adding one leaves every existing frame unchanged.

API::

    demo = generate(seed=2024)     # DemoData
    demo.frames                    # {table: DataFrame}, canonical columns, typed, all rows valid
    demo.bad_rows                  # {table: [ {column: raw string, ..., "_why": reason} ]}
    demo.manifest, demo.as_of      # the planted effects; date(2024, 12, 31)
    demo.raw_frame("complaints", with_bad_rows=True)   # as CSV strings
    demo.write_csv("data/demo")    # one <table>.csv per table, bad rows appended
    load_manifest()                # kvalitet/data/demo_manifest.json
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..contract import TABLES
from .bad_rows import _bad_rows
from .external import _inquiries, _municipal_appeals, _recommendations, _risk_assessments, _satisfaction
from .own_cases import _appeals, _audits, _cases, _complaints, _decisions
from .register import register
from .setting import _OTHER_MUNICIPALITIES, AREAS, AS_OF, MANIFEST_PATH, SERVICEMAAL

__all__ = ["AS_OF", "AREAS", "SERVICEMAAL", "DemoData", "generate", "load_manifest"]


# --------------------------------------------------------------------------------------------------- public API
@dataclass(frozen=True)
class DemoData:
    """The demo data set: valid typed frames, raw invalid rows, the manifest of planted effects."""

    seed: int
    as_of: date
    frames: dict[str, pd.DataFrame]
    bad_rows: dict[str, list[dict[str, str]]]
    manifest: dict[str, Any] = field(repr=False)

    def row_counts(self) -> dict[str, int]:
        return {name: len(df) for name, df in self.frames.items()}

    def raw_frame(self, table: str, with_bad_rows: bool = False) -> pd.DataFrame:
        """The table as raw CSV strings (dates ``YYYY-MM-DD``, booleans ``ja``/``nej``, missing as ``""``),
        with the bad rows appended (without ``_why``) when asked."""
        df = self.frames[table]
        out = pd.DataFrame(index=df.index)
        for col in df.columns:
            s = df[col]
            if pd.api.types.is_datetime64_any_dtype(s):
                raw = s.dt.strftime("%Y-%m-%d")
            elif pd.api.types.is_bool_dtype(s):
                raw = s.map({True: "ja", False: "nej"})
            else:
                raw = s.astype("string")
            out[col] = raw.astype(object).where(s.notna(), "")
        if with_bad_rows and self.bad_rows.get(table):
            bad = pd.DataFrame(self.bad_rows[table]).drop(columns="_why")[list(df.columns)]
            out = pd.concat([out, bad], ignore_index=True)
        return out.reset_index(drop=True)

    def write_csv(self, directory: str | Path, with_bad_rows: bool = True) -> list[Path]:
        """Write one CSV per table (canonical file and column names, UTF-8, comma separator, raw values as in
        ``raw_frame``), with the bad rows appended unless told otherwise. Returns the paths written."""
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        paths = []
        for name in self.frames:
            path = directory / f"{name}.csv"
            self.raw_frame(name, with_bad_rows).to_csv(path, index=False, encoding="utf-8")
            paths.append(path)
        return paths


def load_manifest(path: str | Path | None = None) -> dict[str, Any]:
    """The manifest of planted effects (``kvalitet/data/demo_manifest.json`` unless a path is given)."""
    with Path(path or MANIFEST_PATH).open(encoding="utf-8") as fh:
        return json.load(fh)


def generate(seed: int | None = None, manifest: dict[str, Any] | None = None) -> DemoData:
    """Generate the demo data set. Same seed -> identical frames; ``seed=None`` uses the manifest's default."""
    manifest = manifest if manifest is not None else load_manifest()
    if seed is None:
        seed = int(manifest["seed_default"])
    as_of = date.fromisoformat(manifest.get("as_of", AS_OF.isoformat()))
    if as_of != AS_OF:
        raise ValueError(f"the demo generator is built for as-of {AS_OF}, the manifest says {as_of}")
    effects = _index_effects(manifest)
    rng = np.random.default_rng(seed)

    frames: dict[str, pd.DataFrame] = {}
    frames["decisions"] = _decisions(rng)
    frames["complaints"] = _complaints(rng, frames["decisions"], effects)
    frames["appeals"] = _appeals(rng, effects)
    frames["cases"] = _cases(rng, effects)
    frames["audits"] = _audits(rng, effects)
    frames["inquiries"] = _inquiries(rng)
    frames["satisfaction"] = _satisfaction(rng)
    frames["municipal_appeals"] = _municipal_appeals(rng)
    frames["recommendations"] = register(_recommendations(rng))  # the FOKUS cycle from 2015, other sources added
    frames["risk_assessments"] = _risk_assessments(rng, effects)
    # the other 83 kommuner of the Danmarkskort, from their own generator (every frame above keeps its draws)
    more = _municipal_appeals(np.random.default_rng([seed, 12]), _OTHER_MUNICIPALITIES)
    frames["municipal_appeals"] = pd.concat([frames["municipal_appeals"], more], ignore_index=True)

    ordered = {}
    for name in TABLES:  # contract order, canonical column order
        ordered[name] = frames[name][TABLES[name].column_names].reset_index(drop=True)
    return DemoData(seed=seed, as_of=as_of, frames=ordered, bad_rows=_bad_rows(), manifest=manifest)


# --------------------------------------------------------------------------------------------------- helpers
def _index_effects(manifest: dict[str, Any]) -> dict[tuple[str, str, str], dict[str, Any]]:
    """(table, forvaltning, area) -> effect; checks that the manifest only names known areas and kinds."""
    known = {(a.forvaltning, a.area) for a in AREAS}
    supported = {
        "complaints": {"trend", "level_shift"},
        "appeals": {"trend", "level_shift"},
        "audits": {"above_threshold"},
        "cases": {"backlog_episode"},
    }
    out: dict[tuple[str, str, str], dict[str, Any]] = {}
    for e in manifest.get("effects", []):
        if (e["forvaltning"], e["area"]) not in known:
            raise ValueError(f"effect {e['id']}: unknown forvaltning/area {e['forvaltning']}/{e['area']}")
        if e["kind"] not in supported.get(e["table"], set()):
            raise ValueError(f"effect {e['id']}: kind {e['kind']} on table {e['table']} is not supported")
        key = (e["table"], e["forvaltning"], e["area"])
        if key in out:
            raise ValueError(f"effect {e['id']}: two effects on {key}")
        out[key] = e
    for s in manifest.get("null_series", []):
        if (s["table"], s["forvaltning"], s["area"]) in out:
            raise ValueError(f"null series {s} also carries an effect")
        if (s["forvaltning"], s["area"]) not in known:
            raise ValueError(f"null series {s}: unknown forvaltning/area")
    return out
