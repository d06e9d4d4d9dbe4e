"""The colour maps a user can choose, defined once: the attention view's selector, the settings that remember
the choice, and every heatmap that follows it read this list."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication

COLORMAPS = ("viridis", "inferno", "magma", "plasma", "cividis", "greys")
DEFAULT_COLORMAP = "viridis"


def colormap_label(name: str) -> str:
    """The name a selector shows for a colour map: viridis, magma, ... are proper names and stay as they are;
    "greys" is a word, in the user's language. Settings store `name` itself."""
    return QCoreApplication.translate("ColorMaps", "greys") if name == "greys" else name


def make_colormap(name: str):
    """A pyqtgraph colour map by the names in COLORMAPS ('greys' runs white → black, like matplotlib's)."""
    import pyqtgraph as pg  # here, so that settings can read COLORMAPS without loading pyqtgraph

    if name == "greys":
        pos, colors = pg.colormap.get("CET-L1").getStops()
        return pg.ColorMap(pos, colors[::-1], name="greys")
    if name not in COLORMAPS:
        raise ValueError(f"unknown colour map {name!r}; choose one of {', '.join(COLORMAPS)}")
    return pg.colormap.get(name)
