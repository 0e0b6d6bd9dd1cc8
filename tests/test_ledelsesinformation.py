"""The half-yearly ledelsesinformation (kvalitet/sections/ledelsesinformation.py) on a hand-built store, Halvby,
whose every number is written out here, and rendered on the demo.

Halvby, exported to 31 December 2024 (latest complete half-year 2024H2, compared with 2023H2). Decisions every
month of 2023 and 2024: SOF Handicap 100 a month (600 a half-year), SOF Hjemmehjælp 50 a month (300), BIF
Kontanthjælp 200 a month (BIF has no complaints and no appeals). Complaints (received in August, closed 10 days
later):

==========  ===========  ===================================  ===============================
half-year   area         kinds                                outcome
==========  ===========  ===================================  ===============================
2023H1      Handicap     12 realitet (received in March)       ikke medhold
2023H2      Handicap     20 realitet, 10 formalitet            15 medhold, 15 ikke medhold
2023H2      Hjemmehjælp  6 formalitet og realitet, 4 realitet  2 medhold, 8 ikke medhold
2024H1      Handicap     9 realitet (received in March)        ikke medhold
2024H2      Handicap     10 realitet, 5 formalitet             5 medhold, 10 ikke medhold
2024H2      Hjemmehjælp  3 realitet                            1 medhold, 2 ikke medhold
==========  ===========  ===================================  ===============================

So for SOF, 2023H2 → 2024H2 (900 decisions in each): complaints 40 → 18; per 1.000 decisions 44,4 → 20,0;
realitet 24 → 13 (26,7 → 14,4), formalitet 10 → 5 (11,1 → 5,6), formalitet og realitet 6 → 0 (6,7 → 0,0);
upheld 17/40 = 42,5 % → 6/18 = 33,3 %. Hjemmehjælp's 3 complaints of 2024H2 are under 5 and hidden; Handicap's 15
would reveal them by subtraction from the 18, so they are hidden too ("x").

Appeals (Ankestyrelsen, SOF Handicap, decided in September): 2023H2 40 stadfæstet + 10 ændret (50 on their merits,
20,0 % omgjort); 2024H2 30 stadfæstet + 20 ændret + 5 hjemvist + 3 afvist (55 on their merits, 25 omgjort:
45,5 %). Both half-years have 184 days.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

import numpy as np
import pytest
from conftest import ROOT, cpr_like, write_csv
from scipy import stats as sps

from kvalitet.cli import main
from kvalitet.present import Report
from kvalitet.sections import ledelsesinformation as li

ORGANISATION = """municipality: Halvby
forvaltninger:
  - {code: SOF, name: Socialforvaltningen}
  - {code: BIF, name: Beskæftigelsesforvaltningen}
"""
AREAS = {"Handicap": ("SOF", "Myndighed", 100), "Hjemmehjælp": ("SOF", "Visitation", 50),
         "Kontanthjælp": ("BIF", "Jobcenter", 200)}
#: (year, month received, area, kind, medhold, ikke medhold)
COMPLAINTS = [
    (2023, 3, "Handicap", "realitet", 0, 12),
    (2023, 8, "Handicap", "realitet", 10, 10), (2023, 8, "Handicap", "formalitet", 5, 5),
    (2023, 8, "Hjemmehjælp", "formalitet og realitet", 2, 4), (2023, 8, "Hjemmehjælp", "realitet", 0, 4),
    (2024, 3, "Handicap", "realitet", 0, 9),
    (2024, 8, "Handicap", "realitet", 4, 6), (2024, 8, "Handicap", "formalitet", 1, 4),
    (2024, 8, "Hjemmehjælp", "realitet", 1, 2),
]
APPEALS = {2023: {"stadfæstet": 40, "ændret": 10},
           2024: {"stadfæstet": 30, "ændret": 20, "hjemvist": 5, "afvist": 3}}


def _complaint_rows() -> list[list]:
    rows, k = [], 0
    for year, month, area, kind, upheld, not_upheld in COMPLAINTS:
        fv, unit, _ = AREAS[area]
        for i in range(upheld + not_upheld):
            k += 1
            received = date(year, month, 1 + i % 20)
            rows.append([f"K{k:04d}", fv, unit, area, received.isoformat(),
                         (received + timedelta(days=10)).isoformat(), kind, "afslag",
                         "medhold" if i < upheld else "ikke medhold"])
    return rows


def _appeal_rows() -> list[list]:
    rows = []
    for year, outcomes in APPEALS.items():
        i = 0
        for outcome, n in outcomes.items():
            for _ in range(n):
                i += 1
                decided = date(year, 9, 1 + i % 28)
                rows.append([f"A{year}-{i:03d}", "SOF", "Myndighed", "Handicap", "Ankestyrelsen",
                             (decided - timedelta(days=40)).isoformat(), decided.isoformat(), outcome])
    return rows


@pytest.fixture(scope="module")
def halvby(tmp_path_factory):
    folder = tmp_path_factory.mktemp("halvby")
    org = folder / "organisation.yaml"
    org.write_text(ORGANISATION, encoding="utf-8")
    data = folder / "eksport"
    files = [
        write_csv(data / "klager.csv", ["klage_id", "forvaltning", "enhed", "område", "modtaget", "afsluttet",
                                        "klagetype", "emne", "udfald"], _complaint_rows()),
        write_csv(data / "afgørelser.csv", ["forvaltning", "enhed", "område", "måned", "antal_afgørelser"],
                  [[fv, unit, area, f"{y}-{m:02d}", n] for area, (fv, unit, n) in AREAS.items()
                   for y in (2023, 2024) for m in range(1, 13)]),
        write_csv(data / "ankesager.csv", ["anke_id", "forvaltning", "enhed", "område", "ankeinstans", "modtaget",
                                           "afgjort", "resultat"], _appeal_rows()),
    ]
    db = folder / "halvby.duckdb"
    assert main(["ingest", "--db", str(db), "--organisation", str(org), "--as-of", "2024-12-31",
                 *map(str, files)]) == 0
    return db, org


@pytest.fixture
def rep(halvby):
    r = Report.open(*halvby, None, None)
    yield r
    r.close()


def _v(data, measure, group, role, col="numerator"):
    r = data[(data["measure"] == measure) & (data["group"] == group) & (data["role"] == role)]
    assert len(r) == 1, (measure, group, role)
    return float(r[col].iloc[0])


def _exact_rate_p(x1, t1, x0, t0):
    """The exact conditional test of two Poisson rates: a binomial test of x1 of x1 + x0 at t1 / (t1 + t0)."""
    return sps.binomtest(int(x1), int(x1 + x0), t1 / (t1 + t0)).pvalue


def _z_p(x1, n1, x0, n0):
    pooled = (x1 + x0) / (n1 + n0)
    z = (x1 / n1 - x0 / n0) / np.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n0))
    return 2 * sps.norm.sf(abs(z))


def _p_text(p):
    return "p < 0,001" if p < 0.001 else "p = " + f"{p:.3f}".replace(".", ",")


def test_half_years_are_the_latest_complete_and_the_same_a_year_before(rep):
    assert li.half_years(rep.con, None, rep.organisation) == ("2024H2", "2023H2")
    # seen from 30 September 2024, the latest complete half-year is 2024H1
    assert li.half_years(rep.con, date(2024, 9, 30), rep.organisation) == ("2024H1", "2023H1")


def test_half_year_values_by_hand(rep):
    data = li.half_year_values(rep.con, rep.organisation, "SOF")
    T, B, C = li.TOTAL, li.BEFORE, li.CURRENT
    assert (_v(data, "complaints", T, B), _v(data, "complaints", T, C)) == (40, 18)
    assert (_v(data, "rate", T, B, "denominator"), _v(data, "rate", T, C, "denominator")) == (900, 900)
    assert _v(data, "rate", T, B, "value") == pytest.approx(40 / 900 * 1000)
    assert _v(data, "rate", T, C, "value") == pytest.approx(20.0)
    for kind, before, now in (("realitet", 24, 13), ("formalitet", 10, 5), ("formalitet og realitet", 6, 0)):
        assert (_v(data, f"count:{kind}", T, B), _v(data, f"count:{kind}", T, C)) == (before, now), kind
        assert _v(data, f"rate:{kind}", T, C, "value") == pytest.approx(now / 900 * 1000), kind
        assert _v(data, f"rate:{kind}", T, B, "denominator") == 900
    # the exact (Garwood) 95 % interval of 13 realitet complaints per 900 decisions
    assert _v(data, "rate:realitet", T, C, "ci_low") == pytest.approx(sps.chi2.ppf(0.025, 26) / 2 / 900 * 1000)
    assert _v(data, "rate:realitet", T, C, "ci_high") == pytest.approx(sps.chi2.ppf(0.975, 28) / 2 / 900 * 1000)
    assert (_v(data, "upheld", T, B), _v(data, "upheld", T, B, "denominator")) == (17, 40)
    assert (_v(data, "upheld", T, C), _v(data, "upheld", T, C, "denominator")) == (6, 18)
    assert (_v(data, "appeals", T, B), _v(data, "appeals", T, C)) == (50, 55)
    assert (_v(data, "reversal", T, C), _v(data, "reversal", T, C, "denominator")) == (25, 55)
    assert _v(data, "reversal", T, B, "value") == pytest.approx(0.2)
    # by area
    assert (_v(data, "rate", "Handicap", C), _v(data, "rate", "Handicap", C, "denominator")) == (15, 600)
    assert (_v(data, "rate", "Hjemmehjælp", B), _v(data, "rate", "Hjemmehjælp", C)) == (10, 3)
    assert _v(data, "appeals", "Handicap", C) == 55


def _cells(shown, title_part):
    """The rows of the table whose title holds ``title_part``: {first cell: [cells]}."""
    page = "\n".join(shown)
    for title, body in re.findall(r"<h4>(.*?)</h4>\s*(<table[\s\S]*?</table>)", page):
        if title_part in title:
            rows = [re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", r) for r in re.findall(r"<tr[^>]*>([\s\S]*?)</tr>", body)]
            return {r[0]: r for r in rows if r}
    raise AssertionError(f"no table '{title_part}' in {re.findall(r'<h4>(.*?)</h4>', page)}")


def test_key_figures_compare_and_test_by_hand(rep, shown):
    ctx = li.context(rep, "SOF")
    li.key_figures(ctx)
    rows = _cells(shown, "Nøgletal for Socialforvaltningen")
    head = rows["Nøgletal"]
    assert head[1:] == ["2. halvår 2024 (95 %-konfidensinterval)", "2. halvår 2023", "Ændring",
                        "Statistisk sikker?"]
    # complaints received: 18 against 40, per day over two half-years of 184 days
    p = _exact_rate_p(18, 184, 40, 184)
    assert rows["Modtagne klager"][1:] == ["18", "40", "-22", f"ja ({_p_text(p)})"]
    p = _exact_rate_p(18, 900, 40, 900)
    lo, hi = (sps.chi2.ppf(q, k) / 2 / 900 * 1000 for q, k in ((0.025, 36), (0.975, 38)))
    ci = f"{lo:.1f}–{hi:.1f}".replace(".", ",")
    assert rows["Klager pr. 1.000 afgørelser"][1:] == [f"20,0 ({ci})", "44,4", "-24,4", f"ja ({_p_text(p)})"]
    p = _exact_rate_p(13, 900, 24, 900)
    assert 0.05 < p < 0.2  # binomial test of 13 of 37 at ½
    assert rows["Realitetsklager pr. 1.000 afgørelser"][2:] == ["26,7", "-12,2", f"nej ({_p_text(p)})"]
    p = _exact_rate_p(0, 900, 6, 900)
    assert p == pytest.approx(2 * 0.5 ** 6)  # 0 of 6 at ½, two-sided
    assert rows["Klager over formalitet og realitet pr. 1.000 afgørelser"][1:] == [
        "0,0 (0,0–4,1)", "6,7", "-6,7", f"ja ({_p_text(p)})"]
    p = _z_p(6, 18, 17, 40)
    assert rows["Andel klager med medhold"][1].startswith("33,3\u00a0%")
    assert rows["Andel klager med medhold"][2:] == ["42,5\u00a0%", "-9,2 pct.-point", f"nej ({_p_text(p)})"]
    p = _exact_rate_p(55, 184, 50, 184)
    assert rows["Realitetsbehandlede ankesager"][1:] == ["55", "50", "+5", f"nej ({_p_text(p)})"]
    p = _z_p(25, 55, 10, 50)
    assert p < 0.05
    assert rows["Omgørelsesprocent"][1].startswith("45,5\u00a0%")
    assert rows["Omgørelsesprocent"][2:] == ["20,0\u00a0%", "+25,5 pct.-point", f"ja ({_p_text(p)})"]
    text = re.sub(r"<[^>]+>", " ", "\n".join(shown))
    assert "Statistisk sikre ændringer fra 2. halvår 2023 til 2. halvår 2024: modtagne klager (40 → 18)" in text


def test_small_counts_are_hidden_also_by_subtraction(rep, shown):
    ctx = li.context(rep, "SOF")
    li.complaints_section(ctx)
    li.upheld_section(ctx)
    rates = _cells(shown, "Klager pr. 1.000 afgørelser pr. område")
    assert rates["Område"][1:3] == ["Klager 2. halvår 2024", "Afgørelser 2. halvår 2024"]
    assert rates["Socialforvaltningen i alt"][1:4] == ["18", "900", "20,0 (11,9–31,6)"]
    assert rates["Hjemmehjælp"][1] == "&lt;5" and rates["Hjemmehjælp"][3] == "x"
    # Handicap's 15 would give Hjemmehjælp's 3 as 18 − 15: hidden too
    assert rates["Handicap"][1] == "x" and rates["Handicap"][3] == "x"
    assert rates["Handicap"][4] == "50,0"  # 2023H2: 20 + 10 of 600, shown
    assert rates["Hjemmehjælp"][4] == "33,3"  # 2023H2: 10 of 300
    upheld = _cells(shown, "Andel klager med medhold pr. område")
    assert upheld["Socialforvaltningen i alt"][1] == "18"
    assert upheld["Hjemmehjælp"][1] == "&lt;5" and upheld["Handicap"][1] == "x"
    assert upheld["Hjemmehjælp"][-1] == upheld["Handicap"][-1] == "skjult (under 5)"
    page = "\n".join(shown)
    assert "14,4 (" in page  # realitet 13 of 900, shown
    assert "25,0" not in page and "10,0" not in page  # Handicap's 15 and Hjemmehjælp's 3 per 600 and 300
    assert ("Statistisk sikre ændringer i klageraten fra 2. halvår 2023 til 2. halvår 2024: "
            "Socialforvaltningen i alt (44,4 → 20,0).") in page


def test_no_complaints_and_no_appeals_are_said_plainly(rep, shown):
    ctx = li.context(rep, "BIF")
    assert li.complaints_section(ctx).empty and li.upheld_section(ctx).empty and li.appeals_section(ctx).empty
    text = "\n".join(shown)
    assert "Beskæftigelsesforvaltningen har ingen klager registreret i 2. halvår 2024 eller 2. halvår 2023." in text
    assert ("Beskæftigelsesforvaltningen har ingen realitetsbehandlede ankesager i 2. halvår 2024 eller "
            "2. halvår 2023.") in text


def test_trend_starts_ten_half_years_back(rep):
    ctx = li.context(rep, "SOF")
    assert li.trend_start(ctx, 5) == date(2020, 1, 1)
    assert li.trend_start(ctx, 1) == date(2024, 1, 1)


@pytest.fixture(scope="module")
def demo_page(demo_db, tmp_path_factory):
    """The report for SOF and for KFF (no appeals) on the demo: the shipped definition, rendered for those two
    only (test_report.py renders it for every forvaltning)."""
    import yaml

    folder = tmp_path_factory.mktemp("li-demo")
    shipped = yaml.safe_load((ROOT / "parameters" / "reports" / "ledelsesinformation.yaml").read_text("utf-8"))
    defs = folder / "defs"
    defs.mkdir()
    for code in ("SOF", "KFF"):
        one = {**shipped, "per_forvaltning": False, "parameters": {**shipped["parameters"], "forvaltning": code}}
        (defs / f"ledelsesinformation-{code.lower()}.yaml").write_text(yaml.safe_dump(one, allow_unicode=True),
                                                                       encoding="utf-8")
    out = folder / "reports"
    code = main(["report", "--all", "--db", str(demo_db), "--organisation",
                 str(ROOT / "parameters" / "organisation.yaml"), "--out", str(out), "--reports-dir", str(defs),
                 "--jobs", "2"])
    assert code == 0
    return out


def _text(html: str) -> str:
    html = re.sub(r"data:image/png;base64,[A-Za-z0-9+/=]+", "", html)
    html = re.sub(r"<style[\s\S]*?</style>", "", html)
    return re.sub(r"<[^>]+>", " ", html)


def test_renders_on_the_demo_without_code_in_danish(demo_page):
    html = (demo_page / "ledelsesinformation-sof.html").read_text(encoding="utf-8")
    body = html[html.index("<body"):]
    assert "jp-InputArea-editor" not in body and "from kvalitet" not in html and "Traceback" not in html
    text = _text(html)
    for part in ("Halvårlig ledelsesinformation", "Socialforvaltningen", "Nøgletal", "Klager", "Medhold",
                 "Ankesager", "Metode og data", "2. halvår 2024", "2. halvår 2023", "Statistisk sikker?"):
        assert part in text, part
    assert not cpr_like(text)
    assert re.search(r"\b\d{1,3}(\.\d{3})+\b", text)  # thousands dot (the decisions)
    assert re.search(r"\b\d+,\d+\b", text) and not re.search(r"\b\d+\.\d+\s?%", text)
    assert not re.search(r"\bnan\b|\bNone\b|\bNaN\b", text)
    assert "_value" not in text and "numerator" not in text  # no frame printed raw (every number is disclosed)
    assert "<img " in html
    # a forvaltning without appeals says so plainly (KFF has none in the demo)
    kff = re.sub(r"\s+", " ", _text((demo_page / "ledelsesinformation-kff.html").read_text(encoding="utf-8")))
    assert ("Kultur- og Fritidsforvaltningen har ingen realitetsbehandlede ankesager i 2. halvår 2024 eller "
            "2. halvår 2023.") in kff


def test_whole_municipality_compares_the_forvaltninger(rep, shown):
    ctx = li.context(rep, None)
    assert ctx.level == "forvaltning"
    assert _v(ctx.data, "complaints", li.TOTAL, li.CURRENT) == 18  # BIF has none
    assert _v(ctx.data, "rate", li.TOTAL, li.CURRENT, "denominator") == 900 + 1200  # BIF's decisions count too
    li.complaints_section(ctx)
    rates = _cells(shown, "Klager pr. 1.000 afgørelser pr. forvaltning")
    assert rates["Halvby Kommune i alt"][1:4] == ["18", "2.100", "8,6 (5,1–13,5)"]
    assert rates["Socialforvaltningen"][1:3] == ["18", "900"]
    assert rates["Beskæftigelsesforvaltningen"][1:3] == ["0", "1.200"]


def test_stack_keeps_the_hiding_of_each_part():
    import pandas as pd

    from kvalitet import disclosure

    # in the first table 3 is hidden and 15 with it (18 − 15 would give it away); the second hides nothing
    a = disclosure.disclose(pd.DataFrame({"g": ["i alt", "A", "B"], "n": [18, 15, 3]}), counts=["n"],
                            row_totals=False, column_totals=True)
    b = disclosure.disclose(pd.DataFrame({"g": ["i alt", "A", "B"], "n": [40, 30, 10]}), counts=["n"],
                            row_totals=False, column_totals=True)
    s = disclosure.stack([a.subset([1]), b.subset([1]), a.subset([2])])
    assert [s.text(i, "n") for i in range(3)] == ["x", "30", "<5"]
    assert s.suppressed and list(s.values["n"]) == [15, 30, 3]
    with pytest.raises(TypeError):
        disclosure.stack([pd.DataFrame({"n": [1]})])


def test_by_unit(rep):
    ctx = li.context(rep, "SOF", "unit")
    assert ctx.groups("rate") == ["Myndighed", "Visitation"]
    assert _v(ctx.data, "rate", "Myndighed", li.BEFORE) == 30 and _v(ctx.data, "rate", "Visitation", li.BEFORE) == 10
    assert _v(ctx.data, "appeals", "Myndighed", li.CURRENT) == 55
