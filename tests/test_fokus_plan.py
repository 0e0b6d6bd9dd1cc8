"""The FOKUS mode of a year (kvalitet.fokus.fokus_plan), with the expected periods written out by hand."""

from __future__ import annotations

from datetime import date

import pytest

from kvalitet import organisation
from kvalitet.errors import UserError
from kvalitet.fokus import fokus_plan, latest_complete_year
from kvalitet.organisation import FokusCycle

# year -> (mode, current period, comparison period, annualised), by hand
DEFAULT = {  # first evaluation 2015, every 2nd year
    2015: ("evaluering", (2014, 2015), (2012, 2013), False),
    2016: ("status", (2016, 2016), (2014, 2015), True),
    2017: ("evaluering", (2016, 2017), (2014, 2015), False),   # the Borgerrådgiver's report "for 2017"
    2018: ("status", (2018, 2018), (2016, 2017), True),
    2019: ("evaluering", (2018, 2019), (2016, 2017), False),
    2024: ("status", (2024, 2024), (2022, 2023), True),
    2025: ("evaluering", (2024, 2025), (2022, 2023), False),
}
EVERY_3 = {  # first evaluation 2016, every 3rd year
    2016: ("evaluering", (2014, 2016), (2011, 2013), False),
    2017: ("status", (2017, 2017), (2014, 2016), True),
    2018: ("status", (2018, 2018), (2014, 2016), True),
    2019: ("evaluering", (2017, 2019), (2014, 2016), False),
    2020: ("status", (2020, 2020), (2017, 2019), True),
    2021: ("status", (2021, 2021), (2017, 2019), True),
    2022: ("evaluering", (2020, 2022), (2017, 2019), False),
}
EVERY_1 = {  # first evaluation 2020, every year: every year is an evaluation year, one year against the one before
    2020: ("evaluering", (2020, 2020), (2019, 2019), False),
    2021: ("evaluering", (2021, 2021), (2020, 2020), False),
    2024: ("evaluering", (2024, 2024), (2023, 2023), False),
}


@pytest.mark.parametrize("cycle,table", [((2015, 2), DEFAULT), ((2016, 3), EVERY_3), ((2020, 1), EVERY_1)])
def test_mode_and_periods(cycle, table):
    c = FokusCycle(first_evaluation_year=cycle[0], every=cycle[1])
    for year, (mode, cur, comp, annual) in table.items():
        p = fokus_plan(year, c)
        assert (p.mode, (p.start_year, p.end_year), (p.comparison_start_year, p.comparison_end_year),
                p.annualised) == (mode, cur, comp, annual), year
        assert p.start == date(cur[0], 1, 1) and p.end == date(cur[1], 12, 31)
        assert p.comparison_start == date(comp[0], 1, 1) and p.comparison_end == date(comp[1], 12, 31)
        assert p.years == cur[1] - cur[0] + 1 and p.comparison_years == comp[1] - comp[0] + 1


def test_default_cycle_and_labels():
    p = fokus_plan(2017)  # default cycle
    assert (p.label, p.comparison_label, p.title) == ("2016–2017", "2014–2015", "FOKUS-evaluering 2016–2017")
    assert p.annualised_text == ""
    s = fokus_plan(2018, organisation.Organisation.model_validate(
        {"municipality": "X", "forvaltninger": [{"code": "SOF", "name": "Socialforvaltningen"}]}))
    assert (s.label, s.comparison_label, s.title, s.evaluation_year) == ("2018", "2016–2017", "FOKUS-status 2018",
                                                                         2017)
    assert "pr. år" in s.annualised_text and "delt med antallet af år med data i perioden (højst 2)" in s.annualised_text
    assert s.annualised_text in s.comparison_text


def test_year_before_first_evaluation_and_wrong_mode():
    with pytest.raises(UserError, match="2014 ligger før den første evaluering"):
        fokus_plan(2014)
    with pytest.raises(UserError, match="2018 er et statusår"):
        fokus_plan(2018, mode="evaluering")
    with pytest.raises(UserError, match="ukendt mode"):
        fokus_plan(2018, mode="halvår")
    assert fokus_plan(2018, mode="status").mode == "status"
    assert fokus_plan(2017, mode="evaluering").mode == "evaluering"


def test_cycle_in_organisation_file(tmp_path):
    base = "municipality: X\nforvaltninger:\n  - {code: SOF, name: Socialforvaltningen}\n"
    p = tmp_path / "o.yaml"
    p.write_text(base, encoding="utf-8")
    assert organisation.load(p).fokus == FokusCycle(first_evaluation_year=2015, every=2)
    p.write_text(base + "fokus: {first_evaluation_year: 2016, every: 3}\n", encoding="utf-8")
    assert organisation.load(p).fokus.every == 3
    for bad, msg in (("{every: 0}", "every skal være"), ("{first_evaluation_year: 215}", "årstal mellem 2000"),
                     ("{every: 2, hvert: 2}", "fokus.hvert: ukendt nøgle")):
        p.write_text(base + f"fokus: {bad}\n", encoding="utf-8")
        with pytest.raises(UserError, match=msg):
            organisation.load(p)
    # the second test municipality has another cycle
    from conftest import ROOT
    assert organisation.load(ROOT / "tests/data/anden_kommune/organisation.yaml").fokus.every == 3


def test_latest_complete_year():
    assert latest_complete_year(date(2024, 12, 31)) == 2024
    assert latest_complete_year(date(2025, 3, 1)) == 2024
