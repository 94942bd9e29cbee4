"""Connected components, random walk with restart and likeliest paths on plain edge lists (casegraph/graphalgo.py)."""
import numpy as np
import pytest
from scipy.sparse import csr_matrix

from casegraph.graphalgo import connected_components, likeliest_paths, random_walk_with_restart, transition


def test_components_are_sorted_and_deterministic():
    edges = [("c", "b"), ("x", "y"), ("b", "a"), ("z", "y"), ("d", "e")]
    expected = [["a", "b", "c"], ["d", "e"], ["x", "y", "z"]]
    assert connected_components(edges) == expected
    assert connected_components(reversed(edges)) == expected
    assert connected_components(iter([(b, a) for a, b in edges])) == expected


def test_direction_self_loops_and_duplicates_do_not_matter():
    assert connected_components([("a", "b"), ("b", "a"), ("a", "b"), ("c", "c")]) == [["a", "b"], ["c"]]


def test_isolated_nodes_and_empty_input():
    assert connected_components([]) == []
    assert connected_components([], nodes=["q"]) == [["q"]]
    assert connected_components([("a", "b")], nodes=["b", "k"]) == [["a", "b"], ["k"]]


def test_a_chain_is_one_component():
    n = 1000
    comps = connected_components((f"n{i:04d}", f"n{i + 1:04d}") for i in range(n - 1))
    assert len(comps) == 1 and len(comps[0]) == n and comps[0][0] == "n0000"


# -- random walk with restart and likeliest paths ------------------------------------------



def _m(n, edges):
    u, v, w = zip(*edges)
    return csr_matrix((w, (u, v)), shape=(n, n))


def test_rwr_two_nodes_known_answer():
    # a <-> b, seed a: x_a = r + (1-r) x_b, x_b = (1-r) x_a  =>  x_a = 1 / (2 - r)
    r = 0.15
    x = random_walk_with_restart(_m(2, [(0, 1, 1.0), (1, 0, 3.0)]), [0], r)
    assert x[0] == pytest.approx(1 / (2 - r), abs=1e-9) and x[1] == pytest.approx((1 - r) / (2 - r), abs=1e-9)
    assert x.sum() == pytest.approx(1.0)


def test_rwr_restarts_in_proportion_to_seed_weights():
    # two separate pairs a <-> b and c <-> d, seeds a (weight 3) and c (weight 1): each pair holds
    # its seed's share of the restart, shaped as in the one-pair answer
    r = 0.15
    m = _m(4, [(0, 1, 1.0), (1, 0, 1.0), (2, 3, 1.0), (3, 2, 1.0)])
    x = random_walk_with_restart(m, [0, 2], r, seed_weights=[3.0, 1.0])
    assert x[0] == pytest.approx(0.75 / (2 - r), abs=1e-9) and x[2] == pytest.approx(0.25 / (2 - r), abs=1e-9)
    assert x[1] / x[3] == pytest.approx(3.0) and x.sum() == pytest.approx(1.0)
    # equal weights are the uniform restart
    assert np.allclose(random_walk_with_restart(m, [0, 2], r, seed_weights=[2.0, 2.0]),
                       random_walk_with_restart(m, [0, 2], r))


def test_rwr_dangling_mass_returns_to_the_seeds_and_unreached_nodes_hold_nothing():
    # a -> b, b has no way out (back to the seed), c only points at a (never reached)
    r = 0.2
    x = random_walk_with_restart(_m(3, [(0, 1, 5.0), (2, 0, 1.0)]), [0], r)
    assert x[0] == pytest.approx(1 / (2 - r), abs=1e-9) and x[2] == 0.0
    assert x.sum() == pytest.approx(1.0)


def test_rwr_follows_weights_and_decays_with_distance():
    # seed 0 -> 1 (weight 3) and 0 -> 2 (weight 1); 1 -> 3; everything returns to 0
    x = random_walk_with_restart(_m(4, [(0, 1, 3.0), (0, 2, 1.0), (1, 3, 1.0), (1, 0, 1.0), (2, 0, 1.0),
                                        (3, 0, 1.0)]), [0], 0.15)
    assert x[1] > x[2] and x[1] > x[3] > 0
    # several seeds share the restart evenly; no seeds or no nodes: nothing
    y = random_walk_with_restart(_m(2, [(0, 1, 1.0), (1, 0, 1.0)]), [0, 1], 0.5)
    assert y[0] == pytest.approx(0.5) and y[1] == pytest.approx(0.5)
    assert random_walk_with_restart(_m(2, [(0, 1, 1.0)]), [], 0.5).tolist() == [0.0, 0.0]


def test_transition_rows_sum_to_one_or_zero():
    p = transition(_m(3, [(0, 1, 1.0), (0, 2, 3.0), (1, 0, 2.0)])).toarray()
    assert p[0].tolist() == [0.0, 0.25, 0.75] and p[1].tolist() == [1.0, 0.0, 0.0] and p[2].sum() == 0.0


def test_likeliest_paths_prefer_probable_over_short():
    # from seed 0: straight to 1 has probability 0.1; through 2 it is 0.9 x 1.0
    pred, src = likeliest_paths(_m(4, [(0, 1, 1.0), (0, 2, 9.0), (2, 1, 1.0), (3, 3, 1.0)]), [0])
    assert pred[1] == 2 and pred[2] == 0 and pred[0] < 0
    assert src[1] == 0 and src[3] < 0 and pred[3] < 0       # 3 is never reached
    # two seeds: each node hangs off the seed its likeliest walk starts from
    pred, src = likeliest_paths(_m(4, [(0, 1, 1.0), (3, 2, 1.0)]), np.array([0, 3]))
    assert (pred[1], src[1], pred[2], src[2]) == (0, 0, 3, 3)
