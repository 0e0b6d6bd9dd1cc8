"""The indicator engine: every indicator of the catalogue computed from the store, by group and period.

::

    compute(con, indicators=None, period="year", by=("forvaltning",), start=None, end=None, as_of=None,
            organisation=None, where=None) -> pandas.DataFrame

returns the tidy table with the columns :data:`OUTPUT_COLUMNS`:

``indicator, period, forvaltning, unit, area, subgroup, numerator, denominator, value, ci_low, ci_high,
target_low, target_high, status, note, partial``

* One row per indicator × group × period (× sub-group). Groups are any subset of ``forvaltning``, ``unit``,
  ``area`` (``by=()`` for the whole municipality); columns not grouped on are empty (None). Every period from the
  first with data (or ``start``) to ``end``/``as_of`` is present for every group that has data, so a period
  without records shows 0 for counts and no value (with a note) for shares, rates and medians.
* Sub-groups where DESIGN.md names them: complaint kind (``complaints_received``), audit item
  (``audit_item_error_share``), inquiry category (``inquiries_received``), each with a total row whose ``subgroup``
  is empty; ``municipal_reversal_share`` has one row per municipality (in ``subgroup``) and no total;
  ``service_target_share`` grouped by area has a row per servicemål tier (``targets.service_tiers``).
* Shares are fractions (0.186), rates per 1,000 decisions, medians in days. Missing values are NaN (never 0) and
  ``note`` says why in Danish (e.g. "ingen afgørelser i perioden").
* ``numerator``/``denominator`` are whole numbers (pandas ``Int64``; empty where not defined). For the medians
  ``denominator`` is the number of records behind the median; for the Kaplan–Meier median ``numerator`` is the
  number of cases decided (events) and ``denominator`` the number of cases opened; for
  ``open_cases_over_target`` the denominator is the number of open cases with a servicemål at the period's end.
* ``as_of`` is the date the data are seen from: records dated after it are left out, and a case decided after it
  counts as open (censored at ``as_of``). By default each indicator is seen from the as-of date of the exports of
  the tables it reads (``ingest_log``: the latest ``--as-of`` among a table's loads; the earliest of its tables when
  it reads two, as the complaint rate does); a table never loaded through ``kvalitet ingest`` falls back to the
  newest date in the data. A given ``as_of`` caps those dates (:func:`tables_as_of`). ``start``/``end`` limit the
  date that places a record in a period (the catalogue's ``period_date``).
* ``partial`` is True for a period that is not whole: not over at the indicator's as-of date, or cut by
  ``start``/``end``. Partial periods are listed (with what they hold so far) but never tested for trends
  (:mod:`kvalitet.screening`) and never compared with a whole period (:func:`compare_periods`: the latest complete
  period against the one before, a partial one against the same part of the year before).
* A rate (complaints per 1,000 decisions) counts numerator and denominator up to the end of the last whole month
  at its as-of date (decisions are counted by month): at 15 January 2024 no day of January 2024 is counted.
* ``where`` filters on ``forvaltning``, ``unit`` and ``area`` (a value or a list of values). A table without the
  column (inquiries have no area, Danmarkskort no forvaltning) is not filtered on it.

The grouping and counting are done in DuckDB SQL; pandas does the intervals, targets and statuses that follow.

The package's rooms:

* :mod:`.engine`: :func:`compute`, :func:`make_query` and the checks of their arguments; each indicator is computed
  by the function its catalogue entry names (:mod:`kvalitet.catalogue`, ``compute``);
* the indicators, one module per family: :mod:`.complaints`, :mod:`.appeals`, :mod:`.cases`, :mod:`.audits`,
  :mod:`.inquiries`, :mod:`.satisfaction`, :mod:`.municipal_appeals`;
* the helpers they share: :mod:`.query` (the :class:`Query` builder and SQL pieces), :mod:`.frames` (frame
  completion, totals, shares, notes), :mod:`.sorting` (the order of the rows);
* :mod:`.asof` (the as-of dates of tables and indicators, :class:`DataAsOf`) and :mod:`.comparisons`
  (:func:`compare_periods`, :func:`period_labels`).

The Kaplan–Meier median is :func:`kvalitet.stats.survival.km_fit`/:func:`~kvalitet.stats.survival.km_medians`.
"""

from .asof import (  # noqa: F401
    DataAsOf, data_as_of, data_end, indicator_as_of, indicator_tables, newest_date, tables_as_of, to_date,
)
from .comparisons import (  # noqa: F401
    COMPARISON_ROLES, PeriodComparison, compare_many, compare_periods, period_labels,
)
from .engine import check_by, check_indicators, check_where, compute, function_of, make_query  # noqa: F401
from .frames import complete, group_codes  # noqa: F401
from .query import GROUP_COLUMNS, OUTPUT_COLUMNS, Query  # noqa: F401
from .sorting import sort_order  # noqa: F401
