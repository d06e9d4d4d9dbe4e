"""The analyses the controller can run on its worker besides plain inference: one `Task` each, by name.

A task's function `(model: LoadedModel, inp: InferenceInput, **params)` returns its payload (one frozen
dataclass per task, checked when it arrives), or is a generator that yields `(done, total)` progress (or
`(done, total, partial)`: the run's `partial` signal carries what came so far, e.g. a training step's loss) and
returns it; the controller runs a generator in time slices, so it can be cancelled between steps and inference
keeps flowing. Views name the tasks they start (the names below); the controller looks them up in TASKS.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Task:
    """One analysis: its name, the function that computes it, and the type of what it returns."""

    name: str
    run: Callable
    payload: type = object


def run_to_end(steps, progress: list | None = None):
    """Drive a task's generator to its payload, with no cancelling: for scripts and tests. Each (done, total)
    it yields is appended to `progress` when one is given."""
    while True:
        try:
            step = next(steps)
        except StopIteration as stop:
            return stop.value
        if progress is not None:
            progress.append(step)


def _registry() -> dict[str, Task]:
    # Imported here, not at the top: heads and joint_fill import run_to_end from this module.
    from bertviz_app.analysis import classify, compare, corpus, heads, joint_fill, pretrain, scoring
    from bertviz_app.analysis.numeric.corpus import CorpusIndex, CorpusMap
    from bertviz_app.analysis.numeric.labels import Classification
    from bertviz_app.analysis.numeric.words import PooledWords, pool_words_task

    return {
        task.name: task
        for task in (
            Task("head_importance", heads.head_importance_task, heads.HeadImportance),
            Task("score", scoring.score_task, scoring.ScoreResult),
            Task("classify", classify.classify_task, Classification),
            Task("compare", compare.compare_task, compare.Comparison),
            Task("joint_fill", joint_fill.joint_fill_task, joint_fill.JointFillResult),
            Task("beam_search", joint_fill.beam_search_task, joint_fill.BeamSearchResult),
            Task("corpus_index", corpus.index_task, CorpusIndex),
            Task("corpus_map", corpus.map_task, CorpusMap),
            Task("corpus_search", corpus.search_task, corpus.CorpusNeighbours),
            Task("corpus_senses", corpus.senses_task, corpus.WordSenses),
            Task("pretrain", pretrain.pretrain_task, pretrain.Pretraining),
            Task("save_fine_tuned", pretrain.save_task, pretrain.SavedModel),
            Task("corpus_tsne", corpus.tsne_task, corpus.CorpusTsne),
            Task("pool_words", pool_words_task, PooledWords),
        )
    }


def __getattr__(name: str):
    if name == "TASKS":  # built on first use, when every analysis module can be imported whole
        globals()["TASKS"] = tasks = _registry()
        return tasks
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
