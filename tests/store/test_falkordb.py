"""casegraph/store/falkordb.py: parameter values FalkorDB cannot take are refused as the
caller's mistake (ParameterError: a 422 over the API), before they reach the server."""
from __future__ import annotations

import pytest

from casegraph.errors import ParameterError


@pytest.mark.parametrize("value", ["a\x00b", ["x", "\x00"], {"k": "\x00"}])
def test_a_nul_character_in_a_value_is_a_parameter_error_and_the_store_still_answers(store, value):
    with pytest.raises(ParameterError, match="NUL"):
        store.read_cypher("RETURN $v AS v", {"v": value})
    assert store.read_cypher("RETURN $v AS v", {"v": "a\x01b\\u0041"}).rows == [{"v": "a\x01b\\u0041"}]


def test_a_map_key_falkordb_cannot_quote_is_a_parameter_error(store):
    with pytest.raises(ParameterError, match="map key"):
        store.read_cypher("RETURN $v AS v", {"v": {"a`b": 1}})
