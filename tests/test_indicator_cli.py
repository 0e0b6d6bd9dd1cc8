"""`kvalitet indicators | trends | risk` on another municipality's organisation file and data."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest
from openpyxl import load_workbook

from kvalitet import cli

from conftest import write_csv


@pytest.fixture(scope="module")
def aarhus(tmp_path_factory):
    """Aarhus with its own forvaltning codes: data written as exports and loaded with `kvalitet ingest`."""
    d = tmp_path_factory.mktemp("aarhus")
    org = d / "organisation.yaml"
    org.write_text(
        "municipality: Aarhus\nforvaltninger:\n"
        "  - {code: MSB, name: Sociale Forhold og Beskæftigelse}\n"
        "  - {code: MTM, name: Teknik og Miljø}\n"
        "servicemaal: {Byggesager: 40}\n"
        "targets:\n  appeal_reversal_share: {high: 0.25}\n"
        "initiatives:\n  - {name: Ny visitation, forvaltning: MSB, area: Handicap, start: 2021-01-01, "
        "indicators: [appeal_reversal_share]}\n",
        encoding="utf-8")
    rng = np.random.default_rng(7)
    comp, dec, app, cases, aud = [], [], [], [], []
    k = 0
    for y in range(2018, 2025):
        for m in range(1, 13):
            month = date(y, m, 1)
            for fv, area in (("MSB", "Handicap"), ("MTM", "Byggesager")):
                dec.append([fv, area, f"{y}-{m:02d}", 500])
                for _ in range(rng.poisson(6 * (1.25 ** (y - 2018) if fv == "MSB" else 1))):
                    k += 1
                    rec = month + timedelta(days=int(rng.integers(0, 27)))
                    kind = ["formalitet", "realitet", "formalitet og realitet"][k % 3]
                    closed = rec + timedelta(days=20)
                    done = closed <= date(2024, 12, 31)
                    comp.append([f"K{k}", fv, area, rec.strftime("%d-%m-%Y"), closed.isoformat() if done else "",
                                 kind, "ikke medhold" if done else ""])
            for _ in range(8):
                k += 1
                share = 0.35 if y < 2021 else 0.15
                app.append([f"A{k}", "MSB", "Handicap", (month + timedelta(days=10)).isoformat(),
                            "hjemvist" if rng.random() < share else "stadfæstet"])
            for _ in range(5):
                k += 1
                opened = month + timedelta(days=int(rng.integers(0, 27)))
                decided = opened + timedelta(days=int(rng.integers(10, 70)))
                cases.append([f"S{k}", "MTM", "Byggesager", opened.isoformat(),
                              decided.isoformat() if decided <= date(2024, 12, 31) else ""])
        for i in range(30):
            k += 1
            aud.append([f"T{k}", "MTM", "Byggesager", f"{y}-06-01", "begrundelse", "fejl" if i < 6 else "ok"])
    files = [
        write_csv(d / "klager.csv", ["klage_id", "forvaltning", "område", "modtaget", "afsluttet", "klagetype",
                                     "udfald"], comp),
        write_csv(d / "afgørelser.csv", ["forvaltning", "område", "måned", "antal_afgørelser"], dec),
        write_csv(d / "ankesager.csv", ["anke_id", "forvaltning", "område", "afgjort", "resultat"], app),
        write_csv(d / "sager.csv", ["sag_id", "forvaltning", "område", "oprettet", "afgjort"], cases),
        write_csv(d / "stikprøver.csv", ["tilsyn_id", "forvaltning", "område", "tilsynsdato", "punkt", "resultat"],
                  aud),
        write_csv(d / "risikovurderinger.csv", ["forvaltning", "område", "vurderet", "økonomi", "jura", "it"],
                  [["MSB", "Handicap", "2024-02-01", 3, 3, 2], ["MTM", "Byggesager", "2024-02-01", 1, 1, 1]]),
    ]
    db = d / "aarhus.duckdb"
    rc = cli.main(["ingest", *map(str, files), "--db", str(db), "--organisation", str(org), "--as-of", "2024-12-31"])
    assert rc == 0
    return d, db, org


def _run(capsys, *args):
    rc = cli.main(list(map(str, args)))
    out = capsys.readouterr()
    return rc, out.out, out.err


def test_indicators_csv(aarhus, capsys):
    d, db, org = aarhus
    out = d / "ind.csv"
    rc, so, _ = _run(capsys, "indicators", "--db", db, "--organisation", org, "--by", "forvaltning,area",
                     "--period", "year", "--out", out)
    assert rc == 0 and "indikatorrækker skrevet" in so
    df = pd.read_csv(out)
    assert list(df.columns)[:14] == ["indicator", "period", "forvaltning", "unit", "area", "subgroup", "numerator",
                                     "denominator", "value", "ci_low", "ci_high", "target_low", "target_high",
                                     "status"]
    assert set(df["forvaltning"].dropna()) == {"MSB", "MTM"}
    assert df["unit"].isna().all()
    r = df[(df.indicator == "appeal_reversal_share") & (df.period == 2024)].iloc[0]
    assert 0 < r["value"] < 1 and r["target_high"] == 0.25
    kinds = df[(df.indicator == "complaints_received") & (df.forvaltning == "MSB") & (df.period == 2024)]
    assert set(kinds["subgroup"].dropna()) == {"formalitet", "realitet", "formalitet og realitet"}
    total = kinds[kinds.subgroup.isna()]["numerator"].iloc[0]
    assert kinds[kinds.subgroup.notna()]["numerator"].sum() == total


def test_indicators_options(aarhus, capsys):
    d, db, org = aarhus
    out = d / "q.csv"
    rc, _, _ = _run(capsys, "indicators", "--db", db, "--organisation", org, "--by", "none", "--period", "quarter",
                    "--from", "2024-01-01", "--to", "2024-06-30", "--indicator", "complaint_rate", "--out", out)
    assert rc == 0
    df = pd.read_csv(out)
    assert list(df["period"]) == ["2024Q1", "2024Q2"]
    assert df["forvaltning"].isna().all()
    rc, _, _ = _run(capsys, "indicators", "--db", db, "--organisation", org, "--forvaltning", "MTM",
                    "--indicator", "complaints_received", "--period", "biennium", "--out", out)
    df = pd.read_csv(out)
    assert set(df["forvaltning"]) == {"MTM"} and set(df["period"]) == {"2017-2018", "2019-2020", "2021-2022",
                                                                      "2023-2024"}


def test_indicators_xlsx_for_people(aarhus, capsys):
    d, db, org = aarhus
    out = d / "ind.xlsx"
    rc, _, _ = _run(capsys, "indicators", "--db", db, "--organisation", org, "--out", out)
    assert rc == 0
    wb = load_workbook(out)
    assert {"Klager", "Ankesager", "Sagsbehandling", "Stikprøver", "Definitioner"} <= set(wb.sheetnames)
    ws = wb["Ankesager"]
    header = [c.value for c in ws[1]]
    assert header[:4] == ["Id", "Indikator", "Enhed", "Periode"] and "Værdi" in header and "Status" in header
    assert ws.freeze_panes == "A2"
    col = header.index("Værdi") + 1
    cell = ws.cell(row=2, column=col)
    assert cell.number_format == "0.0%" and 0 < cell.value < 1
    assert ws.cell(row=2, column=2).value == "Omgørelsesprocent"
    assert "Demodata" not in wb.sheetnames


def test_trends_and_effects(aarhus, capsys):
    d, db, org = aarhus
    out = d / "trends.csv"
    rc, so, _ = _run(capsys, "trends", "--db", db, "--organisation", org, "--by", "forvaltning,area", "--out", out)
    assert rc == 0
    tr = pd.read_csv(out)
    assert list(tr.columns)[:15] == ["indicator", "forvaltning", "unit", "area", "subgroup", "method", "n_periods",
                                     "first_period", "last_period", "estimate", "ci_low", "ci_high", "p_value",
                                     "q_value", "direction"]
    r = tr[(tr.indicator == "complaint_rate") & (tr.forvaltning == "MSB") & (tr.method == "poisson_glm")].iloc[0]
    assert r["direction"] == "stigende"
    ef = pd.read_csv(d / "trends-indsatser.csv")
    lvl = ef[ef.method == "its_level"].iloc[0]
    assert lvl["initiative"] == "Ny visitation" and lvl["direction"] == "faldende"
    rc, _, _ = _run(capsys, "trends", "--db", db, "--organisation", org, "--out", d / "trends.xlsx")
    wb = load_workbook(d / "trends.xlsx")
    assert wb.sheetnames == ["Tendenser", "Indsatser"]
    assert wb["Tendenser"]["A1"].value == "Id" and wb["Tendenser"].freeze_panes == "A2"


def test_risk(aarhus, capsys):
    d, db, org = aarhus
    rc, _, _ = _run(capsys, "risk", "--db", db, "--organisation", org, "--out", d / "risk.csv")
    assert rc == 0
    df = pd.read_csv(d / "risk.csv").set_index("forvaltning")
    assert df.loc["MSB", "tier"] == 3 and df.loc["MTM", "tier"] in (1, 2)
    rc, _, _ = _run(capsys, "risk", "--db", db, "--organisation", org, "--out", d / "risk.xlsx")
    ws = load_workbook(d / "risk.xlsx")["Risikoniveauer"]
    assert [c.value for c in ws[1]][:2] == ["Forvaltning", "Område"]


def test_user_mistakes(aarhus, capsys):
    d, db, org = aarhus
    rc, _, err = _run(capsys, "indicators", "--db", db, "--organisation", org, "--by", "kommune")
    assert rc == 2 and "ukendt gruppering" in err
    rc, _, err = _run(capsys, "indicators", "--db", db, "--organisation", org, "--out", d / "x.txt")
    assert rc == 2 and ".csv eller .xlsx" in err
    rc, _, err = _run(capsys, "indicators", "--db", db, "--organisation", org, "--forvaltning", "SOF")
    assert rc == 2 and "ukendt forvaltning SOF" in err
    rc, _, err = _run(capsys, "trends", "--db", db, "--organisation", org, "--period", "uge")
    assert rc == 2 and "ukendt periode" in err
    rc, _, err = _run(capsys, "indicators", "--db", d / "findes-ikke.duckdb", "--organisation", org)
    assert rc == 2 and "findes ikke" in err
