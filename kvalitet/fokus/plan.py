"""The FOKUS mode of a year: *evaluering* or *status*, the period it covers and the period it is compared with.

The cycle comes from the organisation file (``fokus: {first_evaluation_year: 2015, every: 2}``, the default;
:class:`kvalitet.organisation.FokusCycle`). The year is the last year the data cover, not the year the report goes
to the committee: the Borgerrådgiver's report "for 2017" covered 2016–2017 and went to the committee in 2018.

* An evaluation year Y = first + k·every (k ≥ 0): the evaluated period is Y − every + 1 … Y, compared with the
  period of the same length before it (Y − 2·every + 1 … Y − every). Counts are not annualised: the periods are
  equally long.
* A status year S (any year after the first evaluation that is not an evaluation year): S alone against the last
  evaluated period (Y − every + 1 … Y, Y the last evaluation year before S), *per year*: a count over the evaluated
  period is divided by its number of years (``annualised``), and the text says so (:attr:`FokusPlan.annualised_text`).
* A year before the first evaluation year is a :class:`~kvalitet.errors.UserError` in Danish.

With the default cycle the evaluated periods end in the odd years: 2017 compares 2016–2017 with 2014–2015, and the
status 2018 compares 2018 with 2016–2017 per year.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from ..errors import UserError
from ..organisation import FokusCycle, Organisation

EVALUATION = "evaluering"
STATUS = "status"
MODES = (EVALUATION, STATUS)


def year_span_label(first: int, last: int) -> str:
    """``2016–2017`` (en dash), or ``2018`` for one year."""
    return str(first) if first == last else f"{first}–{last}"


@dataclass(frozen=True)
class FokusPlan:
    """What a FOKUS report for ``year`` covers (see the module docstring). All years inclusive."""

    year: int
    #: 'evaluering' or 'status'
    mode: str
    #: the evaluated period (evaluering) or the status year (status: start_year == end_year == year)
    start_year: int
    end_year: int
    #: the period compared with: the evaluated period before (evaluering) or the last evaluated period (status)
    comparison_start_year: int
    comparison_end_year: int
    #: the last evaluation year at or before ``year`` (``year`` itself in an evaluation year)
    evaluation_year: int
    #: the cycle's length in years
    every: int
    #: True when the two periods differ in length and counts are compared per year (a status year)
    annualised: bool

    @property
    def years(self) -> int:
        """Years in the current period."""
        return self.end_year - self.start_year + 1

    @property
    def comparison_years(self) -> int:
        return self.comparison_end_year - self.comparison_start_year + 1

    @property
    def label(self) -> str:
        """The current period in Danish: ``2016–2017`` or ``2018``."""
        return year_span_label(self.start_year, self.end_year)

    @property
    def comparison_label(self) -> str:
        return year_span_label(self.comparison_start_year, self.comparison_end_year)

    @property
    def start(self) -> date:
        return date(self.start_year, 1, 1)

    @property
    def end(self) -> date:
        return date(self.end_year, 12, 31)

    @property
    def comparison_start(self) -> date:
        return date(self.comparison_start_year, 1, 1)

    @property
    def comparison_end(self) -> date:
        return date(self.comparison_end_year, 12, 31)

    @property
    def is_evaluation(self) -> bool:
        return self.mode == EVALUATION

    @property
    def first_year(self) -> int:
        """The first year either period covers (the comparison period's)."""
        return self.comparison_start_year

    @property
    def title(self) -> str:
        """``FOKUS-evaluering 2016–2017`` or ``FOKUS-status 2018``."""
        return f"FOKUS-{self.mode} {self.label}"

    @property
    def comparison_text(self) -> str:
        """One Danish sentence saying what is compared with what (and, in a status year, that counts are per
        year)."""
        if self.is_evaluation:
            return (f"Evalueringen sammenligner perioden {self.label} med den foregående periode "
                    f"{self.comparison_label} (begge {self.years} år).")
        return f"Status for {self.label} sammenlignes med den senest evaluerede periode {self.comparison_label}. " + \
            self.annualised_text

    @property
    def annualised_text(self) -> str:
        """The Danish sentence on annualising ('' when counts are not annualised)."""
        if not self.annualised:
            return ""
        return (f"Antal (f.eks. modtagne klager) er opgjort pr. år: antallet i {self.comparison_label} er delt med "
                f"antallet af år med data i perioden (højst {self.comparison_years}), så det kan sammenlignes med ét år; "
                "rater og andele er uændrede.")


def _cycle(cycle) -> FokusCycle:
    if cycle is None:
        return FokusCycle()
    if isinstance(cycle, Organisation):
        return cycle.fokus
    if isinstance(cycle, FokusCycle):
        return cycle
    if isinstance(cycle, dict):
        return FokusCycle.model_validate(cycle)
    raise TypeError(f"cycle must be a FokusCycle, an Organisation, a dict or None, not {type(cycle).__name__}")


def fokus_plan(year: int, cycle: FokusCycle | Organisation | dict | None = None, mode: str | None = None
               ) -> FokusPlan:
    """The FOKUS mode and periods of ``year`` under ``cycle`` (the organisation file's ``fokus``; default every
    second year from 2015). ``mode``, when given ('evaluering' or 'status'), must be the year's mode: a report
    definition that asks for a status in an evaluation year gets a Danish UserError saying which years fit."""
    c = _cycle(cycle)
    try:
        y = int(year)
    except (TypeError, ValueError):
        raise UserError(f"FOKUS-året skal være et årstal, ikke {year!r}") from None
    cycle_text = f"første evaluering {c.first_evaluation_year}, derefter hvert {c.every}. år" if c.every > 1 else \
        f"første evaluering {c.first_evaluation_year}, derefter hvert år"
    if y < c.first_evaluation_year:
        raise UserError(f"FOKUS: {y} ligger før den første evaluering ({cycle_text}); vælg et år fra "
                        f"{c.first_evaluation_year} (organisationsfilens 'fokus')")
    k = (y - c.first_evaluation_year) // c.every
    last_eval = c.first_evaluation_year + k * c.every
    natural = EVALUATION if y == last_eval else STATUS
    if mode is not None:
        m = str(mode).strip().casefold()
        if m not in MODES:
            raise UserError(f"FOKUS: ukendt mode {mode!r}; vælg 'evaluering' eller 'status'")
        if m != natural:
            nxt = last_eval + c.every
            which = (f"evalueringsår er {last_eval} og {nxt}" if natural == STATUS
                     else f"statusår er årene mellem evalueringsårene {last_eval} og {nxt}")
            raise UserError(f"FOKUS: {y} er et {'statusår' if natural == STATUS else 'evalueringsår'}, ikke et "
                            f"{'statusår' if m == STATUS else 'evalueringsår'} ({cycle_text}; {which})")
    comp_end = last_eval
    comp_start = last_eval - c.every + 1
    if natural == EVALUATION:
        return FokusPlan(year=y, mode=EVALUATION, start_year=y - c.every + 1, end_year=y,
                         comparison_start_year=comp_start - c.every, comparison_end_year=comp_end - c.every,
                         evaluation_year=y, every=c.every, annualised=False)
    return FokusPlan(year=y, mode=STATUS, start_year=y, end_year=y, comparison_start_year=comp_start,
                     comparison_end_year=comp_end, evaluation_year=last_eval, every=c.every, annualised=c.every > 1)


def latest_complete_year(as_of: date) -> int:
    """The latest year wholly covered at ``as_of`` (the year itself on 31 December, else the year before)."""
    return as_of.year if (as_of.month, as_of.day) == (12, 31) else as_of.year - 1
