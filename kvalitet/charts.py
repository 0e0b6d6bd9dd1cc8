"""The house chart style: readable at A4 width, a colour-blind-safe palette (Okabe–Ito), Danish labels, titles that
state the finding, and a caption with source and as-of date.

Every chart function returns a matplotlib Figure; the notebook shows it with :func:`kvalitet.present.Report.figure`
together with its alt text.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.ticker import FuncFormatter  # noqa: E402

from . import formatting  # noqa: E402

#: Okabe & Ito (2008), safe for the common kinds of colour blindness.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000")
WIDTH_IN = 7.0  # fits A4 portrait with margins
STYLE = {
    "figure.figsize": (WIDTH_IN, 3.6),
    "figure.dpi": 110,
    "savefig.dpi": 110,
    "font.size": 10,
    "axes.titlesize": 11,
    "axes.titleweight": "bold",
    "axes.titlelocation": "left",
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "axes.grid.axis": "y",
    "grid.color": "#dddddd",
    "axes.prop_cycle": matplotlib.cycler(color=PALETTE),
    "legend.frameon": False,
    "axes.formatter.use_locale": False,
}


def apply_style() -> None:
    plt.rcParams.update(STYLE)


def danish_number_axis(ax, axis: str = "y", decimals: int = 0, percent: bool = False) -> None:
    """Tick labels with decimal comma and thousands dot (``1.234``, ``18 %``)."""
    fmt = (lambda v, _: formatting.percent(v, decimals)) if percent else (lambda v, _: formatting.number(v, decimals))
    (ax.yaxis if axis == "y" else ax.xaxis).set_major_formatter(FuncFormatter(fmt))


def _period_ticks(ax, x, periods) -> None:
    """Period labels on the x axis, slanted when there are many so they never overlap."""
    labels = [formatting.period_label(p) for p in periods]
    ax.set_xticks(x)
    crowded = len(labels) * max((len(lb) for lb in labels), default=4) > 60
    ax.set_xticklabels(labels, rotation=45 if crowded else 0, ha="right" if crowded else "center",
                       rotation_mode="anchor" if crowded else "default")


def caption(fig, source: str, as_of_label: str) -> None:
    fig.text(0.01, 0.01, f"Kilde: {source}. Data opgjort pr. {as_of_label}.", fontsize=8, color="#555555",
             ha="left", va="bottom")


def series_with_ci(
    periods: list[str],
    values,
    ci_low=None,
    ci_high=None,
    title: str = "",
    ylabel: str = "",
    source: str = "",
    as_of_label: str = "",
    percent: bool = False,
    decimals: int = 1,
    target: tuple[float | None, float | None] | None = None,
    label: str | None = None,
):
    """One value per period with its 95 % confidence interval as a band, optionally a target line or band."""
    apply_style()
    fig, ax = plt.subplots()
    x = np.arange(len(periods))
    v = pd.to_numeric(pd.Series(values), errors="coerce").to_numpy(dtype=float)
    ax.plot(x, v, marker="o", color=PALETTE[0], label=label or ylabel)
    if ci_low is not None and ci_high is not None:
        lo = pd.to_numeric(pd.Series(ci_low), errors="coerce").to_numpy(dtype=float)
        hi = pd.to_numeric(pd.Series(ci_high), errors="coerce").to_numpy(dtype=float)
        ax.fill_between(x, lo, hi, color=PALETTE[0], alpha=0.18, linewidth=0, label="95 %-konfidensinterval")
    if target is not None:
        lo_t, hi_t = target
        if lo_t is not None and hi_t is not None:
            ax.axhspan(lo_t, hi_t, color=PALETTE[2], alpha=0.12, label="målbånd")
        elif hi_t is not None or lo_t is not None:
            ax.axhline(hi_t if hi_t is not None else lo_t, color=PALETTE[3], linestyle="--", label="mål")
    _period_ticks(ax, x, periods)
    ax.set_ylabel(ylabel)
    ax.set_ylim(bottom=0)
    danish_number_axis(ax, decimals=0 if not percent else 0, percent=percent)
    ax.set_title(title)
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8)
    if source:
        caption(fig, source, as_of_label)
    fig.tight_layout(rect=(0, 0.04, 1, 1))
    return fig


def stacked_counts(table: pd.DataFrame, title: str, ylabel: str = "Antal", source: str = "", as_of_label: str = ""):
    """Counts per period (rows) and category (columns) as stacked bars."""
    apply_style()
    fig, ax = plt.subplots()
    bottom = np.zeros(len(table))
    x = np.arange(len(table))
    for i, col in enumerate(table.columns):
        vals = table[col].to_numpy(dtype=float)
        ax.bar(x, vals, bottom=bottom, color=PALETTE[i % len(PALETTE)], label=str(col), width=0.7)
        bottom += vals
    _period_ticks(ax, x, list(table.index))
    ax.set_ylabel(ylabel)
    danish_number_axis(ax)
    ax.set_title(title)
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8)
    if source:
        caption(fig, source, as_of_label)
    fig.tight_layout(rect=(0, 0.04, 1, 1))
    return fig
