"""The corpus explorer's speed and memory (issue #16), with the bundled model on this machine's CPU.

    python benchmarks/bench_corpus.py                 # full run: 1x, 4x, 16x corpora (~15 minutes on 2 quiet cores)
    python benchmarks/bench_corpus.py --quick         # 1x and 2x a quarter of the demo corpus, for a smoke test
    python benchmarks/bench_corpus.py --tsne 100000   # also time t-SNE of that many points (minutes)

What it measures (every timing beside its "before" in the same run where there is one: the machine is shared):
* indexing throughput (tokens/s, batch size chosen by the indexer), all 7 hidden states, and the peak memory of each
  build in a child process (VmHWM: the most resident memory it ever had) for the demo corpus repeated 1, 4 and 16
  times (each copy's lines numbered, so no two lines are the same), against the size of its cache on disk and of
  its states in float32 (what a tool holding them in memory would need): bounded means the peak stays flat;
* search over the largest index's last layer (200,000+ token vectors): the search alone (p50/p95 of 200 different
  queries), and from a click on a token of the sentence in the Corpus tab to its list of neighbours painted;
* PCA of 100,000 x 384 (the shared basis: randomized subspace iteration) beside the exact scatter-matrix PCA;
* the Corpus view's map of 100,000 points: each pan (a mouse drag) or zoom (a wheel turn) sent to the plot as real
  events and repainted, timed, beside the same points as pyqtgraph ScatterPlotItems (one per colour, one brush each);
* with --tsne N: t-SNE (openTSNE, 2 threads) of N of the largest index's word tokens at its last layer.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

THREADS = 2


def peak_rss_mb() -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def child_index(files: list[str], out: str) -> None:
    """Build one index in this (child) process and print what it measured as JSON."""
    import torch

    from bertviz_app.analysis import corpus
    from bertviz_app.analysis.tasks import run_to_end
    from bertviz_app.engine import load_model

    torch.set_num_threads(THREADS)
    lm = load_model("default")
    loaded = peak_rss_mb()
    request = corpus.plan(lm, files)
    start = time.perf_counter()
    index = run_to_end(corpus.build_index(lm, request, out))
    seconds = time.perf_counter() - start
    info = index.info
    fp32_states = info.tokens * len(info.layers) * info.hidden_size * 4
    print(
        json.dumps(
            {
                "tokens": info.tokens,
                "lines": info.lines,
                "seconds": seconds,
                "tokens_per_s": info.tokens / seconds,
                "batch_tokens": corpus.batch_tokens(lm, False),
                "peak_rss_mb": peak_rss_mb(),
                "rss_after_load_mb": loaded,
                "index_mb": sum(p.stat().st_size for p in Path(out).iterdir()) / 2**20,
                "fp32_states_mb": fp32_states / 2**20,
            }
        )
    )


def run_child(files: list[str], out: str) -> dict:
    cmd = [sys.executable, __file__, "--child-index", out, *files]
    done = subprocess.run(cmd, capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def percentile(times: list[float], q: float) -> float:
    ordered = sorted(times)
    return ordered[max(0, int(q * len(ordered)) - 1)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--repeats", default=None, help="corpus sizes in demo corpora, e.g. 1,4,16")
    parser.add_argument("--tsne", type=int, default=0, help="also time t-SNE of this many points")
    parser.add_argument("--child-index", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child_index:
        child_index(args.child_index[1:], args.child_index[0])
        return 0

    import torch

    from bertviz_app.analysis import corpus
    from bertviz_app.analysis.numeric.corpus import CorpusIndex

    torch.set_num_threads(THREADS)
    repeats = [int(x) for x in (args.repeats or ("1,2" if args.quick else "1,4,16")).split(",")]
    print(f"load average at the start: {os.getloadavg()[0]:.1f} ({os.cpu_count()} cores)")
    demo = corpus.demo_corpus()
    lines = [x for x in demo.read_text(encoding="utf-8").splitlines() if x.strip()]
    if args.quick:
        lines = lines[: len(lines) // 4]
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        built = []
        for r in repeats:
            text = tmp / f"corpus-{r}x.txt"
            text.write_text("\n".join(f"{c + 1}. {line}" for c in range(r) for line in lines) + "\n", encoding="utf-8")
            shutil.rmtree(tmp / "index", ignore_errors=True)  # only the largest is kept (disk)
            got = run_child([str(text)], str(tmp / "index"))
            built.append((r, got))
            print(
                f"indexing {r:>2}x: {got['tokens']:>9,} tokens in {got['seconds']:6.1f} s = "
                f"{got['tokens_per_s']:6,.0f} tokens/s (batches of {got['batch_tokens']:,}); "
                f"peak memory {got['peak_rss_mb']:5,.0f} MB "
                f"({got['rss_after_load_mb']:,.0f} with the model loaded); cache {got['index_mb']:7,.0f} MB on disk, "
                f"its states in float32 {got['fp32_states_mb']:7,.0f} MB",
                flush=True,
            )
        first, last = built[0][1], built[-1][1]
        print(
            f"  {built[-1][0]}x / {built[0][0]}x: {last['tokens'] / first['tokens']:.1f}x the tokens, peak memory "
            f"{last['peak_rss_mb'] / first['peak_rss_mb']:.2f}x "
            f"({last['peak_rss_mb'] - first['peak_rss_mb']:+,.0f} MB); "
            f"the largest cache is {last['index_mb'] / last['peak_rss_mb']:.1f}x its build's peak memory "
            f"({last['fp32_states_mb'] / last['peak_rss_mb']:.1f}x in float32)"
        )
        index = CorpusIndex(tmp / "index")
        search_latency(index)
        pca_speed(index)
        map_stalls(index)
        click_to_list(index)
        if args.tsne:
            tsne_time(index, args.tsne)
    print(f"load average at the end: {os.getloadavg()[0]:.1f}")
    return 0


def search_latency(index) -> None:
    import numpy as np

    from bertviz_app.analysis import corpus

    layer = index.info.layers[-1]
    vectors = index.hidden[index.layer_row(layer)]
    words = np.flatnonzero(~np.asarray(index.special))
    queries = np.random.default_rng(0).choice(words, size=200, replace=False)
    for row in queries[:5]:  # warm-up: the layer's pages in the page cache, as after the first query
        corpus.search(index, np.asarray(vectors[row], dtype=np.float32), layer, top=20)
    times = []
    for row in queries:
        start = time.perf_counter()
        corpus.search(index, np.asarray(vectors[row], dtype=np.float32), layer, top=20)
        times.append((time.perf_counter() - start) * 1000)
    print(
        f"search over {index.info.tokens:,} x {index.info.hidden_size} vectors (layer {layer}, top 20, 200 queries): "
        f"p50 {statistics.median(times):.1f} ms, p95 {percentile(times, 0.95):.1f} ms",
        flush=True,
    )


def exact_basis(block):
    """The PCA basis as it was fitted before: the 384 x 384 scatter matrix (fp16 -> fp32 and X^T X in torch), eigh."""
    import numpy as np
    import torch

    x = torch.from_numpy(np.ascontiguousarray(block)).float()
    mean = x.mean(dim=0)
    centred = x - mean
    scatter = (centred.T @ centred).double().numpy()
    _vals, vecs = np.linalg.eigh(scatter)
    return vecs[:, ::-1][:, :3].T


def pca_speed(index) -> None:
    import numpy as np

    from bertviz_app.analysis.numeric.corpus import fit_basis

    vectors = index.hidden[index.layer_row(index.info.layers[-1])]
    n = min(100_000, index.info.tokens)
    block = np.asarray(vectors[:n])
    fit_basis([block[:5000]], 3)  # warm-up
    fast, exact = [], []
    for _ in range(3):
        start = time.perf_counter()
        basis = fit_basis([block], 3)
        fast.append(time.perf_counter() - start)
        start = time.perf_counter()
        reference = exact_basis(block)
        exact.append(time.perf_counter() - start)
    agreement = np.abs(np.sum(basis.components * reference, axis=1)).min()
    start = time.perf_counter()
    basis.project(vectors)
    project = time.perf_counter() - start
    print(
        f"PCA of {n:,} x {block.shape[1]} (fp16): {min(fast) * 1000:.0f} ms (best of 3; "
        f"median {statistics.median(fast) * 1000:.0f}), the exact scatter-matrix PCA {min(exact) * 1000:.0f} ms "
        f"(median {statistics.median(exact) * 1000:.0f}): {min(exact) / min(fast):.1f}x; the axes agree to "
        f"|cos| >= {agreement:.6f}; projecting {index.info.tokens:,} tokens: {project * 1000:.0f} ms",
        flush=True,
    )


def _qt_app():
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6 import QtWidgets

    return QtWidgets.QApplication.instance() or QtWidgets.QApplication([])


def _drive(plot, app, steps: int = 60) -> list[float]:
    """Pan (drag 12 pixels) and zoom (one wheel notch) `plot` with real mouse events; each step repainted, timed."""
    from PySide6 import QtCore, QtGui

    viewport = plot.viewport()
    centre = QtCore.QPointF(viewport.width() / 2, viewport.height() / 2)
    none, left = QtCore.Qt.MouseButton.NoButton, QtCore.Qt.MouseButton.LeftButton
    modifiers = QtCore.Qt.KeyboardModifier.NoModifier

    def mouse(kind, pos, button, buttons):
        event = QtGui.QMouseEvent(kind, pos, viewport.mapToGlobal(pos), button, buttons, modifiers)
        app.sendEvent(viewport, event)

    viewport.repaint()
    times = []
    for step in range(steps):
        start = time.perf_counter()
        if step % 3 == 2:
            delta = 120 if step < steps // 2 else -120
            event = QtGui.QWheelEvent(
                centre, viewport.mapToGlobal(centre), QtCore.QPoint(), QtCore.QPoint(0, delta), none, modifiers,
                QtCore.Qt.ScrollPhase.NoScrollPhase, False,
            )  # fmt: skip
            app.sendEvent(viewport, event)
        else:
            mouse(QtCore.QEvent.Type.MouseButtonPress, centre, left, left)
            for k in range(1, 4):
                mouse(QtCore.QEvent.Type.MouseMove, centre + QtCore.QPointF(4 * k, 0), none, left)
            mouse(QtCore.QEvent.Type.MouseButtonRelease, centre + QtCore.QPointF(12, 0), left, none)
        app.processEvents()
        viewport.repaint()  # what the screen shows after this step: a full repaint, now
        times.append((time.perf_counter() - start) * 1000)
    return times


def map_stalls(index) -> None:
    """The Corpus view's map of 100,000 points, panned and zoomed; beside it the same points as ScatterPlotItems."""
    import numpy as np
    import pyqtgraph as pg
    from PySide6 import QtGui

    from bertviz_app.analysis import corpus
    from bertviz_app.analysis.tasks import run_to_end
    from bertviz_app.ui.corpus_view import CATEGORIES, POINT_SIZE, CorpusView

    app = _qt_app()
    corpus_map = run_to_end(corpus.map_task(None, None, index, max_points=100_000))
    view = CorpusView()
    view.resize(1200, 760)
    view.show()
    view.index = index
    view._show_content()
    view._map_ready(corpus_map)
    app.processEvents()
    cloud = _drive(view.plot, app)
    points = len(view.cloud.xy)
    view.three_d.setChecked(True)
    start = time.perf_counter()
    view.turn.setValue(40)
    view.plot.viewport().repaint()
    turn = (time.perf_counter() - start) * 1000

    before = pg.PlotWidget(background="w")  # the map as it was drawn before ui/point_cloud.py
    before.resize(view.plot.size())
    before.show()
    xy = corpus_map.coords[-1][:, :2]
    bins = index.token_ids[corpus_map.rows] % len(CATEGORIES)
    for k, colour in enumerate(CATEGORIES):
        chosen = bins == k
        brush = QtGui.QColor(colour)
        brush.setAlpha(170)
        item = pg.ScatterPlotItem(pxMode=True, pen=None, size=POINT_SIZE, brush=pg.mkBrush(brush))
        item.setData(x=xy[chosen, 0], y=xy[chosen, 1])
        before.addItem(item)
    before.getPlotItem().getViewBox().autoRange(padding=0.02)
    app.processEvents()
    scatter = _drive(before, app)
    print(
        f"map of {points:,} points, 60 pan/zoom steps as mouse events, each repainted: p50 {np.median(cloud):.1f} ms, "
        f"p95 {percentile(cloud, 0.95):.1f} ms, max {max(cloud):.1f} ms; as 10 ScatterPlotItems (before): p50 "
        f"{np.median(scatter):.1f} ms, p95 {percentile(scatter, 0.95):.1f} ms, max {max(scatter):.1f} ms "
        f"(p95 {percentile(scatter, 0.95) / percentile(cloud, 0.95):.1f}x); one step of the 3-D slider: {turn:.0f} ms",
        flush=True,
    )
    before.close()
    view.close()


def click_to_list(index) -> None:
    """Clicks on the tokens of the sentence in the Corpus tab (the bundled model, the largest index): the time
    from the click to the list of neighbours painted (the map's marks with it)."""
    import numpy as np
    from PySide6 import QtCore
    from PySide6.QtCore import QSettings
    from PySide6.QtTest import QTest

    from bertviz_app.analysis import corpus
    from bertviz_app.analysis.tasks import run_to_end
    from bertviz_app.app import build_window
    from bertviz_app.ui.settings import Settings

    app = _qt_app()
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(QSettings(str(Path(tmp) / "s.ini"), QSettings.Format.IniFormat))
        text = "The bank of the river was muddy, so she went to the bank to get money before the storm came."
        window, controller = build_window("default", text, settings=settings)
        window.resize(1360, 860)
        window.show()
        controller.wait_until_idle(60_000)
        window.show_view("corpus")
        view = window.views["corpus"]
        view.index = index
        view._files = []
        view._map_ready(run_to_end(corpus.map_task(None, None, index, max_points=100_000)))
        app.processEvents()
        buttons = view.token_buttons[1:-1]
        times = []
        for i in range(60):
            button = buttons[i % len(buttons)]
            before = view.neighbours
            start = time.perf_counter()
            QTest.mouseClick(button, QtCore.Qt.MouseButton.LeftButton)
            run = view._runs.get("corpus_search")
            if view.neighbours is before and run is not None and run.running:
                loop = QtCore.QEventLoop()  # wait as the app does: idle until the worker's answer arrives
                run.ready.connect(loop.quit)
                run.failed.connect(loop.quit)
                loop.exec()
            view.repaint()  # the list and the map's marks on screen
            times.append((time.perf_counter() - start) * 1000)
        controller.shutdown()
        window.close()
    print(
        f"click a token -> its 20 neighbours painted ({index.info.tokens:,} vectors, the bundled model, 60 clicks): "
        f"p50 {np.median(times[5:]):.1f} ms, p95 {percentile(times[5:], 0.95):.1f} ms",
        flush=True,
    )


def tsne_time(index, n: int) -> None:
    import numpy as np

    from bertviz_app.analysis.numeric.corpus import sample_rows, shared_basis, tsne_steps
    from bertviz_app.analysis.tasks import run_to_end

    s = len(index.info.layers) - 1
    words = np.flatnonzero(~np.asarray(index.special))
    rows = words[sample_rows(len(words), n)]
    x = np.asarray(index.hidden[s][rows], dtype=np.float32)
    start_xy = shared_basis(index).project(x)[:, :2]
    progress = []
    start = time.perf_counter()
    run_to_end(tsne_steps(x, start_xy, threads=THREADS), progress)
    seconds = time.perf_counter() - start
    print(f"t-SNE of {len(rows):,} x {x.shape[1]} (openTSNE, {THREADS} threads, 750 iterations): {seconds:.0f} s")


if __name__ == "__main__":
    os.environ.setdefault("OMP_NUM_THREADS", str(THREADS))
    raise SystemExit(main())
