"""Typing the sentence (and an optional pair), and masking tokens by clicking their chips."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from bertviz_app.analysis.numeric.truncation import masks_cut_off
from bertviz_app.ui import theme
from bertviz_app.ui.settings import MAX_SENTENCE_CHARS
from bertviz_app.ui.token_axis import token_labels
from bertviz_app.ui.token_chips import Chip, TokenChips

if TYPE_CHECKING:
    from bertviz_app.analysis.inference import InferenceResult

MAX_CHIPS_HEIGHT = 170


def chips_for(result: InferenceResult) -> list[Chip]:
    enc = result.encoding
    masked = set(result.masked_positions)
    chips = []
    labels = token_labels(result)  # readable: "cat", not RoBERTa's "Ġcat"
    for i, token in enumerate(enc.tokens):
        if i in masked:
            kind = "mask"
        elif enc.special[i]:
            kind = "special"
        elif enc.unknown[i]:
            kind = "unk"
        else:
            kind = "word"
        segment = "B" if enc.segments[i] else "A"  # RoBERTa's pair has one token type: the sentence, not the type
        if kind == "mask" and enc.typed_mask[i]:
            what = QCoreApplication.translate("SentencePanel", "typed [MASK]: edit the text to change it")
        else:
            what = {
                "mask": QCoreApplication.translate("SentencePanel", "masked: click to unmask"),
                "special": QCoreApplication.translate("SentencePanel", "special token (not part of the text)"),
                "unk": QCoreApplication.translate("SentencePanel", "unknown to the vocabulary"),
                "word": QCoreApplication.translate("SentencePanel", "click to mask"),
            }[kind]
        tip = QCoreApplication.translate("SentencePanel", "#{index} · {token} (id {id}) · sentence {segment} · {what}")
        tip = tip.format(index=i, token=repr(token), id=enc.input_ids[i], segment=segment, what=what)
        chips.append(Chip(labels[i], kind, enc.segments[i], tip))
    return chips


class SentencePanel(QWidget):
    def __init__(self, controller, parent: QWidget | None = None):
        super().__init__(parent)
        self._controller = controller

        self.text_a = QLineEdit()
        self.text_a.setPlaceholderText(self.tr("Type a sentence. Write [MASK] or click a token below to hide it."))
        self.text_a.setAccessibleName(self.tr("Sentence A"))
        self.text_a.setClearButtonEnabled(True)
        self.text_a.setMaxLength(MAX_SENTENCE_CHARS + 1)  # one more than allowed: a longer paste is seen, refused
        font = self.text_a.font()
        font.setPointSizeF(font.pointSizeF() * 1.3)
        self.text_a.setFont(font)

        self.pair_toggle = QCheckBox(self.tr("Sentence &pair"))
        self.pair_toggle.setToolTip(
            self.tr("Add a second sentence (segment B), as BERT saw in next-sentence prediction")
        )
        self.text_b = QLineEdit()
        self.text_b.setPlaceholderText(self.tr("Second sentence (segment B)"))
        self.text_b.setAccessibleName(self.tr("Sentence B"))
        self.text_b.setFont(font)
        self.text_b.setMaxLength(MAX_SENTENCE_CHARS + 1)
        self.text_b.setVisible(False)

        # Said where a pair means less than in BERT: the model has no segment (token-type) embeddings.
        self.segment_note = QLabel()
        self.segment_note.setStyleSheet("color: gray;")
        self.segment_note.setVisible(False)
        self._segments_reach_model = True

        self.whole_word = QCheckBox(self.tr("&Whole-word masking"))
        self.whole_word.setToolTip(
            self.tr("Clicking one piece of a word (e.g. 'believ' in 'unbelievable') masks all its pieces")
        )
        self.clear_masks = QPushButton(self.tr("Clear masks"))
        self.clear_masks.setToolTip(self.tr("Unmask every token masked by clicking (typed [MASK]s stay)"))

        self.chips = TokenChips()
        scroll = QScrollArea()
        scroll.setWidget(self.chips)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        scroll.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Fixed)
        self._scroll = scroll

        self.notice = QLabel()
        self.notice.setWordWrap(True)
        self.notice.setStyleSheet(
            f"background: {theme.NOTICE_BG}; border: 1px solid {theme.NOTICE_BORDER}; border-radius: 4px; padding: 4px;"
        )
        self.notice.setVisible(False)

        options = QHBoxLayout()
        options.addWidget(self.pair_toggle)
        options.addWidget(self.segment_note)
        options.addWidget(self.whole_word)
        options.addStretch(1)
        options.addWidget(self.clear_masks)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 4)
        layout.addWidget(self.text_a)
        layout.addWidget(self.text_b)
        layout.addLayout(options)
        layout.addWidget(scroll)
        layout.addWidget(self.notice)

        self.text_a.textEdited.connect(self._edited)
        self.text_b.textEdited.connect(self._edited)
        self.pair_toggle.toggled.connect(self._pair_toggled)
        self.whole_word.toggled.connect(controller.set_whole_word)
        self.clear_masks.clicked.connect(controller.clear_masks)
        self.chips.chip_clicked.connect(controller.toggle_mask)
        controller.input_changed.connect(self.show_input)
        controller.result_ready.connect(self.show_result)
        controller.model_loaded.connect(self._model_loaded)
        self.setTabOrder(self.text_a, self.text_b)
        self.setTabOrder(self.text_b, self.pair_toggle)
        self.setTabOrder(self.pair_toggle, self.whole_word)
        self.setTabOrder(self.whole_word, self.clear_masks)
        self.setTabOrder(self.clear_masks, self.chips)

    def _edited(self, _text: str = "") -> None:
        for edit, before in ((self.text_a, self._controller.current_input.text), (self.text_b, None)):
            if len(edit.text()) > MAX_SENTENCE_CHARS:  # the line edit cut a paste at MAX + 1: refuse it whole
                edit.setText(before if before is not None else self._controller.current_input.text_b or "")
                self.notice.setText(
                    self.tr(
                        "⚠ That text is longer than {limit:,} characters, so it was not put in (nothing was cut); "
                        "paste a shorter passage."
                    ).format(limit=MAX_SENTENCE_CHARS)
                )
                self.notice.setVisible(True)
                return
        text_b = self.text_b.text() if self.pair_toggle.isChecked() else None
        self._controller.set_text(self.text_a.text(), text_b)

    def _model_loaded(self, summary) -> None:
        self._segments_reach_model = summary.segment_embeddings
        self.segment_note.setText(
            self.tr("({family} has no segment embeddings: only the separator tokens tell sentence B apart)").format(
                family=summary.family
            )
        )
        self.segment_note.setVisible(self.pair_toggle.isChecked() and not self._segments_reach_model)

    def _pair_toggled(self, on: bool) -> None:
        self.text_b.setVisible(on)
        self.segment_note.setVisible(on and not self._segments_reach_model)
        if on:
            self.text_b.setFocus()
        self._edited()

    def show_input(self, inp) -> None:
        """Mirror the controller's input (e.g. after a prediction was put into the text)."""
        if self.text_a.text() != inp.text:
            cursor = self.text_a.cursorPosition()
            self.text_a.setText(inp.text)
            self.text_a.setCursorPosition(min(cursor, len(inp.text)))
        if inp.text_b is not None and self.text_b.text() != inp.text_b:
            self.text_b.setText(inp.text_b)
        if (inp.text_b is not None) != self.pair_toggle.isChecked() and inp.text_b is not None:
            self.pair_toggle.blockSignals(True)
            self.pair_toggle.setChecked(True)
            self.text_b.setVisible(True)
            self.pair_toggle.blockSignals(False)
        if self.whole_word.isChecked() != inp.whole_word:
            self.whole_word.blockSignals(True)
            self.whole_word.setChecked(inp.whole_word)
            self.whole_word.blockSignals(False)

    def show_result(self, result: InferenceResult) -> None:
        self.chips.set_chips(chips_for(result))
        self._fit_chips()
        enc = result.encoding
        if enc.truncated:
            inp = self._controller.current_input
            cut = masks_cut_off(enc, inp.text, inp.text_b)  # a mask the model never sees: said first
            if cut:  # analysis/ says it (in English)
                self.notice.setText(f"⚠ {cut[0].upper()}{cut[1:]}.")
            else:
                self.notice.setText(
                    self.tr(
                        "⚠ This input has {tokens} tokens; the model reads at most {limit}, so everything after "
                        "token {last} was left out."
                    ).format(tokens=enc.original_length, limit=len(enc.tokens), last=len(enc.tokens) - 1)
                )
        self.notice.setVisible(enc.truncated)

    def _fit_chips(self) -> None:
        """As tall as the chips need, up to about five rows; beyond that the chips scroll."""
        self._scroll.setFixedHeight(
            min(MAX_CHIPS_HEIGHT, self.chips.heightForWidth(max(self._scroll.width(), 200)) + 2)
        )

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._fit_chips()

    def set_selected_token(self, index: int) -> None:
        self.chips.set_selected(index)
