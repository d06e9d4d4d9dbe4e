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
from bertviz_app.ui.layer_head_grid import HELPS_COLOR, HURTS_COLOR, OFF_COLOR, LayerHeadGrid
from bertviz_app.ui.view import View, read_only

if TYPE_CHECKING:
    from bertviz_app.analysis.heads import HeadImportance
    from bertviz_app.analysis.inference import InferenceResult

log = logging.getLogger(__name__)

KIND = "head_importance"  # the analysis in analysis/tasks.py
HOVER_HINT = QtCore.QT_TRANSLATE_NOOP("HeadsPanel", "Point at a head for its numbers; click it to switch it off or on.")


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


class HeadsPanel(View):
    """Knock heads out by clicking them; colour them by importance for the current prediction.

    Layers and heads are 0-based in the API and shown from 1 on screen.
    """

    def __init__(self, controller, selection=None, parent: QtWidgets.QWidget | None = None):
        super().__init__(controller, selection, parent)
        self.empty_message = self.tr(
            "No sentence yet: type one, mask a word, and see which heads its prediction needs."
        )
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
        self.compute_button = QtWidgets.QPushButton(self.tr("Compute head importance"))
        self.compute_button.setToolTip(
            self.tr(
                "Remove each head in turn and measure how much the top prediction at the mask loses (runs in the "
                "background; the app stays usable)"
            )
        )
        self.progress = QtWidgets.QProgressBar()
        self.progress.setMinimumWidth(180)
        self.progress.setFormat(self.tr("%v of %m heads"))
        self.progress.setVisible(False)
        self.cancel_button = QtWidgets.QPushButton(self.tr("Cancel"))
        self.cancel_button.setVisible(False)
        self.mask_label = QtWidgets.QLabel(self.tr("At the mask:"))
        self.mask_combo = QtWidgets.QComboBox()
        self.mask_combo.setToolTip(self.tr("Which masked position's prediction the colours are about"))
        self.clear_button = QtWidgets.QPushButton(self.tr("Switch all heads back on"))
        self.clear_button.setToolTip(self.tr("Undo every knock-out ({shortcut})").format(shortcut="Ctrl+Shift+H"))
        for w in (self.compute_button, self.progress, self.cancel_button):
            controls.addWidget(w)
        controls.addSpacing(12)
        controls.addWidget(self.mask_label)
        controls.addWidget(self.mask_combo)
        controls.addStretch(1)
        controls.addWidget(self.clear_button)
        self.add_export_button(self.tr("Save the importance map (compute it first)"), stretch=0)
        content_layout = self.content_layout
        content_layout.setSpacing(6)
        self.title_label = QtWidgets.QLabel()
        title_font = self.title_label.font()
        title_font.setPointSizeF(title_font.pointSizeF() * 1.3)
        title_font.setBold(True)
        self.title_label.setFont(title_font)
        self.title_label.setWordWrap(True)
        content_layout.addWidget(self.title_label)
        self.grid = LayerHeadGrid()
        self.grid.setToolTip(self.tr("Click a head to switch it off or on; arrow keys and Space work too"))
        content_layout.addWidget(self.grid, 1)
        bottom = QtWidgets.QHBoxLayout()
        self.readout_label = QtWidgets.QLabel(self.tr(HOVER_HINT))
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
        self.readout_label.setText(self.tr(HOVER_HINT))
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
        # a classifier's label is measured without a mask (analysis/heads.py)
        return r is not None and (bool(r.task) or (r.has_mlm_head and bool(r.masked_positions)))

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
        self._note = self.tr("{heads} heads in {seconds} s").format(heads=heads, seconds=f"{payload.seconds:.1f}")
        self._fill_mask_combo()
        self._refresh()

    def _on_failed(self, message: str) -> None:
        self._note = message
        self._refresh()

    def _on_cancelled(self) -> None:
        self._note = self.tr("Stopped.") if self._user_cancelled else self.tr("Stopped: the input changed.")
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
                for i, (pos, word) in enumerate(zip(imp.masked_positions, imp.target_displays, strict=True)):
                    self.mask_combo.addItem(f"{i + 1}: #{pos} → {word}")
                self.mask_combo.setCurrentIndex(self._mask_index)

    def _target(self) -> tuple[str, float] | None:
        imp = self._importance
        if imp is None or not imp.num_masks:
            return None
        i = self._mask_index
        return imp.target_displays[i], float(np.exp(imp.baseline_log_probs[i]))

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
        again = imp is not None and stale
        self.compute_button.setText(self.tr("Compute again") if again else self.tr("Compute head importance"))
        self.clear_button.setEnabled(bool(self.controller.current_input.knocked_out))
        self.export_button.setEnabled(imp is not None)
        self.grid.set_values(None if imp is None else imp.drops[self._mask_index], stale=stale)
        self.status_label.setText(self.tr("Computing…") if running else self._note)
        target = self._target()
        if target is not None:
            word, p = target
            pos = imp.masked_positions[self._mask_index]
            title = self.tr("How much each head helps predict “{word}” at #{pos} (p = {p})")
            title = title.format(word=word, pos=pos, p=f"{p:.1%}")
            if imp.score == "label" and self._result is not None and self._result.task == "sequence":
                title = self.tr("How much each head helps the classifier's label “{label}” (p = {p:.1%})").format(
                    label=word, p=p
                )
            self.title_label.setText(title + ("  ·  " + self.tr("out of date") if stale else ""))
        else:
            self.title_label.setText(
                self.tr("Attention heads: click one to switch it off, click again to switch it back on")
            )
        self.legend_label.setText(self._legend(stale))

    def _legend(self, stale: bool) -> str:
        r = self._result
        off = f"<span style='color:{OFF_COLOR.name()}'><b>■ ✕</b></span> " + self.tr(
            "switched off: its output is zeroed, and predictions, attention and embeddings follow."
        )
        if self._importance is not None and self._target() is not None:
            helps = f"<span style='color:{HELPS_COLOR}'><b>■</b></span> "
            hurts = f"<span style='color:{HURTS_COLOR}'><b>■</b></span> "
            text = self.tr(
                "{helps}removing the head lowers p({word}): it helps · {hurts}the prediction does better without it "
                "· numbers: the drop in log-probability when that head alone is removed (1.0 ≈ p falls to a "
                "third) · {off}"
            ).format(helps=helps, hurts=hurts, word=self._target()[0], off=off)
            if stale:
                stale_note = self.tr(
                    "<b>Out of date:</b> the input changed since this map was computed; press “Compute again”."
                )
                text = stale_note + " " + text
            return text
        if r is not None and r.task:
            return self.tr(
                "“Compute head importance” removes each head alone and measures how much the classifier's "
                "predicted label loses. {off}"
            ).format(off=off)
        if r is not None and not r.has_mlm_head:
            text = self.tr(
                "This model has no masked-word head, so there is no prediction to measure heads against; "
                "click heads to see how attention and embeddings change. {off}"
            )
        elif r is not None and not r.masked_positions:
            text = self.tr(
                "Mask a word (click a token, or type [MASK]) to measure which heads its prediction needs. {off}"
            )
        else:
            text = self.tr(
                "“Compute head importance” removes each head alone and measures how much the top prediction at the "
                "mask loses. {off}"
            )
        return text.format(off=off)

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
        return [
            (self.tr("Importance as CSV…"), "csv"),
            (self.tr("Map as PNG…"), "png"),
            (self.tr("Map as SVG…"), "svg"),
        ]

    def export_name(self, kind: str) -> str:
        imp = self._importance
        return f"head_importance_token{imp.masked_positions[self._mask_index]}.{kind}" if imp else f"heads.{kind}"

    def writer(self, kind: str):
        return {"csv": self.export_csv, "png": self.export_png, "svg": self.export_svg}[kind]

    # ---- hover --------------------------------------------------------------------------------------------

    def hover_text(self, layer: int, head: int) -> str:
        """'layer 3, head 7: removing it drops log p(paris) by 1.23 (p 42.0% → 12.3%)' for the head on screen."""
        if (layer, head) in self.grid.knocked_out():
            text = self.tr("layer {layer}, head {head}: switched off · click to switch it back on")
            return text.format(layer=layer + 1, head=head + 1)
        target = self._target()
        if target is None:
            return self.tr("layer {layer}, head {head} · click to switch it off").format(layer=layer + 1, head=head + 1)
        word, p = target
        drop = float(self._importance.drops[self._mask_index, layer, head])
        if drop >= 0:
            text = self.tr("layer {layer}, head {head}: removing it drops log p({word}) by {drop} (p {p} → {after})")
        else:
            text = self.tr("layer {layer}, head {head}: removing it raises log p({word}) by {drop} (p {p} → {after})")
        after = p * math.exp(-drop)
        text = text.format(
            layer=layer + 1, head=head + 1, word=word, drop=f"{abs(drop):.2f}", p=f"{p:.1%}", after=f"{after:.1%}"
        )
        return text + (" · " + self.tr("out of date") if self.stale else "")

    def _on_hovered(self, layer: int, head: int) -> None:
        self.readout_label.setText(self.hover_text(layer, head) if layer >= 0 else self.tr(HOVER_HINT))
