"""WordPiece tokenization: both loading paths agree, and every token maps back to the text it came from."""

from __future__ import annotations

import json
import shutil
import unicodedata
from pathlib import Path

import pytest
from conftest import SPECIALS

from bertviz_app.engine.discovery import base_model_dir
from bertviz_app.engine.errors import InputError, TokenizerError
from bertviz_app.engine.tokenizer import BertTokenizer, Encoding

SENTENCES = [
    "The cat sat on the [MASK].",
    "Paris is the capital of [mask], said the tokenization expert.",
    "Unbelievably, she RAN to the bank of the river!!",
    "Café naïve résumé — über Straße",
    "北京 is a city; 東京 too. ｆｕｌｌｗｉｄｔｈ",
    "emoji 😀👍🏽 and a\u200bb zero width\u200d joiners\ufeff",
    "tabs\tand\nnewlines   and  spaces",
    "numbers 3.14159 and 1,000,000 and e-mail@example.com",
    "[MASK] [MASK] [Mask] [mAsK]",
]
PAIRS = [
    ("The keys to the cabinet [MASK] on the table.", "She went to the store."),
    ("Who wrote it?", "Unbelievable stories, written [mask] by hand."),
]
ODD = [
    "😀",
    "😀 [MASK] 😀",
    "e\u0301\u0301\u0301 combining accents",
    "\u0645\u0631\u062d\u0628\u0627 \u05e9\u05dc\u05d5\u05dd RTL \u202e reversed \u202c",
    "zero\u200bwidth\u200c\u200d\u2060\ufeff",
    "\u200b",
    "control \x00\x01\x07\x1b\x7f chars",
    "\x00",
    "lone \ud800 surrogate \udfff",
    "\ufffd\ufffd replacement",
    "a" * 300,
    "\U0001f468\u200d\U0001f469\u200d\U0001f467 family",
    "ﷺ ﬁ ligatures ℌ",
]


@pytest.fixture(scope="module")
def json_tok() -> BertTokenizer:
    return BertTokenizer.from_folder(base_model_dir())


@pytest.fixture(scope="module")
def vocab_tok(tmp_path_factory) -> BertTokenizer:
    folder = tmp_path_factory.mktemp("vocab-only")
    for name in ("vocab.txt", "tokenizer_config.json"):
        shutil.copyfile(base_model_dir() / name, folder / name)
    tok = BertTokenizer.from_folder(folder)
    assert tok.source.endswith("vocab.txt")
    return tok


def test_sources(json_tok, vocab_tok):
    assert json_tok.source.endswith("tokenizer.json")
    assert json_tok.vocab_size == vocab_tok.vocab_size == 30522
    assert json_tok.max_length == vocab_tok.max_length == 512
    for t in (json_tok, vocab_tok):
        assert [t.pad_id, t.unk_id, t.cls_id, t.sep_id, t.mask_id] == [0, 100, 101, 102, 103]


@pytest.mark.parametrize("text", SENTENCES + ODD)
def test_tokenizer_json_and_vocab_txt_agree(json_tok, vocab_tok, text):
    assert vocab_tok.encode(text) == json_tok.encode(text)


@pytest.mark.parametrize(("a", "b"), PAIRS)
def test_pairs_agree(json_tok, vocab_tok, a, b):
    assert vocab_tok.encode(a, b) == json_tok.encode(a, b)


def test_pair_segments(json_tok):
    a, b = PAIRS[0]
    enc = json_tok.encode(a, b)
    seps = [i for i, t in enumerate(enc.tokens) if t == "[SEP]"]
    assert enc.tokens[0] == "[CLS]" and len(seps) == 2 and seps[1] == len(enc) - 1
    assert set(enc.token_type_ids[: seps[0] + 1]) == {0}
    assert set(enc.token_type_ids[seps[0] + 1 :]) == {1}
    assert enc.special[0] and enc.special[seps[0]] and enc.special[seps[1]]
    # Offsets of segment B index sentence B.
    for i in range(seps[0] + 1, seps[1]):
        s, e = enc.offsets[i]
        assert json_tok.decode_word(enc.tokens[i]) == b[s:e].lower()
    # Words are numbered per sentence; word_key tells them apart.
    assert enc.word_ids[1] == 0 and enc.word_ids[seps[0] + 1] == 0
    assert enc.word_key(1) != enc.word_key(seps[0] + 1)


@pytest.mark.parametrize("typed", ["[MASK]", "[mask]", "[Mask]", "[mAsK]"])
def test_typed_mask_stays_one_token(json_tok, vocab_tok, typed):
    for tok in (json_tok, vocab_tok):
        text = f"the cat sat on the {typed}."
        enc = tok.encode(text)
        assert enc.tokens.count("[MASK]") == 1
        i = enc.tokens.index("[MASK]")
        assert enc.input_ids[i] == tok.mask_id
        assert not enc.special[i]  # the user's token, not a structural one
        s, e = enc.offsets[i]
        assert text[s:e] == typed
        assert enc.word_ids[i] is not None


def test_adjacent_masks(json_tok):
    enc = json_tok.encode("a[mask][MASK]b")
    assert enc.tokens.count("[MASK]") == 2


def _canonical(s: str) -> str:
    """What the uncased BERT normaliser does to a word: lower case, accents stripped."""
    return "".join(c for c in unicodedata.normalize("NFD", s.lower()) if unicodedata.category(c) != "Mn")


@pytest.mark.parametrize("text", SENTENCES[:4] + SENTENCES[6:])
def test_offsets_map_back_to_the_text(json_tok, text):
    enc = json_tok.encode(text)
    assert len(enc.offsets) == len(enc.tokens) == len(enc.input_ids) == len(enc.word_ids) == len(enc.special)
    for token, (s, e), special in zip(enc.tokens, enc.offsets, enc.special):
        if token in ("[CLS]", "[SEP]"):
            assert special and (s, e) == (0, 0)
            continue
        assert 0 <= s < e <= len(text)
        piece = text[s:e]
        if token == "[MASK]":
            assert piece.lower() == "[mask]"
        elif token != "[UNK]":
            assert _canonical(piece) == json_tok.decode_word(token), (token, piece)
    # Offsets increase: tokens follow the text left to right.
    real = [o for o, sp in zip(enc.offsets, enc.special) if not sp]
    assert real == sorted(real)


def test_word_pieces_group_into_words(json_tok):
    text = "tokenization is unbelievably [MASK] fun"
    enc = json_tok.encode(text)
    assert "##ization" in enc.tokens
    i = enc.tokens.index("token")
    assert enc.tokens[i + 1] == "##ization"
    assert enc.word_ids[i] == enc.word_ids[i + 1]
    assert enc.whole_word(i) == enc.whole_word(i + 1) == [i, i + 1]
    # The span of the whole word is the typed word.
    s, e = enc.offsets[i][0], enc.offsets[i + 1][1]
    assert text[s:e] == "tokenization"
    # Special tokens are words of their own.
    assert enc.whole_word(0) == [0]
    assert enc.word_ids[0] is None and enc.word_ids[-1] is None
    # Each word id belongs to contiguous positions.
    for pos in range(1, len(enc) - 1):
        group = enc.whole_word(pos)
        assert group == list(range(group[0], group[-1] + 1))


def test_truncation_is_reported(json_tok):
    words = ("the quick brown fox jumps over the lazy dog " * 600).split()[:5000]
    enc = json_tok.encode(" ".join(words))
    assert enc.truncated
    assert enc.original_length == 5002  # every word is one token, plus [CLS] and [SEP]
    assert len(enc) == json_tok.max_length == 512
    assert enc.tokens[0] == "[CLS]" and enc.tokens[-1] == "[SEP]"
    assert enc.tokens[1:4] == ("the", "quick", "brown")
    # The tokenizer is left without truncation for the next call.
    short = json_tok.encode("the quick brown fox")
    assert not short.truncated and short.original_length == len(short) == 6


def test_pair_truncation_is_reported(json_tok):
    long = "word " * 400
    enc = json_tok.encode(long, long)
    assert enc.truncated and enc.original_length == 803 and len(enc) == 512
    assert enc.tokens.count("[SEP]") == 2 and enc.tokens[-1] == "[SEP]"
    assert 1 in enc.token_type_ids


def test_exact_max_length_is_not_truncated(json_tok):
    enc = json_tok.encode("a " * 510)
    assert len(enc) == 512 and not enc.truncated and enc.original_length == 512


def test_small_model_max_length_from_config(tmp_path):
    for name in ("vocab.txt",):
        shutil.copyfile(base_model_dir() / name, tmp_path / name)
    (tmp_path / "tokenizer_config.json").write_text(json.dumps({"do_lower_case": True, "model_max_length": 16}))
    tok = BertTokenizer.from_folder(tmp_path)
    enc = tok.encode("one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen")
    assert tok.max_length == 16 and len(enc) == 16 and enc.truncated and enc.original_length == 17


@pytest.mark.parametrize("text", ODD)
def test_odd_unicode_never_raises(json_tok, vocab_tok, text):
    for tok in (json_tok, vocab_tok):
        enc = tok.encode(text)
        assert isinstance(enc, Encoding)
        assert enc.tokens[0] == "[CLS]" and enc.tokens[-1] == "[SEP]"
        assert all(0 <= i < tok.vocab_size for i in enc.input_ids)
        for (s, e), special in zip(enc.offsets, enc.special):
            assert special or 0 <= s <= e <= len(text)
        enc_pair = tok.encode("pair:", text)
        assert enc_pair.tokens[-1] == "[SEP]"


@pytest.mark.parametrize("text", ["", " ", "   \t\n ", "\u3000\u00a0", None])
def test_empty_text_is_an_input_error(json_tok, vocab_tok, text):
    for tok in (json_tok, vocab_tok):
        with pytest.raises(InputError, match="empty"):
            tok.encode(text)


def test_empty_second_sentence_is_a_single_sentence(json_tok):
    assert json_tok.encode("the cat", "") == json_tok.encode("the cat")


def _write_vocab(folder: Path, words: list[str], do_lower_case: bool) -> None:
    (folder / "vocab.txt").write_text("\n".join([*SPECIALS, *words]) + "\n", encoding="utf-8")
    (folder / "tokenizer_config.json").write_text(json.dumps({"do_lower_case": do_lower_case}))


def test_cased_vocab_keeps_case(tmp_path):
    words = ["Paris", "paris", "The", "the", "Café", "cafe", "is", "##s", "."]
    _write_vocab(tmp_path, words, do_lower_case=False)
    tok = BertTokenizer.from_folder(tmp_path)
    enc = tok.encode("The Paris Café is the paris cafe.")
    assert enc.tokens[1:-1] == ("The", "Paris", "Café", "is", "the", "paris", "cafe", ".")
    assert tok.encode("[mask] Paris").tokens[1:3] == ("[MASK]", "Paris")  # a typed mask still works when cased


def test_uncased_vocab_lowercases(tmp_path):
    _write_vocab(tmp_path, ["paris", "the", "cafe", "is", "."], do_lower_case=True)
    tok = BertTokenizer.from_folder(tmp_path)
    assert tok.encode("The PARIS Café.").tokens[1:-1] == ("the", "paris", "cafe", ".")


def test_unknown_words_become_unk(tmp_path):
    _write_vocab(tmp_path, ["the"], do_lower_case=True)
    tok = BertTokenizer.from_folder(tmp_path)
    enc = tok.encode("the zebra")
    assert enc.tokens[1:-1] == ("the", "[UNK]") and enc.input_ids[2] == tok.unk_id
    assert enc.offsets[2] == (4, 9)


def test_missing_tokenizer_files(tmp_path):
    with pytest.raises(TokenizerError, match="no tokenizer"):
        BertTokenizer.from_folder(tmp_path)


def test_vocab_without_special_tokens(tmp_path):
    (tmp_path / "vocab.txt").write_text("[PAD]\n[UNK]\nthe\ncat\n", encoding="utf-8")
    with pytest.raises(TokenizerError, match=r"\[CLS\]"):
        BertTokenizer.from_folder(tmp_path)


def test_unreadable_tokenizer_json(tmp_path):
    (tmp_path / "tokenizer.json").write_text("{ nope", encoding="utf-8")
    with pytest.raises(TokenizerError, match="cannot be read"):
        BertTokenizer.from_folder(tmp_path)


def test_unreadable_tokenizer_config(tmp_path):
    shutil.copyfile(base_model_dir() / "vocab.txt", tmp_path / "vocab.txt")
    (tmp_path / "tokenizer_config.json").write_text("{ nope", encoding="utf-8")
    with pytest.raises(TokenizerError, match="not readable JSON"):
        BertTokenizer.from_folder(tmp_path)


def test_id_to_token_round_trip(json_tok):
    enc = json_tok.encode("the bank of the river")
    assert tuple(json_tok.id_to_token(i) for i in enc.input_ids) == enc.tokens
    assert json_tok.token_to_id("river") == enc.input_ids[-2]
    assert json_tok.id_to_token(-1) == json_tok.id_to_token(10**9) == "[UNK]"
    assert json_tok.decode_word("##ing") == "ing" and json_tok.decode_word("ring") == "ring"
