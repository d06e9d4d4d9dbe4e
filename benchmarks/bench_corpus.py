"""The corpus explorer's speed and memory (issue #16), with the bundled model on this machine's CPU.

    python benchmarks/bench_corpus.py            # full run: about 5 minutes on 2 cores
    python benchmarks/bench_corpus.py --quick    # a smaller corpus, for a smoke test

What it measures:
* indexing throughput (tokens/s, batch size chosen by the indexer) on the demo corpus, all 7 hidden states;
* peak memory of a build, in a child process (its VmHWM, the most resident memory it ever had), for the demo
  corpus and for a corpus REPEAT times larger (the demo corpus repeated, each copy's lines numbered so no two
  lines are the same). Scaled so it runs in minutes: the "RAM" is the small build's peak, and the large corpus's
  hidden states in float32 (what a tool holding them in memory would need) are over ten times that;
* query latency over 200,000+ token vectors at one layer (the large index), p50/p95 of 200 queries, each a
  different token: the search itself, as the app runs it on its worker (fp16 pass + float32 rescoring);
* PCA: the shared basis fitted on 100,000 x 384 vectors (as the map fits it), and one layer's projection;
* the Corpus view's map of 100,000 points: each pan or zoom step repainted, timed.
"""

from __future__ import annotations

import argparse
import json
import os
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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--repeat", type=int, default=None, help="copies of the demo corpus in the large one")
    parser.add_argument("--child-index", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child_index:
        child_index(args.child_index[1:], args.child_index[0])
        return 0

    import numpy as np
    import torch

    from bertviz_app.analysis import corpus
    from bertviz_app.analysis.numeric.corpus import CorpusIndex, fit_basis

    torch.set_num_threads(THREADS)
    repeat = args.repeat or (2 if args.quick else 4)
    demo = corpus.demo_corpus()
    lines = [x for x in demo.read_text(encoding="utf-8").splitlines() if x.strip()]
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        small_file = tmp / "small.txt"
        small_file.write_text("\n".join(lines[: len(lines) // (4 if args.quick else 1)]) + "\n", encoding="utf-8")
        big_file = tmp / "big.txt"
        big_file.write_text(
            "\n".join(f"{c + 1}. {line}" for c in range(repeat) for line in lines) + "\n", encoding="utf-8"
        )
        small = run_child([str(small_file)], str(tmp / "small-index"))
        print(
            f"indexing, demo corpus: {small['tokens']:,} tokens in {small['seconds']:.1f} s = "
            f"{small['tokens_per_s']:,.0f} tokens/s (batches of {small['batch_tokens']:,} tokens); "
            f"peak memory {small['peak_rss_mb']:,.0f} MB ({small['rss_after_load_mb']:,.0f} MB with the model loaded)"
        )
        big = run_child([str(big_file)], str(tmp / "big-index"))
        print(
            f"indexing, {repeat}x larger: {big['tokens']:,} tokens in {big['seconds']:.1f} s = "
            f"{big['tokens_per_s']:,.0f} tokens/s; peak memory {big['peak_rss_mb']:,.0f} MB; index on disk "
            f"{big['index_mb']:,.0f} MB; its states in float32 {big['fp32_states_mb']:,.0f} MB = "
            f"{big['fp32_states_mb'] / small['peak_rss_mb']:.1f}x the small build's peak memory"
        )

        from bertviz_app.engine import load_model

        lm = load_model("default")
        index = CorpusIndex(tmp / "big-index")
        layer = index.info.layers[-1]
        vectors = index.hidden[index.layer_row(layer)]
        rng = np.random.default_rng(0)
        words = np.flatnonzero(~np.asarray(index.special))
        queries = rng.choice(words, size=200, replace=False)
        for row in queries[:5]:  # warm-up: the layer's pages in the page cache, as after the first query
            corpus.search(index, np.asarray(vectors[row], dtype=np.float32), layer, top=20)
        times = []
        for row in queries:
            start = time.perf_counter()
            corpus.search(index, np.asarray(vectors[row], dtype=np.float32), layer, top=20)
            times.append((time.perf_counter() - start) * 1000)
        times.sort()
        p95 = times[int(0.95 * len(times)) - 1]
        print(
            f"query over {index.info.tokens:,} x {index.info.hidden_size} vectors (layer {layer}, top 20): "
            f"p50 {statistics.median(times):.1f} ms, p95 {p95:.1f} ms"
        )

        n = min(100_000, index.info.tokens)
        block = np.asarray(vectors[:n])
        fit_basis([block], 3, corpus.scatter_torch)  # warm-up
        start = time.perf_counter()
        basis = fit_basis([block], 3, corpus.scatter_torch)  # as the map does it
        fit = time.perf_counter() - start
        start = time.perf_counter()
        basis.project(vectors)
        project = time.perf_counter() - start
        print(
            f"PCA of {n:,} x {block.shape[1]}: {fit * 1000:.0f} ms; projecting {index.info.tokens:,} tokens: "
            f"{project * 1000:.0f} ms"
        )
        del lm
        map_stalls(index)
    return 0


def map_stalls(index) -> None:
    """The Corpus view's map with up to 100,000 points: each pan or zoom step repainted (offscreen), timed."""
    import numpy as np

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6 import QtWidgets

    from bertviz_app.analysis import corpus
    from bertviz_app.analysis.tasks import run_to_end
    from bertviz_app.ui.corpus_view import CorpusView

    app = QtWidgets.QApplication.instance() or QtWidgets.QApplication([])
    corpus_map = run_to_end(corpus.map_task(None, None, index, max_points=100_000))
    view = CorpusView()
    view.resize(1200, 760)
    view.show()
    view.index = index
    view._show_content()
    view._map_ready(corpus_map)
    app.processEvents()
    vb = view.plot.getPlotItem().getViewBox()
    view.plot.grab()  # first paint
    times = []
    for step in range(60):
        start = time.perf_counter()
        if step % 3 == 2:
            vb.scaleBy((0.9, 0.9) if step < 30 else (1.1, 1.1))
        else:
            vb.translateBy(x=vb.viewPixelSize()[0] * 12, y=0)
        view.plot.grab()  # what the screen shows after this step: a full repaint
        app.processEvents()
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    points = sum(len(item.data) for item in view.items)
    print(
        f"map of {points:,} points ({len(view.items)} scatter items, one brush each): pan/zoom repaint "
        f"p50 {np.median(times):.0f} ms, p95 {times[int(0.95 * len(times)) - 1]:.0f} ms, max {times[-1]:.0f} ms"
    )
    view.close()


if __name__ == "__main__":
    os.environ.setdefault("OMP_NUM_THREADS", str(THREADS))
    raise SystemExit(main())
