"""The top-k guesses for each masked position, as horizontal probability bars."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QRect, QRectF, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QFont, QFontMetrics, QPainter
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QSizePolicy,
    QSpinBox,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from bertviz_app.ui import theme
from bertviz_app.ui.fill_together import JointFillSection, empty_layout

if TYPE_CHECKING:
    from bertviz_app.analysis.inference import InferenceResult, MaskPrediction

ROW_H = 26


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
        self.setToolTip(self.tr("Double-click (or Enter) to put this word into the sentence"))

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


class PredictionsPanel(QWidget):
    prediction_chosen = Signal(int, str)  # position, token: put this word into the sentence
    k_changed = Signal(int)

    def __init__(self, parent: QWidget | None = None, k: int = 10, controller=None):
        """With a `controller`, two or more masks are also filled together (see JointFillSection)."""
        super().__init__(parent)
        self._result: InferenceResult | None = None
        self._bars: list[PredictionBars] = []

        title = QLabel(self.tr("Predictions"))
        bold = QFont(title.font())
        bold.setBold(True)
        bold.setPointSizeF(bold.pointSizeF() * 1.15)
        title.setFont(bold)
        self.k_spin = QSpinBox()
        self.k_spin.setRange(1, 50)
        self.k_spin.setValue(k)
        self.k_spin.setPrefix(self.tr("top "))
        self.k_spin.setAccessibleName(self.tr("Number of predictions"))
        self.k_spin.setToolTip(self.tr("How many guesses to show for each mask (1–50)"))
        header = QHBoxLayout()
        header.addWidget(title)
        header.addStretch(1)
        self.whole_words = QCheckBox(self.tr("Whole words only"))
        self.whole_words.setToolTip(
            self.tr(
                "Hide word pieces (##ing) and punctuation among the guesses. The probabilities stay those of the model."
            )
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
        self.clear(self.tr("Loading the model…"))

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
        if not result.has_mlm_head and result.task:  # a fine-tuned classifier
            self.message.setText(
                self.tr(
                    "This model is a classifier: it has no masked-language-model head, so it cannot guess masked "
                    "words.\n\nIts labels for the sentence (or its tokens) are in View ▸ Applications."
                )
            )
        elif not result.has_mlm_head:
            self.message.setText(
                self.tr(
                    "This model has no masked-language-model head, so it cannot guess masked words.\n\n"
                    "Attention and embeddings work as usual. Open a fill-mask model (such as bert-base-uncased) "
                    "from the Model menu to see predictions."
                )
            )
        elif not result.masked_positions:
            self.message.setText(self.tr("Click a token above, or type [MASK] in the sentence, to see BERT's guesses."))
        self.message.setVisible(not result.predictions)
        for mask in result.predictions:
            typed = result.encoding.typed_mask[mask.position]
            what = (
                "[MASK]" if typed else self.tr("“{token}” (masked)").format(token=result.display_tokens[mask.position])
            )
            label = QLabel(self.tr("Token {position}: {what}").format(position=mask.position, what=what))
            label.setStyleSheet("font-weight: 600; padding-top: 6px;")
            bars = PredictionBars(mask, self.k, self.whole_words.isChecked())
            bars.setAccessibleName(self.tr("Predictions for token {position}").format(position=mask.position))
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
