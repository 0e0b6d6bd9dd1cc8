"""Risk tiers: the rule on a hand-made store, its configuration, and the demo's high-risk area."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd

from kvalitet import organisation, risk, store
from kvalitet.stats import audit_sample_size

ROOT = Path(__file__).resolve().parents[1]


def _org(tmp_path: Path, extra: str = ""):
    p = tmp_path / "organisation.yaml"
    p.write_text("municipality: Testkommune\nforvaltninger:\n  - {code: SOF, name: Socialforvaltningen}\n"
                 "  - {code: BIF, name: Beskæftigelsesforvaltningen}\n" + extra, encoding="utf-8")
    return organisation.load(p)


def _store(tmp_path: Path):
    con = store.connect(tmp_path / "r.duckdb")
    # assessments: the latest (2024) counts, the older one (all 3s) does not
    con.execute("INSERT INTO risk_assessments (forvaltning, area, assessed, economy, legal, it) VALUES "
                "('SOF', 'Handicap', DATE '2023-03-01', 3, 3, 3), ('SOF', 'Handicap', DATE '2024-03-01', 3, 2, 1), "
                "('BIF', 'Kontanthjælp', DATE '2024-03-01', 1, 1, 1)")
    # SOF Handicap audits 2024: 12 of 20 cases with an error -> 'sikkert over tærsklen'
    rows = [(f"T{i}", "SOF", "Handicap", date(2024, 5, 1), "begrundelse", "fejl" if i < 12 else "ok")
            for i in range(20)]
    # BIF: 2 of 20 -> under
    rows += [(f"B{i}", "BIF", "Kontanthjælp", date(2024, 5, 1), "begrundelse", "fejl" if i < 2 else "ok")
             for i in range(20)]
    a = pd.DataFrame(rows, columns=["audit_id", "forvaltning", "area", "audit_date", "item", "result"])
    con.register("_a", a)
    con.execute("INSERT INTO audits (audit_id, forvaltning, area, audit_date, item, result) SELECT * FROM _a")
    con.execute("INSERT INTO decisions (forvaltning, area, month, decisions) VALUES "
                "('SOF', 'Handicap', DATE '2024-01-01', 400), ('BIF', 'Kontanthjælp', DATE '2024-01-01', 5000)")
    return con


def test_tiers_points_and_reasons(tmp_path):
    con = _store(tmp_path)
    df = risk.tiers(con, _org(tmp_path), as_of=date(2024, 12, 31))
    assert list(df.columns) == risk.RISK_COLUMNS
    sof = df[df.forvaltning == "SOF"].iloc[0]
    # økonomi 3 -> 2 points, jura 2 -> 1, audit sikkert over -> 1 + 1: 5 points -> tier 3
    assert (sof["economy"], sof["legal"], sof["it"]) == (3, 2, 1)
    assert sof["assessed"] == date(2024, 3, 1)
    assert sof["points"] == 5 and sof["tier"] == 3 and sof["tier_name"] == "intensiveret tilsyn"
    assert "høj risiko (økonomi = 3)" in sof["reasons"] and "sikkert over" in sof["reasons"]
    assert sof["sample_size"] == audit_sample_size(0.075, expected=0.25, population=400)
    bif = df[df.forvaltning == "BIF"].iloc[0]
    assert bif["points"] == 0 and bif["tier"] == 1 and bif["tier_name"] == "overvågning"
    assert bif["reasons"] == "ingen risikotegn"
    assert bif["sample_size"] == audit_sample_size(0.15, expected=0.25, population=5000)


def test_rule_is_configurable(tmp_path):
    con = _store(tmp_path)
    org = _org(tmp_path, "thresholds:\n  risk: {tier3_from: 6, manual_high_points: 1, precision: [0.2, 0.1, 0.05]}\n")
    sof = risk.tiers(con, org, as_of=date(2024, 12, 31)).set_index("forvaltning").loc["SOF"]
    assert sof["points"] == 4 and sof["tier"] == 2
    assert sof["precision"] == 0.1


def test_as_of_picks_the_assessment(tmp_path):
    con = _store(tmp_path)
    sof = risk.tiers(con, _org(tmp_path), as_of=date(2023, 12, 31)).set_index("forvaltning").loc["SOF"]
    assert (sof["economy"], sof["legal"], sof["it"]) == (3, 3, 3)


def test_demo_high_risk_area(demo_db):
    con = store.connect(demo_db, read_only=True)
    org = organisation.load(ROOT / "parameters" / "organisation.yaml")
    df = risk.tiers(con, org)
    con.close()
    hp = df[(df.forvaltning == "SUF") & (df.area == "Hjemmepleje")].iloc[0]
    assert hp["tier"] == 3 and "fejlandel i stikprøver" in hp["reasons"]
    assert set(df["tier"]) <= {1, 2, 3} and (df["sample_size"] > 0).all()


def test_sample_sizes_use_the_configured_confidence_level(tmp_path):
    """Cochran with finite-population correction, by hand (SOF: tier 2 here, precision 0.1, p = 0.25, N = 400):
    95 %: n0 = 1.959964² · 0.1875 / 0.01 = 72.03, n = 72.03 / (1 + 71.03 / 400) = 61.17 -> 62
    90 %: n0 = 1.644854² · 0.1875 / 0.01 = 50.73, n = 50.73 / (1 + 49.73 / 400) = 45.12 -> 46"""
    con = _store(tmp_path)
    rule = "  risk: {tier3_from: 6, manual_high_points: 1, precision: [0.2, 0.1, 0.05]}\n"
    at95 = risk.tiers(con, _org(tmp_path, "thresholds:\n" + rule), as_of=date(2024, 12, 31))
    at90 = risk.tiers(con, _org(tmp_path, "thresholds:\n  conf: 0.9\n" + rule), as_of=date(2024, 12, 31))
    assert at95.set_index("forvaltning").loc["SOF", "sample_size"] == 62
    assert at90.set_index("forvaltning").loc["SOF", "sample_size"] == 46
