"""Pretraining, live: paste a short text, and watch a copy of the model learn it by masked-language modelling
(the loss falling step by step), then compare its guesses for a test sentence before and after.

The training runs on the worker as the "pretrain" analysis (analysis/pretrain.py, train-mlm's own steps), on a
copy of the weights in memory: the loaded model and its files are never changed. Using the fine-tuned copy in
the other views is an explicit choice (a check box), and Reset goes back to the loaded weights everywhere. Save
writes the copy as a new model folder (on the worker: the "save_fine_tuned" analysis), to open later.
"""

from __future__ import annotations

import html
import logging
import re
from pathlib import Path

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtWidgets

from bertviz_app.ui import theme
from bertviz_app.ui.plot_items import plot_widget
from bertviz_app.ui.view import View

log = logging.getLogger(__name__)

STEPS = 40  # a classroom's default: about 5 s with the bundled model on a laptop CPU
MAX_STEPS = 1000
TOP_K = 5
MASK = re.compile(r"\[mask\]|<mask>", re.IGNORECASE)  # as the sentence panel reads a typed mask
EXAMPLE_TEXT = (
    "The aardvark is a nocturnal mammal native to Africa.\n"
    "The aardvark digs burrows and eats ants and termites.\n"
    "Farmers in Africa often see the aardvark at night."
)
EXAMPLE_PROBE = "At night the [MASK] digs for ants."
LOSS_COLOR = "#2f6fdf"
TEXT_WORD_COLOR = "#1b7f3b"  # a guess that is one of the pasted text's tokens


class PretrainPanel(View):
    """The live pretraining demo: text, steps, Train / Cancel / Reset, the loss curve, before and after."""

    def __init__(self, controller=None, selection=None, parent: QtWidgets.QWidget | None = None):
        super().__init__(controller, selection, parent)
        self.run = None  # the AnalysisRun under way or last finished
        self.save_run = None  # the "save_fine_tuned" run under way or last finished
        self.training = None  # the last finished run's payload (analysis/pretrain.py: Pretraining)
        self.losses: list[float] = []
        self._train_when_loaded = False  # --view-arg asked for a run before the model was there

        self.steps_spin = QtWidgets.QSpinBox()
        self.steps_spin.setRange(1, MAX_STEPS)
        self.steps_spin.setValue(STEPS)
        self.steps_spin.setPrefix(self.tr("Steps "))
        self.steps_spin.setToolTip(self.tr("How many training steps (each: 8 rows of the text, 15% of it masked)"))
        self.train_button = QtWidgets.QPushButton(self.tr("Train on this text"))
        self.train_button.setToolTip(
            self.tr("Fine-tune a copy of the model on the text by masked-language modelling (the files never change)")
        )
        self.train_button.clicked.connect(self.start)
        self.cancel_button = QtWidgets.QPushButton(self.tr("Cancel"))
        self.cancel_button.clicked.connect(self.cancel)
        self.cancel_button.setToolTip(self.tr("Stop training; the model stays as it was"))
        self.use_box = QtWidgets.QCheckBox(self.tr("Use the fine-tuned model in the other views"))
        self.use_box.toggled.connect(self._use_toggled)
        self.use_box.setToolTip(self.tr("Predictions, attention, embeddings, … then come from the fine-tuned copy"))
        self.reset_button = QtWidgets.QPushButton(self.tr("Reset"))
        self.reset_button.clicked.connect(self.reset_weights)
        self.reset_button.setToolTip(self.tr("Forget the fine-tuned copy: every view goes back to the loaded weights"))
        self.save_button = QtWidgets.QPushButton(self.tr("Save as a model…"))
        self.save_button.clicked.connect(self.save)
        self.save_button.setToolTip(
            self.tr("Write the fine-tuned copy as a new model folder, to open with Model ▸ Open folder… (BERT models)")
        )
        self.progress = QtWidgets.QProgressBar()
        self.progress.setMaximumWidth(160)
        self.progress.setTextVisible(False)
        for widget in (self.steps_spin, self.train_button, self.cancel_button, self.progress, self.use_box):
            self.controls.addWidget(widget)
        self.controls.addStretch(1)
        self.controls.addWidget(self.save_button)
        self.controls.addWidget(self.reset_button)

        self.text_edit = QtWidgets.QPlainTextEdit(EXAMPLE_TEXT)
        self.text_edit.setPlaceholderText(self.tr("Paste a short text for the model to learn: a few sentences"))
        self.text_edit.setToolTip(self.tr("The text to train on: one passage per line"))
        self.text_edit.setMaximumHeight(110)
        self.text_edit.textChanged.connect(self._input_edited)  # a run about the old text is stopped
        self.probe_edit = QtWidgets.QLineEdit(EXAMPLE_PROBE)
        self.probe_edit.setPlaceholderText(self.tr("A sentence with [MASK], to compare the guesses before and after"))
        self.probe_edit.textChanged.connect(self._input_edited)
        form = QtWidgets.QFormLayout()
        form.addRow(self.tr("Text to learn"), self.text_edit)
        form.addRow(self.tr("Test sentence"), self.probe_edit)
        self.content_layout.addLayout(form)

        self.status = QtWidgets.QLabel(self.tr("Paste a text and press Train on this text."))
        self.status.setWordWrap(True)
        self.content_layout.addWidget(self.status)

        row = QtWidgets.QHBoxLayout()
        self.plot_widget, self.plot = plot_widget()
        self.plot.setLabel("bottom", self.tr("step"))
        self.plot.setLabel("left", self.tr("loss (nats per masked token)"))
        self.plot.setTitle(self.tr("Training loss on the text"))
        self.plot.setMouseEnabled(x=False, y=False)
        self.curve = self.plot.plot(
            [], [], pen=pg.mkPen(LOSS_COLOR, width=2), symbol="o", symbolSize=5, symbolBrush=LOSS_COLOR, symbolPen=None
        )
        bg, fg, grey = theme.plot_colors(self)
        self.plot_widget.setBackground(bg)
        for side in ("left", "bottom"):
            self.plot.getAxis(side).setPen(grey)
            self.plot.getAxis(side).setTextPen(fg)
        row.addWidget(self.plot_widget, 3)
        self.before_label, self.before_table = self._guess_table(self.tr("Before: the loaded weights"))
        self.after_label, self.after_table = self._guess_table(self.tr("After: the fine-tuned copy"))
        for label, table in ((self.before_label, self.before_table), (self.after_label, self.after_table)):
            column = QtWidgets.QVBoxLayout()
            column.addWidget(label)
            column.addWidget(table, 1)
            row.addLayout(column, 2)
        self.content_layout.addLayout(row, 1)
        self.legend = QtWidgets.QLabel(
            self.tr("Guesses in <b><font color='{color}'>green</font></b> are tokens of your text.").format(
                color=TEXT_WORD_COLOR
            )
        )
        self.content_layout.addWidget(self.legend)

        if controller is not None:
            controller.model_loaded.connect(self._model_loaded)
        self._set_running(False)
        self.clear(self.empty_message)

    def _guess_table(self, title: str) -> tuple[QtWidgets.QLabel, QtWidgets.QTableWidget]:
        label = QtWidgets.QLabel(f"<b>{html.escape(title)}</b>")
        table = QtWidgets.QTableWidget(0, 2)
        table.setHorizontalHeaderLabels([self.tr("Guess"), self.tr("Probability")])
        table.horizontalHeader().setSectionResizeMode(0, QtWidgets.QHeaderView.ResizeMode.Stretch)
        table.verticalHeader().setVisible(False)
        table.setEditTriggers(QtWidgets.QAbstractItemView.EditTrigger.NoEditTriggers)
        return label, table

    # ---- the View contract ----------------------------------------------------------------------------------
    def show_result(self, result) -> None:
        self._show_content()  # the demo trains on its own text: any result means a model is there

    def clear(self, message: str = "") -> None:
        """Messages about the main sentence (empty, loading) do not hide the demo once a model is loaded."""
        self._result = None
        if self.controller is None or self.controller.model_summary is None:
            self._show_message(message)
        else:
            self._show_content()

    @property
    def busy(self) -> bool:
        return any(run is not None and run.running for run in (self.run, self.save_run))

    # ---- training --------------------------------------------------------------------------------------------
    def start(self) -> None:
        """Train on this text: from the loaded weights, on the worker; a run under way is replaced."""
        text, probe = self.text_edit.toPlainText().strip(), self.probe_edit.text().strip()
        if not text:
            self.status.setText(self.tr("Paste a text to train on first."))
            return
        if not MASK.search(probe):
            self.status.setText(self.tr("The test sentence needs a [MASK] for the model to guess."))
            return
        if self.controller is None:
            return
        self._forget("")
        self.controller.use_model(None)  # a copy of the loaded weights, whatever the other views use now
        run = self.controller.start(
            "pretrain", follows_input=False, text=text, probe=probe, steps=self.steps_spin.value(), top_k=TOP_K
        )
        if run is None:
            self.status.setText(self.tr("No model is loaded yet."))
            return
        self.run = run
        self.progress.setRange(0, self.steps_spin.value())
        self.progress.setValue(0)
        run.partial.connect(self._step)
        run.ready.connect(self._ready)
        run.failed.connect(self._failed)
        run.cancelled.connect(self._cancelled)
        self.status.setText(self.tr("Copying the model and training…"))
        self._set_running(True)

    def cancel(self) -> None:
        if self.run is not None and self.run.running:
            self.run.cancel()

    def _step(self, step) -> None:
        self.losses.append(step.loss)
        self.progress.setValue(step.step)
        self.curve.setData(np.arange(1, len(self.losses) + 1), np.asarray(self.losses))
        self.status.setText(
            self.tr("Step {step} / {steps} · loss {loss:.2f} · {rate:.1f} steps/s").format(
                step=step.step, steps=self.progress.maximum(), loss=step.loss, rate=step.steps_per_second
            )
        )

    def _ready(self, training) -> None:
        self.training = training
        self._set_running(False)
        self.losses = [float(x) for x in training.losses]
        self.curve.setData(np.arange(1, len(self.losses) + 1), np.asarray(self.losses))
        self._fill(self.before_table, training.before, training.text_ids)
        self._fill(self.after_table, training.after, training.text_ids)
        self.status.setText(
            self.tr(
                "Done: the loss on your text fell from {before:.2f} to {after:.2f} in {steps} steps "
                "({seconds:.1f} s, {rate:.1f} steps/s). The loaded model is unchanged."
            ).format(
                before=training.loss_before,
                after=training.loss_after,
                steps=len(training.losses),
                seconds=training.seconds,
                rate=training.steps_per_second,
            )
        )

    def _failed(self, message: str) -> None:
        self._set_running(False)
        self.status.setText(message)

    def _cancelled(self) -> None:
        self._set_running(False)
        self.status.setText(self.tr("Training stopped: the model is as it was."))

    def _model_loaded(self, _summary) -> None:
        """Another model: a fine-tuned copy of the previous one means nothing now (the first load says nothing)."""
        if self.training is not None or self.losses:
            self._forget(self.tr("A new model: train it again."))
        if self._train_when_loaded:
            self._train_when_loaded = False
            self.start()

    def prepare_view(self, arg: str) -> None:
        """The command line's --view-arg: train that many steps on the text shown (once the model is there)."""
        if not arg.strip().isdigit() or not 1 <= int(arg) <= MAX_STEPS:
            log.warning("the pretraining view's --view-arg is a number of steps, 1 to %d; ignoring %r", MAX_STEPS, arg)
            return
        self.steps_spin.setValue(int(arg))
        if self.controller is not None and self.controller.model_summary is not None:
            self.start()
        else:
            self._train_when_loaded = True

    def _input_edited(self) -> None:
        """A new text or test sentence: a run under way is about the old one (stopped); so is the last result."""
        if self.run is not None and self.run.running:
            self.run.cancel()

    def _set_running(self, running: bool) -> None:
        saving = self.save_run is not None and self.save_run.running  # the copy must stay as it is meanwhile
        self.cancel_button.setEnabled(running)
        self.progress.setVisible(running)
        for widget in (self.use_box, self.save_button):
            widget.setEnabled(not running and not saving and self.training is not None)
        self.train_button.setEnabled(not saving)
        self.reset_button.setEnabled(not saving)

    # ---- saving the fine-tuned copy ------------------------------------------------------------------------
    def save(self) -> None:
        """Save as a model…: ask for a new folder's name, then write the copy there on the worker."""
        if self.training is None or self.controller is None:
            return
        name = re.sub(r"[^\w.-]+", "-", Path(self.training.model.name).name).strip("-") or "model"
        folder, _ = QtWidgets.QFileDialog.getSaveFileName(
            self,
            self.tr("Save the fine-tuned model as a new folder"),
            str(Path.home() / f"{name}-fine-tuned"),
            options=QtWidgets.QFileDialog.Option.DontConfirmOverwrite,
        )
        if not folder:
            return
        run = self.controller.start("save_fine_tuned", follows_input=False, training=self.training, folder=folder)
        if run is None:
            return
        self.save_run = run
        run.ready.connect(self._saved)
        run.failed.connect(self._save_failed)
        run.cancelled.connect(
            lambda: self._save_failed(
                self.tr("another model was opened meanwhile (a folder is written whole or not at all).")
            )
        )
        self.status.setText(self.tr("Saving the fine-tuned model to {folder}…").format(folder=folder))
        self._set_running(False)

    def _saved(self, saved) -> None:
        self._set_running(False)
        self.status.setText(
            self.tr("Saved the fine-tuned model to {folder} ({size:.1f} MB). Model ▸ Open folder… opens it.").format(
                folder=saved.folder, size=saved.size / 1e6
            )
        )

    def _save_failed(self, message: str) -> None:
        self._set_running(False)
        self.status.setText(self.tr("Not saved: {reason}").format(reason=message))

    # ---- the fine-tuned copy in the other views ------------------------------------------------------------
    def _use_toggled(self, on: bool) -> None:
        if self.controller is None:
            return
        if on and self.training is not None:
            self.controller.use_model(self.training.model)
            self.status.setText(self.tr("The other views now use the fine-tuned copy. Reset goes back."))
        elif not on:
            self.controller.use_model(None)

    def reset_weights(self) -> None:
        """Reset: stop any training, forget the fine-tuned copy, and every view back on the loaded weights."""
        self.cancel()
        self._forget(self.tr("Back to the loaded weights."))
        if self.controller is not None:
            self.controller.use_model(None)

    def _forget(self, message: str) -> None:
        self.training = None
        self.losses = []
        self.curve.setData([], [])
        with QtCore.QSignalBlocker(self.use_box):
            self.use_box.setChecked(False)
        for table in (self.before_table, self.after_table):
            table.setRowCount(0)
        self._set_running(False)
        if message:
            self.status.setText(message)

    def _fill(self, table: QtWidgets.QTableWidget, masks, text_ids) -> None:
        """One row per guess (a heading row per mask where there are several), the text's tokens in green."""
        rows = []
        for number, mask in enumerate(masks, start=1):
            if len(masks) > 1:
                rows.append((self.tr("Mask {number}").format(number=number), "", False))
            rows.extend((g.display, f"{g.probability:.1%}", g.token_id in text_ids) for g in mask.predictions)
        table.setRowCount(len(rows))
        for r, (guess, probability, ours) in enumerate(rows):
            for c, value in enumerate((guess, probability)):
                item = QtWidgets.QTableWidgetItem(value)
                if ours:
                    item.setForeground(pg.mkColor(TEXT_WORD_COLOR))
                    font = item.font()
                    font.setBold(True)
                    item.setFont(font)
                table.setItem(r, c, item)

    def guesses(self, which: str) -> list[str]:
        """The guesses shown in the "before" or "after" table, in order (for tests and lessons)."""
        table = self.before_table if which == "before" else self.after_table
        return [table.item(r, 0).text() for r in range(table.rowCount()) if table.item(r, 1).text()]
