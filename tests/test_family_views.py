"""Every view works for every family: a tiny random model of each family (saved by transformers, loaded by our
loader) is opened in the window, and each view is brought to the front through its View-menu action, as a user
would. No view may crash, log an unexpected worker error, or fall back to a message where it has something to
show; views that need more from the user (a second sentence, a corpus to index) say so in a message."""

from __future__ import annotations

import logging

from PySide6.QtCore import Qt
from test_family_text import _type, family, folders, window  # noqa: F401  (fixtures)

from bertviz_app.ui.views import REGISTRY

# Views that show content from the sentence alone; the others wait for the user (a message is right there).
SHOWS_CONTENT = ("attention", "embeddings", "layers", "heads", "neurons", "scoring")
TEXT = "The cat sat on the mat and looked at the bird."


def test_every_view_works_for_every_family(qtbot, window, family, caplog):  # noqa: F811
    controller = window.controller
    errors = []
    controller.error.connect(errors.append)
    _type(qtbot, window.sentence.text_a, controller, TEXT)
    # Mask "mat" by clicking its chip (Scoring scores the text as typed, so no [MASK] is typed).
    chips = window.sentence.chips
    mat = [c.text.strip().lstrip("␣") for c in chips.chips()].index("mat")
    with qtbot.waitSignal(controller.result_ready, timeout=10_000):
        qtbot.mouseClick(chips, Qt.LeftButton, pos=chips.chip_rect(mat).center())
    view_menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "&View")
    actions = {a.text(): a for a in view_menu.actions()}
    with caplog.at_level(logging.ERROR):
        for name, spec in REGISTRY.items():
            actions[spec.title].trigger()
            assert window.tabs.currentWidget() is window.views[name]
            assert controller.wait_until_idle(60_000), name
            assert window.wait_until_drawn(30_000), name
            message = window.views[name].message()
            if name in SHOWS_CONTENT:
                assert message is None, f"{family}: the {name} view shows {message!r}"
            else:
                assert message is None or message.strip(), name
        # Compare with a second sentence, as --view-arg gives it.
        window.show_view("compare", "The dog sat on the mat and looked at the bird.")
        assert controller.wait_until_idle(60_000) and window.wait_until_drawn(30_000)
        assert window.views["compare"].message() is None, window.views["compare"].message()
    assert errors == []
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR], [r.getMessage() for r in caplog.records]
    result = controller.current_result
    assert result is not None and len(result.predictions) == 1
