"""One input in, everything the panels show out: tokens, top-k at each mask, attention, hidden states."""

from __future__ import annotations

import time
import weakref
from dataclasses import dataclass

import numpy as np
import torch

from bertviz_app.engine.loader import LoadedModel
from bertviz_app.engine.tokenizer import SPACE_MARK, Encoding

MaskSpan = tuple[int, int, int]  # (segment 0 or 1, start, end): characters of that sentence to mask
Head = tuple[int, int]  # (layer, head), both from 0


@dataclass(frozen=True)
class InferenceInput:
    text: str
    text_b: str | None = None
    masked_spans: tuple[MaskSpan, ...] = ()  # besides every [MASK] typed in the text
    whole_word: bool = False  # masking one piece of a word masks all its pieces
    top_k: int = 10
    want_attention: bool = True
    want_hidden_states: bool = True
    knocked_out: frozenset[Head] = frozenset()  # heads whose output is switched off (zeroed)
    want_internals: bool = True  # q/k vectors, value norms and per-layer predictions (see InferenceResult)


@dataclass(frozen=True)
class Prediction:
    token: str  # the tokenizer's own string ("Ġparis", "##ing"): for --json and exports
    token_id: int
    probability: float
    display: str = ""  # readable, marked only where its spacing differs from the text's: "paris", "␣paris", "##ing"
    whole_word: bool | None = None  # a word on its own here: letters only, not a piece glued onto the word before

    def __post_init__(self) -> None:
        if not self.display:
            object.__setattr__(self, "display", self.token)
        if self.whole_word is None:
            object.__setattr__(self, "whole_word", self.display.removeprefix(SPACE_MARK).isalpha())


@dataclass(frozen=True)
class MaskPrediction:
    position: int  # index into the tokens (which include [CLS] and [SEP])
    original_token: str  # what the text had there (the mask token when typed as such)
    predictions: tuple[Prediction, ...]  # most probable first


@dataclass(frozen=True, eq=False)
class InferenceResult:
    model_name: str
    encoding: Encoding
    masked_positions: tuple[int, ...]
    predictions: tuple[MaskPrediction, ...]  # empty when the model has no MLM head or nothing is masked
    has_mlm_head: bool
    attention: np.ndarray | None  # (L, H, T, T) float32, rows sum to 1
    hidden_states: np.ndarray | None  # (L+1, T, D) float32
    seconds: float
    knocked_out: frozenset[Head] = frozenset()  # the heads that were off for this result
    # With want_internals (None otherwise):
    queries: np.ndarray | None = None  # (L, H, T, hd) float32, each head's query vectors (bias included)
    keys: np.ndarray | None = None  # (L, H, T, hd) float32
    value_norms: np.ndarray | None = None  # (L, H, T): ||v_j W_O^h||, the size of what token j sends through head h
    layer_probs: np.ndarray | None = None  # (L+1, N, V) float32: the MLM head on every layer's state at each mask
    # ELECTRA discriminators (None for other models): per token, the probability that it was replaced
    replaced_probs: np.ndarray | None = None  # (T,) float32
    # What the architecture is, per layer (empty for canned results): the index of the weights each layer runs
    # (ALBERT's layers share them: equal numbers are the same weights), and how far each layer's attention
    # reaches (None: every token; w: tokens at most w positions away, ModernBERT's local layers)
    layer_weights: tuple[int, ...] = ()
    attention_windows: tuple[int | None, ...] = ()
    task: str = ""  # the model's classification head, "sequence" or "token" ("" without one): analysis/classify.py

    @property
    def tokens(self) -> tuple[str, ...]:
        """The tokenizer's own strings (what --json, inspect and exports write; `position`s index them)."""
        return self.encoding.tokens

    @property
    def display_tokens(self) -> tuple[str, ...]:
        """The same tokens readably (no Ġ/▁, bytes decoded): what chips, axes and lists show."""
        return self.encoding.display_tokens


def positions_to_mask(encoding: Encoding, spans: tuple[MaskSpan, ...] = (), whole_word: bool = False) -> list[int]:
    """Token positions to replace by the mask token: masks typed in the text, and tokens overlapping a masked span
    (`whole_word`: with every other piece of their word, from the tokenizer's word ids)."""
    chosen = set()
    for i in range(len(encoding)):
        if encoding.typed_mask[i]:
            chosen.add(i)
            continue
        if encoding.special[i]:
            continue
        start, end = encoding.offsets[i]
        segment = encoding.segments[i]
        if any(s == segment and start < e and b < end for s, b, e in spans):
            chosen.add(i)
    if whole_word:
        for i in list(chosen):
            if not encoding.typed_mask[i]:
                chosen.update(encoding.whole_word(i))
    return sorted(chosen)


def toggled_spans(encoding: Encoding, spans: tuple[MaskSpan, ...], position: int, whole_word: bool):
    """The masked spans after a click on the token at `position`: its span (its word's, with `whole_word`) added,
    or, if it is masked, the spans over it removed. None where nothing changes (structural tokens, typed masks)."""
    if not 0 <= position < len(encoding) or encoding.special[position] or encoding.typed_mask[position]:
        return None
    segment = encoding.segments[position]
    start, end = encoding.offsets[position]
    overlapping = tuple(s for s in spans if s[0] == segment and s[1] < end and start < s[2])
    if overlapping:
        return tuple(s for s in spans if s not in overlapping)
    if whole_word:
        pieces = encoding.whole_word(position)
        start, end = encoding.offsets[pieces[0]][0], encoding.offsets[pieces[-1]][1]
    return (*spans, (segment, start, end))


def insert_word(text: str, start: int, end: int, piece, starts_word: bool) -> str:
    """`text` with characters start:end replaced by a vocabulary entry read as `piece` (tokenizer.piece(token)),
    spaced the way the entry reads: a piece that continues a word ("##ing", "ing" without "Ġ"/"▁") is glued to
    the word before; one that starts a word gets a space where the text has none and a word does not start."""
    before, after = text[:start], text[end:]
    if not piece.space:
        stripped = before.rstrip()
        before = stripped if stripped else before
    elif before and not before[-1].isspace() and not starts_word:
        before += " "
    return before + piece.text + after


def shift_spans(old: str, new: str, spans: tuple[MaskSpan, ...], segment: int) -> tuple[MaskSpan, ...]:
    """Carry masked character spans of one sentence across an edit of it.

    The edit is the stretch between the texts' common prefix and common suffix: spans ending before it
    stay, spans starting after it move by the change in length, and spans it cuts into are dropped (their
    word changed). Typing right before or after a masked word keeps the mask on it.
    """
    if old == new:
        return spans
    prefix = 0
    limit = min(len(old), len(new))
    while prefix < limit and old[prefix] == new[prefix]:
        prefix += 1
    suffix = 0
    while suffix < limit - prefix and old[len(old) - 1 - suffix] == new[len(new) - 1 - suffix]:
        suffix += 1
    edit_start, edit_end = prefix, len(old) - suffix  # the replaced stretch of `old`
    delta = len(new) - len(old)
    kept = []
    for span in spans:
        seg, start, end = span
        if seg != segment or end <= edit_start:
            kept.append(span)
        elif start >= edit_end:
            kept.append((seg, start + delta, end + delta))
    return tuple(kept)


@dataclass(frozen=True)
class PreparedInput:
    """An input tokenized and masked, ready for the model: the common first step of every analysis."""

    encoding: Encoding
    masked: tuple[int, ...]  # positions replaced by the mask token
    input_ids: torch.Tensor  # (T,) with the masks in place
    token_type_ids: torch.Tensor  # (T,)


def prepare(lm: LoadedModel, inp: InferenceInput) -> PreparedInput:
    encoding = lm.tokenizer.encode(inp.text, inp.text_b)
    masked = positions_to_mask(encoding, inp.masked_spans, inp.whole_word)
    ids = torch.tensor(encoding.input_ids, dtype=torch.long)  # (T,)
    if masked:
        ids[masked] = lm.tokenizer.mask_id
    types = torch.tensor(encoding.token_type_ids, dtype=torch.long)
    # Models with one token type (RoBERTa) or none (DistilBERT) see a pair as one text, split by the template.
    types.clamp_(0, max(getattr(lm.config, "type_vocab_size", 1) - 1, 0))
    return PreparedInput(encoding, tuple(masked), ids, types)


def prediction(tokenizer, encoding: Encoding, position: int, token_id: int, probability: float) -> Prediction:
    """One guess for the token at `position`, with its tokenizer string and its readable form there."""
    token = tokenizer.id_to_token(token_id)
    return Prediction(token, token_id, probability, tokenizer.display_prediction(token, encoding, position))


def is_result_of(result: InferenceResult | None, lm: LoadedModel, prep: PreparedInput, inp: InferenceInput) -> bool:
    """Whether `result` (e.g. the one the window already shows) was computed by this model for this prepared
    input with the same heads off, so an analysis may reuse it instead of running the model again."""
    return (
        result is not None
        and result.model_name == lm.name
        and result.knocked_out == frozenset(inp.knocked_out)
        and tuple(result.encoding.input_ids) == tuple(prep.encoding.input_ids)
        and tuple(result.encoding.token_type_ids) == tuple(prep.encoding.token_type_ids)
        and result.masked_positions == prep.masked
    )


def head_mask(lm: LoadedModel, knocked_out) -> torch.Tensor | None:
    """(L, H) of ones with 0 at each knocked-out head, or None when every head is on. Heads outside the model
    (e.g. left over from a bigger one) are ignored."""
    L, H = lm.config.num_hidden_layers, lm.config.num_attention_heads
    inside = [(layer, head) for layer, head in knocked_out if 0 <= layer < L and 0 <= head < H]
    if not inside:
        return None
    mask = torch.ones(L, H)
    for layer, head in inside:
        mask[layer, head] = 0.0
    return mask


def value_norms(lm: LoadedModel, values: torch.Tensor) -> torch.Tensor:
    """values (L, H, T, hd) -> (L, H, T): the norm of each head's transformed value vector v_j W_O^h.

    Kobayashi et al. (2020): what token j contributes to a head's output is alpha_ij * v_j W_O^h, so weighting
    attention by ||v_j W_O^h|| shows how much actually arrives, not only where the head looks.
    """
    r_t = _value_maps(lm.model)  # (L, H, hd, hd)
    return torch.linalg.vector_norm(values.to("cpu", torch.float32) @ r_t, dim=-1)  # (L, H, T)


# Each head's slice of W_O, W_O^h (D, hd), is Q R with Q's columns orthonormal, so ||W_O^h v|| = ||R v||: an
# hd x hd product per token instead of D x hd (12x less work for the bundled model), with no cancellation. The
# R factors are computed once per model and again whenever an output projection's weights change.
_VALUE_MAPS: dict[int, tuple] = {}  # id(model) -> (weak ref to it, its W_O weights' keys, R^T (L, H, hd, hd))


def _value_maps(model) -> torch.Tensor:
    weights = [layer.attention.output.dense.weight for layer in model.encoder.layer]
    keys = tuple((w.data_ptr(), w._version, str(w.device), w.dtype) for w in weights)
    entry = _VALUE_MAPS.get(id(model))
    if entry is not None and entry[0]() is model and entry[1] == keys:
        return entry[2]
    H, hd = model.config.num_attention_heads, model.config.head_dim
    with torch.inference_mode(False), torch.no_grad():
        w = torch.stack([w.detach().to("cpu", torch.float32) for w in weights])  # (L, D, D): out x in
        w_heads = w.view(len(weights), -1, H, hd).permute(0, 2, 1, 3)  # (L, H, D, hd): head h's input columns
        r_t = torch.linalg.qr(w_heads.double(), mode="r")[1].transpose(-1, -2).float()  # (L, H, hd, hd)
    mid = id(model)
    _VALUE_MAPS[mid] = (weakref.ref(model, lambda _ref, mid=mid: _VALUE_MAPS.pop(mid, None)), keys, r_t)
    return r_t


def run_inference(lm: LoadedModel, inp: InferenceInput) -> InferenceResult:
    start = time.perf_counter()
    prep = prepare(lm, inp)
    encoding, masked = prep.encoding, list(prep.masked)
    predict = lm.has_mlm_head and bool(masked)
    internals = inp.want_internals
    replaced = lm.model.discriminator is not None
    # With per-layer predictions wanted, the decoder runs once for every layer's state at the masks, the last
    # layer's being the predictions themselves: one pass over the vocabulary matrix instead of two.
    per_layer = predict and internals
    with torch.inference_mode():
        out = lm.model(
            prep.input_ids,
            prep.token_type_ids,
            predict_at=torch.tensor(masked, dtype=torch.long) if predict and not per_layer else None,
            output_attentions=inp.want_attention,
            output_hidden_states=inp.want_hidden_states or per_layer,
            output_qkv=internals,
            output_replaced=replaced,
            head_mask=head_mask(lm, inp.knocked_out),
        )
        predictions = ()
        layer_probs = None
        if per_layer:
            at_masks = out.hidden_states[0][:, masked]  # (L+1, N, D)
            all_probs = lm.model.layer_logits(at_masks).softmax(dim=-1)  # (L+1, N, V)
            layer_probs, mask_probs = all_probs.numpy(), all_probs[-1]  # (L+1, N, V), (N, V)
        elif predict:
            mask_probs = out.logits.softmax(dim=-1)  # (N, V)
        if predict:
            k = max(1, min(inp.top_k, lm.config.vocab_size))
            probs, top_ids = mask_probs.topk(k, dim=-1)  # (N, k)
            predictions = tuple(
                MaskPrediction(
                    position=pos,
                    original_token=encoding.tokens[pos],
                    predictions=tuple(
                        prediction(lm.tokenizer, encoding, pos, int(i), float(p))
                        for p, i in zip(probs[row].tolist(), top_ids[row].tolist())
                    ),
                )
                for row, pos in enumerate(masked)
            )
        queries = keys = norms = None
        if internals:
            queries, keys = out.queries[0].numpy(), out.keys[0].numpy()  # (L, H, T, hd)
            norms = value_norms(lm, out.values[0]).numpy()  # (L, H, T)
    return InferenceResult(
        model_name=lm.name,
        encoding=encoding,
        masked_positions=tuple(masked),
        predictions=predictions,
        has_mlm_head=lm.has_mlm_head,
        attention=out.attentions[0].numpy().copy() if inp.want_attention else None,
        hidden_states=out.hidden_states[0].numpy().copy() if inp.want_hidden_states else None,
        seconds=time.perf_counter() - start,
        knocked_out=frozenset(inp.knocked_out),
        queries=queries,
        keys=keys,
        value_norms=norms,
        layer_probs=layer_probs,
        replaced_probs=out.replaced_logits[0].sigmoid().numpy() if replaced else None,
        layer_weights=lm.config.layer_weights,
        attention_windows=lm.config.attention_windows,
        task=lm.task,
    )
