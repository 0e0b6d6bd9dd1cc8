"""Targets and statuses: each indicator row gets ``target_low``, ``target_high`` and a Danish ``status``.

Targets come from the organisation file (``targets:``; schema in :class:`kvalitet.organisation.Targets`, made from
the catalogue) with these defaults (the catalogue's ``target`` and ``threshold``):

* ``appeal_upheld_share``: 80–85 % (the forvaltning's own målsætning for how often the appeal body, e.g.
  Beskæftigelsesankenævnet, upholds its decisions; above the band is not a missed target);
* ``audit_error_share`` and ``audit_item_error_share``: at most the audit threshold, ``thresholds.audit_error_share``
  (default 25 %), judged with :func:`kvalitet.stats.threshold_status`;
* every other indicator: no target, unless the organisation file gives one (in general, ``per_forvaltning`` or
  ``per_area``). Count targets (måltal for antal klager etc.) are per year and scaled to the period length.

Status words (Danish, what a reader sees):

``opfyldt``               the value lies within the target (≥ low and ≤ high);
``over målet``            above ``high`` (the estimate; the confidence interval reaches back under it);
``sikkert over målet``    the lower confidence limit is above ``high`` too;
``under målet``           below ``low``;  ``sikkert under målet``: the upper confidence limit is below ``low`` too;
``over målbåndet``        above a band (low and high both set) on the good side (the indicator's ``better`` is
                          'høj'): not a missed target, e.g. a stadfæstelsesprocent above 85 %;
``under målbåndet``       the same below a band where lower is better;
``under tærsklen`` / ``over tærsklen`` / ``sikkert over tærsklen``   the audit threshold (threshold_status);
``intet mål``             no target for this row;
``ingen data``            no value (zero denominator or nothing to compute).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from . import catalogue, periods
from .organisation import Band, Organisation, Targets, Thresholds, targets_model
from .stats import threshold_status

STATUS_MET = "opfyldt"
STATUS_OVER = "over målet"
STATUS_SURELY_OVER = "sikkert over målet"
STATUS_UNDER = "under målet"
STATUS_SURELY_UNDER = "sikkert under målet"
STATUS_TH_UNDER = "under tærsklen"
STATUS_TH_OVER = "over tærsklen"
STATUS_TH_SURELY_OVER = "sikkert over tærsklen"
STATUS_ABOVE_BAND = "over målbåndet"
STATUS_BELOW_BAND = "under målbåndet"
STATUS_NO_TARGET = "intet mål"
STATUS_NO_DATA = "ingen data"

STATUSES = (STATUS_MET, STATUS_OVER, STATUS_SURELY_OVER, STATUS_UNDER, STATUS_SURELY_UNDER, STATUS_TH_UNDER,
            STATUS_TH_OVER, STATUS_TH_SURELY_OVER, STATUS_ABOVE_BAND, STATUS_BELOW_BAND, STATUS_NO_TARGET,
            STATUS_NO_DATA)

#: statuses that signal a problem (used by the risk tiers)
BAD_STATUSES = (STATUS_OVER, STATUS_SURELY_OVER, STATUS_UNDER, STATUS_SURELY_UNDER, STATUS_TH_OVER,
                STATUS_TH_SURELY_OVER)



def threshold_indicators() -> tuple[str, ...]:
    """The indicators judged against the audit threshold with threshold_status (catalogue ``threshold``)."""
    return tuple(i.id for i in catalogue.CATALOGUE.values() if i.threshold)


_TH_WORDS = {"under": STATUS_TH_UNDER, "over": STATUS_TH_OVER, "sikkert over": STATUS_TH_SURELY_OVER,
             "ingen data": STATUS_NO_DATA}


def _settings(organisation: Organisation | None) -> tuple[Targets, Thresholds]:
    if organisation is None:
        return targets_model()(), Thresholds()
    return organisation.targets, organisation.thresholds


def target_for(indicator_id: str, forvaltning=None, area=None, organisation: Organisation | None = None,
               period: str = "year") -> tuple[float | None, float | None]:
    """(low, high) for one row: the area override, else the forvaltning override, else the general target.

    Count targets are per year and scaled to the period (months/12).
    """
    targets, thresholds = _settings(organisation)
    t = targets.for_indicator(indicator_id)
    band: Band | None = t
    if t is not None:
        if area is not None and isinstance(area, str) and area in t.per_area:
            band = t.per_area[area]
        elif forvaltning is not None and isinstance(forvaltning, str) and forvaltning in t.per_forvaltning:
            band = t.per_forvaltning[forvaltning]
    low = band.low if band is not None else None
    high = band.high if band is not None else None
    if indicator_id in threshold_indicators() and high is None and low is None:
        high = thresholds.audit_error_share
    if low is None and high is None:
        return None, None
    if catalogue.get(indicator_id).unit == catalogue.UNIT_COUNT:
        f = periods.MONTHS[periods.check_period(period)] / 12.0
        low = None if low is None else low * f
        high = None if high is None else high * f
    return low, high


def apply(frame: pd.DataFrame, organisation: Organisation | None = None, period: str = "year",
          codes: dict | None = None) -> pd.DataFrame:
    """Add ``target_low``, ``target_high`` and ``status`` to a tidy indicator frame and return it.

    ``codes``: the ``pd.factorize(column, use_na_sentinel=True)`` of some of its columns, when the caller has them
    (so a large frame is not factorized twice)."""
    _, thresholds = _settings(organisation)
    n = len(frame)
    low = np.full(n, np.nan)
    high = np.full(n, np.nan)
    if n == 0:
        frame["target_low"] = low
        frame["target_high"] = high
        frame["status"] = pd.Series([], dtype=object)
        return frame
    # one target_for() per distinct (indicator, forvaltning, area), spread to the rows by integer codes
    given, codes, uniques = codes or {}, [], []
    for c in ("indicator", "forvaltning", "area"):
        k, u = given[c] if c in given else pd.factorize(frame[c].to_numpy(dtype=object), use_na_sentinel=True)
        codes.append(k.astype(np.int64) + 1)  # 0: missing
        uniques.append([None] + [x if isinstance(x, str) or pd.notna(x) else None for x in u])
    combined = (codes[0] * len(uniques[1]) + codes[1]) * len(uniques[2]) + codes[2]
    row_key, distinct = pd.factorize(combined)
    lows = np.full(len(distinct), np.nan)
    highs = np.full(len(distinct), np.nan)
    n1, n2 = len(uniques[1]), len(uniques[2])
    for j, c in enumerate(distinct):
        c = int(c)
        ind, fv, ar = uniques[0][c // (n1 * n2)], uniques[1][(c // n2) % n1], uniques[2][c % n2]
        lo, hi = target_for(ind, fv, ar, organisation, period)
        lows[j] = np.nan if lo is None else lo
        highs[j] = np.nan if hi is None else hi
    low = lows[row_key]
    high = highs[row_key]
    # explicit per-row targets (servicemål tiers) set by the engine win
    if "_target_low" in frame:
        extra = pd.to_numeric(frame["_target_low"], errors="coerce").to_numpy(dtype=float)
        low = np.where(np.isnan(extra), low, extra)
    value = pd.to_numeric(frame["value"], errors="coerce").to_numpy(dtype=float)
    ci_low = pd.to_numeric(frame["ci_low"], errors="coerce").to_numpy(dtype=float)
    ci_high = pd.to_numeric(frame["ci_high"], errors="coerce").to_numpy(dtype=float)
    ci_low_c = np.where(np.isnan(ci_low), value, ci_low)
    ci_high_c = np.where(np.isnan(ci_high), value, ci_high)
    # statuses as positions in STATUSES (small integers), turned into the words once at the end
    code = {w: i for i, w in enumerate(STATUSES)}
    status = np.full(n, code[STATUS_NO_TARGET], dtype=np.int8)
    has = ~np.isnan(low) | ~np.isnan(high)
    with np.errstate(invalid="ignore"):
        over = ~np.isnan(high) & (value > high)
        under = ~np.isnan(low) & (value < low)
        status[has] = code[STATUS_MET]
        status[over] = code[STATUS_OVER]
        status[over & (ci_low_c > high)] = code[STATUS_SURELY_OVER]
        status[under] = code[STATUS_UNDER]
        status[under & (ci_high_c < low)] = code[STATUS_SURELY_UNDER]
        # beyond a band on the good side is not a missed target (a stadfæstelsesprocent above 85 %)
        # per distinct indicator (code 0: missing), spread to the rows by its code
        better = [""] + [catalogue.get(i).better if i in catalogue.CATALOGUE else "" for i in uniques[0][1:]]
        band = ~np.isnan(low) & ~np.isnan(high)
        status[over & band & np.array([b == "høj" for b in better], dtype=bool)[codes[0]]] = code[STATUS_ABOVE_BAND]
        status[under & band & np.array([b == "lav" for b in better], dtype=bool)[codes[0]]] = code[STATUS_BELOW_BAND]
    is_th = np.array([False] + [i in threshold_indicators() for i in uniques[0][1:]], dtype=bool)[codes[0]]
    th = is_th & ~np.isnan(high) & ~np.isnan(value)
    if th.any():
        num = pd.to_numeric(frame["numerator"], errors="coerce").to_numpy(dtype=float)
        den = pd.to_numeric(frame["denominator"], errors="coerce").to_numpy(dtype=float)
        th_code = {k: code[w] for k, w in _TH_WORDS.items()}
        for h in np.unique(high[th]):
            sel = th & (high == h)
            res = threshold_status(num[sel], den[sel], threshold=float(h), conf=thresholds.conf)
            words, at = np.unique(np.atleast_1d(res).astype(str), return_inverse=True)
            status[sel] = np.array([th_code[w] for w in words], dtype=np.int8)[at]
    status[np.isnan(value)] = code[STATUS_NO_DATA]
    status = np.array(STATUSES, dtype=object)[status]
    frame["target_low"] = low
    frame["target_high"] = high
    frame["status"] = status
    if "_target_low" in frame:
        frame = frame.drop(columns="_target_low")
    return frame
