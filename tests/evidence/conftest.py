"""One generated, loaded graph for every evidence test (built once), a case made from a
ring the generator planted, and packages built from it and from a subject once each."""
from __future__ import annotations

import json
import os
import zipfile

import pytest

from casegraph import cases, explore
from casegraph.evidence import build_case_package, build_subject_package
from casegraph.generate import generate
from casegraph.settings import Settings
from casegraph.state import open_state
from casegraph.store import GraphStore, open_backend
from casegraph.times import to_epoch_ms
from casegraph.loaders.pipeline import load

SINCE, UNTIL = to_epoch_ms("2024-01-01"), to_epoch_ms("2026-01-01")
LE = {"name": "le1", "role": "le_response", "disabled": False}


@pytest.fixture(scope="session")
def ev(embedded_dir, tmp_path_factory):
    """(settings, store, state, truth, folder) over 1,000 generated accounts."""
    folder = tmp_path_factory.mktemp("evidence")
    generate(folder / "data", 1000, 5)
    settings = Settings.load(db=f"embedded:{embedded_dir}", graph=f"ev_{os.getpid()}",
                             state=f"sqlite:///{folder / 'state.sqlite'}", mask_key="evidence-test-key")
    store = GraphStore(open_backend(settings), settings)
    state = open_state(settings.state_url())
    assert load(store, state, [folder / "data"], rejects_dir=folder / "rej").ok
    truth = json.loads((folder / "data" / "truth.json").read_text())
    yield settings, store, state, truth, folder
    store.backend._graph.delete()
    store.close()


@pytest.fixture(scope="session")
def ev_case(ev):
    """A case: a planted ring's accounts and what links them, plus one member's neighbours
    (money movements, identifiers) added by an expand. Returns the case id."""
    settings, store, state, truth, _ = ev
    ring = [f"Account:{a}" for a in truth["rings"][0]]
    nodes, missing = explore.nodes(store, ring)
    assert not missing
    case_id = cases.create_case(state, cases.operator(), "Ring from the generator",
                                nodes + explore.links_between(store, ring),
                                {"query": "ui_links_between", "params": {"keys": truth["rings"][0]}})
    page, _ = explore.expand(store, ring[0], limit=100)
    cases.add_elements(state, cases.operator(), case_id, page,
                       {"query": "ui_expand", "params": {"label": "Account", "key": truth["rings"][0][0], "limit": 100}})
    return case_id


def subject_of(truth) -> str:
    """A scammer the generator planted: paid by victims, listed, reported."""
    return f"Account:{truth['scammers'][0]}"


@pytest.fixture(scope="session")
def case_package(ev, ev_case, tmp_path_factory):
    settings, store, state, *_ = ev
    return build_case_package(state, store, LE, ev_case, request_ref="REQ-2026/17", agency="Met Police",
                              out_dir=tmp_path_factory.mktemp("case_pkg"), settings=settings)


@pytest.fixture(scope="session")
def subject_package(ev, tmp_path_factory):
    settings, store, state, truth, _ = ev
    return build_subject_package(state, store, LE, subject_of(truth), since_ms=SINCE, until_ms=UNTIL,
                                 request_ref="REQ-2026/18", agency="Europol",
                                 out_dir=tmp_path_factory.mktemp("subject_pkg"), settings=settings)


@pytest.fixture(scope="session")
def masked_packages(ev, tmp_path_factory):
    """Two masked subject packages of the same ring member, built alike with the same key."""
    settings, store, state, truth, _ = ev
    out = tmp_path_factory.mktemp("masked")
    subject = f"Account:{truth['rings'][0][0]}"
    a = build_subject_package(state, store, LE, subject, since_ms=SINCE, until_ms=UNTIL, request_ref="M-1",
                              agency="A", out_dir=out / "a", mask=True, settings=settings)
    b = build_subject_package(state, store, LE, subject, since_ms=SINCE, until_ms=UNTIL, request_ref="M-1",
                              agency="A", out_dir=out / "b", mask=True, settings=settings)
    return a, b


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
