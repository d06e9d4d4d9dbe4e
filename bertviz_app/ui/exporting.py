"""What the views' exports share: the Export button with its menu, and the save dialog around a writer."""

from __future__ import annotations

from collections.abc import Callable

from PySide6 import QtWidgets

FILTERS = {"csv": "CSV table (*.csv)", "png": "PNG image (*.png)", "svg": "SVG image (*.svg)"}


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
    """Ask where to save the `kind` file (suggesting `name`), then write(path). A failure is a warning."""
    path, _ = QtWidgets.QFileDialog.getSaveFileName(parent, title, name, FILTERS[kind])
    if not path:
        return
    try:
        write(path)
    except (OSError, ValueError) as exc:
        QtWidgets.QMessageBox.warning(parent, "Export failed", f"Could not write {path}:\n{exc}")
