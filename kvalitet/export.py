"""Writing indicator, trend and risk tables to CSV (tidy, machine-readable) and XLSX (formatted for people).

CSV keeps the canonical column names and plain numbers (shares as fractions, rates per 1,000 decisions), UTF-8,
comma separated, so that it can be read back by any tool. XLSX is for people: Danish headers from the catalogue,
the indicator's Danish name, percentages shown as percentages, a frozen header row and one sheet per indicator
family (Klager, Ankesager, ...), plus a sheet "Definitioner" with the catalogue texts.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from . import catalogue
from .errors import UserError

_PCT = "0.0%"
_NUM = {catalogue.UNIT_RATE: "0.00", catalogue.UNIT_DAYS: "0.0", catalogue.UNIT_COUNT: "#,##0"}


def check_out(path) -> Path:
    p = Path(path)
    if p.suffix.lower() not in (".csv", ".xlsx"):
        raise UserError(f"{p}: uddatafilen skal ende på .csv eller .xlsx")
    if p.parent and not p.parent.exists():
        raise UserError(f"{p}: mappen {p.parent} findes ikke")
    return p


def write_csv(frame: pd.DataFrame, path) -> Path:
    p = check_out(path)
    frame.to_csv(p, index=False, encoding="utf-8")
    return p


def _sheet(wb, title: str, frame: pd.DataFrame, headers: dict[str, str], formats: dict | None = None,
           row_formats=None) -> None:
    """Write ``frame`` to a new sheet with Danish headers, a frozen bold header row and sensible widths.

    ``formats``: column -> number format for the whole column; ``row_formats(i, col)`` -> format or None per cell.
    """
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    ws = wb.create_sheet(title=title[:31])
    cols = list(frame.columns)
    ws.append([headers.get(c, c) for c in cols])
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="DDE4EE")
    for cell in ws[1]:
        cell.font = bold
        cell.fill = fill
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    values = frame.astype(object).where(frame.notna(), None).to_numpy().tolist()
    for r in values:
        ws.append([_plain(v) for v in r])
    formats = formats or {}
    for j, c in enumerate(cols, start=1):
        fmt = formats.get(c)
        letter = get_column_letter(j)
        for i in range(2, len(values) + 2):
            cell_fmt = row_formats(i - 2, c) if row_formats else None
            f = cell_fmt or fmt
            if f:
                ws[f"{letter}{i}"].number_format = f
        width = max([len(str(headers.get(c, c)))] + [len(str(v)) for v in frame[c].head(200) if v is not None])
        ws.column_dimensions[letter].width = min(max(8, width + 2), 60)
    ws.freeze_panes = "A2"
    if len(values):
        ws.auto_filter.ref = ws.dimensions


def _plain(v):
    if v is None:
        return None
    if hasattr(v, "item"):
        try:
            return v.item()
        except (ValueError, AttributeError):
            pass
    if v is pd.NA:
        return None
    return v


def _new_workbook():
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    return wb


def _definitions(wb, ids) -> None:
    rows = []
    for i in ids:
        ind = catalogue.get(i)
        rows.append({"Id": ind.id, "Indikator": ind.name, "Definition": ind.definition, "Enhed": ind.unit,
                     "Tæller": ind.numerator, "Nævner": ind.denominator or "—", "Placeres i periode efter":
                     ind.period_date, "Konfidensinterval": ind.ci, "Standardmål": ind.default_target,
                     "Undergrupper": ind.subgroup or "—"})
    _sheet(wb, "Definitioner", pd.DataFrame(rows), {})


def indicators_xlsx(frame: pd.DataFrame, path, demo: bool = False) -> Path:
    """The tidy indicator table as a workbook: one sheet per family, Danish headers, percentages as %."""
    p = check_out(path)
    wb = _new_workbook()
    headers = dict(catalogue.COLUMN_HEADERS_DA)
    headers["indicator"] = "Id"
    value_cols = ("value", "ci_low", "ci_high", "target_low", "target_high")
    fam_of = {i.id: i.family for i in catalogue.CATALOGUE.values()}
    ids = list(dict.fromkeys(frame["indicator"])) if not frame.empty else []
    for fam in catalogue.FAMILIES:
        part = frame[frame["indicator"].map(fam_of) == fam] if not frame.empty else frame
        if part.empty:
            continue
        part = part.reset_index(drop=True)
        out = part.copy()
        out.insert(1, "indicator_name", out["indicator"].map(lambda i: catalogue.get(i).name))
        out.insert(2, "unit_text", out["indicator"].map(lambda i: catalogue.get(i).unit))
        units = out["unit_text"].tolist()

        def fmt(i, col, units=units):
            if col in value_cols:
                return _PCT if units[i] == catalogue.UNIT_SHARE else _NUM.get(units[i])
            if col in ("numerator", "denominator"):
                return "#,##0"
            return None

        _sheet(wb, fam, out, {**headers, "unit_text": "Enhed"}, row_formats=fmt)
    _definitions(wb, ids or list(catalogue.IDS))
    if demo:
        _demo_sheet(wb)
    wb.save(p)
    return p


def _demo_sheet(wb) -> None:
    ws = wb.create_sheet("Demodata", 0)
    ws["A1"] = "Tallene er beregnet på demodata (opdigtede tal), ikke på kommunens egne data."


def trends_xlsx(trends: pd.DataFrame, effects: pd.DataFrame | None, path, demo: bool = False) -> Path:
    p = check_out(path)
    wb = _new_workbook()
    headers = dict(catalogue.COLUMN_HEADERS_DA)
    headers.update({"indicator": "Id", "initiative": "Indsats", "start": "Start"})
    for title, frame in (("Tendenser", trends), ("Indsatser", effects)):
        if frame is None or (frame.empty and title == "Indsatser"):
            continue
        out = frame.copy()
        pos = list(out.columns).index("indicator") + 1
        out.insert(pos, "indicator_name", out["indicator"].map(lambda i: catalogue.get(i).name))
        out["method"] = out["method"].map(lambda m: catalogue.METHOD_NAMES_DA.get(m, m))
        _sheet(wb, title, out, headers, formats={"estimate": "0.000", "ci_low": "0.000", "ci_high": "0.000",
                                                 "p_value": "0.0000", "q_value": "0.0000"})
    if demo:
        _demo_sheet(wb)
    wb.save(p)
    return p


def risk_xlsx(frame: pd.DataFrame, path, demo: bool = False) -> Path:
    from .risk import RISK_HEADERS_DA

    p = check_out(path)
    wb = _new_workbook()
    _sheet(wb, "Risikoniveauer", frame, RISK_HEADERS_DA, formats={"precision": _PCT})
    if demo:
        _demo_sheet(wb)
    wb.save(p)
    return p


def write_indicators(frame: pd.DataFrame, path, demo: bool = False) -> Path:
    p = check_out(path)
    return indicators_xlsx(frame, p, demo) if p.suffix.lower() == ".xlsx" else write_csv(frame, p)


def write_trends(trends: pd.DataFrame, effects: pd.DataFrame | None, path, demo: bool = False) -> list[Path]:
    """XLSX: sheets Tendenser and Indsatser. CSV: the trends, and the effects beside it (``<navn>-indsatser.csv``)."""
    p = check_out(path)
    if p.suffix.lower() == ".xlsx":
        return [trends_xlsx(trends, effects, p, demo)]
    out = [write_csv(trends, p)]
    if effects is not None and not effects.empty:
        out.append(write_csv(effects, p.with_name(p.stem + "-indsatser.csv")))
    return out


def write_risk(frame: pd.DataFrame, path, demo: bool = False) -> Path:
    p = check_out(path)
    return risk_xlsx(frame, p, demo) if p.suffix.lower() == ".xlsx" else write_csv(frame, p)
