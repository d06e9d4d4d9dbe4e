"""Attention: one layer/head as a token × token heatmap, and every layer × head at once (the model view).

Renders from an InferenceResult's arrays only (re-slicing the cached (L, H, T, T) array, or what
analysis/numeric/measures.py derives from it, computed when first shown): raw, value-weighted (Kobayashi et al.
2020) and rolled-out (Abnar & Zuidema 2020) attention; thumbnails fill a slice at a time, so 512 tokens never
freeze the window. The title names layers that share weights (ALBERT); a local window is outlined (ModernBERT).
"""

from __future__ import annotations

import contextlib
import logging
import math
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtWidgets

from bertviz_app.analysis.numeric.measures import MeasureCache, Mosaic
from bertviz_app.analysis.numeric.slicing import within_slice
from bertviz_app.ui import theme, token_axis
from bertviz_app.ui.attention_measures import (
    COLORBAR_LABELS,
    GRID_TITLES,
    MEASURE_LABELS,
    MEASURE_NAMES,
    MEASURE_TIPS,
    MEASURES,
    ROLLOUT_HEAD_TIP,
    axis_titles,
    cell_note,
    heatmap_title,
    parse_view_arg,
    structure_note,
    tile_readout,
    translated,
)
from bertviz_app.ui.colormaps import COLORMAPS, DEFAULT_COLORMAP, colormap_label, make_colormap
from bertviz_app.ui.exporting import export_item_png, export_item_svg, write_matrix_csv, write_result_npz
from bertviz_app.ui.layer_head_grid import LayerHeadGrid
from bertviz_app.ui.plot_items import OutlineItem, WindowOutline, format_weight, heatmap_plot
from bertviz_app.ui.token_axis import MASKED, MASKED_COLOR, SELECTED_COLOR, TokenAxis, token_kinds, token_labels
from bertviz_app.ui.view import View, blocked, read_only

if TYPE_CHECKING:
    from bertviz_app.analysis.inference import InferenceResult

WORK_SLICE_S = 0.015  # longest stretch of derived-matrix work between two turns of the event loop

log = logging.getLogger(__name__)


class AttentionPanel(token_axis.WordsView, View):
    """Attention heatmap for one layer and head (or the mean over heads) beside the every-layer × head grid,
    under one of three measures (raw attention, value-weighted, rollout). Layers and heads are 0-based in the
    API (indices into result.attention) and shown 1-based on screen."""

    selection_changed = QtCore.Signal(int, int)  # (layer, head); head is -1 for the mean over heads
    colormap_changed = QtCore.Signal(str)
    head_toggled = QtCore.Signal(int, int)  # (layer, head): knock it out, or switch it back on

    def __init__(self, controller=None, selection=None, parent: QtWidgets.QWidget | None = None):
        super().__init__(controller, selection, parent)
        self.empty_message = self.tr("No sentence yet: type one to see where each token looks.")
        self._cache: MeasureCache | None = None
        self._kinds: list[int] = []
        self._layer = 0
        self._head = 0
        self._mean = False
        self._measure = "attention"  # the user's choice; see shown_measure for what is on screen
        self._matrix: np.ndarray | None = None
        self._pending = False  # the heatmap waits for rollout layers still being computed
        self._selected_token: int | None = None
        self._cmap_name = DEFAULT_COLORMAP
        self._mosaics: dict[str, Mosaic] = {}
        self._work: Iterator[None] | None = None
        self._work_timer = QtCore.QTimer(self)
        self._work_timer.setInterval(0)
        self._work_timer.timeout.connect(self._run_work)
        self._context_menu: QtWidgets.QMenu | None = None
        self._last_emitted: tuple[int, int] | None = None
        self._axis_labels: tuple[str, ...] = ()
        self._build()
        self._apply_palette()
        self._update_measure_controls()
        self._set_titles()
        self.selection_changed.connect(self.selection.set_head)  # the neuron view follows, and the other way
        if controller is not None:
            self.head_toggled.connect(controller.toggle_head)
        self.clear(self.empty_message)

    # ---- construction -------------------------------------------------------------------------------------
    def _build(self) -> None:
        controls = self.controls
        self.measure_combo = QtWidgets.QComboBox()
        for i, key in enumerate(MEASURES):
            self.measure_combo.addItem(translated(MEASURE_LABELS[key]), key)
            self.measure_combo.setItemData(i, translated(MEASURE_TIPS[key]), QtCore.Qt.ItemDataRole.ToolTipRole)
        self.measure_combo.setToolTip(self.tr("What the heatmap and the model view show"))
        self.measure_combo.setSizeAdjustPolicy(QtWidgets.QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.layer_spin, self.head_spin = self.layer_head_spins(
            self.tr("Which transformer layer's attention to show (1 = closest to the input)")
        )
        self.mean_check = QtWidgets.QCheckBox(self.tr("Mean over heads"))
        self.colormap_combo = QtWidgets.QComboBox()
        for name in COLORMAPS:  # the settings keep the name (the item's data), whatever the language shows
            self.colormap_combo.addItem(colormap_label(name), name)
        self.colormap_combo.setToolTip(self.tr("Colour map of the heatmaps"))
        for w in (self.measure_combo, self.layer_spin, self.head_spin, self.mean_check):
            controls.addWidget(w)
        controls.addSpacing(12)
        controls.addWidget(QtWidgets.QLabel(self.tr("Colours")))
        controls.addWidget(self.colormap_combo)
        self.add_export_button()
        self._npz_action = self.export_button.menu().actions()[-1]
        self.needs_result(self.layer_spin, self.head_spin, self.mean_check)
        content_layout = self.content_layout
        self._splitter = QtWidgets.QSplitter(QtCore.Qt.Orientation.Horizontal)
        self._splitter.setChildrenCollapsible(False)

        # Main heatmap.
        self.heatmap_widget = pg.GraphicsLayoutWidget()
        self.heatmap_widget.ci.layout.setContentsMargins(4, 4, 8, 4)
        self._left_axis = TokenAxis("left")
        self._bottom_axis = TokenAxis("bottom")
        self.heatmap_plot, self.heatmap_image = heatmap_plot(self._left_axis, self._bottom_axis, zoom=True)
        self.add_words_button("attention", (self._left_axis, self._bottom_axis), attention=True)
        self.heatmap_widget.addItem(self.heatmap_plot)
        plot = self.heatmap_plot
        self.colorbar = pg.ColorBarItem(
            values=(0.0, 1.0),
            colorMap=make_colormap(self._cmap_name),
            width=14,
            interactive=False,
            colorMapMenu=False,
            label=translated(COLORBAR_LABELS["attention"]),
        )
        self.colorbar.setImageItem(self.heatmap_image, insert_in=plot)
        self.window_outline = WindowOutline(plot)  # where a local attention window ends (ModernBERT)
        self._row_outline = OutlineItem()
        self._col_outline = OutlineItem()
        self._hover_outline = OutlineItem(width=1.0)
        for item in (self._row_outline, self._col_outline, self._hover_outline):
            item.setZValue(10)
            item.hide()
            plot.vb.addItem(item, ignoreBounds=True)
        self.heatmap_widget.scene().sigMouseMoved.connect(self._on_heatmap_mouse_moved)
        self.heatmap_widget.scene().sigMouseClicked.connect(self._on_heatmap_clicked)
        self._splitter.addWidget(self.heatmap_widget)

        # Model view: every layer × head (or every layer, for rollout) as one mosaic image.
        self.grid = LayerHeadGrid(compact=True, colormap=make_colormap(self._cmap_name))
        self.grid.setToolTip(
            self.tr("Click a head to show it, right-click to knock it out; arrow keys and Space work too")
        )
        self.grid.clicked.connect(self._on_grid_tile_clicked)
        self.grid.context_requested.connect(self._on_grid_context_requested)
        self.grid.hovered.connect(self._on_grid_hovered)
        self._splitter.addWidget(self.grid)
        self._splitter.setStretchFactor(0, 3)
        self._splitter.setStretchFactor(1, 2)
        content_layout.addWidget(self._splitter, 1)

        self.legend_label = self.add_readout()

        self.measure_combo.currentIndexChanged.connect(
            lambda i: self.set_measure(self.measure_combo.itemData(i)) if i >= 0 else None
        )
        self.mean_check.toggled.connect(self._on_controls_changed)
        self.colormap_combo.currentIndexChanged.connect(
            lambda i: self.set_colormap(self.colormap_combo.itemData(i)) if i >= 0 else None
        )

    def _apply_palette(self) -> None:
        bg, fg, grey = theme.plot_colors(self)
        self._fg, self._grey = fg, grey
        self.heatmap_widget.setBackground(bg)
        for plot in (self.heatmap_plot, self.colorbar):
            for side in ("left", "bottom", "top", "right"):
                axis = plot.getAxis(side)
                axis.setPen(fg)
                axis.setTextPen(fg)
        for axis in (self._left_axis, self._bottom_axis):
            axis.set_colors(fg, grey)
        masked, special, selected = self.tr("masked"), self.tr("special"), self.tr("selected")
        off = self.tr("head knocked out")
        self.legend_label.setText(
            f"<span style='color:{MASKED_COLOR}'><b>■ {masked}</b></span>&nbsp;&nbsp;"
            f"<span style='color:{grey.name()}'>■ {special}</span>&nbsp;&nbsp;"
            f"<span style='color:{SELECTED_COLOR}'><b>■ {selected}</b></span>&nbsp;&nbsp;<b>✕</b> {off}"
        )
        self._set_axis_labels()

    def changeEvent(self, event: QtCore.QEvent) -> None:
        if event.type() == QtCore.QEvent.Type.PaletteChange:
            self._apply_palette()
            self._set_titles()
        super().changeEvent(event)

    def _set_axis_labels(self) -> None:
        fg = self._fg.name()
        left, bottom = axis_titles(self.shown_measure)
        labels = (left, bottom, translated(COLORBAR_LABELS[self.shown_measure]), fg)
        if labels == self._axis_labels:  # setLabel re-lays out rich text: ~3 ms each, on every measure switch
            return
        self._axis_labels = labels
        self.heatmap_plot.setLabel("left", left, color=fg)
        self.heatmap_plot.setLabel("bottom", bottom, color=fg)
        self.colorbar.getAxis("left").setLabel(labels[2], color=fg)

    def _set_titles(self) -> None:
        fg, measure, cache = self._fg.name(), self.shown_measure, self._cache
        layers = cache.num_layers if cache is not None else None
        title = heatmap_title(measure, self._layer, -1 if self._mean else self._head, self._knocked_out(), layers)
        if measure != "rollout" and self._result is not None:  # (a rollout's layer is "through layer n")
            title += structure_note(self._layer, self._result.layer_weights, self._result.attention_windows)
        title += self.words_note()
        if self._pending and cache is not None:
            done = self.tr("computing… ({done} of {layers} layers)")
            title += " · " + done.format(done=cache.rollout_layers_done(), layers=cache.num_layers)
        self.heatmap_plot.setTitle(title, color=fg, size="12pt")
        self.grid.set_title(translated(GRID_TITLES[measure]))

    # ---- data in ------------------------------------------------------------------------------------------
    def show_result(self, result: InferenceResult) -> None:
        """Show a new result's attention (keeps the layer/head and measure when the new model has them)."""
        self._stop_work()
        self._mosaics.clear()
        self._kinds = token_kinds(result)
        if self._selected_token is not None and self._selected_token >= len(result.tokens):
            self._selected_token = None
        att = result.attention
        if att is None or att.ndim != 4 or att.shape[0] == 0 or att.shape[1] == 0:
            self._cache = None
            self._matrix = None
            self._show_message(self.tr("This result has no attention weights."))
            return
        self._cache = MeasureCache(att, result.value_norms)
        num_layers, num_heads = att.shape[:2]
        self._layer = min(self._layer, num_layers - 1)
        self._head = min(self._head, num_heads - 1)
        self.show_layer_head(num_layers, num_heads, self._layer, self._head)
        with blocked(self.mean_check):
            self.mean_check.setChecked(self._mean)  # prepare_view may have chosen it before any result
        for w in (self.measure_combo, self.layer_spin, self.colormap_combo, self.export_button):
            w.setEnabled(True)

        tokens = token_labels(result)
        t = len(tokens)
        for axis in (self._left_axis, self._bottom_axis):
            axis.set_tokens(tokens, self._kinds)
            axis.set_selected(self._selected_token)
        plot = self.heatmap_plot
        plot.vb.setLimits(xMin=-0.5, xMax=t - 0.5, yMin=-0.5, yMax=t - 0.5, minXRange=1, minYRange=1)
        plot.vb.setRange(xRange=(-0.5, t - 0.5), yRange=(-0.5, t - 0.5), padding=0)

        self._show_content()
        self._show_measure()

    def reset(self) -> None:
        self._stop_work()
        self._cache = None
        self._matrix = None
        self._pending = False
        self._mosaics.clear()
        self.heatmap_image.clear()
        self.grid.clear()
        for axis in (self._left_axis, self._bottom_axis):
            axis.set_tokens([], [])

    def prepare_view(self, arg: str) -> None:
        """The command line's --view-arg: MEASURE[:LAYER[:HEAD]], e.g. "rollout", "rollout:6", "value:3:5" or
        "value:3:mean"; MEASURE is attention, value or rollout, LAYER and HEAD count from 1 as on screen. Kept
        until the result arrives (the model may still be loading); what does not parse is logged and skipped."""
        measure, layer, head, mean = parse_view_arg(arg, self._layer, self._head)
        if measure is not None:
            self.set_measure(measure)
        if layer is None:
            return
        if self._cache is None:  # set_result keeps (and clamps) the choice
            self._layer, self._mean = layer, mean
            self._head = self._head if mean else head
            return
        try:
            self.set_selection(layer, head)
        except IndexError as exc:
            log.warning("attention view: %s", exc)

    # ---- measure ------------------------------------------------------------------------------------------
    @property
    def measure(self) -> str:
        """The measure chosen (a key of MEASURES); kept across results."""
        return self._measure

    @property
    def shown_measure(self) -> str:
        """The measure on screen: the chosen one, or raw attention when this result cannot give it (a result
        without value norms has no value-weighted attention)."""
        if self._cache is not None and not self._cache.available(self._measure):
            return "attention"
        return self._measure

    def set_measure(self, measure: str) -> None:
        if measure not in MEASURES:
            raise ValueError(f"unknown measure {measure!r}; choose one of {', '.join(MEASURES)}")
        self._measure = measure
        if self._cache is not None:
            self._show_measure()
        else:
            self._update_measure_controls()

    def _update_measure_controls(self) -> None:
        shown = self.shown_measure
        rollout = shown == "rollout"
        have = self._cache is not None
        with QtCore.QSignalBlocker(self.measure_combo):
            self.measure_combo.setCurrentIndex(MEASURES.index(shown))
        item = self.measure_combo.model().item(MEASURES.index("value"))
        has_norms = self._cache is None or self._cache.available("value")
        item.setEnabled(has_norms)
        no_norms = self.tr("This result has no value vectors to weight by.")
        item.setToolTip(translated(MEASURE_TIPS["value"]) if has_norms else no_norms)
        self.mean_check.setEnabled(have and not rollout)
        self.head_spin.setEnabled(have and not rollout and not self._mean)
        rollout_tip = translated(ROLLOUT_HEAD_TIP)
        self.head_spin.setToolTip(rollout_tip if rollout else self.tr("Which attention head of that layer"))
        self.mean_check.setToolTip(
            rollout_tip if rollout else self.tr("Average the attention of every head in the layer")
        )
        self._npz_action.setText(self.tr("All layers as NPZ…") if rollout else self.tr("All layers and heads as NPZ…"))
        self._set_axis_labels()

    def _show_measure(self) -> None:
        """Put the shown measure's heatmap and model view on screen (after a new result or measure)."""
        self._update_measure_controls()
        measure, cache = self.shown_measure, self._cache
        if measure not in self._mosaics:
            rows, cols = cache.grid_shape(measure)
            self._mosaics[measure] = Mosaic(rows, cols, len(self._result.tokens), cache.tile_count(measure))
        mosaic = self._mosaics[measure]
        names = None
        if measure == "rollout":  # one tile per layer, wrapped into a block: each tile carries its layer's name
            names = {cache.tile_position(measure, layer, -1): f"L{layer + 1}" for layer in range(cache.num_layers)}
        self.grid.show(mosaic, names)
        self._update_knockout_marks()
        self._stop_work()
        if not mosaic.complete:
            self._work = self._cache.fill(mosaic, measure)
        self._render()  # what the heatmap needs comes first; a pending rollout has used this turn's slice
        if self._work is not None and not self._pending:
            self._run_work()  # small inputs finish here, so the model view appears with the heatmap

    # ---- derived work, a slice at a time ------------------------------------------------------------------
    def _run_work(self) -> None:
        """One slice of model-view (and rollout) work, then back to the event loop."""
        if self._work is None:
            self._work_timer.stop()
            return
        finished = False
        try:
            within_slice(lambda: next(self._work), WORK_SLICE_S)
        except StopIteration:
            finished = True
        self.grid.update_image()
        if finished:
            self._stop_work()
        elif not self._work_timer.isActive():
            self._work_timer.start()
        if self._pending:
            self._render()

    def _stop_work(self) -> None:
        self._work = None
        self._work_timer.stop()

    @property
    def busy(self) -> bool:
        """Whether derived matrices for the model view or heatmap are still being computed (or the attention
        pooled to words, on the worker)."""
        return self._work is not None or self._pending or self.pooling_words

    # ---- selection ----------------------------------------------------------------------------------------
    layer = read_only("_layer")

    @property
    def head(self) -> int:
        """The selected head (0-based); see mean_over_heads for whether it is shown."""
        return self._head

    mean_over_heads = read_only("_mean")

    colormap_name = read_only("_cmap_name")

    selected_token = read_only("_selected_token")

    def set_selection(self, layer: int, head: int | None) -> None:
        """Show `layer` and `head` (0-based); head None or -1 shows the mean over the layer's heads."""
        mean = head is None or head < 0
        if self._cache is not None:
            num_layers, num_heads = self._cache.num_layers, self._cache.num_heads
            if not 0 <= layer < num_layers:
                raise IndexError(f"layer {layer} out of range (the model has {num_layers})")
            if not mean and not 0 <= head < num_heads:
                raise IndexError(f"head {head} out of range (each layer has {num_heads})")
        self._layer = layer
        if not mean:
            self._head = head
        self._mean = mean
        with blocked(self.layer_spin, self.head_spin, self.mean_check):
            self.layer_spin.setValue(self._layer + 1)
            self.head_spin.setValue(self._head + 1)
            self.mean_check.setChecked(self._mean)
        self.head_spin.setEnabled(not self._mean and self._cache is not None and self.shown_measure != "rollout")
        self._render()

    def follow_head(self, layer: int, head: int) -> None:
        if head >= 0 and not self._mean and (layer, head) != (self._layer, self._head):
            with contextlib.suppress(IndexError):  # a head of another model: ignored
                self.set_selection(layer, head)

    def set_mean_over_heads(self, mean: bool) -> None:
        self.set_selection(self._layer, -1 if mean else self._head)

    def _on_controls_changed(self, *_args) -> None:
        head = -1 if self.mean_check.isChecked() else self.head_spin.value() - 1
        self.set_selection(self.layer_spin.value() - 1, head)

    def set_colormap(self, name: str) -> None:
        cmap = make_colormap(name)
        changed = name != self._cmap_name
        self._cmap_name = name
        with QtCore.QSignalBlocker(self.colormap_combo):
            self.colormap_combo.setCurrentIndex(self.colormap_combo.findData(name))
        self.colorbar.setColorMap(cmap)
        self.grid.set_colormap(cmap)
        if changed:
            self.colormap_changed.emit(name)

    def set_selected_token(self, index: int | None) -> None:
        """Outline token `index`'s row and column (None or -1: no token)."""
        if index is not None and (index < 0 or (self._result is not None and index >= len(self._result.tokens))):
            index = None
        self._selected_token = index
        for axis in (self._left_axis, self._bottom_axis):
            axis.set_selected(index)
        self._update_token_outline()

    def _knocked_out(self) -> frozenset[tuple[int, int]]:
        return self._result.knocked_out if self._result is not None else frozenset()

    # ---- rendering ----------------------------------------------------------------------------------------
    def current_matrix(self) -> np.ndarray | None:
        """The (T, T) matrix of the current measure, layer and head (or mean over heads); computed now if it
        is not yet (a rollout still being filled in)."""
        if self._cache is None:
            return None
        return self._cache.matrix(self.shown_measure, self._layer, None if self._mean else self._head)

    def _render(self) -> None:
        if self._cache is None:
            self._matrix = None
            return
        measure = self.shown_measure
        if not self._cache.ready(measure, self._layer):
            # Rollout needs every layer below: compute what fits in one slice now, leave the rest to the pump.
            cache, layer = self._cache, self._layer
            within_slice(lambda: cache.advance_rollout() and not cache.ready(measure, layer), WORK_SLICE_S)
        self._pending = not self._cache.ready(measure, self._layer)
        if self._pending:
            self._matrix = None
            self.heatmap_image.clear()
            self._set_titles()
            self._update_grid_outline()
            self._update_token_outline()
            if self._work is None:  # e.g. the model view of this measure is complete but this layer is not
                self._work = self._cache.fill(self._mosaics[measure], measure)
            if not self._work_timer.isActive():
                self._work_timer.start()
            return
        matrix = self.current_matrix()
        self._matrix = matrix
        peak = float(matrix.max()) if matrix.size else 0.0
        top = peak if peak > 0 else 1.0
        self.heatmap_image.setImage(matrix, autoLevels=False)
        self.colorbar.setLevels((0.0, top))
        self._set_titles()
        self._update_grid_outline()
        self._update_token_outline()
        self.window_outline.show_window(
            len(matrix), () if measure == "rollout" else self._result.attention_windows, self._layer
        )
        key = (self._layer, -1 if self._mean else self._head)
        if key != self._last_emitted:
            self._last_emitted = key
            self.selection_changed.emit(*key)

    def _update_grid_outline(self) -> None:
        if self._cache is None:
            self.grid.hide_outline()
        elif self._mean and self.shown_measure != "rollout":  # the whole row of heads
            self.grid.outline_tile(self._layer, None)
        else:
            self.grid.outline_tile(*self._cache.tile_position(self.shown_measure, self._layer, self._head))

    def _update_knockout_marks(self) -> None:
        """A dimmed tile with a × for each knocked-out head; none for rollout (its tiles are whole layers)."""
        cache, off = self._cache, []
        if cache is not None and self.shown_measure != "rollout":
            off = [(la, h) for la, h in sorted(self._knocked_out()) if la < cache.num_layers and h < cache.num_heads]
        self.grid.set_knocked_out(off)

    @property
    def marked_heads(self) -> frozenset[tuple[int, int]]:
        """The (layer, head) tiles of the model view marked as knocked out."""
        return self.grid.knocked_out()

    def _update_token_outline(self) -> None:
        i = self._selected_token
        if i is None or self._matrix is None:
            self._row_outline.hide()
            self._col_outline.hide()
            return
        t = self._matrix.shape[0]
        self._row_outline.setRect(QtCore.QRectF(-0.5, i - 0.5, t, 1))
        self._col_outline.setRect(QtCore.QRectF(i - 0.5, -0.5, 1, t))
        self._row_outline.show()
        self._col_outline.show()

    # ---- mouse --------------------------------------------------------------------------------------------
    def cell_at(self, scene_pos: QtCore.QPointF) -> tuple[int, int] | None:
        """The heatmap cell (row = query, col = key) under a scene position of the heatmap, if any."""
        if self._matrix is None or not self.heatmap_plot.vb.sceneBoundingRect().contains(scene_pos):
            return None
        p = self.heatmap_plot.vb.mapSceneToView(scene_pos)
        row, col = math.floor(p.y() + 0.5), math.floor(p.x() + 0.5)
        t = self._matrix.shape[0]
        return (row, col) if 0 <= row < t and 0 <= col < t else None

    def hover_text(self, row: int, col: int) -> str:
        """ "'cat' → 'sat': 0.314": how much query token `row` attends to key token `col` on screen now."""
        if self._matrix is None or self._result is None:
            return ""
        tokens = token_labels(self._result)
        weight = float(self._matrix[row, col])

        def describe(i: int) -> str:
            return f"'{tokens[i]}'"

        masked = [i for i in (row, col) if self._kinds[i] == MASKED]
        note = cell_note(self.shown_measure, row, col, self._layer, -1 if self._mean else self._head, masked)
        return f"{describe(row)} → {describe(col)}: {format_weight(weight)}   ({note})"

    def _on_heatmap_mouse_moved(self, scene_pos: QtCore.QPointF) -> None:
        cell = self.cell_at(scene_pos)
        self.token_hovered.emit(-1 if cell is None else cell[0])  # the attending token's row: the laser's
        if cell is None:
            self._hover_outline.hide()
            return
        row, col = cell
        self._hover_outline.setRect(QtCore.QRectF(col - 0.5, row - 0.5, 1, 1))
        self._hover_outline.show()
        self.readout_label.setText(self.hover_text(row, col))

    def _on_heatmap_clicked(self, event) -> None:
        if event.button() != QtCore.Qt.MouseButton.LeftButton:
            return
        if event.double():
            self.heatmap_plot.vb.autoRange(padding=0)
            return
        cell = self.cell_at(event.scenePos())
        if cell is not None:
            self.set_selected_token(cell[0])
            self.token_selected.emit(cell[0])

    def grid_cell_at(self, pos: QtCore.QPointF) -> tuple[int, int] | None:
        """The (layer, head) of the model-view tile at a position in the grid widget, if any; head is -1 for
        rollout (one tile per layer, for all heads)."""
        tile = self.grid.cell_at(pos)
        return None if tile is None else self._tile_head(*tile)

    def _tile_head(self, row: int, col: int) -> tuple[int, int] | None:
        return None if self._cache is None else self._cache.tile_at(self.shown_measure, row, col)

    def grid_cell_center(self, layer: int, head: int) -> QtCore.QPointF:
        """Position in the grid widget of the centre of a model-view tile (for tests and tooltips); for
        rollout, of the layer's one tile (head is ignored)."""
        row, col = self._cache.tile_position(self.shown_measure, layer, head) if self._cache else (layer, head)
        return self.grid.tile_center(row, col)

    def _on_grid_tile_clicked(self, row: int, col: int) -> None:
        """Show the layer/head of a model-view tile (the layer only, for rollout)."""
        cell = self._tile_head(row, col)
        if cell is not None:
            self.set_selection(cell[0], cell[1] if cell[1] >= 0 else -1 if self._mean else self._head)

    def head_menu(self, layer: int, head: int) -> QtWidgets.QMenu:
        """The context menu of one head's tile: knock it out, or switch it back on (emits head_toggled)."""
        menu = QtWidgets.QMenu(self)
        off = (layer, head) in self._knocked_out()
        if off:
            text = self.tr("Switch this head back on (layer {layer}, head {head})")
        else:
            text = self.tr("Knock out this head (layer {layer}, head {head})")
        action = menu.addAction(text.format(layer=layer + 1, head=head + 1))
        action.setData("on" if off else "off")
        action.triggered.connect(lambda _=False: self.head_toggled.emit(layer, head))
        menu.addAction(self.tr("Show this head"), lambda: self.set_selection(layer, head))
        return menu

    def _on_grid_context_requested(self, row: int, col: int, screen_pos: QtCore.QPoint) -> None:
        """The head menu of a tile (none for rollout's tiles: they are whole layers)."""
        cell = self._tile_head(row, col)
        if cell is None or cell[1] < 0:
            return
        if self._context_menu is not None:
            self._context_menu.close()
            self._context_menu.deleteLater()
        self._context_menu = self.head_menu(*cell)
        self._context_menu.popup(screen_pos)

    def _on_grid_hovered(self, row: int, col: int) -> None:
        cell = self._tile_head(row, col) if row >= 0 else None
        if cell is None:
            return
        layer, head = cell
        self.readout_label.setText(tile_readout(layer, head, (layer, head) in self._knocked_out()))

    # ---- export -------------------------------------------------------------------------------------------
    def export_png(self, path: str | Path, width: int = 1400) -> None:
        """The heatmap (with labels, title naming the measure, and colour bar) as a PNG, `width` pixels wide."""
        export_item_png(self.heatmap_plot, path, width)

    def export_svg(self, path: str | Path) -> None:
        """The heatmap (with labels, title naming the measure, and colour bar) as SVG."""
        export_item_svg(self.heatmap_plot, path, MEASURE_NAMES[self.shown_measure].capitalize())

    def _matrix_caption(self) -> str:
        measure = self.shown_measure
        if measure == "rollout":
            return f"{MEASURE_NAMES[measure]}, through layer {self._layer + 1} (position \\ input token)"
        which = "mean of heads" if self._mean else f"head {self._head + 1}"
        return f"{MEASURE_NAMES[measure]}, layer {self._layer + 1}, {which} (query \\ key)"

    def export_attention_csv(self, path: str | Path) -> None:
        """The matrix on screen: a header row naming the measure and the key tokens, then one row per query."""
        matrix = self.current_matrix()
        if matrix is None or self._result is None:
            raise ValueError("no attention to export")
        write_matrix_csv(path, self._matrix_caption(), list(self._result.tokens), matrix)

    def export_attention_npz(self, path: str | Path) -> None:
        """Every layer (and head) of the shown measure: `attention` (L, H, T, T) always; `value_weighted`
        (L, H, T, T) with `value_norms` (L, H, T), or `rollout` (L, T, T), when that is shown; `measure` names
        it. Also tokens, masked positions, special flags, segments and the knocked-out heads."""
        if self._cache is None or self._result is None:
            raise ValueError("no attention to export")
        measure = self.shown_measure
        arrays = {"attention": self._cache.attention}
        if measure == "value":
            arrays["value_weighted"] = self._cache.everything("value")
            arrays["value_norms"] = self._cache.value_norms
        elif measure == "rollout":
            arrays["rollout"] = self._cache.everything("rollout")
        write_result_npz(path, self._result, measure=np.array(MEASURE_NAMES[measure]), **arrays)

    def export_formats(self) -> list[tuple[str, str]]:
        return [
            (self.tr("Heatmap as PNG…"), "png"),
            (self.tr("Heatmap as SVG…"), "svg"),
            (self.tr("This matrix as CSV…"), "csv"),
            (self.tr("All layers and heads as NPZ…"), "npz"),
        ]

    def export_name(self, kind: str) -> str:
        measure = self.shown_measure
        stem = {"attention": "attention", "value": "value_weighted", "rollout": "rollout"}[measure]
        which = "" if measure == "rollout" else "_mean" if self._mean else f"_h{self._head + 1}"
        return f"{stem}_l{self._layer + 1}{which}.{kind}" if kind != "npz" else f"{stem}.npz"

    def writer(self, kind: str):
        return {
            "png": self.export_png,
            "svg": self.export_svg,
            "csv": self.export_attention_csv,
            "npz": self.export_attention_npz,
        }[kind]
