"""The neuron view's table, painted by one widget: for each token its key vector kⱼ, the element-wise products
q ∘ kⱼ, their sum q·kⱼ, that sum divided by √d_k, and the softmax weight, with the query vector q on the query
token's row. Vectors are rows of coloured cells (blue negative, red positive, each column scaled to its largest
|value|); hovering a cell gives its exact number.

One widget paints the whole table (the way ui/token_chips.py paints its chips): 512 tokens × 3 × 64 cells
as separate widgets or scene items would be slow, and painting only the rows in view stays fast at any size.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from PySide6 import QtCore, QtGui, QtWidgets

from bertviz_app.analysis.numeric.neuron import NeuronView
from bertviz_app.ui import theme
from bertviz_app.ui.plot_items import format_weight
from bertviz_app.ui.token_axis import MASKED_COLOR, short_label

# Blue - near white - red (ColorBrewer RdBu reversed): the sign of a number reads at a glance on a projector.
DIVERGING_STOPS = np.array(
    [[33, 102, 172], [103, 169, 207], [247, 247, 247], [239, 138, 98], [178, 24, 43]], dtype=np.float64
)
MIN_CELL, MAX_CELL = 2.0, 18.0  # vector cell width in pixels: hd = 64 still fits a 1000-pixel view
BAR_WIDTH = 96
MARGIN, GAP = 10, 12

# Parts of a row, for hit testing and hover text.
LABEL, Q, K, PRODUCT, SCORE, SCALED, PROB = "label", "q", "k", "product", "score", "scaled", "prob"


def diverging_rgb(values: np.ndarray, limit: float) -> np.ndarray:
    """values (...) -> (..., 3) uint8 colours: -limit blue, 0 near white, +limit red (clipped beyond)."""
    if limit <= 0 or not np.isfinite(limit):
        t = np.zeros_like(values, dtype=np.float64)
    else:
        t = np.clip(np.asarray(values, dtype=np.float64) / limit, -1.0, 1.0)
    pos = (t + 1.0) / 2.0 * (len(DIVERGING_STOPS) - 1)
    lo = np.minimum(np.floor(pos).astype(int), len(DIVERGING_STOPS) - 2)
    frac = (pos - lo)[..., None]
    rgb = DIVERGING_STOPS[lo] * (1 - frac) + DIVERGING_STOPS[lo + 1] * frac
    return np.round(rgb).astype(np.uint8)


def _number(x: float) -> str:
    """Scores as a table shows them: two decimals, a real minus sign."""
    return f"{x:.2f}".replace("-", "−")


def _exact(x: float) -> str:
    return f"{x:.6g}".replace("-", "−")


@dataclass(frozen=True)
class _Columns:
    """Where each column of the table sits, in canvas pixels."""

    cell: float  # width of one vector cell
    row_h: int
    header_h: int
    x_q: int
    x_label: int
    label_w: int
    x_k: int
    x_product: int
    x_score: int
    x_scaled: int
    num_w: int
    x_prob: int
    prob_w: int
    width: int

    def vector_x(self, part: str) -> int:
        return {Q: self.x_q, K: self.x_k, PRODUCT: self.x_product}[part]


class NeuronCanvas(QtWidgets.QWidget):
    """The painted table. Lives in a QScrollArea; keeps its header in view while the rows scroll under it."""

    token_clicked = QtCore.Signal(int)  # a token label or the q column was clicked: look from that token
    hovered = QtCore.Signal(str)  # the hover text of the cell under the mouse ("" when none)

    def __init__(self, parent: QtWidgets.QWidget | None = None):
        super().__init__(parent)
        self.view: NeuronView | None = None
        self.tokens: tuple[str, ...] = ()
        self._kinds: list[str] = []  # "word", "special", "masked" per token
        self._title = ""
        self._available = 800
        self._cols: _Columns | None = None
        self._colors: dict[str, np.ndarray] = {}  # part -> (T, hd, 3) or (hd, 3) uint8
        self._limits: dict[str, float] = {}
        self._hover: tuple[str, int, int] | None = None  # (part, row, dim)
        self._images: dict[str, QtGui.QImage] = {}  # part -> one pixel row per token, cells already widened
        self._label_width: tuple[tuple[str, ...], int] = ((), 0)  # measuring 512 labels per click is slow
        self.setMouseTracking(True)
        self.setFocusPolicy(QtCore.Qt.FocusPolicy.StrongFocus)
        self.setAccessibleName(self.tr("Neuron view"))
        font = QtGui.QFont(self.font())
        font.setPointSizeF(font.pointSizeF() * 1.15)
        self.setFont(font)

    # ---- data ---------------------------------------------------------------------------------------------
    def set_view(self, view: NeuronView | None, tokens, kinds: list[str], title: str) -> None:
        self.view = view
        self.tokens = tuple(tokens)
        self._kinds = list(kinds)
        self._title = title
        self._hover = None
        if view is not None:
            self._limits = {
                Q: float(np.abs(view.q).max(initial=0.0)),
                K: float(np.abs(view.k).max(initial=0.0)),
                PRODUCT: float(np.abs(view.products).max(initial=0.0)),
                SCORE: float(np.abs(view.scores).max(initial=0.0)),
                SCALED: float(np.abs(view.scaled).max(initial=0.0)),
            }
            self._colors = {
                Q: diverging_rgb(view.q, self._limits[Q]),
                K: diverging_rgb(view.k, self._limits[K]),
                PRODUCT: diverging_rgb(view.products, self._limits[PRODUCT]),
                SCORE: diverging_rgb(view.scores, self._limits[SCORE]),
                SCALED: diverging_rgb(view.scaled, self._limits[SCALED]),
            }
        self._relayout()
        self.update()

    def color_of(self, part: str, row: int, dim: int = 0) -> QtGui.QColor:
        """The fill colour of a cell (for tests: colour follows value)."""
        rgb = self._colors[part]
        c = rgb[dim] if part == Q else rgb[row] if part in (SCORE, SCALED) else rgb[row, dim]
        return QtGui.QColor(int(c[0]), int(c[1]), int(c[2]))

    def limit(self, part: str) -> float:
        return self._limits.get(part, 0.0)

    def fit_width(self, width: int) -> None:
        """Size the vector cells so the table fits `width` pixels when it can (never below MIN_CELL)."""
        width = max(200, int(width))
        if width != self._available:
            self._available = width
            self._relayout()

    # ---- geometry -----------------------------------------------------------------------------------------
    def _fonts(self) -> tuple[QtGui.QFont, QtGui.QFont, QtGui.QFont, QtGui.QFont]:
        base = QtGui.QFont(self.font())
        bold = QtGui.QFont(base)
        bold.setBold(True)
        title = QtGui.QFont(bold)
        title.setPointSizeF(base.pointSizeF() * 1.12)
        small = QtGui.QFont(base)
        small.setPointSizeF(base.pointSizeF() * 0.85)
        return base, bold, title, small

    def _relayout(self) -> None:
        view = self.view
        if view is None:
            self._cols = None
            self.setFixedSize(self._available, 100)
            return
        base, bold, title, small = self._fonts()
        fm, fm_bold = QtGui.QFontMetrics(base), QtGui.QFontMetrics(bold)
        fm_title, fm_small = QtGui.QFontMetrics(title), QtGui.QFontMetrics(small)
        if self._label_width[0] != self.tokens:
            widths = [fm_bold.horizontalAdvance(short_label(t)) for t in self.tokens]
            self._label_width = (self.tokens, max([*widths, fm_bold.horizontalAdvance(self.tr("token j"))]))
        label_w = self._label_width[1] + 12
        # The widest number is the most negative or the largest one: format those, not all 2T of them.
        extremes = [_number(float(f(v))) for v in (view.scores, view.scaled) for f in (np.min, np.max)]
        widths = [fm.horizontalAdvance(n) for n in extremes]
        num_w = max([*widths, fm_bold.horizontalAdvance("q·kⱼ / √dₖ")]) + 14
        prob_w = BAR_WIDTH + 8 + max(fm.horizontalAdvance("0.000"), fm.horizontalAdvance("3.2e-05"))
        prob_w = max(prob_w, fm_bold.horizontalAdvance("softmax → αⱼ"))
        hd = view.head_dim
        fixed = 2 * MARGIN + label_w + 2 * num_w + prob_w + 6 * GAP
        cell = min(MAX_CELL, max(MIN_CELL, (self._available - fixed) / (3 * hd)))
        vec_w = math.ceil(cell * hd)
        row_h = max(fm.height() + 10, 26)
        header_h = 8 + fm_title.height() + 10 + fm_bold.height() + 2 + fm_small.height() + 8
        x_q = MARGIN
        x_label = x_q + vec_w + GAP
        x_k = x_label + label_w + GAP // 2
        x_product = x_k + vec_w + GAP
        x_score = x_product + vec_w + GAP
        x_scaled = x_score + num_w + GAP
        x_prob = x_scaled + num_w + GAP
        table_w = x_prob + prob_w + MARGIN
        # The title may widen a narrow table up to the view's width, never force a horizontal scroll bar.
        width = max(table_w, min(fm_title.horizontalAdvance(self._title) + 2 * MARGIN, self._available))
        self._cols = _Columns(
            cell,
            row_h,
            header_h,
            x_q,
            x_label,
            label_w,
            x_k,
            x_product,
            x_score,
            x_scaled,
            num_w,
            x_prob,
            prob_w,
            width,
        )
        self.setFixedSize(width, header_h + row_h * len(self.tokens) + MARGIN)
        self._build_images()

    def _build_images(self) -> None:
        """Each vector column as an image with one pixel row per token and each cell as wide as on screen,
        gaps transparent: painting a row is then one drawImage, not hd rectangles."""
        c, hd = self._cols, self.view.head_dim
        starts = np.round(np.arange(hd + 1) * c.cell).astype(int)
        gap = 1 if c.cell >= 5 else 0  # a hairline between cells once they are wide enough to spare it
        lookup = np.full(starts[-1], -1)
        for d in range(hd):
            lookup[starts[d] : max(starts[d] + 1, starts[d + 1] - gap)] = d
        self._images = {}
        for part in (Q, K, PRODUCT):
            rgb = self._colors[part].reshape(-1, hd, 3)  # (rows, hd, 3)
            rgba = np.zeros((rgb.shape[0], len(lookup), 4), dtype=np.uint8)
            rgba[:, lookup >= 0, :3] = rgb[:, lookup[lookup >= 0]]
            rgba[:, lookup >= 0, 3] = 255
            image = QtGui.QImage(
                rgba.data, rgba.shape[1], rgba.shape[0], rgba.shape[1] * 4, QtGui.QImage.Format.Format_RGBA8888
            )
            self._images[part] = image.copy()  # own the pixels: rgba is freed when this returns

    def columns(self) -> _Columns | None:
        return self._cols

    def _header_top(self) -> int:
        # The canvas sits in a scroll area's viewport at (-hscroll, -vscroll): keep the header at the view's top.
        return max(0, -self.y())

    def row_top(self, row: int) -> int:
        return self._cols.header_h + row * self._cols.row_h

    def _cell_span(self, part: str, dim: int) -> tuple[int, int]:
        c = self._cols
        x0 = c.vector_x(part)
        left, right = x0 + round(dim * c.cell), x0 + round((dim + 1) * c.cell)
        gap = 1 if c.cell >= 5 else 0  # a hairline between cells once they are wide enough to spare it
        return left, right - gap

    def cell_rect(self, part: str, row: int, dim: int = 0) -> QtCore.QRect:
        """The rectangle of a cell in canvas coordinates (row = key token; the q column uses the query row)."""
        c = self._cols
        top = self.row_top(row) + 3
        h = c.row_h - 6
        if part in (Q, K, PRODUCT):
            left, right = self._cell_span(part, dim)
            return QtCore.QRect(left, top, max(1, right - left), h)
        x, w = {
            LABEL: (c.x_label, c.label_w),
            SCORE: (c.x_score, c.num_w),
            SCALED: (c.x_scaled, c.num_w),
            PROB: (c.x_prob, c.prob_w),
        }[part]
        return QtCore.QRect(x, top, w, h)

    def hit(self, pos: QtCore.QPoint) -> tuple[str, int, int] | None:
        """(part, row, dim) of the cell at a canvas position, or None (header, margins, empty q rows)."""
        c, view = self._cols, self.view
        if c is None or view is None or pos.y() < self._header_top() + c.header_h:
            return None
        row = (pos.y() - c.header_h) // c.row_h
        if not 0 <= row < len(self.tokens):
            return None
        x = pos.x()
        hd = view.head_dim
        for part in (Q, K, PRODUCT):
            x0 = c.vector_x(part)
            if x0 <= x < x0 + round(hd * c.cell):
                if part == Q and row != view.query_token:
                    return (LABEL, row, 0)  # the empty q slot of another row: a click there looks from that row
                return (part, row, min(hd - 1, int((x - x0) / c.cell)))
        for part, x0, w in (
            (LABEL, c.x_label, c.label_w),
            (SCORE, c.x_score, c.num_w),
            (SCALED, c.x_scaled, c.num_w),
            (PROB, c.x_prob, c.prob_w),
        ):
            if x0 <= x < x0 + w:
                return (part, row, 0)
        return None

    # ---- words --------------------------------------------------------------------------------------------
    def hover_text(self, part: str, row: int, dim: int = 0) -> str:
        """What a cell means, with its exact number (and the numbers it is computed from)."""
        view = self.view
        if view is None:
            return ""
        qtok, tok = f"'{self.tokens[view.query_token]}'", f"'{self.tokens[row]}'"
        if part == LABEL:
            text = self.tr("{token} (#{row}) · click to see how its attention is computed")
        elif part == Q:
            text = self.tr("q[{dim}] of {query} = {q}")
        elif part == K:
            text = self.tr("k[{dim}] of {token} = {k}")
        elif part == PRODUCT:
            text = self.tr("q[{dim}] × k[{dim}] of {token} = {q} × {k} = {product}")
        elif part == SCORE:
            text = self.tr("q · k of {token} = the sum of its {head_dim} products = {score}")
        elif part == SCALED:
            text = "{score} ÷ √{head_dim} ({scale}) = {scaled}"
        elif part == PROB:
            text = self.tr(
                "softmax: exp({scaled}) ÷ Σ exp(all scaled scores) = {prob} · {query} gives {share} of its attention "
                "to {token}"
            )
        else:
            return ""
        return text.format(
            token=tok,
            query=qtok,
            row=row,
            dim=dim,
            head_dim=view.head_dim,
            q=_exact(view.q[dim]),
            k=_exact(view.k[row, dim]),
            product=_exact(view.products[row, dim]),
            score=_exact(view.scores[row]),
            scale=f"{view.scale:.4f}",
            scaled=_exact(view.scaled[row]),
            prob=_exact(view.probs[row]),
            share=f"{view.probs[row]:.1%}",
        )

    # ---- painting -----------------------------------------------------------------------------------------
    def paintEvent(self, event: QtGui.QPaintEvent) -> None:
        painter = QtGui.QPainter(self)
        try:
            self.paint(painter, event.rect(), self._header_top())
        finally:
            painter.end()

    def paint(self, p: QtGui.QPainter, clip: QtCore.QRect, header_top: int = 0) -> None:
        """Draw the rows that meet `clip`, then the header at `header_top` over them."""
        pal = self.palette()
        bg, fg = pal.color(QtGui.QPalette.ColorRole.Base), pal.color(QtGui.QPalette.ColorRole.Text)
        p.fillRect(clip, bg)
        c, view = self._cols, self.view
        if c is None or view is None:
            return
        base, bold, title, small = self._fonts()
        grey = theme.mix(fg, bg, 0.45)
        faint = theme.mix(fg, bg, 0.9)
        n = len(self.tokens)
        first = max(0, (max(clip.top(), header_top + c.header_h) - c.header_h) // c.row_h)
        last = min(n - 1, (clip.bottom() - c.header_h) // c.row_h)
        hover_row = self._hover[1] if self._hover else None
        align_right = QtCore.Qt.AlignmentFlag.AlignRight | QtCore.Qt.AlignmentFlag.AlignVCenter
        align_centre = QtCore.Qt.AlignmentFlag.AlignCenter
        align_left = QtCore.Qt.AlignmentFlag.AlignLeft | QtCore.Qt.AlignmentFlag.AlignVCenter
        best = int(np.argmax(view.probs))

        for row in range(first, last + 1):
            top = self.row_top(row)
            if row == hover_row:
                p.fillRect(QtCore.QRect(0, top, c.width, c.row_h), faint)
            if row == view.query_token:
                band = QtGui.QColor(theme.SELECTION)
                band.setAlpha(28)
                p.fillRect(QtCore.QRect(0, top, c.x_k - GAP // 4, c.row_h), band)
                self._paint_vector(p, Q, row)
            self._paint_vector(p, K, row)
            self._paint_vector(p, PRODUCT, row)

            kind = self._kinds[row] if row < len(self._kinds) else "word"
            is_query = row == view.query_token
            p.setFont(bold if is_query or kind == "masked" or row == best else base)
            color = (
                theme.SELECTION
                if is_query
                else QtGui.QColor(MASKED_COLOR)
                if kind == "masked"
                else grey
                if kind == "special"
                else fg
            )
            p.setPen(color)
            p.drawText(self.cell_rect(LABEL, row).adjusted(0, 0, -6, 0), align_right, short_label(self.tokens[row]))

            p.setFont(base)
            for part, values in ((SCORE, view.scores), (SCALED, view.scaled)):
                rect = self.cell_rect(part, row)
                p.fillRect(rect, theme.mix(self.color_of(part, row), bg, 0.35))
                p.setPen(QtGui.QColor("#1f2a44"))  # on the light tint, whatever the theme
                p.drawText(rect.adjusted(0, 0, -6, 0), align_right, _number(float(values[row])))

            rect = self.cell_rect(PROB, row)
            track = QtCore.QRect(rect.left(), rect.top() + 3, BAR_WIDTH, rect.height() - 6)
            p.fillRect(track, theme.BAR_TRACK if bg.lightness() > 128 else theme.mix(fg, bg, 0.8))
            filled = round(BAR_WIDTH * float(np.clip(view.probs[row], 0.0, 1.0)))
            if filled > 0:
                p.fillRect(QtCore.QRect(track.left(), track.top(), filled, track.height()), theme.BAR)
            p.setFont(bold if row == best else base)
            p.setPen(fg)
            text_rect = QtCore.QRect(track.right() + 8, rect.top(), rect.right() - track.right() - 8, rect.height())
            p.drawText(text_rect, align_left, format_weight(float(view.probs[row])))

        self._paint_hover(p)
        self._paint_header(p, header_top, bg, fg, grey, (bold, title, small), (align_centre, align_left))

    def _paint_vector(self, p: QtGui.QPainter, part: str, row: int) -> None:
        c = self._cols
        top, h = self.row_top(row) + 3, c.row_h - 6
        image = self._images[part]
        source_row = 0 if part == Q else row
        x0 = c.vector_x(part)
        p.drawImage(QtCore.QRect(x0, top, image.width(), h), image, QtCore.QRect(0, source_row, image.width(), 1))
        if c.cell < 5:  # no hairlines between cells: frame the vector so near-white cells still show its extent
            p.setPen(QtGui.QPen(QtGui.QColor(0, 0, 0, 60), 1))
            p.drawRect(QtCore.QRect(x0, top, image.width() - 1, h - 1))

    def _paint_hover(self, p: QtGui.QPainter) -> None:
        """Outline the cells that make the hovered one: q[d] × k_j[d] = product, or a row's whole computation."""
        if self._hover is None or self.view is None:
            return
        part, row, dim = self._hover
        q_row = self.view.query_token
        if part in (Q, K, PRODUCT):
            rects = [self.cell_rect(Q, q_row, dim)]
            if part != Q:
                rects += [self.cell_rect(K, row, dim), self.cell_rect(PRODUCT, row, dim)]
        elif part in (SCORE, SCALED, PROB):
            c = self._cols
            first, _ = self._cell_span(PRODUCT, 0)
            _, last = self._cell_span(PRODUCT, self.view.head_dim - 1)
            top = self.row_top(row) + 3
            rects = [QtCore.QRect(first, top, last - first, c.row_h - 6), self.cell_rect(part, row)]
        else:
            return
        p.setBrush(QtCore.Qt.BrushStyle.NoBrush)
        for pen in (QtGui.QPen(QtGui.QColor("black"), 3), QtGui.QPen(QtGui.QColor("white"), 1)):
            p.setPen(pen)
            for r in rects:
                p.drawRect(r.adjusted(-1, -1, 0, 0))

    def _paint_header(self, p, header_top, bg, fg, grey, fonts, aligns) -> None:
        bold, title, small = fonts
        align_centre, align_left = aligns
        c, view = self._cols, self.view
        p.fillRect(QtCore.QRect(0, header_top, self.width(), c.header_h), bg)
        fm_title, fm_bold, fm_small = (QtGui.QFontMetrics(f) for f in (title, bold, small))
        y = header_top + 8
        p.setFont(title)
        p.setPen(fg)
        p.drawText(QtCore.QRect(MARGIN, y, c.width, fm_title.height()), align_left, self._title)
        y += fm_title.height() + 10
        vec_w = round(view.head_dim * c.cell)
        heads = [
            (c.x_q, vec_w, self.tr("query q")),
            (c.x_label, c.label_w, self.tr("token j")),
            (c.x_k, vec_w, self.tr("key kⱼ")),
            (c.x_product, vec_w, "q ∘ kⱼ"),
            (c.x_score, c.num_w, "q·kⱼ"),
            (c.x_scaled, c.num_w, "q·kⱼ / √dₖ"),
            (c.x_prob, c.prob_w, "softmax → αⱼ"),
        ]
        hints = [
            f"±{self._limits[Q]:.2f}",
            "",
            f"±{self._limits[K]:.2f}",
            f"±{self._limits[PRODUCT]:.2f}",
            self.tr("Σ of the row"),
            f"÷ {view.scale:.2f}",
            "Σ = 1",
        ]
        for (x, w, text), hint in zip(heads, hints, strict=True):
            # Headings wider than their column (q at hd = 8) may spill over the gaps on either side.
            spill = max(0, fm_bold.horizontalAdvance(text) - w, fm_small.horizontalAdvance(hint) - w) // 2 + 2
            p.setFont(bold)
            p.setPen(fg)
            p.drawText(QtCore.QRect(x - spill, y, w + 2 * spill, fm_bold.height()), align_centre, text)
            p.setFont(small)
            p.setPen(grey)
            p.drawText(
                QtCore.QRect(x - spill, y + fm_bold.height() + 2, w + 2 * spill, fm_small.height()), align_centre, hint
            )
        p.setPen(QtGui.QPen(grey, 1))
        line_y = header_top + c.header_h - 2
        p.drawLine(0, line_y, self.width(), line_y)

    # ---- mouse and keys -----------------------------------------------------------------------------------
    def mouseMoveEvent(self, event: QtGui.QMouseEvent) -> None:
        target = self.hit(event.position().toPoint())
        if target != self._hover:
            self._hover = target
            self.update()
        text = self.hover_text(*target) if target else ""
        self.hovered.emit(text)
        if text:
            QtWidgets.QToolTip.showText(event.globalPosition().toPoint(), text, self)
        else:
            QtWidgets.QToolTip.hideText()

    def leaveEvent(self, event: QtCore.QEvent) -> None:
        if self._hover is not None:
            self._hover = None
            self.update()
        self.hovered.emit("")
        super().leaveEvent(event)

    def mousePressEvent(self, event: QtGui.QMouseEvent) -> None:
        target = self.hit(event.position().toPoint())
        if event.button() == QtCore.Qt.MouseButton.LeftButton and target is not None and target[0] in (LABEL, Q):
            self.token_clicked.emit(target[1])
        super().mousePressEvent(event)

    def keyPressEvent(self, event: QtGui.QKeyEvent) -> None:
        if self.view is not None and event.key() in (QtCore.Qt.Key.Key_Up, QtCore.Qt.Key.Key_Down):
            step = -1 if event.key() == QtCore.Qt.Key.Key_Up else 1
            self.token_clicked.emit(int(np.clip(self.view.query_token + step, 0, len(self.tokens) - 1)))
            return
        super().keyPressEvent(event)
