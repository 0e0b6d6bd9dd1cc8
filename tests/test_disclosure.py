"""The disclosure rule, applied in one place (kvalitet.disclosure.disclose), and the gates that make every table,
chart and sentence take its numbers from a Disclosed table."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from kvalitet import charts, disclosure, narrative, present
from kvalitet import organisation as org_mod
from kvalitet.disclosure import disclose
from kvalitet.present import Report


def make_report() -> Report:
    org = org_mod.Organisation(municipality="Testkommune", forvaltninger=[{"code": "SOF", "name": "S"}])
    return Report(con=None, organisation=org, as_of=None, demo=False)


def audit_table() -> pd.DataFrame:
    return pd.DataFrame({"Tjekpunkt": ["begrundelse", "partshøring", "samtykke"],
                         "Fejl": [2, 12, 0], "Vurderet": [30, 40, 25],
                         "Fejlandel": [2 / 30, 12 / 40, 0.0], "_low": [0.01, 0.17, 0.0], "_high": [0.2, 0.45, 0.13]})


def test_shares_next_to_a_hidden_count_are_hidden_too():
    d = disclose(audit_table(), counts=["Fejl", "Vurderet"], derived=["Fejlandel", "_low", "_high"],
                 row_totals=False, formats={"Fejlandel": lambda v: f"{v * 100:.1f}".replace(".", ",") + " %"})
    assert d.display["Fejl"].tolist() == ["<5", "12", "0"]
    # 2 of 30 would be readable from 6,7 % and 30: the share and its interval are hidden in that row only
    assert d.display["Fejlandel"].tolist() == ["x", "30,0 %", "0,0 %"]
    assert d.display["Vurderet"].tolist() == ["30", "40", "25"]
    assert "_low" not in d.display  # carried for charts, never shown
    assert np.isnan(d.number("Fejlandel")[0]) and np.isnan(d.number("_high")[0])
    assert d.number("Fejlandel")[1] == pytest.approx(0.3)
    assert d.suppressed and d.any_hidden
    assert d.text(0, "Fejlandel") == "x" and d.text(0, "Fejl") == "<5" and d.text(1, "Fejl") == "12"


def test_a_small_remainder_hides_the_numerator():
    """28 of 30: the 2 without are persons too; with 30 shown, the 28 would reveal them."""
    frame = pd.DataFrame({"Tæller": [28, 10], "Nævner": [30, 40], "Andel": [28 / 30, 0.25]})
    d = disclose(frame, counts=["Tæller", "Nævner"], derived=["Andel"], denominators={"Nævner": ["Tæller"]},
                 row_totals=False)
    assert d.display["Tæller"].tolist() == ["x", "10"]
    assert d.display["Nævner"].tolist() == ["30", "40"]
    assert d.display["Andel"].tolist()[0] == "x"


def test_a_subtotal_does_not_reveal_a_single_hidden_part():
    """Outcomes: 3 ophævet hidden; the row total protects it by hiding afvist (5), but the subtotal of the
    realitetsbehandlede (stadfæstet + ophævet + hjemvist = 59) would give 3 back: it is hidden too."""
    frame = pd.DataFrame({"Stadfæstet": [40], "Ophævet": [3], "Hjemvist": [16], "Afvist": [5], "I alt": [64],
                          "_real": [59]})
    d = disclose(frame, counts=["Stadfæstet", "Ophævet", "Hjemvist", "Afvist", "I alt", "_real"],
                 totals={"_real": ["Stadfæstet", "Ophævet", "Hjemvist"]})
    assert d.display["Ophævet"].iloc[0] == "<5" and d.display["Afvist"].iloc[0] == "x"
    assert d.is_hidden(0, "_real")


def test_counts_of_things_that_are_not_persons_are_shown():
    frame = pd.DataFrame({"Forvaltning": ["SOF"], "Gennemført": [1], "I gang": [5], "I alt": [6]})
    d = disclose(frame)  # recommendations: no person counts
    assert d.display.iloc[0].tolist() == ["SOF", 1, 5, 6]
    assert not d.any_hidden and not d.suppressed


def test_nothing_hidden_when_no_count_is_small():
    d = disclose(pd.DataFrame({"Område": ["A"], "Klager": [1234], "Andel": [0.12]}), counts=["Klager"],
                 derived=["Andel"], formats={"Andel": lambda v: "12,0 %"})
    assert d.display.iloc[0].tolist() == ["A", "1.234", "12,0 %"]
    assert not d.any_hidden


def test_derived_per_column_hides_only_its_own_group():
    frame = pd.DataFrame({"A": [0.5], "_n_A": [2], "B": [0.3], "_n_B": [30]})
    d = disclose(frame, counts=["_n_A", "_n_B"], derived={"A": ["_n_A"], "B": ["_n_B"]}, row_totals=False)
    assert np.isnan(d.number("A")[0]) and d.number("B")[0] == pytest.approx(0.3)


def test_report_table_takes_only_disclosed_tables(monkeypatch):
    shown: list[str] = []
    monkeypatch.setattr(present, "_display", lambda obj: shown.append(str(obj)))
    rep = make_report()
    with pytest.raises(TypeError, match="Disclosed"):
        rep.table(audit_table(), "Fejl")
    rep.table(disclose(audit_table(), counts=["Fejl", "Vurderet"], derived=["Fejlandel"], row_totals=False), "Fejl")
    (title, xlsx), = rep.tables  # the XLSX gets exactly what the page shows
    assert xlsx["Fejl"].tolist() == ["<5", "12", "0"] and "_low" not in xlsx
    assert rep.suppressed_any and "<td>&lt;5</td>" in shown[0]


def test_disclosed_is_made_only_by_disclose():
    with pytest.raises(TypeError):
        disclosure.Disclosed(pd.DataFrame(), pd.DataFrame(), pd.DataFrame(), False)


@pytest.mark.parametrize("draw", [
    lambda f: charts.dot_ci(f, "Tjekpunkt", "Fejlandel", "_low", "_high", "t", "x"),
    lambda f: charts.hbar(f, "Tjekpunkt", "Fejl", "t"),
    lambda f: charts.series_with_ci(f, "Tjekpunkt", "Fejlandel"),
    lambda f: charts.stacked_counts(f, "Tjekpunkt", ["Fejl"], "t"),
    lambda f: charts.multi_line(f, "Tjekpunkt", ["Fejl"], "t", "y"),
    lambda f: charts.stacked_shares(f, "Tjekpunkt", ["Fejl"], "Vurderet", "t"),
    lambda f: charts.control_chart(f, "Tjekpunkt", "t", "y"),
    lambda f: charts.funnel(f, "Vurderet", "Fejlandel", "Tjekpunkt", pd.DataFrame(), "t", "x", "y"),
    lambda f: charts.km_curves(f, "Tjekpunkt", "Vurderet", {}, "t"),
    lambda f: charts.risk_matrix(f, "Tjekpunkt", ["Fejl"], "Vurderet", "t"),
])
def test_charts_refuse_a_raw_frame(draw):
    with pytest.raises(TypeError, match="Disclosed"):
        draw(audit_table())


def test_sentences_refuse_a_raw_frame():
    frame = pd.DataFrame({"period": ["2023", "2024"], "numerator": [10, 12], "denominator": [100, 100]})
    for compare in (narrative.share_change, narrative.rate_change):
        with pytest.raises(TypeError, match="Disclosed"):
            compare(frame, 0, 1)
    with pytest.raises(TypeError, match="Disclosed"):
        narrative.count_change(frame, 0, 1, "numerator", (365, 366))
    with pytest.raises(TypeError, match="Disclosed"):
        narrative.trend_title("x", frame, 0, 1, "numerator", True)


def test_dot_chart_leaves_out_the_hidden_group_with_a_note(monkeypatch):
    d = disclose(audit_table(), counts=["Fejl", "Vurderet"], derived=["Fejlandel", "_low", "_high"],
                 row_totals=False)
    fig = charts.dot_ci(d, "Tjekpunkt", "Fejlandel", "_low", "_high", "Fejlandel", "Andel", percent=True,
                        source="kilde", as_of_label="31. december 2024")
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["partshøring", "samtykke"]
    offsets = ax.collections[-1].get_offsets()
    assert sorted(np.asarray(offsets)[:, 0].tolist()) == pytest.approx([0.0, 0.3])  # 2/30 is not drawn
    texts = [t.get_text() for t in fig.texts]
    assert any("Skjult (under 5): begrundelse" in t for t in texts)
    # the note reaches the alt text too
    shown: list[str] = []
    monkeypatch.setattr(present, "_display", lambda obj: shown.append(str(obj)))
    make_report().figure(fig, alt="Prikdiagram over fejlandelen.")
    assert 'alt="Prikdiagram over fejlandelen. Skjult (under 5): begrundelse."' in shown[0]


def test_stacked_counts_leave_hidden_segments_out():
    frame = pd.DataFrame({"_period": ["2023", "2024"], "Formalitet": [3, 20], "Realitet": [30, 40],
                          "I alt": [33, 60]})
    d = disclose(frame, counts=["Formalitet", "Realitet", "I alt"])
    fig = charts.stacked_counts(d, "_period", ["Formalitet", "Realitet"], "t")
    heights = [p.get_height() for p in fig.axes[0].patches]
    # 3 is hidden and, to protect it from the total, the smallest other cell of its row (30) too
    assert heights == [0.0, 20.0, 0.0, 40.0]
    assert any("Formalitet i 2023" in t.get_text() and "Realitet i 2023" in t.get_text() for t in fig.texts)
    plt.close(fig)


def test_change_sentence_hides_a_comparison_resting_on_a_hidden_count():
    d = disclose(pd.DataFrame({"period": ["2023", "2024"], "numerator": [3, 12], "denominator": [40, 45]}),
                 counts=["numerator", "denominator"], row_totals=False)
    ch = narrative.share_change(d, 0, 1)
    assert ch.hidden and not ch.sure
    text = narrative.change_sentence(ch, "omgørelsesprocenten")
    assert "vises derfor ikke" in text and "7,5" not in text and "26,7" not in text
    assert narrative.trend_title("omgørelsesprocenten", d, 0, 1, "numerator", True) == "Omgørelsesprocenten, 2023–2024"


def test_change_sentences_agree_with_their_noun():
    d = disclose(pd.DataFrame({"period": ["2023", "2024"], "numerator": [100, 160],
                               "denominator": [10_000, 10_000]}), counts=["numerator", "denominator"],
                 row_totals=False)
    up = narrative.rate_change(d, 0, 1)
    assert up.sure
    assert "Stigningen er statistisk sikker (" in narrative.change_sentence(up, "klageraten")
    down = narrative.rate_change(d, 1, 0)
    assert "Faldet er statistisk sikkert (" in narrative.change_sentence(down, "klageraten")
    d2 = disclose(pd.DataFrame({"period": ["2023", "2024"], "numerator": [10, 12], "denominator": [40, 40]}),
                  counts=["numerator", "denominator"], row_totals=False)
    text = narrative.change_sentence(narrative.share_change(d2, 0, 1), "omgørelsesprocenten")
    assert "Stigningen er ikke statistisk sikker (" in text and "kan skyldes tilfældig variation" in text


def test_count_phrase_singular_and_plural():
    assert narrative.count_phrase(1, "afgjort sag", "afgjorte sager") == "1 afgjort sag"
    assert narrative.count_phrase(1234, "afgjort sag", "afgjorte sager") == "1.234 afgjorte sager"
