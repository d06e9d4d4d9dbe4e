"""The corpus explorer's model side: index a text collection (every token's hidden state at every layer, fp16,
memory-mapped on disk), and find the corpus tokens the model reads most like a token of a sentence.

Building is a generator task (see analysis/tasks.py): it yields (tokens done, tokens in all) between batches, so
the app shows progress and can cancel it; it writes into a temporary folder beside the index and renames it into
place only once index.json says "complete" (written last), so a stopped or crashed build never looks like an index.
The on-disk format and everything that needs no model (opening, PCA, senses) is analysis/numeric/corpus.py.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sys
import time
import uuid
import weakref
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from bertviz_app.analysis.inference import InferenceInput, prepare
from bertviz_app.analysis.numeric.corpus import (
    FORMAT,
    INDEX_FILE,
    CorpusError,
    CorpusIndex,
    CorpusMap,
    IndexInfo,
    TsneParams,
    read_info,
    read_tsne,
    sample_rows,
    sense_clusters,
    shared_basis,
    tsne_steps,
    write_tsne,
)
from bertviz_app.analysis.tasks import run_to_end
from bertviz_app.engine.loader import LoadedModel
from bertviz_app.resources import resource_path

DEMO_CORPUS = ("corpus", "state-of-the-union.txt")
# A batch holds about this many (padded) tokens: at the bundled model's size (7 states x 384 wide, fp32) that is
# ~45 MB of hidden states in flight; larger batches are no faster on a CPU and only cost memory.
TOKENS_PER_BATCH = 4096
_ACTIVATION_BUDGET = 256 * 2**20  # bytes of hidden states (+ attention, with context) one batch may hold


def demo_corpus() -> Path:
    """The bundled demo corpus: sentences of State of the Union addresses 1990-2021 (resources/corpus/README.md)."""
    return resource_path(*DEMO_CORPUS)


def cache_root() -> Path:
    """Where indexes live unless a folder is given: $BERTVIZ_CACHE_DIR, else the platform's user cache folder
    (~/.cache on Linux, as XDG says; ~/Library/Caches on macOS; %LOCALAPPDATA% on Windows), then bertviz-app/corpus."""
    override = os.environ.get("BERTVIZ_CACHE_DIR")
    if override:
        return Path(override) / "corpus"
    home = Path.home()
    if sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA") or home / "AppData" / "Local")
    elif sys.platform == "darwin":
        base = home / "Library" / "Caches"
    else:
        base = Path(os.environ.get("XDG_CACHE_HOME") or home / ".cache")
    return base / "bertviz-app" / "corpus"


# ---- what an index is keyed by ---------------------------------------------------------------------------


def model_fingerprint(lm: LoadedModel) -> str:
    """A hash of the model's config and weights: every tensor's name, shape and ~1,000 of its values spread
    over it, so any retraining changes it (hashing every byte of a 440 MB model would cost seconds)."""
    h = hashlib.sha256(json.dumps(lm.config.__dict__, sort_keys=True, default=str).encode())
    with torch.inference_mode():
        for name, tensor in lm.model.state_dict().items():
            flat = tensor.detach().reshape(-1)
            h.update(f"{name}{tuple(tensor.shape)}{tensor.dtype}".encode())
            h.update(flat[:: max(1, flat.numel() // 1024)].float().numpy().tobytes())
    return h.hexdigest()[:32]


def read_lines(files) -> tuple[list[str], list[tuple[str, int]], str]:
    """The non-empty lines of `files` in order (whitespace collapsed), each file's (name, lines), and the sha256
    of the whole corpus as read (a different file order or one changed character gives another hash)."""
    lines, sources, h = [], [], hashlib.sha256()
    for f in files:
        path = Path(f)
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError as exc:
            raise CorpusError(f"{path} is not UTF-8 text ({exc.reason} at byte {exc.start})") from None
        kept = [" ".join(line.split()) for line in text.splitlines()]
        kept = [line for line in kept if line]
        lines.extend(kept)
        sources.append((path.name, len(kept)))
        h.update(f"{path.name}\0{len(kept)}\0".encode())
        for line in kept:
            h.update(line.encode("utf-8") + b"\n")
    if not lines:
        raise CorpusError("the corpus is empty: no line of text in " + ", ".join(str(f) for f in files))
    return lines, sources, h.hexdigest()


def parse_layers(spec: str | None, num_layers: int) -> tuple[int, ...]:
    """'all' (or None) -> every hidden state 0..L; '0,3,6' -> those, checked against the model."""
    if spec is None or spec.strip().lower() == "all":
        return tuple(range(num_layers + 1))
    try:
        layers = sorted({int(part) for part in spec.split(",") if part.strip()})
    except ValueError:
        raise CorpusError(f"--layers takes 'all' or numbers such as 0,3,6, not {spec!r}") from None
    bad = [x for x in layers if not 0 <= x <= num_layers]
    if not layers or bad:
        raise CorpusError(f"layers go from 0 (the embeddings) to {num_layers} for this model, not {spec!r}")
    return tuple(layers)


def parse_heads(spec: str | None) -> tuple[int, ...]:
    """'3,5' -> (3, 5); None or '' -> () (every head)."""
    if not spec:
        return ()
    try:
        return tuple(sorted({int(part) for part in spec.split(",") if part.strip()}))
    except ValueError:
        raise CorpusError(f"--heads takes numbers such as 3,5, not {spec!r}") from None


def index_key(fingerprint: str, corpus_sha256: str, layers, context: bool, max_length: int) -> str:
    text = f"{FORMAT}|{fingerprint}|{corpus_sha256}|{','.join(map(str, layers))}|{int(context)}|{max_length}"
    return hashlib.sha256(text.encode()).hexdigest()[:20]


# ---- building ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class IndexRequest:
    files: tuple[str, ...]
    layers: tuple[int, ...]
    context: bool
    key: str
    lines: list
    sources: tuple
    corpus_sha256: str
    fingerprint: str


def plan(lm: LoadedModel, files, layers: str | None = None, context: bool = False) -> IndexRequest:
    """Read the corpus and work out its cache key (cheap: no model run)."""
    lines, sources, digest = read_lines(files)
    chosen = parse_layers(layers, lm.config.num_hidden_layers)
    fingerprint = model_fingerprint(lm)
    key = index_key(fingerprint, digest, chosen, context, lm.max_length)
    return IndexRequest(tuple(map(str, files)), chosen, context, key, lines, tuple(sources), digest, fingerprint)


def batch_tokens(lm: LoadedModel, context: bool) -> int:
    """Tokens per batch: TOKENS_PER_BATCH, fewer for a model whose states (and, with context, attention
    probabilities at full length) would not fit _ACTIVATION_BUDGET."""
    cfg = lm.config
    per_token = (cfg.num_hidden_layers + 1) * cfg.hidden_size * 4
    if context:
        per_token += cfg.num_hidden_layers * (cfg.num_attention_heads * lm.max_length + 3 * cfg.hidden_size) * 4
    return int(max(lm.max_length, min(TOKENS_PER_BATCH, _ACTIVATION_BUDGET // per_token)))


def build_index(lm: LoadedModel, request: IndexRequest, folder: str | Path, spec: str | None = None):
    """Generator: index `request` into `folder` (replacing whatever is there once done), yielding (tokens done,
    tokens in all); returns the opened CorpusIndex. Closing the generator (cancel) removes the partial build."""
    start = time.perf_counter()
    folder = Path(folder)
    _check_replaceable(folder)
    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = folder.parent / f".{folder.name}.building-{uuid.uuid4().hex[:8]}"
    tmp.mkdir()
    finished = False
    try:
        tok = lm.tokenizer
        encodings, truncated = [], 0
        for i, line in enumerate(request.lines):
            enc = tok.encode(line)
            encodings.append((np.asarray(enc.input_ids, dtype=np.int32), np.asarray(enc.special, dtype=np.bool_)))
            truncated += enc.truncated
            if i % 256 == 255:
                yield 0, 1  # tokenizing: nothing embedded yet (and a chance to cancel)
        lengths = np.array([len(ids) for ids, _ in encodings], dtype=np.int64)
        line_starts = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
        N, D, H = int(line_starts[-1]), lm.config.hidden_size, lm.config.num_attention_heads
        S = len(request.layers)
        ctx_layers = tuple(x for x in request.layers if x >= 1) if request.context else ()
        C = len(ctx_layers)
        token_ids = np.concatenate([ids for ids, _ in encodings])
        special = np.concatenate([sp for _, sp in encodings])
        np.save(tmp / "token_ids.npy", token_ids)
        np.save(tmp / "special.npy", special)
        np.save(tmp / "line_starts.npy", line_starts)
        data = [line.encode("utf-8") for line in request.lines]
        np.save(tmp / "text_starts.npy", np.concatenate([[0], np.cumsum([len(b) for b in data])]).astype(np.int64))
        (tmp / "text.bin").write_bytes(b"".join(data))
        del data
        present = np.unique(token_ids).tolist()
        vocab = [""] * (tok.largest_id + 1)
        display = [""] * (tok.largest_id + 1)
        for i in present:
            vocab[i] = tok.id_to_token(i)
            display[i] = tok.display(vocab[i])
        (tmp / "vocab.json").write_text(json.dumps({"tokens": vocab, "display": display}, ensure_ascii=False))

        shapes = {"hidden": ((S, N, D), np.float16), "norms2": ((S, N, H), np.float32)}
        if C:
            shapes.update(context=((C, N, D), np.float16), context_norms2=((C, N, H), np.float32))
        out_arrays = _Outputs(tmp, shapes)
        layer_index = torch.tensor(request.layers)
        ctx_index = torch.tensor(ctx_layers, dtype=torch.long) - 1  # attention layer l is result row l-1
        budget = batch_tokens(lm, bool(C))
        order = np.argsort(-lengths, kind="stable")  # longest first: similar lengths share a batch (little padding)
        done = 0
        yield 0, N
        b = 0
        while b < len(order):
            width = int(lengths[order[b]])
            e = b + max(1, budget // width)
            rows = order[b:e]
            ids = torch.full((len(rows), width), tok.pad_id, dtype=torch.long)
            mask = torch.zeros((len(rows), width), dtype=torch.long)
            for r, line in enumerate(rows):
                n = int(lengths[line])
                ids[r, :n] = torch.from_numpy(encodings[line][0])
                mask[r, :n] = 1
            with torch.inference_mode():
                out = lm.model(
                    ids,
                    torch.zeros_like(ids),
                    mask,
                    output_hidden_states=True,
                    output_attentions=bool(C),
                    output_qkv=bool(C),
                )
                states = out.hidden_states  # (B, L+1, T, D)
                if states.shape[1] > S:
                    states = states.index_select(1, layer_index)  # (B, S, T, D)
                states_norms2 = states.view(*states.shape[:3], H, D // H).square().sum(-1)  # (B, S, T, H)
                if C:
                    probs = out.attentions.index_select(1, ctx_index)  # (B, C, H, T, T)
                    heads = probs @ out.values.index_select(1, ctx_index)  # (B, C, H, T, hd)
                    ctx = heads.permute(0, 1, 3, 2, 4).reshape(len(rows), C, width, D)  # (B, C, T, H*hd)
                    ctx_norms2 = heads.square().sum(-1).permute(0, 1, 3, 2)  # (B, C, T, H)
            states16 = states.half().numpy()
            hidden, norms2 = out_arrays["hidden"], out_arrays["norms2"]
            if C:
                context, context_norms2 = out_arrays["context"], out_arrays["context_norms2"]
            for r, line in enumerate(rows):
                s, n = int(line_starts[line]), int(lengths[line])
                hidden[:, s : s + n] = states16[r, :, :n]
                norms2[:, s : s + n] = states_norms2[r, :, :n].numpy()
                if C:
                    context[:, s : s + n] = ctx[r, :, :n].half().numpy()
                    context_norms2[:, s : s + n] = ctx_norms2[r, :, :n].numpy()
            done += int(lengths[rows].sum())
            # Each line's slice of each array may touch two pages it only partly fills: count them as mapped too.
            out_arrays.wrote(int(lengths[rows].sum()) * (S + C) * (D * 2 + H * 4) + len(rows) * (S + C) * 4 * 4096)
            b = e
            _return_freed_memory()
            yield done, N
        del hidden, norms2
        if C:
            del context, context_norms2
        out_arrays.close()
        info = IndexInfo(
            key=request.key,
            model=lm.name,
            model_spec=str(spec if spec is not None else lm.info.path),
            model_fingerprint=request.fingerprint,
            corpus_sha256=request.corpus_sha256,
            sources=request.sources,
            layers=request.layers,
            context_layers=ctx_layers,
            hidden_size=D,
            num_heads=H,
            tokens=N,
            lines=len(request.lines),
            truncated_lines=int(truncated),
            seconds=round(time.perf_counter() - start, 3),
        )
        (tmp / INDEX_FILE).write_text(json.dumps(info.to_json(), indent=1), encoding="utf-8")  # last: "complete"
        _replace_folder(tmp, folder)
        finished = True
    finally:
        if not finished:
            shutil.rmtree(tmp, ignore_errors=True)
    return CorpusIndex(folder)


def _glibc_malloc_trim():
    """glibc's malloc_trim, or None on another C library (macOS, Windows, musl)."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        import ctypes

        return ctypes.CDLL("libc.so.6").malloc_trim
    except (OSError, AttributeError):
        return None


_MALLOC_TRIM = _glibc_malloc_trim()


def _return_freed_memory() -> None:
    """Give the memory of a finished batch back to the system. glibc raises its mmap threshold after large frees,
    so later batches (other shapes) come from the heap and fragment it: without this a build's resident memory grew
    ~370 MB for 4.3x the tokens (benchmarks/bench_corpus.py); trimmed, its peak was the same at 4x and 16x."""
    if _MALLOC_TRIM is not None:
        _MALLOC_TRIM(0)


class _Outputs:
    """The index's big arrays, memory-mapped for writing. Pages written stay mapped (and count as the process's
    memory) until unmapped, so every REMAP_BYTES of pages touched they are flushed and mapped again: memory stays
    bounded whatever the corpus's size."""

    REMAP_BYTES = 64 * 2**20

    def __init__(self, folder: Path, shapes: dict):
        self._folder, self._shapes, self._pending = folder, shapes, 0
        self._arrays = {
            name: np.lib.format.open_memmap(folder / f"{name}.npy", mode="w+", dtype=dtype, shape=shape)
            for name, (shape, dtype) in shapes.items()
        }

    def __getitem__(self, name: str) -> np.ndarray:
        return self._arrays[name]

    def wrote(self, nbytes: int) -> None:
        self._pending += nbytes
        if self._pending >= self.REMAP_BYTES:
            self.close()
            self._arrays = {
                name: np.lib.format.open_memmap(self._folder / f"{name}.npy", mode="r+") for name in self._shapes
            }
            self._pending = 0

    def close(self) -> None:
        for array in self._arrays.values():
            array.flush()
        self._arrays = {}


def _check_replaceable(folder: Path) -> None:
    """An index replaces only an index (or an empty folder): never a folder of someone's other files."""
    if folder.exists() and (not folder.is_dir() or (any(folder.iterdir()) and not (folder / INDEX_FILE).exists())):
        raise CorpusError(f"{folder} exists and is not a corpus index; give a new or empty folder")


def _replace_folder(new: Path, folder: Path) -> None:
    """Move `new` to `folder`; what was at `folder` is removed only after the new one is in place."""
    old = None
    if folder.exists():
        _check_replaceable(folder)
        old = folder.parent / f".{folder.name}.old-{uuid.uuid4().hex[:8]}"
        folder.rename(old)
    new.rename(folder)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def open_or_build(
    lm: LoadedModel,
    files,
    folder: str | Path | None = None,
    layers: str | None = None,
    context: bool = False,
    spec: str | None = None,
):
    """Generator: the index of `files` for this model and layer set, from the cache when it is there (no step
    at all), else built; `folder` None means cache_root()/<key>. Returns the CorpusIndex."""
    request = plan(lm, files, layers, context)
    folder = Path(folder) if folder is not None else cache_root() / request.key
    info = read_info(folder)
    if info is not None and info.key == request.key:
        try:
            return CorpusIndex(folder)
        except CorpusError:
            pass  # damaged: build it again
    return (yield from build_index(lm, request, folder, spec))


# ---- search ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Neighbour:
    row: int  # the token's row in the index
    line: int  # its line (0-based, across the input files in order)
    position: int  # its position in that line's tokens (special tokens included)
    similarity: float  # cosine


@dataclass(frozen=True)
class Query:
    tokens: tuple[str, ...]  # the tokenizer's strings, special tokens included
    display_tokens: tuple[str, ...]
    position: int
    hidden: np.ndarray  # (L+1, D) float32: the token's state at every layer
    context: np.ndarray | None  # (L, D) float32: its context vector at every attention layer, when asked for


@dataclass(frozen=True, eq=False)
class _Sentence:
    """One run of the model on a sentence, as a query needs it."""

    tokens: tuple[str, ...]
    display_tokens: tuple[str, ...]
    special: tuple[bool, ...]
    hidden: np.ndarray  # (L+1, T, D) float32
    context: np.ndarray | None  # (L, T, D) float32: every attention layer's head outputs, when asked for


_last_sentence: list = []  # [(weak reference to the model, text, the _Sentence)]: the last one run, on the worker


def _run_sentence(lm: LoadedModel, text: str, with_context: bool) -> _Sentence:
    """The model's states for `text`, reusing the last sentence's run: a click on another of its tokens, or the same
    token at another layer, runs no model (otherwise one forward pass per click)."""
    if _last_sentence:
        ref, last_text, last = _last_sentence[0]
        if ref() is lm and last_text == text and (last.context is not None or not with_context):
            return last
    prep = prepare(lm, InferenceInput(text))
    with torch.inference_mode():
        out = lm.model(
            prep.input_ids,
            prep.token_type_ids,
            output_hidden_states=True,
            output_attentions=with_context,
            output_qkv=with_context,
        )
        context = None
        if with_context:
            heads = out.attentions[0] @ out.values[0]  # (L, H, T, hd)
            context = heads.permute(0, 2, 1, 3).reshape(heads.shape[0], heads.shape[2], -1).float().numpy()  # (L, T, D)
        hidden = out.hidden_states[0].float().numpy()  # (L+1, T, D)
    enc = prep.encoding
    sentence = _Sentence(
        tuple(enc.tokens), tuple(enc.display_tokens), tuple(bool(x) for x in enc.special), hidden, context
    )
    _last_sentence[:] = [(weakref.ref(lm), text, sentence)]
    return sentence


def embed_query(lm: LoadedModel, text: str, position: int, with_context: bool = False) -> Query:
    """Run the model on `text` and keep token `position`'s vectors (as the index stored the corpus's)."""
    sentence = _run_sentence(lm, text, with_context)
    T = len(sentence.tokens)
    if not 0 <= position < T:
        raise CorpusError(f"token {position} is outside the text's {T} tokens (0 to {T - 1}, special tokens included)")
    context = sentence.context[:, position].copy() if with_context else None
    hidden = sentence.hidden[:, position].copy()  # (L+1, D)
    return Query(sentence.tokens, sentence.display_tokens, position, hidden, context)


def search(index: CorpusIndex, vector: np.ndarray, layer: int, top: int = 10, **options) -> list[Neighbour]:
    """The `top` corpus tokens closest (cosine) to `vector` (D,) at `layer`, most similar first; `options` as
    search_with_cosines takes them (heads, space, include_special)."""
    return search_with_cosines(index, vector, layer, top, **options)[0]


def search_with_cosines(
    index: CorpusIndex,
    vector: np.ndarray,
    layer: int,
    top: int = 10,
    heads=None,
    space: str = "hidden",
    include_special: bool = False,
) -> tuple[list[Neighbour], np.ndarray]:
    """The `top` corpus tokens closest (cosine) to `vector` (D,) at `layer`, most similar first, and every token's
    cosine to it from the same product ((N,) float32, about 1e-3 exact; -2, below any cosine, at special tokens
    unless `include_special`): what the map colours by, with no second pass.

    space "hidden": the layer's hidden states; "context": the attention layer's context vectors (layer >= 1).
    `heads`: use only those heads' D/H slices of the vectors (exBERT's head search). Exact: one fp16 matrix-vector
    product over the memory-mapped layer ranks every token, then the best candidates are scored again in float32.
    """
    if top < 1:
        raise CorpusError("--top must be at least 1")
    info = index.info
    D, H = info.hidden_size, info.num_heads
    if space == "context":
        vectors = index.context[index.context_row(layer)]
    elif space == "hidden":
        vectors = index.hidden[index.layer_row(layer)]
    else:
        raise CorpusError(f"unknown vector space {space!r}")
    q = np.asarray(vector, dtype=np.float32).reshape(-1)
    if q.shape != (D,):
        raise CorpusError(f"the query has {q.size} dimensions, the index {D}")
    chosen = sorted(set(heads)) if heads else list(range(H))
    if any(not 0 <= h < H for h in chosen):
        raise CorpusError(f"heads go from 0 to {H - 1}, not {', '.join(map(str, chosen))}")
    hd = D // H
    columns = np.concatenate([np.arange(h * hd, (h + 1) * hd) for h in chosen])
    q_sub = q[columns]
    q_norm = float(np.linalg.norm(q_sub))
    if q_norm == 0:
        raise CorpusError("the query vector is zero there; nothing is similar to it")
    X = torch.from_numpy(vectors)  # (N, D) float16, memory-mapped
    if len(chosen) < H:
        X = X.index_select(1, torch.from_numpy(columns))
    # Coarse pass in fp16 with the query scaled to unit length (dot products stay in fp16's precise range), then one
    # multiplication by the layer's cached inverse norms. Only the product is torch's (numpy has no fast fp16
    # product); the element-wise rest is numpy, one thread: torch's threads cost more to wake than 200,000
    # multiplications take.
    coarse = (X @ torch.from_numpy(q_sub / q_norm).half()).numpy().astype(np.float32)  # (N,)
    coarse *= index.inverse_norms(space, layer, tuple(chosen) if len(chosen) < H else ())
    valid = len(coarse)
    if not include_special:
        coarse[index.special_rows] = -2.0  # below every cosine: never a candidate while k <= valid
        valid -= len(index.special_rows)
    k = min(valid, top * 4 + 64)
    if k <= 0:
        return [], coarse
    candidates = np.argpartition(-coarse, k - 1)[:k]
    rescored = np.asarray(vectors[candidates][:, columns], dtype=np.float32)  # (k, d): scored again exactly
    exact = rescored @ q_sub / (np.maximum(np.linalg.norm(rescored, axis=1), 1e-6) * q_norm)
    best = np.argsort(-exact, kind="stable")[:top]
    rows = candidates[best]
    lines = index.line_of(rows)
    found = [
        Neighbour(int(r), int(line), int(r - index.line_starts[line]), float(s))
        for r, line, s in zip(rows, lines, exact[best])
    ]
    return found, coarse


def cosine_all(index: CorpusIndex, vector: np.ndarray, layer: int) -> np.ndarray:
    """(N,) float32: every token's cosine to `vector` at `layer` (fp16 product: about 1e-3 exact, for colours)."""
    q = np.asarray(vector, dtype=np.float32)
    q = q / max(float(np.linalg.norm(q)), 1e-12)
    dots = (torch.from_numpy(index.hidden[index.layer_row(layer)]) @ torch.from_numpy(q).half()).numpy()
    return dots.astype(np.float32) * index.inverse_norms("hidden", layer)


def search_text(
    index: CorpusIndex, lm: LoadedModel, text: str, position: int, layer: int, top: int = 10, heads=None
) -> tuple[Query, list[Neighbour]]:
    """Neighbours of token `position` of `text` (the model run on it): by its context vector's head slices when
    `heads` are given, else by its hidden state."""
    query, found, _cosines = _search_text(index, lm, text, position, layer, top, heads)
    return query, found


def _search_text(index: CorpusIndex, lm: LoadedModel, text: str, position: int, layer: int, top: int, heads):
    """search_text's work -> (query, neighbours, every token's cosine in the space searched)."""
    if lm.name != index.info.model and model_fingerprint(lm) != index.info.model_fingerprint:
        raise CorpusError(f"this index was built with {index.info.model}, not {lm.name}")
    space = "context" if heads else "hidden"
    if heads and layer < 1:
        raise CorpusError("heads have context vectors from layer 1 on (layer 0 is the embeddings)")
    if heads:  # a layer the index lacks is refused before the model runs
        index.context_row(layer)
    else:
        index.layer_row(layer)
    query = embed_query(lm, text, position, with_context=bool(heads))
    vector = query.context[layer - 1] if heads else query.hidden[layer]
    special_query = _run_sentence(lm, text, bool(heads)).special[position]
    found, cosines = search_with_cosines(index, vector, layer, top, heads, space, include_special=special_query)
    return query, found, cosines


def neighbours_json(index: CorpusIndex, query: Query, layer: int, neighbours: list[Neighbour]) -> dict:
    """The `corpus search --json` object (README: Command line)."""
    return {
        "model": index.info.model,
        "layer": layer,
        "query": {"tokens": list(query.tokens), "position": query.position},
        "neighbours": [
            {
                "line": n.line,
                "text": index.line_text(n.line),
                "tokens": index.line_tokens(n.line),
                "position": n.position,
                "similarity": round(n.similarity, 6),
            }
            for n in neighbours
        ],
    }


# ---- word senses ------------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class WordSenses:
    word: str
    layer: int
    rows: np.ndarray  # (M,) the occurrences' rows in the index
    coords: np.ndarray  # (M, 2) float32: the occurrences' own PCA plane
    labels: np.ndarray  # (M,) int: the sense of each occurrence, 0 = the most frequent
    names: tuple[str, ...]  # per sense: its most typical neighbours, e.g. "river · water · shore"


def word_senses(index: CorpusIndex, token_id: int, word: str, layer: int, max_senses: int = 4) -> WordSenses:
    """All occurrences of one vocabulary entry at `layer`, projected together (PCA of them alone) and grouped
    into senses; each sense is named by the words nearest its centre (other than the word itself)."""
    from bertviz_app.analysis.numeric.projection import pca

    rows = index.occurrences(token_id)
    if len(rows) == 0:
        raise CorpusError(f"{word!r} does not occur in the corpus")
    vectors = np.asarray(index.hidden[index.layer_row(layer)][rows], dtype=np.float32)
    labels = sense_clusters(vectors, max_senses)
    coords = pca(vectors, 2).coords.astype(np.float32)
    names = []
    for sense in range(int(labels.max()) + 1):
        members = vectors[labels == sense]
        centre = (members / np.maximum(np.linalg.norm(members, axis=1, keepdims=True), 1e-12)).mean(axis=0)
        words = []
        for n in search(index, centre, layer, top=60):
            text = index.vocab_display[int(index.token_ids[n.row])]
            if int(index.token_ids[n.row]) != token_id and text.isalpha() and text not in words:
                words.append(text)
            if len(words) == 3:
                break
        names.append(" · ".join(words) if words else word)
    return WordSenses(word, layer, rows, coords, labels, tuple(names))


# ---- tasks (analysis/tasks.py names them) -----------------------------------------------------------------


def index_task(lm: LoadedModel, _inp, files=(), folder=None, layers=None, context=False):
    """corpus_index: open or build the index of `files` (the demo corpus when empty) for the current model."""
    index = yield from open_or_build(lm, list(files) or [demo_corpus()], folder, layers, context)
    return index


def map_task(_lm, _inp, index: CorpusIndex, max_points: int = 200_000):
    """corpus_map: every stored layer's word tokens (at most `max_points`, sampled) in one shared 3-D PCA space,
    a step per layer."""
    words = np.flatnonzero(~np.asarray(index.special))
    rows = words[sample_rows(len(words), max_points)]
    basis = shared_basis(index, 3)
    yield 0, len(index.info.layers)
    coords = np.empty((len(index.info.layers), len(rows), 3), dtype=np.float32)
    for s in range(len(index.info.layers)):
        coords[s] = basis.project(index.hidden[s][rows])
        yield s + 1, len(index.info.layers)
    return CorpusMap(index, rows, coords, basis)


@dataclass(frozen=True, eq=False)
class CorpusTsne:
    """The map's points at one layer laid out by t-SNE (2-D)."""

    index: CorpusIndex
    layer: int
    rows: np.ndarray  # (M,) the tokens (the map's rows)
    coords: np.ndarray  # (M, 2) float32
    from_cache: bool  # read from the file kept next to the index (no t-SNE run)
    kept: bool  # it is in that file now (False: the index's folder could not be written)


def tsne_task(_lm, _inp, corpus_map: CorpusMap, layer: int, perplexity: float = 30.0):
    """corpus_tsne: the map's points at `layer` by t-SNE, started from their PCA coordinates; from the file next to
    the index when it is there (no step at all), else computed with progress (Cancel keeps nothing) and kept."""
    index, rows, params = corpus_map.index, corpus_map.rows, TsneParams(perplexity)
    s = index.layer_row(layer)
    coords = read_tsne(index, layer, rows, params)
    if coords is not None:
        return CorpusTsne(index, layer, rows, coords, True, True)
    vectors = np.asarray(index.hidden[s][rows], dtype=np.float32)
    coords = yield from tsne_steps(
        vectors, corpus_map.coords[s][:, :2], params, threads=max(1, torch.get_num_threads())
    )
    return CorpusTsne(index, layer, rows, coords, False, write_tsne(index, layer, rows, params, coords))


@dataclass(frozen=True, eq=False)
class CorpusNeighbours:
    index: CorpusIndex
    query: Query
    layer: int
    heads: tuple[int, ...]
    neighbours: tuple[Neighbour, ...]
    similarity: np.ndarray  # (N,) float32: every token's cosine to the query at that layer (for the map's colours)


def search_task(lm: LoadedModel, inp, index: CorpusIndex, position: int, layer: int, top: int = 20, heads=()):
    """corpus_search: neighbours of token `position` of the current sentence."""
    query, found, cosines = _search_text(index, lm, inp.text, position, layer, top, heads)
    # The map colours by the hidden state's cosine: the search's own when it searched hidden states.
    similarity = cosine_all(index, query.hidden[layer], layer) if heads else cosines
    return CorpusNeighbours(index, query, layer, tuple(heads), tuple(found), similarity)


def senses_task(_lm, _inp, index: CorpusIndex, token_id: int, word: str, layer: int):
    """corpus_senses: see word_senses."""
    return word_senses(index, token_id, word, layer)


def index_corpus(lm: LoadedModel, files, folder=None, layers=None, context=False, spec=None) -> CorpusIndex:
    """open_or_build run to its end, with no cancelling: for scripts and tests."""
    return run_to_end(open_or_build(lm, files, folder, layers, context, spec))
