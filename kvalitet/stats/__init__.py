"""Statistics for kvalitet: small, pure, vectorised functions validated against published reference values.

Every public function is documented with its formula and source; see docs/statistik.md. Every function checks its
input first with the validators in :mod:`kvalitet.stats.checks` (one message style: ``"<argument>: <requirement>;
got <given>"``). ``control_limits`` returns a :class:`ControlChart`: the points and the Anhøj result as fields.
"""
# intervals and comparisons
from .intervals import poisson_ci, wilson_ci  # noqa: F401
from .compare import compare_proportions, compare_rates  # noqa: F401
# trends
from .kendall import mann_kendall, seasonal_mann_kendall, sen_slope  # noqa: F401
from .trend import bh_qvalues, binomial_trend, interrupted_time_series, poisson_trend  # noqa: F401
# statistical process control and funnel plots
from .spc import AnhoejResult, ControlChart, anhoej_rules, control_limits  # noqa: F401
from .funnel import funnel_limits, funnel_outliers  # noqa: F401
# processing time and audits
from .survival import km_median, share_within  # noqa: F401
from .audit import audit_sample_size, threshold_status  # noqa: F401
