"""The WordPiece tokens of the current input as clickable chips, painted by one widget.

One widget paints every chip (a sentence may have 512 tokens; 512 buttons would be slow to rebuild on each
keystroke). Click or Space toggles a mask; arrow keys move the keyboard focus between chips.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QPoint, QRect, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QFont, QFontMetrics, QPainter, QPen
from PySide6.QtWidgets import QSizePolicy, QToolTip, QWidget

from bertviz_app.ui import theme

PAD_X, PAD_Y, GAP, RADIUS = 8, 4, 5, 6


@dataclass(frozen=True)
class Chip:
    text: str
    kind: str  # "word", "special", "unk", "mask"
    segment: int
    tooltip: str


class TokenChips(QWidget):
    chip_clicked = Signal(int)  # index of the token
    chip_hovered = Signal(int)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._chips: list[Chip] = []
        self._rects: list[QRect] = []
        self._focus = -1
        self._selected = -1
        self._hovered = -1  # the laser pointer's token (pointed at here or in any view)
        self.setMouseTracking(True)
        self.setFocusPolicy(Qt.StrongFocus)
        self.setSizePolicy(QSizePolicy.Preferred, QSizePolicy.Preferred)
        font = QFont(self.font())
        font.setPointSizeF(font.pointSizeF() * 1.15)
        self.setFont(font)
        self.setAccessibleName(self.tr("Tokens"))

    # ---- data ----------------------------------------------------------------------------------------
    def set_chips(self, chips: list[Chip]) -> None:
        self._chips = chips
        self._focus = min(self._focus, len(chips) - 1)
        self._rects = self._compute(self.width())[0]
        self.updateGeometry()
        self.update()

    def chips(self) -> list[Chip]:
        return list(self._chips)

    def set_hovered(self, index: int) -> None:
        """Mark the token the laser points at (-1: none)."""
        if index != self._hovered:
            self._hovered = index
            self.update()

    def set_selected(self, index: int) -> None:
        self._selected = index
        self.update()

    def chip_rect(self, index: int) -> QRect:
        return QRect(self._rects[index])

    # ---- layout --------------------------------------------------------------------------------------
    def _compute(self, width: int) -> tuple[list[QRect], int]:
        """Flow the chips into rows `width` pixels wide: their rectangles and the total height."""
        fm = QFontMetrics(self.font())
        h = fm.height() + 2 * PAD_Y
        x = y = 0
        width = max(width, 60)
        rects = []
        for chip in self._chips:
            w = fm.horizontalAdvance(chip.text) + 2 * PAD_X
            if x > 0 and x + w > width:
                x, y = 0, y + h + GAP
            rects.append(QRect(x, y, w, h))
            x += w + GAP
        return rects, y + h

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        return self._compute(width)[1]

    def sizeHint(self) -> QSize:
        return QSize(400, self.heightForWidth(max(self.width(), 400)))

    def minimumSizeHint(self) -> QSize:
        return QSize(100, QFontMetrics(self.font()).height() + 2 * PAD_Y)

    def resizeEvent(self, event) -> None:
        self._rects = self._compute(event.size().width())[0]
        super().resizeEvent(event)

    # ---- painting ------------------------------------------------------------------------------------
    def paintEvent(self, event) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.Antialiasing)
        for i, (chip, rect) in enumerate(zip(self._chips, self._rects)):
            if not rect.intersects(event.rect()):
                continue
            bg, fg, border = theme.CHIP_BG, theme.CHIP_TEXT, theme.CHIP_BORDER
            if chip.kind == "special":
                bg, fg, border = theme.CHIP_SPECIAL_BG, theme.CHIP_SPECIAL_TEXT, theme.CHIP_SPECIAL_BG
            elif chip.kind == "unk":
                bg, border = theme.CHIP_UNK_BG, theme.CHIP_UNK_BORDER
            elif chip.kind == "mask":
                bg, fg, border = theme.CHIP_MASK_BG, theme.CHIP_MASK_TEXT, theme.CHIP_MASK_BG
            if chip.segment == 1 and chip.kind not in ("special", "mask"):
                border = theme.CHIP_SEGMENT_B_BORDER
            pen = QPen(border, 1.2)
            if i == self._selected:
                pen = QPen(theme.SELECTION, 2.5)
            elif i == self._focus and self.hasFocus():
                pen = QPen(theme.SELECTION, 1.5, Qt.DashLine)
            if i == self._hovered:
                bg = theme.mix(bg, theme.LASER, 0.7)
                fg = theme.CHIP_TEXT
            p.setPen(pen)
            p.setBrush(bg)
            p.drawRoundedRect(QRectF(rect).adjusted(0.5, 0.5, -0.5, -0.5), RADIUS, RADIUS)
            p.setPen(fg)
            p.drawText(rect, Qt.AlignCenter, chip.text)
        p.end()

    # ---- interaction ---------------------------------------------------------------------------------
    def index_at(self, pos: QPoint) -> int:
        for i, rect in enumerate(self._rects):
            if rect.contains(pos):
                return i
        return -1

    def mousePressEvent(self, event) -> None:
        i = self.index_at(event.position().toPoint())
        if i >= 0 and event.button() == Qt.LeftButton:
            self._focus = i
            self.chip_clicked.emit(i)
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event) -> None:
        i = self.index_at(event.position().toPoint())
        if i >= 0:
            QToolTip.showText(event.globalPosition().toPoint(), self._chips[i].tooltip, self)
        self.chip_hovered.emit(i)  # -1 between chips
        super().mouseMoveEvent(event)

    def leaveEvent(self, event) -> None:
        self.chip_hovered.emit(-1)
        super().leaveEvent(event)

    def keyPressEvent(self, event) -> None:
        if not self._chips:
            return super().keyPressEvent(event)
        key = event.key()
        if key in (Qt.Key_Right, Qt.Key_Left):
            step = 1 if key == Qt.Key_Right else -1
            self._focus = max(0, min(len(self._chips) - 1, self._focus + step))
            self.chip_hovered.emit(self._focus)
            self.update()
        elif key in (Qt.Key_Space, Qt.Key_Return, Qt.Key_Enter) and self._focus >= 0:
            self.chip_clicked.emit(self._focus)
        else:
            super().keyPressEvent(event)
