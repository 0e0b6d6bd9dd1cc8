"""The municipality's own case data: decisions, complaints, appeals, cases and audits, with the planted effects."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..contract import APPEAL_MERITS, APPEAL_REVERSED, AUDIT_RESULTS, COMPLAINT_KINDS, COMPLAINT_OUTCOMES
from .draw import _after_as_of_to_nat, _cpr, _months, _ns, _scatter, _serial_ids, _share_at, _trend_multiplier
from .setting import AREAS, LAST_YEAR, _AS_OF64, _CHECKLIST_DEFAULT, _CHECKLIST_TMF, _DAY, _TOPICS


# --------------------------------------------------------------------------------------------------- tables
_SEASON = np.array([1.05, 1.00, 1.02, 0.98, 1.00, 0.97, 0.75, 0.90, 1.05, 1.05, 1.03, 0.90])


def _decisions(rng: np.random.Generator) -> pd.DataFrame:
    months = _months()
    month_of_year = months.astype(np.int64) % 12
    labels = np.datetime_as_string(months, unit="M")
    parts = []
    for a in AREAS:
        level = a.decisions_per_month * _SEASON[month_of_year] * rng.lognormal(0.0, 0.05, months.size)
        parts.append(pd.DataFrame({
            "forvaltning": a.forvaltning, "unit": a.unit, "area": a.area,
            "month": labels, "decisions": rng.poisson(level).astype(np.int64),
        }))
    return pd.concat(parts, ignore_index=True)


def _complaints(rng: np.random.Generator, decisions: pd.DataFrame, effects: dict) -> pd.DataFrame:
    months = _months()
    mid_month = months.astype("datetime64[D]") + 14
    parts = []
    for a in AREAS:
        dec = decisions.loc[(decisions["forvaltning"] == a.forvaltning) & (decisions["area"] == a.area),
                            "decisions"].to_numpy()
        mult = _trend_multiplier(effects.get(("complaints", a.forvaltning, a.area)), mid_month)
        mean = dec * a.complaint_rate / 1000.0 * mult * rng.lognormal(0.0, 0.08, months.size)
        counts = rng.poisson(mean)
        received = _scatter(rng, months, counts)
        n = received.size
        kind = rng.choice(np.array(COMPLAINT_KINDS, dtype=object), n, p=[0.35, 0.50, 0.15])
        topic = np.empty(n, dtype=object)
        for k, texts in _TOPICS.items():
            idx = np.flatnonzero(kind == k)
            topic[idx] = rng.choice(np.array(texts, dtype=object), idx.size)
        days = np.ceil(rng.lognormal(np.log(28.0), 0.6, n)).astype(np.int64)
        closed = _after_as_of_to_nat(received + days * _DAY)
        is_closed = ~np.isnat(closed)
        outcome = rng.choice(np.array(COMPLAINT_OUTCOMES, dtype=object), n, p=[0.18, 0.12, 0.57, 0.08, 0.05])
        outcome = np.where(is_closed, outcome, None)
        appealable = (kind != "formalitet") & (outcome == "ikke medhold")
        sent = np.where(is_closed, appealable & (rng.random(n) < 0.35), False)
        sent_arr = pd.array(sent, dtype="boolean")
        sent_arr[~is_closed] = pd.NA
        u = rng.random(n)
        cpr = _cpr(rng, n)
        if a.forvaltning == "TMF":
            other = np.array([f"{x:08d}" for x in rng.integers(10_000_000, 99_999_999, n)], dtype=object)
            other = np.where(rng.random(n) < 0.5, other, None)
        else:
            other = np.full(n, None, dtype=object)
        citizen = np.where(u < 0.70, cpr, other)
        parts.append(pd.DataFrame({
            "forvaltning": a.forvaltning, "unit": a.unit, "area": a.area,
            "received": received, "closed": closed, "kind": kind, "topic": topic,
            "outcome": outcome, "sent_to_appeal": sent_arr, "citizen_id": citizen,
        }))
    df = pd.concat(parts, ignore_index=True)
    df = df.sort_values("received", kind="stable").reset_index(drop=True)
    received = df["received"].to_numpy()
    df["complaint_id"] = _serial_ids("KL", received, 5)
    # a few free-text topics with a CPR number inside (exercises CPR scrubbing at ingest)
    idx = np.sort(rng.choice(len(df), 30, replace=False))
    cprs = _cpr(rng, idx.size)
    topics = df["topic"].to_numpy(dtype=object).copy()
    for j, (i, c) in enumerate(zip(idx, cprs)):
        if j % 3 == 0:
            topics[i] = f"{topics[i]}, borger {c} ringede"
        elif j % 3 == 1:
            topics[i] = f"{topics[i]} (cpr {c.replace('-', '')})"
        else:
            topics[i] = f"Klage fra {c} over: {topics[i].lower()}"
    df["topic"] = topics
    df["received"] = _ns(received)
    df["closed"] = _ns(df["closed"].to_numpy())
    for col in ("complaint_id", "forvaltning", "unit", "area", "kind", "topic", "outcome", "citizen_id"):
        df[col] = df[col].astype("str") if df[col].notna().all() else pd.array(df[col].to_numpy(dtype=object),
                                                                                   dtype="str")
    return df


def _appeals(rng: np.random.Generator, effects: dict) -> pd.DataFrame:
    months = _months()
    merits = np.array(APPEAL_MERITS, dtype=object)
    parts = []
    for a in AREAS:
        if not a.appeals_per_year:
            continue
        counts = rng.poisson(a.appeals_per_year / 12.0, months.size)
        decided = _scatter(rng, months, counts)
        n = decided.size
        wait = np.maximum(14, np.round(rng.lognormal(np.log(110.0), 0.45, n))).astype(np.int64)
        received = decided - wait * _DAY
        p_rev = _share_at(a.reversal_share, effects.get(("appeals", a.forvaltning, a.area)), decided)
        on_merits = rng.random(n) >= 0.08
        reversed_ = rng.random(n) < p_rev
        # reversed: ændret 42 %, ophævet 6 %, hjemvist 52 %
        rev_kind = rng.choice(np.array(APPEAL_REVERSED, dtype=object), n, p=[0.42, 0.06, 0.52])
        non_merit = rng.choice(np.array(["afvist", "henvist", "bortfaldet"], dtype=object), n, p=[0.6, 0.15, 0.25])
        outcome = np.where(on_merits, np.where(reversed_, rev_kind, merits[0]), non_merit)
        if a.forvaltning == "BIF":
            body = np.where(decided < np.datetime64("2013-07-01"), "Beskæftigelsesankenævnet", "Ankestyrelsen")
        else:
            body = np.full(n, "Ankestyrelsen", dtype=object)
        parts.append(pd.DataFrame({
            "forvaltning": a.forvaltning, "unit": a.unit, "area": a.area, "body": body.astype(object),
            "received": received, "decided": decided, "outcome": outcome,
        }))
    df = pd.concat(parts, ignore_index=True).sort_values("decided", kind="stable").reset_index(drop=True)
    decided = df["decided"].to_numpy()
    df["appeal_id"] = _serial_ids("AN", decided, 5)
    df["received"] = _ns(df["received"].to_numpy())
    df["decided"] = _ns(decided)
    for col in ("appeal_id", "forvaltning", "unit", "area", "body", "outcome"):
        df[col] = df[col].astype("str")
    return df


def _cases(rng: np.random.Generator, effects: dict) -> pd.DataFrame:
    months = _months()
    parts = []
    for a in AREAS:
        if not a.cases_per_year:
            continue
        counts = rng.poisson(a.cases_per_year / 12.0 * _SEASON[months.astype(np.int64) % 12])
        opened = _scatter(rng, months, counts)
        n = opened.size
        types = np.array([t for t, _ in a.case_types], dtype=object)
        targets = np.array([-1 if d is None else d for _, d in a.case_types], dtype=np.int64)
        which = rng.integers(0, types.size, n)
        case_type = types[which]
        own_target = targets[which]
        target = np.where(own_target > 0, own_target, a.servicemaal or -1)
        median = np.where(target > 0, 0.8 * target, a.median_days).astype(float)
        duration = rng.lognormal(np.log(median), 0.55, n)
        effect = effects.get(("cases", a.forvaltning, a.area))
        if effect is not None:  # backlog_episode
            in_episode = (opened >= np.datetime64(effect["start"])) & (opened <= np.datetime64(effect["end"]))
            duration = np.where(in_episode, duration * float(effect["processing_multiplier"]), duration)
        long_running = rng.random(n) < 0.01
        duration = np.where(long_running, duration * rng.uniform(6.0, 15.0, n), duration)
        decided = _after_as_of_to_nat(opened + np.maximum(1, np.ceil(duration)).astype(np.int64) * _DAY)
        target_days = pd.array(np.where(own_target > 0, own_target, 0), dtype="Int64")
        target_days[own_target <= 0] = pd.NA
        parts.append(pd.DataFrame({
            "forvaltning": a.forvaltning, "unit": a.unit, "area": a.area, "case_type": case_type,
            "opened": opened, "decided": decided, "target_days": target_days,
        }))
    df = pd.concat(parts, ignore_index=True).sort_values("opened", kind="stable").reset_index(drop=True)
    opened = df["opened"].to_numpy()
    df["case_id"] = _serial_ids("SAG", opened, 6)
    df["opened"] = _ns(opened)
    df["decided"] = _ns(df["decided"].to_numpy())
    for col in ("case_id", "forvaltning", "unit", "area", "case_type"):
        df[col] = df[col].astype("str")
    return df


def _audits(rng: np.random.Generator, effects: dict) -> pd.DataFrame:
    parts = []
    for year in range(2015, LAST_YEAR + 1):
        start = np.datetime64(f"{year}-01-01")
        for a in AREAS:
            effect = effects.get(("audits", a.forvaltning, a.area))
            p = float(effect["value"]) if effect else a.audit_error_share
            n = int(effect.get("audits_per_year", 30)) if effect else 30
            checklist = _CHECKLIST_TMF if a.forvaltning == "TMF" else _CHECKLIST_DEFAULT
            items = np.array([c[0] for c in checklist], dtype=object)
            p_na = np.array([c[1] for c in checklist])
            weight = np.array([c[2] for c in checklist])
            k = items.size
            not_relevant = rng.random((n, k)) < p_na
            has_error = rng.random(n) < p
            n_errors = np.where(rng.random(n) < 0.7, 1, 2)
            score = rng.random((n, k)) ** (1.0 / weight)  # weighted choice of the failing items
            score[not_relevant] = -1.0
            rank = np.argsort(np.argsort(-score, axis=1, kind="stable"), axis=1, kind="stable")
            fejl = has_error[:, None] & (rank < n_errors[:, None]) & ~not_relevant
            result = np.where(not_relevant, AUDIT_RESULTS[2], np.where(fejl, AUDIT_RESULTS[1], AUDIT_RESULTS[0]))
            audit_date = np.sort(start + rng.integers(0, 365, n))
            audit_date = np.minimum(audit_date, _AS_OF64)
            case_no = rng.integers(1, 999_999, n)
            parts.append(pd.DataFrame({
                "year": year,
                "seq_area": np.repeat(np.arange(n), k),
                "case_id": np.repeat([f"SAG-{c:06d}" for c in case_no], k),
                "forvaltning": a.forvaltning, "unit": a.unit, "area": a.area,
                "audit_date": np.repeat(audit_date, k),
                "item": np.tile(items, n), "result": result.ravel().astype(object),
            }))
    df = pd.concat(parts, ignore_index=True)
    df = df.sort_values(["audit_date"], kind="stable").reset_index(drop=True)
    # one audit_id per (year, area, seq) in order of audit date
    audit_key = df["year"].astype(str) + "|" + df["forvaltning"] + "|" + df["area"] + "|" + df["seq_area"].astype(str)
    first = ~audit_key.duplicated()
    numbers = first.groupby(df["year"]).cumsum()
    df["audit_id"] = [f"TS-{y}-{s:04d}" for y, s in zip(df["year"], numbers)]
    df["audit_date"] = _ns(df["audit_date"].to_numpy())
    for col in ("audit_id", "case_id", "forvaltning", "unit", "area", "item", "result"):
        df[col] = df[col].astype("str")
    return df.drop(columns=["year", "seq_area"])
