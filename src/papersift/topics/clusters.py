"""Topics: cluster a set of papers by their embeddings into `Topic`s, each named by its keyphrases.

Pure: vectors, texts and keys in, `Topic`s out. Clustering is Ward linkage on the normalized
embeddings, cut where the silhouette is best, then refined by one k-means pass started from the
Ward clusters (Ward alone leaves some boundary papers in the wrong branch; k-means from random
starts varies run to run). The names come from `topics.labels`.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from papersift.topics.labels import label_clusters

OTHER_LABEL = "other"
UNNAMED_LABEL = "mixed papers"  # a cluster no phrase is shared enough to name
# Below this many papers a window is not grouped: the fewest topics tried is two, and two topics
# of under eight papers have no phrase that enough of their papers share to name them
# (docs/benchmarks.md#topic-labels).
MIN_PAPERS_TO_GROUP = 16
# Ward needs the n x n distance matrix (n = 5,000: ~100 MB); beyond, k-means alone, with the
# topic count chosen on a sample.
_WARD_MAX_PAPERS = 4_000
_SELECTION_SAMPLE = 2_000
_MAX_TOPICS = 40


@dataclass(frozen=True)
class Topic:
    """One cluster of papers; `members` are ordered nearest the cluster's centre first."""

    label: str  # "quantization · int8 · llm inference"
    keyphrases: tuple[str, ...]
    size: int
    members: tuple[str, ...]
    representatives: tuple[str, ...]  # the first few members: the most typical papers
    is_other: bool = False  # the bucket of papers in clusters too small to name


def too_few_label(n: int) -> str:
    """The one "topic" of a window too small to group: "12 papers: too few to group into
    topics", not a topic called "other"."""
    return f"{n} paper{'s' if n != 1 else ''}: too few to group into topics"


def find_topics(
    vectors: np.ndarray,
    texts: Sequence[str],
    keys: Sequence[str],
    *,
    n_topics: int | None = None,
    min_size: int | None = None,
    n_representatives: int = 3,
    max_keyphrases: int = 3,
    random_state: int = 0,
) -> list[Topic]:
    """Cluster papers into labelled topics, largest first, with an "other" bucket last.

    `vectors` are L2-normalized embeddings, one row per paper; `texts` (title + abstract) feed
    the labels. `n_topics=None` picks the number that best separates the papers, and a window
    of fewer than `MIN_PAPERS_TO_GROUP` papers comes back as one unnamed bucket labelled by
    `too_few_label`. Clusters under `min_size` (default: 1% of the papers, at least 3) go to the
    "other" bucket.
    """
    vectors = np.asarray(vectors, dtype=np.float32)
    if not len(vectors) == len(texts) == len(keys):
        raise ValueError(
            f"{len(vectors)} vectors, {len(texts)} texts and {len(keys)} keys: must be equal"
        )
    n = len(keys)
    if n == 0:
        return []
    if n_topics is None and n < MIN_PAPERS_TO_GROUP:
        whole = _make_topic(vectors, keys, np.ones(n, dtype=bool), (), n_representatives)
        return [Topic(too_few_label(n), (), n, whole.members, whole.representatives, True)]
    if min_size is None:
        min_size = max(3, round(0.01 * n))
    min_size = min(min_size, n)  # two papers still make a (small) topic
    labels = cluster_papers(vectors, n_topics=n_topics, random_state=random_state)
    labels = _fold_small_clusters(labels, min_size)
    named = sorted(c for c in set(labels.tolist()) if c >= 0)
    phrases = label_clusters(texts, labels, named, max_keyphrases=max_keyphrases)
    topics = [_make_topic(vectors, keys, labels == c, phrases[c], n_representatives) for c in named]
    topics.sort(key=lambda t: (-t.size, t.label))
    leftovers = labels < 0
    if leftovers.any():
        other = _make_topic(vectors, keys, leftovers, (), n_representatives)
        topics.append(
            Topic(OTHER_LABEL, (), other.size, other.members, other.representatives, True)
        )
    return topics


def topic_of(topics: Sequence[Topic]) -> dict[str, int]:
    """Each paper key -> the index of its topic in `topics`."""
    return {key: index for index, topic in enumerate(topics) for key in topic.members}


def default_topic_count(n: int) -> int:
    """The centre of the range of topic counts tried for `n` papers: ~sqrt(n/2)."""
    return int(min(_MAX_TOPICS, max(2, round(math.sqrt(n / 2)))))


def topic_count_range(n: int) -> range:
    """Topic counts worth trying for `n` papers: half to 1.25 times ~sqrt(n/2), at most 40.

    The silhouette of real abstracts keeps creeping up with more, smaller clusters; the upper
    bound keeps a day's digest to a number of topics a reader can scan.
    """
    centre = default_topic_count(n)
    low = max(2, round(centre / 2))
    high = max(low, min(_MAX_TOPICS, round(1.25 * centre), n // 3))
    return range(low, high + 1)


# --- clustering -------------------------------------------------------------------------------


def cluster_papers(
    vectors: np.ndarray, *, n_topics: int | None = None, random_state: int = 0
) -> np.ndarray:
    """One cluster number (0..k-1) per row of `vectors`; deterministic.

    Without `n_topics`, the count is the one in `topic_count_range` whose Ward cut has the best
    silhouette: it recovers planted topics where a fixed sqrt(n/2) rule merges some
    (docs/benchmarks.md#topic-count).
    """
    n = len(vectors)
    if n < 3 or n_topics == 1:
        return np.zeros(n, dtype=np.int64)
    from sklearn.cluster import KMeans

    if n <= _WARD_MAX_PAPERS:
        tree = _ward_tree(vectors)
        k = n_topics or _best_cut(tree, vectors, topic_count_range(n))
        start = _centroids(vectors, _cut(tree, min(k, n)))
        kmeans = KMeans(n_clusters=len(start), init=start, n_init=1, random_state=random_state)
    else:
        if n_topics is None:
            rng = np.random.default_rng(random_state)
            sample = vectors[np.sort(rng.choice(n, _SELECTION_SAMPLE, replace=False))]
            n_topics = _best_cut(_ward_tree(sample), sample, topic_count_range(n))
        kmeans = KMeans(n_clusters=n_topics, n_init=1, random_state=random_state)
    return np.asarray(kmeans.fit_predict(vectors), dtype=np.int64)


def _ward_tree(vectors: np.ndarray) -> np.ndarray:
    from scipy.cluster.hierarchy import linkage

    return linkage(vectors.astype(np.float64), method="ward")


def _cut(tree: np.ndarray, k: int) -> np.ndarray:
    from scipy.cluster.hierarchy import fcluster

    return fcluster(tree, k, criterion="maxclust")


def _centroids(vectors: np.ndarray, labels: np.ndarray) -> np.ndarray:
    return np.stack([vectors[labels == c].mean(axis=0) for c in np.unique(labels)])


def _best_cut(tree: np.ndarray, vectors: np.ndarray, counts: range) -> int:
    """The topic count whose Ward cut has the highest silhouette (ties: fewer topics)."""
    # Unit vectors: euclidean distance is sqrt(2 - 2 cos), one matrix product for all cuts.
    distances = np.sqrt(np.clip(2.0 - 2.0 * (vectors @ vectors.T), 0.0, None))
    np.fill_diagonal(distances, 0.0)
    best_k, best_score = counts[0], -np.inf
    for k in counts:
        score = silhouette(distances, _cut(tree, k))
        if score > best_score + 1e-9:
            best_k, best_score = k, score
    return best_k


def silhouette(distances: np.ndarray, labels: np.ndarray) -> float:
    """Mean silhouette from a distance matrix, as sklearn's but in one BLAS product for all
    papers, so trying every topic count stays cheap (docs/benchmarks.md#topic-count).

    A paper alone in its cluster scores 0, as in sklearn.
    """
    _, cluster, sizes = np.unique(labels, return_inverse=True, return_counts=True)
    if len(sizes) < 2:
        return -1.0
    members = np.zeros((len(labels), len(sizes)), dtype=distances.dtype)
    members[np.arange(len(labels)), cluster] = 1.0
    sums = distances @ members  # each paper's total distance to each cluster
    own = np.arange(len(labels)), cluster
    within = sums[own] / np.maximum(sizes[cluster] - 1, 1)
    means = sums / sizes
    means[own] = np.inf
    nearest_other = means.min(axis=1)
    scores = (nearest_other - within) / np.maximum(np.maximum(within, nearest_other), 1e-12)
    scores[sizes[cluster] == 1] = 0.0
    return float(scores.mean())


def _fold_small_clusters(labels: np.ndarray, min_size: int) -> np.ndarray:
    """Renumber clusters 0..m-1 by size; those under `min_size` become -1 ("other")."""
    counts = Counter(labels.tolist())
    kept = sorted((c for c, size in counts.items() if size >= min_size), key=lambda c: -counts[c])
    renumber = {old: new for new, old in enumerate(kept)}
    return np.array([renumber.get(c, -1) for c in labels.tolist()], dtype=np.int64)


def _make_topic(
    vectors: np.ndarray,
    keys: Sequence[str],
    mask: np.ndarray,
    keyphrases: tuple[str, ...],
    n_representatives: int,
) -> Topic:
    rows = np.flatnonzero(mask)
    centre = vectors[rows].mean(axis=0)
    # Stable sort: equally close papers keep their input order, so output is reproducible.
    order = rows[np.argsort(-(vectors[rows] @ centre), kind="stable")]
    members = tuple(keys[i] for i in order)
    label = " · ".join(keyphrases) if keyphrases else UNNAMED_LABEL
    return Topic(label, keyphrases, len(members), members, members[:n_representatives])
