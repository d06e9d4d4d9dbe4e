"""Tokenizers for every BERT-family model, via ``tokenizers``: WordPiece (BERT, DistilBERT, ELECTRA), byte-level
BPE (RoBERTa, ModernBERT) and SentencePiece Unigram (XLM-R, ALBERT), with everything the app needs to map tokens
back to the text and to show them readably.

A folder's files are read as data, never run: ``tokenizer.json`` when present, else BERT's ``vocab.txt``, else
old RoBERTa folders' ``vocab.json`` + ``merges.txt``. The special tokens (cls/sep/pad/unk/mask) come from
``tokenizer_config.json`` / ``special_tokens_map.json``, then the post-processor's template, then the two
families' usual spellings (``[CLS]`` .. ``[MASK]``, ``<s>`` .. ``<mask>``) where the vocabulary has them.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from pathlib import Path

from bertviz_app.engine import validation
from bertviz_app.engine.errors import InputError, TokenizerError
from bertviz_app.engine.words import chinese_words

ROLES = ("pad", "unk", "cls", "sep", "mask")
# The spellings each role has in BERT-style and RoBERTa-style vocabularies, tried in this order.
DEFAULT_SPECIALS = {
    "pad": ("[PAD]", "<pad>"),
    "unk": ("[UNK]", "<unk>"),
    "cls": ("[CLS]", "<s>"),
    "sep": ("[SEP]", "</s>"),
    "mask": ("[MASK]", "<mask>"),
}
TYPED_MASK = "[MASK]"  # what a user types for a mask, in any case, whatever the model's own mask token is
# Lone UTF-16 surrogates (e.g. half an emoji pasted from a broken source) cannot be encoded; one character each
# becomes U+FFFD so offsets still index the typed text.
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")
_PROBE = "a"  # decoded before a token, so that the decoder shows whether the token brings a space
JOIN_MARK = "##"  # shown before a piece that continues the word before it (BERT's own notation)
SPACE_MARK = "␣"  # shown before a prediction that brings a space where the text has none
_VISIBLE_SPACE = {"\n": "⏎", "\r": "⏎", "\t": "⇥"}  # any other whitespace: SPACE_MARK
SENTENCEPIECE_FILES = ("spiece.model", "sentencepiece.bpe.model", "tokenizer.model")


@dataclass(frozen=True)
class Encoding:
    """One input (a sentence, or a pair) as the model sees it. All tuples have one entry per token.

    `tokens` are the tokenizer's own strings ("Ġparis", "▁paris", "##ing"); `display_tokens` the same tokens as a
    reader sees them ("paris", "##ing"; see TextTokenizer.display). Built by hand (tests, canned results), the
    last four fields may be left out and follow from the others.
    """

    tokens: tuple[str, ...]
    input_ids: tuple[int, ...]
    token_type_ids: tuple[int, ...]  # what the model gets: 0/1 for BERT's segments, all 0 for RoBERTa's pairs
    offsets: tuple[tuple[int, int], ...]  # character span in its own sentence as typed; (0, 0) for special tokens
    word_ids: tuple[int | None, ...]  # index of the word within its sentence; None for special tokens
    special: tuple[bool, ...]  # structural tokens the template added: [CLS], [SEP], <s>, </s>
    truncated: bool  # the input was longer than the model accepts and was cut
    original_length: int  # number of tokens before truncation
    segments: tuple[int, ...] = ()  # the sentence a token belongs to: 0 = A, 1 = B (a special: the one before it)
    typed_mask: tuple[bool, ...] = ()  # the mask token typed in the text ("[MASK]", "<mask>", any case)
    display_tokens: tuple[str, ...] = ()  # readable forms, for chips, axes and lists (never for --json/exports)
    starts_word: tuple[bool, ...] = ()  # a word placed here starts a new word (see TextTokenizer.display_prediction)
    unknown: tuple[bool, ...] = ()  # the model's unknown token ("[UNK]", "<unk>"): text its vocabulary cannot spell

    def __post_init__(self) -> None:
        defaults = {
            "segments": self.token_type_ids,
            "typed_mask": tuple(t == TYPED_MASK for t in self.tokens),
            "display_tokens": self.tokens,
            "starts_word": (True,) * len(self.tokens),
            "unknown": tuple(t == "[UNK]" for t in self.tokens),
        }
        for name, value in defaults.items():
            if not getattr(self, name):
                object.__setattr__(self, name, tuple(value))

    def __len__(self) -> int:
        return len(self.tokens)

    def word_key(self, position: int) -> tuple[int, int] | None:
        """(sentence, word) of a token, so pieces of one word can be found together."""
        w = self.word_ids[position]
        return None if w is None else (self.segments[position], w)

    def whole_word(self, position: int) -> list[int]:
        """All positions belonging to the same word as `position` (just `position` for special tokens)."""
        key = self.word_key(position)
        if key is None:
            return [position]
        return [i for i in range(len(self)) if self.word_key(i) == key]


@dataclass(frozen=True)
class Piece:
    """A vocabulary entry as it reads in text."""

    text: str  # what it spells, without markers: "Ġparis" -> "paris", "##ing" -> "ing"
    space: bool  # it starts a new word (a space before it; for WordPiece: not a "##" piece)
    complete: bool = True  # False for a byte-level piece holding only part of a character's bytes


@dataclass(frozen=True)
class _Typed:
    """A sentence as typed and as given to the backend: typed masks spelled as the model's mask token."""

    typed: str
    backend: str
    masks: tuple[tuple[int, int], ...]  # typed spans of the masks
    back: tuple[int, ...] | None = None  # backend index -> typed index (None: the same)

    def to_typed(self, i: int) -> int:
        return i if self.back is None else self.back[i]


class TextTokenizer:
    """One tokenizer for any BERT-family folder: loads tokenizer.json when present, else vocab.txt (+
    tokenizer_config.json), else vocab.json + merges.txt."""

    def __init__(self, backend, max_length: int, source: str, configured: dict[str, str] | None = None):
        from tokenizers import AddedToken

        self._tok = backend
        self._tok.no_truncation()
        self._tok.no_padding()
        self.max_length = max_length
        self.source = source
        vocab = self._tok.get_vocab()
        self.vocab_size = self._tok.get_vocab_size()
        self.largest_id = max(vocab.values())
        self._id_to_token = [""] * (self.largest_id + 1)
        for token, i in vocab.items():
            self._id_to_token[i] = token
        self.byte_level = "ByteLevel" in _state(self._tok.decoder) or "ByteLevel" in _state(self._tok.pre_tokenizer)
        self.wordpiece = type(self._tok.model).__name__ == "WordPiece"
        tokens = _resolve_specials(vocab, configured or {}, _template_specials(self._tok.post_processor), source)
        self.pad_token, self.unk_token, self.cls_token, self.sep_token, self.mask_token = (tokens[r] for r in ROLES)
        self.pad_id, self.unk_id, self.cls_id, self.sep_id, self.mask_id = (vocab[tokens[r]] for r in ROLES)
        # Every special token must be one token when typed; the mask absorbs the space before it where words carry
        # their space (RoBERTa's "<mask>" with lstrip), so "the <mask>" asks for "Ġword", as in pre-training.
        added = {t.content for t in self._tok.get_added_tokens_decoder().values()}
        missing = [tokens[r] for r in ROLES if tokens[r] not in added]
        if missing:
            absorbs_space = not self.wordpiece  # a mask token of a byte-level or SentencePiece vocabulary
            self._tok.add_special_tokens(
                [
                    AddedToken(t, special=True, normalized=False, lstrip=absorbs_space and t == self.mask_token)
                    for t in missing
                ]
            )
        if self._tok.post_processor is None:
            self._tok.post_processor = _default_template(self.cls_token, self.cls_id, self.sep_token, self.sep_id)
        self.special_tokens = frozenset(tokens.values()) | {
            t.content for t in self._tok.get_added_tokens_decoder().values() if t.special
        }
        forms = {TYPED_MASK.lower(), self.mask_token.lower()}
        self._typed_mask = re.compile("|".join(re.escape(f) for f in sorted(forms, key=len, reverse=True)), re.I)
        self._pieces: dict[str, Piece] = {}
        self._first_word_space = self._first_word_has_space()

    # ---- loading --------------------------------------------------------------------------------------------
    @classmethod
    def from_folder(cls, folder: str | Path, max_length: int = 512) -> TextTokenizer:
        from tokenizers import Tokenizer

        folder = Path(folder)
        config = _read_json(folder / "tokenizer_config.json")
        configured = _configured_specials(config)
        for role, token in _configured_specials(_read_json(folder / "special_tokens_map.json")).items():
            configured.setdefault(role, token)
        model_max = config.get("model_max_length")
        if isinstance(model_max, int) and 0 < model_max < max_length:
            max_length = model_max
        if (folder / "tokenizer.json").exists():
            validation.regular_file(folder / "tokenizer.json", TokenizerError)
            try:
                backend = Tokenizer.from_file(str(folder / "tokenizer.json"))
            except Exception as exc:
                raise TokenizerError(f"{folder / 'tokenizer.json'} cannot be read ({exc})") from None
            return cls(backend, max_length, str(folder / "tokenizer.json"), configured)
        if (folder / "vocab.txt").exists():
            validation.regular_file(folder / "vocab.txt", TokenizerError)
            lowercase = bool(config.get("do_lower_case", True))
            backend = _wordpiece_from_vocab(folder / "vocab.txt", lowercase, config.get("strip_accents"))
            return cls(backend, max_length, str(folder / "vocab.txt"), configured)
        if (folder / "vocab.json").exists() and (folder / "merges.txt").exists():
            for name in ("vocab.json", "merges.txt"):
                validation.regular_file(folder / name, TokenizerError)
            backend = _byte_bpe_from_files(folder, bool(config.get("add_prefix_space", False)))
            return cls(backend, max_length, str(folder / "vocab.json"), configured)
        sentencepiece = [name for name in SENTENCEPIECE_FILES if (folder / name).exists()]
        if sentencepiece:
            raise TokenizerError(
                f"{folder} has only a SentencePiece model ({sentencepiece[0]}); BERT Explorer reads tokenizer.json "
                "(the Hugging Face Hub has one for this model: download it next to the weights)"
            )
        raise TokenizerError(f"no tokenizer in {folder}: expected tokenizer.json, vocab.txt or vocab.json + merges.txt")

    # ---- vocabulary -----------------------------------------------------------------------------------------
    def id_to_token(self, token_id: int) -> str:
        return self._id_to_token[token_id] if 0 <= token_id < len(self._id_to_token) else self.unk_token

    def token_to_id(self, token: str) -> int | None:
        return self._tok.token_to_id(token)

    def lookup(self, word: str) -> list[int]:
        """The ids `word` stands for, without the template's specials: one id for a vocabulary entry typed as it
        stands ("##ing", "Ġparis", "[MASK]"), or for a word that is one entry where it starts a word mid-sentence
        ("paris" -> "Ġparis" for RoBERTa); else the pieces the tokenizer makes of it there. [] for no word."""
        word = (word or "").strip()
        if not word:
            return []
        exact = self.token_to_id(word)
        marked = word if self.wordpiece else ("Ġ" + _to_byte_chars(word) if self.byte_level else "▁" + word)
        mid_sentence = self.token_to_id(marked)
        if exact is not None and (word in self.special_tokens or mid_sentence is None or word != self.piece(word).text):
            return [exact]
        if mid_sentence is not None:
            return [mid_sentence]
        probe = self.encode(f"{_PROBE} {word}")
        first_word = probe.word_ids[1]  # the probe's own piece(s): dropped
        return [i for i, w, s in zip(probe.input_ids, probe.word_ids, probe.special) if not s and w != first_word]

    # ---- readable forms -------------------------------------------------------------------------------------
    def piece(self, token: str) -> Piece:
        """How a vocabulary entry reads, as the tokenizer's own decoder spells it after another word."""
        cached = self._pieces.get(token)
        if cached is not None:
            return cached
        if token in self.special_tokens:
            piece = Piece(token, True)
        elif self._tok.decoder is None:
            piece = _piece_by_marker(token, self.wordpiece)
        else:
            spelled = self._tok.decoder.decode([_PROBE, token])
            rest = spelled[len(_PROBE) :] if spelled.startswith(_PROBE) else spelled
            complete = not ("\ufffd" in rest and "\ufffd" not in token)
            space = rest.startswith(" ")
            piece = Piece(rest[1:] if space else rest, space, complete)
        self._pieces[token] = piece
        return piece

    def decode_word(self, token: str) -> str:
        """A vocabulary entry as it would read in text: '##ing' -> 'ing', 'Ġparis' -> 'paris'."""
        return self.piece(token).text

    def display(self, token: str) -> str:
        """A vocabulary entry readably, on its own (a prediction list without context): no Ġ/▁, bytes decoded,
        whitespace made visible, a piece of a character's bytes as <0x..>."""
        p = self.piece(token)
        if not p.complete:
            return _byte_form(token) if self.byte_level else token
        if p.text and not p.text.isspace():
            return _visible(p.text)
        return "".join(_VISIBLE_SPACE.get(c, SPACE_MARK) for c in p.text or " ")

    def display_prediction(self, token: str, encoding: Encoding, position: int) -> str:
        """A prediction for the token at `position` readably, marked only where its spacing differs from what the
        text has there: SPACE_MARK when it brings a space the text has not ("un[MASK]" -> "␣paris"), JOIN_MARK
        when it would glue onto the word before ("the [MASK]" -> "##ing")."""
        text = self.display(token)
        p = self.piece(token)
        if token in self.special_tokens or not p.complete:
            return text
        at_start = position == 0 or encoding.special[position - 1] or encoding.offsets[position][0] == 0
        if p.space and not encoding.starts_word[position] and not at_start:
            return SPACE_MARK + text
        if not p.space and not at_start and text[:1].isalnum():
            return JOIN_MARK + text
        return text

    # ---- encoding -------------------------------------------------------------------------------------------
    def encode(self, text: str, text_b: str | None = None) -> Encoding:
        """Tokenize one sentence (or a pair), truncating to the model's maximum length and saying so. A typed
        "[MASK]" (any case; also the model's own mask token, e.g. "<mask>") becomes the model's mask token, and
        offsets index the text as typed."""
        if not (text or "").strip():
            raise InputError("the sentence is empty; type some text first")
        a = self._typed(text)
        b = self._typed(text_b) if text_b else None
        enc = self._tok.encode(a.backend, b.backend) if b else self._tok.encode(a.backend)
        original_length = len(enc.ids)
        truncated = original_length > self.max_length
        if truncated:
            self._tok.enable_truncation(self.max_length, strategy="longest_first")
            try:
                enc = self._tok.encode(a.backend, b.backend) if b else self._tok.encode(a.backend)
            finally:
                self._tok.no_truncation()
        return self._to_encoding(enc, (a, b), truncated, original_length)

    def _typed(self, text: str) -> _Typed:
        typed = _LONE_SURROGATE.sub("\ufffd", text)
        masks = tuple(m.span() for m in self._typed_mask.finditer(typed))
        backend = self._typed_mask.sub(self.mask_token, typed)
        if len(backend) == len(typed):
            return _Typed(typed, backend, masks)
        back, pos = [], 0  # the mask token is longer or shorter than what was typed: map its characters back
        for start, end in masks:
            back.extend(range(pos, start))
            back.extend([start] * len(self.mask_token))
            pos = end
        back.extend(range(pos, len(typed) + 1))
        return _Typed(typed, backend, masks, tuple(back))

    def _to_encoding(self, enc, sentences, truncated: bool, original_length: int) -> Encoding:
        ids = tuple(enc.ids)  # each read of a `tokenizers` Encoding's field builds a new list: read each once
        tokens = tuple(self.id_to_token(i) for i in ids)
        segments, offsets, word_ids, special, typed_mask, starts = [], [], [], [], [], []
        segment = 0
        for i, (seq, (start, end), word) in enumerate(zip(enc.sequence_ids, enc.offsets, enc.word_ids)):
            structural = seq is None
            segment = segment if structural else seq
            sentence = sentences[segment] or sentences[0]
            start, end = sentence.to_typed(start), sentence.to_typed(end)
            is_mask = not structural and ids[i] == self.mask_id
            if is_mask:  # the typed span itself, without the space the mask token absorbed
                start, end = next(((s, e) for s, e in sentence.masks if s < end and start < e), (start, end))
            elif not structural:
                start, end = _trim_span(sentence.typed, start, end)
            segments.append(segment)
            offsets.append((0, 0) if structural else (start, end))
            word_ids.append(None if structural else word)
            special.append(structural)
            typed_mask.append(is_mask)
            if is_mask:
                starts.append(self._word_starts_at(sentence.typed, start))
            else:
                starts.append(structural or self.piece(tokens[i]).space)
        word_ids = _with_chinese_words(word_ids, offsets, segments, sentences)
        display = self._display_tokens(tokens, offsets, word_ids, segments, special, typed_mask, sentences)
        return Encoding(
            tokens=tokens,
            input_ids=ids,
            token_type_ids=tuple(enc.type_ids),
            offsets=tuple(offsets),
            word_ids=tuple(word_ids),
            special=tuple(special),
            truncated=truncated,
            original_length=original_length,
            segments=tuple(segments),
            typed_mask=tuple(typed_mask),
            display_tokens=display,
            starts_word=tuple(starts),
            unknown=tuple(i == self.unk_id for i in ids),
        )

    def _display_tokens(self, tokens, offsets, word_ids, segments, special, typed_mask, sentences) -> tuple[str, ...]:
        out = []
        for i, token in enumerate(tokens):
            if special[i] or typed_mask[i] or token in self.special_tokens:
                out.append(token)
                continue
            p = self.piece(token)
            start, end = offsets[i]
            if p.complete:
                text = self.display(token)
            else:  # part of a character's bytes: show the character it belongs to
                text = self._partial_display(token, (sentences[segments[i]] or sentences[0]).typed[start:end])
            continues = (
                i > 0
                and not special[i - 1]
                and word_ids[i] is not None
                and word_ids[i] == word_ids[i - 1]
                and segments[i] == segments[i - 1]
                and not p.space
                and offsets[i] != offsets[i - 1]  # not another byte of the same character
                and text[:1].isalnum()
                and out[i - 1][-1:].isalnum()
            )
            out.append(JOIN_MARK + text if continues else text)
        return tuple(out)

    def _partial_display(self, token: str, covered: str) -> str:
        """A byte-level piece holding part of a character: its whole characters, and the character whose first
        byte it holds ("ĠnaÃ" -> "naï"); a piece of nothing but a character's later bytes shows that character."""
        text = ""
        if self.byte_level:
            raw = bytes(_CHAR_TO_BYTE[c] for c in token if c in _CHAR_TO_BYTE)
            raw = raw.lstrip(bytes(range(0x80, 0xC0)))  # the end of the previous piece's character
            text = raw.decode("utf-8", errors="ignore")
            if text.encode("utf-8") != raw and covered:
                text += covered[-1]  # the character this piece starts
            text = text.strip()
        return text or covered.strip() or self.display(token)

    def _word_starts_at(self, text: str, start: int) -> bool:
        """Whether a word put at `start` of `text` starts a new word, as this tokenizer's pieces see it."""
        if start == 0 or not text[:start].strip():
            return self._first_word_space
        before = text[start - 1]
        if before.isspace():
            return True
        return self.wordpiece and not before.isalnum()  # BERT splits at punctuation: a word after it is new

    def _first_word_has_space(self) -> bool:
        """Whether the first word of a text is a word-start piece (BERT, SentencePiece) or not (RoBERTa: 'The')."""
        enc = self._tok.encode("the")
        first = next((self.id_to_token(i) for i, s in zip(enc.ids, enc.sequence_ids) if s is not None), None)
        return True if first is None else self.piece(first).space


BertTokenizer = TextTokenizer  # the name the loader and training still use


# ---- helpers ----------------------------------------------------------------------------------------------------
def _state(component) -> str:
    """The JSON a `tokenizers` component serialises to ('' for None): how to tell its kind and settings."""
    if component is None:
        return ""
    try:
        state = component.__getstate__()
    except Exception:
        return ""
    return state.decode("utf-8", "replace") if isinstance(state, bytes) else str(state)


def _read_json(path: Path) -> dict:
    if not os.path.lexists(path):
        return {}
    return validation.read_json_object(path, TokenizerError)  # a FIFO, deep nesting, a list: one clear error


def _configured_specials(config: dict) -> dict[str, str]:
    """{role: token} from tokenizer_config.json / special_tokens_map.json ("mask_token": "<mask>" or
    {"content": "<mask>", ...})."""
    out = {}
    for role in ROLES:
        value = config.get(f"{role}_token")
        if isinstance(value, dict):
            value = value.get("content")
        if isinstance(value, str) and value:
            out[role] = value
    return out


def _template_specials(post_processor) -> dict[str, str]:
    """{"cls": ..., "sep": ...} from a post-processor: RoBERTa/BERT processing, or a template "[CLS] $A [SEP]"."""
    state = _state(post_processor)
    if not state:
        return {}
    try:
        data = json.loads(state)
    except ValueError:
        return {}
    stack, found = [data], {}
    while stack:
        proc = stack.pop()
        if not isinstance(proc, dict):
            continue
        stack.extend(proc.get("processors") or [])
        if isinstance(proc.get("cls"), list) and isinstance(proc.get("sep"), list):
            found.setdefault("cls", proc["cls"][0])
            found.setdefault("sep", proc["sep"][0])
        single = proc.get("single")
        if isinstance(single, list):
            pieces = [p.get("SpecialToken", {}).get("id") if "SpecialToken" in p else "$" for p in single]
            if "$" in pieces:
                at = pieces.index("$")
                if at > 0 and pieces[at - 1]:
                    found.setdefault("cls", pieces[at - 1])
                if at + 1 < len(pieces) and pieces[at + 1]:
                    found.setdefault("sep", pieces[at + 1])
    return found


def _resolve_specials(vocab: dict[str, int], configured: dict[str, str], template: dict[str, str], source: str):
    tokens = {}
    for role in ROLES:
        named = configured.get(role) or template.get(role)
        if named is not None:
            if named not in vocab:
                raise TokenizerError(
                    f"{source}: the {role} token {named!r} that its configuration names is not in the vocabulary"
                )
            tokens[role] = named
            continue
        found = next((t for t in DEFAULT_SPECIALS[role] if t in vocab), None)
        if found is None:
            raise TokenizerError(
                f"{source} has no {role} token: no tokenizer_config.json names one and the vocabulary has neither "
                + " nor ".join(DEFAULT_SPECIALS[role])
            )
        tokens[role] = found
    return tokens


def _default_template(cls_token: str, cls_id: int, sep_token: str, sep_id: int):
    """A post-processor for a tokenizer.json without one: RoBERTa's "<s> A </s></s> B </s>" where the specials
    are spelled that way, else BERT's "[CLS] A [SEP] B [SEP]" with B in segment 1."""
    from tokenizers import processors

    if cls_token == "<s>":
        return processors.RobertaProcessing((sep_token, sep_id), (cls_token, cls_id))
    return processors.TemplateProcessing(
        single=f"{cls_token} $A {sep_token}",
        pair=f"{cls_token} $A {sep_token} $B:1 {sep_token}:1",
        special_tokens=[(cls_token, cls_id), (sep_token, sep_id)],
    )


def _with_chinese_words(word_ids: list, offsets: list, segments: list, sentences) -> list:
    """Word ids where the tokens of one Chinese word share theirs: BERT's tokenizers make every Han character a
    word of its own, jieba knows that 北京 is one (engine/words.py). Sentences without Chinese keep their ids."""
    word_of = {}  # sentence -> {character index: start of the Chinese word holding it}
    for seg, sentence in enumerate(sentences):
        if sentence is not None:
            spans = chinese_words(sentence.typed)
            if spans:
                word_of[seg] = {c: start for start, end in spans for c in range(start, end)}
    if not word_of:
        return word_ids
    out, count, prev = list(word_ids), {}, None
    for i, word in enumerate(word_ids):
        seg = segments[i]
        if word is None or seg not in word_of:
            prev = None if word is None else prev
            continue
        chinese = word_of[seg]
        same = (
            prev is not None
            and segments[prev] == seg
            and (
                word == word_ids[prev]
                or chinese.get(offsets[i][0], -1) == chinese.get(offsets[prev][1] - 1, -2)  # one jieba word
            )
        )
        if not same:
            count[seg] = count.get(seg, -1) + 1
        out[i] = count[seg]
        prev = i
    return out


def _visible(text: str) -> str:
    """Text with its invisible characters (control codes, zero-width marks) spelled out: "\x0f" -> "<0x0F>"."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else f"<0x{ord(c):02X}>" if ord(c) < 256 else f"<U+{ord(c):04X}>" for c in text)


def _trim_span(text: str, start: int, end: int) -> tuple[int, int]:
    """A token's span without the space it carries ("Ġcat" / "▁cat" may cover " cat"); whitespace-only tokens
    keep theirs."""
    s, e = start, end
    while s < e and text[s].isspace():
        s += 1
    while e > s and text[e - 1].isspace():
        e -= 1
    return (s, e) if s < e else (start, end)


def _piece_by_marker(token: str, wordpiece: bool) -> Piece:
    """A piece read by its marker, for a tokenizer.json without a decoder."""
    if wordpiece:
        return Piece(token[2:], False) if token.startswith("##") else Piece(token, True)
    if token[:1] in ("Ġ", "▁"):
        return Piece(token[1:], True)
    return Piece(token, False)


def _byte_table() -> dict[int, str]:
    """GPT-2's byte -> printable character table, which byte-level BPE vocabularies are written in."""
    printable = [*range(ord("!"), ord("~") + 1), *range(ord("¡"), ord("¬") + 1), *range(ord("®"), ord("ÿ") + 1)]
    table, extra = {}, 0
    for b in range(256):
        if b in printable:
            table[b] = chr(b)
        else:
            table[b] = chr(256 + extra)
            extra += 1
    return table


_BYTE_TO_CHAR = _byte_table()
_CHAR_TO_BYTE = {c: b for b, c in _BYTE_TO_CHAR.items()}


def _to_byte_chars(text: str) -> str:
    return "".join(_BYTE_TO_CHAR[b] for b in text.encode("utf-8"))


def _byte_form(token: str) -> str:
    """A byte-level piece that is part of a character: its bytes, as SentencePiece writes byte pieces."""
    return "".join(f"<0x{_CHAR_TO_BYTE[c]:02X}>" if c in _CHAR_TO_BYTE else c for c in token)


def _wordpiece_from_vocab(vocab_path: Path, lowercase: bool, strip_accents):
    from tokenizers import Tokenizer, decoders, normalizers, pre_tokenizers
    from tokenizers.models import WordPiece

    try:
        vocab = {}
        for i, line in enumerate(vocab_path.read_text(encoding="utf-8").splitlines()):
            vocab.setdefault(line.rstrip("\n"), i)
    except (OSError, UnicodeDecodeError) as exc:
        raise TokenizerError(f"{vocab_path} cannot be read ({exc})") from None
    unk = next((t for t in DEFAULT_SPECIALS["unk"] if t in vocab), "[UNK]")
    tok = Tokenizer(WordPiece(vocab, unk_token=unk, max_input_chars_per_word=100))
    tok.normalizer = normalizers.BertNormalizer(
        clean_text=True, handle_chinese_chars=True, strip_accents=strip_accents, lowercase=lowercase
    )
    tok.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    tok.decoder = decoders.WordPiece(prefix="##")
    return tok  # the specials and the "[CLS] A [SEP]" template are added by TextTokenizer


def _byte_bpe_from_files(folder: Path, add_prefix_space: bool):
    """Old RoBERTa folders: vocab.json + merges.txt, byte-level BPE."""
    from tokenizers import Tokenizer, decoders, pre_tokenizers
    from tokenizers.models import BPE

    try:
        model = BPE.from_file(str(folder / "vocab.json"), str(folder / "merges.txt"))
    except Exception as exc:
        raise TokenizerError(f"{folder / 'vocab.json'} and merges.txt cannot be read ({exc})") from None
    tok = Tokenizer(model)
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=add_prefix_space)
    tok.decoder = decoders.ByteLevel()
    return tok  # RoBERTa's template is added by TextTokenizer
