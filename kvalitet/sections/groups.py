"""The comparison of groups in the latest period: a table with intervals and targets, a chart, and the test of
whether the groups differ."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import catalogue, charts, disclosure, explore, formatting
from .. import targets as targets_mod
from ..present import Report
from .scope import Scope, compute, has_values, latest_complete, no_data, totals
from ..formatting import fmt_interval, fmt_target, fmt_value, value_unit
from .values import conf_text, level_text, status_text


def compare_groups(rep: Report, sc: Scope, indicator_id: str, period: str, start=None, end=None,
                   level: str = "area", title: str | None = None) -> pd.DataFrame:
    """The latest period of one share or rate, group by group (forvaltninger, or one forvaltning's areas or
    units), with CI, target and status: a table and a dot chart with the whole as a reference line."""
    ind = catalogue.get(indicator_id)
    by = ("forvaltning", "area") if level == "forvaltning_area" else sc.by(level)
    df = totals(compute(rep, [indicator_id], period, start, end, by=by, where=sc.where))
    last = latest_complete(df) if has_values(df) else None
    if last is None:
        no_data(rep, ind.name)
        return pd.DataFrame()
    cur = df[df["period"] == last].copy()
    whole = totals(compute(rep, [indicator_id], period, start, end, by=sc.total_by, where=sc.where))
    whole = whole[whole["period"] == last]
    group_title = sc.group_title("area" if level == "forvaltning_area" else level)
    title_word = group_title.lower()
    if level == "forvaltning_area":
        cur["group"] = (cur["area"].fillna("") if sc.forvaltning else
                        cur["forvaltning"].fillna("") + ": " + cur["area"].fillna("(uden område)"))
        gcol, level = "group", "area"
        group_title = "Område" if sc.forvaltning else "Forvaltning: område"
        title_word = group_title.split(":")[-1].strip().lower()
    else:
        gcol = sc.group_col(level)
    cur = cur[(cur["denominator"].fillna(0) > 0) & cur[gcol].notna()]
    cur = cur.sort_values("value", ascending=ind.better == "lav", na_position="last")  # best first
    if cur.empty:
        no_data(rep, ind.name)
        return pd.DataFrame()
    names = cur[gcol].map(lambda g: g if gcol != "forvaltning" else rep.organisation.name_of(g))
    is_share = ind.unit == catalogue.UNIT_SHARE
    ci = f"{conf_text(rep)}-konfidensinterval"
    frame = pd.DataFrame({
        group_title: names.to_numpy(),
        "Tæller": cur["numerator"].to_numpy(),
        "Nævner": cur["denominator"].to_numpy(),
        ind.name: cur["value"].to_numpy(),
        ci: [fmt_interval(indicator_id, a, b) for a, b in zip(cur["ci_low"], cur["ci_high"])],
        "Mål": [fmt_target(indicator_id, a, b) for a, b in zip(cur["target_low"], cur["target_high"])],
        "Status": cur["status"].map(status_text).to_numpy(),
        "_label": [str(x) for x in cur[gcol]],
        "_short": [_short(x) for x in cur[gcol]],
        "_low": cur["ci_low"].to_numpy(), "_high": cur["ci_high"].to_numpy(),
        "_flag": cur["status"].isin(targets_mod.BAD_STATUSES).to_numpy(),
    })
    if frame["Mål"].eq(formatting.MISSING).all():
        frame = frame.drop(columns=["Mål", "Status"])
    if ind.kind in ("median", "km_median") and cur["numerator"].isna().all():
        frame = frame.drop(columns=["Tæller", ci]).rename(columns={"Nævner": "Antal"})
    d = disclosure.disclose(
        frame, counts=["Tæller", "Nævner", "Antal"],
        derived=[ind.name, ci, "Status", "_low", "_high", "_flag"],
        denominators={"Nævner": ["Tæller"]} if ind.kind == "share" else None, row_totals=False,
        formats={ind.name: lambda v: fmt_value(indicator_id, v)})
    rep.table(d, title or f"{ind.name} pr. {title_word}, {formatting.period_label(last)}",
              note=f"{ind.definition} Tæller: {ind.numerator}. Nævner: {ind.denominator}.")
    tl = cur["target_low"].dropna()
    th = cur["target_high"].dropna()
    target = ((tl.iloc[0] if len(tl) else None), (th.iloc[0] if len(th) else None)) if len(tl) or len(th) else None
    ref = float(whole["value"].iloc[0]) if not whole.empty and pd.notna(whole["value"].iloc[0]) else None
    visible = np.flatnonzero(d.shown([ind.name]))
    period_text = formatting.period_label(last)
    best_word = "lavest" if ind.better == "lav" else "højest"
    if len(visible) == 1:
        only = visible[0]
        head = (f"{ind.name} i {period_text}: {d.values['_label'].iloc[only]} ({d.text(only, ind.name)})")
    elif ind.better in ("lav", "høj") and len(visible):
        top, bottom = visible[0], visible[-1]
        head = (f"{ind.name} i {period_text}: {best_word} i {d.values['_label'].iloc[top]} "
                f"({d.text(top, ind.name)})")
        head += (f", {'højest' if ind.better == 'lav' else 'lavest'} i {d.values['_label'].iloc[bottom]} "
                 f"({d.text(bottom, ind.name)})")
    else:
        head = f"{ind.name} i {period_text} pr. {title_word}"
    fig = charts.dot_ci(
        d, "_short", ind.name, "_low", "_high", title=head, xlabel=ind.name + value_unit(indicator_id),
        percent=is_share, decimals=0, target=target, reference=ref,
        reference_label=f"{sc.name}" if sc.forvaltning else "Hele kommunen", flags="_flag", source=rep.source,
        as_of_label=rep.as_of_label)
    values_text = "; ".join(f"{d.values['_label'].iloc[i]}: {d.text(i, ind.name)}" for i in visible)
    rep.figure(fig, alt=(f"Prikdiagram: {ind.name.lower()} pr. {title_word} i {period_text} med "
                         f"{conf_text(rep)}-konfidensinterval som vandrette linjer."
                         + (f" {values_text}." if values_text else "")))
    sentence = group_tests(rep, d, ind, indicator_id)
    if sentence:
        rep.text(sentence)
    cur = cur.copy()
    cur["hidden"] = ~d.shown([ind.name])  # rows whose value may not be published (callers must not name them)
    return cur


def _short(label: str, width: int = 34) -> str:
    s = str(label)
    return s if len(s) <= width else s[: width - 1] + "…"


def group_tests(rep: Report, d: disclosure.Disclosed, ind, indicator_id: str) -> str:
    """Which groups differ from the rest: each group whose numbers may be published is compared with all the
    other groups together (a z-test for two shares, the exact conditional test for two rates), and the p-values
    are adjusted for the number of groups tested (Benjamini–Hochberg); a group differs when q is below the
    configured level. The sentence says what was tested."""
    if len(d) < 3 or ind.kind not in ("share", "rate") or "Tæller" not in d.columns:
        return ""
    num = pd.to_numeric(d.values["Tæller"], errors="coerce").to_numpy(dtype=float)
    den = pd.to_numeric(d.values["Nævner"], errors="coerce").to_numpy(dtype=float)
    ok = d.shown(["Tæller", "Nævner", ind.name]) & (den > 0) & (den.sum() - den > 0)
    if ok.sum() < 2:
        return ""
    idx = np.flatnonzero(ok)
    x, n = num[idx], den[idx]
    res = explore.against_rest(ind.kind, x, n, np.nansum(num) - x, np.nansum(den) - n)
    q = res["q_value"].to_numpy()
    if ind.kind == "share":
        diff = res["effect"].to_numpy()
        test = "en z-test for to andele"
    else:
        diff = np.log(res["effect"].to_numpy())
        test = "en eksakt betinget test for to rater"
    level = rep.organisation.thresholds.fdr
    high = [str(d.values["_label"].iloc[i]) for i, qq, dd in zip(idx, q, diff) if qq < level and dd > 0]
    low = [str(d.values["_label"].iloc[i]) for i, qq, dd in zip(idx, q, diff) if qq < level and dd < 0]
    how = (f"Hver {'gruppe'} er sammenlignet med de øvrige grupper tilsammen ({test}); p-værdierne er justeret "
           f"for, at {len(idx)} grupper testes på én gang (Benjamini-Hochberg), og en forskel kaldes sikker, når "
           f"q < {level_text(level)}.")
    parts = []
    if high:
        parts.append(f"sikkert højere end de øvrige: {', '.join(high)}")
    if low:
        parts.append(f"sikkert lavere end de øvrige: {', '.join(low)}")
    if not parts:
        return ("Ingen gruppe adskiller sig sikkert fra de øvrige; forskellene kan skyldes tilfældig variation. "
                + how)
    return f"{ind.name}: " + "; ".join(parts) + ". " + how
