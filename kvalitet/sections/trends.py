"""Trend results for a report: the screening's trend tests per group, and the sentence naming the statistically
sure ones."""

from __future__ import annotations

import pandas as pd

from .. import catalogue, disclosure, formatting, screening
from ..present import Report
from .scope import Scope
from .values import conf_text, level_text


#: the primary method per kind of indicator (the catalogue's; each entry's ``trend_method``)
PRIMARY_METHOD = catalogue.PRIMARY_METHOD
#: what the estimate of each method is (a rate ratio for rates and counts, an odds ratio for shares)
METHOD_WORDS = {"poisson_glm": "rateratio pr. år", "binomial_glm": "oddsratio pr. år",
                "mann_kendall": "dage pr. år (Sens hældning)"}
#: the reading of a ratio of 1,05 per method, for the notes under the tables
RATIO_READING = {
    "poisson_glm": "en rateratio på 1,05 betyder, at raten (for antal: antallet) er 5 % højere for hvert år",
    "binomial_glm": "en oddsratio på 1,05 betyder, at oddsene – andelen divideret med resten, p/(1 − p) – er 5 % "
                    "højere for hvert år; for en andel på 20 % svarer det til omkring 0,8 procentpoint højere pr. år",
}


def trends(rep: Report, sc: Scope, ids: list[str], period: str = "year", start=None, end=None,
           level: str = "area", by_group: bool = True) -> pd.DataFrame:
    """The trend screening for the scope (and its groups), one row per series with its primary method; q-values
    across everything tested here (Benjamini–Hochberg)."""
    by = sc.by(level) if by_group else sc.total_by
    tr, _ = screening.run(rep.con, ids, period=period, by=by, start=start, end=end, as_of=rep.as_of,
                          organisation=rep.organisation, where=sc.where, initiatives=False)
    if tr.empty:
        rep.text("*Tendenser: ingen serier at teste.*")
        return tr
    tr = tr[tr["subgroup"].isna()].copy()
    tr["primary"] = tr["indicator"].map(lambda i: catalogue.get(i).trend_method)
    tr = tr[tr["method"] == tr["primary"]]
    gcol = sc.group_col(level) if by_group else None
    table = pd.DataFrame({
        "Indikator": tr["indicator"].map(lambda i: catalogue.get(i).name),
        **({sc.group_title(level): tr[gcol].fillna(sc.name)} if gcol else {}),
        "Perioder": [f"{formatting.period_label(a)}–{formatting.period_label(b)}" if a and b else formatting.MISSING
                     for a, b in zip(tr["first_period"], tr["last_period"])],
        "Mål for ændringen": tr["method"].map(METHOD_WORDS),
        "Ændring pr. år": [_estimate(m, e) for m, e in zip(tr["method"], tr["estimate"])],
        f"{conf_text(rep)}-konfidensinterval": [formatting.interval(a, b, decimals=2) if m != "mann_kendall" else
                                   formatting.interval(a, b, decimals=1)
                                   for m, a, b in zip(tr["method"], tr["ci_low"], tr["ci_high"])],
        "q-værdi": tr["q_value"].map(lambda q: formatting.number(q, 3) if pd.notna(q) else formatting.MISSING),
        "Tendens": tr["direction"],
    })
    level = level_text(rep.organisation.thresholds.fdr)
    rep.table(disclosure.disclose(table), "Tendenser", note=(
        "Ændring pr. år: for rater og antal en rateratio fra en quasi-Poisson-model, for andele en oddsratio fra en "
        f"quasi-binomial model; {RATIO_READING['poisson_glm']}, og {RATIO_READING['binomial_glm']}. For medianer: "
        "Sens hældning i dage pr. år (Mann-Kendall). q-værdien er p-værdien justeret for, at mange serier testes på "
        f"én gang (Benjamini-Hochberg); en tendens kaldes stigende eller faldende, når q < {level}."))
    rep.text(trend_sentence(tr, sc, gcol, rep.organisation.thresholds.fdr))
    return tr


def _estimate(method: str, value) -> str:
    if pd.isna(value):
        return formatting.MISSING
    if method == "mann_kendall":
        return formatting.number(value, 1) + " dage"
    return formatting.number(value, 2)


def trend_sentence(tr: pd.DataFrame, sc: Scope, gcol: str | None, fdr: float = 0.05) -> str:
    sure = tr[tr["direction"].isin([screening.RISING, screening.FALLING])]
    level = level_text(fdr)
    if sure.empty:
        return (f"Ingen af serierne har en statistisk sikker tendens (q < {level}); udsvingene kan skyldes "
                "tilfældig variation.")
    parts = []
    for r in sure.itertuples():
        ind = catalogue.get(r.indicator)
        who = f" i {getattr(r, gcol)}" if gcol and getattr(r, gcol) else ""
        good = ((ind.better == "lav" and r.direction == screening.FALLING)
                or (ind.better == "høj" and r.direction == screening.RISING))
        judge = " (en forbedring)" if good else (" (en forværring)" if ind.better in ("lav", "høj") else "")
        parts.append(f"{ind.in_sentence}{who} er {r.direction}{judge}")
    rest = len(tr) - len(sure)
    tail = f" De øvrige {rest} serier har ingen statistisk sikker tendens." if rest else ""
    return f"Statistisk sikre tendenser (q < {level}): " + "; ".join(parts) + "." + tail
