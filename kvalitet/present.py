"""What a report notebook calls to show things: Danish tables (small counts suppressed), figures with alt text,
generated Danish text, and the XLSX of every table shown.

A notebook opens a :class:`Report` with its parameters, shows tables and figures through it, and ends with
``report.save()``, which writes every table it showed to the XLSX file the runner asked for.
"""

from __future__ import annotations

import base64
import html
import io
from dataclasses import dataclass, field
from functools import cached_property
from datetime import date
from pathlib import Path

import pandas as pd

from . import disclosure, formatting, store, timing
from . import organisation as org_mod


def _display(obj) -> None:
    try:
        from IPython.display import HTML, Markdown, display
    except ImportError:  # pragma: no cover - outside IPython: print
        print(obj)
        return
    if isinstance(obj, str) and obj.lstrip().startswith("<"):
        display(HTML(obj))
    elif isinstance(obj, str):
        display(Markdown(obj))
    else:
        display(obj)


@dataclass
class Report:
    """The context of one rendered report: store, organisation, as-of date, and the tables shown so far."""

    con: object
    organisation: org_mod.Organisation
    as_of: date | None
    demo: bool
    tables_path: Path | None = None
    tables: list[tuple[str, pd.DataFrame]] = field(default_factory=list)
    suppressed_any: bool = False

    @classmethod
    def open(cls, db=None, organisation=None, as_of=None, tables_path=None) -> "Report":
        con = store.connect(db, read_only=True)
        org = org_mod.load(organisation)
        if isinstance(as_of, str) and as_of:
            as_of = date.fromisoformat(as_of)
        if not as_of:
            stored = store.get_meta(con, "as_of")
            as_of = date.fromisoformat(stored) if stored else None
        return cls(con, org, as_of or None, store.is_demo(con), Path(tables_path) if tables_path else None)

    @cached_property
    def as_of_label(self) -> str:
        if self.as_of:
            return formatting.long_date(self.as_of)
        from .report import default_as_of_label

        return default_as_of_label(self.con)

    @property
    def source(self) -> str:
        return f"kvalitet, data for {self.organisation.municipality}" + (" (demodata)" if self.demo else "")

    def period_text(self, period: str, start=None, end=None) -> str:
        """E.g. 'alle data til 31. december 2024, opgjort pr. år'."""
        grain = {"month": "måned", "quarter": "kvartal", "half": "halvår", "year": "år",
                 "biennium": "toårsperiode"}.get(period, period)
        first = f"fra {formatting.long_date(start)}" if start else "alle data"
        last = formatting.long_date(end) if end else self.as_of_label
        return f"{first} til {last}, opgjort pr. {grain}"

    # --- showing things -------------------------------------------------------------------------------------
    def text(self, markdown: str) -> None:
        _display(markdown)

    def front_page(self, title: str, subtitle: str, period_text: str) -> None:
        lines = [f"# {title}", f"**{subtitle}**", "",
                 f"Periode: {period_text}. Data opgjort pr. {self.as_of_label}."]
        if self.demo:
            lines += ["", "> **Demodata.** Rapporten er dannet på konstruerede data og beskriver ikke virkelige "
                          "forhold."]
        _display("\n".join(lines))

    def table(self, data: disclosure.Disclosed, title: str, note: str | None = None) -> None:
        """Show a disclosed table (:func:`kvalitet.disclosure.disclose`) and keep what it shows for the XLSX (the
        XLSX is published too, so it gets the same hidden cells). A raw DataFrame is refused (TypeError)."""
        disclosure.require(data, "Report.table")
        shown = data.display
        self.suppressed_any |= data.any_hidden
        self.tables.append((title, shown))
        body = shown.to_html(index=False, escape=True, na_rep=formatting.MISSING, border=0,
                             classes="kvalitet-table")
        foot = f"<p><small>{html.escape(note)}</small></p>" if note else ""
        _display(f"<h4>{html.escape(title)}</h4>{body}{foot}")

    def figure(self, fig, alt: str) -> None:
        """Show a matplotlib figure as an embedded PNG with alt text (and close it). A chart from
        :mod:`kvalitet.charts` that left hidden groups out carries a note ('Skjult: under 5: …'), printed in its
        caption; it is added to the alt text here, so a screen reader hears it too."""
        import matplotlib.pyplot as plt

        note = getattr(fig, "kvalitet_hidden_note", "")
        if note and note not in alt:
            alt = alt.rstrip() + ("" if alt.rstrip().endswith(".") else ".") + f" {note}."
        with timing.spent("charts"):
            buf = io.BytesIO()
            # zlib level 3: on the reports' charts twice as fast as the default 6 and no larger (flat colours)
            fig.savefig(buf, format="png", bbox_inches="tight", pil_kwargs={"compress_level": 3})
            plt.close(fig)
            data = base64.b64encode(buf.getvalue()).decode("ascii")
        _display(f'<figure><img src="data:image/png;base64,{data}" alt="{html.escape(alt)}" '
                 f'style="max-width:100%"/></figure>')

    def save(self) -> Path | None:
        """Write every table shown to the XLSX (one sheet each); nothing when the runner gave no path."""
        if not self.tables_path:
            return None
        self.tables_path.parent.mkdir(parents=True, exist_ok=True)
        with timing.spent("xlsx"), pd.ExcelWriter(self.tables_path, engine="openpyxl") as xl:
            used: set[str] = set()
            for i, (title, frame) in enumerate(self.tables, start=1):
                name = _sheet_name(f"{i} {title}", used)
                frame.to_excel(xl, sheet_name=name, index=False)
                xl.sheets[name].freeze_panes = "A2"
            if not self.tables:
                pd.DataFrame({"Bemærkning": ["Rapporten viser ingen tabeller."]}).to_excel(
                    xl, sheet_name="Ingen tabeller", index=False)
        return self.tables_path

    def close(self) -> None:
        self.con.close()
        timing.dump()


def _sheet_name(title: str, used: set[str]) -> str:
    base = "".join(ch for ch in title if ch not in "[]:*?/\\")[:31].strip() or "Tabel"
    name, k = base, 2
    while name in used:
        name = f"{base[:28]} {k}"
        k += 1
    used.add(name)
    return name
