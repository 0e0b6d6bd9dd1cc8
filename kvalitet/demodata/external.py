"""Data from outside the case systems: Borgerrådgiver inquiries, satisfaction, the Danmarkskort,
the FOKUS recommendations and the manual risk assessments."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..contract import RECOMMENDATION_STATUSES
from .draw import _after_as_of_to_nat, _ns, _serial_ids
from .setting import AREAS, FIRST_YEAR, FORVALTNINGER, LAST_YEAR, _AS_OF64, _DAY, _DK_ANCHORS, _DK_AREAS, _INQUIRY_CATEGORIES, _INQUIRY_FORVALTNING_SHARE, _INQUIRY_PUBLISHED, _INQUIRY_TOTALS, _MUNICIPALITIES, _RECOMMENDATIONS


def _inquiries(rng: np.random.Generator) -> pd.DataFrame:
    codes = np.array(list(_INQUIRY_FORVALTNING_SHARE), dtype=object)
    shares = np.array(list(_INQUIRY_FORVALTNING_SHARE.values()))
    cats = np.array(list(_INQUIRY_CATEGORIES), dtype=object)
    cat_p = np.array([v[0] for v in _INQUIRY_CATEGORIES.values()])
    crit_p = np.array([v[1] for v in _INQUIRY_CATEGORIES.values()])
    parts = []
    for year in range(FIRST_YEAR, LAST_YEAR + 1):
        total = _INQUIRY_TOTALS[year]
        n = total if year in _INQUIRY_PUBLISHED else int(rng.poisson(total))
        start = np.datetime64(f"{year}-01-01")
        length = 366 if year % 4 == 0 else 365
        received = np.sort(start + rng.integers(0, length, n))
        which = rng.choice(cats.size, n, p=cat_p / cat_p.sum())
        days = np.ceil(rng.lognormal(np.log(40.0), 0.6, n)).astype(np.int64)
        closed = _after_as_of_to_nat(received + days * _DAY)
        crit = pd.array(rng.random(n) < crit_p[which], dtype="boolean")
        crit[np.isnat(closed)] = pd.NA
        parts.append(pd.DataFrame({
            "forvaltning": rng.choice(codes, n, p=shares / shares.sum()),
            "received": received, "closed": closed, "category": cats[which], "criticism": crit,
        }))
    df = pd.concat(parts, ignore_index=True)
    received = df["received"].to_numpy()
    df["inquiry_id"] = _serial_ids("BR", received, 4)
    df["received"] = _ns(received)
    df["closed"] = _ns(df["closed"].to_numpy())
    for col in ("inquiry_id", "forvaltning", "category"):
        df[col] = df[col].astype("str")
    return df


def _satisfaction(rng: np.random.Generator) -> pd.DataFrame:
    units: list[tuple[str, str]] = []
    for a in AREAS:
        if (a.forvaltning, a.unit) not in units:
            units.append((a.forvaltning, a.unit))
    rows = []
    for f, u in units:
        level = rng.uniform(0.65, 0.85)
        size = int(rng.integers(150, 600))
        for year in range(FIRST_YEAR, LAST_YEAR + 1):
            respondents = int(rng.poisson(size))
            rows.append({"forvaltning": f, "unit": u, "survey": "Brugertilfredshedsundersøgelse",
                         "period": str(year), "respondents": respondents,
                         "satisfied": int(rng.binomial(respondents, level))})
    df = pd.DataFrame(rows)
    for col in ("forvaltning", "unit", "survey", "period"):
        df[col] = df[col].astype("str")
    return df.astype({"respondents": "int64", "satisfied": "int64"})


def _municipal_appeals(rng: np.random.Generator, towns: dict | None = None) -> pd.DataFrame:
    """The Danmarkskort rows of ``towns`` (kommune -> inhabitants in thousands; default the 15 public-data
    kommuner)."""
    rows = []
    for m, pop in (_MUNICIPALITIES if towns is None else towns).items():
        offset = rng.normal(0.0, 0.3)  # the kommune's own level (logit scale)
        for area, (per_1000, national) in _DK_AREAS.items():
            for year in range(2017, LAST_YEAR + 1):
                p = _DK_ANCHORS.get((m, year, area))
                if p is None:
                    logit = np.log(national / (1 - national)) + offset + rng.normal(0.0, 0.15)
                    p = 1 / (1 + np.exp(-logit))
                merits = max(3, int(rng.poisson(per_1000 * pop)))
                reversed_ = int(rng.binomial(merits, p))
                remitted = int(rng.binomial(reversed_, 0.55))
                dismissed = int(rng.poisson(0.08 * merits))
                rows.append({"municipality": m, "year": year, "area": area, "upheld": merits - reversed_,
                             "changed": reversed_ - remitted, "remitted": remitted, "dismissed": dismissed,
                             "total": merits + dismissed})
    df = pd.DataFrame(rows)
    missing_total = rng.random(len(df)) < 0.15
    df["dismissed"] = df["dismissed"].astype("Int64")
    df["total"] = df["total"].astype("Int64")
    df.loc[missing_total, "total"] = pd.NA
    for col in ("municipality", "area"):
        df[col] = df[col].astype("str")
    return df.astype({"year": "int64", "upheld": "int64", "changed": "int64", "remitted": "int64"})


def _recommendations(rng: np.random.Generator) -> pd.DataFrame:
    texts = np.array(_RECOMMENDATIONS, dtype=object)
    done = {2013: 0.90, 2015: 0.85, 2017: 0.75, 2019: 0.60, 2021: 0.45, 2023: 0.20}
    rows = []
    for f in FORVALTNINGER:
        for year, p_done in done.items():
            n = int(rng.integers(3, 7))
            chosen = rng.choice(texts.size, n, replace=False)
            for number, t in enumerate(chosen, start=1):
                u = rng.random()
                if u < p_done:
                    status = RECOMMENDATION_STATUSES[0]
                elif u < p_done + (1 - p_done) * 2 / 3:
                    status = RECOMMENDATION_STATUSES[1]
                else:
                    status = RECOMMENDATION_STATUSES[2]
                lo = np.datetime64(f"{year + 1}-01-01")
                updated = lo + int(rng.integers(0, (_AS_OF64 - lo).astype(np.int64) + 1))
                if rng.random() < 0.1:
                    updated = np.datetime64("NaT")
                rows.append({"forvaltning": f, "evaluation_year": year, "number": number, "text": texts[t],
                             "status": status, "updated": updated})
    df = pd.DataFrame(rows)
    df["updated"] = _ns(df["updated"].to_numpy().astype("datetime64[D]"))
    for col in ("forvaltning", "text", "status"):
        df[col] = df[col].astype("str")
    return df.astype({"evaluation_year": "int64", "number": "int64"})


def _risk_assessments(rng: np.random.Generator, effects: dict) -> pd.DataFrame:
    rows = []
    for a in AREAS:
        scores = rng.integers(1, 4, 3)
        audit_effect = effects.get(("audits", a.forvaltning, a.area))
        case_effect = effects.get(("cases", a.forvaltning, a.area))
        for year in range(FIRST_YEAR, LAST_YEAR + 1):
            change = rng.random(3) < 0.2
            scores = np.clip(scores + np.where(change, rng.choice([-1, 1], 3), 0), 1, 3)
            economy, legal, it = (int(s) for s in scores)
            note = None
            if audit_effect and year >= 2016:
                legal = 3
                note = "Høj fejlandel i stikprøverne: intensiveret tilsyn"
            if case_effect:
                y0 = int(case_effect["start"][:4])
                y1 = int(case_effect["end"][:4])
                if y0 <= year <= y1 + 1:
                    economy, legal = 3, 3
                    note = "Sagspukkel: lange sagsbehandlingstider"
            assessed = np.datetime64(f"{year}-03-01") + int(rng.integers(0, 30))
            missing = rng.random(3) < 0.04
            rows.append({"forvaltning": a.forvaltning, "area": a.area, "assessed": assessed,
                         "economy": pd.NA if missing[0] else economy, "legal": pd.NA if missing[1] else legal,
                         "it": pd.NA if missing[2] else it, "note": note})
    df = pd.DataFrame(rows)
    df["assessed"] = _ns(df["assessed"].to_numpy().astype("datetime64[D]"))
    for col in ("economy", "legal", "it"):
        df[col] = df[col].astype("Int64")
    for col in ("forvaltning", "area"):
        df[col] = df[col].astype("str")
    df["note"] = pd.array(df["note"].to_numpy(dtype=object), dtype="str")
    return df
