"""Connected components on plain edge lists (casegraph/graphalgo.py)."""
from casegraph.graphalgo import connected_components


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
