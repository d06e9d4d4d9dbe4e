"""The top-k guesses for each masked position, as horizontal probability bars."""

from __future__ import annotations

import html
import json
import math
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QRect, QRectF, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QFont, QFontMetrics, QPainter
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QSpinBox,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from bertviz_app.ui import theme

if TYPE_CHECKING:
    from bertviz_app.analysis.inference import InferenceResult, MaskPrediction
    from bertviz_app.analysis.joint_fill import BeamSearchResult, Filling, JointFillResult

ROW_H = 26


def empty_layout(layout) -> None:
    """Take every widget out of `layout` and delete it (hidden at once, so that nothing flickers)."""
    while layout.count():
        widget = layout.takeAt(0).widget()
        if widget is not None:
            widget.hide()
            widget.deleteLater()


class PredictionBars(QWidget):
    """One mask's top-k: rank, token, a bar as long as its probability, and the percentage."""

    chosen = Signal(int, str)  # position, token

    def __init__(self, mask: MaskPrediction, k: int, whole_words: bool = False, parent: QWidget | None = None):
        super().__init__(parent)
        self.mask = mask
        self._k = k
        self._whole_words = whole_words
        self._current = -1
        self.setMouseTracking(True)
        self.setFocusPolicy(Qt.StrongFocus)
        self.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Fixed)
        self.setToolTip("Double-click (or Enter) to put this word into the sentence")

    def set_k(self, k: int) -> None:
        self._k = k
        self.updateGeometry()
        self.update()

    def set_whole_words(self, on: bool) -> None:
        self._whole_words = on
        self.updateGeometry()
        self.update()

    def rows(self):
        """The top k shown: hiding pieces and punctuation skips rows, it never rescales a probability."""
        shown = self.mask.predictions
        if self._whole_words:
            shown = tuple(p for p in shown if p.whole_word)
        return shown[: self._k]

    def sizeHint(self) -> QSize:
        return QSize(300, ROW_H * len(self.rows()) + 4)

    def minimumSizeHint(self) -> QSize:
        return self.sizeHint()

    def row_at(self, y: float) -> int:
        row = int(y // ROW_H)
        return row if 0 <= row < len(self.rows()) else -1

    def paintEvent(self, event) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.Antialiasing)
        fm = QFontMetrics(self.font())
        rank_w = fm.horizontalAdvance("50.") + 6
        token_w = min(max((fm.horizontalAdvance(r.display) for r in self.rows()), default=40) + 12, 170)
        pct_w = fm.horizontalAdvance("100.0%") + 8
        bar_x = rank_w + token_w
        bar_w = max(20, self.width() - bar_x - pct_w - 4)
        for i, pred in enumerate(self.rows()):
            y = i * ROW_H
            if i == self._current:
                p.fillRect(QRect(0, y, self.width(), ROW_H), theme.BAR_TRACK.lighter(104))
            p.setPen(theme.MUTED_TEXT)
            p.drawText(QRect(0, y, rank_w - 6, ROW_H), Qt.AlignRight | Qt.AlignVCenter, f"{i + 1}.")
            p.setPen(theme.CHIP_TEXT)
            token = fm.elidedText(pred.display, Qt.ElideRight, token_w - 8)  # readable: "paris", not "Ġparis"
            p.drawText(QRect(rank_w, y, token_w - 8, ROW_H), Qt.AlignLeft | Qt.AlignVCenter, token)
            track = QRectF(bar_x, y + 6, bar_w, ROW_H - 12)
            p.setPen(Qt.NoPen)
            p.setBrush(theme.BAR_TRACK)
            p.drawRoundedRect(track, 3, 3)
            p.setBrush(theme.BAR)
            p.drawRoundedRect(QRectF(bar_x, y + 6, max(2.0, bar_w * pred.probability), ROW_H - 12), 3, 3)
            p.setPen(theme.CHIP_TEXT)
            p.drawText(
                QRect(bar_x + bar_w + 4, y, pct_w, ROW_H),
                Qt.AlignLeft | Qt.AlignVCenter,
                f"{pred.probability:.1%}",
            )
        p.end()

    def mouseMoveEvent(self, event) -> None:
        row = self.row_at(event.position().y())
        if row != self._current:
            self._current = row
            self.update()

    def leaveEvent(self, event) -> None:
        self._current = -1
        self.update()

    def mouseDoubleClickEvent(self, event) -> None:
        row = self.row_at(event.position().y())
        if row >= 0:
            self.chosen.emit(self.mask.position, self.rows()[row].token)

    def keyPressEvent(self, event) -> None:
        n = len(self.rows())
        if event.key() in (Qt.Key_Down, Qt.Key_Up) and n:
            step = 1 if event.key() == Qt.Key_Down else -1
            self._current = max(0, min(n - 1, self._current + step))
            self.update()
        elif event.key() in (Qt.Key_Return, Qt.Key_Enter) and self._current >= 0:
            self.chosen.emit(self.mask.position, self.rows()[self._current].token)
        else:
            super().keyPressEvent(event)


ORDERS = (("most confident first", "confidence"), ("left to right", "left_to_right"))
DIFFERS = theme.SELECTION.name()  # words of a joint fill that the independent guesses do not have


def joint_fill_params(result: InferenceResult) -> dict | None:
    """The "joint_fill" analysis follows every result with two or more masks (see Controller.follow_results)."""
    return {} if result.has_mlm_head and len(result.predictions) >= 2 else None


def format_probability(p: float) -> str:
    """Percent while it reads well, scientific below (joint probabilities of several words get tiny)."""
    if p >= 0.01:
        return f"{p:.1%}"
    if p >= 0.0001:
        return f"{p:.2%}"
    return f"{p:.1e}"


def fill_text(tokens) -> str:
    """The words put into the masks, in sentence order (a dot between masks: they need not be adjacent)."""
    return " · ".join(tokens)


def order_tip(filling: Filling, positions: tuple[int, ...]) -> str:
    steps = [
        f"{n + 1}. {filling.displays[i]} at token {positions[i]} ({format_probability(filling.probabilities[i])})"
        for n, i in enumerate(filling.order)
    ]
    return "Filled in this order, each word seeing the ones before it:\n" + "\n".join(steps)


class FillTable(QWidget):
    """A small table of fillings: what they are, the words per mask, the chain-rule log p and p.

    Words that differ from the reference row (the independent guesses) are bold and coloured, and a row
    that differs at all is tinted, so the difference shows at a glance.
    """

    HEADERS = ("", "Fill", "log p", "p")

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.grid = QGridLayout(self)
        self.grid.setContentsMargins(0, 2, 0, 2)
        self.grid.setSpacing(0)  # cells pad themselves, so that a tinted row has no gaps
        self.grid.setColumnStretch(1, 1)
        self.data: list[dict] = []  # what is shown, row by row (for tests and export)

    def clear(self) -> None:
        self.data = []
        empty_layout(self.grid)

    def set_rows(self, rows: list[tuple[str, tuple[str, ...], float, str]], reference: tuple[str, ...]) -> None:
        """rows: (label, words per mask, chain-rule log-probability, tooltip); reference: the independent words."""
        self.clear()
        muted = theme.MUTED_TEXT.name()
        for col, text in enumerate(self.HEADERS):
            header = QLabel(text)
            header.setStyleSheet(f"color: {muted}; padding: 2px 6px;")
            if col >= 2:
                header.setAlignment(Qt.AlignRight | Qt.AlignVCenter)
            self.grid.addWidget(header, 0, col)
        for r, (label, words, score, tip) in enumerate(rows, start=1):
            differs = [w != ref for w, ref in zip(words, reference)]
            tint = f"background: {theme.NOTICE_BG};" if any(differs) else ""
            shown = " · ".join(
                f'<b style="color: {DIFFERS}">{html.escape(w)}</b>' if d else html.escape(w)
                for w, d in zip(words, differs)
            )
            cells = (
                QLabel(label),
                QLabel(shown),
                QLabel(f"{score:.2f}"),
                QLabel(format_probability(math.exp(score))),
            )
            cells[0].setStyleSheet(f"color: {muted}; padding: 3px 6px; {tint}")
            cells[1].setTextFormat(Qt.RichText)
            cells[1].setWordWrap(True)
            for col, cell in enumerate(cells):
                if col:
                    cell.setStyleSheet(f"padding: 3px 6px; {tint}")
                if col >= 2:
                    cell.setAlignment(Qt.AlignRight | Qt.AlignVCenter)
                cell.setToolTip(tip)
                self.grid.addWidget(cell, r, col)
            self.data.append({"label": label, "tokens": tuple(words), "score": score, "differs": any(differs)})


class JointFillSection(QWidget):
    """Below the independent guesses: the masks filled together, one at a time, and a beam search.

    The most-confident-first fill is requested from the controller ("joint_fill") for every result with two or
    more masks; the beam search ("beam_search") runs on the button, with progress and Cancel.
    """

    content_changed = Signal()  # rows or messages came or went: the height it needs may have changed

    def __init__(self, controller=None, parent: QWidget | None = None):
        super().__init__(parent)
        self.controller = controller
        self._result: InferenceResult | None = None
        self.joint: JointFillResult | None = None
        self.beam: BeamSearchResult | None = None

        title = QLabel("Fill together")
        bold = QFont(title.font())
        bold.setBold(True)
        bold.setPointSizeF(bold.pointSizeF() * 1.1)
        title.setFont(bold)
        muted = f"color: {theme.MUTED_TEXT.name()};"
        self.note = QLabel()
        self.note.setWordWrap(True)
        self.note.setStyleSheet(muted)
        self.note.setToolTip(
            "Independent: each mask's top guess from one pass, as if the other masks stayed masked.\n"
            "One by one: fill the mask the model is surest about, run again, repeat.\n"
            "log p: the chain-rule score of the whole fill, the sum of the log-probabilities of its words when\n"
            "each was put in (higher is better). The independent words are scored the same way, so the rows compare."
        )
        self.table = FillTable()
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.summary.setTextFormat(Qt.RichText)

        self.beam_button = QPushButton("Beam search")
        self.beam_button.setToolTip(
            "Keep the best few partial fills at every step instead of only the best one: "
            "it can find a fill that scores better than filling greedily."
        )
        self.beam_width = QSpinBox()
        self.beam_width.setRange(1, 20)
        self.beam_width.setValue(5)
        self.beam_width.setPrefix("width ")
        self.beam_width.setAccessibleName("Beam width")
        self.beam_width.setToolTip("How many partial fills to keep at each step (1 = greedy)")
        self.beam_order = QComboBox()
        for text, order in ORDERS:
            self.beam_order.addItem(text, order)
        self.beam_order.setToolTip("Which mask each partial fill fills next")
        controls = QHBoxLayout()
        controls.setContentsMargins(0, 6, 0, 0)
        controls.addWidget(self.beam_button)
        controls.addWidget(self.beam_width)
        controls.addWidget(self.beam_order, 1)
        self.progress = QProgressBar()
        self.progress.setTextVisible(True)
        self.progress.setFormat("mask %v of %m")
        self.cancel_button = QPushButton("Cancel")
        running = QHBoxLayout()
        running.setContentsMargins(0, 0, 0, 0)
        running.addWidget(self.progress, 1)
        running.addWidget(self.cancel_button)
        self.running = QWidget()
        self.running.setLayout(running)
        self.beam_status = QLabel()
        self.beam_status.setWordWrap(True)
        self.beam_status.setStyleSheet(muted)
        self.beam_table = FillTable()
        self.beam_summary = QLabel()
        self.beam_summary.setWordWrap(True)
        self.beam_summary.setTextFormat(Qt.RichText)

        self.body = QWidget()  # everything that needs two or more masks
        body = QVBoxLayout(self.body)
        body.setContentsMargins(0, 0, 0, 0)
        body.setSpacing(4)
        body.addWidget(self.table)
        body.addWidget(self.summary)
        body.addLayout(controls)
        body.addWidget(self.running)
        body.addWidget(self.beam_status)
        body.addWidget(self.beam_summary)
        body.addWidget(self.beam_table)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 14, 0, 0)
        layout.setSpacing(4)
        layout.addWidget(title)
        layout.addWidget(self.note)
        layout.addWidget(self.body)
        layout.addStretch(1)

        self.beam_button.clicked.connect(self.start_beam_search)
        self.cancel_button.clicked.connect(self.cancel_beam_search)
        if controller is not None:
            # Filled in the inference's own worker job: the answer arrives with the result, one paint for both.
            controller.follow_results("joint_fill", joint_fill_params, self._joint_started)
        self.clear()

    # ---- following the result ---------------------------------------------------------------------------
    @property
    def active(self) -> bool:
        """Whether the section has something to say about the current result."""
        return self._result is not None and self.controller is not None and self._result.has_mlm_head

    def clear(self) -> None:
        self._result = None
        self.joint = self.beam = None

    def set_result(self, result: InferenceResult) -> None:
        self._show_result(result)
        self.content_changed.emit()

    def _show_result(self, result: InferenceResult) -> None:
        self._result = result
        self.joint = self.beam = None
        self.table.clear()
        self.summary.clear()
        self._reset_beam()
        n = len(result.predictions)
        if not self.active:
            return
        self.body.setVisible(n >= 2)
        if n == 0:
            self.note.setText("Mask two or more tokens to see them filled together, each word seeing the others.")
            return
        if n == 1:
            self.note.setText(
                "With one mask, filling together is the same as the independent guess above. "
                "Mask another token to see how the guesses change when each one sees the other."
            )
            return
        self.note.setText("Filling the masks one by one…")  # the controller runs "joint_fill" with each result
        if self.controller.analysis_running("beam_search"):
            self.controller.cancel_analysis("beam_search")  # it was about an earlier result

    def _reset_beam(self) -> None:
        self.beam = None
        self.beam_table.clear()
        self.beam_summary.clear()
        self.beam_status.clear()
        self.beam_status.setVisible(False)
        self.running.setVisible(False)
        self.beam_button.setEnabled(True)

    def _matches(self, payload) -> bool:
        """Whether an answer is about the result on show (and not one the user has typed past)."""
        r = self._result
        return (
            r is not None
            and tuple(payload.tokens) == tuple(r.tokens)
            and tuple(payload.positions) == tuple(r.masked_positions)
            and payload.knocked_out == r.knocked_out
        )

    # ---- beam search ------------------------------------------------------------------------------------
    def start_beam_search(self) -> None:
        if self.controller is None or self._result is None or len(self._result.predictions) < 2:
            return
        self._reset_beam()
        width = self.beam_width.value()
        self.progress.setRange(0, len(self._result.predictions))
        self.progress.setValue(0)
        self.running.setVisible(True)
        self.beam_button.setEnabled(False)
        run = self.controller.start("beam_search", beam=width, expand=width, order=self.beam_order.currentData())
        if run is not None:
            run.ready.connect(self._beam_ready)
            run.progress.connect(self._progress)
            run.failed.connect(lambda message: self._stopped(f"Beam search failed: {message}"))
            run.cancelled.connect(self._cancelled)
        self.content_changed.emit()

    def cancel_beam_search(self) -> None:
        if self.controller is not None:
            self.controller.cancel_analysis("beam_search")

    # ---- answers from the controller --------------------------------------------------------------------
    def _joint_started(self, run) -> None:
        run.ready.connect(self._joint_ready)
        run.failed.connect(self._joint_failed)

    def _progress(self, done: int, total: int) -> None:
        self.progress.setRange(0, total)
        self.progress.setValue(done)

    def _joint_failed(self, message: str) -> None:
        self.note.setText(f"Could not fill the masks together: {message}")
        self.content_changed.emit()

    def _cancelled(self) -> None:
        if self.running.isVisible():
            self._stopped("Beam search cancelled.")

    def _stopped(self, message: str) -> None:
        self.running.setVisible(False)
        self.beam_button.setEnabled(True)
        self.beam_status.setText(message)
        self.beam_status.setVisible(True)
        self.content_changed.emit()

    def _joint_ready(self, payload: JointFillResult) -> None:
        if self._matches(payload):
            self._show_joint(payload)
            self.content_changed.emit()

    def _beam_ready(self, payload: BeamSearchResult) -> None:
        if self._matches(payload):
            self._show_beam(payload)
            self.content_changed.emit()

    def _show_joint(self, joint: JointFillResult) -> None:
        self.joint = joint
        self.note.setText(
            "Above, each mask is guessed alone. Here they are filled one at a time, most confident first, "
            "each seeing the words already in."
        )
        ind, it = joint.independent, joint.iterative
        self.table.set_rows(
            [
                ("Independent", ind.displays, ind.chain.score, order_tip(ind.chain, joint.positions)),
                ("One by one", it.displays, it.score, order_tip(it, joint.positions)),
            ],
            reference=ind.displays,
        )
        alone = " × ".join(format_probability(p) for p in ind.probabilities)
        if joint.differs:
            verdict = (
                f"Filled one by one, BERT prefers <b>{html.escape(fill_text(it.displays))}</b> "
                f"(p = {format_probability(it.probability)}) to the independent guesses "
                f"<b>{html.escape(fill_text(ind.displays))}</b> (p = {format_probability(ind.chain.probability)} "
                "scored the same way)."
            )
        else:
            verdict = (
                f"Filled one by one, BERT keeps the independent guesses "
                f"<b>{html.escape(fill_text(it.displays))}</b> (p = {format_probability(it.probability)})."
            )
        self.summary.setText(
            f"{verdict}<br><span style='color: {theme.MUTED_TEXT.name()}'>Each guess taken alone: "
            f"{alone} = {format_probability(ind.probability)}.</span>"
        )

    def _show_beam(self, beam: BeamSearchResult) -> None:
        self.beam = beam
        self.running.setVisible(False)
        self.beam_button.setEnabled(True)
        order = dict((o, t) for t, o in ORDERS)[beam.order]
        self.beam_status.setText(f"Beam search · width {beam.beam} · {order}")
        self.beam_status.setVisible(True)
        ind = beam.independent
        rows = [("Independent", ind.displays, ind.chain.score, order_tip(ind.chain, beam.positions))]
        rows += [(f"#{n}", c.displays, c.score, order_tip(c, beam.positions)) for n, c in enumerate(beam.candidates, 1)]
        self.beam_table.set_rows(rows, reference=ind.displays)
        best = f"<b>{html.escape(fill_text(beam.candidates[0].displays))}</b>"
        rank = next((n for n, c in enumerate(beam.candidates, 1) if c.token_ids == ind.token_ids), None)
        if rank == 1:
            text = "The best joint fill is the independent guesses."
        elif rank is not None:
            text = f"The independent guesses come #{rank}; the best joint fill is {best}."
        else:
            text = (
                f"The independent guesses are not among the {len(beam.candidates)} best joint fills; "
                f"the best is {best}."
            )
        self.beam_summary.setText(text)


class PredictionsPanel(QWidget):
    prediction_chosen = Signal(int, str)  # position, token: put this word into the sentence
    k_changed = Signal(int)

    def __init__(self, parent: QWidget | None = None, k: int = 10, controller=None):
        """With a `controller`, two or more masks are also filled together (see JointFillSection)."""
        super().__init__(parent)
        self._result: InferenceResult | None = None
        self._bars: list[PredictionBars] = []

        title = QLabel("Predictions")
        bold = QFont(title.font())
        bold.setBold(True)
        bold.setPointSizeF(bold.pointSizeF() * 1.15)
        title.setFont(bold)
        self.k_spin = QSpinBox()
        self.k_spin.setRange(1, 50)
        self.k_spin.setValue(k)
        self.k_spin.setPrefix("top ")
        self.k_spin.setAccessibleName("Number of predictions")
        self.k_spin.setToolTip("How many guesses to show for each mask (1–50)")
        header = QHBoxLayout()
        header.addWidget(title)
        header.addStretch(1)
        self.whole_words = QCheckBox("Whole words only")
        self.whole_words.setToolTip(
            "Hide word pieces (##ing) and punctuation among the guesses. The probabilities stay those of the model."
        )
        header.addWidget(self.whole_words)
        header.addWidget(self.k_spin)

        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setAlignment(Qt.AlignTop | Qt.AlignLeft)
        self.message.setStyleSheet(f"color: {theme.MUTED_TEXT.name()}; padding: 8px;")

        self._masks = QWidget()  # a label and bars per mask
        self._masks_layout = QVBoxLayout(self._masks)
        self._masks_layout.setContentsMargins(0, 0, 0, 0)
        self.joint = JointFillSection(controller)
        self._content = QWidget()
        self._content_layout = QVBoxLayout(self._content)
        self._content_layout.setContentsMargins(0, 0, 0, 0)
        self._content_layout.addWidget(self.message)
        self._content_layout.addWidget(self._masks)
        self._content_layout.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidget(self._content)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.NoFrame)
        # The joint fill sits below the bars in a pane of its own, so it stays in view however long the bars are.
        self._joint_pane = QScrollArea()
        self._joint_pane.setWidget(self.joint)
        self._joint_pane.setWidgetResizable(True)
        self._joint_pane.setFrameShape(QScrollArea.NoFrame)
        self.splitter = QSplitter(Qt.Vertical)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.addWidget(scroll)
        self.splitter.addWidget(self._joint_pane)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 4, 8, 8)
        layout.addLayout(header)
        layout.addWidget(self.splitter, 1)
        self.k_spin.valueChanged.connect(self._k_changed)
        # Fit once the new rows are laid out and styled (their height is known only then); one timer gathers
        # the many layout requests of one change into one fit.
        self._fit_timer = QTimer(self)
        self._fit_timer.setSingleShot(True)
        self._fit_timer.setInterval(0)
        self._fit_timer.timeout.connect(self._fit_joint_pane)
        self.joint.content_changed.connect(self._fit_timer.start)
        self.joint.installEventFilter(self)
        self.whole_words.toggled.connect(self._whole_words_changed)
        self.clear("Loading the model…")

    @property
    def k(self) -> int:
        return self.k_spin.value()

    def eventFilter(self, watched, event) -> bool:
        if watched is self.joint and event.type() == QEvent.LayoutRequest:
            self._fit_timer.start()
        return super().eventFilter(watched, event)

    def _fit_joint_pane(self) -> None:
        """Give the joint fill the height it needs, up to 60% of the panel; the bars keep the rest."""
        total = sum(self.splitter.sizes())
        if total <= 0 or not self.joint.active:
            return
        self.joint.layout().activate()
        width = self._joint_pane.viewport().width()
        need = self.joint.heightForWidth(width) if self.joint.hasHeightForWidth() else self.joint.sizeHint().height()
        want = min(need + 6, int(total * 0.6))
        self.splitter.setSizes([total - want, want])

    def _k_changed(self, k: int) -> None:
        for bars in self._bars:
            bars.set_k(k)
        self.k_changed.emit(k)

    def _whole_words_changed(self, on: bool) -> None:
        for bars in self._bars:
            bars.set_whole_words(on)

    def _reset(self) -> None:
        self._bars = []
        empty_layout(self._masks_layout)

    def clear(self, message: str) -> None:
        self._result = None
        self._reset()
        self.message.setText(message)
        self.message.setVisible(True)
        self.joint.clear()
        self._joint_pane.setVisible(False)

    def set_result(self, result: InferenceResult) -> None:
        self._reset()
        self._result = result
        if not result.has_mlm_head:
            self.message.setText(
                "This model has no masked-language-model head, so it cannot guess masked words.\n\n"
                "Attention and embeddings work as usual. Open a fill-mask model (such as bert-base-uncased) "
                "from the Model menu to see predictions."
            )
        elif not result.masked_positions:
            self.message.setText("Click a token above, or type [MASK] in the sentence, to see BERT's guesses.")
        self.message.setVisible(not result.predictions)
        for mask in result.predictions:
            typed = result.encoding.typed_mask[mask.position]
            what = "[MASK]" if typed else f"“{result.display_tokens[mask.position]}” (masked)"
            label = QLabel(f"Token {mask.position}: {what}")
            label.setStyleSheet("font-weight: 600; padding-top: 6px;")
            bars = PredictionBars(mask, self.k, self.whole_words.isChecked())
            bars.setAccessibleName(f"Predictions for token {mask.position}")
            bars.chosen.connect(self.prediction_chosen)
            self._masks_layout.addWidget(label)
            self._masks_layout.addWidget(bars)
            self._bars.append(bars)
        self.joint.set_result(result)
        self._joint_pane.setVisible(self.joint.active)

    def bars(self) -> list[PredictionBars]:
        return list(self._bars)

    def to_json(self) -> dict:
        r = self._result
        if r is None:
            return {}
        return {
            "model": r.model_name,
            "tokens": list(r.tokens),
            "truncated": r.encoding.truncated,
            "masks": [
                {
                    "position": m.position,
                    "predictions": [
                        {"token": p.token, "id": p.token_id, "probability": p.probability}
                        for p in m.predictions[: self.k]
                    ],
                }
                for m in r.predictions
            ],
        }

    def export_json(self, path: str) -> None:
        with open(path, "w", encoding="utf-8") as f:
            json.dump(self.to_json(), f, ensure_ascii=False, indent=2)
