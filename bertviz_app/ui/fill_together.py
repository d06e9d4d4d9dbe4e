"""Fill together: under the independent guesses, the masks filled one at a time (most confident first, each
seeing the words already placed) and, on request, a beam search over them, each scored by the chain rule next to
the independent combination (analysis/joint_fill.py does the numbers; this is what the predictions panel shows)."""

from __future__ import annotations

import html
import math
from typing import TYPE_CHECKING

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from bertviz_app.ui import theme

translate = QCoreApplication.translate  # for module-level texts

if TYPE_CHECKING:
    from bertviz_app.analysis.inference import InferenceResult
    from bertviz_app.analysis.joint_fill import BeamSearchResult, Filling, JointFillResult


def empty_layout(layout) -> None:
    """Take every widget out of `layout` and delete it (hidden at once, so that nothing flickers)."""
    while layout.count():
        widget = layout.takeAt(0).widget()
        if widget is not None:
            widget.hide()
            widget.deleteLater()


ORDERS = (  # (what the selector shows, translated when shown; the order's name, as the analysis takes it)
    (QT_TRANSLATE_NOOP("JointFillSection", "most confident first"), "confidence"),
    (QT_TRANSLATE_NOOP("JointFillSection", "left to right"), "left_to_right"),
)
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
    step = translate("JointFillSection", "{step}. {word} at token {position} ({p})")
    steps = [
        step.format(
            step=n + 1, word=filling.displays[i], position=positions[i], p=format_probability(filling.probabilities[i])
        )
        for n, i in enumerate(filling.order)
    ]
    return (
        translate("JointFillSection", "Filled in this order, each word seeing the ones before it:")
        + "\n"
        + "\n".join(steps)
    )


class FillTable(QWidget):
    """A small table of fillings: what they are, the words per mask, the chain-rule log p and p.

    Words that differ from the reference row (the independent guesses) are bold and coloured, and a row
    that differs at all is tinted, so the difference shows at a glance.
    """

    HEADERS = ("", QT_TRANSLATE_NOOP("FillTable", "Fill"), "log p", "p")

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
            header = QLabel(self.tr(text) if text else "")
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

        title = QLabel(self.tr("Fill together"))
        bold = QFont(title.font())
        bold.setBold(True)
        bold.setPointSizeF(bold.pointSizeF() * 1.1)
        title.setFont(bold)
        muted = f"color: {theme.MUTED_TEXT.name()};"
        self.note = QLabel()
        self.note.setWordWrap(True)
        self.note.setStyleSheet(muted)
        self.note.setToolTip(
            self.tr(
                "Independent: each mask's top guess from one pass, as if the other masks stayed masked.\n"
                "One by one: fill the mask the model is surest about, run again, repeat.\n"
                "log p: the chain-rule score of the whole fill, the sum of the log-probabilities of its words when\n"
                "each was put in (higher is better). The independent words are scored the same way, so the rows "
                "compare."
            )
        )
        self.table = FillTable()
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.summary.setTextFormat(Qt.RichText)

        self.beam_button = QPushButton(self.tr("Beam search"))
        self.beam_button.setToolTip(
            self.tr(
                "Keep the best few partial fills at every step instead of only the best one: "
                "it can find a fill that scores better than filling greedily."
            )
        )
        self.beam_width = QSpinBox()
        self.beam_width.setRange(1, 20)
        self.beam_width.setValue(5)
        self.beam_width.setPrefix(self.tr("width "))
        self.beam_width.setAccessibleName(self.tr("Beam width"))
        self.beam_width.setToolTip(self.tr("How many partial fills to keep at each step (1 = greedy)"))
        self.beam_order = QComboBox()
        for text, order in ORDERS:
            self.beam_order.addItem(self.tr(text), order)
        self.beam_order.setToolTip(self.tr("Which mask each partial fill fills next"))
        controls = QHBoxLayout()
        controls.setContentsMargins(0, 6, 0, 0)
        controls.addWidget(self.beam_button)
        controls.addWidget(self.beam_width)
        controls.addWidget(self.beam_order, 1)
        self.progress = QProgressBar()
        self.progress.setTextVisible(True)
        self.progress.setFormat(self.tr("mask %v of %m"))
        self.cancel_button = QPushButton(self.tr("Cancel"))
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
            self.note.setText(
                self.tr("Mask two or more tokens to see them filled together, each word seeing the others.")
            )
            return
        if n == 1:
            self.note.setText(
                self.tr(
                    "With one mask, filling together is the same as the independent guess above. "
                    "Mask another token to see how the guesses change when each one sees the other."
                )
            )
            return
        self.note.setText(self.tr("Filling the masks one by one…"))  # the controller runs "joint_fill" with each result
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
            failed = self.tr("Beam search failed: {reason}")
            run.failed.connect(lambda message: self._stopped(failed.format(reason=message)))
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
        self.note.setText(self.tr("Could not fill the masks together: {reason}").format(reason=message))
        self.content_changed.emit()

    def _cancelled(self) -> None:
        if self.running.isVisible():
            self._stopped(self.tr("Beam search cancelled."))

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
            self.tr(
                "Above, each mask is guessed alone. Here they are filled one at a time, most confident first, "
                "each seeing the words already in."
            )
        )
        ind, it = joint.independent, joint.iterative
        self.table.set_rows(
            [
                (self.tr("Independent"), ind.displays, ind.chain.score, order_tip(ind.chain, joint.positions)),
                (self.tr("One by one"), it.displays, it.score, order_tip(it, joint.positions)),
            ],
            reference=ind.displays,
        )
        alone = " × ".join(format_probability(p) for p in ind.probabilities)
        if joint.differs:
            verdict = self.tr(
                "Filled one by one, BERT prefers <b>{fill}</b> (p = {p}) to the independent guesses "
                "<b>{independent}</b> (p = {p_independent} scored the same way)."
            )
        else:
            verdict = self.tr("Filled one by one, BERT keeps the independent guesses <b>{fill}</b> (p = {p}).")
        verdict = verdict.format(
            fill=html.escape(fill_text(it.displays)),
            p=format_probability(it.probability),
            independent=html.escape(fill_text(ind.displays)),
            p_independent=format_probability(ind.chain.probability),
        )
        alone = self.tr("Each guess taken alone: {product} = {p}.").format(
            product=alone, p=format_probability(ind.probability)
        )
        self.summary.setText(f"{verdict}<br><span style='color: {theme.MUTED_TEXT.name()}'>{alone}</span>")

    def _show_beam(self, beam: BeamSearchResult) -> None:
        self.beam = beam
        self.running.setVisible(False)
        self.beam_button.setEnabled(True)
        order = self.tr(dict((o, t) for t, o in ORDERS)[beam.order])
        self.beam_status.setText(self.tr("Beam search · width {width} · {order}").format(width=beam.beam, order=order))
        self.beam_status.setVisible(True)
        ind = beam.independent
        rows = [(self.tr("Independent"), ind.displays, ind.chain.score, order_tip(ind.chain, beam.positions))]
        rows += [(f"#{n}", c.displays, c.score, order_tip(c, beam.positions)) for n, c in enumerate(beam.candidates, 1)]
        self.beam_table.set_rows(rows, reference=ind.displays)
        best = f"<b>{html.escape(fill_text(beam.candidates[0].displays))}</b>"
        rank = next((n for n, c in enumerate(beam.candidates, 1) if c.token_ids == ind.token_ids), None)
        if rank == 1:
            text = self.tr("The best joint fill is the independent guesses.")
        elif rank is not None:
            text = self.tr("The independent guesses come #{rank}; the best joint fill is {best}.")
        else:
            text = self.tr("The independent guesses are not among the {count} best joint fills; the best is {best}.")
        self.beam_summary.setText(text.format(rank=rank, best=best, count=len(beam.candidates)))
