"""The house chart style: readable at A4 width, a colour-blind-safe palette (Okabe–Ito), Danish labels, titles that
state the finding, and a caption with source and as-of date.

Every chart function takes its numbers from a :class:`kvalitet.disclosure.Disclosed` table (a raw DataFrame is
refused with a TypeError): a hidden cell is never drawn, a group with a hidden value is left out, and the chart
carries a visible note ("Skjult: under 5: …") in its caption, which :func:`kvalitet.present.Report.figure` adds to the
alt text. Every chart function returns a matplotlib Figure.
"""

from __future__ import annotations

import textwrap

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.ticker import Formatter

from . import formatting, timing
from .disclosure import Disclosed, hidden_note, require

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


class _DanishTicks(Formatter):
    """Tick labels with decimal comma and thousands dot; without ``decimals`` as many decimals as the tick spacing
    needs (matplotlib hands the formatter every tick location before it labels them: :meth:`set_locs`)."""

    def __init__(self, axis, decimals: int | None, percent: bool) -> None:
        self.target, self.decimals, self.percent = axis, decimals, percent
        self.step_decimals: int | None = None

    def set_locs(self, locs) -> None:
        self.step_decimals = self._needed(locs)

    def _needed(self, locs) -> int:
        scale = 100 if self.percent else 1
        step = float(np.min(np.diff(locs))) * scale if len(locs) > 1 else 1.0
        d = 0
        while d < 3 and abs(round(step, d) - step) > 1e-9:
            d += 1
        return d

    def __call__(self, v, pos=None) -> str:
        d = self.decimals
        if d is None:
            d = self.step_decimals if self.step_decimals is not None else \
                self._needed(self.target.get_majorticklocs())
        return formatting.percent(v, d) if self.percent else formatting.number(v, d)


def danish_number_axis(ax, axis: str = "y", decimals: int | None = None, percent: bool = False) -> None:
    """Tick labels with decimal comma and thousands dot (``1.234``, ``18 %``). Without ``decimals`` the number of
    decimals follows the tick spacing, so 27,5 % is never shown as 28 %."""
    target = ax.yaxis if axis == "y" else ax.xaxis
    target.set_major_formatter(_DanishTicks(target, decimals, percent))


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


def caption(fig, source: str, as_of_label: str, extra: str = "") -> None:
    """The caption hung under the figure: source and as-of date, the hidden-groups note, then ``extra`` (e.g. a
    map's attribution)."""
    note = getattr(fig, "kvalitet_hidden_note", "")
    text = f"Kilde: {source}. Data opgjort pr. {as_of_label}." if source else ""
    if note:
        text = (text + " " if text else "") + note + "."
    if extra:
        text = (text + " " if text else "") + extra
    if text:
        # wrapped to the figure's width; hung below the figure, so a long note never runs into the axes
        width = int(fig.get_size_inches()[0] * 17)
        fig.text(0.01, 0.0, textwrap.fill(text, width), fontsize=8, color="#555555", ha="left", va="top")


def _note(fig, labels) -> None:
    """Remember the groups or periods left out (hidden), for the caption and the alt text."""
    fig.kvalitet_hidden_note = hidden_note(labels)


@timing.timed("charts")
def series_with_ci(
    data: Disclosed,
    period: str,
    value: str,
    ci_low: str | None = None,
    ci_high: str | None = None,
    title: str = "",
    ylabel: str = "",
    source: str = "",
    as_of_label: str = "",
    percent: bool = False,
    decimals: int = 1,
    target: tuple[float | None, float | None] | None = None,
    label: str | None = None,
    ci_label: str = "95 %-konfidensinterval",
):
    """One value per period with its confidence interval (legend ``ci_label``) as a band, optionally a target line or band; hidden
    periods are gaps."""
    require(data, "series_with_ci")
    apply_style()
    fig, ax = plt.subplots()
    periods = [str(p) for p in data.raw(period)]
    x = np.arange(len(periods))
    v = data.number(value)
    _note(fig, [formatting.period_label(p) for p, h in zip(periods, np.isnan(v) & data.hidden[value].to_numpy())
                if h])
    ax.plot(x, v, marker="o", color=PALETTE[0], label=label or ylabel)
    if ci_low is not None and ci_high is not None:
        lo, hi = data.number(ci_low), data.number(ci_high)
        ax.fill_between(x, lo, hi, color=PALETTE[0], alpha=0.18, linewidth=0, label=ci_label)
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
    caption(fig, source, as_of_label)
    fig.set_layout_engine("tight", rect=(0, 0.04, 1, 1))  # laid out when saved, with the renderer that saves
    return fig


def _segment_note(data: Disclosed, index: str, columns: list[str], names: list[str] | None = None) -> list[str]:
    """'Realitet i 2019 og 2021', 'SUF i 14 perioder': the hidden cells, column by column."""
    out = []
    for c, name in zip(columns, names or [str(c) for c in columns]):
        when = [formatting.period_label(str(p)) for p, h in zip(data.values[index], data.hidden[c]) if h]
        if len(when) > 3:
            out.append(f"{name} i {len(when)} perioder")
        elif when:
            out.append(f"{name} i {' og '.join([', '.join(when[:-1]), when[-1]] if len(when) > 1 else when)}")
    return out


@timing.timed("charts")
def stacked_counts(data: Disclosed, index: str, columns: list[str], title: str, ylabel: str = "Antal",
                   source: str = "", as_of_label: str = ""):
    """Counts per period (rows, column ``index``) and category (``columns``) as stacked bars; a hidden count is
    left out of its bar and named in the note."""
    require(data, "stacked_counts")
    apply_style()
    fig, ax = plt.subplots()
    _note(fig, _segment_note(data, index, columns))
    bottom = np.zeros(len(data))
    x = np.arange(len(data))
    for i, col in enumerate(columns):
        vals = np.nan_to_num(data.number(col))
        ax.bar(x, vals, bottom=bottom, color=PALETTE[i % len(PALETTE)], label=str(col), width=0.7)
        bottom += vals
    _period_ticks(ax, x, [str(p) for p in data.raw(index)])
    ax.set_ylabel(ylabel)
    danish_number_axis(ax)
    ax.set_title(title)
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8)
    caption(fig, source, as_of_label)
    fig.set_layout_engine("tight", rect=(0, 0.04, 1, 1))  # laid out when saved, with the renderer that saves
    return fig


# ------------------------------------------------------------------------------------------------ more chart kinds
#: colours with a meaning
GOOD, BAD, NEUTRAL, MUTED = PALETTE[2], PALETTE[3], PALETTE[0], "#999999"


def _finish(fig, ax, title: str, source: str, as_of_label: str, legend: bool = True) -> None:
    ax.set_title(title, wrap=True)
    if legend and ax.get_legend_handles_labels()[0]:
        ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8)
    caption(fig, source, as_of_label)
    fig.set_layout_engine("tight", rect=(0, 0.04, 1, 1))  # laid out when saved, with the renderer that saves


@timing.timed("charts")
def control_chart(data: Disclosed, period: str, title: str, ylabel: str, scale: float = 1.0,
                  percent: bool = False, source: str = "", as_of_label: str = "", signal_text: str = ""):
    """A Shewhart chart (e.g. Laney u′ or p′) from :func:`kvalitet.stats.control_limits`, disclosed with its
    columns ``value``, ``center``, ``ucl``, ``lcl``, ``sigma_signal`` (and ``anhoej_signal``): the points, the
    centre line, the 3-sigma limits as steps; points outside the limits in red; ``signal_text`` (the Anhøj finding)
    under the title. ``scale`` multiplies the values (1,000 for a rate per 1,000). Hidden periods are gaps."""
    require(data, "control_chart")
    apply_style()
    fig, ax = plt.subplots(figsize=(WIDTH_IN, 3.8))
    periods = [str(p) for p in data.raw(period)]
    _note(fig, [formatting.period_label(p) for p, h in zip(periods, data.hidden["value"]) if h])
    x = np.arange(len(periods))
    v = data.number("value") * scale
    runs = bool(data.values["anhoej_signal"].any()) if "anhoej_signal" in data.columns else False
    ax.plot(x, v, marker="o", markersize=4, color=NEUTRAL, label="Værdi", zorder=3)
    ax.plot(x, data.number("center") * scale, color=PALETTE[1] if runs else MUTED,
            linestyle="--" if runs else "-", label="Centerlinje" + (" (Anhøj-signal)" if runs else ""))
    ucl, lcl = data.number("ucl") * scale, data.number("lcl") * scale
    ax.step(x, ucl, where="mid", color=MUTED, linewidth=1, label="Kontrolgrænser (3 sigma)")
    ax.step(x, lcl, where="mid", color=MUTED, linewidth=1)
    out = (data.number("sigma_signal") == 1) & ~np.isnan(v)
    if out.any():
        ax.scatter(x[out], v[out], color=BAD, s=40, zorder=4, label="Uden for grænserne")
    _period_ticks(ax, x, periods)
    ax.set_ylabel(ylabel)
    lo = np.nanmin(np.concatenate([v, lcl]))
    hi = np.nanmax(np.concatenate([v, ucl]))
    pad = (hi - lo) * 0.15 or 1
    ax.set_ylim(max(0, lo - pad), hi + pad)
    danish_number_axis(ax, percent=percent)
    if signal_text:
        ax.text(0, 1.01, signal_text, transform=ax.transAxes, fontsize=8.5, color="#333333", va="bottom")
        title = title + "\n"
    _finish(fig, ax, title, source, as_of_label)
    return fig


def _visible_rows(fig, data: Disclosed, label: str, cols) -> Disclosed:
    """The rows that may be drawn; the others are named in the chart's note."""
    _note(fig, data.hidden_labels(label, cols))
    return data.subset(data.shown(cols))


@timing.timed("charts")
def dot_ci(data: Disclosed, label: str, value: str, ci_low: str, ci_high: str, title: str, xlabel: str,
           percent: bool = False, decimals: int = 0, target: tuple[float | None, float | None] | None = None,
           reference: float | None = None, reference_label: str = "", flags: str | None = None, source: str = "",
           as_of_label: str = ""):
    """One dot per group with its 95 % confidence interval as a line, sorted as given (top = first); an optional
    target band or line and a reference line (e.g. the whole municipality). The boolean column ``flags`` draws a
    group red. A group whose value is hidden is left out and named in the note."""
    require(data, "dot_ci")
    apply_style()
    rows = int(data.shown([value, ci_low, ci_high]).sum())
    fig, ax = plt.subplots(figsize=(WIDTH_IN, max(2.2, 0.38 * max(rows, 1) + 1.3)))
    d = _visible_rows(fig, data, label, [value, ci_low, ci_high])
    labels = [str(x) for x in d.raw(label)]
    n = len(labels)
    y = np.arange(n)[::-1]
    v, lo, hi = d.number(value), d.number(ci_low), d.number(ci_high)
    fl = d.values[flags].fillna(False).astype(bool).to_numpy() if flags else np.zeros(n, dtype=bool)
    colours = [BAD if f else NEUTRAL for f in fl]
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


@timing.timed("charts")
def hbar(data: Disclosed, label: str, value: str, title: str, xlabel: str = "Antal", percent: bool = False,
         source: str = "", as_of_label: str = "", highlight: str | None = None):
    """Horizontal bars, top = first; the boolean column ``highlight`` draws a bar red. A hidden bar is left out
    and named in the note."""
    require(data, "hbar")
    apply_style()
    rows = int(data.shown([value]).sum())
    fig, ax = plt.subplots(figsize=(WIDTH_IN, max(2.2, 0.34 * max(rows, 1) + 1.3)))
    d = _visible_rows(fig, data, label, [value])
    n = len(d)
    y = np.arange(n)[::-1]
    hl = d.values[highlight].astype(bool).to_numpy() if highlight else np.zeros(n, dtype=bool)
    ax.barh(y, d.number(value), color=[BAD if h else NEUTRAL for h in hl], height=0.65)
    ax.set_yticks(y)
    ax.set_yticklabels([str(x) for x in d.raw(label)])
    ax.grid(axis="y", visible=False)
    ax.grid(axis="x", visible=True)
    ax.set_xlabel(xlabel)
    danish_number_axis(ax, axis="x", percent=percent)
    _finish(fig, ax, title, source, as_of_label, legend=False)
    return fig


@timing.timed("charts")
def stacked_shares(data: Disclosed, label: str, columns: list[str], total: str, title: str, source: str = "",
                   as_of_label: str = "", colours=None):
    """Rows (groups, top = first) as horizontal bars split on the count columns, each part as a share of the
    row's ``total``, labels in the bars where there is room. A hidden count leaves a gap (its share is not drawn)
    and is named in the note; a row whose total is hidden is left out."""
    require(data, "stacked_shares")
    apply_style()
    fig, ax = plt.subplots(figsize=(WIDTH_IN, max(2.2, 0.42 * max(len(data), 1) + 1.5)))
    d = data.subset(data.shown([total]))
    gone = data.hidden_labels(label, [total])
    parts = [f"{str(c).lower()} i {g}" for c in columns for g, h in zip(d.values[label], d.hidden[c]) if h]
    if len(parts) > 6:
        parts = [f"{len(parts)} dele af søjlerne"]
    _note(fig, gone + parts)
    n = len(d)
    y = np.arange(n)[::-1]
    totals = d.number(total)
    totals[totals == 0] = np.nan
    left = np.zeros(n)
    for i, col in enumerate(columns):
        share = d.number(col) / totals
        colour = (colours or PALETTE)[i % len(colours or PALETTE)]
        ax.barh(y, np.nan_to_num(share), left=left, color=colour, label=str(col), height=0.65)
        for yy, lf, sh in zip(y, left, share):
            if np.isfinite(sh) and sh >= 0.07:
                ax.text(lf + sh / 2, yy, formatting.percent(sh, 0), ha="center", va="center", fontsize=7.5,
                        color="white" if colour in (PALETTE[0], PALETTE[3], PALETTE[7], PALETTE[2]) else "black")
        left += np.nan_to_num(share)
    ax.set_yticks(y)
    ax.set_yticklabels([str(x) for x in d.raw(label)])
    ax.set_xlim(0, 1)
    ax.grid(axis="y", visible=False)
    danish_number_axis(ax, axis="x", percent=True)
    _finish(fig, ax, title, source, as_of_label)
    return fig


@timing.timed("charts")
def multi_line(data: Disclosed, period: str, columns: list[str], title: str, ylabel: str, percent: bool = False,
               source: str = "", as_of_label: str = "", decimals: int = 0, names: list[str] | None = None):
    """Several series (``columns``, legend ``names``) over the periods in column ``period``, one colour each;
    hidden values are gaps, named in the note."""
    require(data, "multi_line")
    apply_style()
    fig, ax = plt.subplots()
    periods = [str(p) for p in data.raw(period)]
    names = names or [str(c) for c in columns]
    _note(fig, _segment_note(data, period, columns, names))
    x = np.arange(len(periods))
    for i, (name, col) in enumerate(zip(names, columns)):
        ax.plot(x, data.number(col), marker="o", markersize=3, color=PALETTE[i % len(PALETTE)], label=str(name))
    _period_ticks(ax, x, periods)
    ax.set_ylabel(ylabel)
    ax.set_ylim(bottom=0)
    danish_number_axis(ax, decimals=decimals, percent=percent)
    _finish(fig, ax, title, source, as_of_label)
    return fig


@timing.timed("charts")
def funnel(data: Disclosed, denominator: str, value: str, label: str, limits: pd.DataFrame, title: str,
           xlabel: str, ylabel: str, percent: bool = True, flags: str | None = None, source: str = "",
           as_of_label: str = "", names: str | None = None):
    """A funnel plot: each unit's value against its size, with 95 % and 99,8 % limits (from
    :func:`kvalitet.stats.funnel_limits`) around the target; flagged units in red and labelled (``names``: the
    column with the label drawn, '' for none). A unit whose count is hidden is left out and named in the note."""
    require(data, "funnel")
    apply_style()
    fig, ax = plt.subplots(figsize=(WIDTH_IN, 4.2))
    d = _visible_rows(fig, data, label, [denominator, value])
    lim = limits["denominator"].to_numpy(dtype=float)
    ax.plot(lim, limits["target"], color="#333333", linewidth=1, label="Samlet niveau")
    ax.plot(lim, limits["upper_95"], color=PALETTE[1], linestyle="--", linewidth=1, label="95 %-grænser")
    ax.plot(lim, limits["lower_95"], color=PALETTE[1], linestyle="--", linewidth=1)
    ax.plot(lim, limits["upper_99_8"], color=BAD, linestyle=":", linewidth=1.2, label="99,8 %-grænser")
    ax.plot(lim, limits["lower_99_8"], color=BAD, linestyle=":", linewidth=1.2)
    n, v = d.number(denominator), d.number(value)
    f = d.values[flags].astype(bool).to_numpy() if flags else np.zeros(len(n), dtype=bool)
    ax.scatter(n[~f], v[~f], color=NEUTRAL, s=30, zorder=3, label="Enhed inden for grænserne")
    if f.any():
        ax.scatter(n[f], v[f], color=BAD, s=40, zorder=4, label="Enhed uden for 99,8 %-grænserne")
    shown = [str(x) for x in d.raw(names or label)]
    for xi, yi, lb, fl in zip(n, v, shown, f):
        if lb and (fl or len(shown) <= 12):
            ax.annotate(lb, (xi, yi), textcoords="offset points", xytext=(4, 3), fontsize=7,
                        color=BAD if fl else "#333333")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    top = np.nanmax(np.concatenate([v, limits["upper_99_8"].to_numpy(dtype=float)]))
    ax.set_ylim(0, min(1.0, top * 1.1) if percent else None)
    danish_number_axis(ax, axis="x")
    danish_number_axis(ax, percent=percent)
    _finish(fig, ax, title, source, as_of_label)
    return fig


@timing.timed("charts")
def km_curves(data: Disclosed, label: str, count: str, curves: dict[str, tuple[np.ndarray, np.ndarray]],
              title: str, target_days: float | None = None, source: str = "", as_of_label: str = "",
              xmax: float | None = None):
    """Kaplan–Meier curves as 'share of cases still open' over days since opening, one per group of ``data``
    (``label``, number of cases ``count``; ``curves`` by label); a group whose count is hidden is left out and
    named in the note. An optional vertical line at the servicemål."""
    require(data, "km_curves")
    apply_style()
    fig, ax = plt.subplots()
    d = _visible_rows(fig, data, label, [count])
    for i, name in enumerate(str(x) for x in d.raw(label)):
        t, s = curves[name]
        ax.step(np.concatenate([[0.0], t]), np.concatenate([[1.0], s]), where="post",
                color=PALETTE[i % len(PALETTE)], label=name)
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


@timing.timed("charts")
def risk_matrix(data: Disclosed, label: str, scores: list[str], tier: str, title: str, source: str = "",
                as_of_label: str = ""):
    """The risk picture as a matrix: one row per forvaltning × område, one column per score (1–3, coloured from
    green to red) and the tier at the right. Scores are not person counts; they still come disclosed."""
    from matplotlib.colors import ListedColormap

    require(data, "risk_matrix")
    apply_style()
    rows = [str(x) for x in data.raw(label)]
    n, m = len(rows), len(scores)
    fig, ax = plt.subplots(figsize=(WIDTH_IN, max(2.4, 0.32 * n + 1.4)))
    cmap = ListedColormap(["#f2f2f2", "#cfe8dc", "#f6d7a7", "#e8a48a"])  # none, low, medium, high
    vals = np.column_stack([data.number(c) for c in scores]) if m else np.zeros((n, 0))
    grid = np.column_stack([np.nan_to_num(vals, nan=0), data.number(tier)])
    ax.imshow(grid, cmap=cmap, vmin=-0.5, vmax=3.5, aspect="auto")
    for i in range(n):
        for j in range(m + 1):
            val = grid[i, j]
            text = (formatting.MISSING if j < m and np.isnan(vals[i, j]) else formatting.count(val))
            ax.text(j, i, text, ha="center", va="center", fontsize=8, fontweight="bold" if j == m else "normal")
    ax.set_xticks(range(m + 1))
    ax.set_xticklabels(list(scores) + ["Niveau"], fontsize=8.5)
    ax.xaxis.tick_top()
    ax.set_yticks(range(n))
    ax.set_yticklabels(rows, fontsize=8)
    ax.grid(False)
    for spine in ax.spines.values():
        spine.set_visible(False)
    ax.set_title(title, pad=24)
    caption(fig, source, as_of_label)
    fig.set_layout_engine("tight", rect=(0, 0.04, 1, 1))  # laid out when saved, with the renderer that saves
    return fig
