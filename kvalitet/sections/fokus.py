"""The FOKUS report per forvaltning: the Borgerrådgiver's biennial evaluation of the forvaltning's effort for better
case handling (*evaluering*, in an evaluation year of the organisation file's FOKUS cycle) or the status to the
committee in the years between (*status*). The mode and periods come from :func:`kvalitet.fokus.fokus_plan`; each
section answers one of the 2015 recommendations with data (kvalitetsmål, ledelsesinformation, evaluering af
indsatsen, udvikling og effekt), then the findings register, the Borgerrådgiver's criticism and "Metode og data".

A section whose data are missing (no register, no initiatives, no targets, too few years) says so in one Danish
line instead of failing. The findings and criticism sections are in :mod:`.fokus_findings`."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from .. import fokus, formatting
from ..errors import UserError
from ..indicators import data_as_of
from ..present import Report
from . import common

#: the tables a FOKUS report reads (for the as-of date and "Metode og data")
TABLES = ["complaints", "decisions", "appeals", "cases", "audits", "inquiries", "satisfaction", "recommendations"]
#: what each recommendation of the 2015 evaluation asked for, by section (the intro lists them)
SECTIONS = [
    ("Kvalitetsmål", "hvilke mål ud over tilfredshed og frister forvaltningen har sat, og hvordan de står"),
    ("Ledelsesinformation", "hvilke indikatorer der er data for, pr. område og år, og hvad der mangler"),
    ("Evaluering af indsatsen", "hver indsats med dens målte effekt"),
    ("Udvikling og effekt", "nøgletallene periode mod periode med usikkerhed og test, og udviklingen over alle år"),
    ("Anbefalinger og fund", "anbefalinger og fund fra Borgerrådgiveren og andre kilder, med status, frist og "
                             "udviklingen i de indikatorer, der viser, om de har virket"),
    ("Borgerrådgiverens kritik", "henvendelser med kritik pr. kategori i de to perioder"),
]


@dataclass(frozen=True)
class FokusReport:
    """What the sections of one FOKUS report share: the report, its scope and the plan (mode and periods)."""

    rep: Report
    scope: common.Scope
    plan: fokus.FokusPlan

    @property
    def forvaltning(self) -> str | None:
        return self.scope.forvaltning


def report_year(rep: Report, year=None) -> int:
    """The year a FOKUS report covers: ``year`` when given (it must be over at the data's as-of date), else the
    latest complete year, judged by the earliest as-of date of the tables the report reads."""
    asof = data_as_of(rep.con, TABLES, rep.as_of, rep.organisation)
    latest = int(asof.complete("year").label)
    if year is None or (isinstance(year, str) and not year.strip()):
        return latest
    try:
        y = int(year)
    except (TypeError, ValueError):
        raise UserError(f"year: FOKUS-året skal være et årstal, ikke {year!r}") from None
    if y > latest:
        raise UserError(f"year: {y} er ikke slut på opgørelsesdatoen ({formatting.long_date(asof.earliest)}); "
                        f"seneste hele år er {latest}")
    return y


def title_of(plan: fokus.FokusPlan) -> str:
    """'Evaluering af indsatsen for bedre sagsbehandling 2016–2017' or 'Status til udvalget 2018'."""
    if plan.is_evaluation:
        return f"Evaluering af indsatsen for bedre sagsbehandling {plan.label}"
    return f"Status til udvalget {plan.label}"


def open_report(rep: Report, forvaltning: str, year=None, mode=None) -> FokusReport:
    """Choose the year and mode (a mode that contradicts the cycle is a Danish UserError), show the front page and
    the introduction saying which mode and periods the report has, and return what the sections share."""
    sc = common.scope(rep, forvaltning)
    plan = fokus.fokus_plan(report_year(rep, year), rep.organisation, mode)
    period_text = (f"{plan.label} mod {plan.comparison_label}" if plan.is_evaluation
                   else f"{plan.label} mod den senest evaluerede periode {plan.comparison_label}")
    rep.front_page(title_of(plan), sc.name, period_text)
    cycle = rep.organisation.fokus
    if plan.is_evaluation:
        what = (f"Borgerrådgiveren evaluerer {_every(cycle.every)} hver forvaltnings indsats for bedre "
                f"sagsbehandling (FOKUS). Dette er evalueringen for {plan.label}.")
    else:
        what = (f"Borgerrådgiveren evaluerer {_every(cycle.every)} hver forvaltnings indsats for bedre "
                f"sagsbehandling (FOKUS); i årene imellem giver forvaltningen sit udvalg en status. Dette er "
                f"status for {plan.label}, {_years_after(plan)} efter evalueringen af {plan.comparison_label}.")
    lines = [what, "", plan.comparison_text, "", "Afsnittene besvarer hver sin del af evalueringens anbefalinger "
             "med tal:", ""]
    lines += [f"- **{name}**: {text}." for name, text in SECTIONS]
    rep.text("\n".join(lines))
    return FokusReport(rep, sc, plan)


def _every(every: int) -> str:
    """'hvert år', 'hvert andet år', 'hvert tredje år', …"""
    nth = {1: "", 2: "andet ", 3: "tredje ", 4: "fjerde ", 5: "femte "}.get(every, f"{every}. ")
    return f"hvert {nth}år"


def _years_after(plan: fokus.FokusPlan) -> str:
    n = plan.year - plan.evaluation_year
    return "året" if n == 1 else f"{n} år"
