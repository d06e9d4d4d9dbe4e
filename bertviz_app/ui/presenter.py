"""The presenter view: one action (View ▸ Presenter view, F5) for teaching with a projector.

Large fonts sized to the window (readable from the back of a room at 1024×768 and at 1920×1080), a
high-contrast palette, a projector layout (no status bar, the views wide, the lesson beside them), full
screen, and a laser pointer: the token under the mouse, in the chips or in any view that shows tokens, is
marked in every panel at once (the shared Selection's `hovered` token, which each view draws through the View
contract). Turning it off puts everything back as it was.
"""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt
from PySide6.QtGui import QColor, QFont, QPalette
from PySide6.QtWidgets import QDockWidget, QWidget

FONT_PER_HEIGHT = 1 / 46  # 768 px high: 17 px text; 1080: 23 px
MIN_FONT_PX, MAX_FONT_PX = 15, 30
CONTROLS_SCALE = 0.72
PT_PER_PX = 0.75  # at the 96 dots per inch Qt assumes
NARROW = 1400  # below this width the lesson goes under the panels instead of beside them


def presenter_font_px(height: int) -> int:
    """The text size for a window `height` pixels high."""
    return max(MIN_FONT_PX, min(MAX_FONT_PX, round(height * FONT_PER_HEIGHT)))


def high_contrast_palette(base: QPalette) -> QPalette:
    palette = QPalette(base)
    for role, colour in (
        (QPalette.Window, "#ffffff"),
        (QPalette.WindowText, "#000000"),
        (QPalette.Base, "#ffffff"),
        (QPalette.AlternateBase, "#eeeeee"),
        (QPalette.Text, "#000000"),
        (QPalette.Button, "#e8e8e8"),
        (QPalette.ButtonText, "#000000"),
        (QPalette.Highlight, "#0033aa"),
        (QPalette.HighlightedText, "#ffffff"),
        (QPalette.ToolTipBase, "#ffffdd"),
        (QPalette.ToolTipText, "#000000"),
        (QPalette.PlaceholderText, "#444444"),
    ):
        palette.setColor(role, QColor(colour))
    return palette


class Presenter(QObject):
    """Presenter mode of one window: `set_on(True)` / `set_on(False)`; `on` says which."""

    def __init__(self, window):
        super().__init__(window)
        self._window = window
        self.on = False
        self.font_px = 0
        self._saved: dict = {}
        self._size = (0, 0)  # what the layout is made for: the screen, or the size asked for
        self._guesses_dock: QDockWidget | None = None  # holds the predictions on a narrow projector

    def set_on(self, on: bool, full_screen: bool = True, size: tuple[int, int] | None = None) -> None:
        """Presenter mode on or off: full screen, or (not full screen) the window at `size` (default: as it is)."""
        if on == self.on:
            return
        w = self._window
        screen = w.screen().availableGeometry().size()
        self._size = (screen.width(), screen.height()) if full_screen else size or (w.width(), w.height())
        if on:
            self._saved = {
                "palette": QPalette(w.palette()),
                "sheet": w.styleSheet(),
                "splitter": w.splitter.sizes(),
                "status": w.statusBar().isVisible(),
                "state": w.windowState(),
                "axes": {axis: QFont(axis.style["tickFont"] or QFont()) for axis in self._axes()},
            }
            self.on = True
            w.setPalette(high_contrast_palette(w.palette()))
            w.statusBar().setVisible(False)
            self._restyle()
            if full_screen:
                w.showFullScreen()
            else:
                w.resize(*self._size)
            w.selection.set_laser(True)  # every view marks the hovered token (ui/view.py: Selection)
            w.installEventFilter(self)
        else:
            self.on = False
            w.removeEventFilter(self)
            w.selection.set_laser(False)
            saved = self._saved
            w.setStyleSheet(saved["sheet"])
            w.setPalette(saved["palette"])
            for axis, font in saved["axes"].items():
                axis.setStyle(tickFont=font)
            w.statusBar().setVisible(saved["status"])
            w.setWindowState(saved["state"])
            self._lay_out(narrow=False)
            w.splitter.setSizes(saved["splitter"])
            self.font_px = 0
        action = getattr(w, "presenter_action", None)
        if action is not None and action.isChecked() != on:
            action.setChecked(on)

    def _axes(self) -> list:
        axes = []
        for view in self._window.findChildren(pg.GraphicsView):
            axes.extend(item for item in view.scene().items() if isinstance(item, pg.AxisItem))
        return axes

    def _restyle(self) -> None:
        """Fonts and proportions for the window's current size."""
        w = self._window
        width, height = self._size
        px = presenter_font_px(height)
        self.font_px = px
        # What is read from afar (text, tokens, plots, the lesson) gets the large size; the rows of controls
        # above each view, operated from the lectern, a smaller one so that they fit a 1024-pixel-wide projector.
        # In points, not pixels: panels scale their fonts by pointSizeF(), which a pixel-sized font lacks.
        pt, controls = px * PT_PER_PX, round(px * CONTROLS_SCALE * PT_PER_PX, 1)
        w.setStyleSheet(
            f"QWidget {{ font-size: {pt:.1f}pt; }}"
            f"QComboBox, QSpinBox, QCheckBox, QPushButton, QToolButton, QTabBar, QTabWidget QLabel "
            f"{{ font-size: {controls}pt; }}"
            "QTabBar::tab:selected { font-weight: bold; }"
        )
        tick = QFont()
        tick.setPointSizeF(pt)
        for axis in self._axes():
            axis.setStyle(tickFont=tick)
        # A projector 1024 pixels wide has no room beside a view for the guesses and the lesson: there they go
        # under it, side by side.
        self._lay_out(width < NARROW)

    def _lay_out(self, narrow: bool) -> None:
        w = self._window
        width, height = self._size
        panel = getattr(w, "lesson_panel", None)
        if panel is not None:
            panel.set_compact(narrow)
        if narrow and self._guesses_dock is None:
            self._guesses_dock = QDockWidget(self.tr("Predictions"), w)
            self._guesses_dock.setObjectName("presenter-predictions")
            self._guesses_dock.setFeatures(QDockWidget.NoDockWidgetFeatures)
            self._guesses_dock.setTitleBarWidget(QWidget())  # the panel has its own title
            self._guesses_dock.setWidget(w.predictions)  # out of the splitter, for as long as it is narrow
            w.addDockWidget(Qt.BottomDockWidgetArea, self._guesses_dock)
        elif not narrow and self._guesses_dock is not None:
            w.splitter.insertWidget(0, w.predictions)
            w.removeDockWidget(self._guesses_dock)
            self._guesses_dock.deleteLater()
            self._guesses_dock = None
        if narrow:
            if panel is not None and panel.isVisible():
                w.addDockWidget(Qt.BottomDockWidgetArea, panel)
                w.splitDockWidget(self._guesses_dock, panel, Qt.Horizontal)
                w.resizeDocks([self._guesses_dock, panel], [width * 2 // 5, width * 3 // 5], Qt.Horizontal)
            w.resizeDocks([self._guesses_dock], [round(height * 0.3)], Qt.Vertical)
        else:
            w.splitter.setSizes([round(width * 0.24), round(width * 0.76)])
            if panel is not None and panel.isVisible():
                w.addDockWidget(Qt.RightDockWidgetArea, panel)
                w.resizeDocks([panel], [round(width * 0.28)], Qt.Horizontal)

    def eventFilter(self, watched, event) -> bool:
        if watched is self._window and event.type() == QEvent.Resize and self.on:
            width, height = event.size().width(), event.size().height()
            self._size = (width, height)
            if presenter_font_px(height) != self.font_px or (width < NARROW) != (self._guesses_dock is not None):
                self._restyle()
        return False


def add_presenter_action(window, menu) -> None:
    """View ▸ Presenter view (F5), checkable; Esc leaves it too."""
    window.presenter = Presenter(window)
    action = window._action(
        menu, QCoreApplication.translate("presenter", "&Presenter view"), lambda on: window.presenter.set_on(on), "F5"
    )
    action.setCheckable(True)
    action.setStatusTip(
        QCoreApplication.translate(
            "presenter", "Large fonts, high contrast, full screen and a laser pointer, for a projector"
        )
    )
    window.presenter_action = action
