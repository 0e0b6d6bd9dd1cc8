"""The report sections (kvalitet.sections.*). Values are checked against the tiny municipality Småby
(tests/tiny_store.py), whose answers are written out by hand, and against reference implementations
(statsmodels) where a test statistic is involved; the demo database is used where a section needs years of data
(control charts, trends, initiatives, funnel)."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
import tiny_store
from conftest import ROOT, alt_texts

from kvalitet import disclosure, narrative
from kvalitet import organisation as org_mod
from kvalitet import targets as targets_mod
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


@pytest.fixture(scope="module")
def smaaby(tmp_path_factory):
    return tiny_store.build(tmp_path_factory.mktemp("smaaby"))


@pytest.fixture
def small(smaaby):
    db, org = smaaby
    r = Report.open(db, org, None, None)
    yield r
    r.close()


@pytest.fixture
def rep(demo_db):
    r = Report.open(demo_db, ORG, None, None)
    yield r
    r.close()


def _text(out: list[str]) -> str:
    return re.sub(r"<[^>]+>", " ", re.sub(r"data:image/png;base64,[^\"]+", "", "\n".join(out)))


def _rows(small_rep: Report, title_start: str) -> list[list]:
    (frame,) = [f for t, f in small_rep.tables if t.startswith(title_start)]
    return frame.astype(str).values.tolist()


# ------------------------------------------------------------------------------------- the tiny municipality
def test_scope(small):
    assert common.scope(small, None).name == "Småby Kommune"
    sof = common.scope(small, "SOF")
    assert sof.name == "Socialforvaltningen" and sof.by("unit") == ("forvaltning", "unit")
    with pytest.raises(UserError, match="XYZ"):
        common.scope(small, "XYZ")


@pytest.mark.parametrize("section", [klager.complaints_by_kind, klager.complaint_rate])
def test_complaint_sections_check_the_forvaltning(small, section):
    # through common.scope: an unknown code is named, with the codes of the organisation file
    with pytest.raises(UserError, match=r"forvaltningen 'XYZ' findes ikke i organisationsfilen \(findes: SOF, BIF\)"):
        section(small, "XYZ", "year")


def test_complaints_by_kind_are_the_hand_counts(small, shown):
    wide = klager.complaints_by_kind(small, None, "year")
    assert wide.loc["2024"].tolist() == [15, 28, 43] and wide.loc["2023"].tolist() == [15, 32, 47]
    assert _rows(small, "Modtagne klager pr. klagetype") == [["2023", "15", "32", "47"], ["2024", "15", "28", "43"]]
    assert "43 klager i 2024 mod 47 i 2023" in alt_texts(shown)[0]


def test_complaint_rate_hides_the_small_year(small, shown):
    klager.complaint_rate(small, "SOF", "year")
    rows = _rows(small, "Klagerate (pr. 1.000 afgørelser)")
    assert rows[0][:4] == ["2023", "12", "1.200", tiny_store.SOF_RATE_2023]
    assert rows[1][:5] == ["2024", "<5", "1.200", "x", "x"]
    text = _text(shown)
    assert "bygger på under 5 personer eller sager" in text
    assert not re.search(rf"(?<![\d,]){tiny_store.SOF_RATE_2024}(?!\d)", text)
    assert any(a.endswith("Skjult (under 5): 2024.") for a in alt_texts(shown))


def test_group_comparison_leaves_the_hidden_group_out_of_table_chart_and_text(small, shown):
    sc = common.scope(small, None)
    cur = common.compare_groups(small, sc, "complaint_rate", "year")
    assert cur.set_index("forvaltning")["hidden"].to_dict() == {"SOF": True, "BIF": False}
    rows = {r[0]: r[1:5] for r in _rows(small, "Klagerate pr. forvaltning, 2024")}
    assert rows == {"Socialforvaltningen": ["<5", "1.200", "x", "x"],
                    "Beskæftigelsesforvaltningen": ["40", "2.400", tiny_store.BIF_RATE_2024, "11,9–22,7"]}
    (alt,) = alt_texts(shown)
    assert alt.endswith(f"BIF: {tiny_store.BIF_RATE_2024}. Skjult (under 5): SOF.")
    shown.clear()
    common.compare_groups(small, sc, "complaint_upheld_share", "year")
    everything = _text(shown) + " ".join(alt_texts(shown))
    assert f"BIF: {tiny_store.BIF_UPHELD_2024}\u00a0%" in everything and tiny_store.SOF_UPHELD_2024 not in everything


def test_topic_chart_and_title_hide_a_small_topic(small, shown):
    head = klager.complaints_by_topic(small, None, "year")
    assert dict(zip(head["topic"], head["n"])) == {"afslag": 30, "ventetid": 10, "ventetid på hjælpemidler": 3}
    rows = {r[0]: r[1:3] for r in _rows(small, "De hyppigste emner")}
    assert rows["ventetid på hjælpemidler"] == ["<5", "x"]
    assert rows["afslag"] == ["30", "69,8\u00a0%"]  # 30 / 43
    text = _text(shown) + " ".join(alt_texts(shown))
    assert "«afslag» (70\u00a0%)" in text and tiny_store.SOF_TOPIC_SHARE not in text
    assert "Skjult (under 5): ventetid på hjælpemidler" in text


def test_key_figures_hide_small_counts_and_everything_computed_from_them(small, shown):
    table = forvaltningsrapport.key_figures(small, "SOF", "year")
    rows = table.set_index("Indikator")
    received = rows.loc["Modtagne klager"]
    assert received["Værdi (95 %-konfidensinterval)"] == "<5" and received["Forrige periode"] == "12"
    assert received["Ændring"] == "x" and received["Statistisk sikker?"] == "skjult (under 5)"
    upheld = rows.loc["Andel klager med medhold"]
    assert upheld["Værdi (95 %-konfidensinterval)"] == "x" and upheld["Forrige periode"] == "50,0\u00a0%"
    text = _text(shown)
    assert tiny_store.SOF_UPHELD_2024 not in text and tiny_store.SOF_RATE_2024 not in text


def test_upheld_share_above_the_band_is_not_a_missed_target(small, shown):
    table = forvaltningsrapport.key_figures(small, "BIF", "year")
    row = table.set_index("Indikator").loc["Stadfæstelsesprocent"]
    assert row["Værdi (95 %-konfidensinterval)"].startswith("95,0\u00a0%")
    assert row["Status"] == "✔ over målbåndet" and row["Mål"] == "80,0\u00a0%–85,0\u00a0%"
    text = _text(shown)
    assert "Mål, der ikke er nået" not in text


def test_key_figures_name_the_sure_changes_with_their_values(small, shown):
    # BIF's appeals: 50 of 200 changed in 2023 (omgørelsesprocent 25,0 %), 10 of 200 in 2024 (5,0 %); stadfæstet
    # 150 of 200 (75,0 %) and 190 of 200 (95,0 %); both changes are far beyond chance (z-test, p < 0,001); BIF's
    # complaint figures (rate 14,6 → 16,7 per 1.000, medhold 28,6 % → 25,0 %) are not sure changes
    forvaltningsrapport.key_figures(small, "BIF", "year")
    assert ("Statistisk sikre ændringer fra forrige periode: omgørelsesprocent (25,0\u00a0% → 5,0\u00a0%); "
            "stadfæstelsesprocent (75,0\u00a0% → 95,0\u00a0%).") in _text(shown)


def test_target_band_statuses():
    frame = pd.DataFrame({"indicator": ["appeal_upheld_share"] * 3 + ["appeal_reversal_share"],
                          "forvaltning": ["X"] * 4, "area": [None] * 4, "value": [0.95, 0.70, 0.82, 0.30],
                          "ci_low": [0.91, 0.62, 0.75, 0.25], "ci_high": [0.97, 0.77, 0.88, 0.36],
                          "numerator": [190, 70, 82, 30], "denominator": [200, 100, 100, 100]})
    org = org_mod.Organisation(municipality="X", forvaltninger=[{"code": "X", "name": "X"}],
                               targets={"appeal_reversal_share": {"high": 0.2}})
    out = targets_mod.apply(frame, org)
    assert out["status"].tolist() == ["over målbåndet", "sikkert under målet", "opfyldt", "sikkert over målet"]
    assert "over målbåndet" not in targets_mod.BAD_STATUSES


def test_recommendations_are_not_suppressed(small, shown):
    wide = borgerraadgiver.recommendations(small, "SOF")
    assert wide.loc["SOF"].tolist() == [1, 3, 2]
    assert _rows(small, "Status for Borgerrådgiverens anbefalinger") == [["SOF", "1", "3", "2", "6"]]
    assert "1 af 6 anbefalinger fra 2024 er gennemført (17\u00a0%) for Socialforvaltningen." in _text(shown)


def test_sections_without_data_say_so_in_one_line(small, shown):
    forvaltningsrapport.processing_section(small, "SOF")
    forvaltningsrapport.appeals_section(small, "SOF")
    assert shown == ["*Sagsbehandlingstid: ingen data for Socialforvaltningen.*",
                     "*Ankesager: ingen data for Socialforvaltningen.*"]


def test_risk_reasons_do_not_quote_a_hidden_share(small, shown):
    t = risikobillede.risk_matrix(small, None)
    raw = dict(zip(t["forvaltning"], t["reasons"]))
    assert f"fejlandel i stikprøver {tiny_store.SOF_AUDIT_SHARE} % over tærsklen 25,0 %" in raw["SOF"]
    (_, table), = [(k, f) for k, f in small.tables if k.startswith("Tilsynsniveau")]
    published = dict(zip(table["Forvaltning"], table["Begrundelse"]))
    assert "fejlandel i stikprøver x over tærsklen 25,0 %" in published["SOF"]
    assert tiny_store.SOF_AUDIT_SHARE not in _text(shown) + " ".join(alt_texts(shown))


def test_audit_error_share_by_area_hides_the_small_area(small, shown):
    cur = kvalitetsopfoelgning.error_share_by_area(small, None, "year")
    assert cur.set_index("forvaltning")["hidden"].to_dict() == {"SOF": True, "BIF": False}
    rows = {r[0]: r[1:4] for r in _rows(small, "Fejlandel i stikprøver pr. område")}
    assert rows == {"BIF: Kontanthjælp": ["6", "30", f"{tiny_store.BIF_AUDIT_SHARE}\u00a0%"],
                    "SOF: Handicap": ["<5", "<5", "x"]}
    text = _text(shown)
    assert "Intet område, hvis tal kan vises, har en fejlandel over tærsklen på 25\u00a0%." in text


def test_sample_size_note_uses_the_configured_expected_share(small, shown):
    kvalitetsopfoelgning.sample_sizes(small, "SOF")
    text = _text(shown)
    assert "den forventede fejlandel er 25\u00a0%" in text and "fordelt på 1 område." in text


# ------------------------------------------------------------------------------- the two-sample group test
def _share_table(x, n):
    frame = pd.DataFrame({"_label": list("ABCD")[:len(x)], "Tæller": x, "Nævner": n,
                          "Omgørelsesprocent": np.array(x) / np.array(n)})
    return disclosure.disclose(frame, counts=["Tæller", "Nævner"], derived=["Omgørelsesprocent"], row_totals=False)


def test_group_tests_compare_each_group_with_the_rest_and_adjust_for_multiplicity(small):
    from statsmodels.stats.multitest import multipletests
    from statsmodels.stats.proportion import proportions_ztest

    from kvalitet import catalogue

    x, n = [31, 20, 20, 14], [100, 100, 100, 100]
    raw = [proportions_ztest([x[i], sum(x) - x[i]], [n[i], sum(n) - n[i]])[1] for i in range(4)]
    q = multipletests(raw, method="fdr_bh")[1]
    # the reference: A is higher (q < 0,05); D has p < 0,05 on its own but not after the adjustment
    assert q[0] < 0.05 and raw[3] < 0.05 < q[3]
    text = common.group_tests(small, _share_table(x, n), catalogue.get("appeal_reversal_share"),
                              "appeal_reversal_share")
    assert text.startswith("Omgørelsesprocent: sikkert højere end de øvrige: A. ")
    assert "D" not in text.split(". Hver")[0]
    assert "(en z-test for to andele)" in text and "4 grupper" in text and "Benjamini-Hochberg" in text
    assert "q < 0,05" in text


def test_group_tests_leave_hidden_groups_out(small):
    from kvalitet import catalogue

    text = common.group_tests(small, _share_table([30, 3, 20, 11], [100, 100, 100, 100]),
                              catalogue.get("appeal_reversal_share"), "appeal_reversal_share")
    assert "3 grupper testes" in text and "B" not in text.split(". Hver")[0]


def test_configured_levels_reach_the_sentences(smaaby, shown, tmp_path):
    db, org = smaaby
    strict = tmp_path / "organisation.yaml"
    strict.write_text(org.read_text(encoding="utf-8") + "thresholds: {fdr: 0.1, conf: 0.9}\n", encoding="utf-8")
    r = Report.open(db, strict, None, None)
    try:
        common.method_and_data(r, ["complaint_rate"], ["complaints"])
        common.trends(r, common.scope(r, None), ["complaint_rate"], "year")
    finally:
        r.close()
    text = "\n".join(shown)
    assert "Konfidensintervaller er 90 %" in text and "p < 0,10" in text and "q < 0,10" in text
    assert "q < 0,05" not in text and "q &lt; 0,05" not in text


# --------------------------------------------------------------------------------------- the demo database
def test_compare_groups_orders_best_first(rep, shown):
    sc = common.scope(rep, None)
    cur = common.compare_groups(rep, sc, "appeal_reversal_share", "year", level="forvaltning_area")
    assert cur["value"].is_monotonic_increasing  # lower omgørelsesprocent is better: best first
    text = _text(shown)
    assert "Hver gruppe er sammenlignet med de øvrige grupper tilsammen (en z-test for to andele)" in text


def test_control_chart_reports_the_anhoej_rules(rep, shown):
    sc = common.scope(rep, None)
    chart = common.control_chart(rep, sc, "complaint_rate", "quarter")
    assert len(chart) == 48 and {"center", "lcl", "ucl", "sigma_signal", "anhoej_signal"} <= set(chart.columns)
    signal = bool(chart["anhoej_signal"].iloc[0])  # the whole-series Anhøj verdict, repeated on every row
    text = _text(shown)
    assert ("ikke kun tilfældig variation" in text) == signal
    assert ("kun tilfældigt om et stabilt niveau" in text) == (not signal)
    shown.clear()
    assert common.control_chart(rep, sc, "complaint_rate", "year", start="2020-01-01").empty
    assert "for få perioder" in _text(shown)


def test_trend_estimates_are_named_for_what_they_are(rep, shown):
    tr = klager.trend_results(rep, None, "year")
    (_, table), = [(t, f) for t, f in rep.tables if t == "Tendenser"]
    words = dict(zip(table["Indikator"], table["Mål for ændringen"]))
    assert words["Klagerate"] == "rateratio pr. år" and words["Andel klager med medhold"] == "oddsratio pr. år"
    text = _text(shown)
    sure = tr["direction"].isin(["stigende", "faldende"]).any()
    assert ("Statistisk sikre tendenser (q < 0,05)" in text) == bool(sure)
    assert "oddsene – andelen divideret med resten" in text


def test_initiative_effect_is_an_odds_ratio_translated_into_the_share(rep, shown):
    ankesager.initiative_effects(rep, "SOF", "quarter")
    text = _text(shown)
    m = re.search(r"faldt omgørelsesprocenten: oddsene var (\d+)\u00a0% af det forventede \(oddsratio (\d,\d+), "
                  r"95 %-konfidensinterval (\d,\d+)–(\d,\d+), q = [\d,]+\); ændringen er statistisk sikker\. "
                  r"Regnet fra niveauet året før starten \((\d+,\d)\u00a0%\) svarer det til omkring (\d+,\d)\u00a0%",
                  text)
    assert m, text
    odds_ratio = float(m.group(2).replace(",", "."))
    before = float(m.group(5).replace(",", ".")) / 100
    odds = before / (1 - before) * odds_ratio
    assert float(m.group(6).replace(",", ".")) == pytest.approx(100 * odds / (1 + odds), abs=0.1)
    assert "niveauet faldt til" not in text and "rateratio" not in text.split("Ved starten")[1]


def test_funnel_says_widened_only_when_it_was(rep, shown):
    funnel = ankesager.funnel_of_areas(rep, None, "year")
    assert len(funnel) >= 5 and "flag" in funnel
    text = _text(shown)
    phi = float(re.search(r"φ = (\d+,\d+)", text).group(1).replace(",", "."))
    assert ("Grænserne er udvidet" in text) == (phi > 1) and ("Grænserne er ikke udvidet" in text) == (phi <= 1)


def test_outcome_mix_and_audit_items_hide_small_groups_in_charts(rep, shown):
    wide = ankesager.outcome_mix(rep, None, "year")
    assert {"stadfæstet", "ændret", "hjemvist"} <= set(wide.columns)
    items = kvalitetsopfoelgning.error_share_by_item(rep, "SOF", "year")
    hidden = items[items["hidden"]]
    assert len(hidden)  # the demo has items with under 5 errors
    (alt,) = [a for a in alt_texts(shown) if a.startswith("Prikdiagram over fejlandelen pr. tjekpunkt")]
    for item in hidden["subgroup"]:
        assert f"{item}: " not in alt and item in alt.split("Skjult (under 5): ")[1]


def test_backlog_leaves_out_groups_without_servicemaal(rep, shown):
    wide = sagsbehandlingstid.backlog(rep, None, "quarter")
    assert "BIF" not in wide.columns  # Sygedagpenge has no servicemål in the demo
    assert "Uden servicemål og derfor ikke med: BIF" in _text(shown)


def test_long_cases_count_twice_the_servicemaal(rep, shown):
    g = sagsbehandlingstid.long_cases(rep, "SUF", "year")
    n = rep.con.execute(
        "SELECT count(*) FROM cases WHERE forvaltning = 'SUF' AND ((decided BETWEEN '2024-01-01' AND '2024-12-31' "
        "AND datediff('day', opened, decided) > 2 * coalesce(target_days, 28)) OR (decided IS NULL AND "
        "datediff('day', opened, DATE '2024-12-31') > 2 * coalesce(target_days, 28)))").fetchone()[0]
    assert int(g["over_2x"].sum()) == n
    assert f"{n} sager (" in _text(shown)


def test_medians_side_by_side_name_the_km_median(rep, shown):
    sagsbehandlingstid.medians_side_by_side(rep, None, "year")
    assert "Kaplan-Meier-median (dage)" in "".join(shown) and "Forventet" not in _text(shown)


def test_ombudsman_and_risk(rep, shown):
    wide = borgerraadgiver.inquiries_by_category(rep, None, "year")
    direct = rep.con.execute("SELECT count(*) FROM inquiries WHERE year(received) = 2024").fetchone()[0]
    assert wide.loc["2024", "I alt"] == direct
    t = risikobillede.risk_matrix(rep, None)
    assert t["tier"].is_monotonic_decreasing
    assert "4 point eller mere giver niveau 3, 2-3 point niveau 2" in _text(shown)


def test_udforsk(rep, shown):
    ov = udforsk.overview(rep)
    assert "complaints" in set(ov["Tabel"])
    df = udforsk.load(rep, "complaints", forvaltning="ØKF")
    assert set(df["forvaltning"]) == {"ØKF"}
    with pytest.raises(UserError, match="ingen kolonne 'colour'"):
        udforsk.load(rep, "complaints", colour="red")
    frame = udforsk.indicator(rep, "complaint_rate", "year", by=("forvaltning", "unit"), forvaltning="SOF")
    import matplotlib.pyplot as plt

    figs = []
    orig = plt.close
    plt.close = lambda fig=None: figs.append(fig)  # keep the figure to look at it
    try:
        udforsk.chart(rep, frame, group="unit")
    finally:
        plt.close = orig
    units = set(frame.loc[frame["subgroup"].isna(), "unit"].dropna())
    assert {t.get_text() for t in figs[0].axes[0].get_legend().get_texts()} == units
    assert 'alt="Linjediagram over klagerate pr. periode.' in shown[-1]


def test_status_symbols_cover_every_status():
    assert set(common.STATUS_SYMBOLS) == set(targets_mod.STATUSES)
    assert common.status_text(None) == "–" and common.status_text("opfyldt") == "✔ opfyldt"


def test_counts_compared_per_day():
    """A half year is compared with a whole year per day, so 182 after 365 is no fall."""
    d = disclosure.disclose(pd.DataFrame({"period": ["2023", "2024H1"], "numerator": [365, 182],
                                          "value": [365.0, 182.0]}), counts=["numerator"], row_totals=False)
    ch = common.change("complaints_received", d, 0, 1, None)
    assert ch is not None and not ch.sure and ch.p > 0.5


def test_ratio_names_follow_the_indicator_kind():
    assert ankesager.ratio_name("appeal_reversal_share") == "oddsratio"
    assert ankesager.ratio_name("complaint_rate") == "rateratio"
    assert ankesager.ratio_name("complaints_received") == "rateratio"
    assert common.METHOD_WORDS[common.PRIMARY_METHOD["count"]] == "rateratio pr. år"
    assert common.METHOD_WORDS[common.PRIMARY_METHOD["share"]] == "oddsratio pr. år"


def test_engine_notes_publish_no_small_count():
    notes = common.clean_notes(["1 afgjorte sager uden servicemål er udeladt", "12 afgjorte sager uden servicemål er "
                                                                              "udeladt"])
    assert notes == ["under 5 afgjorte sager uden servicemål er udeladt",
                     "12 afgjorte sager uden servicemål er udeladt"]
