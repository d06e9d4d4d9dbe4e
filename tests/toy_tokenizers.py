"""Tiny tokenizers of every kind the model families use, built in memory with `tokenizers` (no network) and written
as the Hub writes them: tokenizer.json + tokenizer_config.json.

    wordpiece   BERT / DistilBERT / ELECTRA: WordPiece, "[CLS] A [SEP] B [SEP]" with B in segment 1
    roberta     byte-level BPE ("Ġ"), "<s> A </s></s> B </s>" (one token type), "<mask>" absorbing the space before it
    modernbert  byte-level BPE with BERT's specials ("[CLS]", "[MASK]"), one token type
    xlmr        SentencePiece Unigram ("▁"), RoBERTa's specials and template
    albert      SentencePiece Unigram ("▁"), lower-cased, "<pad>"/"<unk>" with "[CLS]"/"[SEP]"/"[MASK]"

`write_toy_tokenizer(folder, kind)` returns the vocabulary size, for a toy model of the same family.
"""

from __future__ import annotations

import json
import unicodedata
from functools import cache
from pathlib import Path

from conftest import SPECIALS, toy_vocab

KINDS = ("wordpiece", "roberta", "modernbert", "xlmr", "albert")

CORPUS = [
    "The cat sat on the mat and looked at the bird.",
    "Paris is the capital of France, and Berlin is the capital of Germany.",
    "Unbelievably, she ran to the bank of the river to get some money!",
    "Tokenization is fun: words are split into pieces, and pieces are joined into words.",
    "He walked to the store and bought a cup of coffee; they drank tea.",
    "The keys to the cabinet are on the table. Who opened the door?",
    "Café, naïve and résumé are words with accents.",
    "She is happy, he was sad, we are walking and they walked.",
]
ROBERTA_SPECIALS = ["<s>", "<pad>", "</s>", "<unk>", "<mask>"]
ALBERT_SPECIALS = ["<pad>", "<unk>", "[CLS]", "[SEP]", "[MASK]"]
MODERNBERT_SPECIALS = ["[UNK]", "[CLS]", "[SEP]", "[PAD]", "[MASK]", "<|endoftext|>"]


def unigram_vocab(specials: list[str], cased: bool) -> list[tuple[str, float]]:
    """A SentencePiece vocabulary written out (training one is not deterministic): whole words after "▁" are
    likelier than pieces, pieces than single characters, so common words stay whole and others split."""
    words = {w.strip(".,;:!?") for line in CORPUS for w in line.split()} | set(toy_vocab()[5:])
    words = {_uncased(w) if not cased else w for w in words if w.isalpha()}
    pieces = ["ing", "ed", "s", "ly", "er", "able", "believ", "un", "ation", "ize", "iz", "ken", "ve"]
    chars = sorted({c for line in CORPUS for c in (line if cased else _uncased(line))} - {" ", *pieces})
    vocab = [(t, 0.0) for t in specials]
    vocab += [("▁" + w, -5.0 - 0.01 * len(w)) for w in sorted(words)]
    vocab += [(p, -8.0) for p in pieces] + [("▁", -6.0)] + [(c, -10.0) for c in chars]
    return vocab


def _uncased(text: str) -> str:
    """What ALBERT's normaliser does: lower case, accents stripped."""
    return "".join(c for c in unicodedata.normalize("NFKD", text.lower()) if not unicodedata.combining(c))


def _added_token(content: str, lstrip: bool = False) -> dict:
    return {"__type": "AddedToken", "content": content, "lstrip": lstrip, "normalized": False, "rstrip": False}


@cache
def build(kind: str):
    """The `tokenizers.Tokenizer` of that kind (the same object on each call: copy it before changing it)."""
    from tokenizers import AddedToken, Tokenizer, decoders, models, normalizers, pre_tokenizers, processors, trainers

    if kind == "wordpiece":
        vocab = {t: i for i, t in enumerate(toy_vocab())}
        tok = Tokenizer(models.WordPiece(vocab, unk_token="[UNK]"))
        tok.normalizer = normalizers.BertNormalizer(lowercase=True)
        tok.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
        tok.decoder = decoders.WordPiece()
        tok.add_special_tokens(SPECIALS)
        tok.post_processor = processors.TemplateProcessing(
            single="[CLS] $A [SEP]",
            pair="[CLS] $A [SEP] $B:1 [SEP]:1",
            special_tokens=[("[CLS]", vocab["[CLS]"]), ("[SEP]", vocab["[SEP]"])],
        )
        return tok
    if kind in ("roberta", "modernbert"):
        specials = ROBERTA_SPECIALS if kind == "roberta" else MODERNBERT_SPECIALS
        tok = Tokenizer(models.BPE())
        tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
        tok.decoder = decoders.ByteLevel()
        trainer = trainers.BpeTrainer(
            vocab_size=420,
            special_tokens=specials,
            initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
            show_progress=False,
        )
        tok.train_from_iterator(CORPUS, trainer)
        if kind == "roberta":
            tok.post_processor = processors.RobertaProcessing(
                ("</s>", tok.token_to_id("</s>")), ("<s>", tok.token_to_id("<s>"))
            )
        else:
            cls_id, sep_id = tok.token_to_id("[CLS]"), tok.token_to_id("[SEP]")
            tok.post_processor = processors.TemplateProcessing(
                single="[CLS]:0 $A:0 [SEP]:0",
                pair="[CLS]:0 $A:0 [SEP]:0 $B:0 [SEP]:0",
                special_tokens=[("[CLS]", cls_id), ("[SEP]", sep_id)],
            )
        mask = "<mask>" if kind == "roberta" else "[MASK]"
        tok.add_special_tokens([AddedToken(mask, lstrip=True, normalized=False, special=True)])
        return tok
    if kind in ("xlmr", "albert"):
        specials = ROBERTA_SPECIALS if kind == "xlmr" else ALBERT_SPECIALS
        tok = Tokenizer(models.Unigram(unigram_vocab(specials, cased=kind == "xlmr"), unk_id=specials.index("<unk>")))
        if kind == "xlmr":
            tok.normalizer = normalizers.NFKC()
        else:
            tok.normalizer = normalizers.Sequence(
                [
                    normalizers.Replace("``", '"'),
                    normalizers.Replace("''", '"'),
                    normalizers.NFKD(),
                    normalizers.StripAccents(),
                    normalizers.Lowercase(),
                ]
            )
        tok.pre_tokenizer = pre_tokenizers.Metaspace()
        tok.decoder = decoders.Metaspace()
        cls_token, sep_token, mask = ("<s>", "</s>", "<mask>") if kind == "xlmr" else ("[CLS]", "[SEP]", "[MASK]")
        cls_id, sep_id = tok.token_to_id(cls_token), tok.token_to_id(sep_token)
        if kind == "xlmr":
            pair = f"{cls_token} $A {sep_token} {sep_token} $B {sep_token}"
        else:
            pair = f"{cls_token}:0 $A:0 {sep_token}:0 $B:1 {sep_token}:1"
        tok.post_processor = processors.TemplateProcessing(
            single=f"{cls_token} $A {sep_token}", pair=pair, special_tokens=[(cls_token, cls_id), (sep_token, sep_id)]
        )
        tok.add_special_tokens([AddedToken(mask, lstrip=True, normalized=False, special=True)])
        return tok
    raise ValueError(f"unknown tokenizer kind {kind!r}; one of {KINDS}")


def tokenizer_config(kind: str) -> dict:
    """tokenizer_config.json as the Hub has it for that family (the specials named, a maximum length)."""
    if kind == "wordpiece":
        return {"do_lower_case": True, "model_max_length": 512, "tokenizer_class": "BertTokenizer"}
    if kind in ("roberta", "xlmr"):
        return {
            "bos_token": "<s>",
            "cls_token": "<s>",
            "eos_token": "</s>",
            "sep_token": "</s>",
            "pad_token": "<pad>",
            "unk_token": "<unk>",
            "mask_token": _added_token("<mask>", lstrip=True),
            "model_max_length": 512,
            "tokenizer_class": "RobertaTokenizer" if kind == "roberta" else "XLMRobertaTokenizer",
        }
    if kind == "albert":
        return {
            "cls_token": "[CLS]",
            "sep_token": "[SEP]",
            "pad_token": "<pad>",
            "unk_token": "<unk>",
            "mask_token": _added_token("[MASK]", lstrip=True),
            "do_lower_case": True,
            "model_max_length": 512,
            "tokenizer_class": "AlbertTokenizer",
        }
    return {
        "cls_token": "[CLS]",
        "sep_token": "[SEP]",
        "pad_token": "[PAD]",
        "unk_token": "[UNK]",
        "mask_token": "[MASK]",
        "model_max_length": 8192,
        "tokenizer_class": "PreTrainedTokenizerFast",
    }


def write_toy_tokenizer(folder: str | Path, kind: str) -> int:
    """tokenizer.json + tokenizer_config.json of `kind` in `folder`; returns the vocabulary size."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    tok = build(kind)
    tok.save(str(folder / "tokenizer.json"))
    (folder / "tokenizer_config.json").write_text(json.dumps(tokenizer_config(kind), indent=1), encoding="utf-8")
    return tok.get_vocab_size()
