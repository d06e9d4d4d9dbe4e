"""What the views' exports share: the Export button with its menu, the save dialog around a writer, and
pyqtgraph items written as PNG or SVG."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pyqtgraph.exporters as pg_exporters
from PySide6 import QtCore, QtGui, QtWidgets
from PySide6.QtSvg import QSvgGenerator

from bertviz_app.atomic import atomic_write

FILTERS = {
    "csv": "CSV table (*.csv)",
    "png": "PNG image (*.png)",
    "svg": "SVG image (*.svg)",
    "npz": "NumPy archive (*.npz)",
    "json": "JSON (*.json)",
}


def export_button(actions: list[tuple[str, Callable[[], None]]], tooltip: str = "") -> QtWidgets.QToolButton:
    """An "Export" button whose menu holds `actions`, (label, callback) pairs."""
    button = QtWidgets.QToolButton()
    button.setText("Export")
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
    path, _ = QtWidgets.QFileDialog.getSaveFileName(parent, title, name, FILTERS[kind])
    if not path:
        return
    try:
        with atomic_write(path) as tmp:
            write(tmp)
    except (OSError, ValueError) as exc:
        QtWidgets.QMessageBox.warning(parent, "Export failed", f"Could not write {path}:\n{exc}")


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
