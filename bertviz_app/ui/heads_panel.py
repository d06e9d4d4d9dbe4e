"""Heads: the layer × head grid. Click a head to knock it out (its output zeroed) and again to bring it back;
"Compute head importance" colours every head by how much the current top prediction needs it.

Knock-outs live in the controller's input, so predictions, attention and embeddings re-run with them at
once. Importance runs on the worker as the "head_importance" analysis (analysis/heads.py), with progress
and Cancel; the panel only paints its numbers. A map computed for another input stays on screen faded and
marked out of date until it is computed again.
"""

from __future__ import annotations

import csv
import logging
import math
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from PySide6 import QtCore, QtGui, QtWidgets
from PySide6.QtSvg import QSvgGenerator

from bertviz_app.ui import theme
from bertviz_app.ui.view import View, read_only

if TYPE_CHECKING:
    from bertviz_app.analysis.heads import HeadImportance
    from bertviz_app.analysis.inference import InferenceResult

log = logging.getLogger(__name__)

KIND = "head_importance"  # the analysis in analysis/tasks.py
HOVER_HINT = "Point at a head for its numbers; click it to switch it off or on."
# ColorBrewer RdBu, blue (the prediction does better without the head) → near-white (no effect) → red (it helps).
DIVERGING = ("#2166ac", "#4393c3", "#92c5de", "#d1e5f0", "#f7f7f7", "#fddbc7", "#f4a582", "#d6604d", "#b2182b")
HELPS_COLOR, HURTS_COLOR = DIVERGING[-1], DIVERGING[0]
OFF_COLOR = theme.CHIP_SPECIAL_BG  # a knocked-out head: dark grey with a white cross
GAP = 4  # pixels between cells
MIN_TEXT_CELL = QtCore.QSizeF(34, 18)  # smaller cells get no number written in them


def diverging_color(value: float, limit: float) -> QtGui.QColor:
    """`value` on the DIVERGING scale from -limit (blue) through 0 (white) to +limit (red), clipped."""
    t = 0.5 if limit <= 0 else min(max(0.5 + 0.5 * value / limit, 0.0), 1.0)
    x = t * (len(DIVERGING) - 1)
    i = min(int(x), len(DIVERGING) - 2)
    a, b = QtGui.QColor(DIVERGING[i]), QtGui.QColor(DIVERGING[i + 1])
    f = x - i
    return QtGui.QColor(
        round(a.red() + (b.red() - a.red()) * f),
        round(a.green() + (b.green() - a.green()) * f),
        round(a.blue() + (b.blue() - a.blue()) * f),
    )


def format_drop(value: float) -> str:
    """1.23, −0.45 (a real minus sign: it reads better on a projector than a hyphen)."""
    text = f"{value:.2f}"
    return "0.00" if text == "-0.00" else text.replace("-", "−")


def parse_view_arg(arg: str) -> tuple[bool, frozenset[tuple[int, int]], list[str]]:
    """'importance', '3.7,5.1' or both ('3.7,importance') -> (compute importance?, heads 0-based, bad parts).

    Heads are written layer.head counted from 1, as on screen.
    """
    importance, heads, bad = False, set(), []
    for part in (p.strip() for p in arg.replace(";", ",").split(",")):
        if not part:
            continue
        if part.lower() == "importance":
            importance = True
            continue
        layer, dot, head = part.partition(".")
        if dot and layer.isdigit() and head.isdigit() and int(layer) >= 1 and int(head) >= 1:
            heads.add((int(layer) - 1, int(head) - 1))
        else:
            bad.append(part)
    return importance, frozenset(heads), bad


class HeadGrid(QtWidgets.QWidget):
    """The cells of an L × H grid, painted: layers as rows (1 at the top), heads as columns.

    Cells are neutral until importance values are set; then coloured on a scale centred on 0 with a colour bar.
    """

    clicked = QtCore.Signal(int, int)  # (layer, head), 0-based
    hovered = QtCore.Signal(int, int)  # (layer, head), or (-1, -1) when the mouse leaves the cells

    def __init__(self, parent: QtWidgets.QWidget | None = None):
        super().__init__(parent)
        self._layers = 0
        self._heads = 0
        self._values: np.ndarray | None = None  # (L, H)
        self._limit = 1.0
        self._off: frozenset[tuple[int, int]] = frozenset()
        self._stale = False
        self._hover: tuple[int, int] | None = None
        self.setMouseTracking(True)
        self.setMinimumSize(320, 180)
        self.setSizePolicy(QtWidgets.QSizePolicy.Policy.Expanding, QtWidgets.QSizePolicy.Policy.Expanding)
        font = self.font()
        font.setPointSizeF(font.pointSizeF() + 1)
        self.setFont(font)

    # ---- state ------------------------------------------------------------------------------------------

    def set_shape(self, layers: int, heads: int) -> None:
        if (layers, heads) != (self._layers, self._heads):
            self._layers, self._heads = layers, heads
            self._hover = None
            self.update()

    def shape(self) -> tuple[int, int]:
        return self._layers, self._heads

    def set_values(self, values: np.ndarray | None, stale: bool = False) -> None:
        """(L, H) values to colour by (None: neutral cells); `stale` fades them (computed for another input)."""
        self._values = None if values is None else np.asarray(values, dtype=np.float32)
        self._stale = stale
        if self._values is not None:
            peak = float(np.abs(self._values).max()) if self._values.size else 0.0
            self._limit = peak if peak > 0 else 1.0  # symmetric about 0, so white always means "no effect"
        self.update()

    def values(self) -> np.ndarray | None:
        return self._values

    limit = read_only("_limit")

    stale = read_only("_stale")

    def set_knocked_out(self, heads) -> None:
        self._off = frozenset(heads)
        self.update()

    def knocked_out(self) -> frozenset[tuple[int, int]]:
        return self._off

    def cell_color(self, layer: int, head: int) -> QtGui.QColor:
        if (layer, head) in self._off:
            return QtGui.QColor(OFF_COLOR)
        if self._values is None:
            return QtGui.QColor(theme.CHIP_BG)
        return diverging_color(float(self._values[layer, head]), self._limit)

    # ---- geometry ---------------------------------------------------------------------------------------

    def _margins(self) -> tuple[float, float, float, float]:
        """left, top, right, bottom: room for layer labels, the head numbers, and the colour bar."""
        metrics = QtGui.QFontMetricsF(self.font())
        left = metrics.horizontalAdvance(f"Layer {max(self._layers, 1)}") + 14
        top = 2 * metrics.height() + 8
        right = 16 + (18 + 12 + metrics.horizontalAdvance("+0.00 helps") if self._values is not None else 0)
        return left, top, right, 8

    def grid_rect(self) -> QtCore.QRectF:
        """Where the cells are (gaps included): as big as fits, cells no taller than wide, centred."""
        if not self._layers or not self._heads:
            return QtCore.QRectF()
        left, top, right, bottom = self._margins()
        width = max(self.width() - left - right, 1.0)
        height = max(self.height() - top - bottom, 1.0)
        cell_w = (width - GAP * (self._heads - 1)) / self._heads
        cell_h = (height - GAP * (self._layers - 1)) / self._layers
        cell_h = min(cell_h, cell_w)
        cell_w = min(cell_w, 2.5 * cell_h)
        grid_w = cell_w * self._heads + GAP * (self._heads - 1)
        grid_h = cell_h * self._layers + GAP * (self._layers - 1)
        x = left + max(0.0, (width - grid_w) / 2)
        y = top + max(0.0, (height - grid_h) / 3)  # a little above the middle: the title sits above the grid
        return QtCore.QRectF(x, y, grid_w, grid_h)

    def _cell_size(self) -> QtCore.QSizeF:
        g = self.grid_rect()
        return QtCore.QSizeF(
            (g.width() - GAP * (self._heads - 1)) / max(self._heads, 1),
            (g.height() - GAP * (self._layers - 1)) / max(self._layers, 1),
        )

    def cell_rect(self, layer: int, head: int) -> QtCore.QRectF:
        g, size = self.grid_rect(), self._cell_size()
        return QtCore.QRectF(
            g.x() + head * (size.width() + GAP), g.y() + layer * (size.height() + GAP), size.width(), size.height()
        )

    def cell_at(self, pos: QtCore.QPointF) -> tuple[int, int] | None:
        """The (layer, head) under a widget position; None between cells and outside the grid."""
        if not self._layers or not self._heads:
            return None
        g, size = self.grid_rect(), self._cell_size()
        x, y = pos.x() - g.x(), pos.y() - g.y()
        head = math.floor(x / (size.width() + GAP))
        layer = math.floor(y / (size.height() + GAP))
        if not (0 <= layer < self._layers and 0 <= head < self._heads):
            return None
        return (layer, head) if self.cell_rect(layer, head).contains(pos) else None

    # ---- mouse --------------------------------------------------------------------------------------------

    def mouseMoveEvent(self, event: QtGui.QMouseEvent) -> None:
        cell = self.cell_at(event.position())
        if cell != self._hover:
            self._hover = cell
            self.setCursor(QtCore.Qt.CursorShape.PointingHandCursor if cell else QtCore.Qt.CursorShape.ArrowCursor)
            self.hovered.emit(*(cell or (-1, -1)))
            self.update()
        super().mouseMoveEvent(event)

    def leaveEvent(self, event: QtCore.QEvent) -> None:
        if self._hover is not None:
            self._hover = None
            self.hovered.emit(-1, -1)
            self.update()
        super().leaveEvent(event)

    def mouseReleaseEvent(self, event: QtGui.QMouseEvent) -> None:
        if event.button() == QtCore.Qt.MouseButton.LeftButton:
            cell = self.cell_at(event.position())
            if cell is not None:
                self.clicked.emit(*cell)
        super().mouseReleaseEvent(event)

    # ---- painting -----------------------------------------------------------------------------------------

    def paintEvent(self, event: QtGui.QPaintEvent) -> None:
        p = QtGui.QPainter(self)
        p.setRenderHint(QtGui.QPainter.RenderHint.Antialiasing)
        pal = self.palette()
        p.fillRect(self.rect(), pal.color(QtGui.QPalette.ColorRole.Base))
        if not self._layers or not self._heads:
            return
        fg = pal.color(QtGui.QPalette.ColorRole.Text)
        metrics = QtGui.QFontMetricsF(self.font())
        g = self.grid_rect()
        size = self._cell_size()

        # Labels: "Head" over the numbered columns, "Layer n" left of each row.
        p.setPen(fg)
        bold = QtGui.QFont(self.font())
        bold.setBold(True)
        p.setFont(bold)
        p.drawText(
            QtCore.QRectF(g.x(), g.y() - 2 * metrics.height() - 6, g.width(), metrics.height()),
            int(QtCore.Qt.AlignmentFlag.AlignCenter),
            "Head",
        )
        p.setFont(self.font())
        for head in range(self._heads):
            r = self.cell_rect(0, head)
            p.drawText(
                QtCore.QRectF(r.x(), g.y() - metrics.height() - 4, r.width(), metrics.height()),
                int(QtCore.Qt.AlignmentFlag.AlignCenter),
                str(head + 1),
            )
        for layer in range(self._layers):
            r = self.cell_rect(layer, 0)
            p.drawText(
                QtCore.QRectF(0, r.y(), g.x() - 10, r.height()),
                int(QtCore.Qt.AlignmentFlag.AlignRight | QtCore.Qt.AlignmentFlag.AlignVCenter),
                f"Layer {layer + 1}",
            )

        show_numbers = (
            self._values is not None
            and not self._stale
            and size.width() >= MIN_TEXT_CELL.width()
            and size.height() >= MIN_TEXT_CELL.height()
        )
        number_font = QtGui.QFont(self.font())
        number_font.setPointSizeF(max(7.0, min(self.font().pointSizeF(), size.height() * 0.3, size.width() * 0.2)))
        radius = min(4.0, size.width() / 6, size.height() / 6)
        border = QtGui.QPen(theme.CHIP_BORDER, 1)
        cross = QtGui.QPen(QtGui.QColor("white"), max(2.0, min(size.width(), size.height()) / 14))
        cross.setCapStyle(QtCore.Qt.PenCapStyle.RoundCap)
        for layer in range(self._layers):
            for head in range(self._heads):
                r = self.cell_rect(layer, head)
                off = (layer, head) in self._off
                color = self.cell_color(layer, head)
                p.setOpacity(0.3 if self._stale and not off else 1.0)
                p.setPen(border if self._values is None and not off else QtCore.Qt.PenStyle.NoPen)
                p.setBrush(color)
                p.drawRoundedRect(r, radius, radius)
                p.setOpacity(1.0)
                if off:
                    inset = min(r.width(), r.height()) * 0.28
                    c = r.center()
                    p.setPen(cross)
                    p.drawLine(
                        QtCore.QPointF(c.x() - inset, c.y() - inset), QtCore.QPointF(c.x() + inset, c.y() + inset)
                    )
                    p.drawLine(
                        QtCore.QPointF(c.x() - inset, c.y() + inset), QtCore.QPointF(c.x() + inset, c.y() - inset)
                    )
                elif show_numbers:
                    light = color.lightnessF() > 0.55
                    p.setPen(QtGui.QColor("#1f2a44" if light else "white"))
                    p.setFont(number_font)
                    p.drawText(
                        r, int(QtCore.Qt.AlignmentFlag.AlignCenter), format_drop(float(self._values[layer, head]))
                    )
        if self._hover is not None:
            outline = QtGui.QPen(theme.SELECTION, 3)
            p.setPen(outline)
            p.setBrush(QtCore.Qt.BrushStyle.NoBrush)
            p.drawRoundedRect(self.cell_rect(*self._hover).adjusted(-1.5, -1.5, 1.5, 1.5), radius, radius)
        if self._values is not None:
            self._paint_colorbar(p, g, fg, metrics)

    def _paint_colorbar(self, p: QtGui.QPainter, g: QtCore.QRectF, fg: QtGui.QColor, metrics) -> None:
        bar = QtCore.QRectF(g.right() + 18, g.top(), 18, max(g.height(), 4 * metrics.height()))
        gradient = QtGui.QLinearGradient(bar.topLeft(), bar.bottomLeft())
        for i, color in enumerate(reversed(DIVERGING)):
            gradient.setColorAt(i / (len(DIVERGING) - 1), QtGui.QColor(color))
        p.setOpacity(0.3 if self._stale else 1.0)
        p.setPen(QtGui.QPen(theme.CHIP_BORDER, 1))
        p.setBrush(gradient)
        p.drawRect(bar)
        p.setOpacity(1.0)
        p.setFont(self.font())
        p.setPen(fg)
        x = bar.right() + 8
        w = self.width() - x
        h = metrics.height()
        left = int(QtCore.Qt.AlignmentFlag.AlignLeft | QtCore.Qt.AlignmentFlag.AlignVCenter)
        p.drawText(QtCore.QRectF(x, bar.top(), w, h), left, f"+{format_drop(self._limit)} helps")
        p.drawText(QtCore.QRectF(x, bar.center().y() - h / 2, w, h), left, "0 no effect")
        p.drawText(QtCore.QRectF(x, bar.bottom() - h, w, h), left, f"{format_drop(-self._limit)} hurts")


class HeadsPanel(View):
    """Knock heads out by clicking them; colour them by importance for the current prediction.

    Layers and heads are 0-based in the API and shown from 1 on screen.
    """

    empty_message = "No sentence yet: type one, mask a word, and see which heads its prediction needs."

    def __init__(self, controller, selection=None, parent: QtWidgets.QWidget | None = None):
        super().__init__(controller, selection, parent)
        self._importance: HeadImportance | None = None
        self._mask_index = 0
        self._note = ""  # the last run's outcome: time taken, "stopped", or why it failed
        self._user_cancelled = False
        self._pending_importance = False  # from --view-arg: compute once a result is there
        self._pending_heads: frozenset[tuple[int, int]] | None = None
        self._build()
        controller.input_changed.connect(lambda _inp: self._refresh())
        controller.model_loaded.connect(self._on_model_loaded)
        self.clear(self.empty_message)

    # ---- construction -------------------------------------------------------------------------------------

    def _build(self) -> None:
        controls = self.controls
        self.compute_button = QtWidgets.QPushButton("Compute head importance")
        self.compute_button.setToolTip(
            "Remove each head in turn and measure how much the top prediction at the mask loses (runs in the "
            "background; the app stays usable)"
        )
        self.progress = QtWidgets.QProgressBar()
        self.progress.setMinimumWidth(180)
        self.progress.setFormat("%v of %m heads")
        self.progress.setVisible(False)
        self.cancel_button = QtWidgets.QPushButton("Cancel")
        self.cancel_button.setVisible(False)
        self.mask_label = QtWidgets.QLabel("At the mask:")
        self.mask_combo = QtWidgets.QComboBox()
        self.mask_combo.setToolTip("Which masked position's prediction the colours are about")
        self.clear_button = QtWidgets.QPushButton("Switch all heads back on")
        self.clear_button.setToolTip("Undo every knock-out (Ctrl+Shift+H)")
        for w in (self.compute_button, self.progress, self.cancel_button):
            controls.addWidget(w)
        controls.addSpacing(12)
        controls.addWidget(self.mask_label)
        controls.addWidget(self.mask_combo)
        controls.addStretch(1)
        controls.addWidget(self.clear_button)
        self.add_export_button("Save the importance map (compute it first)", stretch=0)
        content_layout = self.content_layout
        content_layout.setSpacing(6)
        self.title_label = QtWidgets.QLabel()
        title_font = self.title_label.font()
        title_font.setPointSizeF(title_font.pointSizeF() * 1.3)
        title_font.setBold(True)
        self.title_label.setFont(title_font)
        self.title_label.setWordWrap(True)
        content_layout.addWidget(self.title_label)
        self.grid = HeadGrid()
        content_layout.addWidget(self.grid, 1)
        bottom = QtWidgets.QHBoxLayout()
        self.readout_label = QtWidgets.QLabel(HOVER_HINT)
        readout_font = self.readout_label.font()
        readout_font.setPointSizeF(readout_font.pointSizeF() + 1)
        self.readout_label.setFont(readout_font)
        self.readout_label.setTextInteractionFlags(QtCore.Qt.TextInteractionFlag.TextSelectableByMouse)
        self.status_label = QtWidgets.QLabel()
        self.status_label.setStyleSheet(f"color: {theme.MUTED_TEXT.name()}")
        bottom.addWidget(self.readout_label, 1)
        bottom.addWidget(self.status_label)
        content_layout.addLayout(bottom)
        self.legend_label = QtWidgets.QLabel()
        self.legend_label.setTextFormat(QtCore.Qt.TextFormat.RichText)
        self.legend_label.setWordWrap(True)
        content_layout.addWidget(self.legend_label)

        self.compute_button.clicked.connect(self.compute_importance)
        self.cancel_button.clicked.connect(self.cancel_importance)
        self.clear_button.clicked.connect(self.controller.clear_knockouts)
        self.mask_combo.currentIndexChanged.connect(self.set_mask_index)
        self.grid.clicked.connect(self.controller.toggle_head)
        self.grid.hovered.connect(self._on_hovered)

    # ---- data in ------------------------------------------------------------------------------------------

    def show_result(self, result: InferenceResult) -> None:
        layers, heads = self._model_shape(result)
        self.grid.set_shape(layers, heads)
        self.grid.set_knocked_out((la, h) for la, h in result.knocked_out if 0 <= la < layers and 0 <= h < heads)
        if self._importance is not None and self._importance.drops.shape[1:] != (layers, heads):
            self._importance = None  # from a model of another size
        self._show_content()
        self._refresh()
        self._run_pending()

    def clear(self, message: str = "") -> None:
        self._result = None
        self._stack.show_message(message)
        self.readout_label.setText(HOVER_HINT)
        self._refresh()

    def prepare_view(self, arg: str) -> None:
        """--view-arg: 'importance' computes the map on the next result; '3.7,5.1' (layer.head from 1) knocks
        those heads out first; both may be given ('3.7,importance')."""
        importance, heads, bad = parse_view_arg(arg or "")
        if bad:
            log.warning("heads view: ignoring %s (expected 'importance' or layer.head like 3.7)", ", ".join(bad))
        self._pending_importance = self._pending_importance or importance
        if heads:
            self._pending_heads = heads
        if self._result is not None:
            self._run_pending()

    def _run_pending(self) -> None:
        if self._pending_heads is not None:
            layers, heads = self.grid.shape()
            wanted = frozenset((la, h) for la, h in self._pending_heads if la < layers and h < heads)
            self._pending_heads = None
            if wanted != self.controller.current_input.knocked_out:
                self.controller.set_knocked_out(wanted)
                return  # importance waits for the result with these heads off
        if self._pending_importance and self.can_compute():
            self._pending_importance = False
            self.compute_importance()

    def _model_shape(self, result: InferenceResult) -> tuple[int, int]:
        summary = self.controller.model_summary
        if summary is not None:
            return summary.layers, summary.heads
        if result.attention is not None:
            return result.attention.shape[0], result.attention.shape[1]
        return 0, 0

    # ---- importance runs ----------------------------------------------------------------------------------

    def can_compute(self) -> bool:
        r = self._result
        return r is not None and r.has_mlm_head and bool(r.masked_positions)

    @property
    def running(self) -> bool:
        return self.controller.analysis_running(KIND)

    def compute_importance(self) -> None:
        if not self.can_compute():
            return
        self._note = ""
        self._user_cancelled = False
        self.progress.setRange(0, 0)  # busy until the baseline is done and the first count arrives
        run = self.controller.start(KIND)
        if run is not None:
            run.progress.connect(self._on_progress)
            run.ready.connect(self._on_ready)
            run.failed.connect(self._on_failed)
            run.cancelled.connect(self._on_cancelled)
        self._refresh()

    def cancel_importance(self) -> None:
        self._user_cancelled = True
        self.controller.cancel_analysis(KIND)

    def _on_progress(self, done: int, total: int) -> None:
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(done)

    def _on_ready(self, payload: HeadImportance) -> None:
        keep_mask = self._importance is not None and self._importance.num_masks == payload.num_masks
        self._importance = payload
        self._mask_index = self._mask_index if keep_mask else 0
        heads = payload.drops[0].size - len(payload.knocked_out)
        self._note = f"{heads} heads in {payload.seconds:.1f} s"
        self._fill_mask_combo()
        self._refresh()

    def _on_failed(self, message: str) -> None:
        self._note = message
        self._refresh()

    def _on_cancelled(self) -> None:
        self._note = "Stopped." if self._user_cancelled else "Stopped: the input changed."
        self._user_cancelled = False
        self._refresh()

    def _on_model_loaded(self, _summary) -> None:
        self._importance = None
        self._fill_mask_combo()
        self._note = ""
        self._refresh()

    # ---- what is on screen ------------------------------------------------------------------------------

    importance = read_only("_importance")

    @property
    def stale(self) -> bool:
        """The importance map on screen was computed for another input (text, masks or knock-outs)."""
        return self._importance is not None and self._importance.input != self.controller.current_input

    mask_index = read_only("_mask_index")

    def set_mask_index(self, index: int) -> None:
        if self._importance is None or not 0 <= index < self._importance.num_masks:
            return
        self._mask_index = index
        with QtCore.QSignalBlocker(self.mask_combo):
            self.mask_combo.setCurrentIndex(index)
        self._refresh()

    def shown_values(self) -> np.ndarray | None:
        """The (L, H) numbers the grid is coloured by: drops at the chosen mask, or None."""
        return self.grid.values()

    def _fill_mask_combo(self) -> None:
        imp = self._importance
        with QtCore.QSignalBlocker(self.mask_combo):
            self.mask_combo.clear()
            if imp is not None:
                for i, (pos, word) in enumerate(zip(imp.masked_positions, imp.target_tokens, strict=True)):
                    self.mask_combo.addItem(f"{i + 1}: #{pos} → {word}")
                self.mask_combo.setCurrentIndex(self._mask_index)

    def _target(self) -> tuple[str, float] | None:
        imp = self._importance
        if imp is None or not imp.num_masks:
            return None
        i = self._mask_index
        return imp.target_tokens[i], float(np.exp(imp.baseline_log_probs[i]))

    def _refresh(self) -> None:
        running = self.running
        imp = self._importance
        stale = self.stale
        several = imp is not None and imp.num_masks > 1
        self.mask_label.setVisible(several)
        self.mask_combo.setVisible(several)
        self.progress.setVisible(running)
        self.cancel_button.setVisible(running)
        self.compute_button.setEnabled(not running and self.can_compute())
        self.compute_button.setText("Compute again" if imp is not None and stale else "Compute head importance")
        self.clear_button.setEnabled(bool(self.controller.current_input.knocked_out))
        self.export_button.setEnabled(imp is not None)
        self.grid.set_values(None if imp is None else imp.drops[self._mask_index], stale=stale)
        self.status_label.setText("Computing…" if running else self._note)
        target = self._target()
        if target is not None:
            word, p = target
            pos = imp.masked_positions[self._mask_index]
            title = f"How much each head helps predict “{word}” at #{pos} (p = {p:.1%})"
            self.title_label.setText(title + ("  ·  out of date" if stale else ""))
        else:
            self.title_label.setText("Attention heads: click one to switch it off, click again to switch it back on")
        self.legend_label.setText(self._legend(stale))

    def _legend(self, stale: bool) -> str:
        r = self._result
        off = (
            f"<span style='color:{OFF_COLOR.name()}'><b>■ ✕</b></span> switched off: its output is zeroed, "
            "and predictions, attention and embeddings follow."
        )
        if self._importance is not None and self._target() is not None:
            word = self._target()[0]
            text = (
                f"<span style='color:{HELPS_COLOR}'><b>■</b></span> removing the head lowers p({word}): it helps "
                f"· <span style='color:{HURTS_COLOR}'><b>■</b></span> the prediction does better without it "
                "· numbers: the drop in log-probability when that head alone is removed (1.0 ≈ p falls to a "
                f"third) · {off}"
            )
            if stale:
                text = (
                    "<b>Out of date:</b> the input changed since this map was computed; press “Compute again”. " + text
                )
            return text
        if r is not None and not r.has_mlm_head:
            return (
                "This model has no masked-word head, so there is no prediction to measure heads against; "
                f"click heads to see how attention and embeddings change. {off}"
            )
        if r is not None and not r.masked_positions:
            return f"Mask a word (click a token, or type [MASK]) to measure which heads its prediction needs. {off}"
        return (
            "“Compute head importance” removes each head alone and measures how much the top prediction at the mask "
            f"loses. {off}"
        )

    # ---- export -------------------------------------------------------------------------------------------

    def export_csv(self, path: str | Path) -> None:
        """Every head's numbers, one row per head: for each mask the drop in log p of its top guess when that
        head alone is removed, and the probability left."""
        imp = self._importance
        if imp is None:
            raise ValueError("no head importance to export: compute it first")
        header = ["layer", "head", "switched off"]
        for pos, word in zip(imp.masked_positions, imp.target_tokens, strict=True):
            header += [f"log p drop: {word} at #{pos}", f"p without the head: {word} at #{pos}"]
        baseline = np.exp(imp.baseline_log_probs.astype(np.float64))
        with open(path, "w", newline="", encoding="utf-8") as f:
            writer = csv.writer(f)
            writer.writerow(header)
            for layer, head in np.ndindex(imp.drops.shape[1:]):
                line = [layer + 1, head + 1, "yes" if (layer, head) in imp.knocked_out else "no"]
                for i in range(imp.num_masks):
                    drop = float(imp.drops[i, layer, head])
                    line += [f"{drop:.6g}", f"{baseline[i] * math.exp(-drop):.6g}"]
                writer.writerow(line)

    def export_png(self, path: str | Path, width: int = 1400) -> None:
        """The map as on screen (title, grid with its numbers, colour bar), `width` pixels wide."""
        size = self._map_size()
        scale = width / size.width()
        image = QtGui.QImage(width, math.ceil(size.height() * scale), QtGui.QImage.Format.Format_ARGB32)
        image.fill(self.palette().color(QtGui.QPalette.ColorRole.Window))
        painter = QtGui.QPainter(image)
        painter.scale(scale, scale)
        self._paint_map(painter)
        painter.end()
        if not image.save(str(path), "PNG"):
            raise OSError(f"could not write {path}")

    def export_svg(self, path: str | Path) -> None:
        size = self._map_size()
        generator = QSvgGenerator()
        generator.setFileName(str(path))
        generator.setSize(size.toSize())
        generator.setViewBox(QtCore.QRectF(QtCore.QPointF(0, 0), size))
        generator.setTitle(self.title_label.text())
        painter = QtGui.QPainter()
        if not painter.begin(generator):
            raise OSError(f"could not write {path}")
        painter.fillRect(
            QtCore.QRectF(QtCore.QPointF(0, 0), size), self.palette().color(QtGui.QPalette.ColorRole.Window)
        )
        self._paint_map(painter)
        painter.end()

    def _title_height(self) -> int:
        return self.title_label.heightForWidth(self.grid.width()) + 8

    def _map_size(self) -> QtCore.QSizeF:
        if self._importance is None:
            raise ValueError("no head importance to export: compute it first")
        return QtCore.QSizeF(self.grid.width(), self._title_height() + self.grid.height())

    def _paint_map(self, painter: QtGui.QPainter) -> None:
        painter.setFont(self.title_label.font())
        painter.setPen(self.palette().color(QtGui.QPalette.ColorRole.WindowText))
        title = QtCore.QRectF(4, 0, self.grid.width() - 8, self._title_height())
        flags = QtCore.Qt.AlignmentFlag.AlignLeft | QtCore.Qt.AlignmentFlag.AlignVCenter
        painter.drawText(title, int(flags) | int(QtCore.Qt.TextFlag.TextWordWrap), self.title_label.text())
        painter.translate(0, self._title_height())
        self.grid.render(painter, QtCore.QPoint(), QtGui.QRegion(), QtWidgets.QWidget.RenderFlag.DrawChildren)

    def export_formats(self) -> list[tuple[str, str]]:
        return [("Importance as CSV…", "csv"), ("Map as PNG…", "png"), ("Map as SVG…", "svg")]

    def export_name(self, kind: str) -> str:
        imp = self._importance
        return f"head_importance_token{imp.masked_positions[self._mask_index]}.{kind}" if imp else f"heads.{kind}"

    def writer(self, kind: str):
        return {"csv": self.export_csv, "png": self.export_png, "svg": self.export_svg}[kind]

    # ---- hover --------------------------------------------------------------------------------------------

    def hover_text(self, layer: int, head: int) -> str:
        """'layer 3, head 7: removing it drops log p(paris) by 1.23 (p 42.0% → 12.3%)' for the head on screen."""
        where = f"layer {layer + 1}, head {head + 1}"
        if (layer, head) in self.grid.knocked_out():
            return f"{where}: switched off · click to switch it back on"
        target = self._target()
        if target is None:
            return f"{where} · click to switch it off"
        word, p = target
        drop = float(self._importance.drops[self._mask_index, layer, head])
        verb = "drops" if drop >= 0 else "raises"
        after = p * math.exp(-drop)
        text = f"{where}: removing it {verb} log p({word}) by {abs(drop):.2f} (p {p:.1%} → {after:.1%})"
        return text + (" · out of date" if self.stale else "")

    def _on_hovered(self, layer: int, head: int) -> None:
        self.readout_label.setText(self.hover_text(layer, head) if layer >= 0 else HOVER_HINT)
