"""The report sections on a municipality whose exports run to 31 January 2024 (tests/partial_store.py): the latest
period is the latest complete one, a partial period is shown only with its dates and compared only with the same part
of the year before, and it is left out of line charts, control limits and the "fra … til …" of titles. Every
expected value is counted by hand in partial_store.py."""

from __future__ import annotations

import html
import re

import numpy as np
import pandas as pd
import partial_store
from conftest import alt_texts
import pytest
from scipy.stats import binomtest
from statsmodels.stats.proportion import proportions_ztest

from kvalitet import catalogue
from kvalitet.present import Report
from kvalitet.sections import common, forvaltningsrapport, klager, sagsbehandlingstid, udforsk
from kvalitet.stats import control_limits

JANUARY_2024 = "1. januar–31. januar 2024"
JANUARY_2023 = "1. januar–31. januar 2023"


@pytest.fixture(scope="module")
def janby(tmp_path_factory):
    return partial_store.build(tmp_path_factory.mktemp("janby"))


@pytest.fixture
def rep(janby):
    db, org = janby
    r = Report.open(db, org, None, None)
    yield r
    r.close()


def _text(out: list[str]) -> str:
    html = re.sub(r"data:image/png;base64,[^\"]+", "", "\n".join(out))
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _table(rep: Report, title: str) -> pd.DataFrame:
    """A table as published, with no-break spaces as plain spaces."""
    (frame,) = [f.astype(str).apply(lambda c: c.str.replace("\xa0", " ")) for t, f in rep.tables if t == title]
    return frame.set_index("Indikator") if "Indikator" in frame else frame


def _name(indicator_id: str) -> str:
    return catalogue.get(indicator_id).name


def test_key_figures_take_the_latest_complete_year(rep, shown):
    forvaltningsrapport.key_figures(rep, None, "year")
    table = _table(rep, "Nøgletal for Janby Kommune")
    value = "Værdi (95 %-konfidensinterval)"
    received = table.loc[_name("complaints_received")]
    # 2023 (30 complaints) against 2022 (20), never January 2024 against a whole year
    assert (received["Periode"], received[value], received["Forrige periode"], received["Ændring"]) == \
        ("2023", "30", "20", "+10")
    # 30 vs 20 complaints in two years of 365 days: the exact conditional test is a binomial test of 30 of 50
    p = binomtest(30, 50, 0.5).pvalue
    assert received["Statistisk sikker?"] == f"nej (p = {p:.3f})".replace(".", ",")
    rate = table.loc[_name("complaint_rate")]
    # 30 / 1.200 × 1.000 = 25,0 against 20 / 1.200 × 1.000 = 16,7
    assert (rate["Periode"], rate[value].split(" (")[0], rate["Forrige periode"], rate["Ændring"]) == \
        ("2023", "25,0", "16,7", "+8,3")
    upheld = table.loc[_name("complaint_upheld_share")]
    p = proportions_ztest([9, 8], [30, 20])[1]
    assert (upheld["Periode"], upheld[value].split(" (")[0], upheld["Forrige periode"], upheld["Ændring"],
            upheld["Statistisk sikker?"]) == ("2023", "30,0 %", "40,0 %", "-10,0 pct.-point",
                                                f"nej (p = {p:.3f})".replace(".", ","))
    audits = table.loc[_name("audit_error_share")]
    # audits exported to 15 January 2024: 2023 is their latest complete year too (5 of 25 with an error)
    assert (audits["Periode"], audits[value].split(" (")[0], audits["Forrige periode"]) == ("2023", "20,0 %", "–")
    assert set(table["Periode"]) == {"2023"}
    text = _text(shown)
    assert "Ingen af ændringerne fra forrige periode er statistisk sikre." in text


def test_partial_period_only_against_the_same_part_of_the_year_before(rep, shown):
    forvaltningsrapport.key_figures(rep, None, "year")
    ytd = _table(rep, "År til dato for Janby Kommune")
    value = "Værdi (95 %-konfidensinterval)"
    for ind in ("complaints_received", "complaint_rate"):
        assert (ytd.loc[_name(ind), "Periode"], ytd.loc[_name(ind), "Samme periode året før"]) == \
            (JANUARY_2024, JANUARY_2023)
    # the cases are exported to 15 January 2024: the sagspukkel on that day (7 cases, 106 days old) against 15
    # January 2023 (the 6 cases opened 10 January 2023 were 5 days old: none over the servicemål); a count of open
    # cases at a day is not tested
    pile = ytd.loc[_name("open_cases_over_target")]
    assert pile.tolist() == ["1. januar–15. januar 2024", "7", "1. januar–15. januar 2023", "0", "+7", "ikke testet"]
    received = ytd.loc[_name("complaints_received")]
    # 3 complaints in January 2024 (hidden), 6 in January 2023; the change rests on the 3 and is hidden too
    assert (received[value], received["Værdi året før"], received["Ændring"], received["Statistisk sikker?"]) == \
        ("<5", "6", "x", "skjult (under 5)")
    rate = ytd.loc[_name("complaint_rate")]
    # 3 / 100 × 1.000 = 30,0 rests on 3 complaints: hidden; January 2023: 6 / 100 × 1.000 = 60,0
    assert (rate[value], rate["Værdi året før"], rate["Ændring"]) == ("x", "60,0", "x")
    # no outcome in January 2024 yet, and audits have no January 2024 rows: no row rather than an empty comparison
    assert _name("complaint_upheld_share") not in ytd.index and _name("audit_error_share") not in ytd.index
    text = _text(shown)
    assert "30,0" not in ytd.to_string() and "Ingen af ændringerne år til dato er statistisk sikre." in text


def test_no_whole_2024_in_titles_tables_or_sentences(rep, shown):
    forvaltningsrapport.key_figures(rep, None, "year")
    forvaltningsrapport.complaints_section(rep, None, "year")
    klager.complaints_by_kind(rep, None)
    klager.complaints_by_topic(rep, None)
    klager.upheld_share(rep, None)
    text = _text(shown) + " " + " ".join(alt_texts(shown)) + " " + " ".join(t for t, _ in rep.tables)
    # every 2024 a reader sees is the end of the dates of the partial period, never 2024 as a whole year
    # (or in the note saying that it is only part of 2024)
    before = re.findall(r"(\S+) 2024\b", text)
    assert before and set(before) == {"januar", "af"}
    assert text.count("af 2024") == text.count(f"{JANUARY_2024} (kun en del af 2024)")
    assert "fra 2022 til 2023" in " ".join(alt_texts(shown))
    kinds = _table(rep, "Modtagne klager pr. klagetype")
    assert kinds.values.tolist() == [["2022", "20", "20"], ["2023", "30", "30"], [JANUARY_2024, "<5", "<5"]]
    assert "30 klager i 2023 mod 20 i 2022" in text
    # the topics of the latest complete year (2023: 30 complaints, all «afslag»), not of January 2024
    assert "De hyppigste emner i klager modtaget i 2023" in [t for t, _ in rep.tables]


def test_series_sentence_compares_whole_years(rep, shown):
    sc = common.scope(rep, None)
    common.series(rep, sc, "complaint_upheld_share", "year")
    text = _text(shown)
    p = proportions_ztest([9, 8], [30, 20])[1]
    assert (f"Andelen af klager med medhold var 30,0 % i 2023 mod 40,0 % i 2022. Faldet er ikke statistisk sikkert "
            f"(p = {p:.3f})".replace("p = 0.", "p = 0,")) in text.replace("\xa0", " ")
    assert f"Perioden {JANUARY_2024} (kun en del af 2024) indgår ikke i diagrammet eller i sammenligningen." in text
    table = _table(rep, "Andel klager med medhold (andel), Janby Kommune")
    assert table["Periode"].tolist() == ["2022", "2023", JANUARY_2024]
    (alt,) = alt_texts(shown)
    assert "fra 2022 til 2023" in alt and "fra 40,0" in alt.replace("\xa0", " ")


def test_complaint_rate_sentence_and_table(rep, shown):
    klager.complaint_rate(rep, None)
    text = _text(shown)
    p = binomtest(30, 50, 0.5).pvalue
    assert (f"Klageraten var 25,0 pr. 1.000 afgørelser i 2023 mod 16,7 pr. 1.000 afgørelser i 2022. Stigningen er "
            f"ikke statistisk sikker (p = {p:.3f})".replace("p = 0.", "p = 0,")) in text
    table = _table(rep, "Klagerate (pr. 1.000 afgørelser), Janby Kommune")
    assert table.values.tolist()[-1] == [JANUARY_2024, "<5", "100", "x", "x"]


def test_control_limits_without_the_partial_quarter(rep, shown):
    chart = klager.complaint_rate_control_chart(rep, None, "quarter")
    assert chart["period"].tolist() == [f"{y}Q{q}" for y in (2022, 2023) for q in (1, 2, 3, 4)]
    ref = control_limits("u", np.array(partial_store.QUARTER_COMPLAINTS, dtype=float),
                         np.full(8, float(partial_store.QUARTER_DECISIONS)), laney=True).points
    for col in ("center", "ucl", "lcl"):
        np.testing.assert_allclose(chart[col].to_numpy(dtype=float), ref[col].to_numpy(dtype=float))
    # the centre line: 50 complaints / 2.400 decisions × 1.000 = 20,8
    assert chart["center"].iloc[0] == pytest.approx(50 / 2400)
    assert "1. kvartal 2022 til 4. kvartal 2023" in alt_texts(shown)[0]


def test_udforsk_chart_leaves_out_the_partial_point(rep, shown, monkeypatch):
    drawn = []
    real = udforsk.charts.series_with_ci
    monkeypatch.setattr(udforsk.charts, "series_with_ci",
                        lambda d, x, *a, **k: drawn.append(list(d.values[x])) or real(d, x, *a, **k))
    frame = udforsk.indicator(rep, "complaint_rate", "year", by=())
    assert frame["partial"].tolist() == [False, False, True]
    udforsk.chart(rep, frame)
    assert drawn == [["2022", "2023"]] and len(alt_texts(shown)) == 1


def test_metode_og_data_dates_per_table(rep, shown):
    forvaltningsrapport.method_section(rep, None)
    text = _text(shown)
    assert ("Tabellerne er opgjort på forskellige datoer: stikprøver pr. 15. januar 2024; sager pr. 15. januar 2024; "
            "klager pr. 31. januar "
            "2024; afgørelser pr. 31. januar 2024.") in text
    # each key figure is judged by the earliest date of its own tables (its "Periode" column says which period):
    # the line states that rule and the period for all tables together (2023, judged by 15 January 2024)
    assert ("Hvert tal er opgjort for den seneste hele periode, vurderet efter den tidligste opgørelsesdato blandt "
            "de tabeller, tallet bygger på (for alle tabellerne under ét: 2023); en periode, der ikke er slut på "
            "tallets opgørelsesdato, vises kun med sine datoer og sammenlignes kun med samme del af året før.") in text


def test_metode_og_data_one_date(rep, shown):
    common.method_and_data(rep, klager.INDICATORS, klager.TABLES)
    text = _text(shown)
    assert "Data er opgjort pr. 31. januar 2024 (klager, afgørelser)." in text
    assert f"Seneste hele år er 2023; 2024 er kun delvist med ({JANUARY_2024})" in text
    assert "forskellige datoer" not in text


def test_backlog_title_from_whole_quarters(rep, shown):
    wide = sagsbehandlingstid.backlog(rep, None, "quarter")
    assert wide.index.tolist() == ["2023Q1", "2023Q2", "2023Q3", "2023Q4", "2024Q1"]
    assert wide.sum(axis=1).tolist() == [6, 6, 6, 7, 7]
    (alt,) = alt_texts(shown)
    # the title runs over whole quarters: 2023Q1 (6) to 2023Q4 (7), not to the partial 2024Q1
    assert "Sagspuklen voksede fra 6 sager over servicemål (1. kvartal 2023) til 7 (4. kvartal 2023)" in alt
    assert "fra 1. kvartal 2023 til 4. kvartal 2023" in alt and "2024" not in alt
    table = _table(rep, "Sagspukkel: åbne sager over servicemål ved periodens udgang")
    assert list(table.columns)[-1] == "1. januar–15. januar 2024"


def test_case_ages_censored_at_the_cases_export(rep):
    cases = sagsbehandlingstid._cases(rep, None)
    # the 7 open cases, opened 1 October 2023, are 106 days old on 15 January 2024 (the cases export), not 122
    assert sorted(cases.loc[~cases["decided_by_as_of"].astype(bool), "days"].tolist()) == [106] * 7
    assert sorted(cases.loc[cases["decided_by_as_of"].astype(bool), "days"].tolist()) == [344] * 6


def test_rendered_reports_never_show_2024_as_a_whole_period(janby, tmp_path):
    """The rendered klager and forvaltningsrapport (text and alt text): 2024 appears only at the end of the dates of
    a partial period, in the note that it is only part of 2024, and in Metode og data's sentence on it."""
    from kvalitet.cli import main

    db, org = janby
    out = tmp_path / "reports"
    assert main(["report", "klager", "forvaltningsrapport", "--db", str(db), "--organisation", str(org), "--out",
                 str(out), "--jobs", "2"]) == 0
    for name in ("klager.html", "forvaltningsrapport-sof.html"):
        page = (out / name).read_text(encoding="utf-8")
        alts = " ".join(re.findall(r'alt="([^"]*)"', page))
        page = re.sub(r"<style[\s\S]*?</style>", "", re.sub(r"data:image/png;base64,[A-Za-z0-9+/=]+", "", page))
        text = re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", page) + " " + alts))
        assert re.findall(r"\b(?:fra|til|i|mod|for|år) 2024\b", text) == [], name
        # what is left when dates (and ranges of dates) and the notes on the partial period are taken out
        rest = re.sub(r"\d+\. januar(?: 2024)?–\d+\. januar 2024|\d+\. januar 2024|\(kun en del af 2024\)|"
                      r"2024 er kun delvist med", "", text)
        assert "2024" not in rest, name
