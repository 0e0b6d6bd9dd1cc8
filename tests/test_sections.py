"""The report sections (kvalitet.sections.*) on the demo database: what they show agrees with the indicator engine,
groups are ordered and judged as the text says, sections without data say so in one line, and the generated Danish
sentences claim no more than the tests support."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
from conftest import ROOT

from kvalitet import indicators, narrative, present
from kvalitet.errors import UserError
from kvalitet.present import Report
from kvalitet.sections import (
    ankesager,
    borgerraadgiver,
    common,
    forvaltningsrapport,
    klager,
    kvalitetsopfoelgning,
    risikobillede,
    sagsbehandlingstid,
    udforsk,
)

ORG = ROOT / "parameters" / "organisation.yaml"


@pytest.fixture
def shown(monkeypatch):
    """Everything the sections display, as strings (HTML or Markdown)."""
    out: list[str] = []
    monkeypatch.setattr(present, "_display", lambda obj: out.append(str(obj)))
    return out


@pytest.fixture
def rep(demo_db):
    r = Report.open(demo_db, ORG, None, None)
    yield r
    r.close()


def _text(out: list[str]) -> str:
    return re.sub(r"<[^>]+>", " ", re.sub(r"data:image/png;base64,[^\"]+", "", "\n".join(out)))


def test_scope(rep):
    assert common.scope(rep, None).name == "Københavns Kommune"  # official_name in the organisation file
    sof = common.scope(rep, "SOF")
    assert sof.name == "Socialforvaltningen" and sof.by("unit") == ("forvaltning", "unit")
    with pytest.raises(UserError, match="XYZ"):
        common.scope(rep, "XYZ")


def test_key_figures_agree_with_the_engine(rep, shown):
    table = forvaltningsrapport.key_figures(rep, "SOF", "year")
    eng = indicators.compute(rep.con, ["appeal_upheld_share", "complaint_rate"], period="year", by=("forvaltning",),
                             as_of=rep.as_of, organisation=rep.organisation, where={"forvaltning": "SOF"})
    up = eng[(eng.indicator == "appeal_upheld_share") & (eng.period == "2024")].iloc[0]
    row = table[table["Indikator"] == "Stadfæstelsesprocent"].iloc[0]
    assert row["Værdi (95 %-konfidensinterval)"].startswith(f"{up['value'] * 100:.1f}".replace(".", ",") + "\u00a0%")
    assert row["Status"] == "✖ sikkert under målet" and row["Mål"] == "80,0\u00a0%–85,0\u00a0%"
    rate = eng[(eng.indicator == "complaint_rate")].set_index("period")
    ch = narrative.rate_change("2023", int(rate.loc["2023", "numerator"]), float(rate.loc["2023", "denominator"]),
                               "2024", int(rate.loc["2024", "numerator"]), float(rate.loc["2024", "denominator"]))
    row = table[table["Indikator"] == "Klagerate"].iloc[0]
    assert row["Statistisk sikker?"].startswith("ja" if ch.sure else "nej")
    assert table[table["Indikator"] == "Sagsbehandlingstid (median)"].iloc[0]["Statistisk sikker?"] == "ikke testet"
    text = _text(shown)
    assert "Mål, der ikke er nået: " in text and "stadfæstelsesprocent" in text


def test_compare_groups_orders_best_first_and_names_clear_differences(rep, shown):
    sc = common.scope(rep, None)
    cur = common.compare_groups(rep, sc, "appeal_reversal_share", "year", level="forvaltning_area")
    assert cur["value"].is_monotonic_increasing  # lower omgørelsesprocent is better: best first
    text = _text(shown)
    assert re.search(r'alt="Prikdiagram: omgørelsesprocent pr. område i 2024[^"]*\. BIF: Kontanthjælp: \d', "".join(shown))
    assert "sikkert højere end resten" in text


def test_control_chart_reports_the_anhoej_rules(rep, shown):
    sc = common.scope(rep, None)
    chart = common.control_chart(rep, sc, "complaint_rate", "quarter")
    runs = chart.attrs["anhoej"]
    assert len(chart) == 48 and {"center", "lcl", "ucl", "sigma_signal"} <= set(chart.columns)
    text = _text(shown)
    assert ("ikke kun tilfældig variation" in text) == runs.signal
    assert ("kun tilfældigt om et stabilt niveau" in text) == (not runs.signal)
    # too few periods: one line, no chart
    shown.clear()
    assert common.control_chart(rep, sc, "complaint_rate", "year", start="2020-01-01").empty
    assert "for få perioder" in _text(shown)


def test_sections_without_data_say_so_in_one_line(rep, shown):
    forvaltningsrapport.processing_section(rep, "KFF")
    forvaltningsrapport.appeals_section(rep, "KFF")
    assert shown == ["*Sagsbehandlingstid: ingen data for Kultur- og Fritidsforvaltningen.*",
                     "*Ankesager: ingen data for Kultur- og Fritidsforvaltningen.*"]
    shown.clear()
    assert sagsbehandlingstid.long_cases(rep, "KFF").empty
    assert shown == ["*Særligt lange sager: ingen data for perioden.*"]


def test_medians_side_by_side_agree_with_the_engine(rep, shown):
    wide = sagsbehandlingstid.medians_side_by_side(rep, None, "year")
    eng = indicators.compute(rep.con, ["processing_days_km_median"], period="year", by=("forvaltning",),
                             as_of=rep.as_of, organisation=rep.organisation)
    sof = eng[(eng.forvaltning == "SOF") & (eng.period == "2024")].iloc[0]
    assert wide.loc["SOF", ("value", "processing_days_km_median")] == sof["value"]
    assert "Kaplan-Meier-medianen" in _text(shown)


def test_long_cases_count_twice_the_servicemaal(rep, shown):
    g = sagsbehandlingstid.long_cases(rep, "SUF", "year")
    n = rep.con.execute(
        "SELECT count(*) FROM cases WHERE forvaltning = 'SUF' AND ((decided BETWEEN '2024-01-01' AND '2024-12-31' "
        "AND datediff('day', opened, decided) > 2 * coalesce(target_days, 28)) OR (decided IS NULL AND "
        "datediff('day', opened, DATE '2024-12-31') > 2 * coalesce(target_days, 28)))").fetchone()[0]
    assert int(g["over_2x"].sum()) == n
    assert "dobbelt så lang tid som servicemålet" in _text(shown)


def test_backlog_leaves_out_groups_without_servicemaal(rep, shown):
    wide = sagsbehandlingstid.backlog(rep, None, "quarter")
    assert "BIF" not in wide.columns  # Sygedagpenge has no servicemål in the demo
    assert "Uden servicemål og derfor ikke med: BIF" in _text(shown)


def test_audits_items_and_sample_sizes(rep, shown):
    cur = kvalitetsopfoelgning.error_share_by_area(rep, None, "year")
    assert (cur["status"] == "sikkert over tærsklen").any()
    assert "Fejlandelen er sikkert over tærsklen på 25\u00a0%: SUF: Hjemmepleje" in _text(shown)
    items = kvalitetsopfoelgning.error_share_by_item(rep, "SOF", "year")
    assert items["value"].is_monotonic_decreasing and items["subgroup"].notna().all()
    t = kvalitetsopfoelgning.sample_sizes(rep, "SOF")
    assert (t["sample_size"] > 0).all()


def test_appeals_outcomes_funnel_and_initiatives(rep, shown):
    wide = ankesager.outcome_mix(rep, None, "year")
    assert {"stadfæstet", "ændret", "hjemvist"} <= set(wide.columns)
    funnel = ankesager.funnel_of_areas(rep, None, "year")
    assert len(funnel) >= 5 and "flag" in funnel
    ef = ankesager.initiative_effects(rep, "SOF", "quarter")
    assert set(ef["forvaltning"]) == {"SOF"}
    assert "faldt omgørelsesprocent" in _text(shown)  # the planted effect of SOF's initiative


def test_klager_topics_kinds_and_trends(rep, shown):
    head = klager.complaints_by_topic(rep, "SOF", "year", top=5)
    assert len(head) == 6 and head["topic"].iloc[-1] == "Øvrige emner"
    wide = klager.complaints_by_kind(rep, "SOF", "year")
    assert (wide[["formalitet", "realitet", "formalitet og realitet"]].sum(axis=1) == wide["I alt"]).all()
    tr = klager.trend_results(rep, None, "year")
    assert set(tr["method"]) <= {"poisson_glm", "binomial_glm", "mann_kendall"}
    assert "Statistisk sikre tendenser" in _text(shown) or "Ingen af serierne" in _text(shown)


def test_ombudsman_and_risk(rep, shown):
    wide = borgerraadgiver.inquiries_by_category(rep, None, "year")
    assert (wide.drop(columns="I alt").sum(axis=1) == wide["I alt"]).all()
    borgerraadgiver.recommendations(rep, "SOF")
    t = risikobillede.risk_matrix(rep, None)
    assert t["tier"].is_monotonic_decreasing
    assert "intensiveret tilsyn" in _text(shown)


def test_change_sentences_claim_only_what_is_sure():
    sure = narrative.rate_change("2023", 100, 10_000, "2024", 160, 10_000)
    assert sure.sure and "Stigningen er statistisk sikkert" in narrative.change_sentence(sure, "klageraten")
    unsure = narrative.share_change("2023", 10, 40, "2024", 12, 40)
    text = narrative.change_sentence(unsure, "omgørelsesprocenten")
    assert "ikke statistisk sikkert" in text and "kan skyldes tilfældig variation" in text
    row = lambda p, v: pd.Series({"period": p, "value": v, "numerator": v, "denominator": None})
    ch = common.change("complaints_received", row("2023", 365), row("2024H1", 182), None)
    assert ch is not None and not ch.sure  # counts compared per day, so a half year is not a fall


def test_udforsk(rep, shown):
    ov = udforsk.overview(rep)
    assert "complaints" in set(ov["Tabel"])
    df = udforsk.load(rep, "complaints", forvaltning="ØKF")
    assert set(df["forvaltning"]) == {"ØKF"}
    with pytest.raises(UserError, match="ingen kolonne 'colour'"):
        udforsk.load(rep, "complaints", colour="red")
    frame = udforsk.indicator(rep, "complaint_rate", "year", by=("forvaltning", "unit"), forvaltning="SOF")
    udforsk.chart(rep, frame, group="unit")
    assert any("<img" in s for s in shown)


def test_status_symbols_cover_every_status():
    from kvalitet import targets

    assert set(common.STATUS_SYMBOLS) == set(targets.STATUSES)
    assert common.status_text(None) == "–" and common.status_text("opfyldt") == "✔ opfyldt"


def test_chart_functions_give_readable_figures():
    from kvalitet import charts

    figs = [
        charts.dot_ci(["a", "b"], [0.2, 0.3], [0.1, 0.2], [0.3, 0.4], "t", "x", percent=True, target=(0.8, 0.85)),
        charts.hbar(["a", "b"], [3, 4], "t"),
        charts.stacked_shares(pd.DataFrame({"x": [1, 2], "y": [3, 4]}, index=["a", "b"]), "t"),
        charts.multi_line(["2023", "2024"], {"a": [1, 2]}, "t", "y"),
        charts.km_curves({"a": (np.array([1.0, 2.0]), np.array([0.5, 0.0]))}, "t", target_days=2),
        charts.risk_matrix(["a"], pd.DataFrame({"Økonomi": [3.0]}), [3], "t"),
    ]
    import matplotlib.pyplot as plt

    for fig in figs:
        assert fig.get_size_inches()[0] == pytest.approx(charts.WIDTH_IN)
        plt.close(fig)
