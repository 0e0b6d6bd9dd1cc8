"""Validation of one file against the contract: file rules, personal data, parsing and row rules.

The result splits every row read into exactly one of: a valid row (to be inserted, updated or found unchanged by the
store), an identical copy collapsed into another row, or a quarantined row with its reason in Danish. Nothing is
dropped or "fixed": a value is either read as it stands or the row is quarantined with a reason that names the
column and the value (CPR numbers already masked).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from . import catalogue, contract, municipalities
from .contract import Column, Table
from .errors import FileRefused
from .organisation import Organisation
from .pii import Pseudonymiser, scrub_series, scrub_text
from .readers import RawTable

_DATE_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$")
_DATE_DMY_DASH = re.compile(r"^(\d{1,2})-(\d{1,2})-(\d{4})$")
_DATE_DMY_DOT = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$")
_DATE_DMY_SLASH = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
_MONTH = re.compile(r"^(\d{4})-(\d{1,2})(?:-0?1)?$")
_INT_PLAIN = re.compile(r"^[+-]?\d+$")
_INT_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(?:\.\d{3})+$")
_INT_DECIMAL_ZERO = re.compile(r"^[+-]?\d+[,.]0+$")
_PERIOD = re.compile(r"^(\d{4})(?:-(\d{2})|[Qq]([1-4])|[Hh]([12])|-(\d{4}))?$")
_BOOLS = {"ja": True, "nej": False, "true": True, "false": False, "1": True, "0": False,
          "sand": True, "falsk": False}


@dataclass
class Validated:
    """The outcome of validating one file."""

    table: Table
    #: valid rows, canonical columns, typed; one row per key
    valid: pd.DataFrame
    #: row numbers (as in the file) of the valid rows
    valid_rows: np.ndarray
    #: quarantined rows: row_number, columns, reason, raw (JSON)
    quarantine: pd.DataFrame
    duplicates_collapsed: int
    rows_read: int
    #: headers in the file that are not part of the contract (not loaded)
    ignored_columns: list[str]
    #: header as written in the file for each canonical column present
    header_of: dict[str, str]


class _Reasons:
    """Collects, per row, the columns at fault and the Danish reasons."""

    def __init__(self, n: int):
        self.n = n
        self.texts: dict[int, list[str]] = {}
        self.cols: dict[int, list[str]] = {}

    def add(self, mask: np.ndarray, column: str, make_text) -> None:
        """``make_text(i)`` gives the reason for row position ``i``."""
        self.add_at(np.flatnonzero(mask), column, make_text)

    def add_at(self, positions, column: str, make_text) -> None:
        for i in positions:
            self.texts.setdefault(int(i), []).append(make_text(int(i)))
            cols = self.cols.setdefault(int(i), [])
            if column not in cols:
                cols.append(column)

    def bad(self) -> np.ndarray:
        out = np.zeros(self.n, dtype=bool)
        if self.texts:
            out[list(self.texts)] = True
        return out


def map_headers(table: Table, raw: RawTable) -> tuple[dict[str, str], list[str]]:
    """Canonical column -> frame label; plus the labels not in the contract. Refuses a file missing required
    columns (naming them with the aliases accepted) or naming one column twice."""
    accepted = contract.header_map(table)
    mapping: dict[str, str] = {}
    ignored: list[str] = []
    for label, header in zip(raw.data.columns, raw.headers):
        canon = accepted.get(contract.normalise_header(header))
        if canon is None:
            ignored.append(label)
            continue
        if canon in mapping:
            raise FileRefused(
                f"{raw.path}: kolonnen {canon} står to gange (overskrifterne '{mapping[canon]}' og '{label}')"
            )
        mapping[canon] = label
    missing = [c for c in table.required if c.name not in mapping]
    if missing:
        parts = [f"{c.name} (accepteres også som: {', '.join(c.aliases)})" if c.aliases else c.name for c in missing]
        raise FileRefused(
            f"{raw.path}: tabellen {table.name} ({table.danish}) mangler krævede kolonner: "
            + "; ".join(parts)
            + f". Filens kolonner: {', '.join(raw.headers)}"
        )
    return mapping, ignored


def _clean(values: pd.Series) -> pd.Series:
    """Trim and collapse inner white space; empty becomes None."""
    out = [(" ".join(v.split()) or None) if isinstance(v, str) else None for v in values.to_numpy(dtype=object)]
    return pd.Series(out, index=values.index, dtype=object)


def parse_dates(values: pd.Series) -> pd.Series:
    """Parse the accepted date formats; NaT where a value is missing or not a valid date."""
    s = values.astype("object")
    out = pd.Series(pd.NaT, index=s.index, dtype="datetime64[ns]")
    present = s.notna()
    if not present.any():
        return out
    t = s[present].astype(str)
    ymd = pd.DataFrame(index=t.index, columns=["y", "m", "d"], dtype=object)
    for rx, order in ((_DATE_ISO, "ymd"), (_DATE_DMY_DASH, "dmy"), (_DATE_DMY_DOT, "dmy"), (_DATE_DMY_SLASH, "dmy")):
        ex = t.str.extract(rx)
        hit = ex[0].notna() & ymd["y"].isna()
        if hit.any():
            for pos, part in enumerate(order):
                ymd.loc[hit, part] = ex.loc[hit, pos]
    ok = ymd["y"].notna()
    if ok.any():
        text = ymd.loc[ok, "y"] + "-" + ymd.loc[ok, "m"].str.zfill(2) + "-" + ymd.loc[ok, "d"].str.zfill(2)
        out.loc[text.index] = pd.to_datetime(text, format="%Y-%m-%d", errors="coerce")
    return out


def _calendar_date(y: int, m: int, d: int) -> date | None:
    try:
        return date(y, m, d)
    except ValueError:
        return None


def slash_date_problems(values) -> dict[str, str]:
    """Why some slash dates of one column cannot be read: value -> the rest of the Danish reason.

    A slash date is read day first, ``DD/MM/ÅÅÅÅ`` (``01/02/2024`` is 1 February), as Danish exports write it.
    A value that is no date that way but is one month first (``02/13/2024``) is American ``MM/DD/ÅÅÅÅ``: it is not
    read, and says so. Once a column holds such a value, the column's other slash dates that read as two different
    dates (``01/02/2024``; not ``05/05/2024`` nor ``13/02/2024``) are truly ambiguous and are not read either.
    A column whose slash dates all read day first (however many of them could also be month first) is read day
    first: nothing in it suggests another order."""
    from .formatting import MONTHS

    us_only: dict[str, str] = {}
    both: dict[str, tuple[date, date]] = {}
    for v in values:
        m = _DATE_DMY_SLASH.match(v) if isinstance(v, str) else None
        if m is None:
            continue
        a, b, y = int(m.group(1)), int(m.group(2)), int(m.group(3))
        day_first, month_first = _calendar_date(y, b, a), _calendar_date(y, a, b)
        if day_first is None and month_first is not None:
            us_only[v] = (f"er ikke en dato: med skråstreg læses datoer som DD/MM/ÅÅÅÅ, og måned {b} findes ikke "
                          "(amerikansk MM/DD/ÅÅÅÅ læses ikke); skriv datoen som ÅÅÅÅ-MM-DD")
        elif day_first is not None and month_first is not None and day_first != month_first:
            both[v] = (day_first, month_first)
    if not us_only:
        return {}
    example = _quote(next(iter(us_only)))

    def long(d: date) -> str:
        return f"{d.day}. {MONTHS[d.month - 1]} {d.year}"

    out = dict(us_only)
    for v, (dm, md) in both.items():
        out[v] = (f"er tvetydig: kolonnen har også datoer, der kun kan læses som amerikansk MM/DD/ÅÅÅÅ (f.eks. "
                  f"{example}), så den kan være både {long(dm)} og {long(md)}; skriv datoen som ÅÅÅÅ-MM-DD")
    return out


def parse_months(values: pd.Series) -> pd.Series:
    s = values.astype("object")
    out = pd.Series(pd.NaT, index=s.index, dtype="datetime64[ns]")
    present = s.notna()
    if present.any():
        ex = s[present].astype(str).str.extract(_MONTH)
        ok = ex[0].notna()
        if ok.any():
            text = ex.loc[ok, 0] + "-" + ex.loc[ok, 1].str.zfill(2) + "-01"
            out.loc[text.index] = pd.to_datetime(text, format="%Y-%m-%d", errors="coerce")
    return out


def parse_ints(values: pd.Series) -> pd.Series:
    """Whole numbers; ``1.234`` (thousands dot) and ``12,0`` accepted; <NA> where not a whole number."""
    s = values.astype("object")
    out = pd.Series(pd.NA, index=s.index, dtype="Int64")
    present = s.notna()
    if not present.any():
        return out
    t = s[present].astype(str).str.replace(" ", "", regex=False)
    plain = t.str.match(_INT_PLAIN)
    thousands = ~plain & t.str.match(_INT_THOUSANDS)
    dec_zero = ~plain & ~thousands & t.str.match(_INT_DECIMAL_ZERO)
    norm = t.copy()
    norm[thousands] = t[thousands].str.replace(".", "", regex=False)
    norm[dec_zero] = t[dec_zero].str.replace(r"[,.]0+$", "", regex=True)
    ok = plain | thousands | dec_zero
    if ok.any():
        out.loc[norm[ok].index] = pd.to_numeric(norm[ok]).astype("Int64")
    return out


def parse_bools(values: pd.Series) -> pd.Series:
    s = values.astype("object")
    out = pd.Series(pd.NA, index=s.index, dtype="boolean")
    present = s.notna()
    if present.any():
        mapped = s[present].astype(str).str.casefold().map(_BOOLS)
        ok = mapped.notna()
        out.loc[mapped[ok].index] = mapped[ok].astype(bool)
    return out


def parse_periods(values: pd.Series) -> pd.Series:
    """Period labels normalised: 2024, 2024-01, 2024Q1, 2024H1, 2023-2024; None where not a period."""
    s = values.astype("object")
    out = pd.Series(None, index=s.index, dtype=object)
    present = s.notna()
    if present.any():
        t = s[present].astype(str)
        ex = t.str.extract(_PERIOD)
        ok = ex[0].notna()
        month_ok = ex[1].isna() | ex[1].fillna("00").astype(int).between(1, 12)
        bi_ok = ex[4].isna() | (ex[4].fillna("0").astype(int) == ex[0].fillna("0").astype(int) + 1)
        ok &= month_ok & bi_ok
        out.loc[ok[ok].index] = t[ok].str.upper()
    return out


def _quote(v) -> str:
    return f"'{v}'"


def validate(
    raw: RawTable,
    table: Table,
    organisation: Organisation,
    as_of: date,
    pseudonymiser: Pseudonymiser,
    translate: dict | None = None,
) -> Validated:
    """Apply the file rules and every row rule of the contract to ``raw``. ``translate`` (a source profile's,
    :meth:`kvalitet.profiles.Profile.translators`): per column, distinct cleaned values -> (translated values, why a
    value still unreadable cannot be read); the quarantine keeps the values as the file has them."""
    mapping, ignored = map_headers(table, raw)
    n = len(raw.data)
    header_of = {canon: label for canon, label in mapping.items()}
    reasons = _Reasons(n)

    # 1. Per column, on its distinct values only (exports repeat values a lot): personal data first, so that
    #    nothing below (values, reasons, raw rows) ever sees a CPR number in clear text; then clean and parse.
    #: per column, the values as read with CPR numbers masked or pseudonymised (for the quarantine's raw rows)
    safe: dict[str, _Distinct] = {}
    texts: dict[str, pd.Series] = {}
    #: per column, which rows hold a value (after cleaning)
    present: dict[str, np.ndarray] = {}
    #: per column read from the file: its distinct values typed and as text, and the rows' codes into them
    distinct: dict[str, tuple[pd.Series, _Distinct]] = {}
    typed: dict[str, pd.Series] = {}
    bads: dict[str, np.ndarray] = {}
    #: per column, value -> why it cannot be read (where the type's message would not say enough)
    explain: dict[str, dict[str, str]] = {}
    for col in table.columns:
        if col.name not in mapping:
            texts[col.name] = pd.Series([None] * n, dtype=object)
            typed[col.name], _ = _parse_column(col, texts[col.name], organisation)
            bads[col.name] = present[col.name] = np.zeros(n, dtype=bool)
            continue
        values = raw.data[mapping[col.name]].to_numpy(dtype=object)
        codes, uniques = pd.factorize(values, use_na_sentinel=True)
        u = pd.Series(uniques, dtype=object)
        if col.type == "pii":
            safe_u = text_u = pseudonymiser.series(_clean(u))
        elif col.type == "id":
            safe_u = text_u = pseudonymiser.series(_clean(u), only_cpr=True)
        else:
            safe_u = scrub_series(u)
            text_u = _clean(safe_u)
        if translate and col.name in translate:
            text_u, explain[col.name] = translate[col.name](text_u)
        typed_u, bad_u = _parse_column(col, text_u, organisation)
        if col.type == "date" and (problems := slash_date_problems(text_u)):
            hit = text_u.isin(list(problems)).to_numpy()
            typed_u, bad_u = typed_u.mask(hit), hit | bad_u
            explain[col.name] = {**explain.get(col.name, {}), **problems}
        if col.type == "indicator_ids" and bad_u is not None:
            explain[col.name] = {t: catalogue.ids_problem(t) for t in text_u[bad_u]}
        if col.type == "municipality":  # an unknown kommune: the reason names the closest official names
            explain[col.name] = {v: municipalities.unknown_reason(v) for v in text_u[bad_u]}
        missing = codes < 0
        safe[col.name] = _Distinct(safe_u, codes)
        text_d = _Distinct(text_u, codes)
        texts[col.name], present[col.name] = text_d.spread(), text_d.present()
        typed[col.name] = pd.Series(typed_u.array.take(codes, allow_fill=True))
        distinct[col.name] = (typed_u, text_d)
        bads[col.name] = np.zeros(n, dtype=bool) if bad_u is None else (bad_u[codes] & ~missing)
    for col in table.columns:  # an empty value takes the column's default (the findings register's source, kind)
        if col.default is not None:
            typed[col.name] = typed[col.name].where(texts[col.name].notna(), col.default)
    ignored_safe = {}
    for label in ignored:
        codes, uniques = pd.factorize(raw.data[label].to_numpy(dtype=object), use_na_sentinel=True)
        ignored_safe[label] = _Distinct(scrub_series(pd.Series(uniques, dtype=object)), codes)

    # 2. Row rules on each column.
    as_of_ts = pd.Timestamp(as_of)
    earliest = pd.Timestamp(contract.EARLIEST_DATE)
    for col in table.columns:
        head = header_of.get(col.name, col.name)
        label = col.name if head == col.name else f"{head} ({col.name})"
        text = texts[col.name]
        if bads[col.name].any():
            msg = _type_message(col, organisation)
            why = explain.get(col.name, {})
            reasons.add(bads[col.name], col.name, lambda i, t=text, lb=label, m=msg, w=why: (
                f"{lb}: {_quote(t.iat[i])} {w.get(t.iat[i]) or 'er ikke ' + m}"))
        if col.required:
            reasons.add(~present[col.name], col.name,
                        lambda i, lb=label: f"{lb}: værdien mangler (kolonnen er krævet)")
        v = typed[col.name]
        if col.type in ("date", "month"):
            after = (v > as_of_ts).fillna(False).to_numpy() & (not col.deadline)  # a deadline may be later
            before = (v < earliest).fillna(False).to_numpy()
            reasons.add(after, col.name, lambda i, t=text, lb=label: (
                f"{lb}: {_quote(t.iat[i])} ligger efter opgørelsesdatoen {as_of.isoformat()}"))
            reasons.add(before, col.name, lambda i, t=text, lb=label: f"{lb}: {_quote(t.iat[i])} ligger før år 2000")
        if col.type == "int":
            vv = v.astype("Float64")
            if col.min_value is not None:
                low = (vv < col.min_value).fillna(False).to_numpy(dtype=bool)
                word = "negativt antal" if col.min_value == 0 else f"mindre end {col.min_value}"
                reasons.add(low, col.name, lambda i, t=text, lb=label, w=word: f"{lb}: {_quote(t.iat[i])} er {w}")
            if col.max_value is not None:
                high = (vv > col.max_value).fillna(False).to_numpy(dtype=bool)
                reasons.add(high, col.name, lambda i, t=text, lb=label, mx=col.max_value: (
                    f"{lb}: {_quote(t.iat[i])} er større end {mx}"))
            if col.calendar_year:
                future = (vv > as_of.year).fillna(False).to_numpy(dtype=bool)
                reasons.add(future, col.name, lambda i, t=text, lb=label: (
                    f"{lb}: året {t.iat[i]} ligger efter opgørelsesdatoen {as_of.isoformat()}"))

    def lab(name: str) -> str:
        head = header_of.get(name, name)
        return name if head == name else f"{head} ({name})"

    # 3. Cross-column rules.
    for rule in table.order_rules:
        a, b = typed[rule.earlier], typed[rule.later]
        wrong = (b < a).fillna(False).to_numpy(dtype=bool)
        reasons.add(wrong, rule.later, lambda i, a=a, b=b, r=rule: (
            f"{lab(r.later)}: {b.iat[i].date().isoformat()} ligger før {lab(r.earlier)} {a.iat[i].date().isoformat()}"))
    for col_name, cond in table.required_when:
        # only when the value is truly absent (an unreadable value already has its own reason)
        missing = (texts[col_name].isna() & typed[cond].notna()).to_numpy(dtype=bool)
        reasons.add(missing, col_name, lambda i, c=col_name, k=cond: (
            f"{lab(c)}: mangler, men {lab(k)} er udfyldt (en afsluttet klage skal have et udfald)"))
    for col_name, cond, value, why in table.required_if:
        missing = (texts[col_name].isna() & (typed[cond] == value)).to_numpy(dtype=bool)
        reasons.add(missing, col_name, lambda i, c=col_name, k=cond, v=value, w=why: (
            f"{lab(c)}: mangler, men {lab(k)} er {_quote(v)} ({w})"))
    for small, large in table.not_greater:
        wrong = (typed[small].astype("Float64") > typed[large].astype("Float64")).fillna(False).to_numpy(dtype=bool)
        reasons.add(wrong, small, lambda i, s=small, g=large: (
            f"{lab(s)}: {typed[s].iat[i]} er større end {lab(g)} {typed[g].iat[i]}"))
    for total, parts in table.sum_rules:
        part_sum = sum(typed[p].astype("Float64").fillna(0) for p in parts)
        parts_ok = np.logical_and.reduce([
            typed[p].notna().to_numpy() | texts[p].isna().to_numpy() for p in parts
        ])
        wrong = (typed[total].astype("Float64") != part_sum).fillna(False).to_numpy(dtype=bool) & parts_ok
        reasons.add(wrong, total, lambda i, t=total, ps=parts: (
            f"{lab(t)}: {typed[t].iat[i]} er ikke summen af "
            + " + ".join(lab(p) for p in ps)
            + " = "
            + " + ".join(str(typed[p].iat[i]) if pd.notna(typed[p].iat[i]) else "0" for p in ps)
            + f" = {int(part_sum.iat[i])}"))

    # 3b. Records the reader found suspicious (a quoted field that swallowed lines looking like rows).
    canonical_of = {label: canon for canon, label in mapping.items()}
    for pos, label, reason in raw.suspicious:
        reasons.add_at([pos], canonical_of.get(label, ""), lambda i, r=scrub_text(reason): r)

    frame = pd.DataFrame(typed)
    row_numbers = raw.row_numbers

    # 4. Duplicated keys, over every row read. Identical copies collapse into the first (counted); a key whose
    #    copies differ sends every copy to the quarantine. Values compare as read (typed where readable).
    duplicates_collapsed = 0
    collapsed = np.zeros(n, dtype=bool)
    if n:
        key_cols = list(table.key)
        if all(k in distinct and table.by_name[k].default is None for k in key_cols):
            keys = pd.DataFrame({k: _comparable_codes(*distinct[k]) for k in key_cols})
        else:
            keys = pd.DataFrame({k: _comparable(typed[k], texts[k]) for k in key_cols})
        key_dup = keys.duplicated(keep=False).to_numpy()
        if key_dup.any():
            positions = np.flatnonzero(key_dup)
            dups = pd.DataFrame({
                c.name: _comparable(typed[c.name].iloc[positions], texts[c.name].iloc[positions])
                for c in table.columns
            })
            identical_later = dups.duplicated(keep="first").to_numpy()
            collapsed[positions[identical_later]] = True
            duplicates_collapsed = int(identical_later.sum())
            distinct = dups[~identical_later]
            conflicted = distinct[distinct.duplicated(subset=key_cols, keep=False)]
            conflict_keys = set(map(tuple, conflicted[key_cols].to_numpy()))
            rows_by_key: dict[tuple, list[int]] = {}
            for pos, k in zip(positions, map(tuple, dups[key_cols].to_numpy())):
                rows_by_key.setdefault(k, []).append(int(row_numbers[pos]))
            for pos, k, later in zip(positions, map(tuple, dups[key_cols].to_numpy()), identical_later):
                if k in conflict_keys and not later:
                    others = ", ".join(str(r) for r in rows_by_key[k])
                    key_text = ", ".join(f"{lab(c)}={v}" for c, v in zip(key_cols, k))
                    reasons.add_at([pos], ",".join(key_cols), lambda i, kt=key_text, o=others: (
                        f"nøglen ({kt}) står flere gange i filen med forskellige værdier (rækkerne {o})"))
        for i in np.flatnonzero(collapsed):  # a collapsed copy is accounted as a duplicate, not quarantined
            reasons.texts.pop(int(i), None)
            reasons.cols.pop(int(i), None)
    bad = reasons.bad()
    keep = ~bad & ~collapsed

    # 5. Quarantine records with the raw row (CPR masked, pseudonyms for identifiers).
    q_idx = sorted(reasons.texts)
    raw_cols = [(scrub_text(header_of[c.name]), safe[c.name]) for c in table.columns if c.name in header_of]
    raw_cols += [(scrub_text(label), ignored_safe[label]) for label in ignored]
    q_records = []
    for i in q_idx:
        raw_row = {label: (None if (v := s.at(i)) is None else str(v)) for label, s in raw_cols}
        q_records.append({
            "row_number": int(row_numbers[i]),
            "columns": ",".join(reasons.cols[i]),
            "reason": "; ".join(reasons.texts[i]),
            "raw": json.dumps(raw_row, ensure_ascii=False),
        })
    for rec in raw.rejected:  # records the reader could not split into the header's columns, with its reason
        q_records.append({
            "row_number": int(rec.row_number),
            "columns": "",
            "reason": scrub_text(rec.reason),
            "raw": json.dumps([scrub_text(f) for f in rec.fields], ensure_ascii=False),
        })
    quarantine = pd.DataFrame(q_records, columns=["row_number", "columns", "reason", "raw"])
    quarantine = quarantine.sort_values("row_number", kind="stable").reset_index(drop=True)

    valid = frame[keep].reset_index(drop=True)
    return Validated(
        table=table,
        valid=valid,
        valid_rows=row_numbers[keep],
        quarantine=quarantine,
        duplicates_collapsed=duplicates_collapsed,
        rows_read=raw.rows_read,
        ignored_columns=[scrub_text(raw.headers[list(raw.data.columns).index(lb)] or lb) for lb in ignored],
        header_of=header_of,
    )


def _comparable(typed: pd.Series, text: pd.Series) -> np.ndarray:
    """A value for comparing copies: the typed value where it reads, else the text as written."""
    ok = typed.notna().to_numpy()
    t = typed.to_numpy(dtype=object, copy=True)
    if typed.dtype != object:
        t = np.array([str(v) for v in t], dtype=object)
    unread = np.flatnonzero(~ok)  # the fallback only where needed (a key column reads on almost every row)
    if len(unread):
        t[unread] = ["\u2205" if v is None else "\u2260" + str(v) for v in text.to_numpy(dtype=object)[unread]]
    return t


def _comparable_codes(typed_u: pd.Series, text: "_Distinct") -> np.ndarray:
    """Per row, a code for :func:`_comparable`'s value (equal codes, equal values), computed on the distinct values
    (``typed_u``, ``text.values``) and a row without a value, then spread by the rows' codes."""
    k = len(typed_u)
    typed_ext = pd.Series(typed_u.array.take(np.append(np.arange(k), -1), allow_fill=True))
    text_ext = pd.Series(np.append(text.values, None), dtype=object)
    codes, _ = pd.factorize(_comparable(typed_ext, text_ext))
    return codes[np.where(text.codes < 0, k, text.codes)]


class _Distinct:
    """Values computed on a column's distinct values (``values_u``) and the rows' codes into them (-1: the row had
    no value); a value that cleaned to nothing is None, never NaN."""

    def __init__(self, values_u: pd.Series, codes: np.ndarray):
        arr = values_u.to_numpy(dtype=object)
        self.values = np.where(pd.isna(arr), None, arr) if len(arr) else arr
        self.codes = codes

    def spread(self) -> pd.Series:
        """The value of every row (None where the row had none)."""
        missing = self.codes < 0
        if not len(self.values):
            return pd.Series(np.full(len(self.codes), None, dtype=object), dtype=object)
        out = self.values.take(np.where(missing, 0, self.codes))
        if missing.any():
            out[missing] = None
        return pd.Series(out, dtype=object)

    def present(self) -> np.ndarray:
        """Which rows hold a value."""
        held = np.array([v is not None for v in self.values] + [False], dtype=bool)
        return held[self.codes]  # code -1 reads the False appended

    def at(self, i: int):
        """The value of row ``i`` (None where it had none)."""
        code = self.codes[i]
        return None if code < 0 else self.values[code]


def _type_message(col: Column, organisation: Organisation) -> str:
    if col.type == "category":
        return "en af " + ", ".join(col.categories)
    if col.type == "code":
        return "en forvaltning i organisationsfilen (" + ", ".join(organisation.codes) + ")"
    return contract.TYPE_NAMES_DA.get(col.type, col.type)


def _parse_column(col: Column, text: pd.Series, organisation: Organisation) -> tuple[pd.Series, np.ndarray | None]:
    """Typed values and a mask of present-but-unreadable values (None when every present value reads)."""
    if col.type == "date":
        v = parse_dates(text)
    elif col.type == "month":
        v = parse_months(text)
    elif col.type == "int":
        v = parse_ints(text)
    elif col.type == "bool":
        v = parse_bools(text)
    elif col.type == "period":
        v = parse_periods(text)
    elif col.type == "category":
        allowed = {c.casefold(): c for c in col.categories}
        v = text.map(lambda x: allowed.get(x.casefold()) if isinstance(x, str) else None)
    elif col.type == "indicator_ids":
        v = text.map(lambda x: catalogue.parse_ids(x)[0] if isinstance(x, str) else None)
    elif col.type == "code":
        lookup = organisation.code_lookup()
        v = text.map(lambda x: lookup.get(x.casefold()) if isinstance(x, str) else None)
    elif col.type == "municipality":
        v = text.map(municipalities.match)
    else:
        return text.astype(object), None
    return v, (v.isna().to_numpy() & text.notna().to_numpy())
