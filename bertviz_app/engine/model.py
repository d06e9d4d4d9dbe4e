"""The encoder in plain torch, written once for every family (BERT, RoBERTa, DistilBERT, ALBERT, ELECTRA,
ModernBERT); what differs between them is declared in ``families.py`` and read here from ``config.family``.

Module names follow Hugging Face's ``BertForMaskedLM`` (``encoder.layer.0.attention.self.query`` ...); each
family's checkpoint keys are renamed onto them when loaded. The forward pass is our own, written so that
every quantity the app shows (attention probabilities, hidden states, q/k/v, logits at the masks) can be
returned from a single call, and nothing the caller did not ask for is computed. How it runs fast on a CPU
(packed weights, in-place softmax, the decoder at a few rows) is in ``fastpath.py``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from bertviz_app.engine.config import ModelConfig
from bertviz_app.engine.errors import NoMLMHeadError
from bertviz_app.engine.families import SEQUENCE, task_steps
from bertviz_app.engine.fastpath import attention_probs, linear, project_qkv, vocab_logits


def activation(name: str):
    if name == "tanh":
        return torch.tanh
    if name == "gelu":
        return F.gelu
    if name in ("gelu_new", "gelu_pytorch_tanh", "gelu_fast"):
        return lambda x: F.gelu(x, approximate="tanh")
    if name == "relu":
        return F.relu
    if name in ("silu", "swish"):
        return F.silu
    raise ValueError(f"unsupported activation {name!r}")  # ModelConfig validates first


class _Linear(nn.Linear):
    """nn.Linear (same parameters, same state-dict names) whose forward is the fast path's `linear`."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return linear(x, self.weight, self.bias)


def _norm(cfg: ModelConfig, d: int) -> nn.LayerNorm:
    return nn.LayerNorm(d, eps=cfg.layer_norm_eps, bias=cfg.norm_bias)


@dataclass
class EncoderOutput:
    """What one forward pass returns. Fields not asked for are None. B = batch, L = layers, H = heads."""

    last_hidden_state: torch.Tensor  # (B, T, D)
    logits: torch.Tensor | None = None  # (N, V): one row per position in `predict_at`
    attentions: torch.Tensor | None = None  # (B, L, H, T, T) softmax probabilities
    hidden_states: torch.Tensor | None = None  # (B, L+1, T, D): embeddings, then each layer's output
    queries: torch.Tensor | None = None  # (B, L, H, T, hd), after rotary positions where the family has them
    keys: torch.Tensor | None = None  # (B, L, H, T, hd)
    values: torch.Tensor | None = None  # (B, L, H, T, hd)
    pooled: torch.Tensor | None = None  # (B, D), when the model has a pooler and it was asked for
    replaced_logits: torch.Tensor | None = None  # (B, T): ELECTRA discriminator, sigmoid -> p(token was replaced)
    # the classification head's: (B, C) for a sequence classifier, (B, T, C) for a token classifier
    task_logits: torch.Tensor | None = None


class _Dense(nn.Module):
    def __init__(self, d_in: int, d_out: int, bias: bool = True):
        super().__init__()
        self.dense = _Linear(d_in, d_out, bias=bias)


class _DenseNorm(nn.Module):
    def __init__(self, cfg: ModelConfig, d_in: int, d_out: int, bias: bool = True):
        super().__init__()
        self.dense = _Linear(d_in, d_out, bias=bias)
        self.LayerNorm = _norm(cfg, d_out)


class Embeddings(nn.Module):
    """Word (+ position) (+ token type) embeddings, LayerNorm, and (ALBERT, ELECTRA) a projection E -> D."""

    def __init__(self, cfg: ModelConfig):
        super().__init__()
        family, E, D = cfg.family, cfg.embedding_dim, cfg.hidden_size
        self.positions = family.positions
        self.pad_id = cfg.pad_token_id
        pad = cfg.pad_token_id if 0 <= cfg.pad_token_id < cfg.vocab_size else None
        self.word_embeddings = nn.Embedding(cfg.vocab_size, E, padding_idx=pad)
        if family.positions != "rotary":  # rotary positions enter q and k in each layer instead
            self.position_embeddings = nn.Embedding(cfg.max_position_embeddings, E)
        if family.token_types:
            self.token_type_embeddings = nn.Embedding(cfg.type_vocab_size, E)
        self.LayerNorm = _norm(cfg, E)
        project = family.embedding_projection
        if project == "always" or (project == "if_sizes_differ" and E != D):
            self.projection = _Linear(E, D)

    def position_ids(self, input_ids: torch.Tensor) -> torch.Tensor:
        if self.positions == "offset":
            # RoBERTa numbers real tokens from padding_idx + 1 and gives padding the position padding_idx.
            real = input_ids.ne(self.pad_id).long()  # (B, T)
            return real.cumsum(dim=1) * real + self.pad_id  # (B, T)
        return torch.arange(input_ids.shape[1], device=input_ids.device)  # (T,)

    def forward(self, input_ids: torch.Tensor, token_type_ids: torch.Tensor) -> torch.Tensor:
        x = self.word_embeddings(input_ids)  # (B, T, E)
        if hasattr(self, "position_embeddings"):
            x = x + self.position_embeddings(self.position_ids(input_ids))
        if hasattr(self, "token_type_embeddings"):
            x = x + self.token_type_embeddings(token_type_ids)
        x = self.LayerNorm(x)
        return self.projection(x) if hasattr(self, "projection") else x  # (B, T, D)


def rotate(x: torch.Tensor, cos: torch.Tensor, sin: torch.Tensor) -> torch.Tensor:
    """Rotary positions (Su et al. 2021): x (B, H, T, hd) with pairs (i, i + hd/2) turned by position x angle."""
    half = x.shape[-1] // 2
    rotated_half = torch.cat([-x[..., half:], x[..., :half]], dim=-1)
    return x * cos + rotated_half * sin  # (B, H, T, hd)


class _SelfAttention(nn.Module):
    def __init__(self, d: int, bias: bool):
        super().__init__()
        self.query = _Linear(d, d, bias=bias)
        self.key = _Linear(d, d, bias=bias)
        self.value = _Linear(d, d, bias=bias)


class _Attention(nn.Module):
    def __init__(self, cfg: ModelConfig):
        super().__init__()
        D = cfg.hidden_size
        self.self = _SelfAttention(D, cfg.attention_bias)
        if cfg.family.norm == "post":
            self.output = _DenseNorm(cfg, D, D, cfg.attention_bias)
        else:
            self.output = _Dense(D, D, cfg.attention_bias)


class EncoderLayer(nn.Module):
    """Self-attention then feed-forward, each around a residual, with LayerNorm after each residual add
    (post-LN: BERT and most families) or before each block (pre-LN: ModernBERT)."""

    def __init__(self, cfg: ModelConfig, index: int = 0):
        super().__init__()
        D, inner = cfg.hidden_size, cfg.intermediate_size
        self.n_heads = cfg.num_attention_heads
        self.head_dim = cfg.head_dim
        self.scale = 1.0 / math.sqrt(cfg.head_dim)
        self.act = activation(cfg.hidden_act)
        self.pre_norm = cfg.family.norm == "pre"
        self.gated = cfg.family.feed_forward == "glu"
        self.attention = _Attention(cfg)
        self.intermediate = _Dense(D, 2 * inner if self.gated else inner, cfg.mlp_bias)
        if self.pre_norm:
            self.output = _Dense(inner, D, cfg.mlp_bias)
            # ModernBERT's first layer reads the embeddings' LayerNorm output as it is.
            self.attention_norm = _norm(cfg, D) if index > 0 else None
            self.ffn_norm = _norm(cfg, D)
        else:
            self.output = _DenseNorm(cfg, inner, D, cfg.mlp_bias)

    def forward(self, x, mask_bias, head_mask=None, need_probs=False, need_qkv=False, probs_out=None, rotary=None):
        """x (B,T,D); mask_bias additive, (B,1,1,T) or (B,1,T,T), or None; head_mask (H,) or (B, H) multiplies
        each head's attention weights; rotary: (cos, sin) of (T, hd) for rotary families.

        probs_out: optional (B, H, T, T) tensor the attention probabilities are written into (no autograd).
        """
        if self.pre_norm:
            a = x if self.attention_norm is None else self.attention_norm(x)
            attended, probs, qkv = self._attend(a, mask_bias, head_mask, need_probs, need_qkv, probs_out, rotary)
            h = x + attended  # (B, T, D)
            out = h + self._feed_forward(self.ffn_norm(h))
        else:
            attended, probs, qkv = self._attend(x, mask_bias, head_mask, need_probs, need_qkv, probs_out, rotary)
            h = self.attention.output.LayerNorm(attended + x)  # (B, T, D)
            out = self.output.LayerNorm(self._feed_forward(h) + h)
        return out, probs, qkv

    def _attend(self, x, mask_bias, head_mask, need_probs, need_qkv, probs_out, rotary):
        """Multi-head self-attention softmax(q k^T / sqrt(d_k)) v, then the output projection."""
        B, T, D = x.shape
        sa = self.attention.self
        q, k, v = project_qkv(x, sa.query, sa.key, sa.value)  # 3 x (B, T, D)
        q = q.view(B, T, self.n_heads, self.head_dim).transpose(1, 2)  # (B, H, T, hd)
        k = k.view(B, T, self.n_heads, self.head_dim).transpose(1, 2)  # (B, H, T, hd)
        v = v.view(B, T, self.n_heads, self.head_dim).transpose(1, 2)  # (B, H, T, hd)
        if rotary is not None:
            q, k = rotate(q, *rotary), rotate(k, *rotary)  # (B, H, T, hd): positions enter q and k only
        probs = None
        if need_probs or head_mask is not None:
            # Scaling q (T x hd per head) costs less than scaling the scores (T x T per head).
            probs = attention_probs(q * self.scale, k, mask_bias, probs_out)  # (B, H, T, T)
            if head_mask is None:
                weights = probs
            else:  # (H,) for the whole batch, or (B, H): one knock-out pattern per batch row
                weights = probs * head_mask.view(-1 if head_mask.dim() == 2 else 1, self.n_heads, 1, 1)
            context = weights @ v  # (B, H, T, hd)
        else:
            context = F.scaled_dot_product_attention(q, k, v, attn_mask=mask_bias)  # (B, H, T, hd)
        context = context.transpose(1, 2).reshape(B, T, D)  # (B, T, D)
        return self.attention.output.dense(context), probs, ((q, k, v) if need_qkv else None)

    def _feed_forward(self, h: torch.Tensor) -> torch.Tensor:
        up = self.intermediate.dense(h)  # (B, T, I), or (B, T, 2I) gated
        if self.gated:  # GeGLU: one half, activated, gates the other
            up, gate = up.chunk(2, dim=-1)
            return self.output.dense(self.act(up) * gate)  # (B, T, D)
        return self.output.dense(self.act(up))  # (B, T, D)


class _Encoder(nn.Module):
    def __init__(self, cfg: ModelConfig):
        super().__init__()
        if cfg.family.shared_layers:
            # ALBERT: groups of layers whose weights every layer of the group's stretch runs again. `layer` lists
            # the module each layer runs; a plain list, so the shared weights are stored (and loaded) once.
            inner = cfg.inner_group_num
            self.groups = nn.ModuleList(
                nn.ModuleList(EncoderLayer(cfg) for _ in range(inner)) for _ in range(cfg.num_hidden_groups)
            )
            distinct = [layer for group in self.groups for layer in group]
            self.layer = [distinct[w] for w in cfg.layer_weights]
        else:
            self.layer = nn.ModuleList(EncoderLayer(cfg, i) for i in range(cfg.num_hidden_layers))


class _PredictionTransform(nn.Module):
    def __init__(self, cfg: ModelConfig):
        super().__init__()
        self.dense = _Linear(cfg.hidden_size, cfg.embedding_dim, bias=cfg.head_bias)
        self.LayerNorm = _norm(cfg, cfg.embedding_dim)


class MLMHead(nn.Module):
    """dense + activation + LayerNorm, then the decoder (usually tied to the word embeddings) + bias."""

    def __init__(self, cfg: ModelConfig):
        super().__init__()
        self.act = activation(cfg.head_act or cfg.family.head_activation or cfg.hidden_act)
        self.transform = _PredictionTransform(cfg)
        self.decoder = nn.Linear(cfg.embedding_dim, cfg.vocab_size, bias=False)
        self.bias = nn.Parameter(torch.zeros(cfg.vocab_size)) if cfg.decoder_bias else None

    def forward(self, hidden: torch.Tensor) -> torch.Tensor:
        t = self.transform
        h = t.LayerNorm(self.act(t.dense(hidden)))  # (..., E)
        return vocab_logits(h, self.decoder.weight, self.bias)  # (..., V)


class _Cls(nn.Module):
    def __init__(self, cfg: ModelConfig):
        super().__init__()
        self.predictions = MLMHead(cfg)


class ReplacedTokenHead(nn.Module):
    """ELECTRA's discriminator: one logit per token, sigmoid -> the probability that the token was replaced."""

    def __init__(self, cfg: ModelConfig):
        super().__init__()
        self.act = activation(cfg.hidden_act)
        self.dense = _Linear(cfg.hidden_size, cfg.hidden_size)
        self.dense_prediction = _Linear(cfg.hidden_size, 1)

    def forward(self, hidden: torch.Tensor) -> torch.Tensor:
        return self.dense_prediction(self.act(self.dense(hidden))).squeeze(-1)  # (B, T)


class TaskHead(nn.Module):
    """A fine-tuned classifier (families.py declares each family's steps): label logits for the whole input
    (a sequence classifier, reading one pooled vector) or for every token (a token classifier)."""

    def __init__(self, cfg: ModelConfig):
        super().__init__()
        D, C = cfg.hidden_size, len(cfg.labels)
        steps = task_steps(cfg.family, cfg.task)
        last = len(steps) - 1
        self.task = cfg.task
        pooling = cfg.family.sequence_pooling
        self.pooling = ("mean" if cfg.classifier_pooling == "mean" else "first") if pooling == "config" else pooling
        self.steps = nn.ModuleDict()  # by step number: the Linear and LayerNorm steps ("task_head.steps.0.weight")
        self.acts = {}  # step number -> activation
        for i, (kind, arg) in enumerate(steps):
            if kind == "linear":
                self.steps[str(i)] = _Linear(D, C if i == last else D, bias=i == last or cfg.head_bias)
            elif kind == "norm":
                self.steps[str(i)] = _norm(cfg, D)
            else:
                self.acts[i] = activation((cfg.head_act or cfg.hidden_act) if arg == "head_act" else arg)
        self.order = range(len(steps))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """(..., D) -> (..., C): the steps on pooled vectors (sequence) or token states (token)."""
        for i in self.order:
            x = self.acts[i](x) if i in self.acts else self.steps[str(i)](x)
        return x


class EncoderModel(nn.Module):
    """An encoder of any family with an optional pooler, masked-language-model head, replaced-token head and
    classification head."""

    def __init__(
        self,
        cfg: ModelConfig,
        with_pooler: bool = False,
        with_mlm_head: bool = True,
        with_discriminator: bool = False,
        with_task_head: bool = False,
    ):
        super().__init__()
        self.config = cfg
        self.embeddings = Embeddings(cfg)
        self.encoder = _Encoder(cfg)
        self.final_norm = _norm(cfg, cfg.hidden_size) if cfg.family.norm == "pre" else None
        self.pooler = _Dense(cfg.hidden_size, cfg.hidden_size) if with_pooler else None
        self.cls = _Cls(cfg) if with_mlm_head else None
        self.discriminator = ReplacedTokenHead(cfg) if with_discriminator else None
        self.task_head = TaskHead(cfg) if with_task_head and cfg.task else None
        self.windows = cfg.attention_windows
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
        output_replaced: bool = False,
        output_task: bool = False,
        head_mask: torch.Tensor | None = None,
    ) -> EncoderOutput:
        """Run the encoder once.

        input_ids, token_type_ids, attention_mask: (B, T) (or (T,) for one sentence). attention_mask is 1 for
        real tokens and 0 for padding. predict_at: the positions whose vocabulary logits are wanted, as (N,)
        positions of the first sentence or (N, 2) rows of (batch index, position); the decoder runs only
        there. head_mask: (L, H) of 1 (keep) / 0 (knock out), multiplying each head's attention output, or
        (B, L, H) for a different pattern per batch row (e.g. every head knocked out in turn, in one batch).
        output_replaced: the discriminator's per-token logits, when the model has one. output_task: the
        classification head's logits, when the model has one.
        """
        if input_ids.dim() == 1:
            input_ids = input_ids.unsqueeze(0)
            token_type_ids = None if token_type_ids is None else token_type_ids.unsqueeze(0)
            attention_mask = None if attention_mask is None else attention_mask.unsqueeze(0)
        if token_type_ids is None:
            token_type_ids = torch.zeros_like(input_ids)
        x = self.embeddings(input_ids, token_type_ids)  # (B, T, D)
        out = self.run_layers(
            x,
            attention_mask=attention_mask,
            head_mask=head_mask,
            output_attentions=output_attentions,
            output_hidden_states=output_hidden_states,
            output_qkv=output_qkv,
        )
        x = out.last_hidden_state
        if output_pooled and self.pooler is not None:
            out.pooled = self.pool(x)  # (B, D)
        if output_replaced and self.discriminator is not None:
            out.replaced_logits = self.discriminator(x)  # (B, T)
        if output_task and self.task_head is not None:
            out.task_logits = self.task_logits(x, attention_mask)  # (B, C) or (B, T, C)
        if predict_at is not None:
            if predict_at.dim() == 1:
                predict_at = torch.stack([torch.zeros_like(predict_at), predict_at], dim=1)
            out.logits = self.mlm_logits(x[predict_at[:, 0], predict_at[:, 1]])  # (N, V)
        return out

    def run_layers(
        self,
        x: torch.Tensor,
        start: int = 0,
        stop: int | None = None,
        *,
        attention_mask: torch.Tensor | None = None,
        head_mask: torch.Tensor | None = None,
        output_attentions: bool = False,
        output_hidden_states: bool = False,
        output_qkv: bool = False,
    ) -> EncoderOutput:
        """Layers start .. stop-1 on x (B, T, D), the state entering layer `start` (the embeddings for 0).

        When stop is the last layer (and a layer ran), the result is the encoder's output (pre-norm families'
        final norm included), so running 0..i and then i..L equals one full run. head_mask is indexed by layer number,
        (L, H) or (B, L, H), as in forward. The outputs cover the layers run: attentions (B, stop-start, H, T, T),
        hidden_states (B, stop-start+1, T, D) starting with x.
        """
        L = self.config.num_hidden_layers
        stop = L if stop is None else stop
        B, T, _ = x.shape
        biases = self._attention_biases(attention_mask, x, self.windows[start:stop])
        rotary = self._rotary(x) if self.config.family.positions == "rotary" else None
        hidden, probs, qkvs = [x], [], []
        attentions = None
        if output_attentions and not torch.is_grad_enabled():
            # Each layer's softmax writes straight into the result: no per-layer allocation, no final stack.
            attentions = x.new_empty(B, stop - start, self.config.num_attention_heads, T, T)
        for i in range(start, stop):
            window = self.windows[i]
            x, p, qkv = self.encoder.layer[i](
                x,
                biases[window],
                head_mask=None if head_mask is None else head_mask[..., i, :],
                need_probs=output_attentions,
                need_qkv=output_qkv,
                probs_out=None if attentions is None else attentions[:, i - start],
                rotary=None if rotary is None else rotary[window is not None],
            )
            if output_hidden_states:
                hidden.append(x)
            if output_attentions and attentions is None:
                probs.append(p)
            if output_qkv:
                qkvs.append(qkv)
        if stop == L and start < stop and self.final_norm is not None:
            x = self.final_norm(x)
            hidden[-1] = x  # as transformers reports it: the last hidden state is the normed one
        out = EncoderOutput(last_hidden_state=x)
        if output_hidden_states:
            out.hidden_states = torch.stack(hidden, dim=1)  # (B, L+1, T, D)
        if output_attentions:
            # (B, L, H, T, T)
            out.attentions = attentions if attentions is not None else torch.stack(probs, dim=1)
        if output_qkv:
            out.queries, out.keys, out.values = (torch.stack(t, dim=1) for t in zip(*qkvs))  # (B, L, H, T, hd)
        return out

    def _attention_biases(self, attention_mask, x: torch.Tensor, windows) -> dict:
        """window -> the additive bias of the attention scores: a large negative number at padding and, for a
        local layer (window w), at every key more than w positions from the query; None where nothing is masked."""
        T, device = x.shape[1], x.device
        keep = None  # (B, 1, 1, T) True for real tokens
        if attention_mask is not None and not bool(attention_mask.all()):
            keep = attention_mask[:, None, None, :].bool()
        biases = {}
        for window in set(windows):
            allowed = keep
            if window is not None and window < T - 1:
                pos = torch.arange(T, device=device)
                band = (pos[:, None] - pos[None, :]).abs() <= window  # (T, T)
                allowed = band if keep is None else keep & band  # (B, 1, T, T)
            if allowed is None:
                biases[window] = None
            else:
                zeros = torch.zeros(allowed.shape, device=device, dtype=x.dtype)
                biases[window] = zeros.masked_fill_(~allowed, torch.finfo(x.dtype).min)
        return biases

    def _rotary(self, x: torch.Tensor) -> tuple[tuple[torch.Tensor, torch.Tensor], ...]:
        """((cos, sin) of global layers, (cos, sin) of local layers), each (T, hd), in x's dtype. The angles are
        computed in float32 even for a half-precision model (position x frequency needs the digits)."""
        hd = self.config.head_dim
        positions = torch.arange(x.shape[1], device=x.device, dtype=torch.float32)
        steps = torch.arange(0, hd, 2, device=x.device, dtype=torch.float32) / hd
        out = []
        for theta in (self.config.global_rope_theta, self.config.local_rope_theta):
            angles = positions[:, None] / (theta**steps)[None, :]  # (T, hd/2)
            angles = torch.cat([angles, angles], dim=-1)  # (T, hd)
            out.append((angles.cos().to(x.dtype), angles.sin().to(x.dtype)))
        return tuple(out)

    def pool(self, x: torch.Tensor) -> torch.Tensor:
        """The pooler on the first token's state: (..., T, D) -> (..., D)."""
        return torch.tanh(self.pooler.dense(x[..., 0, :]))

    def task_logits(self, x: torch.Tensor, attention_mask: torch.Tensor | None = None) -> torch.Tensor:
        """The classification head on encoder outputs x (..., T, D) -> (..., C) for a sequence classifier,
        (..., T, C) for a token classifier. attention_mask (..., T) only matters to mean pooling."""
        head = self.task_head
        if head.task != SEQUENCE:
            return head(x)  # (..., T, C)
        if head.pooling == "pooler":
            pooled = self.pool(x)  # (..., D)
        elif head.pooling == "mean":
            keep = x.new_ones(x.shape[:-1]) if attention_mask is None else attention_mask.to(x.dtype)
            pooled = (x * keep[..., None]).sum(-2) / keep.sum(-1, keepdim=True)  # (..., D)
        else:
            pooled = x[..., 0, :]  # (..., D)
        return head(pooled)  # (..., C)

    def readout_states(self, hidden_states: torch.Tensor) -> torch.Tensor:
        """Every layer's state, hidden_states (L+1, ..., D) as forward returns them, as the heads read the last:
        in pre-norm families the states before the last are raw residual streams, so they get the final norm."""
        if self.final_norm is None:
            return hidden_states
        return torch.cat([self.final_norm(hidden_states[:-1]), hidden_states[-1:]])

    def mlm_logits(self, hidden: torch.Tensor) -> torch.Tensor:
        """The MLM head applied to encoder outputs (..., D) -> (..., V)."""
        if self.cls is None:
            raise NoMLMHeadError(
                "this model has no masked-language-model head, so it cannot predict masked words; "
                "attention and embeddings still work"
            )
        return self.cls.predictions(hidden)

    def layer_logits(self, hidden_states: torch.Tensor) -> torch.Tensor:
        """The MLM head on every layer's state, hidden_states (L+1, ..., D) as forward returns them ->
        (L+1, ..., V): what the model would predict if it stopped after each layer (see readout_states)."""
        return self.mlm_logits(self.readout_states(hidden_states))


# The name older code uses; BERT is one family of several.
BertModel = EncoderModel
