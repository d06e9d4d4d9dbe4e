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
    np.testing.assert_allclose(pooled, expected, atol=1e-7)
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
