"""Sections of the appeals report (ankesager): omgørelsesprocent and stadfæstelsesprocent by area against the
target band, a p′ chart, the outcome mix, a funnel plot of the areas, trends and initiative effects."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import catalogue, charts, formatting, periods, screening
from ..present import Report
from ..stats import funnel_limits, funnel_outliers
from . import common

INDICATORS = ["appeal_reversal_share", "appeal_upheld_share"]
TABLES = ["appeals"]
OUTCOMES = ["stadfæstet", "ændret", "ophævet", "hjemvist", "afvist", "henvist", "bortfaldet"]
OUTCOME_COLOURS = [charts.PALETTE[2], charts.PALETTE[3], charts.PALETTE[4], charts.PALETTE[1], "#bbbbbb", "#dddddd",
                   "#eeeeee"]


def shares_by_area(rep: Report, forvaltning: str | None, period: str = "year", start=None, end=None
                   ) -> pd.DataFrame:
    """Omgørelsesprocent and stadfæstelsesprocent per area (forvaltning · area for the municipality) in the
    latest period, against the target band."""
    sc = common.scope(rep, forvaltning)
    a = common.compare_groups(rep, sc, "appeal_reversal_share", period, start, end, level="forvaltning_area")
    if a.empty:
        return a
    common.compare_groups(rep, sc, "appeal_upheld_share", period, start, end, level="forvaltning_area")
    rep.text(common.STATUS_LEGEND)
    return a


def upheld_over_time(rep: Report, forvaltning: str | None, period: str = "year", start=None, end=None
                     ) -> pd.DataFrame:
    sc = common.scope(rep, forvaltning)
    return common.series(rep, sc, "appeal_upheld_share", period, start, end)


def reversal_control_chart(rep: Report, forvaltning: str | None, period: str = "quarter", start=None, end=None
                           ) -> pd.DataFrame:
    """The omgørelsesprocent on a Laney p′ chart with the Anhøj rules."""
    sc = common.scope(rep, forvaltning)
    return common.control_chart(rep, sc, "appeal_reversal_share", period, start, end, what="omgørelsesprocenten")


def outcome_mix(rep: Report, forvaltning: str | None, period: str = "year", start=None, end=None) -> pd.DataFrame:
    """The outcomes of the appeals decided in the latest period, per forvaltning or per area."""
    found = common.latest_period(rep, "appeal_reversal_share", forvaltning, period, start, end, "Ankesagernes udfald")
    if found is None:
        return pd.DataFrame()
    sc, last, lo, hi = found
    if rep.as_of:
        hi = min(hi, rep.as_of)
    gcol = "area" if forvaltning else "forvaltning"
    raw = rep.con.execute(
        f"SELECT {gcol} AS grp, outcome, count(*) AS n FROM appeals WHERE decided BETWEEN ? AND ?"
        + (" AND forvaltning = ?" if forvaltning else "") + " GROUP BY ALL",
        [lo, hi] + ([forvaltning] if forvaltning else [])).df()
    wide = raw.pivot_table(index="grp", columns="outcome", values="n", aggfunc="sum", fill_value=0)
    cols = [o for o in OUTCOMES if o in wide.columns]
    wide = wide[cols].astype(int)
    wide = wide.loc[wide.sum(axis=1).sort_values(ascending=False).index]
    table = wide.copy()
    table["I alt"] = table.sum(axis=1)
    table = table.reset_index().rename(columns={"grp": "Område" if forvaltning else "Forvaltning"})
    table.columns = [str(c).capitalize() if c in cols else c for c in table.columns]
    table.columns.name = None
    rep.table(table, f"Ankesagernes udfald, afgjort i {formatting.period_label(last)}",
              counts=[c.capitalize() for c in cols] + ["I alt"],
              note="Realitetsbehandlede: stadfæstet, ændret, ophævet, hjemvist. Afviste, henviste og bortfaldne "
                   "tæller ikke med i omgørelsesprocenten.")
    real = [c for c in ["stadfæstet", "ændret", "ophævet", "hjemvist"] if c in cols]
    chart = wide[real].rename(columns=str.capitalize)
    chart = chart[chart.sum(axis=1) > 0]
    shares = wide[real].sum(axis=1)
    changed = wide[[c for c in real if c != "stadfæstet"]].sum(axis=1) / shares.replace(0, np.nan)
    worst = changed.idxmax()
    title = (f"Størst andel omgjort i {common._short(worst, 30)} ({formatting.percent(changed.max(), 0)} "
             f"af de realitetsbehandlede sager i {formatting.period_label(last)})")
    fig = charts.stacked_shares(chart.rename(index=lambda x: common._short(x, 30)), title=title, source=rep.source,
                                as_of_label=rep.as_of_label, colours=OUTCOME_COLOURS)
    rep.figure(fig, alt=(f"Vandrette 100 %-søjler: udfaldet af de realitetsbehandlede ankesager i "
                         f"{formatting.period_label(last)} pr. {'område' if forvaltning else 'forvaltning'}, fordelt "
                         f"på stadfæstet, ændret, ophævet og hjemvist. {title}."))
    return wide


def funnel_of_areas(rep: Report, forvaltning: str | None, period: str = "year", start=None, end=None
                    ) -> pd.DataFrame:
    """A funnel plot of every area's omgørelsesprocent against its number of realitetsbehandlede appeals in the
    latest period, with 95 % and 99,8 % limits around the municipality's level (Spiegelhalter's multiplicative
    over-dispersion adjustment). One forvaltning's areas are shown among all the municipality's."""
    df = common.totals(common.compute(rep, ["appeal_reversal_share"], period, start, end,
                                      by=("forvaltning", "area")))
    df = df[df["denominator"].fillna(0) > 0]
    if df.empty or (forvaltning and not (df["forvaltning"] == forvaltning).any()):
        common.no_data(rep, "Tragtdiagram for omgørelsesprocenten")
        return pd.DataFrame()
    last = max(df["period"], key=periods.sort_key)
    cur = df[df["period"] == last].reset_index(drop=True)
    if len(cur) < 3:
        rep.text("*Tragtdiagram: for få områder med ankesager til at sammenligne.*")
        return pd.DataFrame()
    num, den = cur["numerator"].astype(float), cur["denominator"].astype(float)
    out = funnel_outliers(num, den, kind="proportion", overdispersion="multiplicative")
    phi = float(out["phi"].iloc[0]) if "phi" in out else 1.0
    target = float(num.sum() / den.sum())
    grid = np.geomspace(max(5.0, den.min() * 0.7), den.max() * 1.3, 80)
    lim = funnel_limits(grid, target, kind="proportion", overdispersion="multiplicative" if phi > 1 else None,
                        phi=phi if phi > 1 else None)
    flag = (out["over_99_8"] | out["under_99_8"]).to_numpy(dtype=bool) if "over_99_8" in out else \
        np.zeros(len(cur), dtype=bool)
    labels = [f"{f}: {common._short(a, 22)}" for f, a in zip(cur["forvaltning"], cur["area"])]
    if forvaltning:
        labels = [lb if f == forvaltning else "" for lb, f in zip(labels, cur["forvaltning"])]
    high = [lb or f"{f}: {a}" for lb, f, a, fl, o in zip(labels, cur["forvaltning"], cur["area"], flag,
                                                        out.get("over_99_8", flag)) if fl and o]
    low = [f"{f}: {a}" for f, a, fl, u in zip(cur["forvaltning"], cur["area"], flag, out.get("under_99_8", flag))
           if fl and u]
    if high or low:
        parts = ([f"over grænsen: {', '.join(high)}"] if high else []) + (
            [f"under grænsen: {', '.join(low)}"] if low else [])
        title = "Områder uden for 99,8 %-grænserne – " + "; ".join(parts)
    else:
        title = "Alle områder ligger inden for tragtens 99,8 %-grænser"
    fig = charts.funnel(den, cur["value"], labels, lim, title=common._short(title, 110),
                        xlabel="Realitetsbehandlede ankesager", ylabel="Omgørelsesprocent", percent=True, flags=flag,
                        source=rep.source, as_of_label=rep.as_of_label)
    rep.figure(fig, alt=(f"Tragtdiagram over omgørelsesprocenten i {formatting.period_label(last)} for "
                         f"{len(cur)} områder mod antallet af realitetsbehandlede sager, med 95 %- og 99,8 %-grænser "
                         f"om kommunens samlede niveau på {formatting.percent(target)}. {title}."))
    rep.text(f"Tragten viser, hvor meget omgørelsesprocenten kan svinge af tilfældige grunde ved et givet antal "
             f"sager, omkring kommunens samlede niveau ({formatting.percent(target)}). Grænserne er udvidet for "
             f"overspredning (φ = {formatting.number(phi, 2)}). {title}.")
    cur["flag"] = flag
    return cur


def trend_results(rep: Report, forvaltning: str | None, period: str = "year", start=None, end=None
                  ) -> pd.DataFrame:
    sc = common.scope(rep, forvaltning)
    return common.trends(rep, sc, INDICATORS, period, start, end, level="area")


def initiative_effects(rep: Report, forvaltning: str | None, period: str = "year", start=None, end=None
                       ) -> pd.DataFrame:
    """The effect of the initiatives in the organisation file (interrupted time series), for the scope."""
    if not rep.organisation.initiatives:
        rep.text("*Indsatser: organisationsfilen nævner ingen indsatser at vurdere.*")
        return pd.DataFrame()
    ef = screening.initiative_effects(rep.con, rep.organisation, period, start, end, rep.as_of)
    if forvaltning and not ef.empty:
        ef = ef[ef["forvaltning"] == forvaltning]
    if ef.empty:
        rep.text("*Indsatser: ingen indsatser med data for denne forvaltning.*")
        return ef
    words = {"its_level": "Niveauskift ved start", "its_slope": "Ændring i årlig tendens efter start"}
    table = pd.DataFrame({
        "Indsats": ef["initiative"], "Start": ef["start"].map(formatting.long_date),
        "Indikator": ef["indicator"].map(lambda i: catalogue.get(i).name),
        "Effekt": ef["method"].map(words), "Estimat (ratio)": ef["estimate"].map(lambda v: formatting.number(v, 2)),
        "95 %-konfidensinterval": [formatting.interval(a, b, decimals=2) for a, b in zip(ef["ci_low"], ef["ci_high"])],
        "q-værdi": ef["q_value"].map(lambda q: formatting.number(q, 3)), "Vurdering": ef["direction"],
    })
    rep.table(table, "Indsatsernes effekt (afbrudt tidsserie)", note=(
        "Estimatet er en oddsratio: 0,55 for niveauskiftet betyder, at niveauet faldt til 55 % af det forventede "
        "ved indsatsens start. Vurderingen er 'faldende' eller 'stigende', når q < 0,05."))
    sentences = []
    for name, g in ef.groupby("initiative", sort=False):
        lvl = g[g["method"] == "its_level"]
        if lvl.empty:
            continue
        r = lvl.iloc[0]
        ind = catalogue.get(r["indicator"]).name.lower()
        if r["direction"] in (screening.RISING, screening.FALLING):
            word = "faldt" if r["direction"] == screening.FALLING else "steg"
            sentences.append(f"Ved starten af «{name}» {word} {ind} til {formatting.percent(r['estimate'], 0)} af "
                             f"det forventede (oddsratio {formatting.number(r['estimate'], 2)}, "
                             f"q = {formatting.number(r['q_value'], 3)}); ændringen er statistisk sikker.")
        else:
            sentences.append(f"For «{name}» er der ingen statistisk sikker ændring i {ind} ved starten "
                             f"(oddsratio {formatting.number(r['estimate'], 2)}, q = {formatting.number(r['q_value'], 3)}).")
    rep.text(" ".join(sentences))
    return ef
