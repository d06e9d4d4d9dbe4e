"""The presenter view as a teacher switches it on: View ▸ Presenter view (F5), big fonts, high contrast, a
projector layout at 1024×768, full screen, the laser pointer; and everything back when it is off."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QEvent, QPointF, QSettings, Qt
from PySide6.QtGui import QMouseEvent, QPalette
from PySide6.QtWidgets import QApplication

from bertviz_app.app import build_window
from bertviz_app.ui import theme
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
    # The laser pointer: the token under the mouse in the chips is pointed at in every view, not selected.
    window.sentence.chips.chip_hovered.emit(3)
    assert window.selection.hovered == 3 and window.selection.token is None
    action.trigger()
    assert not p.on and not window.isFullScreen()
    assert window.styleSheet() == "" and window.statusBar().isVisible()
    assert window.palette().color(QPalette.WindowText) == text_colour
    assert window.splitter.indexOf(window.predictions) == 0 and window.splitter.sizes() == splitter
    assert window.selection.hovered is None  # the mark goes with it
    window.sentence.chips.chip_hovered.emit(5)  # and hovering no longer points
    assert window.selection.hovered is None and window.selection.token is None


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


def hover(widget, pos) -> None:
    """The mouse moving over `widget` to `pos`, no button down, as Qt delivers it (offscreen has no pointer)."""
    global_pos = QPointF(widget.mapToGlobal(pos))
    event = QMouseEvent(QEvent.Type.MouseMove, QPointF(pos), global_pos, Qt.NoButton, Qt.NoButton, Qt.NoModifier)
    QApplication.sendEvent(widget, event)


def laser_pixels(widget) -> int:
    """How many pixels of `widget` are painted in the laser's yellow."""
    image = widget.grab().toImage()
    laser = theme.LASER.rgb()
    return sum(image.pixel(x, y) == laser for x in range(image.width()) for y in range(image.height()))


def test_the_laser_marks_the_hovered_chips_token_in_every_view(window, qtbot):
    """Hovering a chip with the presenter view on marks that token on the attention heatmap's axes, the embedding
    plot, the Scoring bars and the chips, through the shared Selection (no presenter code per view)."""
    window.sentence.text_a.selectAll()
    qtbot.keyClicks(window.sentence.text_a, "the cat sat on the mat .")  # scoring scores a sentence without masks
    window.presenter.set_on(True, full_screen=False, size=(1360, 860))
    chips = window.sentence.chips
    cat = [c.text for c in chips.chips()].index("cat")
    for view in ("scoring", "embeddings"):  # drawn once, so that their bars and points exist
        window.show_view(view)
        assert window.controller.wait_until_idle() and window.wait_until_drawn()
    assert window.scoring.payload is not None
    hover(chips, chips.chip_rect(cat).center())
    assert window.selection.hovered == cat
    attention_axes = window.attention.token_axes()
    assert len(attention_axes) >= 2 and all(axis.hovered == cat for axis in attention_axes)
    assert window.embeddings.laser_token == cat
    spot = window.embeddings.laser_spot.points()[0].pos()
    assert (spot.x(), spot.y()) == pytest.approx(window.embeddings.point_position(cat))
    chart = window.scoring.charts[0]
    assert chart.laser_token == cat and laser_pixels(chart) > 100  # a yellow column behind its bar
    assert chips._hovered == cat and window.selection.token is None  # pointed at, not selected
    QApplication.sendEvent(chips, QEvent(QEvent.Type.Leave))  # off the chips: the mark goes everywhere
    assert window.selection.hovered is None
    assert window.embeddings.laser_token is None and all(a.hovered is None for a in attention_axes)
    assert chart.laser_token is None and laser_pixels(chart) == 0

    # Pointing inside a view moves the laser too: a point of the embedding plot marks its token in the chips.
    window.embeddings.token_hovered.emit(cat + 1)
    assert chips._hovered == cat + 1 and all(axis.hovered == cat + 1 for axis in attention_axes)
    window.presenter.set_on(False)
    assert window.selection.hovered is None and chips._hovered == -1


def test_a_1024_wide_window_fits_and_every_views_controls_stay_on_screen(window, qtbot):
    """Without the presenter view too (a small laptop, a projector's --window-size 1024x768): the controls above
    each view wrap onto more lines instead of forcing the window wider (it was at least 1319 pixels wide)."""
    from PySide6.QtWidgets import QWidget

    sentence = "the cat sat on the mat and the dog sat on the log near the red book "
    window.controller.set_text(sentence * 3, immediate=True)  # 51 words: the corpus view lists each token
    assert window.controller.wait_until_idle()
    window.resize(1024, 768)
    qtbot.wait(50)
    assert window.width() == 1024 and window.minimumSizeHint().width() <= 1024
    for name, view in window.views.items():
        window.show_view(name)
        qtbot.wait(20)
        row = view.controls
        shown = [row.itemAt(i).widget() for i in range(row.count()) if row.itemAt(i).widget() is not None]
        shown = [w for w in shown if isinstance(w, QWidget) and w.isVisible()]
        assert shown, name
        for w in shown:
            box = w.geometry()
            assert box.left() >= 0 and box.right() < view.width(), f"{name}: {type(w).__name__} {box} off the view"
        assert view._stack.geometry().top() > max(w.geometry().bottom() for w in shown), f"{name}: over the content"
        assert window.width() == 1024, f"{name} made the window wider"
    window.show_view("corpus")  # the widest row: on two lines here, on one at 1360 pixels
    qtbot.wait(20)
    tops = {
        w.geometry().center().y() // 10
        for w in (window.views["corpus"].demo_button, window.views["corpus"].senses_button)
    }
    assert len(tops) == 2
    window.resize(1600, 860)
    qtbot.wait(50)
    tops = {
        w.geometry().center().y() // 10
        for w in (window.views["corpus"].demo_button, window.views["corpus"].senses_button)
    }
    assert len(tops) == 1
