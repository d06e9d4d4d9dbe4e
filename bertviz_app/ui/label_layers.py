"""A classifier's labels read out at every layer (analysis/classify.py's `layer_probs`): a (layers + 1) × labels
heatmap with the percentage in each cell, a title saying what is read out (and that early layers are read
through the final head), the exact value on hover. Shown by the Applications and the Layers views."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtWidgets

from bertviz_app.analysis.numeric.labels import SEQUENCE, Classification
from bertviz_app.ui import theme
from bertviz_app.ui.colormaps import make_colormap
from bertviz_app.ui.plot_items import fit_heatmap, heatmap_plot


def readout_token(payload: Classification | None, token: int | None) -> int | None:
    """Token classifier: the token whose tags by layer are shown (`token`, if a word, else the first word)."""
    if payload is None or payload.task == SEQUENCE:
        return None
    if token is not None and 0 <= token < len(payload.tokens) and not payload.special[token]:
        return token
    return next((i for i, s in enumerate(payload.special) if not s), None)


class LabelLayers(QtWidgets.QWidget):
    """The head read out at each layer: for a sequence classifier its labels, for a token classifier the tags
    of one token."""

    def __init__(self, parent: QtWidgets.QWidget | None = None):
        super().__init__(parent)
        self._payload: Classification | None = None
        self._token: int | None = None
        self.matrix: np.ndarray | None = None  # (L+1, C) shown
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.title = QtWidgets.QLabel(" ")
        self.title.setWordWrap(True)
        self.readout = QtWidgets.QLabel(" ")
        self.widget = pg.GraphicsLayoutWidget()
        self.axis_left, self.axis_bottom = pg.AxisItem("left"), pg.AxisItem("bottom")
        self.plot, self.image = heatmap_plot(self.axis_left, self.axis_bottom)
        self.widget.addItem(self.plot)
        self.image.setColorMap(make_colormap("viridis"))
        self.widget.scene().sigMouseMoved.connect(self._on_hover)
        self._cell_texts: list[pg.TextItem] = []
        layout.addWidget(self.title)
        layout.addWidget(self.widget, 1)
        layout.addWidget(self.readout)
        bg, fg, grey = theme.plot_colors(self)
        self.widget.setBackground(bg)
        for side in ("left", "bottom"):
            self.plot.getAxis(side).setPen(grey)
            self.plot.getAxis(side).setTextPen(fg)

    @property
    def payload(self) -> Classification | None:
        return self._payload

    def show_payload(self, payload: Classification | None, token: int | None = None) -> None:
        """Draw `payload`'s readout (for a token classifier at `token`, see readout_token)."""
        self._payload, self._token = payload, readout_token(payload, token)
        for item in self._cell_texts:
            self.plot.removeItem(item)
        self._cell_texts = []
        if payload is None or (payload.task != SEQUENCE and self._token is None):
            self.matrix = None
            self.title.setText(" ")
            self.image.clear()
            return
        self.matrix = matrix = payload.layer_probs if payload.task == SEQUENCE else payload.layer_probs[:, self._token]
        where = (
            self.tr("the label")
            if payload.task == SEQUENCE
            else self.tr("the tag of “{token}”").format(token=payload.display_tokens[self._token])
        )
        self.title.setText(
            self.tr(
                "Read out at each layer: {what}, if the model stopped there. Early layers are read through the "
                "final head, which was trained on the last layer only."
            ).format(what=where)
        )
        rows, cols = matrix.shape
        self.image.setImage(matrix, levels=(0.0, 1.0))
        for (row, col), p in np.ndenumerate(matrix):  # the percentage in each cell, dark on the light end
            text = pg.TextItem(f"{100 * p:.0f}%", color="#1f2a44" if p > 0.6 else "#ffffff", anchor=(0.5, 0.5))
            text.setPos(col, row)
            self.plot.addItem(text)
            self._cell_texts.append(text)
        self.axis_left.setTicks([[(row, self._layer_name(row)) for row in range(rows)]])
        self.axis_bottom.setTicks([list(enumerate(payload.labels))])
        fit_heatmap(self.plot, rows, cols)

    def _layer_name(self, row: int) -> str:
        return self.tr("embeddings") if row == 0 else self.tr("layer {n}").format(n=row)

    def _on_hover(self, pos: QtCore.QPointF) -> None:
        if self.matrix is None:
            return
        point = self.plot.vb.mapSceneToView(pos)
        row, col = round(point.y()), round(point.x())
        if 0 <= row < self.matrix.shape[0] and 0 <= col < self.matrix.shape[1]:
            self.readout.setText(
                self.tr("{where}: {label} {percent:.1f}%").format(
                    where=self._layer_name(row),
                    label=self._payload.labels[col],
                    percent=100 * float(self.matrix[row, col]),
                )
            )
