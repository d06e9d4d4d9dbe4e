"""The attention view's numbers, kept per result: each measure's matrices (computed when first asked for) and the
model view's thumbnails (every layer × head, block-averaged). Numpy only: the GUI re-renders from these."""

from __future__ import annotations

import math
from collections.abc import Iterator

import numpy as np

from bertviz_app.analysis.numeric.attention_flow import iter_rollout, value_weighted

THUMBNAIL_PIXELS = 40  # model-view tiles are block-averaged down to at most this many cells a side
TILE_GAP = 1  # transparent pixels between model-view tiles (at tile resolution)


def block_mean(matrices: np.ndarray, size: int) -> np.ndarray:
    """Average (..., T, T) matrices down to (..., n, n), n = ceil(T / ceil(T / size)); as is if T ≤ size."""
    t = matrices.shape[-1]
    factor = math.ceil(t / size)
    if factor <= 1:
        return matrices.astype(np.float32, copy=False)
    starts = np.arange(0, t, factor)
    counts = np.diff(np.append(starts, t)).astype(np.float32)
    # Sum blocks of columns, then blocks of rows: one pass over the data, no padded copy.
    sums = np.add.reduceat(matrices, starts, axis=-1, dtype=np.float32)
    sums = np.add.reduceat(sums, starts, axis=-2, dtype=np.float32)
    return sums / np.outer(counts, counts)


def model_view_mosaic(attention: np.ndarray, size: int = THUMBNAIL_PIXELS, gap: int = TILE_GAP):
    """(L, H, T, T) → one (L·(s+gap)−gap, H·(s+gap)−gap) image: each head's thumbnail scaled to its own max,
    NaN (transparent) between tiles. Returns (mosaic, s)."""
    tiles = block_mean(attention, size)
    num_layers, num_heads, s, _ = tiles.shape
    peak = tiles.max(axis=(-2, -1), keepdims=True)
    tiles = np.divide(tiles, peak, out=np.zeros_like(tiles), where=peak > 0)
    step = s + gap
    padded = np.full((num_layers, num_heads, step, step), np.nan, dtype=np.float32)
    padded[:, :, :s, :s] = tiles
    mosaic = padded.transpose(0, 2, 1, 3).reshape(num_layers * step, num_heads * step)
    return np.ascontiguousarray(mosaic[: num_layers * step - gap, : num_heads * step - gap]), s


def thumbnail_tile(matrix: np.ndarray, size: int = THUMBNAIL_PIXELS) -> np.ndarray:
    """(T, T) → its model-view tile: block-averaged to at most `size` cells a side, scaled to its own max."""
    tile = block_mean(matrix, size)
    peak = float(tile.max()) if tile.size else 0.0
    return tile / peak if peak > 0 else np.zeros_like(tile)


def thumbnail_size(t: int, size: int = THUMBNAIL_PIXELS) -> int:
    """The side of block_mean's output for T tokens."""
    return math.ceil(t / math.ceil(t / size)) if t > 0 else 0


class MeasureCache:
    """One result's matrices under each measure, computed when first asked for and kept.

    attention (L, H, T, T); value_norms (L, H, T) or None (then there is no value-weighted measure).
    Per-head value-weighted matrices are not kept: one costs well under a millisecond at 512 tokens, and
    keeping all of them would double the memory of the attention array.
    """

    def __init__(self, attention: np.ndarray, value_norms: np.ndarray | None):
        self.attention = attention  # (L, H, T, T)
        ok = value_norms is not None and value_norms.shape == attention.shape[:-1]
        self.value_norms = value_norms if ok else None  # (L, H, T)
        self._means: dict[tuple[str, int], np.ndarray] = {}  # (measure, layer) -> (T, T) mean over heads
        self._rollout: list[np.ndarray] = []  # (T, T) per layer, computed in order
        self._rollout_steps: Iterator[np.ndarray] | None = None

    @property
    def num_layers(self) -> int:
        return self.attention.shape[0]

    @property
    def num_heads(self) -> int:
        return self.attention.shape[1]

    def available(self, measure: str) -> bool:
        return measure != "value" or self.value_norms is not None

    def rollout_layers_done(self) -> int:
        return len(self._rollout)

    def advance_rollout(self) -> bool:
        """Compute the next layer's rollout; False when every layer is done."""
        if len(self._rollout) >= self.num_layers:
            return False
        if self._rollout_steps is None:
            self._rollout_steps = iter_rollout(self.attention, residual=True)
        self._rollout.append(next(self._rollout_steps))
        return True

    def ready(self, measure: str, layer: int) -> bool:
        """Whether matrix(measure, layer, ...) is cheap now (rollout needs every layer below computed)."""
        return measure != "rollout" or layer < len(self._rollout)

    def matrix(self, measure: str, layer: int, head: int | None) -> np.ndarray:
        """(T, T): one head's matrix, or the mean over the layer's heads when head is None. Rollout has one
        matrix per layer (it averages the heads itself), so head is ignored there."""
        if measure == "rollout":
            while len(self._rollout) <= layer:
                self.advance_rollout()
            return self._rollout[layer]
        if measure == "value" and self.value_norms is None:
            raise ValueError("this result has no value norms")
        if head is not None:
            if measure == "value":
                return value_weighted(self.attention[layer, head], self.value_norms[layer, head])
            return self.attention[layer, head]
        key = (measure, layer)
        if key not in self._means:
            if measure == "value":
                # Head by head: each (T, T) stays in cache, where the whole (H, T, T) product would not.
                total = np.zeros(self.attention.shape[-2:], dtype=np.float32)  # (T, T)
                for h in range(self.num_heads):
                    total += value_weighted(self.attention[layer, h], self.value_norms[layer, h])
                self._means[key] = total / self.num_heads
            else:
                self._means[key] = self.attention[layer].mean(axis=0)
        return self._means[key]

    def everything(self, measure: str) -> np.ndarray:
        """Every layer (and head): (L, H, T, T) for attention and value-weighted, (L, T, T) for rollout."""
        if measure == "rollout":
            return np.stack([self.matrix("rollout", layer, None) for layer in range(self.num_layers)])
        if measure == "value":
            if self.value_norms is None:
                raise ValueError("this result has no value norms")
            return value_weighted(self.attention, self.value_norms)
        return self.attention

    def fill(self, mosaic: Mosaic, measure: str) -> Iterator[None]:
        """Fill `mosaic` with `measure`'s thumbnails, one tile per step (the caller runs the steps in slices)."""
        while mosaic.done < mosaic.total:
            layer, head = self.tile_source(measure, mosaic.done)
            tile = thumbnail_tile(self.matrix(measure, layer, None if head < 0 else head))
            mosaic.put(*self.tile_position(measure, layer, head), tile)
            mosaic.done += 1
            yield

    def rollout_columns(self) -> int:
        """Rollout's one tile per layer wraps into this many columns (2 for 6 layers, 3 for 12): a block of
        big tiles fills the model view's box better than one thin column of small ones."""
        return max(1, math.ceil(math.sqrt(self.num_layers / 2)))

    def grid_shape(self, measure: str) -> tuple[int, int]:
        """(rows, columns) of the model view: layer × head, or the rollout's layers wrapped into a block."""
        if measure == "rollout":
            cols = self.rollout_columns()
            return (math.ceil(self.num_layers / cols), cols)
        return (self.num_layers, self.num_heads)

    def tile_count(self, measure: str) -> int:
        return self.num_layers if measure == "rollout" else self.num_layers * self.num_heads

    def tile_source(self, measure: str, index: int) -> tuple[int, int]:
        """The (layer, head) shown by the model view's index-th tile (row by row); head -1 for rollout."""
        if measure == "rollout":
            return (index, -1)
        return divmod(index, self.num_heads)

    def tile_position(self, measure: str, layer: int, head: int) -> tuple[int, int]:
        """(row, column) of the tile of `layer` and `head` (ignored for rollout) in the model view."""
        if measure == "rollout":
            return divmod(layer, self.rollout_columns())
        return (layer, head)

    def tile_at(self, measure: str, row: int, col: int) -> tuple[int, int] | None:
        """(layer, head) of the tile at `row`, `col` (head -1 for rollout), or None where there is no tile."""
        rows, cols = self.grid_shape(measure)
        if not (0 <= row < rows and 0 <= col < cols):
            return None
        if measure == "rollout":
            layer = row * cols + col
            return (layer, -1) if layer < self.num_layers else None
        return (row, col)


class Mosaic:
    """The model-view image of one measure, filled tile by tile."""

    def __init__(self, rows: int, cols: int, t: int, total: int):
        self.rows, self.cols, self.total = rows, cols, total
        self.tile = thumbnail_size(t)
        step = self.tile + TILE_GAP
        self.image = np.full((rows * step - TILE_GAP, cols * step - TILE_GAP), np.nan, dtype=np.float32)
        self.done = 0  # tiles filled, in MeasureCache.tile_source order

    @property
    def complete(self) -> bool:
        return self.done >= self.total

    def put(self, row: int, col: int, tile: np.ndarray) -> None:
        step = self.tile + TILE_GAP
        self.image[row * step : row * step + self.tile, col * step : col * step + self.tile] = tile
