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


def expected(rows: list[list], specs: list[tuple]) -> tuple[dict[str, tuple], int, int]:
    """From the rules alone: the valid rows by key (key -> row), the duplicates collapsed, the quarantined rows."""
    by_key: dict[str, list[tuple]] = {}
    for row, (key, brk, outcome) in zip(rows, specs):
        by_key.setdefault(row[0], []).append((tuple(row), brk))
    loaded, dups, quar = {}, 0, 0
    for key, copies in by_key.items():
        distinct = {c for c, _ in copies}
        dups += len(copies) - len(distinct)
        if len(distinct) > 1:
            quar += len(distinct)
        else:
            (only, brk) = copies[0]
            if brk is None:
                loaded[key] = only
            else:
                quar += 1
    return loaded, dups, quar


def export(path, specs) -> list[list]:
    rows = []
    for key, brk, outcome in specs:
        r = dict(GOOD, udfald=outcome)
        if brk is not None:
            r.update(BREAKS[brk])
        rows.append([f"K{key}"] + [r[h] for h in HEADER[1:]])
    write_csv(path, HEADER, rows)
    return rows


FIRST_AS_OF = date(2024, 12, 31)
#: the second export's as-of: older, the same, newer (every good row's dates are before all three)
SECOND_AS_OF = [date(2024, 6, 30), FIRST_AS_OF, date(2025, 6, 30)]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(row_spec, min_size=1, max_size=40), st.lists(row_spec, min_size=0, max_size=40),
       st.sampled_from(SECOND_AS_OF))
def test_accounting_invariant_and_no_valid_row_lost(tmp_path_factory, specs, specs2, as_of2):
    tmp = tmp_path_factory.mktemp("prop")
    org = tmp / "org.yaml"
    org.write_text("municipality: T\nforvaltninger:\n  - {code: SOF, name: Socialforvaltningen}\n", encoding="utf-8")
    organisation = org_mod.load(org)
    rows = export(tmp / "a" / "klager.csv", specs)
    con = store.connect(tmp / "db.duckdb")
    pseud = Pseudonymiser(b"k" * 32)
    res = ingest_file(con, tmp / "a" / "klager.csv", organisation, pseud, as_of=FIRST_AS_OF)

    # independent expectation, written from the rules
    expect_loaded, expect_dups, expect_quar = expected(rows, specs)
    assert res.rows_read == len(rows)
    assert res.rows_read == res.inserted + res.updated + res.unchanged + res.duplicates + res.stale + res.quarantined
    assert (res.inserted, res.updated, res.unchanged, res.stale) == (len(expect_loaded), 0, 0, 0)
    assert (res.duplicates, res.quarantined) == (expect_dups, expect_quar)
    loaded = {r[0] for r in con.execute("SELECT complaint_id FROM complaints").fetchall()}
    assert loaded == set(expect_loaded)
    assert con.execute("SELECT count(*) FROM quarantine").fetchone()[0] == expect_quar

    # a second export, older, as old or newer: its valid rows insert, update, confirm or are stale
    if not specs2:
        con.close()
        return
    rows2 = export(tmp / "b" / "klager.csv", specs2)
    res2 = ingest_file(con, tmp / "b" / "klager.csv", organisation, pseud, as_of=as_of2)
    loaded2, dups2, quar2 = expected(rows2, specs2)
    stored = dict(expect_loaded)
    inserted = updated = unchanged = stale = 0
    for key, row in loaded2.items():
        if key not in stored:
            inserted += 1
            stored[key] = row
        elif as_of2 < FIRST_AS_OF:
            stale += 1
        elif stored[key] == row:
            unchanged += 1
        else:
            updated += 1
            stored[key] = row
    assert res2.rows_read == len(rows2)
    assert res2.rows_read == (res2.inserted + res2.updated + res2.unchanged + res2.duplicates + res2.stale
                              + res2.quarantined)
    assert (res2.inserted, res2.updated, res2.unchanged, res2.stale, res2.duplicates, res2.quarantined) == (
        inserted, updated, unchanged, stale, dups2, quar2)
    outcome_col = HEADER.index("udfald")
    assert dict(con.execute("SELECT complaint_id, outcome FROM complaints").fetchall()) == {
        k: r[outcome_col] for k, r in stored.items()}
    con.close()
