"""Every family's tokenizer (WordPiece, byte-level BPE, SentencePiece Unigram), built small in memory: the same ids
as transformers, typed masks in any spelling, pair templates, offsets into the typed text, whole words, and tokens
shown readably while the tokenizer's own strings stay what --json and exports get."""

from __future__ import annotations

import json
import shutil

import pytest
from test_tokenizer import ODD
from toy_tokenizers import KINDS, build, tokenizer_config, write_toy_tokenizer

from bertviz_app.analysis.inference import insert_word, positions_to_mask, prediction, toggled_spans
from bertviz_app.engine.errors import InputError, TokenizerError
from bertviz_app.engine.tokenizer import JOIN_MARK, SPACE_MARK, TextTokenizer

SPECIAL = {  # the (cls, sep, pad, unk, mask) each family's files name
    "wordpiece": ("[CLS]", "[SEP]", "[PAD]", "[UNK]", "[MASK]"),
    "roberta": ("<s>", "</s>", "<pad>", "<unk>", "<mask>"),
    "modernbert": ("[CLS]", "[SEP]", "[PAD]", "[UNK]", "[MASK]"),
    "xlmr": ("<s>", "</s>", "<pad>", "<unk>", "<mask>"),
    "albert": ("[CLS]", "[SEP]", "<pad>", "<unk>", "[MASK]"),
}
SENTENCE = "The cat sat on the mat and looked at the bird."
MARKERS = ("Ġ", "▁", "Ã")


@pytest.fixture(scope="module", params=KINDS)
def kind(request):
    return request.param


@pytest.fixture(scope="module")
def folder(kind, tmp_path_factory):
    path = tmp_path_factory.mktemp(f"tok-{kind}")
    write_toy_tokenizer(path, kind)
    return path


@pytest.fixture(scope="module")
def tok(folder) -> TextTokenizer:
    return TextTokenizer.from_folder(folder)


def _hf(folder, kind):
    transformers = pytest.importorskip("transformers")
    cls, sep, pad, unk, mask = SPECIAL[kind]
    return transformers.PreTrainedTokenizerFast(
        tokenizer_file=str(folder / "tokenizer.json"),
        cls_token=cls,
        sep_token=sep,
        pad_token=pad,
        unk_token=unk,
        mask_token=mask,
    )


def test_special_tokens_come_from_the_files(tok, kind):
    assert (tok.cls_token, tok.sep_token, tok.pad_token, tok.unk_token, tok.mask_token) == SPECIAL[kind]
    for token, i in zip(SPECIAL[kind], (tok.cls_id, tok.sep_id, tok.pad_id, tok.unk_id, tok.mask_id)):
        assert tok.token_to_id(token) == i and tok.id_to_token(i) == token
    assert tok.vocab_size == build(kind).get_vocab_size()


@pytest.mark.parametrize(
    ("a", "b"),
    [
        (SENTENCE, None),
        ("Paris is the capital of France.", "She went to the store."),
        ("Unbelievably, she RAN to the bank!", "Café naïve résumé 😀 北京"),
        ("tabs\tand\nnewlines   and  spaces", None),
    ],
)
def test_same_ids_as_transformers(folder, kind, tok, a, b):
    hf = _hf(folder, kind)
    ours = tok.encode(a, b)
    theirs = hf(a, b, return_token_type_ids=True) if b else hf(a, return_token_type_ids=True)
    assert list(ours.input_ids) == theirs["input_ids"]
    assert list(ours.token_type_ids) == theirs["token_type_ids"]
    assert list(ours.tokens) == hf.convert_ids_to_tokens(theirs["input_ids"])


@pytest.mark.parametrize("typed", ["[MASK]", "[mask]", "[Mask]", "<mask>", "<MASK>"])
def test_typed_masks_in_every_spelling(folder, kind, tok, typed):
    text = f"The cat sat on the {typed} and looked at the bird."
    enc = tok.encode(text)
    own_spelling = typed.startswith("[") or tok.mask_token == "<mask>"
    assert enc.typed_mask.count(True) == (1 if own_spelling else 0)
    if not own_spelling:  # "<mask>" means nothing to a model whose mask is "[MASK]": it stays text
        assert tok.mask_id not in enc.input_ids
        return
    i = enc.typed_mask.index(True)
    assert enc.input_ids[i] == tok.mask_id and enc.tokens[i] == tok.mask_token
    assert not enc.special[i] and enc.word_ids[i] is not None
    s, e = enc.offsets[i]
    assert text[s:e] == typed  # the typed span, not the space the mask token absorbs
    # The same ids as transformers given the model's own mask token.
    assert list(enc.input_ids) == _hf(folder, kind)(text.replace(typed, tok.mask_token))["input_ids"]
    # The word after the mask still maps to its own characters.
    after = next(j for j in range(i + 1, len(enc)) if enc.display_tokens[j] == "and")
    assert text[slice(*enc.offsets[after])] == "and"
    assert positions_to_mask(enc) == [i]


def test_adjacent_and_repeated_masks(tok):
    enc = tok.encode("a[mask][MASK]b [Mask]")
    assert enc.typed_mask.count(True) == 3
    spans = [enc.offsets[i] for i in range(len(enc)) if enc.typed_mask[i]]
    assert spans == [(1, 7), (7, 13), (15, 21)]


def test_a_mask_token_of_another_length_keeps_offsets(tmp_path):
    """A model whose mask token is not six characters long: offsets still index the typed text."""
    from tokenizers import AddedToken

    backend = build("roberta").from_str(build("roberta").to_str())  # a copy
    backend.add_special_tokens([AddedToken("<longmask>", special=True, lstrip=True, normalized=False)])
    backend.save(str(tmp_path / "tokenizer.json"))
    config = tokenizer_config("roberta") | {"mask_token": "<longmask>"}
    (tmp_path / "tokenizer_config.json").write_text(json.dumps(config))
    tok = TextTokenizer.from_folder(tmp_path)
    text = "the [MASK] sat on the <LONGMASK> mat"
    enc = tok.encode(text)
    masks = [i for i in range(len(enc)) if enc.typed_mask[i]]
    assert [text[slice(*enc.offsets[i])] for i in masks] == ["[MASK]", "<LONGMASK>"]
    mat = enc.display_tokens.index("mat")
    assert text[slice(*enc.offsets[mat])] == "mat"


def test_pair_templates(tok, kind):
    enc = tok.encode("The cat sat.", "She went to the store.")
    cls, sep = SPECIAL[kind][:2]
    assert enc.tokens[0] == cls and enc.tokens[-1] == sep
    seps = [i for i, t in enumerate(enc.tokens) if t == sep]
    if kind in ("roberta", "xlmr"):  # <s> A </s></s> B </s>, one token type
        assert len(seps) == 3 and seps[1] == seps[0] + 1
        assert set(enc.token_type_ids) == {0}
    else:
        assert len(seps) == 2
        assert set(enc.token_type_ids) == ({0} if kind == "modernbert" else {0, 1})
    # Sentence B is segment 1 whatever the model's token types are; its offsets index sentence B.
    b = [i for i in range(len(enc)) if enc.segments[i] == 1 and not enc.special[i]]
    assert b and all(i > seps[0] for i in b)
    assert "".join(enc.display_tokens[i].removeprefix(JOIN_MARK) for i in b).lower().startswith("shewent")
    for i in b:
        s, e = enc.offsets[i]
        assert (
            "She went to the store."[s:e].lower().replace(" ", "")
            == enc.display_tokens[i].lower().removeprefix(JOIN_MARK)
            or enc.tokens[i] == tok.unk_token
        )
    # Words are numbered per sentence; whole_word never crosses into the other sentence.
    first_b = b[0]
    assert enc.word_key(first_b) != enc.word_key(1)
    assert all(enc.segments[j] == 1 for j in enc.whole_word(first_b))


def test_masking_a_span_of_sentence_b(tok):
    """RoBERTa's pair has one token type: masking by character span must still find sentence B's word."""
    text_b = "She went to the store."
    enc = tok.encode("The cat sat.", text_b)
    start = text_b.index("store")
    masked = positions_to_mask(enc, ((1, start, start + 5),))
    assert masked and all(enc.segments[i] == 1 for i in masked)
    assert "".join(enc.display_tokens[i].removeprefix(JOIN_MARK) for i in masked).lower() == "store"


def test_whole_word_masking_from_word_ids(tok, kind):
    text = "unbelievable she ran"
    enc = tok.encode(text)
    first = 1  # the first piece of "unbelievable"
    pieces = enc.whole_word(first)
    assert len(pieces) > 1
    spelled = "".join(enc.display_tokens[i].removeprefix(JOIN_MARK) for i in pieces).replace("␣", "")
    assert spelled == "unbelievable"
    assert positions_to_mask(enc, ((0, 0, 2),), whole_word=True) == pieces
    spans = toggled_spans(enc, (), pieces[-1], whole_word=True)
    assert spans == ((0, 0, len("unbelievable")),)
    assert toggled_spans(enc, spans, first, whole_word=True) == ()  # clicked again: unmasked
    assert toggled_spans(enc, (), 0, whole_word=True) is None  # the [CLS]/<s> token cannot be masked


def test_display_tokens_are_readable(tok, kind):
    enc = tok.encode("Café naïve résumé, unbelievably")
    assert len(enc.display_tokens) == len(enc.tokens)
    assert not any(m in d for d in enc.display_tokens for m in MARKERS)
    if kind in ("roberta", "modernbert"):  # byte-level: the raw strings have "Ġ" and "Ã©", the display none
        assert any("Ã" in t for t in enc.tokens) and any(t.startswith("Ġ") for t in enc.tokens)
        assert enc.display_tokens[1:3] == ("Ca", JOIN_MARK + "fé")
        assert enc.display_tokens[3:5] == ("naï", JOIN_MARK + "ve")  # "ï" is split between two pieces' bytes
    if kind == "xlmr":
        assert "▁Café" in enc.tokens and "Café" in enc.display_tokens
    byte_level = (
        "Ca",
        "##fé",
        "naï",
        "##ve",
        "r",
        "##ésu",
        "##mé",
        ",",
        "␣",
        "u",
        "##n",
        "##be",
        "##lie",
        "##vabl",
        "##y",
    )
    expected = {
        "wordpiece": ("[UNK]", "[UNK]", "[UNK]", ",", "[UNK]"),  # the toy vocabulary has none of these words
        "roberta": byte_level,
        "modernbert": byte_level,
        "xlmr": ("Café", "naïve", "résumé", ",", "un", "##believ", "##a", "##b", "##ly"),
        "albert": ("cafe", "naive", "resume", ",", "unbelievably"),  # ALBERT lower-cases and strips accents
    }[kind]
    assert enc.display_tokens[1:-1] == expected


@pytest.mark.parametrize("kind", ["roberta", "modernbert"])  # byte-level BPE
def test_byte_pieces_of_one_character_show_the_character(kind):
    folder_tok = TextTokenizer(build(kind).from_str(build(kind).to_str()), 512, "memory", _config_specials(kind))
    text = "hi 😀 北京"
    enc = folder_tok.encode(text)
    emoji = [i for i, t in enumerate(enc.tokens) if enc.offsets[i] == (3, 4)]
    assert len(emoji) == 4 and all(enc.display_tokens[i] == "😀" for i in emoji)
    assert "北" in enc.display_tokens and "京" in enc.display_tokens
    # Alone (a prediction), a piece of a character is shown as its bytes, never as mojibake.
    assert folder_tok.display(enc.tokens[emoji[0]]) == "<0xF0>"
    # Bytes that spell nothing visible are spelled out: a control code, a newline, a space.
    assert (folder_tok.display("ď"), folder_tok.display("Ċ"), folder_tok.display("Ġ")) == ("<0x0F>", "⏎", "␣")


def _config_specials(kind):
    cls, sep, pad, unk, mask = SPECIAL[kind]
    return {"cls": cls, "sep": sep, "pad": pad, "unk": unk, "mask": mask}


@pytest.mark.parametrize("text", ODD)
def test_odd_unicode_never_raises(tok, text):
    enc = tok.encode(text)
    assert enc.special[0] and enc.special[-1]
    assert all(0 <= i < tok.vocab_size for i in enc.input_ids)
    assert len(enc.display_tokens) == len(enc) and all(enc.display_tokens)
    for (s, e), special in zip(enc.offsets, enc.special):
        assert special or 0 <= s <= e <= len(text)
    assert tok.encode("pair:", text).special[-1]


@pytest.mark.parametrize("text", ["", "   ", "\u3000", None])
def test_empty_text(tok, text):
    with pytest.raises(InputError, match="empty"):
        tok.encode(text)


def test_predictions_are_shown_readably_and_marked_where_spacing_differs(tok, kind):
    text = "the cat [MASK] on the mat"
    enc = tok.encode(text)
    at = enc.typed_mask.index(True)
    word, piece = {
        "wordpiece": ("sat", "##s"),
        "roberta": ("Ġsat", "s"),
        "modernbert": ("Ġsat", "s"),
        "xlmr": ("▁sat", "s"),
        "albert": ("▁sat", "s"),
    }[kind]
    assert tok.display_prediction(word, enc, at) == "sat"  # a word where a word starts: no marker
    assert tok.display_prediction(piece, enc, at) == JOIN_MARK + "s"  # would glue onto "cat"
    glued = tok.encode("the cat un[MASK] on the mat")
    at = glued.typed_mask.index(True)
    if kind == "wordpiece":  # BERT's "##s" continues "un"; "sat" would be a word of its own
        assert tok.display_prediction(word, glued, at) == SPACE_MARK + "sat"
    else:
        assert tok.display_prediction(word, glued, at) == SPACE_MARK + "sat"
        assert tok.display_prediction(piece, glued, at) == JOIN_MARK + "s"
    assert tok.display_prediction(tok.mask_token, enc, at) == tok.mask_token
    # What "Whole words only" keeps: words, not pieces that glue on, punctuation or specials.
    at = enc.typed_mask.index(True)
    kept = {t: prediction(tok, enc, at, tok.token_to_id(t), 0.5).whole_word for t in (word, piece, ".", tok.unk_token)}
    assert kept == {word: True, piece: False, ".": False, tok.unk_token: False}
    assert prediction(tok, glued, glued.typed_mask.index(True), tok.token_to_id(word), 0.5).whole_word


@pytest.mark.parametrize(
    ("text", "token", "expected"),
    [
        ("the cat [MASK] on the mat", "{w}sat", "the cat sat on the mat"),
        ("the cat [MASK] on the mat", "{p}s", "the cats on the mat"),
        ("the cat un[MASK] on the mat", "{w}sat", "the cat un sat on the mat"),
        ("the cat un[MASK] on the mat", "{p}s", "the cat uns on the mat"),
        ("[MASK] cat sat", "{w}the", "the cat sat"),
        ("the cat sat [MASK]", "{p}.", "the cat sat."),
    ],
)
def test_a_chosen_prediction_goes_into_the_text_readably(tok, kind, text, token, expected):
    marker = {"wordpiece": "", "roberta": "Ġ", "modernbert": "Ġ", "xlmr": "▁", "albert": "▁"}[kind]
    joined = "##" if kind == "wordpiece" else ""
    token = token.format(w=marker, p=joined)
    if token == "##.":
        token = "."
    enc = tok.encode(text)
    at = enc.typed_mask.index(True)
    start, end = enc.offsets[at]
    assert insert_word(text, start, end, tok.piece(token), enc.starts_word[at]) == expected


def test_lookup_finds_the_mid_sentence_form(tok, kind):
    marker = {"wordpiece": "", "roberta": "Ġ", "modernbert": "Ġ", "xlmr": "▁", "albert": "▁"}[kind]
    cat = tok.token_to_id(marker + "cat")
    assert cat is not None
    assert tok.lookup("cat") == [cat] and tok.lookup(" cat ") == [cat]
    assert tok.lookup(marker + "cat") == [cat]  # the vocabulary entry as typed
    assert tok.lookup("[MASK]") == tok.lookup(tok.mask_token) == [tok.mask_id]
    assert tok.lookup("") == [] and tok.lookup("  ") == []
    pieces = tok.lookup("unbelievable")
    assert len(pieces) > 1
    assert "".join(tok.decode_word(tok.id_to_token(i)) for i in pieces) == "unbelievable"


def test_old_roberta_folder_with_vocab_json_and_merges(tmp_path):
    build("roberta").model.save(str(tmp_path))  # vocab.json + merges.txt, as roberta-base's first upload had
    (tmp_path / "tokenizer_config.json").write_text(json.dumps(tokenizer_config("roberta")))
    assert {p.name for p in tmp_path.iterdir()} == {"vocab.json", "merges.txt", "tokenizer_config.json"}
    old = TextTokenizer.from_folder(tmp_path)
    assert old.source.endswith("vocab.json")
    new_folder = tmp_path / "new"
    write_toy_tokenizer(new_folder, "roberta")
    new = TextTokenizer.from_folder(new_folder)
    for a, b in [(SENTENCE, None), ("the [MASK] sat.", "Café 😀")]:
        assert old.encode(a, b) == new.encode(a, b)


def test_sentencepiece_model_alone_is_a_clear_error(tmp_path):
    (tmp_path / "spiece.model").write_bytes(b"\x0a\x00")
    with pytest.raises(TokenizerError, match=r"SentencePiece model \(spiece\.model\).*tokenizer\.json"):
        TextTokenizer.from_folder(tmp_path)


def test_a_missing_special_token_is_a_clear_error(tmp_path):
    from tokenizers import Tokenizer, models, pre_tokenizers

    backend = Tokenizer(models.WordLevel({"the": 0, "cat": 1, "[UNK]": 2, "[CLS]": 3, "[SEP]": 4}, "[UNK]"))
    backend.pre_tokenizer = pre_tokenizers.Whitespace()
    backend.save(str(tmp_path / "tokenizer.json"))
    with pytest.raises(TokenizerError, match=r"has no pad token.*\[PAD\] nor <pad>"):
        TextTokenizer.from_folder(tmp_path)


def test_a_configured_special_token_that_is_not_in_the_vocabulary(folder, tmp_path):
    for name in ("tokenizer.json", "tokenizer_config.json"):
        shutil.copyfile(folder / name, tmp_path / name)
    config = json.loads((tmp_path / "tokenizer_config.json").read_text())
    config["mask_token"] = {"content": "<nope>", "lstrip": True}
    (tmp_path / "tokenizer_config.json").write_text(json.dumps(config))
    with pytest.raises(TokenizerError, match="mask token '<nope>'"):
        TextTokenizer.from_folder(tmp_path)


def test_special_tokens_map_is_read_too(folder, kind, tmp_path):
    shutil.copyfile(folder / "tokenizer.json", tmp_path / "tokenizer.json")
    cls, sep, pad, unk, mask = SPECIAL[kind]
    specials = {"cls_token": cls, "sep_token": sep, "pad_token": pad, "unk_token": unk, "mask_token": mask}
    (tmp_path / "special_tokens_map.json").write_text(json.dumps(specials))
    tok = TextTokenizer.from_folder(tmp_path)
    assert (tok.cls_token, tok.mask_token) == (cls, mask)


def test_truncation_keeps_the_template(tok, kind):
    small = TextTokenizer(build(kind).from_str(build(kind).to_str()), 16, "memory", _config_specials(kind))
    enc = small.encode(" ".join(["the cat sat"] * 20), "on the mat " * 10)
    assert enc.truncated and len(enc) == 16 and enc.original_length > 16
    assert enc.tokens[0] == SPECIAL[kind][0] and enc.tokens[-1] == SPECIAL[kind][1]
    assert 1 in enc.segments
