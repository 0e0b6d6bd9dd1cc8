"""What the report sections share, gathered for the notebooks and the sections (``from kvalitet.sections import
common``). Each concept has its own module: :mod:`.scope` (who a report covers, the engine through it),
:mod:`.values` (status words, notes and changes for readers; values in their unit: ``kvalitet.formatting``), :mod:`.groups` (groups compared in the latest period),
:mod:`.series` (a series over time, the control chart), :mod:`.trends` (trend results) and :mod:`.method`
("Metode og data")."""

from __future__ import annotations

from .scope import (  # noqa: F401
    Scope, complete, compute, has_values, labels, latest_complete, latest_period, no_data, scope, table_has_rows,
    totals,
)
from .values import (  # noqa: F401
    STATUS_LEGEND, STATUS_SYMBOLS, alpha, change, clean_notes, conf_text, disclose_indicator, level_text,
    period_days, status_text,
)
from ..formatting import fmt_interval, fmt_target, fmt_value, value_unit  # noqa: F401
from .groups import _short, compare_groups, group_tests  # noqa: F401
from .series import category_table, control_chart, partial_note, series  # noqa: F401
from .trends import (  # noqa: F401
    METHOD_WORDS, PRIMARY_METHOD, RATIO_READING, _estimate, trend_sentence, trends,
)
from .method import as_of_lines, method_and_data  # noqa: F401
