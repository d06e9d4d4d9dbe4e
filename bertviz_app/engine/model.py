"""BERT in plain torch.

Module names follow Hugging Face's ``BertForMaskedLM`` (``encoder.layer.0.attention.self.query`` ...) so a
checkpoint's keys map onto ours with no more than a prefix strip; the forward pass is our own, written so
that every quantity the app shows (attention probabilities, hidden states, q/k/v, logits at the masks) can
be returned from a single call, and nothing the caller did not ask for is computed.
"""

from __future__ import annotations

import math
import weakref
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from bertviz_app.engine.config import BertConfig
from bertviz_app.engine.errors import NoMLMHeadError


def activation(name: str):
    if name == "gelu":
        return F.gelu
    if name in ("gelu_new", "gelu_pytorch_tanh", "gelu_fast"):
        return lambda x: F.gelu(x, approximate="tanh")
    if name == "relu":
        return F.relu
    if name in ("silu", "swish"):
        return F.silu
    raise ValueError(f"unsupported activation {name!r}")  # BertConfig validates first


# Without autograd, on CPU, in fp32, linear layers run through oneDNN with their weight pre-packed ("reordered")
# once into its preferred layout: 1.1-1.6x faster than F.linear (MKL) per layer, most at the few-token inputs
# the app runs. The packed copy is made on first use and made again whenever the weight is replaced or changed
# in place (a training step bumps its version); with autograd on (training), plain F.linear is used.
_PACKED: dict[int, tuple] = {}  # id(weight) -> (weak reference to it, (data_ptr, version), packed weight)
_PACK_HINT = 16  # the input row count oneDNN picks the layout for; any row count works
_packing = (
    torch.backends.mkldnn.is_available()
    and hasattr(torch.ops.mkldnn, "_reorder_linear_weight")
    and hasattr(torch.ops.mkldnn, "_linear_pointwise")
)


def _packed(weight: torch.Tensor) -> torch.Tensor:
    key = (weight.data_ptr(), weight._version)
    entry = _PACKED.get(id(weight))
    if entry is not None and entry[0]() is weight and entry[1] == key:
        return entry[2]
    with torch.inference_mode(False):
        packed = torch.ops.mkldnn._reorder_linear_weight(weight.detach(), _PACK_HINT)
    wid = id(weight)
    _PACKED[wid] = (weakref.ref(weight, lambda _ref, wid=wid: _PACKED.pop(wid, None)), key, packed)
    return packed


def linear(x: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor | None) -> torch.Tensor:
    """F.linear(x, weight, bias), through a pre-packed oneDNN weight where that is possible (see above)."""
    global _packing
    if (
        _packing
        and not torch.is_grad_enabled()
        and x.dtype == weight.dtype == torch.float32
        and x.device.type == weight.device.type == "cpu"
        and x.layout == weight.layout == torch.strided
        and not weight.is_inference()  # an inference tensor has no version counter to watch
        and x.numel() > 0
    ):
        try:
            return torch.ops.mkldnn._linear_pointwise(x, _packed(weight), bias, "none", [], "")
        except RuntimeError:  # a build whose oneDNN cannot do this: fall back for good
            _packing = False
            _PACKED.clear()
    return F.linear(x, weight, bias)


class _Linear(nn.Linear):
    """nn.Linear (same parameters, same state-dict names) whose forward is `linear` above."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return linear(x, self.weight, self.bias)


@dataclass
class EncoderOutput:
    """What one forward pass returns. Fields not asked for are None. B = batch, L = layers, H = heads."""

    last_hidden_state: torch.Tensor  # (B, T, D)
    logits: torch.Tensor | None = None  # (N, V): one row per position in `predict_at`
    attentions: torch.Tensor | None = None  # (B, L, H, T, T) softmax probabilities
    hidden_states: torch.Tensor | None = None  # (B, L+1, T, D): embeddings, then each layer's output
    queries: torch.Tensor | None = None  # (B, L, H, T, hd)
    keys: torch.Tensor | None = None  # (B, L, H, T, hd)
    values: torch.Tensor | None = None  # (B, L, H, T, hd)
    pooled: torch.Tensor | None = None  # (B, D), when the model has a pooler and it was asked for


class _Dense(nn.Module):
    def __init__(self, d_in: int, d_out: int):
        super().__init__()
        self.dense = _Linear(d_in, d_out)


class _DenseNorm(nn.Module):
    def __init__(self, d_in: int, d_out: int, eps: float):
        super().__init__()
        self.dense = _Linear(d_in, d_out)
        self.LayerNorm = nn.LayerNorm(d_out, eps=eps)


class Embeddings(nn.Module):
    def __init__(self, cfg: BertConfig):
        super().__init__()
        self.word_embeddings = nn.Embedding(cfg.vocab_size, cfg.hidden_size, padding_idx=cfg.pad_token_id)
        self.position_embeddings = nn.Embedding(cfg.max_position_embeddings, cfg.hidden_size)
        self.token_type_embeddings = nn.Embedding(cfg.type_vocab_size, cfg.hidden_size)
        self.LayerNorm = nn.LayerNorm(cfg.hidden_size, eps=cfg.layer_norm_eps)

    def forward(self, input_ids: torch.Tensor, token_type_ids: torch.Tensor) -> torch.Tensor:
        positions = torch.arange(input_ids.shape[1], device=input_ids.device)  # (T,)
        x = self.word_embeddings(input_ids) + self.position_embeddings(positions)  # (B, T, D)
        x = x + self.token_type_embeddings(token_type_ids)
        return self.LayerNorm(x)


class _SelfAttention(nn.Module):
    def __init__(self, d: int):
        super().__init__()
        self.query = _Linear(d, d)
        self.key = _Linear(d, d)
        self.value = _Linear(d, d)


class _Attention(nn.Module):
    def __init__(self, cfg: BertConfig):
        super().__init__()
        self.self = _SelfAttention(cfg.hidden_size)
        self.output = _DenseNorm(cfg.hidden_size, cfg.hidden_size, cfg.layer_norm_eps)


class EncoderLayer(nn.Module):
    """Self-attention then feed-forward, each followed by residual + LayerNorm (post-LN, as in BERT)."""

    def __init__(self, cfg: BertConfig):
        super().__init__()
        self.n_heads = cfg.num_attention_heads
        self.head_dim = cfg.head_dim
        self.scale = 1.0 / math.sqrt(cfg.head_dim)
        self.act = activation(cfg.hidden_act)
        self.attention = _Attention(cfg)
        self.intermediate = _Dense(cfg.hidden_size, cfg.intermediate_size)
        self.output = _DenseNorm(cfg.intermediate_size, cfg.hidden_size, cfg.layer_norm_eps)

    def forward(self, x, mask_bias, head_mask=None, need_probs=False, need_qkv=False, probs_out=None):
        """x (B,T,D); mask_bias (B,1,1,T) additive; head_mask (H,) or (B, H) multiplies each head's context.

        probs_out: optional (B, H, T, T) tensor the attention probabilities are written into (no autograd).
        """
        B, T, D = x.shape
        sa = self.attention.self
        q = sa.query(x).view(B, T, self.n_heads, self.head_dim).transpose(1, 2)  # (B, H, T, hd)
        k = sa.key(x).view(B, T, self.n_heads, self.head_dim).transpose(1, 2)  # (B, H, T, hd)
        v = sa.value(x).view(B, T, self.n_heads, self.head_dim).transpose(1, 2)  # (B, H, T, hd)
        probs = None
        if need_probs or head_mask is not None:
            # Scaling q (T x hd per head) costs less than scaling the scores (T x T per head).
            q_scaled, k_t = q * self.scale, k.transpose(-1, -2)
            if probs_out is not None and probs_out.is_contiguous():
                # Scores, mask and softmax all in the caller's buffer: no (B, H, T, T) temporary. The softmax
                # kernel reads each row before it writes it, so input and output may be the same tensor.
                scores = torch.matmul(q_scaled, k_t, out=probs_out)  # (B, H, T, T)
                if mask_bias is not None:
                    scores.add_(mask_bias)
                probs = torch.softmax(scores, dim=-1, out=scores)
            else:
                scores = q_scaled @ k_t  # (B, H, T, T)
                if mask_bias is not None:
                    scores = scores + mask_bias
                probs = scores.softmax(dim=-1) if probs_out is None else torch.softmax(scores, dim=-1, out=probs_out)
            if head_mask is None:
                weights = probs
            else:  # (H,) for the whole batch, or (B, H): one knock-out pattern per batch row
                weights = probs * head_mask.view(-1 if head_mask.dim() == 2 else 1, self.n_heads, 1, 1)
            context = weights @ v  # (B, H, T, hd)
        else:
            context = F.scaled_dot_product_attention(q, k, v, attn_mask=mask_bias)  # (B, H, T, hd)
        context = context.transpose(1, 2).reshape(B, T, D)  # (B, T, D)
        ao = self.attention.output
        h = ao.LayerNorm(ao.dense(context) + x)  # (B, T, D)
        out = self.output.LayerNorm(self.output.dense(self.act(self.intermediate.dense(h))) + h)
        return out, probs, ((q, k, v) if need_qkv else None)


class _Encoder(nn.Module):
    def __init__(self, cfg: BertConfig):
        super().__init__()
        self.layer = nn.ModuleList(EncoderLayer(cfg) for _ in range(cfg.num_hidden_layers))


class _PredictionTransform(nn.Module):
    def __init__(self, cfg: BertConfig):
        super().__init__()
        self.dense = _Linear(cfg.hidden_size, cfg.hidden_size)
        self.LayerNorm = nn.LayerNorm(cfg.hidden_size, eps=cfg.layer_norm_eps)


class MLMHead(nn.Module):
    """dense + activation + LayerNorm, then the decoder (usually tied to the word embeddings) + bias."""

    def __init__(self, cfg: BertConfig):
        super().__init__()
        self.act = activation(cfg.hidden_act)
        self.transform = _PredictionTransform(cfg)
        self.decoder = nn.Linear(cfg.hidden_size, cfg.vocab_size, bias=False)
        self.bias = nn.Parameter(torch.zeros(cfg.vocab_size))

    def forward(self, hidden: torch.Tensor) -> torch.Tensor:
        t = self.transform
        h = t.LayerNorm(self.act(t.dense(hidden)))  # (..., D)
        return vocab_logits(h, self.decoder.weight, self.bias)  # (..., V)


# Up to this many rows, vocab_logits multiplies the other way round (see there).
_FEW_ROWS = 3


def vocab_logits(h: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor) -> torch.Tensor:
    """h (..., D) @ weight (V, D)^T + bias -> (..., V), the same numbers as F.linear.

    For the one to three rows the app usually decodes (one per mask), the CPU BLAS is slow at F.linear's shape
    (a GEMM of a handful of rows against the transposed 30k x D vocabulary matrix: ~5x the time it takes to
    read the matrix). Computing weight @ h^T (V, n) instead reads the matrix once, in its stored order.
    """
    rows = h.reshape(-1, h.shape[-1])  # (n, D)
    n = rows.shape[0]
    if n == 0 or n > _FEW_ROWS:
        return linear(h, weight, bias)
    if n == 1:  # one column would take the (slow) matrix-vector path; two columns do not
        rows = torch.cat([rows, rows])
    out = torch.mm(weight, rows.t())[:, :n]  # (V, n)
    return out.t().contiguous().add_(bias).reshape(*h.shape[:-1], weight.shape[0])  # (..., V)


class _Cls(nn.Module):
    def __init__(self, cfg: BertConfig):
        super().__init__()
        self.predictions = MLMHead(cfg)


class BertModel(nn.Module):
    """A BERT encoder with an optional pooler and an optional masked-language-model head."""

    def __init__(self, cfg: BertConfig, with_pooler: bool = False, with_mlm_head: bool = True):
        super().__init__()
        self.config = cfg
        self.embeddings = Embeddings(cfg)
        self.encoder = _Encoder(cfg)
        self.pooler = _Dense(cfg.hidden_size, cfg.hidden_size) if with_pooler else None
        self.cls = _Cls(cfg) if with_mlm_head else None
        self.tie_weights()

    @property
    def has_mlm_head(self) -> bool:
        return self.cls is not None

    def tie_weights(self) -> None:
        if self.cls is not None and self.config.tie_word_embeddings:
            self.cls.predictions.decoder.weight = self.embeddings.word_embeddings.weight

    def forward(
        self,
        input_ids: torch.Tensor,
        token_type_ids: torch.Tensor | None = None,
        attention_mask: torch.Tensor | None = None,
        *,
        predict_at: torch.Tensor | None = None,
        output_attentions: bool = False,
        output_hidden_states: bool = False,
        output_qkv: bool = False,
        output_pooled: bool = False,
        head_mask: torch.Tensor | None = None,
    ) -> EncoderOutput:
        """Run the encoder once.

        input_ids, token_type_ids, attention_mask: (B, T) (or (T,) for one sentence). attention_mask is 1 for
        real tokens and 0 for padding. predict_at: the positions whose vocabulary logits are wanted, as (N,)
        positions of the first sentence or (N, 2) rows of (batch index, position); the decoder runs only
        there. head_mask: (L, H) of 1 (keep) / 0 (knock out), multiplying each head's attention output, or
        (B, L, H) for a different pattern per batch row (e.g. every head knocked out in turn, in one batch).
        """
        if input_ids.dim() == 1:
            input_ids = input_ids.unsqueeze(0)
            token_type_ids = None if token_type_ids is None else token_type_ids.unsqueeze(0)
            attention_mask = None if attention_mask is None else attention_mask.unsqueeze(0)
        if token_type_ids is None:
            token_type_ids = torch.zeros_like(input_ids)
        mask_bias = None
        if attention_mask is not None and not bool(attention_mask.all()):
            mask_bias = (1.0 - attention_mask[:, None, None, :].float()) * torch.finfo(torch.float32).min

        x = self.embeddings(input_ids, token_type_ids)  # (B, T, D)
        hidden, probs, qkvs = [x], [], []
        attentions = None
        if output_attentions and not torch.is_grad_enabled():
            # Each layer's softmax writes straight into the result: no per-layer allocation, no final stack.
            B, T = input_ids.shape
            L, H = self.config.num_hidden_layers, self.config.num_attention_heads
            attentions = x.new_empty(B, L, H, T, T)
        for i, layer in enumerate(self.encoder.layer):
            x, p, qkv = layer(
                x,
                mask_bias,
                head_mask=None if head_mask is None else head_mask[..., i, :],
                need_probs=output_attentions,
                need_qkv=output_qkv,
                probs_out=None if attentions is None else attentions[:, i],
            )
            if output_hidden_states:
                hidden.append(x)
            if output_attentions and attentions is None:
                probs.append(p)
            if output_qkv:
                qkvs.append(qkv)

        out = EncoderOutput(last_hidden_state=x)
        if output_hidden_states:
            out.hidden_states = torch.stack(hidden, dim=1)  # (B, L+1, T, D)
        if output_attentions:
            # (B, L, H, T, T)
            out.attentions = attentions if attentions is not None else torch.stack(probs, dim=1)
        if output_qkv:
            out.queries, out.keys, out.values = (torch.stack(t, dim=1) for t in zip(*qkvs))  # (B, L, H, T, hd)
        if output_pooled and self.pooler is not None:
            out.pooled = torch.tanh(self.pooler.dense(x[:, 0]))  # (B, D)
        if predict_at is not None:
            if self.cls is None:
                raise NoMLMHeadError(
                    "this model has no masked-language-model head, so it cannot predict masked words; "
                    "attention and embeddings still work"
                )
            if predict_at.dim() == 1:
                predict_at = torch.stack([torch.zeros_like(predict_at), predict_at], dim=1)
            selected = x[predict_at[:, 0], predict_at[:, 1]]  # (N, D)
            out.logits = self.cls.predictions(selected)  # (N, V)
        return out

    def mlm_logits(self, hidden: torch.Tensor) -> torch.Tensor:
        """The MLM head applied to any hidden states (..., D) -> (..., V); e.g. per-layer predictions."""
        if self.cls is None:
            raise NoMLMHeadError("this model has no masked-language-model head")
        return self.cls.predictions(hidden)
