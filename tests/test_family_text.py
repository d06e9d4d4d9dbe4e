"""The text side of every family end to end: a tiny random model of each family saved by transformers with a
tokenizer of its kind, loaded by our loader, driven through the command line and the window. Predictions are
transformers' own for the same text, `predict --json` keeps the tokenizer's strings, and what a user reads and
puts into the text is readable."""

from __future__ import annotations

import json

import pytest
import torch
from conftest import open_window
from test_family_folders import FOLDERS, make_folder

from bertviz_app.analysis.inference import InferenceInput, run_inference
from bertviz_app.cli import main
from bertviz_app.engine import load_folder
from bertviz_app.engine.tokenizer import JOIN_MARK, SPACE_MARK

transformers = pytest.importorskip("transformers")
transformers.utils.logging.set_verbosity_error()

MARKER = {"wordpiece": "", "roberta": "Ġ", "modernbert": "Ġ", "xlmr": "▁", "albert": "▁"}


@pytest.fixture(scope="module")
def folders(tmp_path_factory):
    """family -> (folder with config.json, model.safetensors, tokenizer.json, tokenizer_config.json; the
    transformers model): the Hub-style folders of test_family_folders."""
    built = {}
    for family in FOLDERS:
        folder = tmp_path_factory.mktemp(family)
        built[family] = (folder, make_folder(folder, family))
    return built


@pytest.fixture(scope="module", params=list(FOLDERS))
def family(request):
    return request.param


def _hf_tokenizer(folder, lm):
    tok = lm.tokenizer
    return transformers.PreTrainedTokenizerFast(
        tokenizer_file=str(folder / "tokenizer.json"),
        cls_token=tok.cls_token,
        sep_token=tok.sep_token,
        pad_token=tok.pad_token,
        unk_token=tok.unk_token,
        mask_token=tok.mask_token,
    )


def test_predict_json_on_every_family(capsys, folders, family):
    folder, hf = folders[family]
    kind = FOLDERS[family][0]
    text = "The cat sat on the [MASK] and looked at the bird."
    code = main(["predict", "--json", "--top-k", "5", "--model", str(folder), text])
    out, err = capsys.readouterr()
    assert code == 0, err
    payload = json.loads(out)
    assert set(payload) == {"model", "tokens", "truncated", "masks"}
    lm = load_folder(folder)
    (mask,) = payload["masks"]
    # `position` indexes the tokenizer's own strings, which keep their markers.
    assert payload["tokens"][mask["position"]] == lm.tokenizer.mask_token
    assert payload["tokens"][0] == lm.tokenizer.cls_token and payload["tokens"][-1] == lm.tokenizer.sep_token
    if MARKER[kind]:
        assert MARKER[kind] + "cat" in payload["tokens"]
    # The same five guesses as transformers for the same text (typed with the model's own mask token).
    hf_tok = _hf_tokenizer(folder, lm)
    enc = hf_tok(text.replace("[MASK]", lm.tokenizer.mask_token), return_tensors="pt", return_token_type_ids=False)
    assert enc["input_ids"][0].tolist() == list(lm.tokenizer.encode(text).input_ids)
    with torch.no_grad():
        logits = hf(**enc).logits[0, mask["position"]]
    expected = logits.softmax(-1).topk(5)
    assert [p["id"] for p in mask["predictions"]] == expected.indices.tolist()
    assert [p["probability"] for p in mask["predictions"]] == pytest.approx(expected.values.tolist(), abs=1e-4)
    assert [p["token"] for p in mask["predictions"]] == hf_tok.convert_ids_to_tokens(expected.indices.tolist())


def test_the_table_shows_tokens_readably(capsys, folders, family):
    folder, _ = folders[family]
    code = main(["predict", "--model", str(folder), "The cat sat on the [MASK]."])
    out, err = capsys.readouterr()
    assert code == 0, err
    tokens_line = next(line for line in out.splitlines() if line.startswith("tokens: "))
    assert "Ġ" not in tokens_line and "▁" not in tokens_line
    assert " cat " in tokens_line


def test_a_pair_follows_the_family_template(folders, family):
    folder, _ = folders[family]
    lm = load_folder(folder)
    result = run_inference(lm, InferenceInput("The cat sat on the [MASK].", "She went to the bank."))
    enc = result.encoding
    sep = lm.tokenizer.sep_token
    expected_seps = 3 if family in ("roberta", "xlm-roberta") else 2  # <s> A </s></s> B </s>
    assert enc.tokens.count(sep) == expected_seps
    assert enc.segments[-2] == 1 and enc.segments[1] == 0
    assert result.attention.shape[-1] == len(enc)
    assert len(result.predictions) == 1


@pytest.fixture
def window(qtbot, folders, family):
    """The main window with the family's tiny model open."""
    win, controller = open_window(qtbot, folders[family][0])
    yield win
    controller.shutdown()


def _type(qtbot, line_edit, controller, text):
    line_edit.clear()
    with qtbot.waitSignal(controller.result_ready, timeout=10_000):
        qtbot.keyClicks(line_edit, text)
    assert controller.wait_until_idle()


def test_chips_and_guesses_read_as_text(qtbot, window, family):
    """The chips show each token readably, sentence B is marked as B even where the model has one token type,
    and "Whole words only" keeps the words of every family (RoBERTa's "Ġparis" is a word)."""
    from PySide6.QtCore import Qt

    controller = window.controller
    _type(qtbot, window.sentence.text_a, controller, "The cat sat on the [MASK].")
    qtbot.mouseClick(window.sentence.pair_toggle, Qt.LeftButton)
    assert window.sentence.text_b.isVisible()
    _type(qtbot, window.sentence.text_b, controller, "She went to the bank.")
    result = controller.current_result
    chips = window.sentence.chips.chips()
    assert [c.text for c in chips] == list(result.display_tokens)
    assert not any(m in c.text for c in chips for m in ("Ġ", "▁"))
    assert any(c.text == "cat" for c in chips)
    b = [c for c, special in zip(chips, result.encoding.special) if c.segment == 1 and not special]
    assert "".join(c.text.removeprefix(JOIN_MARK) for c in b).lower().startswith("shewent")
    (mask_chip,) = [c for c in chips if c.kind == "mask"]
    assert "typed [MASK]" in mask_chip.tooltip
    window.predictions.k_spin.setValue(50)
    (bars,) = window.predictions.bars()
    everything = {p.token: p for p in bars.rows()}
    window.predictions.whole_words.setChecked(True)
    shown = bars.rows()
    assert shown and all(p.whole_word and p.display.removeprefix(SPACE_MARK).isalpha() for p in shown)
    assert all(everything[p.token].probability == p.probability for p in shown)
    assert len(shown) < len(everything)


def test_a_chosen_prediction_reads_well_in_the_text(qtbot, window):
    """In the window: double-clicking a guess puts the word it spells into the text, spaced as the model's token
    reads — never "Ġ", "▁" or "##" in the sentence."""
    from PySide6.QtCore import QPoint, Qt

    win, controller = window, window.controller
    text = "the cat sat on the [MASK] and looked at the bird."
    _type(qtbot, win.sentence.text_a, controller, text)
    result = controller.current_result
    (mask,) = result.predictions
    (bars,) = win.predictions.bars()
    chosen = bars.rows()[0]
    token = mask.predictions[0].token
    assert chosen.token == token
    piece = controller._model.tokenizer.piece(token)
    with qtbot.waitSignal(controller.result_ready, timeout=10_000):
        qtbot.mouseDClick(bars, Qt.LeftButton, pos=QPoint(40, 13))  # the first row (26 px each)
    assert controller.wait_until_idle()
    new = controller.current_input.text
    assert win.sentence.text_a.text() == new
    assert not any(m in new for m in ("Ġ", "▁", "##"))
    before, after = "the cat sat on the", " and looked at the bird."
    glued = before + piece.text + after
    assert new == (before + " " + piece.text + after if piece.space else glued)
    display = mask.predictions[0].display
    assert display.removeprefix(JOIN_MARK).removeprefix(SPACE_MARK) == controller._model.tokenizer.display(token)


@pytest.mark.parametrize("family", ["roberta", "xlm-roberta", "modernbert"])
def test_every_payload_with_words_has_them_readably(folders, family):
    """Scores, comparisons, head-importance targets and joint fills carry readable words beside the tokenizer's."""
    from bertviz_app.analysis.compare import compare_task
    from bertviz_app.analysis.heads import head_importance
    from bertviz_app.analysis.joint_fill import iterative_fill
    from bertviz_app.analysis.scoring import pseudo_log_likelihood

    lm = load_folder(folders[family][0])
    tok = lm.tokenizer
    marker = MARKER[FOLDERS[family][0]]

    def readable(words):
        return words and not any(marker in w for w in words)

    score = pseudo_log_likelihood(lm, "The cat sat on the mat.")
    assert readable(score.display_tokens) and any(marker in t for t in score.tokens)
    assert score.display_tokens == tuple(
        tok.encode("The cat sat on the mat.").display_tokens[p] for p in score.positions
    )
    assert tok.cls_token not in score.tokens  # the model's own specials are not scored

    c = compare_task(lm, InferenceInput("The cat sat on the bank."), "The dog sat on the bank.")
    assert readable(c.display_a) and readable(c.shared_display) and "bank" in c.shared_display
    assert len(c.display_a) == len(c.tokens_a) and len(c.shared_display) == len(c.alignment)

    masked = InferenceInput("The cat sat on the [MASK] and the [MASK].")
    imp = head_importance(lm, masked)
    assert len(imp.target_displays) == 2 and readable(imp.target_displays)
    assert [
        tok.display_prediction(t, tok.encode(masked.text), p) for t, p in zip(imp.target_tokens, imp.masked_positions)
    ] == list(imp.target_displays)

    fill = iterative_fill(lm, masked)
    assert readable(fill.iterative.displays) and readable(fill.independent.displays)
    assert len(fill.iterative.displays) == len(fill.iterative.tokens) == 2
