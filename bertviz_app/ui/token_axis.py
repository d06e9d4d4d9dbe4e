"""Tokens on a plot: the text shown for each token (one function, for every view and model family), the kind
that colours it (normal, special, masked), and a pyqtgraph axis with one label per cell."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import pyqtgraph as pg
from PySide6 import QtCore, QtGui

from bertviz_app.ui import theme

if TYPE_CHECKING:
    from bertviz_app.analysis.inference import InferenceResult

MASKED_COLOR = "#e8590c"  # orange: tokens hidden from the model by [MASK]
SELECTED_COLOR = "#c2255c"  # raspberry: the token selected anywhere in the app
LASER_COLOR = theme.LASER.name()  # yellow, behind the label: the token the presenter's laser points at
MAX_LABEL_CHARS = 14

NORMAL, SPECIAL, MASKED = 0, 1, 2


def token_labels(result: InferenceResult) -> list[str]:
    """The text shown for each token of a result, on axes and in hover texts: its readable form ("paris",
    "␣paris" for a byte-level piece, "##ing"), the one place where every view gets it."""
    return list(result.display_tokens)


def short_label(token: str, limit: int = MAX_LABEL_CHARS) -> str:
    return token if len(token) <= limit else token[: limit - 1] + "…"


def token_kinds(result: InferenceResult) -> list[int]:
    masked = set(result.masked_positions)
    special = result.encoding.special
    return [MASKED if i in masked else SPECIAL if special[i] else NORMAL for i in range(len(result.tokens))]


class TokenAxis(pg.AxisItem):
    """An axis of token labels: one per cell, thinned when cells get too small to hold a line of text,
    vertical on the bottom axis, coloured by kind (special / masked / selected)."""

    def __init__(self, orientation: str):
        super().__init__(orientation)
        self._labels: list[str] = []
        self._kinds: list[int] = []
        self._selected: int | None = None
        self._hovered: int | None = None  # the laser pointer's token
        self._colors = {
            NORMAL: QtGui.QColor("black"),
            SPECIAL: QtGui.QColor("gray"),
            MASKED: QtGui.QColor(MASKED_COLOR),
        }
        font = QtGui.QFont()
        font.setPointSizeF(font.pointSizeF() + 1)  # token labels are the point of the picture
        self.setStyle(tickLength=4, tickTextOffset=4, tickFont=font)

    def set_colors(self, normal: QtGui.QColor, special: QtGui.QColor) -> None:
        self._colors[NORMAL] = QtGui.QColor(normal)
        self._colors[SPECIAL] = QtGui.QColor(special)
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

    def set_hovered(self, index: int | None) -> None:
        """Mark the token the laser points at (None: none) with a highlight behind its label."""
        if index != self._hovered:
            self._hovered = index
            self._invalidate()

    @property
    def hovered(self) -> int | None:
        return self._hovered if self._hovered is not None and self._hovered < len(self._labels) else None

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
        for sel in (self._selected, self.hovered):  # the selected and the pointed-at tokens are always labelled
            if sel is not None and first <= sel <= last and stride > 1 and sel not in shown:
                shown = [i for i in shown if abs(i - sel) >= stride or i == self._selected] + [sel]
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
            if i == self.hovered:
                p.save()
                p.setPen(QtCore.Qt.PenStyle.NoPen)
                p.setBrush(QtGui.QColor(LASER_COLOR))
                if self.orientation == "left":
                    p.drawRect(rect)
                else:  # the label is drawn rotated upwards from the rect's top-left: mark that column
                    p.drawRect(QtCore.QRectF(rect.left() - rect.height() / 2, rect.top(), rect.height(), rect.width()))
                p.restore()
            selected = i == self._selected
            kind = self._kinds[i] if i < len(self._kinds) else NORMAL
            p.setFont(self._font(bold=selected or kind == MASKED))
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
