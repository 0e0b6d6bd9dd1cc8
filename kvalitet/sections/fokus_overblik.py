"""The FOKUS overview across forvaltninger: a schematic grid, theme × forvaltning, each cell a value with a status
symbol that prints in black and white (and a legend in words), a chart of the complaint rates, and one short
generated paragraph per forvaltning (what it measures, whether it has måltal for klager, what moved). The numbers
come from :func:`kvalitet.fokus.overview.overview` and pass the disclosure rule cell by cell."""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .. import catalogue, charts, disclosure, fokus, formatting
from ..fokus import overview as ov_mod
from ..present import Report
from . import common
from .fokus import TABLES, fmt_unit, report_year

#: status → (symbol, the words of the legend); the symbols differ in shape, so the grid reads in black and white
SYMBOLS = {
    ov_mod.GOOD: ("✔", "i orden: målet er nået, eller udviklingen er sikkert til det bedre, eller ingen åbne fund"),
    ov_mod.WATCH: ("!", "følg op: uden for målet, men ikke sikkert; åbne fund inden for fristen; ikke alle indsatser "
                        "er evalueret"),
    ov_mod.BAD: ("✖", "problem: sikkert uden for målet, sikkert til det værre, eller åbne fund over fristen"),
    ov_mod.STEADY: ("=", "ingen sikker ændring fra perioden før"),
    ov_mod.INFO: ("•", "til orientering (ingen vurdering)"),
    ov_mod.ABSENT: ("○", "ikke sat: intet mål, intet måltal eller ingen indsatser"),
    ov_mod.NO_DATA: ("–", "ingen data"),
}
#: the short word after the value in a cell, by status
WORDS = {ov_mod.GOOD: "i orden", ov_mod.WATCH: "følg op", ov_mod.BAD: "problem", ov_mod.STEADY: "uændret",
         ov_mod.INFO: "", ov_mod.ABSENT: "ikke sat", ov_mod.NO_DATA: "ingen data"}


@dataclass(frozen=True)
class Overview:
    rep: Report
    plan: fokus.FokusPlan
    data: pd.DataFrame
    cells: disclosure.Disclosed


def open_overview(rep: Report, year=None, mode=None) -> Overview:
    """Choose the year and mode as the FOKUS report does, compute the overview and show the front page."""
    plan = fokus.fokus_plan(report_year(rep, year), rep.organisation, mode)
    title = (f"FOKUS {plan.label}: evalueringen på tværs af forvaltningerne" if plan.is_evaluation
             else f"FOKUS-status {plan.label} på tværs af forvaltningerne")
    rep.front_page(title, rep.organisation.display_name, f"{plan.label} mod {plan.comparison_label}")
    data = ov_mod.overview(rep.con, rep.organisation, plan, as_of=rep.as_of)
    rep.text("Overblikket stiller forvaltningerne side om side på de temaer, Borgerrådgiverens FOKUS-evaluering og "
             "Økonomiforvaltningens notat om forvaltningernes arbejde med klager ser på: egne kvalitetsmål og "
             "måltal for klager, klagerne og deres udfald, ankesagerne, servicemål, stikprøver, Borgerrådgiverens "
             "kritik, åbne anbefalinger og fund og evaluerede indsatser. " + plan.comparison_text)
    return Overview(rep, plan, data, _disclose(data, plan))


def _cell_value(r, plan: fokus.FokusPlan) -> str:
    """The value part of a cell (before disclosure)."""
    if r.status in (ov_mod.NO_DATA, ov_mod.ABSENT) and r.theme != "targets":
        return ""
    if r.theme == "targets":
        return f"{formatting.count(r.value)} mål" if r.value else ""
    if r.theme == "open_findings":
        over = int(r.detail) if isinstance(r.detail, str) else 0
        return f"{formatting.count(r.value)} åbne" + (f", {formatting.count(over)} over fristen" if over else "")
    if r.theme == "initiatives":
        return f"{formatting.count(r.value)} af {formatting.count(r.comparison_value)}"
    per_year = r.unit == catalogue.UNIT_COUNT and (plan.annualised or r.theme == "complaint_target")
    now = fmt_unit(r.unit, r.value, per_year)
    if r.theme == "complaint_target":
        target = common.fmt_target(r.detail, r.target_low, r.target_high)
        return f"{now} (mål {target})"
    if pd.notna(r.comparison_value) and r.theme != "audit_error_share":
        return f"{now} (før {fmt_unit(r.unit, r.comparison_value, per_year)})"
    return now


def _disclose(data: pd.DataFrame, plan: fokus.FokusPlan) -> disclosure.Disclosed:
    """Every cell through the disclosure rule: a value resting on a count of persons under 5 is hidden."""
    persons = data["persons"].to_numpy()
    frame = pd.DataFrame({
        "forvaltning": data["forvaltning"].to_numpy(), "theme": data["theme"].to_numpy(),
        "status": data["status"].to_numpy(),
        **{f"_{c}": pd.to_numeric(data[c].where(persons), errors="coerce").to_numpy()
           for c in ("numerator", "denominator", "comparison_numerator", "comparison_denominator")},
        "cell": [_cell(r, plan) for r in data.itertuples()],
    })
    counts = ["_numerator", "_denominator", "_comparison_numerator", "_comparison_denominator"]
    return disclosure.disclose(frame, counts=counts, derived={"cell": counts, "status": counts},
                               denominators={"_denominator": ["_numerator"],
                                             "_comparison_denominator": ["_comparison_numerator"]},
                               row_totals=False)


def _cell(r, plan) -> str:
    symbol = SYMBOLS[r.status][0]
    value = _cell_value(r, plan)
    word = WORDS[r.status]
    if r.theme == "initiatives" and r.status == ov_mod.ABSENT:
        word = "ingen indsatser"
    elif r.theme == "targets" and r.status == ov_mod.GOOD:
        word = ""
    return " ".join(x for x in (symbol, value, word) if x)


def grid(ov: Overview) -> pd.DataFrame:
    """The grid: one row per theme, one column per forvaltning (its code), the legend under it, and a chart of the
    complaint rate per forvaltning with its interval."""
    rep, plan, d = ov.rep, ov.plan, ov.cells
    codes = rep.organisation.codes
    themes = list(ov_mod.THEMES)
    texts = {(f, t): (d.text(i, "cell") if not d.is_hidden(i, "cell") else "x skjult (under 5)")
             for i, (f, t) in enumerate(zip(d.values["forvaltning"], d.values["theme"]))}
    table = pd.DataFrame({"Tema": [ov_mod.THEMES[t] for t in themes],
                          **{c: [texts[(c, t)] for t in themes] for c in codes}})
    legend = "; ".join(f"{sym} {words}" for sym, words in SYMBOLS.values())
    names = "; ".join(f"{f.code}: {f.name}" for f in rep.organisation.forvaltninger)
    # every value in the cells came through the disclosure rule above (_disclose)
    rep.suppressed_any |= d.any_hidden
    rep.table(disclosure.disclose(table), f"FOKUS-overblik {plan.label} mod {plan.comparison_label}", note=(
        f"Værdien er for {plan.label}; «før» er {plan.comparison_label}. Klager pr. 1.000 afgørelser; andele i "
        f"procent; «x skjult» bygger på under 5 personer eller sager. Tegn: {legend}. Sikker betyder q < "
        f"{common.level_text(rep.organisation.thresholds.fdr)} efter justering for alle test i skemaet "
        f"(Benjamini-Hochberg). {names}."))
    _rate_chart(ov)
    return table


def _rate_chart(ov: Overview) -> None:
    """The complaint rate per forvaltning over the current period with its interval (hidden groups left out)."""
    rep, plan = ov.rep, ov.plan
    cmp = ov.data[(ov.data["theme"] == "complaint_rate") & ov.data["value"].notna()]
    cmp = cmp.sort_values("value", ascending=False).reset_index(drop=True)
    if cmp.empty:
        common.no_data(rep, "Klagerate")
        return
    frame = pd.DataFrame({"Forvaltning": cmp["forvaltning"].to_numpy(), "numerator": cmp["numerator"].to_numpy(),
                          "denominator": cmp["denominator"].to_numpy(), "value": cmp["value"].to_numpy(),
                          "low": cmp["ci_low"].to_numpy(), "high": cmp["ci_high"].to_numpy()})
    d = disclosure.disclose(frame, counts=["numerator", "denominator"], derived=["value", "low", "high"],
                            row_totals=False)
    title = f"Klager pr. 1.000 afgørelser i {plan.label} pr. forvaltning"
    fig = charts.dot_ci(d, "Forvaltning", "value", "low", "high", title=title, xlabel="Klager pr. 1.000 afgørelser",
                        decimals=1, source=rep.source, as_of_label=rep.as_of_label)
    shown = [f"{f}: {d.text(i, 'value', lambda v: formatting.number(v, 1))}" for i, f in
             enumerate(d.values["Forvaltning"]) if not d.is_hidden(i, "value")]
    rep.figure(fig, alt=(f"Prikdiagram over klager pr. 1.000 afgørelser i {plan.label} for hver forvaltning med "
                         f"{common.conf_text(rep)}-konfidensinterval som linje. " + "; ".join(shown) + "."))


def paragraphs(ov: Overview) -> None:
    """One short paragraph per forvaltning, built from the disclosed cells."""
    rep, d = ov.rep, ov.cells
    for f in rep.organisation.forvaltninger:
        rows = {t: i for i, (c, t) in enumerate(zip(d.values["forvaltning"], d.values["theme"])) if c == f.code}
        rep.text(f"**{f.name}.** " + paragraph(ov, f.code, rows))


def paragraph(ov: Overview, code: str, rows: dict[str, int]) -> str:
    """What the forvaltning measures, whether it has måltal for klager, what moved surely, the open findings and
    the initiatives; every number from a disclosed cell."""
    data, d, plan = ov.data, ov.cells, ov.plan
    shown = {t: i for t, i in rows.items() if not d.is_hidden(i, "cell")}
    status = {t: data["status"].iloc[i] for t, i in shown.items()}
    measured = [formatting.lower_first(ov_mod.THEMES[t]) for t in ov_mod.COMPARED + ("audit_error_share",)
                if t in rows and data["status"].iloc[rows[t]] != ov_mod.NO_DATA]
    out = []
    if measured:
        out.append(f"Har data i {plan.label} om {_join(measured)}.")
    else:
        out.append(f"Har ingen data i {plan.label} om klager, ankesager, servicemål, stikprøver eller kritik.")
    n_targets = int(np.nan_to_num(data["value"].iloc[rows["targets"]]))
    out.append(f"Har {formatting.count(n_targets)} egne kvalitetsmål ud over tilfredshed og frister" if n_targets
               else "Har ingen egne kvalitetsmål ud over tilfredshed og frister")
    ct = rows["complaint_target"]
    if data["status"].iloc[ct] == ov_mod.ABSENT:
        out[-1] += " og intet måltal for klager."
    elif "complaint_target" in shown:
        out[-1] += f" og måltal for klager: {_strip(d.text(ct, 'cell'))}."
    else:
        out[-1] += " og måltal for klager (status skjult: under 5 klager)."
    better = [_moved(data, d, i) for t, i in shown.items() if t in ov_mod.COMPARED and status[t] == ov_mod.GOOD]
    worse = [_moved(data, d, i) for t, i in shown.items() if t in ov_mod.COMPARED and status[t] == ov_mod.BAD]
    if better:
        out.append(f"Sikkert bedre end i {plan.comparison_label}: {_join(better)}.")
    if worse:
        out.append(f"Sikkert værre end i {plan.comparison_label}: {_join(worse)}.")
    if not better and not worse and measured:
        out.append(f"Intet har flyttet sig sikkert siden {plan.comparison_label}.")
    if status.get("audit_error_share") in (ov_mod.WATCH, ov_mod.BAD):
        audit = _strip(d.text(rows["audit_error_share"], "cell"))
        out.append(f"Fejlandelen i stikprøverne er over tærsklen ({audit}).")
    fi = rows["open_findings"]
    if data["status"].iloc[fi] != ov_mod.NO_DATA:
        out.append(f"Anbefalinger og fund: {_strip(d.text(fi, 'cell'))}.")
    else:
        out.append("Ingen anbefalinger eller fund i registret.")
    ini = rows["initiatives"]
    if data["status"].iloc[ini] == ov_mod.ABSENT:
        out.append("Ingen indsatser er registreret til evaluering.")
    else:
        out.append(f"Evaluerede indsatser: {_strip(d.text(ini, 'cell'))}.")
    return " ".join(out)


def _moved(data: pd.DataFrame, d: disclosure.Disclosed, i: int) -> str:
    return f"{formatting.lower_first(ov_mod.THEMES[data['theme'].iloc[i]])} ({_strip(d.text(i, 'cell'))})"


def _strip(cell: str) -> str:
    """A cell without its symbol and status word, for a sentence: '✔ 64,4 % (før 50,3 %) i orden' → '64,4 %, før
    50,3 %'."""
    for sym, _ in SYMBOLS.values():
        if cell.startswith(sym + " "):
            cell = cell[len(sym) + 1:]
    for word in WORDS.values():
        if word and cell.endswith(" " + word):
            cell = cell[: -len(word) - 1]
    return re.sub(r" \((før|mål) ([^()]*)\)$", r", \1 \2", cell)


def _join(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " og " + items[-1]


def method(ov: Overview) -> None:
    rep, plan = ov.rep, ov.plan
    extra = [plan.comparison_text,
             "Skemaets status: " + "; ".join(f"{sym} {words}" for sym, words in SYMBOLS.values()) + ".",
             "Ændringerne er testet som i FOKUS-rapporterne (eksakt test for rater, z-test for andele) og justeret "
             "for alle test i skemaet på én gang (Benjamini-Hochberg)."]
    common.method_and_data(rep, [t for t in ov_mod.COMPARED] + ["audit_error_share"], TABLES, extra, period="year")
