"""Complete and partial periods (kvalitet.periods): the latest complete period at an as-of date, the partial flag,
the Danish label of a partial period and the same part of the year before (år til dato). Expected values are
worked out by hand from the calendar."""

from __future__ import annotations

from datetime import date as D

import pytest

from kvalitet import periods

# as-of date → the latest complete month, quarter, half, year, biennium (odd start), each by the rule "complete when
# the as-of date is on or after the period's last day"
LATEST_COMPLETE = [
    (D(2024, 1, 31), ["2024-01", "2023Q4", "2023H2", "2023", "2021-2022"]),
    (D(2024, 1, 30), ["2023-12", "2023Q4", "2023H2", "2023", "2021-2022"]),
    (D(2024, 2, 28), ["2024-01", "2023Q4", "2023H2", "2023", "2021-2022"]),  # 2024 is a leap year
    (D(2024, 2, 29), ["2024-02", "2023Q4", "2023H2", "2023", "2021-2022"]),
    (D(2024, 3, 31), ["2024-03", "2024Q1", "2023H2", "2023", "2021-2022"]),
    (D(2024, 6, 29), ["2024-05", "2024Q1", "2023H2", "2023", "2021-2022"]),
    (D(2024, 6, 30), ["2024-06", "2024Q2", "2024H1", "2023", "2021-2022"]),
    (D(2024, 12, 30), ["2024-11", "2024Q3", "2024H1", "2023", "2021-2022"]),
    (D(2024, 12, 31), ["2024-12", "2024Q4", "2024H2", "2024", "2023-2024"]),
    (D(2025, 12, 31), ["2025-12", "2025Q4", "2025H2", "2025", "2023-2024"]),
]


@pytest.mark.parametrize("as_of, expected", LATEST_COMPLETE)
def test_latest_complete(as_of, expected):
    assert [periods.latest_complete(as_of, g).label for g in periods.PERIODS] == expected


def test_latest_complete_even_biennium():
    assert periods.latest_complete(D(2025, 12, 31), "biennium", "even").label == "2024-2025"
    assert periods.latest_complete(D(2025, 12, 30), "biennium", "even").label == "2022-2023"


def test_previous():
    assert periods.previous(periods.parse("2024")).label == "2023"
    assert periods.previous(periods.parse("2024Q1")).label == "2023Q4"
    assert periods.previous(periods.parse("2024H1")).label == "2023H2"
    assert periods.previous(periods.parse("2024-01")).label == "2023-12"
    assert periods.previous(periods.parse("2023-2024")).label == "2021-2022"


def test_is_partial():
    assert periods.is_partial("2024", D(2024, 1, 31))
    assert not periods.is_partial("2023", D(2024, 1, 31))
    assert not periods.is_partial("2024-01", D(2024, 1, 31))
    assert periods.is_partial("2024Q1", D(2024, 1, 31))
    assert not periods.is_partial("2024H1", D(2024, 6, 30))
    assert periods.is_partial("2024H2", D(2024, 12, 30))
    assert not periods.is_partial("2024", D(2024, 12, 31))


def test_last_whole_month_end():
    assert periods.last_whole_month_end(D(2024, 1, 15)) == D(2023, 12, 31)
    assert periods.last_whole_month_end(D(2024, 1, 31)) == D(2024, 1, 31)
    assert periods.last_whole_month_end(D(2024, 2, 28)) == D(2024, 1, 31)
    assert periods.last_whole_month_end(D(2024, 2, 29)) == D(2024, 2, 29)
    assert periods.last_whole_month_end(D(2023, 3, 1)) == D(2023, 2, 28)


def test_partial_label():
    assert periods.partial_label("2024", D(2024, 1, 31)) == "1. januar–31. januar 2024"
    assert periods.partial_label("2024H2", D(2024, 9, 15)) == "1. juli–15. september 2024"
    assert periods.partial_label("2023-2024", D(2024, 1, 31)) == "1. januar 2023–31. januar 2024"
    # a complete period keeps its usual label
    assert periods.partial_label("2023", D(2024, 1, 31)) == "2023"
    assert periods.partial_label("2024Q1", D(2024, 3, 31)) == "1. kvartal 2024"


def test_same_part_of_the_year_before():
    assert periods.same_part_before("2024", D(2024, 1, 31)) == (D(2023, 1, 1), D(2023, 1, 31))
    assert periods.same_part_before("2024Q1", D(2024, 2, 15)) == (D(2023, 1, 1), D(2023, 2, 15))
    assert periods.same_part_before("2024H2", D(2024, 9, 15)) == (D(2023, 7, 1), D(2023, 9, 15))
    # 29 February has no counterpart the year before: the last day of February
    assert periods.same_part_before("2024", D(2024, 2, 29)) == (D(2023, 1, 1), D(2023, 2, 28))
    # a biennium is compared with the same place in the biennium before
    assert periods.same_part_before("2023-2024", D(2024, 1, 31)) == (D(2021, 1, 1), D(2022, 1, 31))


def test_one_period_in_danish():
    assert [periods.ONE_DA[g] for g in periods.PERIODS] == [
        "én måned", "ét kvartal", "ét halvår", "ét år", "én toårsperiode"]
