"""The registry of views: what the main window's tabs, the View menu, `--view`/`--view-arg` and the screenshot
command all read. Qt-free on purpose (the command line's --help reads it): each view's module is imported only
when its factory builds it.

Adding a view: write its panel (a `ui.view.View`), its analysis if it needs the model (a Task in
analysis/tasks.py), and register a ViewSpec below (or call `register` from anywhere before the window is built).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class ViewSpec:
    """One view. `factory(controller, selection)` builds its panel; `arg_help` says what --view-arg means for
    it; `analyses` names the controller tasks it starts."""

    name: str
    title: str  # the tab's and the View menu's text, with & before its mnemonic; QT_TRANSLATE_NOOP("views", ...)
    factory: Callable
    arg_help: str = ""
    analyses: tuple[str, ...] = ()


REGISTRY: dict[str, ViewSpec] = {}


def QT_TRANSLATE_NOOP(context: str, text: str) -> str:  # the name lupdate looks for
    """Marks `text` for translation (lupdate reads it) and returns it as it is: this module stays Qt-free, and the
    window translates a title where it shows it (QCoreApplication.translate("views", title))."""
    return text


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


# Each factory imports its panel when it is called (keeping this module Qt-free); the imports are written out, not
# built from strings, so that readers, linters and the installer's module finder all see them.
def _attention(controller, selection):
    from bertviz_app.ui.attention_panel import AttentionPanel

    return AttentionPanel(controller, selection)


def _embeddings(controller, selection):
    from bertviz_app.ui.embedding_panel import EmbeddingPanel

    return EmbeddingPanel(controller, selection)


def _layers(controller, selection):
    from bertviz_app.ui.layers_panel import LayersPanel

    return LayersPanel(controller, selection)


def _heads(controller, selection):
    from bertviz_app.ui.heads_panel import HeadsPanel

    return HeadsPanel(controller, selection)


def _neurons(controller, selection):
    from bertviz_app.ui.neuron_panel import NeuronPanel

    return NeuronPanel(controller, selection)


def _scoring(controller, selection):
    from bertviz_app.ui.scoring_panel import ScoringPanel

    return ScoringPanel(controller, selection)


def _compare(controller, selection):
    from bertviz_app.ui.compare_panel import ComparePanel

    return ComparePanel(controller, selection)


def _replaced(controller, selection):
    from bertviz_app.ui.replaced_view import ReplacedView

    return ReplacedView(controller, selection)


def _pretrain(controller, selection):
    from bertviz_app.ui.pretrain_panel import PretrainPanel

    return PretrainPanel(controller, selection)


def _applications(controller, selection):
    from bertviz_app.ui.applications_view import ApplicationsView

    return ApplicationsView(controller, selection)


def _corpus(controller, selection):
    from bertviz_app.ui.corpus_view import CorpusView

    return CorpusView(controller, selection)


for _spec in (
    ViewSpec(
        "attention", QT_TRANSLATE_NOOP("views", "&Attention"), _attention, "attention|value|rollout[:LAYER[:HEAD]]"
    ),
    ViewSpec("embeddings", QT_TRANSLATE_NOOP("views", "Em&beddings"), _embeddings),
    ViewSpec("layers", QT_TRANSLATE_NOOP("views", "La&yers"), _layers, "a word to follow"),
    ViewSpec(
        "heads",
        QT_TRANSLATE_NOOP("views", "Hea&ds"),
        _heads,
        "'importance' and/or LAYER.HEAD,... to knock out",
        ("head_importance",),
    ),
    ViewSpec("neurons", QT_TRANSLATE_NOOP("views", "&Neurons"), _neurons, "LAYER.HEAD.TOKEN"),
    ViewSpec("scoring", QT_TRANSLATE_NOOP("views", "&Scoring"), _scoring, "the second sentence", ("score",)),
    ViewSpec("compare", QT_TRANSLATE_NOOP("views", "&Compare"), _compare, "the second sentence", ("compare",)),
    ViewSpec("replaced", QT_TRANSLATE_NOOP("views", "&Replaced tokens"), _replaced),
    ViewSpec("applications", QT_TRANSLATE_NOOP("views", "Appl&ications"), _applications, analyses=("classify",)),
    ViewSpec(
        "corpus",
        QT_TRANSLATE_NOOP("views", "C&orpus"),
        _corpus,
        "'demo' or FILE,... to index, then :N a token of the sentence to find in it",
        ("corpus_index", "corpus_map", "corpus_search", "corpus_senses"),
    ),
    ViewSpec(
        "pretrain",
        QT_TRANSLATE_NOOP("views", "Pre&training"),
        _pretrain,
        "STEPS: train that many steps on the example text at the start",
        ("pretrain",),
    ),
):
    register(_spec)

VIEWS = view_names()  # the built-in views, in tab order
