"""Graph algorithms computed in Python on edge lists the store returns.

Why not the database's own: FalkorDB's algo.WCC (and Neo4j GDS, which casegraph does
not require) runs over whole labels and relationship types; it cannot drop the links
a detection has judged too weak (an IP shared by a carrier's thousands of users, a
device shared weeks apart), and the two engines spell it differently. Taking the edge
list the store returns and computing here gives the same answer on every backend."""
from __future__ import annotations

from typing import Hashable, Iterable

import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components as _cc


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
