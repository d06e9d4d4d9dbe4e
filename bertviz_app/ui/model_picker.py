"""Model ▸ Get a model…: the curated catalog, any Hub id, the models already in the Hugging Face cache, and
downloads with progress, time left, Cancel and resume. Everything slow (the cache listing, the network) runs
on the controller's threads; this dialog only shows what comes back."""

from __future__ import annotations

import time
from collections import deque

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, Qt
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
)

# the list's columns, translated where shown (the catalog's own entries are data from engine/catalog.py, in English)
COLUMNS = (
    QT_TRANSLATE_NOOP("ModelPicker", "Model"),
    QT_TRANSLATE_NOOP("ModelPicker", "Family"),
    QT_TRANSLATE_NOOP("ModelPicker", "Download"),
    QT_TRANSLATE_NOOP("ModelPicker", "Licence"),
    QT_TRANSLATE_NOOP("ModelPicker", "Language"),
    QT_TRANSLATE_NOOP("ModelPicker", "Good for"),
)
FAMILY_NAMES = {
    "bert": "BERT",
    "distilbert": "DistilBERT",
    "roberta": "RoBERTa",
    "xlm-roberta": "XLM-RoBERTa",
    "albert": "ALBERT",
    "electra": "ELECTRA",
    "modernbert": "ModernBERT",
}
RATE_WINDOW_S = 5.0  # the download rate (and so the time left) is measured over the last few seconds


def family_name(model_type: str | None) -> str:
    return FAMILY_NAMES.get(model_type or "", model_type or QCoreApplication.translate("ModelPicker", "unknown"))


def megabytes(n: float) -> str:
    text = (
        QCoreApplication.translate("ModelPicker", "{mb:,.1f} MB")
        if n < 10e6
        else QCoreApplication.translate("ModelPicker", "{mb:,.0f} MB")
    )
    return text.format(mb=n / 1e6)


def duration(seconds: float) -> str:
    if seconds < 90:
        return QCoreApplication.translate("ModelPicker", "{n} s").format(n=max(1, round(seconds)))
    if seconds < 90 * 60:
        return QCoreApplication.translate("ModelPicker", "{n} min").format(n=round(seconds / 60))
    return QCoreApplication.translate("ModelPicker", "{n:.1f} h").format(n=seconds / 3600)


class ModelPicker(QDialog):
    """Non-modal: downloads go on while the window is used; closing the dialog does not stop them."""

    def __init__(self, controller, parent=None):
        super().__init__(parent)
        self.controller = controller
        self.setWindowTitle(self.tr("Get a model"))
        self.resize(1080, 620)
        self._cached: dict[str, object] = {}  # Hub id -> CacheEntry
        self._offline = False
        self._downloading: str | None = None
        self._samples: deque[tuple[float, int]] = deque()

        intro = QLabel(
            self.tr(
                "Curated encoders to download from the Hugging Face Hub into its standard cache (they open offline "
                "afterwards), and what your cache already holds. Double-click to open or download."
            )
        )
        intro.setWordWrap(True)
        self.search = QLineEdit()
        self.search.setPlaceholderText(self.tr("Search the list and your Hugging Face cache…"))
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self._filter)

        self.tree = QTreeWidget()
        self.tree.setColumnCount(len(COLUMNS))
        self.tree.setHeaderLabels([QCoreApplication.translate("ModelPicker", c) for c in COLUMNS])
        self.tree.setRootIsDecorated(False)
        self.tree.setUniformRowHeights(True)
        self.tree.setWordWrap(False)
        header = self.tree.header()
        for column in range(len(COLUMNS) - 1):
            header.setSectionResizeMode(column, QHeaderView.ResizeToContents)
        header.setStretchLastSection(True)
        self.catalog_group = QTreeWidgetItem([self.tr("Curated models")])
        self.cache_group = QTreeWidgetItem([self.tr("In your Hugging Face cache")])
        for group in (self.catalog_group, self.cache_group):
            group.setFlags(Qt.ItemIsEnabled)
            font = group.font(0)
            font.setBold(True)
            group.setFont(0, font)
            self.tree.addTopLevelItem(group)
            group.setFirstColumnSpanned(True)
            group.setExpanded(True)
        self.details = QLabel("")  # the selected model in full (the list's last column is cut to fit)
        self.details.setWordWrap(True)
        self.tree.itemSelectionChanged.connect(self._update_buttons)
        self.tree.itemDoubleClicked.connect(self._activate)

        self.hub_id = QLineEdit()
        self.hub_id.setPlaceholderText(self.tr("any model on the Hub, e.g. google-bert/bert-base-uncased"))
        self.hub_id.returnPressed.connect(self.download_typed)
        self.hub_button = QPushButton(self.tr("Download this &id"))
        self.hub_button.clicked.connect(self.download_typed)
        hub_row = QHBoxLayout()
        hub_row.addWidget(QLabel(self.tr("Hub id:")))
        hub_row.addWidget(self.hub_id, 1)
        hub_row.addWidget(self.hub_button)

        self.status = QLabel("")
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.progress = QProgressBar()
        self.progress.setVisible(False)
        self.cancel_button = QPushButton(self.tr("&Cancel download"))
        self.cancel_button.setVisible(False)
        self.cancel_button.clicked.connect(self.controller.cancel_download)
        progress_row = QHBoxLayout()
        progress_row.addWidget(self.progress, 1)
        progress_row.addWidget(self.cancel_button)

        self.download_button = QPushButton(self.tr("&Download"))
        self.download_button.clicked.connect(self.download_selected)
        self.open_button = QPushButton(self.tr("&Open"))
        self.open_button.clicked.connect(self.open_selected)
        self.discard_button = QPushButton(self.tr("Discard the &partial download"))
        self.discard_button.clicked.connect(self.discard_selected)
        close = QPushButton(self.tr("Close"))
        close.clicked.connect(self.close)
        buttons = QHBoxLayout()
        buttons.addWidget(self.download_button)
        buttons.addWidget(self.open_button)
        buttons.addWidget(self.discard_button)
        buttons.addStretch(1)
        buttons.addWidget(close)

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.search)
        layout.addWidget(self.tree, 1)
        layout.addWidget(self.details)
        layout.addLayout(hub_row)
        layout.addWidget(self.status)
        layout.addLayout(progress_row)
        layout.addLayout(buttons)

        c = controller
        c.cache_scanned.connect(self.show_cache)
        c.download_progress.connect(self._progress)
        c.download_finished.connect(self._finished)
        c.download_failed.connect(self._failed)
        self._fill_catalog()
        self._update_buttons()
        self.refresh()

    # ---- contents ------------------------------------------------------------------------------------
    def refresh(self) -> None:
        """Ask for a new listing of the cache (it arrives as `cache_scanned`)."""
        self.controller.scan_cache()

    def _fill_catalog(self) -> None:
        supported = set(self.controller.supported_families)
        for entry in self.controller.catalog:
            item = QTreeWidgetItem(
                [
                    entry.repo_id,
                    family_name(entry.family),
                    megabytes(entry.size_mb * 1e6),
                    entry.licence,
                    entry.language,
                    entry.good_for,
                ]
            )
            item.setData(0, Qt.UserRole, entry.repo_id)
            item.setData(1, Qt.UserRole, entry.family in supported)
            tip = f"{entry.repo_id}: {entry.good_for}"
            if entry.checked:
                tip += " " + self.tr("(Not confirmed: {what}.)").format(what=entry.checked)
            if entry.family not in supported:
                tip += " " + self.tr("This version of the app does not open {family} models yet.").format(
                    family=family_name(entry.family)
                )
                for column in range(len(COLUMNS)):
                    item.setForeground(column, self.palette().placeholderText())
            for column in range(len(COLUMNS)):
                item.setToolTip(column, tip)
            self.catalog_group.addChild(item)

    def show_cache(self, listing) -> None:
        self._offline = listing.offline
        self._cached = {e.name: e for e in listing.entries}
        self.cache_group.takeChildren()
        for entry in listing.entries:
            if entry.path is not None:
                state = self.tr("ready") if entry.loadable else self.tr("not a family this app opens")
            else:
                state = self.tr("nothing complete yet")
            if entry.partial_bytes:
                state += self.tr("; {size} of an interrupted download kept (Download resumes)").format(
                    size=megabytes(entry.partial_bytes)
                )
            item = QTreeWidgetItem([entry.name, family_name(entry.model_type), "", "", "", state])
            item.setToolTip(0, f"{entry.name}: {state}" + (f" ({entry.path})" if entry.path else ""))
            item.setData(0, Qt.UserRole, entry.name)
            item.setData(1, Qt.UserRole, entry.loadable or entry.partial_bytes > 0)  # can be opened, or resumed
            self.cache_group.addChild(item)
        for i in range(self.catalog_group.childCount()):
            item = self.catalog_group.child(i)
            cached = self._cached.get(item.data(0, Qt.UserRole))
            if cached is not None and cached.loadable:
                item.setText(2, self.tr("in your cache"))
            elif cached is not None and cached.partial_bytes:
                item.setText(2, self.tr("{size} kept").format(size=megabytes(cached.partial_bytes)))
        if self._offline and self._downloading is None:
            self.status.setText(
                self.tr(
                    "Offline: downloading is switched off (HF_HUB_OFFLINE is set). The models in your cache open as "
                    "usual."
                )
            )
        self._filter(self.search.text())
        self._update_buttons()

    def _filter(self, text: str) -> None:
        words = text.lower().split()
        for group in (self.catalog_group, self.cache_group):
            for i in range(group.childCount()):
                item = group.child(i)
                haystack = " ".join(item.text(c) for c in range(len(COLUMNS))).lower()
                item.setHidden(not all(w in haystack for w in words))

    def rows(self, group: str = "catalog") -> list[QTreeWidgetItem]:
        parent = self.catalog_group if group == "catalog" else self.cache_group
        return [parent.child(i) for i in range(parent.childCount())]

    def select(self, repo_id: str, group: str = "catalog") -> QTreeWidgetItem:
        item = next(i for i in self.rows(group) if i.data(0, Qt.UserRole) == repo_id)
        self.tree.setCurrentItem(item)
        return item

    # ---- actions -------------------------------------------------------------------------------------
    def _selected(self) -> QTreeWidgetItem | None:
        items = [i for i in self.tree.selectedItems() if i.parent() is not None]
        return items[0] if items else None

    def _update_buttons(self) -> None:
        item = self._selected()
        busy = self._downloading is not None or self.controller.downloading
        repo_id = item.data(0, Qt.UserRole) if item is not None else None
        cached = self._cached.get(repo_id)
        ready = cached is not None and cached.loadable
        opens = item is not None and bool(item.data(1, Qt.UserRole))
        self.open_button.setEnabled(ready)
        self.download_button.setEnabled(item is not None and opens and not busy and not ready)
        partial = cached is not None and cached.partial_bytes > 0
        self.download_button.setText(self.tr("&Resume download") if partial else self.tr("&Download"))
        self.discard_button.setEnabled(partial and not busy)
        self.hub_button.setEnabled(not busy)
        self.details.setText(item.toolTip(0) if item is not None and item.toolTip(0) else "")

    def _activate(self, item: QTreeWidgetItem, _column: int = 0) -> None:
        if item.parent() is None:
            return
        if self.open_button.isEnabled():
            self.open_selected()
        elif self.download_button.isEnabled():
            self.download_selected()

    def open_selected(self) -> None:
        item = self._selected()
        cached = self._cached.get(item.data(0, Qt.UserRole)) if item is not None else None
        if cached is not None and cached.loadable:
            self.controller.load_model(cached.name)
            self.status.setText(self.tr("Opening {name}…").format(name=cached.name))

    def download_selected(self) -> None:
        item = self._selected()
        if item is not None:
            self.start_download(item.data(0, Qt.UserRole))

    def download_typed(self) -> None:
        repo_id = self.hub_id.text().strip()
        if not repo_id:
            self.status.setText(self.tr("Type a model's Hub id (organization/name) first."))
            return
        self.start_download(repo_id)

    def discard_selected(self) -> None:
        item = self._selected()
        if item is not None:
            self.controller.discard_partial(item.data(0, Qt.UserRole))
            self.status.setText(
                self.tr("Discarded the partial download of {name}.").format(name=item.data(0, Qt.UserRole))
            )

    def start_download(self, repo_id: str) -> None:
        if self.controller.downloading:
            self.status.setText(self.tr("A download is already running."))
            return
        self._downloading = repo_id
        self._samples.clear()
        kept = getattr(self._cached.get(repo_id), "partial_bytes", 0)
        if kept:
            self.status.setText(
                self.tr("Resuming {name} ({size} already here)…").format(name=repo_id, size=megabytes(kept))
            )
        else:
            self.status.setText(self.tr("Asking the Hub for {name}…").format(name=repo_id))
        self.progress.setRange(0, 0)
        self.progress.setVisible(True)
        self.cancel_button.setVisible(True)
        self.cancel_button.setEnabled(True)
        self._update_buttons()
        self.controller.download_model(repo_id)

    # ---- what the download reports ---------------------------------------------------------------------
    def _progress(self, done: int, total: int) -> None:
        if self._downloading is None:
            return
        now = time.monotonic()
        self._samples.append((now, done))
        while len(self._samples) > 2 and now - self._samples[0][0] > RATE_WINDOW_S:
            self._samples.popleft()
        if total:
            self.progress.setRange(0, 1000)
            self.progress.setValue(int(1000 * done / total))
        text = self.tr("Downloading {name}: {done} of {total}").format(
            name=self._downloading, done=megabytes(done), total=megabytes(total)
        )
        (t0, d0), (t1, d1) = self._samples[0], self._samples[-1]
        if t1 - t0 > 0.5 and d1 > d0 and total > done:
            rate = (d1 - d0) / (t1 - t0)
            text += self.tr(" · {rate}/s · about {time} left").format(
                rate=megabytes(rate), time=duration((total - done) / rate)
            )
        self.status.setText(text)

    def _done(self) -> None:
        self._downloading = None
        self.progress.setVisible(False)
        self.cancel_button.setVisible(False)
        self.refresh()
        self._update_buttons()

    def _finished(self, name: str) -> None:
        if self._downloading is None:
            return
        self._done()
        self.status.setText(self.tr("Downloaded {name}; opening it…").format(name=name))

    def _failed(self, message: str) -> None:
        if self._downloading is None:
            return
        self._done()
        self.status.setText(message[:1].upper() + message[1:] + ("" if message.endswith(".") else "."))

    @property
    def downloading(self) -> str | None:
        return self._downloading
