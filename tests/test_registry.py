"""Adding an indicator is one catalogue entry plus one function: a throw-away indicator, registered here and removed
after, flows through the engine, the targets model, `kvalitet indicators` (CSV and XLSX)."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import date as D

import pandas as pd
import pytest
from openpyxl import load_workbook

from kvalitet import catalogue, cli, indicators, organisation
from kvalitet.errors import UserError
from kvalitet.indicators.frames import simple_share

from test_indicators import make_store

NEW = "complaint_formal_share"


def complaint_formal_share(q, ind):
    """Complaints of kind 'formalitet' among all complaints received in the period."""
    return simple_share(q, ind, "complaints", "received", "kind = 'formalitet'", "TRUE")


@pytest.fixture
def new_indicator():
    template = catalogue.get("complaint_upheld_share")
    entry = replace(template, id=NEW, name="Andel formalitetsklager", definition="Klager om formalitet i forhold "
                    "til alle klager modtaget i perioden.", numerator="formalitetsklager",
                    denominator="klager modtaget i perioden", period_date="modtaget", compute=complaint_formal_share,
                    no_value_note="ingen klager modtaget i perioden", target=None)
    catalogue.register(entry)
    yield entry
    catalogue.unregister(NEW)


@pytest.fixture
def store_and_org(tmp_path):
    rows = [(f"K{i}", fv, None, "Hjemmehjælp", D(2024, 2, 1 + i), None, kind, None)
            for i, (fv, kind) in enumerate([("SOF", "formalitet"), ("SOF", "realitet"), ("SOF", "realitet"),
                                             ("SOF", "realitet"), ("BIF", "formalitet"), ("BIF", "formalitet")])]
    db = tmp_path / "r.duckdb"
    make_store(db, complaints=rows).close()
    org = tmp_path / "organisation.yaml"
    org.write_text("municipality: Testkommune\nforvaltninger:\n  - {code: SOF, name: Socialforvaltningen}\n"
                   f"  - {{code: BIF, name: Beskæftigelsesforvaltningen}}\ntargets:\n  {NEW}: {{high: 0.3}}\n",
                   encoding="utf-8")
    return db, org


def test_throwaway_indicator_flows_through_the_cli(new_indicator, store_and_org, tmp_path, capsys):
    db, org = store_and_org
    # the targets model takes a target for it (and still names a typo)
    loaded = organisation.load(org)
    assert loaded.targets.for_indicator(NEW).high == 0.3
    assert organisation.Organisation.model_validate(loaded.model_dump()) == loaded  # a dump keeps every target
    rc = cli.main(["indicators", "--db", str(db), "--organisation", str(org), "--as-of", "2024-12-31"])
    assert rc == 0
    df = pd.read_csv(io.StringIO(capsys.readouterr().out))
    new = df[df["indicator"] == NEW].set_index("forvaltning")
    assert df["indicator"].iloc[-1] == NEW  # catalogue order: the new entry comes last
    # SOF: 1 formalitet of 4 = 0.25 ≤ 0.3; BIF: 2 of 2 = 1, Wilson lower limit (1 + z²/4 − z·√(z²/16))/(1 + z²/2)
    # = (1.9604 − 0.9604)/2.9208 = 0.342 > 0.3: surely over
    assert (new.loc["SOF", "numerator"], new.loc["SOF", "denominator"], new.loc["SOF", "value"]) == (1, 4, 0.25)
    assert new.loc["SOF", "target_high"] == 0.3 and new.loc["SOF", "status"] == "opfyldt"
    assert new.loc["BIF", "value"] == 1.0 and new.loc["BIF", "ci_low"] == pytest.approx(1.0 / 2.9208, abs=1e-4)
    assert new.loc["BIF", "status"] == "sikkert over målet"
    # the XLSX export: a row on its family's sheet and its definition
    out = tmp_path / "ind.xlsx"
    assert cli.main(["indicators", "--db", str(db), "--organisation", str(org), "--as-of", "2024-12-31",
                     "--indicator", NEW, "--out", str(out)]) == 0
    wb = load_workbook(out)
    assert NEW in [c.value for c in wb["Klager"]["A"]]
    assert "Andel formalitetsklager" in [c.value for c in wb["Definitioner"]["B"]]


def test_unregistered_indicator_is_gone(store_and_org):
    _, org = store_and_org
    # without the entry, the same organisation file names the key as unknown
    with pytest.raises(UserError, match=f"targets.{NEW}: ukendt nøgle"):
        organisation.load(org)
    assert NEW not in catalogue.IDS
    with pytest.raises(UserError, match="ukendt indikator"):
        indicators.check_indicators([NEW])
