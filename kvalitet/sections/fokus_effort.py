"""The FOKUS report's sections on the forvaltning's own effort, one per recommendation of the 2015 evaluation:
"Kvalitetsmål" (targets beyond satisfaction and deadlines, and how each stands), "Ledelsesinformation" (which
indicators have data for which areas and years, and what is missing) and "Evaluering af indsatsen" (every
initiative with its estimated effect and a plain-Danish verdict)."""

from __future__ import annotations

import pandas as pd

from .. import catalogue, disclosure, fokus, formatting
from . import common
from .fokus import FokusReport, fmt_unit

#: the Danish words for the kinds and sources of a target
KIND_WORDS = {fokus.goals.QUALITY: "kvalitet", fokus.goals.SATISFACTION: "tilfredshed",
              fokus.goals.DEADLINES: "frister"}
SOURCE_WORDS = {fokus.goals.FROM_FILE: "forvaltningens eget mål", fokus.goals.DEFAULT: "standardmål",
                fokus.goals.THRESHOLD: "tærskel for stikprøver"}
#: the symbols of the coverage grid
HAS_DATA, NO_DATA = "✔", "–"


def quality_targets(fr: FokusReport) -> pd.DataFrame:
    """'Kvalitetsmål': every indicator with a target for the forvaltning, quality targets first, with the value
    and status over the current period and the comparison period; says plainly when the forvaltning has set no
    quality target of its own."""
    rep, plan, sc = fr.rep, fr.plan, fr.scope
    tt = fokus.target_table(rep.con, rep.organisation, fr.forvaltning, plan, as_of=rep.as_of)
    own = tt[(tt["target_kind"] == fokus.goals.QUALITY) & (tt["source"] == fokus.goals.FROM_FILE)]
    if own.empty:
        rep.text(f"{sc.name} har ikke sat egne mål for kvaliteten i sagsbehandlingen ud over tilfredshed og frister "
                 "(organisationsfilens «targets»)." + (" Tabellen viser de mål, der gælder som standard."
                                                       if len(tt) else ""))
    if tt.empty:
        return tt
    p0, p1 = plan.comparison_label, plan.label
    v0, v1 = f"Værdi {p0}", f"Værdi {p1} ({common.conf_text(rep)}-konfidensinterval)"
    per_year = [bool(x) for x in tt["per_year"]]
    frame = pd.DataFrame({
        "Indikator": tt["name"].to_numpy(),
        "Slags": tt["target_kind"].map(KIND_WORDS).to_numpy(),
        "Kilde": tt["source"].map(SOURCE_WORDS).to_numpy(),
        "Mål": [common.fmt_target(i, lo, hi) for i, lo, hi in zip(tt["indicator"], tt["target_low"],
                                                                  tt["target_high"])],
        "_x1": tt["numerator"].to_numpy(), "_n1": tt["denominator"].to_numpy(),
        v1: [fmt_unit(r.unit, r.value, py, r.ci_low, r.ci_high) for r, py in zip(tt.itertuples(), per_year)],
        "Status": tt["status"].map(common.status_text).to_numpy(),
        "_x0": tt["comparison_numerator"].to_numpy(), "_n0": tt["comparison_denominator"].to_numpy(),
        v0: [fmt_unit(r.unit, r.comparison_value, py) for r, py in zip(tt.itertuples(), per_year)],
        f"Status {p0}": tt["comparison_status"].map(common.status_text).to_numpy(),
    })
    d = disclosure.disclose(frame, counts=["_x1", "_n1", "_x0", "_n0"],
                            derived={v1: ["_x1", "_n1"], "Status": ["_x1", "_n1"], v0: ["_x0", "_n0"],
                                     f"Status {p0}": ["_x0", "_n0"]},
                            denominators={"_n1": ["_x1"], "_n0": ["_x0"]}, row_totals=False)
    notes = sorted({n for n in tt["note"].dropna() if n})
    rep.table(d, f"Mål og status, {sc.name}", note=(
        "Slags: kvalitet er mål ud over tilfredshed og frister (anbefaling 1). Antal (måltal for klager o.l.) er "
        "pr. år. " + common.STATUS_LEGEND + (" Bemærk: " + "; ".join(notes) + "." if notes else "")))
    if len(own):
        rows = [i for i, r in enumerate(tt.itertuples()) if r.target_kind == fokus.goals.QUALITY
                and r.source == fokus.goals.FROM_FILE]
        met = [catalogue.get(tt["indicator"].iloc[i]).in_sentence for i in rows if not d.is_hidden(i, "Status")
               and common.STATUS_SYMBOLS.get(tt["status"].iloc[i]) == "✔"]
        missed = [f"{catalogue.get(tt['indicator'].iloc[i]).in_sentence} ({tt['status'].iloc[i]})" for i in rows
                  if not d.is_hidden(i, "Status") and common.STATUS_SYMBOLS.get(tt["status"].iloc[i]) in
                  ("▲", "▼", "✖")]
        text = (f"{sc.name} har {formatting.count(len(rows))} eget mål for kvaliteten ud over tilfredshed og frister"
                if len(rows) == 1 else
                f"{sc.name} har {formatting.count(len(rows))} egne mål for kvaliteten ud over tilfredshed og frister")
        text += "." if not (met or missed) else ": "
        parts = []
        if met:
            parts.append("opfyldt i " + plan.label + ": " + ", ".join(met))
        if missed:
            parts.append("ikke nået: " + ", ".join(missed))
        rep.text(text + "; ".join(parts) + ("." if parts else ""))
    return tt


def coverage(fr: FokusReport) -> pd.DataFrame:
    """'Ledelsesinformation': which indicators have data in each year of the two periods (for how many of the
    forvaltning's areas), and the list of what is missing."""
    rep, plan, sc = fr.rep, fr.plan, fr.scope
    grid = fokus.coverage_grid(rep.con, rep.organisation, fr.forvaltning, plan, as_of=rep.as_of)
    if grid.empty or not grid["has_data"].any():
        rep.text(f"*Ledelsesinformation: ingen data for {sc.name} i {plan.comparison_label}–{plan.end_year}.*")
        return grid
    years = sorted(grid["year"].unique())
    rows = []
    for ind, g in grid.groupby("indicator", sort=False):
        areas = g["area"].dropna().unique()
        row = {"Indikator": g["name"].iloc[0]}
        for y in years:
            gy = g[g["year"] == y]
            n, k = len(gy), int(gy["has_data"].sum())
            row[str(y)] = (HAS_DATA if k and (k == n or not len(areas)) else
                           f"{HAS_DATA} {k} af {n} områder" if k else NO_DATA)
        rows.append(row)
    table = pd.DataFrame(rows)
    # the grid shows only whether there are data (no count of persons)
    rep.table(disclosure.disclose(table), f"Data pr. indikator og år, {sc.name}", note=(
        f"{HAS_DATA}: data for året (for alle forvaltningens områder med data, ellers hvor mange); {NO_DATA}: ingen "
        f"data. Årene {plan.comparison_label} er sammenligningsperioden, {plan.label} den aktuelle periode."))
    lines = []
    with_data = table.drop(columns="Indikator").ne(NO_DATA).any(axis=1)
    lines.append(f"{formatting.count(int(with_data.sum()))} af {formatting.count(len(table))} indikatorer har data "
                 f"for {sc.name} i perioderne.")
    lines += missing_sentences(grid)
    rep.text(" ".join(lines))
    return grid


def missing_sentences(grid: pd.DataFrame) -> list[str]:
    """What the coverage grid lacks, in Danish: the indicators with no data at all, per area the indicators
    without data in any year, and the single years missing."""
    gaps = fokus.missing(grid)
    has_any = grid.groupby("indicator", sort=False)["has_data"].any()
    names = {i: catalogue.get(i).in_sentence for i in grid["indicator"].unique()}
    lines = []
    none = [names[i] for i, has in has_any.items() if not has]
    if none:
        lines.append("Ingen data om: " + ", ".join(none) + ".")
    rest = gaps[gaps["indicator"].map(has_any)]
    whole = rest[rest["no_data_at_all"] & rest["area"].notna()]
    for area, g in whole.groupby("area", sort=True):
        lines.append(f"Ingen data for {area} om: " + ", ".join(names[i] for i in g["indicator"]) + ".")
    some = rest[~rest["no_data_at_all"]]
    if len(some):
        lines.append("Enkelte år mangler: " + "; ".join(
            f"{names[r.indicator]}{' (' + r.area + ')' if isinstance(r.area, str) else ''}: "
            + ", ".join(str(y) for y in r.missing_years) for r in some.itertuples()) + ".")
    return lines


def initiatives(fr: FokusReport) -> pd.DataFrame:
    """'Evaluering af indsatsen': every initiative of the forvaltning with its estimated effect (interrupted time
    series: the level change at the start), the period it covers and a plain-Danish verdict; an initiative too
    young to evaluate says so."""
    rep, plan, sc = fr.rep, fr.plan, fr.scope
    it = fokus.initiative_table(rep.con, rep.organisation, fr.forvaltning, plan, as_of=rep.as_of)
    if it.empty:
        rep.text(f"Der er ingen indsatser for {sc.name} i organisationsfilen («initiatives»), så ingen indsats kan "
                 "evalueres her. Anbefalingen om at evaluere indsatsens dele kræver, at hver indsats registreres med "
                 "startdato og de indikatorer, den skal flytte.")
        return it
    frame = pd.DataFrame({
        "Indsats": [f"{n} ({a})" if isinstance(a, str) and a else n for n, a in zip(it["initiative"], it["area"])],
        "Start": [formatting.long_date(s) for s in it["start"]],
        "Indikator": [n if isinstance(n, str) else formatting.MISSING for n in it["name"]],
        "Perioder": [c if isinstance(c, str) else formatting.MISSING for c in it["covered"]],
        "_x0": it["numerator_before"].to_numpy(), "_n0": it["denominator_before"].to_numpy(),
        "_x1": it["numerator_after"].to_numpy(), "_n1": it["denominator_after"].to_numpy(),
        "Niveauændring ved start (interval)": [
            f"{formatting.number(e, 2)} ({formatting.number(lo, 2)}–{formatting.number(hi, 2)}) {m}"
            if pd.notna(e) else formatting.MISSING
            for e, lo, hi, m in zip(it["level_estimate"], it["level_ci_low"], it["level_ci_high"], it["measure"])],
        "q-værdi": [formatting.number(q, 3) if pd.notna(q) else formatting.MISSING for q in it["level_q"]],
        "Vurdering": [verdict_sentence(r) for r in it.itertuples()],
    })
    counts = ["_x0", "_n0", "_x1", "_n1"]
    d = disclosure.disclose(frame, counts=counts, derived={
        "Niveauændring ved start (interval)": counts, "q-værdi": counts, "Vurdering": counts}, row_totals=False)
    rep.table(d, f"Indsatser og deres effekt, {sc.name}", note=(
        "Afbrudt tidsserie pr. kvartal for indsatsens forvaltning og område: niveauændringen ved indsatsens start "
        "(en rateratio for rater og antal, en oddsratio for andele; under 1 betyder et fald), justeret for "
        "tendensen før. q-værdien er justeret for, at alle indsatsens test foretages på én gang. En indsats med "
        f"færre end {fokus.MIN_QUARTERS_AFTER} hele kvartaler efter start er for ung til at vurdere."))
    return it


def verdict_sentence(r) -> str:
    """The plain-Danish verdict of one initiative row (:func:`kvalitet.fokus.initiative_table`)."""
    name = catalogue.get(r.indicator).in_sentence if isinstance(r.indicator, str) else "indikatoren"
    if r.verdict in (fokus.FELL, fokus.ROSE):
        word = "faldt" if r.verdict == fokus.FELL else "steg"
        judge = f" – en {r.judgement}" if isinstance(r.judgement, str) and r.judgement else ""
        return f"{name.capitalize()} {word} sikkert ved indsatsens start{judge}."
    if r.verdict == fokus.NO_SURE_CHANGE:
        return f"Ingen sikker ændring i {name} ved indsatsens start."
    if r.verdict == fokus.TOO_YOUNG:
        return f"For ung til at vurdere ({r.note})." if isinstance(r.note, str) else "For ung til at vurdere."
    if r.verdict == fokus.NO_INDICATORS:
        return "Kan ikke vurderes: indsatsen nævner ingen indikatorer i organisationsfilen."
    return "Kan ikke vurderes" + (f" ({r.note})." if isinstance(r.note, str) and r.note else ".")
