"""Compare two inputs: the current sentence (A) against one typed here (B).

Three heatmaps for one layer and head: attention in A, in B, and B − A among the tokens both share; below them,
how far each shared token's hidden state moved between A and B at every layer (1 − cosine similarity).

The numbers come from the "compare" analysis (bertviz_app.analysis.compare), run on the worker through the
controller: when a result arrives and when sentence B changes (debounced), and only while this tab is visible;
a tab that was hidden catches up when it is shown. Layer, head and "re-normalise" only re-slice the cached
comparison.
"""

from __future__ import annotations

import html
import math
import re
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtGui, QtWidgets

from bertviz_app.analysis.numeric.attention_flow import attention_difference
from bertviz_app.ui import theme
from bertviz_app.ui.colormaps import make_colormap
from bertviz_app.ui.exporting import export_item_png
from bertviz_app.ui.plot_items import OutlineItem, fit_heatmap, format_weight, heatmap_plot
from bertviz_app.ui.token_axis import MASKED, NORMAL, SELECTED_COLOR, SPECIAL, TokenAxis, token_labels
from bertviz_app.ui.view import View, blocked, read_only

if TYPE_CHECKING:
    from bertviz_app.analysis.compare import Comparison
    from bertviz_app.analysis.inference import InferenceResult

KIND = "compare"  # the analysis's name in analysis/tasks.py
DEBOUNCE_MS = 150
ONLY_COLOR = "#7048e8"  # violet: a token only one of the two sentences has
ATTENTION_COLORMAP = "viridis"
DIFF_COLORMAP = "CET-D1A"  # blue (less in B) – white (same) – red (more in B)
SHIFT_COLORMAP = "CET-L18"  # white (unchanged) → yellow → red (moved most)
SHIFT_TITLE = QtCore.QT_TRANSLATE_NOOP("ComparePanel", "How far each shared token moved from A to B")
MIN_DIFF_LEVEL = 1e-3
COLORBAR_AXIS_WIDTH = 44  # identical inputs still get a readable, symmetric colour bar
_ONLY = MASKED  # the axis draws this kind bold in its "masked" colour, which we repaint violet

NO_B_MESSAGE = QtCore.QT_TRANSLATE_NOOP(
    "ComparePanel",
    "Type sentence B in the box above to compare it with the current sentence:\n"
    "for example swap one word (he → she), or use a word in another sense (river bank → bank account).",
)

# "her" is left alone: it is "him" or "his" depending on the sentence, and leaving it stays grammatical.
_SWAPS = {"he": "she", "she": "he", "him": "her", "his": "her", "himself": "herself"}
_SWAPS |= {"herself": "himself", "man": "woman", "woman": "man", "men": "women", "women": "men"}


def suggest_swap(text: str) -> str | None:
    """The sentence with he/she (and his/her, man/woman, ...) swapped, or None when it has none of them."""

    def swap(m: re.Match) -> str:
        word = m.group(0)
        new = _SWAPS[word.lower()]
        return new.capitalize() if word[0].isupper() else new

    pattern = r"\b(" + "|".join(_SWAPS) + r")\b"
    swapped = re.sub(pattern, swap, text, flags=re.IGNORECASE)
    return swapped if swapped != text else None


def token_list(tokens, indices) -> str:
    return ", ".join(tokens[i] for i in indices) if indices else "—"


class _CompareAxis(TokenAxis):
    """Token labels where tokens found in only one sentence (or the most-moved token) are bold and violet/red."""

    def __init__(self, orientation: str, highlight: str = ONLY_COLOR):
        super().__init__(orientation)
        self._colors[_ONLY] = QtGui.QColor(highlight)


class ComparePanel(View):
    """Sentence A (the current input) against sentence B typed here. Layers and heads are 0-based in the API,
    1-based on screen; shift rows are hidden-state indices (0 = embeddings, k = after layer k)."""

    def __init__(self, controller, selection=None, parent: QtWidgets.QWidget | None = None):
        super().__init__(controller, selection, parent)
        self.empty_message = self.tr("No sentence yet: type one above, then a second one here to compare them.")
        self._comparison: Comparison | None = None
        self._stale = False  # the shown comparison is not about the current result and sentence B
        self._layer = 0
        self._head = 0
        self._mean = True  # one head's difference is noisy; the mean shows the overall picture first
        self._renormalize = False
        self._matrices: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None  # A (Ta,Ta), B (Tb,Tb), B−A (S,S)
        self._timer = QtCore.QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(DEBOUNCE_MS)
        self._timer.timeout.connect(self.run_if_visible)
        self._build()
        self._apply_palette()
        controller.input_changed.connect(self._show_input)
        self.clear(self.empty_message)

    # ---- construction -------------------------------------------------------------------------------------

    def _build(self) -> None:
        form = QtWidgets.QGridLayout()
        form.setHorizontalSpacing(8)
        form.setVerticalSpacing(4)
        self.text_a = QtWidgets.QLineEdit()
        self.text_a.setReadOnly(True)
        self.text_a.setFocusPolicy(QtCore.Qt.FocusPolicy.ClickFocus)
        self.text_a.setToolTip(
            self.tr("The sentence typed at the top of the window (with its masks and knocked-out heads)")
        )
        self.text_b = QtWidgets.QLineEdit()
        self.text_b.setClearButtonEnabled(True)
        self.text_b.setPlaceholderText(self.tr("e.g. the same sentence with he swapped for she"))
        self.text_b.setToolTip(
            self.tr("A second sentence; [MASK] typed here is masked. Knocked-out heads apply to both.")
        )
        big = self.text_b.font()
        big.setPointSizeF(big.pointSizeF() * 1.15)
        for i, (name, edit) in enumerate(((self.tr("Sentence A"), self.text_a), (self.tr("Sentence B"), self.text_b))):
            label = QtWidgets.QLabel(f"<b>{name}</b>")
            label.setBuddy(edit)
            edit.setFont(big)
            form.addWidget(label, i, 0)
            form.addWidget(edit, i, 1)
        self.layout().insertLayout(0, form)  # the two sentences above the controls

        controls = self.controls
        self.layer_spin, self.head_spin = self.layer_head_spins(
            self.tr("Which layer's attention to compare (1 = closest to the input)")
        )
        self.mean_check = QtWidgets.QCheckBox(self.tr("Mean over heads"))
        self.renormalize_check = QtWidgets.QCheckBox(self.tr("Re-normalise over shared tokens"))
        self.renormalize_check.setToolTip(
            self.tr(
                "Off: the difference of the weights the model gave.\n"
                "On: each row is first divided by its sum over the shared tokens, so attention the other "
                "sentence's own words took away does not count as a difference."
            )
        )
        for w in (self.layer_spin, self.head_spin, self.mean_check, self.renormalize_check):
            controls.addWidget(w)
        self.add_export_button()
        self.needs_result(self.layer_spin, self.head_spin, self.mean_check, self.renormalize_check)
        content_layout = self.content_layout
        splitter = QtWidgets.QSplitter(QtCore.Qt.Orientation.Vertical)
        splitter.setChildrenCollapsible(False)

        # Attention in A, in B, and B − A, in one graphics layout so they export as one picture.
        self.attention_widget = pg.GraphicsLayoutWidget()
        self.attention_widget.ci.layout.setContentsMargins(2, 2, 6, 2)
        self.attention_widget.ci.layout.setHorizontalSpacing(10)
        self._axes = {key: (_CompareAxis("left"), _CompareAxis("bottom")) for key in ("a", "b", "diff")}
        self.plot_a, self.image_a = heatmap_plot(*self._axes["a"])
        self.plot_b, self.image_b = heatmap_plot(*self._axes["b"])
        self.plot_diff, self.image_diff = heatmap_plot(*self._axes["diff"])
        for col, plot in enumerate((self.plot_a, self.plot_b, self.plot_diff)):
            self.attention_widget.addItem(plot, row=0, col=col)
        self.attention_colorbar = pg.ColorBarItem(
            values=(0.0, 1.0),
            colorMap=make_colormap(ATTENTION_COLORMAP),
            width=12,
            interactive=False,
            colorMapMenu=False,
            label=self.tr("attention weight (A and B)"),
        )
        self.attention_colorbar.setImageItem([self.image_a, self.image_b], insert_in=self.plot_b)
        self.diff_colorbar = pg.ColorBarItem(
            values=(-1.0, 1.0),
            colorMap=pg.colormap.get(DIFF_COLORMAP),
            width=12,
            interactive=False,
            colorMapMenu=False,
            label="B − A",
        )
        self.diff_colorbar.setImageItem(self.image_diff, insert_in=self.plot_diff)
        self._hovers = []  # one cell outline per heatmap
        for plot in (self.plot_a, self.plot_b, self.plot_diff):
            outline = OutlineItem(width=1.0)
            outline.setZValue(10)
            outline.hide()
            plot.vb.addItem(outline, ignoreBounds=True)
            self._hovers.append(outline)
        self.attention_widget.scene().sigMouseMoved.connect(self._on_attention_hover)
        splitter.addWidget(self.attention_widget)

        # Embedding shift: layers × shared tokens.
        self.shift_widget = pg.GraphicsLayoutWidget()
        self.shift_widget.ci.layout.setContentsMargins(2, 2, 6, 2)
        self._shift_axis = _CompareAxis("bottom", highlight=SELECTED_COLOR)
        self.shift_plot = pg.PlotItem(axisItems={"bottom": self._shift_axis})
        sp = self.shift_plot
        sp.setMenuEnabled(False)
        sp.hideButtons()
        sp.setMouseEnabled(False, False)
        sp.invertY(True)
        sp.setDefaultPadding(0.0)
        sp.getAxis("left").setStyle(tickLength=0)
        self.shift_image = pg.ImageItem(axisOrder="row-major")
        self.shift_image.setTransform(QtGui.QTransform().translate(-0.5, -0.5))
        sp.addItem(self.shift_image)
        self.shift_colorbar = pg.ColorBarItem(
            values=(0.0, 1.0),
            colorMap=pg.colormap.get(SHIFT_COLORMAP),
            width=12,
            interactive=False,
            colorMapMenu=False,
            label="1 − cos(A, B)",
        )
        self.shift_colorbar.setImageItem(self.shift_image, insert_in=sp)
        for bar in (self.attention_colorbar, self.diff_colorbar, self.shift_colorbar):
            bar.axis.enableAutoSIPrefix(False)  # "0.02", not "20 (x0.001)"
            bar.axis.setWidth(COLORBAR_AXIS_WIDTH)  # sized for "-0.05": it does not grow when the levels change
        self.shift_widget.setToolTip(
            self.tr(
                "1 − cosine similarity between a shared token's hidden state in A and in B (0 = same direction).\n"
                "Row 'embeddings': a token moves there only when its position in the sentence changed.\n"
                "Click a row to show that layer's attention above."
            )
        )
        self._layer_outline = OutlineItem(light=SELECTED_COLOR, dark="white", width=2.0)
        self._token_outline = OutlineItem(light=SELECTED_COLOR, dark="white", width=2.0)
        for item in (self._layer_outline, self._token_outline):
            item.setZValue(10)
            item.hide()
            sp.vb.addItem(item, ignoreBounds=True)
        self.shift_widget.addItem(sp)
        self.shift_widget.scene().sigMouseMoved.connect(self._on_shift_hover)
        self.shift_widget.scene().sigMouseClicked.connect(self._on_shift_clicked)
        splitter.addWidget(self.shift_widget)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        content_layout.addWidget(splitter, 1)

        self.tokens_label = QtWidgets.QLabel()
        self.tokens_label.setTextFormat(QtCore.Qt.TextFormat.RichText)
        self.tokens_label.setWordWrap(True)
        font = self.tokens_label.font()
        font.setPointSizeF(font.pointSizeF() * 1.1)
        self.tokens_label.setFont(font)
        self.readout_label = QtWidgets.QLabel(" ")
        self.readout_label.setTextInteractionFlags(QtCore.Qt.TextInteractionFlag.TextSelectableByMouse)
        content_layout.addWidget(self.tokens_label)
        content_layout.addWidget(self.readout_label)

        self.text_b.textChanged.connect(self._on_b_edited)
        self.mean_check.toggled.connect(self._on_controls_changed)
        self.renormalize_check.toggled.connect(self._on_controls_changed)

    def _apply_palette(self) -> None:
        bg, fg, grey = theme.plot_colors(self)
        self._fg = fg
        for widget in (self.attention_widget, self.shift_widget):
            widget.setBackground(bg)
        items = (
            self.plot_a,
            self.plot_b,
            self.plot_diff,
            self.shift_plot,
            self.attention_colorbar,
            self.diff_colorbar,
            self.shift_colorbar,
        )
        for item in items:
            for side in ("left", "bottom", "top", "right"):
                axis = item.getAxis(side)
                axis.setPen(fg)
                axis.setTextPen(fg)
        for left, bottom in self._axes.values():
            left.set_colors(fg, grey)
            bottom.set_colors(fg, grey)
        self._shift_axis.set_colors(fg, grey)
        self._set_titles()

    def changeEvent(self, event: QtCore.QEvent) -> None:
        if event.type() == QtCore.QEvent.Type.PaletteChange:
            self._apply_palette()
        super().changeEvent(event)

    # ---- data in --------------------------------------------------------------------------------------------

    def show_result(self, result: InferenceResult) -> None:
        """A new result for sentence A: compare again (now if this tab is visible, else when it is shown)."""
        self._show_input(self.controller.current_input)
        self._stale = True
        self.run_if_visible()

    def reset(self) -> None:
        self._comparison = None
        self._matrices = None
        self._stale = False
        self._timer.stop()
        for image in (self.image_a, self.image_b, self.image_diff, self.shift_image):
            image.clear()

    def prepare_view(self, arg: str) -> None:
        """Start with `arg` as sentence B (the command line's --view-arg); compared when a result arrives."""
        with QtCore.QSignalBlocker(self.text_b):
            self.text_b.setText(arg)
        self._stale = True
        if self._result is not None:
            self.run_if_visible()

    def _show_input(self, inp) -> None:
        text = inp.text + (f"  ‖  {inp.text_b}" if inp.text_b else "")
        self.text_a.setText(text)
        self.text_a.setCursorPosition(0)
        suggestion = suggest_swap(inp.text)
        self.text_b.setPlaceholderText(
            self.tr("e.g. {sentence}").format(sentence=suggestion)
            if suggestion
            else self.tr("e.g. the same sentence with one word swapped (he → she)")
        )

    def _on_b_edited(self, _text: str) -> None:
        self._stale = True
        self._timer.start()

    def showEvent(self, event: QtGui.QShowEvent) -> None:
        super().showEvent(event)
        if self._stale:
            QtCore.QTimer.singleShot(0, self.run_if_visible)  # once the tab switch has finished

    stale = read_only("_stale")

    def run_if_visible(self) -> bool:
        """Start the comparison if it is out of date, this tab is visible and there is something to compare.
        Returns whether it started."""
        self._timer.stop()
        if not self._stale or self._result is None or not self.isVisible():
            return False
        other = self.text_b.text().strip()
        self._stale = False
        if not other:
            self.controller.cancel_analysis(KIND)
            self._comparison = None
            self._show_message(self.tr(NO_B_MESSAGE))
            return False
        if self._comparison is None:
            self._show_message(self.tr("Comparing the two sentences…"))
        run = self.controller.start(KIND, other_text=other, result_a=self._result)
        if run is None:
            return False
        run.ready.connect(self._on_ready)
        run.failed.connect(self._on_failed)
        return True

    def _on_ready(self, payload: Comparison) -> None:
        if self._result is None:
            return
        self._comparison = payload
        self._render_comparison()

    def _on_failed(self, message: str) -> None:
        self._comparison = None
        self._show_message(self.tr("Could not compare the two sentences: {reason}").format(reason=message))

    def _show_message(self, message: str) -> None:
        super()._show_message(message)
        self.tokens_label.setText("")

    comparison = read_only("_comparison")

    # ---- selection --------------------------------------------------------------------------------------------

    layer = read_only("_layer")

    head = read_only("_head")

    mean_over_heads = read_only("_mean")

    renormalize = read_only("_renormalize")

    def set_selection(self, layer: int, head: int | None, renormalize: bool | None = None) -> None:
        """Show `layer` and `head` (0-based); head None or -1: the mean over the layer's heads."""
        mean = head is None or head < 0
        self._layer = layer
        if not mean:
            self._head = head
        self._mean = mean
        if renormalize is not None:
            self._renormalize = bool(renormalize)
        with blocked(self.layer_spin, self.head_spin, self.mean_check, self.renormalize_check):
            self.layer_spin.setValue(self._layer + 1)
            self.head_spin.setValue(self._head + 1)
            self.mean_check.setChecked(self._mean)
            self.renormalize_check.setChecked(self._renormalize)
        self.head_spin.setEnabled(not self._mean and self._comparison is not None)
        self._render()

    def _on_controls_changed(self, *_args) -> None:
        head = -1 if self.mean_check.isChecked() else self.head_spin.value() - 1
        self.set_selection(self.layer_spin.value() - 1, head, self.renormalize_check.isChecked())

    # ---- rendering --------------------------------------------------------------------------------------------

    def _render_comparison(self) -> None:
        c = self._comparison
        num_layers, num_heads = c.result_a.attention.shape[:2]
        self._layer = min(self._layer, num_layers - 1)
        self._head = min(self._head, num_heads - 1)
        with blocked(self.mean_check):
            self.mean_check.setChecked(self._mean)
        self.show_layer_head(num_layers, num_heads, self._layer, self._head)
        for w in (self.layer_spin, self.mean_check, self.renormalize_check, self.export_button):
            w.setEnabled(True)
        self.head_spin.setEnabled(not self._mean)

        only_a, only_b = set(c.only_a), set(c.only_b)
        for key, tokens, special, only in (
            ("a", token_labels(c.result_a), c.result_a.encoding.special, only_a),
            ("b", token_labels(c.result_b), c.result_b.encoding.special, only_b),
        ):
            kinds = [_ONLY if i in only else SPECIAL if special[i] else NORMAL for i in range(len(tokens))]
            for axis in self._axes[key]:
                axis.set_tokens(list(tokens), kinds)
        shared = list(c.shared_display)
        special_a = c.result_a.encoding.special
        shared_kinds = [SPECIAL if special_a[i] else NORMAL for i, _ in c.alignment]
        for axis in self._axes["diff"]:
            axis.set_tokens(shared, shared_kinds)
        fit_heatmap(self.plot_a, len(c.tokens_a), len(c.tokens_a))
        fit_heatmap(self.plot_b, len(c.tokens_b), len(c.tokens_b))
        fit_heatmap(self.plot_diff, len(shared), len(shared))

        shift = c.embedding_shift  # (L+1, S)
        rows, cols = shift.shape
        self.shift_image.setImage(shift, autoLevels=False)
        self.shift_colorbar.setLevels((0.0, max(float(shift.max()) if shift.size else 0.0, MIN_DIFF_LEVEL)))
        self.shift_plot.getAxis("left").setTicks(
            [[(0, self.tr("embeddings")), *((k, self.tr("layer {layer}").format(layer=k)) for k in range(1, rows))], []]
        )
        fit_heatmap(self.shift_plot, rows, max(cols, 1))

        only = self.tr("<b>only in A:</b> {a}&nbsp;&nbsp;·&nbsp;&nbsp;<b>only in B:</b> {b}").format(
            a=html.escape(token_list(c.display_a, c.only_a)), b=html.escape(token_list(c.display_b, c.only_b))
        )
        shared = self.tr("{count} tokens shared").format(count=len(c.alignment))
        self.tokens_label.setText(f"<span style='color:{ONLY_COLOR}'>{only}</span>&nbsp;&nbsp;·&nbsp;&nbsp;{shared}")
        if not c.alignment:
            self._show_message(self.tr("The two sentences share no tokens, so there is nothing to line up."))
            return
        self._show_content()
        self._render()

    def current_matrices(self) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
        """(attention in A (Ta, Ta), in B (Tb, Tb), B − A among shared tokens (S, S)) as shown now."""
        c = self._comparison
        if c is None or not c.alignment:
            return None
        att_a, att_b = c.result_a.attention[self._layer], c.result_b.attention[self._layer]  # (H, T, T)
        a = att_a.mean(axis=0) if self._mean else att_a[self._head]
        b = att_b.mean(axis=0) if self._mean else att_b[self._head]
        return a, b, attention_difference(a, b, c.alignment, renormalize=self._renormalize)

    def _render(self) -> None:
        self._matrices = self.current_matrices()
        if self._matrices is None:
            return
        a, b, diff = self._matrices
        self.image_a.setImage(a, autoLevels=False)
        self.image_b.setImage(b, autoLevels=False)
        self.attention_colorbar.setLevels((0.0, max(float(a.max()), float(b.max()), MIN_DIFF_LEVEL)))
        self.image_diff.setImage(diff, autoLevels=False)
        peak = max(float(np.abs(diff).max()), MIN_DIFF_LEVEL)
        self.diff_colorbar.setLevels((-peak, peak))
        self._set_titles()
        self._render_shift_marks()

    def _render_shift_marks(self) -> None:
        """Outline the row of the chosen layer's output and the column of the token that moved most there."""
        c = self._comparison
        rows, cols = c.embedding_shift.shape
        row = self._layer + 1  # hidden state k is the output of layer k
        self._layer_outline.setRect(QtCore.QRectF(-0.5, row - 0.5, cols, 1))
        self._layer_outline.show()
        best = c.most_shifted(row, words_only=True)
        special_a = c.result_a.encoding.special
        kinds = [SPECIAL if special_a[i] else NORMAL for i, _ in c.alignment]
        if best is None:
            self._token_outline.hide()
            summary = self.tr("none moved after layer {layer}").format(layer=row)
        else:
            kinds[best] = _ONLY  # drawn bold in the highlight colour
            self._token_outline.setRect(QtCore.QRectF(best - 0.5, -0.5, 1, rows))
            self._token_outline.show()
            summary = self.tr("most after layer {layer}: “{token}” ({shift})").format(
                layer=row, token=c.shared_display[best], shift=f"{c.embedding_shift[row, best]:.3f}"
            )
        self._shift_axis.set_tokens(list(c.shared_display), kinds)
        self.shift_summary = summary
        # A long title would widen the plot's middle column past the widget and clip the colour bar.
        self.shift_plot.setTitle(self.tr(SHIFT_TITLE) + " · " + summary, color=self._fg.name(), size="11pt")

    def _set_titles(self) -> None:
        fg = self._fg.name()
        if self._mean:
            where = self.tr("layer {layer} · mean of heads").format(layer=self._layer + 1)
        else:
            where = self.tr("layer {layer} · head {head}").format(layer=self._layer + 1, head=self._head + 1)
        self.plot_a.setTitle(f"A · {where}", color=fg, size="11pt")
        self.plot_b.setTitle(f"B · {where}", color=fg, size="11pt")
        self.plot_diff.setTitle(self.tr("B − A · shared tokens"), color=fg, size="11pt")
        if self._renormalize:
            label = self.tr("B − A, rows re-normalised over shared tokens")
        else:
            label = self.tr("B − A attention weight")
        self.diff_colorbar.getAxis("left").setLabel(label)
        if self._comparison is None:
            self.shift_plot.setTitle(self.tr(SHIFT_TITLE), color=fg, size="11pt")

    # ---- mouse ------------------------------------------------------------------------------------------------

    def _cell(self, plot: pg.PlotItem, scene_pos, shape) -> tuple[int, int] | None:
        if not plot.vb.sceneBoundingRect().contains(scene_pos):
            return None
        p = plot.vb.mapSceneToView(scene_pos)
        row, col = math.floor(p.y() + 0.5), math.floor(p.x() + 0.5)
        return (row, col) if 0 <= row < shape[0] and 0 <= col < shape[1] else None

    def hover_text(self, which: str, row: int, col: int) -> str:
        """What the cell (row, col) of heatmap `which` ("a", "b" or "diff") shows, in words."""
        c, m = self._comparison, self._matrices
        if c is None or m is None:
            return ""
        if which in ("a", "b"):
            tokens = c.display_a if which == "a" else c.display_b
            weight = float((m[0] if which == "a" else m[1])[row, col])
            return f"{which.upper()}: “{tokens[row]}” → “{tokens[col]}”: {format_weight(weight)}"
        (ia, ib), (ja, jb) = c.alignment[row], c.alignment[col]
        tokens = c.shared_display
        before, after = float(m[0][ia, ja]), float(m[1][ib, jb])
        extra = "  " + self.tr("(rows re-normalised)") if self._renormalize else ""
        return (
            f"“{tokens[row]}” → “{tokens[col]}”: A {format_weight(before)}, B {format_weight(after)}, "
            f"B − A {float(m[2][row, col]):+.3f}{extra}"
        )

    def _on_attention_hover(self, scene_pos) -> None:
        if self._matrices is None:
            return
        plots = (self.plot_a, self.plot_b, self.plot_diff)
        for which, plot, matrix, outline in zip(("a", "b", "diff"), plots, self._matrices, self._hovers, strict=True):
            cell = self._cell(plot, scene_pos, matrix.shape)
            if cell is None:
                outline.hide()
                continue
            outline.setRect(QtCore.QRectF(cell[1] - 0.5, cell[0] - 0.5, 1, 1))
            outline.show()
            self.readout_label.setText(self.hover_text(which, *cell))

    def _on_shift_hover(self, scene_pos) -> None:
        c = self._comparison
        if c is None or not c.alignment:
            return
        cell = self._cell(self.shift_plot, scene_pos, c.embedding_shift.shape)
        if cell is not None:
            row, col = cell
            if row == 0:
                text = self.tr("“{token}” in the embeddings: 1 − cos = {shift}")
            else:
                text = self.tr(
                    "“{token}” after layer {layer}: 1 − cos = {shift}   · click to show this layer's attention"
                )
            shift = f"{c.embedding_shift[row, col]:.4f}"
            self.readout_label.setText(text.format(token=c.shared_display[col], layer=row, shift=shift))

    def _on_shift_clicked(self, event) -> None:
        c = self._comparison
        if c is None or event.button() != QtCore.Qt.MouseButton.LeftButton:
            return
        cell = self._cell(self.shift_plot, event.scenePos(), c.embedding_shift.shape)
        if cell is not None and cell[0] > 0:
            self.set_selection(cell[0] - 1, -1 if self._mean else self._head)

    # ---- export -----------------------------------------------------------------------------------------------

    def export_png(self, path: str | Path, which: str = "attention", width: int = 1600) -> None:
        """The three attention heatmaps ("attention") or the embedding-shift map ("shift") as a PNG."""
        if self._comparison is None:
            raise ValueError("nothing compared yet")
        item = self.attention_widget.ci if which == "attention" else self.shift_plot
        export_item_png(item, path, width)

    def export_formats(self) -> list[tuple[str, str]]:
        return [
            (self.tr("Attention heatmaps as PNG…"), "attention.png"),
            (self.tr("Embedding shift as PNG…"), "shift.png"),
        ]

    def export_name(self, kind: str) -> str:
        return f"compare_{kind.split('.')[0]}_l{self._layer + 1}.png"

    def writer(self, kind: str):
        return lambda path: self.export_png(path, kind.split(".")[0])
