"""What the views' exports share: the Export button with its menu, the save dialog around a writer, and
pyqtgraph items written as PNG or SVG."""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pyqtgraph.exporters as pg_exporters
from PySide6 import QtCore, QtGui, QtWidgets
from PySide6.QtSvg import QSvgGenerator

from bertviz_app.atomic import atomic_write

FILTERS = {  # the save dialog's file types, translated where shown (QCoreApplication.translate("exporting", ...))
    "csv": QtCore.QT_TRANSLATE_NOOP("exporting", "CSV table (*.csv)"),
    "png": QtCore.QT_TRANSLATE_NOOP("exporting", "PNG image (*.png)"),
    "svg": QtCore.QT_TRANSLATE_NOOP("exporting", "SVG image (*.svg)"),
    "npz": QtCore.QT_TRANSLATE_NOOP("exporting", "NumPy archive (*.npz)"),
    "json": QtCore.QT_TRANSLATE_NOOP("exporting", "JSON (*.json)"),
}


def export_button(actions: list[tuple[str, Callable[[], None]]], tooltip: str = "") -> QtWidgets.QToolButton:
    """An "Export" button whose menu holds `actions`, (label, callback) pairs."""
    button = QtWidgets.QToolButton()
    button.setText(QtCore.QCoreApplication.translate("exporting", "Export"))
    button.setToolTip(tooltip)
    button.setPopupMode(QtWidgets.QToolButton.ToolButtonPopupMode.InstantPopup)
    menu = QtWidgets.QMenu(button)
    for label, callback in actions:
        menu.addAction(label, callback)
    button.setMenu(menu)
    return button


def save_with_dialog(parent: QtWidgets.QWidget, title: str, name: str, kind: str, write: Callable[[str], None]) -> None:
    """Ask where to save the `kind` file (suggesting `name`), then write it (atomically: a failure leaves any
    previous file whole). A failure is a warning."""
    file_type = QtCore.QCoreApplication.translate("exporting", FILTERS[kind])
    path, _ = QtWidgets.QFileDialog.getSaveFileName(parent, title, name, file_type)
    if not path:
        return
    try:
        with atomic_write(path) as tmp:
            write(tmp)
    except (OSError, ValueError) as exc:
        QtWidgets.QMessageBox.warning(
            parent,
            QtCore.QCoreApplication.translate("exporting", "Export failed"),
            QtCore.QCoreApplication.translate("exporting", "Could not write {path}:\n{reason}").format(
                path=path, reason=exc
            ),
        )


def save_widget_png(widget: QtWidgets.QWidget, path: str | Path) -> None:
    """The widget as it is on screen, as a PNG; OSError when Qt cannot write it (QPixmap.save only says False)."""
    if not widget.grab().save(str(path), "PNG"):
        raise OSError(f"could not write {path}")


def export_item_png(item: QtWidgets.QGraphicsItem, path: str | Path, width: int = 1400) -> None:
    """A pyqtgraph item (a PlotItem, with its axes and colour bar) as a PNG `width` pixels wide."""
    exporter = pg_exporters.ImageExporter(item)
    exporter.parameters()["width"] = int(width)
    if not exporter.export(str(path)):
        raise OSError(f"could not write {path}")


def export_item_svg(item: QtWidgets.QGraphicsItem, path: str | Path, title: str = "") -> None:
    """A pyqtgraph item as SVG: pyqtgraph's exporter when it works, else Qt's own SVG painter.

    pyqtgraph 0.14's SVGExporter cannot parse the closed paths ("... Z") that Qt ≥ 6.10 writes and raises
    ValueError for any plot (pyqtgraph issue #3485); Qt's QSvgGenerator renders the same scene region.
    """
    try:
        pg_exporters.SVGExporter(item).export(str(path))
        return
    except ValueError:
        pass
    source = item.sceneBoundingRect()
    target = QtCore.QRectF(0, 0, source.width(), source.height())
    generator = QSvgGenerator()
    generator.setFileName(str(path))
    generator.setSize(target.size().toSize())
    generator.setViewBox(target)
    generator.setTitle(title or "BERT Explorer")
    painter = QtGui.QPainter()
    if not painter.begin(generator):
        raise OSError(f"could not write {path}")
    try:
        item.scene().render(painter, target, source)
    finally:
        painter.end()


def write_matrix_csv(path: str | Path, caption: str, labels: list[str], matrix) -> None:
    """A square matrix as CSV: a header row (`caption`, then the column labels), then one labelled row each."""
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow([caption, *labels])
        for label, row in zip(labels, matrix, strict=True):
            writer.writerow([label, *(f"{w:.6g}" for w in row)])


def write_result_npz(path: str | Path, result, **arrays) -> None:
    """`arrays` in a compressed .npz, with what the result says about its tokens: `tokens`, `masked_positions`,
    `special`, `token_type_ids` and the `knocked_out` (layer, head) pairs."""
    np.savez_compressed(
        path,
        **arrays,
        tokens=np.array(result.tokens, dtype=str),
        masked_positions=np.array(result.masked_positions, dtype=np.int64),
        special=np.array(result.encoding.special, dtype=bool),
        token_type_ids=np.array(result.encoding.token_type_ids, dtype=np.int64),
        knocked_out=np.array(sorted(result.knocked_out), dtype=np.int64).reshape(-1, 2),
    )
