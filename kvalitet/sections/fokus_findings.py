"""The FOKUS report's sections on what others found: "Anbefalinger og fund" (the findings register: every
recommendation and finding for the forvaltning with its source, year, status, due date, overdue flag, the action
taken and the development of its linked indicators; open findings past their due date first) and
"Borgerrådgiverens kritik" (inquiries closed with criticism by category in the two periods)."""

from __future__ import annotations

import pandas as pd

from .. import disclosure, formatting, narrative
from ..indicators import lookups
from . import common
from .fokus import FokusReport


def criticism(fr: FokusReport) -> pd.DataFrame:
    """Inquiries closed with criticism by category, the comparison period beside the current one: counts closed,
    with criticism and the share; a total row, and the change of the total share tested (z-test). Inquiries are
    persons' cases: counts under 5 are hidden, and the shares that rest on them."""
    rep, plan, sc = fr.rep, fr.plan, fr.scope
    ends = (min(plan.end, rep.as_of) if rep.as_of else plan.end)
    before = lookups.criticism_by_category(rep.con, plan.comparison_start, plan.comparison_end, fr.forvaltning)
    now = lookups.criticism_by_category(rep.con, plan.start, ends, fr.forvaltning)
    if before.empty and now.empty:
        rep.text(f"*Borgerrådgiverens kritik: ingen henvendelser til Borgerrådgiveren om {sc.name} i "
                 f"{plan.comparison_label} eller {plan.label}.*")
        return pd.DataFrame()
    both = before.merge(now, on="category", how="outer", suffixes=("_0", "_1")).fillna(0)
    both = both.sort_values(["criticism_1", "criticism_0", "category"], ascending=[False, False, True])
    total = pd.DataFrame([{"category": "I alt", **{c: both[c].sum() for c in both.columns if c != "category"}}])
    both = pd.concat([both, total], ignore_index=True)
    p0, p1 = plan.comparison_label, plan.label
    cols = {"category": "Kategori", "closed_0": f"Afsluttet {p0}", "criticism_0": f"Med kritik {p0}",
            "closed_1": f"Afsluttet {p1}", "criticism_1": f"Med kritik {p1}"}
    frame = both.rename(columns=cols)[list(cols.values())]
    for c in list(cols.values())[1:]:
        frame[c] = frame[c].astype(int)
    share0, share1 = f"Andel med kritik {p0}", f"Andel med kritik {p1}"
    frame.insert(3, share0, _share(frame[cols["criticism_0"]], frame[cols["closed_0"]]))
    frame[share1] = _share(frame[cols["criticism_1"]], frame[cols["closed_1"]])
    d = disclosure.disclose(
        frame, counts=[cols[c] for c in ("closed_0", "criticism_0", "closed_1", "criticism_1")],
        derived={share0: [cols["closed_0"], cols["criticism_0"]], share1: [cols["closed_1"], cols["criticism_1"]]},
        denominators={cols["closed_0"]: [cols["criticism_0"]], cols["closed_1"]: [cols["criticism_1"]]},
        row_totals=False, column_totals=True,
        formats={share0: lambda v: formatting.percent(v, 1), share1: lambda v: formatting.percent(v, 1)})
    per_year = (f" Antallene er for hele perioderne ({plan.comparison_years} år mod {plan.years}); andelene kan "
                "sammenlignes direkte." if plan.comparison_years != plan.years else "")
    rep.table(d, f"Henvendelser med kritik pr. kategori, {sc.name}", note=(
        "Henvendelser til Borgerrådgiveren, der er afsluttet i perioden, og hvor mange af dem Borgerrådgiveren "
        "udtalte kritik i." + per_year))
    last = len(d) - 1
    both_rows = disclosure.disclose(
        pd.DataFrame({"period": [p0, p1],
                      "numerator": [int(frame[cols["criticism_0"]].iloc[last]),
                                    int(frame[cols["criticism_1"]].iloc[last])],
                      "denominator": [int(frame[cols["closed_0"]].iloc[last]),
                                      int(frame[cols["closed_1"]].iloc[last])]}),
        counts=["numerator", "denominator"], denominators={"denominator": ["numerator"]}, row_totals=False)
    ch = narrative.share_change(both_rows, 0, 1, alpha=common.alpha(rep))
    rep.text(narrative.change_sentence(ch, "andelen af henvendelser med kritik", fmt=formatting.percent))
    return frame


def _share(x: pd.Series, n: pd.Series) -> pd.Series:
    return (x / n.where(n > 0)).astype(float)
