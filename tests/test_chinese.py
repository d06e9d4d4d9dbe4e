"""Chinese text done right, on a tiny Chinese BERT built here: a WordPiece vocabulary of Han characters (one token
per character, as bert-base-chinese has), a random BertForMaskedLM. It predicts as transformers does, masks words
as wholes (jieba's words), and its attention and embeddings pool to words as a hand computation says."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import SPECIALS, make_tiny_model

from bertviz_app.analysis.inference import InferenceInput, positions_to_mask, run_inference, toggled_spans
from bertviz_app.analysis.numeric.words import (
    has_words,
    pool_attention,
    pool_embeddings,
    word_groups,
    word_labels,
)
from bertviz_app.engine.words import chinese_words, has_chinese

SENTENCES = (
    "我爱北京天安门。",
    "北京大学的学生很多，今天天气很好。",
    "人工智能正在改变我们的生活和工作方式，研究人员希望模型能理解语言。",
)
# 65 characters: what bertviz's vertical lists cannot show (its issue #18), for the attention view's compact labels.
LONG_SENTENCE = (
    "自然语言处理是人工智能的一个重要方向，研究人员希望计算机能够理解人类的语言，"
    "并且用它来回答问题、翻译文章和写作。老师在课堂上讲解。"
)


def chinese_vocab() -> list[str]:
    chars = dict.fromkeys(c for text in (*SENTENCES, LONG_SENTENCE) for c in text)
    return SPECIALS + list(dict.fromkeys([*chars, "了", "吗", "a", "b", "##a"]))


@pytest.fixture(scope="module")
def chinese_dir(tmp_path_factory):
    folder = tmp_path_factory.mktemp("tiny-chinese")
    return make_tiny_model(folder, vocab=chinese_vocab(), seed=3, max_position_embeddings=96)


@pytest.fixture(scope="module")
def chinese_model(chinese_dir):
    from bertviz_app.engine import load_folder

    return load_folder(chinese_dir)


def test_chinese_text_is_one_token_per_character_and_jieba_words(chinese_model):
    enc = chinese_model.tokenizer.encode("我爱北京天安门。")
    assert enc.display_tokens == ("[CLS]", "我", "爱", "北", "京", "天", "安", "门", "。", "[SEP]")
    assert chinese_words("我爱北京天安门。") == [(2, 4), (4, 7)]
    # 我 / 爱 / 北京 / 天安门 / 。: the characters of one word share their word id
    assert enc.word_ids == (None, 0, 1, 2, 2, 3, 3, 3, 4, None)
    assert enc.whole_word(4) == [3, 4] and enc.whole_word(6) == [5, 6, 7]


def test_segmenter_leaves_other_text_alone(chinese_model, tiny_model):
    # English keeps the tokenizer's own words; Japanese (kana) is not segmented as Chinese
    assert not has_chinese("The cat sat.") and not has_chinese("日本語のテキスト") and has_chinese("北京")
    enc = tiny_model.tokenizer.encode("the cats ran")
    assert enc.word_ids == (None, 0, 1, 1, 2, None)
    # a pair: each sentence numbers its own words
    pair = chinese_model.tokenizer.encode("我爱北京", "天安门")
    assert pair.word_ids == (None, 0, 1, 2, 2, None, 0, 0, 0, None)
    assert pair.whole_word(6) == [6, 7, 8]


def test_tiny_chinese_bert_predicts_as_transformers(chinese_dir, chinese_model):
    transformers = pytest.importorskip("transformers")
    import torch

    text = "我爱[MASK]京天安门。"
    result = run_inference(chinese_model, InferenceInput(text, top_k=5, want_internals=False))
    assert result.masked_positions == (3,)
    reference = transformers.BertForMaskedLM.from_pretrained(str(chinese_dir), attn_implementation="eager").eval()
    hf_tok = transformers.BertTokenizerFast.from_pretrained(str(chinese_dir))
    batch = hf_tok(text, return_tensors="pt")
    assert batch["input_ids"][0].tolist() == list(result.encoding.input_ids)
    with torch.no_grad():
        probs = reference(**batch).logits[0, 3].softmax(-1)
    top = probs.topk(5)
    guesses = result.predictions[0].predictions
    assert [g.token_id for g in guesses] == top.indices.tolist()
    np.testing.assert_allclose([g.probability for g in guesses], top.values.numpy(), atol=1e-5)
    assert [g.token for g in guesses] == hf_tok.convert_ids_to_tokens(top.indices.tolist())


def test_whole_word_masking_masks_every_character_of_a_chinese_word(chinese_model):
    enc = chinese_model.tokenizer.encode("我爱北京天安门。")
    # a click on 安 (position 6) with whole-word masking masks 天安门, as hfl's Chinese-BERT-wwm was trained
    spans = toggled_spans(enc, (), 6, whole_word=True)
    assert spans == ((0, 4, 7),)
    result = run_inference(chinese_model, InferenceInput("我爱北京天安门。", masked_spans=spans, whole_word=True))
    assert result.masked_positions == (5, 6, 7)
    assert [m.position for m in result.predictions] == [5, 6, 7]
    # without it, the one character alone
    assert positions_to_mask(enc, toggled_spans(enc, (), 6, whole_word=False)) == [6]


def test_attention_pooled_to_words_matches_a_hand_computation():
    # [CLS] 北 京 [SEP]: 北京 is one word of two tokens; the keys are summed, the queries averaged
    attention = np.array(
        [
            [0.4, 0.1, 0.2, 0.3],
            [0.1, 0.5, 0.3, 0.1],
            [0.2, 0.2, 0.2, 0.4],
            [0.25, 0.25, 0.25, 0.25],
        ]
    )
    groups = word_groups([None, (0, 0), (0, 0), None])
    assert groups == [[0], [1, 2], [3]]
    expected = np.array(
        [
            [0.4, 0.1 + 0.2, 0.3],
            [(0.1 + 0.2) / 2, ((0.5 + 0.3) + (0.2 + 0.2)) / 2, (0.1 + 0.4) / 2],
            [0.25, 0.5, 0.25],
        ]
    )
    pooled = pool_attention(attention, groups)
    np.testing.assert_allclose(pooled, expected, atol=1e-6)
    np.testing.assert_allclose(pooled.sum(-1), 1.0, atol=1e-6)  # rows still sum to 1
    hidden = np.arange(8.0).reshape(4, 2)
    np.testing.assert_allclose(pool_embeddings(hidden, groups), [[0, 1], [3, 4], [6, 7]])
    assert word_labels(["[CLS]", "北", "京", "[SEP]"], groups) == ["[CLS]", "北京", "[SEP]"]
    assert word_labels(["un", "##believ", "##able"], [[0, 1, 2]]) == ["unbelievable"]


def test_tiny_chinese_bert_pools_its_attention_to_jieba_words(chinese_model):
    result = run_inference(chinese_model, InferenceInput("北京大学很好"))
    enc = result.encoding
    groups = word_groups([enc.word_key(i) for i in range(len(enc))])
    assert has_words(groups)
    assert word_labels(enc.display_tokens, groups) == ["[CLS]", "北京大学", "很", "好", "[SEP]"]
    pooled = pool_attention(result.attention, groups)  # (L, H, W, W)
    assert pooled.shape == (*result.attention.shape[:2], 5, 5)
    np.testing.assert_allclose(pooled.sum(-1), 1.0, atol=1e-5)
    a = result.attention[1, 2].astype(np.float64)  # a naive second computation for one head
    word = [1, 2, 3, 4]
    np.testing.assert_allclose(pooled[1, 2, 1, 2], np.mean([a[i, 5] for i in word]), atol=1e-6)
    np.testing.assert_allclose(pooled[1, 2, 2, 1], sum(a[5, j] for j in word), atol=1e-6)
    np.testing.assert_allclose(pooled[1, 2, 1, 1], np.mean([sum(a[i, j] for j in word) for i in word]), atol=1e-6)
    hidden = pool_embeddings(result.hidden_states, groups)  # (L+1, W, D)
    np.testing.assert_allclose(hidden[:, 1], result.hidden_states[:, 1:5].mean(axis=1), atol=1e-5)


def test_pooling_refuses_words_that_do_not_cover_the_tokens():
    with pytest.raises(ValueError, match="exactly once"):
        pool_attention(np.eye(3), [[0], [1]])
    with pytest.raises(ValueError, match="in order"):
        pool_attention(np.eye(3), [[0, 2], [1]])


def test_pooling_long_inputs_matches_the_matrix_product():
    """The run sums are a product with the (W, T) membership matrix, as the docstring's formula says."""
    rng = np.random.default_rng(0)
    attention = rng.random((2, 3, 40, 40)).astype(np.float32)
    attention /= attention.sum(-1, keepdims=True)
    sizes = rng.integers(1, 4, size=40)
    groups, start = [], 0
    while start < 40:
        groups.append(list(range(start, min(40, start + int(sizes[len(groups)])))))
        start = groups[-1][-1] + 1
    member = np.zeros((len(groups), 40))
    for w, g in enumerate(groups):
        member[w, g] = 1
    naive = (member / member.sum(1, keepdims=True)) @ attention.astype(np.float64) @ member.T
    np.testing.assert_allclose(pool_attention(attention, groups), naive, atol=1e-5)


# ---- CJK text on screen: real glyphs, not boxes --------------------------------------------------------------
CJK_SAMPLES = ("北京大学", "日本語のテキスト", "한국어 문장")


def boxes(font, text: str) -> list[str]:
    """The characters of `text` that `font` (with Qt's fallback, as QPainter.drawText shapes them) draws as a
    box: no font found for them, so glyph 0 (.notdef) of the primary font is drawn."""
    from PySide6 import QtGui

    missing = []
    for char in text.replace(" ", ""):
        layout = QtGui.QTextLayout(char, font)
        layout.beginLayout()
        layout.createLine()
        layout.endLayout()
        runs = layout.glyphRuns()
        drawn = runs and all(
            run.rawFont().supportsCharacter(ord(char)) and all(g != 0 for g in run.glyphIndexes()) for run in runs
        )
        if not drawn:
            missing.append(char)
    return missing


def paste(win, text: str) -> None:
    """Chinese arrives through an input method or the clipboard (QTest cannot type it): paste it."""
    from PySide6 import QtWidgets

    QtWidgets.QApplication.clipboard().setText(text)
    win.sentence.text_a.selectAll()
    win.sentence.text_a.paste()


def chip_image(chips, index: int):
    rect = chips.chip_rect(index)
    return chips.grab(rect).toImage()


def test_chinese_japanese_and_korean_render_with_real_glyphs_everywhere(qtbot, chinese_dir, tmp_path):
    from conftest import open_window

    win, controller = open_window(qtbot, chinese_dir)
    try:
        paste(win, "我爱[MASK]京天安门。")
        chips = win.sentence.chips
        qtbot.waitUntil(lambda: [c.text for c in chips.chips()[1:3]] == ["我", "爱"], timeout=20_000)
        win.show_view("neurons")
        assert controller.wait_until_idle() and win.wait_until_drawn()
        attention, neurons = win.views["attention"], win.views["neurons"]
        surfaces = {
            "chips": win.sentence.chips.font(),
            "predictions": win.predictions.font(),
            "heatmap axis": attention._left_axis._font(),
            "heatmap axis (bold)": attention._bottom_axis._font(bold=True),
            **{f"neuron view {i}": font for i, font in enumerate(neurons.canvas._fonts())},
        }
        for where, font in surfaces.items():
            for text in CJK_SAMPLES:
                assert boxes(font, text) == [], f"{where} draws {text!r} with boxes"
        # the pixels: a box is the same for every character it stands for; 我 and 爱 drawn for real differ
        assert chip_image(chips, 1) != chip_image(chips, 2)
        # an SVG export keeps the characters as text (a viewer draws them with its own fonts)
        win.show_view("attention")
        assert controller.wait_until_idle() and win.wait_until_drawn()
        attention.export_svg(tmp_path / "attention.svg")
        assert "天" in (tmp_path / "attention.svg").read_text(encoding="utf-8")
    finally:
        controller.shutdown()


def test_the_glyph_check_can_fail():
    """A character no font on any machine has (a private-use code point) is reported as a box."""
    from PySide6 import QtGui

    assert boxes(QtGui.QFont(), "a\ue0ff") == ["\ue0ff"]


# ---- the attention view with long Chinese inputs, and words -------------------------------------------------
@pytest.fixture
def chinese_window(qtbot, chinese_dir):
    from conftest import open_window

    win, controller = open_window(qtbot, chinese_dir)
    win.resize(1400, 900)
    yield win
    controller.shutdown()


def show_text(qtbot, win, text: str, view: str) -> None:
    win.show_view(view)
    paste(win, text)
    qtbot.waitUntil(lambda: _shows(win, view, text), timeout=30_000)
    assert win.controller.wait_until_idle() and win.wait_until_drawn()


def _shows(win, view: str, text: str) -> bool:
    result = win.views[view].result
    return result is not None and "".join(t for t in result.encoding.display_tokens if t not in SPECIALS) == text


def overlaps(boxes) -> list[tuple[int, int]]:
    rects = [rect for _i, rect in boxes]
    return [
        (boxes[a][0], boxes[b][0])
        for a in range(len(rects))
        for b in range(a + 1, len(rects))
        if rects[a].intersected(rects[b]).width() > 0.5 and rects[a].intersected(rects[b]).height() > 0.5
    ]


def test_a_65_character_chinese_sentence_gets_every_label_without_overlap(qtbot, chinese_window, tmp_path):
    win = chinese_window
    show_text(qtbot, win, LONG_SENTENCE, "attention")
    panel = win.views["attention"]
    qtbot.wait(200)  # the axes take the room their lanes need on the next turns of the event loop
    tokens = len(LONG_SENTENCE) + 2
    for axis in (panel._left_axis, panel._bottom_axis):
        assert axis.compact  # chosen automatically: short labels, cells smaller than a line
        boxes = axis.label_boxes()
        assert sorted(i for i, _ in boxes) == list(range(tokens))  # every character has its label
        assert overlaps(boxes) == []
        inside = axis.boundingRect()
        assert all(inside.contains(rect) for _i, rect in boxes)  # and it lies within the axis
    win.grab().save(str(tmp_path / "long-chinese.png"))
    # The view's options: rotated labels, one line each, must be thinned at this size
    panel.words_button.layout_actions["rotated"].trigger()
    assert not panel._bottom_axis.compact
    assert len(panel._bottom_axis.label_boxes()) < tokens
    panel.words_button.layout_actions["compact"].trigger()
    assert panel._bottom_axis.compact and len(panel._bottom_axis.label_boxes()) == tokens


def test_english_keeps_rotated_labels(qtbot, tmp_path, tiny_model_dir):
    from conftest import open_window

    win, controller = open_window(qtbot, tiny_model_dir)
    try:
        assert controller.wait_until_idle()
        axis = win.views["attention"]._bottom_axis
        assert not axis.compact
    finally:
        controller.shutdown()


def test_the_words_button_pools_the_attention_view_and_the_embeddings(qtbot, chinese_window):
    win = chinese_window
    show_text(qtbot, win, "北京大学很好", "attention")
    panel = win.views["attention"]
    tokens = panel.result
    assert panel.words_button.isEnabled() and not panel.showing_words
    assert panel.current_matrix().shape == (8, 8)
    panel.words_button.click()  # as the user does
    assert panel.showing_words
    assert list(panel.result.display_tokens) == ["[CLS]", "北京大学", "很", "好", "[SEP]"]
    expected = pool_attention(tokens.attention, [[0], [1, 2, 3, 4], [5], [6], [7]])
    np.testing.assert_allclose(panel.current_matrix(), expected[panel.layer, panel.head], atol=1e-6)
    assert "words" in panel.heatmap_plot.titleLabel.text
    # the selection still names tokens: clicking the word 北京大学 selects its first token everywhere
    panel.token_selected.emit(1)
    assert win.selection.token == 1
    win.select_token(3)  # 学, chosen in another view: its word is outlined here
    assert panel.selected_token == 1
    win.select_token(5)
    assert panel.selected_token == 2
    win.selection.set_laser(True)  # the presenter's laser pointer is mapped the same way
    win.selection.set_hovered(4)
    assert panel._bottom_axis.hovered == 1
    panel.token_hovered.emit(3)  # the mouse over 好 (word 3) points at token 6
    assert win.selection.hovered == 6
    win.selection.set_laser(False)
    panel.words_button.click()
    assert not panel.showing_words and panel.current_matrix().shape == (8, 8) and panel.selected_token == 5

    win.show_view("embeddings")
    embeddings = win.views["embeddings"]
    assert win.controller.wait_until_idle() and win.wait_until_drawn()
    embeddings.words_button.click()
    assert embeddings.showing_words and embeddings.result.hidden_states.shape[1] == 5
    np.testing.assert_allclose(
        embeddings.result.hidden_states[:, 1], tokens.hidden_states[:, 1:5].mean(axis=1), atol=1e-5
    )
    assert "words" in embeddings.plot.titleLabel.text


def test_a_long_input_is_pooled_to_words_on_the_worker(qtbot, chinese_window, monkeypatch):
    """Past POOL_NOW_MAX attention numbers (here: any) the Words button asks the worker: the view says so at once,
    the words arrive pooled as on the GUI thread, a newer result replaces the run, and Words switched off before
    the answer comes keeps the tokens."""
    from bertviz_app.ui import token_axis

    win = chinese_window
    show_text(qtbot, win, "北京大学很好", "attention")
    panel = win.views["attention"]
    tokens = panel.result
    monkeypatch.setattr(token_axis, "POOL_NOW_MAX", 0)
    panel.words_button.click()
    assert panel.pooling_words and panel.busy
    assert panel.message() == "Pooling 8 tokens into 5 words…"
    win.select_token(3)  # 学, chosen meanwhile in another view: marked once the words are there
    win.selection.set_laser(True)
    win.selection.set_hovered(4)
    assert win.wait_until_drawn()
    assert panel.showing_words and not panel.pooling_words and panel.message() is None
    assert panel.selected_token == 1
    win.selection.set_laser(False)
    expected = pool_attention(tokens.attention, [[0], [1, 2, 3, 4], [5], [6], [7]])
    np.testing.assert_allclose(panel.current_matrix(), expected[panel.layer, panel.head], atol=1e-6)
    assert "words" in panel.heatmap_plot.titleLabel.text

    paste(win, "北京很好")  # a new result while Words is on: pooled on the worker again
    qtbot.waitUntil(lambda: panel.showing_words and list(panel.result.display_tokens)[1] == "北京", timeout=30_000)
    assert win.wait_until_drawn() and panel.result.attention.shape[-1] == len(panel.result.display_tokens)

    panel.words_button.click()  # off: tokens at once
    panel.words_button.click()  # on again: pooling
    assert panel.pooling_words
    panel.words_button.click()  # and off before the answer: the answer is dropped
    assert not panel.pooling_words and not panel.showing_words
    assert win.controller.wait_until_idle() and win.wait_until_drawn()
    qtbot.wait(50)
    assert not panel.showing_words and panel.current_matrix().shape == (6, 6)
    panel.words_button.click()  # on, and the run cancelled from outside (as a model change does): not stuck busy
    assert panel.pooling_words
    win.controller.cancel_analysis("pool_words")
    assert not panel.pooling_words and not panel.busy
