"""casegraph/logins.py on SQLite and PostgreSQL: attempts are counted atomically (a slot is
taken before the password is checked), per name and address, as a back-off."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from casegraph import logins
from casegraph.state import open_state

T0 = 1_800_000_000_000


def test_the_back_off_doubles_and_is_capped():
    assert [logins.backoff_s(n, 5) for n in (0, 4, 5, 6, 7, 20)] == [0, 0, 1, 2, 4, logins.BACKOFF_MAX_S]


def test_sixty_concurrent_attempts_get_the_free_slots_only(state_url):
    state = open_state(state_url)
    with ThreadPoolExecutor(max_workers=12) as pool:
        slots = list(pool.map(lambda _: logins.begin(state, "victim", "10.0.0.9", now=T0), range(60)))
    granted = [s for s in slots if s.attempt is not None]
    assert len(granted) == logins.NAME_FREE, len(granted)
    assert {s.reason for s in slots if s.attempt is None} == {"too many failed logins for victim"}


def test_a_guesser_slows_down_but_the_user_elsewhere_does_not(state_url):
    state = open_state(state_url)
    for i in range(logins.NAME_FREE):
        logins.finish(state, logins.begin(state, "victim", "10.0.0.9", now=T0 + i).attempt, ok=False)
    refused = logins.begin(state, "victim", "10.0.0.9", now=T0 + 10)
    assert refused.attempt is None and refused.wait_s == 1
    assert logins.begin(state, "victim", "10.0.0.9", now=T0 + 1010).attempt is not None   # the back-off ran out
    # the same name from another address is not held back by one guesser
    assert logins.begin(state, "victim", "192.0.2.7", now=T0 + 20).attempt is not None
    # a right password is not a failure
    ok = logins.begin(state, "other", "10.0.0.9", now=T0)
    logins.finish(state, ok.attempt, ok=True)
    assert logins.begin(state, "other", "10.0.0.9", now=T0 + 1).attempt is not None


def test_many_addresses_against_one_name_back_off_too(state_url):
    state = open_state(state_url)
    for i in range(logins.NAME_ANY_FREE):
        logins.finish(state, logins.begin(state, "victim", f"10.1.{i // 250}.{i % 250}", now=T0).attempt, ok=False)
    assert logins.begin(state, "victim", "10.9.9.9", now=T0 + 5).attempt is None


def test_an_address_spraying_names_is_refused_for_the_window(state_url):
    state = open_state(state_url)
    for i in range(logins.ADDRESS_MAX):
        logins.finish(state, logins.begin(state, f"user{i}", "10.0.0.66", now=T0).attempt, ok=False)
    refused = logins.begin(state, "someone", "10.0.0.66", now=T0 + 1)
    assert refused.attempt is None and refused.reason == "too many failed logins from this address"
    later = T0 + logins.WINDOW_MINUTES * 60_000 + 1
    assert logins.begin(state, "someone", "10.0.0.66", now=later).attempt is not None
