"""The per-forvaltning evaluation report: the summary of key figures (latest value with CI, previous period, change
and whether it is statistically sure, target and status), then one short section per area, then "Metode og data".
The area sections reuse the analysis notebooks' sections; a section without data says so in one line."""

from __future__ import annotations

import pandas as pd

from .. import catalogue, contract, disclosure, formatting, indicators, periods
from ..present import Report
from . import (
    ankesager,
    borgerraadgiver,
    common,
    klager,
    kvalitetsopfoelgning,
    risikobillede,
    sagsbehandlingstid,
)

#: the key figures, in the order of the summary
KEY_FIGURES = [
    "complaints_received", "complaint_rate", "complaint_upheld_share", "complaint_response_days_median",
    "appeal_reversal_share", "appeal_upheld_share", "service_target_share", "processing_days_median",
    "processing_days_km_median", "open_cases_over_target", "audit_error_share", "inquiries_received",
    "inquiry_criticism_share", "satisfaction_share",
]
#: the status symbols of a target that is not met (over or under it, surely or not)
MISSED_SYMBOLS = ("✖", "▲", "▼")
ALL_TABLES = ["complaints", "decisions", "appeals", "cases", "audits", "inquiries", "satisfaction",
              "recommendations", "risk_assessments"]


def key_figures(rep: Report, forvaltning: str | None, period: str = "year", start=None, end=None) -> pd.DataFrame:
    """One row per key figure: the latest complete period's value with its CI, the previous period, the change and
    whether it is statistically sure, the target and the status with a symbol. A period that is not over (or that
    ``start``/``end`` cut) is never compared with a whole one: it follows in a table of its own, against the same
    part of the year before (:func:`year_to_date`)."""
    sc = common.scope(rep, forvaltning)
    df = common.totals(common.complete(common.compute(rep, KEY_FIGURES, period, start, end, by=sc.total_by,
                                                      where=sc.where)))
    rows = []
    ci_head = f"Værdi ({common.conf_text(rep)}-konfidensinterval)"
    for ind_id in KEY_FIGURES:
        g = df[df["indicator"] == ind_id]
        g = g[g["value"].notna()].sort_values("period", key=lambda s: s.map(periods.sort_key))
        if g.empty:
            continue
        d = common.disclose_indicator(g, ind_id)
        last = len(d) - 1
        prev = last - 1 if last >= 1 else None
        r = d.values.iloc[last]
        missed = not d.is_hidden(last, "status") and common.STATUS_SYMBOLS.get(r["status"]) in MISSED_SYMBOLS
        rows.append(_figure_row(rep, ind_id, d, prev, last, ci_head) | {
            "Periode": formatting.period_label(r["period"]),
            "Mål": common.fmt_target(ind_id, r["target_low"], r["target_high"]),
            "Status": d.text(last, "status", lambda v: common.status_text(v)),
            "_missed": r["status"] if missed else None,
        })
    if not rows:
        common.no_data(rep, "Nøgletal")
        return pd.DataFrame()
    full = pd.DataFrame(rows)
    table = full[["Indikator", "Periode", ci_head, "Forrige periode", "Ændring", "Statistisk sikker?", "Mål",
                  "Status"]]
    if table["Mål"].eq(formatting.MISSING).all():
        table = table.drop(columns=["Mål"])
    # every number in the rows above came through disclose_indicator (d.text): the table itself holds no counts
    rep.table(disclosure.disclose(table), f"Nøgletal for {sc.name}", note=(
        "Klageraten er pr. 1.000 afgørelser; tider er i dage; pct.-point er procentpoint. Ændringen er testet med en eksakt test for rater og "
        "antal og en z-test for andele; medianer testes ikke her. " + common.STATUS_LEGEND))
    bad = full[full["_missed"].notna()]
    lines = []
    if len(bad):
        lines.append("Mål, der ikke er nået: " + "; ".join(
            f"{r['Indikator'].lower()} ({r['_value']}, {r['_missed']})" for _, r in bad.iterrows()) + ".")
    else:
        lines.append("Alle nøgletal med et mål ligger inden for målet.")
    lines.append(_sure_changes(full, "Forrige periode", "fra forrige periode"))
    rep.text(" ".join(lines))
    year_to_date(rep, forvaltning, period, start, end)
    return table


def _figure_row(rep: Report, ind_id: str, d: disclosure.Disclosed, prev: int | None, last: int, ci_head: str,
                days: tuple[int, int] | None = None) -> dict:
    """The cells of one key figure that compare row ``last`` of a disclosed indicator table with row ``prev``: the
    value with its CI, the value before, the change and whether it is statistically sure (``days``: the days the
    two rows cover, for counts, when not their whole periods). Two cells for the sentences: ``_value``, the value
    as shown (without its interval), and ``_sure``, whether the change is statistically sure."""
    ind = catalogue.get(ind_id)
    ch = common.change(ind_id, d, prev, last, rep.as_of, common.alpha(rep), days=days) if prev is not None else None
    hidden_last = d.is_hidden(last, "value")
    hidden_prev = prev is not None and d.is_hidden(prev, "value")
    sure = False
    if prev is None:
        change_text, sure_text = formatting.MISSING, formatting.MISSING
    elif hidden_last or hidden_prev:
        change_text, sure_text = disclosure.COMPLEMENT, "skjult (under 5)"
    elif pd.isna(d.values["value"].iloc[prev]):
        change_text, sure_text = formatting.MISSING, formatting.MISSING
    else:
        diff = d.values["value"].iloc[last] - d.values["value"].iloc[prev]
        if ind.unit == catalogue.UNIT_SHARE:
            change_text = formatting.percent_points(diff)
        else:
            change_text = ("+" if diff > 0 else "") + common.fmt_value(ind_id, diff)
        if ch is None:
            sure_text = "ikke testet"
        elif ch.direction == "uændret":
            sure_text = "uændret"
        else:
            sure = bool(ch.sure)
            sure_text = (f"ja ({narrative_p(ch.p)})" if sure else f"nej ({narrative_p(ch.p)})")
    fmt = (lambda v, i=ind_id: common.fmt_value(i, v))
    unit = common.value_unit(ind_id).replace(" pr. 1.000 afgørelser", "")
    # a count indicator's value is the count itself: shown as '<5' like the count
    value = (d.text(last, "numerator", fmt) if ind.kind == "count" and hidden_last
             else d.text(last, "value", fmt)) + ("" if hidden_last else unit)
    ci = common.fmt_interval(ind_id, d.values["ci_low"].iloc[last], d.values["ci_high"].iloc[last])
    return {
        "Indikator": ind.name,
        ci_head: value + (f" ({ci})" if ci != formatting.MISSING and not hidden_last else ""),
        "Forrige periode": d.text(prev, "value", fmt) if prev is not None else formatting.MISSING,
        "Ændring": change_text.replace(" procentpoint", " pct.-point"),
        "Statistisk sikker?": sure_text,
        "_value": value,
        "_sure": sure,
    }


def _sure_changes(rows: pd.DataFrame, before: str, what: str) -> str:
    """The sentence naming the statistically sure changes of the key-figure ``rows`` (from :func:`_figure_row`:
    the value shown before in column ``before``, the value now in ``_value``)."""
    sure = rows[rows["_sure"].astype(bool)]
    if not len(sure):
        return f"Ingen af ændringerne {what} er statistisk sikre."
    return f"Statistisk sikre ændringer {what}: " + "; ".join(
        f"{r['Indikator'].lower()} ({r[before]} → {r['_value']})" for _, r in sure.iterrows()) + "."


def year_to_date(rep: Report, forvaltning: str | None, period: str = "year", start=None, end=None) -> pd.DataFrame:
    """The key figures of the current period when it is not over at the data's date, each against the same part
    of the year before (år til dato), never against a whole period; nothing when every period is whole. A report
    whose ``end`` lies before the data's date is seen from ``end``; one whose ``start`` lies after the first day
    of the year before has no comparison."""
    sc = common.scope(rep, forvaltning)
    as_of = rep.as_of
    if end is not None:
        end_d = pd.Timestamp(end).date()
        as_of = min(end_d, as_of) if as_of else end_d
    cmp = indicators.compare_many(rep.con, KEY_FIGURES, period, by=sc.total_by, as_of=as_of,
                                  organisation=rep.organisation, where=sc.where)
    start_d = pd.Timestamp(start).date() if start is not None else None
    ci_head = f"Værdi ({common.conf_text(rep)}-konfidensinterval)"
    rows = []
    for ind_id in KEY_FIGURES:
        c = cmp[ind_id]
        if c.partial is None or (start_d is not None and c.year_before[0] < start_d):
            continue
        pair = pd.concat([common.totals(c.rows("year_before")), common.totals(c.rows("partial"))],
                         ignore_index=True)
        if len(pair) != 2 or pd.isna(pair["value"].iloc[1]):  # nothing to show for the partial period yet
            continue
        d = common.disclose_indicator(pair, ind_id)
        rows.append({"Periode": c.partial_label}
                    | _figure_row(rep, ind_id, d, 0, 1, ci_head, days=(c.days("year_before"), c.days("partial")))
                    | {"Samme periode året før": c.year_before_label})
    if not rows:
        return pd.DataFrame()
    full = pd.DataFrame(rows).rename(columns={"Forrige periode": "Værdi året før"})
    table = full[["Indikator", "Periode", ci_head, "Samme periode året før", "Værdi året før", "Ændring",
                  "Statistisk sikker?"]]
    before = "samme del af toårsperioden før (to år tilbage)" if period == "biennium" else "samme del af året før"
    # every number above came through disclose_indicator (d.text)
    rep.table(disclosure.disclose(table), f"{'År' if period == 'year' else 'Periode'} til dato for {sc.name}", note=(
        f"Den indeværende periode er ikke slut: den sammenlignes med {before}, ikke med en hel periode. "
        "Klageraten tæller kun hele måneder. Tests som i nøgletallene."))
    rep.text(_sure_changes(full, "Værdi året før", "år til dato"))
    return table


def narrative_p(p: float) -> str:
    from ..narrative import p_value

    return p_value(p)


def _has(rep: Report, sc: common.Scope, table: str, what: str) -> bool:
    if common.table_has_rows(rep, table, sc):
        return True
    rep.text(f"*{what}: ingen data for {sc.name}.*")
    return False


def complaints_section(rep: Report, forvaltning, period="year", start=None, end=None) -> None:
    sc = common.scope(rep, forvaltning)
    if _has(rep, sc, "complaints", "Klager"):
        klager.complaint_rate(rep, forvaltning, period, start, end)
        klager.complaint_rate_by_group(rep, forvaltning, period, start, end, level="unit")
        common.series(rep, sc, "complaint_upheld_share", period, start, end, show_table=False)


def appeals_section(rep: Report, forvaltning, period="year", start=None, end=None) -> None:
    sc = common.scope(rep, forvaltning)
    if _has(rep, sc, "appeals", "Ankesager"):
        ankesager.shares_by_area(rep, forvaltning, period, start, end)
        ankesager.initiative_effects(rep, forvaltning, "quarter" if period in ("year", "biennium") else period,
                                     start, end) if rep.organisation.initiatives else None


def processing_section(rep: Report, forvaltning, period="year", start=None, end=None) -> None:
    sc = common.scope(rep, forvaltning)
    if _has(rep, sc, "cases", "Sagsbehandlingstid"):
        sagsbehandlingstid.service_compliance(rep, forvaltning, period, start, end)
        sagsbehandlingstid.medians_side_by_side(rep, forvaltning, period, start, end)
        sagsbehandlingstid.backlog(rep, forvaltning, "quarter", start, end)


def audits_section(rep: Report, forvaltning, period="year", start=None, end=None) -> None:
    sc = common.scope(rep, forvaltning)
    if _has(rep, sc, "audits", "Kvalitetsopfølgning"):
        kvalitetsopfoelgning.error_share_by_area(rep, forvaltning, period, start, end)
        kvalitetsopfoelgning.error_share_by_item(rep, forvaltning, period, start, end)


def ombudsman_section(rep: Report, forvaltning, period="year", start=None, end=None) -> None:
    sc = common.scope(rep, forvaltning)
    if _has(rep, sc, "inquiries", "Henvendelser til Borgerrådgiveren"):
        borgerraadgiver.inquiries_by_category(rep, forvaltning, period, start, end)
        common.series(rep, sc, "inquiry_criticism_share", period, start, end, show_table=False)
    if common.table_has_rows(rep, "recommendations", sc):
        borgerraadgiver.recommendations(rep, forvaltning)


def risk_section(rep: Report, forvaltning) -> None:
    sc = common.scope(rep, forvaltning)
    if common.table_has_rows(rep, "risk_assessments", sc) or common.table_has_rows(rep, "audits", sc):
        risikobillede.risk_matrix(rep, forvaltning)
    else:
        rep.text(f"*Risikobillede: ingen data for {sc.name}.*")


def method_section(rep: Report, forvaltning, period: str = "year") -> None:
    sc = common.scope(rep, forvaltning)
    extra = []
    if common.table_has_rows(rep, "cases", sc):
        note = sagsbehandlingstid.no_target_note(rep, forvaltning)
        if note:
            extra.append(note)
    missing = [contract.TABLES[t].danish for t in ALL_TABLES if not common.table_has_rows(rep, t, sc)]
    if missing:
        extra.append("Ingen data om: " + ", ".join(missing) + "; de afsnit er derfor tomme.")
    common.method_and_data(rep, KEY_FIGURES, ALL_TABLES, extra, period=period)
