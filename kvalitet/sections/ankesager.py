"""Sections of the appeals report (ankesager): omgørelsesprocent and stadfæstelsesprocent by area against the
target band, a p′ chart, the outcome mix, a funnel plot of the areas, trends and initiative effects."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import catalogue, charts, disclosure, formatting, periods, screening
from ..indicators import lookups
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
    raw = lookups.outcome_mix(rep.con, lo, hi, forvaltning)
    wide = raw.pivot_table(index="grp", columns="outcome", values="n", aggfunc="sum", fill_value=0)
    cols = [o for o in OUTCOMES if o in wide.columns]
    wide = wide[cols].astype(int)
    wide = wide.loc[wide.sum(axis=1).sort_values(ascending=False).index]
    real = [c for c in ["stadfæstet", "ændret", "ophævet", "hjemvist"] if c in cols]
    group_word = "Område" if forvaltning else "Forvaltning"
    table = wide.rename(columns=str.capitalize)
    table["I alt"] = wide.sum(axis=1)
    table["_real"] = wide[real].sum(axis=1)
    table["_changed"] = wide[[c for c in real if c != "stadfæstet"]].sum(axis=1)
    table = table.reset_index().rename(columns={"grp": group_word})
    table.columns.name = None
    table["_short"] = [common._short(x, 30) for x in table[group_word]]
    counts = [c.capitalize() for c in cols] + ["I alt"]
    real_cols = [c.capitalize() for c in real]
    d = disclosure.disclose(
        table, counts=counts + ["_real", "_changed"],
        totals={"_real": real_cols, "_changed": [c for c in real_cols if c != "Stadfæstet"]})
    rep.table(d, f"Ankesagernes udfald, afgjort i {formatting.period_label(last)}",
              note="Realitetsbehandlede: stadfæstet, ændret, ophævet, hjemvist. Afviste, henviste og bortfaldne "
                   "tæller ikke med i omgørelsesprocenten.")
    changed = d.number("_changed") / np.where(d.number("_real") > 0, d.number("_real"), np.nan)
    drawn = d.subset((d.number("_real") > 0) | d.hidden["_real"].to_numpy())
    period_text = formatting.period_label(last)
    if np.isfinite(changed).any():
        worst = int(np.nanargmax(changed))
        title = (f"Størst andel omgjort i {d.values['_short'].iloc[worst]} "
                 f"({formatting.percent(changed[worst], 0)} af de realitetsbehandlede sager i {period_text})")
    else:
        title = f"Udfaldet af de realitetsbehandlede ankesager i {period_text}"
    fig = charts.stacked_shares(drawn, "_short", real_cols, "_real", title=title, source=rep.source,
                                as_of_label=rep.as_of_label, colours=OUTCOME_COLOURS)
    rep.figure(fig, alt=(f"Vandrette 100 %-søjler: udfaldet af de realitetsbehandlede ankesager i {period_text} pr. "
                         f"{group_word.lower()}, fordelt på stadfæstet, ændret, ophævet og hjemvist. {title}."))
    return wide


def funnel_of_areas(rep: Report, forvaltning: str | None, period: str = "year", start=None, end=None
                    ) -> pd.DataFrame:
    """A funnel plot of every area's omgørelsesprocent against its number of realitetsbehandlede appeals in the
    latest period, with 95 % and 99,8 % limits around the municipality's level (Spiegelhalter's multiplicative
    over-dispersion adjustment). One forvaltning's areas are shown among all the municipality's."""
    df = common.totals(common.compute(rep, ["appeal_reversal_share"], period, start, end,
                                      by=("forvaltning", "area")))
    df = common.complete(df[df["denominator"].fillna(0) > 0])
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
    names = [f"{f}: {common._short(a, 22)}" for f, a in zip(cur["forvaltning"], cur["area"])]
    frame = pd.DataFrame({
        "label": [f"{f}: {a}" for f, a in zip(cur["forvaltning"], cur["area"])],
        "name": [lb if not forvaltning or f == forvaltning else "" for lb, f in zip(names, cur["forvaltning"])],
        "numerator": cur["numerator"].to_numpy(), "denominator": cur["denominator"].to_numpy(),
        "value": cur["value"].to_numpy(), "flag": flag,
        "over": out["over_99_8"].to_numpy(dtype=bool) if "over_99_8" in out else flag,
        "under": out["under_99_8"].to_numpy(dtype=bool) if "under_99_8" in out else flag,
    })
    d = disclosure.disclose(frame, counts=["numerator", "denominator"], derived=["value", "flag", "over", "under"],
                            denominators={"denominator": ["numerator"]}, row_totals=False)
    shown = d.shown(["value"])
    high = [lb for lb, fl, o, ok in zip(frame["label"], flag, frame["over"], shown) if fl and o and ok]
    low = [lb for lb, fl, u, ok in zip(frame["label"], flag, frame["under"], shown) if fl and u and ok]
    if high or low:
        parts = ([f"over grænsen: {', '.join(high)}"] if high else []) + (
            [f"under grænsen: {', '.join(low)}"] if low else [])
        title = "Områder uden for 99,8 %-grænserne – " + "; ".join(parts)
    else:
        title = "Alle viste områder ligger inden for tragtens 99,8 %-grænser"
    fig = charts.funnel(d, "denominator", "value", "label", lim, title=common._short(title, 110),
                        xlabel="Realitetsbehandlede ankesager", ylabel="Omgørelsesprocent", percent=True, flags="flag",
                        source=rep.source, as_of_label=rep.as_of_label, names="name")
    rep.figure(fig, alt=(f"Tragtdiagram over omgørelsesprocenten i {formatting.period_label(last)} for "
                         f"{int(shown.sum())} områder mod antallet af realitetsbehandlede sager, med 95 %- og "
                         f"99,8 %-grænser om kommunens samlede niveau på {formatting.percent(target)}. {title}."))
    if phi > 1:
        widened = (f"Grænserne er udvidet for overspredning: områderne varierer mere, end tilfældighed alene "
                   f"forklarer (φ = {formatting.number(phi, 2)}).")
    else:
        widened = (f"Grænserne er ikke udvidet: der er ikke mere variation mellem områderne, end tilfældighed "
                   f"forklarer (φ = {formatting.number(phi, 2)}).")
    rep.text(f"Tragten viser, hvor meget omgørelsesprocenten kan svinge af tilfældige grunde ved et givet antal "
             f"sager, omkring kommunens samlede niveau ({formatting.percent(target)}). {widened} {title}.")
    cur["flag"] = flag
    cur["hidden"] = ~shown
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
    ci = f"{common.conf_text(rep)}-konfidensinterval"
    level = common.level_text(rep.organisation.thresholds.fdr)
    table = pd.DataFrame({
        "Indsats": ef["initiative"], "Start": ef["start"].map(formatting.long_date),
        "Indikator": ef["indicator"].map(lambda i: catalogue.get(i).name),
        "Effekt": ef["method"].map(words), "Estimat": ef["indicator"].map(ratio_name),
        "Værdi": ef["estimate"].map(lambda v: formatting.number(v, 2)),
        ci: [formatting.interval(a, b, decimals=2) for a, b in zip(ef["ci_low"], ef["ci_high"])],
        "q-værdi": ef["q_value"].map(lambda q: formatting.number(q, 3)), "Vurdering": ef["direction"],
    })
    rep.table(disclosure.disclose(table), "Indsatsernes effekt (afbrudt tidsserie)", note=(
        "For andele (fx omgørelsesprocenten) er estimatet en oddsratio, for rater og antal en rateratio. "
        "Niveauskiftet sammenligner niveauet lige efter indsatsens start med det, tendensen før starten lod "
        "forvente: en rateratio på 0,55 betyder, at raten faldt til 55 % af det forventede; en oddsratio på 0,55 "
        "betyder, at oddsene – andelen divideret med resten, p/(1 − p) – faldt til 55 % af det forventede, hvilket "
        "for en andel på 20 % svarer til et fald til omkring 12 %. Ændringen i tendensen er ratioen pr. år. "
        f"Vurderingen er 'faldende' eller 'stigende', når q < {level}."))
    sentences = []
    for name, g in ef.groupby("initiative", sort=False):
        lvl = g[g["method"] == "its_level"]
        if lvl.empty:
            continue
        r = lvl.iloc[0]
        ind = catalogue.get(r["indicator"])
        what = ind.in_sentence
        ratio = ratio_name(r["indicator"])
        stats_text = (f"{ratio} {formatting.number(r['estimate'], 2)}, {ci} "
                      f"{formatting.interval(r['ci_low'], r['ci_high'], decimals=2)}, "
                      f"q = {formatting.number(r['q_value'], 3)}")
        unit_text = _in_unit(rep, r, name)
        if r["direction"] in (screening.RISING, screening.FALLING):
            word = "faldt" if r["direction"] == screening.FALLING else "steg"
            subject = "oddsene" if ind.kind == "share" else ("raten" if ind.kind == "rate" else "antallet")
            sentences.append(f"Ved starten af «{name}» {word} {what}: {subject} var "
                             f"{formatting.percent(r['estimate'], 0)} af det forventede ({stats_text}); ændringen er "
                             f"statistisk sikker.{unit_text}")
        else:
            sentences.append(f"For «{name}» er der ingen statistisk sikker ændring i {what} ved starten "
                             f"({stats_text}).")
    rep.text(" ".join(sentences))
    return ef


def ratio_name(indicator_id: str) -> str:
    """What an effect or trend estimate of the indicator is: an odds ratio for shares, a rate ratio otherwise."""
    return "oddsratio" if catalogue.get(indicator_id).kind == "share" else "rateratio"


def _in_unit(rep: Report, effect: pd.Series, name: str) -> str:
    """The level shift in the indicator's own unit: the level in the year before the start, and that level moved
    by the estimate and its interval (' Det svarer til, at omgørelsesprocenten gik fra 22,0 % til omkring 13,4 %
    (95 %-konfidensinterval 9,8–18,0 %).'); '' when the year before has no data or rests on hidden counts."""
    from datetime import timedelta

    ind = catalogue.get(effect["indicator"])
    if ind.kind not in ("share", "rate"):
        return ""
    start = pd.Timestamp(effect["start"]).date()
    where = {"forvaltning": effect["forvaltning"]}
    if isinstance(effect.get("area"), str):
        where["area"] = effect["area"]
    df = common.totals(common.compute(rep, [ind.id], "month", start - timedelta(days=365), start - timedelta(days=1),
                                      by=tuple(where), where=where))
    frame = pd.DataFrame({"numerator": [df["numerator"].fillna(0).sum()],
                          "denominator": [df["denominator"].fillna(0).sum()]})
    d = disclosure.disclose(frame, counts=["numerator", "denominator"], row_totals=False,
                            denominators={"denominator": ["numerator"]} if ind.kind == "share" else None)
    x, n = d.number("numerator")[0], d.number("denominator")[0]
    if not (np.isfinite(x) and np.isfinite(n)) or n <= 0:
        return ""
    before = x / n

    def moved(ratio):
        if ind.kind == "share":
            odds = before / (1 - before) * ratio if before < 1 else np.inf
            return odds / (1 + odds)
        return before * ratio * 1000

    fmt = (lambda v: formatting.percent(v, 1)) if ind.kind == "share" else (lambda v: formatting.number(v, 1))
    b = before if ind.kind == "share" else before * 1000
    unit = "" if ind.kind == "share" else " pr. 1.000 afgørelser"
    return (f" Regnet fra niveauet året før starten ({fmt(b)}{unit}) svarer det til omkring "
            f"{fmt(moved(effect['estimate']))}{unit} ({common.conf_text(rep)}-konfidensinterval "
            f"{fmt(moved(effect['ci_low']))}–{fmt(moved(effect['ci_high']))}).")
