"""bertviz_app.show(): the explorer from Python. README's notebook cells run in a real IPython kernel (offscreen),
which must stay free while the window works; a plain script runs the window until it is closed; the handle drives
the window as a user would and reads what it shows."""

import os
import re
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

import bertviz_app

ROOT = Path(__file__).resolve().parents[1]
MARKER = "<!-- notebook snippet: tests/test_notebook.py runs these cells"


def readme_cells() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    after = text[text.index(MARKER) :]
    return re.findall(r"```python\n(.*?)```", after, flags=re.S)[:2]


def child_env() -> dict:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(ROOT))
    env.pop("DISPLAY", None)
    return env


@pytest.fixture
def explorer(qtbot, tiny_model_dir):
    ex = bertviz_app.show(str(tiny_model_dir), "the cat sat on the [MASK] .", block=False)
    qtbot.addWidget(ex.window)
    yield ex
    ex.close()


def test_show_returns_a_live_window_with_the_text_and_its_result(explorer):
    assert not explorer.closed and explorer.window.isVisible()
    result = explorer.result()
    assert result["text"] == "the cat sat on the [MASK] ."
    assert explorer.window.sentence.text_a.text() == result["text"]  # in the field, as if typed
    assert result["tokens"] == ["[CLS]", "the", "cat", "sat", "on", "the", "[MASK]", ".", "[SEP]"]
    assert result["masked_positions"] == [6]
    guesses = result["predictions"][0]["guesses"]
    shown = explorer.window.predictions.bars()[0].rows()
    assert len(shown) > 0 and [g["token"] for g in guesses[: len(shown)]] == [p.token for p in shown]
    probabilities = [g["probability"] for g in guesses]
    assert probabilities == sorted(probabilities, reverse=True) and 0 < probabilities[0] <= 1
    L, H, T = 2, 4, len(result["tokens"])
    assert result["attention"].shape == (L, H, T, T)
    assert result["hidden_states"].shape[:2] == (L + 1, T)


def test_the_handle_sets_text_masks_and_view_as_a_user_would(explorer):
    explorer.mask("CAT", 4)  # a word (any case) and a position, as clicking their chips
    assert explorer.result()["masked_positions"] == [2, 4, 6]
    assert [c.kind for c in explorer.window.sentence.chips.chips()][2] == "mask"
    explorer.unmask()
    assert explorer.result()["masked_positions"] == [6]  # the typed mask stays

    explorer.set_text("a dog ran .", "it was fast .")
    result = explorer.result()
    assert result["pair"] == "it was fast ." and explorer.window.sentence.pair_toggle.isChecked()
    assert result["tokens"].count("[SEP]") == 2
    explorer.set_text("a dog ran .")
    assert explorer.result()["pair"] is None and not explorer.window.sentence.pair_toggle.isChecked()

    explorer.show_view("heads")
    assert explorer.view == "heads" and explorer.window.tabs.currentWidget() is explorer.window.views["heads"]
    assert explorer.views == list(explorer.window.views)


def test_bad_requests_say_what_is_possible_and_change_nothing(explorer):
    before = explorer.result()
    with pytest.raises(ValueError, match="no view named 'nope'; the views are: attention"):
        explorer.show_view("nope")
    with pytest.raises(ValueError, match="no token reads 'zebra'"):
        explorer.mask("zebra")
    with pytest.raises(ValueError, match="not a word piece"):
        explorer.mask(0)  # [CLS]
    after = explorer.result()
    assert (after["masked_positions"], explorer.view) == (before["masked_positions"], "attention")


def test_after_close_the_last_result_stays_readable_and_changes_are_refused(explorer, tmp_path):
    png = explorer.screenshot(tmp_path / "window.png")
    assert Path(png).stat().st_size > 10_000
    explorer.close()
    assert explorer.closed and "closed" in repr(explorer)
    assert explorer.result()["masked_positions"] == [6]
    with pytest.raises(RuntimeError, match="window was closed"):
        explorer.set_text("again")


def test_a_plain_script_runs_the_window_until_it_is_closed(tiny_model_dir):
    script = textwrap.dedent(
        f"""
        import time
        from PySide6.QtCore import QTimer
        from PySide6.QtWidgets import QApplication
        import bertviz_app

        app = QApplication([])
        def close_once_answered():  # what a user does: look at the result, close the window
            for w in app.topLevelWidgets():
                if getattr(w, "controller", None) is not None and w.controller.current_result is not None:
                    w.close()
        timer = QTimer(interval=50, timeout=close_once_answered)
        timer.start()
        start = time.monotonic()
        explorer = bertviz_app.show({str(tiny_model_dir)!r}, "the cat sat on the [MASK] .")
        print("returned closed", explorer.closed, explorer.result()["masked_positions"])
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script], env=child_env(), capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    assert "returned closed True [6]" in done.stdout


class Kernel:
    """A real IPython kernel (ipykernel) driven through jupyter_client, as a notebook front end drives it."""

    def __init__(self, cwd: Path):
        from jupyter_client.manager import start_new_kernel

        self.manager, self.client = start_new_kernel(
            kernel_name="python3", startup_timeout=120, env=child_env(), cwd=str(cwd)
        )

    def run(self, code: str, timeout: float = 120) -> str:
        out, errors = [], []

        def hook(msg):
            kind, content = msg["msg_type"], msg["content"]
            if kind == "stream" and content["name"] == "stdout":
                out.append(content["text"])
            elif kind == "error":
                errors.append("\n".join(content["traceback"]))

        reply = self.client.execute_interactive(code, timeout=timeout, output_hook=hook)
        assert reply["content"]["status"] == "ok", "".join(errors)
        return "".join(out)

    def stop(self) -> None:
        self.client.stop_channels()
        self.manager.shutdown_kernel(now=True)


@pytest.mark.slow  # ~20 s: a kernel starts and loads the bundled model
def test_the_readme_notebook_cells_run_in_a_real_ipython_kernel_which_stays_free(tmp_path):
    from bertviz_app.analysis.inference import InferenceInput, run_inference
    from bertviz_app.engine.loader import load_model

    opening, using = readme_cells()
    kernel = Kernel(tmp_path)
    try:
        started = time.monotonic()
        kernel.run(opening)
        assert time.monotonic() - started < 60  # show() returned without waiting for the window
        assert kernel.run("print(get_ipython().active_eventloop)").strip() == "qt"
        # These cells never process Qt events themselves: the result can only arrive through the kernel's Qt
        # loop running between them, while the kernel answers us.
        answered = False
        deadline = time.monotonic() + 120
        while not answered and time.monotonic() < deadline:
            answered = kernel.run("print(explorer.controller.current_result is not None)").strip() == "True"
            if not answered:
                time.sleep(0.2)
        assert answered, "the window got no result while the kernel was idle: is %gui qt running?"

        printed = kernel.run(using).strip().splitlines()
        assert kernel.run("print(explorer.view)").strip() == "heads"
        kernel.run("explorer.close()")
    finally:
        kernel.stop()

    # The same guesses as the engine gives for the same input: "cat" masked (the chip) beside the typed mask.
    lm = load_model("default")
    text = re.search(r'text="([^"]+)"', opening).group(1)
    expected = run_inference(lm, InferenceInput(text.replace("cat", "[MASK]"), top_k=3))
    assert len(printed) == len(expected.predictions) == 2
    for line, mask in zip(printed, expected.predictions):
        assert line.endswith(str([p.display for p in mask.predictions[:3]])), (line, mask)
