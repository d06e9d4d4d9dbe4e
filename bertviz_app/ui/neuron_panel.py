"""Neuron view: one token's attention in one head computed in the open, softmax(q·kⱼ / √d_k), number by number.

Columns left to right: the query vector q (on the query token's row), the token labels, each token's key
vector kⱼ, the element-wise products q ∘ kⱼ, their sum q·kⱼ, that sum divided by √d_k, and the softmax weight.
Vectors are rows of coloured cells (blue negative, red positive, each column scaled to its largest |value|);
hovering a cell gives its exact number. Everything is re-sliced from the cached result's queries and keys
(bertviz_app.analysis.numeric.neuron): nothing here runs the model.

The table itself is ui/neuron_canvas.py.
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from PySide6 import QtCore, QtGui, QtWidgets

from bertviz_app.analysis.numeric.neuron import NeuronView, find_token, neuron_view
from bertviz_app.ui import theme
from bertviz_app.ui.neuron_canvas import NeuronCanvas
from bertviz_app.ui.plot_items import format_weight
from bertviz_app.ui.token_axis import MASKED_COLOR, token_labels
from bertviz_app.ui.view import View, blocked, read_only

if TYPE_CHECKING:
    from bertviz_app.analysis.inference import InferenceResult

NO_RESULT = QtCore.QT_TRANSLATE_NOOP(
    "NeuronPanel", "No sentence yet: type one to see how one token's attention is computed."
)


def parse_view_arg(arg: str) -> tuple[int | None, int | None, str | None]:
    """'3.5.it' -> (layer 2, head 4, token 'it'): 1-based layer.head, then a token text or #index (both optional).

    '3.5' selects only the head, 'it' or '#8' only the token. The token part may itself contain dots ('3.5..').
    """
    arg = arg.strip()
    parts = arg.split(".", 2)
    if len(parts) >= 2 and parts[0].strip().isdigit() and parts[1].strip().isdigit():
        layer, head = int(parts[0]) - 1, int(parts[1]) - 1
        token = parts[2].strip() if len(parts) == 3 and parts[2].strip() else None
        return layer, head, token
    return None, None, arg or None


class NeuronPanel(View):
    """Layer, head and query token chosen here (or the token selected anywhere in the app); the table below.

    Layers and heads are 0-based in the API (indices into result.queries) and shown 1-based on screen.
    """

    selection_changed = QtCore.Signal(int, int, int)  # (layer, head, query token)

    def __init__(self, controller=None, selection=None, parent: QtWidgets.QWidget | None = None):
        super().__init__(controller, selection, parent)
        self.empty_message = self.tr(NO_RESULT)
        self._layer = 0
        self._head = 0
        self._token: int | None = None
        self._pending: tuple[int | None, int | None, str | None] | None = None  # from --view-arg
        self._view: NeuronView | None = None
        self._build()
        self.selection_changed.connect(lambda layer, head, _token: self.selection.set_head(layer, head))
        self.clear(self.empty_message)

    # ---- construction -------------------------------------------------------------------------------------
    def _build(self) -> None:
        controls = self.controls
        self.layer_spin, self.head_spin = self.layer_head_spins(
            self.tr("Which transformer layer (1 = closest to the input)"), self.tr("Which attention head of that layer")
        )
        self.token_combo = QtWidgets.QComboBox()
        self.token_combo.setToolTip(self.tr("The query token: whose attention is computed below (or click a token)"))
        self.token_combo.setMinimumContentsLength(12)
        self.token_combo.setSizeAdjustPolicy(QtWidgets.QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        controls.addWidget(self.layer_spin)
        controls.addWidget(self.head_spin)
        controls.addSpacing(8)
        controls.addWidget(QtWidgets.QLabel(self.tr("Query token")))
        controls.addWidget(self.token_combo)
        self.add_export_button(self.tr("Save the whole table (every row) as a PNG image"))
        self.needs_result(self.layer_spin, self.head_spin, self.token_combo)
        content_layout = self.content_layout
        self.canvas = NeuronCanvas()
        self.scroll = QtWidgets.QScrollArea()
        self.scroll.setWidget(self.canvas)
        self.scroll.setWidgetResizable(False)
        self.scroll.setFrameShape(QtWidgets.QFrame.Shape.NoFrame)
        self.scroll.setBackgroundRole(QtGui.QPalette.ColorRole.Base)
        self.scroll.viewport().installEventFilter(self)
        # The header is painted at the top of the view: repaint it where it now belongs after each scroll.
        self.scroll.verticalScrollBar().valueChanged.connect(lambda _v: self.canvas.update())
        content_layout.addWidget(self.scroll, 1)
        negative, positive, query, masked = (
            self.tr("negative"),
            self.tr("positive"),
            self.tr("query"),
            self.tr("masked"),
        )
        legend = self.add_readout(
            f"<span style='color:#2166ac'><b>■ {negative}</b></span>&nbsp;&nbsp;"
            f"<span style='color:#b2182b'><b>■ {positive}</b></span>&nbsp;&nbsp;"
            f"<span style='color:{theme.SELECTION.name()}'><b>■ {query}</b></span>&nbsp;&nbsp;"
            f"<span style='color:{MASKED_COLOR}'><b>■ {masked}</b></span>"
        )
        legend.setToolTip(
            self.tr("Each vector column is coloured on its own scale, ± its largest |value| (shown under its name)")
        )
        self.legend_label = legend
        # Hover texts are long: let them be cut rather than widen the window.
        self.readout_label.setSizePolicy(QtWidgets.QSizePolicy.Policy.Ignored, QtWidgets.QSizePolicy.Policy.Preferred)

        self.canvas.hovered.connect(self._on_hovered)
        self.canvas.token_clicked.connect(self._choose_token)
        self.token_combo.activated.connect(lambda i: self._choose_token(i))

    def eventFilter(self, obj: QtCore.QObject, event: QtCore.QEvent) -> bool:
        if obj is self.scroll.viewport() and event.type() == QtCore.QEvent.Type.Resize:
            self.canvas.fit_width(self.scroll.viewport().width())
        return super().eventFilter(obj, event)

    # ---- data in ------------------------------------------------------------------------------------------
    def show_result(self, result: InferenceResult) -> None:
        q, k = result.queries, result.keys
        if q is None or k is None or q.ndim != 4 or q.shape != k.shape or 0 in q.shape:
            self._view = None
            self._show_message(
                self.tr("This result has no query and key vectors: the model ran without its internals.")
            )
            return
        num_layers, num_heads, num_tokens, _ = q.shape
        self._layer = min(self._layer, num_layers - 1)
        self._head = min(self._head, num_heads - 1)
        if self._token is None or self._token >= num_tokens:
            self._token = self._default_token(result)
        self.show_layer_head(num_layers, num_heads, self._layer, self._head)
        with QtCore.QSignalBlocker(self.token_combo):
            self.token_combo.clear()
            self.token_combo.addItems([f"#{i}  {t}" for i, t in enumerate(token_labels(result))])
        for w in (self.layer_spin, self.head_spin, self.token_combo, self.export_button):
            w.setEnabled(True)
        self._show_content()
        chosen = self._apply_pending() if self._pending is not None else None
        self._render(scroll_to_query=chosen is not None)
        if chosen is not None:
            self.token_selected.emit(chosen)

    def reset(self) -> None:
        self._view = None
        self.canvas.set_view(None, (), [], "")

    def prepare_view(self, arg: str) -> None:
        """The command line's --view-arg: 'layer.head.token' (1-based; token text or #index), 'layer.head',
        or a token. Applied now if there is a result, else to the first one that comes."""
        self._pending = parse_view_arg(arg)
        if self._view is not None:
            chosen = self._apply_pending()
            self._render(scroll_to_query=chosen is not None)
            if chosen is not None:
                self.token_selected.emit(chosen)

    def _apply_pending(self) -> int | None:
        """Apply the --view-arg; returns the token it chose (to select it in the whole app), if any."""
        layer, head, token = self._pending
        self._pending = None
        num_layers, num_heads = self._result.queries.shape[:2]
        if layer is not None:
            self._layer = int(np.clip(layer, 0, num_layers - 1))
            self._head = int(np.clip(head, 0, num_heads - 1))
        if token is not None:
            index = find_token(self._result.display_tokens, token)  # "cat" finds RoBERTa's "Ġcat"
            if index is not None:
                self._token = index
                return index
        return None

    @staticmethod
    def _default_token(result: InferenceResult) -> int:
        """The first mask if there is one (what the model is guessing), else the first word after [CLS]."""
        if result.masked_positions:
            return result.masked_positions[0]
        words = [i for i, special in enumerate(result.encoding.special) if not special]
        return words[0] if words else 0

    # ---- selection ----------------------------------------------------------------------------------------
    layer = read_only("_layer")

    head = read_only("_head")

    query_token = read_only("_token")

    def current_view(self) -> NeuronView | None:
        """The numbers on screen."""
        return self._view

    def set_selection(self, layer: int, head: int, token: int | None = None) -> None:
        """Show `layer`, `head` (0-based) and, if given, query token `token`."""
        if self._result is not None and self._result.queries is not None:
            num_layers, num_heads, num_tokens = self._result.queries.shape[:3]
            if not 0 <= layer < num_layers:
                raise IndexError(f"layer {layer} out of range (the model has {num_layers})")
            if not 0 <= head < num_heads:
                raise IndexError(f"head {head} out of range (each layer has {num_heads})")
            if token is not None and not 0 <= token < num_tokens:
                raise IndexError(f"token {token} out of range (the input has {num_tokens})")
        self._layer, self._head = layer, head
        if token is not None:
            self._token = token
        self._render()

    def follow_head(self, layer: int, head: int) -> None:
        if head >= 0 and (layer, head) != (self._layer, self._head):
            with contextlib.suppress(IndexError):  # a head of another model: ignored
                self.set_selection(layer, head)

    def set_selected_token(self, index: int | None) -> None:
        """The token selected anywhere in the app becomes the query token (None or out of range: ignored)."""
        if index is None or index < 0:
            return
        if self._result is not None and index >= len(self._result.tokens):
            return
        if index == self._token and self._view is not None:
            return
        self._token = index
        self._render(scroll_to_query=True)

    def _choose_token(self, index: int) -> None:
        if self._view is None or index == self._token:
            return
        self._token = index
        self._render(scroll_to_query=True)
        self.token_selected.emit(index)

    def _on_controls_changed(self, *_args) -> None:
        if self._view is not None:
            self.set_selection(self.layer_spin.value() - 1, self.head_spin.value() - 1)

    # ---- rendering ----------------------------------------------------------------------------------------
    def _render(self, scroll_to_query: bool = False) -> None:
        result = self._result
        if result is None or result.queries is None or result.keys is None or self._token is None:
            return
        previous = self._view
        self._view = neuron_view(result.queries, result.keys, self._layer, self._head, self._token)
        with blocked(self.layer_spin, self.head_spin, self.token_combo):
            self.layer_spin.setValue(self._layer + 1)
            self.head_spin.setValue(self._head + 1)
            self.token_combo.setCurrentIndex(self._token)
        masked = set(result.masked_positions)
        kinds = [
            "masked" if i in masked else "special" if special else "word"
            for i, special in enumerate(result.encoding.special)
        ]
        labels = token_labels(result)
        token = labels[self._token]
        title = self.tr(
            "Layer {layer}, head {head} · query '{token}' (#{index})   ·   αⱼ = softmax( q·kⱼ / √dₖ ),  dₖ = {dim},  "
            "output = Σⱼ αⱼ vⱼ"
        ).format(layer=self._layer + 1, head=self._head + 1, token=token, index=self._token, dim=self._view.head_dim)
        self.canvas.set_view(self._view, labels, kinds, title)
        self.canvas.fit_width(self.scroll.viewport().width())
        self._on_hovered("")
        if scroll_to_query:
            c = self.canvas.columns()
            self.scroll.ensureVisible(0, self.canvas.row_top(self._token) + c.row_h // 2, 0, c.header_h + c.row_h)
        key = (self._layer, self._head, self._token)
        if previous is None or (previous.layer, previous.head, previous.query_token) != key:
            self.selection_changed.emit(*key)

    def _on_hovered(self, text: str) -> None:
        if text:
            self.readout_label.setText(text)
            return
        view = self._view
        if view is None or self._result is None:
            self.readout_label.setText(" ")
            return
        tokens = token_labels(self._result)
        best = int(np.argmax(view.probs))
        self.readout_label.setText(
            self.tr(
                "'{query}' attends most to '{token}' ({weight}) · hover a cell for its exact number · click a token "
                "to look from it"
            ).format(query=tokens[view.query_token], token=tokens[best], weight=format_weight(float(view.probs[best])))
        )

    # ---- export -------------------------------------------------------------------------------------------
    def export_png(self, path: str | Path, scale: float = 2.0) -> None:
        """The whole table, every row, with its header, as a PNG (`scale` × screen pixels, sharp on slides)."""
        if self._view is None:
            raise ValueError("no neuron view to export")
        size = self.canvas.size()
        image = QtGui.QImage(
            round(size.width() * scale), round(size.height() * scale), QtGui.QImage.Format.Format_ARGB32
        )
        image.setDevicePixelRatio(scale)
        painter = QtGui.QPainter(image)
        try:
            painter.setRenderHint(QtGui.QPainter.RenderHint.TextAntialiasing, True)
            self.canvas.paint(painter, QtCore.QRect(QtCore.QPoint(0, 0), size), header_top=0)
        finally:
            painter.end()
        if not image.save(str(path), "PNG"):
            raise OSError(f"could not write {path}")

    def export_formats(self) -> list[tuple[str, str]]:
        return [(self.tr("Table as PNG…"), "png")]

    def export_name(self, kind: str) -> str:
        return f"neurons_l{self._layer + 1}_h{self._head + 1}_t{self._token}.png"

    def writer(self, kind: str):
        return self.export_png
