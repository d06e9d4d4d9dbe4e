"""The attention view with Words on, for a long input: the longest gap between ticks of a 5 ms GUI timer while
an edit is inferred, pooled to words and shown, with the attention pooled on the worker (as the app does past
analysis.numeric.words.POOL_NOW_MAX numbers) and, in the same run, on the GUI thread (as before). Bundled model,
offscreen.

Run: .venv/bin/python benchmarks/bench_words.py [--words 150] [--edits 3]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from bench_app import GapTimer  # this folder, first on sys.path when run as a script
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication

from bertviz_app.app import build_window, create_app
from bertviz_app.ui import token_axis
from bertviz_app.ui.settings import Settings

WORDS = ("unbelievable", "antidisestablishmentarianism", "photosynthesis", "the", "story", "of")  # many pieces


def text(n_words: int, k: int) -> str:
    """`n_words` words, one of them masked, different for each k."""
    return "the [MASK] of " + " ".join(WORDS[(i + k) % len(WORDS)] for i in range(n_words - 3))


def longest_gap(window, controller, panel, sentence: str) -> tuple[int, float]:
    """(longest gap between 5 ms ticks in ms, seconds until the words are shown) for one edit."""
    ticker = GapTimer()
    ticker.start()
    before = controller.current_result
    started = time.perf_counter()
    controller.set_text(sentence, immediate=True)
    shown = None
    while time.perf_counter() - started < 60 and (shown is None or time.perf_counter() - shown < 0.3):
        QApplication.processEvents()  # and 0.3 s more after the words are shown: their painting counts too
        time.sleep(0.001)
        if shown is None and controller.current_result is not before and panel.showing_words and not panel.busy:
            shown = time.perf_counter()
    ticker.stop()
    return max(ticker.gaps), (shown or time.perf_counter()) - started


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--words", type=int, default=150, help="words in the input (default: %(default)s)")
    parser.add_argument("--edits", type=int, default=3, help="edits measured each way (default: %(default)s)")
    args = parser.parse_args()
    create_app()
    scratch = tempfile.TemporaryDirectory()
    settings = Settings(QSettings(os.path.join(scratch.name, "s.ini"), QSettings.IniFormat))
    window, controller = build_window("default", settings=settings)
    window.resize(1360, 860)
    window.show()
    controller.wait_until_idle(120_000)
    window.show_view("attention")
    panel = window.views["attention"]
    controller.set_text(text(args.words, 0), immediate=True)
    controller.wait_until_idle()
    panel.words_button.click()
    window.wait_until_drawn(60_000)
    result = controller.current_result
    pooled = panel.result
    print(
        f"{len(result.tokens)} tokens -> {len(pooled.tokens)} words, attention {result.attention.shape} "
        f"({result.attention.size:,} numbers; POOL_NOW_MAX {token_axis.POOL_NOW_MAX:,})"
    )
    default = token_axis.POOL_NOW_MAX
    k = 1
    for label, limit in (("on the worker", default), ("on the GUI thread", 1 << 62)):
        token_axis.POOL_NOW_MAX = limit
        for _ in range(args.edits):
            gap, seconds = longest_gap(window, controller, panel, text(args.words, k))
            k += 1
            print(f"   pooled {label:<18} longest GUI gap {gap:4d} ms, words shown after {seconds:.2f} s")
    token_axis.POOL_NOW_MAX = default
    controller.shutdown()
    window.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
