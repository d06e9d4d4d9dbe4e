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

import json
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np

from bertviz_app.analysis.numeric.projection import _top_eigenpairs

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


def scatter(vectors, chunk: int = 65536) -> tuple[np.ndarray, np.ndarray, int]:
    """Mean (D,) and scatter matrix (D, D) of (M, D) vectors (any float dtype, memory-mapped is fine), in chunks:
    float32 products summed in float64, about the data's own precision for fp16 vectors."""
    d = vectors.shape[1]
    total, sum_xx, n = np.zeros(d), np.zeros((d, d)), len(vectors)
    for i in range(0, n, chunk):
        block = np.asarray(vectors[i : i + chunk], dtype=np.float32)
        total += block.sum(axis=0, dtype=np.float64)
        sum_xx += block.T @ block
    mean = total / max(n, 1)
    return mean, sum_xx - n * np.outer(mean, mean), n


def fit_basis(pools, n_components: int = 3, scatter_of=scatter) -> SharedBasis:
    """PCA of the union of `pools` (each (M_i, D), e.g. one layer's vectors or a sample of them); `scatter_of`
    computes each pool's (mean, scatter, count) (analysis/corpus.py passes a faster one in torch)."""
    stats = [scatter_of(p) for p in pools if len(p)]
    if not stats:
        raise CorpusError("nothing to project: the corpus has no tokens")
    n = sum(s[2] for s in stats)
    mean = sum(s[0] * s[2] for s in stats) / n
    # Pooled scatter about the common mean: each pool's own scatter plus its offset from the common mean.
    pooled = sum(s[1] + s[2] * np.outer(s[0] - mean, s[0] - mean) for s in stats)
    k = min(n_components, pooled.shape[0])
    vals, vecs = _top_eigenpairs(pooled, k)
    for i in range(len(vecs)):  # deterministic signs: the largest loading positive
        if vecs[i][int(np.argmax(np.abs(vecs[i])))] < 0:
            vecs[i] = -vecs[i]
    trace = float(np.trace(pooled))
    ratio = np.clip(vals / trace, 0, 1) if trace > 0 else np.zeros(k)
    components = np.zeros((n_components, pooled.shape[0]), dtype=np.float32)
    components[: len(vecs)] = vecs
    ratios = np.zeros(n_components)
    ratios[: len(ratio)] = ratio
    return SharedBasis(mean.astype(np.float32), components, ratios)


def sample_rows(n: int, limit: int, seed: int = 0) -> np.ndarray:
    """At most `limit` of range(n), sorted, the same every time (a sample to fit on)."""
    if n <= limit:
        return np.arange(n)
    return np.sort(np.random.default_rng(seed).choice(n, size=limit, replace=False))


def shared_basis(index: CorpusIndex, n_components: int = 3, per_layer: int = 20_000, scatter_of=scatter) -> SharedBasis:
    """The map's basis for an index: PCA of up to `per_layer` tokens (the same ones) from every stored layer,
    special tokens left out (their vectors are far from the words' and would take the first axes)."""
    words = np.flatnonzero(~np.asarray(index.special))
    rows = words[sample_rows(len(words), per_layer)]
    return fit_basis([index.hidden[s][rows] for s in range(len(index.info.layers))], n_components, scatter_of)


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
