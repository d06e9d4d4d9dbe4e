"""Per-layer predictions: what the MLM head would guess for a mask from each layer's hidden state.

A table of layers × top-k guesses (embeddings at the top, the model's own prediction at the bottom) and a plot
of one word's probability and rank through the layers. Renders from result.layer_probs through the numpy-only
bertviz_app.analysis.numeric.layer_lens; the controller is asked only for vocabulary look-ups (a word's pieces, an
id's text), never for a model run.
"""

from __future__ import annotations

import csv
import math
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtGui, QtWidgets

from bertviz_app.analysis.numeric.layer_lens import layer_names, top_k_by_layer, word_trajectory
from bertviz_app.ui import theme
from bertviz_app.ui.exporting import export_item_png, export_item_svg
from bertviz_app.ui.label_layers import LabelLayers
from bertviz_app.ui.plot_items import plot_widget
from bertviz_app.ui.token_axis import MASKED_COLOR, SELECTED_COLOR
from bertviz_app.ui.view import View, read_only

if TYPE_CHECKING:
    from bertviz_app.analysis.inference import InferenceResult

MAX_K = 10
DEFAULT_K = 5
PROB_COLOR = "#1c7ed6"
RANK_COLOR = MASKED_COLOR
AXIS_TITLE = {"font-size": "11pt", "font-weight": "600"}
TOKEN_ROLE = QtCore.Qt.ItemDataRole.UserRole
PROB_ROLE = QtCore.Qt.ItemDataRole.UserRole + 1
ID_ROLE = QtCore.Qt.ItemDataRole.UserRole + 2

NO_HEAD_MESSAGE = QtCore.QT_TRANSLATE_NOOP(
    "LayersPanel",
    "This model has no masked-language-model head, so there are no per-layer guesses to show.\n\n"
    "Open a fill-mask model (such as bert-base-uncased) from the Model menu.",
)
NO_MASK_MESSAGE = QtCore.QT_TRANSLATE_NOOP(
    "LayersPanel",
    "Mask a word to watch its guess form layer by layer: click a token above, or type [MASK] in the sentence.",
)
NO_PROBS_MESSAGE = QtCore.QT_TRANSLATE_NOOP("LayersPanel", "This result has no per-layer predictions.")


def shade(probability: float) -> float:
    """How dark a cell is, 0..1. Square root, because most guesses before the last layers are a few percent and
    would all look white on a linear scale."""
    return math.sqrt(min(max(probability, 0.0), 1.0))


def format_probability(p: float) -> str:
    return f"{p:.1%}" if p >= 0.001 else f"{p:.1e}"


def rank_label(rank: int) -> str:
    return f"{rank // 1000}k" if rank >= 1000 else str(rank)


class _GuessDelegate(QtWidgets.QStyledItemDelegate):
    """One guess: a cell shaded by its probability, the word on the left, the percentage on the right; the
    followed word framed, the final layer's row in bold under a rule."""

    def __init__(self, panel: LayersPanel):
        super().__init__(panel)
        self._panel = panel

    def paint(self, painter: QtGui.QPainter, option, index) -> None:
        token = index.data(TOKEN_ROLE)
        if token is None:
            return
        p = float(index.data(PROB_ROLE))
        panel = self._panel
        base = option.palette.color(QtGui.QPalette.ColorRole.Base)
        fg = option.palette.color(QtGui.QPalette.ColorRole.Text)
        t = shade(p)
        bg = theme.mix(base, theme.BAR, 0.92 * t)
        text = QtGui.QColor("white") if bg.lightnessF() < 0.55 else fg
        rect = option.rect
        painter.save()
        painter.fillRect(rect, bg)
        final = index.row() == panel.table.rowCount() - 1
        if final:
            painter.setPen(QtGui.QPen(fg, 2))
            painter.drawLine(rect.topLeft() + QtCore.QPoint(0, 1), rect.topRight() + QtCore.QPoint(0, 1))
        if option.state & QtWidgets.QStyle.StateFlag.State_MouseOver:
            painter.fillRect(rect, QtGui.QColor(255, 255, 255, 40) if t > 0.5 else QtGui.QColor(0, 0, 0, 18))
        inner = rect.adjusted(8, 0, -8, 0)
        word_font = QtGui.QFont(option.font)
        word_font.setBold(final or index.data(ID_ROLE) == panel.followed_id)
        pct_font = QtGui.QFont(option.font)
        pct_font.setPointSizeF(option.font.pointSizeF() * 0.9)
        pct = format_probability(p)
        pct_w = QtGui.QFontMetrics(pct_font).horizontalAdvance(pct) + 6
        painter.setPen(text)
        painter.setFont(pct_font)
        align_right = QtCore.Qt.AlignmentFlag.AlignRight | QtCore.Qt.AlignmentFlag.AlignVCenter
        painter.drawText(inner, align_right, pct)
        painter.setFont(word_font)
        metrics = QtGui.QFontMetrics(word_font)
        word = metrics.elidedText(token, QtCore.Qt.TextElideMode.ElideRight, max(10, inner.width() - pct_w))
        painter.drawText(inner, QtCore.Qt.AlignmentFlag.AlignLeft | QtCore.Qt.AlignmentFlag.AlignVCenter, word)
        if index.data(ID_ROLE) == panel.followed_id:
            pen = QtGui.QPen(QtGui.QColor(SELECTED_COLOR), 3)
            pen.setJoinStyle(QtCore.Qt.PenJoinStyle.MiterJoin)
            painter.setPen(pen)
            painter.setBrush(QtCore.Qt.BrushStyle.NoBrush)
            painter.drawRect(QtCore.QRectF(rect).adjusted(1.5, 1.5, -1.5, -1.5))
        painter.restore()


class LayersPanel(View):
    """The guess at one mask read from every layer (the "logit lens"), and one word followed through them.

    Rows are hidden-state indices: 0 = the embeddings, k = the output of transformer layer k; the last row is the
    model's prediction. `controller` answers token_id(word) and token_strings(ids) for the loaded model.
    """

    word_followed = QtCore.Signal(str)  # the word piece now followed ("" when none)

    def __init__(self, controller, selection=None, parent: QtWidgets.QWidget | None = None):
        super().__init__(controller, selection, parent)
        self.empty_message = self.tr("No sentence yet: type one and mask a word to see its guess form layer by layer.")
        self._probs: np.ndarray | None = None  # (L+1, N, V)
        self._mask_row = 0
        self._word = ""  # what the user asked to follow; "" = the model's final top guess
        self._followed_id: int | None = None
        self._followed_token = ""
        self._top: tuple[np.ndarray, np.ndarray] | None = None  # (L+1, MAX_K) ids and probabilities
        self._trajectory: tuple[np.ndarray, np.ndarray] | None = None  # (L+1,) probabilities, ranks
        self.label_layers: LabelLayers | None = None  # built for the first classifier
        self._build()
        self._apply_palette()
        self.clear(self.empty_message)

    # ---- construction -------------------------------------------------------------------------------------

    def _build(self) -> None:
        controls = self.controls
        self.mask_label = QtWidgets.QLabel(self.tr("Mask"))
        self.mask_combo = QtWidgets.QComboBox()
        self.mask_combo.setToolTip(self.tr("Which masked position to look at"))
        self.mask_combo.setSizeAdjustPolicy(QtWidgets.QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.follow_edit = QtWidgets.QLineEdit()
        self.follow_edit.setPlaceholderText(self.tr("a word to follow (empty: the top guess)"))
        self.follow_edit.setClearButtonEnabled(True)
        self.follow_edit.setMinimumWidth(220)
        self.follow_edit.setToolTip(self.tr("Type a word to see its probability and rank after every layer"))
        self.follow_edit.setAccessibleName(self.tr("Word to follow"))
        self.k_spin = QtWidgets.QSpinBox()
        self.k_spin.setRange(1, MAX_K)
        self.k_spin.setValue(DEFAULT_K)
        self.k_spin.setPrefix(self.tr("top "))
        self.k_spin.setToolTip(self.tr("How many guesses to show for each layer (1–{most})").format(most=MAX_K))
        self.rank_check = QtWidgets.QCheckBox(self.tr("Rank"))
        self.rank_check.setChecked(True)
        self.rank_check.setToolTip(self.tr("Also plot the word's rank among all word pieces (log scale, 1 at the top)"))
        controls.addWidget(self.mask_label)
        controls.addWidget(self.mask_combo)
        controls.addSpacing(8)
        controls.addWidget(QtWidgets.QLabel(self.tr("Follow")))
        controls.addWidget(self.follow_edit, 1)
        controls.addWidget(self.k_spin)
        controls.addWidget(self.rank_check)
        self.add_export_button(stretch=0)
        self.needs_result(self.mask_combo, self.k_spin, self.rank_check)
        content_layout = self.content_layout

        self.title_label = QtWidgets.QLabel()
        self.title_label.setTextFormat(QtCore.Qt.TextFormat.RichText)
        title_font = self.title_label.font()
        title_font.setPointSizeF(title_font.pointSizeF() * 1.15)
        self.title_label.setFont(title_font)
        self.hint_label = QtWidgets.QLabel(self.tr("darker = more probable · click a guess to follow it"))
        title_row = QtWidgets.QHBoxLayout()
        title_row.addWidget(self.title_label, 1)
        title_row.addWidget(self.hint_label)
        content_layout.addLayout(title_row)

        self._splitter = QtWidgets.QSplitter(QtCore.Qt.Orientation.Vertical)
        self._splitter.setChildrenCollapsible(False)
        self.table = QtWidgets.QTableWidget()
        self.table.setEditTriggers(QtWidgets.QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QtWidgets.QAbstractItemView.SelectionMode.NoSelection)
        self.table.setFocusPolicy(QtCore.Qt.FocusPolicy.NoFocus)
        self.table.setMouseTracking(True)
        self.table.setShowGrid(True)
        self.table.setWordWrap(False)
        self.table.setItemDelegate(_GuessDelegate(self))
        table_font = self.table.font()
        table_font.setPointSizeF(table_font.pointSizeF() + 1)  # read from the back of a classroom
        self.table.setFont(table_font)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QtWidgets.QHeaderView.ResizeMode.Stretch)
        header.setHighlightSections(False)
        rows = self.table.verticalHeader()
        rows.setSectionResizeMode(QtWidgets.QHeaderView.ResizeMode.Fixed)
        rows.setDefaultSectionSize(QtGui.QFontMetrics(table_font).height() + 14)
        rows.setHighlightSections(False)
        self.table.cellClicked.connect(self._on_cell_clicked)
        self._splitter.addWidget(self.table)

        below = QtWidgets.QWidget()
        below_layout = QtWidgets.QVBoxLayout(below)
        below_layout.setContentsMargins(0, 0, 0, 0)
        below_layout.setSpacing(2)
        self.note_label = QtWidgets.QLabel(" ")
        self.note_label.setWordWrap(True)
        self.note_label.setTextFormat(QtCore.Qt.TextFormat.RichText)
        below_layout.addWidget(self.note_label)
        self.plot_widget, self.plot = plot_widget((4, 4, 4, 4))
        plot = self.plot
        plot.setMouseEnabled(False, False)
        plot.showGrid(x=True, y=True, alpha=0.15)
        plot.setLabel("bottom", self.tr("after layer"))
        tick_font = QtGui.QFont()
        tick_font.setPointSizeF(tick_font.pointSizeF() + 1)
        for side in ("left", "bottom", "right"):
            plot.getAxis(side).setStyle(tickFont=tick_font, tickTextOffset=6)
        self.prob_curve = plot.plot(
            [], [], pen=pg.mkPen(PROB_COLOR, width=3), symbol="o", symbolSize=10, symbolBrush=PROB_COLOR
        )
        # Rank has its own view box (log10 of the rank, inverted so rank 1 sits at the top like a high
        # probability) sharing the x axis: two scales on one plot, read against the left and right axes.
        self.rank_view = pg.ViewBox()
        self.rank_view.setMouseEnabled(False, False)
        self.rank_view.invertY(True)
        plot.showAxis("right")
        plot.scene().addItem(self.rank_view)
        plot.getAxis("right").linkToView(self.rank_view)
        self.rank_view.setXLink(plot)
        self.rank_curve = pg.PlotDataItem(
            [],
            [],
            pen=pg.mkPen(RANK_COLOR, width=2.5, style=QtCore.Qt.PenStyle.DashLine),
            symbol="s",
            symbolSize=9,
            symbolBrush=RANK_COLOR,
        )
        self.rank_view.addItem(self.rank_curve)
        plot.vb.sigResized.connect(self._sync_rank_view)
        below_layout.addWidget(self.plot_widget, 1)
        self._splitter.addWidget(below)
        self._splitter.setStretchFactor(0, 3)
        self._splitter.setStretchFactor(1, 2)
        content_layout.addWidget(self._splitter, 1)

        self.mask_combo.currentIndexChanged.connect(self._on_mask_changed)
        self.follow_edit.textEdited.connect(self.follow_word)
        self.k_spin.valueChanged.connect(lambda _k: self._fill_table())
        self.rank_check.toggled.connect(lambda _on: self._render_plot())

    def _sync_rank_view(self) -> None:
        self.rank_view.setGeometry(self.plot.vb.sceneBoundingRect())
        self.rank_view.linkedViewChanged(self.plot.vb, self.rank_view.XAxis)

    def _apply_palette(self) -> None:
        pal = self.palette()
        bg = pal.color(QtGui.QPalette.ColorRole.Base)
        fg = pal.color(QtGui.QPalette.ColorRole.Text)
        self._fg = fg
        self._grey = theme.mix(fg, bg, 0.45)
        self.plot_widget.setBackground(bg)
        for side in ("left", "bottom", "right"):
            axis = self.plot.getAxis(side)
            axis.setPen(self._grey)
            axis.setTextPen(fg)
        self.hint_label.setStyleSheet(f"color: {self._grey.name()};")

    def changeEvent(self, event: QtCore.QEvent) -> None:
        if event.type() == QtCore.QEvent.Type.PaletteChange:
            self._apply_palette()
            self.table.viewport().update()
            self._render_plot()
        super().changeEvent(event)

    # ---- data in ------------------------------------------------------------------------------------------

    def show_result(self, result: InferenceResult) -> None:
        """Show a new result (keeps the chosen mask when the new one has it, and the word being followed)."""
        self._top = self._trajectory = None
        if not result.has_mlm_head:
            self._probs = None
            if result.task:  # a fine-tuned classifier: its labels read out at each layer instead of guesses
                self._show_labels(result)
                return
            self._show_message(self.tr(NO_HEAD_MESSAGE))
            return
        if not result.masked_positions:
            self._probs = None
            self._show_message(self.tr(NO_MASK_MESSAGE))
            return
        probs = result.layer_probs
        if probs is None or probs.ndim != 3 or probs.shape[1] != len(result.masked_positions):
            self._probs = None
            self._show_message(self.tr(NO_PROBS_MESSAGE))
            return
        self._probs = probs
        self._mask_row = min(self._mask_row, probs.shape[1] - 1)
        with QtCore.QSignalBlocker(self.mask_combo):
            self.mask_combo.clear()
            for row, pos in enumerate(result.masked_positions):
                self.mask_combo.addItem(self._mask_name(row, pos), row)
            self.mask_combo.setCurrentIndex(self._mask_row)
        several = probs.shape[1] > 1
        self.mask_label.setVisible(several)
        self.mask_combo.setVisible(several)
        for w in (self.mask_combo, self.follow_edit, self.k_spin, self.rank_check, self.export_button):
            w.setEnabled(True)
        self._show_content()
        self._render()

    # ---- a classifier's labels by layer (the "classify" analysis, as the Applications view shows them) ---------
    def _show_labels(self, result: InferenceResult) -> None:
        if self.label_layers is None:
            self.label_layers = LabelLayers()
            self._stack.addWidget(self.label_layers)
        run = self.controller.start("classify", result=result)
        if run is not None:
            run.ready.connect(self._on_labels)
            run.failed.connect(self._show_message)

    def _on_labels(self, payload) -> None:
        if self._result is not None:
            self.label_layers.show_payload(payload, self.selection.token)
            self._stack.setCurrentWidget(self.label_layers)
            for widget in self._needs_result:  # following a word, top-k: word guesses only
                widget.setEnabled(False)

    def set_selected_token(self, index: int | None) -> None:
        if self.label_layers is not None and self.label_layers.payload is not None:
            self.label_layers.show_payload(self.label_layers.payload, index)  # a token classifier's tags follow

    def reset(self) -> None:
        self._probs = None
        self._top = self._trajectory = None

    def prepare_view(self, arg: str) -> None:
        """The command line's --view-arg: a word to follow (kept for results still to come)."""
        self.follow_edit.setText(arg)
        self.follow_word(arg)

    def _show_message(self, message: str) -> None:
        super()._show_message(message)
        self.table.setRowCount(0)
        self._followed_id = None
        self._followed_token = ""
        self.note_label.setText(" ")
        self._clear_plot()
        self.mask_label.setVisible(False)
        self.mask_combo.setVisible(False)

    # ---- state --------------------------------------------------------------------------------------------

    @property
    def mask_row(self) -> int:
        """Which mask is shown: an index into result.masked_positions."""
        return self._mask_row

    @property
    def followed_id(self) -> int | None:
        """The vocabulary id of the word piece followed, or None (unknown word, or nothing to show)."""
        return self._followed_id

    followed_token = read_only("_followed_token")

    @property
    def k(self) -> int:
        return self.k_spin.value()

    def note(self) -> str:
        """The line above the plot, as plain text (what is followed, or why nothing is)."""
        return QtGui.QTextDocumentFragment.fromHtml(self.note_label.text()).toPlainText()

    def trajectory(self) -> tuple[np.ndarray, np.ndarray] | None:
        """(probabilities (L+1,), ranks (L+1,)) of the followed word at the shown mask, or None."""
        return self._trajectory

    def set_mask_row(self, row: int) -> None:
        if self._probs is None or not 0 <= row < self._probs.shape[1]:
            raise IndexError(f"mask row {row} out of range")
        self.mask_combo.setCurrentIndex(row)  # -> _on_mask_changed

    def _on_mask_changed(self, index: int) -> None:
        if index < 0 or self._probs is None:
            return
        self._mask_row = index
        self._render()

    def follow_word(self, word: str) -> None:
        """Follow `word` through the layers ("" = the model's final top guess). A word of several pieces is
        followed by its first piece; the note says so, and says when the word is not in the vocabulary."""
        self._word = (word or "").strip()
        if self._probs is not None:
            self._resolve_followed()
            self.table.viewport().update()
            self._render_plot()

    def table_rows(self) -> list[list[tuple[str, float]]]:
        """What the table shows: per row (embeddings first), the (word piece, probability) of each column."""
        rows = []
        for r in range(self.table.rowCount()):
            rows.append(
                [
                    (self.table.item(r, c).data(TOKEN_ROLE), float(self.table.item(r, c).data(PROB_ROLE)))
                    for c in range(self.table.columnCount())
                ]
            )
        return rows

    def state_names(self, num_states: int) -> list[str]:
        """What the rows are called on screen: the embeddings, then "layer 1" … "layer L" (the CSV export keeps
        analysis' English layer_names)."""
        return [self.tr("embeddings")] + [self.tr("layer {layer}").format(layer=i) for i in range(1, num_states)]

    def row_names(self) -> list[str]:
        return [self.table.verticalHeaderItem(r).text() for r in range(self.table.rowCount())]

    # ---- rendering ----------------------------------------------------------------------------------------

    def _mask_name(self, row: int, position: int) -> str:
        r = self._result
        typed = r is None or r.encoding.typed_mask[position]
        what = "[MASK]" if typed else f"“{r.display_tokens[position]}”"
        return self.tr("{what} · token {position}").format(what=what, position=position)

    def _render(self) -> None:
        if self._probs is None:
            return
        self._top = top_k_by_layer(self._probs, self._mask_row, MAX_K)
        mask = _esc(self._mask_name(self._mask_row, self._result.masked_positions[self._mask_row]))
        title = self.tr("What BERT would guess for <b>{mask}</b> if it stopped after each layer")
        self.title_label.setText(title.format(mask=mask))
        self._resolve_followed()
        self._fill_table()
        self._render_plot()

    def _resolve_followed(self) -> None:
        """Turn the typed word into the word piece to follow, and write the note saying what is followed."""
        self._followed_id, self._followed_token, self._trajectory = None, "", None
        if self._probs is None or self._top is None:
            return
        vocab = self._probs.shape[2]
        word = self._word
        if not word:
            token_id = int(self._top[0][-1, 0])
            token = self._token_text(token_id)
            lead = self.tr(
                "Following the model's top guess, <b>“{token}”</b>. Type a word or click a guess to follow another."
            ).format(token=_esc(token))
        else:
            ids = self.controller.token_id(word)
            pieces = self.controller.token_strings(ids)
            if not ids or ids[0] >= vocab or (pieces[0] == "[UNK]" and word != "[UNK]"):
                self.note_label.setText(
                    self.tr("<b>“{word}”</b> is not in this model's vocabulary.").format(word=_esc(word))
                )
                self.word_followed.emit("")
                return
            token_id, token = int(ids[0]), pieces[0]
            if len(ids) > 1:
                lead = self.tr(
                    "<b>“{word}”</b> is {count} word pieces ({pieces}): following the first, <b>“{token}”</b>."
                ).format(word=_esc(word), count=len(ids), pieces=_esc(" · ".join(pieces)), token=_esc(token))
            else:
                lead = self.tr("Following <b>“{token}”</b>.").format(token=_esc(token))
        self._followed_id, self._followed_token = token_id, token
        probs, ranks = word_trajectory(self._probs, self._mask_row, token_id)
        self._trajectory = (probs, ranks)
        summary = self.tr("After the last layer: rank {rank} ({p}).")
        summary = summary.format(rank=f"{int(ranks[-1]):,}", p=format_probability(float(probs[-1])))
        for best in (1, 10):
            if ranks[-1] <= best:
                summary += " " + self._since(best, _first_of_last_run(ranks <= best), len(ranks))
                break
        self.note_label.setText(lead + " " + summary)
        self.word_followed.emit(token)

    def _since(self, best: int, first: int, num_states: int) -> str:
        """Since when the followed word has been the top guess (best 1) or in the top 10 (best 10)."""
        top = best == 1
        if first == num_states - 1:
            if top:
                return self.tr("The top guess at the last layer only.")
            return self.tr("In the top 10 at the last layer only.")
        if first == 0:
            return (
                self.tr("The top guess from the embeddings on.")
                if top
                else self.tr("In the top 10 from the embeddings on.")
            )
        text = (
            self.tr("The top guess from layer {layer} on.") if top else self.tr("In the top 10 from layer {layer} on.")
        )
        return text.format(layer=first)

    def _mask_place(self):
        """(encoding, position) of the mask shown, for guesses to be read there; (None, None) without one."""
        r = self._result
        if r is None or self._mask_row >= len(r.masked_positions):
            return None, None
        return r.encoding, r.masked_positions[self._mask_row]

    def _token_text(self, token_id: int) -> str:
        strings = self.controller.token_displays([token_id], *self._mask_place())
        return strings[0] if strings else f"#{token_id}"

    def _fill_table(self) -> None:
        if self._top is None:
            return
        ids, probs = self._top
        k = self.k
        num_states = ids.shape[0]
        names = self.state_names(num_states)
        names[-1] = self.tr("{layer} · output").format(layer=names[-1])
        # Readable guesses for this mask: "paris", not "Ġparis"; "##ing" where it would join the word before.
        texts = self.controller.token_displays(ids[:, :k].ravel().tolist(), *self._mask_place())
        if len(texts) != num_states * k:  # no model to read the vocabulary from: show ids
            texts = [f"#{i}" for i in ids[:, :k].ravel().tolist()]
        self.table.setRowCount(num_states)
        self.table.setColumnCount(k)
        self.table.setHorizontalHeaderLabels([self.tr("guess {rank}").format(rank=j + 1) for j in range(k)])
        bold = QtGui.QFont(self.table.font())
        bold.setBold(True)
        for r in range(num_states):
            header = QtWidgets.QTableWidgetItem(names[r])
            if r == num_states - 1:
                header.setFont(bold)
            self.table.setVerticalHeaderItem(r, header)
            for c in range(k):
                token, p = texts[r * k + c], float(probs[r, c])
                item = QtWidgets.QTableWidgetItem(token)
                item.setData(TOKEN_ROLE, token)
                item.setData(PROB_ROLE, p)
                item.setData(ID_ROLE, int(ids[r, c]))
                tip = self.tr("“{token}” read from {layer}: {p} · click to follow it")
                item.setToolTip(tip.format(token=token, layer=names[r], p=format_probability(p)))
                self.table.setItem(r, c, item)
        self._fit_table_height()

    def _fit_table_height(self) -> None:
        rows = self.table.rowCount()
        wanted = self.table.horizontalHeader().height() + rows * self.table.verticalHeader().defaultSectionSize() + 4
        total = sum(self._splitter.sizes())
        if total > 0:
            top = min(wanted, int(total * 0.62))
            self._splitter.setSizes([top, total - top])

    def _clear_plot(self) -> None:
        self.prob_curve.setData([], [])
        self.rank_curve.setData([], [])
        for side in ("left", "right"):
            self.plot.setLabel(side, "")
        self.plot.setTitle(None)

    def _render_plot(self) -> None:
        self._clear_plot()
        if self._trajectory is None:
            return
        probs, ranks = self._trajectory
        num_states = len(probs)
        x = np.arange(num_states)
        names = [self.tr("emb.")] + [str(i) for i in range(1, num_states)]
        self.plot.getAxis("bottom").setTicks([list(zip(x.tolist(), names, strict=True)), []])
        pct = probs.astype(np.float64) * 100.0
        self.prob_curve.setData(x, pct)
        self.plot.setXRange(-0.3, num_states - 0.7, padding=0)
        top_pct = max(5.0, min(100.0, float(pct.max()) * 1.15))
        self.plot.setYRange(-0.04 * top_pct, top_pct, padding=0)  # a little room, or the 0 label gets clipped
        token = self._followed_token
        # Axis titles in the colour of their line stand in for a legend, which would sit on top of the lines.
        left = "● " + self.tr("probability of “{token}” (%)").format(token=token)
        self.plot.setLabel("left", left, color=PROB_COLOR, **AXIS_TITLE)
        show_rank = self.rank_check.isChecked()
        right = self.plot.getAxis("right")
        right.setStyle(showValues=show_rank)
        if show_rank:
            vocab = self._probs.shape[2] if self._probs is not None else int(ranks.max())
            self.rank_curve.setData(x, np.log10(ranks.astype(np.float64)))
            bottom = math.log10(max(vocab, 10))  # the last rank there is
            right.setTicks([[(float(e), rank_label(10**e)) for e in range(math.floor(bottom) + 1)], []])
            self.rank_view.setYRange(-0.04 * bottom, bottom, padding=0)  # rank 1 level with the top probability
            rank = "■ " + self.tr("rank of “{token}” (log scale)").format(token=token)
            self.plot.setLabel("right", rank, color=RANK_COLOR, **AXIS_TITLE)
        title = self.tr("“{token}” through the layers").format(token=token)
        self.plot.setTitle(title, color=self._fg.name(), size="12pt")
        self._sync_rank_view()

    def _on_cell_clicked(self, row: int, column: int) -> None:
        item = self.table.item(row, column)
        if item is None:
            return
        token = item.data(TOKEN_ROLE)
        self.follow_edit.setText(token)
        self.follow_word(token)

    # ---- export -------------------------------------------------------------------------------------------

    def export_csv(self, path: str | Path) -> None:
        """The table: one row per layer, a word and a probability per guess, then the followed word's numbers."""
        if self._top is None or self._result is None:
            raise ValueError("no per-layer predictions to export")
        rows = self.table_rows()
        names = layer_names(len(rows))
        k = self.k
        header = ["layer"] + [f"guess {j + 1}{part}" for j in range(k) for part in ("", " probability")]
        if self._trajectory is not None:
            header += [f"{self._followed_token} probability", f"{self._followed_token} rank"]
        with open(path, "w", newline="", encoding="utf-8") as f:
            writer = csv.writer(f)
            writer.writerow(header)
            for r, cells in enumerate(rows):
                line = [names[r]]
                for token, p in cells:
                    line += [token, f"{p:.6g}"]
                if self._trajectory is not None:
                    line += [f"{float(self._trajectory[0][r]):.6g}", int(self._trajectory[1][r])]
                writer.writerow(line)

    def export_png(self, path: str | Path, width: int = 1400) -> None:
        export_item_png(self.plot, path, width)

    def export_svg(self, path: str | Path) -> None:
        export_item_svg(self.plot, path, "Per-layer predictions")

    def export_formats(self) -> list[tuple[str, str]]:
        return [(self.tr("Table as CSV…"), "csv"), (self.tr("Plot as PNG…"), "png"), (self.tr("Plot as SVG…"), "svg")]

    def export_name(self, kind: str) -> str:
        return f"layers_token{self._result.masked_positions[self._mask_row]}.{kind}" if self._result else kind

    def writer(self, kind: str):
        return {"csv": self.export_csv, "png": self.export_png, "svg": self.export_svg}[kind]


def _first_of_last_run(flags: np.ndarray) -> int:
    """The index where the final run of True values in `flags` starts (flags[-1] must be True)."""
    first = len(flags) - 1
    while first > 0 and flags[first - 1]:
        first -= 1
    return first


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
