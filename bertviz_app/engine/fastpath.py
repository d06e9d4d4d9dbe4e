"""The CPU fast path: what makes our forward faster than a straightforward one, kept out of the architecture.

`model.py` says what the encoder computes; this module says how the two most expensive steps run fast on a
CPU: linear layers through oneDNN with weights packed once, the vocabulary decoder at a handful of rows, and
attention probabilities written straight into the caller's buffer. Every function returns the same numbers
as the plain torch expression in its docstring.
"""

from __future__ import annotations

import weakref

import torch
import torch.nn.functional as F

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


def _can_pack(x: torch.Tensor, weight: torch.Tensor) -> bool:
    return (
        _packing
        and not torch.is_grad_enabled()
        and x.dtype == weight.dtype == torch.float32
        and x.device.type == weight.device.type == "cpu"
        and x.layout == weight.layout == torch.strided
        and not weight.is_inference()  # an inference tensor has no version counter to watch
        and x.numel() > 0
    )


def linear(x: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor | None) -> torch.Tensor:
    """F.linear(x, weight, bias), through a pre-packed oneDNN weight where that is possible (see above)."""
    global _packing
    if _can_pack(x, weight):
        try:
            return torch.ops.mkldnn._linear_pointwise(x, _packed(weight), bias, "none", [], "")
        except RuntimeError:  # a build whose oneDNN cannot do this: fall back for good
            _packing = False
            _PACKED.clear()
    return F.linear(x, weight, bias)


# Query, key and value read the same input: on the packed path the three (D, D) weights run as one (3D, D)
# product, one oneDNN call instead of three per layer (a few-token input is dominated by per-call costs). The
# concatenated copy is rebuilt when any of the three weights is replaced or changed, like a packed weight.
_FUSED: dict[tuple[int, ...], tuple] = {}  # ids of the three weights -> (weak refs, their keys, weight, bias)


def _fused(layers) -> tuple[torch.Tensor, torch.Tensor | None]:
    weights = [layer.weight for layer in layers]
    ids = tuple(id(w) for w in weights)
    keys = tuple((w.data_ptr(), w._version) for w in weights)
    entry = _FUSED.get(ids)
    if entry is not None and all(ref() is w for ref, w in zip(entry[0], weights)) and entry[1] == keys:
        return entry[2], entry[3]
    with torch.inference_mode(False):
        weight = torch.cat([w.detach() for w in weights])  # (3D, D)
        biases = [layer.bias for layer in layers]
        bias = None if biases[0] is None else torch.cat([b.detach() for b in biases])  # (3D,)
    refs = tuple(weakref.ref(w, lambda _ref, ids=ids: _FUSED.pop(ids, None)) for w in weights)
    _FUSED[ids] = (refs, keys, weight, bias)
    return weight, bias


def project_qkv(x: torch.Tensor, query, key, value) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """(query(x), key(x), value(x)) for three nn.Linear layers of the same input, each (..., D)."""
    if _can_pack(x, query.weight):
        weight, bias = _fused((query, key, value))
        return linear(x, weight, bias).chunk(3, dim=-1)  # three (..., D) views of one (..., 3D) result
    return query(x), key(x), value(x)


# Up to this many rows, vocab_logits multiplies the other way round (see there).
_FEW_ROWS = 3


def vocab_logits(h: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor | None) -> torch.Tensor:
    """h (..., D) @ weight (V, D)^T + bias -> (..., V), the same numbers as F.linear.

    The packed oneDNN weight is fastest at any row count (1.2 ms for one row of the bundled model's 30k x 384
    matrix, one thread; 2.0 ms for 7). Without it, for the one to three rows the app usually decodes (one per
    mask), the CPU BLAS is slow at F.linear's shape (a GEMM of a handful of rows against the transposed
    vocabulary matrix: ~5x the time it takes to read the matrix), so weight @ h^T (V, n) is computed instead,
    which reads the matrix once, in its stored order (1.7 ms for one row).
    """
    rows = h.reshape(-1, h.shape[-1])  # (n, D)
    n = rows.shape[0]
    if n == 0 or n > _FEW_ROWS or _can_pack(rows, weight):
        return linear(h, weight, bias)
    if n == 1:  # one column would take the (slow) matrix-vector path; two columns do not
        rows = torch.cat([rows, rows])
    out = torch.mm(weight, rows.t())[:, :n]  # (V, n)
    out = out.t().contiguous()  # (n, V)
    if bias is not None:
        out.add_(bias)
    return out.reshape(*h.shape[:-1], weight.shape[0])  # (..., V)


def attention_probs(q: torch.Tensor, k: torch.Tensor, bias: torch.Tensor | None, out: torch.Tensor | None):
    """softmax(q @ k^T + bias) -> (B, H, T, T); q (B, H, T, hd) already scaled, bias additive or None.

    With `out` (a contiguous (B, H, T, T) tensor, no autograd) scores, mask and softmax all happen in it: no
    (B, H, T, T) temporary. The softmax kernel reads each row before it writes it, so input and output may be
    the same tensor.
    """
    k_t = k.transpose(-1, -2)
    if out is not None and out.is_contiguous():
        scores = torch.matmul(q, k_t, out=out)  # (B, H, T, T)
        if bias is not None:
            scores.add_(bias)
        return torch.softmax(scores, dim=-1, out=scores)
    scores = q @ k_t  # (B, H, T, T)
    if bias is not None:
        scores = scores + bias
    return scores.softmax(dim=-1) if out is None else torch.softmax(scores, dim=-1, out=out)
