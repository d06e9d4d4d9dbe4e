"""PCA projections of hidden states (numpy only)."""

import numpy as np
import pytest

from bertviz_app.analysis.numeric import projection
from bertviz_app.analysis.numeric.projection import pca, project_layer, token_trajectory, trajectory_space


def reference_pca(points, k):
    """PCA the textbook way: SVD of the centred data, scores = U * S."""
    x = np.asarray(points, dtype=np.float64)
    centred = x - x.mean(axis=0)
    u, s, vt = np.linalg.svd(centred, full_matrices=True)
    ratios = s[:k] ** 2 / np.sum(centred**2)
    return u[:, :k] * s[:k], vt[:k], ratios


def assert_same_up_to_sign(a, b, atol=1e-8):
    for j in range(a.shape[1]):
        col_a, col_b = a[:, j], b[:, j]
        assert np.allclose(col_a, col_b, atol=atol) or np.allclose(col_a, -col_b, atol=atol), j


def anisotropic_points(n, d, seed=0):
    rng = np.random.default_rng(seed)
    scales = np.geomspace(10.0, 0.1, d)
    return rng.standard_normal((n, d)) * scales + rng.standard_normal(d) * 5


@pytest.mark.parametrize(("n", "d"), [(50, 8), (6, 40), (300, 300)])
def test_pca_matches_an_svd_computed_another_way(n, d):
    points = anisotropic_points(n, d)
    result = pca(points, 2)
    coords, components, ratios = reference_pca(points, 2)
    assert result.coords.shape == (n, 2)
    assert_same_up_to_sign(result.coords, coords, atol=1e-7 * np.abs(coords).max())
    assert_same_up_to_sign(result.components.T, components.T)
    np.testing.assert_allclose(result.explained_variance_ratio, ratios, rtol=1e-9)
    np.testing.assert_allclose(result.transform(points), result.coords, atol=1e-9)


def test_fast_eigen_path_matches_full_eigh():
    """Above 256 dimensions the top eigenvectors come from inverse iteration; check it against eigh."""
    rng = np.random.default_rng(3)
    points = rng.standard_normal((900, 400)) * np.linspace(3, 1, 400)
    centred = points - points.mean(axis=0)
    scatter = centred.T @ centred
    vals, vecs = projection._top_eigenpairs_inverse_iteration(scatter, 3)
    ref_vals, ref_vecs = np.linalg.eigh(scatter)
    np.testing.assert_allclose(vals, ref_vals[::-1][:3], rtol=1e-10)
    for i in range(3):
        assert abs(vecs[i] @ ref_vecs[:, -1 - i]) == pytest.approx(1.0, abs=1e-8)


def test_sign_convention_is_deterministic():
    points = anisotropic_points(40, 6, seed=1)
    first = pca(points, 3)
    for comp in first.components:
        assert comp[np.argmax(np.abs(comp))] > 0
    # Same data, permuted rows or reflected: the axes keep their sign, so the picture does not flip.
    again = pca(points[::-1], 3)
    np.testing.assert_allclose(again.components, first.components, atol=1e-10)
    np.testing.assert_allclose(again.coords[::-1], first.coords, atol=1e-9)
    flipped = pca(-points, 3)
    np.testing.assert_allclose(flipped.components, first.components, atol=1e-10)
    np.testing.assert_allclose(flipped.coords, -first.coords, atol=1e-9)


def test_variance_ratios_sum_to_at_most_one():
    for seed in range(5):
        points = anisotropic_points(30, 12, seed)
        for k in (1, 2, 5, 12, 20):
            ratios = pca(points, k).explained_variance_ratio
            assert ratios.shape == (k,)
            assert np.all(ratios >= 0)
            assert ratios.sum() <= 1 + 1e-12
            assert np.all(np.diff(ratios) <= 1e-12)  # largest first
    all_axes = pca(anisotropic_points(30, 4), 4).explained_variance_ratio
    assert all_axes.sum() == pytest.approx(1.0)


@pytest.mark.parametrize(
    "points",
    [
        np.ones((1, 16)),  # a single token
        np.tile(np.arange(5.0), (7, 1)),  # identical points
        np.zeros((4, 3)),
        np.array([[0.0, 0.0], [1.0, 1.0]]),  # rank 1: the second axis has no variance
        np.zeros((0, 5)),  # no points at all
        np.ones((3, 1)) * np.arange(3.0)[:, None],  # one dimension, two components asked for
    ],
)
def test_degenerate_inputs_give_zeros_not_nan(points):
    result = pca(points, 2)
    assert result.coords.shape == (len(points), 2)
    assert np.all(np.isfinite(result.coords))
    assert np.all(np.isfinite(result.components))
    assert np.all(np.isfinite(result.explained_variance_ratio))
    assert result.explained_variance_ratio.sum() <= 1 + 1e-12


def test_identical_points_project_to_the_origin():
    result = pca(np.tile([1.0, -2.0, 3.0], (6, 1)), 2)
    assert np.all(result.coords == 0)
    assert np.all(result.explained_variance_ratio == 0)


def test_pca_rejects_bad_input():
    with pytest.raises(ValueError):
        pca(np.ones(5))
    with pytest.raises(ValueError):
        pca(np.ones((3, 2)), 0)
    with pytest.raises(ValueError):
        pca(np.array([[0.0, np.nan], [1.0, 2.0]]))


def hidden_states(layers=4, tokens=9, dim=24, seed=0):
    rng = np.random.default_rng(seed)
    base = rng.standard_normal((tokens, dim)).astype(np.float32)
    drift = rng.standard_normal((layers + 1, 1, dim)).astype(np.float32)
    steps = np.arange(layers + 1, dtype=np.float32)[:, None, None]
    return base[None] + steps * drift + 0.1 * rng.standard_normal((layers + 1, tokens, dim)).astype(np.float32)


def test_trajectory_lives_in_one_common_space():
    hs = hidden_states()
    path = token_trajectory(hs, 3)
    assert path.shape == (hs.shape[0], 2)
    # The common space is the PCA of every layer's points together.
    fit = pca(hs.reshape(-1, hs.shape[2]), 2)
    np.testing.assert_allclose(path, fit.transform(hs[:, 3, :]), atol=1e-5)
    space = trajectory_space(hs)
    assert space.coords.shape == (hs.shape[0], hs.shape[1], 2)
    assert space.num_layers == hs.shape[0]
    for token in range(hs.shape[1]):
        np.testing.assert_allclose(space.path(token), fit.transform(hs[:, token, :]), atol=1e-5)
    with pytest.raises(IndexError):
        space.path(hs.shape[1])


def test_trajectory_fit_can_leave_tokens_out():
    hs = hidden_states()
    include = np.ones(hs.shape[1], dtype=bool)
    include[[0, -1]] = False  # [CLS] and [SEP]
    space = trajectory_space(hs, include)
    fit = pca(hs[:, include, :].reshape(-1, hs.shape[2]), 2)
    np.testing.assert_allclose(space.coords[:, 0, :], fit.transform(hs[:, 0, :]), atol=1e-5)
    assert space.fitted.tolist() == include.tolist()
    with pytest.raises(ValueError):
        trajectory_space(hs, [True, False])
    # Leaving everything out falls back to every token instead of failing.
    assert trajectory_space(hs, np.zeros(hs.shape[1], dtype=bool)).fitted.all()


def test_project_layer():
    hs = hidden_states()
    proj = project_layer(hs, 2)
    fit = pca(hs[2], 2)
    np.testing.assert_allclose(proj.coords, fit.coords, atol=1e-5)
    np.testing.assert_allclose(proj.explained_variance_ratio, fit.explained_variance_ratio)
    include = np.arange(hs.shape[1]) > 0
    partial = project_layer(hs, 2, include)
    assert partial.coords.shape == (hs.shape[1], 2)  # every token, even those not fitted
    np.testing.assert_allclose(partial.coords[1:], pca(hs[2, 1:], 2).coords, atol=1e-5)
    with pytest.raises(IndexError):
        project_layer(hs, hs.shape[0])


def test_degenerate_hidden_states():
    one_token = np.ones((5, 1, 8), dtype=np.float32)
    assert np.all(token_trajectory(one_token, 0) == 0)
    assert np.all(project_layer(one_token, 4).coords == 0)
    frozen = np.tile(np.arange(8, dtype=np.float32), (3, 4, 1))  # every token identical at every layer
    space = trajectory_space(frozen)
    assert np.all(np.isfinite(space.coords)) and np.all(space.coords == 0)
