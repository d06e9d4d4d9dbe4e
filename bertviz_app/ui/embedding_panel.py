"""Embeddings: the tokens' hidden states at one layer in 2-D (PCA), or one token's path through the layers.

Renders from result.hidden_states only, through the numpy-only bertviz_app.analysis.numeric.projection. Projections
are cached per result, so moving the layer slider or selecting another token never recomputes much and
never runs the model.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtGui, QtWidgets

from bertviz_app.analysis.numeric.projection import LayerProjection, TrajectorySpace, project_layer, trajectory_space
from bertviz_app.ui import theme, token_axis
from bertviz_app.ui.exporting import export_item_png, export_item_svg
from bertviz_app.ui.plot_items import plot_widget
from bertviz_app.ui.token_axis import MASKED_COLOR, SELECTED_COLOR
from bertviz_app.ui.view import View, read_only

if TYPE_CHECKING:
    from bertviz_app.analysis.inference import InferenceResult

SEGMENT_COLORS = ("#1c7ed6", "#0ca678")  # sentence A blue, sentence B teal
LABEL_ALL_LIMIT = 80  # above this many points only masked and selected tokens are labelled (hover shows the rest)
LAYER_MODE, TRAJECTORY_MODE = "layer", "trajectory"


class EmbeddingPanel(token_axis.WordsView, View):
    """Scatter plot of hidden states in 2-D; click a token to select it, or follow one through the layers.

    Layer indices are hidden-state indices: 0 = the embeddings, k = the output of transformer layer k.
    """

    layer_changed = QtCore.Signal(int)
    mode_changed = QtCore.Signal(str)  # "layer" or "trajectory"

    def __init__(self, controller=None, selection=None, parent: QtWidgets.QWidget | None = None):
        super().__init__(controller, selection, parent)
        self._hidden: np.ndarray | None = None
        self._special = np.zeros(0, dtype=bool)
        self._masked = np.zeros(0, dtype=bool)
        self._segments = np.zeros(0, dtype=int)
        self._layer = 0
        self._mode = LAYER_MODE
        self._selected: int | None = None
        self._layer_cache: dict[tuple[int, bool], LayerProjection] = {}
        self._space_cache: dict[bool, TrajectorySpace] = {}
        self._shown: np.ndarray = np.zeros(0, dtype=int)  # token indices drawn as points in layer mode
        self._coords: np.ndarray = np.zeros((0, 2))  # (T, 2) layer-mode positions of every token
        self._path: np.ndarray | None = None  # (L+1, 2) in trajectory mode
        self._labels: list[pg.TextItem] = []
        self._layer_labels: list[pg.TextItem] = []
        self._background_of: TrajectorySpace | None = None  # the space whose points the background shows
        self._build()
        self._apply_palette()
        self.empty_message = self.tr("No sentence yet: type one to see where its tokens sit.")
        self.clear(self.empty_message)

    # ---- construction -------------------------------------------------------------------------------------

    def _build(self) -> None:
        controls = self.controls
        self.mode_combo = QtWidgets.QComboBox()
        self.mode_combo.addItem(self.tr("Tokens at one layer"), LAYER_MODE)
        self.mode_combo.addItem(self.tr("One token through the layers"), TRAJECTORY_MODE)
        self.mode_combo.setToolTip(self.tr("Show every token at one layer, or the path of the selected token"))
        self.layer_slider = QtWidgets.QSlider(QtCore.Qt.Orientation.Horizontal)
        self.layer_slider.setMinimumWidth(160)
        self.layer_slider.setPageStep(1)
        self.layer_slider.setTickPosition(QtWidgets.QSlider.TickPosition.TicksBelow)
        self.layer_slider.setTickInterval(1)
        self.layer_slider.setToolTip(self.tr("0 = the embeddings the model starts from; k = after transformer layer k"))
        self.layer_label = QtWidgets.QLabel()
        self.layer_label.setMinimumWidth(110)
        self.hide_special_check = QtWidgets.QCheckBox(self.tr("Hide [CLS]/[SEP]"))
        self.hide_special_check.setChecked(True)
        self.hide_special_check.setToolTip(
            self.tr("Special tokens often sit far from the rest and squash the picture; leave them out of the PCA")
        )
        controls.addWidget(self.mode_combo)
        controls.addSpacing(8)
        controls.addWidget(self.layer_slider, 1)
        controls.addWidget(self.layer_label)
        controls.addWidget(self.hide_special_check)
        self.add_export_button(stretch=0)
        self.add_words_button("embeddings")
        self.needs_result(self.mode_combo, self.layer_slider, self.hide_special_check)
        content_layout = self.content_layout
        self.plot_widget, self.plot = plot_widget((4, 4, 12, 4))
        # No grid: PCA axes have no units worth reading off, and pyqtgraph's translucent grid lines cost ~17 ms
        # of every repaint here (half the latency budget of a keystroke).
        tick_font = QtGui.QFont()
        for side in ("left", "bottom"):
            self.plot.getAxis(side).setStyle(tickFont=tick_font, tickTextOffset=4)
        vb = self.plot.vb

        self.background_item = pg.ScatterPlotItem(
            size=6, pen=None, hoverable=True, tip=self._background_tip, antialias=True
        )
        self.background_item.setZValue(0)
        self.path_line = pg.PlotCurveItem(antialias=True)
        self.path_line.setZValue(5)
        self.path_points = pg.ScatterPlotItem(size=13, antialias=True, hoverable=True, tip=self._path_tip)
        self.path_points.setZValue(6)
        self.scatter = pg.ScatterPlotItem(hoverable=True, tip=self._point_tip, hoverSize=16, antialias=True)
        self.scatter.setZValue(10)
        self.selection_ring = pg.ScatterPlotItem(size=24, brush=None, antialias=True)
        self.selection_ring.setZValue(20)
        self.laser_spot = pg.ScatterPlotItem(size=30, pen=None, brush=pg.mkBrush(theme.LASER), antialias=True)
        self.laser_spot.setZValue(8)  # under the points
        self.laser_token: int | None = None
        for item in (
            self.background_item,
            self.laser_spot,
            self.path_line,
            self.path_points,
            self.scatter,
            self.selection_ring,
        ):
            self.plot.addItem(item)
        self.scatter.sigClicked.connect(self._on_point_clicked)
        self.background_item.sigClicked.connect(self._on_background_clicked)
        self.scatter.sigHovered.connect(self._on_point_hovered)
        self.background_item.sigHovered.connect(self._on_background_hovered)
        self._vb = vb
        content_layout.addWidget(self.plot_widget, 1)

        self.legend_label = self.add_readout()

        self.mode_combo.currentIndexChanged.connect(lambda _i: self.set_mode(self.mode_combo.currentData()))
        self.layer_slider.valueChanged.connect(self.set_layer)
        self.hide_special_check.toggled.connect(lambda _on: self._render())

    def _apply_palette(self) -> None:
        pal = self.palette()
        bg = pal.color(QtGui.QPalette.ColorRole.Base)
        fg = pal.color(QtGui.QPalette.ColorRole.Text)
        self._bg, self._fg = bg, fg
        self._grey = theme.mix(fg, bg, 0.5)
        self._faint = theme.mix(fg, bg, 0.82)
        self.plot_widget.setBackground(bg)
        for side in ("left", "bottom", "top", "right"):
            axis = self.plot.getAxis(side)
            axis.setPen(self._grey)
            axis.setTextPen(fg)
        self.selection_ring.setPen(pg.mkPen(SELECTED_COLOR, width=3))
        self.path_line.setPen(pg.mkPen(SELECTED_COLOR, width=2.5))
        self.background_item.setBrush(pg.mkBrush(self._faint))
        self._outline_pen = pg.mkPen(bg, width=1)
        self._path_pen = pg.mkPen(bg, width=1.5)
        # kind -> (symbol, size, brush): 0 sentence A, 1 sentence B, 2 masked, 3 special
        self._point_styles = {
            0: ("o", 11, pg.mkBrush(SEGMENT_COLORS[0])),
            1: ("o", 11, pg.mkBrush(SEGMENT_COLORS[1])),
            2: ("d", 15, pg.mkBrush(MASKED_COLOR)),
            3: ("s", 10, pg.mkBrush(self._grey)),
        }
        self._layer_brushes: dict[int, list[QtGui.QBrush]] = {}
        self._update_legend()

    def _update_legend(self) -> None:
        seg_a, seg_b = SEGMENT_COLORS
        grey = self._grey.name()
        if self._mode == TRAJECTORY_MODE:
            every, chosen = self.tr("every token at every layer"), self.tr("chosen layer")
            parts = [
                f"<span style='color:{grey}'>● {every}</span>",
                "■ " + self.tr("start (embeddings) → numbers: layers"),
                f"<span style='color:{SELECTED_COLOR}'><b>○ {chosen}</b></span>",
            ]
        else:
            pair = len(self._segments) and self._segments.max() > 0
            a, b, token = self.tr("sentence A"), self.tr("sentence B"), self.tr("token")
            parts = (
                [f"<span style='color:{seg_a}'>● {a}</span>", f"<span style='color:{seg_b}'>● {b}</span>"]
                if pair
                else [f"<span style='color:{seg_a}'>● {token}</span>"]
            )
            masked, special, selected = self.tr("masked"), self.tr("special"), self.tr("selected")
            parts += [
                f"<span style='color:{MASKED_COLOR}'><b>◆ {masked}</b></span>",
                f"<span style='color:{grey}'>■ {special}</span>",
                f"<span style='color:{SELECTED_COLOR}'><b>○ {selected}</b></span>",
            ]
        self.legend_label.setText("&nbsp;&nbsp;&nbsp;".join(parts))

    def changeEvent(self, event: QtCore.QEvent) -> None:
        if event.type() == QtCore.QEvent.Type.PaletteChange:
            self._apply_palette()
            self._render()
        super().changeEvent(event)

    # ---- data in ------------------------------------------------------------------------------------------

    def show_result(self, result: InferenceResult) -> None:
        self._layer_cache.clear()
        self._space_cache.clear()
        hs = result.hidden_states
        if hs is None or hs.ndim != 3 or hs.shape[0] == 0 or hs.shape[1] == 0:
            self._hidden = None
            self._show_message(self.tr("This result has no hidden states to project."))
            return
        self._hidden = hs
        t = hs.shape[1]
        self._special = np.array(result.encoding.special, dtype=bool)
        self._masked = np.zeros(t, dtype=bool)
        self._masked[[p for p in result.masked_positions if 0 <= p < t]] = True
        self._segments = np.array(result.encoding.segments, dtype=int)  # the sentence, whatever the token types
        if self._selected is not None and self._selected >= t:
            self._selected = None
        num_states = hs.shape[0]
        self._layer = min(self._layer, num_states - 1)
        with QtCore.QSignalBlocker(self.layer_slider):
            self.layer_slider.setRange(0, num_states - 1)
            self.layer_slider.setValue(self._layer)
        for w in (self.mode_combo, self.layer_slider, self.hide_special_check, self.export_button):
            w.setEnabled(True)
        self._show_content()
        self._render(autorange=True)

    def reset(self) -> None:
        self._hidden = None
        self._layer_cache.clear()
        self._space_cache.clear()
        self._path = None
        for item in (self.scatter, self.background_item, self.path_points, self.selection_ring):
            item.clear()
        self._background_of = None
        self.path_line.setData([], [])
        self._show_labels(self._labels, [])
        self._show_labels(self._layer_labels, [])

    # ---- state --------------------------------------------------------------------------------------------

    layer = read_only("_layer")

    mode = read_only("_mode")

    selected_token = read_only("_selected")

    @property
    def hide_special(self) -> bool:
        return self.hide_special_check.isChecked()

    def set_hide_special(self, hide: bool) -> None:
        self.hide_special_check.setChecked(hide)

    def set_layer(self, layer: int) -> None:
        """Show hidden state `layer` (0 = embeddings)."""
        if self._hidden is not None and not 0 <= layer < self._hidden.shape[0]:
            raise IndexError(f"layer {layer} out of range (0..{self._hidden.shape[0] - 1})")
        changed = layer != self._layer
        self._layer = layer
        with QtCore.QSignalBlocker(self.layer_slider):
            self.layer_slider.setValue(layer)
        # Each layer has its own PCA space (new axes, new scale): refit the view. Trajectories share one.
        self._render(autorange=self._mode == LAYER_MODE)
        if changed:
            self.layer_changed.emit(layer)

    def set_mode(self, mode: str) -> None:
        if mode not in (LAYER_MODE, TRAJECTORY_MODE):
            raise ValueError(f"mode must be {LAYER_MODE!r} or {TRAJECTORY_MODE!r}")
        changed = mode != self._mode
        self._mode = mode
        with QtCore.QSignalBlocker(self.mode_combo):
            self.mode_combo.setCurrentIndex(self.mode_combo.findData(mode))
        self._render(autorange=True)
        if changed:
            self.mode_changed.emit(mode)

    def set_selected_token(self, index: int | None) -> None:
        """Highlight token `index` (None or -1: none); in trajectory mode, draw its path."""
        if index is not None and (index < 0 or (self._hidden is not None and index >= self._hidden.shape[1])):
            index = None
        self._selected = index
        if self._mode == TRAJECTORY_MODE:
            self._render(autorange=False)
        else:
            self._update_selection()
            self._update_labels()

    def visible_tokens(self) -> list[int]:
        """Token indices drawn as points in layer mode (all but hidden special tokens)."""
        return [int(i) for i in self._shown]

    def point_position(self, token: int) -> tuple[float, float]:
        """Where token `token` is drawn in layer mode (view coordinates)."""
        x, y = self._coords[token]
        return float(x), float(y)

    def trajectory(self) -> np.ndarray | None:
        """(L+1, 2): the drawn path of the trajectory token, or None outside trajectory mode."""
        return None if self._path is None else self._path.copy()

    def trajectory_token(self) -> int | None:
        """The token whose path is drawn: the selected one, else the first masked, else the first word."""
        if self._hidden is None:
            return None
        if self._selected is not None:
            return self._selected
        for candidates in (np.flatnonzero(self._masked), np.flatnonzero(~self._special)):
            if len(candidates):
                return int(candidates[0])
        return 0

    # ---- projections (cached) -----------------------------------------------------------------------------

    def _include(self) -> np.ndarray:
        return ~self._special if self.hide_special else np.ones(len(self._special), dtype=bool)

    def layer_projection(self, layer: int | None = None) -> LayerProjection:
        layer = self._layer if layer is None else layer
        key = (layer, self.hide_special)
        if key not in self._layer_cache:
            self._layer_cache[key] = project_layer(self._hidden, layer, self._include())
        return self._layer_cache[key]

    def trajectory_space(self) -> TrajectorySpace:
        key = self.hide_special
        if key not in self._space_cache:
            self._space_cache[key] = trajectory_space(self._hidden, self._include())
        return self._space_cache[key]

    # ---- rendering ----------------------------------------------------------------------------------------

    def _layer_name(self, layer: int) -> str:
        return self.tr("embeddings") if layer == 0 else self.tr("layer {layer}").format(layer=layer)

    def _render(self, autorange: bool = True) -> None:
        if self._hidden is None:
            return
        num_states = self._hidden.shape[0]
        of = self.tr("Layer {layer} of {layers}").format(layer=self._layer, layers=num_states - 1)
        self.layer_label.setText(self.tr("Embeddings") if self._layer == 0 else of)
        if self._mode == LAYER_MODE:
            self._render_layer()
        else:
            self._render_trajectory()
        self.set_hovered_token(self.selection.hovered)
        self._update_legend()
        if autorange:
            self._autorange()

    def _axis_labels(self, ratios: np.ndarray) -> None:
        style = {"color": self._fg.name(), "font-size": "10pt"}
        axis = self.tr("PC {axis} · {share} of variance")
        self.plot.setLabel("bottom", axis.format(axis=1, share=f"{ratios[0]:.0%}"), **style)
        self.plot.setLabel("left", axis.format(axis=2, share=f"{ratios[1]:.0%}"), **style)

    def _render_layer(self) -> None:
        self.background_item.clear()
        self._background_of = None
        self.path_points.clear()
        self.path_line.setData([], [])
        self._path = None
        self._show_labels(self._layer_labels, [])
        proj = self.layer_projection()
        self._coords = proj.coords
        t = len(self._special)
        self._shown = np.flatnonzero(self._include()) if self.hide_special else np.arange(t)
        shown = self._shown
        # One style per kind, with shared brush/pen objects: pyqtgraph renders each distinct (symbol, size,
        # pen, brush) once into its symbol atlas, so 512 points cost 4 renders, not 512.
        kind = np.where(self._masked, 2, np.where(self._special, 3, np.minimum(self._segments, 1)))[shown]
        styles = self._point_styles
        self.scatter.setData(
            pos=proj.coords[shown],
            data=shown,
            symbol=[styles[k][0] for k in kind],
            size=np.array([styles[k][1] for k in kind], dtype=float),
            brush=[styles[k][2] for k in kind],
            pen=self._outline_pen,
        )
        self._axis_labels(proj.explained_variance_ratio)
        if self._layer == 0:
            title = self.tr("Embeddings (before layer 1) · tokens in 2-D (PCA)")
        else:
            title = self.tr("After layer {layer} · tokens in 2-D (PCA)").format(layer=self._layer)
        self.plot.setTitle(title + self.words_note(), color=self._fg.name(), size="12pt")
        self._update_selection()
        self._update_labels()

    def _render_trajectory(self) -> None:
        self.scatter.clear()
        self._shown = np.zeros(0, dtype=int)
        self._show_labels(self._labels, [])
        space = self.trajectory_space()
        num_states, t = space.coords.shape[:2]
        if self._background_of is not space:  # selecting another token only redraws its path
            self._background_of = space
            tokens = np.flatnonzero(space.fitted)  # the fitted tokens (every token if only specials are left)
            background = space.coords[:, tokens, :].reshape(-1, 2)
            layer_of = np.repeat(np.arange(num_states), len(tokens))
            token_of = np.tile(tokens, num_states)
            self.background_item.setData(pos=background, data=layer_of * t + token_of)
        token = self.trajectory_token()
        path = space.path(token)
        self._path = path
        self.path_line.setData(path[:, 0], path[:, 1])
        if num_states not in self._layer_brushes:  # shared objects keep pyqtgraph's symbol atlas small
            colors = pg.colormap.get("viridis").map(np.linspace(0.0, 0.9, num_states), mode="qcolor")
            self._layer_brushes[num_states] = [pg.mkBrush(c) for c in colors]
        self.path_points.setData(
            pos=path,
            data=np.arange(num_states),
            brush=self._layer_brushes[num_states],
            pen=self._path_pen,
            symbol=["s"] + ["o"] * (num_states - 1),
        )
        self._show_labels(
            self._layer_labels,
            [("  " + str(k), path[k], self._fg, k == self._layer) for k in range(num_states)],
            anchor=(0.0, 1.0),
        )
        self.selection_ring.setData(pos=path[self._layer : self._layer + 1])
        self._axis_labels(space.explained_variance_ratio)
        name = self._result.display_tokens[token] if self._result is not None else str(token)
        self.plot.setTitle(
            self.tr("'{token}' (#{index}) through the layers · ring: {layer}").format(
                token=name, index=token, layer=self._layer_name(self._layer)
            ),
            color=self._fg.name(),
            size="12pt",
        )

    def _update_selection(self) -> None:
        i = self._selected
        if self._mode != LAYER_MODE or i is None or i not in set(self._shown.tolist()):
            self.selection_ring.clear()
            return
        self.selection_ring.setData(pos=[self._coords[i]])

    def _update_labels(self) -> None:
        if self._mode != LAYER_MODE or self._result is None:
            return
        tokens = self._result.display_tokens
        label_all = len(self._shown) <= LABEL_ALL_LIMIT
        entries = []
        for i in self._shown.tolist():
            selected = i == self._selected
            if not (label_all or selected or self._masked[i]):
                continue
            color = (
                QtGui.QColor(SELECTED_COLOR)
                if selected
                else QtGui.QColor(MASKED_COLOR)
                if self._masked[i]
                else self._grey
                if self._special[i]
                else self._fg
            )
            # Leading spaces keep the text clear of its marker (and of the selection ring).
            text = ("    " if selected else "  ") + tokens[i]
            entries.append((text, self._coords[i], color, selected or bool(self._masked[i])))
        self._show_labels(self._labels, entries)

    def _show_labels(self, pool: list[pg.TextItem], entries, anchor=(0.0, 0.5)) -> None:
        """Reuse TextItems: (text, (x, y), colour, bold) per entry; hide the rest of the pool."""
        while len(pool) < len(entries):
            item = pg.TextItem(anchor=anchor)
            item.setZValue(15)
            self.plot.addItem(item, ignoreBounds=True)
            pool.append(item)
        base = QtGui.QFont()
        base.setPointSizeF(base.pointSizeF() + 1)
        for item, (text, pos, color, bold) in zip(pool, entries, strict=False):
            font = QtGui.QFont(base)
            font.setBold(bool(bold))
            item.setFont(font)
            item.setAnchor(anchor)
            item.setText(text, color=color)
            item.setPos(float(pos[0]), float(pos[1]))
            item.show()
        for item in pool[len(entries) :]:
            item.hide()

    def _autorange(self) -> None:
        if self._mode == LAYER_MODE:
            pts = self._coords[self._shown]
        else:
            space = self.trajectory_space()
            pts = space.coords[:, space.fitted, :].reshape(-1, 2)
        if len(pts) == 0:
            pts = np.zeros((1, 2))
        lo, hi = pts.min(axis=0), pts.max(axis=0)
        span = np.maximum(hi - lo, 1e-6)
        # Room on the right for the labels that sit right of their points.
        self._vb.setRange(
            xRange=(lo[0] - 0.06 * span[0], hi[0] + 0.18 * span[0]),
            yRange=(lo[1] - 0.08 * span[1], hi[1] + 0.1 * span[1]),
            padding=0,
        )

    # ---- mouse --------------------------------------------------------------------------------------------

    def hover_text(self, token: int, layer: int | None = None) -> str:
        """ "'cat' · token #2": what hovering a point says (with its layer in trajectory mode)."""
        if self._result is None:
            return ""
        notes = []
        if self._masked[token]:
            notes.append(self.tr("masked"))
        elif self._special[token]:
            notes.append(self.tr("special"))
        if len(set(self._segments.tolist())) > 1:
            notes.append(self.tr("sentence A") if self._segments[token] == 0 else self.tr("sentence B"))
        text = self.tr("'{token}' · token #{index}").format(token=self._result.display_tokens[token], index=token)
        if layer is not None:
            text += f" · {self._layer_name(layer)}"
        return text + (" (" + self.tr(", ").join(notes) + ")" if notes else "")

    def _point_tip(self, x, y, data) -> str:
        return self.hover_text(int(data))

    def _background_tip(self, x, y, data) -> str:
        t = len(self._special)
        layer, token = divmod(int(data), t)
        return self.hover_text(token, layer) + " · " + self.tr("click to follow it")

    def _path_tip(self, x, y, data) -> str:
        token = self.trajectory_token()
        return self.hover_text(token, int(data)) if token is not None else ""

    def _on_point_hovered(self, _item, points, _ev) -> None:
        self.token_hovered.emit(int(points[0].data()) if len(points) else -1)
        if len(points):
            self.readout_label.setText(self.hover_text(int(points[0].data())))

    def set_hovered_token(self, index: int | None) -> None:
        """The laser's token: a yellow disc behind its point (in layer mode)."""
        shown = self._mode == LAYER_MODE and index is not None and index in set(self._shown.tolist())
        self.laser_spot.setData(pos=[self._coords[index]] if shown else [])
        self.laser_token = index if shown else None

    def _on_background_hovered(self, _item, points, _ev) -> None:
        if len(points):
            self.readout_label.setText(self._background_tip(0, 0, points[0].data()))

    def _select_and_emit(self, token: int) -> None:
        self.set_selected_token(token)
        self.token_selected.emit(token)

    def _on_point_clicked(self, _item, points, _ev) -> None:
        if len(points):
            self._select_and_emit(int(points[0].data()))

    def _on_background_clicked(self, _item, points, _ev) -> None:
        if len(points):
            self._select_and_emit(int(points[0].data()) % len(self._special))

    # ---- export -------------------------------------------------------------------------------------------

    def export_png(self, path: str | Path, width: int = 1400) -> None:
        export_item_png(self.plot, path, width)

    def export_svg(self, path: str | Path) -> None:
        export_item_svg(self.plot, path, "Embeddings")

    def export_formats(self) -> list[tuple[str, str]]:
        return [(self.tr("Plot as PNG…"), "png"), (self.tr("Plot as SVG…"), "svg")]

    def export_name(self, kind: str) -> str:
        return f"embeddings_{self._mode}_{self._layer}.{kind}"

    def writer(self, kind: str):
        return self.export_png if kind == "png" else self.export_svg
