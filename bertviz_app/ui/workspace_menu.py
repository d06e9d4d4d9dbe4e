"""File ▸ Save workspace… / Open workspace… / Recent workspaces, and File ▸ Export all views (a multi-page PDF,
or a folder of PNG and SVG figures for slides). The file format is bertviz_app/workspace.py.

Hashing a model's weights reads the whole file (440 MB for bert-base): it runs on a thread of its own, and the
workspace is written when it is done. Opening one whose model is not here says which model it needs and offers
Model ▸ Get a model…; a damaged one gets a message, and the window stays as it was.
"""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QMarginsF, QObject, QRectF, Qt, Signal
from PySide6.QtGui import QImage, QPageLayout, QPageSize, QPainter, QPdfWriter
from PySide6.QtWidgets import QFileDialog, QMessageBox

from bertviz_app.atomic import atomic_write
from bertviz_app.workspace import (
    SUFFIX,
    ModelRef,
    Workspace,
    WorkspaceError,
    read_workspace,
    weights_sha256,
    write_workspace,
)

log = logging.getLogger(__name__)

MAX_RECENT = 8


class Workspaces(QObject):
    """The window's workspace actions. `save(path)` and `open(path)` are what the menu items call after their
    file dialogs; `saved` / `opened` / `failed` say how it went (tests wait on them)."""

    saved = Signal(str)  # path
    opened = Signal(str)  # path, once its state is applied
    failed = Signal(str)  # message
    recent_changed = Signal()
    _hashed = Signal(object, object)  # (callback, sha256 or an exception), from the hashing thread

    def __init__(self, window):
        super().__init__(window)
        self._window = window
        window.destroyed.connect(lambda *_: self.shutdown())
        self._hasher = ThreadPoolExecutor(max_workers=1, thread_name_prefix="bert-hash")
        self._hashes: dict[tuple, str] = {}  # (folder, size and mtime of its files) -> sha256
        self._hashed.connect(lambda done, value: done(value))
        self._closed = False
        self.note = ""  # what the last opening had to say (a different model's weights, ...)
        app = QCoreApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(lambda: self.shutdown())  # a hash still running must not hold the exit up

    # ---- the state ----------------------------------------------------------------------------------------
    def snapshot(self, weights: str = "") -> Workspace | None:
        """The window's state now (None with no model loaded)."""
        w, c = self._window, self._window.controller
        summary, inp = c.model_summary, c.current_input
        if summary is None:
            return None
        name = "default" if summary.source == "bundled" else summary.name
        attention = w.views.get("attention")
        panel = getattr(w, "lesson_panel", None)
        lesson = panel.lesson if panel is not None and panel.isVisible() else None
        view = next((n for n, p in w.views.items() if p is w.tabs.currentWidget()), "attention")
        return Workspace(
            model=ModelRef(name, summary.path, summary.source, weights),
            text=inp.text,
            pair=inp.text_b,
            masked_spans=tuple(tuple(s) for s in inp.masked_spans),
            whole_word=inp.whole_word,
            knocked_out=tuple(sorted(inp.knocked_out)),
            top_k=w.predictions.k_spin.value(),
            view=view,
            token=w.selection.token,
            layer=attention.layer if attention is not None else 0,
            head=(-1 if attention.mean_over_heads else attention.head) if attention is not None else 0,
            lesson=lesson.path if lesson is not None else None,
            lesson_step=panel.index + 1 if lesson is not None else 1,
        )

    # ---- saving -------------------------------------------------------------------------------------------
    def save(self, path: str) -> None:
        """Write the current state to `path` once the model's weights are hashed (off the GUI thread)."""
        ws, summary = self.snapshot(), self._window.controller.model_summary
        if ws is None:
            self._fail(self.tr("No model is loaded yet: there is nothing to save."))
            return

        def write(sha):
            if isinstance(sha, BaseException):
                self._fail(self.tr("Could not read the model's weights to identify them: {reason}").format(reason=sha))
                return
            try:
                write_workspace(path, replace(ws, model=replace(ws.model, weights_sha256=sha)))
            except OSError as exc:
                self._fail(self.tr("Could not save the workspace: {reason}").format(reason=exc))
                return
            self._remember(path)
            message = self.tr("Saved the workspace {path}").format(path=path)
            if summary.fine_tuned:  # the pretraining demo's copy lives in memory only: say what the file holds
                message = self.tr(
                    "Saved the workspace {path}, with the loaded model: the fine-tuned copy is not saved in it "
                    "(the Pretraining view's Save as a model… writes it as a model folder)"
                ).format(path=path)
            self._window.statusBar().showMessage(message, 8000)
            self.saved.emit(path)

        self._hash(ws.model.path, write)

    def _hash(self, folder: str, done) -> None:
        try:
            key = (folder, *sorted((p.name, p.stat().st_size, p.stat().st_mtime_ns) for p in Path(folder).iterdir()))
        except OSError as exc:
            done(exc)
            return
        if key in self._hashes:
            done(self._hashes[key])
            return

        def job():
            try:
                value = sha = weights_sha256(folder)
                self._hashes[key] = sha
            except OSError as exc:
                value = exc
            if not self._closed:  # a window gone meanwhile has no one to tell (and no object to signal)
                self._hashed.emit(done, value)

        self._hasher.submit(job)

    # ---- opening ------------------------------------------------------------------------------------------
    def open(self, path: str) -> bool:
        """Read `path` and apply it. A damaged file, or one whose model is missing, changes nothing."""
        try:
            ws = read_workspace(path)
        except WorkspaceError as exc:
            self._fail(str(exc), self.tr("Could not open the workspace"))
            return False
        c = self._window.controller
        spec = self._find_model(ws.model)
        if spec is None:
            self._offer_model(ws.model)
            return False
        self._remember(path)
        summary = c.model_summary
        here = summary is not None and (
            (ws.model.source == "bundled" and summary.source == "bundled")
            or ws.model.path == summary.path
            or (ws.model.source == "cache" and ws.model.name == summary.name)
        )
        if here:
            self._apply(ws, path)
            return True

        def loaded(_summary):
            disconnect()
            self._apply(ws, path)

        def failed(message):
            disconnect()
            self._fail(self.tr("The workspace's model could not be opened: {reason}").format(reason=message))

        def disconnect():
            c.model_loaded.disconnect(loaded)
            c.model_load_failed.disconnect(failed)

        c.model_loaded.connect(loaded)
        c.model_load_failed.connect(failed)
        c.load_model(spec)
        return True

    def _find_model(self, model: ModelRef) -> str | None:
        """What to load for the workspace's model, or None when this computer does not have it."""
        if model.source == "bundled":
            return "default"
        if model.source == "cache":
            try:
                names = [name for name, _source in self._window._list_models()]
            except Exception as exc:  # a broken cache listing: the model counts as missing
                log.warning("could not list cached models: %s", exc)
                names = []
            return model.name if model.name in names else None
        return model.path if (Path(model.path) / "config.json").is_file() else None

    def _offer_model(self, model: ModelRef) -> None:
        if model.source == "cache":
            message = self.tr(
                "This workspace needs the model {name} (from the Hugging Face Hub; weights SHA-256 {sha}…), which is "
                "not on this computer."
            )
        elif model.source == "folder":
            message = self.tr(
                "This workspace needs the model {name} (in the folder {path}; weights SHA-256 {sha}…), which is not "
                "on this computer."
            )
        else:
            message = self.tr(
                "This workspace needs the model {name} (weights SHA-256 {sha}…), which is not on this computer."
            )
        message = message.format(name=model.name, path=model.path, sha=model.weights_sha256[:12])
        title = self.tr("The workspace's model is missing")
        box = QMessageBox(QMessageBox.Information, title, message, parent=self._window)
        get = box.addButton(self.tr("Get a model…"), QMessageBox.AcceptRole)
        box.addButton(QMessageBox.Cancel)
        box.setInformativeText(self.tr("Model ▸ Get a model… downloads it; then open the workspace again."))
        box.setAttribute(Qt.WA_DeleteOnClose)

        def clicked(button):
            if button is get:
                picker = self._window.show_model_picker()
                if model.source == "cache":
                    picker.hub_id.setText(model.name)

        box.buttonClicked.connect(clicked)
        box.open()
        self._window.last_error_box = box
        self.failed.emit(message)

    def _apply(self, ws: Workspace, path: str) -> None:
        w, c = self._window, self._window.controller
        if ws.lesson is not None:
            from bertviz_app.ui.lesson_panel import open_lesson

            open_lesson(w, ws.lesson, ws.lesson_step, model_loading=ws.model.name)
        elif getattr(w, "lesson_panel", None) is not None:
            w.lesson_panel.close_lesson()
        c.set_input(
            ws.text, ws.pair, masked_spans=ws.masked_spans, whole_word=ws.whole_word, knocked_out=ws.knocked_out
        )
        if (ws.pair is not None) != w.sentence.pair_toggle.isChecked():
            w.sentence.pair_toggle.setChecked(ws.pair is not None)
        w.predictions.k_spin.setValue(ws.top_k)
        w.show_view(ws.view)
        attention = w.views.get("attention")
        if attention is not None:
            attention.prepare_view(f":{ws.layer + 1}:{'mean' if ws.head < 0 else ws.head + 1}")
        w.selection.set_head(ws.layer, ws.head)

        def select(_result=None):
            c.result_ready.disconnect(select)
            w.select_token(-1 if ws.token is None else ws.token)
            self.opened.emit(path)

        c.result_ready.connect(select)
        if not c.busy:  # the same input as before: no new result comes
            select()
        self._check_weights(ws)

    def _check_weights(self, ws: Workspace) -> None:
        summary = self._window.controller.model_summary
        if summary is None or not ws.model.weights_sha256:
            return

        def compare(sha):
            if isinstance(sha, BaseException) or sha == ws.model.weights_sha256:
                self.note = ""
                return
            self.note = self.tr(
                "Note: {name}'s weights differ from those the workspace was saved with ({here}… here, {there}… "
                "there): results may differ."
            ).format(name=summary.name, here=sha[:12], there=ws.model.weights_sha256[:12])
            self._window.statusBar().showMessage(self.note, 15000)

        self._hash(summary.path, compare)

    # ---- recent workspaces --------------------------------------------------------------------------------
    def recent(self) -> list[str]:
        return self._window.settings.recent_workspaces()

    def _remember(self, path: str) -> None:
        path = str(Path(path).resolve())
        recent = [p for p in self.recent() if p != path]
        self._window.settings.set_recent_workspaces([path, *recent][:MAX_RECENT])
        self.recent_changed.emit()

    def _fail(self, message: str, title: str = "") -> None:
        box = QMessageBox(QMessageBox.Warning, title or self.tr("Workspace"), message, QMessageBox.Ok, self._window)
        box.setInformativeText(self.tr("Nothing was changed."))
        box.setAttribute(Qt.WA_DeleteOnClose)
        box.open()
        self._window.last_error_box = box
        self.failed.emit(message)

    def shutdown(self, wait: bool = False) -> None:
        """Stop hashing: what is queued is dropped, a hash under way ends without a word (`wait`: for it)."""
        self._closed = True
        self._hasher.shutdown(wait=wait, cancel_futures=True)


# ---- exporting every view -------------------------------------------------------------------------------------
def view_images(window) -> list[tuple[str, QImage]]:
    """Each view brought to the front, once drawn, as an image: (name, image). The view in front stays."""
    current = window.tabs.currentWidget()
    images = []
    for name, panel in window.views.items():
        window.tabs.setCurrentWidget(panel)
        window.controller.wait_until_idle(30_000)
        window.wait_until_drawn(30_000)
        QCoreApplication.processEvents()
        images.append((name, panel.grab().toImage()))
    window.tabs.setCurrentWidget(current)
    return images


def export_pdf(window, path: str) -> int:
    """Every view as one landscape A4 page of a PDF, written atomically. Returns the number of pages."""
    images = view_images(window)
    with atomic_write(path) as tmp:
        writer = QPdfWriter(tmp)
        writer.setPageLayout(QPageLayout(QPageSize(QPageSize.A4), QPageLayout.Landscape, QMarginsF(10, 10, 10, 10)))
        writer.setResolution(150)
        writer.setTitle("BERT Explorer")
        painter = QPainter(writer)
        try:
            for i, (_name, image) in enumerate(images):
                if i:
                    writer.newPage()
                page = QRectF(painter.viewport())
                scale = min(page.width() / image.width(), page.height() / image.height())
                target = QRectF(0, 0, image.width() * scale, image.height() * scale)
                painter.drawImage(target, image)
        finally:
            painter.end()
    return len(images)


def export_figures(window, folder: str) -> list[str]:
    """Every view as a PNG in `folder` (and as an SVG where the view offers one), for slides. Returns the
    files written."""
    written = []
    for name, image in view_images(window):
        png = str(Path(folder) / f"{name}.png")
        with atomic_write(png) as tmp:
            if not image.save(tmp, "PNG"):
                raise OSError(f"cannot write {png}")
        written.append(png)
        panel = window.views[name]
        if any(kind == "svg" for _label, kind in panel.export_formats()):
            svg = str(Path(folder) / f"{name}.svg")
            try:
                panel.writer("svg")(svg)
            except ValueError as exc:  # nothing to draw yet (head importance not computed): the PNG says so
                log.info("no SVG of the %s view: %s", name, exc)
                continue
            written.append(svg)
    return written


# ---- the File menu ---------------------------------------------------------------------------------------------
def add_workspace_actions(window, menu) -> None:
    """File ▸ Save workspace…, Open workspace…, Recent workspaces ▸, Export all views as PDF… / as figures…."""
    window.workspaces = ws = Workspaces(window)
    window._action(
        menu,
        QCoreApplication.translate("workspace_menu", "Save w&orkspace…"),
        lambda: _save_dialog(window),
        "Ctrl+Shift+W",
    )
    window._action(
        menu,
        QCoreApplication.translate("workspace_menu", "Open wor&kspace…"),
        lambda: _open_dialog(window),
        "Ctrl+Alt+O",
    )
    recent = menu.addMenu(QCoreApplication.translate("workspace_menu", "&Recent workspaces"))
    window.recent_menu = recent

    def fill():
        recent.clear()
        paths = ws.recent()
        for number, path in enumerate(paths, start=1):
            action = window._action(recent, path, lambda _=False, p=path: ws.open(p), f"Ctrl+Alt+Shift+{number}")
            action.setData("recent-workspace")
        recent.setEnabled(bool(paths))  # greyed until a workspace is saved or opened

    recent.aboutToShow.connect(fill)
    ws.recent_changed.connect(fill)
    fill()
    window._action(
        menu,
        QCoreApplication.translate("workspace_menu", "Export all views as P&DF…"),
        lambda: _export_dialog(window, "pdf"),
        "Ctrl+Alt+P",
    )
    window._action(
        menu,
        QCoreApplication.translate("workspace_menu", "Export all views as &figures…"),
        lambda: _export_dialog(window, "folder"),
        "Ctrl+Alt+F",
    )


def _save_dialog(window) -> None:
    path, _ = QFileDialog.getSaveFileName(
        window,
        QCoreApplication.translate("workspace_menu", "Save the workspace"),
        f"bert-explorer{SUFFIX}",
        f"*{SUFFIX}",
    )
    if path:
        window.workspaces.save(path if path.endswith(SUFFIX) else path + SUFFIX)


def _open_dialog(window) -> None:
    title = QCoreApplication.translate("workspace_menu", "Open a workspace")
    types = QCoreApplication.translate("workspace_menu", "Workspaces (*{suffix});;All files (*)").format(suffix=SUFFIX)
    path, _ = QFileDialog.getOpenFileName(window, title, "", types)
    if path:
        window.workspaces.open(path)


def _export_dialog(window, kind: str) -> None:
    try:
        if kind == "pdf":
            path, _ = QFileDialog.getSaveFileName(
                window,
                QCoreApplication.translate("workspace_menu", "Export all views as PDF"),
                "bert-explorer.pdf",
                "*.pdf",
            )
            if not path:
                return
            pages = export_pdf(window, path if path.lower().endswith(".pdf") else path + ".pdf")
            window.statusBar().showMessage(
                QCoreApplication.translate("workspace_menu", "Saved {pages} pages to {path}").format(
                    pages=pages, path=path
                ),
                5000,
            )
        else:
            folder = QFileDialog.getExistingDirectory(
                window, QCoreApplication.translate("workspace_menu", "Export all views as figures into a folder")
            )
            if not folder:
                return
            files = export_figures(window, folder)
            window.statusBar().showMessage(
                QCoreApplication.translate("workspace_menu", "Saved {count} figures in {folder}").format(
                    count=len(files), folder=folder
                ),
                5000,
            )
    except OSError as exc:
        QMessageBox.warning(
            window, QCoreApplication.translate("workspace_menu", "Could not export the views"), str(exc)
        )
