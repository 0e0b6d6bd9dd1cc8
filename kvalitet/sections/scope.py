"""The scope of a report (the whole municipality with its forvaltninger side by side, or one forvaltning with its
areas or units) and the engine seen through it: :func:`scope` checks the forvaltning, :func:`compute` runs the
indicator engine with the report's store, organisation and as-of date, and the small helpers on its frames."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from .. import periods
from ..indicators import lookups, period_labels
from ..indicators import compute as _compute
from ..present import Report


@dataclass(frozen=True)
class Scope:
    """Who a report covers. ``forvaltning`` None: the whole municipality, groups are the forvaltninger; a code:
    that forvaltning, groups are its areas (or units)."""

    forvaltning: str | None
    name: str

    @property
    def where(self) -> dict | None:
        return {"forvaltning": self.forvaltning} if self.forvaltning else None

    @property
    def total_by(self) -> tuple[str, ...]:
        return ("forvaltning",) if self.forvaltning else ()

    def by(self, level: str = "area") -> tuple[str, ...]:
        """Grouping to compare: forvaltninger for the municipality, ``level`` (area or unit) within one."""
        return ("forvaltning",) if not self.forvaltning else ("forvaltning", level)

    def group_col(self, level: str = "area") -> str:
        return "forvaltning" if not self.forvaltning else level

    def group_title(self, level: str = "area") -> str:
        return "Forvaltning" if not self.forvaltning else {"area": "Område", "unit": "Enhed"}[level]


def scope(rep: Report, forvaltning: str | None) -> Scope:
    if forvaltning:
        if forvaltning not in rep.organisation.codes:
            from ..errors import UserError

            raise UserError(f"forvaltningen '{forvaltning}' findes ikke i organisationsfilen "
                            f"(findes: {', '.join(rep.organisation.codes)})")
        return Scope(forvaltning, rep.organisation.name_of(forvaltning))
    return Scope(None, rep.organisation.display_name)


def compute(rep: Report, ids, period: str, start=None, end=None, by=(), where=None) -> pd.DataFrame:
    """The indicator engine with the report's store, organisation and as-of date."""
    return _compute(rep.con, list(ids), period=period, by=by, start=start, end=end, as_of=rep.as_of,
                    organisation=rep.organisation, where=where)


def totals(df: pd.DataFrame) -> pd.DataFrame:
    return df[df["subgroup"].isna()]


def complete(df: pd.DataFrame) -> pd.DataFrame:
    """The rows of whole periods: a partial period (not over at the as-of date, or cut by start/end) is left out of
    trend tests, control limits, line charts and the "fra … til …" of titles and sentences."""
    return df[~df["partial"].astype(bool)] if "partial" in df else df


def latest_complete(df: pd.DataFrame) -> str | None:
    """The latest whole period among the rows of ``df`` with a value (None when there is none)."""
    done = complete(df)
    done = done[done["value"].notna()] if "value" in done else done
    return max(done["period"], key=periods.sort_key) if len(done) else None


def labels(rep: Report, df: pd.DataFrame, start=None, end=None) -> list[str]:
    """The Danish label of each row's period for a table: a partial period with the dates it holds
    (``1. januar–31. januar 2024``). Pass the ``start`` and ``end`` given to :func:`compute`."""
    return period_labels(rep.con, df, as_of=rep.as_of, start=start, end=end)


def has_values(df: pd.DataFrame) -> bool:
    return not df.empty and df["value"].notna().any() and df["denominator"].fillna(0).sum() + \
        df["numerator"].fillna(0).sum() > 0


def no_data(rep: Report, what: str) -> None:
    """The one line a section shows when there is nothing to show."""
    rep.text(f"*{what}: ingen data for perioden.*")


def table_has_rows(rep: Report, table: str, sc: Scope) -> bool:
    """Whether the store holds any row of ``table`` for the scope (tables that were never loaded are empty)."""
    return lookups.table_has_rows(rep.con, table, sc.forvaltning)


def latest_period(rep: Report, indicator_id: str, forvaltning: str | None, period: str, start, end, what: str):
    """The scope and the latest period with data for ``indicator_id`` (its label and date bounds), or None after
    saying in one line that ``what`` has no data."""
    sc = scope(rep, forvaltning)
    df = totals(compute(rep, [indicator_id], period, start, end, by=sc.total_by, where=sc.where))
    df = complete(df[df["denominator"].fillna(0) > 0])
    if df.empty:
        no_data(rep, what)
        return None
    last = max(df["period"], key=periods.sort_key)
    lo, hi = periods.bounds(last)
    return sc, last, lo, hi
