"""Attention: one layer/head as a token × token heatmap, and every layer × head at once (the model view).

Renders from the arrays of an InferenceResult only. Changing layer, head, "mean over heads" or the colour
map re-slices the cached (L, H, T, T) array; nothing here ever runs the model.
"""

from __future__ import annotations

import csv
import math
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pyqtgraph as pg
import pyqtgraph.exporters as pg_exporters
from PySide6 import QtCore, QtGui, QtWidgets
from PySide6.QtSvg import QSvgGenerator

from bertviz_app.ui.message_stack import MessageStack

if TYPE_CHECKING:
    from bertviz_app.analysis.inference import InferenceResult

COLORMAPS = ("viridis", "inferno", "magma", "plasma", "cividis", "greys")
DEFAULT_COLORMAP = "viridis"

MASKED_COLOR = "#e8590c"  # orange: tokens hidden from the model by [MASK]
SELECTED_COLOR = "#c2255c"  # raspberry: the token selected anywhere in the app
MAX_LABEL_CHARS = 14
THUMBNAIL_PIXELS = 40  # model-view tiles are block-averaged down to at most this many cells a side
TILE_GAP = 1  # transparent pixels between model-view tiles (at tile resolution)

_NORMAL, _SPECIAL, _MASKED = 0, 1, 2


def make_colormap(name: str) -> pg.ColorMap:
    """A pyqtgraph colour map by the names in COLORMAPS ('greys' runs white → black, like matplotlib's)."""
    if name == "greys":
        pos, colors = pg.colormap.get("CET-L1").getStops()
        return pg.ColorMap(pos, colors[::-1], name="greys")
    if name not in COLORMAPS:
        raise ValueError(f"unknown colour map {name!r}; choose one of {', '.join(COLORMAPS)}")
    return pg.colormap.get(name)


def short_label(token: str, limit: int = MAX_LABEL_CHARS) -> str:
    return token if len(token) <= limit else token[: limit - 1] + "…"


def format_weight(w: float) -> str:
    """Attention weights as people read them: 0.314, and 3.2e-05 for the tiny ones at long inputs."""
    return f"{w:.3f}" if w >= 0.001 or w == 0 else f"{w:.1e}"


def token_kinds(result: InferenceResult) -> list[int]:
    masked = set(result.masked_positions)
    special = result.encoding.special
    return [_MASKED if i in masked else _SPECIAL if special[i] else _NORMAL for i in range(len(result.tokens))]


def block_mean(matrices: np.ndarray, size: int) -> np.ndarray:
    """Average (..., T, T) matrices down to (..., n, n), n = ceil(T / ceil(T / size)); as is if T ≤ size."""
    t = matrices.shape[-1]
    factor = math.ceil(t / size)
    if factor <= 1:
        return matrices.astype(np.float32, copy=False)
    starts = np.arange(0, t, factor)
    counts = np.diff(np.append(starts, t)).astype(np.float32)
    # Sum blocks of columns, then blocks of rows: one pass over the data, no padded copy.
    sums = np.add.reduceat(matrices, starts, axis=-1, dtype=np.float32)
    sums = np.add.reduceat(sums, starts, axis=-2, dtype=np.float32)
    return sums / np.outer(counts, counts)


def model_view_mosaic(attention: np.ndarray, size: int = THUMBNAIL_PIXELS, gap: int = TILE_GAP):
    """(L, H, T, T) → one (L·(s+gap)−gap, H·(s+gap)−gap) image: each head's thumbnail scaled to its own max,
    NaN (transparent) between tiles. Returns (mosaic, s)."""
    tiles = block_mean(attention, size)
    num_layers, num_heads, s, _ = tiles.shape
    peak = tiles.max(axis=(-2, -1), keepdims=True)
    tiles = np.divide(tiles, peak, out=np.zeros_like(tiles), where=peak > 0)
    step = s + gap
    padded = np.full((num_layers, num_heads, step, step), np.nan, dtype=np.float32)
    padded[:, :, :s, :s] = tiles
    mosaic = padded.transpose(0, 2, 1, 3).reshape(num_layers * step, num_heads * step)
    return np.ascontiguousarray(mosaic[: num_layers * step - gap, : num_heads * step - gap]), s


def export_item_png(item: QtWidgets.QGraphicsItem, path: str | Path, width: int = 1400) -> None:
    """A pyqtgraph item (a PlotItem, with its axes and colour bar) as a PNG `width` pixels wide."""
    exporter = pg_exporters.ImageExporter(item)
    exporter.parameters()["width"] = int(width)
    if not exporter.export(str(path)):
        raise OSError(f"could not write {path}")


def export_item_svg(item: QtWidgets.QGraphicsItem, path: str | Path, title: str = "") -> None:
    """A pyqtgraph item as SVG: pyqtgraph's exporter when it works, else Qt's own SVG painter.

    pyqtgraph 0.14's SVGExporter cannot parse the closed paths ("... Z") that Qt ≥ 6.10 writes and raises
    ValueError for any plot (pyqtgraph issue #3485); Qt's QSvgGenerator renders the same scene region.
    """
    try:
        pg_exporters.SVGExporter(item).export(str(path))
        return
    except ValueError:
        pass
    source = item.sceneBoundingRect()
    target = QtCore.QRectF(0, 0, source.width(), source.height())
    generator = QSvgGenerator()
    generator.setFileName(str(path))
    generator.setSize(target.size().toSize())
    generator.setViewBox(target)
    generator.setTitle(title or "BERT Explorer")
    painter = QtGui.QPainter()
    if not painter.begin(generator):
        raise OSError(f"could not write {path}")
    try:
        item.scene().render(painter, target, source)
    finally:
        painter.end()


class _TokenAxis(pg.AxisItem):
    """An axis of token labels: one per cell, thinned when cells get too small to hold a line of text,
    vertical on the bottom axis, coloured by kind (special / masked / selected)."""

    def __init__(self, orientation: str):
        super().__init__(orientation)
        self._labels: list[str] = []
        self._kinds: list[int] = []
        self._selected: int | None = None
        self._colors = {
            _NORMAL: QtGui.QColor("black"),
            _SPECIAL: QtGui.QColor("gray"),
            _MASKED: QtGui.QColor(MASKED_COLOR),
        }
        font = QtGui.QFont()
        font.setPointSizeF(font.pointSizeF() + 1)  # token labels are the point of the picture
        self.setStyle(tickLength=4, tickTextOffset=4, tickFont=font)

    def set_colors(self, normal: QtGui.QColor, special: QtGui.QColor) -> None:
        self._colors[_NORMAL] = QtGui.QColor(normal)
        self._colors[_SPECIAL] = QtGui.QColor(special)
        self._invalidate()

    def set_tokens(self, labels: list[str], kinds: list[int]) -> None:
        self._labels = [short_label(t) for t in labels]
        self._kinds = list(kinds)
        if self._selected is not None and self._selected >= len(self._labels):
            self._selected = None
        self._fit_size()
        self._invalidate()

    def set_selected(self, index: int | None) -> None:
        self._selected = index
        self._invalidate()

    def _font(self, bold: bool = False) -> QtGui.QFont:
        font = QtGui.QFont(self.style["tickFont"] or QtGui.QFont())
        font.setBold(bold)
        return font

    def _fit_size(self) -> None:
        metrics = QtGui.QFontMetricsF(self._font(bold=True))
        extent = max((metrics.horizontalAdvance(t) for t in self._labels), default=0.0)
        extent += self.style["tickLength"] + self.style["tickTextOffset"][0] + 4
        if self.label.isVisible():
            extent += self.label.boundingRect().height() * 0.8
        if self.orientation in ("left", "right"):
            self.setWidth(math.ceil(extent))
        else:
            self.setHeight(math.ceil(extent))

    def _invalidate(self) -> None:
        self.picture = None
        self.update()

    def visible_indices(self, length_px: float) -> list[int]:
        """Which token labels fit along `length_px` pixels of the current range (every stride-th one, and
        always the selected one)."""
        n = len(self._labels)
        if n == 0 or length_px <= 0:
            return []
        lo, hi = sorted(self.range)
        span = max(hi - lo, 1e-9)
        cell_px = length_px / span
        line = QtGui.QFontMetricsF(self._font()).height() * 1.05
        stride = max(1, math.ceil(line / max(cell_px, 1e-9)))
        first = max(0, math.ceil(lo))
        last = min(n - 1, math.floor(hi))
        shown = [i for i in range(first - first % stride, last + 1, stride) if i >= first]
        sel = self._selected
        if sel is not None and first <= sel <= last and stride > 1:
            shown = [i for i in shown if abs(i - sel) >= stride] + [sel]
        return shown

    def generateDrawSpecs(self, p):
        bounds = self.mapRectFromParent(self.geometry())
        vertical = self.orientation in ("left", "right")
        length_px = bounds.height() if vertical else bounds.width()
        if length_px <= 0 or self.range[1] == self.range[0]:
            return None
        a, b = self.range
        if vertical:  # range is reversed for an inverted view: position follows the same formula
            scale = -bounds.height() / (b - a)
            offset = a * scale - bounds.height()
        else:
            scale = bounds.width() / (b - a)
            offset = a * scale
        if self.orientation == "left":
            axis_spec = (self.pen(), bounds.topRight(), bounds.bottomRight())
        else:
            axis_spec = (self.pen(), bounds.topLeft(), bounds.topRight())
        tick_len = self.style["tickLength"]
        text_offset = tick_len + self.style["tickTextOffset"][0]
        ticks, texts = [], []
        line_h = QtGui.QFontMetricsF(self._font()).height()
        room = (bounds.width() if vertical else bounds.height()) - text_offset
        for i in self.visible_indices(length_px):
            x = i * scale - offset
            if vertical:
                ticks.append(
                    (
                        self.pen(),
                        QtCore.QPointF(bounds.right(), x),
                        QtCore.QPointF(bounds.right() - tick_len, x),
                    )
                )
                rect = QtCore.QRectF(bounds.right() - text_offset - room, x - line_h / 2, room, line_h)
            else:
                ticks.append((self.pen(), QtCore.QPointF(x, bounds.top()), QtCore.QPointF(x, bounds.top() + tick_len)))
                rect = QtCore.QRectF(x, bounds.top() + text_offset, room, line_h)  # drawn rotated about its top-left
            texts.append((rect, i))
        return axis_spec, ticks, texts

    def drawPicture(self, p, axisSpec, tickSpecs, textSpecs):
        p.setRenderHint(p.RenderHint.Antialiasing, False)
        p.setRenderHint(p.RenderHint.TextAntialiasing, True)
        pen, p1, p2 = axisSpec
        p.setPen(pen)
        p.drawLine(p1, p2)
        for pen, p1, p2 in tickSpecs:
            p.setPen(pen)
            p.drawLine(p1, p2)
        right = QtCore.Qt.AlignmentFlag.AlignRight | QtCore.Qt.AlignmentFlag.AlignVCenter
        for rect, i in textSpecs:
            selected = i == self._selected
            kind = self._kinds[i] if i < len(self._kinds) else _NORMAL
            p.setFont(self._font(bold=selected or kind == _MASKED))
            p.setPen(QtGui.QColor(SELECTED_COLOR) if selected else self._colors[kind])
            if self.orientation == "left":
                p.drawText(rect, int(right), self._labels[i])
            else:
                # Vertical text reading upwards, ending just below the tick.
                p.save()
                p.translate(rect.left(), rect.top())
                p.rotate(-90)
                p.drawText(
                    QtCore.QRectF(-rect.width(), -rect.height() / 2, rect.width(), rect.height()),
                    int(right),
                    self._labels[i],
                )
                p.restore()


class _OutlineItem(QtWidgets.QGraphicsRectItem):
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


class AttentionPanel(QtWidgets.QWidget):
    """Attention heatmap for one layer and head (or the mean over heads) beside the every-layer × head grid.

    Layers and heads are 0-based in the API (indices into result.attention) and shown 1-based on screen.
    """

    selection_changed = QtCore.Signal(int, int)  # (layer, head); head is -1 for the mean over heads
    colormap_changed = QtCore.Signal(str)
    token_selected = QtCore.Signal(int)  # a heatmap cell was clicked: its query (row) token

    def __init__(self, parent: QtWidgets.QWidget | None = None):
        super().__init__(parent)
        self._result: InferenceResult | None = None
        self._attention: np.ndarray | None = None
        self._kinds: list[int] = []
        self._layer = 0
        self._head = 0
        self._mean = False
        self._mean_cache: dict[int, np.ndarray] = {}
        self._matrix: np.ndarray | None = None
        self._selected_token: int | None = None
        self._cmap_name = DEFAULT_COLORMAP
        self._tile = 1  # model-view tile size in image pixels
        self._last_emitted: tuple[int, int] | None = None
        self._build()
        self._apply_palette()
        self._set_titles()
        self.clear("No sentence yet: type one to see where each token looks.")

    # ---- construction -------------------------------------------------------------------------------------

    def _build(self) -> None:
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.setSpacing(6)

        controls = QtWidgets.QHBoxLayout()
        controls.setSpacing(8)
        self.layer_spin = QtWidgets.QSpinBox()
        self.layer_spin.setPrefix("Layer ")
        self.layer_spin.setToolTip("Which transformer layer's attention to show (1 = closest to the input)")
        self.head_spin = QtWidgets.QSpinBox()
        self.head_spin.setPrefix("Head ")
        self.head_spin.setToolTip("Which attention head of that layer")
        self.mean_check = QtWidgets.QCheckBox("Mean over heads")
        self.mean_check.setToolTip("Average the attention of every head in the layer")
        self.colormap_combo = QtWidgets.QComboBox()
        self.colormap_combo.addItems(COLORMAPS)
        self.colormap_combo.setToolTip("Colour map of the heatmaps")
        self.export_button = QtWidgets.QToolButton()
        self.export_button.setText("Export")
        self.export_button.setPopupMode(QtWidgets.QToolButton.ToolButtonPopupMode.InstantPopup)
        menu = QtWidgets.QMenu(self.export_button)
        menu.addAction("Heatmap as PNG…", lambda: self._export_dialog("png"))
        menu.addAction("Heatmap as SVG…", lambda: self._export_dialog("svg"))
        menu.addAction("This matrix as CSV…", lambda: self._export_dialog("csv"))
        menu.addAction("All layers and heads as NPZ…", lambda: self._export_dialog("npz"))
        self.export_button.setMenu(menu)
        for w in (self.layer_spin, self.head_spin, self.mean_check):
            controls.addWidget(w)
        controls.addSpacing(12)
        controls.addWidget(QtWidgets.QLabel("Colours"))
        controls.addWidget(self.colormap_combo)
        controls.addStretch(1)
        controls.addWidget(self.export_button)
        layout.addLayout(controls)

        self._stack = MessageStack()
        self.message_label = self._stack.label

        content = QtWidgets.QWidget()
        content_layout = QtWidgets.QVBoxLayout(content)
        content_layout.setContentsMargins(0, 0, 0, 0)
        content_layout.setSpacing(4)
        self._splitter = QtWidgets.QSplitter(QtCore.Qt.Orientation.Horizontal)
        self._splitter.setChildrenCollapsible(False)

        # Main heatmap.
        self.heatmap_widget = pg.GraphicsLayoutWidget()
        self.heatmap_widget.ci.layout.setContentsMargins(4, 4, 8, 4)
        self._left_axis = _TokenAxis("left")
        self._bottom_axis = _TokenAxis("bottom")
        self.heatmap_plot = pg.PlotItem(axisItems={"left": self._left_axis, "bottom": self._bottom_axis})
        self.heatmap_widget.addItem(self.heatmap_plot)
        plot = self.heatmap_plot
        plot.setMenuEnabled(False)
        plot.hideButtons()
        plot.invertY(True)
        plot.setDefaultPadding(0.0)
        plot.showAxes(True, showValues=(True, False, False, True))
        for side in ("top", "right"):
            plot.getAxis(side).setStyle(tickLength=0)
            plot.getAxis(side).setTicks([[], []])
        plot.setLabel("left", "attending token (query)")
        plot.setLabel("bottom", "attended-to token (key)")
        self.heatmap_image = pg.ImageItem(axisOrder="row-major")
        self.heatmap_image.setTransform(QtGui.QTransform().translate(-0.5, -0.5))  # cell (r, c) centred on (c, r)
        plot.addItem(self.heatmap_image)
        self.colorbar = pg.ColorBarItem(
            values=(0.0, 1.0),
            colorMap=make_colormap(self._cmap_name),
            width=14,
            interactive=False,
            colorMapMenu=False,
            label="attention weight",
        )
        self.colorbar.setImageItem(self.heatmap_image, insert_in=plot)
        self._row_outline = _OutlineItem()
        self._col_outline = _OutlineItem()
        self._hover_outline = _OutlineItem(width=1.0)
        for item in (self._row_outline, self._col_outline, self._hover_outline):
            item.setZValue(10)
            item.hide()
            plot.vb.addItem(item, ignoreBounds=True)
        self.heatmap_widget.scene().sigMouseMoved.connect(self._on_heatmap_mouse_moved)
        self.heatmap_widget.scene().sigMouseClicked.connect(self._on_heatmap_clicked)
        self._splitter.addWidget(self.heatmap_widget)

        # Model view: every layer × head as one mosaic image.
        self.grid_widget = pg.GraphicsLayoutWidget()
        self.grid_widget.ci.layout.setContentsMargins(4, 4, 8, 4)
        self.grid_plot = self.grid_widget.addPlot()
        g = self.grid_plot
        g.setMenuEnabled(False)
        g.hideButtons()
        g.invertY(True)
        g.setMouseEnabled(False, False)
        g.showAxes((True, True, False, False), showValues=(True, True, False, False))
        for side in ("left", "top"):
            g.getAxis(side).setStyle(tickLength=0, tickTextOffset=4, tickAlpha=0)
        g.vb.sigResized.connect(self._fit_grid)
        self.grid_image = pg.ImageItem(axisOrder="row-major")
        self.grid_image.setColorMap(make_colormap(self._cmap_name))
        g.addItem(self.grid_image)
        self._grid_outline = _OutlineItem(light=SELECTED_COLOR, dark="white", width=2.0)
        self._grid_outline.setZValue(10)
        self._grid_outline.hide()
        g.vb.addItem(self._grid_outline, ignoreBounds=True)
        self.grid_widget.scene().sigMouseClicked.connect(self._on_grid_clicked)
        self.grid_widget.scene().sigMouseMoved.connect(self._on_grid_mouse_moved)
        self._splitter.addWidget(self.grid_widget)
        self._splitter.setStretchFactor(0, 3)
        self._splitter.setStretchFactor(1, 2)
        content_layout.addWidget(self._splitter, 1)

        bottom = QtWidgets.QHBoxLayout()
        self.readout_label = QtWidgets.QLabel(" ")
        self.readout_label.setTextInteractionFlags(QtCore.Qt.TextInteractionFlag.TextSelectableByMouse)
        self.legend_label = QtWidgets.QLabel()
        self.legend_label.setTextFormat(QtCore.Qt.TextFormat.RichText)
        bottom.addWidget(self.readout_label, 1)
        bottom.addWidget(self.legend_label)
        content_layout.addLayout(bottom)
        self._stack.set_content(content)
        layout.addWidget(self._stack, 1)

        self.layer_spin.valueChanged.connect(self._on_controls_changed)
        self.head_spin.valueChanged.connect(self._on_controls_changed)
        self.mean_check.toggled.connect(self._on_controls_changed)
        self.colormap_combo.currentTextChanged.connect(self.set_colormap)

    def _apply_palette(self) -> None:
        pal = self.palette()
        bg = pal.color(QtGui.QPalette.ColorRole.Base)
        fg = pal.color(QtGui.QPalette.ColorRole.Text)
        grey = QtGui.QColor((fg.red() + bg.red()) // 2, (fg.green() + bg.green()) // 2, (fg.blue() + bg.blue()) // 2)
        self._fg, self._grey = fg, grey
        for widget in (self.heatmap_widget, self.grid_widget):
            widget.setBackground(bg)
        for plot in (self.heatmap_plot, self.grid_plot, self.colorbar):
            for side in ("left", "bottom", "top", "right"):
                axis = plot.getAxis(side)
                axis.setPen(fg)
                axis.setTextPen(fg)
        for side in ("left", "top"):  # labels only: no axis line, no ticks
            self.grid_plot.getAxis(side).setPen(QtGui.QColor(0, 0, 0, 0))
        for axis in (self._left_axis, self._bottom_axis):
            axis.set_colors(fg, grey)
        self.legend_label.setText(
            f"<span style='color:{MASKED_COLOR}'><b>■ masked</b></span>&nbsp;&nbsp;"
            f"<span style='color:{grey.name()}'>■ special</span>&nbsp;&nbsp;"
            f"<span style='color:{SELECTED_COLOR}'><b>■ selected</b></span>"
        )

    def changeEvent(self, event: QtCore.QEvent) -> None:
        if event.type() == QtCore.QEvent.Type.PaletteChange:
            self._apply_palette()
            self._set_titles()
        super().changeEvent(event)

    def _set_titles(self) -> None:
        fg = self._fg.name()
        which = "mean of all heads" if self._mean else f"head {self._head + 1}"
        self.heatmap_plot.setTitle(f"Layer {self._layer + 1} · {which}", color=fg, size="12pt")
        self.grid_plot.setTitle("Model view · every layer × head · click one", color=fg, size="11pt")

    def _fit_grid(self, *_args) -> None:
        """Fit the model view to its box: square tiles, anchored at the top so the head labels stay close."""
        if self._attention is None:
            return
        vb = self.grid_plot.vb
        w, h = vb.width(), vb.height()
        if w <= 0 or h <= 0:
            return
        num_layers, num_heads = self._attention.shape[:2]
        inner = TILE_GAP / (self._tile + TILE_GAP)
        width, height = num_heads - inner, num_layers - inner
        pad = 0.04
        scale = min(w / (width + 2 * pad), h / (height + 2 * pad))
        x_span, y_span = w / scale, h / scale
        vb.setRange(xRange=(width / 2 - x_span / 2, width / 2 + x_span / 2), yRange=(-pad, y_span - pad), padding=0)

    # ---- data in ------------------------------------------------------------------------------------------

    def set_result(self, result: InferenceResult | None) -> None:
        """Show a new result's attention (keeps the layer/head choice when the new model has it)."""
        if result is None:
            self.clear("No sentence yet: type one to see where each token looks.")
            return
        self._result = result
        self._mean_cache.clear()
        self._kinds = token_kinds(result)
        if self._selected_token is not None and self._selected_token >= len(result.tokens):
            self._selected_token = None
        att = result.attention
        if att is None or att.ndim != 4 or att.shape[0] == 0 or att.shape[1] == 0:
            self._attention = None
            self._show_message("This result has no attention weights.")
            return
        self._attention = att
        num_layers, num_heads = att.shape[:2]
        self._layer = min(self._layer, num_layers - 1)
        self._head = min(self._head, num_heads - 1)
        with QtCore.QSignalBlocker(self.layer_spin), QtCore.QSignalBlocker(self.head_spin):
            self.layer_spin.setRange(1, num_layers)
            self.layer_spin.setSuffix(f" / {num_layers}")
            self.layer_spin.setValue(self._layer + 1)
            self.head_spin.setRange(1, num_heads)
            self.head_spin.setSuffix(f" / {num_heads}")
            self.head_spin.setValue(self._head + 1)
        for w in (self.layer_spin, self.head_spin, self.mean_check, self.colormap_combo, self.export_button):
            w.setEnabled(True)
        self.head_spin.setEnabled(not self._mean)

        tokens = list(result.tokens)
        t = len(tokens)
        for axis in (self._left_axis, self._bottom_axis):
            axis.set_tokens(tokens, self._kinds)
            axis.set_selected(self._selected_token)
        plot = self.heatmap_plot
        plot.vb.setLimits(xMin=-0.5, xMax=t - 0.5, yMin=-0.5, yMax=t - 0.5, minXRange=1, minYRange=1)
        plot.vb.setRange(xRange=(-0.5, t - 0.5), yRange=(-0.5, t - 0.5), padding=0)

        mosaic, self._tile = model_view_mosaic(att)
        self.grid_image.setImage(mosaic, levels=(0.0, 1.0), autoLevels=False)
        step = self._tile + TILE_GAP
        self.grid_image.setTransform(QtGui.QTransform.fromScale(1.0 / step, 1.0 / step))
        centre = self._tile / step / 2
        g = self.grid_plot
        g.getAxis("left").setTicks([[(i + centre, f"L{i + 1}") for i in range(num_layers)], []])
        g.getAxis("top").setTicks([[(j + centre, f"H{j + 1}") for j in range(num_heads)], []])
        self._fit_grid()

        self._stack.show_content()
        self._render()

    def clear(self, message: str = "") -> None:
        """Forget the result and show `message` (e.g. "Loading…") where the heatmaps were."""
        self._result = None
        self._attention = None
        self._matrix = None
        self._mean_cache.clear()
        self.heatmap_image.clear()
        self.grid_image.clear()
        for axis in (self._left_axis, self._bottom_axis):
            axis.set_tokens([], [])
        self._show_message(message)

    def _show_message(self, message: str) -> None:
        self._stack.show_message(message)
        self.readout_label.setText(" ")
        for w in (self.layer_spin, self.head_spin, self.mean_check, self.export_button):
            w.setEnabled(False)

    def message(self) -> str | None:
        """The message shown instead of the heatmaps, or None while they are shown."""
        return self._stack.message()

    # ---- selection ----------------------------------------------------------------------------------------

    @property
    def layer(self) -> int:
        return self._layer

    @property
    def head(self) -> int:
        """The selected head (0-based); see mean_over_heads for whether it is shown."""
        return self._head

    @property
    def mean_over_heads(self) -> bool:
        return self._mean

    @property
    def colormap_name(self) -> str:
        return self._cmap_name

    @property
    def selected_token(self) -> int | None:
        return self._selected_token

    def set_selection(self, layer: int, head: int | None) -> None:
        """Show `layer` and `head` (0-based); head None or -1 shows the mean over the layer's heads."""
        mean = head is None or head < 0
        if self._attention is not None:
            num_layers, num_heads = self._attention.shape[:2]
            if not 0 <= layer < num_layers:
                raise IndexError(f"layer {layer} out of range (the model has {num_layers})")
            if not mean and not 0 <= head < num_heads:
                raise IndexError(f"head {head} out of range (each layer has {num_heads})")
        self._layer = layer
        if not mean:
            self._head = head
        self._mean = mean
        with (
            QtCore.QSignalBlocker(self.layer_spin),
            QtCore.QSignalBlocker(self.head_spin),
            QtCore.QSignalBlocker(self.mean_check),
        ):
            self.layer_spin.setValue(self._layer + 1)
            self.head_spin.setValue(self._head + 1)
            self.mean_check.setChecked(self._mean)
        self.head_spin.setEnabled(not self._mean and self._attention is not None)
        self._render()

    def set_mean_over_heads(self, mean: bool) -> None:
        self.set_selection(self._layer, -1 if mean else self._head)

    def _on_controls_changed(self, *_args) -> None:
        head = -1 if self.mean_check.isChecked() else self.head_spin.value() - 1
        self.set_selection(self.layer_spin.value() - 1, head)

    def set_colormap(self, name: str) -> None:
        cmap = make_colormap(name)
        changed = name != self._cmap_name
        self._cmap_name = name
        with QtCore.QSignalBlocker(self.colormap_combo):
            self.colormap_combo.setCurrentText(name)
        self.colorbar.setColorMap(cmap)
        self.grid_image.setColorMap(cmap)
        if changed:
            self.colormap_changed.emit(name)

    def set_selected_token(self, index: int | None) -> None:
        """Outline token `index`'s row and column (None or -1: no token)."""
        if index is not None and (index < 0 or (self._result is not None and index >= len(self._result.tokens))):
            index = None
        self._selected_token = index
        for axis in (self._left_axis, self._bottom_axis):
            axis.set_selected(index)
        self._update_token_outline()

    # ---- rendering ----------------------------------------------------------------------------------------

    def current_matrix(self) -> np.ndarray | None:
        """The (T, T) matrix on screen: attention[layer, head], or its mean over heads."""
        if self._attention is None:
            return None
        if not self._mean:
            return self._attention[self._layer, self._head]
        if self._layer not in self._mean_cache:
            self._mean_cache[self._layer] = self._attention[self._layer].mean(axis=0)
        return self._mean_cache[self._layer]

    def _render(self) -> None:
        matrix = self.current_matrix()
        self._matrix = matrix
        if matrix is None:
            return
        peak = float(matrix.max()) if matrix.size else 0.0
        top = peak if peak > 0 else 1.0
        self.heatmap_image.setImage(matrix, autoLevels=False)
        self.colorbar.setLevels((0.0, top))
        self._set_titles()
        self._update_grid_outline()
        self._update_token_outline()
        key = (self._layer, -1 if self._mean else self._head)
        if key != self._last_emitted:
            self._last_emitted = key
            self.selection_changed.emit(*key)

    def _update_grid_outline(self) -> None:
        if self._attention is None:
            self._grid_outline.hide()
            return
        step = self._tile + TILE_GAP
        size = self._tile / step
        pad = 0.5 * TILE_GAP / step
        if self._mean:
            width = self._attention.shape[1] - TILE_GAP / step
            rect = QtCore.QRectF(-pad, self._layer - pad, width + 2 * pad, size + 2 * pad)
        else:
            rect = QtCore.QRectF(self._head - pad, self._layer - pad, size + 2 * pad, size + 2 * pad)
        self._grid_outline.setRect(rect)
        self._grid_outline.show()

    def _update_token_outline(self) -> None:
        i = self._selected_token
        if i is None or self._matrix is None:
            self._row_outline.hide()
            self._col_outline.hide()
            return
        t = self._matrix.shape[0]
        self._row_outline.setRect(QtCore.QRectF(-0.5, i - 0.5, t, 1))
        self._col_outline.setRect(QtCore.QRectF(i - 0.5, -0.5, 1, t))
        self._row_outline.show()
        self._col_outline.show()

    # ---- mouse --------------------------------------------------------------------------------------------

    def cell_at(self, scene_pos: QtCore.QPointF) -> tuple[int, int] | None:
        """The heatmap cell (row = query, col = key) under a scene position of the heatmap, if any."""
        if self._matrix is None or not self.heatmap_plot.vb.sceneBoundingRect().contains(scene_pos):
            return None
        p = self.heatmap_plot.vb.mapSceneToView(scene_pos)
        row, col = math.floor(p.y() + 0.5), math.floor(p.x() + 0.5)
        t = self._matrix.shape[0]
        return (row, col) if 0 <= row < t and 0 <= col < t else None

    def hover_text(self, row: int, col: int) -> str:
        """ "'cat' → 'sat': 0.314": how much query token `row` attends to key token `col` on screen now."""
        if self._matrix is None or self._result is None:
            return ""
        tokens = self._result.tokens
        weight = float(self._matrix[row, col])

        def describe(i: int) -> str:
            return f"'{tokens[i]}'"

        where = "mean of heads" if self._mean else f"head {self._head + 1}"
        notes = [f"#{row} → #{col}", f"layer {self._layer + 1}, {where}"]
        masked = [f"#{i}" for i in (row, col) if self._kinds[i] == _MASKED]
        if masked:
            notes.append(f"{' and '.join(masked)} masked")
        return f"{describe(row)} → {describe(col)}: {format_weight(weight)}   ({'; '.join(notes)})"

    def _on_heatmap_mouse_moved(self, scene_pos: QtCore.QPointF) -> None:
        cell = self.cell_at(scene_pos)
        if cell is None:
            self._hover_outline.hide()
            return
        row, col = cell
        self._hover_outline.setRect(QtCore.QRectF(col - 0.5, row - 0.5, 1, 1))
        self._hover_outline.show()
        self.readout_label.setText(self.hover_text(row, col))

    def _on_heatmap_clicked(self, event) -> None:
        if event.button() != QtCore.Qt.MouseButton.LeftButton:
            return
        if event.double():
            self.heatmap_plot.vb.autoRange(padding=0)
            return
        cell = self.cell_at(event.scenePos())
        if cell is not None:
            self.set_selected_token(cell[0])
            self.token_selected.emit(cell[0])

    def grid_cell_at(self, scene_pos: QtCore.QPointF) -> tuple[int, int] | None:
        """The (layer, head) of the model-view tile under a scene position of the grid, if any."""
        if self._attention is None or not self.grid_plot.vb.sceneBoundingRect().contains(scene_pos):
            return None
        p = self.grid_plot.vb.mapSceneToView(scene_pos)
        layer, head = math.floor(p.y()), math.floor(p.x())
        num_layers, num_heads = self._attention.shape[:2]
        return (layer, head) if 0 <= layer < num_layers and 0 <= head < num_heads else None

    def grid_cell_center(self, layer: int, head: int) -> QtCore.QPointF:
        """Scene position of the centre of a model-view tile (for tests and tooltips)."""
        centre = self._tile / (self._tile + TILE_GAP) / 2
        return self.grid_plot.vb.mapViewToScene(QtCore.QPointF(head + centre, layer + centre))

    def handle_grid_click(self, scene_pos: QtCore.QPointF) -> bool:
        """Select the layer/head whose tile is at `scene_pos`; False when there is no tile there."""
        cell = self.grid_cell_at(scene_pos)
        if cell is None:
            return False
        self.set_selection(*cell)
        return True

    def _on_grid_clicked(self, event) -> None:
        if event.button() == QtCore.Qt.MouseButton.LeftButton:
            self.handle_grid_click(event.scenePos())

    def _on_grid_mouse_moved(self, scene_pos: QtCore.QPointF) -> None:
        cell = self.grid_cell_at(scene_pos)
        if cell is not None:
            self.readout_label.setText(f"Model view: layer {cell[0] + 1}, head {cell[1] + 1} · click to show it")

    # ---- export -------------------------------------------------------------------------------------------

    def export_png(self, path: str | Path, width: int = 1400) -> None:
        """The heatmap (with labels and colour bar) as a PNG, `width` pixels wide."""
        export_item_png(self.heatmap_plot, path, width)

    def export_svg(self, path: str | Path) -> None:
        """The heatmap (with labels and colour bar) as SVG."""
        export_item_svg(self.heatmap_plot, path, "Attention")

    def export_attention_csv(self, path: str | Path) -> None:
        """The matrix on screen: a header row of key tokens, then one row per query token."""
        matrix = self.current_matrix()
        if matrix is None or self._result is None:
            raise ValueError("no attention to export")
        tokens = list(self._result.tokens)
        with open(path, "w", newline="", encoding="utf-8") as f:
            writer = csv.writer(f)
            writer.writerow(["query \\ key", *tokens])
            for token, row in zip(tokens, matrix, strict=True):
                writer.writerow([token, *(f"{w:.6g}" for w in row)])

    def export_attention_npz(self, path: str | Path) -> None:
        """Every layer and head: attention (L, H, T, T) float32, tokens, masked positions, special flags."""
        if self._attention is None or self._result is None:
            raise ValueError("no attention to export")
        np.savez_compressed(
            path,
            attention=self._attention,
            tokens=np.array(self._result.tokens, dtype=str),
            masked_positions=np.array(self._result.masked_positions, dtype=np.int64),
            special=np.array(self._result.encoding.special, dtype=bool),
            token_type_ids=np.array(self._result.encoding.token_type_ids, dtype=np.int64),
        )

    def _export_dialog(self, kind: str) -> None:
        filters = {
            "png": "PNG image (*.png)",
            "svg": "SVG image (*.svg)",
            "csv": "CSV table (*.csv)",
            "npz": "NumPy archive (*.npz)",
        }
        which = "mean" if self._mean else f"h{self._head + 1}"
        name = f"attention_l{self._layer + 1}_{which}.{kind}" if kind != "npz" else "attention.npz"
        path, _ = QtWidgets.QFileDialog.getSaveFileName(self, "Export attention", name, filters[kind])
        if not path:
            return
        try:
            {
                "png": self.export_png,
                "svg": self.export_svg,
                "csv": self.export_attention_csv,
                "npz": self.export_attention_npz,
            }[kind](path)
        except (OSError, ValueError) as exc:
            QtWidgets.QMessageBox.warning(self, "Export failed", f"Could not write {path}:\n{exc}")
