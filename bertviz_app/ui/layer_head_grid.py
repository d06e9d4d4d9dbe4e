"""The layer × head grid: rows × columns of square tiles drawn from one image (an analysis.numeric Mosaic),
with the selected tile (or row) outlined, a × over knocked-out heads, L/H labels or a name on each tile, fitted
to its box. The attention view's model view is one; a view of another per-head measure can be another."""

from __future__ import annotations

import math

import pyqtgraph as pg
from PySide6 import QtCore, QtGui

from bertviz_app.analysis.numeric.measures import TILE_GAP, Mosaic
from bertviz_app.ui.plot_items import CrossesItem, OutlineItem, plot_widget
from bertviz_app.ui.token_axis import SELECTED_COLOR


class LayerHeadGrid:
    """Owns a graphics widget (`widget`, its `plot` and `image`); tile (row, col) has its top-left corner at
    (col, row) in view coordinates and is `size` wide, the gap making up the rest of the unit step."""

    def __init__(self, colormap) -> None:
        self.widget, self.plot = plot_widget()
        g = self.plot
        g.invertY(True)
        g.setMouseEnabled(False, False)
        g.showAxes((True, True, False, False), showValues=(True, True, False, False))
        for side in ("left", "top"):
            g.getAxis(side).setStyle(tickLength=0, tickTextOffset=4, tickAlpha=0)
        g.vb.sigResized.connect(self.fit)
        self.image = pg.ImageItem(axisOrder="row-major")
        self.image.setColorMap(colormap)
        g.addItem(self.image)
        self.marks = CrossesItem()
        self.marks.setZValue(5)
        g.vb.addItem(self.marks, ignoreBounds=True)
        self.outline = OutlineItem(light=SELECTED_COLOR, dark="white", width=2.0)
        self.outline.setZValue(10)
        self.outline.hide()
        g.vb.addItem(self.outline, ignoreBounds=True)
        self.labels: list[pg.TextItem] = []
        self.rows = self.cols = 0
        self.tile = 1  # pixels of one tile in the image

    @property
    def size(self) -> float:
        """A tile's width in view units (1 = a tile and its gap)."""
        return self.tile / (self.tile + TILE_GAP)

    def show(self, mosaic: Mosaic, tile_labels: dict[tuple[int, int], str] | None = None) -> None:
        """Show `mosaic`: L1.. / H1.. along the rows and columns, or `tile_labels` ((row, col) -> text) on tiles."""
        self.rows, self.cols, self.tile = mosaic.rows, mosaic.cols, mosaic.tile
        step = mosaic.tile + TILE_GAP
        self.image.setImage(mosaic.image, levels=(0.0, 1.0), autoLevels=False)
        self.image.setTransform(QtGui.QTransform.fromScale(1.0 / step, 1.0 / step))
        g = self.plot
        for label in self.labels:
            g.vb.removeItem(label)
        self.labels = []
        centre = self.size / 2
        if tile_labels is not None:  # wrapped tiles: each carries its name instead of row/column labels
            g.getAxis("left").setTicks([[], []])
            g.getAxis("top").setTicks([[], []])
            for (row, col), text in tile_labels.items():
                label = pg.TextItem(text, color="white", fill=pg.mkBrush(0, 0, 0, 150), anchor=(0, 0))
                label.setPos(col, row)
                label.setZValue(6)
                g.vb.addItem(label, ignoreBounds=True)
                self.labels.append(label)
        else:
            g.getAxis("left").setTicks([[(i + centre, f"L{i + 1}") for i in range(self.rows)], []])
            g.getAxis("top").setTicks([[(j + centre, f"H{j + 1}") for j in range(self.cols)], []])
        self.fit()

    def clear(self) -> None:
        self.rows = self.cols = 0
        self.image.clear()
        self.marks.set_tiles([])
        self.outline.hide()

    def fit(self, *_args) -> None:
        """Square tiles filling the box, anchored at the top so the head labels stay close."""
        vb = self.plot.vb
        w, h = vb.width(), vb.height()
        if self.rows == 0 or w <= 0 or h <= 0:
            return
        inner = 1 - self.size
        width, height = self.cols - inner, self.rows - inner
        pad = 0.04
        scale = min(w / (width + 2 * pad), h / (height + 2 * pad))
        x_span, y_span = w / scale, h / scale
        vb.setRange(xRange=(width / 2 - x_span / 2, width / 2 + x_span / 2), yRange=(-pad, y_span - pad), padding=0)

    def outline_tile(self, row: int, col: int | None) -> None:
        """Outline one tile, or the whole `row` when col is None."""
        pad = 0.5 * (1 - self.size)
        if col is None:
            rect = QtCore.QRectF(-pad, row - pad, self.cols, self.size + 2 * pad)  # every tile and its gaps
        else:
            rect = QtCore.QRectF(col - pad, row - pad, self.size + 2 * pad, self.size + 2 * pad)
        self.outline.setRect(rect)
        self.outline.show()

    def mark(self, tiles) -> None:
        """A dimmed tile with a × over each (row, col) of `tiles`."""
        self.marks.set_tiles([QtCore.QRectF(col, row, self.size, self.size) for row, col in tiles])

    def marked(self) -> frozenset[tuple[int, int]]:
        return frozenset((int(r.top()), int(r.left())) for r in self.marks._tiles)

    def tile_at(self, scene_pos: QtCore.QPointF) -> tuple[int, int] | None:
        """(row, col) under a scene position of the grid (it may be past the last tile), or None outside."""
        if self.rows == 0 or not self.plot.vb.sceneBoundingRect().contains(scene_pos):
            return None
        p = self.plot.vb.mapSceneToView(scene_pos)
        return math.floor(p.y()), math.floor(p.x())

    def tile_center(self, row: int, col: int) -> QtCore.QPointF:
        centre = self.size / 2
        return self.plot.vb.mapViewToScene(QtCore.QPointF(col + centre, row + centre))
