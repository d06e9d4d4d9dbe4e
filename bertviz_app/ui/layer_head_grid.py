"""The layer × head grid, one painted widget for every view of a per-head quantity: the attention view's model
view (a thumbnail per tile, from an analysis.numeric Mosaic under the view's colour map), the heads view (a
number per head on a diverging scale with its colour bar, or neutral cells before there are numbers), and any
later view of heads. Tiles are rows × columns (layers downwards); a knocked-out head is dark with a ×, the
selected tile (or row) outlined, the one under the mouse or the keyboard focus ringed. Mouse and keyboard
(arrows, Home/End, Space or Enter, the menu key or Shift+F10) report a tile as (row, col)."""

from __future__ import annotations

import math

import numpy as np
from PySide6 import QtCore, QtGui, QtWidgets

from bertviz_app.analysis.numeric.measures import TILE_GAP, Mosaic
from bertviz_app.ui import theme
from bertviz_app.ui.plot_items import KNOCKED_OUT_COLOR
from bertviz_app.ui.token_axis import SELECTED_COLOR
from bertviz_app.ui.view import read_only

# ColorBrewer RdBu, blue (the prediction does better without the head) → near-white (no effect) → red (it helps).
DIVERGING = ("#2166ac", "#4393c3", "#92c5de", "#d1e5f0", "#f7f7f7", "#fddbc7", "#f4a582", "#d6604d", "#b2182b")
HELPS_COLOR, HURTS_COLOR = DIVERGING[-1], DIVERGING[0]
OFF_COLOR = theme.CHIP_SPECIAL_BG  # a knocked-out head without a thumbnail: dark grey with a white cross
MIN_TEXT_CELL = QtCore.QSizeF(34, 18)  # smaller cells get no number written in them
Tile = tuple[int, int]


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


def argb_table(colormap) -> np.ndarray:
    """A pyqtgraph ColorMap as 256 opaque 0xAARRGGBB words (QImage's ARGB32), from 0 to 1."""
    rgb = np.asarray(colormap.getLookupTable(0.0, 1.0, 256, alpha=False), dtype=np.uint32)[:, :3]
    return (0xFF000000 | (rgb[:, 0] << 16) | (rgb[:, 1] << 8) | rgb[:, 2]).astype(np.uint32)


def mosaic_image(image: np.ndarray, table: np.ndarray) -> QtGui.QImage:
    """A Mosaic's float image (0..1, NaN where no tile is yet: transparent) through an argb_table: one lookup of
    a word per pixel (~0.4 ms for 12 x 12 thumbnails at 512 tokens; painted after each slice while filling)."""
    with np.errstate(invalid="ignore"):  # NaN becomes some index; its pixel is cleared below
        index = np.clip(image * 255 + 0.5, 0, 255).astype(np.uint8)
    argb = table[index]
    argb[np.isnan(image)] = 0
    h, w = image.shape
    return QtGui.QImage(argb.data, w, h, 4 * w, QtGui.QImage.Format.Format_ARGB32).copy()


class LayerHeadGrid(QtWidgets.QWidget):
    """rows × cols tiles, painted. `compact`: L1…/H1… labels and square tiles anchored at the top (the model
    view beside a heatmap); otherwise "Layer n" rows under numbered heads, cells up to 2.5 times as wide as tall.

    What fills the tiles: a Mosaic's thumbnails (`show`), or per-tile numbers (`set_values`), or nothing
    (neutral cells, `set_shape`). Positions are in widget coordinates."""

    clicked = QtCore.Signal(int, int)  # (row, col) by the left button, Space or Enter
    hovered = QtCore.Signal(int, int)  # (row, col) under the mouse or the keyboard focus; (-1, -1) when none
    context_requested = QtCore.Signal(int, int, QtCore.QPoint)  # right button or the menu key: tile, global pos

    def __init__(self, compact: bool = False, colormap=None, parent: QtWidgets.QWidget | None = None):
        super().__init__(parent)
        self._compact = compact
        self._gap = 2.0 if compact else 4.0
        self._rows = self._cols = 0
        self._title = ""
        self._mosaic: Mosaic | None = None
        self._image: QtGui.QImage | None = None  # the mosaic colour-mapped, made when painted
        self._still: QtGui.QPixmap | None = None  # everything but the outline, hover and focus rings, painted
        self._still_key: tuple | None = None  # the geometry, content version and pixel ratio it was painted for
        self._version = 0  # +1 whenever what the tiles show changes
        self._lut = np.full(256, 0xFF000000, dtype=np.uint32)
        self._tile_labels: dict[Tile, str] = {}
        self._values: np.ndarray | None = None
        self._limit = 1.0
        self._stale = False
        self._off: frozenset[Tile] = frozenset()
        self._outlined: tuple[int, int | None] | None = None
        self._hover: Tile | None = None
        self._focus: Tile = (0, 0)
        self._geometry_key: tuple | None = None
        self._geometry_cache = (QtCore.QRectF(), QtCore.QSizeF())
        if colormap is not None:
            self.set_colormap(colormap)
        self.setMouseTracking(True)
        self.setFocusPolicy(QtCore.Qt.FocusPolicy.StrongFocus)
        self.setMinimumSize(*((160, 120) if compact else (320, 180)))
        self.setSizePolicy(QtWidgets.QSizePolicy.Policy.Expanding, QtWidgets.QSizePolicy.Policy.Expanding)
        if not compact:
            font = self.font()
            font.setPointSizeF(font.pointSizeF() + 1)
            self.setFont(font)

    # ---- what is shown --------------------------------------------------------------------------------------

    def set_title(self, text: str) -> None:
        """A title over the grid (none by default)."""
        self._title = text
        self._content_changed()

    def set_shape(self, rows: int, cols: int) -> None:
        """Plain cells (or numbers, with set_values): no thumbnails."""
        self._mosaic, self._image, self._tile_labels = None, None, {}
        self._resize(rows, cols)

    def shape(self) -> Tile:
        return self._rows, self._cols

    def show(self, mosaic: Mosaic, tile_labels: dict[Tile, str] | None = None) -> None:
        """Thumbnails from `mosaic` (filled later is fine: call update_image); `tile_labels` ((row, col) -> text)
        names wrapped tiles on the tiles themselves instead of L/H labels along the rows and columns."""
        self._mosaic, self._image, self._tile_labels = mosaic, None, dict(tile_labels or {})
        self._values = None
        self._resize(mosaic.rows, mosaic.cols)

    mosaic = read_only("_mosaic")  # the Mosaic whose thumbnails are shown, if any

    def tile_labels(self) -> list[str]:
        """The names written on tiles (wrapped tiles), in row-major order."""
        return [self._tile_labels[k] for k in sorted(self._tile_labels)]

    def update_image(self) -> None:
        """Tiles of the mosaic were filled: paint them."""
        self._image = None
        self._content_changed()

    def set_colormap(self, colormap) -> None:
        """The pyqtgraph ColorMap of the thumbnails."""
        self._lut = argb_table(colormap)
        self.update_image()

    def clear(self) -> None:
        self._mosaic, self._image, self._tile_labels, self._values = None, None, {}, None
        self._off, self._outlined = frozenset(), None
        self._resize(0, 0)

    def set_values(self, values: np.ndarray | None, stale: bool = False) -> None:
        """(rows, cols) numbers to colour by, symmetric about 0 (None: neutral cells); `stale` fades them."""
        self._values = None if values is None else np.asarray(values, dtype=np.float32)
        self._stale = stale
        if self._values is not None:
            peak = float(np.abs(self._values).max()) if self._values.size else 0.0
            self._limit = peak if peak > 0 else 1.0  # white always means "no effect"
        self._content_changed()

    def values(self) -> np.ndarray | None:
        return self._values

    limit = read_only("_limit")  # the colour scale's end: ± the largest number shown
    stale = read_only("_stale")  # the numbers shown are out of date (faded)

    def set_knocked_out(self, tiles) -> None:
        self._off = frozenset(tiles)
        self._content_changed()

    def knocked_out(self) -> frozenset[Tile]:
        return self._off

    def outline_tile(self, row: int, col: int | None) -> None:
        """Outline one tile, or the whole `row` when col is None."""
        self._outlined = (row, col)
        self.update()

    def hide_outline(self) -> None:
        self._outlined = None
        self.update()

    def cell_color(self, row: int, col: int) -> QtGui.QColor:
        """The fill of a tile without a thumbnail."""
        if (row, col) in self._off:
            return QtGui.QColor(OFF_COLOR)
        if self._values is None:
            return QtGui.QColor(theme.CHIP_BG)
        return diverging_color(float(self._values[row, col]), self._limit)

    def _resize(self, rows: int, cols: int) -> None:
        if (rows, cols) != (self._rows, self._cols):
            self._rows, self._cols = rows, cols
            self._hover = None
            self._focus = (min(self._focus[0], max(rows - 1, 0)), min(self._focus[1], max(cols - 1, 0)))
        self._content_changed()

    # ---- geometry -------------------------------------------------------------------------------------------

    def _margins(self) -> tuple[float, float, float, float]:
        """left, top, right, bottom: room for the title, row and column labels, and the colour bar."""
        metrics = QtGui.QFontMetricsF(self.font())
        title = (metrics.height() * 1.3 + 6) if self._title else 0
        if self._tile_labels:
            return 6, title + 6, 6, 6
        if self._compact:
            left = metrics.horizontalAdvance(self.tr("L{layer}").format(layer=max(self._rows, 1))) + 10
            return left, title + metrics.height() + 6, 6, 6
        left = metrics.horizontalAdvance(self.tr("Layer {layer}").format(layer=max(self._rows, 1))) + 14
        widest = max(metrics.horizontalAdvance(text) for text in self._bar_labels("+0.00", "−0.00"))
        right = 16 + (18 + 12 + widest if self._values is not None else 0)
        return left, title + 2 * metrics.height() + 8, right, 8

    def _geometry(self) -> tuple[QtCore.QRectF, QtCore.QSizeF]:
        """The grid's rectangle and one tile's size, worked out once per size, shape, font and kind of content
        (a paint asks for every tile's rectangle: recomputing the margins each time cost 3 ms a paint)."""
        key = (
            self.width(),
            self.height(),
            self._rows,
            self._cols,
            self._title,
            bool(self._tile_labels),
            self._values is None,
            self._mosaic is None,
            self.font().key(),
        )
        if key != self._geometry_key:
            self._geometry_key, self._geometry_cache = key, self._compute_geometry()
        return self._geometry_cache

    def _compute_geometry(self) -> tuple[QtCore.QRectF, QtCore.QSizeF]:
        """As big as fits, centred across; thumbnails square."""
        if not self._rows or not self._cols:
            return QtCore.QRectF(), QtCore.QSizeF()
        left, top, right, bottom = self._margins()
        gap = self._gap
        width = max(self.width() - left - right, 1.0)
        height = max(self.height() - top - bottom, 1.0)
        cell_w = max((width - gap * (self._cols - 1)) / self._cols, 1.0)
        cell_h = max((height - gap * (self._rows - 1)) / self._rows, 1.0)
        cell_h = min(cell_h, cell_w)
        cell_w = cell_h if self._compact or self._mosaic is not None else min(cell_w, 2.5 * cell_h)
        grid_w = cell_w * self._cols + gap * (self._cols - 1)
        grid_h = cell_h * self._rows + gap * (self._rows - 1)
        x = left + max(0.0, (width - grid_w) / 2)
        y = top + (0.0 if self._compact else max(0.0, (height - grid_h) / 3))  # a little above the middle
        return QtCore.QRectF(x, y, grid_w, grid_h), QtCore.QSizeF(cell_w, cell_h)

    def grid_rect(self) -> QtCore.QRectF:
        """Where the tiles are (gaps included)."""
        return QtCore.QRectF(self._geometry()[0])

    def _cell_size(self) -> QtCore.QSizeF:
        return QtCore.QSizeF(self._geometry()[1])

    def cell_rect(self, row: int, col: int) -> QtCore.QRectF:
        (g, size), gap = self._geometry(), self._gap
        return QtCore.QRectF(
            g.x() + col * (size.width() + gap), g.y() + row * (size.height() + gap), size.width(), size.height()
        )

    def tile_center(self, row: int, col: int) -> QtCore.QPointF:
        return self.cell_rect(row, col).center()

    def cell_at(self, pos: QtCore.QPointF) -> Tile | None:
        """The (row, col) under a widget position; None between tiles and outside the grid."""
        if not self._rows or not self._cols:
            return None
        g, size, gap = self.grid_rect(), self._cell_size(), self._gap
        col = math.floor((pos.x() - g.x()) / (size.width() + gap))
        row = math.floor((pos.y() - g.y()) / (size.height() + gap))
        if not (0 <= row < self._rows and 0 <= col < self._cols):
            return None
        return (row, col) if self.cell_rect(row, col).contains(pos) else None

    # ---- mouse and keyboard ---------------------------------------------------------------------------------

    def _set_hover(self, cell: Tile | None) -> None:
        if cell != self._hover:
            self._hover = cell
            self.hovered.emit(*(cell or (-1, -1)))
            self.update()

    def mouseMoveEvent(self, event: QtGui.QMouseEvent) -> None:
        cell = self.cell_at(event.position())
        self.setCursor(QtCore.Qt.CursorShape.PointingHandCursor if cell else QtCore.Qt.CursorShape.ArrowCursor)
        self._set_hover(cell)
        super().mouseMoveEvent(event)

    def leaveEvent(self, event: QtCore.QEvent) -> None:
        self._set_hover(None)
        super().leaveEvent(event)

    def mouseReleaseEvent(self, event: QtGui.QMouseEvent) -> None:
        cell = self.cell_at(event.position())
        if cell is not None:
            self._focus = cell
            if event.button() == QtCore.Qt.MouseButton.LeftButton:
                self.clicked.emit(*cell)
            elif event.button() == QtCore.Qt.MouseButton.RightButton:
                self.context_requested.emit(*cell, event.globalPosition().toPoint())
        super().mouseReleaseEvent(event)

    def keyPressEvent(self, event: QtGui.QKeyEvent) -> None:
        if not self._rows or not self._cols:
            super().keyPressEvent(event)
            return
        key, (row, col) = event.key(), self._focus
        moves = {
            QtCore.Qt.Key.Key_Left: (row, col - 1),
            QtCore.Qt.Key.Key_Right: (row, col + 1),
            QtCore.Qt.Key.Key_Up: (row - 1, col),
            QtCore.Qt.Key.Key_Down: (row + 1, col),
            QtCore.Qt.Key.Key_Home: (row, 0),
            QtCore.Qt.Key.Key_End: (row, self._cols - 1),
        }
        shift_f10 = key == QtCore.Qt.Key.Key_F10 and event.modifiers() & QtCore.Qt.KeyboardModifier.ShiftModifier
        if key in moves:
            r, c = moves[key]
            self._focus = (min(max(r, 0), self._rows - 1), min(max(c, 0), self._cols - 1))
            self._set_hover(self._focus)
            self.update()
        elif key in (QtCore.Qt.Key.Key_Space, QtCore.Qt.Key.Key_Return, QtCore.Qt.Key.Key_Enter):
            self.clicked.emit(*self._focus)
        elif key == QtCore.Qt.Key.Key_Menu or shift_f10:
            where = self.mapToGlobal(self.tile_center(*self._focus).toPoint())
            self.context_requested.emit(*self._focus, where)
        else:
            super().keyPressEvent(event)

    def focusInEvent(self, event: QtGui.QFocusEvent) -> None:
        self.update()
        super().focusInEvent(event)

    def focusOutEvent(self, event: QtGui.QFocusEvent) -> None:
        self.update()
        super().focusOutEvent(event)

    # ---- painting -------------------------------------------------------------------------------------------

    def _bar_labels(self, top: str, bottom: str) -> tuple[str, str, str]:
        """The colour bar's labels at its top (the head helps), middle and bottom (it hurts)."""
        return (
            self.tr("{value} helps").format(value=top),
            self.tr("0 no effect"),
            self.tr("{value} hurts").format(value=bottom),
        )

    def _content_changed(self) -> None:
        self._version += 1
        self.update()

    def changeEvent(self, event: QtCore.QEvent) -> None:
        if event.type() in (QtCore.QEvent.Type.PaletteChange, QtCore.QEvent.Type.StyleChange):
            self._version += 1
        super().changeEvent(event)

    def _radius(self, size: QtCore.QSizeF) -> float:
        return 0.0 if self._mosaic is not None else min(4.0, size.width() / 6, size.height() / 6)

    def paintEvent(self, event: QtGui.QPaintEvent) -> None:
        """The still layer (labels, tiles, crosses, colour bar) is painted once per content and size into a
        pixmap; a hover, focus or outline change repaints only the rings over it (0.5 ms a paint otherwise)."""
        self._geometry()  # brings _geometry_key up to date with the size, shape and font
        ratio = self.devicePixelRatioF()
        key = (self._geometry_key, self._version, ratio)
        if key != self._still_key:
            still = QtGui.QPixmap(max(1, math.ceil(self.width() * ratio)), max(1, math.ceil(self.height() * ratio)))
            still.setDevicePixelRatio(ratio)
            painter = QtGui.QPainter(still)
            self._paint_still(painter)
            painter.end()
            self._still, self._still_key = still, key
        p = QtGui.QPainter(self)
        p.drawPixmap(0, 0, self._still)
        if self._rows and self._cols:
            p.setRenderHint(QtGui.QPainter.RenderHint.Antialiasing)
            self._paint_outlines(p, self._radius(self._cell_size()))

    def _paint_still(self, p: QtGui.QPainter) -> None:
        p.setRenderHint(QtGui.QPainter.RenderHint.Antialiasing)
        pal = self.palette()
        p.fillRect(self.rect(), pal.color(QtGui.QPalette.ColorRole.Base))
        fg = pal.color(QtGui.QPalette.ColorRole.Text)
        metrics = QtGui.QFontMetricsF(self.font())
        if self._title:
            title_font = QtGui.QFont(self.font())
            title_font.setPointSizeF(self.font().pointSizeF() * 1.15)
            p.setFont(title_font)
            p.setPen(fg)
            title = QtGui.QFontMetricsF(title_font).elidedText(
                self._title, QtCore.Qt.TextElideMode.ElideRight, max(self.width() - 8, 0)
            )  # a narrow grid (presenter view, small window) ends it with "…" rather than cutting both ends
            p.drawText(
                QtCore.QRectF(0, 2, self.width(), metrics.height() * 1.3),
                int(QtCore.Qt.AlignmentFlag.AlignCenter),
                title,
            )
            p.setFont(self.font())
        if not self._rows or not self._cols:
            return
        g, size = self.grid_rect(), self._cell_size()
        self._paint_labels(p, g, fg, metrics)
        if self._mosaic is not None:
            self._paint_thumbnails(p)
        else:
            self._paint_cells(p, size, self._radius(size))
        for row, col in self._off:
            if row < self._rows and col < self._cols:
                self._paint_cross(p, self.cell_rect(row, col))
        self._paint_tile_labels(p, metrics)
        if self._values is not None and self._mosaic is None:
            self._paint_colorbar(p, g, fg, metrics)

    def _paint_labels(self, p: QtGui.QPainter, g: QtCore.QRectF, fg: QtGui.QColor, metrics) -> None:
        p.setPen(fg)
        centre = int(QtCore.Qt.AlignmentFlag.AlignCenter)
        right = int(QtCore.Qt.AlignmentFlag.AlignRight | QtCore.Qt.AlignmentFlag.AlignVCenter)
        h = metrics.height()
        if self._tile_labels:  # wrapped tiles carry their names on them (painted over the thumbnails)
            return
        if self._compact:
            for col in range(self._cols):
                r = self.cell_rect(0, col)
                p.drawText(
                    QtCore.QRectF(r.x() - 4, g.y() - h - 4, r.width() + 8, h),
                    centre,
                    self.tr("H{head}").format(head=col + 1),
                )
            for row in range(self._rows):
                r = self.cell_rect(row, 0)
                p.drawText(
                    QtCore.QRectF(0, r.y(), g.x() - 6, r.height()), right, self.tr("L{layer}").format(layer=row + 1)
                )
            return
        bold = QtGui.QFont(self.font())
        bold.setBold(True)
        p.setFont(bold)
        p.drawText(QtCore.QRectF(g.x(), g.y() - 2 * h - 6, g.width(), h), centre, self.tr("Head"))
        p.setFont(self.font())
        for col in range(self._cols):
            r = self.cell_rect(0, col)
            p.drawText(QtCore.QRectF(r.x(), g.y() - h - 4, r.width(), h), centre, str(col + 1))
        for row in range(self._rows):
            r = self.cell_rect(row, 0)
            p.drawText(
                QtCore.QRectF(0, r.y(), g.x() - 10, r.height()), right, self.tr("Layer {layer}").format(layer=row + 1)
            )

    def _paint_tile_labels(self, p: QtGui.QPainter, metrics) -> None:
        p.setFont(self.font())
        p.setPen(QtGui.QColor("white"))
        for (row, col), text in self._tile_labels.items():
            r = self.cell_rect(row, col)
            box = QtCore.QRectF(r.x(), r.y(), metrics.horizontalAdvance(text) + 8, metrics.height() + 2)
            p.fillRect(box, QtGui.QColor(0, 0, 0, 150))
            p.drawText(box, int(QtCore.Qt.AlignmentFlag.AlignCenter), text)

    def _paint_thumbnails(self, p: QtGui.QPainter) -> None:
        mosaic = self._mosaic
        if self._image is None:
            self._image = mosaic_image(mosaic.image, self._lut)
        step = mosaic.tile + TILE_GAP
        for row in range(self._rows):
            for col in range(self._cols):
                source = QtCore.QRectF(col * step, row * step, mosaic.tile, mosaic.tile)
                p.drawImage(self.cell_rect(row, col), self._image, source)

    def _paint_cells(self, p: QtGui.QPainter, size: QtCore.QSizeF, radius: float) -> None:
        values = self._values
        show_numbers = (
            values is not None
            and not self._stale
            and size.width() >= MIN_TEXT_CELL.width()
            and size.height() >= MIN_TEXT_CELL.height()
        )
        number_font = QtGui.QFont(self.font())
        number_font.setPointSizeF(max(7.0, min(self.font().pointSizeF(), size.height() * 0.3, size.width() * 0.2)))
        p.setFont(number_font)
        border = QtGui.QPen(theme.CHIP_BORDER, 1)
        for row in range(self._rows):
            for col in range(self._cols):
                r = self.cell_rect(row, col)
                off = (row, col) in self._off
                color = self.cell_color(row, col)
                p.setOpacity(0.3 if self._stale and not off else 1.0)
                p.setPen(border if values is None and not off else QtCore.Qt.PenStyle.NoPen)
                p.setBrush(color)
                p.drawRoundedRect(r, radius, radius)
                p.setOpacity(1.0)
                if show_numbers and not off:
                    p.setPen(QtGui.QColor("#1f2a44" if color.lightnessF() > 0.55 else "white"))
                    p.drawText(r, int(QtCore.Qt.AlignmentFlag.AlignCenter), format_drop(float(values[row, col])))

    def _paint_cross(self, p: QtGui.QPainter, r: QtCore.QRectF) -> None:
        """A knocked-out head: a thumbnail is dimmed under a white-and-dark ×; a plain cell gets a white ×."""
        side = min(r.width(), r.height())
        inset = side * (0.18 if self._mosaic is not None else 0.28)
        c = r.center()
        lines = [
            QtCore.QLineF(
                c.x() - side / 2 + inset, c.y() - side / 2 + inset, c.x() + side / 2 - inset, c.y() + side / 2 - inset
            ),
            QtCore.QLineF(
                c.x() - side / 2 + inset, c.y() + side / 2 - inset, c.x() + side / 2 - inset, c.y() - side / 2 + inset
            ),
        ]
        pens = []
        if self._mosaic is not None:
            shade = QtGui.QColor(KNOCKED_OUT_COLOR)
            shade.setAlpha(120)
            p.fillRect(r, shade)
            pens = [QtGui.QPen(QtGui.QColor("white"), 4.0), QtGui.QPen(QtGui.QColor(KNOCKED_OUT_COLOR), 2.0)]
        else:
            pens = [QtGui.QPen(QtGui.QColor("white"), max(2.0, side / 14))]
        for pen in pens:
            pen.setCapStyle(QtCore.Qt.PenCapStyle.RoundCap)
            p.setPen(pen)
            p.drawLines(lines)

    def _paint_outlines(self, p: QtGui.QPainter, radius: float) -> None:
        p.setBrush(QtCore.Qt.BrushStyle.NoBrush)
        if self._outlined is not None and self._outlined[0] < self._rows:
            row, col = self._outlined
            last = self._cols - 1 if col is None else col
            rect = self.cell_rect(row, 0 if col is None else col).united(self.cell_rect(row, last))
            rect = rect.adjusted(-1.5, -1.5, 1.5, 1.5)
            for pen in (QtGui.QPen(QtGui.QColor("white"), 4.0), QtGui.QPen(QtGui.QColor(SELECTED_COLOR), 2.0)):
                pen.setJoinStyle(QtCore.Qt.PenJoinStyle.MiterJoin)
                p.setPen(pen)
                p.drawRect(rect)
        if self._hover is not None:
            p.setPen(QtGui.QPen(theme.SELECTION, 3 if not self._compact else 2))
            p.drawRoundedRect(self.cell_rect(*self._hover).adjusted(-1.5, -1.5, 1.5, 1.5), radius, radius)
        if self.hasFocus() and self._focus != self._hover:
            pen = QtGui.QPen(self.palette().color(QtGui.QPalette.ColorRole.Highlight), 2, QtCore.Qt.PenStyle.DashLine)
            p.setPen(pen)
            p.drawRoundedRect(self.cell_rect(*self._focus).adjusted(-2, -2, 2, 2), radius, radius)

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
        x, h = bar.right() + 8, metrics.height()
        w = self.width() - x
        left = int(QtCore.Qt.AlignmentFlag.AlignLeft | QtCore.Qt.AlignmentFlag.AlignVCenter)
        top, middle, bottom = self._bar_labels("+" + format_drop(self._limit), format_drop(-self._limit))
        p.drawText(QtCore.QRectF(x, bar.top(), w, h), left, top)
        p.drawText(QtCore.QRectF(x, bar.center().y() - h / 2, w, h), left, middle)
        p.drawText(QtCore.QRectF(x, bar.bottom() - h, w, h), left, bottom)
