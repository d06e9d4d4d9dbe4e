"""The heads view's grid: one painted cell per layer × head, coloured by a per-head number on a diverging scale
(blue: the prediction does better without the head, red: it needs it), a knocked-out head dark with a cross,
and its colour bar; clicks and hovers report (layer, head)."""

from __future__ import annotations

import math

import numpy as np
from PySide6 import QtCore, QtGui, QtWidgets

from bertviz_app.ui import theme
from bertviz_app.ui.view import read_only

# ColorBrewer RdBu, blue (the prediction does better without the head) → near-white (no effect) → red (it helps).
DIVERGING = ("#2166ac", "#4393c3", "#92c5de", "#d1e5f0", "#f7f7f7", "#fddbc7", "#f4a582", "#d6604d", "#b2182b")
HELPS_COLOR, HURTS_COLOR = DIVERGING[-1], DIVERGING[0]
OFF_COLOR = theme.CHIP_SPECIAL_BG  # a knocked-out head: dark grey with a white cross
GAP = 4  # pixels between cells
MIN_TEXT_CELL = QtCore.QSizeF(34, 18)  # smaller cells get no number written in them


def diverging_color(value: float, limit: float) -> QtGui.QColor:
    """`value` on the DIVERGING scale from -limit (blue) through 0 (white) to +limit (red), clipped."""
    t = 0.5 if limit <= 0 else min(max(0.5 + 0.5 * value / limit, 0.0), 1.0)
    x = t * (len(DIVERGING) - 1)
    i = min(int(x), len(DIVERGING) - 2)
    a, b = QtGui.QColor(DIVERGING[i]), QtGui.QColor(DIVERGING[i + 1])
    f = x - i
    return QtGui.QColor(
        round(a.red() + (b.red() - a.red()) * f),
        round(a.green() + (b.green() - a.green()) * f),
        round(a.blue() + (b.blue() - a.blue()) * f),
    )


def format_drop(value: float) -> str:
    """1.23, −0.45 (a real minus sign: it reads better on a projector than a hyphen)."""
    text = f"{value:.2f}"
    return "0.00" if text == "-0.00" else text.replace("-", "−")


class HeadGrid(QtWidgets.QWidget):
    """The cells of an L × H grid, painted: layers as rows (1 at the top), heads as columns.

    Cells are neutral until importance values are set; then coloured on a scale centred on 0 with a colour bar.
    """

    clicked = QtCore.Signal(int, int)  # (layer, head), 0-based
    hovered = QtCore.Signal(int, int)  # (layer, head), or (-1, -1) when the mouse leaves the cells

    def __init__(self, parent: QtWidgets.QWidget | None = None):
        super().__init__(parent)
        self._layers = 0
        self._heads = 0
        self._values: np.ndarray | None = None  # (L, H)
        self._limit = 1.0
        self._off: frozenset[tuple[int, int]] = frozenset()
        self._stale = False
        self._hover: tuple[int, int] | None = None
        self.setMouseTracking(True)
        self.setMinimumSize(320, 180)
        self.setSizePolicy(QtWidgets.QSizePolicy.Policy.Expanding, QtWidgets.QSizePolicy.Policy.Expanding)
        font = self.font()
        font.setPointSizeF(font.pointSizeF() + 1)
        self.setFont(font)

    # ---- state ------------------------------------------------------------------------------------------

    def set_shape(self, layers: int, heads: int) -> None:
        if (layers, heads) != (self._layers, self._heads):
            self._layers, self._heads = layers, heads
            self._hover = None
            self.update()

    def shape(self) -> tuple[int, int]:
        return self._layers, self._heads

    def set_values(self, values: np.ndarray | None, stale: bool = False) -> None:
        """(L, H) values to colour by (None: neutral cells); `stale` fades them (computed for another input)."""
        self._values = None if values is None else np.asarray(values, dtype=np.float32)
        self._stale = stale
        if self._values is not None:
            peak = float(np.abs(self._values).max()) if self._values.size else 0.0
            self._limit = peak if peak > 0 else 1.0  # symmetric about 0, so white always means "no effect"
        self.update()

    def values(self) -> np.ndarray | None:
        return self._values

    limit = read_only("_limit")

    stale = read_only("_stale")

    def set_knocked_out(self, heads) -> None:
        self._off = frozenset(heads)
        self.update()

    def knocked_out(self) -> frozenset[tuple[int, int]]:
        return self._off

    def cell_color(self, layer: int, head: int) -> QtGui.QColor:
        if (layer, head) in self._off:
            return QtGui.QColor(OFF_COLOR)
        if self._values is None:
            return QtGui.QColor(theme.CHIP_BG)
        return diverging_color(float(self._values[layer, head]), self._limit)

    # ---- geometry ---------------------------------------------------------------------------------------

    def _margins(self) -> tuple[float, float, float, float]:
        """left, top, right, bottom: room for layer labels, the head numbers, and the colour bar."""
        metrics = QtGui.QFontMetricsF(self.font())
        left = metrics.horizontalAdvance(self.tr("Layer {layer}").format(layer=max(self._layers, 1))) + 14
        top = 2 * metrics.height() + 8
        widest = max(metrics.horizontalAdvance(text) for text in self._bar_labels("+0.00", "−0.00"))
        right = 16 + (18 + 12 + widest if self._values is not None else 0)
        return left, top, right, 8

    def grid_rect(self) -> QtCore.QRectF:
        """Where the cells are (gaps included): as big as fits, cells no taller than wide, centred."""
        if not self._layers or not self._heads:
            return QtCore.QRectF()
        left, top, right, bottom = self._margins()
        width = max(self.width() - left - right, 1.0)
        height = max(self.height() - top - bottom, 1.0)
        cell_w = (width - GAP * (self._heads - 1)) / self._heads
        cell_h = (height - GAP * (self._layers - 1)) / self._layers
        cell_h = min(cell_h, cell_w)
        cell_w = min(cell_w, 2.5 * cell_h)
        grid_w = cell_w * self._heads + GAP * (self._heads - 1)
        grid_h = cell_h * self._layers + GAP * (self._layers - 1)
        x = left + max(0.0, (width - grid_w) / 2)
        y = top + max(0.0, (height - grid_h) / 3)  # a little above the middle: the title sits above the grid
        return QtCore.QRectF(x, y, grid_w, grid_h)

    def _cell_size(self) -> QtCore.QSizeF:
        g = self.grid_rect()
        return QtCore.QSizeF(
            (g.width() - GAP * (self._heads - 1)) / max(self._heads, 1),
            (g.height() - GAP * (self._layers - 1)) / max(self._layers, 1),
        )

    def cell_rect(self, layer: int, head: int) -> QtCore.QRectF:
        g, size = self.grid_rect(), self._cell_size()
        return QtCore.QRectF(
            g.x() + head * (size.width() + GAP), g.y() + layer * (size.height() + GAP), size.width(), size.height()
        )

    def cell_at(self, pos: QtCore.QPointF) -> tuple[int, int] | None:
        """The (layer, head) under a widget position; None between cells and outside the grid."""
        if not self._layers or not self._heads:
            return None
        g, size = self.grid_rect(), self._cell_size()
        x, y = pos.x() - g.x(), pos.y() - g.y()
        head = math.floor(x / (size.width() + GAP))
        layer = math.floor(y / (size.height() + GAP))
        if not (0 <= layer < self._layers and 0 <= head < self._heads):
            return None
        return (layer, head) if self.cell_rect(layer, head).contains(pos) else None

    # ---- mouse --------------------------------------------------------------------------------------------

    def mouseMoveEvent(self, event: QtGui.QMouseEvent) -> None:
        cell = self.cell_at(event.position())
        if cell != self._hover:
            self._hover = cell
            self.setCursor(QtCore.Qt.CursorShape.PointingHandCursor if cell else QtCore.Qt.CursorShape.ArrowCursor)
            self.hovered.emit(*(cell or (-1, -1)))
            self.update()
        super().mouseMoveEvent(event)

    def leaveEvent(self, event: QtCore.QEvent) -> None:
        if self._hover is not None:
            self._hover = None
            self.hovered.emit(-1, -1)
            self.update()
        super().leaveEvent(event)

    def mouseReleaseEvent(self, event: QtGui.QMouseEvent) -> None:
        if event.button() == QtCore.Qt.MouseButton.LeftButton:
            cell = self.cell_at(event.position())
            if cell is not None:
                self.clicked.emit(*cell)
        super().mouseReleaseEvent(event)

    # ---- painting -----------------------------------------------------------------------------------------

    def paintEvent(self, event: QtGui.QPaintEvent) -> None:
        p = QtGui.QPainter(self)
        p.setRenderHint(QtGui.QPainter.RenderHint.Antialiasing)
        pal = self.palette()
        p.fillRect(self.rect(), pal.color(QtGui.QPalette.ColorRole.Base))
        if not self._layers or not self._heads:
            return
        fg = pal.color(QtGui.QPalette.ColorRole.Text)
        metrics = QtGui.QFontMetricsF(self.font())
        g = self.grid_rect()
        size = self._cell_size()

        # Labels: "Head" over the numbered columns, "Layer n" left of each row.
        p.setPen(fg)
        bold = QtGui.QFont(self.font())
        bold.setBold(True)
        p.setFont(bold)
        p.drawText(
            QtCore.QRectF(g.x(), g.y() - 2 * metrics.height() - 6, g.width(), metrics.height()),
            int(QtCore.Qt.AlignmentFlag.AlignCenter),
            self.tr("Head"),
        )
        p.setFont(self.font())
        for head in range(self._heads):
            r = self.cell_rect(0, head)
            p.drawText(
                QtCore.QRectF(r.x(), g.y() - metrics.height() - 4, r.width(), metrics.height()),
                int(QtCore.Qt.AlignmentFlag.AlignCenter),
                str(head + 1),
            )
        for layer in range(self._layers):
            r = self.cell_rect(layer, 0)
            p.drawText(
                QtCore.QRectF(0, r.y(), g.x() - 10, r.height()),
                int(QtCore.Qt.AlignmentFlag.AlignRight | QtCore.Qt.AlignmentFlag.AlignVCenter),
                self.tr("Layer {layer}").format(layer=layer + 1),
            )

        show_numbers = (
            self._values is not None
            and not self._stale
            and size.width() >= MIN_TEXT_CELL.width()
            and size.height() >= MIN_TEXT_CELL.height()
        )
        number_font = QtGui.QFont(self.font())
        number_font.setPointSizeF(max(7.0, min(self.font().pointSizeF(), size.height() * 0.3, size.width() * 0.2)))
        radius = min(4.0, size.width() / 6, size.height() / 6)
        border = QtGui.QPen(theme.CHIP_BORDER, 1)
        cross = QtGui.QPen(QtGui.QColor("white"), max(2.0, min(size.width(), size.height()) / 14))
        cross.setCapStyle(QtCore.Qt.PenCapStyle.RoundCap)
        for layer in range(self._layers):
            for head in range(self._heads):
                r = self.cell_rect(layer, head)
                off = (layer, head) in self._off
                color = self.cell_color(layer, head)
                p.setOpacity(0.3 if self._stale and not off else 1.0)
                p.setPen(border if self._values is None and not off else QtCore.Qt.PenStyle.NoPen)
                p.setBrush(color)
                p.drawRoundedRect(r, radius, radius)
                p.setOpacity(1.0)
                if off:
                    inset = min(r.width(), r.height()) * 0.28
                    c = r.center()
                    p.setPen(cross)
                    p.drawLine(
                        QtCore.QPointF(c.x() - inset, c.y() - inset), QtCore.QPointF(c.x() + inset, c.y() + inset)
                    )
                    p.drawLine(
                        QtCore.QPointF(c.x() - inset, c.y() + inset), QtCore.QPointF(c.x() + inset, c.y() - inset)
                    )
                elif show_numbers:
                    light = color.lightnessF() > 0.55
                    p.setPen(QtGui.QColor("#1f2a44" if light else "white"))
                    p.setFont(number_font)
                    p.drawText(
                        r, int(QtCore.Qt.AlignmentFlag.AlignCenter), format_drop(float(self._values[layer, head]))
                    )
        if self._hover is not None:
            outline = QtGui.QPen(theme.SELECTION, 3)
            p.setPen(outline)
            p.setBrush(QtCore.Qt.BrushStyle.NoBrush)
            p.drawRoundedRect(self.cell_rect(*self._hover).adjusted(-1.5, -1.5, 1.5, 1.5), radius, radius)
        if self._values is not None:
            self._paint_colorbar(p, g, fg, metrics)

    def _paint_colorbar(self, p: QtGui.QPainter, g: QtCore.QRectF, fg: QtGui.QColor, metrics) -> None:
        bar = QtCore.QRectF(g.right() + 18, g.top(), 18, max(g.height(), 4 * metrics.height()))
        gradient = QtGui.QLinearGradient(bar.topLeft(), bar.bottomLeft())
        for i, color in enumerate(reversed(DIVERGING)):
            gradient.setColorAt(i / (len(DIVERGING) - 1), QtGui.QColor(color))
        p.setOpacity(0.3 if self._stale else 1.0)
        p.setPen(QtGui.QPen(theme.CHIP_BORDER, 1))
        p.setBrush(gradient)
        p.drawRect(bar)
        p.setOpacity(1.0)
        p.setFont(self.font())
        p.setPen(fg)
        x = bar.right() + 8
        w = self.width() - x
        h = metrics.height()
        left = int(QtCore.Qt.AlignmentFlag.AlignLeft | QtCore.Qt.AlignmentFlag.AlignVCenter)
        helps, none, hurts = self._bar_labels("+" + format_drop(self._limit), format_drop(-self._limit))
        p.drawText(QtCore.QRectF(x, bar.top(), w, h), left, helps)
        p.drawText(QtCore.QRectF(x, bar.center().y() - h / 2, w, h), left, none)
        p.drawText(QtCore.QRectF(x, bar.bottom() - h, w, h), left, hurts)

    def _bar_labels(self, top: str, bottom: str) -> tuple[str, str, str]:
        """The colour bar's labels at its top (the head helps), middle and bottom (it hurts)."""
        return (
            self.tr("{value} helps").format(value=top),
            self.tr("0 no effect"),
            self.tr("{value} hurts").format(value=bottom),
        )
