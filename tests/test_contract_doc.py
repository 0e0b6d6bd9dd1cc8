"""docs/datakontrakt.md is generated from the contract and kept in step with it."""

from conftest import ROOT
from kvalitet import contract


def test_contract_doc_is_current():
    doc = (ROOT / "docs" / "datakontrakt.md").read_text(encoding="utf-8")
    assert doc == contract.markdown(), "run: .venv/bin/python -m kvalitet.contract > docs/datakontrakt.md"


def test_contract_matches_design_md_tables_and_required_columns():
    """The ten tables of DESIGN.md with their keys and required columns (written out here from DESIGN.md)."""
    expected = {
        "complaints": (("complaint_id",), {"complaint_id", "forvaltning", "area", "received", "kind"}),
        "decisions": (("forvaltning", "unit", "area", "month"), {"forvaltning", "area", "month", "decisions"}),
        "appeals": (("appeal_id",), {"appeal_id", "forvaltning", "area", "decided", "outcome"}),
        "cases": (("case_id",), {"case_id", "forvaltning", "area", "opened"}),
        "audits": (("audit_id", "item"), {"audit_id", "forvaltning", "area", "audit_date", "item", "result"}),
        "inquiries": (("inquiry_id",), {"inquiry_id", "forvaltning", "received", "category"}),
        "satisfaction": (("forvaltning", "unit", "survey", "period"),
                         {"forvaltning", "period", "respondents", "satisfied"}),
        "municipal_appeals": (("municipality", "year", "area"),
                              {"municipality", "year", "area", "upheld", "changed", "remitted"}),
        # the findings register (issue 10): two sources may number their findings of one year alike
        "recommendations": (("forvaltning", "source", "evaluation_year", "number"),
                            {"forvaltning", "evaluation_year", "number", "text", "status"}),
        "risk_assessments": (("forvaltning", "area", "assessed"), {"forvaltning", "area", "assessed"}),
    }
    assert set(contract.TABLES) == set(expected)
    for name, (key, required) in expected.items():
        t = contract.TABLES[name]
        assert t.key == key
        assert {c.name for c in t.required} == required
