"""The Danmarkskort drawn: the choropleth, the caterpillar chart and the funnel with the kommune highlighted."""

from __future__ import annotations

import matplotlib.colors as mcolors
import matplotlib.pyplot as plt
from matplotlib.collections import PathCollection
import numpy as np
import pandas as pd
import pytest

from kvalitet import disclosure, maps, municipalities
from kvalitet.stats import funnel_limits

#: a few kommuner with their omgørelsesprocent, in the spellings exports use; Vejle has no realitetsbehandlede cases
ROWS = pd.DataFrame({
    "Kommune": ["Københavns Kommune", "Århus", "Odense", "Aalborg", "Vejle", "Læsø"],
    "value": [0.331, 0.20, 0.1999, 0.60, np.nan, 0.45],
    "ci_low": [0.30, 0.15, 0.15, 0.50, np.nan, 0.20],
    "ci_high": [0.36, 0.26, 0.26, 0.70, np.nan, 0.70],
    "merits": [996, 210, 190, 160, 0, 11],
})


def _patches(fig):
    return {p.get_gid(): p for p in fig.axes[0].patches if p.get_gid()}


def _texts(fig) -> str:
    return " ".join(t.get_text() for t in fig.texts)


def test_classes_are_readable_and_a_bound_belongs_to_the_class_above():
    assert maps.class_labels() == ["under 20 %", "20–29 %", "30–39 %", "40–49 %", "50–59 %", "60 % og derover"]
    assert maps.class_of([0.1999, 0.2, 0.331, 0.5999, 0.6, 1.0, np.nan]).tolist() == [0, 1, 2, 4, 5, 5, -1]


def test_choropleth_one_coloured_shape_per_kommune_with_data_attribution_and_outline():
    fig = maps.choropleth(disclosure.disclose(ROWS), "Kommune", "value", "Omgørelsesprocent 2023",
                          highlight="København", source="Ankestyrelsen", as_of_label="31. december 2024")
    patches = _patches(fig)
    shapes = {g: p for g, p in patches.items() if not g.startswith("outline:")}
    assert set(shapes) == set(municipalities.names())  # all 98, Christiansø not drawn
    colours = maps.class_colours(6)
    no_case = mcolors.to_rgba(maps.NO_CASES_COLOUR)
    coloured = {g for g, p in shapes.items() if p.get_facecolor() != no_case}
    assert coloured == {"København", "Aarhus", "Odense", "Aalborg", "Læsø"}  # Vejle (no cases) is not coloured
    assert shapes["København"].get_facecolor() == pytest.approx(colours[2])   # 33,1 % → 30–39 %
    assert shapes["Aarhus"].get_facecolor() == pytest.approx(colours[1])      # 20,0 % → 20–29 %
    assert shapes["Odense"].get_facecolor() == pytest.approx(colours[0])      # 19,99 % → under 20 %
    assert shapes["Aalborg"].get_facecolor() == pytest.approx(colours[5])     # 60 % → 60 % og derover
    assert shapes["Vejle"].get_hatch() and shapes["Kolding"].get_hatch()
    outline = patches["outline:København"]
    assert outline.get_edgecolor() == mcolors.to_rgba("black") and outline.get_facecolor()[3] == 0
    assert municipalities.ATTRIBUTION in _texts(fig).replace("\n", " ")
    # the capital area enlarged beside the map, drawn with the same colours and the outline
    zoom = fig.axes[1]
    assert zoom.get_title(loc="left") == "Hovedstadsområdet" and len(zoom.patches) == 98 + 1
    legend = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert legend == maps.class_labels() + [maps.NO_CASES, "Københavns Kommune"]
    plt.close(fig)


def test_bornholm_is_drawn_in_the_kattegat_box_and_the_map_is_within_its_frame():
    fig = maps.choropleth(disclosure.disclose(ROWS), "Kommune", "value", "t")
    ext = _patches(fig)["Bornholm"].get_path().get_extents()
    assert 11.9 < ext.x0 and ext.x1 < 12.85 and 56.9 < ext.y0 and ext.y1 < 57.4
    plt.close(fig)


def test_charts_refuse_a_raw_frame():
    with pytest.raises(TypeError):
        maps.choropleth(ROWS, "Kommune", "value", "t")
    with pytest.raises(TypeError):
        maps.caterpillar(ROWS, "Kommune", "value", "ci_low", "ci_high", "t")


def test_caterpillar_sorted_with_intervals_and_the_kommune_named():
    fig = maps.caterpillar(disclosure.disclose(ROWS), "Kommune", "value", "ci_low", "ci_high", "t",
                           highlight="København", reference=0.34)
    ax = fig.axes[0]
    pts = np.vstack([c.get_offsets() for c in ax.collections if isinstance(c, PathCollection)])
    order = pts[np.argsort(pts[:, 0])]
    # 5 kommuner with a value (Vejle left out), placed 1..5 from lowest to highest
    assert order[:, 0].tolist() == [1, 2, 3, 4, 5]
    assert order[:, 1].tolist() == pytest.approx([0.1999, 0.20, 0.331, 0.45, 0.60])
    assert any("København: 33,1" in t.get_text() for t in ax.texts)
    assert any("Hele landet (34,0" in t for t in [x.get_text() for x in ax.get_legend().get_texts()])
    plt.close(fig)


def test_funnel_highlights_the_kommune():
    pts = ROWS[ROWS.merits > 0].assign(outside=[False, False, False, True, False], _name="")
    lim = funnel_limits(np.geomspace(5, 1300, 50), 0.34)
    fig = maps.funnel(disclosure.disclose(pts), "Kommune", lim, "t", highlight="København")
    labels = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert "Københavns Kommune" in labels and "Enhed uden for 99,8 %-grænserne" in labels
    plt.close(fig)
