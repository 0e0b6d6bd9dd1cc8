"""FOKUS: the biennial evaluation of each forvaltning's effort for better case handling, and the status in the
years between (issue 10). This package is the computation; the notebook and the report sections call it.

API (names are stable; every function returns data, never prose, except the Danish labels and verdict words):

* :func:`fokus_plan` ``(year, cycle=None, mode=None) -> FokusPlan`` — the mode of a year ('evaluering' or
  'status') under the organisation file's cycle (``organisation.fokus``), the evaluated period and the comparison
  period (years and dates), whether counts are annualised, and the Danish labels (``plan.label`` "2016–2017",
  ``plan.comparison_label``, ``plan.title``, ``plan.comparison_text``, ``plan.annualised_text``).
  :func:`latest_complete_year` ``(as_of) -> int``. Constants :data:`EVALUATION`, :data:`STATUS`.
"""

from .plan import EVALUATION, MODES, STATUS, FokusPlan, fokus_plan, latest_complete_year, year_span_label  # noqa: F401
