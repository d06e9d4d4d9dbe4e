"""Applications: what a fine-tuned BERT does with the sentence. A sequence classifier (sentiment, topic, ...)
gives one probability per label, drawn as bars; a token classifier (named entities, ...) tags every token,
and its B-/I- tags are merged into entities coloured by type (hover a token for its tag probabilities). Under
either, the same head read out at every layer ("did the label form early?"): for a token classifier, at the
selected token. Computed by the "classify" analysis (analysis/classify.py); a model without such a head gets a
note saying what to open."""

from __future__ import annotations

import csv
from typing import TYPE_CHECKING

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtGui, QtWidgets

from bertviz_app.analysis.numeric.labels import SEQUENCE, Classification, entities, split_tag
from bertviz_app.ui import theme
from bertviz_app.ui.exporting import save_widget_png
from bertviz_app.ui.label_layers import LabelLayers, readout_token
from bertviz_app.ui.plot_items import plot_widget
from bertviz_app.ui.token_chips import RADIUS, Chip, TokenChips
from bertviz_app.ui.view import View, read_only

if TYPE_CHECKING:
    from bertviz_app.analysis.inference import InferenceResult

KIND = "classify"  # the analysis in analysis/tasks.py
# One colour per entity type, in the order the label map names the types (so a type keeps its colour)
ENTITY_COLORS = ("#ffc9c9", "#b2f2bb", "#a5d8ff", "#ffec99", "#d0bfff", "#99e9f2", "#ffd8a8", "#eebefa")
PREDICTED_COLOR = "#2f6fdf"
OTHER_COLOR = "#a5b4cf"


def entity_types(labels: tuple[str, ...]) -> list[str]:
    """The entity types a tag set names, in label order: ("O", "B-PER", "I-PER", "B-LOC") -> ["PER", "LOC"]."""
    return list(dict.fromkeys(kind for kind in (split_tag(label)[1] for label in labels) if kind))


class TagChips(TokenChips):
    """The tokens as chips, each entity's tokens filled with its type's colour and the type after its last
    token; a tooltip gives a token's most probable tags."""

    def __init__(self, parent: QtWidgets.QWidget | None = None):
        super().__init__(parent)
        self._fills: list[QtGui.QColor | None] = []
        self.setAccessibleName(self.tr("Tokens and their tags"))

    def set_tags(self, chips: list[Chip], fills: list[QtGui.QColor | None]) -> None:
        self._fills = fills
        self.set_chips(chips)

    def paintEvent(self, event) -> None:
        p = QtGui.QPainter(self)
        p.setRenderHint(QtGui.QPainter.RenderHint.Antialiasing)
        for i, (chip, rect) in enumerate(zip(self._chips, self._rects)):
            fill = self._fills[i] if i < len(self._fills) else None
            special = chip.kind == "special"
            bg = theme.CHIP_SPECIAL_BG if special else fill or theme.CHIP_BG
            border = theme.SELECTION if i == self._selected else (fill.darker(140) if fill else theme.CHIP_BORDER)
            p.setPen(QtGui.QPen(border, 2.5 if i == self._selected else 1.2))
            p.setBrush(bg)
            p.drawRoundedRect(QtCore.QRectF(rect).adjusted(0.5, 0.5, -0.5, -0.5), RADIUS, RADIUS)
            p.setPen(theme.CHIP_SPECIAL_TEXT if special else theme.CHIP_TEXT)
            p.drawText(rect, QtCore.Qt.AlignmentFlag.AlignCenter, chip.text)
        p.end()


class ApplicationsView(View):
    """A classifier's labels for the sentence, or tags for its tokens, and their readout at every layer."""

    empty_message = "No sentence yet: type one above to see what the classifier makes of it."

    def __init__(self, controller=None, selection=None, parent: QtWidgets.QWidget | None = None):
        super().__init__(controller, selection, parent)
        self._payload: Classification | None = None
        self.summary = QtWidgets.QLabel(" ")
        self.summary.setWordWrap(True)
        self.summary.setTextFormat(QtCore.Qt.TextFormat.RichText)
        self.controls.addWidget(self.summary, 1)
        self.add_export_button(self.tr("Save the probabilities (CSV) or this view (PNG)"), stretch=0)

        self.bars_widget, self.bars_plot = plot_widget()
        self.bars_plot.setMouseEnabled(x=False, y=False)
        self.bars_plot.invertY(True)
        self.bars_plot.setLabel("bottom", self.tr("probability"))
        self.bars = pg.BarGraphItem(x0=[], y=[], width=[], height=0.6)
        self.bars_plot.addItem(self.bars)
        self._bar_texts: list[pg.TextItem] = []
        self.chips = TagChips()
        self.chips.chip_clicked.connect(self.token_selected.emit)
        self.legend = QtWidgets.QLabel(" ")
        self.legend.setTextFormat(QtCore.Qt.TextFormat.RichText)
        self.label_layers = LabelLayers()
        for widget in (self.bars_widget, self.chips, self.legend):
            self.content_layout.addWidget(widget)
        self.content_layout.addWidget(self.label_layers, 1)
        bg, fg, grey = theme.plot_colors(self)
        self.bars_widget.setBackground(bg)
        for side in ("left", "bottom"):
            self.bars_plot.getAxis(side).setPen(grey)
            self.bars_plot.getAxis(side).setTextPen(fg)
        self._fg = fg
        self.clear(self.empty_message)

    payload = read_only("_payload")

    # ---- what the main window calls -----------------------------------------------------------------------
    def show_result(self, result: InferenceResult) -> None:
        summary = None if self.controller is None else self.controller.model_summary
        if summary is None or not summary.task:
            name = result.model_name if summary is None else summary.name
            self._payload = None
            self._show_message(
                self.tr(
                    "{model} has no classification head, so it assigns no labels.\n"
                    "Open a fine-tuned classifier (Model ▸ Open folder…): a folder whose config.json names a "
                    "…ForSequenceClassification architecture (sentiment, topics, …) or a …ForTokenClassification "
                    "one (named entities, …), with its id2label."
                ).format(model=name)
            )
            return
        run = self.controller.start(KIND, result=result)
        if run is not None:
            run.ready.connect(self._on_ready)
            run.failed.connect(self._on_failed)
            if self._payload is None:
                self._show_message(self.tr("Classifying…"))

    def reset(self) -> None:
        self._payload = None
        self.summary.setText(" ")

    def set_selected_token(self, index: int | None) -> None:
        self.chips.set_selected(-1 if index is None else index)
        if self._payload is not None and self._payload.task != SEQUENCE:
            self._draw_layers()

    def _on_failed(self, message: str) -> None:
        self._payload = None
        self._show_message(message)

    def _on_ready(self, payload: Classification) -> None:
        if self._result is None:
            return
        self._payload = payload
        sequence = payload.task == SEQUENCE
        self.bars_widget.setVisible(sequence)
        self.chips.setVisible(not sequence)
        self.legend.setVisible(not sequence)
        if sequence:
            self._draw_bars()
        else:
            self._draw_tags()
        self._draw_layers()
        self._show_content()
        self.export_button.setEnabled(True)

    # ---- drawing ------------------------------------------------------------------------------------------
    def _draw_bars(self) -> None:
        payload = self._payload
        probs, best = payload.probs, int(payload.predicted)
        C = len(probs)
        brushes = [QtGui.QColor(PREDICTED_COLOR if i == best else OTHER_COLOR) for i in range(C)]
        self.bars.setOpts(x0=np.zeros(C), y=np.arange(C), width=probs, height=0.6, brushes=brushes)
        self.bars_plot.getAxis("left").setTicks([list(enumerate(payload.labels))])
        for item in self._bar_texts:
            self.bars_plot.removeItem(item)
        self._bar_texts = []
        for i, p in enumerate(probs):
            text = pg.TextItem(f"{100 * p:.1f}%", color=self._fg, anchor=(0, 0.5))
            text.setPos(float(p) + 0.01, i)
            self.bars_plot.addItem(text)
            self._bar_texts.append(text)
        self.bars_plot.setXRange(0, 1.12, padding=0)
        self.bars_plot.setYRange(-0.5, C - 0.5, padding=0.05)
        self.bars_widget.setFixedHeight(min(60 + 34 * C, 420))
        self.summary.setText(
            self.tr("Sequence classifier: <b>{label}</b> ({percent:.1f}%)").format(
                label=payload.labels[best], percent=100 * float(probs[best])
            )
        )

    def _draw_tags(self) -> None:
        payload = self._payload
        types = entity_types(payload.labels)
        colors = {kind: QtGui.QColor(ENTITY_COLORS[i % len(ENTITY_COLORS)]) for i, kind in enumerate(types)}
        found = entities(payload)
        fills: list[QtGui.QColor | None] = [None] * len(payload.tokens)
        last_of = {}
        for entity in found:
            for i in range(entity.start, entity.end):
                fills[i] = colors.get(entity.type)
            last_of[entity.end - 1] = entity
        tags = payload.tags()
        chips = []
        for i, token in enumerate(payload.display_tokens):
            text = token if i not in last_of else f"{token}  {last_of[i].type}"
            chips.append(Chip(text, "special" if payload.special[i] else "word", 0, self._tag_tooltip(i, tags[i])))
        self.chips.set_tags(chips, fills)
        self.chips.set_selected(-1 if self.selection.token is None else self.selection.token)
        self.legend.setText(
            "  ".join(f"<span style='background:{colors[k].name()}'>&nbsp;&nbsp;&nbsp;</span> {k}" for k in types)
        )
        words = [" ".join(payload.display_tokens[e.start : e.end]) for e in found]
        self.summary.setText(
            self.tr("Token classifier: {count} entities: {list}").format(
                count=len(found),
                list=", ".join(f"“{w}” <b>{e.type}</b> ({100 * e.probability:.0f}%)" for w, e in zip(words, found)),
            )
            if found
            else self.tr("Token classifier: no entity found (every token tagged O).")
        )

    def _tag_tooltip(self, i: int, tag: str) -> str:
        payload = self._payload
        if payload.special[i]:
            return payload.tokens[i]
        order = np.argsort(-payload.probs[i])[:3]
        lines = [f"{payload.labels[j]}: {100 * float(payload.probs[i, j]):.1f}%" for j in order]
        return (
            self.tr("{token}: tagged {tag}").format(token=payload.display_tokens[i], tag=tag) + "\n" + "\n".join(lines)
        )

    def readout_token(self) -> int | None:
        """Token classifier: the token whose tags by layer are shown (the selected one, else the first word)."""
        return readout_token(self._payload, self.selection.token)

    def layer_matrix(self) -> np.ndarray | None:
        """(L+1, C): the head read out at each layer (for a token classifier at `readout_token`)."""
        return self.label_layers.matrix

    def _draw_layers(self) -> None:
        self.label_layers.show_payload(self._payload, self.selection.token)

    # ---- export ---------------------------------------------------------------------------------------------
    def export_formats(self) -> list[tuple[str, str]]:
        return [(self.tr("Probabilities as CSV…"), "csv"), (self.tr("This view as PNG…"), "png")]

    def export_name(self, kind: str) -> str:
        return f"applications.{kind}"

    def writer(self, kind: str):
        return self.export_csv if kind == "csv" else lambda path: save_widget_png(self, path)

    def export_csv(self, path) -> None:
        """One row per label (sequence) or per token (token classifier), a column per label."""
        payload = self._payload
        if payload is None:
            raise ValueError("no classification to export yet")
        with open(path, "w", newline="", encoding="utf-8") as f:
            out = csv.writer(f)
            if payload.task == SEQUENCE:
                out.writerow(["label", "probability"])
                out.writerows([label, f"{float(p):.6f}"] for label, p in zip(payload.labels, payload.probs))
            else:
                out.writerow(["position", "token", "tag", *payload.labels])
                for i, (token, tag) in enumerate(zip(payload.tokens, payload.tags())):
                    out.writerow([i, token, tag, *(f"{float(p):.6f}" for p in payload.probs[i])])
