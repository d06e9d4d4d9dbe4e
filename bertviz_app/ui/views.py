"""The registry of views: what the main window's tabs, the View menu, `--view`/`--view-arg` and the screenshot
command all read. Qt-free on purpose (the command line's --help reads it): each view's module is imported only
when its factory builds it.

Adding a view: write its panel (a `ui.view.View`), its analysis if it needs the model (a Task in
analysis/tasks.py), and register a ViewSpec below (or call `register` from anywhere before the window is built).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class ViewSpec:
    """One view. `factory(controller, selection)` builds its panel; `arg_help` says what --view-arg means for
    it; `analyses` names the controller tasks it starts."""

    name: str
    title: str  # the tab's and the View menu's text, with & before its mnemonic
    factory: Callable
    arg_help: str = ""
    analyses: tuple[str, ...] = ()


def panel(module: str, cls: str) -> Callable:
    """A factory building `cls` of `module` (imported at that moment, so this registry stays Qt-free)."""

    def build(controller, selection):
        return getattr(importlib.import_module(module), cls)(controller, selection)

    build.__qualname__ = f"{module}.{cls}"
    return build


REGISTRY: dict[str, ViewSpec] = {}


def register(spec: ViewSpec) -> ViewSpec:
    """Add (or replace) a view; the window built after this has its tab and menu entry, the command line its
    --view choice and help."""
    REGISTRY[spec.name] = spec
    return spec


def unregister(name: str) -> None:
    REGISTRY.pop(name, None)


def view_names() -> tuple[str, ...]:
    return tuple(REGISTRY)


def view_arg_help() -> str:
    """The command line's --view-arg help, from every view that takes one."""
    parts = [f"{spec.name}: {spec.arg_help}" for spec in REGISTRY.values() if spec.arg_help]
    return "what the view starts with: " + "; ".join(parts)


for _spec in (
    ViewSpec(
        "attention",
        "&Attention",
        panel("bertviz_app.ui.attention_panel", "AttentionPanel"),
        "attention|value|rollout[:LAYER[:HEAD]]",
    ),
    ViewSpec("embeddings", "&Embeddings", panel("bertviz_app.ui.embedding_panel", "EmbeddingPanel")),
    ViewSpec("layers", "&Layers", panel("bertviz_app.ui.layers_panel", "LayersPanel"), "a word to follow"),
    ViewSpec(
        "heads",
        "&Heads",
        panel("bertviz_app.ui.heads_panel", "HeadsPanel"),
        "'importance' and/or LAYER.HEAD,... to knock out",
        ("head_importance",),
    ),
    ViewSpec("neurons", "&Neurons", panel("bertviz_app.ui.neuron_panel", "NeuronPanel"), "LAYER.HEAD.TOKEN"),
    ViewSpec(
        "scoring", "&Scoring", panel("bertviz_app.ui.scoring_panel", "ScoringPanel"), "the second sentence", ("score",)
    ),
    ViewSpec(
        "compare",
        "&Compare",
        panel("bertviz_app.ui.compare_panel", "ComparePanel"),
        "the second sentence",
        ("compare",),
    ),
    ViewSpec(
        "corpus",
        "&Corpus",
        panel("bertviz_app.ui.corpus_view", "CorpusView"),
        "'demo' or FILE,... to index, then :N a token of the sentence to find in it",
        ("corpus_index", "corpus_map", "corpus_search", "corpus_senses"),
    ),
):
    register(_spec)

VIEWS = view_names()  # the built-in views, in tab order
