"""The per-forvaltning evaluation report: the summary of key figures (latest value with CI, previous period, change
and whether it is statistically sure, target and status), then one short section per area, then "Metode og data".
The area sections reuse the analysis notebooks' sections; a section without data says so in one line."""

from __future__ import annotations

import pandas as pd

from .. import catalogue, disclosure, formatting, periods
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
ALL_TABLES = ["complaints", "decisions", "appeals", "cases", "audits", "inquiries", "satisfaction",
              "recommendations", "risk_assessments"]


def key_figures(rep: Report, forvaltning: str | None, period: str = "year", start=None, end=None) -> pd.DataFrame:
    """One row per key figure: the latest period's value with its CI, the previous period, the change and whether
    it is statistically sure, the target and the status with a symbol."""
    sc = common.scope(rep, forvaltning)
    df = common.totals(common.compute(rep, KEY_FIGURES, period, start, end, by=sc.total_by, where=sc.where))
    rows = []
    alpha = common.alpha(rep)
    ci_head = f"Værdi ({common.conf_text(rep)}-konfidensinterval)"
    for ind_id in KEY_FIGURES:
        ind = catalogue.get(ind_id)
        g = df[df["indicator"] == ind_id]
        g = g[g["value"].notna()].sort_values("period", key=lambda s: s.map(periods.sort_key))
        if g.empty:
            continue
        d = common.disclose_indicator(g, ind_id)
        last = len(d) - 1
        prev = last - 1 if last >= 1 else None
        ch = common.change(ind_id, d, prev, last, rep.as_of, alpha) if prev is not None else None
        hidden_last = d.is_hidden(last, "value")
        hidden_prev = prev is not None and d.is_hidden(prev, "value")
        if prev is None:
            change_text, sure_text = formatting.MISSING, formatting.MISSING
        elif hidden_last or hidden_prev:
            change_text, sure_text = disclosure.COMPLEMENT, "skjult (under 5)"
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
                sure_text = (f"ja ({narrative_p(ch.p)})" if ch.sure else f"nej ({narrative_p(ch.p)})")
        fmt = (lambda v, i=ind_id: common.fmt_value(i, v))
        unit = common.value_unit(ind_id).replace(" pr. 1.000 afgørelser", "")
        # a count indicator's value is the count itself: shown as '<5' like the count
        value = (d.text(last, "numerator", fmt) if ind.kind == "count" and hidden_last
                 else d.text(last, "value", fmt)) + ("" if hidden_last else unit)
        ci = common.fmt_interval(ind_id, d.values["ci_low"].iloc[last], d.values["ci_high"].iloc[last])
        r = d.values.iloc[last]
        rows.append({
            "Indikator": ind.name,
            "Periode": formatting.period_label(r["period"]),
            ci_head: value + (f" ({ci})" if ci != formatting.MISSING and not hidden_last else ""),
            "Forrige periode": d.text(prev, "value", fmt) if prev is not None else formatting.MISSING,
            "Ændring": change_text.replace(" procentpoint", " pct.-point"),
            "Statistisk sikker?": sure_text,
            "Mål": common.fmt_target(ind_id, r["target_low"], r["target_high"]),
            "Status": d.text(last, "status", lambda v: common.status_text(v)),
        })
    if not rows:
        common.no_data(rep, "Nøgletal")
        return pd.DataFrame()
    table = pd.DataFrame(rows)
    if table["Mål"].eq(formatting.MISSING).all():
        table = table.drop(columns=["Mål"])
    # every number in the rows above came through disclose_indicator (d.text): the table itself holds no counts
    rep.table(disclosure.disclose(table), f"Nøgletal for {sc.name}", note=(
        "Klageraten er pr. 1.000 afgørelser; tider er i dage; pct.-point er procentpoint. Ændringen er testet med en eksakt test for rater og "
        "antal og en z-test for andele; medianer testes ikke her. " + common.STATUS_LEGEND))
    bad = table[table["Status"].str.startswith(("✖", "▲", "▼"))]
    sure_changes = table[table["Statistisk sikker?"].str.startswith("ja")]
    lines = []
    if len(bad):
        lines.append("Mål, der ikke er nået: " + "; ".join(
            f"{r['Indikator'].lower()} ({r[ci_head].split(' (')[0]}, "
            f"{r['Status'].split(' ', 1)[1]})"
            for _, r in bad.iterrows()) + ".")
    else:
        lines.append("Alle nøgletal med et mål ligger inden for målet.")
    if len(sure_changes):
        lines.append("Statistisk sikre ændringer fra forrige periode: " + "; ".join(
            f"{r['Indikator'].lower()} ({r['Forrige periode']} → "
            f"{r[ci_head].split(' (')[0]})"
            for _, r in sure_changes.iterrows()) + ".")
    else:
        lines.append("Ingen af ændringerne fra forrige periode er statistisk sikre.")
    rep.text(" ".join(lines))
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


def method_section(rep: Report, forvaltning) -> None:
    sc = common.scope(rep, forvaltning)
    extra = []
    if common.table_has_rows(rep, "cases", sc):
        note = sagsbehandlingstid.no_target_note(rep, forvaltning)
        if note:
            extra.append(note)
    missing = [common._TABLE_DA[t] for t in ALL_TABLES if not common.table_has_rows(rep, t, sc)]
    if missing:
        extra.append("Ingen data om: " + ", ".join(missing) + "; de afsnit er derfor tomme.")
    common.method_and_data(rep, KEY_FIGURES, ALL_TABLES, extra)
