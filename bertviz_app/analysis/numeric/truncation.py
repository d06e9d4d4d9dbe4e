"""Where an input too long for the model was cut, and whether a typed mask was cut with it (no torch, no Qt:
the command line and the sentence panel say the same)."""

from __future__ import annotations

import re

TYPED_MASK = "[MASK]"


def masks_cut_off(encoding, text: str, text_b: str | None = None, mask_token: str = TYPED_MASK) -> str | None:
    """A sentence saying how many typed masks the model never sees and where the input was cut, or None
    when every typed mask was kept (or nothing was cut).

    `encoding` is the (truncated) encoding of `text` / `text_b`; a typed mask is "[MASK]" in any case, or the
    model's own `mask_token`.
    """
    if not encoding.truncated:
        return None
    forms = sorted({TYPED_MASK.lower(), mask_token.lower()}, key=len, reverse=True)
    pattern = re.compile("|".join(re.escape(f) for f in forms), re.IGNORECASE)
    typed = len(pattern.findall(text or "")) + len(pattern.findall(text_b or ""))
    kept = sum(encoding.typed_mask)
    if typed <= kept:
        return None
    cuts = []
    for segment, sentence, name in ((0, text or "", "the sentence"), (1, text_b or "", "the second sentence")):
        ends = [
            end
            for (_start, end), seg, special in zip(encoding.offsets, encoding.segments, encoding.special)
            if seg == segment and not special
        ]
        cut = max(ends, default=0)
        if sentence and cut < len(sentence.rstrip()):
            cuts.append(f"{name} after character {cut} (“…{sentence[max(0, cut - 24) : cut].strip()}”)")
    lost = typed - kept
    which = "the [MASK] is" if typed == 1 else f"{lost} of the {typed} [MASK]s {'is' if lost == 1 else 'are'}"
    return (
        f"{which} beyond the model's maximum of {len(encoding)} tokens, so {'it' if lost == 1 else 'they'} cannot "
        f"be predicted: the input was cut in {' and '.join(cuts)}; shorten the text or move the mask earlier"
    )
