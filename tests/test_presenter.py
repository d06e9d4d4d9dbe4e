"""The presenter view as a teacher switches it on: View ▸ Presenter view (F5), big fonts, high contrast, a
projector layout at 1024×768, full screen, the laser pointer; and everything back when it is off."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtGui import QPalette

from bertviz_app.app import build_window
from bertviz_app.ui.presenter import presenter_font_px
from bertviz_app.ui.settings import Settings


@pytest.fixture
def window(qtbot, tiny_model_dir, tmp_path):
    settings = Settings(QSettings(str(tmp_path / "settings.ini"), QSettings.IniFormat))
    win, controller = build_window(str(tiny_model_dir), "the cat sat on the [MASK] .", settings=settings)
    qtbot.addWidget(win)
    win.resize(1360, 860)
    win.show()
    assert controller.wait_until_idle() and controller.current_result is not None
    yield win
    controller.shutdown()


def presenter_action(win):
    view = next(a.menu() for a in win.menuBar().actions() if a.text() == "&View")
    return next(a for a in view.actions() if a.text() == "&Presenter view")


def test_presenter_view_from_the_menu_and_back(window, qtbot):
    action = presenter_action(window)
    assert action.shortcut().toString() == "F5"
    normal_px = window.font().pixelSize() if window.font().pixelSize() > 0 else 13
    splitter = window.splitter.sizes()
    text_colour = window.palette().color(QPalette.WindowText)
    action.trigger()
    p = window.presenter
    assert p.on and action.isChecked()
    assert window.isFullScreen()
    assert p.font_px >= presenter_font_px(600) > normal_px
    assert f"font-size: {p.font_px * 0.75:.1f}pt" in window.styleSheet()
    assert window.palette().color(QPalette.WindowText).name() == "#000000"
    assert window.palette().color(QPalette.Window).name() == "#ffffff"
    assert not window.statusBar().isVisible()
    # The laser pointer: the token under the mouse in the chips is marked in every view.
    window.sentence.chips.chip_hovered.emit(3)
    assert window.selection.token == 3
    action.trigger()
    assert not p.on and not window.isFullScreen()
    assert window.styleSheet() == "" and window.statusBar().isVisible()
    assert window.palette().color(QPalette.WindowText) == text_colour
    assert window.splitter.indexOf(window.predictions) == 0 and window.splitter.sizes() == splitter
    window.sentence.chips.chip_hovered.emit(5)  # hovering no longer selects
    assert window.selection.token == 3


def test_a_small_projector_puts_guesses_and_lesson_under_the_view(window, qtbot):
    from bertviz_app.ui.lesson_panel import open_lesson

    assert open_lesson(window, "wordpiece")
    window.presenter.set_on(True, full_screen=False, size=(1024, 768))
    qtbot.wait(50)
    window.resize(1024, 768)
    qtbot.wait(50)
    assert (window.width(), window.height()) == (1024, 768)  # it fits: nothing forces the window wider
    assert window.splitter.indexOf(window.predictions) == -1  # in a dock under the view
    assert window.predictions.isVisible() and window.lesson_panel.isVisible()
    assert not window.lesson_panel.steps.isVisible()  # compact: text and buttons
    # Wide again: the guesses go back beside the view, the lesson beside them.
    window.resize(1920, 1080)
    qtbot.wait(50)
    assert window.width() == 1920
    assert window.splitter.indexOf(window.predictions) == 0 and window.lesson_panel.steps.isVisible()
    assert window.presenter.font_px == presenter_font_px(1080) > presenter_font_px(768)
    window.presenter.set_on(False)
    assert window.splitter.indexOf(window.predictions) == 0
    assert window.controller.wait_until_idle(60_000)  # the lesson's model
