"""Workspaces: the whole state of the window in a small, human-readable JSON file (no Qt, no torch).

What it holds: the model (its name, folder, where it came from, and the SHA-256 of its weight files, so a
workspace opened elsewhere knows whether it has the same model), the input (sentences, masked spans,
whole-word masking, knocked-out heads), k, the selection (token, layer, head), the view in front and the
lesson open with its step. Written through `atomic_write`; read with every field checked, so a damaged file is
one `WorkspaceError` saying what is wrong, never a half-applied state.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

from bertviz_app.atomic import atomic_write

FORMAT = "bert-explorer-workspace"
VERSION = 1
SUFFIX = ".workspace.json"
MAX_BYTES = 1_000_000  # a workspace is a few hundred bytes; anything this large is not one
# The files that hold a model's weights (engine/files.py names them; this module stays torch-free, and
# importing bertviz_app.engine would import torch): safetensors and .bin files, shards included, and the
# base.json of a delta folder (which base its delta applies to).
WEIGHT_SUFFIXES = (".safetensors", ".bin")
WEIGHT_EXTRA = ("base.json",)


class WorkspaceError(ValueError):
    """A workspace file that cannot be read: the message names the file and what is wrong."""


@dataclass(frozen=True)
class ModelRef:
    name: str
    path: str
    source: str  # "bundled", "cache" or "folder"
    weights_sha256: str


@dataclass(frozen=True)
class Workspace:
    model: ModelRef
    text: str
    pair: str | None = None
    masked_spans: tuple[tuple[int, int, int], ...] = ()
    whole_word: bool = False
    knocked_out: tuple[tuple[int, int], ...] = ()  # (layer, head) from 0, sorted
    top_k: int = 10
    view: str = "attention"
    token: int | None = None
    layer: int = 0
    head: int = 0  # -1: the mean over heads
    lesson: str | None = None  # a lesson file
    lesson_step: int = 1  # from 1
    extra: dict = field(default_factory=dict)  # what a newer version wrote and this one does not know


def weights_sha256(folder: str | Path) -> str:
    """SHA-256 over a model folder's weight files (names and contents, in name order). Reads the whole
    weights: run it off the GUI thread."""
    folder = Path(folder)
    files = sorted(
        p for p in folder.iterdir() if p.is_file() and (p.suffix in WEIGHT_SUFFIXES or p.name in WEIGHT_EXTRA)
    )
    if not files:
        raise OSError(f"{folder} has no weight files")
    digest = hashlib.sha256()
    for path in files:
        digest.update(path.name.encode() + b"\0")
        with path.open("rb") as f:
            while chunk := f.read(1 << 20):
                digest.update(chunk)
    return digest.hexdigest()


def to_json(ws: Workspace) -> str:
    data = {"format": FORMAT, "version": VERSION, **asdict(ws)}
    extra = data.pop("extra")
    data["masked_spans"] = [list(s) for s in ws.masked_spans]
    data["knocked_out"] = [list(h) for h in ws.knocked_out]
    return json.dumps({**extra, **data}, indent=2, ensure_ascii=False) + "\n"


def write_workspace(path: str | Path, ws: Workspace) -> None:
    with atomic_write(path) as tmp:
        Path(tmp).write_text(to_json(ws), encoding="utf-8")


def read_workspace(path: str | Path) -> Workspace:
    path = Path(path)
    try:
        if path.stat().st_size > MAX_BYTES:
            raise WorkspaceError(f"{path}: {path.stat().st_size:,} bytes is too large for a workspace")
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise WorkspaceError(f"{path}: cannot read it: {exc}") from exc
    except json.JSONDecodeError as exc:
        raise WorkspaceError(f"{path}: not a workspace (line {exc.lineno}: {exc.msg})") from exc
    try:
        return parse_workspace(data)
    except WorkspaceError as exc:
        raise WorkspaceError(f"{path}: {exc}") from None


def parse_workspace(data) -> Workspace:
    """A workspace from its JSON object, every field checked."""
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise WorkspaceError(f'not a workspace (no "format": "{FORMAT}")')
    if not isinstance(data.get("version"), int) or data["version"] > VERSION:
        raise WorkspaceError(f"written by a newer version (format {data.get('version')!r}); this one reads {VERSION}")

    def get(key, kind, default=None, required=False):
        if key not in data or data[key] is None:
            if required:
                raise WorkspaceError(f"{key!r} is missing")
            return default
        value = data[key]
        if (kind is int and isinstance(value, bool)) or not isinstance(value, kind):
            raise WorkspaceError(f"{key!r} should be {getattr(kind, '__name__', kind)}, not {value!r}")
        return value

    model = get("model", dict, required=True)
    for key in ("name", "path", "source", "weights_sha256"):
        if not isinstance(model.get(key), str):
            raise WorkspaceError(f"'model' needs {key!r} (a string)")
    spans = tuple(_ints(s, 3, "masked_spans") for s in get("masked_spans", list, []))
    heads = tuple(sorted(_ints(h, 2, "knocked_out") for h in get("knocked_out", list, [])))
    if any(s[0] not in (0, 1) or s[1] < 0 or s[2] < s[1] for s in spans):
        raise WorkspaceError(f"'masked_spans' holds [segment 0 or 1, start, end] each, not {list(spans)}")
    if any(v < 0 for h in heads for v in h):
        raise WorkspaceError("'knocked_out' holds [layer, head] from 0")
    top_k = get("top_k", int, 10)
    if not 1 <= top_k <= 50:
        raise WorkspaceError(f"'top_k' is 1 to 50, not {top_k}")
    known = {f for f in Workspace.__dataclass_fields__} | {"format", "version"}
    return Workspace(
        model=ModelRef(model["name"], model["path"], model["source"], model["weights_sha256"]),
        text=get("text", str, required=True),
        pair=get("pair", str),
        masked_spans=spans,
        whole_word=get("whole_word", bool, False),
        knocked_out=heads,
        top_k=top_k,
        view=get("view", str, "attention"),
        token=get("token", int),
        layer=get("layer", int, 0),
        head=get("head", int, 0),
        lesson=get("lesson", str),
        lesson_step=get("lesson_step", int, 1),
        extra={k: v for k, v in data.items() if k not in known},
    )


def _ints(value, n: int, key: str) -> tuple[int, ...]:
    if not isinstance(value, list) or len(value) != n or not all(type(v) is int for v in value):
        raise WorkspaceError(f"{key!r} holds lists of {n} whole numbers, not {value!r}")
    return tuple(value)
