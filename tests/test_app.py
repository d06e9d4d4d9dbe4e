"""The main window, driven as a user would: typing, clicking chips, double-clicking predictions."""

import numpy as np
import pytest
from PySide6.QtCore import QPoint, QSettings, Qt
from PySide6.QtWidgets import QTextBrowser

from bertviz_app.app import build_window
from bertviz_app.ui.settings import Settings


@pytest.fixture
def settings(tmp_path):
    return Settings(QSettings(str(tmp_path / "settings.ini"), QSettings.IniFormat))


@pytest.fixture
def window(qtbot, tiny_model_dir, settings):
    win, controller = build_window(str(tiny_model_dir), settings=settings)
    qtbot.addWidget(win)
    win.resize(1200, 800)
    win.show()
    assert controller.wait_until_idle()
    assert controller.model_summary is not None
    yield win
    controller.shutdown()


def type_text(qtbot, win, text):
    win.sentence.text_a.clear()
    with qtbot.waitSignal(win.controller.result_ready, timeout=10_000):
        qtbot.keyClicks(win.sentence.text_a, text)
    assert win.controller.wait_until_idle()


def test_typing_a_masked_sentence_shows_predictions(qtbot, window):
    type_text(qtbot, window, "the cat sat on the [MASK] .")
    bars = window.predictions.bars()
    assert len(bars) == 1 and len(bars[0].rows()) == window.predictions.k
    assert window.sentence.chips.chips()[6].kind == "mask"
    assert "ms" in window.time_label.text()


def test_k_is_adjustable_without_new_inference(qtbot, window):
    type_text(qtbot, window, "the cat sat on the [MASK] .")
    result = window.controller.current_result
    window.predictions.k_spin.setValue(3)
    assert len(window.predictions.bars()[0].rows()) == 3
    window.predictions.k_spin.setValue(50)
    assert len(window.predictions.bars()[0].rows()) == 50
    assert window.controller.current_result is result


def test_clicking_a_chip_masks_it_and_predictions_update(qtbot, window):
    type_text(qtbot, window, "the cat sat on the mat")
    assert window.predictions.bars() == []
    chips = window.sentence.chips
    cat = [c.text for c in chips.chips()].index("cat")
    with qtbot.waitSignal(window.controller.result_ready, timeout=10_000):
        qtbot.mouseClick(chips, Qt.LeftButton, pos=chips.chip_rect(cat).center())
    assert window.controller.wait_until_idle()
    assert chips.chips()[cat].kind == "mask"
    (bars,) = window.predictions.bars()
    assert bars.mask.position == cat and bars.mask.original_token == "cat"


def test_double_clicking_a_prediction_puts_it_into_the_text(qtbot, window):
    type_text(qtbot, window, "the cat sat on the [MASK] .")
    (bars,) = window.predictions.bars()
    second = bars.rows()[1].token
    with qtbot.waitSignal(window.controller.result_ready, timeout=10_000):
        qtbot.mouseDClick(bars, Qt.LeftButton, pos=QPoint(40, 26 + 13))
    assert window.controller.wait_until_idle()
    expected = "the cat sat on the " + second.removeprefix("##") + " ."
    assert window.sentence.text_a.text() == expected
    assert window.controller.current_input.text == expected


def test_broken_folder_shows_dialog_and_previous_model_still_answers(qtbot, window, tmp_path):
    (tmp_path / "config.json").write_text('{"model_type": "deberta-v2"}')
    with qtbot.waitSignal(window.controller.model_load_failed, timeout=10_000):
        window.open_model(str(tmp_path))
    box = window.last_error_box
    assert box.isVisible() and "deberta-v2" in box.text() and "previous model" in box.informativeText()
    box.close()
    type_text(qtbot, window, "the dog ran to the [MASK] .")
    assert window.predictions.bars()


def test_selecting_layer_and_head_rerenders_without_inference(qtbot, window):
    type_text(qtbot, window, "the cat sat on the mat .")
    result = window.controller.current_result
    panel = window.attention
    before = np.array(panel.current_matrix(), copy=True)
    panel.set_selection(1, 2)
    after = panel.current_matrix()
    assert not np.allclose(before, after)
    np.testing.assert_allclose(after, result.attention[1, 2], atol=1e-6)
    assert window.controller.current_result is result and not window.controller.busy


def test_truncation_is_announced(qtbot, window):
    long_text = " ".join(["the cat sat on the mat ."] * 20)  # > 64 tokens, the tiny model's maximum
    window.sentence.text_a.setText(long_text)
    with qtbot.waitSignal(window.controller.result_ready, timeout=10_000):
        window.controller.set_text(long_text, immediate=True)
    assert window.sentence.notice.isVisibleTo(window) and "64" in window.sentence.notice.text()


def test_corrupt_settings_fall_back_to_defaults(tmp_path):
    path = tmp_path / "settings.ini"
    path.write_bytes(b"[General]\ntop_k=banana\ncolormap=not-a-map\nmodel=\n\xff\xfe\x00garbage")
    settings = Settings(QSettings(str(path), QSettings.IniFormat))
    assert (settings.top_k, settings.colormap, settings.model) == (10, "viridis", "default")


def test_the_sentence_open_at_closing_is_there_at_the_next_start(qtbot, window, settings, tmp_path):
    from bertviz_app.app import DEMO_TEXT, opening_sentence

    assert settings.sentence is None
    assert opening_sentence(None, None, settings) == (DEMO_TEXT, None)  # the first start shows an example
    type_text(qtbot, window, "the dog ran to the [MASK] .")
    window.close()
    again = Settings(QSettings(str(tmp_path / "settings.ini"), QSettings.IniFormat))
    assert opening_sentence(None, None, again) == ("the dog ran to the [MASK] .", None)
    assert opening_sentence("given", "pair", again) == ("given", "pair")  # the command line wins
    again.set_sentence("", None)  # cleared on purpose: stays cleared
    assert opening_sentence(None, None, again) == ("", None)
    again.set_sentence("first one", "second one")
    assert again.sentence == ("first one", "second one")


def test_a_damaged_remembered_sentence_is_ignored(tmp_path):
    from bertviz_app.app import DEMO_TEXT, opening_sentence

    path = tmp_path / "settings.ini"
    path.write_text("[sentence]\ntext=a, list\n")  # QSettings reads an unquoted comma as a list
    assert opening_sentence(None, None, Settings(QSettings(str(path), QSettings.IniFormat))) == (DEMO_TEXT, None)
    path.write_text("[sentence]\ntext=" + "x" * 200_000 + "\n")
    assert Settings(QSettings(str(path), QSettings.IniFormat)).sentence is None


def test_settings_persist_k(qtbot, window, settings):
    window.predictions.k_spin.setValue(7)
    assert settings.top_k == 7


def test_every_menu_action_has_a_shortcut(window):
    missing = []
    for menu_action in window.menuBar().actions():
        for action in menu_action.menu().actions():
            if action.isSeparator() or not action.text() or action.menu():
                continue
            if action.data() == "cached-model":  # one entry per downloaded model: listed, not bound
                continue
            if action.shortcut().isEmpty():
                missing.append(action.text())
    assert missing == []


def test_whole_words_only_hides_pieces_but_keeps_probabilities(qtbot, window):
    type_text(qtbot, window, "the cat sat on the [MASK] .")
    assert not window.predictions.whole_words.isChecked()  # off by default
    window.predictions.k_spin.setValue(50)
    (bars,) = window.predictions.bars()
    everything = {p.token: p.probability for p in bars.rows()}
    assert any(t.startswith("##") or not t.isalpha() for t in everything)  # the toy vocabulary has both
    window.predictions.whole_words.setChecked(True)
    shown = bars.rows()
    assert shown and all(p.token.isalpha() and not p.token.startswith("##") for p in shown)
    assert all(everything[p.token] == p.probability for p in shown)


def test_about_this_model_shows_facts_and_the_model_card(qtbot, window, tiny_model_dir):
    window.show_model_info()
    text = window.model_info_dialog.findChild(QTextBrowser).toPlainText()
    assert "2 layers, 4 attention heads" in text and "no model card" in text
    window.model_info_dialog.close()
    (tiny_model_dir / "MODEL_CARD.md").write_text("# Tiny\n\nTrained on *nothing at all*.\n")
    try:
        with qtbot.waitSignal(window.controller.model_loaded, timeout=10_000):
            window.open_model(str(tiny_model_dir))
        window.show_model_info()
        text = window.model_info_dialog.findChild(QTextBrowser).toPlainText()
        assert "Trained on nothing at all." in text
    finally:
        (tiny_model_dir / "MODEL_CARD.md").unlink()


def test_every_view_the_command_line_names_is_a_tab(window):
    from bertviz_app.ui.views import VIEWS

    win = window
    assert tuple(win.views) == VIEWS
    for name in VIEWS:
        win.show_view(name)
        assert win.tabs.currentWidget() is win.views[name]


def test_only_the_view_in_front_renders_and_the_others_catch_up(window, qtbot):
    win, controller = window, window.controller
    win.show_view("attention")
    with qtbot.waitSignal(controller.result_ready, timeout=10_000):
        controller.set_text("the cat sat on the [MASK] .", immediate=True)
    result = controller.current_result
    assert win.attention._result is result
    assert win.embeddings._result is not result  # hidden: not rendered yet
    win.show_view("embeddings")
    assert win.embeddings._result is result


def test_every_colour_map_offered_is_remembered_for_the_next_start(qtbot, window, settings, tmp_path, tiny_model_dir):
    combo = window.attention.colormap_combo
    offered = [combo.itemText(i) for i in range(combo.count())]
    assert "greys" in offered and len(offered) >= 6
    for name in offered:
        combo.setCurrentText(name)  # what a user picking it in the Colours box does
        settings.sync()
        reread = Settings(QSettings(str(tmp_path / "settings.ini"), QSettings.IniFormat))
        assert reread.colormap == name
        again, controller = build_window(str(tiny_model_dir), settings=reread)
        qtbot.addWidget(again)
        assert again.attention.colormap_name == name and again.attention.colormap_combo.currentText() == name
        controller.wait_until_idle()
        controller.shutdown()
