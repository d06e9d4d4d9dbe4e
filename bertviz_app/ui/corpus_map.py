"""The corpus map's parts that hold no words for the user: its palette, the 3-D turn, a corpus line as HTML
(ui/corpus_view.py uses them; ui/point_cloud.py draws the points)."""

from __future__ import annotations

import html

import numpy as np

from bertviz_app.analysis.numeric.corpus import CorpusIndex

CATEGORIES = (
    "#1c7ed6",
    "#e8590c",
    "#2b8a3e",
    "#ae3ec9",
    "#f08c00",
    "#0ca678",
    "#d6336c",
    "#5c7cfa",
    "#868e96",
    "#74b816",
)


def orthographic(xyz: np.ndarray, yaw: float, pitch: float = 20) -> tuple[np.ndarray, np.ndarray]:
    """(M, 3) -> (M, 2) and each point's distance from the eye (M,): the cloud turned `yaw` degrees about the
    vertical axis and looked at from `pitch` degrees above, orthographically (no OpenGL needed)."""
    yaw, pitch = np.radians(yaw), np.radians(pitch)
    x = xyz[:, 0] * np.cos(yaw) + xyz[:, 2] * np.sin(yaw)
    z = -xyz[:, 0] * np.sin(yaw) + xyz[:, 2] * np.cos(yaw)
    y = xyz[:, 1] * np.cos(pitch) + z * np.sin(pitch)
    # The eye looks down along (0, -sin, cos) of (y, z): high points and small z are near.
    return np.stack([x, y], axis=1), z * np.cos(pitch) - xyz[:, 1] * np.sin(pitch)


def sentence_html(index: CorpusIndex, line: int, position: int, before: str = "", after: str = "") -> str:
    """A corpus line as words, pieces of a word joined ("comfort" + "##ed"; "Ġ"-less BPE pieces), the token at
    `position` highlighted; special tokens left out."""
    raw, shown = index.line_tokens(line), index.line_tokens(line, display=True)
    start = int(index.line_starts[line])
    marked = any(t[:1] in ("Ġ", "▁") for t in raw)  # byte-level BPE / SentencePiece: a word starts with a mark
    out = []
    for i, (token, text) in enumerate(zip(raw, shown)):
        if index.special[start + i]:
            continue
        text = html.escape(text.removeprefix("##"))
        if i == position:
            text = f"<span style='background:#ffd8a8'><b>{before}{text}{after}</b></span>"
        glued = token.startswith("##") or (marked and token[:1] not in ("Ġ", "▁"))
        if out and glued:
            out[-1] += text
        else:
            out.append(text)
    return " ".join(out)
