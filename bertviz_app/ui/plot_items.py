"""Graphics items the plots share: a token × token heatmap, outlines readable on any colour map, the × over a
knocked-out head, and how a weight is written."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtGui, QtWidgets

KNOCKED_OUT_COLOR = "#212529"


def format_weight(w: float) -> str:
    """Attention weights as people read them: 0.314, and 3.2e-05 for the tiny ones at long inputs."""
    return f"{w:.3f}" if w >= 0.001 or w == 0 else f"{w:.1e}"


def plot_widget(margins: tuple[int, int, int, int] = (4, 4, 8, 4)) -> tuple[pg.GraphicsLayoutWidget, pg.PlotItem]:
    """A graphics widget holding one plot, without pyqtgraph's context menu and auto-range button."""
    widget = pg.GraphicsLayoutWidget()
    widget.ci.layout.setContentsMargins(*margins)
    plot = widget.addPlot()
    plot.setMenuEnabled(False)
    plot.hideButtons()
    return widget, plot


def heatmap_plot(left: pg.AxisItem, bottom: pg.AxisItem, zoom: bool = False) -> tuple[pg.PlotItem, pg.ImageItem]:
    """A plot for a (rows, cols) matrix: cell (r, c) centred on (c, r), rows downwards, labels left and bottom
    (the given axes), nothing on the other two sides. `zoom`: the mouse may pan and zoom it."""
    plot = pg.PlotItem(axisItems={"left": left, "bottom": bottom})
    plot.setMenuEnabled(False)
    plot.hideButtons()
    if not zoom:
        plot.setMouseEnabled(False, False)
    plot.invertY(True)
    plot.setDefaultPadding(0.0)
    plot.showAxes(True, showValues=(True, False, False, True))
    for side in ("top", "right"):
        plot.getAxis(side).setStyle(tickLength=0)
        plot.getAxis(side).setTicks([[], []])
    image = pg.ImageItem(axisOrder="row-major")
    image.setTransform(QtGui.QTransform().translate(-0.5, -0.5))  # cell (r, c) centred on (c, r)
    plot.addItem(image)
    return plot, image


def fit_heatmap(plot: pg.PlotItem, rows: int, cols: int) -> None:
    """Show the whole (rows, cols) matrix, and let zooming go no further out."""
    plot.vb.setLimits(xMin=-0.5, xMax=cols - 0.5, yMin=-0.5, yMax=rows - 0.5)
    plot.vb.setRange(xRange=(-0.5, cols - 0.5), yRange=(-0.5, rows - 0.5), padding=0)


class CrossesItem(QtWidgets.QGraphicsPathItem):
    """A dimmed tile with a × on it for each knocked-out head: a dark stroke over a light one, so it reads on
    every colour map."""

    def __init__(self):
        super().__init__()
        self._light = pg.mkPen("white", width=4.0)
        self._dark = pg.mkPen(KNOCKED_OUT_COLOR, width=2.0)
        for pen in (self._light, self._dark):
            pen.setCosmetic(True)
            pen.setCapStyle(QtCore.Qt.PenCapStyle.RoundCap)
        shade = QtGui.QColor(KNOCKED_OUT_COLOR)
        shade.setAlpha(120)
        self._shade = QtGui.QBrush(shade)
        self._tiles: list[QtCore.QRectF] = []

    def set_tiles(self, rects: list[QtCore.QRectF]) -> None:
        self._tiles = list(rects)
        path = QtGui.QPainterPath()
        for r in self._tiles:
            inset = r.width() * 0.18
            inner = r.adjusted(inset, inset, -inset, -inset)
            path.moveTo(inner.topLeft())
            path.lineTo(inner.bottomRight())
            path.moveTo(inner.topRight())
            path.lineTo(inner.bottomLeft())
        self.setPath(path)

    def boundingRect(self) -> QtCore.QRectF:
        rect = QtCore.QRectF()
        for r in self._tiles:
            rect = rect.united(r)
        return rect.united(super().boundingRect())

    def paint(self, painter, option, widget=None):
        painter.setPen(QtCore.Qt.PenStyle.NoPen)
        painter.setBrush(self._shade)
        for r in self._tiles:
            painter.drawRect(r)
        painter.setBrush(QtCore.Qt.BrushStyle.NoBrush)
        for pen in (self._light, self._dark):
            painter.setPen(pen)
            painter.drawPath(self.path())


class OutlineItem(QtWidgets.QGraphicsRectItem):
    """A rectangle outline readable on any colour map: a dark stroke under a light one (cosmetic pens)."""

    def __init__(self, light: str = "white", dark: str = "black", width: float = 1.5):
        super().__init__()
        self._light = pg.mkPen(light, width=width)
        self._dark = pg.mkPen(dark, width=width + 2)
        for pen in (self._light, self._dark):
            pen.setCosmetic(True)
            pen.setJoinStyle(QtCore.Qt.PenJoinStyle.MiterJoin)
        self.setBrush(QtGui.QBrush(QtCore.Qt.BrushStyle.NoBrush))

    def set_colors(self, light: str, dark: str) -> None:
        self._light.setColor(QtGui.QColor(light))
        self._dark.setColor(QtGui.QColor(dark))
        self.update()

    def paint(self, painter, option, widget=None):
        painter.setBrush(QtCore.Qt.BrushStyle.NoBrush)
        for pen in (self._dark, self._light):
            painter.setPen(pen)
            painter.drawRect(self.rect())


def window_edges(length: int, window: int) -> tuple[np.ndarray, np.ndarray]:
    """(x, y) of the outline of a local attention window on a (length × length) heatmap whose cell (row r,
    column c) is centred on (c, r): the staircases along the cells' edges where |r − c| ≤ window stops, the
    two separated by NaN (draw with connect="finite"); empty where the window covers the whole heatmap."""
    xs, ys = [], []
    for side in (1, -1):
        for r in range(length):
            x = r + side * (window + 0.5)
            if -0.5 < x < length - 0.5:
                xs += [x, x]
                ys += [r - 0.5, r + 0.5]
        xs.append(np.nan)
        ys.append(np.nan)
    return np.asarray(xs, dtype=float), np.asarray(ys, dtype=float)


class WindowOutline(pg.PlotCurveItem):
    """Dashed staircases on a heatmap where a layer's local attention window ends (ModernBERT's local layers
    see only the tokens within `window` either side); hidden for a global layer."""

    def __init__(self, plot: pg.PlotItem):
        super().__init__(pen=pg.mkPen("w", width=2, style=QtCore.Qt.PenStyle.DashLine), connect="finite")
        self.setZValue(5)
        plot.addItem(self)

    def show_window(self, length: int, windows: tuple[int | None, ...], layer: int) -> None:
        """Outline layer `layer`'s window (`windows`: each layer's, or None for a global one) on a heatmap of
        `length` tokens."""
        window = windows[layer] if layer < len(windows) else None
        if window is None or window >= length - 1:
            self.setData([], [])
            self.hide()
            return
        self.setData(*window_edges(length, window))
        self.show()
