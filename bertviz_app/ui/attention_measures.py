"""The attention view's measures as the user meets them: their names in the selector, exports and colour bar,
their tooltips, the heatmap's title and hover text, and what --view-arg accepts (MEASURE[:LAYER[:HEAD]]).

What the user reads is translated in the AttentionPanel context (the view that shows it): the tables hold
QT_TRANSLATE_NOOP literals and `translated(text)` translates one; what goes into an exported file stays English."""

from __future__ import annotations

import logging

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication

log = logging.getLogger(__name__)
translate = QCoreApplication.translate


def translated(text: str) -> str:
    """One of the tables' texts in the user's language."""
    return translate("AttentionPanel", text)


# What the heatmap can show. Keys are what the code and --view-arg use; labels are what the selector shows.
MEASURES = ("attention", "value", "rollout")
MEASURE_LABELS = {
    "attention": QT_TRANSLATE_NOOP("AttentionPanel", "Attention"),
    "value": QT_TRANSLATE_NOOP("AttentionPanel", "Value-weighted (Kobayashi)"),
    "rollout": QT_TRANSLATE_NOOP("AttentionPanel", "Rollout (Abnar & Zuidema)"),
}
MEASURE_NAMES = {  # in exports (CSV captions, the NPZ "measure" entry, the SVG title): data, not translated
    "attention": "attention",
    "value": "value-weighted attention",
    "rollout": "attention rollout",
}
MEASURE_TIPS = {
    "attention": QT_TRANSLATE_NOOP(
        "AttentionPanel", "The attention weights softmax(QKᵀ/√d) of one head: where each token looks."
    ),
    "value": QT_TRANSLATE_NOOP(
        "AttentionPanel",
        "Kobayashi et al. 2020: each weight α_ij times ||v_j W_O||, the size of what token j sends through the "
        "head; rows re-normalised to sum to 1. Shows how much arrives, not only where the head looks.",
    ),
    "rollout": QT_TRANSLATE_NOOP(
        "AttentionPanel",
        "Abnar & Zuidema 2020: the head-averaged attention of every layer up to this one, multiplied together "
        "with the residual connection counted as 0.5·A + 0.5·I. Row i: how much of each input token has reached "
        "position i.",
    ),
}
COLORBAR_LABELS = {
    "attention": QT_TRANSLATE_NOOP("AttentionPanel", "attention weight"),
    "value": QT_TRANSLATE_NOOP("AttentionPanel", "value-weighted share (rows sum to 1)"),
    "rollout": QT_TRANSLATE_NOOP("AttentionPanel", "share of input token (rows sum to 1)"),
}
MEASURE_ALIASES = {  # what prepare_view (--view-arg) accepts
    "attention": "attention",
    "raw": "attention",
    "value": "value",
    "value-weighted": "value",
    "kobayashi": "value",
    "rollout": "rollout",
}
ROLLOUT_HEAD_TIP = QT_TRANSLATE_NOOP(
    "AttentionPanel", "Rollout averages every head of a layer (Abnar & Zuidema 2020): there is one matrix per layer."
)


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
    "attention": QT_TRANSLATE_NOOP("AttentionPanel", "Model view · every layer × head · click one"),
    "value": QT_TRANSLATE_NOOP("AttentionPanel", "Value-weighted · every layer × head"),
    "rollout": QT_TRANSLATE_NOOP("AttentionPanel", "Rollout · one tile per layer · click one"),
}


def heatmap_title(measure: str, layer: int, head: int, off, num_layers: int | None) -> str:
    """The heatmap's title: "Value-weighted · Layer 3 · head 5 · knocked out", "Rollout through layer 4 of 6
    (1 head knocked out on the way)", ...; `head` -1 for the mean over heads, `off` the knocked-out heads."""
    layer_off = sorted(h for la, h in off if la == layer)
    if measure == "rollout":
        if num_layers:
            title = translate("AttentionPanel", "Rollout through layer {layer} of {layers}")
        else:
            title = translate("AttentionPanel", "Rollout through layer {layer}")
        title = title.format(layer=layer + 1, layers=num_layers)
        below = sum(1 for la, _h in off if la <= layer)
        if below == 1:
            title += " " + translate("AttentionPanel", "(1 head knocked out on the way)")
        elif below:
            title += " " + translate("AttentionPanel", "({count} heads knocked out on the way)").format(count=below)
        return title
    if head < 0:
        heads = ", ".join(str(h + 1) for h in layer_off)
        if not layer_off:
            which = translate("AttentionPanel", "mean of all heads")
        elif len(layer_off) == 1:
            which = translate("AttentionPanel", "mean of all heads (head {heads} off)").format(heads=heads)
        else:
            which = translate("AttentionPanel", "mean of all heads (heads {heads} off)").format(heads=heads)
    elif head in layer_off:
        which = translate("AttentionPanel", "head {head} · knocked out").format(head=head + 1)
    else:
        which = translate("AttentionPanel", "head {head}").format(head=head + 1)
    if measure == "value":
        return translate("AttentionPanel", "Value-weighted · Layer {layer} · {which}").format(
            layer=layer + 1, which=which
        )
    return translate("AttentionPanel", "Layer {layer} · {which}").format(layer=layer + 1, which=which)


def structure_note(layer: int, layer_weights: tuple[int, ...], windows: tuple[int | None, ...]) -> str:
    """What the model's structure says about `layer` (0-based), for the heatmap's title: the other layers that run
    the same weights (ALBERT shares one set across layers) and a local attention window (ModernBERT); "" for
    a plain BERT layer."""
    notes = []
    if layer < len(layer_weights):
        same = [i + 1 for i, w in enumerate(layer_weights) if w == layer_weights[layer] and i != layer]
        if len(same) == 1:
            notes.append(translate("AttentionPanel", "same weights as layer {layer}").format(layer=same[0]))
        elif same:
            shown_layers = (
                f"{same[0]}–{same[-1]}"
                if len(same) > 2 and same == list(range(same[0], same[-1] + 1))
                else (", ".join(map(str, same)))
            )
            notes.append(translate("AttentionPanel", "same weights as layers {layers}").format(layers=shown_layers))
    if layer < len(windows) and windows[layer] is not None:
        notes.append(translate("AttentionPanel", "local: sees ±{window} tokens").format(window=windows[layer]))
    return "".join(f" · {n}" for n in notes)


AXIS_TITLES = {  # the heatmap's (left, bottom) axis titles: queries and keys, or for rollout positions and inputs
    "attention": (
        QT_TRANSLATE_NOOP("AttentionPanel", "attending token (query)"),
        QT_TRANSLATE_NOOP("AttentionPanel", "attended-to token (key)"),
    ),
    "rollout": (
        QT_TRANSLATE_NOOP("AttentionPanel", "position (after this layer)"),
        QT_TRANSLATE_NOOP("AttentionPanel", "input token (embedding)"),
    ),
}


def axis_titles(measure: str) -> tuple[str, str]:
    """The heatmap's (left, bottom) axis titles for `measure` (value-weighted shares raw attention's)."""
    left, bottom = AXIS_TITLES["rollout" if measure == "rollout" else "attention"]
    return translated(left), translated(bottom)


def cell_note(measure: str, row: int, col: int, layer: int, head: int, masked: list[int]) -> str:
    """What the hover read-out says about a heatmap cell after its weight: "#2 → #5; layer 3, head 1; #5
    masked"; `layer`/`head` 0-based (head -1: the mean of heads), `masked` which of row and col are masked."""
    if measure == "rollout":
        notes = [translate("AttentionPanel", "#{row} ← input #{col}")]
        notes.append(translate("AttentionPanel", "rollout through layer {layer}"))
    else:
        notes = ["#{row} → #{col}"]
        if head < 0:
            notes.append(translate("AttentionPanel", "layer {layer}, mean of heads"))
        else:
            notes.append(translate("AttentionPanel", "layer {layer}, head {head}"))
        if measure == "value":
            notes.append(translate("AttentionPanel", "value-weighted"))
    if len(masked) == 2:
        notes.append(translate("AttentionPanel", "#{row} and #{col} masked"))
    elif masked:
        notes.append(translate("AttentionPanel", "#{index} masked"))
    index = masked[0] if masked else row
    return "; ".join(notes).format(row=row, col=col, layer=layer + 1, head=head + 1, index=index)


def tile_readout(layer: int, head: int, knocked_out: bool) -> str:
    """The read-out over a model-view tile (0-based; head -1 for a rollout tile, which is a whole layer)."""
    if head < 0:
        text = translate("AttentionPanel", "Rollout through layer {layer} · click to show it")
    elif knocked_out:
        text = translate(
            "AttentionPanel",
            "Model view: layer {layer}, head {head} · knocked out · click to show it, right-click to switch it on",
        )
    else:
        text = translate(
            "AttentionPanel", "Model view: layer {layer}, head {head} · click to show it, right-click to switch it off"
        )
    return text.format(layer=layer + 1, head=head + 1)
