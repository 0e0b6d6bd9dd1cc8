"""Sections of the risk picture (risikobillede): the tiers of risikobaseret ledelsestilsyn as a matrix with their
reasons."""

from __future__ import annotations

import re

import pandas as pd

from .. import charts, disclosure, formatting, narrative, risk
from ..present import Report
from . import common

TABLES = ["risk_assessments"]


def risk_matrix(rep: Report, forvaltning: str | None) -> pd.DataFrame:
    """Every area's manual scores and tier as a coloured matrix, the reasons in a table, and a summary sentence."""
    sc = common.scope(rep, forvaltning)
    t = risk.tiers(rep.con, rep.organisation, rep.as_of, sc.where)
    if t.empty:
        common.no_data(rep, "Risikobillede")
        return t
    t = t.sort_values(["tier", "points"], ascending=False).reset_index(drop=True)
    rows = [common._short(a, 30) if forvaltning else f"{f}: {common._short(a, 26)}" for f, a in
            zip(t["forvaltning"], t["area"])]
    signals = (t["points"] - t[["economy", "legal", "it"]].fillna(0).apply(
        lambda col: col.map({3: 2, 2: 1}).fillna(0)).sum(axis=1)).clip(lower=0)
    # scores and tiers are assessments, not counts of persons: disclosed as they are
    scores = disclosure.disclose(pd.DataFrame({"row": rows, "Økonomi": t["economy"].astype(float),
                                               "Jura": t["legal"].astype(float), "IT": t["it"].astype(float),
                                               "tier": t["tier"].astype(float)}))
    counts = t["tier"].value_counts()
    n3, n2, n1 = (int(counts.get(k, 0)) for k in (3, 2, 1))
    title = (f"{narrative.count_phrase(n3, 'område', 'områder')} kræver intensiveret tilsyn, {n2} tilsyn og "
             f"{n1} overvågning"
             if n3 else f"Intet område kræver intensiveret tilsyn; {n2} tilsyn og {n1} overvågning")
    fig = charts.risk_matrix(scores, "row", ["Økonomi", "Jura", "IT"], "tier", title=title, source=rep.source,
                             as_of_label=rep.as_of_label)
    rep.figure(fig, alt=(f"Risikomatrix: én række pr. område med den manuelle vurdering af økonomi, jura og it "
                         f"(1 lav – 3 høj) og tilsynsniveauet (1 overvågning, 2 tilsyn, 3 intensiveret tilsyn). "
                         f"{title}. Niveau 3: " + (", ".join(r for r, k in zip(rows, t["tier"]) if k == 3) or "ingen")
                         + "."))
    table = pd.DataFrame({
        **({"Forvaltning": t["forvaltning"]} if not forvaltning else {}),
        "Område": t["area"],
        "Seneste vurdering": t["assessed"].map(formatting.long_date),
        "Point": t["points"].astype(int).astype(str),
        "Tilsynsniveau": t["tier"].astype(str) + " " + t["tier_name"],
        "Begrundelse": disclosed_reasons(rep, t, sc),
    })
    rule = rep.organisation.thresholds.risk
    rep.table(disclosure.disclose(table), "Tilsynsniveau pr. område med begrundelse", note=(
        f"Point: hver score 3 i den manuelle risikovurdering giver {_points(rule.manual_high_points)}, hver score 2 "
        f"giver {_points(rule.manual_medium_points)}; hvert tegn i data for det seneste år (fejlandel over tærsklen, "
        "omgørelsesprocent over mål, andel inden for servicemål under mål, udvikling i den forkerte retning) giver "
        f"{_points(rule.signal_points)}, og en fejlandel sikkert over tærsklen "
        f"{_points(rule.surely_over_points)} mere. {_points(rule.tier3_from)} eller mere giver niveau 3, "
        f"{_range(rule.tier2_from, rule.tier3_from - 1)} niveau 2."))
    data_driven = int((signals > 0).sum())
    rep.text(f"{formatting.count(data_driven)} af {formatting.count(len(t))} områder har tegn i data (ikke kun i den "
             "manuelle vurdering), der trækker tilsynsniveauet op.")
    return t


def _points(n: int) -> str:
    return f"{n} point"


def _range(lo: int, hi: int) -> str:
    return f"{lo} point" if lo >= hi else f"{lo}-{hi} point"


#: the reasons of kvalitet.risk that quote a share, and the indicator behind it
_QUOTED = {"fejlandel i stikprøver": "audit_error_share", "omgørelsesprocent": "appeal_reversal_share",
           "andel inden for servicemål": "service_target_share"}


def disclosed_reasons(rep: Report, t: pd.DataFrame, sc) -> list[str]:
    """The reasons of the risk tiers as published: a share quoted in a reason (e.g. 'fejlandel i stikprøver
    66,7 % over tærsklen 25 %') is replaced by 'x' when it rests on a count under 5, like in every table."""
    from datetime import date

    from ..indicators import make_query

    as_of = make_query(rep.con, "year", ("forvaltning", "area"), None, None, rep.as_of, rep.organisation,
                       sc.where).as_of
    latest = common.totals(common.compute(rep, list(_QUOTED.values()), "year", date(as_of.year, 1, 1), None,
                                          by=("forvaltning", "area"), where=sc.where))
    hidden: set[tuple] = set()
    for ind_id, g in latest.groupby("indicator"):
        d = common.disclose_indicator(g, ind_id)
        for i in range(len(d)):
            if d.is_hidden(i, "value"):
                hidden.add((ind_id, d.values["forvaltning"].iloc[i], d.values["area"].iloc[i]))
    pattern = re.compile(r"(" + "|".join(map(re.escape, _QUOTED)) + r") (\d[\d.,]*\s?%)")

    def scrub(reason: str, fv, area) -> str:
        return pattern.sub(lambda m: f"{m.group(1)} x" if (_QUOTED[m.group(1)], fv, area) in hidden else m.group(0),
                           reason)

    return [scrub(r, fv, ar) for r, fv, ar in zip(t["reasons"], t["forvaltning"], t["area"])]
