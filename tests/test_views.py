"""The view registry: a view added there alone is a tab, a View menu entry, a --view choice (with its
--view-arg help) and something the screenshot command can put in front."""

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QLabel
from test_mnemonics import mnemonic

from bertviz_app.app import build_window, take_screenshot
from bertviz_app.cli import build_parser
from bertviz_app.ui import views
from bertviz_app.ui.settings import Settings
from bertviz_app.ui.view import View

SEEN = []  # (what happened, detail) in every TokenCount view


class TokenCount(View):
    """The smallest real view: how many tokens the sentence has."""

    empty_message = "No sentence yet."

    def __init__(self, controller, selection, parent=None):
        super().__init__(controller, selection, parent)
        self.label = QLabel()
        self.content_layout.addWidget(self.label)
        self.clear(self.empty_message)

    def show_result(self, result):
        self.label.setText(f"{len(result.tokens)} tokens")
        self._show_content()
        SEEN.append(("result", len(result.tokens)))

    def prepare_view(self, arg):
        SEEN.append(("arg", arg))


@pytest.fixture
def token_count():
    SEEN.clear()
    spec = views.register(views.ViewSpec("tokencount", "&Token count", TokenCount, "anything, echoed"))
    yield spec
    views.unregister("tokencount")


def test_a_registered_view_is_a_tab_a_menu_entry_and_a_command_line_choice(
    qtbot, tmp_path, tiny_model_dir, token_count
):
    settings = Settings(QSettings(str(tmp_path / "s.ini"), QSettings.IniFormat))
    window, controller = build_window(str(tiny_model_dir), "the cat sat on the [MASK] .", settings=settings)
    qtbot.addWidget(window)
    window.show()
    assert controller.wait_until_idle()
    panel = window.views["tokencount"]
    assert isinstance(panel, TokenCount) and window.tabs.tabText(window.tabs.indexOf(panel)) == "&Token count"

    view_menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "&View")
    entry = next(a for a in view_menu.actions() if a.text() == "&Token count")
    assert entry.shortcut().toString()  # Ctrl+8: every view gets a shortcut
    entry.trigger()
    assert window.tabs.currentWidget() is panel
    assert panel.label.text() == f"{len(controller.current_result.tokens)} tokens"  # caught up when shown
    controller.shutdown()

    args = build_parser().parse_args(["--view", "tokencount", "--view-arg", "hello"])
    assert (args.view, args.view_arg) == ("tokencount", "hello")
    assert "tokencount: anything, echoed" in build_parser().format_help().replace("\n", " ").replace("  ", " ")


def test_the_screenshot_command_puts_a_registered_view_in_front(qtbot, tmp_path, tiny_model_dir, token_count):
    path = tmp_path / "shot.png"
    assert take_screenshot(str(path), str(tiny_model_dir), "a b c", None, "tokencount", "hello") == 0
    assert ("arg", "hello") in SEEN and ("result", 5) in SEEN
    assert QImage(str(path)).width() > 0


def test_every_built_in_view_is_a_view_with_its_registry_entry():
    assert views.VIEWS == (
        "attention",
        "embeddings",
        "layers",
        "heads",
        "neurons",
        "scoring",
        "compare",
        "replaced",
        "applications",
        "corpus",
        "pretrain",
    )
    letters = [mnemonic(views.REGISTRY[name].title) for name in views.VIEWS]
    assert None not in letters
    assert len(set(letters)) == len(views.VIEWS)  # a mnemonic each, all different (see test_mnemonics.py)
    assert "head_importance" in views.REGISTRY["heads"].analyses


def test_the_layer_and_head_picked_in_one_view_are_the_selection_of_the_others(qtbot, tmp_path, tiny_model_dir):
    settings = Settings(QSettings(str(tmp_path / "s.ini"), QSettings.IniFormat))
    window, controller = build_window(str(tiny_model_dir), "the cat sat on the [MASK] .", settings=settings)
    qtbot.addWidget(window)
    window.show()
    assert controller.wait_until_idle()
    attention, neurons = window.views["attention"], window.views["neurons"]
    attention.layer_spin.setValue(2)  # what a user does: layer 2, head 3 in the attention view
    attention.head_spin.setValue(3)
    assert (window.selection.layer, window.selection.head) == (1, 2)
    window.show_view("neurons")
    assert (neurons.layer, neurons.head) == (1, 2) and neurons.current_view().head == 2
    neurons.head_spin.setValue(1)  # and back: head 1 in the neuron view
    window.show_view("attention")
    assert (attention.layer, attention.head) == (1, 0)
    controller.shutdown()


def test_reading_the_registry_loads_no_qt():
    """The command line's --help and lessons read the registry: it must not pull in the GUI."""
    import subprocess
    import sys

    code = (
        "import sys, bertviz_app.ui.views as v; v.view_names(); "
        "print(any(m.startswith('PySide6') for m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.stdout.strip() == "False", done.stderr
