"""FOKUS: the biennial evaluation of each forvaltning's effort for better case handling, and the status in the
years between (issue 10). This package is the computation; the notebook and the report sections call it. Every
function returns data (DataFrames or a small frozen plan), never prose, except Danish labels and verdict words; the
person counts behind every number (``numerator``/``denominator`` columns) are returned so a section can disclose
them (:mod:`kvalitet.disclosure`).

API (names are stable). ``forvaltning`` is a code (None: the whole municipality); ``plan`` a :class:`FokusPlan`;
``as_of`` caps the data's as-of date as in :func:`kvalitet.indicators.compute`.

* :func:`fokus_plan` ``(year, cycle=None, mode=None) -> FokusPlan`` (:mod:`.plan`) — the mode of a year
  ('evaluering' or 'status') under the organisation file's cycle (``organisation.fokus``), the current and the
  comparison period (``start_year``/``end_year``, ``comparison_start_year``/``comparison_end_year``, dates
  ``start``/``end``/``comparison_start``/``comparison_end``), ``annualised`` and the Danish labels
  (``label`` "2016–2017", ``comparison_label``, ``title``, ``comparison_text``, ``annualised_text``).
  :func:`latest_complete_year` ``(as_of) -> int``. Constants :data:`EVALUATION`, :data:`STATUS`.
* :func:`period_values` ``(con, organisation, forvaltning, plan, ids=KEY_INDICATORS, as_of=None, level=None)``
  (:mod:`.values`) — per indicator × role ('current', 'comparison'): summed numerator/denominator, value,
  interval, years with data. :data:`KEY_INDICATORS`.
* :func:`comparison` ``(con, organisation, forvaltning, plan, indicators=KEY_INDICATORS, as_of=None, level=None)``
  (:mod:`.compare`) — the key indicators current against comparison period: both periods' counts, values and
  intervals, rate ratio (rates, counts) or difference (shares) with interval, p, Benjamini–Hochberg q,
  ``verdict`` (:data:`VERDICTS`: steget, faldet, ingen sikker ændring, kan ikke vurderes) and ``judgement``
  (forbedring/forværring). Columns :data:`COMPARISON_COLUMNS`.
* :func:`trend_table` ``(con, organisation, forvaltning, plan, indicators=KEY_INDICATORS, as_of=None)`` — the yearly
  trend over all years up to the plan's end (the trend screening's primary method per indicator).
* :func:`target_table` ``(con, organisation, forvaltning, plan, as_of=None)`` (:mod:`.goals`) — every indicator
  with a target for the forvaltning: ``target_kind`` (kvalitet / tilfredshed / frister), ``source``
  (organisationsfil / standard / tærskel), value, interval, target and status over the current period (counts per
  year), value and status over the comparison period. Columns :data:`TARGET_COLUMNS`.
* :func:`coverage_grid` ``(con, organisation, forvaltning, plan, indicators=GRID_INDICATORS, as_of=None)``
  (:mod:`.coverage`) — indicator × area × year (every combination) with ``records`` and ``has_data``, ``role`` of
  the year; :func:`missing` ``(grid)`` lists the gaps per indicator × area.
* :func:`initiative_table` ``(con, organisation, forvaltning, plan, as_of=None)`` (:mod:`.initiatives`) — every
  initiative × indicator: the interrupted-time-series level and slope change (the screening's), the quarters
  covered, the person counts before/after the start, ``verdict`` (faldet, steget, ingen sikker ændring, for ung
  til at vurdere, kan ikke vurderes, ingen indikatorer) and ``judgement``. Columns :data:`INITIATIVE_COLUMNS`.
"""

from .compare import (  # noqa: F401
    BETTER, CANNOT, COMPARISON_COLUMNS, FELL, NO_SURE_CHANGE, ROSE, VERDICTS, WORSE, comparison, trend_table,
)
from .plan import EVALUATION, MODES, STATUS, FokusPlan, fokus_plan, latest_complete_year, year_span_label  # noqa: F401
from .values import KEY_INDICATORS, period_values  # noqa: F401
from .goals import TARGET_COLUMNS, target_kind, target_table  # noqa: F401
from .coverage import COVERAGE_COLUMNS, GRID_INDICATORS, coverage_grid, missing  # noqa: F401
from .initiatives import (  # noqa: F401
    INITIATIVE_COLUMNS, MIN_QUARTERS_AFTER, NO_INDICATORS, TOO_YOUNG, initiative_table, quarters_after,
)
