"""2-D projections of hidden states with PCA, in plain numpy (no Qt, no torch: the GUI may import this).

Everything here is deterministic: the sign of each principal axis is fixed (its largest-magnitude loading
is positive), so the same input always draws the same picture, and degenerate inputs (one token, identical
points, fewer points or dimensions than components) give zeros, never NaN.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

# Components whose variance is below this fraction of the largest one are numerical noise: they are zeroed.
_RELATIVE_TOLERANCE = 1e-9


@dataclass(frozen=True, eq=False)
class PCAResult:
    """A PCA fit and the fitted points' coordinates in it."""

    coords: np.ndarray  # (N, k) float64: the fitted points projected onto the components
    components: np.ndarray  # (k, D) float64: unit principal axes (rows); all-zero rows for no-variance axes
    mean: np.ndarray  # (D,) float64: the centre of the fitted points
    explained_variance_ratio: np.ndarray  # (k,) float64, each in [0, 1], sum <= 1; zeros when no variance

    @property
    def n_components(self) -> int:
        return self.components.shape[0]

    def transform(self, points: np.ndarray) -> np.ndarray:
        """Project other points (M, D) into this fit's space: (M, k)."""
        points = np.asarray(points, dtype=np.float64)
        return (points - self.mean) @ self.components.T


@dataclass(frozen=True, eq=False)
class LayerProjection:
    """One layer's tokens in that layer's own 2-D PCA space."""

    layer: int  # index into hidden_states (0 = embeddings)
    coords: np.ndarray  # (T, 2): every token, including those left out of the fit
    fitted: np.ndarray  # (T,) bool: the tokens the PCA was fitted on
    explained_variance_ratio: np.ndarray  # (2,)


@dataclass(frozen=True, eq=False)
class TrajectorySpace:
    """Every token at every layer in ONE common 2-D PCA space, so paths through the layers are comparable."""

    coords: np.ndarray  # (L+1, T, 2): coords[layer, token]
    fitted: np.ndarray  # (T,) bool: the tokens whose points (at every layer) the PCA was fitted on
    explained_variance_ratio: np.ndarray  # (2,)

    @property
    def num_layers(self) -> int:
        """Number of hidden states (L+1: the embeddings and one per layer)."""
        return self.coords.shape[0]

    def path(self, token: int) -> np.ndarray:
        """(L+1, 2): where one token sits after the embeddings (row 0) and after each layer."""
        if not 0 <= token < self.coords.shape[1]:
            raise IndexError(f"token {token} out of range for {self.coords.shape[1]} tokens")
        return self.coords[:, token, :]


def pca(points: np.ndarray, n_components: int = 2) -> PCAResult:
    """Principal component analysis of (N, D) points, keeping `n_components` axes.

    Signs are deterministic: each component's largest-magnitude loading is positive (the first wins a tie).
    Always returns (N, n_components) coordinates, padding with zeros when N or D is too small.
    """
    if n_components < 1:
        raise ValueError("n_components must be at least 1")
    x = np.asarray(points, dtype=np.float64)
    if x.ndim != 2:
        raise ValueError(f"points must be 2-D (N, D), got shape {x.shape}")
    n, d = x.shape
    k = n_components
    if n == 0 or d == 0:
        return PCAResult(np.zeros((n, k)), np.zeros((k, d)), np.zeros(d), np.zeros(k))
    if not np.all(np.isfinite(x)):
        raise ValueError("points contain NaN or infinity")
    mean = x.mean(axis=0)
    centred = x - mean
    components = np.zeros((k, d))
    variances = np.zeros(k)
    total = float(np.einsum("ij,ij->", centred, centred))
    if n > 1 and total > 0.0:
        if n >= d:
            # Many points: eigen-decompose the small (D, D) scatter matrix instead of the data.
            vals, vecs = _top_eigenpairs(centred.T @ centred, k)
        else:
            # Few points in many dimensions: thin SVD of the (N, D) data.
            _, s, vt = np.linalg.svd(centred, full_matrices=False)
            vals = s[:k] ** 2
            vecs = vt[:k]
        keep = vals > _RELATIVE_TOLERANCE * max(float(vals[0]), 0.0)
        m = len(vals)
        components[:m][keep] = vecs[keep]
        variances[:m][keep] = vals[keep]
        for i in range(m):
            row = components[i]
            if keep[i] and row[int(np.argmax(np.abs(row)))] < 0:
                components[i] = -row
    ratios = variances / total if total > 0.0 else np.zeros(k)
    ratios = np.clip(ratios, 0.0, 1.0)
    if ratios.sum() > 1.0:  # rounding only
        ratios = ratios / ratios.sum()
    coords = centred @ components.T
    return PCAResult(coords=coords, components=components, mean=mean, explained_variance_ratio=ratios)


def _top_eigenpairs(scatter: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """The k largest eigenvalues (descending, >= 0) and unit eigenvectors (rows) of a symmetric PSD matrix.

    A full `eigh` costs seconds at D = 768 (most of it computing eigenvectors nobody needs), so for large
    matrices the eigenvalues alone come from `eigvalsh` and each wanted eigenvector from a few steps of
    inverse iteration shifted just past its eigenvalue. Any doubt (a failed solve, a poor residual) falls
    back to the full decomposition.
    """
    d = scatter.shape[0]
    if d > _FAST_EIGEN_MIN_DIM:
        try:
            return _top_eigenpairs_inverse_iteration(scatter, k)
        except (np.linalg.LinAlgError, _NotConverged):
            pass
    eigvals, eigvecs = np.linalg.eigh(scatter)
    order = np.argsort(eigvals)[::-1][:k]
    return np.clip(eigvals[order], 0.0, None), eigvecs[:, order].T


_FAST_EIGEN_MIN_DIM = 256


class _NotConverged(Exception):
    pass


def _top_eigenpairs_inverse_iteration(scatter: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    d = scatter.shape[0]
    k = min(k, d)
    vals = np.linalg.eigvalsh(scatter)[::-1][:k]
    scale = max(float(vals[0]), np.finfo(np.float64).tiny)
    rng = np.random.default_rng(0)  # a fixed start: the result must not depend on anything else
    found: list[np.ndarray] = []
    identity = np.eye(d)
    for value in vals:
        if value <= _RELATIVE_TOLERANCE * scale:
            found.append(np.zeros(d))  # no variance left: pca() zeroes such axes anyway
            continue
        shifted = scatter - (value + 1e-10 * scale) * identity
        v = rng.standard_normal(d)
        for _ in range(2):  # the shift is so close that one step nearly suffices
            for u in found:
                v -= (u @ v) * u
            v = np.linalg.solve(shifted, v)
            norm = float(np.linalg.norm(v))
            if not np.isfinite(norm) or norm == 0.0:
                raise _NotConverged
            v /= norm
        for u in found:
            v -= (u @ v) * u
        v /= np.linalg.norm(v)
        residual = float(np.linalg.norm(scatter @ v - value * v))
        if residual > 1e-6 * scale:
            raise _NotConverged
        found.append(v)
    return np.clip(vals, 0.0, None), np.array(found)


def _fit_mask(num_tokens: int, include: np.ndarray | tuple | list | None) -> np.ndarray:
    if include is None:
        return np.ones(num_tokens, dtype=bool)
    mask = np.asarray(include, dtype=bool)
    if mask.shape != (num_tokens,):
        raise ValueError(f"include must have one entry per token ({num_tokens}), got shape {mask.shape}")
    if not mask.any():  # nothing left to fit on: fall back to every token rather than fail
        return np.ones(num_tokens, dtype=bool)
    return mask


def _check_hidden_states(hidden_states: np.ndarray) -> np.ndarray:
    hs = np.asarray(hidden_states)
    if hs.ndim != 3:
        raise ValueError(f"hidden_states must be (L+1, T, D), got shape {hs.shape}")
    return hs


def project_layer(
    hidden_states: np.ndarray, layer: int, include: np.ndarray | tuple | list | None = None
) -> LayerProjection:
    """Tokens of one layer (0 = embeddings) in 2-D, PCA fitted on the `include`d tokens (default: all)."""
    hs = _check_hidden_states(hidden_states)
    if not 0 <= layer < hs.shape[0]:
        raise IndexError(f"layer {layer} out of range for {hs.shape[0]} hidden states")
    mask = _fit_mask(hs.shape[1], include)
    points = hs[layer]
    fit = pca(points[mask], 2)
    return LayerProjection(
        layer=layer,
        coords=fit.transform(points),
        fitted=mask,
        explained_variance_ratio=fit.explained_variance_ratio,
    )


def trajectory_space(hidden_states: np.ndarray, include: np.ndarray | tuple | list | None = None) -> TrajectorySpace:
    """All layers' points in one 2-D PCA space fitted on every layer's `include`d tokens together."""
    hs = _check_hidden_states(hidden_states)
    num_layers, num_tokens, dim = hs.shape
    mask = _fit_mask(num_tokens, include)
    fit = pca(hs[:, mask, :].reshape(-1, dim), 2)
    coords = fit.transform(hs.reshape(-1, dim)).reshape(num_layers, num_tokens, 2)
    return TrajectorySpace(coords=coords, fitted=mask, explained_variance_ratio=fit.explained_variance_ratio)


def token_trajectory(
    hidden_states: np.ndarray, token: int, include: np.ndarray | tuple | list | None = None
) -> np.ndarray:
    """(L+1, 2): one token's path through the layers in the common space of `trajectory_space`."""
    return trajectory_space(hidden_states, include).path(token)
