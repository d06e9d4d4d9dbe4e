"""The corpus map's t-SNE (analysis/numeric/corpus.py tsne_steps, analysis/corpus.py tsne_task): openTSNE on a
helper thread, progress, Cancel, and the file kept next to the index."""

from __future__ import annotations

import threading
import time

import numpy as np
import pytest
from test_corpus_index import write_lines

from bertviz_app.analysis import corpus
from bertviz_app.analysis.numeric.corpus import TSNE_NEIGHBOUR_STEPS, TsneParams, tsne_file, tsne_steps
from bertviz_app.analysis.tasks import run_to_end


def clusters(n_per: int = 60, d: int = 48, seed: int = 0):
    """Three well-separated Gaussian clouds in d dimensions, and their labels."""
    rng = np.random.default_rng(seed)
    centres = rng.normal(0, 6, (3, d))
    x = np.concatenate([c + rng.normal(0, 1, (n_per, d)) for c in centres]).astype(np.float32)
    return x, np.repeat(np.arange(3), n_per)


def tsne_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "t-SNE"]


def test_separable_clusters_stay_separated_with_progress():
    x, labels = clusters()
    start = x[:, :2] * 0.01  # a poor start (two raw dimensions): t-SNE must do the separating
    progress = []
    coords = run_to_end(tsne_steps(x, start, TsneParams(perplexity=20)), progress)
    assert coords.shape == (len(x), 2) and coords.dtype == np.float32 and np.isfinite(coords).all()
    # Every point's 5 nearest neighbours on the map are of its own cluster.
    d2 = ((coords[:, None] - coords[None]) ** 2).sum(-1)
    np.fill_diagonal(d2, np.inf)
    nearest = np.argsort(d2, axis=1)[:, :5]
    assert (labels[nearest] == labels[:, None]).all()
    done = [d for d, _ in progress]
    assert done == sorted(done) and progress[-1][1] == TsneParams().steps and done[-1] > 0


def test_cancel_stops_the_helper_and_keeps_nothing(tiny_model, tmp_path):
    index = corpus.index_corpus(tiny_model, [write_lines(tmp_path)], tmp_path / "index")
    corpus_map = run_to_end(corpus.map_task(None, None, index))
    x, _ = clusters(n_per=400)
    steps = corpus.tsne_task(None, None, corpus_map, 2)
    assert next(steps)[0] < TsneParams().steps  # it has started
    steps.close()  # what the controller's Cancel does to a run's generator (it drops it)
    assert not list(index.folder.glob("tsne-*")) and not list(index.folder.glob(".tsne-*"))
    deadline = time.monotonic() + 30
    while tsne_threads() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not tsne_threads()  # the helper stopped too (it does not run on for nothing)
    # A cancelled run of the numeric part alone stops as well, mid-optimisation.
    steps = tsne_steps(x, x[:, :2], TsneParams())
    while next(steps)[0] <= TSNE_NEIGHBOUR_STEPS:  # until it is optimising
        pass
    steps.close()
    deadline = time.monotonic() + 30
    while tsne_threads() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not tsne_threads()


def test_the_second_time_is_read_from_the_file_next_to_the_index(tiny_model, tmp_path):
    index = corpus.index_corpus(tiny_model, [write_lines(tmp_path)], tmp_path / "index")
    corpus_map = run_to_end(corpus.map_task(None, None, index))
    progress = []
    first = run_to_end(corpus.tsne_task(None, None, corpus_map, 2), progress)
    assert progress and not first.from_cache and first.kept
    assert first.coords.shape == (len(corpus_map.rows), 2)
    assert tsne_file(index, 2, corpus_map.rows, TsneParams()).is_file()
    again = []
    second = run_to_end(corpus.tsne_task(None, None, corpus_map, 2), again)
    assert again == [] and second.from_cache and np.array_equal(second.coords, first.coords)  # no step: instant
    # Another layer or other parameters are another file, computed anew.
    assert tsne_file(index, 1, corpus_map.rows, TsneParams()) != tsne_file(index, 2, corpus_map.rows, TsneParams())
    assert tsne_file(index, 2, corpus_map.rows, TsneParams(10)) != tsne_file(index, 2, corpus_map.rows, TsneParams())
    other = []
    run_to_end(corpus.tsne_task(None, None, corpus_map, 1), other)
    assert other


def test_too_few_points_is_a_message():
    with pytest.raises(corpus.CorpusError, match="at least 8 points"):
        run_to_end(tsne_steps(np.zeros((3, 4), dtype=np.float32), np.zeros((3, 2))))
