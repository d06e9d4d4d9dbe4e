"""A row of controls that wraps onto more lines when the view is narrow (a 1024-pixel projector, a half-screen
window) instead of making the whole window as wide as the widest view's controls.

It takes what a QHBoxLayout row of controls takes — addWidget(widget, stretch), insertWidget, addSpacing,
addStretch, count — and lays the items out left to right, a line at a time, each vertically centred in its line.
In a line, the room left over goes to the stretches and the stretched widgets, in proportion (so a stretch still
pushes what follows it to the right end). Its minimum width is its widest item's, and its height follows its
width (heightForWidth). After Qt's Flow Layout example (BSD), with stretches added.
"""

from __future__ import annotations

from PySide6 import QtCore, QtWidgets

Policy = QtWidgets.QSizePolicy.Policy


class FlowRow(QtWidgets.QLayout):
    def __init__(self, parent: QtWidgets.QWidget | None = None, spacing: int = 8):
        super().__init__(parent)
        self._items: list[QtWidgets.QLayoutItem] = []
        self._stretch: dict[int, int] = {}  # id(item) -> its stretch
        self.setSpacing(spacing)
        self.setContentsMargins(0, 0, 0, 0)

    # ---- what a QHBoxLayout of controls is given -----------------------------------------------------------
    def addItem(self, item: QtWidgets.QLayoutItem) -> None:
        self._items.append(item)
        self.invalidate()

    def addWidget(self, widget: QtWidgets.QWidget, stretch: int = 0) -> None:
        self.insertWidget(len(self._items), widget, stretch)

    def insertWidget(self, index: int, widget: QtWidgets.QWidget, stretch: int = 0) -> None:
        self.addChildWidget(widget)
        item = QtWidgets.QWidgetItem(widget)
        self._insert(index, item, stretch)

    def addSpacing(self, size: int) -> None:
        self._insert(len(self._items), QtWidgets.QSpacerItem(size, 0, Policy.Fixed, Policy.Minimum), 0)

    def addStretch(self, stretch: int = 0) -> None:
        self._insert(len(self._items), QtWidgets.QSpacerItem(0, 0, Policy.Expanding, Policy.Minimum), max(stretch, 1))

    def _insert(self, index: int, item: QtWidgets.QLayoutItem, stretch: int) -> None:
        index = min(max(index, 0), len(self._items))
        self._items.insert(index, item)
        if stretch:
            self._stretch[id(item)] = stretch
        self.invalidate()

    def count(self) -> int:
        return len(self._items)

    def itemAt(self, index: int) -> QtWidgets.QLayoutItem | None:
        return self._items[index] if 0 <= index < len(self._items) else None

    def takeAt(self, index: int) -> QtWidgets.QLayoutItem | None:
        if not 0 <= index < len(self._items):
            return None
        item = self._items.pop(index)
        self._stretch.pop(id(item), None)
        self.invalidate()
        return item

    # ---- sizes ---------------------------------------------------------------------------------------------
    def expandingDirections(self) -> QtCore.Qt.Orientation:
        return QtCore.Qt.Orientation(0)

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        return self._arrange(QtCore.QRect(0, 0, width, 0), move=False)

    def sizeHint(self) -> QtCore.QSize:
        """Everything on one line."""
        shown = self._shown()
        m = self.contentsMargins()
        width = sum(item.sizeHint().width() for item in shown) + self.spacing() * max(len(shown) - 1, 0)
        height = max((item.sizeHint().height() for item in shown), default=0)
        return QtCore.QSize(width + m.left() + m.right(), height + m.top() + m.bottom())

    def minimumSize(self) -> QtCore.QSize:
        """As narrow as the widest item (one item a line at worst)."""
        size = QtCore.QSize()
        for item in self._shown():
            size = size.expandedTo(item.minimumSize())
        m = self.contentsMargins()
        return size + QtCore.QSize(m.left() + m.right(), m.top() + m.bottom())

    def setGeometry(self, rect: QtCore.QRect) -> None:
        super().setGeometry(rect)
        self._arrange(rect, move=True)

    # ---- layout --------------------------------------------------------------------------------------------
    def _shown(self) -> list[QtWidgets.QLayoutItem]:
        return [item for item in self._items if not item.isEmpty() or isinstance(item, QtWidgets.QSpacerItem)]

    def _lines(self, width: int) -> list[list[tuple[QtWidgets.QLayoutItem, QtCore.QSize]]]:
        """The items with their size hints (asked once), in lines no wider than `width`; a spacer that would start
        a line is dropped."""
        lines: list[list[tuple[QtWidgets.QLayoutItem, QtCore.QSize]]] = [[]]
        used = 0
        for item in self._shown():
            hint = item.sizeHint()
            line = lines[-1]
            spacer = isinstance(item, QtWidgets.QSpacerItem)
            if line and used + self.spacing() + hint.width() > width and not spacer:
                while line and isinstance(line[-1][0], QtWidgets.QSpacerItem):
                    line.pop()  # no spacing or stretch at the end of a wrapped line
                lines.append([])
                line, used = lines[-1], 0
            if not line and spacer:
                continue
            used += (self.spacing() if line else 0) + hint.width()
            line.append((item, hint))
        return [line for line in lines if line]

    def _arrange(self, rect: QtCore.QRect, move: bool) -> int:
        """Place the items in `rect` (when `move`); returns the height they take."""
        m = self.contentsMargins()
        area = rect.adjusted(m.left(), m.top(), -m.right(), -m.bottom())
        y = area.y()
        for line in self._lines(max(area.width(), 1)):
            widths = [hint.width() for _item, hint in line]
            height = max(hint.height() for _item, hint in line)
            spare = area.width() - sum(widths) - self.spacing() * (len(line) - 1)
            weights = [self._stretch.get(id(item), 0) for item, _hint in line]
            if spare > 0 and sum(weights):
                total, given = sum(weights), 0
                for i, weight in enumerate(weights):
                    share = spare * weight // total
                    widths[i] += share
                    given += share
                widths[max(range(len(line)), key=weights.__getitem__)] += spare - given
            x = area.x()
            for (item, hint), w in zip(line, widths, strict=True):
                if move:
                    item.setGeometry(QtCore.QRect(x, y + (height - hint.height()) // 2, w, hint.height()))
                x += w + self.spacing()
            y += height + self.spacing()
        return max(y - self.spacing() - area.y(), 0) + m.top() + m.bottom()

    def line_height(self) -> int:
        """The tallest item's height: one line's."""
        return max((item.sizeHint().height() for item in self._shown()), default=0)


class FlowArea(QtWidgets.QScrollArea):
    """A FlowRow (`row`) in a scroll area as tall as its lines, up to `max_lines` of them (the rest scrolled), on
    the background of what is around it. Call `fit()` after changing the row's items."""

    def __init__(self, spacing: int = 3, max_lines: int = 3, parent: QtWidgets.QWidget | None = None):
        super().__init__(parent)
        inner = QtWidgets.QWidget()
        self.row = FlowRow(inner, spacing=spacing)
        self._max_lines = max_lines
        self.setWidget(inner)
        self.setWidgetResizable(True)
        self.setFrameShape(QtWidgets.QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(QtCore.Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setSizePolicy(Policy.Preferred, Policy.Fixed)
        for widget in (self.viewport(), inner):
            widget.setAutoFillBackground(False)

    def fit(self) -> None:
        """As tall as the row's lines at the present width, at most `max_lines` of them."""
        cap = self._max_lines * self.row.line_height() + (self._max_lines - 1) * self.row.spacing()
        self.setFixedHeight(min(self.row.heightForWidth(max(self.viewport().width(), 1)), cap))

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self.fit()
