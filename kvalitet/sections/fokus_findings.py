"""The FOKUS report's sections on what others found: "Anbefalinger og fund" (the findings register: every
recommendation and finding for the forvaltning with its source, year, status, due date, overdue flag, the action
taken and the development of its linked indicators; open findings past their due date first) and
"Borgerrådgiverens kritik" (inquiries closed with criticism by category in the two periods)."""

from __future__ import annotations

import pandas as pd

from .. import catalogue, contract, disclosure, fokus, formatting, narrative
from ..indicators import lookups, tables_as_of
from . import common
from .fokus import FokusReport, comparison_frame

#: the statuses in the order the summary names them
STATUS_ORDER = ("gennemført", "i gang", "ikke påbegyndt", "opgivet")


def findings(fr: FokusReport) -> pd.DataFrame:
    """'Anbefalinger og fund': every recommendation and finding of the register for the forvaltning (source, year,
    kind, text, status, due date, whether it is overdue, the action taken), open findings past their due date
    first, and beside each the development of its linked indicators over the two periods. Findings are not
    persons: their counts are shown as they are."""
    rep, plan, sc = fr.rep, fr.plan, fr.scope
    df = fr.findings
    if df.empty:
        rep.text(f"*Anbefalinger og fund: der er ingen anbefalinger eller fund for {sc.name} i registret "
                 f"(tabellen {contract.TABLES['recommendations'].danish} er tom for forvaltningen).*")
        return df
    dev = linked_development(fr, sorted({i for ids in df["indicators"] for i in ids}))
    table = pd.DataFrame({
        "Kilde og år": [f"{s}, {y}" for s, y in zip(df["source"], df["year"])],
        "Fund": [f"{n}. {t} ({k})" for n, t, k in zip(df["number"], df["text"], df["kind"])],
        "Status": df["status"].to_numpy(),
        "Frist": [formatting.long_date(d) if pd.notna(d) else formatting.MISSING for d in df["due"]],
        "Over fristen": ["✖ ja" if o else "nej" for o in df["overdue"]],
        "Tiltag": [a if isinstance(a, str) and a else formatting.MISSING for a in df["action"]],
        "Udvikling i de tilknyttede indikatorer": [
            "; ".join(dev.get(i, f"{catalogue.get(i).name}: ingen data") for i in ids) if len(ids)
            else formatting.MISSING for ids in df["indicators"]],
    })
    # counts of findings are not persons; the developments come from a disclosed comparison (linked_development)
    rep.table(disclosure.disclose(table), f"Anbefalinger og fund for {sc.name}", note=(
        "Åbne fund over fristen står først, derefter de øvrige åbne og til sidst de afsluttede. Udviklingen er "
        f"indikatorens værdi i {plan.comparison_label} → {plan.label} og vurderingen af ændringen (som i afsnittet "
        "Udvikling og effekt)."))
    # overdue is judged at the register's as-of date (lookups.findings), so the sentence names that date
    rep.text(_findings_summary(df, sc.name, tables_as_of(rep.con, ("recommendations",), rep.as_of)["recommendations"]))
    return df


def _findings_summary(df: pd.DataFrame, name: str, as_of) -> str:
    counts = df["status"].value_counts()
    parts = [f"{formatting.count(counts[s])} {s}" for s in STATUS_ORDER if s in counts]
    text = (f"Registret har {narrative.count_phrase(len(df), 'anbefaling eller fund', 'anbefalinger og fund')} for "
            f"{name}: " + ", ".join(parts) + ".")
    overdue = int(df["overdue"].sum())
    when = f" pr. {formatting.long_date(as_of)}" if as_of else ""
    if overdue:
        text += f" {narrative.count_phrase(overdue, 'åbent fund er', 'åbne fund er')} over fristen{when}."
    else:
        text += f" Ingen åbne fund er over fristen{when}."
    return text


def linked_development(fr: FokusReport, ids: list[str]) -> dict[str, str]:
    """For each indicator id, its development from the comparison period to the current one as a reader sees it
    ('Omgørelsesprocent: 31,2 % → 24,0 %, faldet (forbedring)'); medians, which cannot be summed over years, say so.
    The numbers pass the disclosure rule (under 5 persons: 'skjult (under 5)')."""
    rep, plan = fr.rep, fr.plan
    summable = [i for i in ids if fokus.values.supported(i)]
    out = {i: f"{catalogue.get(i).name}: ikke sammenlignet (en median kan ikke lægges sammen over år)" for i in ids
           if i not in summable}
    if not summable:
        return out
    cmp = fr.comparison
    cmp = cmp[cmp["indicator"].isin(summable) & cmp["subgroup"].isna()].reset_index(drop=True)
    d = comparison_frame(cmp, plan, intervals=False)
    rep.suppressed_any |= d.any_hidden
    p0, p1 = plan.comparison_label, plan.label
    for i, r in enumerate(cmp.itertuples()):
        if d.is_hidden(i, f"Værdi {p1}") or d.is_hidden(i, f"Værdi {p0}"):
            out[r.indicator] = f"{r.name}: skjult (under 5)"
        else:
            out[r.indicator] = (f"{r.name}: {d.text(i, f'Værdi {p0}')} → {d.text(i, f'Værdi {p1}')}, "
                                f"{d.text(i, 'Vurdering')}")
    return out


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
