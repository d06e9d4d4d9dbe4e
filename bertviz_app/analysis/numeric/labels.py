"""What a fine-tuned classifier says about the input, as plain numpy: the label probabilities of a sequence
classifier (sentiment, ...) or the tag of every token of a token classifier (named entities, ...), and each
read out at every layer. `entities` merges a token classifier's BIO tags into spans. Computed by
analysis/classify.py; the Applications view re-renders from it."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

SEQUENCE, TOKEN = "sequence", "token"  # engine/families.py's names of the two tasks


@dataclass(frozen=True, eq=False)
class Classification:
    """A classifier's answer for one input. C labels, T tokens, L layers."""

    input: object  # the InferenceInput it was computed for (masks and knock-outs included)
    model_name: str
    task: str  # SEQUENCE: one label for the input; TOKEN: one per token
    labels: tuple[str, ...]  # (C,) in id order, from the checkpoint's id2label
    tokens: tuple[str, ...]  # (T,) the tokenizer's strings
    display_tokens: tuple[str, ...]  # (T,) readable
    special: tuple[bool, ...]  # (T,) [CLS], [SEP], <s>, ...
    word_ids: tuple[int | None, ...]  # (T,) the word of each token within its sentence (None for specials)
    probs: np.ndarray  # (C,) float32 for SEQUENCE, (T, C) for TOKEN: softmax of the head's logits
    # The head applied to every layer's state, embeddings first (the last row is `probs`): (L+1, C) or (L+1, T, C).
    # Early layers are read through the final head, which was trained on the last layer only.
    layer_probs: np.ndarray
    seconds: float

    @property
    def predicted(self) -> np.ndarray:
        """The most probable label's id: () for SEQUENCE, (T,) for TOKEN."""
        return self.probs.argmax(-1)

    def tags(self) -> tuple[str, ...]:
        """TOKEN: each token's most probable label ("" for specials)."""
        return tuple("" if s else self.labels[int(i)] for s, i in zip(self.special, self.predicted))


@dataclass(frozen=True)
class Entity:
    """A run of tokens tagged as one entity: tokens start..end-1, its type ("PER"), and its mean probability."""

    start: int
    end: int
    type: str
    probability: float


def split_tag(tag: str) -> tuple[str, str]:
    """'B-PER' -> ('B', 'PER'); 'I_LOC' -> ('I', 'LOC'); 'O' -> ('O', ''); a tag without a prefix ('PER') is
    its own type, inside an entity ('I', 'PER')."""
    if tag in ("O", ""):
        return "O", ""
    for sep in ("-", "_"):
        prefix, found, rest = tag.partition(sep)
        if found and prefix in ("B", "I", "E", "S", "L", "U") and rest:
            return prefix, rest
    return "I", tag


def entities(result: Classification) -> list[Entity]:
    """The token classifier's tags merged into entities: a B- (or S-/U-) tag starts one, an I- (E-/L-) tag of
    the same type continues it, and the later pieces of a word stay with its first (what transformers' "first"
    aggregation does); an I- tag after another type starts a new entity, as lenient BIO readers do."""
    if result.task != TOKEN:
        return []
    found: list[Entity] = []
    run: list[int] = []  # token positions of the entity being read
    run_type = ""
    probs, predicted = result.probs, result.predicted

    def close() -> None:
        if run:
            p = float(np.mean([probs[i, predicted[i]] for i in run]))
            found.append(Entity(run[0], run[-1] + 1, run_type, p))
        run.clear()

    for i, tag in enumerate(result.tags()):
        if result.special[i]:
            close()
            continue
        word = result.word_ids[i]
        if i > 0 and word is not None and word == result.word_ids[i - 1] and not result.special[i - 1]:
            if run and run[-1] == i - 1:  # a later piece of a word: the word's first piece decided
                run.append(i)
            continue
        prefix, kind = split_tag(tag)
        if prefix == "O":
            close()
            continue
        if prefix in ("B", "S", "U") or kind != run_type or not run:
            close()
            run_type = kind
        run.append(i)
    close()
    return found
