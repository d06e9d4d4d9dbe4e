"""WordPiece tokenization via ``tokenizers``, with everything the app needs to map tokens back to text."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from bertviz_app.engine.errors import InputError, TokenizerError

SPECIAL_TOKENS = ("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]")
# Same length as "[MASK]" on purpose: offsets into the normalised text stay offsets into the typed text.
_MASK_TYPED = re.compile(r"\[mask\]", re.IGNORECASE)
# Lone UTF-16 surrogates (e.g. half an emoji pasted from a broken source) cannot be encoded; one character each
# becomes U+FFFD so offsets still index the typed text.
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


@dataclass(frozen=True)
class Encoding:
    """One input (a sentence, or a pair) as the model sees it. All tuples have one entry per token."""

    tokens: tuple[str, ...]
    input_ids: tuple[int, ...]
    token_type_ids: tuple[int, ...]  # 0 for sentence A (and [CLS]), 1 for sentence B
    offsets: tuple[tuple[int, int], ...]  # character span in its own sentence; (0, 0) for special tokens
    word_ids: tuple[int | None, ...]  # index of the word within its sentence; None for special tokens
    special: tuple[bool, ...]  # [CLS], [SEP], [PAD]
    truncated: bool  # the input was longer than the model accepts and was cut
    original_length: int  # number of tokens before truncation

    def __len__(self) -> int:
        return len(self.tokens)

    def word_key(self, position: int) -> tuple[int, int] | None:
        """(segment, word) of a token, so pieces of one word can be found together."""
        w = self.word_ids[position]
        return None if w is None else (self.token_type_ids[position], w)

    def whole_word(self, position: int) -> list[int]:
        """All positions belonging to the same word as `position` (just `position` for special tokens)."""
        key = self.word_key(position)
        if key is None:
            return [position]
        return [i for i in range(len(self)) if self.word_key(i) == key]


def normalize_typed_masks(text: str) -> str:
    """'[mask]' or '[Mask]' typed by a user becomes the mask token (special tokens are case-sensitive)."""
    return _MASK_TYPED.sub("[MASK]", _LONE_SURROGATE.sub("\ufffd", text))


class BertTokenizer:
    """Loads tokenizer.json when present, else vocab.txt + tokenizer_config.json."""

    def __init__(self, backend, max_length: int, source: str):
        from tokenizers import Tokenizer  # noqa: F401  (import check: a clear error if missing)

        self._tok = backend
        self._tok.no_truncation()
        self._tok.no_padding()
        self.max_length = max_length
        self.source = source
        vocab = self._tok.get_vocab()
        missing = [t for t in SPECIAL_TOKENS if t not in vocab]
        if missing:
            raise TokenizerError(f"the vocabulary of {source} lacks the special tokens {', '.join(missing)}")
        self.pad_id, self.unk_id, self.cls_id, self.sep_id, self.mask_id = (vocab[t] for t in SPECIAL_TOKENS)
        self.vocab_size = self._tok.get_vocab_size()
        self._id_to_token = [""] * (max(vocab.values()) + 1)
        for token, i in vocab.items():
            self._id_to_token[i] = token

    @classmethod
    def from_folder(cls, folder: str | Path, max_length: int = 512) -> BertTokenizer:
        from tokenizers import Tokenizer

        folder = Path(folder)
        config = {}
        config_path = folder / "tokenizer_config.json"
        if config_path.exists():
            try:
                config = json.loads(config_path.read_text(encoding="utf-8"))
            except (OSError, ValueError) as exc:
                raise TokenizerError(f"{config_path} is not readable JSON ({exc})") from None
        model_max = config.get("model_max_length")
        if isinstance(model_max, int) and 0 < model_max < max_length:
            max_length = model_max
        if (folder / "tokenizer.json").exists():
            try:
                backend = Tokenizer.from_file(str(folder / "tokenizer.json"))
            except Exception as exc:
                raise TokenizerError(f"{folder / 'tokenizer.json'} cannot be read ({exc})") from None
            return cls(backend, max_length, str(folder / "tokenizer.json"))
        if (folder / "vocab.txt").exists():
            lowercase = bool(config.get("do_lower_case", True))
            strip_accents = config.get("strip_accents")
            backend = _wordpiece_from_vocab(folder / "vocab.txt", lowercase, strip_accents)
            return cls(backend, max_length, str(folder / "vocab.txt"))
        raise TokenizerError(f"no tokenizer in {folder}: expected tokenizer.json or vocab.txt")

    def id_to_token(self, token_id: int) -> str:
        return self._id_to_token[token_id] if 0 <= token_id < len(self._id_to_token) else "[UNK]"

    def token_to_id(self, token: str) -> int | None:
        return self._tok.token_to_id(token)

    def decode_word(self, token: str) -> str:
        """A vocabulary entry as it would read in text: '##ing' -> 'ing'."""
        return token[2:] if token.startswith("##") else token

    def encode(self, text: str, text_b: str | None = None) -> Encoding:
        """Tokenize one sentence (or a pair), truncating to the model's maximum length and saying so."""
        text = normalize_typed_masks(text or "")
        text_b = normalize_typed_masks(text_b) if text_b else None
        if not text.strip():
            raise InputError("the sentence is empty; type some text first")
        enc = self._tok.encode(text, text_b) if text_b else self._tok.encode(text)
        original_length = len(enc.ids)
        truncated = original_length > self.max_length
        if truncated:
            self._tok.enable_truncation(self.max_length, strategy="longest_first")
            try:
                enc = self._tok.encode(text, text_b) if text_b else self._tok.encode(text)
            finally:
                self._tok.no_truncation()
        return _to_encoding(enc, truncated, original_length)


def _to_encoding(enc, truncated: bool, original_length: int) -> Encoding:
    special = tuple(bool(m) for m in enc.special_tokens_mask)
    word_ids = tuple(None if s else w for w, s in zip(enc.word_ids, special))
    offsets = tuple((0, 0) if s else (int(a), int(b)) for (a, b), s in zip(enc.offsets, special))
    # The typed [MASK] is an added special token; it is the user's token, not a structural one.
    special = tuple(s and t != "[MASK]" for s, t in zip(special, enc.tokens))
    return Encoding(
        tokens=tuple(enc.tokens),
        input_ids=tuple(enc.ids),
        token_type_ids=tuple(enc.type_ids),
        offsets=offsets,
        word_ids=word_ids,
        special=special,
        truncated=truncated,
        original_length=original_length,
    )


def _wordpiece_from_vocab(vocab_path: Path, lowercase: bool, strip_accents):
    from tokenizers import Tokenizer, decoders, normalizers, pre_tokenizers, processors
    from tokenizers.models import WordPiece

    try:
        vocab = {}
        for i, line in enumerate(vocab_path.read_text(encoding="utf-8").splitlines()):
            vocab.setdefault(line.rstrip("\n"), i)
    except (OSError, UnicodeDecodeError) as exc:
        raise TokenizerError(f"{vocab_path} cannot be read ({exc})") from None
    tok = Tokenizer(WordPiece(vocab, unk_token="[UNK]", max_input_chars_per_word=100))
    tok.normalizer = normalizers.BertNormalizer(
        clean_text=True, handle_chinese_chars=True, strip_accents=strip_accents, lowercase=lowercase
    )
    tok.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    tok.decoder = decoders.WordPiece(prefix="##")
    present = [t for t in SPECIAL_TOKENS if t in vocab]
    tok.add_special_tokens(present)
    if "[CLS]" in vocab and "[SEP]" in vocab:
        tok.post_processor = processors.TemplateProcessing(
            single="[CLS] $A [SEP]",
            pair="[CLS] $A [SEP] $B:1 [SEP]:1",
            special_tokens=[("[CLS]", vocab["[CLS]"]), ("[SEP]", vocab["[SEP]"])],
        )
    return tok
