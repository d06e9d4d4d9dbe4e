"""The main window: sentence on top, predictions on the left, attention and embeddings on the right."""

from __future__ import annotations

import logging
import time

from PySide6.QtCore import QCoreApplication, QDeadlineTimer, QSize, Qt, QTimer
from PySide6.QtGui import QAction, QActionGroup, QIcon, QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QSplitter,
    QTabWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from bertviz_app import APP_NAME, __version__
from bertviz_app.atomic import atomic_write
from bertviz_app.resources import resource_path
from bertviz_app.ui.exporting import save_widget_png
from bertviz_app.ui.i18n import add_language_menu
from bertviz_app.ui.lesson_panel import add_lessons_menu
from bertviz_app.ui.model_picker import ModelPicker, megabytes
from bertviz_app.ui.predictions_panel import PredictionsPanel
from bertviz_app.ui.presenter import add_presenter_action
from bertviz_app.ui.sentence_panel import SentencePanel
from bertviz_app.ui.settings import Settings
from bertviz_app.ui.view import Selection, View
from bertviz_app.ui.views import REGISTRY
from bertviz_app.ui.workspace_menu import add_workspace_actions

log = logging.getLogger(__name__)

BERT_BASE = "google-bert/bert-base-uncased"  # what the first start offers (engine/catalog.py: FIRST_START_OFFER)


def view_shortcut(number: int) -> str:
    """The View menu's shortcut of the view at 1-based position `number`: Ctrl+1 … Ctrl+9, then Alt+1 … Alt+9
    (a digit key exists only once: "Ctrl+10" is no key sequence)."""
    return f"Ctrl+{number}" if number <= 9 else f"Alt+{number - 9}"


class MainWindow(QMainWindow):
    def __init__(self, controller, settings: Settings):
        super().__init__()
        self.controller = controller
        self.settings = settings
        # The models the Model menu lists: the controller's latest listing (read off the GUI thread: the menu
        # shows what the last one found, and each opening asks for a new one).
        self._models: tuple[tuple[str, str], ...] = ()
        controller.cache_scanned.connect(self._models_listed)
        self.setWindowTitle(APP_NAME)
        icon = QIcon(str(resource_path("icons", "bert-explorer.svg")))
        for size in (16, 24):  # a simpler drawing stays sharp where the full one would blur
            icon.addFile(str(resource_path("icons", "bert-explorer-16.svg")), QSize(size, size))
        self.setWindowIcon(icon)
        self.resize(1360, 860)

        self.sentence = SentencePanel(controller)
        self.predictions = PredictionsPanel(k=settings.top_k, controller=controller)
        self.selection = Selection(self)  # the token, layer and head picked anywhere
        self.tabs = QTabWidget()
        self.views: dict[str, View] = {}  # name (ui/views.py) -> its panel
        # Only the tab in front renders a new result; the others catch up when brought to the front, so
        # seven views cost no more per keystroke than one.
        self._latest = None  # the result on show, or None while the panels show a message
        self._given: dict[str, object] = {}  # view name -> the result it last rendered
        self.tabs.currentChanged.connect(self._catch_up)
        for spec in REGISTRY.values():
            self.add_view(spec.name, spec.title, spec.factory(controller, self.selection))
        if "attention" in self.views:
            self.attention.set_colormap(settings.colormap)
        self.splitter = QSplitter(Qt.Horizontal)
        self.splitter.addWidget(self.predictions)
        self.splitter.addWidget(self.tabs)
        self.splitter.setStretchFactor(0, 1)
        self.splitter.setStretchFactor(1, 3)
        self.splitter.setSizes([360, 1000])

        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.sentence)
        layout.addWidget(self.splitter, 1)
        self.setCentralWidget(central)

        self._build_status_bar()
        self._build_menus()
        self._connect()
        self._restore_layout()
        self._set_panels_message(self.tr("Loading the model…"))

    # ---- construction ---------------------------------------------------------------------------------
    def add_view(self, name: str, title: str, panel: View) -> None:
        """A tab on the right (a view of ui/views.py's registry). The view in front gets each result
        (`set_result`), every view each message (`clear`)."""
        self.views[name] = panel
        self.tabs.addTab(panel, QCoreApplication.translate("views", title))

    def __getattr__(self, name: str):
        views = self.__dict__.get("views")  # window.attention, window.heads, ...: the view of that name
        if views is not None and name in views:
            return views[name]
        raise AttributeError(name)

    def _build_status_bar(self) -> None:
        bar = self.statusBar()
        self.model_label = QLabel(self.tr("no model"))
        self.device_label = QLabel("")
        self.time_label = QLabel("")
        self.progress = QProgressBar()
        self.progress.setRange(0, 0)  # indeterminate: loading reports no fraction
        self.progress.setMaximumWidth(160)
        self.progress.setVisible(False)
        self.cancel_load = QPushButton(self.tr("Cancel"))  # beside the progress bar while a model loads
        self.cancel_load.setToolTip(self.tr("Stop loading this model; the one loaded before stays"))
        self.cancel_load.setVisible(False)
        self.cancel_load.clicked.connect(self.controller.cancel_load)
        self.controller.weights_changed.connect(self._weights_changed)  # the pretraining demo's fine-tuned copy
        for w in (self.progress, self.cancel_load, self.model_label, self.device_label, self.time_label):
            bar.addPermanentWidget(w)
        # The first start's offer of a real model (see offer_download): a line in the status bar, never a dialog.
        self.offer = QWidget()
        offer_layout = QHBoxLayout(self.offer)
        offer_layout.setContentsMargins(0, 0, 0, 0)
        self.offer_label = QLabel("")
        self.offer_accept = QPushButton(self.tr("Download"))
        self.offer_dismiss = QPushButton(self.tr("Not now"))
        for w in (self.offer_label, self.offer_accept, self.offer_dismiss):
            offer_layout.addWidget(w)
        self.offer_accept.clicked.connect(lambda: self.offer.hide() or self.download(self._offered))
        self.offer_dismiss.clicked.connect(self.offer.hide)
        self._offered = ""
        self.offer.hide()
        bar.insertPermanentWidget(0, self.offer)  # permanent: a status message does not hide it

    def _action(self, menu, text, slot, shortcut=None, tip=None) -> QAction:
        action = QAction(text, self)
        if shortcut:
            action.setShortcut(QKeySequence(shortcut))
        if tip:
            action.setStatusTip(tip)
        action.triggered.connect(slot)
        menu.addAction(action)
        return action

    def _build_menus(self) -> None:
        mb = self.menuBar()
        file = mb.addMenu(self.tr("&File"))
        self._action(file, self.tr("Export predictions as &JSON…"), self.export_predictions, "Ctrl+Shift+J")
        self._action(file, self.tr("Export attention as &CSV…"), self.export_attention_csv, "Ctrl+Shift+C")
        self._action(file, self.tr("Export attention as &NPZ…"), self.export_attention_npz, "Ctrl+Shift+N")
        file.addSeparator()
        self._action(
            file, self.tr("Export attention plot as &PNG…"), lambda: self.export_plot("attention", "png"), "Ctrl+E"
        )
        self._action(
            file,
            self.tr("Export attention plot as &SVG…"),
            lambda: self.export_plot("attention", "svg"),
            "Ctrl+Shift+E",
        )
        self._action(
            file,
            self.tr("Export embedding plot as PN&G…"),
            lambda: self.export_plot("embeddings", "png"),
            "Ctrl+Alt+E",
        )
        self._action(
            file,
            self.tr("Export embedding plot as S&VG…"),
            lambda: self.export_plot("embeddings", "svg"),
            "Ctrl+Alt+Shift+E",
        )
        self._action(file, self.tr("Save &window as PNG…"), self.save_window_png, "Ctrl+Shift+S")
        file.addSeparator()
        add_workspace_actions(self, file)
        file.addSeparator()
        self._action(file, self.tr("&Quit"), self.close, "Ctrl+Q")

        edit = mb.addMenu(self.tr("&Edit"))
        self._action(edit, self.tr("&Edit the sentence"), self._focus_sentence, "Ctrl+L")
        self._action(edit, self.tr("&Clear masks"), self.controller.clear_masks, "Ctrl+Shift+M")
        self._action(edit, self.tr("Switch all heads back &on"), self.controller.clear_knockouts, "Ctrl+Shift+H")
        self._action(edit, self.tr("Toggle &whole-word masking"), self.sentence.whole_word.toggle, "Ctrl+W")
        self._action(edit, self.tr("Toggle sentence &pair"), self.sentence.pair_toggle.toggle, "Ctrl+P")

        view = mb.addMenu(self.tr("&View"))
        for number, (name, panel) in enumerate(self.views.items(), start=1):
            title = self.tabs.tabText(self.tabs.indexOf(panel))
            self._action(view, title, lambda _=False, n=name: self.show_view(n), view_shortcut(number))
        view.addSeparator()
        self._action(view, self.tr("&Fewer predictions"), lambda: self.predictions.k_spin.stepBy(-1), "Ctrl+-")
        self._action(view, self.tr("&More predictions"), lambda: self.predictions.k_spin.stepBy(1), "Ctrl+=")
        view.addSeparator()
        add_presenter_action(self, view)
        add_language_menu(self, view)

        self.model_menu = mb.addMenu(self.tr("&Model"))
        self.model_menu.aboutToShow.connect(self._fill_model_menu)
        self.model_menu.aboutToShow.connect(self.controller.scan_cache)  # for the next opening
        self._fill_model_menu()

        add_lessons_menu(self, mb)

        help_menu = mb.addMenu(self.tr("&Help"))
        self._action(help_menu, self.tr("&About {app}").format(app=APP_NAME), self.show_about, "F1")

    def _fill_model_menu(self) -> None:
        menu = self.model_menu
        menu.clear()
        self._action(
            menu,
            self.tr("&Default model"),
            lambda: self.open_model("default"),
            "Ctrl+0",
            self.tr("The small model bundled with the app"),
        )
        for name, source in self._models:  # minilm-base: bundled too, so not under the cache's heading
            if source == "bundled" and name != "default":
                self._action(menu, name, lambda _=False, n=name: self.open_model(n)).setData("cached-model")
        found = [m for m in self._models if m[1] == "cache"]
        if found:
            menu.addSection(self.tr("In the Hugging Face cache"))
            for name, _source in found:
                self._action(menu, name, lambda _=False, n=name: self.open_model(n)).setData("cached-model")
        menu.addSeparator()
        self._action(
            menu,
            self.tr("&Open folder…"),
            self.open_folder,
            "Ctrl+O",
            self.tr("Open a model folder (config.json + model.safetensors + tokenizer)"),
        )
        self._action(
            menu,
            self.tr("&Get a model…"),
            self.show_model_picker,
            "Ctrl+G",
            self.tr("Curated models to download from the Hugging Face Hub, any Hub id, and your cache"),
        )
        self._action(menu, self.tr("&About this model"), self.show_model_info, "Ctrl+I")
        self._fill_device_menu(menu.addMenu(self.tr("De&vice")))

    def _models_listed(self, listing) -> None:
        self._models = listing.models
        if self.model_menu.isVisible():
            self._fill_model_menu()

    def _fill_device_menu(self, menu) -> None:
        """Model ▸ Device: Automatic (a GPU for models above ~100M parameters), then each device of this machine
        (the list comes with the loaded model, from the worker)."""
        summary = self.controller.model_summary
        devices = summary.devices if summary is not None else (("cpu", "CPU"),)
        group = QActionGroup(menu)
        chosen = self.settings.device
        entries = (("auto", self.tr("&Automatic (a GPU for models above 100M parameters)")), *devices)
        for number, (device, label) in enumerate(entries):
            shortcut = f"Ctrl+Alt+{number}" if number < 10 else None
            action = self._action(menu, label, lambda _=False, d=device: self.set_device(d), shortcut)
            action.setCheckable(True)
            action.setChecked(device == chosen)
            action.setData("device")
            group.addAction(action)

    def _connect(self) -> None:
        c = self.controller
        # connect: predictions
        c.result_ready.connect(self.show_result)
        c.error.connect(self.show_error)
        c.model_loading.connect(self._model_loading)
        c.model_loaded.connect(self._model_loaded)
        c.model_load_failed.connect(self._model_failed)
        c.model_load_cancelled.connect(self._model_cancelled)
        c.download_progress.connect(self._download_progress)
        c.download_finished.connect(self._download_done)
        c.download_failed.connect(self._download_failed)
        c.download_offered.connect(self.offer_download)
        c.device_changed.connect(self._device_changed)
        self.predictions.prediction_chosen.connect(c.replace_token)
        self.predictions.k_changed.connect(lambda k: setattr(self.settings, "top_k", k))
        self.selection.token_changed.connect(self.sentence.set_selected_token)
        self.sentence.chips.chip_hovered.connect(self.selection.set_hovered)  # the presenter's laser pointer
        self.selection.hover_changed.connect(self.sentence.chips.set_hovered)
        if "attention" in self.views:
            self.attention.colormap_changed.connect(lambda name: setattr(self.settings, "colormap", name))

    def _restore_layout(self) -> None:
        geometry = self.settings.layout("geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
        splitter = self.settings.layout("splitter")
        if splitter is not None:
            self.splitter.restoreState(splitter)

    # ---- reacting to the controller -------------------------------------------------------------------
    def _set_panels_message(self, message: str) -> None:
        self._latest = None
        self._given.clear()
        self.predictions.clear(message)
        for panel in self.views.values():
            panel.clear(message)

    def show_result(self, result) -> None:
        self._latest = result
        self.predictions.set_result(result)
        self._catch_up()
        self.time_label.setText(self.tr("inference {ms:.0f} ms").format(ms=result.seconds * 1000))
        self.statusBar().clearMessage()

    def _catch_up(self, *_args) -> None:
        """Give the view in front the latest result, unless it has rendered it already."""
        panel = self.tabs.currentWidget()
        name = next((n for n, p in self.views.items() if p is panel), None)
        if name is not None and self._latest is not None and self._given.get(name) is not self._latest:
            self._given[name] = self._latest
            panel.set_result(self._latest)

    def show_error(self, message: str) -> None:
        if self.controller.current_result is None or not self.controller.current_input.text.strip():
            self._set_panels_message(message)
        self.statusBar().showMessage(message, 8000)

    def _model_loading(self, name: str) -> None:
        self.progress.setVisible(True)
        self.cancel_load.setVisible(True)
        self.statusBar().showMessage(self.tr("Loading {name}…").format(name=name))
        if self.controller.current_result is None:
            self._set_panels_message(self.tr("Loading {name}…").format(name=name))

    def _model_loaded(self, summary) -> None:
        self.progress.setVisible(False)
        self.cancel_load.setVisible(False)
        self.model_label.setText(
            self.tr("{name} · {layers} layers × {heads} heads").format(
                name=summary.name, layers=summary.layers, heads=summary.heads
            )
        )
        self._show_device(summary)
        self.statusBar().showMessage(
            self.tr("Loaded {name} in {seconds:.1f} s").format(name=summary.name, seconds=summary.load_seconds), 5000
        )
        self.setWindowTitle(f"{APP_NAME} — {summary.name}")
        self.settings.model = summary.name if summary.source != "folder" else summary.path
        if not self.controller.current_input.text.strip():
            self._set_panels_message(self.tr("Type a sentence above to see what BERT makes of it."))

    def _weights_changed(self, summary) -> None:
        """The views run on the pretraining demo's fine-tuned copy, or on the loaded weights again."""
        text = self.tr("{name} · {layers} layers × {heads} heads").format(
            name=summary.name, layers=summary.layers, heads=summary.heads
        )
        if summary.fine_tuned:
            text = self.tr("{model} · fine-tuned copy").format(model=text)
        self.model_label.setText(text)

    def _show_device(self, summary) -> None:
        self.device_label.setText(summary.device_label)
        if summary.device_note:
            tip = self.tr("The model runs on {device} in {dtype}: {note}")
        else:
            tip = self.tr("The model runs on {device} in {dtype}")
        self.device_label.setToolTip(tip.format(device=summary.device, dtype=summary.dtype, note=summary.device_note))

    def _device_changed(self, summary) -> None:
        self._show_device(summary)
        self.statusBar().showMessage(
            self.tr("The model now runs on {device}").format(device=summary.device_label), 8000
        )
        if summary.device_note:  # asked for a device that could not take it: say so, without blocking
            box = QMessageBox(
                QMessageBox.Information,
                self.tr("Device"),
                self.tr("The model runs on {device}: {note}.").format(
                    device=summary.device_label, note=summary.device_note
                ),
                QMessageBox.Ok,
                self,
            )
            box.setAttribute(Qt.WA_DeleteOnClose)
            box.open()
            self.last_error_box = box

    def set_device(self, device: str) -> None:
        """Model ▸ Device: remembered, and the loaded model moves there (on the worker)."""
        self.settings.device = device
        self.controller.set_device(device)

    def _model_cancelled(self, name: str) -> None:
        self.progress.setVisible(False)
        self.cancel_load.setVisible(False)
        if self.controller.model_summary is None:
            self.statusBar().showMessage(self.tr("Stopped loading {name}.").format(name=name), 8000)
            if self.controller.current_result is None:
                self._set_panels_message(
                    self.tr("Stopped loading {name}: choose a model in the Model menu.").format(name=name)
                )
        else:
            self.statusBar().showMessage(
                self.tr("Stopped loading {name}; {previous} stays.").format(
                    name=name, previous=self.controller.model_summary.name
                ),
                8000,
            )

    def _model_failed(self, message: str) -> None:
        self.progress.setVisible(False)
        self.cancel_load.setVisible(False)
        self.statusBar().showMessage(self.tr("The model could not be opened; the previous one stays loaded."), 8000)
        if self.controller.model_summary is None and self.controller.current_result is None:
            self._set_panels_message(message)
        box = QMessageBox(QMessageBox.Warning, self.tr("Could not open the model"), message, QMessageBox.Ok, self)
        box.setInformativeText(self.tr("The previous model stays loaded.") if self.controller.model_summary else "")
        box.setAttribute(Qt.WA_DeleteOnClose)
        box.open()  # not exec(): the event loop (and the worker's results) keep flowing
        self.last_error_box = box

    def wait_until_drawn(self, timeout_ms: int = 30_000) -> bool:
        """Process events until no panel is still drawing in slices (a `busy` property). For screenshots."""
        deadline = QDeadlineTimer(timeout_ms)
        panels = list(self.views.values())
        while any(panel.busy for panel in panels):
            if deadline.hasExpired():
                return False
            QCoreApplication.processEvents()
            time.sleep(0.002)
        return True

    def show_view(self, name: str, arg: str | None = None) -> None:
        """Bring a view (a name in ui/views.py) to the front; `arg` is what it starts with (--view-arg)."""
        panel = self.views.get(name) or next(iter(self.views.values()))
        self.tabs.setCurrentWidget(panel)
        if arg is not None:
            panel.prepare_view(arg)

    def select_token(self, index: int) -> None:
        """One token selected everywhere (chips, heatmap, projection)."""
        self.selection.set_token(index)

    # ---- actions ----------------------------------------------------------------------------------------
    def _focus_sentence(self) -> None:
        self.sentence.text_a.setFocus()
        self.sentence.text_a.selectAll()

    def open_model(self, spec: str) -> None:
        self.controller.load_model(spec)

    def show_model_picker(self) -> ModelPicker:
        """Model ▸ Get a model…: one dialog, kept while the window lives (a download outlasts its closing)."""
        picker = getattr(self, "model_picker", None)
        if picker is None:
            picker = self.model_picker = ModelPicker(self.controller, self)
        else:
            picker.refresh()
        picker.show()
        picker.raise_()
        return picker

    def download(self, repo_id: str) -> None:
        """Download `repo_id` (then open it), with its progress in Model ▸ Get a model…."""
        self.show_model_picker().start_download(repo_id)

    def offer_download(self, repo_id: str) -> None:
        """The first start, with the network there: offer a real model next to the bundled one."""
        entry = next((e for e in self.controller.catalog if e.repo_id == repo_id), None)
        self._offered = repo_id
        if entry is not None:
            offer = self.tr("For better guesses than the small bundled model, get {model} ({size}):")
        else:
            offer = self.tr("For better guesses than the small bundled model, get {model}:")
        self.offer_label.setText(offer.format(model=repo_id, size=megabytes(entry.size_mb * 1e6) if entry else ""))
        self.offer.show()

    def _download_progress(self, done: int, total: int) -> None:
        if total:
            self.progress.setRange(0, 1000)
            self.progress.setValue(int(1000 * done / total))
            self.progress.setVisible(True)
            self.progress.setToolTip(
                self.tr("Downloading: {done} of {total}").format(done=megabytes(done), total=megabytes(total))
            )

    def _download_ended(self) -> None:
        self.progress.setVisible(False)
        self.progress.setRange(0, 0)  # back to indeterminate, for model loading

    def _download_done(self, name: str) -> None:
        self._download_ended()
        self.statusBar().showMessage(self.tr("Downloaded {name}; opening it…").format(name=name), 5000)

    def _download_failed(self, message: str) -> None:
        self._download_ended()
        picker = getattr(self, "model_picker", None)
        if picker is not None and picker.isVisible():
            return  # the dialog says it, where the download was started
        box = QMessageBox(QMessageBox.Warning, self.tr("Download failed"), message, QMessageBox.Ok, self)
        box.setAttribute(Qt.WA_DeleteOnClose)
        box.open()
        self.last_error_box = box

    def open_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, self.tr("Open a BERT model folder"))
        if folder:
            self.open_model(folder)

    def _save_path(self, title: str, suffix: str) -> str:
        path, _ = QFileDialog.getSaveFileName(self, title, f"bert-explorer.{suffix}", f"*.{suffix}")
        if path and not path.lower().endswith(f".{suffix}"):
            path += f".{suffix}"
        return path

    def _guarded(self, failure: str, fn, path: str) -> None:
        """Write `path` with `fn`; `failure` titles the message if that fails."""
        if not path:
            return
        try:
            with atomic_write(path) as tmp:  # written whole, or the previous file stays as it was
                fn(tmp)
            self.statusBar().showMessage(self.tr("Saved {path}").format(path=path), 5000)
        except Exception as exc:
            QMessageBox.warning(self, failure, f"{path}: {exc}")

    def export_predictions(self) -> None:
        path = self._save_path(self.tr("Export predictions"), "json")
        self._guarded(self.tr("Could not export the predictions"), self.predictions.export_json, path)

    def export_attention_csv(self) -> None:
        path = self._save_path(self.tr("Export attention"), "csv")
        self._guarded(self.tr("Could not export the attention"), self.attention.export_attention_csv, path)

    def export_attention_npz(self) -> None:
        path = self._save_path(self.tr("Export attention"), "npz")
        self._guarded(self.tr("Could not export the attention"), self.attention.export_attention_npz, path)

    def export_plot(self, which: str, fmt: str) -> None:
        panel = self.attention if which == "attention" else self.embeddings
        fn = panel.export_png if fmt == "png" else panel.export_svg
        if which == "attention":
            title, failure = self.tr("Export attention plot"), self.tr("Could not export the attention plot")
        else:
            title, failure = self.tr("Export embedding plot"), self.tr("Could not export the embedding plot")
        self._guarded(failure, fn, self._save_path(title, fmt))

    def save_window_png(self) -> None:
        path = self._save_path(self.tr("Save window"), "png")
        self._guarded(self.tr("Could not save the window"), lambda p: save_widget_png(self, p), path)

    def show_model_info(self) -> None:
        s = self.controller.model_summary
        if s is None:
            QMessageBox.information(self, self.tr("About this model"), self.tr("No model is loaded yet."))
            return
        head = self.tr("yes") if s.has_mlm_head else self.tr("**no** — it cannot predict masked words")
        facts = (
            f"# {s.name}\n\n"
            + self.tr(
                "{layers} layers, {heads} attention heads, hidden size {hidden}, {vocab:,} word pieces, "
                "{millions:.1f} M parameters, up to {tokens} tokens."
            ).format(
                layers=s.layers,
                heads=s.heads,
                hidden=s.hidden_size,
                vocab=s.vocab_size,
                millions=s.parameters / 1e6,
                tokens=s.max_length,
            )
            + "\n\n"
            + self.tr("Masked-word (MLM) head: {answer}.").format(answer=head)
            + "\n\n"
            + self.tr("Loaded from `{path}` in {seconds:.2f} s, on {device}.").format(
                path=s.path, seconds=s.load_seconds, device=s.device
            )
            + "\n\n"
        )
        card = s.card or self.tr("*This model's folder has no model card (MODEL_CARD.md or README.md).*")
        dialog = QDialog(self)
        dialog.setWindowTitle(self.tr("About this model"))
        dialog.resize(720, 640)
        browser = QTextBrowser()
        browser.setOpenExternalLinks(True)
        browser.setMarkdown(facts + "---\n\n" + card)
        buttons = QDialogButtonBox(QDialogButtonBox.Close)
        buttons.rejected.connect(dialog.close)
        layout = QVBoxLayout(dialog)
        layout.addWidget(browser)
        layout.addWidget(buttons)
        dialog.setAttribute(Qt.WA_DeleteOnClose)
        dialog.open()
        self.model_info_dialog = dialog

    def show_about(self) -> None:
        QMessageBox.about(
            self,
            self.tr("About {app}").format(app=APP_NAME),
            f"<h3>{APP_NAME} {__version__}</h3>"
            + self.tr(
                "<p>Type a sentence, mask words, and look inside BERT: its guesses, its attention in every layer "
                "and head, and how each token's representation moves through the layers.</p><p>Works offline.</p>"
            ),
        )

    def closeEvent(self, event) -> None:
        pair = self.sentence.text_b.text() if self.sentence.pair_toggle.isChecked() else None
        self.settings.set_sentence(self.sentence.text_a.text(), pair)
        self.settings.set_layout("geometry", self.saveGeometry())
        self.settings.set_layout("splitter", self.splitter.saveState())
        self.settings.sync()
        QTimer.singleShot(0, self.controller.shutdown)
        super().closeEvent(event)
