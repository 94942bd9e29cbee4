"""app/site.py declares every page once: each page module is declared, each declared page
has a module, and every component id in app/ids.py belongs to a declared page or the shell."""
from __future__ import annotations

from pathlib import Path

import pytest

from casegraph import permissions
from casegraph.app import auth, ids, site

PAGES_DIR = Path(site.__file__).parent / "pages"


def test_every_page_module_is_declared_once_and_every_declared_page_exists():
    modules = {p.stem for p in PAGES_DIR.glob("*.py") if not p.stem.startswith("_")}
    assert [p.module for p in site.PAGES] == list(dict.fromkeys(p.module for p in site.PAGES))
    assert {p.module for p in site.PAGES} == modules
    assert len({p.path for p in site.PAGES}) == len(site.PAGES)
    assert all(p.action in permissions.ACTIONS for p in site.PAGES)
    with pytest.raises(LookupError, match="not declared"):
        site.page("casegraph.app.pages.nowhere")


def test_every_component_id_belongs_to_a_page_and_auth_reads_the_same_table():
    prefixes = tuple(site.prefix_actions())
    names = [v for k, v in vars(ids).items() if k.isupper() and isinstance(v, str)]
    # "login-": the login form is plain HTML served before any session, not a Dash component
    assert names and [n for n in names if not n.startswith(prefixes + ("login-",))] == []
    assert auth.PAGE_ACTIONS == {p.path: p.action for p in site.PAGES}
    assert auth.action_of(ids.EXPLORE_GRAPH) == "view_graph" and auth.action_of(ids.NAV) is None
    assert site.register("casegraph.app.pages.queries") == {
        "path": "/queries", "name": "Saved queries", "title": "casegraph: saved queries", "order": 3}
