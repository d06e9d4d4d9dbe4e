"""Corpus: a whole text collection as the model reads it. Index the demo corpus or text files (progress, Cancel),
map every word token of the corpus at any layer in one shared PCA space (2-D, or 3-D turned by a slider), and for
a token of the sentence list the corpus tokens the model reads most alike, each in its sentence.

Everything that touches the model or the index's files runs on the worker as a controller task (corpus_index,
corpus_map, corpus_search, corpus_senses in analysis/tasks.py); this module only draws their payloads. The map's
points are one image (ui/point_cloud.py: 100,000 points repaint in milliseconds, drawn in a chosen order, far points
first in 3-D), and the point under the mouse is picked here with numpy.
"""

from __future__ import annotations

import html
import time

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtGui, QtWidgets

from bertviz_app.analysis.numeric.corpus import CorpusIndex, CorpusMap, tsne_available
from bertviz_app.ui import theme
from bertviz_app.ui.colormaps import make_colormap
from bertviz_app.ui.corpus_map import CATEGORIES, orthographic, sentence_html
from bertviz_app.ui.flow_layout import FlowArea
from bertviz_app.ui.point_cloud import PointCloud, argb
from bertviz_app.ui.view import View

COLOUR_MODES = ("word", "position", "sentence", "part of the corpus", "similarity")
COLOUR_LABELS = (  # what the selector shows for each of COLOUR_MODES, translated when shown
    QtCore.QT_TRANSLATE_NOOP("CorpusView", "colour: word"),
    QtCore.QT_TRANSLATE_NOOP("CorpusView", "colour: position"),
    QtCore.QT_TRANSLATE_NOOP("CorpusView", "colour: sentence"),
    QtCore.QT_TRANSLATE_NOOP("CorpusView", "colour: part of the corpus"),
    QtCore.QT_TRANSLATE_NOOP("CorpusView", "colour: similarity"),
)
BINS = 10  # colours of a continuous measure (position, similarity)
POINT_SIZE = 4
PICK_PIXELS = 8  # how near the mouse a point must be to be hovered or clicked
TOP = 20


class CorpusView(View):
    def __init__(self, controller=None, selection=None, parent: QtWidgets.QWidget | None = None):
        super().__init__(controller, selection, parent)
        self.empty_message = self.tr(
            "No sentence yet: type one, then click one of its tokens to find it in the corpus."
        )
        self.index: CorpusIndex | None = None
        self.map: CorpusMap | None = None
        self.neighbours = None  # the last CorpusNeighbours
        self.senses = None  # WordSenses while the map shows one word's senses
        self.tsne = None  # the CorpusTsne drawn while the map is by t-SNE
        self._runs: dict[str, object] = {}
        self._progress_start = 0.0
        self._pending_token: int | None = None  # to select once the index (or the clicked sentence) is there
        self._opened_text: tuple[str, int] | None = None
        self._files: list | None = None  # the files of the index shown (None: none yet)
        self._requested: list | None = None  # files to index once a model is loaded
        if controller is not None:
            controller.model_loaded.connect(self._model_loaded)
        self._xy = np.zeros((0, 2), dtype=np.float32)  # the drawn points' positions
        self._xy_rows = np.zeros(0, dtype=np.int64)  # their rows in the index
        self._build()
        self.clear(self.empty_message)

    # ---- building ------------------------------------------------------------------------------------------
    def _build(self) -> None:
        c = self.controls
        self.demo_button = QtWidgets.QPushButton(self.tr("Index the demo corp&us"))
        self.demo_button.setToolTip(
            self.tr("2,240 sentences of State of the Union addresses, 1990-2021 (public domain)")
        )
        self.demo_button.clicked.connect(lambda: self.start_index([]))
        self.files_button = QtWidgets.QPushButton(self.tr("Inde&x files…"))
        self.files_button.setToolTip(self.tr("Text files, one sentence or paragraph per line"))
        self.files_button.clicked.connect(self._choose_files)
        self.progress = QtWidgets.QProgressBar()
        self.progress.setMinimumWidth(160)
        self.progress.setVisible(False)
        self.cancel_button = QtWidgets.QPushButton(self.tr("Cancel"))
        self.cancel_button.setVisible(False)
        self.cancel_button.clicked.connect(self.cancel_running)
        self.status = QtWidgets.QLabel(self.tr("No corpus indexed yet."))
        self.status.setStyleSheet(f"color: {theme.MUTED_TEXT.name()}")
        self.layer_spin = QtWidgets.QSpinBox()
        self.layer_spin.setPrefix(self.tr("layer "))
        self.layer_spin.setToolTip(self.tr("The hidden state shown and searched (0 = the embeddings)"))
        self.layer_spin.valueChanged.connect(self._layer_changed)
        self.colour_combo = QtWidgets.QComboBox()
        self.colour_combo.addItems([self.tr(label) for label in COLOUR_LABELS])
        self.colour_combo.currentIndexChanged.connect(lambda _i: self._draw_map())
        self.projection_combo = QtWidgets.QComboBox()
        self.projection_combo.addItems([self.tr("PCA"), self.tr("t-SNE")])
        self.projection_combo.setToolTip(
            self.tr(
                "How the map places the points. PCA: at once, one basis for every layer, so the same points move "
                "with the layer. t-SNE: keeps each token's neighbours together; computed in the background for "
                "each layer, then kept with the index"
            )
        )
        if not tsne_available():
            self.projection_combo.model().item(1).setEnabled(False)
            self.projection_combo.setItemData(
                1,
                self.tr("t-SNE needs the openTSNE package, which this build lacks"),
                QtCore.Qt.ItemDataRole.ToolTipRole,
            )
        self.projection_combo.currentIndexChanged.connect(self._projection_changed)
        self.three_d = QtWidgets.QCheckBox("3-D")
        self.three_d.setToolTip(self.tr("The first three principal axes, turned by the slider"))
        self.three_d.toggled.connect(self._three_d_toggled)
        self.turn = QtWidgets.QSlider(QtCore.Qt.Orientation.Horizontal)
        self.turn.setRange(0, 359)
        self.turn.setFixedWidth(90)
        self.turn.setEnabled(False)
        self.turn.valueChanged.connect(lambda _v: self._draw_map())
        self.senses_button = QtWidgets.QPushButton(self.tr("Senses"))
        self.senses_button.setCheckable(True)
        self.senses_button.setToolTip(self.tr("Every occurrence of the selected word, grouped into its senses"))
        self.senses_button.toggled.connect(self._senses_toggled)
        for w in (self.demo_button, self.files_button, self.progress, self.cancel_button, self.status):
            c.addWidget(w)
        c.addStretch(1)
        for w in (
            self.layer_spin,
            self.projection_combo,
            self.colour_combo,
            self.three_d,
            self.turn,
            self.senses_button,
        ):
            c.addWidget(w)
        self._set_map_controls(False)

        # The sentence's tokens, wrapped onto lines (a long sentence made the window as wide as all its tokens),
        # at most three lines shown and the rest scrolled.
        self.token_area = FlowArea(spacing=3, max_lines=3)
        self.token_row = self.token_area.row
        self.token_buttons: list[QtWidgets.QToolButton] = []
        self.token_row.addWidget(QtWidgets.QLabel(self.tr("Find in the corpus:")))
        self.token_row.addStretch(1)
        self.content_layout.addWidget(self.token_area)

        splitter = QtWidgets.QSplitter(QtCore.Qt.Orientation.Horizontal)
        self.plot = pg.PlotWidget(background="w")
        self.plot.setMenuEnabled(False)
        self.plot.hideButtons()
        self.plot.getPlotItem().hideAxis("left")
        self.plot.getPlotItem().hideAxis("bottom")
        self.plot.setMouseTracking(True)
        self.cloud = PointCloud(POINT_SIZE)
        self.plot.addItem(self.cloud)
        self.marks = pg.ScatterPlotItem(size=11, brush=None, pen=pg.mkPen(theme.SELECTION, width=2), pxMode=True)
        self.query_mark = pg.ScatterPlotItem(size=16, symbol="star", brush=pg.mkBrush(theme.SELECTION), pxMode=True)
        self.hover_mark = pg.ScatterPlotItem(size=10, brush=None, pen=pg.mkPen("k", width=1.5), pxMode=True)
        for item in (self.marks, self.query_mark, self.hover_mark):
            item.setZValue(10)
            self.plot.addItem(item)
        self.plot.scene().sigMouseMoved.connect(self._mouse_moved)
        self.plot.scene().sigMouseClicked.connect(self._mouse_clicked)
        splitter.addWidget(self.plot)
        self.list = QtWidgets.QTextBrowser()
        self.list.setOpenLinks(False)
        self.list.anchorClicked.connect(lambda url: self.open_line(int(url.toString().split(":")[1])))
        self.list.setMinimumWidth(300)
        splitter.addWidget(self.list)
        splitter.setSizes([620, 420])
        self.content_layout.addWidget(splitter, 1)
        self.legend = self.add_readout()

    def _set_map_controls(self, on: bool) -> None:
        for w in (self.layer_spin, self.projection_combo, self.colour_combo, self.senses_button):
            w.setEnabled(on)
        self.three_d.setEnabled(on and not self.by_tsne)  # t-SNE maps are 2-D
        self.turn.setEnabled(on and self.three_d.isChecked() and not self.by_tsne)

    # ---- the sentence's tokens --------------------------------------------------------------------------
    def show_result(self, result) -> None:
        self._show_content()
        for b in self.token_buttons:
            self.token_row.removeWidget(b)
            b.deleteLater()
        self.token_buttons = []
        for i, token in enumerate(result.display_tokens):
            b = QtWidgets.QToolButton()
            b.setText(token)
            b.setCheckable(True)
            b.setAutoRaise(True)
            b.clicked.connect(lambda _=False, i=i: self.token_selected.emit(i))
            self.token_row.insertWidget(self.token_row.count() - 1, b)
            self.token_buttons.append(b)
        self.token_area.fit()
        opened = self._opened_text
        if opened and self.controller is not None and self.controller.current_input.text == opened[0]:
            self._pending_token, self._opened_text = opened[1], None
        token = self._pending_token if self._pending_token is not None else self.selection.token
        self._pending_token = None
        if token is None or token >= len(result.tokens):
            return
        if token == self.selection.token:
            self.set_selected_token(token)
        else:
            self.selection.set_token(token)  # every view follows, this one through set_selected_token

    def set_selected_token(self, index: int | None) -> None:
        for i, b in enumerate(self.token_buttons):
            b.setChecked(i == index)
        if index is not None and self.result is not None and self.index is not None:
            self.search(index)

    def reset(self) -> None:
        self.neighbours = None
        self.query_mark.setData([])
        self.marks.setData([])

    # ---- indexing ---------------------------------------------------------------------------------------
    def _choose_files(self) -> None:
        files, _ = QtWidgets.QFileDialog.getOpenFileNames(
            self, self.tr("Index text files"), "", self.tr("Text (*.txt);;All files (*)")
        )
        if files:
            self.start_index(files)

    def start_index(self, files) -> None:
        """Index (or open from the cache) `files`, [] for the demo corpus, with the current model (once it is
        loaded, if it is not yet)."""
        if self.controller is None:
            return
        if self.controller.model_summary is None:
            self._requested = list(files)
            self.status.setText(self.tr("Waiting for the model…"))
            return
        self._requested = None
        self._cancel("corpus_tsne")  # its map is about to go
        run = self.controller.start("corpus_index", follows_input=False, files=tuple(files))
        if run is None:
            return
        run.files = list(files)
        self._runs["corpus_index"] = run
        self._progress_start = time.perf_counter()
        self.progress.setRange(0, 0)
        self.progress.setVisible(True)
        self.cancel_button.setVisible(True)
        self.status.setText(self.tr("Reading the corpus…"))
        run.progress.connect(self._index_progress)
        run.ready.connect(self._index_ready)
        failed, cancelled = self.tr("Could not index: {reason}"), self.tr("Indexing cancelled; nothing was kept.")
        run.failed.connect(lambda message: self._index_done(failed.format(reason=message)))
        run.cancelled.connect(lambda: self._index_done(cancelled))

    def _model_loaded(self, _summary) -> None:
        """A model was (re)loaded: the index shown belongs to the one before, so index again (from the cache if
        this model has indexed these files before)."""
        if self._requested is not None:
            self.start_index(self._requested)
        elif self._files is not None:
            self.index, self.map, self.neighbours, self.senses, self.tsne = None, None, None, None, None
            self._set_map_controls(False)
            self._show_points(np.zeros((0, 2)), np.zeros(0, dtype=np.int64), np.zeros(0, dtype=int), [])
            self.list.clear()
            self.start_index(self._files)

    def cancel_running(self) -> None:
        """The Cancel button: the indexing, or else the t-SNE, now running."""
        self._cancel("corpus_index") or self._cancel("corpus_tsne")

    cancel_index = cancel_running

    def _cancel(self, kind: str) -> bool:
        run = self._runs.get(kind)
        if run is None or not run.running:
            return False
        run.cancel()
        return True

    def _index_progress(self, done: int, total: int) -> None:
        if total <= 1:
            return  # still tokenizing
        if done == 0:
            self._progress_start = time.perf_counter()
        self.progress.setRange(0, total)
        self.progress.setValue(done)
        seconds = time.perf_counter() - self._progress_start
        rate = done / seconds if seconds > 0 else 0
        if rate > 0:
            text = self.tr("{done} of {total} tokens, {rate} tokens/s, {left} s left")
        else:
            text = self.tr("{done} of {total} tokens, {rate} tokens/s")
        left = f"{(total - done) / rate:,.0f}" if rate > 0 else ""
        self.status.setText(text.format(done=f"{done:,}", total=f"{total:,}", rate=f"{rate:,.0f}", left=left))

    def _index_done(self, message: str) -> None:
        self._runs.pop("corpus_index", None)
        self.progress.setVisible(False)
        self.cancel_button.setVisible(False)
        self.status.setText(message)

    def _index_ready(self, index: CorpusIndex) -> None:
        self._files = self._runs["corpus_index"].files
        self._index_done(
            self.tr("{lines} lines, {tokens} tokens ({sources})").format(
                lines=f"{index.info.lines:,}",
                tokens=f"{index.info.tokens:,}",
                sources=", ".join(n for n, _ in index.info.sources),
            )
        )
        self.index, self.map, self.neighbours, self.senses, self.tsne = index, None, None, None, None
        self.senses_button.setChecked(False)
        layers = index.info.layers
        self.layer_spin.blockSignals(True)
        self.layer_spin.setRange(layers[0], layers[-1])
        self.layer_spin.setValue(layers[-1])
        self.layer_spin.blockSignals(False)
        run = self.controller.start("corpus_map", follows_input=False, index=index)
        if run is not None:
            self._runs["corpus_map"] = run
            run.ready.connect(self._map_ready)
            no_map = self.tr("No map: {reason}")
            run.failed.connect(lambda m: self._finish("corpus_map", no_map.format(reason=m)))
            run.cancelled.connect(lambda: self._finish("corpus_map"))

    def _finish(self, kind: str, message: str | None = None) -> None:
        self._runs.pop(kind, None)
        if message:
            self.status.setText(message)

    def _map_ready(self, corpus_map: CorpusMap) -> None:
        self._finish("corpus_map")
        self.map = corpus_map
        self._set_map_controls(True)
        self._draw_map(autorange=True)
        if self.by_tsne:
            self._start_tsne()
        token = self.selection.token
        if token is not None and self.result is not None:
            self.search(token)

    # ---- search -----------------------------------------------------------------------------------------
    @property
    def layer(self) -> int:
        value = self.layer_spin.value()
        layers = self.index.info.layers if self.index else (value,)
        return min(layers, key=lambda x: abs(x - value))  # an index may hold only some layers

    def search(self, position: int) -> None:
        if self.index is None or self.controller is None:
            return
        run = self.controller.start("corpus_search", index=self.index, position=position, layer=self.layer, top=TOP)
        if run is None:
            return
        self._runs["corpus_search"] = run
        run.ready.connect(self._search_ready)
        run.failed.connect(lambda m: self._finish("corpus_search", m))
        run.cancelled.connect(lambda: self._finish("corpus_search"))

    def _search_ready(self, found) -> None:
        self._finish("corpus_search")
        self.neighbours = found
        index = found.index
        query = found.query
        heading = html.escape(" ".join(query.display_tokens[1:-1]))
        title = self.tr("<b>{token}</b> in “{sentence}”, layer {layer}: the {count} closest tokens of the corpus")
        title = title.format(
            token=html.escape(query.display_tokens[query.position]),
            sentence=heading,
            layer=found.layer,
            count=len(found.neighbours),
        )
        parts = [f"<p>{title}</p><table cellspacing='4'>"]
        for n in found.neighbours:
            sentence = sentence_html(index, n.line, n.position)
            parts.append(
                f"<tr><td align='right'>{n.similarity:.3f}</td><td><a href='line:{n.line}' "
                f"style='color:#1f2a44; text-decoration:none'>{sentence}</a></td></tr>"
            )
        parts.append("</table>")
        self.list.setHtml("".join(parts))
        self._draw_marks()
        if self.colour_mode == "similarity":
            self._draw_map()

    def open_line(self, line: int, position: int | None = None) -> None:
        """Put corpus line `line` into the sentence panel (and select `position` once its result is there)."""
        if self.index is None or self.controller is None:
            return
        text = self.index.line_text(line)
        if position is not None:
            self._opened_text = (text, position)
        self.controller.set_text(text, immediate=True)

    # ---- the map ----------------------------------------------------------------------------------------
    @property
    def colour_mode(self) -> str:
        return COLOUR_MODES[self.colour_combo.currentIndex()]

    def _layer_changed(self, _value: int) -> None:
        if self.senses_button.isChecked():
            self._start_senses()
            return
        if self.by_tsne:
            self._start_tsne()  # from the file kept with the index if this layer has had one: at once
        self._draw_map()
        if self.selection.token is not None and self.result is not None:
            self.search(self.selection.token)

    def _three_d_toggled(self, on: bool) -> None:
        self.turn.setEnabled(on)
        self._draw_map(autorange=True)

    def _plane(self, xyz: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
        """(M, 3) -> (M, 2), and each point's distance from the eye in 3-D (None in 2-D: the first two axes)."""
        return orthographic(xyz, self.turn.value()) if self.three_d.isChecked() else (xyz[:, :2], None)

    def _colours(self, rows: np.ndarray) -> tuple[np.ndarray, list[QtGui.QColor], str]:
        """Each row's colour bin, the bins' colours, and the legend."""
        index, mode = self.index, self.colour_mode
        if mode == "similarity" and self.neighbours is not None and self.neighbours.index is index:
            sims = self.neighbours.similarity[rows]
            bins = np.clip(((sims + 1) / 2 * BINS).astype(int), 0, BINS - 1)
            cmap = make_colormap("viridis")
            colours = [cmap.map((b + 0.5) / BINS, mode="qcolor") for b in range(BINS)]
            return bins, colours, self.tr("colour: cosine to the selected token, −1 (dark) to 1 (yellow)")
        if mode == "position":
            positions = index.positions[rows]
            bins = np.minimum(positions // 4, BINS - 1)
            cmap = make_colormap("viridis")
            colours = [cmap.map((b + 0.5) / BINS, mode="qcolor") for b in range(BINS)]
            return bins, colours, self.tr("colour: position in the sentence, 4 tokens a step (yellow: 36 and later)")
        categories = [QtGui.QColor(c) for c in CATEGORIES]
        if mode == "sentence":
            legend = self.tr("colour: the sentence (10 colours, in turn)")
            return index.token_lines[rows] % len(categories), categories, legend
        if mode == "part of the corpus":
            if len(index.info.sources) > 1:
                ends = np.cumsum([n for _, n in index.info.sources])
                part = np.searchsorted(ends, index.token_lines[rows], side="right")
                return part % len(categories), categories, self.tr("colour: the file each token comes from")
            part = (index.token_lines[rows] * len(categories)) // max(index.info.lines, 1)
            return part, categories, self.tr("colour: tenths of the corpus, first (blue) to last (green)")
        legend = self.tr("colour: the word (10 colours, shared by many)")
        return index.token_ids[rows] % len(categories), categories, legend

    def _draw_map(self, autorange: bool = False) -> None:
        if self.map is None:
            return
        if self.senses is not None:
            self._draw_senses()
            return
        s = self.index.layer_row(self.layer)
        tsne = self.tsne if self.by_tsne and self.tsne is not None and self.tsne.layer == self.layer else None
        xy, depth = (tsne.coords, None) if tsne is not None else self._plane(self.map.coords[s])
        rows = self.map.rows
        bins, colours, legend = self._colours(rows)
        self._show_points(xy, rows, bins, colours, depth)
        self.legend.setText(legend)
        self._draw_marks()
        if autorange and depth is not None:  # 3-D: room for the cloud at every turn of the slider
            r = float(np.quantile(np.linalg.norm(self.map.coords[s], axis=1), 0.999))
            self.plot.getPlotItem().getViewBox().setRange(xRange=(-r, r), yRange=(-r, r), padding=0.02)
        elif autorange:
            self.plot.getPlotItem().getViewBox().autoRange(padding=0.02)

    def _show_points(self, xy: np.ndarray, rows: np.ndarray, bins: np.ndarray, colours, depth=None) -> None:
        """Draw points `xy` (the index's `rows`) in colour `colours[bins]`; with `depth` (3-D), far ones first so
        near ones cover them."""
        order = np.argsort(-depth, kind="stable") if depth is not None else None
        palette = argb(colours) if len(colours) else np.zeros(1, dtype=np.uint32)
        self.cloud.set_points(xy, palette[np.asarray(bins, dtype=np.int64)], order)
        self._xy, self._xy_rows = np.ascontiguousarray(xy, dtype=np.float32), rows

    def _draw_marks(self) -> None:
        found = self.neighbours
        if found is None or self.map is None or self.senses is not None or found.index is not self.index:
            self.marks.setData([])
            self.query_mark.setData([])
            return
        wanted = np.array([n.row for n in found.neighbours], dtype=np.int64)
        at = np.searchsorted(self._xy_rows, wanted)  # the map's rows are sorted
        at = at[(at < len(self._xy_rows)) & (self._xy_rows[np.minimum(at, len(self._xy_rows) - 1)] == wanted)]
        self.marks.setData(pos=self._xy[at] if len(at) else np.zeros((0, 2)))
        if found.layer == self.layer and not self.by_tsne:  # t-SNE places only the corpus's points
            basis_point = self._project_query(found.query.hidden[found.layer])
            self.query_mark.setData(pos=basis_point)
        else:
            self.query_mark.setData([])

    def _project_query(self, vector: np.ndarray) -> np.ndarray:
        basis = self.map.basis
        return self._plane(basis.project(vector[None, :]))[0]

    # ---- t-SNE ------------------------------------------------------------------------------------------
    @property
    def by_tsne(self) -> bool:
        return self.projection_combo.currentIndex() == 1

    def _projection_changed(self, _i: int) -> None:
        if self.by_tsne:
            self.three_d.setChecked(False)
            self._start_tsne()
        else:
            self._cancel("corpus_tsne")
        self._set_map_controls(self.map is not None)
        self._draw_map(autorange=True)

    def _start_tsne(self) -> None:
        if self.map is None or self.controller is None:
            return
        if self.tsne is not None and self.tsne.layer == self.layer and self.tsne.index is self.index:
            return
        layer = self.layer
        self._runs.pop("corpus_tsne", None)  # a run this one replaces says `cancelled`: not the user's Cancel
        run = self.controller.start("corpus_tsne", follows_input=False, corpus_map=self.map, layer=layer)
        if run is None:
            return
        self._runs["corpus_tsne"] = run
        points = len(self.map.rows)
        self.status.setText(self.tr("t-SNE of {points:,} points at layer {layer}…").format(points=points, layer=layer))
        run.progress.connect(self._tsne_progress)
        run.ready.connect(self._tsne_ready)
        run.failed.connect(lambda m: self._tsne_done(self.tr("No t-SNE: {message}").format(message=m)))
        run.cancelled.connect(
            lambda: (
                self._runs.get("corpus_tsne") is run and self._tsne_done(self.tr("t-SNE cancelled; nothing was kept."))
            )
        )

    def _tsne_progress(self, done: int, total: int) -> None:
        self.progress.setRange(0, total)
        self.progress.setValue(done)
        self.progress.setVisible(True)
        self.cancel_button.setVisible(True)

    def _tsne_done(self, message: str | None, back_to_pca: bool = True) -> None:
        self._runs.pop("corpus_tsne", None)
        if "corpus_index" not in self._runs:
            self.progress.setVisible(False)
            self.cancel_button.setVisible(False)
        if message:
            self.status.setText(message)
        if back_to_pca and self.by_tsne:
            self.projection_combo.setCurrentIndex(0)  # the PCA map, as before

    def _tsne_ready(self, found) -> None:
        kept = self.tr("kept with the index") if found.kept else self.tr("not kept: the index's folder is read-only")
        how = self.tr("from the index's folder") if found.from_cache else kept
        self._tsne_done(
            self.tr("t-SNE of {points:,} points at layer {layer} ({how})").format(
                points=len(found.rows), layer=found.layer, how=how
            ),
            back_to_pca=False,
        )
        if found.index is self.index and self.by_tsne:
            self.tsne = found
            self._draw_map(autorange=True)

    # ---- senses -----------------------------------------------------------------------------------------
    def _senses_toggled(self, on: bool) -> None:
        if on:
            self._start_senses()
        else:
            self.senses = None
            self._draw_map(autorange=True)

    def _start_senses(self) -> None:
        found = self.neighbours
        if found is None or self.index is None:
            self.status.setText(self.tr("Select a token of the sentence first: its word's senses are shown."))
            self.senses_button.setChecked(False)
            return
        token_id = self.result.encoding.input_ids[found.query.position] if self.result else None
        if token_id is None:
            return
        word = found.query.display_tokens[found.query.position]
        run = self.controller.start(
            "corpus_senses", follows_input=False, index=self.index, token_id=int(token_id), word=word, layer=self.layer
        )
        if run is None:
            return
        self._runs["corpus_senses"] = run
        run.ready.connect(self._senses_ready)
        run.failed.connect(lambda m: (self._finish("corpus_senses", m), self.senses_button.setChecked(False)))
        run.cancelled.connect(lambda: self._finish("corpus_senses"))

    def _senses_ready(self, senses) -> None:
        self._finish("corpus_senses")
        if not self.senses_button.isChecked():
            return
        self.senses = senses
        self._draw_senses()
        self.plot.getPlotItem().getViewBox().autoRange(padding=0.05)

    def _draw_senses(self) -> None:
        senses = self.senses
        colours = [QtGui.QColor(c) for c in CATEGORIES]
        self._show_points(senses.coords, senses.rows, senses.labels % len(colours), colours)
        self.marks.setData([])
        self.query_mark.setData([])
        names = [
            f"<span style='color:{CATEGORIES[i % len(CATEGORIES)]}'>●</span> {html.escape(name)} "
            f"({int((senses.labels == i).sum())})"
            for i, name in enumerate(senses.names)
        ]
        heading = self.tr("“{word}”, {count} times, layer {layer}:").format(
            word=html.escape(senses.word), count=len(senses.rows), layer=senses.layer
        )
        self.legend.setText(heading + " " + "  ".join(names))

    # ---- hover and click --------------------------------------------------------------------------------
    def point_at(self, scene_pos) -> int | None:
        """Index into the drawn points of the one under `scene_pos` (within PICK_PIXELS), or None."""
        if len(self._xy) == 0:
            return None
        vb = self.plot.getPlotItem().getViewBox()
        if not vb.sceneBoundingRect().contains(scene_pos):
            return None
        p = vb.mapSceneToView(scene_pos)
        px, py = vb.viewPixelSize()
        d2 = ((self._xy[:, 0] - p.x()) / px) ** 2 + ((self._xy[:, 1] - p.y()) / py) ** 2
        best = int(np.argmin(d2))
        return best if d2[best] <= PICK_PIXELS**2 else None

    def _describe(self, row: int) -> str:
        line = int(self.index.line_of(row))
        sentence = sentence_html(self.index, line, row - int(self.index.line_starts[line]), "[", "]")
        return self.tr("line {line}: {sentence}").format(line=line, sentence=sentence)

    def _mouse_moved(self, scene_pos) -> None:
        hit = self.point_at(scene_pos)
        if hit is None:
            self.hover_mark.setData([])
            if self.readout_label is not None:
                self.readout_label.setText(" ")
            return
        self.hover_mark.setData(pos=self._xy[hit : hit + 1])
        if self.readout_label is not None:
            self.readout_label.setText(self._describe(int(self._xy_rows[hit])))

    def _mouse_clicked(self, event) -> None:
        hit = self.point_at(event.scenePos())
        if hit is None or event.button() != QtCore.Qt.MouseButton.LeftButton:
            return
        row = int(self._xy_rows[hit])
        line = int(self.index.line_of(row))
        self.open_line(line, row - int(self.index.line_starts[line]))

    # ---- the View contract ----------------------------------------------------------------------------
    @property
    def busy(self) -> bool:
        return self._requested is not None or any(getattr(run, "running", False) for run in self._runs.values())

    def prepare_view(self, arg: str) -> None:
        """--view-arg: 'demo' or text files (comma-separated) to index, then ':N' a token of the sentence to find."""
        what, _, token = arg.rpartition(":")
        if not token.strip().isdigit():
            what, token = arg, ""
        else:
            self._pending_token = int(token)
        files = [] if what.strip() in ("", "demo") else [f for f in what.split(",") if f.strip()]
        if self._pending_token is not None:
            self.selection.set_token(self._pending_token)
        self.start_index(files)
