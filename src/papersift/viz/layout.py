"""The 2-D layout of a set of papers: neighbours in embedding space stay neighbours on the page.

`layout_2d` is a small neighbour-embedding in numpy (the UMAP objective on a k-nearest-neighbour
graph, optimised with negative sampling): it keeps nearly as many true neighbours as
scikit-learn's t-SNE in a small fraction of the time, without umap-learn's numba and llvmlite
(docs/benchmarks.md#map-layout). `fit_unit_square` scales any layout into the unit square for
drawing. Pure: arrays in, arrays out, deterministic for a given `random_state`.
"""

from __future__ import annotations

import warnings

import numpy as np

# UMAP's attraction curve 1 / (1 + a d^2b) for min_dist=0.1, spread=1 (umap.umap_.find_ab_params).
_CURVE_A, _CURVE_B = 1.577, 0.895
_NEGATIVE_SAMPLES = 5
_PUSH_SAMPLES = 10
_PUSH_SCALE = _NEGATIVE_SAMPLES / _PUSH_SAMPLES
# A weak pull to the centre. Without it, clusters that share no neighbours (a day's robotics
# and its speech papers) drift apart until each is a dot on an empty page; it costs almost no
# neighbour fidelity (docs/benchmarks.md#map-layout).
_GRAVITY = 0.03


def layout_2d(
    vectors: np.ndarray,
    *,
    n_neighbors: int = 15,
    n_epochs: int | None = None,
    random_state: int = 0,
) -> np.ndarray:
    """2-D coordinates (n, 2) for L2-normalized `vectors`, neighbours kept near; deterministic."""
    vectors = np.asarray(vectors, dtype=np.float32)
    n = len(vectors)
    if n <= 2:
        return np.array([[0.0, 0.0], [1.0, 0.0]][:n], dtype=np.float64).reshape(n, 2)
    k = min(n_neighbors, n - 1)
    neighbours, distances = _nearest_neighbours(_reduce_for_search(vectors, random_state), k)
    heads, tails, weights = _fuzzy_graph(neighbours, distances)
    start = _spectral_start(heads, tails, weights, n, random_state)
    if start is None:
        start = _principal_axes(vectors)
    if n_epochs is None:
        n_epochs = 200 if n <= 10_000 else 120
    return _optimise(start, heads, tails, weights, n_epochs, random_state)


def _reduce_for_search(vectors: np.ndarray, random_state: int) -> np.ndarray:
    """Beyond 5,000 papers, search neighbours in 64 principal dimensions: for 384-d embeddings,
    a sixth of the flops of the exact search."""
    if len(vectors) <= 5_000 or vectors.shape[1] <= 64:
        return vectors
    from sklearn.decomposition import PCA

    reduced = PCA(64, random_state=random_state).fit_transform(vectors)
    return (reduced / np.maximum(np.linalg.norm(reduced, axis=1, keepdims=True), 1e-12)).astype(
        np.float32
    )


def _nearest_neighbours(vectors: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Exact cosine k-NN by blocks of rows; (indices, euclidean distances), nearest first."""
    n = len(vectors)
    indices = np.empty((n, k), dtype=np.int64)
    distances = np.empty((n, k), dtype=np.float32)
    block = 1024
    for start in range(0, n, block):
        sims = vectors[start : start + block] @ vectors.T
        rows = np.arange(len(sims))
        sims[rows, rows + start] = -np.inf  # not its own neighbour
        top = np.argpartition(-sims, k - 1, axis=1)[:, :k]
        top_sims = np.take_along_axis(sims, top, axis=1)
        order = np.argsort(-top_sims, axis=1, kind="stable")
        indices[start : start + block] = np.take_along_axis(top, order, axis=1)
        best = np.take_along_axis(top_sims, order, axis=1)
        distances[start : start + block] = np.sqrt(np.clip(2.0 - 2.0 * best, 0.0, None))
    return indices, distances


def _fuzzy_graph(
    neighbours: np.ndarray, distances: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """UMAP's neighbour weights, symmetrised: edges (heads, tails, weights)."""
    import scipy.sparse as sp

    n, k = neighbours.shape
    # Each point's nearest neighbour is at weight 1; sigma makes the weights sum to log2(k), so
    # dense and sparse regions get the same number of effective neighbours.
    excess = np.maximum(distances - distances[:, :1], 0.0).astype(np.float64)
    target = np.log2(k) if k > 1 else 1.0
    low = np.zeros((n, 1))
    high = np.full((n, 1), np.inf)
    sigma = np.ones((n, 1))
    for _ in range(64):
        too_many = np.exp(-excess / sigma).sum(axis=1, keepdims=True) > target
        high = np.where(too_many, sigma, high)
        low = np.where(too_many, low, sigma)
        sigma = np.where(np.isinf(high), sigma * 2.0, (low + high) / 2.0)
    weights = np.exp(-excess / np.maximum(sigma, 1e-12))
    rows = np.repeat(np.arange(n), k)
    graph = sp.csr_matrix((weights.ravel(), (rows, neighbours.ravel())), shape=(n, n))
    graph = (graph + graph.T - graph.multiply(graph.T)).tocoo()
    return graph.row.astype(np.int64), graph.col.astype(np.int64), graph.data.astype(np.float64)


def _spectral_start(
    heads: np.ndarray, tails: np.ndarray, weights: np.ndarray, n: int, random_state: int
) -> np.ndarray | None:
    """The graph's two smoothest eigenvectors: a start that already has the global shape."""
    import scipy.sparse as sp
    from sklearn.manifold import spectral_embedding

    graph = sp.csr_matrix((weights, (heads, tails)), shape=(n, n))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # "graph is not fully connected": still usable
            start = spectral_embedding(graph, n_components=2, random_state=random_state)
    except (ValueError, TypeError, np.linalg.LinAlgError, RuntimeError):
        return None  # tiny or degenerate graphs: ARPACK refuses, principal axes will do
    return start if np.isfinite(start).all() and np.ptp(start, axis=0).min() > 0 else None


def _principal_axes(vectors: np.ndarray) -> np.ndarray:
    centred = vectors - vectors.mean(axis=0)
    u, s, _ = np.linalg.svd(centred, full_matrices=False)
    return u[:, :2] * s[:2]


def _optimise(
    start: np.ndarray,
    heads: np.ndarray,
    tails: np.ndarray,
    weights: np.ndarray,
    n_epochs: int,
    random_state: int,
) -> np.ndarray:
    """Full-batch UMAP epochs: pull graph neighbours together, push random pairs apart."""
    rng = np.random.default_rng(random_state)
    n = len(start)
    y = (10.0 * (start - start.mean(axis=0)) / max(float(np.abs(start).max()), 1e-12)).astype(
        np.float32
    )
    # Each point moves by the weighted mean of its pulls, so a hub with 60 edges does not take
    # 60 full steps in one epoch (UMAP's sequential SGD avoids this by ordering). Pushes are
    # sampled per point, not per edge as UMAP does: the same mean force at a fifth of the cost.
    degree = np.maximum(np.bincount(heads, weights=weights, minlength=n), 1e-12)
    weights32 = weights.astype(np.float32)[:, None]
    pushed = np.repeat(np.arange(n), _PUSH_SAMPLES)
    a, b = _CURVE_A, _CURVE_B
    for epoch in range(n_epochs):
        rate = 1.0 - epoch / n_epochs
        diff = y[heads] - y[tails]
        d2 = np.maximum((diff * diff).sum(axis=1), 1e-6)
        pull = -2 * a * b * d2 ** (b - 1) / (1 + a * d2**b)
        attract = np.clip(pull[:, None] * diff, -4, 4) * weights32
        others = rng.integers(0, n, len(pushed))
        diff = y[pushed] - y[others]
        d2 = (diff * diff).sum(axis=1)
        push = np.where(others != pushed, 2 * b / ((0.001 + d2) * (1 + a * d2**b)), 0.0)
        repel = np.clip(push[:, None] * diff, -4, 4)
        for axis in (0, 1):
            pulls = np.bincount(heads, attract[:, axis], n) / degree
            pushes = np.bincount(pushed, repel[:, axis], n) * _PUSH_SCALE
            y[:, axis] += rate * (pulls + pushes - _GRAVITY * y[:, axis])
    return y.astype(np.float64)


def fit_unit_square(coords: np.ndarray) -> np.ndarray:
    """Scale into [0, 1]^2 keeping the aspect ratio; the outermost 0.5% are pinned to the edge,
    so one far-off stray does not shrink everyone else into a dot."""
    if len(coords) == 0:
        return coords.reshape(0, 2)
    low = np.percentile(coords, 0.5, axis=0)
    high = np.percentile(coords, 99.5, axis=0)
    span = float(max((high - low).max(), 1e-12))
    fitted = (np.clip(coords, low, high) - low) / span
    return fitted + (1.0 - (high - low) / span) / 2.0  # centre the shorter axis
