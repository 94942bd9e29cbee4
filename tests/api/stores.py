"""The session dataset's graph and state stores opened beside the API (what a test checks
the API's answers against), closed when the block ends."""
from __future__ import annotations

from contextlib import contextmanager

from casegraph.state import open_state
from casegraph.store import GraphStore, open_backend


@contextmanager
def opened(settings):
    """(graph store, state store) over `settings`."""
    graph, state = GraphStore(open_backend(settings), settings), open_state(settings.state_url())
    try:
        yield graph, state
    finally:
        graph.close()
        state.engine.dispose()
