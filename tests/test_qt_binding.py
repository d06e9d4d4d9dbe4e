"""Guards against Qt binding releases that would crash a long session."""

import sys

from PySide6 import QtGui, QtWidgets


def test_void_qt_calls_keep_none_alive(qapp):
    """PySide6 6.12.0 dropped a reference to None on every void call: on Python 3.11 the app then died with
    'none_dealloc' after some thousands of repaints. pyproject.toml pins a release without that bug."""
    font, widget = QtGui.QFont(), QtWidgets.QWidget()
    before = sys.getrefcount(None)
    for _ in range(2000):
        font.setBold(True)
        widget.setVisible(False)
    assert sys.getrefcount(None) >= before - 10
