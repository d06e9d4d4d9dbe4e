"""A corpus index on disk, read without torch: what the corpus view and `corpus search` look at.

An index is one folder (written by analysis/corpus.py, the part that runs the model):

    index.json        what it holds (model, corpus hash, layers, sizes); "complete": true is written last
    hidden.npy        (S, N, D) float16: every token's hidden state at each of the S stored layers
    norms2.npy        (S, N, H) float32: the squared length of each head's D/H slice of those vectors
    context.npy       (C, N, D) float16, only with context: each attention layer's head outputs, concatenated
                      (before the output projection), the "context vector" whose slices belong to the heads
    context_norms2.npy (C, N, H) float32
    token_ids.npy     (N,) int32;  special.npy (N,) bool: [CLS]/[SEP]/<s> ... the template added
    line_starts.npy   (lines+1,) int64: line i's tokens are rows line_starts[i]:line_starts[i+1]
    text.bin          the lines as UTF-8, one after another; text_starts.npy (lines+1,) int64 byte offsets
    vocab.json        the tokenizer's strings by id, and their readable forms

Every array is memory-mapped: opening an index reads index.json and a few small arrays, whatever its size.
N = tokens (special tokens included), D = hidden size, H = heads; stored layers count from 0 = the embeddings.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import threading
import uuid
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np

FORMAT = 1
INDEX_FILE = "index.json"


class CorpusError(ValueError):
    """A corpus index that cannot be used (missing, incomplete, from another model, ...): the message says why."""


@dataclass(frozen=True)
class IndexInfo:
    """index.json: what an index holds and what it was built from."""

    key: str  # the cache key: model fingerprint + corpus hash + layer set + context (see analysis/corpus.py)
    model: str  # the model's name as the app shows it
    model_spec: str  # what load_model() was given ("default", a folder, a cached model's name)
    model_fingerprint: str
    corpus_sha256: str
    sources: tuple[tuple[str, int], ...]  # (file name, lines) in order; lines are numbered across all of them
    layers: tuple[int, ...]  # stored hidden-state layers, ascending (0 = embeddings)
    context_layers: tuple[int, ...]  # attention layers (1..L) whose context vectors are stored; () without
    hidden_size: int
    num_heads: int
    tokens: int
    lines: int
    truncated_lines: int  # lines longer than the model takes, cut to its maximum length
    seconds: float  # how long the build took

    def to_json(self) -> dict:
        return {"format": FORMAT, "complete": True, **self.__dict__}

    @classmethod
    def from_json(cls, data: dict) -> IndexInfo:
        fields = dict(data)
        fields.pop("format", None)
        fields.pop("complete", None)
        fields["sources"] = tuple((str(n), int(c)) for n, c in fields["sources"])
        fields["layers"] = tuple(int(x) for x in fields["layers"])
        fields["context_layers"] = tuple(int(x) for x in fields["context_layers"])
        return cls(**fields)


def read_info(folder: str | Path) -> IndexInfo | None:
    """The info of a complete index in `folder`, or None when there is none (missing, partial, other format)."""
    try:
        data = json.loads((Path(folder) / INDEX_FILE).read_text(encoding="utf-8"))
        if not isinstance(data, dict) or data.get("format") != FORMAT or data.get("complete") is not True:
            return None
        return IndexInfo.from_json(data)
    except (OSError, ValueError, TypeError, KeyError):
        return None


def _open(folder: Path, name: str, shape: tuple, dtype) -> np.ndarray:
    # Copy-on-write, not read-only: torch.from_numpy refuses read-only arrays, and nothing writes them.
    array = np.load(folder / name, mmap_mode="c")
    if array.shape != shape or array.dtype != np.dtype(dtype):
        raise CorpusError(
            f"{folder / name} is {array.dtype}{list(array.shape)}, expected {np.dtype(dtype)}{list(shape)}"
        )
    return array


class CorpusIndex:
    """An opened index: its arrays memory-mapped, lines and tokens looked up on demand."""

    def __init__(self, folder: str | Path):
        folder = Path(folder)
        info = read_info(folder)
        if info is None:
            why = (
                "it is incomplete (a build was stopped) or from another version"
                if folder.is_dir()
                else "no such folder"
            )
            raise CorpusError(f"{folder} is not a corpus index: {why}")
        self.folder, self.info = folder, info
        S, C, N, D, H = len(info.layers), len(info.context_layers), info.tokens, info.hidden_size, info.num_heads
        try:
            self.hidden = _open(folder, "hidden.npy", (S, N, D), np.float16)
            self.norms2 = _open(folder, "norms2.npy", (S, N, H), np.float32)
            self.context = _open(folder, "context.npy", (C, N, D), np.float16) if C else None
            self.context_norms2 = _open(folder, "context_norms2.npy", (C, N, H), np.float32) if C else None
            self.token_ids = _open(folder, "token_ids.npy", (N,), np.int32)
            self.special = _open(folder, "special.npy", (N,), np.bool_)
            self.line_starts = np.load(folder / "line_starts.npy")
            self.text_starts = np.load(folder / "text_starts.npy")
            vocab = json.loads((folder / "vocab.json").read_text(encoding="utf-8"))
        except (OSError, ValueError, KeyError) as exc:
            raise CorpusError(f"{folder}: the index is damaged ({exc})") from exc
        if self.line_starts.shape != (info.lines + 1,) or int(self.line_starts[-1]) != N:
            raise CorpusError(f"{folder}: line_starts.npy does not match index.json")
        self.vocab: list[str] = vocab["tokens"]
        self.vocab_display: list[str] = vocab["display"]
        self._text = np.memmap(folder / "text.bin", dtype=np.uint8, mode="r") if self.text_starts[-1] else None

    # ---- looking things up ------------------------------------------------------------------------------
    def layer_row(self, layer: int) -> int:
        """Which of the stored layers `layer` is (CorpusError if it was not stored)."""
        if layer not in self.info.layers:
            raise CorpusError(f"layer {layer} is not in this index (it has {_ranges(self.info.layers)})")
        return self.info.layers.index(layer)

    def context_row(self, layer: int) -> int:
        if layer not in self.info.context_layers:
            if not self.info.context_layers:
                raise CorpusError("this index has no attention context vectors; index the corpus with context")
            raise CorpusError(f"layer {layer} has no context vectors here (it has {_ranges(self.info.context_layers)})")
        return self.info.context_layers.index(layer)

    def line_of(self, rows) -> np.ndarray:
        """The line of each token row."""
        return np.searchsorted(self.line_starts, np.asarray(rows), side="right") - 1

    def line_text(self, line: int) -> str:
        start, end = int(self.text_starts[line]), int(self.text_starts[line + 1])
        return bytes(self._text[start:end]).decode("utf-8") if self._text is not None else ""

    def line_tokens(self, line: int, display: bool = False) -> list[str]:
        names = self.vocab_display if display else self.vocab
        ids = self.token_ids[int(self.line_starts[line]) : int(self.line_starts[line + 1])]
        return [names[i] for i in ids.tolist()]

    def source_of(self, line: int) -> int:
        """Which input file (index into info.sources) a line came from."""
        ends = np.cumsum([count for _name, count in self.info.sources])
        return int(np.searchsorted(ends, line, side="right"))

    @cached_property
    def positions(self) -> np.ndarray:
        """(N,) int32: each token's position in its line."""
        starts = self.line_starts[:-1]
        return (np.arange(self.info.tokens) - np.repeat(starts, np.diff(self.line_starts))).astype(np.int32)

    @cached_property
    def token_lines(self) -> np.ndarray:
        """(N,) int32: each token's line."""
        return np.repeat(np.arange(self.info.lines, dtype=np.int32), np.diff(self.line_starts))

    @cached_property
    def special_rows(self) -> np.ndarray:
        """Rows of the special tokens ([CLS], [SEP], ...)."""
        return np.flatnonzero(np.asarray(self.special))

    def inverse_norms(self, space: str, layer: int, heads: tuple[int, ...] = ()) -> np.ndarray:
        """(N,) float32: 1 / the length of every token's vector at `layer` ("hidden" or "context"), or of its
        `heads`' slices; computed once per layer and head set (the last few are kept), so a search only multiplies."""
        key = (space, layer, tuple(heads))
        cache = self.__dict__.setdefault("_inverse_norms", {})
        if key not in cache:
            norms2 = self.context_norms2[self.context_row(layer)] if space == "context" else None
            if norms2 is None:
                norms2 = self.norms2[self.layer_row(layer)]
            squared = norms2[:, list(heads)].sum(axis=1) if heads else norms2.sum(axis=1)
            if len(cache) >= 4:
                cache.pop(next(iter(cache)))
            cache[key] = (1 / np.maximum(np.sqrt(squared), 1e-6)).astype(np.float32)
        return cache[key]

    def occurrences(self, token_id: int) -> np.ndarray:
        """Rows where the token `token_id` occurs."""
        return np.flatnonzero(self.token_ids == token_id)


def _ranges(layers) -> str:
    return ", ".join(str(x) for x in layers) if layers else "none"


# ---- PCA: one basis for every layer ---------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class SharedBasis:
    """A PCA basis fitted on points pooled from every stored layer, so one token's coordinates at two layers are
    comparable and the map's points move, not jump, as the layer changes."""

    mean: np.ndarray  # (D,) float32
    components: np.ndarray  # (k, D) float32, unit rows
    explained_variance_ratio: np.ndarray  # (k,) of the pooled points

    def project(self, vectors: np.ndarray, chunk: int = 65536) -> np.ndarray:
        """(M, D) float16/32 -> (M, k) float32, in chunks (a memory-mapped layer is never copied whole)."""
        out = np.empty((len(vectors), len(self.components)), dtype=np.float32)
        for i in range(0, len(vectors), chunk):
            block = np.asarray(vectors[i : i + chunk], dtype=np.float32)
            np.matmul(block - self.mean, self.components.T, out=out[i : i + len(block)])
        return out


@dataclass(frozen=True, eq=False)
class CorpusMap:
    """What the corpus view draws: word tokens of an index at every stored layer, in one shared PCA space."""

    index: CorpusIndex
    rows: np.ndarray  # (M,) the tokens drawn (rows of the index; special tokens left out)
    coords: np.ndarray  # (S, M, 3) float32: coords[s] = the stored layer s (index.info.layers[s])
    basis: SharedBasis  # what projected them (a sentence's own tokens can be placed with it)


def _shifted_blocks(pools, chunk: int, shift: np.ndarray):
    """The rows of every pool minus `shift`, as float32 blocks of at most `chunk` rows (new arrays: the pools are
    left as they are; a memory-mapped pool is read a block at a time)."""
    for pool in pools:
        for i in range(0, len(pool), chunk):
            yield np.asarray(pool[i : i + chunk], dtype=np.float32) - shift


KEEP_FLOAT32_BYTES = 256 * 2**20  # pools up to this size in float32 are converted once, not once per pass


def fit_basis(
    pools, n_components: int = 3, iterations: int = 3, oversample: int = 10, chunk: int = 32_768
) -> SharedBasis:
    """PCA of the union of `pools` (each (M_i, D), e.g. one layer's vectors or a sample of them).

    Randomized subspace iteration on the covariance (Halko, Martinsson & Tropp 2011, algorithm 4.4, with a
    Rayleigh-Ritz step at the end): `iterations` + 1 passes over the points (cast to float32 once, or once a pass
    when that would take over KEEP_FLOAT32_BYTES), each block used for two thin products, (X - s) W and
    (X - s)^T (X - s) W, W having n_components + oversample columns. The D x D scatter matrix is never formed: for
    100,000 x 384 that is 15 G multiply-adds (0.3 s on a quiet 2-core machine, 3-7 s on a busy one) against ~0.2 G
    here. The points are shifted by the first block's mean s (then corrected to the true mean) so that float32 sums
    do not cancel where hidden states have large means."""
    pools = [p for p in pools if len(p)]
    if not pools:
        raise CorpusError("nothing to project: the corpus has no tokens")
    d = pools[0].shape[1]
    n = sum(len(p) for p in pools)
    width = min(d, n_components + oversample)
    shift = np.asarray(pools[0][:chunk], dtype=np.float64).mean(axis=0)
    shift32 = shift.astype(np.float32)
    w = np.linalg.qr(np.random.default_rng(0).standard_normal((d, width)))[0]  # (D, l) orthonormal
    offset = trace = None
    kept = None  # the shifted float32 blocks after the first pass, if they fit in KEEP_FLOAT32_BYTES
    for step in range(iterations + 1):
        w32 = w.astype(np.float32)
        z = np.zeros((d, width))  # (D, l): (X - s)^T (X - s) W, summed in float64 across blocks
        if offset is None:
            total, squares = np.zeros(d), 0.0
        fresh = [] if kept is None and n * d * 4 <= KEEP_FLOAT32_BYTES else None
        for block in kept if kept is not None else _shifted_blocks(pools, chunk, shift32):
            if fresh is not None:
                fresh.append(block)
            z += block.T @ (block @ w32)
            if offset is None:
                total += block.sum(axis=0, dtype=np.float64)
                squares += float(np.einsum("ij,ij->", block, block, dtype=np.float64))
        if offset is None:
            offset = total / n  # the mean minus the shift
            trace = squares - n * float(offset @ offset)
        z -= n * np.outer(offset, offset @ w)  # about the mean: C W, C the pooled scatter matrix
        if step < iterations:
            w = np.linalg.qr(z)[0]
        kept = fresh if fresh is not None else kept
    small = w.T @ z  # (l, l): C restricted to the subspace found
    vals, vecs = np.linalg.eigh((small + small.T) / 2)
    order = np.argsort(vals)[::-1][: min(n_components, width)]
    k = len(order)
    components = np.zeros((n_components, d), dtype=np.float32)
    ratios = np.zeros(n_components)
    top = (w @ vecs[:, order]).T  # (k, D)
    top /= np.maximum(np.linalg.norm(top, axis=1, keepdims=True), 1e-12)
    for i in range(k):  # deterministic signs: the largest loading positive
        if top[i][int(np.argmax(np.abs(top[i])))] < 0:
            top[i] = -top[i]
    components[:k] = top
    if trace > 0:
        ratios[:k] = np.clip(vals[order] / trace, 0, 1)
    return SharedBasis((shift + offset).astype(np.float32), components, ratios)


def sample_rows(n: int, limit: int, seed: int = 0) -> np.ndarray:
    """At most `limit` of range(n), sorted, the same every time (a sample to fit on)."""
    if n <= limit:
        return np.arange(n)
    return np.sort(np.random.default_rng(seed).choice(n, size=limit, replace=False))


def shared_basis(index: CorpusIndex, n_components: int = 3, per_layer: int = 20_000) -> SharedBasis:
    """The map's basis for an index: PCA of up to `per_layer` tokens (the same ones) from every stored layer,
    special tokens left out (their vectors are far from the words' and would take the first axes)."""
    words = np.flatnonzero(~np.asarray(index.special))
    rows = words[sample_rows(len(words), per_layer)]
    return fit_basis([index.hidden[s][rows] for s in range(len(index.info.layers))], n_components)


# ---- word senses ------------------------------------------------------------------------------------------


def _squared_distances(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """(M, d), (K, d) -> (M, K) squared Euclidean distances, through one matrix product (no (M, K, d) array)."""
    return np.maximum((a * a).sum(1)[:, None] + (b * b).sum(1)[None] - 2 * a @ b.T, 0)


def kmeans(points: np.ndarray, k: int, iterations: int = 50, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """k-means (k-means++ start, fixed seed) of (M, d) points -> (labels (M,), centres (k, d))."""
    rng = np.random.default_rng(seed)
    x = np.asarray(points, dtype=np.float64)
    centres = [x[rng.integers(len(x))]]
    for _ in range(1, k):
        d2 = np.min(_squared_distances(x, np.array(centres)), axis=1)
        if d2.sum() <= 0:
            break
        centres.append(x[rng.choice(len(x), p=d2 / d2.sum())])
    c = np.array(centres)
    labels = np.zeros(len(x), dtype=np.int64)
    for _ in range(iterations):
        new = _squared_distances(x, c).argmin(axis=1)
        if np.array_equal(new, labels) and _ > 0:
            break
        labels = new
        c = np.array([x[labels == j].mean(axis=0) if np.any(labels == j) else c[j] for j in range(len(c))])
    return labels, c


def silhouette(points: np.ndarray, labels: np.ndarray) -> float:
    """Mean silhouette of a clustering (Rousseeuw 1987): near 1 = well apart, near 0 = no structure."""
    x = np.asarray(points, dtype=np.float64)
    groups = np.unique(labels)
    if len(groups) < 2:
        return 0.0
    dist = np.sqrt(_squared_distances(x, x))
    scores = []
    for i in range(len(x)):
        own = labels == labels[i]
        if own.sum() < 2:
            scores.append(0.0)
            continue
        a = dist[i, own].sum() / (own.sum() - 1)
        b = min(dist[i, labels == g].mean() for g in groups if g != labels[i])
        scores.append((b - a) / max(a, b) if max(a, b) > 0 else 0.0)
    return float(np.mean(scores))


def sense_clusters(vectors: np.ndarray, max_senses: int = 4, sample: int = 600) -> np.ndarray:
    """Labels (M,) grouping one word's occurrence vectors (M, D) into senses: k-means on their unit vectors for
    k = 2..max_senses, the k with the best silhouette (measured on at most `sample` of them), or one group
    when no k separates them (silhouette under 0.1)."""
    x = np.asarray(vectors, dtype=np.float64)
    if len(x) < 4:
        return np.zeros(len(x), dtype=np.int64)
    x = x / np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-12)
    rows = sample_rows(len(x), sample)
    best, best_score = np.zeros(len(x), dtype=np.int64), 0.1
    for k in range(2, min(max_senses, len(x) - 1) + 1):
        labels, _centres = kmeans(x, k)
        score = silhouette(x[rows], labels[rows])
        if score > best_score:
            best, best_score = labels, score
    # Biggest sense first, so colours and labels are stable.
    order = np.argsort(-np.bincount(best), kind="stable")
    return np.argsort(order)[best]


# ---- t-SNE: a second map of one layer, cached next to the index --------------------------------------------

TSNE_PHASES = ((250, 12.0, 0.5), (500, 1.0, 0.8))  # (iterations, exaggeration, momentum): openTSNE's own defaults
TSNE_NEIGHBOUR_STEPS = 50  # progress steps the affinities (nearest neighbours, no progress of their own) count for
TSNE_CHECK_EVERY = 10  # iterations between two progress reports / chances to stop


def tsne_available() -> bool:
    """Whether openTSNE can be imported here (the installers' frozen app leaves it out), without importing it."""
    return importlib.util.find_spec("openTSNE") is not None


@dataclass(frozen=True)
class TsneParams:
    perplexity: float = 30.0
    seed: int = 0

    @property
    def steps(self) -> int:
        return TSNE_NEIGHBOUR_STEPS + sum(n for n, _, _ in TSNE_PHASES)


def tsne_file(index: CorpusIndex, layer: int, rows: np.ndarray, params: TsneParams) -> Path:
    """Where the t-SNE of `rows` at `layer` is kept: in the index's folder (rebuilding the index drops it), named by
    the layer and a hash of the points and the parameters."""
    h = hashlib.sha256(f"{FORMAT}|{layer}|{params.perplexity}|{params.seed}|{TSNE_PHASES}".encode())
    h.update(np.ascontiguousarray(rows, dtype=np.int64).tobytes())
    return index.folder / f"tsne-layer{layer}-{h.hexdigest()[:16]}.npy"


def read_tsne(index: CorpusIndex, layer: int, rows: np.ndarray, params: TsneParams) -> np.ndarray | None:
    """The cached t-SNE (M, 2) float32 of `rows` at `layer`, or None (none yet, or unreadable)."""
    try:
        coords = np.load(tsne_file(index, layer, rows, params))
    except (OSError, ValueError):
        return None
    if coords.shape != (len(rows), 2) or coords.dtype != np.float32 or not np.isfinite(coords).all():
        return None
    return coords


def write_tsne(index: CorpusIndex, layer: int, rows: np.ndarray, params: TsneParams, coords: np.ndarray) -> bool:
    """Keep a t-SNE for next time (a temporary file renamed into place); False if the folder is not writable."""
    path = tsne_file(index, layer, rows, params)
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.tmp")
    try:
        with open(tmp, "wb") as f:
            np.save(f, np.ascontiguousarray(coords, dtype=np.float32))
        os.replace(tmp, path)
        return True
    except OSError:
        tmp.unlink(missing_ok=True)
        return False


def tsne_steps(vectors: np.ndarray, start: np.ndarray, params: TsneParams = TsneParams(), threads: int = 2):
    """Generator: t-SNE (van der Maaten & Hinton 2008, by openTSNE: Poličar, Stražar & Zupan 2024; FFT-accelerated
    gradients, Linderman et al. 2019) of `vectors` (M, D), starting from `start` (M, 2), e.g. the PCA map (rescaled,
    as openTSNE advises); yields (done, params.steps) and returns (M, 2) float32.

    openTSNE runs on a helper thread (its loops release the GIL), so every step here returns within ~0.02 s and the
    worker stays free for inference between steps. Closing the generator (Cancel) stops the helper at its next check:
    every TSNE_CHECK_EVERY iterations, or once the nearest-neighbour search, which cannot be interrupted, is done."""
    try:
        from openTSNE import TSNEEmbedding, affinity, initialization
        from openTSNE.tsne import OptimizationInterrupt
    except ImportError as exc:
        raise CorpusError(f"t-SNE needs the openTSNE package, which this installation lacks ({exc})") from None

    x = np.ascontiguousarray(vectors, dtype=np.float32)
    if len(x) < 8:
        raise CorpusError(f"t-SNE needs at least 8 points, not {len(x)}")
    state: dict = {"done": 0, "stop": False}
    perplexity = min(params.perplexity, (len(x) - 1) / 3)
    # Threads only pay for large maps: each iteration's parallel section costs ~50 ms of hand-over on a busy 2-core
    # machine, 50x the work of an iteration at 180 points (measured: 50 iterations, 3.6 s with 2 threads, 0.07 with 1).
    threads = threads if len(x) >= 10_000 else 1

    def report(done: int) -> bool:
        state["done"] = done
        return state["stop"]

    def run() -> None:
        try:
            affinities = affinity.PerplexityBasedNN(
                x, perplexity=perplexity, n_jobs=threads, random_state=params.seed, verbose=False
            )
            if report(TSNE_NEIGHBOUR_STEPS):
                return
            init = initialization.rescale(np.asarray(start, dtype=np.float64)[:, :2].copy())
            embedding = TSNEEmbedding(init, affinities, n_jobs=threads, random_state=params.seed, verbose=False)
            base = TSNE_NEIGHBOUR_STEPS
            for n_iter, exaggeration, momentum in TSNE_PHASES:
                embedding.optimize(
                    n_iter,
                    exaggeration=exaggeration,
                    momentum=momentum,
                    inplace=True,
                    callbacks=lambda i, _error, _emb, base=base: report(base + i),
                    callbacks_every_iters=TSNE_CHECK_EVERY,
                )
                base += n_iter
            state["result"] = np.asarray(embedding, dtype=np.float32)
        except OptimizationInterrupt:
            pass
        except Exception as exc:  # crosses to the generator, then to the controller as a message
            state["error"] = exc

    helper = threading.Thread(target=run, name="t-SNE", daemon=True)
    helper.start()
    try:
        while helper.is_alive():
            helper.join(0.02)  # short: an inference waiting behind this step waits at most this long
            yield state["done"], params.steps
    finally:
        state["stop"] = True  # cancelled (the generator closed) or done: the helper stops at its next check
    if "error" in state:
        raise CorpusError(f"t-SNE failed: {state['error']}")
    return state["result"]
