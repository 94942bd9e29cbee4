"""Graph algorithms computed in Python on edge lists the store returns.

Why not the database's own: FalkorDB's algo.WCC (and Neo4j GDS, which casegraph does
not require) runs over whole labels and relationship types; it cannot drop the links
a detection has judged too weak (an IP shared by a carrier's thousands of users, a
device shared weeks apart), and the two engines spell it differently. Taking the edge
list the store returns and computing here gives the same answer on every backend.
The same goes for the random walk with restart (personalised PageRank) that ranks
exposure: FalkorDB has algo.pageRank but no personalised one, Neo4j only with GDS."""
from __future__ import annotations

from typing import Hashable, Iterable

import numpy as np
from scipy.sparse import coo_matrix, csr_matrix, diags
from scipy.sparse.csgraph import connected_components as _cc
from scipy.sparse.csgraph import dijkstra as _dijkstra


def connected_components(edges: Iterable[tuple[Hashable, Hashable]],
                         nodes: Iterable[Hashable] = ()) -> list[list[str]]:
    """Weakly connected components of an undirected edge list (a, b).

    `nodes` adds isolated nodes (each its own component). Deterministic: members are
    sorted within a component, components sorted by their first member (then size)."""
    index: dict[Hashable, int] = {}
    src: list[int] = []
    dst: list[int] = []
    for a, b in edges:
        src.append(index.setdefault(a, len(index)))
        dst.append(index.setdefault(b, len(index)))
    for n in nodes:
        index.setdefault(n, len(index))
    if not index:
        return []
    size = len(index)
    graph = coo_matrix((np.ones(len(src), dtype=np.int8), (np.array(src, dtype=np.int64),
                        np.array(dst, dtype=np.int64))), shape=(size, size)).tocsr()
    _, labels = _cc(graph, directed=False)
    names = list(index)
    groups: dict[int, list] = {}
    for i, label in enumerate(labels.tolist()):
        groups.setdefault(label, []).append(names[i])
    comps = [sorted(g, key=str) for g in groups.values()]
    comps.sort(key=lambda c: (str(c[0]), len(c)))
    return comps


def random_walk_with_restart(weights: csr_matrix, seeds: np.ndarray, restart: float, *,
                             tol: float = 1e-10, max_iter: int = 200,
                             seed_weights: np.ndarray | None = None) -> np.ndarray:
    """Personalised PageRank: the stationary distribution of a walker on the directed
    weighted graph `weights` (weights[u, v] >= 0: how strongly u leads to v) who steps to a
    neighbour with probability proportional to the weight, and with probability `restart`
    (and whenever it stands on a node with no way out) jumps back to a seed, chosen
    uniformly among `seeds` (node indices), or in proportion to `seed_weights` (one per
    seed, > 0) when given.

    Power iteration until the L1 change is below `tol` (or `max_iter` steps; the error
    shrinks by (1 - restart) per step). The result sums to 1; nodes the walker cannot
    reach hold 0. Deterministic for a given matrix: no randomness, a fixed order of sums."""
    n = weights.shape[0]
    seeds = np.asarray(seeds, dtype=np.int64)
    if n == 0 or len(seeds) == 0:
        return np.zeros(n)
    start = np.zeros(n)
    if seed_weights is None:
        seeds = np.unique(seeds)
        start[seeds] = 1.0 / len(seeds)
    else:
        np.add.at(start, seeds, np.asarray(seed_weights, dtype=float))
        start /= start.sum()
    step = transition(weights).T.tocsr()
    dangling = np.asarray(weights.sum(axis=1)).ravel() <= 0
    x = start.copy()
    for _ in range(max_iter):
        new = (1.0 - restart) * (step @ x) + ((1.0 - restart) * x[dangling].sum() + restart) * start
        done = np.abs(new - x).sum() < tol
        x = new
        if done:
            break
    return x


def transition(weights: csr_matrix) -> csr_matrix:
    """Row-normalised weights: the probability of each step (rows without weight stay 0)."""
    out = np.asarray(weights.sum(axis=1)).ravel()
    inv = np.divide(1.0, out, out=np.zeros_like(out, dtype=float), where=out > 0)
    return (diags(inv) @ weights).tocsr()


def likeliest_paths(weights: csr_matrix, seeds: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For every node, the likeliest walk from any seed to it (the product of its step
    probabilities, transition(weights), is largest): shortest paths over -log(probability).
    Returns (predecessor, seed) arrays: predecessor[v] is the node before v on that walk
    (-9999 for seeds and unreachable nodes), seed[v] the seed it starts from (-9999 when
    unreachable). A tiny cost per step prefers the shorter of equally likely walks."""
    n = weights.shape[0]
    seeds = np.unique(np.asarray(seeds, dtype=np.int64))
    if n == 0 or len(seeds) == 0:
        empty = np.full(n, -9999, dtype=np.int64)
        return empty, empty.copy()
    p = transition(weights)
    p.eliminate_zeros()
    cost = p.copy()
    cost.data = -np.log(p.data) + 1e-9
    _, pred, src = _dijkstra(cost, directed=True, indices=seeds, min_only=True, return_predecessors=True)
    return pred.astype(np.int64), src.astype(np.int64)
