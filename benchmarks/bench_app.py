"""The app's responsiveness, measured in one process with the bundled model (offscreen).

1. Latency: from the debounced request (the moment the worker is asked) to the view in front and the
   predictions painted, with whatever analyses they start finished (comparison, scoring, fill together), for
   32-token sentences, over many different sentences, with each view in front: p50 / p95. Target p95 < 100 ms
   on a 2-core machine. (Head importance and beam search are started by a button, show progress and can be
   cancelled: not in this budget.) Then the p50 in parts: the worker's (request to result: the model), the GUI
   thread's (result to idle: rendering, and the analyses the view starts) and the final paint.
2. Stalls: the longest gap between ticks of a 5 ms GUI timer during 200 rapid edits (one keystroke every
   30 ms, results arriving all the while). Target: never more than 50 ms.
3. Memory: resident set size after 1,000 edits vs after the first 10. Target: within 10%.

Run: .venv/bin/python benchmarks/bench_app.py [--quick]; --memory-steps: only RSS after each step of start-up and
after each view is shown. benchmarks/bench_app_pair.py runs this against an older commit, interleaved.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QElapsedTimer, QSettings, QTimer
from PySide6.QtWidgets import QApplication

from bertviz_app.app import build_window, create_app
from bertviz_app.ui.settings import Settings
from bertviz_app.ui.views import VIEWS

WORDS = (  # noqa: SIM905 (a sentence is easier to edit than a list)
    "the teacher asked her students to read the long story about a small village near the river where "
    "people grew apples and sold them at the market every saturday morning before the rain came down"
).split()


def sentence(i: int, n_words: int = 28) -> str:
    """A different 32-token sentence each time (28 words + a mask + [CLS]/[SEP] and a full stop)."""
    words = [WORDS[(i * 7 + j) % len(WORDS)] for j in range(n_words)]
    words[(i % (n_words - 2)) + 1] = "[MASK]"
    return " ".join(words) + "."


def rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def rss_parts() -> str:
    """'RSS 586 MB (anonymous 351, files 233)': file-backed pages are mapped files (libraries, weights)."""
    parts = {}
    with open("/proc/self/status") as f:
        for line in f:
            key, _, value = line.partition(":")
            if key in ("VmRSS", "RssAnon", "RssFile"):
                parts[key] = int(value.split()[0]) / 1024
    return f"RSS {parts['VmRSS']:.0f} MB (anonymous {parts['RssAnon']:.0f}, files {parts['RssFile']:.0f})"


def memory_steps(app, window, controller) -> None:
    """Where the resident memory goes: RSS after each step of start-up and after each view is first shown."""
    print(f"   {'window built':<28}{rss_parts()}")
    controller.wait_until_idle(120_000)
    print(f"   {'model loaded, first result':<28}{rss_parts()}")
    for i in range(10):
        controller.set_text(sentence(i), immediate=True)
        controller.wait_until_idle()
    print(f"   {'10 edits':<28}{rss_parts()}")
    for i, view in enumerate(VIEWS):
        window.show_view(view)
        controller.set_text(sentence(100 + i), immediate=True)
        controller.wait_until_idle()
        app.processEvents()
        window.repaint()
        print(f"   {'+ ' + view + ' shown':<28}{rss_parts()}")


def pct(values, q):
    values = sorted(values)
    return values[min(len(values) - 1, round(q / 100 * (len(values) - 1)))]


class GapTimer:
    """A 5 ms GUI timer that records the gaps between its ticks, in ms (`gaps`): how long the GUI thread was
    busy at a stretch while it ran. start(), then stop()."""

    def __init__(self, interval_ms: int = 5):
        self.gaps: list[int] = []
        self._clock = QElapsedTimer()
        self._timer = QTimer()
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self._tick)

    def _tick(self) -> None:
        now = self._clock.elapsed()
        self.gaps.append(now - self._last)
        self._last = now

    def start(self) -> None:
        self._clock.start()
        self._last = self._clock.elapsed()
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()


def stalls_while_typing(window, controller, text: str, interval_ms: int, edits: int = 200) -> tuple[int, int]:
    """Type `edits` keystrokes, one per `interval_ms`, while a 5 ms timer records the gaps between its ticks.
    Returns the longest gap and the 99th percentile, in ms: how long the GUI thread was ever busy."""
    ticker = GapTimer()
    typed = [0]

    def type_one():
        if typed[0] >= edits:
            typist.stop()
            return
        k = typed[0] % len(text) + 1  # the sentence character by character, starting over when done
        window.sentence.text_a.setText(text[:k])
        window.sentence.text_a.textEdited.emit(text[:k])
        typed[0] += 1

    typist = QTimer()
    typist.setInterval(interval_ms)
    typist.timeout.connect(type_one)
    ticker.start()
    typist.start()
    while typist.isActive():
        QApplication.processEvents()
        time.sleep(0.001)
    controller.wait_until_idle()
    ticker.stop()
    return max(ticker.gaps), pct(ticker.gaps, 99)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="fewer repetitions")
    parser.add_argument("--model", default="default")
    parser.add_argument("--memory-steps", action="store_true", help="only where the resident memory goes")
    args = parser.parse_args()
    n_latency, n_memory = (30, 200) if args.quick else (100, 1000)

    imported = rss_parts()
    app = create_app()
    scratch = tempfile.TemporaryDirectory()
    settings = Settings(QSettings(os.path.join(scratch.name, "s.ini"), QSettings.IniFormat))
    window, controller = build_window(args.model, settings=settings)
    window.resize(1360, 860)
    window.show()
    if args.memory_steps:
        print(f"   {'app imported, no model yet':<28}{imported}")
        memory_steps(app, window, controller)
        controller.shutdown()
        window.close()
        return 0
    controller.wait_until_idle(120_000)
    summary = controller.model_summary
    print(f"model: {summary.name} ({summary.layers} layers, {summary.heads} heads), Qt platform {app.platformName()}")

    # ---- 1. latency --------------------------------------------------------------------------------
    sent_at = {}
    original_request = controller.request_inference

    def timed_request():
        request_id = original_request()
        sent_at[request_id] = time.perf_counter()
        return request_id

    controller._debounce.timeout.disconnect()
    controller._debounce.timeout.connect(timed_request)

    arrived = {}
    controller.result_ready.connect(lambda _r: arrived.setdefault("at", time.perf_counter()))

    def latency_run(view: str, make_text, view_arg: str | None = None, n: int = n_latency) -> tuple[list, list, list]:
        """Type n sentences with `view` in front; each one's time from request to the view painted, with the
        analyses the view starts (comparison, scoring, fill together) done. Returns (latencies, tokens, parts):
        parts, per sentence, the time the worker took to deliver the result (the model), the GUI thread from
        then until idle (rendering, and the analyses the view starts, which run on the worker) and the final
        synchronous paint, in ms."""
        window.show_view(view, view_arg)
        latencies, tokens, parts = [], [], []
        for i in range(-3, n):  # 3 warm-ups
            arrived.clear()
            controller.set_text(make_text(i))
            while not sent_at:  # debouncing
                QApplication.processEvents()
                time.sleep(0.001)
            controller.wait_until_idle()
            idle = time.perf_counter()
            window.repaint()  # paint every visible panel now, synchronously
            done = time.perf_counter()
            started = sent_at.pop(controller._latest_id)
            sent_at.clear()
            if i >= 0:
                latencies.append((done - started) * 1000)
                tokens.append(len(controller.current_result.tokens))
                got = arrived.get("at", idle)
                parts.append(((got - started) * 1000, (idle - got) * 1000, (done - idle) * 1000))
        return latencies, tokens, parts

    def plain(i: int) -> str:  # no mask: what the scoring view scores
        return sentence(i).replace("[MASK]", WORDS[i % len(WORDS)])

    def two_masks(i: int) -> str:
        words = sentence(i).split()
        words[(i % 20) + 4] = "[MASK]"
        return " ".join(words)

    runs = [(view, "", sentence, None) for view in VIEWS if view not in ("scoring", "compare")]
    runs += [
        ("compare", "vs another sentence", sentence, plain(999)),
        ("scoring", "no mask, 12 words", lambda i: " ".join(plain(i).split()[:12]) + ".", None),
        ("scoring", "no mask", plain, None),
        ("attention", "2 masks: + fill together", two_masks, None),
    ]
    print(
        "\n1. request-to-painted latency (the view in front and the predictions, with the analyses they start), "
        f"{n_latency} different sentences each"
    )
    print(f"   {'view':<12}{'input':<28}{'tokens':>7}{'p50 ms':>9}{'p95 ms':>9}  target p95 < 100 ms")
    split = []
    for view, label, make_text, view_arg in runs:
        latencies, tokens, parts = latency_run(view, make_text, view_arg)
        p50, p95 = statistics.median(latencies), pct(latencies, 95)
        verdict = "PASS" if p95 < 100 else "FAIL"
        print(f"   {view:<12}{label:<28}{statistics.median(tokens):>7.0f}{p50:>9.1f}{p95:>9.1f}  {verdict}")
        split.append((view, label, *(statistics.median(column) for column in zip(*parts, strict=True))))
    print("\n   the p50 in parts: worker (request to result), GUI thread (result to idle), final paint; medians, ms")
    for view, label, worker, gui, paint in split:
        print(f"   split {view:<12}{label:<28}{worker:>8.1f}{gui:>8.1f}{paint:>8.1f}")
    window.show_view("attention")

    # ---- 2. event-loop stalls during rapid edits ----------------------------------------------------
    results = [0]
    controller.result_ready.connect(lambda _r: results.__setitem__(0, results[0] + 1))
    for interval in (30, 150):  # typing fast (debounced), and slowly enough for every edit to be rendered
        results[0] = 0
        worst, p99 = stalls_while_typing(window, controller, sentence(7), interval)
        print(f"\n2. GUI event loop during 200 edits (one per {interval} ms), {results[0]} results rendered meanwhile")
        print(
            f"   longest gap between 5 ms timer ticks {worst} ms, p99 {p99} ms "
            f"(target <= 50 ms: {'PASS' if worst <= 50 else 'FAIL'})"
        )

    # ---- 3. memory ---------------------------------------------------------------------------------
    for i in range(10):
        controller.set_text(sentence(i), immediate=True)
        controller.wait_until_idle()
    base = rss_mb()
    for i in range(10, n_memory):
        controller.set_text(sentence(i), immediate=True)
        controller.wait_until_idle()
    after = rss_mb()
    growth = (after - base) / base * 100
    print(
        f"\n3. resident memory: {base:.0f} MB after 10 edits, {after:.0f} MB after {n_memory} "
        f"({growth:+.1f}%; target within 10%: {'PASS' if abs(growth) <= 10 else 'FAIL'})"
    )
    controller.shutdown()
    window.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
