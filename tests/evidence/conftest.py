"""One generated graph for every evidence test, on each backend (the embedded store and Neo4j),
a case made from a ring the generator planted, and packages built from it and from a subject
once per backend.

The files are generated once and loaded once per backend: `ev_on` is session-scoped and
parametrised by backend, so pytest runs one backend's evidence tests together; everything that
reads the graph claims it first (`ev` for each test, the session fixtures before they build),
so that on Neo4j, whose one database other tests use too, no test depends on what ran before."""
from __future__ import annotations

import os
import zipfile

import pytest

from casegraph import cases, explore
from casegraph.evidence import build_case_package, build_subject_package
from casegraph.generate import generate
from casegraph.times import to_epoch_ms
from tests.support import Loaded, dataset_name, load_on_embedded, load_on_neo4j

SINCE, UNTIL = to_epoch_ms("2024-01-01"), to_epoch_ms("2026-01-01")
LE = {"name": "le1", "role": "le_response", "disabled": False}
ACCOUNTS, SEED = 1000, 3        # a seed whose rings share phones or documents (ring_member)
MASK_KEY = "evidence-test-key"


@pytest.fixture(scope="session")
def ev_folder(tmp_path_factory):
    """The folder whose data/ holds the generated files (1,000 accounts), generated once."""
    folder = tmp_path_factory.mktemp("evidence")
    generate(folder / "data", ACCOUNTS, SEED)
    return folder


@pytest.fixture(scope="session")
def ev_embedded(ev_folder, embedded_dir):
    """The evidence dataset in an embedded graph of its own for the whole session (a Loaded):
    the embedded instance of `ev_on`, and what the Neo4j packages are compared with."""
    loaded = load_on_embedded(dataset_name(ACCOUNTS, SEED), ev_folder / "data", ev_folder / "embedded",
                              embedded_dir, graph=f"ev_{os.getpid()}", mask_key=MASK_KEY)
    yield loaded
    loaded.store.backend._graph.delete()
    loaded.store.close()


@pytest.fixture(scope="session", params=["embedded", "neo4j"])
def ev_on(request, ev_folder):
    """The evidence dataset on one backend (a Loaded), its state beside the data in <backend>/."""
    if request.param == "embedded":
        yield request.getfixturevalue("ev_embedded")
        return
    loaded = load_on_neo4j(dataset_name(ACCOUNTS, SEED), ev_folder / "data", ev_folder / "neo4j",
                           request.getfixturevalue("neo4j_db"), mask_key=MASK_KEY)
    yield loaded
    loaded.store.close()


@pytest.fixture
def ev(ev_on: Loaded, ev_folder):
    """(settings, store, state, truth, folder) with the store holding the dataset now."""
    ev_on.claim()
    return ev_on.settings, ev_on.store, ev_on.state, ev_on.truth, ev_folder


def ring_member(ev_on: Loaded) -> tuple[list[str], str]:
    """A planted ring and a member of it who shares a phone, e-mail or document with another
    account (not every ring style shares one: a carrier-style ring shares only its cash-out wallet)."""
    rows = ev_on.store.read_cypher(
        "MATCH (a:Account)-[:HAS_PHONE|HAS_EMAIL|HAS_DOCUMENT]->(i)<-[:HAS_PHONE|HAS_EMAIL|HAS_DOCUMENT]-(b:Account) "
        "WHERE a.account_id IN $ids AND a <> b RETURN DISTINCT a.account_id AS id",
        {"ids": [a for ring in ev_on.truth["rings"] for a in ring]}).rows
    kinds = ev_on.store.read_cypher(
        "MATCH (a:Account)-[r:HAS_PHONE|HAS_EMAIL|HAS_DOCUMENT]->() WHERE a.account_id IN $ids "
        "RETURN a.account_id AS id, count(DISTINCT type(r)) AS kinds", {"ids": [r["id"] for r in rows]}).rows
    sharing = {r["id"] for r in kinds if r["kinds"] == 3}          # with an e-mail, a phone and a document
    ring = next(r for r in ev_on.truth["rings"] if set(r) & sharing)
    return ring, min(set(ring) & sharing)


@pytest.fixture(scope="session")
def ev_case(ev_on: Loaded):
    """A case: a planted ring's accounts and what links them, plus one member's neighbours
    (money movements, identifiers) added by an expand. Returns the case id."""
    ev_on.claim()
    store, state, truth = ev_on.store, ev_on.state, ev_on.truth
    keys, member = ring_member(ev_on)
    ring = [f"Account:{a}" for a in keys]
    nodes, missing = explore.nodes(store, ring)
    assert not missing
    case_id = cases.create_case(state, cases.operator(), "Ring from the generator",
                                nodes + explore.links_between(store, ring),
                                {"query": "ui_links_between", "params": {"keys": keys}})
    page, _ = explore.expand(store, f"Account:{member}", limit=100)
    cases.add_elements(state, cases.operator(), case_id, page,
                       {"query": "ui_expand", "params": {"label": "Account", "key": member, "limit": 100}})
    return case_id


def subject_of(truth) -> str:
    """A scammer the generator planted: paid by victims, listed, reported."""
    return f"Account:{truth['scammers'][0]}"


@pytest.fixture(scope="session")
def case_package(ev_on: Loaded, ev_case, tmp_path_factory):
    ev_on.claim()
    return build_case_package(ev_on.state, ev_on.store, LE, ev_case, request_ref="REQ-2026/17", agency="Met Police",
                              out_dir=tmp_path_factory.mktemp("case_pkg"), settings=ev_on.settings)


@pytest.fixture(scope="session")
def subject_package(ev_on: Loaded, tmp_path_factory):
    ev_on.claim()
    return build_subject_package(ev_on.state, ev_on.store, LE, subject_of(ev_on.truth), since_ms=SINCE,
                                 until_ms=UNTIL, request_ref="REQ-2026/18", agency="Europol",
                                 out_dir=tmp_path_factory.mktemp("subject_pkg"), settings=ev_on.settings)


@pytest.fixture(scope="session")
def masked_packages(ev_on: Loaded, tmp_path_factory):
    """Two masked subject packages of the same ring member, built alike with the same key."""
    ev_on.claim()
    out = tmp_path_factory.mktemp("masked")
    subject = f"Account:{ring_member(ev_on)[1]}"
    return tuple(build_subject_package(ev_on.state, ev_on.store, LE, subject, since_ms=SINCE, until_ms=UNTIL,
                                       request_ref="M-1", agency="A", out_dir=out / part, mask=True,
                                       settings=ev_on.settings) for part in ("a", "b"))


def _read_zip(path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        return {n: zf.read(n) for n in zf.namelist()}


@pytest.fixture
def read_zip():
    """path -> {file name: bytes} of a package."""
    return _read_zip


@pytest.fixture
def period():
    return SINCE, UNTIL


@pytest.fixture
def le_actor():
    return dict(LE)
