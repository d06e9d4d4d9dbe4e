"""Tokens on a plot: the text shown for each token (one function, for every view and model family), the kind
that colours it (normal, special, masked), a pyqtgraph axis with one label per cell, and the Words button of the
views that can pool tokens to words.

Two label layouts: *rotated* (the bottom axis's labels read upwards, one line per cell; for words) and *compact*
(every label upright, staggered into up to four lanes, so that 60-70 Chinese characters all get their label where
rotated labels would show only every second or third). *Automatic* takes the compact one for inputs whose labels
are short (one or two characters: Chinese, Japanese, Korean) when rotated labels would have to be thinned.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import pyqtgraph as pg
from PySide6 import QtCore, QtGui, QtWidgets
from PySide6.QtCore import QT_TRANSLATE_NOOP

from bertviz_app.analysis.numeric.words import POOL_NOW_MAX, pooled_index, pooled_result, result_words
from bertviz_app.ui import theme

if TYPE_CHECKING:
    from bertviz_app.analysis.inference import InferenceResult

MASKED_COLOR = "#e8590c"  # orange: tokens hidden from the model by [MASK]
SELECTED_COLOR = "#c2255c"  # raspberry: the token selected anywhere in the app
LASER_COLOR = theme.LASER.name()  # yellow, behind the label: the token the presenter's laser points at
MAX_LABEL_CHARS = 14

NORMAL, SPECIAL, MASKED = 0, 1, 2
LAYOUTS = ("auto", "compact", "rotated")
MAX_LANES = 4  # compact labels: at most this many staggered rows (bottom) or columns (left)
LANE_GAP = 3.0  # pixels between two labels of one lane
SHORT_LABEL = 2  # characters: labels this short (CJK characters, punctuation) make "auto" choose compact


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
    """An axis of token labels: one per cell, thinned when cells get too small to hold a line of text, coloured by
    kind (special / masked / selected); rotated or compact (see the module's docstring, `set_label_layout`)."""

    def __init__(self, orientation: str):
        super().__init__(orientation)
        self._labels: list[str] = []
        self._kinds: list[int] = []
        self._selected: int | None = None
        self._hovered: int | None = None  # the laser pointer's token
        self._layout = "auto"
        self._reserved = 0  # compact lanes the axis has room for (it only grows until the tokens change)
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
        self._reserved = 0
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

    label_layout = property(lambda self: self._layout, doc="The layout chosen: one of LAYOUTS.")

    def set_label_layout(self, layout: str) -> None:
        if layout not in LAYOUTS:
            raise ValueError(f"unknown label layout {layout!r}; choose one of {', '.join(LAYOUTS)}")
        self._layout = layout
        self._reserved = 0
        self._fit_size()
        self._invalidate()

    @property
    def compact(self) -> bool:
        """Whether the labels are drawn compact now (the choice, or what "auto" made of it at this size)."""
        if self._layout != "auto":
            return self._layout == "compact"
        short = all(len(t.removeprefix("##")) <= SHORT_LABEL for t, k in zip(self._labels, self._kinds) if k == NORMAL)
        return bool(self._labels) and short and self._stride(self._length_px()) > 1

    def _font(self, bold: bool = False) -> QtGui.QFont:
        font = QtGui.QFont(self.style["tickFont"] or QtGui.QFont())
        font.setBold(bold)
        return font

    def _vertical(self) -> bool:
        return self.orientation in ("left", "right")

    def _length_px(self) -> float:
        bounds = self.mapRectFromParent(self.geometry())
        return bounds.height() if self._vertical() else bounds.width()

    def _fit_size(self) -> None:
        metrics = QtGui.QFontMetricsF(self._font(bold=True))
        if self.compact:
            lanes = self._lanes(self._length_px())[1]
            self._reserved = max(self._reserved, len(lanes))
            lanes = lanes + [lanes[-1] if lanes else metrics.height()] * (self._reserved - len(lanes))
            extent = (
                sum(lanes) + LANE_GAP * max(len(lanes) - 1, 0) if self._vertical() else metrics.height() * len(lanes)
            )
        else:
            extent = max((metrics.horizontalAdvance(t) for t in self._labels), default=0.0)
        extent += self.style["tickLength"] + self.style["tickTextOffset"][0] + 4
        if self.label.isVisible():
            extent += self.label.boundingRect().height() * 0.8
        if self._vertical():
            self.setWidth(math.ceil(extent))
        else:
            self.setHeight(math.ceil(extent))

    def _invalidate(self) -> None:
        self.picture = None
        self.update()

    def _stride(self, length_px: float) -> int:
        lo, hi = sorted(self.range)
        cell_px = max(length_px, 1e-9) / max(hi - lo, 1e-9)
        line = QtGui.QFontMetricsF(self._font()).height() * 1.05
        return max(1, math.ceil(line / max(cell_px, 1e-9)))

    def visible_indices(self, length_px: float) -> list[int]:
        """Which token labels fit along `length_px` pixels of the current range (every stride-th one, and
        always the selected one)."""
        n = len(self._labels)
        if n == 0 or length_px <= 0:
            return []
        if self.compact:
            return sorted(i for i, _lane, _start in self._lanes(length_px)[0])
        lo, hi = sorted(self.range)
        stride = self._stride(length_px)
        first = max(0, math.ceil(lo))
        last = min(n - 1, math.floor(hi))
        shown = [i for i in range(first - first % stride, last + 1, stride) if i >= first]
        for sel in (self._selected, self.hovered):  # the selected and the pointed-at tokens are always labelled
            if sel is not None and first <= sel <= last and stride > 1 and sel not in shown:
                shown = [i for i in shown if abs(i - sel) >= stride or i == self._selected] + [sel]
        return shown

    def _lanes(self, length_px: float) -> tuple[list[tuple[int, int, float]], list[float]]:
        """Compact placement: (token, lane, where its label starts along the axis, in pixels) of each label shown,
        and each lane's depth across the axis (its widest label on a left axis, a line on a bottom one).

        Labels are centred on their cell (kept within the axis). The tokens' labels take turns in as few lanes as
        they need not to touch (1, 2, 3, 1, 2, 3, ...: reading order stays plain); special tokens and masks,
        usually wider ("[CLS]", "[MASK]"), go into a lane of their own after those. What still does not fit is
        left out, except the selected and the pointed-at tokens, which always get a place."""
        n = len(self._labels)
        if n == 0 or length_px <= 0:
            return [], []
        metrics = QtGui.QFontMetricsF(self._font(bold=True))
        line = metrics.height()
        lo, hi = sorted(self.range)
        cell = length_px / max(hi - lo, 1e-9)
        first, last = max(0, math.ceil(lo)), min(n - 1, math.floor(hi))
        vertical = self._vertical()
        spans = {}
        for i in range(first, last + 1):
            size = line if vertical else metrics.horizontalAdvance(self._labels[i])
            start = max(0.0, min((i - lo) * cell - size / 2, length_px - size))
            spans[i] = (start, start + size)
        normal = {i for i in spans if self._kinds[i] == NORMAL} if len(self._kinds) == n else set(spans)
        widest = max((spans[i][1] - spans[i][0] for i in normal), default=line)
        first_normal = min(normal, default=first)
        turns = min(MAX_LANES - 1, max(1, math.ceil((widest + LANE_GAP) / cell)))
        ends = [-math.inf] * MAX_LANES
        placed: list[tuple[int, int, float]] = []
        always = {self._selected, self.hovered} - {None}  # the selected and the pointed-at tokens
        for i, (start, end) in spans.items():
            # a token's label takes its turn; a special's or a mask's its own lane first, else wherever it fits
            lanes = [(i - first_normal) % turns] if i in normal else [*range(turns, MAX_LANES), *range(turns)]
            lane = next((k for k in lanes if ends[k] + LANE_GAP <= start), None)
            if lane is None and i in always:
                lane = lanes[0]
                placed = [p for p in placed if p[1] != lane or spans[p[0]][1] + LANE_GAP <= start]
            if lane is not None:
                ends[lane] = end
                placed.append((i, lane, start))
        used = sorted({k for _, k, _ in placed})
        renumber = {k: j for j, k in enumerate(used)}  # no empty lane between two used ones
        placed = [(i, renumber[k], start) for i, k, start in placed]
        if not vertical:
            return placed, [line] * len(used)
        depth = [0.0] * len(used)
        for i, k, _ in placed:
            depth[k] = max(depth[k], metrics.horizontalAdvance(self._labels[i]))
        return placed, depth

    def label_boxes(self) -> list[tuple[int, QtCore.QRectF]]:
        """(token, the rectangle its text covers, in the axis's coordinates) of every label drawn now."""
        specs = self.generateDrawSpecs(None)
        return [] if specs is None else [(i, rect) for rect, i, _flags in specs[2]]

    def generateDrawSpecs(self, p):
        bounds = self.mapRectFromParent(self.geometry())
        vertical = self._vertical()
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
        if self.compact:
            placed, depth = self._lanes(length_px)
            if len(depth) > self._reserved:  # more lanes than the axis has room for: make room, draw again
                self._reserved = len(depth)
                QtCore.QTimer.singleShot(0, self._fit_size)
            bold = QtGui.QFontMetricsF(self._font(bold=True))
            center = QtCore.Qt.AlignmentFlag.AlignHCenter | QtCore.Qt.AlignmentFlag.AlignVCenter
            right = QtCore.Qt.AlignmentFlag.AlignRight | QtCore.Qt.AlignmentFlag.AlignVCenter
            for i, lane, start in placed:
                x = i * scale - offset
                width = bold.horizontalAdvance(self._labels[i])
                if vertical:
                    ticks.append(
                        (self.pen(), QtCore.QPointF(bounds.right(), x), QtCore.QPointF(bounds.right() - tick_len, x))
                    )
                    edge = bounds.right() - text_offset - sum(depth[:lane]) - LANE_GAP * lane
                    texts.append((QtCore.QRectF(edge - width, bounds.top() + start, width, line_h), i, right))
                else:
                    ticks.append(
                        (self.pen(), QtCore.QPointF(x, bounds.top()), QtCore.QPointF(x, bounds.top() + tick_len))
                    )
                    top = bounds.top() + text_offset + lane * line_h
                    texts.append((QtCore.QRectF(bounds.left() + start, top, width, line_h), i, center))
            return axis_spec, ticks, texts
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
            texts.append((rect, i, None))
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
        for rect, i, flags in textSpecs:
            if i == self.hovered:
                p.save()
                p.setPen(QtCore.Qt.PenStyle.NoPen)
                p.setBrush(QtGui.QColor(LASER_COLOR))
                if flags is not None or self.orientation == "left":
                    p.drawRect(rect)
                else:  # the label is drawn rotated upwards from the rect's top-left: mark that column
                    p.drawRect(QtCore.QRectF(rect.left() - rect.height() / 2, rect.top(), rect.height(), rect.width()))
                p.restore()
            selected = i == self._selected
            kind = self._kinds[i] if i < len(self._kinds) else NORMAL
            p.setFont(self._font(bold=selected or kind == MASKED))
            p.setPen(QtGui.QColor(SELECTED_COLOR) if selected else self._colors[kind])
            if flags is not None or self.orientation == "left":  # upright
                p.drawText(rect, int(flags if flags is not None else right), self._labels[i])
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


class WordsButton(QtWidgets.QToolButton):
    """The Words toggle of a view that can pool tokens to words; with `axes`, its menu also chooses their label
    layout (automatic, compact, rotated)."""

    def __init__(self, tooltip: str, axes: tuple[TokenAxis, ...] = (), parent: QtWidgets.QWidget | None = None):
        super().__init__(parent)
        self.setText(self.tr("Words"))
        self.setCheckable(True)
        self._tip = tooltip
        self.setToolTip(tooltip)
        if not axes:
            return
        self.setPopupMode(QtWidgets.QToolButton.ToolButtonPopupMode.MenuButtonPopup)
        menu = QtWidgets.QMenu(self)
        menu.addSection(self.tr("Token labels"))
        group = QtGui.QActionGroup(menu)
        names = {
            "auto": self.tr("Automatic (compact for long Chinese, Japanese or Korean inputs)"),
            "compact": self.tr("Compact: upright, staggered"),
            "rotated": self.tr("Rotated: one line per token"),
        }
        self.layout_actions: dict[str, QtGui.QAction] = {}
        for layout in LAYOUTS:
            action = menu.addAction(names[layout])
            action.setCheckable(True)
            action.setChecked(layout == "auto")
            group.addAction(action)
            action.triggered.connect(lambda _=False, layout=layout: [axis.set_label_layout(layout) for axis in axes])
            self.layout_actions[layout] = action
        self.setMenu(menu)

    def set_available(self, available: bool) -> None:
        """Enabled where some word has two or more tokens; otherwise it says why it does nothing."""
        self.setEnabled(available or self.menu() is not None)
        self.setToolTip(self._tip if available else self.tr("Every word of this input is one token."))


WORDS_TIPS = {  # the Words button's tooltip in each view that has one
    "attention": QT_TRANSLATE_NOOP(
        "TokenAxis",
        "Show words instead of tokens (a word's pieces together; Chinese words as the jieba segmenter finds them): "
        "a word as a key receives the sum of what its tokens receive, as a query gives the mean of what its "
        "tokens give, so every row still sums to 1.",
    ),
    "embeddings": QT_TRANSLATE_NOOP(
        "TokenAxis",
        "Show words instead of tokens (a word's pieces together; Chinese words as the jieba segmenter finds "
        "them): each word is the mean of its tokens' vectors.",
    ),
}
WORDS_NOTES = {  # what the view's title adds while it shows words
    "attention": QT_TRANSLATE_NOOP("TokenAxis", " · words (Σ keys, mean queries)"),
    "embeddings": QT_TRANSLATE_NOOP("TokenAxis", " · words (mean of their tokens)"),
}


class WordsView:
    """Mixed into a View (before it: `class Panel(WordsView, View)`): with the Words button on, the view is given
    the result pooled to words (analysis/numeric/words.py) and shows word indices; the shared selection still
    names tokens, mapped here both ways. A view showing attention has it pooled too: here for a sentence, on the
    worker for a long input (the "pool_words" analysis; meanwhile the view says so and is `pooling_words`)."""

    _words_source = None  # the result as it came, before pooling
    _word_groups: list[list[int]] | None = None  # token positions of each word shown, or None: tokens shown
    _words_attention = False  # whether the view shows attention (pooled too)
    _words_run = None  # the "pool_words" run whose answer the view waits for

    def add_words_button(self, view: str, axes: tuple[TokenAxis, ...] = (), attention: bool = False) -> WordsButton:
        """The Words button of `view` (a key of WORDS_TIPS), before the Export button; `axes`: token axes whose
        label layout its menu chooses; `attention`: the view shows attention, to be pooled as well."""
        self._words_kind, self._words_attention = view, attention
        self.words_button = WordsButton(QtCore.QCoreApplication.translate("TokenAxis", WORDS_TIPS[view]), axes)
        self.controls.insertWidget(self.controls.count() - 2, self.words_button)  # before the stretch and Export
        self.words_button.toggled.connect(self._words_toggled)
        return self.words_button

    @property
    def showing_words(self) -> bool:
        return self._word_groups is not None

    @property
    def pooling_words(self) -> bool:
        """Whether the view waits for its result pooled to words on the worker."""
        return self._words_run is not None

    def set_result(self, result) -> None:
        self._words_source = result
        self._word_groups = None
        self._stop_pooling()
        if result is not None:
            groups = result_words(result)
            self.words_button.set_available(groups is not None)
            if groups is not None and self.words_button.isChecked():
                attention = self._words_attention and result.attention is not None
                if attention and result.attention.size > POOL_NOW_MAX and self._start_pooling(result, groups):
                    return
                result, self._word_groups = pooled_result(result, groups, with_attention=attention), groups
        super().set_result(result)

    def clear(self, message: str = "") -> None:
        self._words_source = self._word_groups = None
        self._stop_pooling()
        super().clear(message)

    def _start_pooling(self, result, groups: list[list[int]]) -> bool:
        """Pool `result` on the worker (False: no model to run it with; the caller pools it here)."""
        run = self.controller.start("pool_words", result=result, groups=groups) if self.controller else None
        if run is None:
            return False
        self._words_run = run
        # The slots name the run by its id, not the run itself: a lambda holding the run on the run's own
        # signal is a cycle through a Qt object that only the garbage collector can break.
        run_id = run.id
        run.ready.connect(lambda payload: self._pooled(run_id, payload.result, groups))
        run.failed.connect(lambda message: self._pooling_failed(run_id, message))
        run.cancelled.connect(lambda: self._pooling_cancelled(run_id))
        super().clear(
            QtCore.QCoreApplication.translate("TokenAxis", "Pooling {tokens} tokens into {words} words…").format(
                tokens=len(result.tokens), words=len(groups)
            )
        )
        return True

    def _waiting_for(self, run_id: int) -> bool:
        return self._words_run is not None and self._words_run.id == run_id

    def _pooled(self, run_id: int, pooled, groups: list[list[int]]) -> None:
        if not self._waiting_for(run_id):
            return  # about an earlier result, or Words was switched off meanwhile
        self._words_run, self._word_groups = None, groups
        super().set_result(pooled)
        token = self.selection.token
        self.set_selected_token(None if token is None else self.shown_index(token))

    def _pooling_failed(self, run_id: int, message: str) -> None:
        if self._waiting_for(run_id):
            self._words_run = None
            super().clear(message)

    def _pooling_cancelled(self, run_id: int) -> None:
        """Cancelled by the controller (a new input or model; its result comes next): no longer waiting."""
        if self._waiting_for(run_id):
            self._words_run = None

    def _stop_pooling(self) -> None:
        if self._words_run is not None:
            self._words_run, run = None, self._words_run
            run.cancel()

    def words_note(self) -> str:
        """What the view's title adds while it shows words ("" while it shows tokens)."""
        note = WORDS_NOTES[self._words_kind]
        return QtCore.QCoreApplication.translate("TokenAxis", note) if self.showing_words else ""

    def shown_index(self, token: int) -> int | None:
        return pooled_index(self._word_groups, token) if self._word_groups is not None else token

    def token_index(self, shown: int) -> int:
        return self._word_groups[shown][0] if self._word_groups is not None and shown >= 0 else shown

    def _words_toggled(self, _on: bool) -> None:
        if self._words_source is not None:
            self.set_result(self._words_source)
            if self.pooling_words:
                return  # the selection is marked when the words arrive
            token = self.selection.token
            self.set_selected_token(None if token is None else self.shown_index(token))
