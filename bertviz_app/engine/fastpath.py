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


# Up to this many rows, vocab_logits multiplies the other way round (see there).
_FEW_ROWS = 3


def vocab_logits(h: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor | None) -> torch.Tensor:
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
