"""Property: for random mixtures of valid and invalid rows the accounting holds and no valid row is lost."""

from __future__ import annotations

from datetime import date

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import write_csv
from kvalitet import organisation as org_mod
from kvalitet import store
from kvalitet.ingest import ingest_file
from kvalitet.pii import Pseudonymiser

HEADER = ["klage_id", "forvaltning", "område", "modtaget", "afsluttet", "klagetype", "udfald"]

GOOD = {"forvaltning": "SOF", "område": "Hjemmehjælp", "modtaget": "2024-01-05", "afsluttet": "2024-02-01",
        "klagetype": "realitet", "udfald": "medhold"}
# each break makes a row invalid under exactly one rule
BREAKS = [
    {"forvaltning": "NOPE"}, {"område": ""}, {"modtaget": "2024-02-30"}, {"modtaget": "2031-01-01"},
    {"afsluttet": "2023-12-01"}, {"klagetype": "andet"}, {"udfald": ""}, {"modtaget": "1999-01-01"},
]

row_spec = st.tuples(
    st.integers(min_value=0, max_value=30),  # key (collisions make duplicates)
    st.one_of(st.none(), st.integers(min_value=0, max_value=len(BREAKS) - 1)),  # which rule it breaks, if any
    st.sampled_from(["medhold", "ikke medhold", "delvis medhold"]),  # a value that varies between copies
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(row_spec, min_size=1, max_size=40))
def test_accounting_invariant_and_no_valid_row_lost(tmp_path_factory, specs):
    tmp = tmp_path_factory.mktemp("prop")
    org = tmp / "org.yaml"
    org.write_text("municipality: T\nforvaltninger:\n  - {code: SOF, name: Socialforvaltningen}\n", encoding="utf-8")
    rows = []
    for key, brk, outcome in specs:
        r = dict(GOOD, udfald=outcome)
        if brk is not None:
            r.update(BREAKS[brk])
        rows.append([f"K{key}"] + [r[h] for h in HEADER[1:]])
    f = write_csv(tmp / "klager.csv", HEADER, rows)
    con = store.connect(tmp / "db.duckdb")
    res = ingest_file(con, f, org_mod.load(org), Pseudonymiser(b"k" * 32), as_of=date(2024, 12, 31))

    # independent expectation, written from the rules
    by_key: dict[str, list[tuple]] = {}
    for row, (key, brk, outcome) in zip(rows, specs):
        by_key.setdefault(row[0], []).append((tuple(row), brk))
    expect_loaded, expect_dups, expect_quar = set(), 0, 0
    for key, copies in by_key.items():
        distinct = {c for c, _ in copies}
        expect_dups += len(copies) - len(distinct)
        if len(distinct) > 1:
            expect_quar += len(distinct)
        else:
            (only, brk) = copies[0]
            if brk is None:
                expect_loaded.add(key)
            else:
                expect_quar += 1
    assert res.rows_read == len(rows)
    assert res.rows_read == res.inserted + res.updated + res.unchanged + res.duplicates + res.quarantined
    assert (res.inserted, res.duplicates, res.quarantined) == (len(expect_loaded), expect_dups, expect_quar)
    loaded = {r[0] for r in con.execute("SELECT complaint_id FROM complaints").fetchall()}
    assert loaded == expect_loaded
    assert con.execute("SELECT count(*) FROM quarantine").fetchone()[0] == expect_quar
    con.close()
