"""The FOKUS report per forvaltning: the Borgerrådgiver's biennial evaluation of the forvaltning's effort for better
case handling (*evaluering*, in an evaluation year of the organisation file's FOKUS cycle) or the status to the
committee in the years between (*status*). The mode and periods come from :func:`kvalitet.fokus.fokus_plan`; each
section answers one of the 2015 recommendations with data (kvalitetsmål, ledelsesinformation, evaluering af
indsatsen, udvikling og effekt), then the findings register, the Borgerrådgiver's criticism and "Metode og data".

A section whose data are missing (no register, no initiatives, no targets, too few years) says so in one Danish
line instead of failing. The findings and criticism sections are in :mod:`.fokus_findings`."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from .. import catalogue, contract, disclosure, fokus, formatting
from ..errors import UserError
from ..indicators import data_as_of, lookups
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
    _cache: dict = field(default_factory=dict, compare=False, repr=False)

    @property
    def forvaltning(self) -> str | None:
        return self.scope.forvaltning

    @property
    def findings(self) -> pd.DataFrame:
        """The forvaltning's findings register up to the plan's end year (:func:`lookups.findings`)."""
        if "findings" not in self._cache:
            df = lookups.findings(self.rep.con, self.forvaltning, self.rep.as_of)
            self._cache["findings"] = df[df["year"] <= self.plan.end_year].reset_index(drop=True)
        return self._cache["findings"]

    @property
    def comparison(self) -> pd.DataFrame:
        """The FOKUS comparison (:func:`kvalitet.fokus.comparison`) of the key indicators and of every indicator
        the register's findings point to: one table, so "Udvikling og effekt" and "Anbefalinger og fund" show the
        same values, tests and verdicts (Benjamini–Hochberg across all of them)."""
        if "comparison" not in self._cache:
            linked = [i for ids in self.findings["indicators"] for i in ids]
            ids = list(fokus.KEY_INDICATORS) + sorted({i for i in linked if i not in fokus.KEY_INDICATORS
                                                        and fokus.values.supported(i)})
            self._cache["comparison"] = fokus.comparison(self.rep.con, self.rep.organisation, self.forvaltning,
                                                         self.plan, indicators=ids, as_of=self.rep.as_of)
        return self._cache["comparison"]


def latest_year(con, organisation, as_of=None) -> int:
    """The latest complete year, judged by the earliest as-of date of the tables a FOKUS report reads (the year a
    report without ``year`` covers)."""
    return int(data_as_of(con, TABLES, as_of, organisation).complete("year").label)


def report_year(rep: Report, year=None) -> int:
    """The year a FOKUS report covers: ``year`` when given (it must be over at the data's as-of date), else the
    latest complete year (:func:`latest_year`)."""
    latest = latest_year(rep.con, rep.organisation, rep.as_of)
    if year is None or (isinstance(year, str) and not year.strip()):
        return latest
    try:
        y = int(year)
    except (TypeError, ValueError):
        raise UserError(f"year: FOKUS-året skal være et årstal, ikke {year!r}") from None
    if y > latest:
        raise UserError(f"year: {y} er ikke slut på opgørelsesdatoen; seneste hele år er {latest}")
    return y


def check_definition(con, organisation, year=None, mode=None, as_of=None) -> None:
    """Check a report definition's ``year`` and ``mode`` before anything is rendered: the year must be over and
    the mode must be the year's under the organisation file's FOKUS cycle (a Danish UserError otherwise)."""
    latest = latest_year(con, organisation, as_of)
    y = latest if year is None else year
    if isinstance(y, int) and y > latest:
        raise UserError(f"year: {y} er ikke slut på opgørelsesdatoen; seneste hele år er {latest}")
    fokus.fokus_plan(y, organisation, mode)


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


# ------------------------------------------------------------------------------------------ Udvikling og effekt
def fmt_unit(unit: str, value, per_year: bool = False, low=None, high=None) -> str:
    """A value by its catalogue unit (shares as percentages, rates with one decimal, counts whole; a count per
    year with one decimal), with its interval when ``low`` and ``high`` are given."""
    def one(v):
        if v is None or pd.isna(v):
            return formatting.MISSING
        if unit == catalogue.UNIT_SHARE:
            return formatting.percent(v, 1)
        if unit == catalogue.UNIT_RATE or per_year:
            return formatting.number(v, 1)
        return formatting.count(v)

    text = one(value)
    if text == formatting.MISSING or low is None or high is None or pd.isna(low) or pd.isna(high):
        return text
    return f"{text} ({one(low)}–{one(high)})"


def estimate_text(measure: str, estimate, low, high) -> str:
    """The change as a reader sees it: a rate ratio ('0,82 (0,71–0,95)') or a difference in percentage points."""
    if pd.isna(estimate):
        return formatting.MISSING
    if measure == "forskel":
        pp = (lambda v: formatting.percent_points(v).replace(" procentpoint", ""))
        return f"{pp(estimate)} pct.-point ({pp(low)} til {pp(high)})"
    return f"{formatting.number(estimate, 2)} ({formatting.number(low, 2)}–{formatting.number(high, 2)})"


def verdict_text(verdict: str, judgement) -> str:
    return f"{verdict} ({judgement})" if isinstance(judgement, str) and judgement else verdict


def comparison_frame(cmp: pd.DataFrame, plan: fokus.FokusPlan, label_col: str = "Indikator",
                     labels=None, intervals: bool = True, column_totals: bool = False) -> disclosure.Disclosed:
    """The comparison rows (:func:`kvalitet.fokus.comparison`) as a disclosed table: for each period the count and
    the value with its interval, then the change, the q-value and the verdict. The counts (complaints, appeals,
    inquiries, …) are persons' cases: under 5 hidden, and every value, change and verdict that rests on them.
    ``column_totals``: the first row is the total of the others (complaints and their kinds), so a single hidden
    part of a column hides another."""
    p0, p1 = plan.comparison_label, plan.label
    a0, a1, v0, v1 = f"Antal {p0}", f"Antal {p1}", f"Værdi {p0}", f"Værdi {p1}"
    per_year = [bool(r.annualised) and r.kind == "count" for r in cmp.itertuples()]
    frame = pd.DataFrame({
        label_col: labels if labels is not None else cmp["name"].to_numpy(),
        a0: cmp["comparison_numerator"].to_numpy(), "_n0": cmp["comparison_denominator"].to_numpy(),
        v0: [fmt_unit(r.unit, r.comparison_value, py, *((r.comparison_ci_low, r.comparison_ci_high) if intervals
                                                          else ())) for r, py in zip(cmp.itertuples(), per_year)],
        a1: cmp["numerator"].to_numpy(), "_n1": cmp["denominator"].to_numpy(),
        v1: [fmt_unit(r.unit, r.value, py, *((r.ci_low, r.ci_high) if intervals else ()))
             for r, py in zip(cmp.itertuples(), per_year)],
        "Ændring (interval)": [estimate_text(m, e, lo, hi) for m, e, lo, hi in
                               zip(cmp["measure"], cmp["estimate"], cmp["estimate_ci_low"], cmp["estimate_ci_high"])],
        "q-værdi": [formatting.number(q, 3) if pd.notna(q) else formatting.MISSING for q in cmp["q_value"]],
        "Vurdering": [verdict_text(v, j) for v, j in zip(cmp["verdict"], cmp["judgement"])],
    })
    both = [a0, "_n0", a1, "_n1"]
    return disclosure.disclose(
        frame, counts=both, derived={v0: [a0, "_n0"], v1: [a1, "_n1"], "Ændring (interval)": both, "q-værdi": both,
                                     "Vurdering": both},
        denominators={"_n0": [a0], "_n1": [a1]}, row_totals=False, column_totals=column_totals)


def development(fr: FokusReport) -> pd.DataFrame:
    """'Udvikling og effekt': the key indicators (and the indicators the findings point to) current period against
    comparison period (counts beside their values, intervals, the change with its interval, q-values across the
    table, the verdict), then the trend over all years and the complaint rate's development in a chart."""
    rep, plan, sc = fr.rep, fr.plan, fr.scope
    cmp = fr.comparison
    cmp = cmp[cmp["value"].notna() | cmp["comparison_value"].notna()].reset_index(drop=True)
    if cmp.empty:
        rep.text(f"*Udvikling og effekt: ingen data for {sc.name} i {plan.comparison_label} eller {plan.label}.*")
        return cmp
    totals = cmp[cmp["subgroup"].isna()].reset_index(drop=True)
    d = comparison_frame(totals, plan)
    fdr = common.level_text(rep.organisation.thresholds.fdr)
    rep.table(d, f"Nøgletal {plan.label} mod {plan.comparison_label}, {sc.name}", note=(
        f"Værdi med {common.conf_text(rep)}-konfidensinterval; antal er tælleren (klager, ankesager, sager, "
        "henvendelser …) i hele perioden. Rater og antal sammenlignes med en eksakt test (ændringen er en "
        "rateratio), andele med en z-test (ændringen i procentpoint). q-værdien er p-værdien justeret for, at alle "
        f"rækker i tabellerne om udviklingen testes på én gang (Benjamini-Hochberg); en ændring kaldes sikker, når "
        f"q < {fdr}. " + ("Efter nøgletallene følger de indikatorer, registrets anbefalinger og fund henviser til. "
                          if (~totals["indicator"].isin(fokus.KEY_INDICATORS)).any() else "")
        + plan.annualised_text).strip())
    rep.text(_moved_sentence(totals, d, plan))
    notes = _row_notes(totals, d)
    kinds = cmp[cmp["indicator"] == "complaints_received"].reset_index(drop=True)
    if kinds["subgroup"].notna().any():
        labels = ["I alt" if not isinstance(k, str) else k for k in kinds["subgroup"]]
        dk = comparison_frame(kinds, plan, label_col="Klagetype", labels=labels, column_totals=True)
        rep.table(dk, f"Modtagne klager efter type (formalitet og realitet), {sc.name}", note=(
            "Formalitetsklager handler om sagsbehandlingen (frister, vejledning, optræden), realitetsklager om "
            "selve afgørelsen. Test som i nøgletallene." + (" " + plan.annualised_text if plan.annualised else "")))
        notes += _row_notes(kinds, dk, prefix="klager ")
    if notes:
        rep.text("Bemærk: " + "; ".join(dict.fromkeys(notes)) + ".")
    _trend(fr)
    common.series(rep, sc, "complaint_rate", "year", end=plan.end, show_table=False)
    return cmp


def _row_notes(cmp: pd.DataFrame, d: disclosure.Disclosed, prefix: str = "") -> list[str]:
    """The comparison's notes (years without data, a test's limits) for the rows whose verdict is shown, each
    named by its row."""
    out = []
    for i, n in enumerate(cmp["note"]):
        if isinstance(n, str) and n and not d.is_hidden(i, "Vurdering"):
            out.append(f"{prefix}{formatting.lower_first(d.values.iloc[i, 0])}: {n}")
    return out


def _moved_sentence(cmp: pd.DataFrame, d: disclosure.Disclosed, plan: fokus.FokusPlan) -> str:
    """Which key figures moved surely (better or worse) and which did not, from the disclosed verdicts."""
    better, worse, other = [], [], 0
    for i, r in enumerate(cmp.itertuples()):
        if d.is_hidden(i, "Vurdering") or r.verdict not in (fokus.ROSE, fokus.FELL):
            other += 1
            continue
        what = f"{formatting.lower_first(d.values.iloc[i, 0])} ({r.verdict})"
        (better if r.judgement == fokus.BETTER else worse).append(what)
    parts = []
    if better:
        parts.append("Sikre forbedringer: " + "; ".join(better) + ".")
    if worse:
        parts.append("Sikre forværringer: " + "; ".join(worse) + ".")
    if not better and not worse:
        parts.append(f"Ingen af nøgletallene har ændret sig sikkert fra {plan.comparison_label} til {plan.label}.")
    return " ".join(parts)


def _trend(fr: FokusReport) -> pd.DataFrame:
    """The yearly trend of each key indicator over all years up to the end of the current period."""
    rep, plan, sc = fr.rep, fr.plan, fr.scope
    tr = fokus.trend_table(rep.con, rep.organisation, fr.forvaltning, plan, as_of=rep.as_of)
    if tr.empty:
        rep.text(f"*Udviklingen over alle år: for få år med data for {sc.name}.*")
        return tr
    table = pd.DataFrame({
        "Indikator": tr["name"].to_numpy(),
        "År": [f"{a}–{b}" if isinstance(a, str) and isinstance(b, str) else formatting.MISSING
               for a, b in zip(tr["first_period"], tr["last_period"])],
        "Mål for ændringen": tr["method"].map(common.METHOD_WORDS).fillna(formatting.MISSING).to_numpy(),
        "Ændring pr. år": [common._estimate(m, e) for m, e in zip(tr["method"], tr["estimate"])],
        f"{common.conf_text(rep)}-konfidensinterval": [
            formatting.interval(a, b, decimals=2) for a, b in zip(tr["ci_low"], tr["ci_high"])],
        "q-værdi": [formatting.number(q, 3) if pd.notna(q) else formatting.MISSING for q in tr["q_value"]],
        "Tendens": tr["direction"].to_numpy(),
    })
    # trend estimates over many years are not person counts (as in the trend tables of the other reports)
    rep.table(disclosure.disclose(table), f"Udviklingen over alle år til og med {plan.end_year}, {sc.name}", note=(
        "Tendensen pr. år over alle år med data: " + common.RATIO_READING["poisson_glm"] + "; "
        + common.RATIO_READING["binomial_glm"] + ". q-værdien er justeret for, at serierne testes på én gang."))
    rep.text(common.trend_sentence(tr, sc, None, rep.organisation.thresholds.fdr))
    return tr


# ---------------------------------------------------------------------------------------------- Metode og data
#: the indicators whose definitions "Metode og data" lists
METHOD_INDICATORS = list(fokus.KEY_INDICATORS)


def method(fr: FokusReport) -> None:
    """'Metode og data' (:func:`kvalitet.sections.method.method_and_data`) with the FOKUS periods and how they are
    compared, and the tables without data for the forvaltning."""
    rep, plan, sc = fr.rep, fr.plan, fr.scope
    cycle = rep.organisation.fokus
    extra = [f"FOKUS-cyklus: første evaluering {cycle.first_evaluation_year}, derefter {_every(cycle.every)}. "
             f"{plan.year} er et {'evalueringsår' if plan.is_evaluation else 'statusår'}. " + plan.comparison_text,
             "Perioderne lægges sammen år for år: tællere og nævnere summeres, og værdien og dens interval beregnes "
             "af summerne (Wilson for andele, eksakt Poisson for rater og antal). Medianer kan ikke lægges sammen "
             "over år og sammenlignes ikke her."]
    missing = [contract.TABLES[t].danish for t in TABLES if not common.table_has_rows(rep, t, sc)]
    if missing:
        extra.append("Ingen data om: " + ", ".join(missing) + "; de afsnit siger det.")
    common.method_and_data(rep, METHOD_INDICATORS, TABLES, extra, period="year")
