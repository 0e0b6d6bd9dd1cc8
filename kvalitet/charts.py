"""The house chart style: readable at A4 width, a colour-blind-safe palette (Okabe–Ito), Danish labels, titles that
state the finding, and a caption with source and as-of date.

Every chart function returns a matplotlib Figure; the notebook shows it with :func:`kvalitet.present.Report.figure`
together with its alt text.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.ticker import FuncFormatter

from . import formatting

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


def danish_number_axis(ax, axis: str = "y", decimals: int | None = None, percent: bool = False) -> None:
    """Tick labels with decimal comma and thousands dot (``1.234``, ``18 %``). Without ``decimals`` the number of
    decimals follows the tick spacing, so 27,5 % is never shown as 28 %."""
    target = ax.yaxis if axis == "y" else ax.xaxis
    scale = 100 if percent else 1

    def fmt(v, _pos):
        d = decimals
        if d is None:
            locs = target.get_majorticklocs()
            step = float(np.min(np.diff(locs))) * scale if len(locs) > 1 else 1.0
            d = 0
            while d < 3 and abs(round(step, d) - step) > 1e-9:
                d += 1
        return formatting.percent(v, d) if percent else formatting.number(v, d)

    target.set_major_formatter(FuncFormatter(fmt))


def _period_ticks(ax, x, periods) -> None:
    """Period labels on the x axis: at most about a dozen (every 2nd, 4th, … period; for quarters and months the
    first of each year), slanted when they would otherwise touch."""
    periods = [str(p) for p in periods]
    n = len(periods)
    step = max(1, -(-n // 12))
    if n > 12 and all(len(p) == 6 and p[4] == "Q" for p in periods):
        keep = [i for i, p in enumerate(periods) if p.endswith("Q1")] or list(range(0, n, step))
        keep = keep[:: max(1, -(-len(keep) // 12))]
    elif n > 12 and all(len(p) == 7 and p[4] == "-" for p in periods):
        keep = [i for i, p in enumerate(periods) if p.endswith("-01")] or list(range(0, n, step))
        keep = keep[:: max(1, -(-len(keep) // 12))]
    else:
        keep = list(range(0, n, step))
    labels = [formatting.period_label(periods[i]) for i in keep]
    ax.set_xticks([x[i] for i in keep])
    width = sum(len(lb) for lb in labels) + 2 * len(labels)
    crowded = width > 62
    ax.set_xticklabels(labels, rotation=35 if crowded else 0, ha="right" if crowded else "center",
                       rotation_mode="anchor" if crowded else "default", fontsize=8.5 if crowded else None)


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
    danish_number_axis(ax, percent=percent)
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


# ------------------------------------------------------------------------------------------------ more chart kinds
#: colours with a meaning
GOOD, BAD, NEUTRAL, MUTED = PALETTE[2], PALETTE[3], PALETTE[0], "#999999"


def _finish(fig, ax, title: str, source: str, as_of_label: str, legend: bool = True) -> None:
    ax.set_title(title, wrap=True)
    if legend and ax.get_legend_handles_labels()[0]:
        ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8)
    if source:
        caption(fig, source, as_of_label)
    fig.tight_layout(rect=(0, 0.04, 1, 1))


def _num(values) -> np.ndarray:
    return pd.to_numeric(pd.Series(values), errors="coerce").to_numpy(dtype=float)


def control_chart(periods: list[str], chart: pd.DataFrame, title: str, ylabel: str, scale: float = 1.0,
                  percent: bool = False, source: str = "", as_of_label: str = "", signal_text: str = ""):
    """A Shewhart chart (e.g. Laney u′ or p′) from :func:`kvalitet.stats.control_limits`: the points, the centre
    line, the 3-sigma limits as steps; points outside the limits in red; ``signal_text`` (the Anhøj finding) under
    the title. ``scale`` multiplies the values (1,000 for a rate per 1,000)."""
    apply_style()
    fig, ax = plt.subplots(figsize=(WIDTH_IN, 3.8))
    x = np.arange(len(periods))
    v = chart["value"].to_numpy(dtype=float) * scale
    runs = chart["anhoej_signal"].any() if "anhoej_signal" in chart else False
    ax.plot(x, v, marker="o", markersize=4, color=NEUTRAL, label="Værdi", zorder=3)
    ax.plot(x, chart["center"].to_numpy(dtype=float) * scale, color=PALETTE[1] if runs else MUTED,
            linestyle="--" if runs else "-", label="Centerlinje" + (" (Anhøj-signal)" if runs else ""))
    ax.step(x, chart["ucl"].to_numpy(dtype=float) * scale, where="mid", color=MUTED, linewidth=1,
            label="Kontrolgrænser (3 sigma)")
    ax.step(x, chart["lcl"].to_numpy(dtype=float) * scale, where="mid", color=MUTED, linewidth=1)
    out = chart["sigma_signal"].to_numpy(dtype=bool)
    if out.any():
        ax.scatter(x[out], v[out], color=BAD, s=40, zorder=4, label="Uden for grænserne")
    _period_ticks(ax, x, periods)
    ax.set_ylabel(ylabel)
    lo = np.nanmin(np.concatenate([v, chart["lcl"].to_numpy(dtype=float) * scale]))
    hi = np.nanmax(np.concatenate([v, chart["ucl"].to_numpy(dtype=float) * scale]))
    pad = (hi - lo) * 0.15 or 1
    ax.set_ylim(max(0, lo - pad), hi + pad)
    danish_number_axis(ax, percent=percent)
    if signal_text:
        ax.text(0, 1.01, signal_text, transform=ax.transAxes, fontsize=8.5, color="#333333", va="bottom")
        title = title + "\n"
    _finish(fig, ax, title, source, as_of_label)
    return fig


def dot_ci(labels: list[str], values, ci_low, ci_high, title: str, xlabel: str, percent: bool = False,
           decimals: int = 0, target: tuple[float | None, float | None] | None = None, reference: float | None = None,
           reference_label: str = "", flags=None, source: str = "", as_of_label: str = ""):
    """One dot per group with its 95 % confidence interval as a line, sorted as given (top = first); an optional
    target band or line and a reference line (e.g. the whole municipality). ``flags`` (booleans) draw a group red."""
    apply_style()
    n = len(labels)
    fig, ax = plt.subplots(figsize=(WIDTH_IN, max(2.2, 0.38 * n + 1.3)))
    y = np.arange(n)[::-1]
    v, lo, hi = _num(values), _num(ci_low), _num(ci_high)
    colours = [BAD if (flags is not None and bool(f)) else NEUTRAL for f in (flags if flags is not None else [0] * n)]
    if target is not None:
        lo_t, hi_t = target
        if lo_t is not None and hi_t is not None and np.isfinite(lo_t) and np.isfinite(hi_t):
            ax.axvspan(lo_t, hi_t, color=GOOD, alpha=0.15, label="Målbånd")
        else:
            t = hi_t if hi_t is not None and np.isfinite(hi_t) else lo_t
            if t is not None and np.isfinite(t):
                ax.axvline(t, color=BAD, linestyle="--", linewidth=1.2, label="Mål/tærskel")
    if reference is not None and np.isfinite(reference):
        ax.axvline(reference, color=MUTED, linestyle=":", linewidth=1.2, label=reference_label or "Samlet")
    ok = ~np.isnan(lo) & ~np.isnan(hi)
    ax.hlines(y[ok], lo[ok], hi[ok], color=[c for c, k in zip(colours, ok) if k], linewidth=2.2, alpha=0.6)
    ax.scatter(v, y, color=colours, s=36, zorder=3)
    ax.set_yticks(y)
    ax.set_yticklabels(labels)
    ax.grid(axis="y", visible=False)
    ax.grid(axis="x", visible=True)
    ax.set_xlabel(xlabel)
    allv = np.concatenate([v, lo, hi])
    allv = allv[np.isfinite(allv)]
    if allv.size and allv.min() > 0.4 * allv.max():  # all far from zero: zoom in (the intervals show the scale)
        span = allv.max() - allv.min()
        ax.set_xlim(max(0.0, allv.min() - 0.25 * span - 1e-9), allv.max() + 0.25 * span + 1e-9)
        if target is not None:
            for t in target:
                if t is not None and np.isfinite(t):
                    left, right = ax.get_xlim()
                    ax.set_xlim(min(left, t - 0.05 * span), max(right, t + 0.05 * span))
    else:
        ax.set_xlim(left=0)
    danish_number_axis(ax, axis="x", percent=percent)
    _finish(fig, ax, title, source, as_of_label)
    return fig


def hbar(labels: list[str], values, title: str, xlabel: str = "Antal", percent: bool = False,
         source: str = "", as_of_label: str = "", highlight=None):
    """Horizontal bars, top = first; ``highlight`` (booleans) draws a bar red."""
    apply_style()
    n = len(labels)
    fig, ax = plt.subplots(figsize=(WIDTH_IN, max(2.2, 0.34 * n + 1.3)))
    y = np.arange(n)[::-1]
    colours = [BAD if (highlight is not None and bool(h)) else NEUTRAL
               for h in (highlight if highlight is not None else [0] * n)]
    ax.barh(y, _num(values), color=colours, height=0.65)
    ax.set_yticks(y)
    ax.set_yticklabels(labels)
    ax.grid(axis="y", visible=False)
    ax.grid(axis="x", visible=True)
    ax.set_xlabel(xlabel)
    danish_number_axis(ax, axis="x", percent=percent)
    _finish(fig, ax, title, source, as_of_label, legend=False)
    return fig


def stacked_shares(table: pd.DataFrame, title: str, source: str = "", as_of_label: str = "", colours=None):
    """Rows (groups, top = first) as 100 % horizontal bars split on the columns (categories), labels in the
    bars where there is room."""
    apply_style()
    n = len(table)
    fig, ax = plt.subplots(figsize=(WIDTH_IN, max(2.2, 0.42 * n + 1.5)))
    y = np.arange(n)[::-1]
    totals = table.sum(axis=1).replace(0, np.nan).to_numpy(dtype=float)
    left = np.zeros(n)
    for i, col in enumerate(table.columns):
        share = table[col].to_numpy(dtype=float) / totals
        share = np.nan_to_num(share)
        colour = (colours or PALETTE)[i % len(colours or PALETTE)]
        ax.barh(y, share, left=left, color=colour, label=str(col), height=0.65)
        for yy, lf, s in zip(y, left, share):
            if s >= 0.07:
                ax.text(lf + s / 2, yy, formatting.percent(s, 0), ha="center", va="center", fontsize=7.5,
                        color="white" if colour in (PALETTE[0], PALETTE[3], PALETTE[7], PALETTE[2]) else "black")
        left += share
    ax.set_yticks(y)
    ax.set_yticklabels(list(table.index))
    ax.set_xlim(0, 1)
    ax.grid(axis="y", visible=False)
    danish_number_axis(ax, axis="x", percent=True)
    _finish(fig, ax, title, source, as_of_label)
    return fig


def multi_line(periods: list[str], series: dict[str, list], title: str, ylabel: str, percent: bool = False,
               source: str = "", as_of_label: str = "", decimals: int = 0):
    """Several series over the same periods, one colour each."""
    apply_style()
    fig, ax = plt.subplots()
    x = np.arange(len(periods))
    for i, (name, vals) in enumerate(series.items()):
        ax.plot(x, _num(vals), marker="o", markersize=3, color=PALETTE[i % len(PALETTE)], label=str(name))
    _period_ticks(ax, x, periods)
    ax.set_ylabel(ylabel)
    ax.set_ylim(bottom=0)
    danish_number_axis(ax, decimals=decimals, percent=percent)
    _finish(fig, ax, title, source, as_of_label)
    return fig


def funnel(denominators, values, labels: list[str], limits: pd.DataFrame, title: str, xlabel: str, ylabel: str,
           percent: bool = True, flags=None, source: str = "", as_of_label: str = ""):
    """A funnel plot: each unit's value against its size, with 95 % and 99,8 % limits (from
    :func:`kvalitet.stats.funnel_limits`) around the target; flagged units in red and labelled."""
    apply_style()
    fig, ax = plt.subplots(figsize=(WIDTH_IN, 4.2))
    d = limits["denominator"].to_numpy(dtype=float)
    ax.plot(d, limits["target"], color="#333333", linewidth=1, label="Samlet niveau")
    ax.plot(d, limits["upper_95"], color=PALETTE[1], linestyle="--", linewidth=1, label="95 %-grænser")
    ax.plot(d, limits["lower_95"], color=PALETTE[1], linestyle="--", linewidth=1)
    ax.plot(d, limits["upper_99_8"], color=BAD, linestyle=":", linewidth=1.2, label="99,8 %-grænser")
    ax.plot(d, limits["lower_99_8"], color=BAD, linestyle=":", linewidth=1.2)
    n, v = _num(denominators), _num(values)
    f = np.zeros(len(n), dtype=bool) if flags is None else np.asarray(flags, dtype=bool)
    ax.scatter(n[~f], v[~f], color=NEUTRAL, s=30, zorder=3, label="Enhed inden for grænserne")
    if f.any():
        ax.scatter(n[f], v[f], color=BAD, s=40, zorder=4, label="Enhed uden for 99,8 %-grænserne")
    for xi, yi, lb, fl in zip(n, v, labels, f):
        if fl or len(labels) <= 12:
            ax.annotate(lb, (xi, yi), textcoords="offset points", xytext=(4, 3), fontsize=7,
                        color=BAD if fl else "#333333")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_ylim(0, min(1.0, np.nanmax(np.concatenate([v, limits["upper_99_8"].to_numpy(dtype=float)])) * 1.1)
                if percent else None)
    danish_number_axis(ax, axis="x")
    danish_number_axis(ax, percent=percent)
    _finish(fig, ax, title, source, as_of_label)
    return fig


def km_curves(curves: dict[str, tuple[np.ndarray, np.ndarray]], title: str, target_days: float | None = None,
              source: str = "", as_of_label: str = "", xmax: float | None = None):
    """Kaplan–Meier curves as 'share of cases still open' over days since opening, one per group; an optional
    vertical line at the servicemål."""
    apply_style()
    fig, ax = plt.subplots()
    for i, (name, (t, s)) in enumerate(curves.items()):
        ax.step(np.concatenate([[0.0], t]), np.concatenate([[1.0], s]), where="post",
                color=PALETTE[i % len(PALETTE)], label=str(name))
    ax.axhline(0.5, color=MUTED, linestyle=":", linewidth=1, label="Halvdelen afgjort (median)")
    if target_days:
        ax.axvline(target_days, color=BAD, linestyle="--", linewidth=1, label="Servicemål")
    ax.set_xlabel("Dage siden sagen blev oprettet")
    ax.set_ylabel("Andel sager endnu ikke afgjort")
    ax.set_ylim(0, 1.02)
    if xmax:
        ax.set_xlim(0, xmax)
    danish_number_axis(ax, percent=True)
    danish_number_axis(ax, axis="x")
    _finish(fig, ax, title, source, as_of_label)
    return fig


def risk_matrix(rows: list[str], scores: pd.DataFrame, tiers, title: str, source: str = "", as_of_label: str = ""):
    """The risk picture as a matrix: one row per forvaltning × område, one column per score (1–3, coloured from
    green to red) and the tier at the right."""
    from matplotlib.colors import ListedColormap

    apply_style()
    n, m = scores.shape
    fig, ax = plt.subplots(figsize=(WIDTH_IN, max(2.4, 0.32 * n + 1.4)))
    cmap = ListedColormap(["#f2f2f2", "#cfe8dc", "#f6d7a7", "#e8a48a"])  # none, low, medium, high
    vals = scores.to_numpy(dtype=float)
    grid = np.column_stack([np.nan_to_num(vals, nan=0), np.asarray(tiers, dtype=float)])
    ax.imshow(grid, cmap=cmap, vmin=-0.5, vmax=3.5, aspect="auto")
    for i in range(n):
        for j in range(m + 1):
            val = grid[i, j]
            text = (formatting.MISSING if j < m and np.isnan(vals[i, j]) else formatting.count(val))
            ax.text(j, i, text, ha="center", va="center", fontsize=8, fontweight="bold" if j == m else "normal")
    ax.set_xticks(range(m + 1))
    ax.set_xticklabels(list(scores.columns) + ["Niveau"], fontsize=8.5)
    ax.xaxis.tick_top()
    ax.set_yticks(range(n))
    ax.set_yticklabels(rows, fontsize=8)
    ax.grid(False)
    for spine in ax.spines.values():
        spine.set_visible(False)
    ax.set_title(title, pad=24)
    if source:
        caption(fig, source, as_of_label)
    fig.tight_layout(rect=(0, 0.04, 1, 1))
    return fig
