"""The demo data generator: determinism, the table contract, row rules, bad rows and the planted effects.

What the demo must deliver is taken from the README ("The demo database") and DESIGN.md, and the magnitudes from the
published figures in tests/data/public/; the planted effects are found with statistics computed here (statsmodels
GLMs, Wilson intervals, plain pandas), never by comparing the output with the generator's own constants.
"""

from __future__ import annotations

import re
import subprocess
import sys
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from kvalitet.demodata import DemoData, generate, load_manifest

from conftest import PUBLIC

ROOT = Path(__file__).resolve().parents[1]
ORG_FILE = ROOT / "parameters" / "organisation.yaml"
#: README: "København's seven forvaltninger (BIF, BUF, KFF, SOF, SUF, TMF, ØKF), 2013–2024"
DEMO_AS_OF = date(2024, 12, 31)
FIRST_YEAR, LAST_YEAR = 2013, 2024
#: README: "48 bad rows of the kinds real exports contain end in the quarantine" (45 before the findings register)
BAD_ROWS_TOTAL = 48

# The canonical tables and columns, written out from DESIGN.md ("Data contract"); required columns first.
COLUMNS = {
    "complaints": ["complaint_id", "forvaltning", "unit", "area", "received", "closed", "kind", "topic", "outcome",
                   "sent_to_appeal", "citizen_id"],
    "decisions": ["forvaltning", "unit", "area", "month", "decisions"],
    "appeals": ["appeal_id", "forvaltning", "unit", "area", "body", "received", "decided", "outcome"],
    "cases": ["case_id", "forvaltning", "unit", "area", "case_type", "opened", "decided", "target_days"],
    "audits": ["audit_id", "case_id", "forvaltning", "unit", "area", "audit_date", "item", "result"],
    "inquiries": ["inquiry_id", "forvaltning", "received", "closed", "category", "criticism"],
    "satisfaction": ["forvaltning", "unit", "survey", "period", "respondents", "satisfied"],
    "municipal_appeals": ["municipality", "year", "area", "upheld", "changed", "remitted", "dismissed", "total"],
    "recommendations": ["forvaltning", "evaluation_year", "number", "text", "status", "updated", "source", "kind",
                        "area", "due", "closed", "action", "indicators"],
    "risk_assessments": ["forvaltning", "area", "assessed", "economy", "legal", "it", "note"],
}
REQUIRED = {
    "complaints": ["complaint_id", "forvaltning", "area", "received", "kind"],
    "decisions": ["forvaltning", "area", "month", "decisions"],
    "appeals": ["appeal_id", "forvaltning", "area", "decided", "outcome"],
    "cases": ["case_id", "forvaltning", "area", "opened"],
    "audits": ["audit_id", "forvaltning", "area", "audit_date", "item", "result"],
    "inquiries": ["inquiry_id", "forvaltning", "received", "category"],
    "satisfaction": ["forvaltning", "period", "respondents", "satisfied"],
    "municipal_appeals": ["municipality", "year", "area", "upheld", "changed", "remitted"],
    "recommendations": ["forvaltning", "evaluation_year", "number", "text", "status"],
    "risk_assessments": ["forvaltning", "area", "assessed"],
}
KEYS = {
    "complaints": ["complaint_id"],
    "decisions": ["forvaltning", "unit", "area", "month"],
    "appeals": ["appeal_id"],
    "cases": ["case_id"],
    "audits": ["audit_id", "item"],
    "inquiries": ["inquiry_id"],
    "satisfaction": ["forvaltning", "unit", "survey", "period"],
    "municipal_appeals": ["municipality", "year", "area"],
    "recommendations": ["forvaltning", "source", "evaluation_year", "number"],
    "risk_assessments": ["forvaltning", "area", "assessed"],
}
DATES = {
    "complaints": ["received", "closed"],
    "appeals": ["received", "decided"],
    "cases": ["opened", "decided"],
    "audits": ["audit_date"],
    "inquiries": ["received", "closed"],
    "recommendations": ["updated", "closed"],
    "risk_assessments": ["assessed"],
}
ORDER = {"complaints": [("received", "closed")], "appeals": [("received", "decided")],
         "cases": [("opened", "decided")], "inquiries": [("received", "closed")]}
COUNTS = {
    "decisions": ["decisions"], "cases": ["target_days"], "satisfaction": ["respondents", "satisfied"],
    "municipal_appeals": ["upheld", "changed", "remitted", "dismissed", "total"],
}
CATEGORIES = {
    ("complaints", "kind"): {"formalitet", "realitet", "formalitet og realitet"},
    ("complaints", "outcome"): {"medhold", "delvis medhold", "ikke medhold", "afvist", "trukket tilbage"},
    ("appeals", "outcome"): {"stadfæstet", "ændret", "ophævet", "hjemvist", "afvist", "henvist", "bortfaldet"},
    ("audits", "result"): {"ok", "fejl", "ikke relevant"},
    ("recommendations", "status"): {"gennemført", "i gang", "ikke påbegyndt", "opgivet"},
    # issue 10: the findings register's sources and kinds (any case)
    ("recommendations", "source"): {"Borgerrådgiveren", "Ankestyrelsen", "Folketingets Ombudsmand", "intern revision",
                                    "ekstern revision", "Rigsrevisionen", "STAR", "forvaltningen selv"},
    ("recommendations", "kind"): {"anbefaling", "kritik", "revisionsbemærkning", "praksisundersøgelse", "påtale"},
}
BOOLS = {"complaints": ["sent_to_appeal"], "inquiries": ["criticism"]}
CODES = {"BIF", "BUF", "KFF", "SOF", "SUF", "TMF", "ØKF"}
MERITS = {"stadfæstet", "ændret", "ophævet", "hjemvist"}
CPR_RE = re.compile(r"(?<!\d)(\d{2})(\d{2})(\d{2})-?(\d{4})(?!\d)")
#: the indicator catalogue's ids (docs/indikatorer.md), which the register's `indicators` may name
CATALOGUE_IDS = ("complaints_received", "complaint_rate", "complaint_upheld_share", "complaint_response_days_median",
                 "appeal_reversal_share", "appeal_upheld_share", "processing_days_median", "service_target_share",
                 "processing_days_km_median", "open_cases_over_target", "audit_error_share", "audit_item_error_share",
                 "inquiries_received", "inquiry_criticism_share", "satisfaction_share", "municipal_reversal_share")


@pytest.fixture(scope="module")
def demo() -> DemoData:
    return generate(2024)


@pytest.fixture(scope="module")
def manifest() -> dict:
    return load_manifest()


def _valid_cpr(text: str) -> bool:
    m = CPR_RE.fullmatch(text)
    if not m:
        return False
    dd, mm, yy, _ = (int(g) for g in m.groups())
    for century in (1900, 2000):
        try:
            date(century + yy, mm, dd)
            return True
        except ValueError:
            pass
    return False


def _contains_cpr(text: str) -> bool:
    return any(_valid_cpr(m.group(0)) for m in CPR_RE.finditer(text))


# ------------------------------------------------------------------------------------------ determinism
def test_same_seed_gives_identical_frames(demo):
    again = generate(2024)
    assert list(again.frames) == list(demo.frames)
    for name, df in demo.frames.items():
        pd.testing.assert_frame_equal(df, again.frames[name], check_exact=True)
    assert again.bad_rows == demo.bad_rows


def test_other_seed_differs(demo):
    other = generate(7)
    assert not other.frames["complaints"].equals(demo.frames["complaints"])
    assert not other.frames["cases"].equals(demo.frames["cases"])


def _digest_code(seed: int | None) -> str:
    return (
        "import pandas as pd, hashlib;"
        "from kvalitet.demodata import generate;"
        f"d = generate({seed!r});"
        "h = hashlib.sha256();"
        "[h.update(pd.util.hash_pandas_object(d.frames[k], index=False).values.tobytes()) for k in sorted(d.frames)];"
        "print(h.hexdigest())"
    )


def test_identical_across_processes():
    """Without a seed (as `kvalitet demo` runs it), two processes with different hash seeds give the same data."""
    digests = set()
    for hashseed in ("1", "12345"):
        out = subprocess.run(
            [sys.executable, "-c", _digest_code(None)], capture_output=True, text=True, check=True, cwd=ROOT,
            env={"PYTHONHASHSEED": hashseed, "PATH": "/usr/bin:/bin"},
        )
        digests.add(out.stdout.strip())
    assert len(digests) == 1


# ------------------------------------------------------------------------------------------ contract
def test_every_table_with_canonical_columns(demo):
    assert set(demo.frames) == set(COLUMNS)
    for name, cols in COLUMNS.items():
        assert list(demo.frames[name].columns) == cols, name
    assert demo.as_of == DEMO_AS_OF


def test_contract_module_agrees():
    from kvalitet.contract import TABLES

    for name, cols in COLUMNS.items():
        assert TABLES[name].column_names == cols
        assert sorted(c.name for c in TABLES[name].required) == sorted(REQUIRED[name])
        assert list(TABLES[name].key) == KEYS[name]


def test_types(demo):
    f = demo.frames
    for name, cols in DATES.items():
        for c in cols:
            assert f[name][c].dtype == np.dtype("datetime64[ns]"), (name, c)
    for name, cols in BOOLS.items():
        for c in cols:
            assert f[name][c].dtype == "boolean", (name, c)
    for name, cols in COUNTS.items():
        for c in cols:
            assert pd.api.types.is_integer_dtype(f[name][c]), (name, c)
    for c in ("year",):
        assert pd.api.types.is_integer_dtype(f["municipal_appeals"][c])
    for c in ("evaluation_year", "number"):
        assert pd.api.types.is_integer_dtype(f["recommendations"][c])
    for c in ("economy", "legal", "it"):
        assert pd.api.types.is_integer_dtype(f["risk_assessments"][c])
    assert f["decisions"]["month"].str.fullmatch(r"\d{4}-(0[1-9]|1[0-2])").all()
    assert f["satisfaction"]["period"].str.fullmatch(r"\d{4}").all()
    for name, df in f.items():
        for c in df.columns:
            if pd.api.types.is_string_dtype(df[c]):
                vals = df[c].dropna()
                assert all(isinstance(v, str) for v in vals), (name, c)
                assert (vals == vals.map(lambda s: " ".join(s.split()))).all(), f"{name}.{c} not trimmed/collapsed"


# ------------------------------------------------------------------------------------------ row rules
def test_required_values_present(demo):
    for name, cols in REQUIRED.items():
        df = demo.frames[name]
        for c in cols:
            assert df[c].notna().all(), (name, c)
            if pd.api.types.is_string_dtype(df[c]):
                assert (df[c].str.len() > 0).all(), (name, c)


def test_forvaltning_codes_declared(demo):
    from kvalitet.organisation import load

    declared = set(load(ORG_FILE).codes)
    assert declared == CODES
    for name, df in demo.frames.items():
        if "forvaltning" in df:
            assert set(df["forvaltning"]) <= declared, name
    for code in CODES:  # every forvaltning has data
        assert code in set(demo.frames["complaints"]["forvaltning"])


def test_dates_in_range(demo):
    # DESIGN: no date after the export's as-of or before 2000
    lo, hi = pd.Timestamp(2000, 1, 1), pd.Timestamp(DEMO_AS_OF)
    for name, cols in DATES.items():
        for c in cols:
            s = demo.frames[name][c].dropna()
            assert (s >= lo).all() and (s <= hi).all(), (name, c)
    # README: 2013-2024, by the date that places a record in a period (an appeal decided in 2013 may have been
    # received in 2012)
    for name, col in (("complaints", "received"), ("appeals", "decided"), ("cases", "opened"),
                      ("audits", "audit_date"), ("inquiries", "received")):
        assert demo.frames[name][col].min() >= pd.Timestamp(FIRST_YEAR, 1, 1), name
    assert (demo.frames["municipal_appeals"]["year"].between(FIRST_YEAR, LAST_YEAR)).all()
    assert (demo.frames["recommendations"]["evaluation_year"].between(FIRST_YEAR, LAST_YEAR)).all()
    # the event tables cover every year of the period
    for name, col in (("complaints", "received"), ("appeals", "decided"), ("cases", "opened"),
                      ("inquiries", "received")):
        years = set(demo.frames[name][col].dt.year)
        assert years == set(range(FIRST_YEAR, LAST_YEAR + 1)), name
    assert set(demo.frames["decisions"]["month"].str[:4].astype(int)) == set(range(FIRST_YEAR, LAST_YEAR + 1))


def test_order_rules(demo):
    for name, pairs in ORDER.items():
        df = demo.frames[name]
        for earlier, later in pairs:
            both = df[earlier].notna() & df[later].notna()
            assert (df.loc[both, later] >= df.loc[both, earlier]).all(), (name, earlier, later)


def test_outcome_on_closed_complaints(demo):
    c = demo.frames["complaints"]
    assert c.loc[c["closed"].notna(), "outcome"].notna().all()
    assert c.loc[c["closed"].isna(), "outcome"].isna().all()  # open complaints have no outcome yet
    assert c["closed"].isna().any()


def test_categories(demo):
    for (name, col), allowed in CATEGORIES.items():
        assert set(demo.frames[name][col].dropna()) <= allowed, (name, col)
    assert set(demo.frames["complaints"]["kind"]) == CATEGORIES[("complaints", "kind")]


def test_counts_not_negative_and_scores(demo):
    for name, cols in COUNTS.items():
        for c in cols:
            assert (demo.frames[name][c].dropna() >= 0).all(), (name, c)
    r = demo.frames["risk_assessments"]
    for c in ("economy", "legal", "it"):
        assert r[c].dropna().between(1, 3).all()


def test_satisfied_not_above_respondents(demo):
    s = demo.frames["satisfaction"]
    assert (s["satisfied"] <= s["respondents"]).all()


def test_municipal_appeals_total(demo):
    m = demo.frames["municipal_appeals"]
    parts = m["upheld"] + m["changed"] + m["remitted"] + m["dismissed"].fillna(0)
    given = m["total"].notna()
    assert (m.loc[given, "total"] == parts[given]).all()
    assert m["total"].isna().any() and given.any()
    assert m["municipality"].nunique() >= 15
    assert {"København", "Morsø", "Sorø", "Egedal", "Assens", "Køge"} <= set(m["municipality"])
    assert m["year"].between(FIRST_YEAR, LAST_YEAR).all() and m["year"].nunique() >= 5


def test_unique_keys(demo):
    for name, key in KEYS.items():
        df = demo.frames[name]
        assert not df.duplicated(key).any(), name


# ------------------------------------------------------------------------------------------ bad rows
def _key(table: str, row: dict) -> tuple:
    return tuple(str(row[k]) for k in KEYS[table])


def _valid_keys(demo, table: str) -> set[tuple]:
    df = demo.frames[table]
    out = set()
    for rec in df[KEYS[table]].itertuples(index=False):
        out.add(tuple(str(v.date()) if isinstance(v, pd.Timestamp) else str(v) for v in rec))
    return out


def test_bad_rows_total_and_in_every_table(demo, manifest):
    assert sum(len(rows) for rows in demo.bad_rows.values()) == BAD_ROWS_TOTAL
    assert set(demo.bad_rows) == set(COLUMNS) and all(demo.bad_rows.values())
    # the manifest (read by the demo-build test for the quarantine) says the same per table
    assert {t: len(rows) for t, rows in demo.bad_rows.items()} == manifest["expected_bad_rows"]


def test_bad_rows_are_raw_strings_with_reason(demo):
    for table, rows in demo.bad_rows.items():
        for row in rows:
            assert set(row) == set(COLUMNS[table]) | {"_why"}, table
            assert all(isinstance(v, str) for v in row.values())
            assert row["_why"]


def test_bad_row_keys_do_not_collide(demo):
    for table, rows in demo.bad_rows.items():
        valid = _valid_keys(demo, table)
        bad_keys = [_key(table, r) for r in rows]
        assert not (set(bad_keys) & valid), table
        for k in set(bad_keys):
            n = bad_keys.count(k)
            if n > 1:  # the deliberate duplicate pair: exactly two copies whose values differ
                copies = [r for r in rows if _key(table, r) == k]
                assert n == 2
                strip = [{c: v for c, v in r.items() if c != "_why"} for r in copies]
                assert strip[0] != strip[1]


def _parse_date(s: str) -> date | None:
    for fmt in ("%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y"):
        try:
            return pd.to_datetime(s, format=fmt).date()
        except (ValueError, TypeError):
            pass
    return None


def _raw_reasons(table: str, row: dict) -> list[str]:
    """A small stand-alone checker of the DESIGN row rules on a raw row (not the project's validator)."""
    reasons = []
    for c in REQUIRED[table]:
        if row.get(c, "") == "":
            reasons.append(f"missing {c}")
    if row.get("forvaltning") and row["forvaltning"] not in CODES:
        reasons.append("forvaltning")
    parsed = {}
    for c in DATES.get(table, []):
        if row.get(c):
            d = _parse_date(row[c])
            if d is None:
                reasons.append(f"unparsable {c}")
            elif d > DEMO_AS_OF:
                reasons.append(f"after as-of {c}")
            elif d < date(2000, 1, 1):
                reasons.append(f"before 2000 {c}")
            parsed[c] = d
    if table == "decisions" and row["month"] and not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", row["month"]):
        reasons.append("month")
    for earlier, later in ORDER.get(table, []):
        if parsed.get(earlier) and parsed.get(later) and parsed[later] < parsed[earlier]:
            reasons.append("order")
    for (t, col), allowed in CATEGORIES.items():
        if t == table and row.get(col) and row[col].lower() not in {a.lower() for a in allowed}:
            reasons.append(f"category {col}")
    if table == "recommendations" and row["status"] == "opgivet" and not row["action"]:
        reasons.append("opgivet without action")
    if table == "recommendations" and row["indicators"]:
        if {i.strip() for i in row["indicators"].split(",")} - set(CATALOGUE_IDS):
            reasons.append("indicator id")
    if table == "complaints" and row["closed"] and not row["outcome"]:
        reasons.append("no outcome")
    for c in BOOLS.get(table, []):
        if row.get(c) and row[c].lower() not in {"ja", "nej", "true", "false", "1", "0"}:
            reasons.append(f"bool {c}")
    nums = {}
    for c in COUNTS.get(table, []):
        if row.get(c):
            try:
                nums[c] = int(row[c])
                if nums[c] < 0:
                    reasons.append(f"negative {c}")
            except ValueError:
                reasons.append(f"unparsable {c}")
    if table == "satisfaction" and {"satisfied", "respondents"} <= set(nums):
        if nums["satisfied"] > nums["respondents"]:
            reasons.append("satisfied > respondents")
    if table == "municipal_appeals" and "total" in nums:
        if nums["total"] != sum(nums.get(c, 0) for c in ("upheld", "changed", "remitted", "dismissed")):
            reasons.append("total")
    return reasons


def test_each_bad_row_breaks_a_rule(demo):
    for table, rows in demo.bad_rows.items():
        keys = [_key(table, r) for r in rows]
        for row, k in zip(rows, keys):
            if keys.count(k) > 1:  # a duplicate copy is bad only because of the duplicate key
                assert not _raw_reasons(table, row), (table, row)
            else:
                assert _raw_reasons(table, row), (table, row)


def test_valid_rows_pass_the_raw_checker(demo, tmp_path):
    paths = demo.write_csv(tmp_path, with_bad_rows=False)
    for p in paths:
        table = p.stem
        df = pd.read_csv(p, dtype=str, keep_default_na=False)
        assert list(df.columns) == COLUMNS[table]
        sample = df.sample(min(len(df), 400), random_state=1) if len(df) > 400 else df
        for row in sample.to_dict("records"):
            assert not _raw_reasons(table, row), (table, row)


def test_morsoe_sum_mismatch(demo):
    """The real Morsø H1 2020 row as published (tests/data/public/ast_omgoerelse_kommuner.csv)."""
    pub = pd.read_csv(PUBLIC / "ast_omgoerelse_kommuner.csv")
    pub = pub[(pub["kommune"] == "Morsø") & (pub["year"] == 2020) & (pub["period"] == "H1")].iloc[0]
    rows = [r for r in demo.bad_rows["municipal_appeals"] if r["municipality"] == "Morsø"]
    assert len(rows) == 1
    r = rows[0]
    assert [int(r[c]) for c in ("upheld", "changed", "remitted", "dismissed", "total")] == [
        pub.n_stadfaestet, pub.n_aendret_ophaevet, pub.n_hjemvist, pub.n_afvist, pub.n_total]  # 23, 2, 1, 2; 27
    assert _raw_reasons("municipal_appeals", r) == ["total"]


def _rule(reason: str) -> str:
    """The DESIGN row rule a reason of _raw_reasons belongs to."""
    for prefix, rule in (("missing", "required value missing"), ("unparsable", "unparsable value"),
                         ("month", "unparsable value"), ("bool", "unparsable value"),
                         ("forvaltning", "unknown forvaltning"), ("category", "unknown category"),
                         ("after as-of", "date after as-of"), ("before 2000", "date before 2000"),
                         ("order", "closed/decided before received/opened"), ("no outcome", "no outcome on closed"),
                         ("negative", "negative count"), ("satisfied", "satisfied > respondents"),
                         ("total", "total differs from the sum"), ("opgivet", "opgivet without its reason"),
                         ("indicator", "unknown indicator id")):
        if reason.startswith(prefix):
            return rule
    raise AssertionError(reason)


def test_bad_rows_cover_every_row_rule(demo):
    """Every row rule of DESIGN.md ("Data contract") is broken by at least one bad row, as judged by the stand-alone
    checker above (not by the generator's own labels)."""
    rules = set()
    for table, rows in demo.bad_rows.items():
        keys = [_key(table, r) for r in rows]
        for row, k in zip(rows, keys):
            if keys.count(k) > 1:
                rules.add("same key, other values")
            rules.update(_rule(x) for x in _raw_reasons(table, row))
    assert rules == {
        "required value missing", "unparsable value", "unknown category", "unknown forvaltning", "date after as-of",
        "date before 2000", "closed/decided before received/opened", "no outcome on closed", "negative count",
        "satisfied > respondents", "total differs from the sum", "same key, other values",
        "opgivet without its reason", "unknown indicator id"}


def test_write_csv_appends_bad_rows(demo, tmp_path):
    demo.write_csv(tmp_path)
    df = pd.read_csv(tmp_path / "municipal_appeals.csv", dtype=str, keep_default_na=False)
    assert len(df) == len(demo.frames["municipal_appeals"]) + len(demo.bad_rows["municipal_appeals"])
    assert "_why" not in df.columns


# ------------------------------------------------------------------------------------------ findings register
def test_register_has_several_sources_for_every_forvaltning(demo):
    """Issue 10: findings from several sources for all seven forvaltninger; the Borgerrådgiver's evaluations follow
    the FOKUS cycle from 2015 every second year; every linked indicator is in the catalogue."""
    r = demo.frames["recommendations"]
    # Borgerrådgiveren everywhere, plus (register.py): BIF Ankestyrelsen, STAR, intern revision; BUF the Ombudsmand,
    # Ankestyrelsen, forvaltningen selv; KFF ekstern revision; SOF Ankestyrelsen, Rigsrevisionen; SUF intern
    # revision, Ankestyrelsen; TMF the Ombudsmand; ØKF the Ombudsmand, ekstern revision
    assert r.groupby("forvaltning")["source"].nunique().to_dict() == {
        "BIF": 4, "BUF": 4, "KFF": 2, "SOF": 3, "SUF": 3, "TMF": 2, "ØKF": 3}
    assert set(r["source"]) == CATEGORIES[("recommendations", "source")]
    assert set(r["kind"]) == CATEGORIES[("recommendations", "kind")]
    fokus = r[(r["source"] == "Borgerrådgiveren") & (r["kind"] == "anbefaling")]
    assert set(fokus["evaluation_year"]) == {2015, 2017, 2019, 2021, 2023}
    linked = {i for v in r["indicators"].dropna() for i in v.split(",")}
    assert linked and linked <= set(CATALOGUE_IDS)


def test_register_sof_2015_is_the_four_real_recommendations(demo):
    r = demo.frames["recommendations"]
    sof = r[(r["forvaltning"] == "SOF") & (r["evaluation_year"] == 2015) & (r["source"] == "Borgerrådgiveren")]
    assert sof["number"].tolist() == [1, 2, 3, 4]
    words = ["kvalitetsmål", "ledelsesinformation", "hele indsatsen", "effekten"]
    assert all(w in t for w, t in zip(words, sof["text"]))
    assert "brugertilfredshed og frister" in sof["text"].iloc[0]
    # the 2017 status: måltal for klager (1) and the risk-based ledelsestilsyn (2) in place, the rest under way
    assert sof["status"].tolist() == ["gennemført", "gennemført", "i gang", "i gang"]
    assert "måltal for klager" in sof["action"].iloc[0] and "ledelsestilsyn" in sof["action"].iloc[1]


def test_register_has_overdue_and_opgivet_findings(demo):
    r = demo.frames["recommendations"]
    as_of = pd.Timestamp(DEMO_AS_OF)
    open_ = ~r["status"].isin(["gennemført", "opgivet"])
    overdue = r[open_ & (r["due"] < as_of)]
    # written out in kvalitet/demodata/register.py: SOF 2015 no. 3 and SOF's påtale, BIF (STAR), BUF
    # (Ankestyrelsen), SUF (intern revision), ØKF (Folketingets Ombudsmand)
    assert sorted(overdue["forvaltning"]) == ["BIF", "BUF", "SOF", "SOF", "SUF", "ØKF"]
    opgivet = r[r["status"] == "opgivet"]
    assert len(opgivet) == 3 and opgivet["action"].str.len().gt(20).all()
    assert (r["due"].dropna() > as_of).any()  # deadlines may lie after the as-of date
    assert (r["closed"].dropna() <= as_of).all()


# ------------------------------------------------------------------------------------------ personal data
def test_cpr_numbers_to_protect(demo):
    """The demo exercises the CPR rules of DESIGN.md: CPR numbers in the identifier column and, in both written
    forms (DDMMYY-NNNN and DDMMYYNNNN), inside free text; and identifiers that are not CPR numbers."""
    ids = demo.frames["complaints"]["citizen_id"].dropna()
    is_cpr = ids.map(_valid_cpr)
    assert is_cpr.mean() > 0.5 and (~is_cpr).any()
    topics = demo.frames["complaints"]["topic"]
    with_cpr = topics[topics.map(_contains_cpr)]
    assert with_cpr.str.contains(r"(?<!\d)\d{6}-\d{4}(?!\d)").any()
    assert with_cpr.str.contains(r"(?<!\d)\d{10}(?!\d)").any()


# ------------------------------------------------------------------------------------------ effects
def _yearly_rate(demo, forvaltning: str, area: str) -> pd.Series:
    c = demo.frames["complaints"]
    d = demo.frames["decisions"]
    c = c[(c["forvaltning"] == forvaltning) & (c["area"] == area)]
    d = d[(d["forvaltning"] == forvaltning) & (d["area"] == area)]
    num = c.groupby(c["received"].dt.year).size()
    den = d.groupby(d["month"].str[:4].astype(int))["decisions"].sum()
    return (num / den * 1000).reindex(range(2013, 2025))


def _reversal(df: pd.DataFrame) -> float:
    m = df[df["outcome"].isin(MERITS)]
    return float((m["outcome"] != "stadfæstet").mean())


def _appeals(demo, forvaltning: str, area: str) -> pd.DataFrame:
    a = demo.frames["appeals"]
    return a[(a["forvaltning"] == forvaltning) & (a["area"] == area)]


def _audit_errors(demo, forvaltning: str, area: str) -> pd.DataFrame:
    a = demo.frames["audits"]
    a = a[(a["forvaltning"] == forvaltning) & (a["area"] == area) & (a["result"] != "ikke relevant")]
    per = a.groupby("audit_id").agg(error=("result", lambda s: (s == "fejl").any()), date=("audit_date", "first"))
    return per


def _effects(manifest, kind: str) -> list[dict]:
    return [e for e in manifest["effects"] if e["kind"] == kind]


def _wilson(x: int, n: int) -> tuple[float, float]:
    from statsmodels.stats.proportion import proportion_confint

    lo, hi = proportion_confint(x, n, alpha=0.05, method="wilson")
    return float(lo), float(hi)


def _published(metric: str) -> dict[int, int]:
    """Københavns Borgerrådgiver's published yearly figure of one metric (tests/data/public)."""
    pub = pd.read_csv(PUBLIC / "kk_borgerraadgiver_beretning_tal.csv")
    pub = pub[pub["metric"] == metric]
    return dict(zip(pub["beretningsaar"].astype(int), pub["value"].astype(int)))


#: the planted effects as the README describes them
README_TRENDS = {("BIF", "Kontanthjælp"): 0.87, ("SUF", "Hjælpemidler"): 1.12}   # -13 % and +12 % a year
README_SHIFT = ("SOF", "Udsatte børn og unge", "2019-01-01", 0.37, 0.22)           # omgørelsesprocent 37 % -> 22 %
README_AUDIT = ("SUF", "Hjemmepleje", 0.42, 0.25)                                  # about 42 % vs the 25 % threshold
README_BACKLOG = ("TMF", "Byggesager - enfamiliehuse", "2021-03-01", "2022-06-30")  # March 2021-June 2022
README_NULL_SERIES = 9


def test_manifest_says_what_the_readme_says(manifest):
    """The manifest drives the generator and the screening tests; it must plant what the README promises."""
    got = {(e["forvaltning"], e["area"]): e for e in manifest["effects"]}
    for key, ratio in README_TRENDS.items():
        assert (got[key]["kind"], got[key]["indicator"], got[key]["ratio_per_year"]) == (
            "trend", "complaint_rate", ratio), key
    f, a, start, before, after = README_SHIFT
    e = got[(f, a)]
    assert (e["kind"], e["indicator"], e["start"], e["before"], e["after"]) == (
        "level_shift", "appeal_reversal_share", start, before, after)
    f, a, value, threshold = README_AUDIT
    assert (got[(f, a)]["value"], got[(f, a)]["threshold"]) == (value, threshold)
    f, a, start, end = README_BACKLOG
    assert (got[(f, a)]["kind"], got[(f, a)]["start"], got[(f, a)]["end"]) == ("backlog_episode", start, end)
    assert len(manifest["null_series"]) == README_NULL_SERIES


@pytest.mark.parametrize("key", list(README_TRENDS))
def test_complaint_rate_trend_found_by_quasi_poisson(demo, key):
    """A quasi-Poisson GLM (R glm(family = quasipoisson)) fitted here on the yearly complaints with a
    log(decisions) offset: its 95 % interval for the yearly rate ratio covers the README's ratio, and excludes 1."""
    import statsmodels.api as sm
    from scipy import stats as st

    fv, area = key
    c, d = demo.frames["complaints"], demo.frames["decisions"]
    sel_c = c[(c["forvaltning"] == fv) & (c["area"] == area)]
    sel_d = d[(d["forvaltning"] == fv) & (d["area"] == area)]
    years = range(FIRST_YEAR, LAST_YEAR + 1)
    y = sel_c.groupby(sel_c["received"].dt.year).size().reindex(years, fill_value=0)
    n = sel_d.groupby(sel_d["month"].str[:4].astype(int))["decisions"].sum().reindex(years)
    x = sm.add_constant(np.arange(len(years), dtype=float))
    fit = sm.GLM(y.to_numpy(float), x, family=sm.families.Poisson(), offset=np.log(n.to_numpy(float))).fit(
        scale="X2")
    tq = st.t.ppf(0.975, len(years) - 2)
    lo, hi = np.exp(fit.params[1] - tq * fit.bse[1]), np.exp(fit.params[1] + tq * fit.bse[1])
    want = README_TRENDS[key]
    assert lo < want < hi, (key, lo, hi)
    assert not lo < 1 < hi, key


def test_reversal_shift_at_initiative(demo):
    """Omgørelsesprocent, plain pandas: (ændret + ophævet + hjemvist) / realitetsbehandlede before and after the
    start date; each Wilson interval covers the README's share and the two differ surely (two-sample z-test)."""
    from statsmodels.stats.proportion import proportions_ztest

    fv, area, start, want_before, want_after = README_SHIFT
    a = _appeals(demo, fv, area)
    a = a[a["outcome"].isin(MERITS)]
    reversed_ = a["outcome"] != "stadfæstet"
    before = (a["decided"] < pd.Timestamp(start)).to_numpy()
    x = [int(reversed_[before].sum()), int(reversed_[~before].sum())]
    n = [int(before.sum()), int((~before).sum())]
    lo, hi = _wilson(x[0], n[0])
    assert lo < want_before < hi, (x[0], n[0])
    lo, hi = _wilson(x[1], n[1])
    assert lo < want_after < hi, (x[1], n[1])
    assert proportions_ztest(x, n)[1] < 0.001


def test_audit_error_share_above_threshold(demo):
    fv, area, value, threshold = README_AUDIT
    per = _audit_errors(demo, fv, area)
    lo, hi = _wilson(int(per["error"].sum()), len(per))
    assert lo < value < hi and lo > threshold
    # surely over the threshold (Wilson lower limit above it) in most single years
    years = per.groupby(per["date"].dt.year)["error"].agg(["sum", "count"])
    lower = [_wilson(int(s), int(n))[0] for s, n in zip(years["sum"], years["count"])]
    assert sum(lb > threshold for lb in lower) >= 0.6 * len(lower)
    # no other area is over the threshold
    a = demo.frames["audits"]
    for (f, ar), _ in a.groupby(["forvaltning", "area"]):
        if (f, ar) != (fv, area):
            assert _audit_errors(demo, f, ar)["error"].mean() < threshold, (f, ar)


def test_byggesag_backlog_episode(demo):
    fv, area, start, end = README_BACKLOG
    # the servicemål for enfamiliehuse is the national 40 days (tests/data/public/byggesag_servicemaal_targets.csv)
    targets = pd.read_csv(PUBLIC / "byggesag_servicemaal_targets.csv").set_index("kategori")
    target = int(targets.loc["Enfamiliehuse", "servicemaal_kalenderdage"])
    cs = demo.frames["cases"]
    cs = cs[(cs["forvaltning"] == fv) & (cs["area"] == area)]
    days = (cs["decided"] - cs["opened"]).dt.days
    inside = cs["opened"].between(pd.Timestamp(start), pd.Timestamp(end))
    normal = ~inside & (cs["opened"] < pd.Timestamp(start))
    # processing time (by opening date here): about three times as long as before the episode, over 2x servicemål
    assert 2.5 < days[inside].median() / days[normal].median() < 3.5
    assert days[inside].median() > 2 * target and days[normal].median() < target
    # share within the servicemål: low inside; outside it, about two thirds as in KL's servicemålsstatistik
    ok_in = (days[inside & cs["decided"].notna()] <= target).mean()
    ok_out = (days[normal & cs["opened"].dt.year.isin([2016, 2017, 2018, 2019]) & cs["decided"].notna()]
              <= target).mean()
    assert ok_in < 0.2 and 0.55 <= ok_out <= 0.8

    # open_cases_over_target at the end of a month: open then and older than the target
    def over_target(at: str) -> int:
        t = pd.Timestamp(at)
        is_open = (cs["opened"] <= t) & (cs["decided"].isna() | (cs["decided"] > t))
        return int((is_open & ((t - cs["opened"]).dt.days > target)).sum())

    assert over_target("2022-03-31") > 4 * max(1, over_target("2019-03-31"))
    assert over_target("2022-03-31") > 100


def test_null_series_are_flat(demo, manifest):
    assert len(manifest["null_series"]) == README_NULL_SERIES
    for s in manifest["null_series"]:
        f, area = s["forvaltning"], s["area"]
        if s["indicator"] == "complaint_rate":
            rate = _yearly_rate(demo, f, area)
            assert 0.75 < rate.loc[2022:2024].mean() / rate.loc[2013:2015].mean() < 1.33, s
        elif s["indicator"] == "appeal_reversal_share":
            a = _appeals(demo, f, area)
            y = a["decided"].dt.year
            assert abs(_reversal(a[y <= 2018]) - _reversal(a[y >= 2019])) < 0.06, s
        elif s["indicator"] == "audit_error_share":
            per = _audit_errors(demo, f, area)
            y = per["date"].dt.year
            assert abs(per.loc[y <= 2019, "error"].mean() - per.loc[y >= 2020, "error"].mean()) < 0.10, s
        elif s["indicator"] in ("service_target_share", "processing_days_median"):
            cs = demo.frames["cases"]
            cs = cs[(cs["forvaltning"] == f) & (cs["area"] == area) & cs["decided"].notna()]
            days = (cs["decided"] - cs["opened"]).dt.days
            y = cs["decided"].dt.year
            early, late = days[y.between(2013, 2015)].median(), days[y.between(2021, 2023)].median()
            assert 0.85 < late / early < 1.15, s
        else:
            pytest.fail(f"no check for null series {s}")


# ------------------------------------------------------------------------------------------ magnitudes
#: tolerance for a year's inquiry count against the published figure
INQUIRY_TOLERANCE = 0.10


def test_inquiry_magnitudes(demo):
    """Borgerrådgiver inquiries per year within 10 % of the published figures (783 in 2016, 863 in 2017, 741 in 2018,
    840 in 2021, 1,077 in 2022, 912 in 2023) and the other years around them (README)."""
    published = _published("sager_til_skriftlig_behandling") | _published("henvendelser") | _published(
        "klager_og_henvendelser")
    assert published == {2016: 783, 2017: 863, 2018: 741, 2021: 840, 2022: 1077, 2023: 912}
    q = demo.frames["inquiries"]
    per_year = q.groupby(q["received"].dt.year).size()
    assert list(per_year.index) == list(range(FIRST_YEAR, LAST_YEAR + 1))
    for year, n in published.items():
        assert abs(per_year.loc[year] - n) <= INQUIRY_TOLERANCE * n, (year, per_year.loc[year], n)
    lo, hi = min(published.values()), max(published.values())
    others = per_year.drop(list(published))
    assert others.between(0.8 * lo, 1.2 * hi).all(), others
    # criticism is said only of closed inquiries (DESIGN: inquiry_criticism_share = with criticism / closed)
    assert q.loc[q["closed"].isna(), "criticism"].isna().all()
    crit = q.loc[q["closed"].notna(), "criticism"].astype(bool)
    assert 0 < crit.mean() < 0.5
    assert q["category"].nunique() >= 4


def test_reversal_magnitudes(demo):
    """README: omgørelsesprocent about 26-37 % in social areas (SOF, SUF, BUF) and lower in employment areas (BIF):
    each social area's Wilson interval meets the 26-37 % band, each BIF area's lies below it."""
    a = demo.frames["appeals"]
    a = a[a["outcome"].isin(MERITS)]
    seen = set()
    for (f, area), g in a.groupby(["forvaltning", "area"]):
        lo, hi = _wilson(int((g["outcome"] != "stadfæstet").sum()), len(g))
        if f in ("SOF", "SUF", "BUF"):
            assert hi > 0.26 and lo < 0.37, (f, area, lo, hi)
        elif f == "BIF":
            assert hi < 0.26, (f, area, lo, hi)
        seen.add(f)
    assert {"SOF", "SUF", "BUF", "BIF"} <= seen
    # the beskæftigelsesankenævn were closed on 1 July 2013: later appeals are decided by Ankestyrelsen
    later = demo.frames["appeals"]
    assert (later.loc[later["decided"] >= "2013-07-01", "body"] == "Ankestyrelsen").all()


def test_complaint_kind_mix(demo):
    """The kind mix follows Økonomiforvaltningen's Klagesagsregistrering (tests/data/public): realitet most often,
    then formalitet, formalitet og realitet least."""
    pub = pd.read_csv(PUBLIC / "kk_klagesagsregistrering_oekf.csv")
    published = {"formalitet": pub["formalitetsklager"].sum(), "realitet": pub["realitetsklager"].sum(),
                 "formalitet og realitet": pub["formalitets_og_realitetsklager"].sum()}   # 3, 7, 1 in 2013-2015
    kinds = demo.frames["complaints"]["kind"].value_counts()
    assert list(kinds.index) == sorted(published, key=published.get, reverse=True)


def test_audit_checklist(demo):
    # README: "Audit checklists with begrundelse, partshøring, samtykke, klagevejledning, notatpligt and korrekt
    # afgørelse"
    assert {"begrundelse", "partshøring", "samtykke", "klagevejledning", "notatpligt", "korrekt afgørelse"} <= set(
        demo.frames["audits"]["item"])


def test_cases_targets_and_censoring(demo):
    from kvalitet.organisation import load

    org = load(ORG_FILE)
    cs = demo.frames["cases"]
    open_ = cs[cs["decided"].isna()]
    assert len(open_) > 100
    assert (open_["opened"] < "2024-01-01").sum() >= 5  # long-running cases open at the as-of date
    has_own = cs.groupby("area")["target_days"].apply(lambda s: s.notna().any())
    assert has_own.any() and not has_own.all()
    neither = [a for a, own in has_own.items() if not own and a not in org.servicemaal]
    assert neither, "at least one area must have no servicemål at all"
    for area, own in has_own.items():
        if not own and area not in neither:
            assert org.servicemaal[area] > 0
    # byggesager carry the national servicemål (Regeringen-KL 2015, tests/data/public/byggesag_servicemaal_targets.csv)
    targets = pd.read_csv(PUBLIC / "byggesag_servicemaal_targets.csv").set_index("kategori")["servicemaal_kalenderdage"]
    assert org.servicemaal["Byggesager - enfamiliehuse"] == targets["Enfamiliehuse"]                      # 40
    etage = cs[cs["area"] == "Byggesager - etagebyggeri, erhverv"]
    assert set(etage["target_days"]) == {targets["Etagebyggeri, erhverv"]}                               # 55


def test_organisation_file_matches_manifest(manifest):
    from kvalitet.demodata import SERVICEMAAL
    from kvalitet.organisation import load

    org = load(ORG_FILE)
    for area, days in SERVICEMAAL.items():
        assert org.servicemaal[area] == days
    for e in _effects(manifest, "backlog_episode"):
        assert org.servicemaal[e["area"]] == e["servicemaal_days"]
    for e in manifest["effects"]:
        if "initiative" in e:
            hits = [i for i in org.initiatives if i.name == e["initiative"]]
            assert len(hits) == 1
            i = hits[0]
            assert (i.forvaltning, i.area, i.start.isoformat()) == (e["forvaltning"], e["area"], e["start"])
            assert e["indicator"] in i.indicators
