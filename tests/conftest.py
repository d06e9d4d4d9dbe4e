import json
import os
from pathlib import Path

# Before anything imports Qt: render offscreen, so the suite runs on machines with no display.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# Never let a test reach a model hub, even where a network exists.
os.environ.setdefault("HF_HUB_OFFLINE", "1")

import pytest

# A toy WordPiece vocabulary: enough real words to write test sentences, plus word pieces.
TOY_WORDS = (  # noqa: SIM905 (a sentence is easier to edit than a list)
    "the a an is was of to and in on at it he she they we i you my his her their this that cat dog sat "
    "mat bank river money went store paris france capital city house car tree bird fly red blue green big "
    "small good bad happy sad run ran walk walked eat ate drink coffee tea water book books day days week "
    "year keys cabinet are table chair door open opened . , ? ! ' - un believ able ing ed s ly er"
).split()
TOY_PIECES = ["##ing", "##ed", "##s", "##ly", "##er", "##able", "##believ", "##a", "##e", "##t"]
SPECIALS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]


def toy_vocab() -> list[str]:
    return SPECIALS + list(dict.fromkeys(TOY_WORDS + TOY_PIECES))


def make_tiny_model(
    folder: Path,
    *,
    layers=2,
    hidden=32,
    heads=4,
    seed=0,
    mlm_head=True,
    pooler=True,
    hidden_act="gelu",
    type_vocab_size=2,
    max_position_embeddings=64,
    vocab=None,
) -> Path:
    """A small random BERT in Hugging Face layout (config.json, model.safetensors, vocab.txt); `vocab`: its
    WordPiece vocabulary (default: toy_vocab())."""
    import torch

    from bertviz_app.engine.checkpoint import save_bert
    from bertviz_app.engine.config import BertConfig
    from bertviz_app.engine.model import BertModel

    vocab = list(vocab or toy_vocab())
    cfg = BertConfig(
        vocab_size=len(vocab),
        hidden_size=hidden,
        num_hidden_layers=layers,
        num_attention_heads=heads,
        intermediate_size=hidden * 2,
        hidden_act=hidden_act,
        type_vocab_size=type_vocab_size,
        max_position_embeddings=max_position_embeddings,
    )
    torch.manual_seed(seed)
    model = BertModel(cfg, with_pooler=pooler, with_mlm_head=mlm_head)
    with torch.no_grad():
        for p in model.parameters():
            p.normal_(0.0, 0.2)
    save_bert(model, folder)
    if not mlm_head:  # save_bert writes what the model has; make the config say BertModel like the real ones
        cfg_json = json.loads((folder / "config.json").read_text())
        cfg_json["architectures"] = ["BertModel"]
        (folder / "config.json").write_text(json.dumps(cfg_json))
    (folder / "vocab.txt").write_text("\n".join(vocab) + "\n", encoding="utf-8")
    (folder / "tokenizer_config.json").write_text(json.dumps({"do_lower_case": True}), encoding="utf-8")
    return folder


def make_result(tokens, attention, hidden_states, masked=(), segments=None):
    """An InferenceResult built from plain arrays, for testing panels without a model."""
    from bertviz_app.analysis.inference import InferenceResult
    from bertviz_app.engine.tokenizer import Encoding

    t = len(tokens)
    special = tuple(tok in ("[CLS]", "[SEP]") for tok in tokens)
    words, w = [], 0
    for sp in special:
        words.append(None if sp else w)
        w += 0 if sp else 1
    encoding = Encoding(
        tokens=tuple(tokens),
        input_ids=tuple(range(100, 100 + t)),
        token_type_ids=tuple(segments) if segments is not None else (0,) * t,
        offsets=tuple((0, 0) if sp else (i, i + 1) for i, sp in enumerate(special)),
        word_ids=tuple(words),
        special=special,
        truncated=False,
        original_length=t,
    )
    return InferenceResult(
        model_name="canned",
        encoding=encoding,
        masked_positions=tuple(masked),
        predictions=(),
        has_mlm_head=True,
        attention=attention,
        hidden_states=hidden_states,
        seconds=0.0,
    )


def show_widget(qtbot, widget, width: int, height: int):
    """`widget` on screen (offscreen) at width × height, closed with the test; returns it."""
    qtbot.addWidget(widget)
    widget.resize(width, height)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def open_window(qtbot, folder: Path):
    """The main window with the model in `folder` open (settings kept in that folder, not the user's), once the
    model has loaded: returns (window, controller); the caller shuts the controller down."""
    from PySide6.QtCore import QSettings

    from bertviz_app.app import build_window
    from bertviz_app.ui.settings import Settings

    settings = Settings(QSettings(str(folder / "settings.ini"), QSettings.IniFormat))
    win, controller = build_window(str(folder), settings=settings)
    qtbot.addWidget(win)
    win.resize(1200, 800)
    win.show()
    assert controller.wait_until_idle() and controller.model_summary is not None
    return win, controller


@pytest.fixture
def model_dir(tiny_model_dir, tmp_path) -> Path:
    """A fresh, writable copy of the tiny model, to break."""
    import shutil

    folder = tmp_path / "model"
    shutil.copytree(tiny_model_dir, folder)
    return folder


def edit_weights(folder: Path, edit) -> None:
    """Load model.safetensors, let `edit(state)` change the dict, write it back."""
    from safetensors.torch import load_file, save_file

    state = load_file(str(folder / "model.safetensors"))
    edit(state)
    save_file(state, str(folder / "model.safetensors"), metadata={"format": "pt"})


def edit_config(folder: Path, **changes) -> None:
    cfg = json.loads((folder / "config.json").read_text())
    cfg.update(changes)
    (folder / "config.json").write_text(json.dumps(cfg))


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory) -> Path:
    """A tiny random BERT with an MLM head, built once per test session."""
    return make_tiny_model(tmp_path_factory.mktemp("tiny-bert"))


@pytest.fixture(scope="session")
def tiny_model(tiny_model_dir):
    from bertviz_app.engine import load_folder

    return load_folder(tiny_model_dir)


@pytest.fixture
def controller(qtbot, tiny_model_dir):
    """A controller (debounce 20 ms) with the tiny model loaded."""
    from bertviz_app.controller import Controller

    c = Controller(debounce_ms=20)
    with qtbot.waitSignal(c.model_loaded, timeout=30_000):
        c.load_model(str(tiny_model_dir))
    yield c
    c.shutdown()
