"""Replaced tokens: what an ELECTRA discriminator thinks of each token — the probability that it is not the
sentence's own word but one swapped in (ELECTRA is pretrained on exactly that: a small generator fills masks,
the discriminator spots which tokens were replaced). Type a sentence with an odd word in it and watch it stand
out. Renders from `result.replaced_probs` (one sigmoid per token, computed in the same forward pass)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtGui, QtWidgets

from bertviz_app.ui import theme
from bertviz_app.ui.plot_items import plot_widget
from bertviz_app.ui.token_axis import SELECTED_COLOR, TokenAxis, token_kinds, token_labels
from bertviz_app.ui.view import View

if TYPE_CHECKING:
    from bertviz_app.analysis.inference import InferenceResult

REPLACED_COLOR = "#e03131"  # red: the discriminator thinks the token was swapped in
ORIGINAL_COLOR = "#74c0fc"  # light blue: it reads as the sentence's own
THRESHOLD = 0.5  # above this the discriminator calls the token replaced (its training objective's decision)


class ReplacedView(View):
    """One bar per token: the discriminator's probability that the token was replaced."""

    def __init__(self, controller=None, selection=None, parent: QtWidgets.QWidget | None = None):
        super().__init__(controller, selection, parent)
        self.empty_message = self.tr(
            "No sentence yet: type one, with a word that does not belong, to see which token stands out."
        )
        self.summary = QtWidgets.QLabel(" ")
        self.summary.setWordWrap(True)
        self.controls.addWidget(self.summary, 1)
        self.axis = TokenAxis("bottom")
        self.plot_widget, self.plot = plot_widget()
        self.plot.setAxisItems({"bottom": self.axis})
        self.plot.setLabel("left", self.tr("probability the token was replaced"))
        self.plot.setYRange(0, 1, padding=0.02)
        self.plot.setMouseEnabled(x=False, y=False)
        self.plot.addItem(
            pg.InfiniteLine(THRESHOLD, angle=0, pen=pg.mkPen("#868e96", style=QtCore.Qt.PenStyle.DashLine))
        )
        self.bars = pg.BarGraphItem(x=[], height=[], width=0.7)
        self.plot.addItem(self.bars)
        self.content_layout.addWidget(self.plot_widget, 1)
        self.probabilities = np.zeros(0, dtype=np.float32)
        bg, fg, grey = theme.plot_colors(self)
        self.plot_widget.setBackground(bg)
        self.axis.set_colors(fg, grey)
        for side in ("left", "bottom"):
            self.plot.getAxis(side).setPen(grey)
            self.plot.getAxis(side).setTextPen(fg)
        self.clear(self.empty_message)

    def show_result(self, result: InferenceResult) -> None:
        probs = result.replaced_probs
        if probs is None:
            self._show_message(
                self.tr(
                    "{model} is not an ELECTRA discriminator, so it does not say which tokens look replaced.\n"
                    "Open one (for example google/electra-small-discriminator, Model ▸ Get a model…) to see, for "
                    "every token, how likely the model thinks it was swapped in."
                ).format(model=result.model_name)
            )
            return
        self.probabilities = np.asarray(probs, dtype=np.float32)
        labels, kinds = token_labels(result), token_kinds(result)
        self.axis.set_tokens(labels, kinds)
        self._draw()
        words = [i for i, special in enumerate(result.encoding.special) if not special]
        flagged = [labels[i] for i in words if self.probabilities[i] > THRESHOLD]
        self.summary.setText(
            self.tr("Looks replaced: {tokens}").format(tokens=self.tr(", ").join(f"“{w}”" for w in flagged))
            if flagged
            else self.tr("Every token reads as the sentence's own (no probability above 50%).")
        )
        self._show_content()

    def _draw(self) -> None:
        probs = self.probabilities
        selected = self.selection.token
        brushes = [
            QtGui.QColor(SELECTED_COLOR if i == selected else REPLACED_COLOR if p > THRESHOLD else ORIGINAL_COLOR)
            for i, p in enumerate(probs)
        ]
        self.bars.setOpts(x=np.arange(len(probs)), height=probs, width=0.7, brushes=brushes)
        self.plot.setXRange(-0.5, len(probs) - 0.5, padding=0)

    def set_selected_token(self, index: int | None) -> None:
        self.axis.set_selected(index)
        if len(self.probabilities):
            self._draw()

    def reset(self) -> None:
        self.probabilities = np.zeros(0, dtype=np.float32)
        self.summary.setText(" ")
        self.bars.setOpts(x=[], height=[])
