"""A panel's content, or in its place a centred message ("Loading the model…", "no attention")."""

from __future__ import annotations

from PySide6 import QtCore, QtWidgets


class MessageStack(QtWidgets.QStackedWidget):
    def __init__(self, parent: QtWidgets.QWidget | None = None):
        super().__init__(parent)
        self.label = QtWidgets.QLabel()
        self.label.setAlignment(QtCore.Qt.AlignmentFlag.AlignCenter)
        self.label.setWordWrap(True)
        font = self.label.font()
        font.setPointSizeF(font.pointSizeF() * 1.25)
        self.label.setFont(font)
        self.addWidget(self.label)

    def set_content(self, content: QtWidgets.QWidget) -> None:
        self.addWidget(content)

    def new_content(self, spacing: int = 4) -> QtWidgets.QVBoxLayout:
        """A fresh content page with a margin-less vertical layout, to be filled by the caller."""
        content = QtWidgets.QWidget()
        layout = QtWidgets.QVBoxLayout(content)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(spacing)
        self.set_content(content)
        return layout

    def show_message(self, message: str) -> None:
        self.label.setText(message)
        self.setCurrentIndex(0)

    def show_content(self) -> None:
        self.setCurrentIndex(1)

    def message(self) -> str | None:
        """The message shown instead of the content, or None while the content is shown."""
        return self.label.text() if self.currentIndex() == 0 else None
