"""Danish formatting of what readers see, on the edge cases: negative numbers, zero, rounding of 0,05, thousands,
percentages, missing values, dates and periods."""

from __future__ import annotations

import math
from datetime import date

import pytest

from kvalitet import formatting as f


@pytest.mark.parametrize("value, decimals, expected", [
    (1234.5, 1, "1.234,5"), (1234567.891, 2, "1.234.567,89"), (999.95, 1, "1.000,0"), (0, 0, "0"), (0.0, 2, "0,00"),
    (-1234.5, 1, "-1.234,5"), (-0.04, 1, "0,0"), (-0.0, 0, "0"), (-0.05, 1, "-0,1"),
    (0.05, 1, "0,1"), (0.15, 1, "0,2"), (0.25, 1, "0,3"), (2.5, 0, "3"), (3.5, 0, "4"), (0.045, 2, "0,05"),
    (1.005, 2, "1,01"), (12, 0, "12"),
])
def test_number(value, decimals, expected):
    assert f.number(value, decimals) == expected


@pytest.mark.parametrize("value, expected", [(12345, "12.345"), (0, "0"), (-7, "-7"), (2.5, "3"), (1e6, "1.000.000")])
def test_count(value, expected):
    assert f.count(value) == expected


@pytest.mark.parametrize("share, decimals, expected", [
    (0.186, 1, "18,6\u00a0%"), (0.1855, 1, "18,6\u00a0%"), (0.0005, 1, "0,1\u00a0%"), (0, 1, "0,0\u00a0%"),
    (1, 0, "100\u00a0%"), (-0.032, 1, "-3,2\u00a0%"), (12.345, 1, "1.234,5\u00a0%"), (0.00049, 1, "0,0\u00a0%"),
])
def test_percent(share, decimals, expected):
    assert f.percent(share, decimals) == expected


def test_percent_points_and_intervals():
    assert f.percent_points(-0.032) == "-3,2 procentpoint"
    assert f.percent_points(0.05) == "+5,0 procentpoint"
    assert f.percent_points(0.0004) == "0,0 procentpoint"  # no sign on a change that rounds to zero
    assert f.interval(12.06, 15.34, decimals=1) == "12,1–15,3"
    assert f.interval(0.1, 0.25, fmt=f.percent) == "10,0\u00a0%–25,0\u00a0%"


@pytest.mark.parametrize("value", [None, float("nan")])
def test_missing_values_are_a_dash(value):
    assert f.number(value) == f.count(value) == f.percent(value) == f.long_date(value) == f.MISSING
    assert f.interval(value, 1) == f.MISSING


def test_infinity():
    assert f.number(math.inf) == "∞" and f.number(-math.inf) == "-∞"


def test_dates_and_periods():
    assert f.long_date(date(2024, 1, 31)) == "31. januar 2024"
    assert f.long_date("2024-05-01") == "1. maj 2024"
    assert f.month_name(3) == "marts" and f.month_name(10, short=True) == "okt."
    assert f.period_label("2024-01") == "januar 2024"
    assert f.period_label("2024Q1") == "1. kvartal 2024"
    assert f.period_label("2024H2") == "2. halvår 2024"
    assert f.period_label("2023-2024") == "2023-2024" and f.period_label("2024") == "2024"


def test_axis_ticks_are_danish():
    import matplotlib.pyplot as plt

    from kvalitet import charts

    fig, ax = plt.subplots()
    ax.plot([0, 1], [0.2, 0.21])
    charts.danish_number_axis(ax, percent=True)
    fig.canvas.draw()
    labels = [t.get_text() for t in ax.get_yticklabels()]
    plt.close(fig)
    assert any("," in lb for lb in labels) and all(lb.endswith("%") for lb in labels if lb)
    assert not any("." in lb for lb in labels)


def test_lower_first_keeps_proper_nouns():
    assert f.lower_first("Kritik fra Borgerrådgiveren") == "kritik fra Borgerrådgiveren"
    assert f.lower_first("Median (Kaplan-Meier)") == "median (Kaplan-Meier)"
    assert f.lower_first("") == ""


def test_number_agrees_with_babel_patterns():
    """number() formats with Python and the locale's symbols; Babel's CLDR pattern ``#,##0.00`` (what it used before,
    and the reference here) must give the same text for every value, sign, size, scale and number of decimals."""
    import random

    from babel.numbers import format_decimal

    rng = random.Random(7)
    values = [0, -0.0, 0.5, -0.5, 2.5, 999.95, 999.5, 1000, -1234.5, 1e9, -1e-9, 0.1855, 123456789.125]
    values += [rng.uniform(-1e7, 1e7) for _ in range(300)] + [rng.uniform(-2, 2) for _ in range(300)]
    values += [rng.randint(-10**9, 10**9) for _ in range(100)]
    for v in values:
        for decimals in range(4):
            for scale in (1, 100):
                pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
                expected = format_decimal(f._rounded(v, decimals, scale), format=pattern, locale=f.LOCALE)
                assert f.number(v, decimals, scale) == expected, (v, decimals, scale)
    assert f.number(-1234567.891, 2) == "-1.234.567,89"
