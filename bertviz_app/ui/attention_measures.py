"""The attention view's measures as the user meets them: their names in the selector, exports and colour bar,
their tooltips, and what --view-arg accepts (MEASURE[:LAYER[:HEAD]])."""

from __future__ import annotations

import logging

log = logging.getLogger(__name__)

# What the heatmap can show. Keys are what the code and --view-arg use; labels are what the selector shows.
MEASURES = ("attention", "value", "rollout")
MEASURE_LABELS = {
    "attention": "Attention",
    "value": "Value-weighted (Kobayashi)",
    "rollout": "Rollout (Abnar & Zuidema)",
}
MEASURE_NAMES = {  # in exports: CSV captions, the NPZ "measure" entry, the save dialog
    "attention": "attention",
    "value": "value-weighted attention",
    "rollout": "attention rollout",
}
MEASURE_TIPS = {
    "attention": "The attention weights softmax(QKᵀ/√d) of one head: where each token looks.",
    "value": "Kobayashi et al. 2020: each weight α_ij times ||v_j W_O||, the size of what token j sends through "
    "the head; rows re-normalised to sum to 1. Shows how much arrives, not only where the head looks.",
    "rollout": "Abnar & Zuidema 2020: the head-averaged attention of every layer up to this one, multiplied "
    "together with the residual connection counted as 0.5·A + 0.5·I. Row i: how much of each input token has "
    "reached position i.",
}
COLORBAR_LABELS = {
    "attention": "attention weight",
    "value": "value-weighted share (rows sum to 1)",
    "rollout": "share of input token (rows sum to 1)",
}
MEASURE_ALIASES = {  # what prepare_view (--view-arg) accepts
    "attention": "attention",
    "raw": "attention",
    "value": "value",
    "value-weighted": "value",
    "kobayashi": "value",
    "rollout": "rollout",
}
ROLLOUT_HEAD_TIP = "Rollout averages every head of a layer (Abnar & Zuidema 2020): there is one matrix per layer."


def parse_view_arg(arg: str, layer: int, head: int) -> tuple[str | None, int | None, int, bool]:
    """--view-arg "value:3:5", "rollout:6", "attention:2:mean" -> (measure or None, layer, head (-1: mean), mean),
    0-based; `layer`/`head` stand where the argument leaves them out. Layer None (logged) when layer/head do not
    parse; an unknown measure is logged and left out (None)."""
    name, *where = (part.strip().lower() for part in arg.split(":"))
    measure = MEASURE_ALIASES.get(name)
    if name and measure is None:
        log.warning("attention view: unknown measure %r; choose one of %s", name, ", ".join(MEASURES))
    try:
        layer = int(where[0]) - 1 if where and where[0] else layer
        mean = len(where) > 1 and where[1] == "mean"
        head = -1 if mean else int(where[1]) - 1 if len(where) > 1 and where[1] else head
    except ValueError:
        log.warning("attention view: cannot read layer/head from %r (want e.g. value:3:5)", arg)
        return measure, None, head, False
    if layer < 0 or (head < 0 and not mean):
        log.warning("attention view: layers and heads count from 1: %r", arg)
        return measure, None, head, False
    return measure, layer, head, mean


GRID_TITLES = {  # over the model view
    "attention": "Model view · every layer × head · click one",
    "value": "Value-weighted · every layer × head",
    "rollout": "Rollout · one tile per layer · click one",
}


def heatmap_title(measure: str, layer: int, head: int, off, num_layers: int | None) -> str:
    """The heatmap's title: "Value-weighted · Layer 3 · head 5 · knocked out", "Rollout through layer 4 of 6
    (1 head knocked out on the way)", ...; `head` -1 for the mean over heads, `off` the knocked-out heads."""
    layer_off = sorted(h for la, h in off if la == layer)
    if measure == "rollout":
        which = f"through layer {layer + 1}" + (f" of {num_layers}" if num_layers else "")
        below = sum(1 for la, _h in off if la <= layer)
        if below:
            which += f" ({below} head{'s' if below > 1 else ''} knocked out on the way)"
        return f"Rollout {which}"
    if head < 0:
        which = "mean of all heads"
        if layer_off:
            which += f" (head{'s' if len(layer_off) > 1 else ''} {', '.join(str(h + 1) for h in layer_off)} off)"
    else:
        which = f"head {head + 1}" + (" · knocked out" if head in layer_off else "")
    prefix = "Value-weighted · " if measure == "value" else ""
    return f"{prefix}Layer {layer + 1} · {which}"


def structure_note(layer: int, layer_weights: tuple[int, ...], windows: tuple[int | None, ...]) -> str:
    """What the model's structure says about `layer` (0-based), for the heatmap's title: the other layers that run
    the same weights (ALBERT shares one set across layers) and a local attention window (ModernBERT); "" for
    a plain BERT layer."""
    notes = []
    if layer < len(layer_weights):
        same = [i + 1 for i, w in enumerate(layer_weights) if w == layer_weights[layer] and i != layer]
        if same:
            shown = (
                f"{same[0]}–{same[-1]}"
                if len(same) > 2 and same == list(range(same[0], same[-1] + 1))
                else (", ".join(map(str, same)))
            )
            notes.append(f"same weights as layer{'s' if len(same) > 1 else ''} {shown}")
    if layer < len(windows) and windows[layer] is not None:
        notes.append(f"local: sees ±{windows[layer]} tokens")
    return "".join(f" · {n}" for n in notes)
