"""The Danmarkskort drawn: a choropleth of the 98 kommuner, a caterpillar chart of every kommune with its interval,
and the funnel plot with the kommune highlighted.

The map is drawn with matplotlib alone from the boundaries shipped in ``kvalitet/data`` (no tile server, no network,
no GIS library): each kommune is one :class:`~matplotlib.patches.PathPatch` (its outer rings and holes as one
compound path, ``gid`` = the kommune's official name), coloured by its omgørelsesprocent in fixed classes of 10
percentage points (the same classes for every area and year, so maps can be compared); a kommune without
realitetsbehandlede cases is grey and hatched; the chosen kommune is outlined in black. Bornholm is drawn in a box
in the Kattegat, as Danish maps usually do, and the capital area, where the kommuner are small, is enlarged in a
second panel beside the map. Longitude is scaled by cos 56° so the country keeps its shape. The
attribution the boundary data require (:data:`kvalitet.municipalities.ATTRIBUTION`) is printed in the caption.

Like every chart in kvalitet, these take a :class:`kvalitet.disclosure.Disclosed` table. Ankestyrelsen's published
counts per kommune are public statistics, not persons in the organisation's own data: disclose them without
person-count columns (nothing is hidden).
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd
from matplotlib import colormaps
from matplotlib.patches import Patch, PathPatch, Rectangle
from matplotlib.path import Path

from . import charts, formatting, municipalities, timing
from .charts import BAD, MUTED, NEUTRAL, WIDTH_IN, apply_style, plt
from .disclosure import Disclosed, require

#: class bounds of the omgørelsesprocent (a share on a bound belongs to the class above it)
CLASS_BOUNDS = (0.2, 0.3, 0.4, 0.5, 0.6)
NO_CASES = "Ingen realitetsbehandlede sager"
NO_CASES_COLOUR = "#e6e6e6"
#: Bornholm is moved by this much (degrees of longitude, latitude) into a box in the Kattegat
BORNHOLM_SHIFT = (-2.55, 1.95)
_ASPECT = 1 / np.cos(np.radians(56.0))
#: the enlarged capital area (longitude, latitude ranges)
CAPITAL_AREA = ((12.2, 12.72), (55.56, 55.86))


def class_labels(bounds=CLASS_BOUNDS) -> list[str]:
    """Readable labels of the classes: 'under 20 %', '20–29 %', …, '60 % og derover' (whole percentages; a share
    of 29,6 % is in '20–29 %' because it is below 30 %)."""
    b = [round(x * 100) for x in bounds]
    out = [f"under {b[0]} %"]
    out += [f"{lo}–{hi - 1} %" for lo, hi in zip(b[:-1], b[1:])]
    return out + [f"{b[-1]} % og derover"]


def class_colours(n: int) -> list:
    """``n`` colours of a sequential, colour-blind-safe scale (ColorBrewer YlOrRd), light = low."""
    cmap = colormaps["YlOrRd"]
    return [cmap(x) for x in np.linspace(0.12, 0.92, n)]


def class_of(values, bounds=CLASS_BOUNDS) -> np.ndarray:
    """The class (0 … len(bounds)) of each share; -1 where there is no value."""
    v = np.asarray(values, dtype=float)
    out = np.searchsorted(np.asarray(bounds), v, side="right")
    return np.where(np.isfinite(v), out, -1)


def warm() -> None:
    """Read the kommune boundaries and build their paths now (the warm report engine's zygote, before it forks)."""
    _paths()


@lru_cache(maxsize=1)
def _paths() -> dict[str, Path]:
    """Each kommune's boundary as one compound path (Bornholm moved into its box)."""
    out = {}
    for name, rings in municipalities.boundaries().items():
        if name == "Bornholm":
            rings = [r + np.array(BORNHOLM_SHIFT) for r in rings]
        out[name] = Path.make_compound_path(*[Path(r, closed=True) for r in rings])
    return out


def _add(ax, patch) -> None:
    """Add a patch without :meth:`~matplotlib.axes.Axes.add_patch`'s update of the data limits (which walks every
    vertex; the map sets its limits itself)."""
    ax.add_artist(patch)


def _draw(ax, classes: dict, colours, target: str | None, gid: bool) -> set:
    """Every kommune as one patch in its class colour (hatched grey without a value) and ``target`` outlined;
    returns the classes used (-1: without cases). With ``gid`` each patch carries its kommune's name."""
    used = set()
    paths = _paths()
    for name, path in paths.items():
        k = classes.get(name, -1)
        used.add(k)
        if k >= 0:
            patch = PathPatch(path, facecolor=colours[k], edgecolor="white", linewidth=0.3)
        else:
            patch = PathPatch(path, facecolor=NO_CASES_COLOUR, edgecolor="#9a9a9a", hatch="/////", linewidth=0.2)
        if gid:
            patch.set_gid(name)
        _add(ax, patch)
    if target:
        outline = PathPatch(paths[target], facecolor="none", edgecolor="black", linewidth=1.8, zorder=5)
        if gid:
            outline.set_gid(f"outline:{target}")
        _add(ax, outline)
    return used


@timing.timed("charts")
def choropleth(data: Disclosed, label: str, value: str, title: str, highlight: str | None = None,
               source: str = "", as_of_label: str = ""):
    """A map of every kommune coloured by ``value`` (a share) from ``data`` (one row per kommune, ``label`` its
    name in any spelling); kommuner not in ``data`` or without a value are marked as without cases; ``highlight``
    (a kommune) is outlined. Returns the Figure."""
    require(data, "choropleth")
    apply_style()
    fig = plt.figure(figsize=(WIDTH_IN, 6.4))
    ax = fig.add_axes((0.0, 0.04, 0.64, 0.88))
    ax.set_anchor("NW")
    shown = data.subset(data.shown([value]))
    fig.kvalitet_hidden_note = ""
    names = [municipalities.match(x) or str(x) for x in shown.raw(label)]
    classes = dict(zip(names, class_of(shown.number(value))))
    colours = class_colours(len(CLASS_BOUNDS) + 1)
    target = municipalities.match(highlight) if highlight else None
    used = _draw(ax, classes, colours, target, gid=True)
    dx, dy = BORNHOLM_SHIFT
    _add(ax, Rectangle((14.62 + dx, 54.93 + dy), 0.62, 0.45, facecolor="none", edgecolor=MUTED, linewidth=0.6))
    ax.set_xlim(8.0, 12.85)
    ax.set_ylim(54.5, 57.8)
    ax.set_aspect(_ASPECT)
    ax.set_axis_off()
    # the capital area, where the kommuner are small, enlarged below the legend
    zoom = fig.add_axes((0.67, 0.04, 0.32, 0.40))
    zoom.set_anchor("SW")
    _draw(zoom, classes, colours, target, gid=False)
    zoom.set_xlim(*CAPITAL_AREA[0])
    zoom.set_ylim(*CAPITAL_AREA[1])
    zoom.set_aspect(_ASPECT)
    zoom.set_xticks([])
    zoom.set_yticks([])
    zoom.set_title("Hovedstadsområdet", fontsize=8, loc="left", fontweight="normal")
    for spine in zoom.spines.values():
        spine.set_visible(True)
        spine.set_color(MUTED)
    (x0, x1), (y0, y1) = CAPITAL_AREA
    _add(ax, Rectangle((x0, y0), x1 - x0, y1 - y0, facecolor="none", edgecolor=MUTED, linewidth=0.6))
    handles = [Patch(facecolor=c, edgecolor="white", label=lb) for c, lb in zip(colours, class_labels())]
    if -1 in used:
        handles.append(Patch(facecolor=NO_CASES_COLOUR, edgecolor="#9a9a9a", hatch="/////", label=NO_CASES))
    if target:
        handles.append(Patch(facecolor="none", edgecolor="black", linewidth=1.8, label=municipalities.title(target)))
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8,
              title="Omgørelsesprocent", title_fontsize=8.5, alignment="left")
    ax.set_title(title, wrap=True)
    charts.caption(fig, source, as_of_label, extra=municipalities.ATTRIBUTION)
    return fig


@timing.timed("charts")
def caterpillar(data: Disclosed, label: str, value: str, ci_low: str, ci_high: str, title: str,
                highlight: str | None = None, reference: float | None = None, reference_label: str = "Hele landet",
                source: str = "", as_of_label: str = ""):
    """Every kommune's share with its interval, sorted from lowest to highest (x: the place), the reference level
    as a line and ``highlight`` in red and named. Kommuner without a value are left out."""
    require(data, "caterpillar")
    apply_style()
    fig, ax = plt.subplots(figsize=(WIDTH_IN, 3.8))
    d = data.subset(data.shown([value, ci_low, ci_high]) & np.isfinite(data.number(value)))
    v, lo, hi = d.number(value), d.number(ci_low), d.number(ci_high)
    names = np.array([municipalities.match(x) or str(x) for x in d.raw(label)], dtype=object)
    order = np.lexsort((names, v))
    v, lo, hi, names = v[order], lo[order], hi[order], names[order]
    x = np.arange(1, len(v) + 1)
    mine = names == (municipalities.match(highlight) if highlight else None)
    ax.vlines(x[~mine], lo[~mine], hi[~mine], color=NEUTRAL, alpha=0.45, linewidth=1.2)
    ax.scatter(x[~mine], v[~mine], color=NEUTRAL, s=10, zorder=3, label="Kommune med 95 %-konfidensinterval")
    if mine.any():
        ax.vlines(x[mine], lo[mine], hi[mine], color=BAD, linewidth=2)
        ax.scatter(x[mine], v[mine], color=BAD, s=30, zorder=4, label=municipalities.title(names[mine][0]))
        i = int(np.flatnonzero(mine)[0])
        ax.annotate(f"{names[i]}: {formatting.percent(v[i])}", (x[i], hi[i]), textcoords="offset points",
                    xytext=(0, 4), ha="center", fontsize=8, color=BAD)
    if reference is not None and np.isfinite(reference):
        ax.axhline(reference, color=MUTED, linestyle="--", linewidth=1,
                   label=f"{reference_label} ({formatting.percent(reference)})")
    ax.set_xlabel("Kommunerne ordnet efter omgørelsesprocent (1 = lavest)")
    ax.set_ylabel("Omgørelsesprocent")
    ax.set_xlim(0, len(v) + 1)
    ax.set_ylim(0, min(1.0, float(np.nanmax(hi)) * 1.08) if len(hi) and np.isfinite(hi).any() else 1.0)
    charts.danish_number_axis(ax, percent=True)
    charts._finish(fig, ax, title, source, as_of_label)
    return fig


@timing.timed("charts")
def funnel(data: Disclosed, label: str, limits: pd.DataFrame, title: str, highlight: str | None = None,
           source: str = "", as_of_label: str = ""):
    """:func:`kvalitet.charts.funnel` (columns ``merits``, ``value``, the flag column ``outside`` for the kommuner
    beyond the 99,8 % limits) with ``highlight`` ringed in black and named."""
    require(data, "funnel")
    names = [municipalities.match(x) or str(x) for x in data.raw(label)]
    target = municipalities.match(highlight) if highlight else None
    fig = charts.funnel(data, "merits", "value", label, limits, title=title,
                        xlabel="Realitetsbehandlede sager", ylabel="Omgørelsesprocent", flags="outside",
                        source=source, as_of_label=as_of_label, names="_name")
    if target in names:
        ax = fig.axes[0]
        i = names.index(target)
        n, v = data.number("merits")[i], data.number("value")[i]
        ax.scatter([n], [v], s=140, facecolors="none", edgecolors="black", linewidths=1.8, zorder=6,
                   label=municipalities.title(target))
        ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8)
    return fig


@timing.timed("charts")
def development(data: Disclosed, period: str, value: str, ci_low: str, ci_high: str, national: str, title: str,
                name: str, source: str = "", as_of_label: str = ""):
    """The kommune's omgørelsesprocent per year with its interval (:func:`kvalitet.charts.series_with_ci`) and
    the national level (column ``national``) as a dashed line."""
    require(data, "development")
    fig = charts.series_with_ci(data, period, value, ci_low, ci_high, title=title, ylabel="Omgørelsesprocent",
                                source=source, as_of_label=as_of_label, percent=True, label=name)
    ax = fig.axes[0]
    ax.plot(np.arange(len(data)), data.number(national), color=MUTED, linestyle="--", marker="s", markersize=3,
            label="Hele landet")
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8)
    return fig
