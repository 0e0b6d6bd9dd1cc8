"""Halvårlig ledelsesinformation: the committee's half-yearly report on complaints and appeals for one forvaltning.

The latest complete half-year (judged by the earliest as-of date of the tables it reads) is compared with the same
half-year the year before: complaints received, in total and by kind (formalitet, realitet, formalitet og realitet),
as counts and per 1.000 decisions; the share of complaints upheld; the appeals decided on their merits
(realitetsbehandlede) and the omgørelsesprocent. Each comparison is tested as the key figures of the evaluation
report are (:func:`kvalitet.sections.values.change`: the exact conditional test for rates and for counts per day,
the z-test for shares). The trend over the half-years reuses :func:`kvalitet.sections.series.series`.

Every table is published through :mod:`kvalitet.disclosure`: the rows that add up to a total (the kinds of
complaint, the areas of the forvaltning) are disclosed together in each half-year, so that a hidden count cannot be
found by subtraction from the total.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pandas as pd

from .. import catalogue, disclosure, formatting, indicators, periods
from ..contract import COMPLAINT_KINDS
from ..present import Report
from ..stats import poisson_ci
from . import common, klager
from .forvaltningsrapport import _figure_row, _sure_changes

INDICATORS = ["complaints_received", "complaint_rate", "complaint_upheld_share", "appeal_reversal_share"]
TABLES = ["complaints", "decisions", "appeals"]
CURRENT, BEFORE = "current", "before"
#: the key of the scope's total among the groups
TOTAL = "__total__"
KIND_NAMES = {"formalitet": "Formalitetsklager", "realitet": "Realitetsklager",
              "formalitet og realitet": "Klager over formalitet og realitet"}


@dataclass(frozen=True)
class Measure:
    """A number of the report: ``like`` is the catalogue indicator whose unit, formatting and test it shares."""

    key: str
    like: str
    name: str


MEASURES = {m.key: m for m in (
    Measure("complaints", "complaints_received", "Modtagne klager"),
    *(Measure(f"count:{k}", "complaints_received", KIND_NAMES[k]) for k in COMPLAINT_KINDS),
    Measure("rate", "complaint_rate", "Klager pr. 1.000 afgørelser"),
    *(Measure(f"rate:{k}", "complaint_rate", f"{KIND_NAMES[k]} pr. 1.000 afgørelser") for k in COMPLAINT_KINDS),
    Measure("upheld", "complaint_upheld_share", "Andel klager med medhold"),
    Measure("appeals", "complaints_received", "Realitetsbehandlede ankesager"),
    Measure("reversal", "appeal_reversal_share", "Omgørelsesprocent"),
)}
KEY_MEASURES = ["complaints", "rate", *(f"rate:{k}" for k in COMPLAINT_KINDS), "upheld", "appeals", "reversal"]
COLUMNS = ["measure", "group", "role", "period", "numerator", "denominator", "value", "ci_low", "ci_high"]


# ---------------------------------------------------------------------------------------------- the numbers
def half_years(con, as_of=None, organisation=None) -> tuple[str, str]:
    """(the latest complete half-year, the same half-year the year before) as labels such as ``2024H2``: complete
    at the earliest as-of date of the complaints, decisions and appeals."""
    cur = indicators.data_as_of(con, TABLES, as_of, organisation).complete("half")
    return cur.label, periods.label_of(date(cur.start.year - 1, cur.start.month, 1), "half")


def half_year_values(con, organisation, forvaltning: str | None, as_of=None, level: str = "area") -> pd.DataFrame:
    """Every measure of the report for the scope's total (group :data:`TOTAL`) and each of its groups (``level``:
    area or unit) in the two half-years (role ``current`` and ``before``): counts, the value and its interval (rates
    per 1.000 decisions with the exact Poisson interval, shares with Wilson's). A kind's rate is the complaints of
    that kind per 1.000 of all decisions (decisions are not split by kind). For the whole municipality
    (``forvaltning`` None) the groups are the forvaltninger."""
    level = level if forvaltning else "forvaltning"
    cur, before = half_years(con, as_of, organisation)
    roles = {cur: CURRENT, before: BEFORE}
    start, end = periods.bounds(before)[0], periods.bounds(cur)[1]
    where = {"forvaltning": forvaltning} if forvaltning else None
    total_by = ("forvaltning",) if forvaltning else ()
    conf = organisation.thresholds.conf
    parts = []
    for by in (total_by, total_by + (level,)):
        df = indicators.compute(con, INDICATORS, period="half", by=by, start=start, end=end, as_of=as_of,
                                organisation=organisation, where=where)
        df = df[df["period"].isin(roles)].copy()
        df["group"] = df[level].fillna("(uden " + ("område" if level == "area" else "enhed") + ")") \
            if level in by else TOTAL
        df["role"] = df["period"].map(roles)
        parts.append(_measures(df, conf))
    out = pd.concat(parts, ignore_index=True)
    return out[COLUMNS]


def _measures(df: pd.DataFrame, conf: float) -> pd.DataFrame:
    """The report's measures from compute()'s rows (one group level, the two half-years)."""
    keys = ["group", "role", "period"]
    frames = []

    def take(ind, measure, sub=None):
        rows = df[(df["indicator"] == ind) & (df["subgroup"].isna() if sub is None else df["subgroup"] == sub)]
        frames.append(rows.assign(measure=measure))

    take("complaints_received", "complaints")
    take("complaint_rate", "rate")
    take("complaint_upheld_share", "upheld")
    take("appeal_reversal_share", "reversal")
    appeals = df[df["indicator"] == "appeal_reversal_share"].copy()
    appeals["numerator"] = appeals["denominator"]
    appeals["value"] = appeals["numerator"]
    appeals["denominator"] = appeals["ci_low"] = appeals["ci_high"] = np.nan
    frames.append(appeals.assign(measure="appeals"))
    rate = df[df["indicator"] == "complaint_rate"][keys + ["denominator"]]
    counts = df[(df["indicator"] == "complaints_received") & df["subgroup"].notna()]
    for kind in COMPLAINT_KINDS:
        n = rate[keys].merge(counts[counts["subgroup"] == kind][keys + ["numerator"]], on=keys, how="left")
        n["numerator"] = pd.to_numeric(n["numerator"]).fillna(0).astype(float)
        frames.append(n.assign(measure=f"count:{kind}", value=n["numerator"], denominator=np.nan, ci_low=np.nan,
                               ci_high=np.nan))
        r = n.merge(rate, on=keys, how="left")
        den = pd.to_numeric(r["denominator"]).to_numpy(dtype=float)
        safe = np.where(den > 0, den, np.nan)
        low, high = poisson_ci(r["numerator"].to_numpy(dtype=float), conf=conf, method="exact")
        frames.append(r.assign(measure=f"rate:{kind}", value=r["numerator"] / safe * 1000.0,
                               ci_low=np.asarray(low, dtype=float) / safe * 1000.0,
                               ci_high=np.asarray(high, dtype=float) / safe * 1000.0))
    out = pd.concat([f.reindex(columns=COLUMNS) for f in frames], ignore_index=True)
    for c in ("numerator", "denominator", "value", "ci_low", "ci_high"):
        out[c] = pd.to_numeric(out[c], errors="coerce").astype(float)
    return out


def pairs(data: pd.DataFrame, lines: list[tuple[str, str]]) -> list[disclosure.Disclosed]:
    """For each (measure, group) of ``lines``, its two half-years as a disclosed two-row table (the year before,
    then the current half-year) in the shape of an indicator table (period, numerator, denominator, value,
    interval). The lines of one call add up (the first is the total of the others: kinds under all complaints,
    groups under the forvaltning): in each half-year they are disclosed together, so a hidden count is not
    revealed by subtraction."""
    by_role = {}
    period_of = dict(zip(data["role"], data["period"]))
    for role in (BEFORE, CURRENT):
        rows = []
        for measure, group in lines:
            r = data[(data["measure"] == measure) & (data["group"] == group) & (data["role"] == role)]
            rows.append(r.iloc[0] if len(r) else pd.Series({"measure": measure, "group": group, "role": role,
                                                            "period": period_of.get(role)}))
        frame = pd.DataFrame(rows).reindex(columns=COLUMNS).reset_index(drop=True)
        share = catalogue.get(MEASURES[lines[0][0]].like).kind == "share"
        by_role[role] = disclosure.disclose(
            frame, counts=["numerator", "denominator"], derived=["value", "ci_low", "ci_high"],
            denominators={"denominator": ["numerator"]} if share else None, row_totals=False,
            column_totals=len(lines) > 1)
    return [disclosure.stack([by_role[BEFORE].subset([i]), by_role[CURRENT].subset([i])])
            for i in range(len(lines))]


# ---------------------------------------------------------------------------------------------- the report
@dataclass(frozen=True)
class Context:
    rep: Report
    sc: common.Scope
    data: pd.DataFrame
    current: str
    before: str
    level: str

    @property
    def cur_text(self) -> str:
        return formatting.period_label(self.current)

    @property
    def before_text(self) -> str:
        return formatting.period_label(self.before)

    @property
    def ci_head(self) -> str:
        return f"{self.cur_text.capitalize()} ({common.conf_text(self.rep)}-konfidensinterval)"

    def groups(self, measure: str) -> list[str]:
        g = self.data.loc[(self.data["measure"] == measure) & (self.data["group"] != TOTAL), "group"]
        return sorted(g.unique(), key=str)


def context(rep: Report, forvaltning: str | None, level: str = "area") -> Context:
    """The report's numbers for ``forvaltning`` (None: the whole municipality, by forvaltning) by ``level``."""
    sc = common.scope(rep, forvaltning)
    level = level if forvaltning else "forvaltning"
    data = half_year_values(rep.con, rep.organisation, forvaltning, rep.as_of, level)
    cur, before = half_years(rep.con, rep.as_of, rep.organisation)
    return Context(rep, sc, data, cur, before, level)


def _rows(ctx: Context, lines: list[tuple[str, str]], labels: list[str]) -> pd.DataFrame:
    """The cells of a comparison table for ``lines`` (see :func:`pairs`), one row per line with its label."""
    out = []
    for (measure, _), label, d in zip(lines, labels, pairs(ctx.data, lines)):
        row = _figure_row(ctx.rep, MEASURES[measure].like, d, 0, 1, ctx.ci_head)
        row["Indikator"] = label
        row["_before_count"] = d.text(0, "numerator")
        row["_count"] = d.text(1, "numerator")
        row["_den"] = d.text(1, "denominator")
        out.append(row)
    return pd.DataFrame(out).rename(columns={"Forrige periode": ctx.before_text.capitalize()})


def _publish(ctx: Context, full: pd.DataFrame, first: str, extra: dict[str, str], title: str, note: str) -> None:
    """Show the comparison table (``extra``: columns of ``full`` to show before the value, with their headings)."""
    cols = ["Indikator", *extra, ctx.ci_head, ctx.before_text.capitalize(), "Ændring", "Statistisk sikker?"]
    table = full[cols].rename(columns={"Indikator": first, **extra})
    # every number in the cells came through pairs() (Disclosed.text): the table itself holds no counts
    ctx.rep.table(disclosure.disclose(table), title, note=note)


TEST_NOTE = ("Ændringen er testet med en eksakt betinget test for rater og for antal (pr. dag) og en z-test for "
             "andele; «statistisk sikker» betyder p < {alpha}.")


def _test_note(ctx: Context) -> str:
    return TEST_NOTE.format(alpha=common.level_text(common.alpha(ctx.rep)))


def key_figures(ctx: Context) -> pd.DataFrame:
    """The numbers a committee asks for first: each key measure for the whole forvaltning in the half-year, the
    same half-year the year before, the change and whether it is statistically sure. A theme without data in
    either half-year is left out, with a sentence saying so."""
    kinds = [("rate", TOTAL), *((f"rate:{k}", TOTAL) for k in COMPLAINT_KINDS)]
    parts = [_rows(ctx, [("complaints", TOTAL)], [MEASURES["complaints"].name]),
             _rows(ctx, kinds, [MEASURES[m].name for m, _ in kinds])]
    missing = []
    if _has(ctx, "upheld"):
        parts.append(_rows(ctx, [("upheld", TOTAL)], [MEASURES["upheld"].name]))
    else:
        missing.append("ingen klager afsluttet med eller uden medhold")
    if _has(ctx, "appeals", "numerator"):
        parts += [_rows(ctx, [("appeals", TOTAL)], [MEASURES["appeals"].name]),
                  _rows(ctx, [("reversal", TOTAL)], [MEASURES["reversal"].name])]
    else:
        missing.append("ingen realitetsbehandlede ankesager")
    full = pd.concat(parts, ignore_index=True)
    _publish(ctx, full, "Nøgletal", {}, f"Nøgletal for {ctx.sc.name}: {ctx.cur_text} mod {ctx.before_text}", (
        f"{ctx.cur_text.capitalize()} er det seneste hele halvår; det sammenlignes med samme halvår året før. "
        "Rater er pr. 1.000 afgørelser i halvåret; andele i procent; pct.-point er procentpoint. "
        + _test_note(ctx)))
    lines = [_sure_changes(full, ctx.before_text.capitalize(), f"fra {ctx.before_text} til {ctx.cur_text}")]
    if missing:
        lines.append(f"{ctx.sc.name} har {' og '.join(missing)} i {ctx.cur_text} eller {ctx.before_text}.")
    ctx.rep.text(" ".join(lines))
    return full


def _has(ctx: Context, measure: str, col: str = "denominator") -> bool:
    """Whether the forvaltning has any data for ``measure`` in the two half-years (``col``: the count that says so)."""
    d = ctx.data
    return bool(d.loc[(d["measure"] == measure) & (d["group"] == TOTAL), col].fillna(0).sum() > 0)


def _groups_table(ctx: Context, measure: str, extra: dict[str, str], title: str, what: str,
                  note: str) -> pd.DataFrame:
    """The measure for the forvaltning in total and for each of its groups, and the sentence naming the groups
    whose change is statistically sure (``what``: the measure in the definite form)."""
    groups = ctx.groups(measure)
    lines = [(measure, TOTAL)] + [(measure, g) for g in groups]
    codes = ctx.rep.organisation.codes
    names = [ctx.rep.organisation.name_of(g) if ctx.level == "forvaltning" and g in codes else g for g in groups]
    full = _rows(ctx, lines, [f"{ctx.sc.name} i alt", *names])
    _publish(ctx, full, ctx.sc.group_title(ctx.level), extra, title, note)
    sure = full[full["_sure"].astype(bool)]
    before = ctx.before_text.capitalize()
    if not len(sure):
        ctx.rep.text(f"Ingen af ændringerne i {what} fra {ctx.before_text} til {ctx.cur_text} er statistisk sikre.")
    else:
        ctx.rep.text(f"Statistisk sikre ændringer i {what} fra {ctx.before_text} til {ctx.cur_text}: " + "; ".join(
            f"{r['Indikator']} ({r[before]} → {r['_value']})" for _, r in sure.iterrows()) + ".")
    return full


def complaints_section(ctx: Context) -> pd.DataFrame:
    """Complaints by kind (counts and per 1.000 decisions) and by group, then the trend over half-years."""
    if not _has(ctx, "complaints", "numerator"):
        ctx.rep.text(f"{ctx.sc.name} har ingen klager registreret i {ctx.cur_text} eller {ctx.before_text}.")
        return pd.DataFrame()
    kinds = [("rate", TOTAL), *((f"rate:{k}", TOTAL) for k in COMPLAINT_KINDS)]
    full = _rows(ctx, kinds, ["Alle klager", *(klager.KIND_LABELS[k] for k in COMPLAINT_KINDS)])
    full[f"Klager {ctx.before_text}"] = full["_before_count"]
    full[f"Klager {ctx.cur_text}"] = full["_count"]
    _publish(ctx, full, "Klagetype", {f"Klager {ctx.before_text}": f"Klager {ctx.before_text}",
                                      f"Klager {ctx.cur_text}": f"Klager {ctx.cur_text}"},
             f"Klager pr. klagetype og pr. 1.000 afgørelser, {ctx.sc.name}", (
                 "Formalitet: klager over sagsbehandlingen; realitet: klager over afgørelsens indhold. Raten er "
                 "klager af typen pr. 1.000 af alle afgørelser i halvåret. " + _test_note(ctx)))
    ctx.rep.text(_sure_changes(full, ctx.before_text.capitalize(), "i klageraterne pr. klagetype"))
    by_group = _groups_table(ctx, "rate", {"_count": f"Klager {ctx.cur_text}",
                                           "_den": f"Afgørelser {ctx.cur_text}"},
                             f"Klager pr. 1.000 afgørelser pr. {ctx.sc.group_title(ctx.level).lower()}, "
                             f"{ctx.cur_text} mod {ctx.before_text}",
                             "klageraten", f"{ctx.sc.name} i alt står øverst. " + _test_note(ctx))
    return pd.concat([full, by_group], ignore_index=True)


def upheld_section(ctx: Context) -> pd.DataFrame:
    """The share of complaints upheld (medhold or delvis medhold), in total and by group."""
    if not _has(ctx, "upheld"):
        ctx.rep.text(f"{ctx.sc.name} har ingen klager afsluttet med eller uden medhold i {ctx.cur_text} eller "
                     f"{ctx.before_text}.")
        return pd.DataFrame()
    full = _groups_table(ctx, "upheld", {"_den": f"Afsluttede klager {ctx.cur_text}"},
                         f"Andel klager med medhold pr. {ctx.sc.group_title(ctx.level).lower()}, "
                         f"{ctx.cur_text} mod {ctx.before_text}",
                         "andelen med medhold",
                         catalogue.get("complaint_upheld_share").definition + " " + _test_note(ctx))
    return full


def appeals_section(ctx: Context) -> pd.DataFrame:
    """The appeals decided on their merits and the omgørelsesprocent, in total and by group."""
    if not _has(ctx, "appeals", "numerator"):
        ctx.rep.text(f"{ctx.sc.name} har ingen realitetsbehandlede ankesager i {ctx.cur_text} eller "
                     f"{ctx.before_text}.")
        return pd.DataFrame()
    full = _groups_table(ctx, "reversal", {"_den": f"Realitetsbehandlede {ctx.cur_text}"},
                         f"Omgørelsesprocent pr. {ctx.sc.group_title(ctx.level).lower()}, "
                         f"{ctx.cur_text} mod {ctx.before_text}",
                         "omgørelsesprocenten",
                         catalogue.get("appeal_reversal_share").definition + " " + _test_note(ctx))
    return full


def trend_start(ctx: Context, years: int = 5) -> date:
    """The first day of the trend: the ``years`` × 2 half-years that end with the current one."""
    first = periods.bounds(ctx.current)[0]
    return periods.bounds(periods.label_of(date(first.year - years, first.month, 1), "half"))[1] + timedelta(days=1)


def trend(ctx: Context, indicator_id: str, start: date) -> pd.DataFrame:
    """An indicator over the half-years from ``start``: the chart with its interval and the sentence on the last
    two half-years (the shared series helper)."""
    return common.series(ctx.rep, ctx.sc, indicator_id, "half", start, None, show_table=False)


#: the indicators whose trend over the half-years is tested
TREND_INDICATORS = ["complaint_rate", "complaint_upheld_share", "appeal_reversal_share"]


def trend_tests(ctx: Context, start: date) -> pd.DataFrame:
    """The trend test of each indicator over the whole half-years from ``start`` to the current one, for the
    forvaltning in total (the screening's primary method, q-values across the series tested)."""
    return common.trends(ctx.rep, ctx.sc, TREND_INDICATORS, "half", start, periods.bounds(ctx.current)[1],
                         by_group=False)


def kinds_trend(ctx: Context, start: date) -> pd.DataFrame:
    """Complaints received by kind per half-year from ``start`` (table and stacked chart: the complaints report's
    section)."""
    return klager.complaints_by_kind(ctx.rep, ctx.sc.forvaltning, "half", start, None)


def method_section(ctx: Context) -> None:
    extra = [
        f"Halvåret er det seneste hele halvår ({ctx.cur_text}); det sammenlignes med samme halvår året før "
        f"({ctx.before_text}), så årstidsvariation ikke forveksles med en ændring.",
        "Klager pr. klagetype pr. 1.000 afgørelser: klager af typen modtaget i halvåret pr. 1.000 afgørelser "
        "truffet i halvåret (afgørelserne er ikke opdelt på klagetype). Realitetsbehandlede ankesager: ankesager "
        "afgjort i halvåret med udfaldet stadfæstet, ændret, ophævet eller hjemvist (nævneren i "
        "omgørelsesprocenten); ændringen i antallet er testet pr. dag.",
    ]
    common.method_and_data(ctx.rep, INDICATORS, TABLES, extra, period="half")


TITLE = "Halvårlig ledelsesinformation"


def front_page(ctx: Context, start: date) -> None:
    """The title, the forvaltning and the half-years the report covers."""
    first = formatting.period_label(periods.label_of(start, "half"))
    ctx.rep.front_page(TITLE, ctx.sc.name, f"{ctx.cur_text} sammenlignet med {ctx.before_text}; udviklingen pr. "
                                          f"halvår fra {first}")
